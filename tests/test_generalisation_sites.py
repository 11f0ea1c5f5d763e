"""Whole small sites in shapes no earlier test had: how a site's columns are found and judged.

Each ``tests/fixtures/sites_unseen/<site>/`` is a small site written by hand (served over loopback, checked end to
end by ``run_check`` as of ``AS_OF``). The truth below was counted by hand from the pages and CHECKLIST.md before
the engine was run on them: which pages are the site's columns, their category, and which are stale (news 14 days,
notice 180 days, personnel 365 days, boundaries inclusive) or blank.

- ``jtj``: a department sub-site under ``/bm/jtj/`` of a shared platform; its header also links the platform's other
  departments' columns (a stale 工作动态, a blank 通知公告 …): those are not its columns.
- ``mega``: a two-level mega-menu (一级栏目 with their 二级栏目 in hidden ``<div>``s); the 一级 pages are column indexes
  (sub-column boxes, each with 更多); 规划计划 lists only its sub-columns' names (发展规划 / 年度计划 / 工作总结), whose
  lists are current: it is neither blank nor stale.
- ``pager``: 工作动态 whose first page is 16+ days old and whose page 2 is older (stale); items exactly on the 14-,
  180- and 365-day boundaries (in the window) and one a day before the 14-day one (stale).
- ``xxgk``: a 信息公开 目录: the column page is a tree of categories beside the latest records; the categories
  (人事信息 stale, 规划计划 blank, 政策文件 / 规范性文件 / 通知公告 current) are the site's columns.
- ``titles``: homepage boxes whose title is a link to the column and that have no 更多 (通知公告, 部门动态 stale,
  县长信箱 with a 我要写信 button); a headline whose title links to its article and a box titled by a link to a form
  are no columns.
- ``archive``: 通知公告 beside a menu of its own past years (2025年 / 2024年 / 2023年, pages below its directory):
  archives of the column's list, not sub-columns (they would read as stale 通知公告 columns).
- ``gate``: a navigation-only homepage (an entrance page) with a mega-menu; 公示公告 lists only its sub-columns
  (招标公示 current, 征地公示 blank, 其他 a dead link).
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.extract.columns import read_column
from inspector.core.extract.lists import extract_blocks
from inspector.core.model import CrawlResult, Page
from inspector.core.runner import CheckOptions, run_check
from tests.httpfixtures import LoopbackServer, directory

SITES = Path(__file__).parent / "fixtures" / "sites_unseen"
AS_OF = date(2026, 11, 20)
CL = load_checklist()

# site -> (start path, {column path: (category, state)}, paths that are no columns of the site, measures)
# state: "fresh" | "stale" | "blank" | "index" (a column index or unscored page: neither stale nor blank)
TRUTH: dict[str, tuple[str, dict[str, tuple[str | None, str]], list[str], dict[str, dict[str, object]]]] = {
    "jtj": ("/bm/jtj/", {
        "/bm/jtj/bmdt/": ("news", "fresh"),          # 2026-11-18
        "/bm/jtj/tzgg/": ("notice", "stale"),        # 2026-04-20 (window from 2026-05-24)
        "/bm/jtj/zcwj/": ("notice", "stale"),        # 2025-12-15
        "/bm/jtj/rsxx/": ("personnel", "fresh"),     # 2026-06-01
    }, ["/bm/fgw/gzdt/", "/bm/fgw/rsxx/", "/bm/jyj/tzgg/", "/bm/wjw/gzdt/", "/zwgk/", "/hdjl/", "/"], {
        "columns-not-updated": {"stale_news_columns": 0, "stale_notice_columns": 2, "stale_columns": 2, "blank_columns": 0},
        "basic-information": {"stale_news_columns": 0, "stale_notice_columns": 2, "stale_personnel_columns": 0},
    }),
    "mega": ("/", {
        "/xwzx/": ("news", "index"),                 # 新闻中心: boxes of its sub-columns (11-19)
        "/xwzx/zwyw/": ("news", "fresh"),
        "/xwzx/bmdt/": ("news", "blank"),            # 暂无信息
        "/xwzx/xzdt/": ("news", "stale"),            # 2026-10-20
        "/zwgk/": (None, "index"),
        "/zwgk/tzgg/": ("notice", "fresh"),          # 2026-09-10
        "/zwgk/rsxx/": ("personnel", "stale"),       # 2025-06-01
        "/zwgk/ghjh/": ("personnel", "fresh"),       # only its sub-columns' names; they list 2026-03-01 … 2026-01-15
    }, [], {
        "columns-not-updated": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_columns": 2, "blank_columns": 1},
        "basic-information": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_personnel_columns": 1},
    }),
    "pager": ("/", {
        "/gzdt/": ("news", "stale"),                 # page 1: 11-04 … 10-28; page 2: 10-20, 10-10
        "/bmdt/": ("news", "stale"),                 # 2026-11-05: one day before the window
        "/tpxw/": ("news", "fresh"),                 # 2026-11-06: exactly as_of - 14
        "/tzgg/": ("notice", "stale"),               # 2026-05-20; page 2 2026-03-01
        "/gsgg/": ("notice", "fresh"),               # 2026-05-24: exactly as_of - 180
        "/rsrm/": ("personnel", "fresh"),            # 2025-11-20: exactly as_of - 365
    }, ["/gzdt/index_1.html", "/tzgg/index_1.html"], {
        "columns-not-updated": {"stale_news_columns": 2, "stale_notice_columns": 1, "stale_columns": 3, "blank_columns": 0},
        "basic-information": {"stale_news_columns": 2, "stale_notice_columns": 1, "stale_personnel_columns": 0},
        "site-not-updated": {"homepage_items": 3, "homepage_items_in_window": 2, "navigation_only": False},
    }),
    "xxgk": ("/", {
        "/xwdt/": ("news", "fresh"),
        "/xxgk/": (None, "index"),
        "/xxgk/jgzn/": (None, "index"),
        "/xxgk/zcwj/": ("notice", "fresh"),          # 2026-09-01
        "/xxgk/zcwj/gfxwj/": ("notice", "fresh"),
        "/xxgk/tzgg/": ("notice", "fresh"),
        "/xxgk/rsxx/": ("personnel", "stale"),       # 2025-03-01
        "/xxgk/ghjh/": ("personnel", "blank"),       # header-only table and 暂无信息
    }, [], {
        "columns-not-updated": {"stale_news_columns": 0, "stale_notice_columns": 0, "stale_columns": 1, "blank_columns": 1},
        "basic-information": {"stale_news_columns": 0, "stale_notice_columns": 0, "stale_personnel_columns": 1},
    }),
    "titles": ("/", {
        "/xwzx/": ("news", "fresh"),
        "/tzgg/": ("notice", "fresh"),               # only through its box's title link
        "/bmdt/": ("news", "stale"),                 # only through its box's title link; 2026-10-01
        "/hdjl/ldxx/": ("consultation", "index"),    # title link beside a 我要写信 button
    }, ["/hdjl/ldxx/write.html", "/xwzx/show.php?id=88", "/bsfw/sqb.html"], {
        "columns-not-updated": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_columns": 1, "blank_columns": 0},
        "basic-information": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_personnel_columns": 0},
        "site-not-updated": {"homepage_items": 8, "homepage_items_in_window": 5, "navigation_only": False},
    }),
    "gate": ("/", {
        "/xwzx/": ("news", "index"),
        "/xwzx/bdyw/": ("news", "fresh"),            # 2026-11-16
        "/xwzx/qxdt/": ("news", "stale"),            # 2026-10-01
        "/zwgk/": (None, "index"),
        "/zwgk/zcwj/": ("notice", "stale"),          # 2025-10-01
        "/zwgk/rsrm/": ("personnel", "blank"),       # 暂无内容
        "/zwgk/gsgg/": ("notice", "fresh"),          # only its sub-columns' names; 招标公示 2026-08-01
        "/zwgk/gsgg/zbgs/": ("notice", "fresh"),
        "/zwgk/gsgg/zdgs/": ("notice", "blank"),
    }, [], {
        "columns-not-updated": {"stale_news_columns": 1, "stale_notice_columns": 1, "stale_columns": 2, "blank_columns": 2},
        "basic-information": {"stale_news_columns": 1, "stale_notice_columns": 1, "stale_personnel_columns": 0},
        # navigation-only: the second-level columns' stories, each once (bdyw 2, qxdt 2, zcwj 2, zbgs 1)
        "site-not-updated": {"homepage_items": 7, "homepage_items_in_window": 2, "navigation_only": True},
    }),
    "archive": ("/", {
        "/tzgg/": ("notice", "fresh"),
        "/gzdt/": ("news", "fresh"),
    }, ["/tzgg/2025/", "/tzgg/2024/", "/tzgg/2023/"], {
        "columns-not-updated": {"stale_news_columns": 0, "stale_notice_columns": 0, "stale_columns": 0, "blank_columns": 0},
    }),
}


_RUNS: dict[str, dict] = {}


def _check(site: str) -> tuple[dict, str]:
    """The check document of ``site`` (run once per test session) and the server's base URL."""
    if site not in _RUNS:
        opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)
        with LoopbackServer(directory(SITES / site)) as srv:
            run = asyncio.run(run_check(srv.url(TRUTH[site][0]), opts))
            _RUNS[site] = {"doc": run.doc, "base": srv.url("/").rstrip("/")}
    return _RUNS[site]["doc"], _RUNS[site]["base"]


