"""Crawl + link-check throughput against a synthetic loopback site with slow responses.

Generates an N-page site (each page links to ~5 other pages, a few shared
images and a stylesheet, and now and then a broken page or image), serves it
from a threaded server on 127.0.0.1 that waits ``--delay`` seconds before
every response, crawls it with ``--concurrency`` requests per host and prints
pages/s, links/s and the ratio of the elapsed time to the lower bound
``distinct URLs x delay / concurrency`` (1.00 would be perfect).

    .venv/bin/python bench/bench_linkcheck.py [--pages 2000 --delay 0.05 --concurrency 8] [--baseline REV]

With ``--baseline REV`` (e.g. ``main``) the same served site is also crawled by the code of git
revision REV (checked out in a temporary ``git worktree``): both versions run in fresh subprocesses,
``--repeat`` times each in ABBA order, and the median after/before ratios of wall and CPU time are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import subprocess
import sys
import tempfile
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
        while conn.recv() != "stop":  # "count": the requests served so far
            conn.send(len(server.requests))
        conn.send(len(server.requests))


# Crawls with whatever ``inspector`` the working directory holds (the checkout, or a baseline worktree),
# through the API both have: crawl_site(url, fetcher=, max_pages=, max_depth=) and Fetcher(per_host=, retries=).
_CRAWL_SNIPPET = """
import asyncio, json, sys, time
sys.path.insert(0, ".")
from inspector.core.web.crawl import crawl_site
from inspector.core.web.fetch import Fetcher
async def main(url, concurrency, max_pages):
    async with Fetcher(per_host=concurrency, retries=0) as fetcher:
        started, cpu = time.perf_counter(), time.process_time()
        result = await crawl_site(url, fetcher=fetcher, max_pages=max_pages, max_depth=10_000)
        return len(result.pages), len(result.links), time.perf_counter() - started, time.process_time() - cpu
print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
"""


def _crawl_in(checkout: Path, url: str, concurrency: int, max_pages: int) -> tuple[int, int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CRAWL_SNIPPET, url, str(concurrency), str(max_pages)],
        cwd=checkout, capture_output=True, text=True, check=True, timeout=3600,
    )
    pages, links, elapsed, cpu = json.loads(out.stdout.strip().splitlines()[-1])
    return pages, links, elapsed, cpu


def compare_with(rev: str, url: str, concurrency: int, max_pages: int, repeat: int) -> None:
    """Crawl the served site with this checkout and with revision ``rev``, alternately, and print the ratios."""
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(here), "worktree", "add", "--detach", "--quiet", str(base), rev], check=True)
        try:
            runs: dict[str, list[tuple[int, int, float, float]]] = {"before": [], "after": []}
            for i in range(repeat):  # ABBA order: a server that slows down as its log grows favours no side
                order = [("before", base), ("after", here)]
                for name, checkout in order if i % 2 == 0 else order[::-1]:
                    runs[name].append(_crawl_in(checkout, url, concurrency, max_pages))
        finally:
            subprocess.run(["git", "-C", str(here), "worktree", "remove", "--force", str(base)], check=False)
    for name, results in runs.items():
        pages, links = results[0][0], results[0][1]
        wall = statistics.median(r[2] for r in results)
        cpu = statistics.median(r[3] for r in results)
        print(f"{name:>6} ({rev if name == 'before' else 'this checkout'}): {pages} pages, {links} URLs, "
              f"median of {repeat}: {wall:.2f} s wall, {cpu:.2f} s crawler CPU")
    wall_ratio = statistics.median(r[2] for r in runs["after"]) / statistics.median(r[2] for r in runs["before"])
    cpu_ratio = statistics.median(r[3] for r in runs["after"]) / statistics.median(r[3] for r in runs["before"])
    print(f"after/before: wall {wall_ratio:.3f}   crawler CPU {cpu_ratio:.3f}   (below 1: faster)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.05, help="server delay per response (s)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per host")
    parser.add_argument("--baseline", metavar="REV", help="also crawl with git revision REV and print after/before ratios")
    parser.add_argument("--repeat", type=int, default=3, help="alternate runs per version with --baseline")
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=serve_site, args=(args.pages, args.delay, theirs), daemon=True)
    child.start()
    url = ours.recv()
    pages, links, elapsed, cpu = asyncio.run(crawl(url, args.concurrency, args.pages * 2))
    ours.send("count")
    requests = ours.recv()

    print(f"site: {args.pages} pages, delay {args.delay * 1000:.0f} ms, concurrency {args.concurrency}/host")
    print(f"crawled {pages} pages, {links} distinct URLs checked, {requests} HTTP requests, in {elapsed:.2f} s")
    print(f"pages/s {pages / elapsed:.1f}   links/s {links / elapsed:.1f}   requests/s {requests / elapsed:.1f}")
    print(f"crawler CPU {cpu:.2f} s ({cpu / requests * 1000:.2f} ms per request)")
    if args.delay > 0:
        bound = links * args.delay / args.concurrency
        bound_requests = requests * args.delay / args.concurrency
        print(f"lower bound (distinct URLs x delay / concurrency) {bound:.2f} s -> ratio {elapsed / bound:.3f}")
        print(f"lower bound by requests actually sent {bound_requests:.2f} s -> ratio {elapsed / bound_requests:.3f}")
    if args.baseline:
        compare_with(args.baseline, url, args.concurrency, args.pages * 2, max(1, args.repeat))
    ours.send("stop")
    ours.recv()
    child.join(10)


if __name__ == "__main__":
    main()
