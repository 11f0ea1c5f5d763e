"""Checking a quarter's sites at once: concurrency across hosts, never two on one host, cancel, failures."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from inspector.core.quarter.batch import SiteResult, check_sites, host_of
from inspector.core.runner import CheckOptions
from inspector.core.store import Workspace
from tests.httpfixtures import LoopbackServer, html

QUARTER = "2026Q4"
OPTS = CheckOptions(as_of=date(2026, 11, 20), browser=False, probes=1, probe_interval=0, timeout=10,
                    max_pages=10, min_interval=0)


def small_site(name: str) -> dict[str, Any]:
    links = "".join(f'<a href="/p{i}.html">第{i}条</a>' for i in range(3))
    routes: dict[str, Any] = {"/": html(f"<html><head><title>{name}</title></head><body>{links}</body></html>")}
    routes.update({f"/p{i}.html": html(f"<p>{name} 第{i}条 2026-11-0{i + 1}</p>") for i in range(3)})
    routes.update({f"/sub/p{i}.html": routes[f"/p{i}.html"] for i in range(3)})
    sub_links = links.replace('href="/', 'href="/sub/')
    routes["/sub/"] = html(f"<html><body>{sub_links}</body></html>")
    return routes


def workspace(tmp_path: Path, urls: dict[str, str]) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.upsert_sites([{"code": code, "name": f"站点{code}", "url": url, "level": "县级", "running": True}
                     for code, url in urls.items()])
    ws.save_sample({"quarter": QUARTER, "codes": list(urls)})
    return ws


class Timeline:
    """When each site started and ended, as the callbacks saw it."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.ended: dict[str, float] = {}
        self.results: list[SiteResult] = []
        self.lock = threading.Lock()

    def progress(self, code: str, event: dict[str, Any]) -> None:
        with self.lock:
            if event.get("phase") == "start":
                self.started[code] = time.monotonic()

    def finished(self, result: SiteResult) -> None:
        with self.lock:
            self.ended[result.code] = time.monotonic()
            self.results.append(result)

    def overlap(self, a: str, b: str) -> bool:
        return self.started[a] < self.ended[b] and self.started[b] < self.ended[a]


def test_sites_on_different_hosts_are_checked_at_the_same_time_and_stored(tmp_path: Path) -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(small_site(f"站{n}"), delay=0.2)) for n in range(3)]
        urls = {f"53000000{n:02d}": srv.url("/") for n, srv in enumerate(servers)}
        ws = workspace(tmp_path, urls)
        seen = Timeline()
        results = check_sites(ws, QUARTER, list(urls), OPTS, concurrency=3, progress=seen.progress, finished=seen.finished)
    assert [r.code for r in results] == list(urls) and all(r.doc is not None and not r.error for r in results)
    codes = list(urls)
    assert all(seen.overlap(a, b) for a in codes for b in codes if a < b)  # all three at once
    for code in codes:
        record = ws.inspection(QUARTER, code)
        assert record["prefill"]["run"]["pages"] == 4 and record["progress"] == "checked"


def test_two_sites_on_one_host_never_run_at_once_and_a_broken_one_does_not_stop_the_batch(tmp_path: Path) -> None:
    with LoopbackServer(small_site("平台"), delay=0.1) as platform, LoopbackServer(small_site("独立"), delay=0.1) as other:
        urls = {"5300000001": platform.url("/"), "5300000002": platform.url("/sub/"), "5300000003": other.url("/")}
        ws = workspace(tmp_path, urls)
        ws.save_sample({"quarter": QUARTER, "codes": [*urls, "5399999999"]})  # the last is not in the registry
        seen = Timeline()
        results = check_sites(ws, QUARTER, [*urls, "5399999999"], OPTS, concurrency=4,
                              progress=seen.progress, finished=seen.finished)
    assert host_of({"url": urls["5300000001"]}, "x") == host_of({"url": urls["5300000002"]}, "y")
    assert not seen.overlap("5300000001", "5300000002")
    assert seen.overlap("5300000001", "5300000003") or seen.overlap("5300000002", "5300000003")
    by_code = {r.code: r for r in results}
    assert by_code["5399999999"].doc is None and "5399999999" in by_code["5399999999"].error
    assert all(by_code[c].doc is not None for c in urls)


def test_cancel_stops_the_batch_and_keeps_what_was_stored(tmp_path: Path) -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(small_site(f"站{n}"), delay=0.3)) for n in range(4)]
        urls = {f"53000001{n:02d}": srv.url("/") for n, srv in enumerate(servers)}
        ws = workspace(tmp_path, urls)
        cancel = threading.Event()
        seen = Timeline()

        def progress(code: str, event: dict[str, Any]) -> None:
            seen.progress(code, event)
            if event.get("phase") == "crawl" and code == "5300000101":
                cancel.set()  # the second site has begun crawling: cancel everything

        results = check_sites(ws, QUARTER, list(urls), OPTS, concurrency=2, progress=progress,
                              finished=seen.finished, cancel=cancel)
    assert all(r.cancelled and r.doc is None for r in results[1:])
    assert {r.code for r in seen.results} <= {"5300000100", "5300000101"}  # the last two never started
    for r in results:
        stored = ws.inspection(QUARTER, r.code)
        assert (stored is not None and stored.get("prefill") is not None) == (r.doc is not None)


def test_cli_check_all_checks_the_sample_with_a_line_per_site(tmp_path: Path, capsys: Any) -> None:
    from inspector.cli import main

    with LoopbackServer(small_site("甲")) as one, LoopbackServer(small_site("乙")) as two:
        urls = {"5300000201": one.url("/"), "5300000202": two.url("/")}
        ws = workspace(tmp_path, urls)
        base = ["--workspace", str(ws.root), "check"]
        flags = ["--no-browser", "--probes", "1", "--probe-interval", "0", "--interval", "0", "--as-of", "2026-11-20"]
        assert main([*base, "--quarter", QUARTER, "--all", "--concurrency", "2", *flags]) == 0
    out, err = capsys.readouterr()
    rows = [line.split("\t") for line in out.splitlines()]
    assert [r[0] for r in rows] == list(urls) and all(r[1].startswith(("合格", "不合格", "待复核")) for r in rows)
    assert "[完成 1/2]" in err and "[完成 2/2]" in err and "[1/2] 5300000201 开始" in err
    assert all(ws.inspection(QUARTER, code)["prefill"] for code in urls)
    # bad usage: one line, exit 2
    assert main([*base, "5300000201", "--all", "--quarter", QUARTER]) == 2
    assert main([*base, "--all", "--quarter", "2025Q1"]) == 2
    assert main([*base, "--all", "--quarter", QUARTER, "--concurrency", "0"]) == 2
    assert main([*base]) == 2
    err = capsys.readouterr().err
    assert "2025Q1 尚未抽样" in err and "--concurrency 须在 1 到 32 之间" in err and "Traceback" not in err
