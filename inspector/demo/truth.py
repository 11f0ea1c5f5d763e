"""Ground truth of every demo site, computed by construction from the specs.

Nothing here parses HTML: links come from what :class:`~inspector.demo.render.PageCtx`
recorded while writing each page, and dates/categories/messages/guides come
straight from the spec. Each measure follows CHECKLIST.md; the counting rule is
written next to the code that computes it. Point values are the CHECKLIST.md
defaults (the engine reads them from the checklist file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from inspector.demo.render import (
    KEY_ELEMENTS,
    NOT_FOUND,
    YEARLESS,
    Resource,
    SiteContent,
    Targets,
    column_path,
    date_fmt_of,
    day,
    guide_path,
    item_path,
    message_path,
)
from inspector.demo.spec import Column, DemoSiteSpec

WINDOWS = {"news": 14, "notice": 180, "personnel": 365, "solicitation": 365, "interview": 365}
HOMEPAGE_WINDOW = 14
YEAR = 365
REPLY_LIMIT = 90
ATTACHMENT_EXTS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "zip", "rar", "7z")
VETOES = ("site-unreachable", "site-not-updated", "columns-not-updated", "serious-errors", "poor-interaction")
DEDUCTIONS = ("homepage-availability", "link-availability", "homepage-updates", "basic-information",
              "consultation", "solicitation", "interviews", "service-guides", "attachments", "online-systems")


@dataclass
class World:
    """Everything needed to say what a URL answers in the running region."""

    targets: Targets
    sites: dict[str, SiteContent]  # base URL -> content (served sites only)

    def fetch(self, url: str) -> tuple[Resource | None, str | None]:
        """(final resource, error) for a URL, following redirects like a link checker."""
        for _ in range(10):
            parts = urlsplit(url)
            base = f"{parts.scheme}://{parts.netloc}"
            if base == self.targets.hang:
                return None, "timeout"
            site = self.sites.get(base)
            if site is None:  # closed port or the down site
                return None, "connect"
            res = site.resources.get(parts.path, NOT_FOUND)
            if res.location is None:
                return res, None if res.status < 400 else str(res.status)
            url = urljoin(url, res.location)
        return None, "redirect-loop"


def _in_window(d: date | None, as_of: date, days: int) -> bool:
    """Inclusive window [as_of - days, as_of]; undated never counts as updated."""
    return d is not None and day(as_of, days) <= d <= as_of


# --------------------------------------------------------------------------- crawl by construction


def _crawl(spec: DemoSiteSpec, content: SiteContent, world: World) -> list[str]:
    """URLs of the site's HTML pages reachable from the homepage through a[href] / iframe[src]."""
    home = content.base + "/"
    seen, order, queue = {home}, [], [home]
    while queue:
        url = queue.pop(0)
        res, err = world.fetch(url)
        if err or res is None or not res.ctype.startswith("text/html"):
            continue
        order.append(url)
        for tag, link in content.links.get(urlsplit(url).path, []):
            if tag in ("a", "iframe") and link.startswith(content.base + "/") and link not in seen:
                seen.add(link)
                queue.append(link)
    return order


def link_truth(spec: DemoSiteSpec, content: SiteContent, world: World) -> tuple[dict, list[dict], list[str]]:
    """link-availability measures, the broken-link list and the crawled pages.

    checked: distinct absolute http(s) URLs (fragment removed) found in a/img/link/script/iframe
    on every reachable page, plus the pages themselves (the homepage URL included).
    homepage_broken: broken URLs found on the homepage; other_broken: broken URLs found only on
    other pages (a URL broken on the homepage is counted once, as homepage).
    Redirect targets are not counted unless they are linked themselves.
    """
    pages = _crawl(spec, content, world)
    home = content.base + "/"
    found: dict[str, str] = {home: home}  # url -> first page it was found on (homepage first)
    for page in pages:
        for _tag, link in content.links.get(urlsplit(page).path, []):
            found.setdefault(link, page)
    broken = []
    for url, where in found.items():
        _res, err = world.fetch(url)
        if err:
            broken.append({"url": url, "where": "homepage" if where == home else where, "detail": err})
    hb = sum(1 for b in broken if b["where"] == "homepage")
    measures = {"checked": len(found), "homepage_broken": hb, "other_broken": len(broken) - hb}
    return measures, sorted(broken, key=lambda b: b["url"]), sorted(found)


# --------------------------------------------------------------------------- dated content


def _col_url(spec: DemoSiteSpec, content: SiteContent, col: Column) -> str:
    return content.base + column_path(spec, col)


