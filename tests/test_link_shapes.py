"""Link shapes of real government pages: which links a page has is the checklist's counting convention
(CHECKLIST.md), and each is the URL a person's browser asks for.

URLs written with backslashes, odd spaces or Chinese query values on a GBK page, list titles cut short:
each read as a browser reads it (inspector.core.web.html, inspector.core.web.urls), unit by unit and
through a whole check of a loopback site.
"""

from __future__ import annotations

import asyncio


from inspector.core.checklist import load_checklist
from inspector.core.checks.links import broken_links
from inspector.core.checks.service import names_file, service_outcomes
from inspector.core.model import CrawlResult, Page
from inspector.core.web.crawl import crawl_site
from inspector.core.web.fetch import Fetcher
from inspector.core.web.html import decode, document, extract_links
from tests.httpfixtures import LoopbackServer, blob, html

CENSUS = load_checklist("census-2015")
HOST = "http://www.example.gov.cn"
PAGE = HOST + "/zwgk/list.html"


def _links(page: str, url: str = PAGE) -> list[tuple[str, str, str]]:
    return [(link.url, link.tag, link.text) for link in extract_links(page, url)]


# --------------------------------------------------------------------------- what is clicked


def test_the_links_are_those_of_the_checklists_counting_conventions() -> None:
    """CHECKLIST.md names what a link is (a[href], img[src], link[href], script[src], iframe[src]; not
    javascript:) so that two careful people count the same links: an image map's areas, click handlers,
    embedded documents are not links; what <noscript> holds and a preconnect <link> are."""
    page = """<html><head><link rel="preconnect" href="https://fonts.gstatic.com"></head><body>
    <img src="/images/banner.jpg" usemap="#Map"><map name="Map"><area href="/bsdt/index.html" alt="网上办事大厅"></map>
    <ul><li onclick="window.open('/zwgk/2026/a.html')">标题A</li></ul>
    <a href="javascript:window.open('/g.html')">标题G</a><embed src="/files/a.pdf" type="application/pdf">
    <noscript><a href="/nojs/">无脚本版</a></noscript><!-- <a href="/old/removed.html">旧栏目</a> -->
    <a href="/real.html">真</a></body></html>"""
    assert _links(page) == [
        ("https://fonts.gstatic.com/", "link", ""),
        (HOST + "/images/banner.jpg", "img", ""),
        (HOST + "/nojs/", "a", "无脚本版"),
        (HOST + "/real.html", "a", "真"),
    ]


# --------------------------------------------------------------------------- how a URL is written


