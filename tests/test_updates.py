"""The four update indicators computed from a SiteAnalysis, scored with the checklist file."""

from datetime import date, timedelta

from inspector.core.checklist import load_checklist
from inspector.core.scoring import prefill
from inspector.core.checks.updates import SCRIPT_NOTE, update_outcomes, in_window, is_stale
from inspector.core.extract.site import SiteAnalysis, analyze_site
from inspector.core.model import Column, CrawlResult, Item, Page

AS_OF = date(2026, 11, 20)
CL = load_checklist()
HOME = "http://127.0.0.1:8000/"


def items(*ages: int | None) -> list[Item]:
    return [Item(title=f"t{i}", url=f"{HOME}a/{i}.html", date=None if a is None else AS_OF - timedelta(days=a)) for i, a in enumerate(ages)]


def col(name: str, category: str | None, latest_age: int | None, **kw) -> Column:  # type: ignore[no-untyped-def]
    latest = None if latest_age is None else AS_OF - timedelta(days=latest_age)
    return Column(name=name, url=f"{HOME}{name}/", category=category, latest=latest, **kw)


def test_window_boundaries_are_inclusive() -> None:
    assert in_window(AS_OF - timedelta(days=14), AS_OF, 14)
    assert not in_window(AS_OF - timedelta(days=15), AS_OF, 14)
    assert not in_window(None, AS_OF, 14)
    assert not is_stale(col("工作动态", "news", 14), CL, AS_OF)
    assert is_stale(col("工作动态", "news", 15), CL, AS_OF)
    assert not is_stale(col("通知公告", "notice", 180), CL, AS_OF)
    assert is_stale(col("通知公告", "notice", 181), CL, AS_OF)
    assert is_stale(col("人事信息", "personnel", None), CL, AS_OF)  # no dated item = not updated


def test_site_not_updated_and_homepage_updates() -> None:
    analysis = SiteAnalysis(homepage_url=HOME, homepage_items=items(0, 3, 14, 15, 40, None))
    out = update_outcomes(analysis, CL, AS_OF)
    snu = out["site-not-updated"]
    assert snu.measures == {"homepage_items": 6, "homepage_items_in_window": 3, "navigation_only": False}
    assert snu.status is None and snu.findings[0].url == HOME
    assert out["homepage-updates"].measures == {"items_in_window": 3}
    assert prefill(CL.indicators["site-not-updated"], snu)["status"] == "pass"
    hu = prefill(CL.indicators["homepage-updates"], out["homepage-updates"])
    assert hu["deduction"] == 5.0  # fewer than 10 in window


def test_stale_homepage_is_a_veto() -> None:
    analysis = SiteAnalysis(homepage_url=HOME, homepage_items=items(15, 30))
    out = update_outcomes(analysis, CL, AS_OF)
    assert out["site-not-updated"].measures["homepage_items_in_window"] == 0
    assert prefill(CL.indicators["site-not-updated"], out["site-not-updated"])["status"] == "fail"
    assert "最新 2026-11-05（15 天前）" in out["site-not-updated"].findings[0].detail


def test_column_counts_blank_exempt_and_errors() -> None:
    columns = [
        col("工作动态", "news", 49),
        col("部门动态", "news", 3),
        col("通知公告", "notice", 200),
        col("人事信息", "personnel", 400),
        col("意见征集", "solicitation", None),
        col("在线访谈", "interview", 366),
        col("领导信箱", "consultation", 999),  # no window: never stale
        col("专题专栏", "news", 999, exempt=True),
        col("乡镇动态", "news", None, blank=True),
        col("图片新闻", "news", None, error="not crawled"),
        col("关于我们", None, None, blank=True),
    ]
    analysis = SiteAnalysis(homepage_url=HOME, homepage_items=items(0), columns=columns,
                            blank_reasons={f"{HOME}乡镇动态/": "暂无信息"})
    out = update_outcomes(analysis, CL, AS_OF)
    cnu = out["columns-not-updated"]
    assert cnu.measures == {"stale_news_columns": 1, "stale_notice_columns": 1, "stale_columns": 5, "blank_columns": 2}
    details = [f.detail for f in cnu.findings]
    assert "工作动态：最新 2026-10-02（49 天前）" in details
    assert "意见征集：没有带日期的条目" in details
    assert "空白栏目：暂无信息" in details and "空白栏目：空列表" in details
    assert cnu.findings[0].url == f"{HOME}工作动态/"
    bi = out["basic-information"]
    assert bi.measures == {"stale_news_columns": 1, "stale_notice_columns": 1, "stale_personnel_columns": 1}
    assert prefill(CL.indicators["basic-information"], bi)["deduction"] == 12.0
    # 图片新闻 could not be read: it may be stale too, so neither indicator passes silently
    assert prefill(CL.indicators["columns-not-updated"], cnu)["status"] == "review"
    assert bi.status == "review" and "图片新闻：未爬取" in bi.note
    assert any(f.detail == "未能读取：未爬取" for f in cnu.findings)


