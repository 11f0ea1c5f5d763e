"""Rendered evidence: real Chromium against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import stat
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest

from inspector.core.settings import reload_settings

from inspector.core.web.browser import find_chromium
from inspector.core.web.evidence import (
    BrowserUnavailable,
    EvidenceCapturer,
    capture_many,
    clean_text,
    evidence_entries,
    write_new,
)

CHROMIUM, WHY = find_chromium()
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason=WHY)
T = TypeVar("T")

Route = tuple[int, dict[str, str], bytes]

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>示例区政府\x1b[31m门户\x07网站</title></head><body>
<h1>示例区人民政府</h1>
<div style="display:none">第四季度政府网站抽查 (hidden copy)</div>
<ul id="news"><li><a href="/a">关于开展2026年第四季度政府网站抽查的通知</a> <span>2026-11-02</span></li></ul>
<div id="late"></div>
<script>document.getElementById('late').textContent = '脚本生成的栏目内容';</script>
</body></html>"""

JS_LIST = """<!doctype html><html><head><meta charset="utf-8"><title>列表</title></head><body>
<ul id="list"></ul>
<script>
setTimeout(() => fetch('/items.json').then(r => r.json()).then(items => {
  for (const it of items) {
    const li = document.createElement('li'); li.textContent = it.title + ' ' + it.date;
    document.getElementById('list').appendChild(li);
  }
}), 200);
</script></body></html>"""

TALL = (
    '<!doctype html><html><head><meta charset="utf-8"><title>长页面</title></head>'
    '<body style="margin:0"><div style="height:5000px;background:#eef">很长的页面</div></body></html>'
)

# taller than the viewport (900 px), shorter than the cap: the band at its foot must be in the picture
LONG = (
    '<!doctype html><html><head><meta charset="utf-8"><title>较长页面</title></head>'
    '<body style="margin:0"><div style="height:2400px;background:#fff">正文</div>'
    '<div style="height:200px;background:#c00">页脚</div></body></html>'
)


def html(body: str, status: int = 200) -> Route:
    return status, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8")


def redirect(to: str, status: int = 302) -> Route:
    return status, {"Location": to}, b""


ROUTES: dict[str, Route] = {
    "/": html(PAGE),
    "/missing": html("<html><head><title>404</title></head><body>页面不存在</body></html>", 404),
    "/r1": redirect("/r2", 302),
    "/r2": redirect("/", 301),
    "/list": html(JS_LIST),
    "/items.json": (
        200,
        {"Content-Type": "application/json"},
        '[{"title": "区长信箱回复公开", "date": "2026-11-18"}]'.encode(),
    ),
    "/tall": html(TALL),
    "/long": html(LONG),
}
for _n in range(5):
    ROUTES[f"/p{_n}"] = html(f"<html><head><title>页面{_n}</title></head><body>第{_n}页</body></html>")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(2)
        status, headers, body = ROUTES.get(self.path, html("not found", 404))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve() as base:
        yield base


