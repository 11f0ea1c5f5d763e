"""List pages in date shapes and CMS templates the readers were not tuned on.

Each page below is small but written after a real template family: dates only in an attribute a
script fills in (``data-time``, ``<time datetime>``, a tooltip ``title``), relative times on newer
CMS (``3天前``, ``昨天 16:40``), ``20261118``, a 公文 date in Chinese numerals (``二〇二六年十一月三日``),
``[MM-DD]`` whose year only the URL carries, a 截止时间 printed before the publish date, and shapes that
already worked (a pager ``共 126 条 第1/9页``, a pinned old item, a 成文日期 | 发布日期 table, cards with a
date line under the title, dates inside the link, GBK pages declaring their charset only in <meta>).
The truth was counted by hand before the readers ran (as of ``AS_OF``). Page clocks, weather
widgets, counters, phone numbers, 文号 and ICP numbers must not date anything.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.extract import dates
from inspector.core.extract.dates import find_dates, parse_date
from inspector.core.extract.lists import detail_date, extract_items
from inspector.core.web.charset import decode_html

AS_OF = date(2026, 11, 20)
WINDOW = AS_OF - timedelta(days=14)
URL = "http://www.example.gov.cn/col/list/index.html"
CL = load_checklist()


def page(body: str, charset: str = "utf-8") -> str:
    """A page as the fetcher decodes it (the charset declared only in <meta>)."""
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body>{body}</body></html>'
    return decode_html(html.encode(charset), "text/html")[0]


def li(rows: list[tuple[str, str]], shape: str) -> str:
    return "".join(shape.format(n=n, title=title, date=d) for n, (title, d) in enumerate(rows))


TITLES = [
    "市政府召开常务会议研究部署冬季安全生产工作", "全市秋冬季重点项目集中开工", "市领导调研城市更新和老旧小区改造工作",
    "全市粮食生产工作推进会召开", "我市开展第四季度消防安全大检查", "青山市召开优化营商环境工作座谈会",
]

# --------------------------------------------------------------------------- the pages

DATA_TIME = '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gzdt/">工作动态</a></div><ul class="news">' + li(
    list(zip(TITLES, ["2026-11-19 16:20", "2026-11-17 09:05", "2026-11-12 18:40", "2026-11-05 11:00", "2026-10-30 15:30"])),
    '<li><a href="/gzdt/post_{n}.html">{title}</a><span class="time" data-time="{date}"></span></li>',
) + "</ul><script>$('.time').each(function(){{}});</script>"

TIME_ELEMENT = "<section>" + li(
    list(zip(TITLES, ['2026-11-19T17:02:00+08:00">昨天', '2026-11-18T09:30:00+08:00">2天前', '2026-11-15T08:00:00+08:00">5天前',
                      '2026-11-02T10:00:00+08:00">2026-11-02', '2026-10-15T15:00:00+08:00">2026-10-15'])),
    '<article class="item"><h3><a href="/bmdt/{n}.html">{title}</a></h3><div class="meta"><span>区人社局</span><time datetime="{date}</time></div></article>',
) + "</section>"

TOOLTIP = '<div class="list">' + li(
    list(zip(TITLES, ['2026-11-20 08:31:12">1小时前', '2026-11-17 10:02:45">3天前', '2026-11-10 16:20:00">10天前',
                      '2026-09-28 09:00:00">2026-09-28', '2026-08-03 09:00:00">2026-08-03'])),
    '<div class="row"><a href="/tzgg/{n}.htm" title="{title}">{title}</a><span class="date" title="{date}</span></div>',
) + "</div>"

RELATIVE = (
    '<div class="weather"><ul><li><span>今天</span> 晴转多云 3~12℃</li><li><span>明天</span> 多云 2~10℃</li>'
    '<li><span>后天</span> 小雨 1~8℃</li></ul></div><div class="clock">今天是2026年11月20日 星期五</div><div class="cards">'
    + li(list(zip(TITLES, ["1小时前", "今天 09:12", "昨天 16:40", "3天前", "11-10", "2026-10-30"])),
         '<div class="card"><a href="/zwdt/detail?id={n}">{title}</a><div class="foot"><span class="src">市应急管理局</span>'
         '<span class="ago">{date}</span></div></div>')
    + "</div>"
)

COMPACT = '<table class="list">' + li(
    list(zip(TITLES, ["20261117", "20261110", "20261103", "20261020", "20260915"])),
    '<tr><td>·</td><td><a href="/xzdt/detail.jsp?infoid={n}">{title}</a></td><td class="rq">{date}</td></tr>',
) + '</table><div class="foot"><span>总访问量：</span><span>20261112</span><span>联系电话：</span><span>20261108</span></div>'

YEAR_IN_URL = '<ul class="list">' + li(
    list(zip(TITLES, ["12-20", "12-05", "11-18", "11-03", "10-15", "09-30"])),
    '<li><span class="time">[{date}]</span><a href="/art/2024/{date}/art_1423_{n}.html">{title}</a></li>',
).replace("/12-", "/12/").replace("/11-", "/11/").replace("/10-", "/10/").replace("/09-", "/9/") + "</ul>"

CN_NUMERALS = '<ul class="wj">' + li(
    list(zip(TITLES, ["二〇二六年十一月十二日", "二〇二六年十一月三日", "二○二六年十月二十日", "二〇二六年九月三十日", "二〇二五年十二月三十一日"])),
    '<li><a href="/gfxwj/202611/a{n}.html">{title}（石府发〔2026〕1{n}号）</a><span class="fbrq">{date}</span></li>',
) + "</ul>"

DEADLINE_FIRST = '<ul class="zj">' + li(
    list(zip(TITLES, ["2026-12-05</span><span>2026-11-05", "2026-11-10</span><span>2026-10-10",
                      "2026-09-30</span><span>2026-09-01", "2026-07-15</span><span>2026-06-15"])),
    '<li><span class="zt">已结束</span><a href="/yjzj/view?id={n}">关于《{title}》公开征求意见的公告</a><span class="jz">截止时间：{date}</span></li>',
) + "</ul>"

PAGER = '<ul class="list">' + li(
    list(zip(TITLES, ["2026-11-19", "2026-11-18", "2026-11-06", "2026-11-01", "2026-10-29"])),
    '<li><a href="/bmdt/{n}.html">{title}</a><span>{date}</span></li>',
) + '</ul><div class="fenye"><span>共 126 条</span> <span>第1/9页</span> <a href="index.html">首页</a> <a href="index_1.html">下一页</a></div>' + (
    '<div class="fenye2">共 126 条 第1/9页 每页15条</div>')

PINNED = '<ul class="list"><li class="top"><em>[置顶]</em><a href="/gzdt/1001.html">关于开展“我为群众办实事”意见建议征集活动的公告</a>' + (
    '<span class="date">2024-03-01</span></li>') + li(
    list(zip(TITLES, ["2026-11-18", "2026-11-15", "2026-11-02", "2026-10-25"])),
    '<li><a href="/gzdt/29{n}.html">{title}</a><span class="date">{date}</span></li>',
) + "</ul>"

TWO_DATE_TABLE = '<table><thead><tr><th>序号</th><th>标题</th><th>文号</th><th>成文日期</th><th>发布日期</th></tr></thead><tbody>' + li(
    list(zip(TITLES, ["2026年11月2日</td><td>2026年11月9日", "2026年10月28日</td><td>2026年11月6日", "2026年10月15日</td><td>2026年10月20日",
                      "2026年9月1日</td><td>2026年9月8日", "2026年5月20日</td><td>2026年5月26日"])),
    '<tr><td>{n}</td><td><a href="/zfwj/c{n}.html">{title}</a></td><td>南府发〔2026〕1{n}号</td><td>{date}</td></tr>',
) + "</tbody></table>"

CARDS = '<div class="pics">' + li(
    list(zip(TITLES, ["11-16", "11-14", "11-08", "10-29", "10-20"])),
    '<div class="news-item"><div class="pic"><a href="/tpxw/n{n}.html"><img src="/u/a{n}.jpg" alt=""></a></div><div class="txt">'
    '<h3><a href="/tpxw/n{n}.html">{title}</a></h3><p class="desc">{date}日上午，{title}，会议研究部署冬季重点工作，要求确保落实到位。</p>'
    '<p class="time"><i class="icon"></i>发布时间：2026-{date}</p></div></div>',
).replace("11-16日", "11月16日").replace("11-14日", "11月14日").replace("11-08日", "11月8日") + "</div>"

IN_LINK = '<div class="wrap">' + "".join(
    f'<div class="row"><a href="/qxdt/c/{n}.html">{inner}</a></div>' for n, inner in enumerate([
        f'<span class="t">{TITLES[0]}</span><span class="d">2026-11-19</span>', f"{TITLES[1]} 2026-11-13", f"{TITLES[2]}（2026-11-06）",
        f"{TITLES[3]}[2026-10-12]", f"{TITLES[4]} 2026年9月21日",
    ])
) + "</div>"

GBK_HOME = (
    '<div id="top"><span id="clock">2026年11月20日 星期五</span> <span>农历丙午年十月初一</span></div>'
    '<table><tr><td class="lmbt"><b>安远要闻</b></td><td><a href="/ayyw/">more</a></td></tr></table><table class="newslist">'
    + li(list(zip(TITLES, ["11-19", "11-17", "11-10", "10-27"])),
         '<tr><td>&middot;<a href="/ayyw/77{n}.html">{title}</a></td><td class="sj">({date})</td></tr>')
    + '</table><div id="foot">Copyright &copy; 2005-2026 安远县人民政府 电话：0797-3721201<br>赣ICP备05004020号 网站标识码：3607260001<br>'
    "赣公网安备36072602000001号<br>最后更新：2026-11-20</div>"
)

# name -> (page, items, items in the 14-day window, newest)
PAGES: dict[str, tuple[str, int, int, date | None]] = {
    "data-time attribute only": (DATA_TIME, 5, 3, date(2026, 11, 19)),
    "time datetime with relative text": (TIME_ELEMENT, 5, 3, date(2026, 11, 19)),
    "tooltip title with relative text": (TOOLTIP, 5, 3, date(2026, 11, 20)),
    "relative times": (RELATIVE, 6, 5, date(2026, 11, 20)),
    "compact 20261117": (COMPACT, 5, 2, date(2026, 11, 17)),
    "yearless, year in URL": (YEAR_IN_URL, 6, 0, date(2024, 12, 20)),
    "Chinese numerals": (CN_NUMERALS, 5, 1, date(2026, 11, 12)),
    "deadline before publish date": (DEADLINE_FIRST, 4, 0, date(2026, 11, 5)),
    "pager 共126条 第1/9页": (PAGER, 5, 3, date(2026, 11, 19)),
    "pinned old item": (PINNED, 5, 2, date(2026, 11, 18)),
    "成文日期 | 发布日期": (TWO_DATE_TABLE, 5, 2, date(2026, 11, 9)),
    "cards, date line under the title": (CARDS, 5, 3, date(2026, 11, 16)),
    "date inside the link": (IN_LINK, 5, 3, date(2026, 11, 19)),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_list_shapes_hand_counted(name: str) -> None:
    html, count, in_window, newest = PAGES[name]
    items = [i for i in extract_items(page(html), URL, AS_OF, CL) if i.date is not None]
    assert len(items) == count
    assert sum(1 for i in items if WINDOW <= i.date <= AS_OF) == in_window  # type: ignore[operator]
    assert max((i.date for i in items), default=None) == newest  # type: ignore[type-var]


@pytest.mark.parametrize("charset", ["gbk", "gb2312"])
def test_gbk_homepage_box_with_footer_guards(charset: str) -> None:
    items = extract_items(page(GBK_HOME, charset), "http://www.example.gov.cn/", AS_OF, CL)
    assert sorted(i.date for i in items) == [date(2026, 10, 27), date(2026, 11, 10), date(2026, 11, 17), date(2026, 11, 19)]  # type: ignore[type-var]


# --------------------------------------------------------------------------- the rules, one by one


def test_attribute_dates_are_read_only_as_dates_and_little_else() -> None:
    items = extract_items(page(DATA_TIME), URL, AS_OF, CL)
    assert [i.raw_date for i in items][:2] == ["2026-11-19", "2026-11-17"]
    # a link's title attribute is its title, an image path or a counter in data-* is no date
    html = page('<ul class="l">' + li(list(zip(TITLES, ["1", "2", "3"])),
                '<li><a href="/x/{n}.html" title="{title} 2026-11-1{date}">{title}</a>'
                '<span data-src="/upload/2026-11-1{date}/a.jpg" data-hits="2026111{date}"></span></li>') + "</ul>")
    assert all(i.date is None for i in extract_items(html, URL, AS_OF, CL))


def test_relative_time_prefers_the_element_attribute() -> None:
    # the page was generated on the 17th: its "3天前" is the 14th, which the datetime attribute says
    html = page('<div class="l">' + li(list(zip(TITLES, ["14", "12"])),
                '<div class="r"><a href="/x/{n}.html">{title}</a><time datetime="2026-11-{date} 10:00">3天前</time></div>') + "</div>")
    assert [i.date for i in extract_items(html, URL, AS_OF, CL)] == [date(2026, 11, 14), date(2026, 11, 12)]


def test_a_list_dated_months_ago_is_not_blank() -> None:
    html = page('<ul class="l">' + li(list(zip(TITLES, ["2个月前", "3个月前", "5个月前", "1年前"])),
                '<li><a href="/tzgg/{n}.html">{title}</a><span>{date}</span></li>') + "</ul>")
    assert [i.date for i in extract_items(html, URL, AS_OF, CL)] == [
        date(2026, 9, 20), date(2026, 8, 20), date(2026, 6, 20), date(2025, 11, 20)]


def test_weather_and_clock_today_date_nothing() -> None:
    items = extract_items(page(RELATIVE), URL, AS_OF, CL)
    assert not any("℃" in i.title or "星期" in i.title for i in items)
    assert len(items) == 6


def test_compact_date_not_in_an_id_column_nor_beside_a_printed_date() -> None:
    ids = page('<table><tr><th>受理编号</th><th>信件标题</th><th>提交日期</th></tr>' + li(
        list(zip(TITLES, ["2026-10-02", "2026-09-28", "2026-09-20"])),
        '<tr><td>2026111{n}</td><td><a href="/xj/v?id={n}">{title}</a></td><td>{date}</td></tr>') + "</table>"
        '<table><tr><th>受理编号</th><th>信件标题</th></tr>' + li(
        list(zip(TITLES, ["20261101", "20261102"])), '<tr><td>{date}</td><td><a href="/xj/w?id={n}">{title}</a></td></tr>') + "</table>")
    items = extract_items(ids, URL, AS_OF, CL)
    assert sorted(i.date for i in items if i.date) == [date(2026, 9, 20), date(2026, 9, 28), date(2026, 10, 2)]  # type: ignore[type-var]


def test_yearless_date_takes_the_year_of_a_month_only_url() -> None:
    html = page('<ul>' + li(list(zip(TITLES, ["11-18", "11-03"])),
                '<li><a href="/xwzx/202411/{n}.html">{title}</a><span>({date})</span></li>') + "</ul>")
    assert [i.date for i in extract_items(html, URL, AS_OF, CL)] == [date(2024, 11, 18), date(2024, 11, 3)]
    # a URL of another month says nothing about the printed date's year
    html = page('<ul>' + li(list(zip(TITLES, ["11-18", "11-03"])),
                '<li><a href="/xwzx/202410/{n}.html">{title}</a><span>({date})</span></li>') + "</ul>")
    assert [i.date for i in extract_items(html, URL, AS_OF, CL)] == [date(2026, 11, 18), date(2026, 11, 3)]


def test_chinese_numeral_dates() -> None:
    assert parse_date("二〇二六年十一月三日", AS_OF) == date(2026, 11, 3)
    assert parse_date("成文日期：二○二六年十月二十日", AS_OF) == date(2026, 10, 20)
    assert parse_date("二〇二五年十二月三十一日", AS_OF) == date(2025, 12, 31)
    assert parse_date("二零二六年九月三十日", AS_OF) == date(2026, 9, 30)
    assert parse_date("二〇二六年二月三十日", AS_OF) is None
    assert find_dates("一九八九年六月四日", AS_OF) == []  # before MIN_YEAR
    article = page('<div class="xxgk">发布日期：二〇二六年十一月十二日</div><div class="content"><p>正文</p></div>')
    assert detail_date(article, URL, CL, AS_OF) == date(2026, 11, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3天前", date(2026, 11, 17)), ("昨天 16:40", date(2026, 11, 19)), ("前天", date(2026, 11, 18)), ("1小时前", AS_OF),
     ("10 分钟前", AS_OF), ("刚刚", AS_OF), ("今天 09:12", AS_OF), ("2周前", date(2026, 11, 6)), ("２天前", date(2026, 11, 18)),
     ("2个月前", date(2026, 9, 20)), ("11个月前", date(2025, 12, 20)), ("1年前", date(2025, 11, 20))],
)
def test_relative_date(text: str, expected: date) -> None:
    found = dates.relative_date(text, AS_OF)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize("text", ["3月前", "今天是2026年11月20日", "3天前发布", "发布于3天前以内", "明天", "999年前", ""])
def test_not_a_relative_date(text: str) -> None:
    assert dates.relative_date(text, AS_OF) is None


def test_compact_date_stands_alone() -> None:
    assert dates.compact_date("20261117", AS_OF) == (date(2026, 11, 17), "20261117")
    assert dates.compact_date("[20261117]", AS_OF) is not None
    for text in ("120261117", "2026111700012", "20261399", "电话：20261108", "20261117号", "ICP备20261117号"):
        assert dates.compact_date(text, AS_OF) is None


def test_relative_times_count_back_from_the_day_the_page_was_fetched() -> None:
    from inspector.core.model import Page

    rows = li(list(zip(TITLES, ["3天前", "昨天 16:40"])),
              '<div class="r"><a href="/zwdt/{n}.html">{title}</a><span class="ago">{date}</span></div>')
    stored = Page(url=URL, final_url=URL, status=200, content_type="text/html", html=page(f'<div class="l">{rows}</div>'),
                  fetched_at="2026-11-10T02:00:00+00:00")
    assert [i.date for i in extract_items(stored, URL, AS_OF, CL)] == [date(2026, 11, 7), date(2026, 11, 9)]
    stored = Page(url=URL, final_url=URL, status=200, content_type="text/html", html=page(f'<div class="l">{rows}</div>'),
                  fetched_at="2026-11-19T18:30:00+00:00")  # 02:30 on the 20th in Beijing
    assert [i.date for i in extract_items(stored, URL, AS_OF, CL)] == [date(2026, 11, 17), date(2026, 11, 19)]


def test_yearless_date_takes_the_year_of_a_url_dated_a_few_days_apart() -> None:
    # the CMS stamps the URL when the story is drafted; the list prints the day it was published
    html = page('<ul>' + li(list(zip(TITLES, [("2024/11/15", "11-18"), ("2024/12/28", "01-03"), ("2021/3/2", "11-18")])),
                '<li><a href="/art/{date[0]}/art_9_{n}.html">{title}</a><span>[{date[1]}]</span></li>') + "</ul>")
    assert [i.date for i in extract_items(html, URL, AS_OF, CL)] == [date(2024, 11, 18), date(2025, 1, 3), date(2026, 11, 18)]
