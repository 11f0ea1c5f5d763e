"""poor-interaction, consultation, solicitation and interviews from boards and columns."""

from __future__ import annotations

from datetime import date

from inspector.core.checklist import load_checklist
from inspector.core.scoring import prefill
from inspector.core.checks.interaction import interaction_outcomes
from inspector.core.model import Column, CrawlResult, Item
from tests.test_messages import AS_OF, HOST, add_page, list_board, table_board

CENSUS = load_checklist("census-2015")


def _merged() -> tuple[CrawlResult, list[Column]]:
    crawl, table_col = table_board()
    other, list_col = list_board()
    crawl.pages.update(other.pages)
    return crawl, [table_col, list_col, Column("网上信访", HOST + "/xf/index.html", "excluded")]


def test_overdue_late_and_unanswered_messages_in_the_year() -> None:
    crawl, columns = _merged()
    out = interaction_outcomes(crawl, columns, CENSUS, AS_OF)
    poor = out["poor-interaction"]
    # table board: 4 messages in the year (2025-09-01 is older than 365 days); list board: 4
    assert poor.measures == {"has_channel": True, "messages_in_year": 8, "overdue_messages": 4}
    assert poor.status is None
    details = sorted(f.detail for f in poor.findings)
    assert details == [
        "留言 2026-03-02，答复 2026-06-30（等待 120 天）",
        "留言 2026-04-10，答复 2026-08-08（等待 120 天），答复单位 某某镇人民政府",
        "留言 2026-06-20，至今未答复 153 天",
        "留言 2026-07-01，至今未答复 142 天",
    ]
    assert all(f.url.startswith(HOST) and "/xf/" not in f.url for f in poor.findings)
    assert prefill(CENSUS.indicators["poor-interaction"], poor)["status"] == "fail"
    consultation = out["consultation"]
    assert consultation.measures == {"has_column": True, "messages_in_year": 8}
    assert prefill(CENSUS.indicators["consultation"], consultation)["deduction"] == 0.0


def test_excluded_column_never_counts_as_consultation() -> None:
    crawl, columns = _merged()
    only_xf = [c for c in columns if c.category == "excluded"]
    # a classifier slip (信访 column typed consultation by the crawler) is still excluded
    mislabelled = Column("网上信访", only_xf[0].url, "consultation")
    for cols in (only_xf, [mislabelled]):
        out = interaction_outcomes(crawl, cols, CENSUS, AS_OF)
        assert out["poor-interaction"].measures == {"has_channel": False, "messages_in_year": 0, "overdue_messages": 0}
        assert out["consultation"].measures == {"has_column": False, "messages_in_year": 0}
        assert prefill(CENSUS.indicators["consultation"], out["consultation"])["deduction"] == 5.0


def test_timely_board_passes() -> None:
    crawl = CrawlResult(start_url=HOST + "/")
    html = (
        "<html><body><table><tr><th>标题</th><th>留言时间</th><th>答复时间</th></tr>"
        "<tr><td><a href='/m/1.html'>问题一</a></td><td>2026-08-01</td><td>2026-10-29</td></tr>"  # 89 days
        "<tr><td><a href='/m/2.html'>问题二</a></td><td>2025-11-20</td><td>2025-11-25</td></tr>"  # first day
        "<tr><td><a href='/m/3.html'>问题三</a></td><td>2025-11-19</td><td></td></tr>"  # outside: ignored
        "</table></body></html>"
    )
    url = add_page(crawl, "/m/index.html", html=html)
    out = interaction_outcomes(crawl, [Column("市长信箱", url, "consultation")], CENSUS, AS_OF)
    assert out["poor-interaction"].measures == {"has_channel": True, "messages_in_year": 2, "overdue_messages": 0}
    assert prefill(CENSUS.indicators["poor-interaction"], out["poor-interaction"])["status"] == "pass"