def refused_url() -> str:
    """A loopback URL on a port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def with_capturer(root: Path, job: Callable[[EvidenceCapturer], Awaitable[T]], **kw: Any) -> T:
    async def run() -> T:
        async with EvidenceCapturer(root, **kw) as capturer:
            return await job(capturer)

    return asyncio.run(run())


def assert_files_intact(record: dict[str, Any], root: Path) -> None:
    for entry in record["files"]:
        data = (root / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry
        assert len(data) == entry["size"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --------------------------------------------------------------------------- no browser needed


def test_clean_text_strips_controls() -> None:
    # the whole ANSI sequence goes, not just its ESC (one stripper for the project: charset.clean_text)
    assert clean_text("a\x1b[31mb\x07 \u202ec\n\td\x9b") == "ab c d"


def test_write_new_never_overwrites(tmp_path: Path) -> None:
    first = write_new(tmp_path / "x.png", b"one")
    second = write_new(tmp_path / "x.png", b"two")
    third = write_new(tmp_path / "x.png", b"three")
    assert [first.name, second.name, third.name] == ["x.png", "x-1.png", "x-2.png"]
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"


def test_find_chromium_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\nexit 1\n")
    monkeypatch.setenv("INSPECTOR_CHROMIUM", str(fake))
    reload_settings()
    path, why = find_chromium()
    assert path is None and "not an executable" in why
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert find_chromium() == (str(fake), f"INSPECTOR_CHROMIUM={fake}")


def test_find_chromium_prefers_playwright_then_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSPECTOR_CHROMIUM", raising=False)
    reload_settings()
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "pw"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    reload_settings()
    path, why = find_chromium()
    assert path is None and "no Chromium found" in why and "INSPECTOR_CHROMIUM" in why

    system = tmp_path / "bin" / "chromium-browser"
    system.parent.mkdir()
    system.write_text("#!/bin/sh\n")
    system.chmod(0o755)
    assert find_chromium()[0] == str(system)

    for revision in ("1100", "1200"):
        binary = tmp_path / "pw" / f"chromium-{revision}" / "chrome-linux" / "chrome"
        binary.parent.mkdir(parents=True)
        binary.write_text("#!/bin/sh\n")
        binary.chmod(0o755)
    path, why = find_chromium()
    assert path is not None and "chromium-1200" in path and "Playwright" in why


def test_unavailable_browser_raises_specific_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_CHROMIUM", str(tmp_path / "absent"))
    reload_settings()
    with pytest.raises(BrowserUnavailable, match="not an executable"):
        with_capturer(tmp_path, lambda c: asyncio.sleep(0))
    broken = tmp_path / "broken-chrome"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("INSPECTOR_CHROMIUM", str(broken))
    reload_settings()
    with pytest.raises(BrowserUnavailable, match="could not launch") as info:
        with_capturer(tmp_path, lambda c: asyncio.sleep(0))
    assert str(broken) in info.value.reason


# --------------------------------------------------------------------------- real browser


@pytest.mark.browser
@needs_browser
def test_capture_writes_hashed_files_and_full_record(site: str, tmp_path: Path) -> None:
    out = tmp_path / "evidence" / "site-1"
    record = with_capturer(
        tmp_path, lambda c: c.capture(f"{site}/", out, findings=["homepage"], name_hint="首页 home")
    )
    assert record["error"] is None
    assert record["status"] == 200 and record["final_url"] == f"{site}/"
    assert record["redirects"] == []
    assert record["title"] == "示例区政府 [31m门户 网站"
    assert record["findings"] == ["homepage"]
    assert record["browser"] == "chromium" and record["browser_version"][:1].isdigit()
    assert record["browser_version"].split(".")[0] in record["user_agent"]
    assert record["viewport"] == {"width": 1366, "height": 900}
    assert record["captured_at_utc"].endswith("+00:00")
    assert record["captured_at_local"].endswith("+08:00")
    assert len(record["id"]) == 32 and record["clipped"] is False and record["highlight"] is None
    assert sorted(f["kind"] for f in record["files"]) == ["dom", "mhtml", "screenshot"]
    assert_files_intact(record, tmp_path)
    for entry in record["files"]:
        assert entry["path"].startswith("evidence/site-1/") and record["id"][:8] in entry["path"]
        assert "home" in entry["path"]
    files = {f["kind"]: tmp_path / f["path"] for f in record["files"]}
    dom = files["dom"].read_text("utf-8")
    assert "脚本生成的栏目内容" in dom  # the DOM after scripts ran, not the served HTML
    assert "MIME-Version" in files["mhtml"].read_text("utf-8")
    assert png_size(files["screenshot"])[0] == 1366
    assert evidence_entries(record)[0]["url"] == f"{site}/"


@pytest.mark.browser
@needs_browser
def test_redirect_chain_and_http_status(site: str, tmp_path: Path) -> None:
    async def job(c: EvidenceCapturer) -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(
                c.capture(f"{site}/r1", tmp_path / "e"), c.capture(f"{site}/missing", tmp_path / "e")
            )
        )

    redirected, missing = with_capturer(tmp_path, job)
    assert redirected["redirects"] == [f"{site}/r1", f"{site}/r2"]
    assert redirected["final_url"] == f"{site}/" and redirected["status"] == 200
    assert missing["status"] == 404 and missing["error"] is None  # the page itself rendered
    assert_files_intact(redirected, tmp_path)


@pytest.mark.browser
@needs_browser
def test_connection_refused_gives_error_record(tmp_path: Path) -> None:
    url = refused_url()
    record = with_capturer(tmp_path, lambda c: c.capture(url, tmp_path / "e", findings=["down"]))
    assert record["error"] and "ERR_CONNECTION_REFUSED" in record["error"]
    assert record["status"] is None and record["final_url"] == url
    assert record["findings"] == ["down"] and record["title"] == ""
    assert record["user_agent"] and record["browser_version"]
    # the browser's error page is still captured, hashed, as proof of the failure
    assert "screenshot" in {f["kind"] for f in record["files"]}
    assert_files_intact(record, tmp_path)


@pytest.mark.browser
@needs_browser
def test_a_page_behind_a_certificate_that_fails_is_captured_as_the_site_shows_it(tmp_path: Path) -> None:
    """A self-signed (or expired, or incomplete-chain) certificate: the check reads the site past it and
    notes the certificate (net.py, tests/test_certificates.py); the evidence shows the page, not the
    browser's warning in its place."""
    from tests.httpfixtures import LoopbackServer, html, tls_context

    page = html("<html><head><title>证书过期的政府网站</title></head><body><p>政务公开</p></body></html>")
    with LoopbackServer({"/": page}, tls=tls_context(tmp_path, "127.0.0.1", [])) as srv:
        record = with_capturer(tmp_path, lambda c: c.capture(srv.url("/"), tmp_path / "e"))
    assert record["error"] is None and record["status"] == 200, record["error"]
    assert record["title"] == "证书过期的政府网站"
    assert_files_intact(record, tmp_path)


