"""Regressions found in review: each test failed before its fix."""

from __future__ import annotations

import asyncio
from datetime import date
from urllib.parse import unquote

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
