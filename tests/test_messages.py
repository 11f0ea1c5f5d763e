"""Message boards: labelled fields in tables, lists and text; messages from list and detail pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from inspector.core.checklist import load_checklist
from inspector.core.extract.messages import (
    board_groups,
    label_key,
    list_pages,
    read_board,
    read_fields,
    table_records,
)
from inspector.core.model import Column, CrawlResult, Item, Page
from inspector.core.web.html import parse

FIXTURES = Path(__file__).parent / "fixtures" / "checks2"
CENSUS = load_checklist("census-2015")
GROUPS = board_groups(CENSUS.params("poor-interaction"))
AS_OF = date(2026, 11, 20)
HOST = "http://127.0.0.1:1"


def add_page(crawl: CrawlResult, path: str, fixture: str | None = None, html: str | None = None) -> str:
    url = HOST + path
    text = html if html is not None else (FIXTURES / fixture).read_text(encoding="utf-8")  # type: ignore[operator]
    crawl.pages[url] = Page(url=url, final_url=url, status=200, content_type="text/html", html=text)
    return url


def table_board() -> tuple[CrawlResult, Column]:
    crawl = CrawlResult(start_url=HOST + "/")
    url = add_page(crawl, "/zmhd/xzxx/board_table_p1.html", "board_table_p1.html")
    add_page(crawl, "/zmhd/xzxx/board_table_p2.html", "board_table_p2.html")
    return crawl, Column(name="县长信箱", url=url, category="consultation")


def list_board() -> tuple[CrawlResult, Column]:
    crawl = CrawlResult(start_url=HOST + "/")
    url = add_page(crawl, "/hdjl/ldxx/board_list.html", "board_list.html")
    for n in (301, 302, 303, 304):
        add_page(crawl, f"/hdjl/ldxx/msg/{n}.html", f"msg/{n}.html")
    add_page(crawl, "/news/1.html", "article_clean.html")
    add_page(crawl, "/xf/index.html", "xinfang.html")  # linked from the navigation: another board's list
    items = [
        Item("咨询公积金提取政策", HOST + "/hdjl/ldxx/msg/301.html", date(2026, 9, 1)),
        Item("反映村道路灯损坏", HOST + "/hdjl/ldxx/msg/302.html", date(2026, 4, 10)),
        Item("关于老旧小区改造的诉求", HOST + "/hdjl/ldxx/msg/303.html", date(2026, 6, 20)),
        Item("咨询新生儿医保办理", HOST + "/hdjl/ldxx/msg/304.html", date(2026, 8, 15)),
    ]
    return crawl, Column(name="领导信箱", url=url, category="consultation", items=items)


def test_labels_match_with_spaces_numbering_and_colons() -> None:
    assert label_key("留 言 时 间：", GROUPS) == "submitted"
    assert label_key("【回复单位】", GROUPS) == "unit"
    assert label_key("回复时间:", GROUPS) == "replied"
    assert label_key("状态：办理中", GROUPS) is None  # a label with its value is not a bare label
    assert label_key("留言内容", GROUPS) is None


def test_header_row_table_gives_one_record_per_message() -> None:
    root = parse((FIXTURES / "board_table_p1.html").read_text(encoding="utf-8")).root
    assert root is not None
    records = table_records(root, GROUPS)
    assert [r.values["submitted"] for r in records] == ["2026-10-08", "2026-03-02", "2026-07-01", "2025-09-01"]
    assert [r.values["status"] for r in records] == ["已办结", "已办结", "未回复", "待回复"]


def test_detail_fields_from_th_td_dl_and_text_blocks() -> None:
    def fields(name: str) -> dict[str, list[str]]:
        root = parse((FIXTURES / name).read_text(encoding="utf-8")).root
        assert root is not None
        return read_fields(root, GROUPS)

    assert fields("msg/301.html") == {
        "submitted": ["2026-09-01 08:12:33"], "unit": ["县住房公积金管理中心"], "replied": ["2026-09-05 16:00"],
    }
    assert fields("msg/302.html")["submitted"] == ["2026年4月10日"]
    assert fields("msg/302.html")["replied"] == ["2026-08-08"]
    assert fields("msg/303.html") == {"submitted": ["2026-06-20"], "replied": [""], "status": ["办理中"]}
    assert fields("msg/304.html")["replied"] == ["2026-08-20"]  # value on the line after "回复时间："


def test_pagination_follows_next_page_links_in_the_crawl() -> None:
    crawl, column = table_board()
    pages = list_pages(crawl, column.url, CENSUS.columns["next_page_texts"])
    assert [p.url.rsplit("/", 1)[1] for p in pages] == ["board_table_p1.html", "board_table_p2.html"]


def test_table_board_reads_both_dates_from_the_list() -> None:
    crawl, column = table_board()
    board = read_board(crawl, column, CENSUS, AS_OF)
    by_title = {m.title: m for m in board.messages}
    assert len(board.messages) == 5
    late = by_title["关于道路维修的建议"]
    assert (late.submitted, late.replied, late.answered) == (date(2026, 3, 2), date(2026, 6, 30), True)
    open_ = by_title["学校门口交通拥堵问题"]
    assert (open_.submitted, open_.replied, open_.answered) == (date(2026, 7, 1), None, False)
    assert open_.url == HOST + "/zmhd/xzxx/203.html"
    assert by_title["关于农村低保申请的咨询"].replied == date(2026, 1, 20)  # from the second page


def test_list_board_reads_replies_from_detail_pages_only() -> None:
    crawl, column = list_board()
    board = read_board(crawl, column, CENSUS, AS_OF)
    by_url = {m.url.rsplit("/", 1)[1]: m for m in board.messages if m.url}
    assert set(by_url) == {"301.html", "302.html", "303.html", "304.html"}  # not the news article, not 信访
    assert by_url["301.html"].replied == date(2026, 9, 5) and by_url["301.html"].unit == "县住房公积金管理中心"
    assert by_url["302.html"].replied == date(2026, 8, 8) and by_url["302.html"].unit == "某某镇人民政府"
    assert by_url["303.html"].answered is False and by_url["303.html"].replied is None
    assert by_url["304.html"].replied == date(2026, 8, 20)


def test_detail_pages_found_without_list_items() -> None:
    crawl, column = list_board()
    column.items = []  # the list extractor found nothing: messages still come from linked detail pages
    board = read_board(crawl, column, CENSUS, AS_OF)
    assert sorted(m.submitted for m in board.messages) == [
        date(2026, 4, 10), date(2026, 6, 20), date(2026, 8, 15), date(2026, 9, 1),
    ]


def test_unreadable_board_is_recognised() -> None:
    crawl = CrawlResult(start_url=HOST + "/")
    url = add_page(crawl, "/zxzx/index.html", "board_js.html")
    board = read_board(crawl, Column("在线咨询", url, "consultation"), CENSUS, AS_OF)
    assert board.messages == [] and board.looks_like_board
    missing = read_board(crawl, Column("在线咨询", HOST + "/nope.html", "consultation"), CENSUS, AS_OF)
    assert missing.messages == [] and missing.problem


def test_hostile_markup_does_not_crash() -> None:
    crawl = CrawlResult(start_url=HOST + "/")
    url = add_page(crawl, "/a.html", html="<table><tr><th>留言时间</th><th>回复时间\x1b[2J</th></tr><tr><td>x")
    add_page(crawl, "/b.html", html="")
    board = read_board(crawl, Column("留言板", url, "consultation"), CENSUS, AS_OF)
    assert board.messages == []


def test_list_rows_with_labelled_dates_and_pagination() -> None:
    crawl = CrawlResult(start_url=HOST + "/")
    first = (
        "<html><body><ul>"
        "<li><a href='/m/1.html'>[已回复] 关于公交线路调整的建议</a><span>留言时间：2026-05-01</span>"
        "<span>回复时间：2026-05-03</span></li>"
        "<li><a href='/m/2.html'>关于噪音扰民的投诉</a> <span>留言时间：2026-04-01</span> <em>[未回复]</em></li>"
        "<li><a href='/m/3.html'>咨询社保转移</a> 提问时间 2026-06-01 答复时间 2026-10-01</li>"
        "</ul><div><a href='/m/list_2.html'>下一页&gt;</a></div></body></html>"
    )
    url = add_page(crawl, "/m/", html=first)
    add_page(crawl, "/m/list_2.html", html="<ul><li><a href='/m/4.html'>第二页留言</a> 留言时间：2026-02-01</li></ul>")
    board = read_board(crawl, Column("留言板", url, "consultation"), CENSUS, AS_OF)
    got = {m.url.rsplit("/", 1)[1]: (m.submitted, m.replied, m.answered) for m in board.messages if m.url}
    assert got == {
        "1.html": (date(2026, 5, 1), date(2026, 5, 3), True),
        "2.html": (date(2026, 4, 1), None, False),
        "3.html": (date(2026, 6, 1), date(2026, 10, 1), True),
        "4.html": (date(2026, 2, 1), None, None),  # nothing says whether it was answered
    }


def test_a_list_row_whose_status_is_accepted_or_awaiting_an_answer_is_unanswered() -> None:
    """受理中 / 待答复 in a board's status column: the letter waits (the checklist's unanswered markers)."""
    rows = "".join(
        f"<tr><td><a href='/zxzx/{n}.html'>{title}</a></td><td>2026-0{n}-01</td><td>{status}</td></tr>"
        for n, (title, status) in enumerate([("咨询社保转移", "受理中"), ("咨询公租房申请", "待答复"), ("咨询学位", "已答复")], 5)
    )
    crawl = CrawlResult(start_url=HOST + "/")
    url = add_page(crawl, "/zxzx/index.html", html=f"<html><body><table><tr><th>标题</th><th>来信时间</th><th>状态</th></tr>{rows}</table></body></html>")
    board = read_board(crawl, Column(name="12345便民热线", url=url, category="consultation"), CENSUS, AS_OF)
    assert {m.title: m.answered for m in board.messages} == {"咨询社保转移": False, "咨询公租房申请": False, "咨询学位": True}
