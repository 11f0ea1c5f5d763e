"""Site scope: a sub-site on a shared platform is its directory; redirects off the scope are outside links;
internal addresses are refused for public sites; a 首页网址 with a space is mended, not refused."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from datetime import date

import httpx
import pytest

from inspector.core.quarter.registry import mend_registry_url, parse_registry, validate_url
from inspector.core.runner import CheckOptions, run_check
from inspector.core.web.scope import AddressPolicy, Scope, is_internal
from tests.govsites import small_site
from tests.httpfixtures import LoopbackServer, html, redirect

AS_OF = date(2026, 11, 20)
SUB = "/bm/jtj/"
OPTS = dict(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=5)


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("homepage", "inside", "outside"),
    [
        ("http://www.city.gov.cn/bm/jtj/", ["https://city.gov.cn/bm/jtj/tzgg/1.html", "http://www.city.gov.cn/bm/jtj"],
         ["http://www.city.gov.cn/", "http://www.city.gov.cn/bm/jtj2/", "http://www.city.gov.cn/bm/"]),
        ("http://www.city.gov.cn/bm/jtj", ["http://www.city.gov.cn/bm/jtj/a.html"], ["http://www.city.gov.cn/bm/jtjx.html"]),
        ("http://www.x.gov.cn/col/col1/index.html", ["http://www.x.gov.cn/art/2026/11/18/art_1.html", "https://x.gov.cn/"],
         ["http://www.y.gov.cn/", "http://www.x.gov.cn:8080/"]),
        ("http://www.x.gov.cn/", ["http://WWW.X.GOV.CN/a/B.html"], ["http://x.gov.cn.evil.com/"]),
        ("http://www.city.gov.cn/BM/JTJ/", ["http://www.city.gov.cn/bm/jtj/x.html"], []),  # IIS paths: any case
    ],
)
def test_a_site_is_its_host_or_its_directory(homepage, inside, outside):
    scope = Scope.of_homepage(homepage)
    assert all(scope.contains(u) for u in inside), [u for u in inside if not scope.contains(u)]
    assert not any(scope.contains(u) for u in outside), [u for u in outside if scope.contains(u)]


def test_an_explicit_scope_naming_a_page_is_that_pages_directory_and_bad_ones_are_refused():
    scope = Scope.explicit("http://www.city.gov.cn/col/col123/index.html")
    assert scope.contains("http://www.city.gov.cn/col/col123/list_2.html")
    assert not scope.contains("http://www.city.gov.cn/col/col124/index.html")
    assert not scope.extend("http://www.other.gov.cn/")  # an explicit scope is never widened
    with pytest.raises(ValueError, match="站点范围"):
        Scope.explicit("ftp://x.gov.cn/")


# --------------------------------------------------------------------------- a platform with a portal and a sub-site


def platform(extra: dict | None = None):
    """A platform host: a bad portal at / and a healthy department sub-site under /bm/jtj/."""
    portal, bad = small_site("/", AS_OF, name="云溪市人民政府", news_age=40, notice_age=400, broken=5, bad_guides=3,
                             extra_nav=f"<a href='{SUB}'>市交通运输局</a>")
    sub, good = small_site(SUB, AS_OF, name="云溪市交通运输局",
                           extra_nav="<a href='/'>市政府门户</a><a href='/tzgg/'>市政府通知公告</a>")
    routes = {**portal, **sub, **(extra or {})}
    assert bad.homepage_broken and bad.stale_news_columns and bad.incomplete_guides  # the portal is bad
    return routes, good


def test_checking_a_sub_site_counts_none_of_its_portals_problems_and_only_checks_links_to_it():
    routes, good = platform()
    with LoopbackServer(routes) as srv:
        run = asyncio.run(run_check(srv.url(SUB), CheckOptions(**OPTS)))
        requests = list(srv.requests)
    ind = run.doc["indicators"]
    assert ind["link-availability"]["measures"]["homepage_broken"] == 0
    assert ind["link-availability"]["measures"]["other_broken"] == 0
    assert ind["columns-not-updated"]["measures"] == {"stale_news_columns": 0, "stale_notice_columns": 0,
                                                      "stale_columns": 0, "blank_columns": 0}
    assert ind["service-guides"]["measures"] == {"guides_checked": 3, "guides_incomplete": 0, "missing_elements": 0}
    assert all(c["url"].startswith(srv.url(SUB)) for c in run.doc["columns"]) and len(run.doc["columns"]) == 4
    # every crawled page is the sub-site's; the portal's pages were checked as links, never crawled
    assert sorted(p.url.removeprefix(srv.base) for p in run.crawl.pages.values()) == sorted(good.pages)
    assert run.crawl.links[srv.url("/")].ok and run.crawl.links[srv.url("/tzgg/")].ok
    assert {p for m, p in requests if not p.startswith(SUB)} == {"/", "/tzgg/"}
    assert all(m == "HEAD" for m, p in requests if not p.startswith(SUB))
    assert run.doc["scope"] == {"prefixes": [srv.url(SUB)], "source": "url", "extended_by": []}


def test_the_portal_itself_still_counts_its_own_problems():
    routes, _ = platform()
    with LoopbackServer(routes) as srv:
        run = asyncio.run(run_check(srv.url("/"), CheckOptions(**OPTS)))
    ind = run.doc["indicators"]
    assert ind["link-availability"]["measures"]["homepage_broken"] == 5
    assert ind["columns-not-updated"]["measures"]["stale_news_columns"] == 1
    assert ind["service-guides"]["measures"]["guides_incomplete"] == 3
    # the whole host is the portal's: the department's pages are crawled as its pages too
    assert run.crawl.page(srv.url(SUB + "gzdt/")) is not None


def test_redirects_off_the_scope_are_outside_links_not_pages_of_the_site():
    """#16: a redirect to another host (or out of the sub-site) was fetched and read as the site."""
    other_guide = (
        "<html><head><title>办事指南：外站事项</title></head><body><h1>办事指南：外站事项</h1><table>"
        "<tr><th>事项名称</th><td>外站事项</td></tr><tr><th>设定依据</th><td>某法</td></tr>"
        "<tr><th>申请条件</th><td>无条件</td></tr></table><a href='/deeper.html'>更深</a></body></html>"
    )
    with LoopbackServer({"/guide.html": html(other_guide), "/deeper.html": html("<p>x</p>")}) as other:
        routes, good = platform({f"{SUB}ext.html": redirect(other.url("/guide.html")), f"{SUB}old/": redirect("/gzdt/")})
        routes[SUB] = (routes[SUB][0], routes[SUB][1], routes[SUB][2].replace(
            b"</body>", f"<a href='{SUB}ext.html'>外部办事</a><a href='{SUB}old/'>旧栏目</a></body>".encode()))
        with LoopbackServer(routes) as srv:
            run = asyncio.run(run_check(srv.url(SUB), CheckOptions(**OPTS)))
            requests = list(srv.requests)
        other_requests = list(other.requests)
    ind = run.doc["indicators"]
    assert ind["service-guides"]["measures"]["guides_incomplete"] == 0  # the other host's guide is not the site's
    assert run.crawl.links[srv.url(SUB + "ext.html")].ok and run.crawl.links[srv.url(SUB + "old/")].ok
    assert run.crawl.page(srv.url(SUB + "ext.html")) is None and run.crawl.page(srv.url(SUB + "old/")) is None
    assert ("GET", "/deeper.html") not in other_requests  # checked, never crawled
    assert not any(p.startswith("/gzdt/art") for _, p in requests)  # the portal's column was not crawled
    assert ind["columns-not-updated"]["measures"]["stale_news_columns"] == 0
    assert sorted(p.url.removeprefix(srv.base) for p in run.crawl.pages.values()) == sorted(good.pages)


