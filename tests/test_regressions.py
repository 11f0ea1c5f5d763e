"""Regressions found in review: each test failed before its fix."""

from __future__ import annotations

import asyncio
from datetime import date
from urllib.parse import unquote

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.runner import CheckOptions, run_check
from tests.httpfixtures import LoopbackServer, html

AS_OF = date(2026, 11, 20)


def test_a_column_with_a_chinese_url_is_found_in_the_crawl_and_counted_stale():
    notice_items = "".join(
        f'<li><a href="/通知公告/2025/{i}.html">关于开展第{i}次检查的通知</a><span>2025-01-{i:02d}</span></li>' for i in range(1, 6)
    )
    news_items = "".join(
        f'<li><a href="/xw/{i}.html">工作动态第{i}条</a><span>2026-11-{10 + i}</span></li>' for i in range(1, 9)
    )
    home = (
        "<html><head><meta charset='utf-8'><title>测试县人民政府</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/xw/'>工作动态</a><a href='/通知公告/index.html'>通知公告</a></div>"
        f"<div><h3>工作动态</h3><ul>{news_items}</ul><a href='/xw/'>更多</a></div>"
        f"<div><h3>通知公告</h3><ul>{notice_items}</ul><a href='/通知公告/index.html'>更多</a></div>"
        "</body></html>"
    )
    column = f"<html><body><h2>通知公告</h2><ul>{notice_items}</ul></body></html>"
    news = f"<html><body><h2>工作动态</h2><ul>{news_items}</ul></body></html>"
    article = "<html><body><h1>文章</h1><p>发布时间：2026-11-11</p></body></html>"
    routes = {"/": html(home), "/xw/": html(news), "/通知公告/index.html": html(column)}

    def route(request):
        path = unquote(request.path)
        if path in routes:
            return routes[path]
        return html(article)

    with LoopbackServer(route) as server:
        run = asyncio.run(run_check(server.url("/"), CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)))
    columns = {c["name"]: c for c in run.doc["columns"]}
    assert columns["通知公告"]["error"] is None and columns["通知公告"]["latest"] == "2025-01-05"
    assert run.doc["indicators"]["basic-information"]["measures"]["stale_notice_columns"] == 1
    assert run.doc["indicators"]["basic-information"]["deduction"] == 4.0


def test_personnel_keywords_beat_the_shorter_notice_keyword():
    checklist = load_checklist()
    assert checklist.classify("任前公示") == "personnel"
    assert checklist.classify("干部任前公示") == "personnel"
    assert checklist.classify("公示公告") == "notice"
    assert checklist.classify("网上信访") == "excluded"


def test_including_a_site_twice_samples_it_once():
    from inspector.core.quarter.sampling import draw

    sites = [{"code": f"34060000{i:02d}", "level": "县级", "running": True} for i in range(10)]
    s = draw(sites, "2026Q4", seed=1, include=["3406000009", "3406000009"])
    assert len(s["codes"]) == len(set(s["codes"])) and len(s["population_sites"]) == 10


def test_non_finite_points_are_refused():
    import math

    import pytest

    from inspector.core.scoring import Decision

    for bad in (math.inf, -1.0, math.nan):
        with pytest.raises(ValueError):
            Decision("fail", points=bad)


@pytest.mark.slow
def test_cli_refuses_near_dates_huge_csv_cells_and_unwritable_workspaces(tmp_path):
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "inspector.cli", *args], capture_output=True, text=True, timeout=60)

    r = run("--workspace", str(tmp_path), "check", "3406000001", "--as-of", "2026W471")
    assert r.returncode == 2 and "--as-of 须是日期" in r.stderr
    big = tmp_path / "big.csv"
    big.write_text("网站标识码,网站名称,首页网址\n3406000001,\"" + "很" * 200_000 + "\",http://a.gov.cn/\n", encoding="utf-8")
    r = run("--workspace", str(tmp_path / "ws"), "sites", "import", str(big))
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    blocker = tmp_path / "file"
    blocker.write_text("x")
    ok = tmp_path / "ok.csv"
    ok.write_text("网站标识码,网站名称,首页网址\n3406000001,测试,http://a.gov.cn/\n", encoding="utf-8")
    r = run("--workspace", str(blocker / "ws"), "sites", "import", str(ok))
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_the_bundle_ships_the_evidence_of_the_result_not_of_a_later_recheck(tmp_path):
    from inspector.core.store import Workspace
    from inspector.core.submission.exchange import _evidence_files

    ws = Workspace(tmp_path)
    for run in ("run-original", "run-recheck"):
        f = ws.run_dir("2026Q4", "3406000001", run) / "evidence" / f"{run}.png"
        f.parent.mkdir(parents=True)
        f.write_bytes(b"png")
        ws.add_evidence([{"quarter": "2026Q4", "code": "3406000001", "run": run,
                          "files": [{"kind": "screenshot", "path": str(f.relative_to(tmp_path)), "sha256": "x"}]}])
    ws.add_evidence([{"quarter": "2026Q4", "code": "3406000001", "run": "run-original",
                      "files": [{"kind": "screenshot", "path": "../../etc/passwd", "sha256": "x"}]}])
    record = {"prefill": {"run": {"id": "run-original"}}, "recheck": {"doc": {"run": {"id": "run-recheck"}}},
              "runs": [{"id": "run-original"}, {"id": "run-recheck", "recheck": True}]}
    names = sorted(name for _, name in _evidence_files(ws, "2026Q4", "3406000001", record))
    assert names == ["evidence/3406000001/recheck/run-recheck.png", "evidence/3406000001/run-original.png"]


