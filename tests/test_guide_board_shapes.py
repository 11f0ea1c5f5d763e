"""Guide and board shapes from real county sites that the readers once got wrong.

- a guide's fields come from the guide itself, never the site footer (联系电话 of the web office,
  an empty last section running on into 网站地图 | 联系我们 / 主办单位 lines);
- placeholders with punctuation or a filler (暂无。 暂无相关信息 无。 ——) are empty, real short
  values (不收费, 无需预约) are not;
- a flowchart image alone is the 办理流程;
- a board table with 1-px spacer rows under its header row is still a table of messages;
- a combined label (办理地点及时间) fills both fields.
"""

from __future__ import annotations

from datetime import date

from inspector.core.checklist import load_checklist
from inspector.core.extract.guides import is_empty, read_guide
from inspector.core.extract import messages
from inspector.core.extract.messages import board_groups, read_board, table_records
from inspector.core.model import Column, CrawlResult, Page
from inspector.core.web.html import document, parse

CENSUS = load_checklist("census-2015")
PARAMS = CENSUS.params("service-guides")
GUIDE_GROUPS = {e[0]: list(e) for e in PARAMS["elements"]}
BOARD = board_groups(CENSUS.params("poor-interaction"))
AS_OF = date(2026, 11, 20)
HOST = "http://127.0.0.1:1"

TOP = """<div class="top"><span>今天是：2026年11月20日</span>
<span><a href="/">设为首页</a> | <a href="/">加入收藏</a> | <a href="/">无障碍浏览</a></span></div>
<div id="logo"><img src="/images/logo.png" alt="某某县人民政府"></div>
<div id="menu"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="crumb">您现在的位置：<a href="/">首页</a> &gt; 办事服务 &gt; 办事指南</div>"""

FOOTER = """<div id="bottom"><div class="links"><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></div>
<p>主办单位：某某县人民政府办公室　承办单位：某某县数据资源管理局</p>
<p>网站标识码：3406000012　<a href="https://beian.miit.gov.cn/">皖ICP备05001234号</a>　皖公网安备 34060002000123号</p>
<p>联系电话：0561-3012345　地址：某某县人民路1号</p></div>"""


def page(body: str, path: str = "/bsfw/bszn/202610/t20261012_1.html", title: str = "办事指南") -> Page:
    url = HOST + path
    html = f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'
    p = Page(url=url, final_url=url, status=200, content_type="text/html", html=html)
    p.links = document(p).links
    return p


def table_guide(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f'<tr><td class="lb">{k}</td><td>{v}</td></tr>' for k, v in rows)
    return f'<h1>城乡居民基本养老保险待遇申领</h1><table class="bszn" border="1" width="100%">{cells}</table>'


FULL = [
    ("事项名称", "城乡居民基本养老保险待遇申领"),
    ("设定依据", "《国务院关于建立统一的城乡居民基本养老保险制度的意见》"),
    ("受理条件", "年满60周岁，累计缴费满15年"),
    ("申请材料", "居民身份证原件"),
    ("办理地点", "县政务服务中心三楼12号窗口"),
    ("办理时间", "工作日 8:30-12:00，14:30-17:30"),
    ("办理流程", "申请→受理→审核→办结"),
]


def test_the_site_footer_phone_is_not_the_guides_phone() -> None:
    guide = read_guide(page(TOP + table_guide(FULL) + FOOTER), PARAMS)
    assert guide is not None and guide.missing == ["联系电话"]
    # the guide's own phone (last row, right above the footer) still counts
    guide = read_guide(page(TOP + table_guide([*FULL, ("咨询电话", "0561-3023456")]) + FOOTER), PARAMS)
    assert guide is not None and guide.missing == []


def test_a_semantic_footer_and_header_are_left_out() -> None:
    body = (
        '<header><p>政务服务热线</p><p>联系电话：12345</p></header>'
        + "<main>" + table_guide(FULL) + "</main>"
        + '<footer><p>版权所有：某某县人民政府</p><p>联系电话：0561-3012345</p></footer>'
    )
    guide = read_guide(page(body), PARAMS)
    assert guide is not None and guide.missing == ["联系电话"]


