"""Link extraction, the same-site crawl and the link-availability check on loopback sites."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.httpfixtures import (
    Hang,
    LoopbackServer,
    Request,
    Reset,
    Route,
    SleepRecorder,
    blob,
    closed_port,
    flaky,
    html,
    redirect,
)

from inspector.core.checks.links import broken_links
from inspector.core.web.crawl import crawl_site, site_key, start_url_of
from inspector.core.web.html import extract_links
from inspector.core.web.fetch import Fetcher
from inspector.core.model import CrawlResult, LinkStatus

BASE = "http://www.example.gov.cn/news/list.html"


def crawl(url: str, fetcher_settings: dict[str, Any] | None = None, **options: Any) -> CrawlResult:
    async def main() -> CrawlResult:
        async with Fetcher(**(fetcher_settings or {})) as fetcher:
            return await crawl_site(url, fetcher=fetcher, **options)

    return asyncio.run(main())


# ---------------------------------------------------------------- extraction (pure)


def test_extract_links_follows_the_counting_conventions() -> None:
    page = """<html><head><link rel="stylesheet" href="/css/a.css"><script src="../js/a.js"></script></head>
    <body><a href="1.html">一</a><a href="1.html#comments">评论</a><a href="#">top</a><a href="#main">skip</a>
    <a href="mailto:xx@example.gov.cn">信箱</a><a href="tel:12345">电话</a><a href=" JavaScript:void(0)">js</a>
    <a href="">empty</a><a>no href</a><img src="/img/a.png" alt="\x1b[31m图片"><iframe src="https://other.cn/x"></iframe>
    <a href="  2.html\n">二</a><a href="..\\files\\a.pdf">附件</a><a href="ftp://files.example.gov.cn/x">ftp</a>
    <a href="HTTP://WWW.Example.gov.cn:80/news/3.html">三</a><area href="/area.html"></body></html>"""
    links = extract_links(page, BASE)
    got = [(link.url, link.tag, link.text) for link in links]
    assert got == [
        ("http://www.example.gov.cn/css/a.css", "link", ""),
        ("http://www.example.gov.cn/js/a.js", "script", ""),
        ("http://www.example.gov.cn/news/1.html", "a", "一"),
        ("http://www.example.gov.cn/img/a.png", "img", "图片"),
        ("https://other.cn/x", "iframe", ""),
        ("http://www.example.gov.cn/news/2.html", "a", "二"),
        ("http://www.example.gov.cn/files/a.pdf", "a", "附件"),
        ("http://www.example.gov.cn/news/3.html", "a", "三"),
    ]


def test_base_href_and_later_text_fill_a_blank_one() -> None:
    page = '<base href="/sub/"><a href="x.html"><img src="i.png"></a><a href="x.html">正文标题</a>'
    links = extract_links(page, BASE)
    assert [(link.url, link.text) for link in links] == [
        ("http://www.example.gov.cn/sub/x.html", "正文标题"),
        ("http://www.example.gov.cn/sub/i.png", ""),
    ]


def test_extract_links_survives_hostile_html() -> None:
    assert extract_links("", BASE) == [] and extract_links("   ", BASE) == []
    xml_declared = "<?xml version='1.0' encoding='gb2312'?><html><a href='/a\x00.html'>\x00a</a></html>"
    assert [link.url for link in extract_links(xml_declared, BASE)] == ["http://www.example.gov.cn/a.html"]
    garbage = "<<<>>><a href='http://[::1'>bad</a></td></tr><a href='/ok.html'>ok" + "<div>" * 20000
    assert [link.url for link in extract_links(garbage, BASE)] == ["http://www.example.gov.cn/ok.html"]
    many = "".join(f"<a href='/p{i}.html'>{i}</a>" for i in range(6000))
    assert len(extract_links(many, BASE)) == 5000


def test_site_key_and_start_url() -> None:
    assert site_key("http://www.a.gov.cn/") == site_key("https://a.gov.cn/x") == ("a.gov.cn", None)
    assert site_key("http://a.gov.cn:8080/") != site_key("http://a.gov.cn/")
    assert start_url_of(" www.a.gov.cn ") == "http://www.a.gov.cn/"
    assert start_url_of("https://A.gov.cn") == "https://a.gov.cn/"


# ---------------------------------------------------------------- a normal site


def normal_site(other: LoopbackServer, refused: int) -> dict[str, Route]:
    home = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
    <title>某某县人民政府</title><link rel="stylesheet" href="/css/site.css"><script src="/js/app.js"></script></head>
    <body><a href="/news/index.html">新闻动态</a><a href="/notice/">通知公告</a><a href="#">顶部</a>
    <a href="mailto:zwgk@example.gov.cn">信箱</a><a href="tel:0551-1234567">电话</a><a href="javascript:void(0)">x</a>
    <img src="/img/logo.png"><img src="/img/missing.png"><a href="/files/guide.pdf">办事指南</a>
    <a href="/news/index.html#list">更多</a><a href="{other.url("/")}">省政府</a><a href="/gone.html">已删除</a>
    <a href="http://127.0.0.1:{refused}/">无法连接</a><iframe src="/embed.html"></iframe></body></html>"""
    return {
        "/": html(home.encode("gbk"), charset=None),
        "/news/index.html": html(
            '<a href="1.html">一</a><a href="2.html">二</a><img src="/img/missing.png"><a href="/old-page">旧</a>'
            '<a href="/">首页</a><a href="1.html#comments">评论</a><a href="/notice/">通知</a>'
        ),
        "/notice/": redirect("/notice/index.html"),
        "/notice/index.html": html('<a href="a.doc">附件</a><a href="/news/1.html">一</a>'),
        "/news/1.html": html('<a href="/dead.html">失效</a><a href="2.html">二</a>'),
        "/news/2.html": html('<a href="/dead.html">失效</a>'),
        "/embed.html": html("<p>嵌入</p>"),
        "/img/logo.png": blob(100, "image/png"),
        "/css/site.css": blob(100, "text/css"),
        "/js/app.js": blob(100, "application/javascript"),
        "/files/guide.pdf": blob(1000, "application/pdf"),
    }


