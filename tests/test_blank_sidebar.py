"""A blank column (空白栏目) beside a sidebar of other columns' stories is still blank.

Column pages of government CMS templates show, besides the column's own list, sidebars such as
最新信息 / 热点信息 / 相关链接 with dated stories of *other* columns. When the column's own list is
empty (an empty ``<ul>``, a header-only table, a 暂无信息 placeholder in the main region), those
sidebar stories are not the column's items: the column is blank and has no update date
(CHECKLIST.md: a blank column is a column page that exists but lists no content).

What must keep working: a column whose own list is in the page (under its path, or at article URLs
outside it such as ``/art/2026/...``) beside a sidebar and an empty sidebar widget; a portal-like
column page whose boxes are sub-columns, one of them empty.
"""

from __future__ import annotations

from datetime import date

from inspector.core.checklist import load_checklist
from inspector.core.extract.columns import ColumnRead, read_column
from inspector.core.extract.site import analyze_site
from inspector.core.model import CrawlResult, Page

AS_OF = date(2026, 11, 20)
CL = load_checklist()
HOST = "http://www.qc.gov.cn"
HOME = f"{HOST}/"

LATEST = """<div class="zxxx-box"><div class="hd"><span>最新信息</span></div><ul class="zxxx">
<li><a href="/xwzx/gzdt/202611/t20261119_8812.html" title="县政府召开第十次常务会议">县政府召开第十次常务会议</a><span>11-19</span></li>
<li><a href="/zwgk/tzgg/202611/t20261118_8807.html" title="关于做好冬季安全生产工作的通知">关于做好冬季安全生产工作的通知</a><span>11-18</span></li>
<li><a href="/xwzx/xzdt/202611/t20261117_8801.html" title="城关镇开展消防演练活动">城关镇开展消防演练活动</a><span>11-17</span></li>
</ul></div>"""
SIDE_MENU = """<div class="sub-title">政务公开</div><ul class="sub-menu">
<li><a href="/zwgk/tzgg/">通知公告</a></li><li class="on"><a href="/zwgk/rsxx/">人事信息</a></li>
<li><a href="/zwgk/ghjh/">规划计划</a></li><li><a href="/zwgk/zcwj/">政策文件</a></li></ul>"""
HEADER = """<div class="header"><div class="logo">青川县人民政府</div><ul class="nav">
<li><a href="/">首页</a></li><li><a href="/xwzx/">新闻中心</a><ul class="drop"></ul></li>
<li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>"""
FOOTER = """<div class="footer">主办：青川县人民政府办公室 网站标识码：5108220001 蜀ICP备05001234号</div>"""
CRUMB = '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/rsxx/">人事信息</a></div>'


def column_page(main: str, side: str = SIDE_MENU + LATEST, title: str = "人事信息") -> str:
    """A TRS-style column page: header, a left sidebar, the main region, the footer."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_青川县人民政府</title></head><body>
{HEADER}<div class="container"><div class="con-left">{side}</div><div class="con-right">{main}</div></div>{FOOTER}
</body></html>"""


def read(html: str, url: str = f"{HOST}/zwgk/rsxx/index.html", name: str = "人事信息") -> ColumnRead:
    page = Page(url=url, final_url=url, status=200, html=html)
    crawl = CrawlResult(start_url=HOME, homepage_url=HOME, pages={url: page})
    return read_column(name, url, "nav", crawl, CL, AS_OF)


def summary(read: ColumnRead) -> tuple[int, date | None, bool, str]:
    col = read.column
    return len(col.items), col.latest, col.blank, read.blank_reason


EMPTY_MAIN = CRUMB + """<div class="list"><ul class="list-ul">
</ul><p class="nodata">暂无信息</p>
<div class="page"><script>createPageHTML(0, 0, "index", "html");</script></div></div>"""


