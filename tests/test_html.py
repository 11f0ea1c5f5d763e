"""The one HTML layer (inspector.core.web.html): decode, parse once, and what every reader takes from the parse."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from inspector.core.model import Page
from inspector.core.runner import CheckOptions, run_check
from inspector.core.web import html as web_html
from inspector.core.web.charset import prolog_charset
from inspector.core.web.html import counting_parses, decode, document, parse
from inspector.demo.region import serve_region

AS_OF = date(2026, 11, 20)
BASE = "http://www.example.gov.cn/xw/index.html"


# --------------------------------------------------------------------------- decoding


def test_an_xml_prolog_declares_the_encoding() -> None:
    text = '<?xml version="1.0" encoding="gb2312"?>\n<html><body><p>朱镕基同志故居修缮工程竣工，王堃调研</p></body></html>'
    body = text.encode("gbk")
    assert prolog_charset(body) == "gb18030"
    decoded, encoding = decode(body, "text/html")
    assert (decoded, encoding) == (text, "gb18030")
    assert prolog_charset(b"<html><?xml encoding='gbk'?>") is None  # only at the start of the body


def test_header_and_meta_still_come_first() -> None:
    body = '<?xml version="1.0" encoding="big5"?><html><head><meta charset="gbk"></head><body>某县人民政府网站</body></html>'
    assert decode(body.encode("gbk"), "text/html")[1] == "gb18030"  # the meta's GBK decodes, Big5 would not be tried
    assert decode("<html><body>政府</body></html>".encode("utf-8"), "text/html; charset=utf-8")[1] == "utf-8"


# --------------------------------------------------------------------------- the parsed page


def test_a_prolog_and_control_characters_do_not_stop_the_parse() -> None:
    doc = parse('<?xml version="1.0" encoding="gb2312"?><html><body><h1>标\x00题</h1><a href="/a.html">一</a></body></html>', BASE)
    assert doc.root is not None and doc.headings == ("标题",)
    assert [link.url for link in doc.links] == ["http://www.example.gov.cn/a.html"]


def test_visible_text_skips_scripts_styles_and_hidden_elements() -> None:
    doc = parse("<html><head><title>标题</title><style>p{}</style></head><body><p>看得见</p><script>var a='看不见';</script>"
                "<div hidden>隐藏</div><noscript>无脚本</noscript><template>模板</template><p>也看得见</p></body></html>")
    assert doc.visible_text == "看得见也看得见"  # text nodes as the page shows them (like text_content)
    assert doc.title == "标题"


@pytest.mark.parametrize("spelling", ["hidden", "HIDDEN", "Hidden", "hIDdEn", "HIDden"])
def test_a_hidden_attribute_in_any_case_hides_its_element(spelling: str) -> None:
    """The text is searched for the word before the tree is (plain searches first, a case-blind one
    only when they fail): every spelling must still reach the tree's lowercased attribute."""
    doc = parse(f"<html><body><p>看得见</p><div {spelling}><p>藏起来的</p></div><p>也看得见</p></body></html>")
    assert doc.visible_text == "看得见也看得见"


def test_links_are_resolved_and_normalised_one_way() -> None:
    doc = parse('<base href="/sub/"><a href="互动/留言 1.html#top">留言</a><a href="HTTP://WWW.Example.gov.cn:80/sub/x.html">x</a>', BASE)
    urls = [link.url for link in doc.links]
    assert urls == ["http://www.example.gov.cn/sub/%E4%BA%92%E5%8A%A8/%E7%95%99%E8%A8%80%201.html",
                    "http://www.example.gov.cn/sub/x.html"]
    anchors = [doc.link_url(a) for a in doc.root.iter("a")]  # type: ignore[union-attr]
    assert anchors == urls  # readers resolve an anchor exactly as the crawl keyed its page


def test_xml_islands_of_list_records_are_markup() -> None:
    page = ('<html><body><div id="list"></div><script type="text/xml"><datastore><recordset>'
            '<record><![CDATA[<li><a href="/art/1.html">第一条</a></li>]]></record>'
            '<record><![CDATA[<li><a href="/art/2.html">第二条</a></li>]]></record></recordset></datastore></script></body></html>')
    assert [link.text for link in parse(page, BASE).links] == ["第一条", "第二条"]


def test_a_page_is_parsed_once_and_again_only_when_its_html_is_replaced() -> None:
    page = Page(url=BASE, final_url=BASE, status=200, html="<html><body><p>静态</p></body></html>")
    with counting_parses() as counts:
        first = document(page)
        assert document(page) is first and first.visible_text == "静态"
        page.html = "<html><body><p>浏览器渲染</p></body></html>"  # a rendered DOM replaces the static HTML
        assert document(page).visible_text == "浏览器渲染"
    assert sorted(counts.values()) == [1, 1]
    assert "_doc" not in repr(page)


def test_trees_beyond_the_budget_are_let_go_keeping_what_every_page_reader_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_html, "TREE_BUDGET_CHARS", 100)
    text = "<html><head><title>旧页</title></head><body><h1>标题</h1><p>" + "正文" * 40 + "</p><a href='/a.html'>链接</a></body></html>"
    with counting_parses() as counts:
        old = parse(text, BASE)
        _ = old.links
        parse(text.replace("旧页", "新页"), BASE)  # over the budget: the older tree goes
        assert old._root is None
        assert (old.title, old.headings[1], [link.url for link in old.links]) == ("旧页", "标题", ["http://www.example.gov.cn/a.html"])
        assert sum(counts.values()) == 2  # kept facts need no parse
        assert old.root is not None  # a reader that needs the tree parses the page again
        assert sum(counts.values()) == 3


# --------------------------------------------------------------------------- once per check


def test_a_whole_check_of_a_demo_site_parses_every_page_exactly_once() -> None:
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3, min_interval=0)
    with serve_region(AS_OF) as region:
        for code in ("5399000001", "5399210001"):  # a city portal; a GBK county site with a message board
            with counting_parses() as counts:
                run = asyncio.run(run_check(region.urls[code], opts))
            pages = {(p.final_url or p.url, hash(p.html)) for p in run.crawl.pages.values() if p.html}
            assert len(pages) > 20
            assert max(counts.values()) == 1, [k[0] for k, n in counts.items() if n > 1]
            assert set(counts) == pages  # every page parsed, each exactly once, nothing else