def test_crawl_counts_distinct_links_and_checks_each_once() -> None:
    refused = closed_port()
    progress: list[dict[str, int]] = []
    with LoopbackServer({"/": html('<a href="/secret.html">x</a>'), "/secret.html": html("s")}) as other:
        with LoopbackServer(normal_site(other, refused)) as srv:
            result = crawl(srv.url("/"), {"retries": 0}, progress=progress.append)
            requests = list(srv.requests)
        other_requests = list(other.requests)

    u = srv.url
    html_pages = ("/", "/news/index.html", "/notice/", "/news/1.html", "/news/2.html", "/embed.html")
    broken_pages = ("/gone.html", "/old-page", "/dead.html")  # same-site <a> links: fetched as pages
    assert set(result.pages) == {u(p) for p in html_pages + broken_pages}
    assert {u(p) for p in broken_pages} == {url for url, p in result.pages.items() if p.error == "404"}
    assert result.homepage_url == u("/") and not result.truncated and result.errors == []
    assert result.pages[u("/")].encoding == "gb18030"
    assert [link.text for link in result.pages[u("/")].links if link.tag == "a"][:2] == ["新闻动态", "通知公告"]
    assert result.pages[u("/notice/")].final_url == u("/notice/index.html")

    # every request went out once (HEAD then GET only where HEAD failed)
    gets = [p for m, p in requests if m == "GET"]
    heads = [p for m, p in requests if m == "HEAD"]
    assert len(gets) == len(set(gets)) and len(heads) == len(set(heads))
    assert "/files/guide.pdf" not in gets and "/files/guide.pdf" in heads  # same-site file: not a page
    assert other_requests == [("HEAD", "/")]  # the other site is checked, never crawled

    assert result.link_sources[u("/img/missing.png")] == [u("/"), u("/news/index.html")]
    assert sorted(result.link_sources[u("/dead.html")]) == [u("/news/1.html"), u("/news/2.html")]

    outcome = broken_links(result)
    assert outcome.status is None
    assert outcome.measures == {"checked": 17, "homepage_broken": 3, "other_broken": 3}
    found = [(f.url, f.where, f.detail) for f in outcome.findings]
    assert set(found[:3]) == {  # homepage findings come first
        (f"http://127.0.0.1:{refused}/", u("/"), "无法连接"),
        (u("/gone.html"), u("/"), "HTTP 404"),
        (u("/img/missing.png"), u("/"), "HTTP 404"),
    }
    assert set(found[3:]) == {
        (u("/dead.html"), result.link_sources[u("/dead.html")][0], "HTTP 404"),
        (u("/notice/a.doc"), u("/notice/index.html"), "HTTP 404"),
        (u("/old-page"), u("/news/index.html"), "HTTP 404"),
    }
    assert progress[-1] == {"pages": 9, "links_checked": 17, "queued": 0}


