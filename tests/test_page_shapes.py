"""Page shapes of government sites, end to end through ``run_check``.

Each site below is written by hand after shapes common on 政府网站 and served over loopback
HTTP; the truth is counted by hand from the pages (as of ``AS_OF``), not from the engine:

- ``redirect``: the start page is a meta-refresh stub (GB2312 declared, GBK bytes with 镕/喆/堃)
  leading to the real portal, whose news list is partly inside a same-site iframe; a column
  page is a ``location.replace`` stub in front of its list.
- ``frames``: a script redirect (mobile branch first) to a ``<frameset>`` portal (banner,
  menu and main frames; the main frame holds the lists).
- ``board``: two consultation columns: a header-row table of messages over two pages, and a
  plain list whose detail pages carry the reply in a 回复内容/答复内容 block signed with a date.
- ``files``: attachments with Chinese file names, ``download.jsp?id=`` downloads, and
  downloads answering 200 with an HTML 文件不存在 page.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.web.html import client_redirect, extract_links
from inspector.core.extract.messages import board_groups, read_detail
from inspector.core.model import Page
from inspector.core.runner import CheckOptions, CheckRun, run_check
from tests.httpfixtures import LoopbackServer, Route, html

AS_OF = date(2026, 11, 20)
CL = load_checklist()
OPTS = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)
NOT_FOUND: Route = (404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>")
FILE_MISSING = html("<html><head><title>提示</title></head><body><p>文件不存在或已被删除！</p></body></html>")


def gb(text: str) -> Route:
    """A page declaring GB2312 in <meta> only, sent as GBK bytes (characters outside GB2312 too)."""
    return html(text.encode("gbk"), charset=None)


def check(routes: dict[str, Route]) -> tuple[CheckRun, LoopbackServer]:
    with LoopbackServer(routes) as srv:
        run = asyncio.run(run_check(srv.url("/"), OPTS))
    return run, srv


def measures(run: CheckRun, iid: str) -> dict[str, Any]:
    return run.doc["indicators"][iid]["measures"]


# --------------------------------------------------------------------------- meta refresh + iframe

NAV = """<ul class="nav"><li><a href="/portal/index.html">首页</a></li><li><a href="/portal/ywdt/">要闻动态</a></li>
<li><a href="/portal/tzgg/">通知公告</a></li><li><a href="/portal/rsxx/">人事信息</a></li></ul>"""

REDIRECT_SITE: dict[str, Route] = {
    "/": gb("""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<META HTTP-EQUIV = "Refresh" CONTENT = "0; URL = '/portal/index.html'"><title>某市人民政府</title></head>
<body>正在进入某市人民政府门户网站……<a href="/old/index.htm">旧版入口</a></body></html>"""),
    "/portal/index.html": gb("""<html><head><meta charset="gb2312"><title>某市人民政府门户网站</title>
<link rel="stylesheet" href="/portal/css/main.css"></head><body>
<div class="top"><img src="/portal/img/banner.jpg" alt="banner"><img src="/portal/img/missing-logo.png" alt="logo"></div>
""" + NAV + """
<div class="box"><h3>政务要闻</h3><a href="/portal/ywdt/" class="more">更多</a><ul>
<li><a href="/portal/ywdt/202611/t20261119_11.html">朱镕基同志故居修缮工程竣工</a><span>2026-11-19</span></li>
<li><a href="/portal/ywdt/202611/t20261116_12.html">陶喆参加市文化惠民演出</a><span>2026-11-16</span></li>
<li><a href="/portal/ywdt/202611/t20261110_13.html">王堃调研城市更新项目</a><span>2026-11-10</span></li>
<li><a href="/portal/ywdt/202610/t20261020_14.html">市政府召开常务会议</a><span>2026-10-20</span></li>
<li><a href="/portal/ywdt/202609/t20260930_15.html">全市安全生产工作会议召开</a><span>2026-09-30</span></li>
</ul></div>
<div class="box"><h3>通知公告</h3><iframe src="/portal/iframe/tzgg.html" width="400" height="300" frameborder="0"></iframe></div>
<a href="/portal/gone.html">专题专栏</a>
<div class="foot">主办：某市人民政府办公室 2026</div></body></html>"""),
    "/portal/iframe/tzgg.html": gb("""<html><head><meta charset="gb2312"></head><body><ul>
