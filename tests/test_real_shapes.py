"""Real page shapes of issue #11, end to end through ``run_check`` on loopback sites (each failed before its fix).

The sites are written by hand after shapes seen on real 政府网站 (shared/realpages and the issue's
reports); the expected numbers are counted by hand from the pages below, as of ``AS_OF``:

- a notice posted in two blocks under two URLs is one story; a message list whose rows carry no link
  (a title row, then a row 留言时间：…) has one item per message, two letters alike are two;
- an article page (breadcrumb, a date beside it, its 发布时间/来源 line, attachments) lists nothing;
- pager links (首页 上一页 下一页 尾页, page numbers) are never columns;
- an empty list container is a blank column, even when the page runs an unrelated script (a visit counter),
  and so is a list table that has only its header row;
- a list a script fills into an empty ``<div>`` is neither stale nor blank: it needs the browser;
- pages opening with an ``<?xml … encoding="gb2312"?>`` prolog (GBK bytes, no other declaration) are read by
  the message-board, service-guide and serious-error readers;
- a board whose links are written with Chinese paths counts each message once.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import unquote

from inspector.core import texts
from inspector.core.checklist import load_checklist
from inspector.core.extract.lists import extract_items
from inspector.core.runner import CheckOptions, CheckRun, run_check
from tests.httpfixtures import LoopbackServer, Request, Route, html

AS_OF = date(2026, 11, 20)
OPTS = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)
CL = load_checklist()
ARTICLE = html("<html><body><h1>正文</h1><p>发布时间：2026-11-01</p><p>正文内容。</p></body></html>")


def check(routes: dict[str, Route], default: Route = ARTICLE) -> CheckRun:
    def route(request: Request) -> Route:
        return routes.get(unquote(request.path.split("?", 1)[0]), default)

    with LoopbackServer(route) as srv:
        return asyncio.run(run_check(srv.url("/"), OPTS))


def measures(run: CheckRun, iid: str) -> dict[str, Any]:
    return run.doc["indicators"][iid]["measures"]


def columns(run: CheckRun) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in run.doc["columns"]}


def ul(*rows: tuple[str, str, str]) -> str:
    return "<ul>" + "".join(f"<li><a href='{u}'>{t}</a><span>{d}</span></li>" for t, u, d in rows) + "</ul>"


# --------------------------------------------------------------------------- stories and messages on a homepage

LETTER_ROWS = "".join(
    f"<tbody><tr><td rowspan='2'><img src='/i/q.png'></td><td><span title='{t}'>{t}</span></td></tr>"
    f"<tr><td><span>留言时间：</span><span>{d}</span></td></tr></tbody>"
    for t, d in [("请问办理居住证需要哪些材料？", "2026-11-17"), ("请问办理居住证需要哪些材料？", "2026-11-17"),
                 ("请问公租房申请何时开始受理？", "2026-11-02")]
)
STORY_HOME = f"""<html><head><title>某县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/gzdt/">工作动态</a><a href="/tzgg/">通知公告</a><a href="/zwzx/">政务咨询</a></div>
<div class="box"><h3>工作动态</h3>{ul(("县政府召开第十次常务会议", "/gzdt/1.html", "2026-11-19"),
                                  ("全县秋冬季森林防火工作部署会召开", "/gzdt/2.html", "2026-11-18"),
                                  ("县领导调研重点项目建设", "/gzdt/3.html", "2026-11-10"),
                                  ("县人大常委会召开会议", "/gzdt/4.html", "2026-10-01"))}</div>
<div class="box"><h3>通知公告</h3>{ul(("关于2026年冬季供暖的通告", "/tzgg/P020261118.pdf", "2026-11-18"),
                                  ("关于征集民生实事项目的公告", "/tzgg/2.html", "2026-11-05"))}</div>