# ---------------------------------------------------------------- a hostile site


def hostile_site() -> dict[str, Route]:
    def head_refused(request: Request) -> Route:
        return (405, {}, b"") if request.method == "HEAD" else blob(5000, "application/pdf")

    invalid = (
        b"<html><<<a href='/from-invalid.html'>x</a><table><tr><td><div></td></span>"
        b"<a href=\"/from-invalid2.html\">\x00\x01\x1b[2J\xff\xfe</p>" + b"<div>" * 20000
    )
    big = b"<html><body><a href='/from-big.html'>more</a>" + b"<p>" + b"x" * 8_400_000 + b"</p>"
    home = """<a href="/hang">不响应</a><img src="/reset.png"><a href="/loop">循环</a><a href="/big.html">大页面</a>
    <a href="/invalid.html">坏页面</a><a href="/busy.html">限流</a><a href="/form.pdf">表格</a><a href="/ok.html">正常</a>"""
    return {
        "/": html(home),
        "/hang": Hang(),
        "/reset.png": Reset(),
        "/loop": redirect("/loop2"),
        "/loop2": redirect("/loop"),
        "/big.html": html(big),
        "/invalid.html": (200, {"Content-Type": "text/html"}, invalid),
        "/busy.html": flaky((429, {"Retry-After": "2"}, b""), html('<a href="/ok.html">ok</a>')),
        "/form.pdf": head_refused,
        "/ok.html": html('<a href="/hang">又一个</a>'),
        "/from-big.html": html("<p>from big</p>"),
        "/from-invalid.html": html("<p>1</p>"),
        "/from-invalid2.html": html("<p>2</p>"),
    }


def test_hostile_pages_become_findings_and_the_rest_is_intact() -> None:
    sleeps = SleepRecorder()
    with LoopbackServer(hostile_site()) as srv:
        started = time.monotonic()  # the event loop's clock
        result = crawl(srv.url("/"), {"read_timeout": 3.0, "sleep": sleeps, "backoff": 0.01})  # roomy: the suite runs on loaded machines
        hang_hits = srv.count("/hang")
    u = srv.url
    errors = {url.removeprefix(srv.base): status.error for url, status in result.links.items()}
    assert errors == {
        "/": None,
        "/hang": "timeout",
        "/reset.png": "reset",
        "/loop": "redirect-loop",
        "/big.html": None,  # answered; only the page is marked too-large
        "/invalid.html": None,
        "/busy.html": None,
        "/form.pdf": None,
        "/ok.html": None,
        "/from-big.html": None,
        "/from-invalid.html": None,
        "/from-invalid2.html": None,
    }
    assert hang_hits == 1  # linked twice, requested once
    assert result.pages[u("/big.html")].error == "too-large"
    assert result.pages[u("/from-big.html")].html == "<p>from big</p>"
    # Retry-After: 2 honoured (through the injected sleep): the host's next request was put off until 2 s after
    # the 429 at least, however long a loaded machine took to ask for it
    assert any(wake - started >= 2.0 for wake in sleeps.wakeups)
    outcome = broken_links(result)
    assert outcome.measures == {"checked": 12, "homepage_broken": 3, "other_broken": 0}
    assert {f.detail for f in outcome.findings} == {"超时", "连接被重置", "重定向循环"}