<li><a href="/portal/tzgg/202611/t20261118_21.html" target="_blank">关于2026年冬季供暖的通告</a> [2026-11-18]</li>
<li><a href="/portal/tzgg/202611/t20261105_22.html" target="_blank">关于征集民生实事项目的公告</a> [2026-11-05]</li>
<li><a href="/portal/ywdt/202611/t20261119_11.html" target="_blank">朱镕基同志故居修缮工程竣工</a> [2026-11-19]</li>
<li><a href="/portal/tzgg/202608/t20260801_23.html" target="_blank">关于调整公交线路的通知</a> [2026-08-01]</li>
</ul><a href="/portal/iframe/missing.css">x</a></body></html>"""),
    "/portal/ywdt/": gb("""<html><head><meta charset="gb2312"></head><body>""" + NAV + """<ul class="list">
<li><a href="202611/t20261119_11.html">朱镕基同志故居修缮工程竣工</a><span>2026-11-19</span></li>
<li><a href="202611/t20261116_12.html">陶喆参加市文化惠民演出</a><span>2026-11-16</span></li>
<li><a href="/portal/ywdt/202605/t20260501_16.html">旧闻</a><span>2026-05-01</span></li>
</ul></body></html>"""),
    # the column's index only sends the browser on to its list
    "/portal/tzgg/": html("""<html><head><script type="text/javascript">
location.replace("/portal/tzgg/list_1.html");</script></head><body></body></html>"""),
    "/portal/tzgg/list_1.html": gb("""<html><head><meta charset="gb2312"></head><body>""" + NAV + """<ul>
<li><a href="/portal/tzgg/202611/t20261118_21.html">关于2026年冬季供暖的通告</a><span>2026-11-18</span></li>
<li><a href="/portal/tzgg/202611/t20261105_22.html">关于征集民生实事项目的公告</a><span>2026-11-05</span></li>
</ul></body></html>"""),
    "/portal/rsxx/": gb("""<html><head><meta charset="gb2312"></head><body>""" + NAV + """<ul>
<li><a href="/portal/rsxx/202601/t20260105_31.html">2026年公开招聘事业单位工作人员公告</a><span>2026-01-05</span></li>
<li><a href="/portal/rsxx/202502/t20250210_32.html">任前公示</a><span>2025-02-10</span></li>
</ul><img src="/portal/rsxx/none.gif"></body></html>"""),
    "/portal/ywdt/202611/t20261119_11.html": gb("""<html><head><meta charset="gb2312"></head><body>
