"""Dated list blocks: real pages and varied fixtures (tables, dl, div, inline runs, tabs)."""

from datetime import date
from pathlib import Path

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.extract.lists import (
    blank_page,
    detail_date,
    extract_blocks,
    extract_items,
    next_page_url,
)
from tests.realpages import realpages_dir

REAL = realpages_dir()
FIX = Path(__file__).parent / "fixtures" / "extract"
BASE = "http://127.0.0.1:8000/x/index.html"
AS_OF = date(2026, 11, 20)
CL = load_checklist()


def fixture(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


def real(path: str) -> str:
    p = REAL / path
    if not p.exists():
        pytest.skip(f"real page {p} not available")
    return p.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- real pages


def test_yichun_homepage_yields_its_40_dated_items() -> None:
    html = real("a-homepage/yichun_gov_cn_home_20231011_1136.html")
    items = extract_items(html, "http://www.yichun.gov.cn/ycsrmzf/index.shtml", date(2023, 10, 11))
    assert len(items) == 40
    assert all(i.date is not None for i in items)
    dates = sorted(i.date for i in items)
    assert dates[0] == date(2023, 8, 21) and dates[-1] == date(2023, 10, 11)
    yearless = [i for i in items if len(i.raw_date) == 5]
    assert yearless and all(i.date.year == 2023 for i in yearless)  # type: ignore[union-attr]
    by_title = {i.title: i for i in items}
    assert by_title["宜春市人民政府关于防空警报试鸣的通告"].date == date(2023, 9, 9)


def test_yichun_blocks_have_tab_headings_and_more_links() -> None:
    html = real("a-homepage/yichun_gov_cn_home_20231011_1136.html")
    blocks = extract_blocks(html, "http://www.yichun.gov.cn/ycsrmzf/index.shtml", date(2023, 10, 11), CL)
    named = {b.heading: b for b in blocks if b.heading}
    assert named["政务要闻"].more_url == "http://www.yichun.gov.cn/ycsrmzf/zwyw/list.shtml"
    assert len(named["政务要闻"].items) == 9
    assert named["县市区动态"].more_url.endswith("/xsqdt/list.shtml")  # type: ignore[union-attr]
    assert named["部门信息"].more_url.endswith("/bmxx/list.shtml")  # type: ignore[union-attr]


def test_same_snapshot_regenerated_gives_same_items() -> None:
    a = real("a-homepage/yichun_gov_cn_home_20231011_1136.html")
    b = real("a-homepage/yichun_gov_cn_home_20231011_1434.html")
    url = "http://www.yichun.gov.cn/ycsrmzf/index.shtml"
    assert extract_items(a, url, date(2023, 10, 11)) == extract_items(b, url, date(2023, 10, 11))


def test_gov_cn_homepage_dates_only_from_urls() -> None:
    html = real("a-homepage/www_gov_cn_home_20230927.html")
    items = extract_items(html, "https://www.gov.cn/", date(2023, 9, 27))
    dated = [i for i in items if i.date]
    assert len(dated) >= 30
    assert all(i.raw_date.startswith("URL ") for i in dated)
    september = [i for i in dated if i.raw_date == "URL 2023-09"]
    assert len(september) >= 20 and all(i.date == date(2023, 9, 27) for i in september)
    # the site directories (国务院部门网站 …, /home/2023-03/29/content_…) and the footer menu (关于本网 …,
    # /home/2014-02/23/…) are dated in their URLs too, but they are menus of labels, not stories
    assert not any(i.title in ("国务院部门网站", "地方政府网站", "关于本网", "联系我们") for i in items)


@pytest.mark.parametrize(
    ("path", "url", "expected"),
    [
        ("detail-extra/cmse_gov_cn_tgyh_sz9.html", "http://www.cmse.gov.cn/a.html", date(2012, 6, 24)),
        ("detail-extra/fgw_zj_gov_cn_20161122.html", "http://fgw.zj.gov.cn/a.html", date(2016, 11, 22)),
        ("detail-extra/shanxi_gov_cn_20190918.html", "http://www.shanxi.gov.cn/a.html", date(2019, 9, 18)),
    ],
)
def test_detail_page_dates_from_labels(path: str, url: str, expected: date) -> None:
    assert detail_date(real(path), url, CL, date(2023, 10, 31)) == expected


def test_detail_date_tolerates_spaced_labels_and_falls_back_to_url() -> None:
    assert detail_date(fixture("detail_spaced.html"), "http://x.gov.cn/a.html", CL, AS_OF) == date(2019, 11, 29)
    bare = "<html><body><p>正文没有日期</p></body></html>"
    assert detail_date(bare, "http://x.gov.cn/a/202611/t20261118_1.html", CL, AS_OF) == date(2026, 11, 18)
    assert detail_date(bare, "http://x.gov.cn/a/1.html", CL, AS_OF) is None


# --------------------------------------------------------------------------- fixtures


def test_table_rows_with_header_and_undated_row() -> None:
    items = extract_items(fixture("table_list.html"), BASE, AS_OF)
    assert [(i.title, i.date) for i in items] == [
        ("关于做好冬季防火工作的通知", date(2026, 11, 18)),
        ("关于2026年11月1日起施行新规的公告", date(2026, 11, 2)),  # a date inside the title is not the item date
        ("某某项目公示", date(2026, 10, 20)),
        ("无日期的一条公告", None),
    ]
    assert items[0].url == "http://127.0.0.1:8000/tzgg/202611/t20261118_101.html"


def test_nav_menu_is_not_a_list() -> None:
    titles = {i.title for i in extract_items(fixture("table_list.html"), BASE, AS_OF)}
    assert not titles & {"首页", "政务公开", "互动交流", "通知公告", "下一页"}


def test_dl_div_paragraph_and_br_lists_and_dedupe() -> None:
    blocks = extract_blocks(fixture("dl_list.html"), BASE, AS_OF, CL)
    assert [len(b.items) for b in blocks] == [3, 3, 2, 3]
    assert blocks[1].heading == "图片新闻"  # date before title, heading inside the box
    items = extract_items(fixture("dl_list.html"), BASE, AS_OF)
    assert len(items) == 10  # a1 appears in two blocks: counted once
    by_title = {i.title: i for i in items}
    assert by_title["部门学习会"].date == date(2026, 11, 12)  # (11-12) after the link
    assert by_title["老式列表三"].date == date(2025, 12, 30)  # inline run split by <br>


def test_date_inside_the_link_and_url_only_entries() -> None:
    html = """<html><body><ul>
      <li><a href="/a/1.html"><span>标题一</span><i>2026-11-18</i></a></li>
      <li><a href="/a/2.html">标题二（2026-11-17）</a></li>
      <li><a href="/a/202611/t20261116_3.html">标题三</a></li>
    </ul></body></html>"""
    items = extract_items(html, BASE, AS_OF)
    assert [(i.title, i.date) for i in items] == [
        ("标题一", date(2026, 11, 18)),
        ("标题二", date(2026, 11, 17)),
        ("标题三", date(2026, 11, 16)),
    ]
    assert items[2].raw_date == "URL 2026-11-16"


def test_yearless_dates_around_new_year() -> None:
    html = "<html><body><ul><li><a href='/1.html'>新年第一条</a><span>01-03</span></li><li><a href='/2.html'>岁末一条</a><span>12-30</span></li></ul></body></html>"
    items = extract_items(html, BASE, date(2026, 1, 5))
    assert [i.date for i in items] == [date(2026, 1, 3), date(2025, 12, 30)]


def test_future_dates_do_not_date_items() -> None:
    html = "<html><body><ul><li><a href='/1.html'>预告</a><span>2027-01-30</span></li><li><a href='/2.html'>正常</a><span>2026-11-19</span></li></ul></body></html>"
    items = extract_items(html, BASE, AS_OF)
    assert [i.date for i in items] == [None, date(2026, 11, 19)]


def test_tabbed_blocks_headings_more_links_and_dedupe() -> None:
    blocks = extract_blocks(fixture("tabs_home.html"), BASE, AS_OF, CL)
    assert [(b.heading, b.more_url) for b in blocks] == [
        ("工作动态", "http://127.0.0.1:8000/xwzx/gzdt/"),
        ("通知公告", "http://127.0.0.1:8000/xxgk/tzgg/"),
        ("热点关注", None),
    ]
    items = extract_items(fixture("tabs_home.html"), BASE, AS_OF)
    assert len(items) == 5  # the 头条 story appears in two blocks and once alone


def test_no_lists_in_garbage() -> None:
    for junk in ("", "   ", "<<<>>>", "\x00\x01", "<?xml version='1.0' encoding='gbk'?><html></html>", b"\xff\xfe"):
        assert extract_items(junk, BASE, AS_OF) == []


def test_blank_page_and_pagination() -> None:
    blank = "<html><body><ul class='nav'><li><a href='/a/'>正在建设中的栏目</a></li></ul><div class='list'>暂无信息</div></body></html>"
    assert blank_page(blank, CL, AS_OF)
    not_blank_link_only = "<html><body><ul><li><a href='/a/'>暂无信息</a></li></ul><p>简介</p></body></html>"
    assert not blank_page(not_blank_link_only, CL, AS_OF)
    assert not blank_page(fixture("table_list.html"), CL, AS_OF)
    assert next_page_url(fixture("table_list.html"), "http://127.0.0.1:8000/tzgg/index.html", CL) == (
        "http://127.0.0.1:8000/tzgg/index_1.html"
    )
    assert next_page_url("<html><body><a href='javascript:go(2)'>下一页</a></body></html>", BASE, CL) is None


def test_single_story_lists_and_title_wrappers() -> None:
    one = "<html><body><h2>人事信息</h2><div class='l'><div class='i'><div class='t'><a href='/r/1.html'>关于某同志任职的通知</a></div><div class='d'>2025年11月05日</div></div></div><div>页脚</div></body></html>"
    items = extract_items(one, BASE, AS_OF)
    assert [(i.title, i.date) for i in items] == [("关于某同志任职的通知", date(2025, 11, 5))]
    two = "<html><body><div class='l'><div class='i'><div class='t'><a href='/z/202611/t20261108_1.html'>关于印发年度工作要点的通知</a></div></div><div class='i'><div class='t'><a href='/z/202605/t20260514_2.html'>关于开展安全生产检查的通知</a></div></div></div></body></html>"
    blocks = extract_blocks(two, BASE, AS_OF, CL)
    assert [len(b.items) for b in blocks] == [2]  # one block of two URL-dated entries, not two blocks


def test_a_menu_dated_only_in_its_urls_is_not_a_list() -> None:
    menu = "".join(f"<li><a href='/home/2014-02/2{i}/content_{i}.htm'>{t}</a></li>" for i, t in enumerate(["关于本网", "网站声明", "联系我们"]))
    stories = "".join(f"<li><a href='/home/2026-11/1{i}/content_9{i}.htm'>{t}</a></li>"
                      for i, t in enumerate(["市政府召开第十次常务会议", "全市秋冬季森林防火工作部署会召开"]))
    page = f"<html><body><ul class='foot'>{menu}</ul><ul class='news'>{stories}</ul></body></html>"
    items = extract_items(page, BASE, AS_OF, CL)
    assert [(i.title, i.date, i.raw_date) for i in items] == [
        ("市政府召开第十次常务会议", date(2026, 11, 10), "URL 2026-11-10"),
        ("全市秋冬季森林防火工作部署会召开", date(2026, 11, 11), "URL 2026-11-11"),
    ]