@pytest.mark.browser
@needs_browser
def test_navigation_timeout_gives_error_record(site: str, tmp_path: Path) -> None:
    record = with_capturer(
        tmp_path,
        lambda c: c.capture(f"{site}/slow", tmp_path / "e"),
        nav_timeout=0.5,
        settle_timeout=0.5,
    )
    assert record["error"] and "Timeout" in record["error"]
    assert record["status"] is None
    assert_files_intact(record, tmp_path)


@pytest.mark.browser
@needs_browser
def test_recapture_never_overwrites(site: str, tmp_path: Path) -> None:
    async def job(c: EvidenceCapturer) -> list[dict[str, Any]]:
        first = await c.capture(f"{site}/", tmp_path / "e", name_hint="same")
        snapshot = {f["path"]: (tmp_path / f["path"]).read_bytes() for f in first["files"]}
        second = await c.capture(f"{site}/", tmp_path / "e", name_hint="same")
        for path, data in snapshot.items():
            assert (tmp_path / path).read_bytes() == data
        return [first, second]

    first, second = with_capturer(tmp_path, job)
    paths = [f["path"] for r in (first, second) for f in r["files"]]
    assert len(set(paths)) == len(paths) == 6
    assert first["id"] != second["id"]
    assert len(list((tmp_path / "e").iterdir())) == 6
    assert_files_intact(first, tmp_path)


@pytest.mark.browser
@needs_browser
def test_highlight_outlines_and_crops(site: str, tmp_path: Path) -> None:
    async def job(c: EvidenceCapturer) -> list[dict[str, Any]]:
        return [
            await c.capture(f"{site}/", tmp_path / "e", highlight_text="第四季度政府网站抽查"),
            await c.capture(f"{site}/", tmp_path / "e", highlight_selector="#news li"),
            await c.capture(f"{site}/", tmp_path / "e", highlight_text="并不存在的文字"),
        ]

    by_text, by_selector, absent = with_capturer(tmp_path, job)
    for record in (by_text, by_selector):
        assert record["highlight"]["found"] is True and record["error"] is None
        crops = [f for f in record["files"] if f["kind"] == "crop"]
        assert len(crops) == 1
        width, height = png_size(tmp_path / crops[0]["path"])
        assert 0 < width < 1366 and 0 < height < 200
        dom = next(f for f in record["files"] if f["kind"] == "dom")
        assert "data-inspector-highlight" not in (tmp_path / dom["path"]).read_text("utf-8")
        assert_files_intact(record, tmp_path)
    assert absent["highlight"] == {"text": "并不存在的文字", "selector": None, "found": False}
    assert absent["error"] is None and "crop" not in {f["kind"] for f in absent["files"]}


@pytest.mark.browser
@needs_browser
def test_the_screenshot_is_the_whole_page_not_the_viewport(site: str, tmp_path: Path) -> None:
    from PIL import Image

    record = with_capturer(tmp_path, lambda c: c.capture(f"{site}/long", tmp_path / "e"))
    assert record["error"] is None and record["clipped"] is False and record["page_height"] == 2600
    shot = next(f for f in record["files"] if f["kind"] == "screenshot")
    with Image.open(tmp_path / shot["path"]) as image:
        assert image.size == (1366, 2600)
        rgb = image.convert("RGB")
        assert rgb.getpixel((683, 2500)) == (204, 0, 0)  # the footer band, 1,600 px below the viewport
        assert rgb.getpixel((683, 1200)) == (255, 255, 255)