<h1>朱镕基同志故居修缮工程竣工</h1><p>发布时间：2026-11-19</p><p>学习贯彻习进平总书记重要讲话精神。</p></body></html>"""),
    "/portal/css/main.css": (200, {"Content-Type": "text/css"}, b"body{}"),
    "/portal/img/banner.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff"),
}


def _article(title: str) -> Route:
    return gb(f"<html><head><meta charset='gb2312'></head><body><h1>{title}</h1><p>发布时间：2026-11-01</p></body></html>")


for _path in ("/portal/ywdt/202611/t20261116_12.html", "/portal/ywdt/202611/t20261110_13.html",
              "/portal/ywdt/202610/t20261020_14.html", "/portal/ywdt/202609/t20260930_15.html",
              "/portal/ywdt/202605/t20260501_16.html", "/portal/tzgg/202611/t20261118_21.html",
              "/portal/tzgg/202611/t20261105_22.html", "/portal/tzgg/202608/t20260801_23.html",
              "/portal/rsxx/202601/t20260105_31.html", "/portal/rsxx/202502/t20250210_32.html"):
    REDIRECT_SITE[_path] = _article("正文")


@pytest.fixture(scope="module")
def redirect_run() -> tuple[CheckRun, LoopbackServer]:
    return check(REDIRECT_SITE)


def test_meta_refresh_start_page_leads_to_the_real_homepage(redirect_run: tuple[CheckRun, LoopbackServer]) -> None:
    run, srv = redirect_run
    assert run.crawl.homepage_url == srv.url("/portal/index.html")
    home = run.crawl.page(srv.url("/portal/index.html"))
    assert home is not None and home.redirects == [srv.url("/")]
    # 5 own items + 4 in the iframe, one story in both: 8; in the 14 days from 2026-11-06: 11-19,
    # 11-16, 11-10 (own) + 11-18 (iframe) = 4
    assert measures(run, "site-not-updated") == {"homepage_items": 8, "homepage_items_in_window": 4, "navigation_only": False}
    assert measures(run, "homepage-updates") == {"items_in_window": 4}


def test_columns_behind_a_redirect_stub_are_read(redirect_run: tuple[CheckRun, LoopbackServer]) -> None:
    run, _ = redirect_run
    cols = {c["name"]: c for c in run.doc["columns"]}
    assert (cols["通知公告"]["items"], cols["通知公告"]["latest"], cols["通知公告"]["blank"]) == (2, "2026-11-18", False)
    assert cols["要闻动态"]["latest"] == "2026-11-19"
    # 人事信息 latest 2026-01-05 is within 365 days: nothing stale, nothing blank
    assert measures(run, "columns-not-updated") == {
        "stale_news_columns": 0, "stale_notice_columns": 0, "stale_columns": 0, "blank_columns": 0}


def test_links_on_the_real_homepage_count_as_homepage_links(redirect_run: tuple[CheckRun, LoopbackServer]) -> None:
    run, _ = redirect_run
    # homepage: /old/index.htm (on the stub), missing-logo.png, gone.html (portal); the iframe's
    # missing.css and rsxx's none.gif are on other pages. checked: every distinct link URL plus
    # the start URL: /, /old/index.htm, portal index, main.css, banner.jpg, missing-logo.png,
    # 3 column URLs, 5 ywdt stories, iframe page, gone.html, 3 tzgg stories, missing.css,
    # ywdt 202605 story, 2 rsxx stories, none.gif = 24; the client-side redirect target
    # list_1.html is not a link (it is crawled, never counted)
    assert measures(run, "link-availability") == {"checked": 24, "homepage_broken": 3, "other_broken": 2}


def test_gbk_characters_in_a_gb2312_page_decode_without_mojibake(redirect_run: tuple[CheckRun, LoopbackServer]) -> None:
    run, srv = redirect_run
    home = run.crawl.page(srv.url("/portal/index.html"))
    assert home is not None and home.html is not None
    assert all(name in home.html for name in ("朱镕基", "陶喆", "王堃")) and "\ufffd" not in home.html
    findings = run.doc["indicators"]["serious-errors"]["findings"]
    assert measures(run, "serious-errors") == {"hits": 1}
    assert "习进平总书记" in findings[0]["detail"] and findings[0]["url"].endswith("t20261119_11.html")


# --------------------------------------------------------------------------- script redirect + frameset

FRAME_NAV = """<table><tr><td><a href="/web/xwzx/index.html" target="main">新闻中心</a></td>
<td><a href="/web/gsgg/index.html" target="main">公示公告</a></td><td><a href="/web/ghjh/index.html" target="main">规划计划</a></td>
<td><a href="/web/zxft/index.html" target="main">在线访谈</a></td></tr></table>"""

FRAME_SITE: dict[str, Route] = {
    "/": html("""<html><head><title>跳转</title><script>
var ua = navigator.userAgent;
if (/Android|iPhone|iPad/i.test(ua)) { window.location.href = "/m/index.html"; }
else { window.location.href = "/web/index.html"; }
</script></head><body></body></html>"""),
    "/m/index.html": html("<html><body>手机版</body></html>"),
    "/web/index.html": html("""<html><head><title>某县人民政府</title></head>
