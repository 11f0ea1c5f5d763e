"""Extraction on page sets in CMS styles the extractor was not designed on.

Each ``tests/fixtures/cms/<style>/`` directory is a small site written by hand after the
markup shapes of a family of government CMS templates (TRS WCM, Hanweb JCMS, PowerEasy,
Epoint, DedeCMS, hand-made tables, Ucap): list blocks with dates before/after/inside links or in
table cells, hidden tabs, 更多 links, menus, marquees, picture news, calendars, weather
widgets and footers whose dates, years, ICP numbers and phone numbers are not items,
pagination (共N页, ``createPageHTML``, 下一页), articles, message boards and service guides.
Some pages are GBK/GB2312 and declare it only in ``<meta>``.

The truth below is what a careful inspector counts by hand on these pages (as of
``AS_OF``); it is written from the pages, not from the engine. The units are checked on the
files, the whole pipeline on each site served over loopback HTTP.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from inspector.core.web.charset import decode_html
from inspector.core.checklist import load_checklist
from inspector.core.extract.guides import read_guide
from inspector.core.extract.lists import blank_page, detail_date, extract_items, next_page_url
from inspector.core.extract.messages import board_groups, read_detail
from inspector.core.model import Page
from inspector.core.runner import CheckOptions, run_check
from tests.httpfixtures import LoopbackServer, directory

CMS = Path(__file__).parent / "fixtures" / "cms"
AS_OF = date(2026, 11, 20)
WINDOW = AS_OF - timedelta(days=14)
CL = load_checklist()
BASE = "http://127.0.0.1:8000"


def raw_html(style: str, path: str) -> str:
    """A fixture page decoded as the fetcher decodes it (no header charset: the <meta> one)."""
    return decode_html((CMS / style / path).read_bytes(), "text/html")[0]


def url_of(path: str) -> str:
    return f"{BASE}/{path.removesuffix('index.html')}"


# --------------------------------------------------------------------------- truth


@dataclass
class ListTruth:
    """What one list page shows: item count, items dated in the 14-day window, newest date."""

    path: str
    items: int
    in_window: int
    latest: date | None


@dataclass
class SiteTruth:
    """The pipeline measures an inspector would write down for one site."""

    style: str
    measures: dict[str, dict[str, object]] = field(default_factory=dict)


LISTS = [
    # TRS WCM: dates in <span> after / [MM-DD] before the link, hidden tabs, a table with a
    # "2026-2030年" title, marquee + picture news repeating stories, calendar, weather, footer dates
    ListTruth("trs/index.html", 19, 9, date(2026, 11, 19)),
    ListTruth("trs/xwzx/zwyw/index.html", 5, 3, date(2026, 11, 19)),
    ListTruth("trs/zwgk/rsxx/index.html", 2, 0, date(2025, 9, 1)),
    ListTruth("trs/zwgk/ghjh/index.html", 0, 0, None),
    ListTruth("trs/hdjl/szxx/index.html", 4, 1, date(2026, 11, 10)),
    # Hanweb JCMS: table rows with [MM-DD] in a cell, "标题&nbsp;2026/11/06" div runs, a header
    # line with today's date and 农历, footer visitor counter 20261118 and 最后更新; the column
    # page ships its list as <script type="text/xml"> CDATA records
    ListTruth("hanweb/index.html", 7, 4, date(2026, 11, 19)),
    ListTruth("hanweb/col/col1230/index.html", 4, 2, date(2026, 11, 19)),
    # PowerEasy (GBK, meta only): date before the link, 2026/11/12 in a <td>, an undated <br>
    # list, weather forecast dates; column list with 2026年11月1日 cells and a 点击 counter
    ListTruth("powereasy/index.html", 8, 3, date(2026, 11, 19)),
    ListTruth("powereasy/Category_12/Index.aspx", 3, 2, date(2026, 11, 19)),
    # Epoint: dates inside the title link, hidden tab pane with "2026-11-18 16:02:45", a
    # calendar with upcoming events (future dates), header clock, ICP / 公网安备 footer
    ListTruth("epoint/index.html", 5, 3, date(2026, 11, 19)),
    # DedeCMS (GBK): dl/dt/dd boxes, <small> dates, 今天是 header, "更新：… 10:30" footer;
    # list page with 日期：… 点击：… 好评： info lines, intros and thumbnails
    ListTruth("dedecms/index.html", 5, 3, date(2026, 11, 18)),
    ListTruth("dedecms/a/xwdt/index.html", 3, 2, date(2026, 11, 18)),
    # hand-made tables (GB2312 declared, GBK bytes): "·标题（11月18日）<br>" runs, 2026年11月12日
    # cells, a document.write clock, visitor id 2026111800012, 本站最后更新于
    ListTruth("handmade/index.htm", 6, 3, date(2026, 11, 18)),
    # Ucap-style (written for issue #11 after the yichun/wanzai real pages, not used to design the rules):
    # tab panes with MM-DD <span class="time">, a notice in both panes under two URLs (one story), a 网民咨询
    # box of text rows "标题 留言时间：…" without links (two letters alike are two), header clock with 农历
    ListTruth("ucap/index.html", 10, 6, date(2026, 11, 19)),
    # column page: breadcrumb, list, pager (首页 上一页 1 2 下一页 尾页)
    ListTruth("ucap/zwyw/list.shtml", 4, 3, date(2026, 11, 19)),
    # article: breadcrumb, 来源/发布日期 line, signature date; its 关联稿件 box lists one dated story
    ListTruth("ucap/zwyw/202611/a1.shtml", 1, 0, date(2026, 10, 20)),
]

DETAILS = [
    ("trs/xwzx/zwyw/202611/t20261119_1001.html", date(2026, 11, 19)),
    ("trs/zwgk/zcwj/202609/t20260901_5003.html", date(2026, 9, 1)),
    ("dedecms/a/xwdt/2026/1118/231.html", date(2026, 11, 18)),
    ("hanweb/art/2026/10/8/art_1250_501.html", date(2026, 10, 8)),
]

BLANK = ["trs/zwgk/ghjh/index.html"]
NOT_BLANK = ["trs/xwzx/zwyw/index.html", "trs/zwgk/rsxx/index.html"]

NEXT_PAGES = [
    ("trs/xwzx/zwyw/index.html", "trs/xwzx/zwyw/index_1.html"),
    ("trs/xwzx/zwyw/index_1.html", "trs/xwzx/zwyw/index_2.html"),
    ("trs/zwgk/rsxx/index.html", None),  # one page only
    ("powereasy/Category_12/Index.aspx", "powereasy/Category_12/Index_2.aspx"),
    ("powereasy/Category_20/Index.aspx", None),  # 下一页 without a link on the last page
    ("dedecms/a/xwdt/index.html", "dedecms/a/xwdt/list_1_2.html"),
    ("ucap/zwyw/list.shtml", "ucap/zwyw/list_2.shtml"),
]

# path -> (submitted, first reply or None, answered)
MESSAGES = [
    ("trs/hdjl/szxx/202610/t20261012_9001.html", date(2026, 10, 12), date(2026, 10, 20), True),
    ("trs/hdjl/szxx/202606/t20260601_9002.html", date(2026, 6, 1), date(2026, 9, 15), True),
    ("trs/hdjl/szxx/202611/t20261110_9003.html", date(2026, 11, 10), None, False),
    ("hanweb/art/2026/9/2/art_1240_403.html", date(2026, 9, 2), date(2026, 9, 4), True),  # 问：/答： blocks
]

# path -> missing elements
GUIDES = [
    ("trs/bsfw/bszn/202610/t20261008_7001.html", []),
    ("trs/bsfw/bszn/202609/t20260915_7002.html", ["办理时间", "联系电话"]),
    ("hanweb/art/2026/10/8/art_1250_501.html", ["联系电话"]),  # <p><strong>五、办理地点：</strong>…
    ("epoint/bszn/guide1.html", []),  # tab strip over panes; 申请条件 etc. only as tab labels
    ("handmade/bszn/qsxk.htm", ["办理时间", "办理流程"]),  # synonyms; 办公时间 "—"
    ("ucap/bszn/202609/g1.shtml", ["联系电话"]),  # <dl> of dt/dd; 联系电话 "无"
]

SITES = [
    SiteTruth("trs", {
        "site-not-updated": {"homepage_items": 19, "homepage_items_in_window": 9, "navigation_only": False},
        "homepage-updates": {"items_in_window": 9},
        "columns-not-updated": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_columns": 2, "blank_columns": 1},
        "basic-information": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_personnel_columns": 1},
        "poor-interaction": {"has_channel": True, "messages_in_year": 3, "overdue_messages": 1},
        "service-guides": {"guides_checked": 2, "guides_incomplete": 1, "missing_elements": 2},
    }),
    SiteTruth("hanweb", {
        "site-not-updated": {"homepage_items": 7, "homepage_items_in_window": 4, "navigation_only": False},
        "columns-not-updated": {"stale_columns": 0, "blank_columns": 0},
        "poor-interaction": {"has_channel": True, "messages_in_year": 4, "overdue_messages": 1},
        "service-guides": {"guides_checked": 1, "guides_incomplete": 1, "missing_elements": 1},
    }),
    SiteTruth("powereasy", {
        "site-not-updated": {"homepage_items": 8, "homepage_items_in_window": 3, "navigation_only": False},
        "columns-not-updated": {"stale_columns": 0, "blank_columns": 0},
        "poor-interaction": {"has_channel": True, "messages_in_year": 2, "overdue_messages": 1},
    }),
    SiteTruth("ucap", {
        "site-not-updated": {"homepage_items": 10, "homepage_items_in_window": 6, "navigation_only": False},
        "homepage-updates": {"items_in_window": 6},
        # 规划计划 lists nothing (an empty <ul> and 共0条; every page runs a visit-counter $.ajax); pager links are
        # no columns; 政务要闻 (11-19) and 通知公告 (11-17) are fresh
        "columns-not-updated": {"stale_news_columns": 0, "stale_notice_columns": 0, "stale_columns": 0, "blank_columns": 1},
        # 领导信箱: 村道路灯损坏 answered in 4 days, 农贸市场噪音扰民 办理中 since 2026-05-06 (198 days)
        "poor-interaction": {"has_channel": True, "messages_in_year": 2, "overdue_messages": 1},
        "service-guides": {"guides_checked": 1, "guides_incomplete": 1, "missing_elements": 1},
        "serious-errors": {"hits": 0},
    }),
    SiteTruth("handmade", {
        "site-not-updated": {"homepage_items": 6, "homepage_items_in_window": 3, "navigation_only": False},
        "poor-interaction": {"has_channel": True, "messages_in_year": 2, "overdue_messages": 1},
        "service-guides": {"guides_checked": 1, "guides_incomplete": 1, "missing_elements": 2},
    }),
]


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize("truth", LISTS, ids=[t.path for t in LISTS])
def test_list_pages_items_and_window(truth: ListTruth) -> None:
    items = extract_items(raw_html(*truth.path.split("/", 1)), url_of(truth.path.split("/", 1)[1]), AS_OF, CL)
    dated = [i.date for i in items if i.date is not None]
    got = (len(items), sum(1 for d in dated if d >= WINDOW), max(dated, default=None))
    assert got == (truth.items, truth.in_window, truth.latest), [(i.title, i.raw_date) for i in items]


@pytest.mark.parametrize(("path", "expected"), DETAILS, ids=[p for p, _ in DETAILS])
def test_article_publish_dates(path: str, expected: date) -> None:
    style, rel = path.split("/", 1)
    assert detail_date(raw_html(style, rel), url_of(rel), CL, AS_OF) == expected


@pytest.mark.parametrize("path", BLANK + NOT_BLANK)
def test_blank_columns(path: str) -> None:
    style, rel = path.split("/", 1)
    assert blank_page(raw_html(style, rel), CL, AS_OF) is (path in BLANK)


@pytest.mark.parametrize(("path", "expected"), NEXT_PAGES, ids=[p for p, _ in NEXT_PAGES])
def test_next_pages(path: str, expected: str | None) -> None:
    style, rel = path.split("/", 1)
    want = url_of(expected.split("/", 1)[1]) if expected else None
    assert next_page_url(raw_html(style, rel), url_of(rel), CL) == want


@pytest.mark.parametrize(("path", "submitted", "replied", "answered"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_message_detail_pages(path: str, submitted: date, replied: date | None, answered: bool) -> None:
    style, rel = path.split("/", 1)
    params = CL.params("poor-interaction")
    page = Page(url=url_of(rel), status=200, html=raw_html(style, rel))
    msg = read_detail(page, board_groups(params), params, AS_OF)
    assert msg is not None
    assert (msg.submitted, msg.replied, msg.answered) == (submitted, replied, answered)


@pytest.mark.parametrize(("path", "missing"), GUIDES, ids=[g[0] for g in GUIDES])
def test_service_guides(path: str, missing: list[str]) -> None:
    style, rel = path.split("/", 1)
    page = Page(url=url_of(rel), status=200, html=raw_html(style, rel))
    guide = read_guide(page, CL.params("service-guides"))
    assert guide is not None
    assert guide.missing == missing


# --------------------------------------------------------------------------- pipeline


@pytest.mark.slow
@pytest.mark.parametrize("truth", SITES, ids=[s.style for s in SITES])
def test_pipeline_measures_match_the_truth(truth: SiteTruth) -> None:
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)
    with LoopbackServer(directory(CMS / truth.style)) as srv:
        run = asyncio.run(run_check(srv.url("/"), opts))
    diffs = []
    for iid, want in truth.measures.items():
        got = run.doc["indicators"][iid]["measures"]
        for name, value in want.items():
            if got.get(name) != value:
                diffs.append(f"{iid}.{name}: got {got.get(name)!r}, truth {value!r}")
    assert not diffs, diffs


# --------------------------------------------------------------------------- templates no rule was written on

# ``tests/fixtures/cms/unseen/``: single pages written by hand after further template families (EmpireCMS,
# PHPCMS v9, JEECMS, 开普云 / 南威 / 浪潮 集约化 platforms, Bootstrap rows, old ASP tables), counted by hand
# before the readers were run on them. Each is read as a column page (``read_column``, as ``analyze_site``
# reads the columns) or as a homepage (``analyze_site``).

UNSEEN = CMS / "unseen"


@dataclass
class ColumnTruth:
    """One column page: its name and URL, items, items in the 14-day window, newest date, blank."""

    path: str
    url: str
    name: str
    items: int
    in_window: int
    latest: date | None
    blank: bool = False
    category: str | None = None


UNSEEN_COLUMNS = [
    # EmpireCMS: table layout, dates 2026.11.18 before the link, undated 热门点击 sidebar, epages pager
    ColumnTruth("empire_gzdt.html", "http://www.nl.gov.cn/news/gzdt/", "工作动态", 6, 3, date(2026, 11, 18), category="news"),
    # PHPCMS v9: query-string column URL, 2026年11月16日 in <span class="rt"> before "·", an <hr> row, 点击排行
    ColumnTruth("phpcms_tzgg.html", "http://www.lzx.gov.cn/index.php?m=content&c=index&a=lists&catid=12", "通知公告",
                5, 1, date(2026, 11, 16), category="notice"),
    # JEECMS: <time datetime="…">11月19日</time>, one story of last December (12月28日 -> 2025)
    ColumnTruth("jeecms_zwdt.html", "http://www.jy.gov.cn/zwdt/index.jhtml", "政务动态", 5, 2, date(2026, 11, 19), category="news"),
    # 开普云 sub-site: whole card inside the <a>, a summary naming another day (11月3日) before the date field
    ColumnTruth("kaipu_gzdt.html", "http://www.ruian.gov.cn/bm/jtj/bmdt/", "部门动态", 5, 2, date(2026, 11, 18), category="news"),
    # 南威-style 信息公开 table: 索引号 | 信息名称 | 文号 | 成文日期 | 发布日期 in nested layout tables
    ColumnTruth("nanwei_zcwj.html", "http://www.xinluo.gov.cn/zwgk/zcwj/", "政策文件", 5, 2, date(2026, 11, 10), category="notice"),
    # Bootstrap: div.row cells (no ul/li/table), full-width digits ２０２６－１１－１８
    ColumnTruth("rows_bmdt.html", "http://www.karuo.gov.cn/xwdt/bmdt/", "部门动态", 4, 2, date(2026, 11, 18), category="news"),
    # badge "2026-11" over "18日", summaries naming other days
    ColumnTruth("badge_xzdt.html", "http://www.shimen.gov.cn/xwzx/xzdt/", "乡镇动态", 4, 1, date(2026, 11, 18), category="news"),
    # one <dl> per picture story: dt image, dd title, dd "发布时间：2026/11/19　浏览：286"
    ColumnTruth("dl_tpxw.html", "http://www.haiyan.gov.cn/xwzx/tpxw/", "图片新闻", 3, 2, date(2026, 11, 19), category="news"),
    # GBK, charset only in <meta http-equiv> after 3 KB of inline CSS; 镕 喆 堃 outside GB2312
    ColumnTruth("gbk_meta_rsxx.html", "http://www.rucheng.gov.cn/zwgk/rsxx/", "人事信息", 4, 1, date(2026, 11, 17), category="personnel"),
    # GBK with no charset anywhere; dates 2026年8月15日 in cells
    ColumnTruth("nocharset_tzgg.html", "http://www.sangzhi.gov.cn/tzgg/", "通知公告", 4, 1, date(2026, 11, 19), category="notice"),
    # month-day badge with the year apart (11-18 / 2024): stories of 2024 and 2023, not of this year
    ColumnTruth("yearbadge_ghjh.html", "http://www.yuping.gov.cn/zwgk/ghjh/", "规划计划", 3, 0, date(2024, 11, 18), category="personnel"),
    # an archive grouped under 2025年 / 2024年 headings, [12-30] dates without the year
    ColumnTruth("yearheading_gzzj.html", "http://www.tiane.gov.cn/zwgk/gzzj/", "工作总结", 4, 0, date(2025, 12, 30), category="personnel"),
    # 文号 / 成文日期 / 发布日期 spans under each link
    ColumnTruth("inline_zcwj.html", "http://www.tongwei.gov.cn/zwgk/gfxwj/", "规范性文件", 3, 0, date(2026, 5, 12), category="notice"),
    # old ASP: a table per title cell (dot image + link), header 标题 | 点击 | 发布时间, "2026年11月18日 星期三",
    # a click count of 2026
    ColumnTruth("nested_rows_tzgg.html", "http://www.gtnj.gov.cn/news.asp?lb=2", "通知公告", 4, 1, date(2026, 11, 18), category="notice"),
    # 浪潮 集约化 sub-site: <li class="no-data">暂无数据</li> beside a 最新发布 sidebar of other columns
    ColumnTruth("blank_ghjh.html", "http://www.anqiu.gov.cn/zjj/ghjh/", "规划计划", 0, 0, None, blank=True, category="personnel"),
]


def _unseen_column(truth: ColumnTruth):
    from inspector.core.extract.columns import read_column
    from inspector.core.model import CrawlResult

    html = decode_html((UNSEEN / truth.path).read_bytes(), "text/html")[0]
    home = truth.url.split("/", 3)
    home_url = "/".join(home[:3]) + "/"
    page = Page(url=truth.url, final_url=truth.url, status=200, html=html)
    return read_column(truth.name, truth.url, "nav", CrawlResult(start_url=home_url, homepage_url=home_url, pages={truth.url: page}), CL, AS_OF)


@pytest.mark.parametrize("truth", UNSEEN_COLUMNS, ids=[t.path for t in UNSEEN_COLUMNS])
def test_unseen_column_pages_read_as_counted_by_hand(truth: ColumnTruth) -> None:
    col = _unseen_column(truth).column
    dated = [i.date for i in col.items if i.date is not None]
    got = (len(col.items), sum(1 for d in dated if d >= WINDOW), col.latest, col.blank, col.category)
    assert got == (truth.items, truth.in_window, truth.latest, truth.blank, truth.category), [(i.title, i.raw_date) for i in col.items]


def _unseen_home(path: str, host: str):
    from inspector.core.extract.site import analyze_site
    from inspector.core.model import CrawlResult

    page = Page(url=host + "/", final_url=host + "/", status=200, html=(UNSEEN / path).read_text("utf-8"))
    return analyze_site(CrawlResult(start_url=host + "/", homepage_url=host + "/", pages={host + "/": page}), CL, AS_OF)


@pytest.mark.parametrize(("path", "host", "items", "in_window"), [
    # 要闻 carousel repeating the first tab's stories, three tab boxes (one 更多 each or per pane, hidden panes),
    # a 通知公告 marquee with （2026-11-18）, header date with 农历, a visitor counter 20261120
    ("home_portal.html", "http://www.mile.gov.cn", 19, 10),
    # slides with captions and dates, a headline with a summary naming its day, a 公示公告 marquee of <li>
    ("home_slides.html", "http://www.qilian.gov.cn", 6, 4),
])
def test_unseen_homepages_read_as_counted_by_hand(path: str, host: str, items: int, in_window: int) -> None:
    analysis = _unseen_home(path, host)
    dated = [i.date for i in analysis.homepage_items if i.date is not None]
    got = (len(analysis.homepage_items), sum(1 for d in dated if d >= WINDOW), max(dated, default=None), analysis.navigation_only)
    assert got == (items, in_window, date(2026, 11, 19), False), [(i.title, i.raw_date) for i in analysis.homepage_items]


def test_a_table_with_written_and_publish_date_columns_dates_rows_by_the_publish_date() -> None:
    # 成文日期 comes first in the row; the checklist ranks 发布日期 before it (columns.date_labels)
    items = extract_items(decode_html((UNSEEN / "nanwei_zcwj.html").read_bytes(), "text/html")[0],
                          "http://www.xinluo.gov.cn/zwgk/zcwj/", AS_OF, CL)
    assert [i.date for i in items] == [date(2026, 11, 10), date(2026, 11, 6), date(2026, 10, 15), date(2026, 9, 5), date(2026, 6, 28)]


def test_a_month_day_badge_takes_the_year_printed_beside_it() -> None:
    items = extract_items((UNSEEN / "yearbadge_ghjh.html").read_text("utf-8"), "http://www.yuping.gov.cn/zwgk/ghjh/", AS_OF, CL)
    assert [i.date for i in items] == [date(2024, 11, 18), date(2024, 3, 2), date(2023, 12, 20)]


def test_yearless_dates_under_a_year_heading_are_in_that_year() -> None:
    items = extract_items((UNSEEN / "yearheading_gzzj.html").read_text("utf-8"), "http://www.tiane.gov.cn/zwgk/gzzj/", AS_OF, CL)
    assert [i.date for i in items] == [date(2025, 12, 30), date(2025, 7, 10), date(2024, 12, 27), date(2024, 7, 8)]


def test_a_column_list_in_several_blocks_of_its_own_stories_keeps_every_block() -> None:
    col = _unseen_column(next(t for t in UNSEEN_COLUMNS if t.path == "yearheading_gzzj.html")).column
    assert [i.title for i in col.items] == ["天峨县人民政府2025年工作总结", "天峨县2025年上半年工作总结",
                                            "天峨县人民政府2024年工作总结", "天峨县2024年上半年工作总结"]


def test_a_date_with_its_weekday_under_a_date_header_dates_the_row() -> None:
    items = extract_items((UNSEEN / "nested_rows_tzgg.html").read_text("utf-8"), "http://www.gtnj.gov.cn/news.asp?lb=2", AS_OF, CL)
    assert [(i.title, i.date) for i in items] == [
        ("关于做好2026年冬季取暖安全工作的通知", date(2026, 11, 18)),
        ("关于开展农机安全生产大检查的通知", date(2026, 11, 4)),
        ("关于国庆节放假安排的通知", date(2026, 9, 28)),
        ("关于公布2026年度农机购置补贴额一览表的公告", date(2026, 5, 20)),
    ]


def test_a_page_clock_with_its_weekday_dates_nothing() -> None:
    # the weekday is accepted only under a date label: a header clock beside a link is no item
    html = """<html><body><ul class="top"><li>2026年11月20日 星期五 <a href="/m/">手机版网站入口</a></li></ul>