def _entries(spec: DemoSiteSpec, content: SiteContent, col: Column, as_of: date,
             limit: int | None) -> list[tuple[str, date | None]]:
    """(url, date) of the list entries a column shows (articles or messages)."""
    out = [(content.base + item_path(spec, col, i, as_of), None if it.age is None else day(as_of, it.age))
           for i, it in enumerate(col.items[:limit])]
    out += [(content.base + message_path(spec, col, i), day(as_of, m.asked)) for i, m in enumerate(col.messages[:limit])]
    return out


def homepage_items(spec: DemoSiteSpec, content: SiteContent, as_of: date, browser: bool) -> list[tuple[str, date | None]]:
    """Items the update rules look at.

    Normal homepage: the entries of its list blocks, distinct by URL (a story in the 头条 block and
    in a list counts once). JavaScript-built blocks only count with a browser.
    Navigation-only homepage: the list entries of every second-level column page, counted once per
    page (the demo's navigation-only site has only article-list columns).
    """
    if spec.nav_only:
        return [e for col in spec.columns for e in _entries(spec, content, col, as_of, None)]
    items: dict[str, date | None] = {}
    for col in spec.columns:
        if col.home and (browser or col.slug != spec.js_column):
            for url, d in _entries(spec, content, col, as_of, col.home):
                items.setdefault(url, d)
    return list(items.items())


def column_facts(spec: DemoSiteSpec, content: SiteContent, as_of: date) -> list[dict]:
    """Every column with its category, latest date and blank/stale state.

    blank: the column page exists but lists nothing (empty list or placeholder text).
    stale: a category with a window, not exempt, not blank, whose latest dated entry is older than
    the window (or has no dated entry at all: undated items count as not updated).
    """
    out = []
    for col in spec.columns:
        dates = [d for _u, d in _entries(spec, content, col, as_of, None) if d is not None]
        latest = max(dates) if dates else None
        window = WINDOWS.get(col.category or "")
        stale = (window is not None and not col.exempt and not col.blank
                 and not _in_window(latest, as_of, window))
        out.append({"name": col.name, "url": _col_url(spec, content, col), "category": col.category,
                    "exempt": col.exempt, "blank": col.blank, "latest": latest.isoformat() if latest else None,
                    "items": len(col.items) + len(col.messages), "stale": stale, "window": window,
                    "date_format": date_fmt_of(spec, col)})
    return out


def _activities(spec: DemoSiteSpec, category: str, as_of: date) -> tuple[bool, int]:
    """(has a column of the category, items dated within the last 365 days)."""
    cols = [c for c in spec.columns if c.category == category]
    n = sum(1 for c in cols for it in c.items if it.age is not None and _in_window(day(as_of, it.age), as_of, YEAR))
    return bool(cols), n


def message_truth(spec: DemoSiteSpec, content: SiteContent, as_of: date) -> tuple[bool, int, list[dict]]:
    """(has consultation column, messages submitted within 365 days, overdue messages).

    wait = (first reply date, or as_of if unanswered) - submission date; overdue when > 90 days.
    Only consultation columns count (信访 / 举报 columns are excluded).
    """
    cols = [c for c in spec.columns if c.category == "consultation"]
    in_year, overdue = 0, []
    for col in cols:
        for i, m in enumerate(col.messages):
            if m.asked > YEAR:
                continue
            in_year += 1
            wait = m.asked - (m.replied if m.replied is not None else 0)
            if wait > REPLY_LIMIT:
                overdue.append({"url": content.base + message_path(spec, col, i), "title": m.title,
                                "asked": day(as_of, m.asked).isoformat(),
                                "replied": None if m.replied is None else day(as_of, m.replied).isoformat(),
                                "wait_days": wait, "column": col.name})
    return bool(cols), in_year, overdue


def guide_truth(spec: DemoSiteSpec, content: SiteContent) -> tuple[dict, list[dict]]:
    """service-guides measures: guides checked, incomplete ones, missing-or-empty elements in total."""
    guides, incomplete = 0, []
    for col in spec.columns:
        for i, g in enumerate(col.guides):
            guides += 1
            gaps = [k for k in KEY_ELEMENTS if k in g.missing or k in g.empty]
            if gaps:
                incomplete.append({"url": content.base + guide_path(spec, col, i), "name": g.name, "missing": gaps,
                                   "empty": [k for k in KEY_ELEMENTS if k in g.empty]})
    missing = sum(len(g["missing"]) for g in incomplete)
    return {"guides_checked": guides, "guides_incomplete": len(incomplete), "missing_elements": missing}, incomplete