def test_with_no_browser_at_all_the_checks_run_and_say_why_there_is_no_evidence(tmp_path):
    """A machine without Chromium (simulated by pointing INSPECTOR_CHROMIUM at nothing): nothing crashes."""
    import json
    import os
    import subprocess
    import sys

    page = "<html><body><ul>" + "".join(
        f"<li><a href='/a/{i}.html'>工作动态{i}</a><span>2026-11-{i + 5:02d}</span></li>" for i in range(1, 11)
    ) + "</ul></body></html>"
    with LoopbackServer({"/": html(page)}) as server:
        r = subprocess.run(
            [sys.executable, "-m", "inspector.cli", "--workspace", str(tmp_path), "check", server.url("/"), "--json",
             "--as-of", "2026-11-20", "--probes", "1", "--probe-interval", "0", "--timeout", "3"],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "INSPECTOR_CHROMIUM": str(tmp_path / "no-such-chromium")},
        )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["evidence"] == [] and doc["run"]["browser"]["used"] is False
    assert any(n.startswith("未截取证据：") and "no-such-chromium" in n for n in doc["run"]["notes"])
    assert doc["indicators"]["site-not-updated"]["measures"]["homepage_items_in_window"] == 10


# ----------------------------------------------------------------------------- second review


def test_a_search_handler_in_a_script_is_not_a_redirect_but_an_onload_one_is():
    from inspector.core.web.html import client_redirect

    search = "<html><body><script>function go(){ location.href = '/search/index.jsp?q=' + q; }</script></body></html>"
    assert client_redirect(search, "http://a.gov.cn/") is None
    onload = "<html><body><script>window.onload = function(){ location.href = '/portal/'; }</script></body></html>"
    assert client_redirect(onload, "http://a.gov.cn/") == "http://a.gov.cn/portal/"


def test_https_columns_of_an_http_homepage_are_the_same_site():
    from inspector.core.extract.columns import same_site

    assert same_site("https://www.a.gov.cn/xw/", "http://a.gov.cn/")
    assert not same_site("http://b.gov.cn/xw/", "http://a.gov.cn/")


def test_a_date_inside_the_reply_text_is_not_the_reply_date():
    from inspector.core.extract.messages import _signed_date

    asked = date(2026, 3, 1)
    assert _signed_date(["您好，该路段计划于2026年9月30日前完工，届时恢复通行。"], asked, AS_OF) is None
    assert _signed_date(["您好，已转交处理。\n某某县交通运输局\n2026年3月12日"], asked, AS_OF) == date(2026, 3, 12)


def test_an_article_titled_after_a_file_is_not_an_attachment():
    from inspector.core.checks.service import _page_url, names_file

    assert names_file("2026年部门预算公开表.xlsx", ["xlsx"]) and _page_url("http://a.gov.cn/zwgk/202611/t20261118_1.html")
    assert not _page_url("http://a.gov.cn/download.jsp?id=13")


def test_a_column_listing_undated_stories_beside_an_empty_sidebar_is_not_blank():
    from inspector.core.extract.columns import read_column
    from inspector.core.model import CrawlResult, Link, Page

    home = "http://a.gov.cn/"
    column = "http://a.gov.cn/xxgk/gzjh/index.html"
    stories = "".join(f"<li><a href='/art/2026/{i}.html'>二〇二六年第{i}季度工作计划安排</a></li>" for i in range(1, 4))
    html_page = f"<html><body><div class='side'><ul id='hot'></ul></div><ul>{stories}</ul></body></html>"
    crawl = CrawlResult(start_url=home, homepage_url=home, pages={
        home: Page(url=home, final_url=home, status=200, html="<html></html>", links=[Link(url=column, tag="a", text="工作计划")]),
        column: Page(url=column, final_url=column, status=200, html=html_page),
    })
    read = read_column("工作计划", column, "nav", crawl, load_checklist(), AS_OF)
    assert not read.column.blank and len(read.column.items) == 3 and read.column.latest is None


def test_a_start_page_handing_over_to_another_host_is_followed():
    body = "".join(f"<li><a href='/xw/{i}.html'>要闻{i}</a><span>2026-11-{10 + i}</span></li>" for i in range(1, 6))
    with LoopbackServer({"/portal/": html(f"<html><body><ul>{body}</ul></body></html>")}) as portal:
        stub = f"<html><head><meta http-equiv='refresh' content='0;url={portal.url('/portal/')}'></head><body></body></html>"
        with LoopbackServer({"/": html(stub)}) as old:
            run = asyncio.run(run_check(old.url("/"), CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)))
    assert run.doc["final_url"] == portal.url("/portal/")
    assert run.doc["indicators"]["site-not-updated"]["measures"]["homepage_items"] == 5
    assert run.doc["indicators"]["site-not-updated"]["status"] == "pass"


def test_a_redirect_loop_start_page_is_review_not_a_veto():
    a_to_b = "<html><head><meta http-equiv='refresh' content='0;url=/b.html'></head><body></body></html>"
    b_to_a = "<html><head><meta http-equiv='refresh' content='0;url=/a.html'></head><body></body></html>"
    with LoopbackServer({"/": html(a_to_b.replace("/b.html", "/a.html")), "/a.html": html(a_to_b), "/b.html": html(b_to_a)}) as srv:
        run = asyncio.run(run_check(srv.url("/"), CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=3)))
    snu = run.doc["indicators"]["site-not-updated"]
    assert snu["status"] == "review" and "只跳转到" in snu["note"]
    assert "site-not-updated" not in run.doc["verdict"]["vetoes"]