@pytest.mark.browser
@needs_browser
def test_tall_page_is_clipped(site: str, tmp_path: Path) -> None:
    record = with_capturer(tmp_path, lambda c: c.capture(f"{site}/tall", tmp_path / "e"), max_height=2000)
    assert record["clipped"] is True and record["page_height"] >= 5000
    shot = next(f for f in record["files"] if f["kind"] == "screenshot")
    assert png_size(tmp_path / shot["path"])[1] == 2000


@pytest.mark.browser
@needs_browser
def test_rendered_dom_waits_for_scripts(site: str, tmp_path: Path) -> None:
    async def job(c: EvidenceCapturer) -> tuple[str | None, str | None]:
        return await c.rendered_dom(f"{site}/list"), await c.rendered_dom(refused_url())

    dom, unreachable = with_capturer(tmp_path, job)
    assert dom is not None and "区长信箱回复公开 2026-11-18" in dom
    assert unreachable is None


@pytest.mark.browser
@needs_browser
def test_pool_runs_concurrent_captures(site: str, tmp_path: Path) -> None:
    jobs = [(f"{site}/p{n}", [f"finding {n}"]) for n in range(5)]
    records = capture_many(jobs, tmp_path / "e", tmp_path, pool_size=2)
    assert [r["url"] for r in records] == [url for url, _ in jobs]
    assert [r["title"] for r in records] == [f"页面{n}" for n in range(5)]
    assert len({r["id"] for r in records}) == 5
    for record in records:
        assert record["error"] is None
        assert_files_intact(record, tmp_path)


@pytest.mark.browser
@needs_browser
def test_out_dir_outside_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        with_capturer(tmp_path / "ws", lambda c: c.capture("http://127.0.0.1:1/", tmp_path / "x"))


# --------------------------------------------------------------------------- pool, settle rule, blocking


class CountingHandler(BaseHTTPRequestHandler):
    """Pages for the pool and blocking tests; records every path asked for."""

    seen: list[str] = []
    outside = ""  # base URL of a second server under another host name

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        path = self.path.split("?")[0]
        if path == "/setter":
            body = ("<html><head><title>setter</title></head><body><script>"
                    "localStorage.setItem('k', 'v'); sessionStorage.setItem('s', 'v');</script>设置</body></html>")
            headers = {"Set-Cookie": "visited=1; Path=/"}
        elif path == "/reader":
            body = ("<html><head><title>none</title></head><body><script>document.title = "
                    "[document.cookie, localStorage.getItem('k'), sessionStorage.getItem('s')].filter(Boolean).join('|') || 'none';"
                    "</script>读取</body></html>")
            headers = {}
        elif path == "/ticker":
            body = ("<html><head><title>ticker</title></head><body><p id='t'>0</p><script>let n = 0;"
                    "setInterval(() => { document.getElementById('t').textContent = ++n; }, 40);</script></body></html>")
            headers = {}
        elif path == "/media":
            body = (f"<html><head><title>media</title><style>@font-face{{font-family:a;src:url('{self.outside}/far.woff2')}}"
                    "@font-face{font-family:b;src:url('/own.woff2')}p{font-family:a,b,sans-serif}</style></head>"
                    "<body><p>字体</p><video src='/clip.mp4' autoplay muted></video>"
                    "<audio src='/sound.mp3' autoplay></audio></body></html>")
            headers = {}
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def counting_site() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (CountingHandler,), {"seen": seen})
    outside = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.outside = f"http://localhost:{outside.server_address[1]}"  # same machine, another host name
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for srv in (server, outside):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        for srv in (server, outside):
            srv.shutdown()
            srv.server_close()


@pytest.mark.browser
@needs_browser
def test_pooled_pages_are_reused_and_forget_the_previous_site(tmp_path: Path) -> None:
    with counting_site() as (base, _):

        async def job(c: EvidenceCapturer) -> tuple[list[dict[str, Any]], int, list[int]]:
            records, listeners = [], []
            for p in ("reader", "setter", "reader", "setter", "reader"):
                records.append(await c.capture(f"{base}/{p}", tmp_path / "e"))
                listeners.append(len(c._idle[0][1]._impl_obj.listeners("crash")))  # (Playwright's own event emitter)
            assert c._browser is not None
            return records, len(c._browser.contexts), listeners

        records, contexts, crash_listeners = with_capturer(tmp_path, job, pool_size=1)
    assert [r["title"] for r in records] == ["none", "setter", "none", "setter", "none"]  # no cookie, no storage left
    assert contexts == 1  # one page served all five captures
    assert len(set(crash_listeners)) == 1  # each capture's guard let go of the page it watched: nothing piles up
    for record in records:
        assert record["error"] is None
        assert_files_intact(record, tmp_path)


