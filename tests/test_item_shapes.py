"""Item shapes a generalisation probe found read wrong (pages written after common 政府网站 CMS output).

Truth counted by hand from the pages, as of ``AS_OF``:

- a date line that also carries the item's views or source (``发布时间：… 浏览次数：…``): the items are dated;
- a date badge of two parts, the day and the year-month (``18`` over ``2026-11``), in either order;
- a detail page's 上一篇 / 下一篇 links are navigation, not a list (their URLs carry dates);
- a 信息公开 metadata table (label cells and value cells) is not a list of linkless items.
"""

from __future__ import annotations

from datetime import date

from inspector.core.checklist import load_checklist
from inspector.core.extract.lists import extract_items

AS_OF = date(2026, 11, 20)
CL = load_checklist()
LIST_URL = "http://www.xx.gov.cn/zwdt/bmdt/index.html"

TOP = ("<!doctype html><html><head><meta charset='utf-8'><title>部门动态 - 某县人民政府</title></head><body>"
       "<div class='top'><span>今天是：2026年11月20日 星期五</span><span>访问量：3341256</span></div>"
       "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a><a href='/hdjl/'>互动交流</a></div>")
HEAD = TOP + "<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwdt/'>政务动态</a> &gt; 部门动态</div>"
FOOT = "<div class='foot'>主办：某县人民政府办公室 版权所有 2006-2026 皖ICP备05001234号</div></body></html>"


def dates(html: str, url: str = LIST_URL) -> list[str | None]:
    return [i.date.isoformat() if i.date else None for i in extract_items(html, url, AS_OF, CL)]


def test_a_date_line_that_also_names_the_views_or_the_source_dates_its_item() -> None:
    rows = [("县农业农村局开展秋冬种技术指导", "发布时间：2026-11-18　浏览次数：1356"),
            ("县市场监管局开展燃气安全专项检查", "来源：县市场监管局　2026-11-16"),
            ("县教体局部署冬季校园安全工作", "2026-11-09 | 点击：56"),
            ("县医保局开展医保基金监管宣传月活动", "发布日期：2026-10-27 阅读次数：201")]
    items = "".join(f"<li><a href='/zwdt/bmdt/{n}.html'>{t}</a><p class='info'>{d}</p></li>" for n, (t, d) in enumerate(rows))
    page = f"{HEAD}<div class='main'><ul class='list'>{items}</ul></div>{FOOT}"
    assert dates(page) == ["2026-11-18", "2026-11-16", "2026-11-09", "2026-10-27"]


def test_a_date_badge_of_day_and_year_month_dates_its_item_in_either_order() -> None:
    stories = [("18", "2026-11", "潜江市召开冬季安全生产工作会议"), ("16", "2026-11", "市委理论学习中心组开展专题学习"),
               ("30", "2026-10", "全市重点项目建设现场推进会召开")]
    day_first = "".join(f"<div class='news-item'><div class='date'><b>{d}</b><i>{ym}</i></div>"
                        f"<a href='/xw/{n}.html'>{t}</a></div>" for n, (d, ym, t) in enumerate(stories))
    month_first = "".join(f"<li><span class='ym'>{ym.replace('-', '.')}</span><span class='d'>{d}</span>"
                          f"<a href='/tz/{n}.html'>{t}</a></li>" for n, (d, ym, t) in enumerate(stories))
    plain = "<ul><li><a href='/gg/1.html'>关于冬季供暖工作的通告</a><span>2026-10-01</span></li></ul>"
    expected = ["2026-11-18", "2026-11-16", "2026-10-30"]
    assert dates(f"{HEAD}<div class='news'>{day_first}</div>{plain}{FOOT}", "http://www.xx.gov.cn/") == expected + ["2026-10-01"]
    assert dates(f"{HEAD}<ul class='tz'>{month_first}</ul>{FOOT}", "http://www.xx.gov.cn/") == expected


def test_a_detail_pages_previous_and_next_links_are_not_a_list() -> None:
    article = ("<div class='article'><h1>关于开展冬季学校安全大检查的通知</h1><p class='info'>发布时间：2026-11-18　来源：县教体局</p>"
               "<div class='content'><p>各中小学校：为切实做好冬季校园安全工作，现就有关事项通知如下。</p>"
               "<p style='text-align:right'>县教育体育局</p><p style='text-align:right'>2026年11月18日</p></div></div>")
    inline = ("<div class='pn'><p>上一篇：<a href='/tzgg/202611/t20261115_1.html'>关于做好冬季校园消防安全工作的通知</a></p>"
              "<p>下一篇：<a href='/tzgg/202611/t20261119_2.html'>关于公布县级优秀教师拟表彰名单的公示</a></p></div>")
    labelled = ("<ul class='pn'><li><span>上一条：</span><a href='/tzgg/202611/t20261115_1.html'>关于做好冬季校园消防安全工作的通知</a></li>"
                "<li><span>下一条：</span><a href='/tzgg/202611/t20261119_2.html'>关于公布县级优秀教师拟表彰名单的公示</a></li></ul>")
    in_link = ("<div class='pn'><a href='/tzgg/202611/t20261115_1.html'>上一篇：关于做好冬季校园消防安全工作的通知</a>"
               "<a href='/tzgg/202611/t20261119_2.html'>下一篇：关于公布县级优秀教师拟表彰名单的公示</a></div>")
    url = "http://www.xx.gov.cn/tzgg/202611/t20261118_3.html"
    for neighbours in (inline, labelled, in_link):
        assert dates(f"{HEAD}{article}{neighbours}{FOOT}", url) == []