<div class="box"><h3>公示公告</h3>{ul(("关于2026年冬季供暖的通告", "/gsgg/P020261118_2.pdf", "2026-11-18"))}</div>
<div class="box"><h3>政务咨询</h3><table class="letters">{LETTER_ROWS}</table></div>
</body></html>"""


def test_homepage_items_are_stories_and_text_rows_count() -> None:
    run = check({"/": html(STORY_HOME)})
    # news 4 + notices 2 (供暖 is one story under two PDF URLs) + letters 3 (two alike are two) = 9;
    # in the 14 days from 2026-11-06: news 11-19, 11-18, 11-10; 供暖 11-18; letters 11-17, 11-17 = 6
    assert measures(run, "site-not-updated") == {"homepage_items": 9, "homepage_items_in_window": 6, "navigation_only": False}
    assert measures(run, "homepage-updates") == {"items_in_window": 6}


# --------------------------------------------------------------------------- an article page


BODY_TEXT = "为切实做好冬季安全生产工作，防范遏制各类事故发生，现将有关事项通知如下。" * 10
# the whole article in one wrapper: a breadcrumb whose one link is 首页, the date beside the title
NEWS_ARTICLE = f"""<html><head><title>全县冬季安全生产工作会议召开</title></head><body>
<div class="top"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/hdjl/">互动交流</a></div>
<div class="main"><div class="main-container">
<ol class="breadcrumb"><span>您现在所在的位置：</span><li><a href="/">首页</a></li><li>新闻中心</li><li>新闻发布</li></ol>
<div class="article"><h2>全县冬季安全生产工作会议召开</h2><h2><small>( 2026-11-18)</small></h2>
<div class="content"><p>{BODY_TEXT}</p><p>县应急管理局</p><p>2026年11月18日</p></div></div></div></div>
<div class="foot">主办：某县人民政府办公室</div></body></html>"""
# a notice: its 发布时间/来源 line, a crumb with the date beside it, attachments uploaded on the day
NOTICE_ARTICLE = f"""<html><head><title>关于开展冬季安全检查的通知</title></head><body>
<div class="location"><div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<a href="/zwgk/tzgg/">通知公告</a> <span class="date">2026-11-18</span></div></div>
<h1>关于开展冬季安全检查的通知</h1>
<div class="info"><span>发布时间：2026-11-18 09:30</span> <span>来源：县应急管理局</span></div>
<div class="content"><p>{BODY_TEXT}</p></div>
<div class="attach"><p>附件：</p><ul><li><a href="/uploadfile/20261118/523.pdf">1.安全检查表</a></li>
<li><a href="/uploadfile/20261118/524.doc">2.参加检查人员报名表</a></li></ul></div></body></html>"""


def test_an_article_in_one_wrapper_is_not_a_list_entry() -> None:
    assert extract_items(NEWS_ARTICLE, "http://127.0.0.1:8000/xwzx/xwfb/20261118/1.html", AS_OF, CL) == []


def test_a_breadcrumb_with_a_date_and_attachments_are_not_items() -> None:
    url = "http://127.0.0.1:8000/zwgk/tzgg/202611/t20261118_1.html"
    assert extract_items(NOTICE_ARTICLE, url, AS_OF, CL) == []
    # without the date beside the crumb the page prints no list date: the attachments' upload dates are no items
    assert extract_items(NOTICE_ARTICLE.replace('<span class="date">2026-11-18</span>', ""), url, AS_OF, CL) == []


# --------------------------------------------------------------------------- pager links


def _pager(path: str) -> str:
    return (f"<div class='page'>共3页 <a href='{path}index.html'>首页</a> <a href='{path}index.html'>上一页</a> "
            f"<a href='{path}index.html'>1</a> <a href='{path}index_1.html'>2</a> <a href='{path}index_2.html'>3</a> "
            f"<a href='{path}index_1.html'>下一页</a> <a href='{path}index_2.html'>尾页</a></div>")


def _list_page(title: str, path: str, dates: list[str]) -> Route:
    rows = ul(*[(f"{title}稿件第{i}篇", f"{path}{d.replace('-', '')}_{i}.html", d) for i, d in enumerate(dates)])
    return html(f"<html><head><title>{title}_某县人民政府</title></head><body><h2>{title}</h2>{rows}{_pager(path)}</body></html>")


def test_pager_links_are_never_columns() -> None:
    nav = "<ul class='nav'><li><a href='/gzdt/'>工作动态</a></li><li><a href='/tzgg/'>通知公告</a></li><li><a href='/rsxx/'>人事信息</a></li></ul>"
    routes = {
        "/": html(f"<html><body>{nav}<p>欢迎访问某县人民政府门户网站</p></body></html>"),  # navigation only
        "/gzdt/": _list_page("工作动态", "/gzdt/", ["2026-11-19", "2026-11-12"]),
        "/gzdt/index.html": _list_page("工作动态", "/gzdt/", ["2026-11-19", "2026-11-12"]),
        "/gzdt/index_1.html": _list_page("工作动态", "/gzdt/", ["2026-03-01", "2026-02-01"]),
        "/gzdt/index_2.html": _list_page("工作动态", "/gzdt/", ["2025-03-01", "2025-02-01"]),
        "/tzgg/": _list_page("通知公告", "/tzgg/", ["2026-10-01"]),
        "/rsxx/": _list_page("人事信息", "/rsxx/", ["2026-06-01"]),
    }
    run = check(routes)
    names = set(columns(run))
    assert names == {"工作动态", "通知公告", "人事信息"}, names
    # the news column is fresh (2026-11-19); its older pages are the same column, not stale columns of their own
    assert measures(run, "columns-not-updated")["stale_columns"] == 0


# --------------------------------------------------------------------------- blank and script-filled columns

COUNTER = """<span id="visits"></span><script>
$.ajax({url: '/count.jsp', data: {id: 12}, success: function (n) { $('#visits').text(n); }});
</script>"""
FILLER = """<div id="docList"></div><script>
fetch('/api/zcwj.json').then(r => r.json()).then(rows => {
  document.getElementById('docList').innerHTML = rows.map(x => '<p><a href="' + x.url + '">' + x.title + '</a> ' + x.date + '</p>').join('');
});
</script>"""


def _column(title: str, body: str) -> Route:
    return html(f"<html><head><title>{title}</title></head><body><h2>{title}</h2>{body}</body></html>")


def test_empty_lists_are_blank_and_script_filled_lists_need_the_browser() -> None:
    nav = "<div class='nav'><a href='/ghjh/'>规划计划</a><a href='/gzjh/'>工作计划</a><a href='/zcwj/'>政策文件</a></div>"
    news = ul(*[(f"县政府工作动态第{i}篇", f"/xw/{i}.html", f"2026-11-{10 + i}") for i in range(1, 6)])
    routes = {
        "/": html(f"<html><body>{nav}<div><h3>工作动态</h3>{news}</div></body></html>"),
        "/ghjh/": _column("规划计划", "<ul class='list'></ul>" + COUNTER),  # an empty list, a visit counter
        "/gzjh/": _column("工作计划", "<table class='list'><tr><th>标题</th><th>发布日期</th></tr></table>"),
        "/zcwj/": _column("政策文件", FILLER),  # filled by a script: the browser must read it
    }
    run = check(routes)
    cols = columns(run)
    assert (cols["规划计划"]["blank"], cols["工作计划"]["blank"]) == (True, True)
    assert cols["政策文件"]["blank"] is False and cols["政策文件"]["error"] == texts.SCRIPT_LIST
    cnu = run.doc["indicators"]["columns-not-updated"]
    assert cnu["measures"] == {"stale_news_columns": 0, "stale_notice_columns": 0, "stale_columns": 0, "blank_columns": 2}
    assert cnu["status"] == "review"  # the script-filled column is not read without a browser


# --------------------------------------------------------------------------- the <?xml?> prolog


def _gbk(body: str) -> Route:
    """A page opening with an XML prolog that alone declares the encoding (GBK bytes)."""
    text = '<?xml version="1.0" encoding="gb2312"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">' + body + "</html>"
    return html(text.encode("gbk"), charset=None)


def test_pages_with_an_xml_prolog_are_read_by_every_reader() -> None:
    nav = "<div class='nav'><a href='/xwdt/'>新闻动态</a><a href='/ldxx/'>领导信箱</a><a href='/bszn/'>办事指南</a></div>"
    news = ul(*[(f"镕基路改造工程第{i}期完工", f"/xwdt/{i}.html", f"2026-11-{10 + i}") for i in range(1, 4)])
    board = """<table><tr><th>标题</th><th>留言时间</th><th>状态</th><th>回复时间</th></tr>
