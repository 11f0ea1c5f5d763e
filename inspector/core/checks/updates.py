"""The four update indicators: site-not-updated, columns-not-updated, homepage-updates, basic-information.

Pure functions of a :class:`SiteAnalysis`; every window comes from the checklist
(indicator ``params.window_days`` for homepage rules, category ``window_days`` for
columns). Windows are inclusive: an item dated exactly ``as_of - window`` is in.
A column is *stale* when it is readable, not exempt, not blank, its category has a
window, and its latest dated item is older than the window (or it has none).
Blank columns count as blank, never as stale. ``Outcome.status`` stays ``None``
(the scoring engine derives it) except ``review`` when the homepage list is built
by JavaScript and was not rendered by a browser.
"""

from __future__ import annotations

from datetime import date, timedelta

from inspector.core.checklist import Checklist
from inspector.core.checks.base import Facts, family
from inspector.core.extract.site import SiteAnalysis
from inspector.core import texts
from inspector.core.model import Column, CrawlResult, Finding, Item, Outcome, Status

SCRIPT_NOTE = texts.SCRIPT_NOTE
MONTH_NOTE = texts.MONTH_NOTE
SITE_NOT_UPDATED = "site-not-updated"
COLUMNS_NOT_UPDATED = "columns-not-updated"
HOMEPAGE_UPDATES = "homepage-updates"
BASIC_INFORMATION = "basic-information"


@family(SITE_NOT_UPDATED, COLUMNS_NOT_UPDATED, HOMEPAGE_UPDATES, BASIC_INFORMATION)
def check_updates(facts: Facts) -> dict[str, Outcome]:
    """The update indicators of the site analysis. A homepage that is still a client-side redirect
    stub (its target unreadable, or a loop) leaves the homepage rules to the inspector: the page we
    ended on only sends the browser elsewhere, its emptiness proves nothing."""
    out = update_outcomes(facts.analysis, facts.checklist, facts.as_of)
    stub = _redirect_stub(facts.crawl)
    if stub:
        for iid in (SITE_NOT_UPDATED, HOMEPAGE_UPDATES):
            if iid in out:  # (the checklist may have either alone)
                out[iid].status = Status.REVIEW
                out[iid].note = stub
    return out


def _redirect_stub(crawl: CrawlResult) -> str | None:
    """Why the homepage is still a client-side redirect stub, if it is."""
    home = crawl.page(crawl.homepage_url or crawl.start_url)
    target = next((link.url for link in home.links if link.tag == "refresh"), None) if home is not None else None
    return texts.redirect_only(target) if target is not None else None


def in_window(d: date | None, as_of: date, window_days: int) -> bool:
    """Is ``d`` within ``window_days`` before ``as_of`` (boundary inclusive)?"""
    return d is not None and d >= as_of - timedelta(days=window_days)


def _items_in_window(items: list[Item], as_of: date, window_days: int) -> int:
    return sum(1 for i in items if in_window(i.date, as_of, window_days))


def is_stale(column: Column, checklist: Checklist, as_of: date) -> bool:
    """Should this column have been updated within its category window and was it not?"""
    window = checklist.window(column.category) if column.category else None
    if window is None or column.exempt or column.blank or column.error:
        return False
    return not in_window(column.latest, as_of, window)


def _stale_detail(column: Column, as_of: date) -> str:
    if column.latest is None:
        return texts.no_dated_item(column.name)
    return texts.stale_column(column.name, column.latest, (as_of - column.latest).days)


def _latest_detail(items: list[Item], as_of: date, in_win: int) -> str:
    dated = [i.date for i in items if i.date is not None]
    if not dated:
        return texts.homepage_items_none_dated(len(items))
    latest = max(dated)
    return texts.homepage_items_latest(in_win, len(items), latest, (as_of - latest).days)


def _review(outcome: Outcome, analysis: SiteAnalysis) -> Outcome:
    if analysis.script_rendered_suspect and analysis.homepage_source != "browser":
        outcome.status = "review"
        outcome.note = SCRIPT_NOTE
    elif any(i.raw_date.startswith("URL ") and len(i.raw_date) == 11 for i in analysis.homepage_items):
        outcome.status = "review"  # month precision cannot decide a 14-day window
        outcome.note = MONTH_NOTE
    return outcome


def _homepage_outcome(analysis: SiteAnalysis, as_of: date, window: int, measures: dict) -> Outcome:
    in_win = _items_in_window(analysis.homepage_items, as_of, window)
    where = texts.SECOND_LEVEL if analysis.navigation_only else texts.HOMEPAGE
    finding = Finding(url=analysis.homepage_url, where=where, detail=_latest_detail(analysis.homepage_items, as_of, in_win))
    if analysis.error:
        return Outcome(measures={k: None for k in measures},
                       findings=[Finding(analysis.homepage_url, texts.HOMEPAGE, texts.fetch_error(analysis.error))],
                       status="review", note=texts.homepage_unreadable(analysis.error))
    return _review(Outcome(measures=measures, findings=[finding]), analysis)