@pytest.mark.slow
def test_inspector_check_scope_option_and_the_registry_scope_column(tmp_path):
    routes, _ = platform()
    with LoopbackServer(routes) as srv:
        reg = tmp_path / "名录.csv"
        with open(reg, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["网站标识码", "网站名称", "首页网址", "站点范围", "运行状态"])
            # a department registered by its page on the platform: only the 站点范围 says it is a sub-site
            w.writerow(["5399000031", "云溪市交通运输局", srv.url(SUB + "gzdt/"), srv.url(SUB), "正常运行"])
            w.writerow(["5399000032", "坏范围", srv.url("/"), "ftp://x/", "正常运行"])

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "inspector.cli", "--workspace", str(tmp_path / "ws"), *args],
                                  capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "250"})

        imported = cli("sites", "import", str(reg), "--json")
        assert imported.returncode == 0, imported.stderr
        assert [r["row"] for r in json.loads(imported.stdout)["rejected"]] == [3]
        listed = cli("sites", "list")
        assert "站点范围" in listed.stdout and srv.url(SUB) in listed.stdout
        args = ("--json", "--no-browser", "--as-of", AS_OF.isoformat(), "--probes", "1", "--probe-interval", "0")
        stored = cli("check", "5399000031", "--quarter", "2026Q4", *args)
        assert stored.returncode == 0, stored.stderr[-2000:]
        doc = json.loads(stored.stdout)
        assert doc["scope"]["source"] == "registry" and doc["scope"]["prefixes"] == [srv.url(SUB)]
        assert doc["indicators"]["link-availability"]["measures"]["homepage_broken"] == 0
        adhoc = cli("check", srv.url(SUB + "gzdt/"), "--scope", srv.url(SUB), *args)
        assert adhoc.returncode == 0, adhoc.stderr[-2000:]
        assert json.loads(adhoc.stdout)["scope"]["source"] == "option"
        bad = cli("check", srv.url("/"), "--scope", "ftp://nowhere/", *args)
        assert bad.returncode == 2 and "站点范围" in bad.stderr and "Traceback" not in bad.stderr