def test_a_document_metadata_table_is_not_a_list() -> None:
    table = ("<table class='xxgk-meta'>"
             "<tr><td>索引号：</td><td>11340123003048452H/2026-00215</td><td>信息分类：</td><td>政府文件</td></tr>"
             "<tr><td>发布机构：</td><td>肥西县人民政府办公室</td><td>生成日期：</td><td>2026-11-18</td></tr>"
             "<tr><td>名称：</td><td colspan='3'>肥西县人民政府关于印发森林防火工作方案的通知</td></tr>"
             "<tr><td>文号：</td><td>西政〔2026〕58号</td><td>发布日期：</td><td>2026-11-18</td></tr></table>"
             "<h1>肥西县人民政府关于印发森林防火工作方案的通知</h1><div class='content'><p>各乡镇人民政府：现将方案印发给你们。</p></div>")
    assert dates(f"{HEAD}{table}{FOOT}", "http://www.xx.gov.cn/xxgk/202611/t20261118_9.html") == []


def test_a_title_cut_short_reads_whole_from_its_title_attribute() -> None:
    """Cut one to three characters before its end, the shown title with its "..." is as long as the whole one."""
    rows = "".join(f"<tr><td class='dot'>·</td><td><a href='/tzgg/{n}.html' title='{t}'>{t[:-2]}...</a></td><td>{d}</td></tr>"
                   for n, (t, d) in enumerate([("市财政局关于开展财政票据专项检查的通知", "2026-11-18"),
                                               ("关于公布二〇二六年第三批行政许可事项的公告", "2026-11-12")]))
    page = f"{HEAD}<table class='list'>{rows}</table>{FOOT}"
    assert [i.title for i in extract_items(page, LIST_URL, AS_OF, CL)] == [
        "市财政局关于开展财政票据专项检查的通知", "关于公布二〇二六年第三批行政许可事项的公告"]


def test_the_pager_script_with_its_element_first_counts_pages_from_one() -> None:
    from inspector.core.extract.lists import next_page_url

    rows = "<ul><li><a href='./202611/t20261118_1.html'>关于征集民生实事项目意见建议的公告</a><span>2026-11-18</span></li></ul>"
    here = "http://www.xx.gov.cn/hdjl/yjzj/index.html"
    first = f"{HEAD}{rows}<div id='page_div'></div><script>createPageHTML('page_div', 4, 1, 'index', 'html', 38);</script>{FOOT}"
    last = first.replace("createPageHTML('page_div', 4, 1,", "createPageHTML('page_div', 4, 4,")
    assert next_page_url(first, here, CL) == "http://www.xx.gov.cn/hdjl/yjzj/index_2.html"
    assert next_page_url(last, here.replace("index.html", "index_4.html"), CL) is None


def test_one_more_link_for_a_tab_box_belongs_to_its_first_pane_only() -> None:
    """A tab box with one 更多 that its script points at the pane shown: the static link is the first pane's;
    giving it to the second pane would check the first column twice and the second never."""
    from inspector.core.extract.lists import extract_blocks

    def pane(path: str, rows: list[tuple[str, str]], hidden: bool) -> str:
        lis = "".join(f"<li><a href='/xwzx/{path}/202611/t202611{d}_{n}.html'>{t}</a><span>[11-{d}]</span></li>"
                      for n, (d, t) in enumerate(rows))
        style = " style='display:none'" if hidden else ""
        return f"<ul class='list'{style}>{lis}</ul>"

    box = ("<div class='box'><div class='tab-hd'><span class='on' onmouseover='tab(1,0)'>政务要闻</span>"
           "<span onmouseover='tab(1,1)'>部门动态</span><a class='more' href='/xwzx/zwyw/'>更多&gt;&gt;</a></div>"
           "<div class='tab-bd'>"
           + pane("zwyw", [("19", "县委常委会召开会议传达学习全会精神"), ("18", "县长调研冬季供暖保障工作"), ("12", "县政府党组召开专题民主生活会")], False)
           + pane("bmdt", [("17", "县教体局开展校园食品安全检查"), ("14", "县民政局走访慰问困难群众"), ("03", "县自然资源局开展耕地保护宣传")], True)
           + "</div></div>")
    blocks = extract_blocks(f"{HEAD}{box}{FOOT}", "http://www.xx.gov.cn/", AS_OF, CL)
    assert [(b.heading, b.more_url) for b in blocks] == [("政务要闻", "http://www.xx.gov.cn/xwzx/zwyw/"), ("部门动态", None)]


