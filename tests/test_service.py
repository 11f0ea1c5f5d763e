"""service-guides, attachments and online-systems on a real loopback site crawled by the crawler."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.scoring import prefill
from inspector.core.checks.service import service_outcomes, download_problem, has_extension, is_file_type
from inspector.core.web.crawl import crawl_site
from inspector.core.web.fetch import Fetcher
from inspector.core.model import Column, CrawlResult, Item, LinkStatus
from tests.httpfixtures import LoopbackServer, blob, closed_port, html

GUIDES = Path(__file__).parent / "fixtures" / "checks2" / "guides"
CENSUS = load_checklist("census-2015")


def _fixture(name: str) -> bytes:
    return (GUIDES / name).read_bytes()


def _site(dead_port: int) -> dict[str, object]:
    home = f"""<html><head><meta charset="utf-8"><title>某某县人民政府</title></head><body>
    <ul class="nav"><li><a href="/bszn/index.html">办事指南</a></li></ul>
    <div class="service">
      <a href="http://127.0.0.1:{dead_port}/sb/">企业网上申报系统</a>
      <a href="/zwfw/">政务服务网上办事大厅</a>
      <a href="/cx/">不动产登记查询系统</a>
      <a href="/zwfw/">网上办事大厅（入口二）</a>
    </div>
    <div class="download"><h3>表格下载</h3>
      <a href="/files/ok.pdf">就业登记表.pdf</a>
      <a href="/files/missing.doc">低保申请表.doc</a>
      <a href="/files/error.xlsx">统计报表.xlsx</a>
      <a href="/files/empty.zip">材料模板.zip</a>
      <a href="/download.jsp?id=7">补贴申请表（下载）</a>
      <a href="/news/1.html">县政府召开常务会议</a>
    </div></body></html>"""
    error_page = "<html><body><h1>对不起，您访问的页面不存在</h1></body></html>"
    return {
        "/": html(home),
        "/bszn/index.html": html(_fixture("index.html")),
        "/bszn/table.html": html(_fixture("table.html")),
        "/bszn/dl.html": html(_fixture("dl.html")),
        "/bszn/headings.html": html(_fixture("headings.html")),
        "/files/ok.pdf": blob(2048, "application/pdf"),
        "/files/dibao_sqb.doc": blob(4096, "application/msword"),
        "/files/error.xlsx": html(error_page),
        "/files/empty.zip": blob(0, "application/zip"),
        "/download.jsp?id=7": blob(1024, "application/vnd.ms-excel"),
        "/news/1.html": html("<html><body><h1>县政府召开常务会议</h1><p>发布时间：2026-11-18</p></body></html>"),
        "/zwfw/": html("<html><body>网上办事大厅</body></html>"),
        "/cx/": (500, {"Content-Type": "text/html"}, b"<h1>500 Internal Server Error</h1>"),
    }


def _crawl(url: str) -> CrawlResult:
    async def main() -> CrawlResult:
        async with Fetcher(retries=0, connect_timeout=5, read_timeout=5) as fetcher:
            return await crawl_site(url, fetcher=fetcher, max_pages=50)

    return asyncio.run(main())


@pytest.fixture(scope="module")
def outcomes() -> dict[str, object]:
    with LoopbackServer(_site(closed_port())) as srv:
        crawl = _crawl(srv.url("/"))
    column = Column("办事指南", srv.url("/bszn/index.html"), "service",
                    items=[Item(n, srv.url(f"/bszn/{n}.html"), None) for n in ("table", "dl", "headings")])
    return service_outcomes(crawl, [column], CENSUS)


def test_service_guides_missing_and_empty_elements(outcomes: dict) -> None:
    guides = outcomes["service-guides"]
    assert guides.measures == {"guides_checked": 3, "guides_incomplete": 2, "missing_elements": 6}
    details = {f.url.rsplit("/", 1)[1]: f.detail for f in guides.findings}
    assert details == {
        "table.html": "缺少要素：办理地点、联系电话、办理流程",
        "headings.html": "缺少要素：办理地点、办理时间、办理流程",
    }
    assert prefill(CENSUS.indicators["service-guides"], guides)["deduction"] == 6.0


def test_attachments_404_html_error_page_and_empty_file(outcomes: dict) -> None:
    att = outcomes["attachments"]
    # ok.pdf, missing.doc, error.xlsx, empty.zip, dibao_sqb.doc (linked from a guide), download.jsp (a file by type)
    assert att.measures == {"checked": 6, "broken": 3}
    details = {f.url.rsplit("/", 1)[1]: f.detail for f in att.findings}
    assert details["missing.doc"] == "HTTP 404"
    assert details["error.xlsx"].startswith("返回网页而不是文件")
    assert details["empty.zip"] == "空文件（0 字节）"
    assert prefill(CENSUS.indicators["attachments"], att)["deduction"] == 3.0


def test_online_systems_unreachable(outcomes: dict) -> None:
    online = outcomes["online-systems"]
    assert online.measures == {"checked": 3, "unreachable": 2}  # the hall is linked twice: one system
    details = sorted(f.detail for f in online.findings)
    assert details == ["不动产登记查询系统：HTTP 500", "企业网上申报系统：无法连接"]
    assert prefill(CENSUS.indicators["online-systems"], online)["deduction"] == 10.0


def test_no_service_at_all() -> None:
    with LoopbackServer({"/": html("<html><body><p>欢迎</p></body></html>")}) as srv:
        crawl = _crawl(srv.url("/"))
    out = service_outcomes(crawl, [], CENSUS)
    assert out["service-guides"].measures == {"guides_checked": 0, "guides_incomplete": 0, "missing_elements": 0}
    assert out["attachments"].measures == {"checked": 0, "broken": 0}
    assert out["online-systems"].measures == {"checked": 0, "unreachable": 0}


def test_attachment_helpers() -> None:
    exts = CENSUS.params("attachments")["extensions"]
    types = CENSUS.params("attachments")["file_content_types"]
    assert has_extension("http://x/a/B.PDF", exts) and has_extension("http://x/down.do?file=%E8%A1%A8.xls", exts)
    assert not has_extension("http://x/index.html", exts) and not has_extension("http://x/pdf", exts)
    assert is_file_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document", types)
    assert is_file_type("application/octet-stream; name=a.bin", types) and not is_file_type("text/html", types)
    assert download_problem(LinkStatus("u", ok=False, status=None, error="timeout")) == "超时"
    assert download_problem(LinkStatus("u", ok=True, status=200, content_type="application/pdf", length=None)) is None


def test_unchecked_links_are_noted_not_counted() -> None:
    home = "http://127.0.0.1:1/"
    crawl = CrawlResult(start_url=home, link_sources={home + "a.pdf": [home]})
    att = service_outcomes(crawl, [], CENSUS)["attachments"]
    assert att.measures == {"checked": 0, "broken": 0} and "未检查" in att.note