# --------------------------------------------------------------------------- internal addresses


# The tests' internet: 127.0.0.2 plays a public address and 127.0.0.1 (where `localhost` resolves for the
# system) the inspector's own network; the check's resolver gives the names below.
PUBLIC, INTRANET = "127.0.0.2", "127.0.0.1"


def _is_intranet(address: str) -> bool:
    return address == INTRANET


def test_internal_addresses_are_refused_when_the_site_is_public_and_allowed_when_it_is_not():
    """The rule uses an injected resolver and internal range (CheckOptions.resolver, .internal); a loopback
    site with the real range (the demo, the tests) stays free to reach loopback."""
    hits = []
    with LoopbackServer(lambda r: hits.append(r.path) or html("<p>内网</p>"), host=INTRANET) as intranet:
        home = (f"<html><body><a href='{intranet.url('/admin')}'>后台</a><a href='/go'>跳转</a>"
                f"<a href='/ok.html'>正常</a></body></html>")
        routes = {"/": html(home), "/go": redirect(intranet.url("/secret")), "/ok.html": html("<p>ok</p>")}
        with LoopbackServer(routes, host=PUBLIC) as srv:
            public_url = srv.url("/").replace(PUBLIC, "site.test")

            async def resolver(host: str) -> list[str]:
                return [PUBLIC] if host == "site.test" else []

            opts = CheckOptions(**OPTS, resolver=resolver, internal=_is_intranet)
            run = asyncio.run(run_check(public_url, opts))
            assert run.crawl.pages[public_url].status == 200  # the site itself was reached through its checked address
            assert hits == []  # nothing reached the inspector's own network
            assert run.crawl.links[intranet.url("/admin")].error == "private-address"
            assert run.crawl.links[public_url + "go"].error == "private-address"  # a redirect into the intranet
            assert run.crawl.links[public_url + "ok.html"].ok
        with LoopbackServer(routes) as srv:
            loopback = asyncio.run(run_check(srv.url("/"), CheckOptions(**OPTS)))
            assert loopback.crawl.links[intranet.url("/admin")].ok and "/admin" in hits