def test_a_short_list_beside_the_location_line_is_not_the_breadcrumb() -> None:
    """A column with two stories under its 当前位置 line, in one container: the stories are items, the crumb's links not."""
    main = ("<div class='main'><div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwdt/'>政务动态</a></div>"
            "<ul><li><a href='/zwdt/bmdt/1.html'>县农业农村局开展秋冬种技术指导</a><span>2026-11-18</span></li>"
            "<li><a href='/zwdt/bmdt/2.html'>县市场监管局开展燃气安全检查</a><span>2026-10-16</span></li></ul></div>")
    crumb_list = ("<ul class='crumb'><li>您现在所在的位置：</li><li><a href='/'>首页</a></li><li>&gt;</li>"
                  "<li><a href='/zwdt/'>政务动态</a></li></ul>")
    page = f"{TOP}{crumb_list}{main}{FOOT}"
    items = extract_items(page, LIST_URL, AS_OF, CL)
    assert [(i.title, i.date.isoformat() if i.date else None) for i in items] == [
        ("县农业农村局开展秋冬种技术指导", "2026-11-18"), ("县市场监管局开展燃气安全检查", "2026-10-16")]



def test_a_linkless_title_ending_in_a_date_word_is_a_title_and_a_labelled_value_is_not() -> None:
    """A letter titled …截止时间 is a letter, not the 留言时间 header; 留言人：李** beside it is not its title."""
    letters = [("关于小区门前道路积水问题的反映", "张**", "2026-11-18"), ("咨询城乡居民医保缴费截止时间", "李**", "2026-11-12"),
               ("反映某路段路灯长期不亮的问题", "王**", "2026-11-02"), ("关于农村危房改造补助政策的咨询", "赵**", "2026-10-22")]
    for row in ("<tr><td>{t}</td><td>{who}</td><td>{d}</td></tr>", "<tr><td>{t}</td><td>留言人：{who}</td><td>留言时间：{d}</td></tr>"):
        rows = "".join(row.format(t=t, who=who, d=d) for t, who, d in letters)
        page = f"{HEAD}<table class='board'><tr><th>标题</th><th>留言人</th><th>留言时间</th></tr>{rows}</table>{FOOT}"
        items = extract_items(page, "http://www.xx.gov.cn/hdjl/zxts/index.html", AS_OF, CL)
        assert [(i.title, i.date.isoformat() if i.date else None) for i in items] == [(t, d) for t, _, d in letters]


def test_an_old_tables_first_row_is_the_lists_title_but_a_header_row_is_not() -> None:
    """``<tr><td><b>通知公告</b> <a>more</a></td></tr>`` over the item rows names the list; a 标题 | 发布日期 header
    row does not (the heading above the table does)."""
    from inspector.core.extract.lists import extract_blocks

    rows = "".join(f"<tr><td>·<a href='/news/show.asp?id={n}'>{t}</a> <font color='#666'>({d})</font></td></tr>"
                   for n, (t, d) in enumerate([("关于开展2026年度城乡居民医保征缴工作的通知", "11-17"),
                                               ("镇2026年度公益性岗位招聘公告", "11-02"), ("关于秸秆禁烧工作的通告", "10-09")]))
    titled = f"<table width='100%'><tr><td class='tit'><b>通知公告</b> <a href='/gg/'>more</a></td></tr>{rows}</table>"
    header = ("<h3>政务动态</h3><table><tr><td>标题</td><td>发布日期</td></tr>"
              + "".join(f"<tr><td><a href='/zwdt/{n}.html'>{t}</a></td><td>2026-11-{d}</td></tr>"
                        for n, (t, d) in enumerate([("县政府召开常务会议研究冬季供暖工作", "18"), ("全县安全生产工作会议召开", "12")]))
              + "</table>")
    both = extract_blocks(f"{TOP}{titled}<div class='box'>{header}</div>{FOOT}", "http://www.xx.gov.cn/", AS_OF, CL)
    assert [(b.heading, b.more_url, len(b.items)) for b in both] == [
        ("通知公告", "http://www.xx.gov.cn/gg/", 3), ("政务动态", None, 2)]
