"""A whole quarter: its sites checked one after another vs several at once, in the same run.

Serves ``--sites`` government sites (default 10) of ``--pages`` pages each (default 300, small
pages with dated lists, a few broken links), each on its own port, from a child process that
waits ``--delay`` (default 50 ms) before every response. A workspace holds them as the
quarter's sample; :func:`inspector.core.quarter.batch.check_sites` checks and stores them all
with the default politeness (``CheckOptions``: per host and interval), no browser, first with
``concurrency=1`` (sequential: what the TUI did before) and then with ``--concurrency``
(default: the batch's default), each into a fresh workspace. Prints both wall times and the
ratio (goal: concurrent at least 4x faster for 10 sites).

    .venv/bin/python bench/bench_quarter.py [--sites 10 --pages 300 --delay 0.05 --concurrency N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.core.quarter.batch import DEFAULT_CONCURRENCY, check_sites  # noqa: E402
from inspector.core.runner import CheckOptions  # noqa: E402
from inspector.core.store import Workspace  # noqa: E402
from tests.httpfixtures import LoopbackServer, Route, blob, html  # noqa: E402

QUARTER = "2026Q4"


def make_site(n: int, pages: int) -> dict[str, Route]:
    rng = random.Random(n)
    routes: dict[str, Route] = {"/img/logo.png": blob(3000, "image/png")}
    for i in range(pages):
        targets = sorted({(i + 1) % pages, *(rng.randrange(pages) for _ in range(4))})
        items = "".join(f'<li><a href="{"/" if t == 0 else f"/p{t}.html"}">关于第{t}项政务工作的通知</a>'
                        f"<span>2026-{(t % 11) + 1:02d}-{(t % 27) + 1:02d}</span></li>" for t in targets)
        dead = f'<a href="/gone/{i}.html">旧文章</a>' if i % 50 == 0 else ""
        body = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>示例县{n}人民政府</title></head><body>'
                f'<img src="/img/logo.png"><h1>示例县{n}人民政府</h1><div class="list"><ul>{items}</ul>{dead}</div>'
                f"<p>{'政务公开 ' * 200}</p></body></html>")
        routes["/" if i == 0 else f"/p{i}.html"] = html(body)
    return routes


def serve(sites: int, pages: int, delay: float, conn: Connection) -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(LoopbackServer(make_site(n, pages), delay=delay)) for n in range(sites)]
        conn.send([s.url("/") for s in servers])
        conn.recv()


def workspace(root: Path, urls: list[str]) -> Workspace:
    ws = Workspace(root)
    codes = [f"53{n:08d}" for n in range(len(urls))]
    ws.upsert_sites([{"code": c, "name": f"示例县{n}人民政府", "url": u, "level": "县级", "running": True}
                     for n, (c, u) in enumerate(zip(codes, urls))])
    ws.save_sample({"quarter": QUARTER, "codes": codes})
    return ws


def run(root: Path, urls: list[str], concurrency: int, pages: int) -> float:
    ws = workspace(root, urls)
    opts = CheckOptions(as_of=date(2026, 11, 20), browser=False, probes=1, max_pages=pages * 2)
    started = time.perf_counter()
    results = check_sites(ws, QUARTER, ws.sample(QUARTER)["codes"], opts, concurrency=concurrency)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.doc is None]
    assert not failed, failed
    assert all(r.doc["run"]["pages"] >= pages for r in results), [r.doc["run"]["pages"] for r in results]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=serve, args=(args.sites, args.pages, args.delay, theirs), daemon=True)
    child.start()
    urls = ours.recv()
    opts = CheckOptions()
    print(f"{args.sites} sites x {args.pages} pages, {args.delay * 1000:.0f} ms per response, politeness "
          f"{opts.per_host} per host {opts.min_interval:g} s apart; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        sequential = run(Path(tmp) / "one", urls, 1, args.pages)
        print(f"sequential (concurrency 1)        {sequential:7.1f} s")
        concurrent = run(Path(tmp) / "many", urls, args.concurrency, args.pages)
        print(f"concurrent (concurrency {args.concurrency:<2})       {concurrent:7.1f} s")
    ours.send("stop")
    child.join(10)
    print(f"ratio sequential / concurrent: {sequential / concurrent:.2f}x (goal >= 4x for 10 sites)")


if __name__ == "__main__":
    main()