<tr><td><a href="/ldxx/1.html">小区供暖不热</a></td><td>2026-10-02</td><td>已回复</td><td>2026-10-05</td></tr>
<tr><td><a href="/ldxx/2.html">道路积水</a></td><td>2026-05-01</td><td>未回复</td><td></td></tr></table>"""
    guide = """<h1>居住证办理指南</h1><table><tr><th>事项名称</th><td>居住证办理</td></tr><tr><th>设定依据</th><td>《居住证暂行条例》</td></tr>
<tr><th>申请条件</th><td>在本县居住半年以上</td></tr><tr><th>办理材料</th><td>身份证</td></tr><tr><th>办理地点</th><td>县政务服务中心</td></tr>
<tr><th>办理时间</th><td>工作日</td></tr><tr><th>联系电话</th><td></td></tr><tr><th>办理流程</th><td>受理、审核、发证</td></tr></table>"""
    routes = {
        "/": _gbk(f"<head><title>某县人民政府</title></head><body>{nav}<div><h3>新闻动态</h3>{news}</div></body>"),
        "/xwdt/": _gbk(f"<body>{news}</body>"),
        "/xwdt/1.html": _gbk("<body><h1>镕基路改造工程第1期完工</h1><p>发布时间：2026-11-11</p><p>学习贯彻习进平总书记重要讲话精神。</p></body>"),
        "/ldxx/": _gbk(f"<head><title>领导信箱</title></head><body>{board}</body>"),
        "/bszn/": _gbk("<body><ul><li><a href='/bszn/jzz.html'>居住证办理指南</a></li></ul></body>"),
        "/bszn/jzz.html": _gbk(f"<head><title>居住证办理指南</title></head><body>{guide}</body>"),
    }
    run = check(routes, default=_gbk("<body><h1>正文</h1><p>发布时间：2026-10-01</p></body>"))
    # board: 2 messages in the year, 道路积水 unanswered for 203 days
    assert measures(run, "poor-interaction") == {"has_channel": True, "messages_in_year": 2, "overdue_messages": 1}
    assert measures(run, "service-guides") == {"guides_checked": 1, "guides_incomplete": 1, "missing_elements": 1}
    assert measures(run, "serious-errors") == {"hits": 1}


# --------------------------------------------------------------------------- a board with Chinese paths


def test_a_board_with_chinese_paths_counts_each_message_once() -> None:
    rows = "".join(
        f"<li><a href='/互动交流/领导信箱/{i}.html'>{t}</a> <span>留言时间：{d}</span> <span>状态：已回复</span></li>"
        for i, (t, d) in enumerate([("小区停车难问题", "2026-10-02"), ("农村公路破损", "2026-09-01"), ("路灯不亮", "2026-08-01")], 1)
    )
    routes = {
        "/": html("<html><body><div class='nav'><a href='/互动交流/领导信箱/index.html'>领导信箱</a><a href='/xw/'>新闻</a>"
                  "<a href='/gk/'>公开</a></div>" + ul(("县政府召开常务会议", "/xw/1.html", "2026-11-18")) + "</body></html>"),
        "/互动交流/领导信箱/index.html": html(f"<html><body><h2>领导信箱</h2><ul>{rows}</ul></body></html>"),
    }
    for i, d in enumerate(["2026-10-02", "2026-09-01", "2026-08-01"], 1):
        routes[f"/互动交流/领导信箱/{i}.html"] = html(
            f"<html><body><h1>来信</h1><p>留言时间：{d}</p><p>回复时间：{d}</p><p>回复单位：县交通运输局</p></body></html>")
    run = check(routes)
    assert measures(run, "consultation") == {"has_column": True, "messages_in_year": 3}
    assert measures(run, "poor-interaction") == {"has_channel": True, "messages_in_year": 3, "overdue_messages": 0}


def test_a_board_of_text_rows_counts_every_letter() -> None:
    routes = {
        "/": html("<html><body><div class='nav'><a href='/zwzx/'>政务咨询</a><a href='/xw/'>新闻</a><a href='/gk/'>公开</a></div>"
                  + ul(("县政府召开常务会议", "/xw/1.html", "2026-11-18")) + "</body></html>"),
        "/zwzx/": html(f"<html><body><h2>政务咨询</h2><table>{LETTER_ROWS}</table></body></html>"),
    }
    run = check(routes)
    # three letters (two alike), none with a link: all three were submitted within the year
    assert measures(run, "consultation") == {"has_column": True, "messages_in_year": 3}


def test_bullets_before_links_do_not_make_a_list_a_breadcrumb() -> None:
    rows = "".join(f"<li>» <a href='/xw/{i}.html'>全县秋冬季森林防火第{i}次部署会召开</a><span>2026-11-1{i}</span></li>" for i in range(1, 4))
    crumb = "<div class='crumb'><a href='/'>首页</a> &gt; <a href='/xw/'>新闻</a> <span>2026-11-19</span></div>"
    items = extract_items(f"<html><body><div class='w'>{crumb}</div><ul>{rows}</ul></body></html>", "http://127.0.0.1:8000/xw/", AS_OF, CL)
    assert [i.date.day for i in items if i.date] == [11, 12, 13]