def test_empty_list_with_placeholder_beside_a_latest_stories_sidebar_is_blank() -> None:
    assert summary(read(column_page(EMPTY_MAIN))) == (0, None, True, "暂无信息")


def test_sidebar_on_the_right_and_no_breadcrumb_is_still_blank() -> None:
    main = "<ul class='news'></ul><p>暂无内容</p>"
    page = f"""<html><body><div class="l">{main}</div><div class="r">{LATEST}</div></body></html>"""
    assert summary(read(page)) == (0, None, True, "暂无内容")


def test_empty_list_without_placeholder_beside_a_sidebar_is_blank() -> None:
    # the main region names the column and carries the pager (共0条): its empty list is the column's
    main = CRUMB + "<h2>人事信息</h2><ul class='list-ul'>\n</ul><div class='pages'>共0条 <a href='#'>首页</a> <a href='#'>尾页</a></div>"
    assert summary(read(column_page(main))) == (0, None, True, "empty list")


def test_header_only_table_in_an_old_table_layout_is_blank() -> None:
    side = """<table class="side"><tr><td><b>热点信息</b></td></tr>
<tr><td><a href="/xwzx/gzdt/202611/t20261119_8812.html">县政府召开第十次常务会议</a> 2026-11-19</td></tr>
<tr><td><a href="/xwzx/xzdt/202611/t20261117_8801.html">城关镇开展消防演练活动</a> 2026-11-17</td></tr></table>"""
    main = """<div>您的位置：<a href="/">首页</a> &gt; <a href="/zwgk/ghjh/">规划计划</a></div>
<table class="list"><tr><th>标题</th><th>发布日期</th></tr></table><div>暂无信息</div>"""
    page = f"<html><body><table><tr><td width='220'>{side}</td><td>{main}</td></tr></table></body></html>"
    got = read(page, f"{HOST}/zwgk/ghjh/index.html", "规划计划")
    assert summary(got) == (0, None, True, "暂无信息")


def test_own_list_under_the_column_path_beside_the_sidebar_is_read_alone() -> None:
    main = CRUMB + """<div class="list"><ul class="list-ul">
<li><a href="./202609/t20260901_6001.html">青川县人民政府关于张三等同志职务任免的通知</a><span>2026-09-01</span></li>
<li><a href="./202603/t20260312_6002.html">青川县人民政府关于李四等同志职务任免的通知</a><span>2026-03-12</span></li>
</ul><div class="page"><script>createPageHTML(1, 0, "index", "html");</script></div></div>"""
    assert summary(read(column_page(main))) == (2, date(2026, 9, 1), False, "")


def test_own_list_at_article_urls_outside_the_path_is_not_blank() -> None:
    # Hanweb-style: the column is /col/col1230/, its stories are /art/...; the sidebar has an empty 相关链接 widget
    main = """<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1230/index.html">人事信息</a></div>
<div class="list"><ul class="list-ul">
<li><a href="/art/2026/9/1/art_1230_601.html">青川县人民政府关于张三等同志职务任免的通知</a><span>2026-09-01</span></li>
<li><a href="/art/2026/3/12/art_1230_602.html">青川县人民政府关于李四等同志职务任免的通知</a><span>2026-03-12</span></li>
</ul><div class="page">共2条 <a href="#">首页</a> <a href="#">尾页</a></div></div>"""
    latest = """<div class="zx"><h3>最新信息</h3><ul>
<li><a href="/art/2026/11/19/art_1250_881.html">县政府召开第十次常务会议</a><span>2026-11-19</span></li>
<li><a href="/art/2026/11/17/art_1251_880.html">城关镇开展消防演练活动</a><span>2026-11-17</span></li></ul></div>"""
    links = "<div class='xglj'><h3>相关链接</h3><ul></ul><p>暂无内容</p></div>"
    got = read(column_page(main, side=latest + links), f"{HOST}/col/col1230/index.html")
    # the main region (breadcrumb, pager 共2条) holds the column's list; 最新信息 is a sidebar: its 11-19 is not the column's
    assert summary(got) == (2, date(2026, 9, 1), False, "")
    assert [i.title for i in got.column.items] == ["青川县人民政府关于张三等同志职务任免的通知", "青川县人民政府关于李四等同志职务任免的通知"]