def attachment_truth(found: list[str], world: World) -> tuple[dict, list[dict]]:
    """attachments: distinct linked URLs whose path ends in an attachment extension.

    Broken: error status / no connection, an HTML page instead of the file (even with status 200),
    or an empty (0-byte) body.
    """
    rows = []
    for url in found:
        if urlsplit(url).path.rsplit(".", 1)[-1].lower() not in ATTACHMENT_EXTS:
            continue
        res, err = world.fetch(url)
        if err is None and res is not None and res.ctype.startswith("text/html"):
            err = "html-instead-of-file"
        elif err is None and res is not None and not res.body:
            err = "empty"
        rows.append({"url": url, "ok": err is None, "detail": err or ""})
    return {"checked": len(rows), "broken": sum(1 for r in rows if not r["ok"])}, rows


def system_truth(spec: DemoSiteSpec, content: SiteContent, world: World) -> tuple[dict, list[dict]]:
    """online-systems: distinct URLs of links labelled 在线申报/网上申报/在线办理/办事大厅/查询系统."""
    systems = list(spec.home_systems) + [s for c in spec.columns for s in c.systems]
    rows: dict[str, dict] = {}
    for s in systems:
        url = world.targets.resolve(s.target, content.base)
        url = content.base + url if url.startswith("/") else url
        _res, err = world.fetch(url)
        rows.setdefault(url, {"url": url, "label": s.label, "ok": err is None, "detail": err or ""})
    out = list(rows.values())
    return {"checked": len(out), "unreachable": sum(1 for r in out if not r["ok"])}, out


def serious_truth(spec: DemoSiteSpec, content: SiteContent, as_of: date) -> list[dict]:
    """Planted leader-name misspellings (one hit per planted occurrence)."""
    return [{"url": content.base + item_path(spec, col, i, as_of), "text": it.typo[0], "expected": it.typo[1]}
            for col in spec.columns for i, it in enumerate(col.items) if it.typo]


# --------------------------------------------------------------------------- scoring


def _deduction_points(ind: dict[str, dict]) -> dict[str, float]:
    """CHECKLIST.md default points per deduction indicator (tiers are exclusive)."""
    m = {k: v["measures"] for k, v in ind.items()}
    cons, sol, itv = m["consultation"], m["solicitation"], m["interviews"]
    return {
        # 5 points per 1 %, never more than the 100 points of the whole table (the indicator's maximum)
        "homepage-availability": min(100.0, round(m["homepage-availability"]["failure_rate"] * 100 * 5, 2)),
        "link-availability": round(m["link-availability"]["homepage_broken"] * 1
                                   + m["link-availability"]["other_broken"] * 0.1, 2),
        "homepage-updates": 5.0 if m["homepage-updates"]["items_in_window"] < 10 else 0.0,
        "basic-information": float(3 * m["basic-information"]["stale_news_columns"]
                                   + 4 * m["basic-information"]["stale_notice_columns"]
                                   + 5 * m["basic-information"]["stale_personnel_columns"]),
        "consultation": 5.0 if not cons["has_column"] or cons["messages_in_year"] == 0 else 0.0,
        "solicitation": (5.0 if not sol["has_column"] or sol["activities_in_year"] == 0
                         else 3.0 if sol["activities_in_year"] < 6 else 0.0),
        "interviews": 5.0 if itv["activities_in_year"] == 0 else 3.0 if itv["activities_in_year"] < 6 else 0.0,
        "service-guides": float(m["service-guides"]["missing_elements"]),
        "attachments": float(m["attachments"]["broken"]),
        "online-systems": 5.0 * m["online-systems"]["unreachable"],
    }


def verdict(ind: dict[str, dict]) -> dict:
    """Fill statuses/deductions and return the verdict (veto fail > veto review > score)."""
    points = _deduction_points(ind)
    for key, pts in points.items():
        ind[key]["deduction"] = pts
        ind[key].setdefault("status", "fail" if pts else "pass")
    total = round(sum(points.values()), 2)
    vetoes = [k for k in VETOES if ind[k]["status"] == "fail"]
    review = any(ind[k]["status"] == "review" for k in VETOES)
    result = "fail" if vetoes else "review" if review else ("pass" if total <= 40 else "fail")
    return {"vetoes": vetoes, "deduction_total": total, "score": round(100 - total, 2), "result": result}


def _veto(hit: bool, measures: dict) -> dict:
    return {"status": "fail" if hit else "pass", "veto": True, "measures": measures}


