"""Site analysis: columns from navigation and 更多 links, blank/exempt/paginated columns, nav-only, JS suspicion."""

from datetime import date
from pathlib import Path

from inspector.core.checklist import load_checklist
from inspector.core.extract.site import analyze_site
from inspector.core.model import CrawlResult, Page

FIX = Path(__file__).parent / "fixtures" / "extract"
HOME = "http://127.0.0.1:8000/index.html"
AS_OF = date(2026, 11, 20)
CL = load_checklist()


def lst(*entries: tuple[str, str, str], extra: str = "") -> str:
    lis = "".join(f"<li><a href='{u}'>{t}</a><span>{d}</span></li>" for t, u, d in entries)
    return f"<html><head><title>列表</title></head><body><div class='main'><ul>{lis}</ul>{extra}</div></body></html>"


def crawl(pages: dict[str, str], home: str = HOME, source: str = "http") -> CrawlResult:
    return CrawlResult(
        start_url=home,
        homepage_url=home,
        pages={u: Page(url=u, final_url=u, status=200, html=h, source=source if u == home else "http") for u, h in pages.items()},
    )


def site_pages() -> dict[str, str]:
    base = "http://127.0.0.1:8000"
    return {
        HOME: (FIX / "tabs_home.html").read_text(encoding="utf-8"),
        f"{base}/xwzx/gzdt/": lst(("会议", "/xwzx/gzdt/202611/t20261118_1.html", "2026-11-18"), ("运行", "/xwzx/gzdt/202611/t20261117_2.html", "2026-11-17")),
        f"{base}/xxgk/tzgg/": lst(
            ("旧公告", "/xxgk/tzgg/202603/t20260301_1.html", "2026-03-01"),
            ("更旧公告", "/xxgk/tzgg/202602/t20260201_2.html", "2026-02-01"),
            extra="<div><a href='/xxgk/tzgg/index_1.html'>下一页</a></div>",
        ),
        f"{base}/xxgk/tzgg/index_1.html": lst(("置底新公告", "/xxgk/tzgg/202611/t20261110_3.html", "2026-11-10"), ("x", "/xxgk/tzgg/x.html", "2025-01-01")),
        f"{base}/xxgk/rsxx/": "<html><body><div class='main'><p>暂无信息</p></div></body></html>",
        f"{base}/ztzl/": lst(("专题一", "/ztzl/1.html", "2020-01-01"), ("专题二", "/ztzl/2.html", "2019-01-01")),
    }


def test_columns_from_nav_and_more_links() -> None:
    analysis = analyze_site(crawl(site_pages()), CL, AS_OF)
    assert len(analysis.homepage_items) == 5
    assert not analysis.navigation_only and not analysis.script_rendered_suspect
    cols = {c.url.removeprefix("http://127.0.0.1:8000"): c for c in analysis.columns}
    assert list(cols) == ["/xwzx/gzdt/", "/xxgk/tzgg/", "/xxgk/rsxx/", "/ztzl/"]  # homepage and 2-link footer are not columns
    assert "http://other.example.org/" not in {c.url for c in analysis.columns}  # other site
    gzdt = cols["/xwzx/gzdt/"]
    assert (gzdt.name, gzdt.category, gzdt.source, gzdt.latest) == ("工作动态", "news", "nav", date(2026, 11, 18))
    tzgg = cols["/xxgk/tzgg/"]
    assert tzgg.category == "notice" and tzgg.latest == date(2026, 11, 10)  # found on the next page
    rsxx = cols["/xxgk/rsxx/"]
    assert rsxx.blank and rsxx.category == "personnel" and analysis.blank_reasons[rsxx.url] == "暂无信息"
    assert cols["/ztzl/"].exempt and cols["/ztzl/"].latest == date(2020, 1, 1)


def test_pagination_only_through_crawled_pages() -> None:
    pages = site_pages()
    del pages["http://127.0.0.1:8000/xxgk/tzgg/index_1.html"]
    analysis = analyze_site(crawl(pages), CL, AS_OF)
    tzgg = next(c for c in analysis.columns if c.url.endswith("/xxgk/tzgg/"))
    assert tzgg.latest == date(2026, 3, 1)


def test_uncrawled_column_is_marked_not_judged() -> None:
    pages = site_pages()
    del pages["http://127.0.0.1:8000/ztzl/"]
    analysis = analyze_site(crawl(pages), CL, AS_OF)
    ztzl = next(c for c in analysis.columns if c.url.endswith("/ztzl/"))
    assert ztzl.error == "not crawled" and not ztzl.blank


