"""The two veto readers on page shapes no rule was written on: message boards (poor-interaction,
consultation) and the homepage's dated items (site-not-updated, homepage-updates).

``tests/fixtures/boards_unseen/``: small sites and homepages written by hand after real board and
homepage shapes (书记信箱 tables with 编号 and times, 在线咨询 cards with 提问时间 / 答复时间 lines, Q&A
detail pages with a <dl> or a 来信内容 | 回复内容 table, a 县长信箱 drawn as <ul> rows under a <ul> header
row, 网上信访 and 意见征集 beside it; a 通知公告 marquee and a tab box as the only dated blocks, a big page
clock with a weather forecast, month-day dates without the year, the 14-day boundary). The truth below
was counted by hand from the pages (as of ``AS_OF``) before the readers were run on them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.checks.interaction import interaction_outcomes
from inspector.core.checks.updates import update_outcomes
from inspector.core.extract.site import analyze_site
from inspector.core.model import CrawlResult, Page
from inspector.core.runner import CheckOptions, run_check
from tests.httpfixtures import LoopbackServer

FIXTURES = Path(__file__).parent / "fixtures" / "boards_unseen"
AS_OF = date(2026, 11, 20)
CL = load_checklist()


def _crawl(site: str, host: str) -> CrawlResult:
    """Every file of a fixture site as a crawled page (``dir/index.html`` is ``dir/``)."""
    crawl = CrawlResult(start_url=host + "/", homepage_url=host + "/")
    for path in sorted((FIXTURES / site).rglob("*.html")):
        rel = path.relative_to(FIXTURES / site).as_posix().removesuffix("index.html")
        url = f"{host}/{rel}"
        crawl.pages[url] = Page(url=url, final_url=url, status=200, content_type="text/html", html=path.read_text("utf-8"))
    return crawl


@dataclass
class BoardTruth:
    site: str
    host: str
    messages_in_year: int  # consultation messages submitted in the 365 days before AS_OF
    overdue: int  # of those, waited > 90 days (reply date or AS_OF - submitted)
    extra: dict | None = None  # other measures: indicator -> {measure: value}


BOARDS = [
    # 书记信箱: 编号 | 标题 | 来信时间 | 状态 | 回复时间; times "2026/11/3 14:22:05" and "2026年08月03日";
    # 11/3 -> 11/6 (3 d), 8/15 办理中 (97 d: overdue), 5/1 -> 7/30 (90 d: not), 5/1 -> 7/31 (91 d: overdue),
    # 2025/10/8 out of the year
    BoardTruth("shuji", "http://www.qingchuan.gov.cn", 4, 2),
    # 在线咨询 cards (div.item): 提问时间 / 答复单位 / 答复时间 lines and a status tag;
    # 10/12 -> 10/15, 7/1 待答复 (142 d), 6/3 -> 9/2 (91 d), 6/4 -> 9/2 (90 d)
    BoardTruth("cards", "http://www.pingli.gov.cn", 4, 2),
    # 网民留言: a plain dated list; details: <dl> 留言时间/回复时间 (9/1 -> 9/10), a 来信内容 | 回复内容 table
    # (5/10 -> 8/20: 102 d), a 处理中 letter with 暂无回复 (6/23: 150 d)
    BoardTruth("qa", "http://www.xunyang.gov.cn", 3, 2),
    # 县长信箱 as <ul> rows under a <ul> header row: 10/20 -> 10/28, 7/10 办理中 (133 d), 3/5 -> 3/20;
    # 网上信访 (two letters 办理中 for months) and 意见征集 do not count as consultation
    BoardTruth("mixed", "http://www.ziyang.gov.cn", 3, 1, {"solicitation": {"has_column": True, "activities_in_year": 3}}),
    # 网上咨询: a dated list (and 已回复 / 未回复 filter links); 【办理中】 6/1 (172 d), 【已回复】 10/1, a letter page
    # with "网友 张** 于 2026-05-01 提问" and a signed 回复内容 (8/25: 116 d), a 来信内容 | 回复内容 table signed
    # 7/20 -> 8/3 (14 d), a 留言日期 | 答复日期 table 4/10 -> 7/9 (90 d: not)
    BoardTruth("letters", "http://www.ningshan.gov.cn", 5, 2),
]


def _outcomes(truth: BoardTruth):
    crawl = _crawl(truth.site, truth.host)
    analysis = analyze_site(crawl, CL, AS_OF)
    return interaction_outcomes(crawl, analysis.columns, CL, AS_OF)


@pytest.mark.parametrize("truth", BOARDS, ids=[b.site for b in BOARDS])
def test_unseen_boards_read_as_counted_by_hand(truth: BoardTruth) -> None:
    out = _outcomes(truth)
    got = {
        "poor-interaction": {k: out["poor-interaction"].measures[k] for k in ("has_channel", "messages_in_year", "overdue_messages")},
        "consultation": {"messages_in_year": out["consultation"].measures["messages_in_year"]},
    }
    want = {
        "poor-interaction": {"has_channel": True, "messages_in_year": truth.messages_in_year, "overdue_messages": truth.overdue},
        "consultation": {"messages_in_year": truth.messages_in_year},
    }
    for iid, measures in (truth.extra or {}).items():
        got[iid] = {k: out[iid].measures[k] for k in measures}
        want[iid] = measures
    assert got == want, [f.detail for f in out["poor-interaction"].findings]
    assert out["poor-interaction"].status != "review", out["poor-interaction"].note


@pytest.mark.parametrize(("site", "path", "submitted", "replied", "answered"), [
    # labelled 来信时间 / 答复时间 lines inside the cells of a 来信内容 | 回复内容 table
    ("qa", "wmly/2026/0510/0933.html", date(2026, 5, 10), date(2026, 8, 20), True),
    ("qa", "wmly/2026/0623/0987.html", date(2026, 6, 23), None, False),
    ("qa", "wmly/2026/0901/1021.html", date(2026, 9, 1), date(2026, 9, 10), True),
    # 留言日期 / 答复日期: the other spelling of 留言时间 / 答复时间
    ("letters", "wszx/c/2026041005.html", date(2026, 4, 10), date(2026, 7, 9), True),
    # a reply under a bare 回复 / 答 label, signed on the lines after it: "回复：您好，…" then 单位 and date;
    # 问：… 答：… with the signature inside the answer; a <h3>回复</h3> heading over the reply
    ("replies", "colon.html", date(2026, 10, 1), date(2026, 10, 12), True),
    ("replies", "qa.html", date(2026, 9, 3), date(2026, 9, 8), True),
    ("replies", "qa-open.html", date(2026, 7, 15), None, False),
    ("replies", "heading.html", date(2026, 8, 20), date(2026, 9, 1), True),
])
def test_unseen_letter_pages_read_alone(site: str, path: str, submitted: date, replied: date | None, answered: bool) -> None:
    from inspector.core.extract.messages import board_groups, read_detail

    params = CL.params("poor-interaction")
    page = Page(url=f"http://www.x.gov.cn/{path}", status=200, html=(FIXTURES / site / path).read_text("utf-8"))
    msg = read_detail(page, board_groups(params), params, AS_OF)
    assert msg is not None and (msg.submitted, msg.replied, msg.answered) == (submitted, replied, answered)


HOMEPAGES = [
    # only a 通知公告 marquee (3) and a 政务公开 tab box (2 panes of 2, one hidden) are dated
    ("scroller.html", "http://www.langao.gov.cn", 7, 4, date(2026, 11, 19)),
    # the newest item is 15 days old: outside the window
    ("stale15.html", "http://www.zhenping.gov.cn", 3, 0, date(2026, 11, 5)),
    # the newest item is exactly AS_OF - 14: inside
    ("edge14.html", "http://www.zhenping.gov.cn", 3, 1, date(2026, 11, 6)),
    # 今日 2026年11月20日 星期五, 农历, weather and a 11月20日/21日/22日 forecast are no items; MM-DD news dates
    ("clock.html", "http://www.baihe.gov.cn", 4, 2, date(2026, 11, 19)),
    # MM-DD only: 11-20, 11-18, 11-06 (in), 11-05 (out), 12-28 (-> 2025-12-28)
    ("yearless.html", "http://www.hanyin.gov.cn", 5, 3, date(2026, 11, 20)),
]


def _home(path: str, host: str):
    url = host + "/"
    page = Page(url=url, final_url=url, status=200, content_type="text/html", html=(FIXTURES / "home" / path).read_text("utf-8"))
    crawl = CrawlResult(start_url=url, homepage_url=url, pages={url: page})
    return analyze_site(crawl, CL, AS_OF)


@pytest.mark.parametrize(("path", "host", "items", "in_window", "latest"), HOMEPAGES, ids=[h[0] for h in HOMEPAGES])
def test_unseen_homepages_read_as_counted_by_hand(path: str, host: str, items: int, in_window: int, latest: date) -> None:
    analysis = _home(path, host)
    dated = [i.date for i in analysis.homepage_items if i.date is not None]
    got = (len(analysis.homepage_items), max(dated, default=None), analysis.navigation_only)
    assert got == (items, latest, False), [(i.title, i.raw_date, i.date) for i in analysis.homepage_items]
    out = update_outcomes(analysis, CL, AS_OF)
    assert out["site-not-updated"].measures["homepage_items_in_window"] == in_window
    assert out["homepage-updates"].measures["items_in_window"] == in_window
    assert out["site-not-updated"].measures["homepage_items"] == items


# --------------------------------------------------------------------------- pipeline


def _site_routes(root: Path):
    def route(request):
        rel = request.path.split("?", 1)[0].lstrip("/")
        target = root / rel
        if rel == "" or rel.endswith("/") or target.is_dir():
            target = target / "index.html"
        if not target.resolve().is_relative_to(root.resolve()) or not target.is_file():
            return 404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>"
        return 200, {"Content-Type": "text/html; charset=utf-8"}, target.read_bytes()

    return route


@pytest.mark.slow
@pytest.mark.parametrize("truth", [b for b in BOARDS if b.site in ("qa", "mixed", "letters")], ids=["qa", "mixed", "letters"])
def test_unseen_boards_through_the_pipeline(truth: BoardTruth) -> None:
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)
    with LoopbackServer(_site_routes(FIXTURES / truth.site)) as srv:
        run = asyncio.run(run_check(srv.url("/"), opts))
    got = run.doc["indicators"]["poor-interaction"]["measures"]
    assert (got["messages_in_year"], got["overdue_messages"]) == (truth.messages_in_year, truth.overdue), got
    assert run.doc["indicators"]["consultation"]["measures"]["messages_in_year"] == truth.messages_in_year
    home = run.doc["indicators"]["site-not-updated"]["measures"]
    assert (home["homepage_items"], home["homepage_items_in_window"]) == (2, 2), home


def test_each_letter_of_an_unseen_board_is_read_as_counted_by_hand() -> None:
    """One rule per letter: a status opening the title (【办理中】, 【已回复】), a letter page whose submission has no
    label (the list dates it), a 来信内容 | 回复内容 table dated only by signatures, 留言日期 / 答复日期 labels."""
    from inspector.core.checks.interaction import consultation_columns
    from inspector.core.extract.messages import read_board

    crawl = _crawl("letters", "http://www.ningshan.gov.cn")
    analysis = analyze_site(crawl, CL, AS_OF)
    (column,) = consultation_columns(analysis.columns, CL)
    board = read_board(crawl, column, CL, AS_OF, skip={c.url for c in analysis.columns})
    got = sorted((m.submitted, m.replied, m.answered) for m in board.messages)
    assert got == [
        (date(2026, 4, 10), date(2026, 7, 9), True),
        (date(2026, 5, 1), date(2026, 8, 25), True),
        (date(2026, 6, 1), None, False),
        (date(2026, 7, 20), date(2026, 8, 3), True),
        (date(2026, 10, 1), None, True),
    ], [(m.title, m.submitted, m.replied, m.answered) for m in board.messages]