def site_truth(spec: DemoSiteSpec, content: SiteContent | None, world: World, as_of: date, url: str) -> dict:
    """The complete expected result of one site."""
    head = {"code": spec.code, "name": spec.name, "level": spec.level, "url": url, "as_of": as_of.isoformat(),
            "problems": spec.problems}
    if content is None:
        return head | down_truth()
    links, broken, found = link_truth(spec, content, world)
    cols = column_facts(spec, content, as_of)
    counted = [c for c in cols if c["stale"]]
    n_cat = {cat: sum(1 for c in counted if c["category"] == cat) for cat in WINDOWS}
    n_blank = sum(1 for c in cols if c["blank"])
    has_msg_col, msgs, overdue = message_truth(spec, content, as_of)
    guides, incomplete = guide_truth(spec, content)
    att, att_rows = attachment_truth(found, world)
    sysm, sys_rows = system_truth(spec, content, world)
    hits = serious_truth(spec, content, as_of)

    def update_measures(browser: bool) -> tuple[int, int]:
        items = homepage_items(spec, content, as_of, browser)
        return len(items), sum(1 for _u, d in items if _in_window(d, as_of, HOMEPAGE_WINDOW))

    n_items, n_win = update_measures(browser=True)
    ind: dict[str, dict] = {
        "site-unreachable": _veto(False, {"attempts": None, "failures": 0, "failure_rate": 0.0, "failures_all": False}),
        "site-not-updated": _veto(n_win == 0, {"homepage_items": n_items, "homepage_items_in_window": n_win,
                                               "navigation_only": spec.nav_only}),
        "columns-not-updated": _veto(
            n_cat["news"] + n_cat["notice"] >= 5 or len(counted) >= 10 or n_blank >= 5,
            {"stale_news_columns": n_cat["news"], "stale_notice_columns": n_cat["notice"],
             "stale_columns": len(counted), "blank_columns": n_blank}),
        "serious-errors": {"status": "review" if hits else "pass", "veto": True, "measures": {"hits": len(hits)}},
        "poor-interaction": _veto(bool(overdue), {"has_channel": has_msg_col, "messages_in_year": msgs,
                                                  "overdue_messages": len(overdue)}),
        "homepage-availability": {"measures": {"failure_rate": 0.0}},
        "link-availability": {"measures": links},
        "homepage-updates": {"measures": {"items_in_window": n_win}},
        "basic-information": {"measures": {"stale_news_columns": n_cat["news"], "stale_notice_columns": n_cat["notice"],
                                           "stale_personnel_columns": n_cat["personnel"]}},
        "consultation": {"measures": {"has_column": has_msg_col, "messages_in_year": msgs}},
        "solicitation": {"measures": dict(zip(("has_column", "activities_in_year"), _activities(spec, "solicitation", as_of)))},
        "interviews": {"measures": dict(zip(("has_column", "activities_in_year"), _activities(spec, "interview", as_of)))},
        "service-guides": {"measures": guides},
        "attachments": {"measures": att},
        "online-systems": {"measures": sysm},
    }
    out = head | {"indicators": ind, "verdict": verdict(ind), "expected": {
        "pages": _crawl(spec, content, world), "broken_links": broken,
        "homepage_items": [{"url": u, "date": d.isoformat() if d else None}
                           for u, d in homepage_items(spec, content, as_of, True)],
        "columns": cols, "stale_columns": [c["url"] for c in counted],
        "blank_columns": [c["url"] for c in cols if c["blank"]],
        "overdue_messages": overdue, "incomplete_guides": incomplete, "attachments": att_rows,
        "broken_attachments": [r["url"] for r in att_rows if not r["ok"]], "online_systems": sys_rows,
        "unreachable_systems": [r["url"] for r in sys_rows if not r["ok"]], "serious_error_hits": hits,
        "yearless_dates": any(date_fmt_of(spec, c) in YEARLESS for c in spec.columns)}}
    if spec.js_column:
        static_items, static_win = update_measures(browser=False)
        out["no_browser"] = {
            "static_measures": {"homepage_items": static_items, "homepage_items_in_window": static_win},
            "status": {"site-not-updated": "review", "homepage-updates": "review"},
            "verdict": {"result": "review"}}
    return out


def down_truth() -> dict:
    """A site whose homepage never answers: only the availability indicators can be measured."""
    ind: dict[str, dict] = {k: {"status": "review", "measures": None, "note": "site unreachable: not measurable"}
                            for k in VETOES + DEDUCTIONS}
    for k in VETOES:
        ind[k]["veto"] = True
    ind["site-unreachable"] = {"status": "fail", "veto": True, "measures": {
        "attempts": None, "failures": None, "failure_rate": 1.0, "failures_all": True}}
    ind["homepage-availability"] = {"status": "fail", "deduction": 100.0, "measures": {"failure_rate": 1.0}}
    return {"indicators": ind, "verdict": {"vetoes": ["site-unreachable"], "deduction_total": None, "score": None,
                                           "result": "fail"}, "expected": {"pages": [], "broken_links": []}}