def test_a_name_that_answers_differently_the_second_time_cannot_lead_inside():
    """DNS rebinding: `localhost` first resolves to the public address (the rule lets it through), then —
    for the system, as a connection by name would ask — to the intranet. Connections go only to the
    address that was checked."""
    inside = []
    with LoopbackServer({"/": html("<p>公开</p>"), "/report.html": html("<p>公开页面</p>")}, host=PUBLIC) as srv:
        with LoopbackServer(lambda r: inside.append(r.path) or html("<p>内网</p>"), host=INTRANET, port=srv.port):
            link = f"http://localhost:{srv.port}/report.html"
            srv.routes["/"] = html(f"<html><body><a href='{link}'>报告</a></body></html>")
            answers = {"site.test": [PUBLIC], "localhost": [PUBLIC]}
            asked = []

            async def rebinding(host: str) -> list[str]:
                asked.append(host)
                first = asked.count(host) == 1
                return answers.get(host, []) if first else [INTRANET]

            opts = CheckOptions(**OPTS, resolver=rebinding, internal=_is_intranet)
            run = asyncio.run(run_check(srv.url("/").replace(PUBLIC, "site.test"), opts))
            assert inside == []
            assert run.crawl.links[link].ok and srv.count("/report.html") >= 1


def test_a_name_that_resolves_inside_or_not_at_all_is_not_connected_to():
    """The pinned network itself (below the fetcher's own check): an internal answer is `private-address`,
    no answer a connect failure — never a connection by name."""
    from inspector.core.web.fetch import Fetcher, classify_error
    from inspector.core.web.net import RefusedAddress

    inside = []
    with LoopbackServer(lambda r: inside.append(r.path) or html("<p>内网</p>"), host=INTRANET) as intranet:
        async def resolver(host: str) -> list[str]:
            return {"inside.test": [PUBLIC, INTRANET]}.get(host, [])

        async def go() -> list[str | None]:
            policy = AddressPolicy(True, resolver, _is_intranet)
            async with Fetcher(address_policy=policy, retries=0) as fetcher:
                network = fetcher._client._transport._network  # the transport's own, not the check above it
                errors = []
                for name in ("inside.test", "localhost"):
                    try:
                        await network.connect(name, intranet.port, 5)
                        errors.append(None)
                    except Exception as exc:  # noqa: BLE001
                        errors.append(type(exc).__name__)
                return errors + [(await fetcher.check_link(intranet.url("/x").replace(INTRANET, "localhost"))).error]

        assert asyncio.run(go()) == ["RefusedAddress", "ConnectError", "connect"]
        assert inside == []
    refused = httpx.ConnectError("refused")  # as httpx raises it from the pool's error
    refused.__cause__ = RefusedAddress("inside")
    assert classify_error(refused) == "private-address"


@pytest.mark.parametrize(
    ("address", "internal"),
    [("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True), ("127.0.0.1", True), ("169.254.169.254", True),
     ("::1", True), ("fe80::1", True), ("::ffff:10.0.0.1", True), ("0.0.0.0", True), ("202.108.22.5", False),
     ("2400:3200::1", False)],
)
def test_internal_ranges(address, internal):
    assert is_internal(address) is internal


def test_an_unresolvable_site_refuses_nothing():
    async def nothing(host: str) -> list[str]:
        return []

    policy = asyncio.run(AddressPolicy.for_site("http://no-such-host.invalid/", nothing))
    assert not policy.refuse_internal


# --------------------------------------------------------------------------- a 首页网址 with a space


def test_a_homepage_url_with_a_space_is_mended_not_refused(tmp_path):
    """#16: `http://www.x.gov.cn/bm/交通 局/` was refused as "URL has no host name"."""
    assert validate_url(mend_registry_url("http://www.x.gov.cn/bm/交通 局/")) is None
    assert mend_registry_url(" http://www.x.gov.cn /a b/") == "http://www.x.gov.cn/a%20b/"
    assert "空格" in (validate_url(mend_registry_url("http://www.x .gov.cn/")) or "")
    reg = tmp_path / "r.csv"
    reg.write_text("网站标识码,网站名称,首页网址\n5399000041,有空格的站,http://www.x.gov.cn/bm/交通 局/\n", encoding="utf-8")
    report = parse_registry(reg)
    assert report.rejected == [] and report.sites[0]["url"] == "http://www.x.gov.cn/bm/交通%20局/"
    with LoopbackServer({"/a%20b/": html("<html><body><p>有空格的路径</p></body></html>")}) as srv:
        r = subprocess.run([sys.executable, "-m", "inspector.cli", "--workspace", str(tmp_path / "ws"), "check",
                            srv.url("/a b/"), "--json", "--no-browser", "--probes", "1", "--probe-interval", "0"],
                           capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["indicators"]["site-unreachable"]["measures"]["failures"] == 0