def test_a_query_is_written_in_the_pages_encoding_and_a_path_in_utf8() -> None:
    text = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
    <a href="/附件/通知.doc">通知</a><a href="/down.asp?file=附件.doc">附件</a><a href="/list.asp?c=%D5%FE%B8%AE">已编码</a></body></html>"""
    expected = [HOST + "/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.doc", HOST + "/down.asp?file=%B8%BD%BC%FE.doc",
                HOST + "/list.asp?c=%D5%FE%B8%AE"]
    decoded, encoding = decode(text.encode("gbk"), "text/html; charset=gbk")
    page = Page(url=HOST + "/", final_url=HOST + "/", status=200, html=decoded, encoding=encoding)
    assert [link.url for link in document(page).links] == expected
    assert [link.url for link in extract_links(decoded, HOST + "/")] == expected  # (the <meta> says so too)
    utf8 = text.replace("gb2312", "utf-8")
    assert [link.url for link in extract_links(utf8, HOST + "/")][1] == HOST + "/down.asp?file=%E9%99%84%E4%BB%B6.doc"


def test_a_reader_process_writes_the_query_in_the_encoding_the_header_gave() -> None:
    """A big crawl reads its pages in worker processes (readers.read_body): a GBK page declared only in
    the HTTP header gets its query in GBK there too, and so does a reader asking the document later."""
    from inspector.core.web.html import Document
    from inspector.core.web.readers import read_body

    body = '<html><body><a href="/down.asp?file=附件.doc">附件</a></body></html>'.encode("gbk")
    decoded, encoding, facts = read_body(body, "text/html; charset=gbk", HOST + "/")
    assert [url for url, _tag, _text in facts[1]] == [HOST + "/down.asp?file=%B8%BD%BC%FE.doc"]
    doc = Document.from_facts(decoded, HOST + "/", facts, encoding)
    anchor = next(doc.root.iter("a"))
    assert doc.link_url(anchor) == HOST + "/down.asp?file=%B8%BD%BC%FE.doc"


def test_a_backslash_is_a_slash_before_the_query_only() -> None:
    page = r"""<html><body><a href="..\files\a.doc">a</a><a href="http:\\www.example.gov.cn\zwgk\d.htm">d</a>
    <a href="download.aspx?file=uploads\2026\c.xls">c</a></body></html>"""
    assert [url for url, _, _ in _links(page, HOST + "/zwgk/tzgg/index.htm")] == [
        HOST + "/zwgk/files/a.doc", HOST + "/zwgk/d.htm", HOST + "/zwgk/tzgg/download.aspx?file=uploads\\2026\\c.xls"]


def test_only_ascii_spaces_around_a_url_are_dropped() -> None:
    page = ("<html><body><a href=\"\n  /zwgk/a.html\n\">A</a><a href=\"/zwgk/\tc.html \">C</a>"
            "<a href=\"\u00a0g.html\">G</a><a href=\"h.html\u3000\">H</a></body></html>")
    assert [url for url, _, _ in _links(page)] == [
        HOST + "/zwgk/a.html", HOST + "/zwgk/c.html",
        HOST + "/zwgk/%C2%A0g.html", HOST + "/zwgk/h.html%E3%80%80"]  # the address a browser asks for (and gets 404)


def test_a_list_title_cut_short_reads_as_its_title_attribute() -> None:
    page = """<html><body><a href="/filedown?id=9" title="某某区2026年项目申报指南.pdf">某某区2026年项目申报指...</a>
    <a href="/art/1.html" title="另一篇文章">关于印发某某办法的通…</a><a href="/more.html" title="更多">更多...</a></body></html>"""
    texts = [text for _, _, text in _links(page)]
    assert texts == ["某某区2026年项目申报指南.pdf", "关于印发某某办法的通…", "更多..."]
    assert names_file(texts[0], CENSUS.params("attachments")["extensions"])  # an attachment by its name


# --------------------------------------------------------------------------- a whole check


def _crawl(url: str) -> CrawlResult:
    async def main() -> CrawlResult:
        async with Fetcher(retries=0, connect_timeout=5, read_timeout=5) as fetcher:
            return await crawl_site(url, fetcher=fetcher, max_pages=30)

    return asyncio.run(main())


def test_a_gbk_homepage_of_these_shapes_is_judged_as_a_browser_sees_it() -> None:
    """A GBK homepage: a download servlet whose query names the file in Chinese (asked in GBK, as a browser
    does: it is there), an IIS path written with backslashes, a list title cut short over an attachment
    that is gone, and a link padded with an ideographic space (a 404 for a browser too)."""
    home = """<html><head><meta charset="gb2312"><title>某某县人民政府</title></head><body>
    <a href="/down.asp?file=申请表.doc">附件：申请表</a>
    <a href="..\\zwgk\\tzgg\\index.htm">通知公告</a>
    <a href="/filedown?id=9" title="某某县2026年项目申报指南.pdf">某某县2026年项目申报指...</a>
    <a href="/zwgk/gone.html　">已删除的通知</a></body></html>"""
    routes = {
        "/": html(home.encode("gbk"), charset="gbk"),
        "/zwgk/tzgg/index.htm": html("<html><body><p>通知公告</p></body></html>"),
        "/zwgk/gone.html": html("<html><body><p>这个地址多了一个全角空格</p></body></html>"),
        "/down.asp?file=%C9%EA%C7%EB%B1%ED.doc": blob(2048, "application/msword"),  # 申请表, as GBK
        # /filedown?id=9 and /zwgk/gone.html%E3%80%80 answer 404
    }
    with LoopbackServer(routes) as srv:
        crawl = _crawl(srv.url("/"))
    links = broken_links(crawl)
    assert sorted(f.url.removeprefix(srv.base) for f in links.findings) == ["/filedown?id=9", "/zwgk/gone.html%E3%80%80"]
    assert links.measures["homepage_broken"] == 2
    out = service_outcomes(crawl, [], CENSUS)
    assert out["attachments"].measures == {"checked": 2, "broken": 1}  # the servlet's file is there; the guide is not
    assert [f.url.removeprefix(srv.base) for f in out["attachments"].findings] == ["/filedown?id=9"]