def headed_guide(last: str) -> str:
    return (
        '<h1>农村村民宅基地审批</h1><div class="article">'
        "<h4>一、事项名称</h4><p>农村村民宅基地审批</p>"
        "<h4>二、设定依据</h4><p>《中华人民共和国土地管理法》第六十二条</p>"
        "<h4>三、申请条件</h4><p>本集体经济组织成员，一户只能拥有一处宅基地</p>"
        "<h4>四、申请材料</h4><p>1.农村宅基地和建房（规划许可）申请表；2.户口簿复印件</p>"
        f"<h4>五、办理流程</h4>{last}</div>"
    )


def test_an_empty_last_section_does_not_run_on_into_the_footer() -> None:
    guide = read_guide(page(TOP + headed_guide("<p>暂无</p>") + FOOTER), PARAMS)
    assert guide is not None
    assert "办理流程" in guide.missing and "办理流程" in guide.empty
    assert "联系电话" in guide.missing


def test_a_flat_footer_after_the_guide_is_left_out() -> None:
    # the footer lines are the body's own paragraphs, no wrapping block
    flat = (
        "<p>主办单位：某某县人民政府办公室</p><p>联系电话：0561-3012345</p>"
        "<p>网站标识码：3406000012 皖ICP备05001234号</p>"
    )
    guide = read_guide(page(headed_guide("<p>&nbsp;</p>") + flat), PARAMS)
    assert guide is not None
    assert "联系电话" in guide.missing and "办理流程" in guide.missing


def test_a_flowchart_image_is_the_process() -> None:
    chart = '<p style="text-align:center"><img src="/bsfw/images/lct.jpg" width="600" alt="办理流程图"></p>'
    guide = read_guide(page(TOP + headed_guide(chart) + FOOTER), PARAMS)
    assert guide is not None and "办理流程" in guide.present
    assert "联系电话" in guide.missing  # the footer's, not the guide's
    spacer = '<p><img src="/images/spacer.gif" width="1" height="1"></p>'
    guide = read_guide(page(TOP + headed_guide(spacer) + FOOTER), PARAMS)
    assert guide is not None and "办理流程" in guide.missing


def test_placeholders_with_punctuation_or_a_filler_are_empty() -> None:
    empties = PARAMS["empty_values"]
    for value in ("暂无。", "暂无相关信息", "无。", "——", "――", "\xa0", "暂无数据", "（无）", "暂无相关内容。"):
        assert is_empty(value, empties), value
    for value in ("不收费", "免费", "无需预约", "无收费", "暂无收费项目，办理不收取任何费用", "0561-3023456"):
        assert not is_empty(value, empties), value
    rows = [("事项名称", "某事项"), ("设定依据", "暂无。"), ("申请条件", "暂无相关信息"), ("申请材料", "无。"),
            ("办理地点", "——"), ("办理时间", "工作日"), ("收费标准", "不收费"), ("咨询电话", "0561-3023456"),
            ("办理流程", "申请→受理→办结")]
    guide = read_guide(page(table_guide(rows)), PARAMS)
    assert guide is not None and guide.empty == ["设定依据", "申请条件", "办理材料", "办理地点"]