<frameset rows="120,*" frameborder="0"><frame src="/web/top.html" name="top" scrolling="no">
<frameset cols="180,*"><frame src="/web/left.html" name="left"><frame src="/web/main.html" name="main"></frameset>
</frameset><noframes><body>您的浏览器不支持框架</body></noframes></html>"""),
    "/web/top.html": html("""<html><body><img src="/web/img/top.jpg" alt="某县人民政府">""" + FRAME_NAV
                          + """<a href="/web/broken-top.html">网站地图</a></body></html>"""),
    "/web/left.html": html("""<html><body><ul><li><a href="/web/xwzx/index.html" target="main">新闻中心</a></li>
<li><a href="/web/gsgg/index.html" target="main">公示公告</a></li><li><a href="/web/ldxx.html" target="main">领导信息</a></li>
</ul></body></html>"""),
    "/web/main.html": html("""<html><body><table><tr><td><b>新闻中心</b> <a href="/web/xwzx/index.html">更多&gt;&gt;</a></td></tr>
<tr><td>·<a href="/web/xwzx/2026/1118/101.html">县长主持召开县政府常务会议</a></td><td>2026年11月18日</td></tr>
<tr><td>·<a href="/web/xwzx/2026/1112/102.html">全县秋冬季森林防火工作部署会召开</a></td><td>2026年11月12日</td></tr>
<tr><td>·<a href="/web/xwzx/2026/1030/103.html">县领导调研重点项目建设</a></td><td>2026年10月30日</td></tr>
</table><table><tr><td><b>公示公告</b> <a href="/web/gsgg/index.html">更多&gt;&gt;</a></td></tr>
<tr><td>·<a href="/web/gsgg/2026/1119/201.html">2026年县级预算公开</a></td><td>2026年11月19日</td></tr>
<tr><td>·<a href="/web/gsgg/2026/0701/202.html">关于开展人口普查的公告</a></td><td>2026年07月01日</td></tr>
</table><img src="/web/img/nothing.png"></body></html>"""),
    "/web/xwzx/index.html": html("""<html><body><ul><li><a href="/web/xwzx/2026/1118/101.html">县长主持召开县政府常务会议</a> 2026-11-18</li>
<li><a href="/web/xwzx/2026/1112/102.html">全县秋冬季森林防火工作部署会召开</a> 2026-11-12</li></ul></body></html>"""),
    "/web/gsgg/index.html": html("""<html><body><ul><li><a href="/web/gsgg/2026/1119/201.html">2026年县级预算公开</a> 2026-11-19</li>
</ul></body></html>"""),
    "/web/ghjh/index.html": html("<html><body><ul></ul><p>暂无信息</p></body></html>"),
    "/web/zxft/index.html": html("""<html><body><ul><li><a href="/web/zxft/2026/0601/401.html">县长在线访谈</a> 2026-06-01</li>
