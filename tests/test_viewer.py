"""`inspector evidence serve`: the quarter's evidence on 127.0.0.1, read in the real Chromium, and refusing
writes, foreign host names and any file that is not a recorded evidence file of the workspace."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector.core.store import Workspace
from inspector.core.submission.viewer import EvidenceServer
from inspector.core.web.browser import LAUNCH_ARGS, find_chromium
from tests.httpfixtures import interruptible
from tests.test_tui import QUARTER, build_workspace

CHROMIUM, WHY = find_chromium()
SCRIPT_NAME = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
LITERAL = "[/][/b][@click=app.quit]恶意红"  # tests.test_tui.HOSTILE once the controls are stripped


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = build_workspace(tmp_path / "ws", hostile=True)
    ws.upsert_sites([{**ws.site("3406000013"), "name": SCRIPT_NAME}])
    (tmp_path / "secret.txt").write_text("outside the workspace", encoding="utf-8")
    return ws


def request(url: str, path: str, method: str = "GET", host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    hostport = url.split("/")[2]
    conn = http.client.HTTPConnection(hostport, timeout=10)
    conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
    if host is not None:
        conn.putheader("Host", host)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason=WHY)
def test_the_evidence_page_in_chromium_lists_sites_shows_screenshots_and_hostile_text_as_text(ws: Workspace):
    from playwright.async_api import async_playwright

    async def browse(url: str) -> dict[str, Any]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=list(LAUNCH_ARGS))
            page = await browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            response = await page.goto(url)
            out: dict[str, Any] = {"csp": (await response.all_headers()).get("content-security-policy", "")}
            out["index"] = await page.inner_text("body")
            out["index_pwned"] = await page.evaluate("window.pwned")
            await page.click("text=3406000012")
            await page.wait_for_load_state("load")
            out["site"] = await page.inner_text("body")
            imgs = page.locator(".record img")
            await imgs.first.scroll_into_view_if_needed()
            await page.wait_for_function("() => [...document.querySelectorAll('.record img')].every(i => i.complete)")
            out["widths"] = await imgs.evaluate_all("els => els.map(e => e.naturalWidth)")
            out["title"] = await page.title()
            await page.goto(url + "site/3406000013")
            out["other"] = await page.inner_text("body")
            out["other_pwned"] = await page.evaluate("window.pwned")
            out["errors"] = errors
            await browser.close()
            return out

    with EvidenceServer(ws, QUARTER, port=0) as server:
        got = asyncio.run(browse(server.url))
    assert "default-src 'none'" in got["csp"]
    index = got["index"]
    assert f"{QUARTER} 抽查证据" in index and LITERAL in index and SCRIPT_NAME in index
    assert "不合格" in index and "合格" in index and "未检测" in index
    assert got["index_pwned"] is None and got["other_pwned"] is None
    site = got["site"]
    assert f"标题 title\t{LITERAL}" in site or f"标题 title {LITERAL}" in site
    assert "pwned" not in site and "\x1b" not in site
    assert "404 " + LITERAL in site  # the finding's detail, as text
    assert "✔ 一致 matches" in site  # the hash re-checked
    assert str(ws.root.resolve() / f"runs/{QUARTER}/3406000012/run-1/evidence/home.png") in site  # full path
    assert got["widths"] == [64]  # the screenshot displays (64 px wide PNG)
    assert LITERAL in got["title"]
    assert SCRIPT_NAME in got["other"] and "站点无法访问" in got["other"]


def test_read_only_loopback_only_and_no_file_but_recorded_evidence(ws: Workspace):
    (rec,) = ws.evidence(QUARTER, "3406000012")
    with EvidenceServer(ws, QUARTER, port=0) as server:
        url = server.url
        status, headers, body = request(url, f"/file/3406000012/{rec['id']}/0")
        assert status == 200 and headers["content-type"] == "image/png" and body.startswith(b"\x89PNG")
        assert headers["x-content-type-options"] == "nosniff"
        for path in ("/file/3406000012/../../secret.txt", "/file/..%2f..%2fsecret.txt/x/0",
                     f"/file/3406000012/{rec['id']}/1", f"/file/3406000013/{rec['id']}/0",
                     "/file/3406000012/%2e%2e/0", "/site/9999999999", "/etc/passwd", "/site/..%2f..%2fsecret.txt"):
            status, _, body = request(url, path)
            assert status == 404, path
            assert b"outside the workspace" not in body
        for method in ("POST", "PUT", "DELETE"):
            status, headers, _ = request(url, "/", method=method)
            assert status == 405 and headers["allow"] == "GET, HEAD"
        assert request(url, "/", host="evil.example:80")[0] == 421  # DNS rebinding
        assert request(url, "/", host=f"localhost:{url.split(':')[2].strip('/')}")[0] == 200  # through a tunnel
        status, headers, body = request(url, "/", method="HEAD")
        assert status == 200 and body == b"" and int(headers["content-length"]) > 100

    # a record whose path was tampered to leave the workspace is refused too
    ws.add_evidence([{**rec, "id": "tampered", "files": [{"kind": "dom", "path": "../secret.txt", "sha256": "0"}]}])
    with EvidenceServer(ws, QUARTER, port=0) as server:
        status, _, body = request(server.url, "/file/3406000012/tampered/0")
        assert status == 404 and b"outside" not in body
        status, _, body = request(server.url, "/site/3406000012")
        assert "缺失 missing" in body.decode("utf-8")


def test_captured_dom_is_a_download_never_a_page(ws: Workspace):
    (rec,) = ws.evidence(QUARTER, "3406000012")
    dom = ws.root / f"runs/{QUARTER}/3406000012/run-1/evidence/home.html"
    dom.write_text("<script>alert(1)</script>", encoding="utf-8")
    ws.add_evidence([{**rec, "id": "with-dom", "files": [{"kind": "dom", "path": str(dom.relative_to(ws.root)), "sha256": "x"}]}])
    with EvidenceServer(ws, QUARTER, port=0) as server:
        status, headers, _ = request(server.url, "/file/3406000012/with-dom/0")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert headers["content-disposition"].startswith("attachment")


def test_cli_serves_until_interrupted(ws: Workspace):
    proc = subprocess.Popen([sys.executable, "-m", "inspector.cli", "--workspace", str(ws.root), "evidence", "serve",
                             "--quarter", QUARTER, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=interruptible)
    try:
        line = proc.stdout.readline()
        url = next(w for w in line.split() if w.startswith("http://127.0.0.1:"))
        assert "ssh -L" in proc.stdout.readline()
        status, _, body = request(url, "/")
        assert status == 200 and "3406000013" in body.decode("utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr.read()


def test_cli_refuses_a_bad_port(ws: Workspace):
    r = subprocess.run([sys.executable, "-m", "inspector.cli", "--workspace", str(ws.root), "evidence", "serve",
                        "--port", "70000"], capture_output=True, text=True, timeout=120, env={**os.environ})
    assert r.returncode == 2 and "--port" in r.stderr and "Traceback" not in r.stderr


def test_the_site_page_reads_as_the_tui_and_the_report_do(tmp_path: Path):
    """Measures in the checklist's Chinese, 不计分 under a veto, the office's time, indicator names on captures."""
    ws = build_workspace(tmp_path / "ws")
    with EvidenceServer(ws, QUARTER, port=0) as server:
        pages = {path: request(server.url, path)[2].decode("utf-8") for path in ("/", "/site/3406000012", "/site/3406000013")}
    checked, vetoed, index = pages["/site/3406000012"], pages["/site/3406000013"], pages["/"]
    assert "检查链接 212 个，首页不可用链接 2 个" in checked and "other_broken=" not in checked and "checked=" not in checked
    assert "检测于 checked 2026-11-20 16:00（Asia/Shanghai）" in checked  # 08:00 UTC in the office's zone
    assert "2026-11-20 16:00:00 Asia/Shanghai" in checked and "(UTC)" not in checked  # the capture's time too
    assert "链接可用性：404 宜春市人民政府门户网站" in checked and "link-availability:" not in checked
    assert "✔ 合格" in checked and "通过" not in checked  # the one status vocabulary
    assert "得分 score 不计分（单项否决）" in vetoed and "扣分 " not in vetoed.split("<h2>指标")[0]
    rows = vetoed.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<td class=\"num\">不计分</td>") == 10 and rows.count("<td class=\"num\">否决</td>") == 1
    assert "−" not in rows  # no deduction points under a veto
    codes = [code for code in ("3406000012", "3406000013", "3406000014") if code in index]
    assert sorted(codes, key=index.index) == codes  # by code, as the TUI lists them
    assert index.count("不计分") == 1