def test_own_list_outside_the_path_beside_an_empty_submenu_is_unchanged() -> None:
    # an empty drop-down <ul> in the header menu says nothing about the column's list
    main = """<ul class="list-ul">
<li><a href="/art/2026/9/1/art_1230_601.html">青川县人民政府关于张三等同志职务任免的通知</a><span>2026-09-01</span></li>
</ul>"""
    got = read(column_page(main), f"{HOST}/col/col1230/index.html")
    assert not got.column.blank and len(got.column.items) == 4  # no blank marker: every block, as before


def test_portal_like_column_page_with_one_empty_box_is_not_blank() -> None:
    def box(title: str, rows: str) -> str:
        return f"<div class='box'><div class='box-hd'><h3>{title}</h3></div><ul>{rows}</ul></div>"

    rows = "".join(
        f"<li><a href='/art/2026/11/{d}/art_12{d}_1.html'>{t}</a><span>2026-11-{d}</span></li>"
        for d, t in ((18, "关于做好冬季安全生产工作的通知"), (16, "关于开展消防安全检查的通知"))
    )
    main = box("通知公告", rows) + "<div class='box'><div class='box-hd'><h3>人事信息</h3></div><ul></ul><p>暂无信息</p></div>"
    got = read(column_page(main, side=SIDE_MENU, title="政务公开"), f"{HOST}/zwgk/index.html", "政务公开")
    assert summary(got) == (2, date(2026, 11, 18), False, "")


def test_site_counts_the_blank_column_and_not_its_sidebar_date() -> None:
    home = f"""<html><body>{HEADER}<div class="main"><div class="hd">工作动态</div><ul>
<li><a href="/xwzx/gzdt/202611/t20261119_8812.html">县政府召开第十次常务会议</a><span>2026-11-19</span></li>
<li><a href="/xwzx/gzdt/202611/t20261118_8811.html">县长带队检查冬季安全生产</a><span>2026-11-18</span></li></ul></div>
<div class="links"><a href="/zwgk/tzgg/">通知公告</a><a href="/zwgk/rsxx/">人事信息</a><a href="/zwgk/ghjh/">规划计划</a></div></body></html>"""
    rsxx = f"{HOST}/zwgk/rsxx/"
    pages = {HOME: home, rsxx: column_page(EMPTY_MAIN)}
    crawl = CrawlResult(start_url=HOME, homepage_url=HOME,
                        pages={u: Page(url=u, final_url=u, status=200, html=h) for u, h in pages.items()})
    analysis = analyze_site(crawl, CL, AS_OF)
    col = next(c for c in analysis.columns if c.url == rsxx)
    assert (col.blank, col.latest, col.items, analysis.blank_reasons[rsxx]) == (True, None, [], "暂无信息")


def test_a_list_cut_in_chunks_keeps_every_chunk() -> None:
    # TRS lists often come as several <ul>s of five; the pager sits with the last one
    def chunk(rows: tuple[int, ...], pager: str = "") -> str:
        lis = "".join(f"<li><a href='/art/2026/{m}/1/art_1230_{m}.html'>青川县第{m}批干部任免公示</a><span>2026-{m:02d}-01</span></li>" for m in rows)
        return f"<div class='list'><ul>{lis}</ul>{pager}</div>"

    main = CRUMB + chunk((9, 8)) + chunk((7, 6), "<div class='page'>共4条 <a href='#'>首页</a> <a href='#'>尾页</a></div>")
    got = read(column_page(main, side=SIDE_MENU), f"{HOST}/col/col1230/index.html")
    assert summary(got) == (4, date(2026, 9, 1), False, "")