</ul></body></html>"""),
    "/web/img/top.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff"),
    "/web/ldxx.html": html("<html><body>领导信息</body></html>"),
}
for _path in ("/web/xwzx/2026/1118/101.html", "/web/xwzx/2026/1112/102.html", "/web/xwzx/2026/1030/103.html",
              "/web/gsgg/2026/1119/201.html", "/web/gsgg/2026/0701/202.html", "/web/zxft/2026/0601/401.html"):
    FRAME_SITE[_path] = html("<html><body><h1>正文</h1><p>发布日期：2026-06-01</p></body></html>")


@pytest.fixture(scope="module")
def frame_run() -> tuple[CheckRun, LoopbackServer]:
    return check(FRAME_SITE)


def test_script_redirect_to_a_frameset_reaches_the_main_frame(frame_run: tuple[CheckRun, LoopbackServer]) -> None:
    run, srv = frame_run
    assert run.crawl.homepage_url == srv.url("/web/main.html")
    assert srv.count("/m/index.html") == 0  # the mobile branch is not followed
    # main frame: 3 news + 2 notices, in window (from 2026-11-06): 11-18, 11-12, 11-19 = 3
    assert measures(run, "site-not-updated") == {"homepage_items": 5, "homepage_items_in_window": 3, "navigation_only": False}


def test_frameset_columns_come_from_every_frame(frame_run: tuple[CheckRun, LoopbackServer]) -> None:
    run, _ = frame_run
    cols = {c["name"]: c for c in run.doc["columns"]}
    assert {"新闻中心", "公示公告", "规划计划", "在线访谈"} <= set(cols)
    assert measures(run, "columns-not-updated")["blank_columns"] == 1  # 规划计划: 暂无信息
    assert measures(run, "interviews") == {"has_column": True, "activities_in_year": 1}


def test_frames_are_crawled_but_are_no_links(frame_run: tuple[CheckRun, LoopbackServer]) -> None:
    run, srv = frame_run
    for path in ("/web/index.html", "/web/top.html", "/web/left.html", "/web/main.html"):
        assert srv.url(path) in run.crawl.pages and srv.url(path) not in run.crawl.links
    # links: start URL, top.jpg, 4 nav columns, broken-top.html, ldxx.html, 5 stories, nothing.png,
    # zxft story = 15; homepage (main frame) broken: nothing.png; other: broken-top.html (banner frame)
    assert measures(run, "link-availability") == {"checked": 15, "homepage_broken": 1, "other_broken": 1}


def test_client_redirect_forms() -> None:
    base = "http://www.example.gov.cn/"
    assert client_redirect("<meta http-equiv=REFRESH content='0;URL=\"/a/\"'>", base) == base + "a/"
    assert client_redirect('<meta http-equiv="refresh" content="2; url=b.html">', base) == base + "b.html"
    assert client_redirect('<meta http-equiv="refresh" content="1800">', base) is None  # a periodic reload
    assert client_redirect("<script>top.location='/c.html';</script>", base) == base + "c.html"
    assert client_redirect("<script>self.location.replace('/d.html')</script>", base) == base + "d.html"
    assert client_redirect('<script>if (location.href == "/x") {}</script>', base) is None
    full = "<body>" + "".join(f"<a href='/p{i}.html'>栏目{i}</a>" for i in range(20))
    assert client_redirect(full + "<script>function go(){location.href='/e.html'}</script></body>", base) is None
    frames = '<frameset cols="20%,*"><frame src="l.html"><frame src="r.html"></frameset>'
    assert [(link.url, link.tag) for link in extract_links(frames, base)] == [(base + "l.html", "frame"), (base + "r.html", "frame")]


# --------------------------------------------------------------------------- message boards

BOARD_NAV = """<ul><li><a href="/hdjl/ldxx/index.html">领导信箱</a></li><li><a href="/hdjl/zxzx/index.html">在线咨询</a></li>
<li><a href="/xwzx/index.html">新闻动态</a></li></ul>"""


def _table_page(rows: str, nxt: str) -> Route:
    return html(f"""<html><body>{BOARD_NAV}<table><tr><th>编号</th><th>标题</th><th>留言时间</th><th>状态</th><th>回复时间</th></tr>
{rows}</table><div>共2页 {nxt}</div></body></html>""")


def _detail(title: str, asked: str, question: str, reply: str = "") -> Route:
    return html(f"""<html><body><h1>{title}</h1><table><tr><td>留言时间：</td><td>{asked}</td></tr></table>
<div><h3>留言内容</h3><p>{question}</p></div>{reply}</body></html>""")


BOARD_SITE: dict[str, Route] = {
    "/": html(f"""<html><body>{BOARD_NAV}<ul><li><a href="/xwzx/1.html">县政府召开常务会议</a> 2026-11-18</li></ul></body></html>"""),
    "/xwzx/index.html": html('<html><body><ul><li><a href="/xwzx/1.html">县政府召开常务会议</a> 2026-11-18</li></ul></body></html>'),
    "/xwzx/1.html": html("<html><body><h1>县政府召开常务会议</h1><p>发布时间：2026-11-18</p></body></html>"),
    "/hdjl/ldxx/index.html": _table_page("""
