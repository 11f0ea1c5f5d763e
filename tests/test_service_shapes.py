"""Attachment and online-system shapes a generalisation probe found misread, on a real loopback site crawled
by the crawler. Truth counted by hand from the site below:

- a banner that is only a picture (``<a><img alt="企业在线申报系统"></a>``) to a dead address is an online
  system that cannot be reached; so is a link to the province's 政务服务网 that answers 500;
- a download script named only 附件1 (``download.jsp?fileid=123``) that answers a 200 HTML 文件不存在 page is a
  broken attachment; one named 下载 answering ``application/force-download`` is a working one;
- pdf.js (``viewer.html?file=….pdf``) answers with its viewer page by design: not broken.
"""

from __future__ import annotations

import asyncio

from inspector.core.checklist import load_checklist
from inspector.core.checks.service import service_outcomes
from inspector.core.model import CrawlResult
from inspector.core.web.crawl import crawl_site
from inspector.core.web.fetch import Fetcher
from tests.httpfixtures import LoopbackServer, blob, closed_port, html

CENSUS = load_checklist("census-2015")


def _crawl(url: str) -> CrawlResult:
    async def main() -> CrawlResult:
        async with Fetcher(retries=0, connect_timeout=5, read_timeout=5) as fetcher:
            return await crawl_site(url, fetcher=fetcher, max_pages=50)

    return asyncio.run(main())


def test_image_banners_download_scripts_and_file_viewers() -> None:
    dead = closed_port()
    home = f"""<html><head><meta charset="utf-8"><title>某某县人民政府</title></head><body>
    <div class="banner"><a href="http://127.0.0.1:{dead}/qysb/"><img src="/pic/qysb.jpg" alt="企业在线申报系统"></a></div>
    <div class="links"><a href="/zwfww/">某某省政务服务网</a></div>
    <div class="download"><h3>表格下载</h3><ul>
      <li>社会保险参保登记表 <a href="/download.jsp?fileid=123">附件1</a></li>
      <li>城乡低保申请审批表 <a href="/pdfjs/web/viewer.html?file=/u/cms/www/202610/dbsqb.pdf">在线预览</a></li>
      <li>就业困难人员认定表 <a href="/download.jsp?fileid=125">下载</a></li>
    </ul></div></body></html>"""
    gone = "<html><head><title>提示</title></head><body><p>文件不存在或已被删除！</p></body></html>"
    routes = {
        "/": html(home),
        "/zwfww/": (500, {"Content-Type": "text/html"}, b"<h1>500</h1>"),
        "/download.jsp?fileid=123": html(gone),
        "/pdfjs/web/viewer.html?file=/u/cms/www/202610/dbsqb.pdf": html("<html><body><div id='viewer'></div></body></html>"),
        "/download.jsp?fileid=125": blob(3072, "application/force-download"),
    }
    with LoopbackServer(routes) as srv:
        crawl = _crawl(srv.url("/"))
    outcomes = service_outcomes(crawl, [], CENSUS)
    online, att = outcomes["online-systems"], outcomes["attachments"]
    assert online.measures == {"checked": 2, "unreachable": 2}
    assert sorted(f.highlight for f in online.findings) == ["企业在线申报系统", "某某省政务服务网"]
    assert att.measures == {"checked": 3, "broken": 1}
    assert [f.url.rsplit("/", 1)[1] for f in att.findings] == ["download.jsp?fileid=123"]


def test_a_board_whose_reply_column_says_banjie_reads_its_reply_dates() -> None:
    """县长信箱 tables name the reply date 办结时间 (or 反馈时间): a 130-day reply is read, not left unknown."""
    from datetime import date

    from inspector.core.extract.messages import read_board
    from inspector.core.model import Column, Page

    rows = [("1", "关于村集体资金使用情况的反映", "2026-04-02", "2026-08-10", "已办结"),
            ("2", "关于小区供暖温度不达标的投诉", "2026-10-20", "2026-10-28", "已办结")]
    board = ("<html><head><meta charset='utf-8'><title>县长信箱</title></head><body><table class='xj'>"
             "<tr><th>信件编号</th><th>信件标题</th><th>来信时间</th><th>办结时间</th><th>办理状态</th></tr>"
             + "".join(f"<tr><td>{n}</td><td><a href='/xzxx/{n}.html'>{t}</a></td><td>{s}</td><td>{r}</td><td>{st}</td></tr>"
                       for n, t, s, r, st in rows) + "</table></body></html>")
    url = "http://www.xx.gov.cn/xzxx/index.html"
    crawl = CrawlResult(start_url="http://www.xx.gov.cn/")
    crawl.pages[url] = Page(url=url, final_url=url, status=200, content_type="text/html", html=board)
    read = read_board(crawl, Column("县长信箱", url, "consultation"), CENSUS, date(2026, 11, 20))
    assert sorted((str(m.submitted), str(m.replied), m.answered) for m in read.messages) == [
        ("2026-04-02", "2026-08-10", True), ("2026-10-20", "2026-10-28", True)]