def test_a_combined_label_fills_both_fields() -> None:
    label_keys = messages.label_keys
    assert label_keys("办理地点及时间", GUIDE_GROUPS) == ["办理地点", "办理时间"]
    assert label_keys("五、受理地点和时间：", GUIDE_GROUPS) == ["办理地点", "办理时间"]
    assert label_keys("办理地点", GUIDE_GROUPS) == ["办理地点"]
    assert label_keys("办理地点及路线", GUIDE_GROUPS) == ["办理地点"]  # a part naming no field
    rows = [r for r in FULL if r[0] not in ("办理地点", "办理时间")]
    rows += [("办理地点及时间", "县政务服务中心三楼；周一至周五 8:30-17:30"), ("咨询电话", "0561-3023456")]
    guide = read_guide(page(table_guide(rows)), PARAMS)
    assert guide is not None and guide.missing == []
    # as a definition list and as a "label：value" line
    dl = ("<h1>某事项</h1><dl><dt>事项名称</dt><dd>某事项</dd><dt>设定依据</dt><dd>《条例》</dd>"
          "<dt>办理地点及时间</dt><dd>县政务服务中心；工作日</dd></dl>")
    guide = read_guide(page(dl), PARAMS)
    assert guide is not None and {"办理地点", "办理时间"} <= set(guide.present)
    text = ("<h1>某事项</h1><div><p>事项名称：某事项</p><p>设定依据：《条例》</p>"
            "<p>办理地点及时间：县政务服务中心一楼，工作日9:00-17:00</p></div>")
    guide = read_guide(page(text), PARAMS)
    assert guide is not None and {"办理地点", "办理时间"} <= set(guide.present)


SPACER = '<tr><td colspan="5" height="1" bgcolor="#e5e5e5"><img src="/images/spacer.gif" width="1" height="1"></td></tr>'
BOARD_PAGE = (
    '<table width="100%" cellspacing="0">'
    "<tr><td>编号</td><td>标题</td><td>留言时间</td><td>回复时间</td><td>状态</td></tr>" + SPACER
    + '<tr><td>1002</td><td><a href="javascript:void(0)" onclick="showMsg(1002)">农村饮水安全问题反映</a></td>'
    "<td>2026-07-01</td><td>&nbsp;</td><td>办理中</td></tr>" + SPACER
    + '<tr><td>1004</td><td><a href="javascript:void(0)" onclick="showMsg(1004)">关于增设公交站点的建议</a></td>'
    "<td>2026-03-02</td><td>2026-06-15</td><td>已回复</td></tr>" + SPACER + "</table>"
)


def test_a_spacer_row_under_the_header_row_keeps_the_board_table() -> None:
    p = page(BOARD_PAGE, path="/hdjl/ldxx/", title="领导信箱")
    assert len(table_records(parse(p.html).root, BOARD)) == 2
    crawl = CrawlResult(start_url=HOST + "/")
    crawl.pages[p.url] = p
    board = read_board(crawl, Column("领导信箱", p.url, "consultation"), CENSUS, AS_OF)
    got = sorted((str(m.submitted), str(m.replied) if m.replied else None, m.answered) for m in board.messages)
    assert got == [("2026-03-02", "2026-06-15", True), ("2026-07-01", None, False)]


def test_a_reply_dated_only_in_its_lead_sentence_has_that_reply_date() -> None:
    """县教育局于2026年8月30日答复：… gives the reply's date; the letter's own 您于…来信 does not."""
    from inspector.core.extract.messages import read_detail

    reply = ("<div class='hf'><h4>回复内容</h4><p>县教育局于2026年8月30日答复：</p>"
             "<p>您于2026年8月10日来信反映的问题收悉。招生划片范围已在县教育局网站公布，请查阅。</p></div>")
    letter = ("<h2>询问小学划片招生范围</h2><div class='info'>提交时间：2026-08-10 10:02</div>"
              "<div class='ly'><h4>留言内容</h4><p>请问今年小学划片范围是否调整？</p></div>")
    params = CENSUS.params("poor-interaction")
    answered = read_detail(page(f"{TOP}{letter}{reply}{FOOTER}", "/hdjl/zxzx/202608/t20260810_3.html", "在线咨询"), BOARD, params, AS_OF)
    assert answered is not None and (str(answered.submitted), str(answered.replied)) == ("2026-08-10", "2026-08-30")
    only_letter_date = reply.replace("县教育局于2026年8月30日答复：", "县教育局答复如下：")
    unknown = read_detail(page(f"{TOP}{letter}{only_letter_date}{FOOTER}", "/hdjl/zxzx/202608/t20260810_4.html", "在线咨询"),
                          BOARD, params, AS_OF)
    assert unknown is not None and unknown.replied is None  # 8月10日来信 is the letter's date, not the reply's