def test_board_that_cannot_be_read_is_review() -> None:
    crawl = CrawlResult(start_url=HOST + "/")
    url = add_page(crawl, "/zxzx/index.html", "board_js.html")
    out = interaction_outcomes(crawl, [Column("在线咨询", url, "consultation")], CENSUS, AS_OF)
    poor = out["poor-interaction"]
    assert poor.status == "review" and poor.measures["overdue_messages"] is None
    assert "一条留言也没有读出" in poor.note
    assert out["consultation"].status == "review"
    assert prefill(CENSUS.indicators["poor-interaction"], poor)["status"] == "review"


def test_old_message_with_unknown_reply_is_review() -> None:
    crawl = CrawlResult(start_url=HOST + "/")
    page = "<html><body><ul><li><a href='/ly/9.html'>问题</a></li></ul></body></html>"
    url = add_page(crawl, "/ly/index.html", html=page)
    col = Column("留言板", url, "consultation", items=[Item("问题", HOST + "/ly/9.html", date(2026, 5, 1))])
    poor = interaction_outcomes(crawl, [col], CENSUS, AS_OF)["poor-interaction"]
    assert poor.measures["messages_in_year"] == 1 and poor.measures["overdue_messages"] == 0
    assert poor.status == "review" and "读不出答复日期" in poor.note


def _items(n: int, start: date, step: int, prefix: str) -> list[Item]:
    return [Item(f"{prefix}{i}", f"{HOST}/{prefix}/{i}.html", date.fromordinal(start.toordinal() - i * step))
            for i in range(n)]


def test_solicitation_and_interviews_count_distinct_activities_in_the_window() -> None:
    solicit = Column("意见征集", HOST + "/yjzj/", "solicitation", items=_items(8, AS_OF, 60, "zj"))
    dup = Column("征求意见", HOST + "/zqyj/", "solicitation", items=_items(2, AS_OF, 60, "zj"))  # same URLs
    talks = Column("在线访谈", HOST + "/zxft/", "interview", items=_items(3, date(2026, 10, 1), 30, "ft"))
    out = interaction_outcomes(CrawlResult(start_url=HOST), [solicit, dup, talks], CENSUS, AS_OF)
    # 0, 60, ..., 360 days back are in the 365-day window: 7 of 8
    assert out["solicitation"].measures == {"has_column": True, "activities_in_year": 7}
    assert out["interviews"].measures == {"has_column": True, "activities_in_year": 3}
    assert prefill(CENSUS.indicators["solicitation"], out["solicitation"])["deduction"] == 0.0
    assert prefill(CENSUS.indicators["interviews"], out["interviews"])["deduction"] == 3.0


def test_missing_activity_columns() -> None:
    out = interaction_outcomes(CrawlResult(start_url=HOST), [], CENSUS, AS_OF)
    assert out["solicitation"].measures == {"has_column": False, "activities_in_year": 0}
    assert out["interviews"].measures == {"has_column": False, "activities_in_year": 0}
    assert prefill(CENSUS.indicators["interviews"], out["interviews"])["deduction"] == 5.0
    old = [Item("旧访谈", None, date(2024, 1, 1)), Item("无日期", None, None)]
    stale = Column("在线访谈", HOST + "/zxft/", "interview", items=old)
    out = interaction_outcomes(CrawlResult(start_url=HOST), [stale], CENSUS, AS_OF)
    assert out["interviews"].measures == {"has_column": True, "activities_in_year": 0}


def test_one_unread_board_among_readable_ones_keeps_the_veto_open() -> None:
    crawl, table_col = table_board()
    js = add_page(crawl, "/zxzx/index.html", "board_js.html")
    out = interaction_outcomes(crawl, [table_col, Column("在线咨询", js, "consultation")], CENSUS, AS_OF)
    poor, consultation = out["poor-interaction"], out["consultation"]
    assert poor.measures == {"has_channel": True, "messages_in_year": 4, "overdue_messages": 2}
    assert poor.status == "review" and "在线咨询" in poor.note
    assert consultation.measures == {"has_column": True, "messages_in_year": 4} and consultation.status is None
