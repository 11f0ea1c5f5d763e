"""Service readers on page shapes no earlier test had: guides written by hand after real county guide pages
(``tests/fixtures/service_unseen/g*.html``), a 表格下载 page with its 在线服务 box (``s01``) and a notice with
download-script attachments (``s02``), crawled over a loopback server. Truth counted by hand, per the checklist:

- g01 ``<th>`` labels, 办理材料 spanning three rows, 办理地点 | … | 办理时间 | … in one row, 设定依据 ``&nbsp;``: 1 missing;
- g02 one value cell spanning the 办理地点 and 办理时间 rows (``rowspan="2"``): shows both, 0 missing;
- g03 tabs 基本信息 | 申请材料 | 办理流程 | 收费标准 over panes in a container of their own, 办理流程 pane empty: 1;
- g04 numbered bold headings, 办理材料 only 详见附件 with a PDF link, 办理地点和时间 combined: 0;
- g05 synonyms 法规依据, 申办材料, 办公地址, 咨询方式, 办事程序: 0;
- g06 办理材料 only a 见附件 link, 联系电话 only an image, 办理流程 only a PDF: 0;
- g07 ``<li><em>label</em><span>value</span></li>`` (no colon), 联系电话 empty: 1;
- g08 one table with two header rows, each over its row of values, 联系电话 ``—``: 1;
- g09 label/content div cards, 办理材料 empty and 办理流程 暂无: 2;
- g10 the guide embedded from the province's 政务服务网 by iframe: not this site's page of fields, no guide;
- s01: 7 forms; broken: .xls 404, .wps a 200 HTML 'file not found', .ofd a 302 to a 统一身份认证 login page (3).
  4 systems: 网上办事大厅 (302 to the login page: reachable), 在线申报 (connection refused), 不动产登记查询系统,
  办件进度查询 (503): 2 unreachable;
- s02: 3 attachments (附件1：…, 附件2：… on download.jsp, a .zip named in the text), 2 broken (404, refused).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.checks.service import service_outcomes
from inspector.core.extract.guides import read_guide
from inspector.core.model import CrawlResult, Page
from inspector.core.web.crawl import crawl_site
from inspector.core.web.fetch import Fetcher
from inspector.core.web.html import document
from tests.httpfixtures import LoopbackServer, blob, closed_port, html, redirect

FIXTURES = Path(__file__).parent / "fixtures" / "service_unseen"
CENSUS = load_checklist("census-2015")
PARAMS = CENSUS.params("service-guides")

GUIDES = {
    "g01_th_rowspan.html": ["设定依据"],
    "g02_value_rowspan.html": [],
    "g03_tabs.html": ["办理流程"],
    "g04_numbered.html": [],
    "g05_synonyms.html": [],
    "g06_links_image.html": [],
    "g07_inline_spans.html": ["联系电话"],
    "g08_header_rows.html": ["联系电话"],
    "g09_cards.html": ["办理材料", "办理流程"],
    "g10_iframe.html": None,
}


def _page(name: str) -> Page:
    url = "http://www.x.gov.cn/bsfw/bszn/" + name
    p = Page(url=url, final_url=url, status=200, content_type="text/html", html=(FIXTURES / name).read_text("utf-8"))
    p.links = document(p).links
    return p


@pytest.mark.parametrize("name", sorted(GUIDES))
def test_unseen_guide_shapes_read_their_missing_elements(name: str) -> None:
    guide = read_guide(_page(name), PARAMS)
    assert (None if guide is None else guide.missing) == GUIDES[name]


def _crawl(url: str) -> CrawlResult:
    async def main() -> CrawlResult:
        async with Fetcher(retries=0, connect_timeout=5, read_timeout=5) as fetcher:
            return await crawl_site(url, fetcher=fetcher, max_pages=50)

    return asyncio.run(main())


LOGIN = "<html><head><meta charset='utf-8'><title>统一身份认证平台</title></head><body><form>" \
        "<input name='u'><input type='password' name='p'></form></body></html>"


def test_download_list_and_online_systems_with_login_redirects() -> None:
    dead = closed_port()
    home = (FIXTURES / "s01_downloads.html").read_text("utf-8").replace("DEAD", str(dead))
    gone = "<html><head><meta charset='utf-8'><title>提示</title></head><body>file not found</body></html>"
    routes = {
        "/": html(home),
        "/u/cms/www/202610/dbsqb.doc": blob(20480, "application/msword"),
        "/u/cms/www/202610/lsjz.xls": (404, {"Content-Type": "text/html"}, b"<h1>404 Not Found</h1>"),
        "/u/cms/www/202609/cjbt.wps": html(gone),
        "/u/cms/www/202609/hpdj.ofd": redirect("/cas/login?service=%2Fu%2Fcms%2Fwww%2F202609%2Fhpdj.ofd"),
        "/cas/login?service=%2Fu%2Fcms%2Fwww%2F202609%2Fhpdj.ofd": html(LOGIN),
        "/u/cms/www/202609/yyzz.docx": blob(9000, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "/u/cms/www/202609/GHXK.PDF": blob(9000, "application/pdf"),
        "/u/cms/www/202608/%E5%AE%85%E5%9F%BA%E5%9C%B0%E7%94%B3%E8%AF%B7%E8%A1%A8.xlsx": blob(9000, "application/vnd.ms-excel"),
        "/wsbs/": redirect("/cas/login?service=%2Fwsbs%2F"),
        "/cas/login?service=%2Fwsbs%2F": html(LOGIN),
        "/bdc/cx/": html("<html><body>不动产登记查询</body></html>"),
        "/bjcx/": (503, {"Content-Type": "text/html"}, b"<h1>503</h1>"),
    }
    with LoopbackServer(routes) as srv:
        crawl = _crawl(srv.url("/"))
    outcomes = service_outcomes(crawl, [], CENSUS)
    att, online = outcomes["attachments"], outcomes["online-systems"]
    assert att.measures == {"checked": 7, "broken": 3}
    assert sorted(f.url.rsplit("/", 1)[1] for f in att.findings) == ["cjbt.wps", "hpdj.ofd", "lsjz.xls"]
    assert online.measures == {"checked": 4, "unreachable": 2}
    assert sorted(f.highlight for f in online.findings) == ["企业投资项目在线申报", "办件进度查询"]


def test_attachments_named_fujian_on_download_scripts() -> None:
    dead = closed_port()
    home = (FIXTURES / "s02_article_forms.html").read_text("utf-8").replace("DEAD", str(dead))
    routes = {
        "/": html(home),
        "/sbxt/": (500, {"Content-Type": "text/html"}, b"<h1>500</h1>"),
        "/download.jsp?fileid=9": blob(5000, "application/msword"),
        "/download.jsp?fileid=10": (404, {"Content-Type": "text/html"}, b"<h1>404</h1>"),
        "/attach/getfile?id=88": redirect(f"https://127.0.0.1:{dead}/files/88.zip"),
    }
    with LoopbackServer(routes) as srv:
        crawl = _crawl(srv.url("/"))
    outcomes = service_outcomes(crawl, [], CENSUS)
    att, online = outcomes["attachments"], outcomes["online-systems"]
    assert att.measures == {"checked": 3, "broken": 2}
    assert sorted(f.url.rsplit("/", 1)[1] for f in att.findings) == ["download.jsp?fileid=10", "getfile?id=88"]
    assert online.measures == {"checked": 2, "unreachable": 2}


def test_a_value_that_starts_like_its_label_is_the_value() -> None:
    """办理流程 | <a>办理流程图</a>: the cell after a label is its value even when it starts with the label's
    words (label + up to four characters is otherwise a label too, 办理状态 -> 办理状态说明)."""
    rows = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in [
        ("事项名称", "城乡居民最低生活保障审批"), ("设定依据", "《社会救助暂行办法》"), ("申请条件", "家庭人均收入低于当地标准"),
        ("办理材料", "<a href='/f/clqd.pdf'>办理材料清单</a>"), ("办理地点", "县政务服务中心"), ("办理时间", "工作日"),
        ("联系电话", "0791-1234567"), ("办理流程", "<a href='/f/lct.pdf'>办理流程图</a>"),
    ])
    url = "http://www.x.gov.cn/bsfw/bszn/dbsp.html"
    page = Page(url=url, final_url=url, status=200, content_type="text/html",
                html=f"<html><body><h1>最低生活保障审批办事指南</h1><table>{rows}</table></body></html>")
    guide = read_guide(page, PARAMS)
    assert guide is not None and guide.missing == []


def test_a_page_of_row_spans_copies_a_bounded_number_of_cells() -> None:
    """Hostile markup: 400 rows of cells each spanning 50 rows is read without copying 20,000 cells."""
    from inspector.core.extract import guides

    cells = "".join(f"<td rowspan='50'>{'材料' * 200}</td>" for _ in range(5))
    table = "<table>" + "".join(f"<tr><th>办理材料</th>{cells}</tr>" for _ in range(400)) + "</table>"
    root = document(Page(url="http://x/", final_url="http://x/", status=200, content_type="text/html",
                         html=f"<html><body>{table}</body></html>")).body
    before = sum(1 for _ in root.iter("td"))
    guides._fill_row_spans(root)
    assert sum(1 for _ in root.iter("td")) - before <= guides._MAX_SPAN_COPIES
