"""Evidence capture throughput: pooled pages and the settle rule vs the earlier design, same run.

Serves N small government-style pages on 127.0.0.1 and captures each (PNG,
MHTML, DOM, SHA-256) several ways, all in the same run:

* now: one shared browser, a pool of P reused pages, settled by ``load`` + a short
  DOM/network quiet (the EvidenceCapturer design);
* before: one shared browser, a fresh context per capture, settled by ``load`` then
  ``networkidle`` (500 ms without a request), as the capturer did until issue #15;
* shared browser, pool 1; and a fresh browser launched for every page, P at a time;
* with ``--baseline REV``: the capturer of git revision REV (checked out in a temporary
  ``git worktree``, run in a process of its own) on the same pages, the same way as "now".

Pages/s counts the captures only (the browser is launched once per check, before the
crawl); CPU is this process plus the browser's processes (children, reaped at exit),
launch included, per page. On a shared machine the wall-clock rate depends on the load;
``2 cores / CPU per page`` is what two idle cores would sustain.

Usage: .venv/bin/python bench/bench_evidence.py [-n 24] [--pool 3] [--quick] [--baseline REV]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from inspector.core.web.evidence import EvidenceCapturer


class BeforeCapturer(EvidenceCapturer):
    """The capturer as it was before issue #15: a fresh context per capture, settled by networkidle."""

    async def _reset(self, context: Any, page: Page) -> bool:
        return False  # never reused: every capture opens a new context and page

    async def settle(self, page: Page) -> None:
        for state in ("load", "networkidle"):
            try:
                await page.wait_for_load_state(state, timeout=self.settle_timeout_ms)  # type: ignore[arg-type]
            except Exception:
                break


def page_html(n: int) -> bytes:
    items = "".join(
        f'<li><a href="/art/{n}/{i}">关于做好第{i}批政务公开工作的通知</a>'
        f"<span>2026-10-{i % 28 + 1:02d}</span></li>"
        for i in range(40)
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>示例区人民政府 栏目{n}</title>'
        "<style>body{font:14px sans-serif;width:1000px;margin:auto}li{padding:6px}</style></head>"
        f"<body><h1>示例区人民政府门户网站</h1><h2>通知公告 {n}</h2><ul>{items}</ul></body></html>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = page_html(abs(hash(self.path)) % 1000)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def shared(urls: list[str], root: Path, pool: int, kind: type[EvidenceCapturer] = EvidenceCapturer) -> tuple[float, list[dict[str, Any]]]:
    async with kind(root, pool_size=pool) as capturer:
        start = time.perf_counter()
        records = list(await asyncio.gather(*(capturer.capture(u, root / "shared") for u in urls)))
        return time.perf_counter() - start, records


async def per_page(urls: list[str], root: Path, pool: int) -> tuple[float, list[dict[str, Any]]]:
    limit = asyncio.Semaphore(pool)

    async def one(url: str) -> dict[str, Any]:
        async with limit, BeforeCapturer(root, pool_size=1) as capturer:
            return await capturer.capture(url, root / "per-page")

    start = time.perf_counter()
    records = list(await asyncio.gather(*(one(u) for u in urls)))
    return time.perf_counter() - start, records


async def single_capture(url: str, root: Path) -> float:
    async with EvidenceCapturer(root, pool_size=1) as capturer:
        await capturer.capture(url, root / "warm")  # warm caches and fonts
        start = time.perf_counter()
        await capturer.capture(url, root / "single")
        return time.perf_counter() - start


def _cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, coro: Any, count: int) -> float:
    cpu = _cpu()
    elapsed, records = asyncio.run(coro)
    cpu = (_cpu() - cpu) / count
    failed = [r["error"] for r in records if r["error"]]
    assert not failed, failed
    rate = count / elapsed
    print(f"{label:<46} {elapsed:6.2f} s  {rate:5.2f} pages/s   CPU {cpu:5.2f} s/page -> {2 / cpu:4.1f} pages/s on 2 idle cores")
    return rate


BASELINE = """
import asyncio, json, sys, time
from pathlib import Path
from inspector.core.web.evidence import EvidenceCapturer
urls, root, pool = json.loads(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
async def main():
    async with EvidenceCapturer(root, pool_size=pool) as capturer:
        start = time.perf_counter()
        records = await asyncio.gather(*(capturer.capture(u, root / "baseline") for u in urls))
        return time.perf_counter() - start, records
elapsed, records = asyncio.run(main())
print(json.dumps({"elapsed": elapsed, "errors": [r["error"] for r in records if r["error"]]}))
"""


def baseline(rev: str, urls: list[str], root: Path, pool: int) -> float:
    """The capturer of git revision ``rev`` on the same pages, in a process of its own (its browser's CPU
    is counted once the process is reaped)."""
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-evidence-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", "--quiet", str(tree), rev], check=True)
        try:
            cpu = _cpu()
            proc = subprocess.run([sys.executable, "-c", BASELINE, json.dumps(urls), str(root), str(pool)],
                                  cwd=tree, capture_output=True, text=True, check=True)
            cpu = (_cpu() - cpu) / len(urls)
        finally:
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)], check=False)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not result["errors"], result["errors"]
    rate = len(urls) / result["elapsed"]
    print(f"{'baseline ' + rev + ', pool ' + str(pool):<46} {result['elapsed']:6.2f} s  {rate:5.2f} pages/s   "
          f"CPU {cpu:5.2f} s/page (launch included)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=24, help="pages to capture (default 24)")
    parser.add_argument("--pool", type=int, default=3, help="concurrent pages (default 3)")
    parser.add_argument("--quick", action="store_true", help="now and before only")
    parser.add_argument("--baseline", metavar="REV", help="also the capturer of git revision REV (e.g. main)")
    args = parser.parse_args()
    with serve() as base, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        urls = [f"{base}/column/{i}" for i in range(args.n)]
        print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        one = asyncio.run(single_capture(urls[0], root))
        print(f"one capture on a warm shared browser: {one * 1000:.0f} ms (PNG + MHTML + DOM + hashes)")
        print(f"{args.n} pages, pool {args.pool}")
        now = timed(f"now: pooled pages, settle rule, pool {args.pool}", shared(urls, root, args.pool), args.n)
        before = timed(f"before: context per capture, networkidle, pool {args.pool}",
                       shared(urls, root, args.pool, BeforeCapturer), args.n)
        if not args.quick:
            timed("now: pool 1", shared(urls, root, 1), args.n)
            timed(f"browser per page, {args.pool} at a time", per_page(urls, root, args.pool), args.n)
        print(f"ratio now / before: {now / before:.2f}x   (goal: >= 3 pages/s on 2 cores)")
        if args.baseline:
            rate = baseline(args.baseline, urls, root, args.pool)
            print(f"ratio now / baseline {args.baseline}: {now / rate:.2f}x")


if __name__ == "__main__":
    main()
