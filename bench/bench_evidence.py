"""Evidence capture throughput: one shared browser + page pool vs a browser per page.

Serves N small government-style pages on 127.0.0.1 and captures each (PNG,
MHTML, DOM, SHA-256) three ways, all in the same run:

* shared browser, pool of P concurrent pages (the EvidenceCapturer design);
* shared browser, pool of 1 (isolates what the pool adds);
* baseline: a fresh browser launched for every page, P at a time.

Usage: .venv/bin/python bench/bench_evidence.py [-n 12] [--pool 3]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from inspector.core.web.evidence import EvidenceCapturer


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


async def shared(urls: list[str], root: Path, pool: int) -> list[dict[str, Any]]:
    async with EvidenceCapturer(root, pool_size=pool) as capturer:
        return list(await asyncio.gather(*(capturer.capture(u, root / "shared") for u in urls)))


async def per_page(urls: list[str], root: Path, pool: int) -> list[dict[str, Any]]:
    limit = asyncio.Semaphore(pool)

    async def one(url: str) -> dict[str, Any]:
        async with limit, EvidenceCapturer(root, pool_size=1) as capturer:
            return await capturer.capture(url, root / "per-page")

    return list(await asyncio.gather(*(one(u) for u in urls)))


async def single_capture(url: str, root: Path) -> float:
    async with EvidenceCapturer(root, pool_size=1) as capturer:
        await capturer.capture(url, root / "warm")  # warm caches and fonts
        start = time.perf_counter()
        await capturer.capture(url, root / "single")
        return time.perf_counter() - start


def timed(label: str, coro: Any, count: int) -> float:
    start = time.perf_counter()
    records = asyncio.run(coro)
    elapsed = time.perf_counter() - start
    failed = [r["error"] for r in records if r["error"]]
    assert not failed, failed
    rate = count / elapsed
    print(f"{label:<42} {elapsed:7.2f} s  {rate:6.2f} pages/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=12, help="pages to capture (default 12)")
    parser.add_argument("--pool", type=int, default=3, help="concurrent pages (default 3)")
    args = parser.parse_args()
    with serve() as base, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        urls = [f"{base}/column/{i}" for i in range(args.n)]
        one = asyncio.run(single_capture(urls[0], root))
        print(f"one capture on a warm shared browser: {one * 1000:.0f} ms (PNG + MHTML + DOM + hashes)")
        print(f"{args.n} pages, pool {args.pool}")
        pooled = timed(f"shared browser, pool {args.pool}", shared(urls, root, args.pool), args.n)
        timed("shared browser, pool 1", shared(urls, root, 1), args.n)
        baseline = timed(f"browser per page, {args.pool} at a time", per_page(urls, root, args.pool), args.n)
        print(f"ratio shared+pool / browser-per-page: {pooled / baseline:.2f}x")


if __name__ == "__main__":
    main()