# ---------------------------------------------------------------- limits and redirects


def chain_site(length: int) -> dict[str, Route]:
    routes: dict[str, Route] = {"/": html('<a href="/p1">1</a>')}
    routes.update({f"/p{i}": html(f'<a href="/p{i + 1}">{i + 1}</a>') for i in range(1, length)})
    return routes


def test_max_depth_checks_but_does_not_crawl_deeper_pages() -> None:
    with LoopbackServer(chain_site(10)) as srv:
        result = crawl(srv.url("/"), max_depth=3)
        requests = list(srv.requests)
    assert sorted(p.removeprefix(srv.base) for p in result.pages) == ["/", "/p1", "/p2", "/p3"]
    assert ("HEAD", "/p4") in requests and not any(p == "/p5" for _, p in requests)
    assert result.pages[srv.url("/p3")].depth == 3 and not result.truncated


def test_max_pages_truncates_and_says_so() -> None:
    with LoopbackServer(chain_site(10)) as srv:
        result = crawl(srv.url("/"), max_pages=2)
    assert len(result.pages) == 2 and result.truncated
    assert result.links[srv.url("/p2")].ok  # beyond the budget: still checked as a link
    assert any("页面数上限" in e for e in result.errors)


def test_without_link_checks_only_pages_are_requested() -> None:
    routes = {"/": html('<a href="/a.html">a</a><img src="/x.png">'), "/a.html": html("a")}
    with LoopbackServer(routes) as srv:
        result = crawl(srv.url("/"), check_links=False)
        requests = list(srv.requests)
    assert requests == [("GET", "/"), ("GET", "/a.html")]
    assert srv.url("/x.png") in result.link_sources and srv.url("/x.png") not in result.links


def test_redirected_start_and_offsite_redirects() -> None:
    with LoopbackServer({"/": html('<a href="/secret.html">s</a>')}) as other:
        routes = {
            "/": redirect("/index.html"),
            "/index.html": html('<a href="/">首页</a><a href="/index.html">本页</a><a href="/out">外链</a>'),
            "/out": redirect(other.url("/")),
        }
        with LoopbackServer(routes) as srv:
            result = crawl(srv.url("/"))
            counts = (srv.count("/"), srv.count("/index.html"))
        other_requests = list(other.requests)
    assert result.homepage_url == srv.url("/index.html")
    assert counts == (1, 1)
    assert other_requests == [("GET", "/")]  # fetched as the /out page, its links not followed
    assert broken_links(result).measures == {"checked": 3, "homepage_broken": 0, "other_broken": 0}


def test_unreachable_homepage_is_recorded_not_raised() -> None:
    result = crawl(f"http://127.0.0.1:{closed_port()}/", {"retries": 0})
    assert result.errors == ["首页：无法连接"] and len(result.pages) == 1
    assert broken_links(result).measures == {"checked": 1, "homepage_broken": 0, "other_broken": 0}


def test_homepage_counting_wins_whatever_the_order() -> None:
    home, other = "http://a.gov.cn/", "http://a.gov.cn/x.html"
    crawl_result = CrawlResult(start_url=home, homepage_url=home)
    crawl_result.links = {
        "http://a.gov.cn/bad.png": LinkStatus(url="http://a.gov.cn/bad.png", ok=False, status=500, error="500"),
        "http://a.gov.cn/ok.png": LinkStatus(url="http://a.gov.cn/ok.png", ok=True, status=200),
    }
    crawl_result.link_sources = {"http://a.gov.cn/bad.png": [other, home], "http://a.gov.cn/ok.png": [home]}
    outcome = broken_links(crawl_result)
    assert outcome.measures == {"checked": 2, "homepage_broken": 1, "other_broken": 0}
    assert [(f.where, f.detail) for f in outcome.findings] == [(home, "HTTP 500")]