<tr><td>105</td><td><a href="/hdjl/ldxx/105.html">小区停车难问题</a></td><td>2026-11-02</td><td>已回复</td><td>2026-11-06</td></tr>
<tr><td>104</td><td><a href="/hdjl/ldxx/104.html">农村公路破损</a></td><td>2026-05-01</td><td>未回复</td><td></td></tr>
<tr><td>103</td><td><a href="/hdjl/ldxx/103.html">学校周边交通安全</a></td><td>2026-04-10</td><td>已回复</td><td>2026-04-15</td></tr>""",
                                         '<a href="/hdjl/ldxx/index_1.html">下一页</a>'),
    "/hdjl/ldxx/index_1.html": _table_page("""
<tr><td>102</td><td><a href="/hdjl/ldxx/102.html">供暖费用咨询</a></td><td>2026-01-05</td><td>已回复</td><td>2026-04-20</td></tr>
<tr><td>101</td><td><a href="/hdjl/ldxx/101.html">路灯不亮</a></td><td>2025-10-01</td><td>已回复</td><td>2026-03-01</td></tr>""",
                                           '<a href="/hdjl/ldxx/index.html">上一页</a>'),
    "/hdjl/zxzx/index.html": html(f"""<html><body>{BOARD_NAV}<ul>
<li><a href="/hdjl/zxzx/201.html">社保转移接续咨询</a> [2026-06-01]</li>
<li><a href="/hdjl/zxzx/202.html">老旧小区改造进度</a> [2026-05-10]</li>
<li><a href="/hdjl/zxzx/203.html">城乡居民医保缴费</a> [2026-10-01]</li>
<li><a href="/hdjl/zxzx/204.html">营业执照变更</a> [2026-07-01]</li></ul></body></html>"""),
    "/hdjl/zxzx/201.html": _detail("社保转移接续咨询", "2026-06-01",
                                   "我于2025年3月1日提交了社保转移申请，至今未办结，请问原因？",
                                   "<div><h3>回复内容</h3><p>您好！经核实，您的转移手续已于本周办结。</p><p>县人社局 2026-06-05</p></div>"),
    "/hdjl/zxzx/202.html": _detail("老旧小区改造进度", "2026-05-10",
                                   "我们小区2026年1月列入改造计划，2026年2月1日开始施工后一直停工。",
                                   "<div><p><b>答复内容：</b></p><p>您反映的问题已转施工单位整改。</p><p>县住建局</p><p>2026年9月20日</p></div>"),
    "/hdjl/zxzx/203.html": _detail("城乡居民医保缴费", "2026-10-01", "2026年度医保缴费截止时间是哪天？",
                                   "<div><h3>回复内容</h3><p>暂无回复</p></div>"),
    "/hdjl/zxzx/204.html": _detail("营业执照变更", "2026-07-01", "我于2026年6月20日提交变更申请。",
                                   "<div><h3>答复内容</h3><p>根据2026年1月1日起施行的《办法》，已为您办理。</p><p>县市场监管局 2026-07-03</p></div>"),
}
for _n, (_asked, _replied) in {105: ("2026-11-02", "2026-11-06"), 104: ("2026-05-01", ""), 103: ("2026-04-10", "2026-04-15"),
                               102: ("2026-01-05", "2026-04-20"), 101: ("2025-10-01", "2026-03-01")}.items():
    _reply = f"<div><h3>回复内容</h3><p>已处理。</p><p>县交通局 {_replied}</p></div>" if _replied else ""
    BOARD_SITE[f"/hdjl/ldxx/{_n}.html"] = _detail(f"留言{_n}", _asked, f"我在{_asked}前后多次反映过。", _reply)


def test_reply_date_is_read_from_the_reply_block() -> None:
    params = CL.params("poor-interaction")
    want = {201: (date(2026, 6, 1), date(2026, 6, 5), True), 202: (date(2026, 5, 10), date(2026, 9, 20), True),
            203: (date(2026, 10, 1), None, False), 204: (date(2026, 7, 1), date(2026, 7, 3), True)}
    for n, truth in want.items():
        route = BOARD_SITE[f"/hdjl/zxzx/{n}.html"]
        assert isinstance(route, tuple)
        page = Page(url=f"http://127.0.0.1/hdjl/zxzx/{n}.html", status=200, html=route[2].decode("utf-8"))
        msg = read_detail(page, board_groups(params), params, AS_OF)
        assert msg is not None and (msg.submitted, msg.replied, msg.answered) == truth, n


def test_board_measures() -> None:
    run, _ = check(BOARD_SITE)
    # in the 365 days from 2025-11-20: 105, 104, 103, 102 (101 is older) + 201..204 = 8;
    # overdue (> 90 days): 104 unanswered since 2026-05-01 (203 days), 102 (105 days), 202 (133 days)
    assert measures(run, "poor-interaction") == {"has_channel": True, "messages_in_year": 8, "overdue_messages": 3}
    assert measures(run, "consultation") == {"has_column": True, "messages_in_year": 8}


# --------------------------------------------------------------------------- attachments

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILES_SITE: dict[str, Route] = {
    "/": html("""<html><body><ul><li><a href="/bsfw/bgxz/index.html">表格下载</a></li><li><a href="/xwzx/">新闻</a></li>