@pytest.mark.browser
@needs_browser
def test_a_page_that_never_stops_changing_is_captured_within_the_cap(tmp_path: Path) -> None:
    with counting_site() as (base, _):
        started = time.monotonic()
        record = with_capturer(tmp_path, lambda c: c.capture(f"{base}/ticker", tmp_path / "e"), settle_timeout=60)
        elapsed = time.monotonic() - started
    assert record["error"] is None and record["title"] == "ticker"
    assert elapsed < 30  # bounded by the stability cap, not by the 60 s settle timeout


@pytest.mark.browser
@needs_browser
def test_media_outside_fonts_and_trackers_are_not_fetched(tmp_path: Path) -> None:
    from inspector.core.web.evidence import _TRACKERS

    with counting_site() as (base, seen):
        record = with_capturer(tmp_path, lambda c: c.capture(f"{base}/media", tmp_path / "e"))
    assert record["error"] is None and record["title"] == "media"
    assert "/own.woff2" in seen  # the site's own font is drawn
    assert not {"/far.woff2", "/clip.mp4", "/sound.mp3"} & set(seen)
    assert _TRACKERS.match("https://hm.baidu.com/hm.js?abc") and _TRACKERS.match("http://s4.cnzz.com/z_stat.php")
    assert not _TRACKERS.match("http://www.gov.cn/hm.baidu.com/x.js") and not _TRACKERS.match("http://cnzz.com.example.gov.cn/")


def test_a_public_page_cannot_make_the_browser_reach_internal_addresses(tmp_path: Path) -> None:
    """scope.py's rule in the browser: images, frames, script requests and redirects from a page on a public
    address to an internal one are refused (the record counts them); the page's own resources load. Here
    127.0.0.2 plays the public internet and 127.0.0.1 the inspector's own network; a page on the
    internal network itself may reach it (the control shows the requests are made when allowed)."""
    from tests.httpfixtures import LoopbackServer, html as page, redirect as moved

    inside: list[str] = []
    with LoopbackServer(lambda r: inside.append(r.path) or page("<title>内网系统</title><p>内网</p>"), host="127.0.0.1") as intranet:
        q = intranet.port
        body = (f"<html><head><title>公开页面</title></head><body><p>公开</p><img src='/own.png'>"
                f"<img src='http://127.0.0.1:{q}/secret.png'><iframe src='http://localhost:{q}/admin'></iframe>"
                f"<script>fetch('http://127.0.0.1:{q}/api').catch(() => 0)</script></body></html>")
        routes = {"/": page(body), "/own.png": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
                  "/go": moved(f"http://127.0.0.1:{q}/inside")}
        with LoopbackServer(routes, host="127.0.0.2") as public:
            async def resolver(host: str) -> list[str]:
                return {"localhost": ["127.0.0.1"]}.get(host, [])

            async def both(c: EvidenceCapturer) -> list[dict[str, Any]]:
                return [await c.capture(public.url("/"), tmp_path / "e"), await c.capture(public.url("/go"), tmp_path / "e")]

            shown, redirected = with_capturer(tmp_path, both, resolver=resolver, internal=lambda a: a == "127.0.0.1")
            assert shown["title"] == "公开页面" and public.count("/own.png") == 1
            assert shown["refused_internal"]["count"] == 3
            # a redirect hop cannot be refused in the browser (Playwright routes only a request's first hop):
            # the intranet answered it, but nothing of what it showed is kept
            assert inside == ["/inside"]
            assert redirected["refused_internal"]["count"] == 1 and "内网" in redirected["error"]
            assert redirected["files"] == [] and redirected["title"] == ""
        with LoopbackServer(routes, host="127.0.0.1") as internal_site:  # the same page, itself internal
            control = with_capturer(tmp_path, lambda c: c.capture(internal_site.url("/"), tmp_path / "e"),
                                    resolver=resolver, internal=lambda a: a == "127.0.0.1")
            assert "refused_internal" not in control and {"/secret.png", "/admin", "/api"} <= set(inside)
