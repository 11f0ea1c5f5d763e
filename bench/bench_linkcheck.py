"""Crawl + link-check throughput against a synthetic loopback site with slow responses.

Generates an N-page site (each page links to ~5 other pages, a few shared
images and a stylesheet, and now and then a broken page or image), serves it
from a threaded server on 127.0.0.1 that waits ``--delay`` seconds before
every response, crawls it with ``--concurrency`` requests per host and prints
pages/s, links/s and the ratio of the elapsed time to the lower bound
``distinct URLs x delay / concurrency`` (1.00 would be perfect).

    .venv/bin/python bench/bench_linkcheck.py [--pages 2000 --delay 0.05 --concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.core.web.crawl import crawl_site  # noqa: E402
from inspector.core.web.fetch import Fetcher  # noqa: E402
from tests.httpfixtures import LoopbackServer, Request, Route, blob, html  # noqa: E402

IMAGES = 20
BROKEN_EVERY = 40  # one page in this many carries a broken link


def make_site(pages: int, seed: int = 7) -> dict[str, Route]:
    """path -> reply for the whole synthetic site (page 0 is the homepage ``/``)."""
    rng = random.Random(seed)
    routes: dict[str, Route] = {"/css/site.css": blob(2000, "text/css")}
    routes.update({f"/img/{k}.png": blob(5000, "image/png") for k in range(IMAGES)})
    for i in range(pages):
        targets = {(i + 1) % pages, *(rng.randrange(pages) for _ in range(4))}
        anchors = "".join(f'<li><a href="/p{t}.html">第{t}条 政务动态</a><span>2026-11-18</span></li>' for t in sorted(targets))
        images = "".join(f'<img src="/img/{rng.randrange(IMAGES)}.png">' for _ in range(2))
        broken = ""
        if i % BROKEN_EVERY == 0:
            broken = f'<a href="/missing/{i}.html">已删除</a><img src="/img/missing-{i}.png">'
        body = (
            '<html><head><meta charset="utf-8"><link rel="stylesheet" href="/css/site.css"></head>'
            f"<body><h1>页面 {i}</h1>{images}<ul>{anchors}</ul>{broken}</body></html>"
        )
        routes["/" if i == 0 else f"/p{i}.html"] = html(body)
    return routes


async def crawl(url: str, concurrency: int, max_pages: int) -> tuple[int, int, float, float]:
    """Crawl the site; returns pages, distinct URLs, wall seconds, crawler CPU seconds."""
    async with Fetcher(per_host=concurrency, retries=0) as fetcher:
        started, cpu = time.perf_counter(), time.process_time()
        result = await crawl_site(url, fetcher=fetcher, max_pages=max_pages, max_depth=10_000)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return len(result.pages), len(result.links), elapsed, cpu


def serve_site(pages: int, delay: float, conn: Connection) -> None:
    """Child process: serve the site until told to stop, then report the request count.

    The server gets its own process so that its threads do not compete with the
    crawler for the GIL (the measured figures are the crawler's, not Python's).
    """
    routes = make_site(pages)

    def serve(request: Request) -> Route:
        return routes.get(request.path, (404, {"Content-Type": "text/html"}, b"<p>404</p>"))

    with LoopbackServer(serve, delay=delay) as server:
        conn.send(server.url("/"))
        conn.recv()
        conn.send(len(server.requests))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.05, help="server delay per response (s)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per host")
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=serve_site, args=(args.pages, args.delay, theirs), daemon=True)
    child.start()
    url = ours.recv()
    pages, links, elapsed, cpu = asyncio.run(crawl(url, args.concurrency, args.pages * 2))
    ours.send("stop")
    requests = ours.recv()
    child.join(10)

    print(f"site: {args.pages} pages, delay {args.delay * 1000:.0f} ms, concurrency {args.concurrency}/host")
    print(f"crawled {pages} pages, {links} distinct URLs checked, {requests} HTTP requests, in {elapsed:.2f} s")
    print(f"pages/s {pages / elapsed:.1f}   links/s {links / elapsed:.1f}   requests/s {requests / elapsed:.1f}")
    print(f"crawler CPU {cpu:.2f} s ({cpu / requests * 1000:.2f} ms per request)")
    if args.delay > 0:
        bound = links * args.delay / args.concurrency
        bound_requests = requests * args.delay / args.concurrency
        print(f"lower bound (distinct URLs x delay / concurrency) {bound:.2f} s -> ratio {elapsed / bound:.3f}")
        print(f"lower bound by requests actually sent {bound_requests:.2f} s -> ratio {elapsed / bound_requests:.3f}")


if __name__ == "__main__":
    main()
