"""Hostile pages: every size, count and time has a limit, in the fetcher and in the browser.

Real servers on 127.0.0.1 (a 200 MB page, a 2 GiB gzip bomb, a request flood, a memory hog, a
hanging page), real Chromium, the real CLI; memory measured from /proc (PSS of the process tree:
Chromium's processes share their code, so summing RSS counts it many times over).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest

from inspector.core.web.browser import find_chromium
from inspector.core.web.crawl import crawl_site
from inspector.core.web.evidence import EvidenceCapturer
from inspector.core.web.fetch import ACCEPT_ENCODING, Fetcher
from inspector.core.web.html import MAX_ATTRIBUTES, parse
from inspector.core.web import limits
from inspector.core.web.limits import MB, Limits, MemoryWatchdog
from tests.hostile import Sandbox, gzip_bomb, huge_page
from tests.httpfixtures import Hang, LoopbackServer, Request, Route, html

CHROMIUM, WHY = find_chromium()
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason=WHY)
GB = 1000 * MB


def _fetch(url: str, **settings: Any) -> Any:
    async def main() -> Any:
        async with Fetcher(**settings) as fetcher:
            return await fetcher.fetch_page(url), await fetcher.check_link(url)

    return asyncio.run(main())


# --------------------------------------------------------------------------- the fetcher


def test_a_gzip_bomb_is_cut_at_the_cap_as_it_streams() -> None:
    """httpx inflates each network chunk whole (64 KB of bomb -> 64 MB); the cap must apply while inflating."""
    with LoopbackServer({"/": gzip_bomb()}) as srv:
        tracemalloc.start()
        try:
            page, link = _fetch(srv.url("/"), max_bytes=2 * MB)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert page.error == "too-large" and page.status == 200
    assert len(page.html or "") <= 2 * MB
    assert link.ok  # a capped page still answered
    assert peak < 12 * MB, f"fetching a capped bomb allocated {peak / MB:.0f} MB"


def test_compressed_pages_still_decode() -> None:
    text = "<html><body><p>政府信息公开</p></body></html>" * 50
    raw = text.encode()
    deflate_raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    routes = {
        "/gzip": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                  zlib.compress(raw, wbits=31)),
        "/deflate": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "deflate"}, zlib.compress(raw)),
        "/raw-deflate": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "deflate"},
                         deflate_raw.compress(raw) + deflate_raw.flush()),
        "/twice": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip, gzip"},
                   zlib.compress(zlib.compress(raw, wbits=31), wbits=31)),
        "/broken": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}, b"\x1f\x8bnot gzip at all"),
    }
    offered: list[str] = []

    def serve(request: Request) -> Route:
        offered.append({k.lower(): v for k, v in request.headers.items()}.get("accept-encoding", ""))
        return routes[request.path]

    with LoopbackServer(serve) as srv:
        for path in ("/gzip", "/deflate", "/raw-deflate", "/twice"):
            page, _ = _fetch(srv.url(path))
            assert (page.error, page.html) == (None, text), path
        broken, _ = _fetch(srv.url("/broken"))
    assert broken.error == "protocol"
    # only the codings the bounded decoder undoes are asked for (httpx would add br or zstd whenever their
    # packages happen to be installed, and such a body would be stored still compressed)
    assert set(offered) == {ACCEPT_ENCODING}


def test_links_with_impossible_ports_or_labels_are_named_causes_not_crashes() -> None:
    """A port above 65535 let an ExceptionGroup out of the fetcher; a bad IDNA label crashed the crawl."""
    bad = ["http://127.0.0.1:70000/x", "http://127.0.0.1:99999999999/", "http://xn--zz/", "http://[::1/"]
    for url in bad:
        page, link = _fetch(url)
        assert (page.error, link.error) == ("invalid-url", "invalid-url"), url
    home = html("<html><body>" + "".join(f"<a href='{u}'>x</a>" for u in bad) + "<a href='/p'>p</a></body></html>")
    with LoopbackServer({"/": home, "/p": html("<p>内页</p>")}) as srv:

        async def main() -> Any:
            async with Fetcher() as fetcher:
                return await crawl_site(srv.url("/"), fetcher=fetcher, max_pages=5)

        crawl = asyncio.run(main())
    assert crawl.links[srv.url("/p")].ok
    assert {crawl.links[u].error for u in bad[:3]} == {"invalid-url"}


def test_a_tag_with_a_crowd_of_attributes_is_parsed_without_them() -> None:
    """libxml2 compares each attribute with every earlier one: 200,000 on one tag (2 MB) took minutes."""
    crowd = " ".join(f'a{i}=">"' if i % 2 else f"a{i}" for i in range(200_000))
    doc = parse(f"<html><body><div id=x {crowd}><a href='/p'>内页</a></div>"
                f"<p title='{'x ' * 1500}' lang=zh>正文</p></body></html>", "http://127.0.0.1/")
    div = doc.body.find("div")
    assert div is not None and dict(div.attrib) == {}  # tamed: no attributes at all
    assert [link.url for link in doc.links] == ["http://127.0.0.1/p"]  # the rest of the page stands
    p = doc.body.find("p")
    assert p.get("lang") == "zh" and len(p.get("title")) == 3000  # a long quoted value is one attribute
    few = " ".join(f"a{i}" for i in range(MAX_ATTRIBUTES))
    assert len(parse(f"<body><div {few}>x</div></body>").body.find("div").attrib) == MAX_ATTRIBUTES


# --------------------------------------------------------------------------- the memory watchdog

_GROWER = (  # a process that, once told, fills 300 MB of its own memory
    "import sys, time\nprint('ready', flush=True)\nsys.stdin.readline()\n"
    "keep = bytearray(300 * 1024 * 1024)\nfor i in range(0, len(keep), 4096): keep[i] = 1\n"
    "print('grown', flush=True)\ntime.sleep(60)\n"
)


def test_the_watchdog_reads_pss_only_when_the_tree_may_be_over_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """PSS costs a page-table walk per process: between exact samples the resident sizes bound it, and a
    process that grows past the limit is still measured exactly and killed at the next sample."""
    exact: list[int] = []
    measure = limits._memory
    monkeypatch.setattr(limits, "_memory", lambda pid: exact.append(pid) or measure(pid))
    child = subprocess.Popen([sys.executable, "-c", _GROWER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        dog = MemoryWatchdog(child.pid, 200 * MB, lambda _: None, exact_every=60)
        assert dog.check() is None and exact == [child.pid]  # the first sample is exact
        for _ in range(5):
            assert dog.check() is None
        assert exact == [child.pid]  # ... the next ones read RSS only: far under the limit
        child.stdin.write("grow\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "grown"
        seen = dog.check()
        assert exact == [child.pid, child.pid] and seen is not None and seen > 200 * MB
        assert child.wait(10) == -9 and dog.kills == 1
    finally:
        child.kill()
        child.wait()


_SUBREAPER = (  # adopts its orphaned descendants (as a browser process may): a child that leaves a grandchild behind
    "import ctypes, subprocess, sys, time\nctypes.CDLL(None).prctl(36, 1, 0, 0, 0)\n"
    "mid = subprocess.Popen([sys.executable, '-c', 'import subprocess; print(subprocess.Popen([\\'sleep\\', \\'60\\']).pid)'],"
    " stdout=subprocess.PIPE, text=True)\n"
    "print(mid.pid, mid.stdout.readline().strip(), flush=True)\nsys.stdin.readline()\nmid.wait()\n"
    "print('gone', flush=True)\ntime.sleep(60)\n"
)


def test_the_process_table_follows_new_and_adopted_processes() -> None:
    root = subprocess.Popen([sys.executable, "-c", _SUBREAPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert root.stdout is not None and root.stdin is not None
        mid, grandchild = map(int, root.stdout.readline().split())
        table = limits.ProcessTable()
        table.refresh()
        tree = table.tree(root.pid)
        assert {root.pid, grandchild} <= set(tree)
        root.stdin.write("go\n")
        root.stdin.flush()
        assert root.stdout.readline().strip() == "gone"  # mid exited: its child was adopted by root
        table.refresh(tree)
        assert mid not in table.tree(root.pid) and grandchild in table.tree(root.pid)
    finally:
        root.kill()
        root.wait()
        if "grandchild" in locals():
            with contextlib.suppress(OSError):
                os.kill(grandchild, signal.SIGKILL)


# --------------------------------------------------------------------------- the browser, through the CLI


def _check_peak(box: Sandbox, url: str) -> tuple[dict[str, Any], dict[str, int]]:
    """``inspector check URL`` with the browser in a sandbox, its process tree's memory sampled
    (killed past 3 GB: a regression must not take the machine down)."""
    meter = {"kill_above": 3 * GB}
    r = box.run("check", url, "--json", "--probes", "1", "--max-pages", "3", timeout=400, meter=meter)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout), meter


@needs_browser
@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("route", ["huge", "bomb"])
def test_a_200_mb_page_and_a_gzip_bomb_stay_under_1_5_gb_with_the_browser(route: str, tmp_path: Path) -> None:
    served = huge_page(200 * 1024 * 1024) if route == "huge" else gzip_bomb()
    with LoopbackServer({"/": served}) as srv:
        doc, meter = _check_peak(Sandbox(tmp_path), srv.url("/"))
    print(f"{route}: peak PSS {meter['peak'] / MB:.0f} MB, RSS sum {meter['peak_rss'] / MB:.0f} MB")
    assert meter["peak"] < 1.5 * GB, f"peak {meter['peak'] / MB:.0f} MB"
    assert doc["run"]["browser"]["used"]
    caps = doc["run"]["limits"]
    assert any(c["kind"] == "document-size" and c["limit"] == "5 MB" for c in caps), caps
    assert any("文档超过大小上限 5 MB" in note for note in doc["run"]["notes"])
    assert {item["kind"] for item in doc["evidence"]} >= {"screenshot"}  # the capped page was still captured


# --------------------------------------------------------------------------- the browser, directly


def _capture(routes: dict[str, Any], paths: list[str], root: Path, limits: Limits) -> tuple[list[dict[str, Any]], LoopbackServer]:
    async def main(srv: LoopbackServer) -> list[dict[str, Any]]:
        async with EvidenceCapturer(root, limits=limits) as capturer:
            return [await capturer.capture(srv.url(p), root / "e") for p in paths]

    with LoopbackServer(routes) as srv:
        return asyncio.run(main(srv)), srv


def _kinds(record: dict[str, Any]) -> set[str]:
    return {hit["kind"] for hit in record.get("limits", [])}


@needs_browser
@pytest.mark.browser
def test_a_capped_document_is_captured_as_far_as_it_came(tmp_path: Path) -> None:
    (record,), _ = _capture({"/": gzip_bomb(256)}, ["/"], tmp_path, Limits(max_bytes=2 * MB))
    assert _kinds(record) == {"document-size"}
    assert record["error"].startswith("文档超过大小上限 2 MB")
    sizes = {f["kind"]: f["size"] for f in record["files"]}
    assert "screenshot" in sizes and sizes["dom"] < 60 * MB  # not the 256 MB the bomb inflates to


@needs_browser
@pytest.mark.browser
def test_a_request_flood_is_cut_at_the_request_cap(tmp_path: Path) -> None:
    flood = html("<html><body>" + "".join(f"<img src='/i{i}.png'>" for i in range(2000)) + "</body></html>")
    (record, after), srv = _capture({"/": flood, "/ok": html("<p>正常页面</p>")}, ["/", "/ok"], tmp_path,
                                    Limits(page_requests=40))
    assert _kinds(record) == {"page-requests"}
    assert "页面请求数超过上限 40 个请求" in record["error"]
    assert sum(1 for _, p in srv.requests if p.startswith("/i")) < 1000  # not the 2000 the page asks for
    assert "screenshot" in {f["kind"] for f in record["files"]}
    assert after["error"] is None and not _kinds(after)  # the next page is not blocked


@needs_browser
@pytest.mark.browser
def test_a_page_that_eats_memory_crashes_its_tab_not_the_machine(tmp_path: Path) -> None:
    hog = html("<html><body><p>hog</p><script>const keep=[];function grow(){for(let i=0;i<8;i++){"
               "const b=new Uint8Array(16*1024*1024);b.fill(1);keep.push(b);}setTimeout(grow,10);}grow();"
               "</script></body></html>")
    (record, after), _ = _capture({"/hog": hog, "/ok": html("<p>正常页面</p>")}, ["/hog", "/ok"], tmp_path,
                                  Limits(browser_memory=700 * MB, page_seconds=60))
    assert "browser-memory" in _kinds(record), record["error"]
    assert "浏览器内存超过上限 700 MB" in record["error"]
    assert after["error"] is None and "screenshot" in {f["kind"] for f in after["files"]}  # the browser lives on


@needs_browser
@pytest.mark.browser
def test_a_page_that_never_finishes_hits_the_time_cap(tmp_path: Path) -> None:
    (record,), _ = _capture({"/": Hang()}, ["/"], tmp_path, Limits(page_seconds=3))
    assert _kinds(record) == {"page-time"}
    assert record["error"].startswith("页面处理时间超过上限 3 秒")


def test_a_cap_quotes_at_most_a_few_hundred_characters_of_its_url() -> None:
    """A Document request's URL comes from the page (a data: URL can be megabytes): a note quotes its start."""
    hit = limits.LimitHit("document-size", "data:text/html," + "页" * 200_000, "5 MB", "解压后")
    assert hit.text.startswith("文档超过大小上限 5 MB（解压后）：data:text/html,页") and hit.text.endswith("…")
    assert len(hit.text) < 350