def test_navigation_only_homepage_uses_second_level_columns() -> None:
    home = "<html><body><ul><li><a href='/a/'>新闻动态</a></li><li><a href='/b/'>信息公开</a></li><li><a href='/c/'>互动交流</a></li></ul></body></html>"
    side = "<ul><li><a href='/b/tz/'>通知公告</a></li><li><a href='/b/gh/'>规划计划</a></li><li><a href='/b/zc/'>政策文件</a></li></ul>"
    pages = {
        HOME: home,
        "http://127.0.0.1:8000/a/": lst(("要闻一", "/a/1.html", "2026-11-19"), ("要闻二", "/a/2.html", "2026-11-01")),
        "http://127.0.0.1:8000/b/": f"<html><body>{side}<p>信息公开简介</p></body></html>",
        "http://127.0.0.1:8000/b/tz/": lst(("通知一", "/b/tz/1.html", "2026-10-01"), ("通知二", "/b/tz/2.html", "2026-09-01")),
        "http://127.0.0.1:8000/b/gh/": lst(("规划一", "/b/gh/1.html", "2024-01-01"), ("规划二", "/b/gh/2.html", "2023-01-01")),
    }
    analysis = analyze_site(crawl(pages), CL, AS_OF)
    assert analysis.navigation_only
    urls = {c.url.removeprefix("http://127.0.0.1:8000"): c for c in analysis.columns}
    assert {"/a/", "/b/", "/c/", "/b/tz/", "/b/gh/"} <= set(urls)
    assert "/b/zc/" not in urls  # a side-menu link the crawler never fetched
    assert all(c.source == "second-level" for c in analysis.columns)
    assert sorted(i.title for i in analysis.homepage_items) == ["要闻一", "要闻二", "规划一", "规划二", "通知一", "通知二"]
    assert urls["/b/gh/"].category == "personnel"


def test_script_rendered_homepage_is_suspect_unless_browser_rendered() -> None:
    html = (FIX / "script_home.html").read_text(encoding="utf-8")
    suspect = analyze_site(crawl({HOME: html}), CL, AS_OF)
    assert suspect.script_rendered_suspect and not suspect.navigation_only
    rendered = analyze_site(crawl({HOME: html}, source="browser"), CL, AS_OF)
    assert not rendered.script_rendered_suspect and rendered.navigation_only


def test_static_homepage_with_scripts_is_not_suspect() -> None:
    html = (FIX / "tabs_home.html").read_text(encoding="utf-8").replace(
        "</body>", "<script>$('.nav li').hover(function(){$(this).addClass('on')});</script></body>"
    )
    assert not analyze_site(crawl({HOME: html}), CL, AS_OF).script_rendered_suspect


def test_unreadable_homepage() -> None:
    result = CrawlResult(start_url=HOME, homepage_url=HOME, pages={HOME: Page(url=HOME, status=None, error="timeout")})
    analysis = analyze_site(result, CL, AS_OF)
    assert analysis.error == "timeout" and analysis.columns == []


def test_undated_and_empty_column_pages() -> None:
    base = "http://127.0.0.1:8000"
    home = (FIX / "tabs_home.html").read_text(encoding="utf-8")
    undated = "<html><body><ul class='nav'><li><a href='/a/'>首页栏目</a></li><li><a href='/b/'>其他栏目</a></li><li><a href='/xxgk/rsxx/x.html'>人事栏目</a></li></ul><ul><li><a href='./content_1.html'>二〇二六年度工作要点</a></li><li><a href='./content_2.html'>人员任免决定全文</a></li></ul></body></html>"
    empty = "<html><body><h2>工作动态</h2><ul class='list'>\n</ul><div>共0条 首页 尾页</div></body></html>"
    analysis = analyze_site(crawl({HOME: home, f"{base}/xxgk/rsxx/": undated, f"{base}/xwzx/gzdt/": empty}), CL, AS_OF)
    cols = {c.url.removeprefix(base): c for c in analysis.columns}
    rsxx = cols["/xxgk/rsxx/"]
    assert [i.title for i in rsxx.items] == ["二〇二六年度工作要点", "人员任免决定全文"]
    assert rsxx.latest is None and not rsxx.blank  # undated items: not updated, not blank
    gzdt = cols["/xwzx/gzdt/"]
    assert gzdt.blank and analysis.blank_reasons[gzdt.url] == "empty list"