def site_not_updated(analysis: SiteAnalysis, checklist: Checklist, as_of: date) -> Outcome:
    window = int(checklist.params(SITE_NOT_UPDATED)["window_days"])
    items = analysis.homepage_items
    measures = {
        "homepage_items": len(items),
        "homepage_items_in_window": _items_in_window(items, as_of, window),
        "navigation_only": analysis.navigation_only,
    }
    return _homepage_outcome(analysis, as_of, window, measures)


def homepage_updates(analysis: SiteAnalysis, checklist: Checklist, as_of: date) -> Outcome:
    window = int(checklist.params(HOMEPAGE_UPDATES)["window_days"])
    measures = {"items_in_window": _items_in_window(analysis.homepage_items, as_of, window)}
    return _homepage_outcome(analysis, as_of, window, measures)


def _stale_by_category(analysis: SiteAnalysis, checklist: Checklist, as_of: date) -> dict[str, list[Column]]:
    out: dict[str, list[Column]] = {cat: [] for cat, c in checklist.categories.items() if c.window_days is not None}
    for column in analysis.columns:
        if is_stale(column, checklist, as_of):
            out[column.category or ""].append(column)
    return out


def _unread(analysis: SiteAnalysis, checklist: Checklist, categories: tuple[str, ...] | None = None) -> list[Column]:
    """Columns that should update but whose page could not be read: they cannot silently pass."""
    return [
        c for c in analysis.columns
        if c.error and not c.exempt and c.category and checklist.window(c.category) is not None
        and (categories is None or c.category in categories)
    ]


def _unread_review(outcome: Outcome, unread: list[Column], already_failing: bool = False) -> Outcome:
    """Unreadable columns could change the result: the inspector decides (unless it fails anyway)."""
    if unread and outcome.status is None and not already_failing:
        outcome.status = "review"
        outcome.note = texts.columns_unread(len(unread), unread[0].name, unread[0].error)
        outcome.findings += [Finding(url=c.url, where=c.name, detail=texts.not_read(c.error)) for c in unread]
    return outcome


def _column_findings(columns: list[Column], as_of: date) -> list[Finding]:
    return [Finding(url=c.url, where=c.name, detail=_stale_detail(c, as_of)) for c in columns]


def columns_not_updated(analysis: SiteAnalysis, checklist: Checklist, as_of: date) -> Outcome:
    stale = _stale_by_category(analysis, checklist, as_of)
    blank = [c for c in analysis.columns if c.blank and not c.error]
    every_stale = [c for cols in stale.values() for c in cols]
    measures = {
        "stale_news_columns": len(stale.get("news", [])),
        "stale_notice_columns": len(stale.get("notice", [])),
        "stale_columns": len(every_stale),
        "blank_columns": len(blank),
    }
    findings = _column_findings(every_stale, as_of) + [
        Finding(url=c.url, where=c.name, detail=texts.blank_column(analysis.blank_reasons.get(c.url))) for c in blank
    ]
    if analysis.error:
        return Outcome(measures={k: None for k in measures}, status="review", note=texts.homepage_unreadable(analysis.error))
    vetoed = bool(checklist.indicators[COLUMNS_NOT_UPDATED].vetoed(measures))
    return _unread_review(Outcome(measures=measures, findings=findings), _unread(analysis, checklist), vetoed)


def basic_information(analysis: SiteAnalysis, checklist: Checklist, as_of: date) -> Outcome:
    stale = _stale_by_category(analysis, checklist, as_of)
    picked = {cat: stale.get(cat, []) for cat in ("news", "notice", "personnel")}
    measures = {f"stale_{cat}_columns": len(cols) for cat, cols in picked.items()}
    if analysis.error:
        return Outcome(measures={k: None for k in measures}, status="review", note=texts.homepage_unreadable(analysis.error))
    outcome = Outcome(measures=measures, findings=_column_findings([c for cols in picked.values() for c in cols], as_of))
    return _unread_review(outcome, _unread(analysis, checklist, ("news", "notice", "personnel")))


def update_outcomes(analysis: SiteAnalysis, checklist: Checklist, as_of: date) -> dict[str, Outcome]:
    """Outcomes of site-not-updated, columns-not-updated, homepage-updates and basic-information."""
    parts = {SITE_NOT_UPDATED: site_not_updated, COLUMNS_NOT_UPDATED: columns_not_updated,
             HOMEPAGE_UPDATES: homepage_updates, BASIC_INFORMATION: basic_information}
    return {iid: part(analysis, checklist, as_of) for iid, part in parts.items() if iid in checklist.indicators}