def _state(column: dict) -> str:
    if column.get("error"):
        return "error"
    if column.get("blank"):
        return "blank"
    window = CL.window(column["category"]) if column.get("category") else None
    if window is None or column.get("exempt"):
        return "index"
    latest = date.fromisoformat(column["latest"]) if column.get("latest") else None
    return "fresh" if latest is not None and (AS_OF - latest).days <= window else "stale"


@pytest.mark.parametrize("site", list(TRUTH))
def test_the_sites_columns_are_found_and_judged_as_counted_by_hand(site: str) -> None:
    doc, base = _check(site)
    _, columns, not_columns, measures = TRUTH[site]
    got = {c["url"].removeprefix(base): c for c in doc["columns"]}
    seen = {path: (got[path]["category"], _state(got[path])) for path in columns if path in got}
    missing = sorted(set(columns) - set(got))
    # a column index (or an unscored page) must read neither stale nor blank; its category is as counted
    wrong = {p: (seen[p], columns[p]) for p in seen if seen[p] != columns[p]
             and not (columns[p][1] == "index" and seen[p] == (columns[p][0], "fresh"))}
    extra = sorted(p for p in got if p in not_columns or not p.startswith(TRUTH[site][0]))
    diffs = [f"{iid}.{k}: got {doc['indicators'][iid]['measures'].get(k)!r}, truth {v!r}"
             for iid, want in measures.items() for k, v in want.items() if doc["indicators"][iid]["measures"].get(k) != v]
    assert not (missing or wrong or extra or diffs), {"missing": missing, "wrong": wrong, "not columns": extra, "measures": diffs}


