"""Column pages whose list a script fills in: never 'blank' by mistake; read with the browser when there is one."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

import pytest

from inspector.core import runner
from inspector.core.checks import base
from inspector.core.extract import site
from inspector.core.web.browser import find_chromium
from inspector.core.runner import CheckOptions, run_check
from tests.httpfixtures import LoopbackServer, html

AS_OF = date(2026, 11, 20)
# (slug, column name, age in days of its newest item)
COLUMNS = [("gzdt", "工作动态", 2), ("bmdt", "部门动态", 40), ("tzgg", "通知公告", 10), ("zcwj", "政策文件", 300),
           ("rsxx", "人事信息", 20)]
SCRIPT = """<script>
fetch('/api/%s.json').then(r => r.json()).then(rows => {
  const ul = document.getElementById('list');
  for (const row of rows) {
    const li = document.createElement('li');
    li.innerHTML = '<a href="' + row.url + '">' + row.title + '</a><span>' + row.date + '</span>';
    ul.appendChild(li);
  }
});
</script>"""
# the same list painted into a <div> as one string of markup (no list element in the static page at all)
DIV_SCRIPT = """<script>
fetch('/api/%s.json').then(r => r.json()).then(rows => {
  document.getElementById('list').innerHTML = rows.map(row =>
    '<p class="item"><a href="' + row.url + '">' + row.title + '</a><span>' + row.date + '</span></p>').join('');
});
</script>"""
CONTAINERS = {"ul": ("<ul id='list'></ul>", SCRIPT), "div": ("<div id='list'></div>", DIV_SCRIPT)}


def site_routes(container: str = "ul") -> dict:
    home_items = "".join(
        f"<li><a href='/{slug}/a{i}.html'>{name}稿件{i}</a><span>{(AS_OF - timedelta(days=i)).isoformat()}</span></li>"
        for slug, name, _ in COLUMNS[:1] for i in range(1, 11)
    )
    nav = "".join(f"<a href='/{slug}/'>{name}</a>" for slug, name, _ in COLUMNS)
    routes = {"/": html(f"<html><body><div class='nav'><a href='/'>首页</a>{nav}</div>"
                        f"<div><h3>工作动态</h3><ul>{home_items}</ul></div></body></html>")}
    for slug, name, age in COLUMNS:
        rows = [{"url": f"/{slug}/a{i}.html", "title": f"{name}稿件{i}",
                 "date": (AS_OF - timedelta(days=age + 3 * i)).isoformat()} for i in range(8)]
        empty, script = CONTAINERS[container]
        routes[f"/{slug}/"] = html(f"<html><body><h2>{name}</h2>{empty}{script % slug}</body></html>")
        routes[f"/api/{slug}.json"] = (200, {"Content-Type": "application/json"}, json.dumps(rows, ensure_ascii=False).encode())
    return routes


def check(browser: bool, tmp_path, container: str = "ul") -> dict:
    routes = site_routes(container)

    def route(request):
        return routes.get(request.path, html("<html><body><h1>稿件</h1><p>发布时间：2026-11-10</p></body></html>"))

    opts = CheckOptions(as_of=AS_OF, browser=browser, probes=1, probe_interval=0, timeout=3)
    with LoopbackServer(route) as server:
        run = asyncio.run(run_check(server.url("/"), opts, evidence_dir=tmp_path / "ev", workspace_root=tmp_path))
    return run.doc


@pytest.mark.parametrize("container", list(CONTAINERS))
def test_without_a_browser_script_lists_are_not_blank_columns_but_need_review(tmp_path, container):
    doc = check(False, tmp_path, container)
    cnu = doc["indicators"]["columns-not-updated"]
    assert cnu["measures"]["blank_columns"] == 0  # five empty <ul>s would have been a blank-column veto
    assert cnu["measures"]["stale_columns"] == 0  # five empty <div>s: five "no dated item" columns
    assert cnu["status"] == "review" and "列表由脚本生成" in cnu["note"]
    assert "columns-not-updated" not in doc["verdict"]["vetoes"]


@pytest.mark.browser
@pytest.mark.skipif(find_chromium()[0] is None, reason=f"no Chromium: {find_chromium()[1]}")
@pytest.mark.parametrize("container", list(CONTAINERS))
def test_with_the_browser_script_lists_are_read_and_scored(tmp_path, container, monkeypatch):
    analysed = []

    def analyze_site(*args):  # the real analysis, counted: once per check, the rendered columns read again
        analysed.append(args[0].start_url)
        return site.analyze_site(*args)

    monkeypatch.setattr(runner, "analyze_site", analyze_site)
    monkeypatch.setattr(base, "analyze_site", analyze_site)
    doc = check(True, tmp_path, container)
    assert len(analysed) == 1
    cnu = doc["indicators"]["columns-not-updated"]
    # 部门动态 (newest 40 days) and 政策文件 (300 days) are stale; 人事信息 (20 days) is within 365
    assert cnu["measures"] == {"stale_news_columns": 1, "stale_notice_columns": 1, "stale_columns": 2, "blank_columns": 0}
    assert cnu["status"] == "pass"
    latest = {c["name"]: c["latest"] for c in doc["columns"]}
    assert latest["政策文件"] == (AS_OF - timedelta(days=300)).isoformat()
    assert any("已按浏览器显示读取" in n for n in doc["run"]["notes"])