def test_column_thresholds_veto() -> None:
    columns = [col(f"动态{i}", "news", 20) for i in range(3)] + [col(f"通知{i}", "notice", 200) for i in range(2)]
    out = update_outcomes(SiteAnalysis(homepage_url=HOME, homepage_items=items(0), columns=columns), CL, AS_OF)
    assert prefill(CL.indicators["columns-not-updated"], out["columns-not-updated"])["status"] == "fail"  # 3 + 2 >= 5
    blanks = [col(f"空{i}", None, None, blank=True) for i in range(5)]
    out = update_outcomes(SiteAnalysis(homepage_url=HOME, homepage_items=items(0), columns=blanks), CL, AS_OF)
    assert out["columns-not-updated"].measures["blank_columns"] == 5
    assert prefill(CL.indicators["columns-not-updated"], out["columns-not-updated"])["status"] == "fail"


def test_script_rendered_homepage_goes_to_review() -> None:
    analysis = SiteAnalysis(homepage_url=HOME, script_rendered_suspect=True, homepage_source="http")
    out = update_outcomes(analysis, CL, AS_OF)
    for iid in ("site-not-updated", "homepage-updates"):
        assert out[iid].status == "review" and out[iid].note == SCRIPT_NOTE
        assert prefill(CL.indicators[iid], out[iid])["status"] == "review"
    assert out["columns-not-updated"].status is None


def test_navigation_only_site_end_to_end() -> None:
    home = "<html><body><ul><li><a href='/a/'>新闻动态</a></li><li><a href='/b/'>通知公告</a></li><li><a href='/c/'>关于</a></li></ul></body></html>"
    news = "<html><body><ul><li><a href='/a/1.html'>要闻</a><span>2026-11-10</span></li></ul></body></html>"
    notice = "<html><body><ul><li><a href='/b/1.html'>公告</a><span>2026-01-10</span></li></ul></body></html>"
    crawl = CrawlResult(start_url=HOME, homepage_url=HOME, pages={
        HOME: Page(url=HOME, status=200, html=home),
        f"{HOME}a/": Page(url=f"{HOME}a/", status=200, html=news),
        f"{HOME}b/": Page(url=f"{HOME}b/", status=200, html=notice),
    })
    analysis = analyze_site(crawl, CL, AS_OF)
    out = update_outcomes(analysis, CL, AS_OF)
    assert out["site-not-updated"].measures == {"homepage_items": 2, "homepage_items_in_window": 1, "navigation_only": True}
    assert out["columns-not-updated"].measures["stale_notice_columns"] == 1
    assert out["site-not-updated"].findings[0].where == "二级栏目"


def test_unreadable_homepage_is_review_with_null_measures() -> None:
    out = update_outcomes(SiteAnalysis(homepage_url=HOME, error="connect"), CL, AS_OF)
    assert out["site-not-updated"].status == "review"
    assert out["site-not-updated"].measures["homepage_items_in_window"] is None


def test_demo_region_update_measures_equal_ground_truth() -> None:
    """Every served demo site: the 4 update indicators' measures equal the region's truth.

    Pages are fetched over loopback from the running region (the list of pages comes from the
    truth, so this exercises extraction and the checks, not the crawler).
    """
    import httpx

    from inspector.demo.region import serve_region
    from inspector.demo.sites import SITES

    def decode(raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("gb18030", "replace")

    with serve_region(AS_OF) as region, httpx.Client(timeout=10) as client:
        for spec in (s for s in SITES if not s.down):
            truth = region.truth(spec.code)
            pages = {}
            for url in truth["expected"]["pages"]:
                r = client.get(url)
                html = decode(r.content) if "html" in r.headers.get("content-type", "") else None
                pages[url] = Page(url=url, final_url=str(r.url), status=r.status_code, html=html)
            result = CrawlResult(start_url=truth["url"], homepage_url=truth["url"], pages=pages)
            out = update_outcomes(analyze_site(result, CL, AS_OF), CL, AS_OF)
            for iid in ("site-not-updated", "columns-not-updated", "homepage-updates", "basic-information"):
                expected = dict(truth["indicators"][iid]["measures"])
                if "no_browser" in truth and iid in truth["no_browser"]["status"]:
                    static = truth["no_browser"]["static_measures"]
                    expected = {k: static.get(k, static["homepage_items_in_window"]) if k != "navigation_only" else v
                                for k, v in expected.items()}
                    assert out[iid].status == "review", (spec.code, iid)
                assert out[iid].measures == expected, (spec.code, iid)