# --------------------------------------------------------------------------- the rules, on the pages


def _page(site: str, path: str, base: str = "http://www.example.gov.cn") -> Page:
    file = SITES / site / path.lstrip("/")
    file = file / "index.html" if path.endswith("/") else file
    return Page(url=base + path, final_url=base + path, status=200, html=file.read_text("utf-8"))


def test_a_box_title_that_is_a_link_is_offered_as_the_boxs_column_and_a_button_beside_it_is_not() -> None:
    blocks = extract_blocks(_page("titles", "/"), "http://www.example.gov.cn/", AS_OF, CL)
    assert [b.title_link for b in blocks] == [
        ("汉寿要闻", "http://www.example.gov.cn/xwzx/"),
        ("通知公告", "http://www.example.gov.cn/tzgg/"),
        ("部门动态", "http://www.example.gov.cn/bmdt/"),
        ("县长信箱", "http://www.example.gov.cn/hdjl/ldxx/"),  # not 我要写信
    ]


def test_a_column_page_listing_only_its_sub_columns_is_as_current_as_their_lists() -> None:
    base = "http://www.example.gov.cn"
    paths = ["/", "/zwgk/ghjh/", "/zwgk/ghjh/fzgh/", "/zwgk/ghjh/ndjh/", "/zwgk/ghjh/gzzj/"]
    crawl = CrawlResult(start_url=base + "/", homepage_url=base + "/", pages={base + p: _page("mega", p) for p in paths})
    read = read_column("规划计划", base + "/zwgk/ghjh/", "nav", crawl, CL, AS_OF)
    assert (read.column.latest, read.column.blank, len(read.column.items)) == (date(2026, 3, 1), False, 3)


def test_a_title_link_to_an_article_or_a_form_over_a_list_is_no_column() -> None:
    from inspector.core.extract.site import analyze_site

    base = "http://www.example.gov.cn"
    rows = lambda d, n: "".join(  # noqa: E731
        f'<li><a href="/{d}/202611/t202611{k:02d}_{k}.html">第{k}条{n}标题文字</a><span>2026-11-{k:02d}</span></li>' for k in (18, 12))
    home = f"""<html><body>
    <div class="focus"><h2><a href="/xwzx/show.php?id=88">人代会胜利闭幕</a></h2><ul>{rows("xwzx", "要闻")}</ul></div>
    <div class="board"><h3><a href="/hdjl/write.html">我要写信</a></h3><ul>{rows("hdjl", "来信")}</ul></div>
    <div class="box"><h3><a href="/tzgg/">通知公告</a></h3><ul>{rows("tzgg", "公告")}</ul></div>
    </body></html>"""
    article = '<html><body><h1>人代会胜利闭幕</h1><p>发布时间：2026-11-19</p><p>正文……</p></body></html>'
    form = '<html><body><form><input name="title"><textarea name="c"></textarea></form></body></html>'
    column = f'<html><head><title>通知公告</title></head><body><ul>{rows("tzgg", "公告")}</ul></body></html>'
    pages = {"/": home, "/xwzx/show.php?id=88": article, "/hdjl/write.html": form, "/tzgg/": column}
    crawl = CrawlResult(start_url=base + "/", homepage_url=base + "/",
                        pages={base + p: Page(url=base + p, final_url=base + p, status=200, html=h) for p, h in pages.items()})
    analysis = analyze_site(crawl, CL, AS_OF)
    assert [(c.name, c.url.removeprefix(base)) for c in analysis.columns] == [("通知公告", "/tzgg/")]