<li><a href="/bsfw/">办事服务</a></li></ul></body></html>"""),
    "/xwzx/": html("<html><body>新闻</body></html>"),
    "/bsfw/": html("<html><body>办事服务</body></html>"),
    "/bsfw/bgxz/index.html": html("""<html><body><h3>表格下载</h3><ul>
<li><a href="/upload/附件1：申请表.docx">附件1：申请表.docx</a></li>
<li><a href="/upload/附件2：承诺书.pdf">附件2：承诺书.pdf</a></li>
<li><a href="/download.jsp?id=12">企业登记表格下载</a></li>
<li><a href="/download.jsp?id=13">附件3：变更登记表.xls</a></li>
<li><a href="/download.jsp?id=14">附件4：注销申请书.doc</a></li>
<li><a href="/files/%E8%AF%B4%E6%98%8E.pdf">办事说明</a></li>
</ul></body></html>"""),
    "/upload/%E9%99%84%E4%BB%B61%EF%BC%9A%E7%94%B3%E8%AF%B7%E8%A1%A8.docx": (200, {"Content-Type": DOCX}, b"PK\x03\x04docx"),
    "/upload/%E9%99%84%E4%BB%B62%EF%BC%9A%E6%89%BF%E8%AF%BA%E4%B9%A6.pdf": FILE_MISSING,
    "/download.jsp?id=12": (200, {"Content-Type": "application/octet-stream",
                                  "Content-Disposition": 'attachment; filename="%E7%99%BB%E8%AE%B0%E8%A1%A8.doc"'}, b"\xd0\xcf\x11\xe0doc"),
    "/download.jsp?id=13": FILE_MISSING,
    "/download.jsp?id=14": NOT_FOUND,
}


def test_attachments_with_chinese_names_and_download_scripts() -> None:
    run, _ = check(FILES_SITE)
    # 6 downloads; broken: 附件2 (HTML 文件不存在 behind a 200), id=13 (the same), id=14 (404), 说明.pdf (404)
    assert measures(run, "attachments") == {"checked": 6, "broken": 4}
    broken = sorted(f["url"].rsplit("/", 1)[-1] for f in run.doc["indicators"]["attachments"]["findings"])
    assert broken == ["%E8%AF%B4%E6%98%8E.pdf", "%E9%99%84%E4%BB%B62%EF%BC%9A%E6%89%BF%E8%AF%BA%E4%B9%A6.pdf",
                      "download.jsp?id=13", "download.jsp?id=14"]