<ul class="top2"><li>2026年11月19日 星期四 <a href="/wza/">无障碍浏览入口</a></li><li>2026年11月18日 星期三 <a href="/en/">英文版网站入口</a></li></ul></body></html>"""
    assert extract_items(html, "http://www.x.gov.cn/", AS_OF, CL) == []


def test_a_tab_strip_list_beside_its_more_link_names_each_pane() -> None:
    # <div class="tab-hd"><ul><li>政策文件</li><li>政策解读</li></ul></div>: each pane's 更多 is its own column
    analysis = _unseen_home("home_portal.html", "http://www.mile.gov.cn")
    named = {c.url.rsplit("/", 2)[-2]: (c.name, c.category) for c in analysis.columns if c.source == "more"}
    assert named == {"mlyw": ("弥勒要闻", "news"), "zcwj": ("政策文件", "notice"), "zcjd": ("政策解读", None)}


def _iframe_column_crawl(list_html: str | None = None):
    from inspector.core.model import CrawlResult

    host = "http://www.hejing.gov.cn"
    url, frame = f"{host}/xwzx/gzdt/", f"{host}/xwzx/gzdt/iframe_gzdt_list.html"
    pages = {
        url: Page(url=url, final_url=url, status=200, html=(UNSEEN / "iframe_gzdt.html").read_text("utf-8")),
        frame: Page(url=frame, final_url=frame, status=200, html=list_html or (UNSEEN / "iframe_gzdt_list.html").read_text("utf-8")),
    }
    return url, CrawlResult(start_url=f"{host}/", homepage_url=f"{host}/", pages=pages)


def test_a_column_page_showing_its_list_in_an_iframe_reads_the_frames_list() -> None:
    from inspector.core.extract.columns import read_column

    url, crawl = _iframe_column_crawl()
    col = read_column("工作动态", url, "nav", crawl, CL, AS_OF).column
    assert (len(col.items), col.latest, col.blank) == (3, date(2026, 11, 17), False)
    # the frame's placeholder makes the column blank
    url, crawl = _iframe_column_crawl("<html><body><ul class='list'></ul><p>暂无信息</p></body></html>")
    got = read_column("工作动态", url, "nav", crawl, CL, AS_OF)
    assert (got.column.items, got.column.blank, got.blank_reason) == ([], True, "暂无信息")


def test_an_iframe_column_through_the_pipeline_is_fresh() -> None:
    home = """<html><head><meta charset="utf-8"><title>和静县人民政府</title></head><body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xwzx/gzdt/">工作动态</a></li><li><a href="/zwgk/">政务公开</a></li></ul>
<ul class="news"><li><a href="/xwzx/gzdt/202611/t20261117_3321.html">和静县召开冬季供暖保障工作会</a><span>2026-11-17</span></li>
<li><a href="/xwzx/gzdt/202611/t20261102_3290.html">县人大常委会开展执法检查</a><span>2026-11-02</span></li></ul></body></html>"""
    routes = {
        "/": (200, {"Content-Type": "text/html; charset=utf-8"}, home.encode()),
        "/xwzx/gzdt/": (200, {"Content-Type": "text/html"}, (UNSEEN / "iframe_gzdt.html").read_bytes()),
        "/xwzx/gzdt/iframe_gzdt_list.html": (200, {"Content-Type": "text/html"}, (UNSEEN / "iframe_gzdt_list.html").read_bytes()),
    }
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)
    with LoopbackServer(routes) as srv:
        run = asyncio.run(run_check(srv.url("/"), opts))
    got = run.doc["indicators"]["columns-not-updated"]["measures"]
    assert (got["stale_news_columns"], got["blank_columns"]) == (0, 0), got
