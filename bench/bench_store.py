"""The workspace and the TUI on a big quarter: 500-site registry, 100-site sample, 100 stored results.

Builds the workspace through the real paths (registry CSV import, the stratified draw,
``store_check`` for every sampled site with a check document and evidence records as a real
check of a demo site produces them), then measures:

* the quarter overview in the core (what the dashboard shows), in a fresh process;
* the TUI: from app start to the dashboard shown with every row, in a fresh process;
* one decision written (``inspection.decide``), median over 20 sites;
* one confirm keypress in the TUI (decision written, screen and dashboard row updated).

Goals (issue #15): dashboard shown in < 1 s, one decision written in < 50 ms.

    .venv/bin/python bench/bench_store.py [--sites 500 --results 100 --keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.core.model import CrawlResult  # noqa: E402
from inspector.core.quarter.inspection import decide  # noqa: E402
from inspector.core.quarter.registry import import_registry  # noqa: E402
from inspector.core.quarter.sampling import draw  # noqa: E402
from inspector.core.runner import CheckOptions, CheckRun, proving_pages, run_check, store_check  # noqa: E402
from inspector.core.store import DB_NAME, Workspace  # noqa: E402
from inspector.demo.region import SITES, serve_region  # noqa: E402

QUARTER = "2026Q4"
AS_OF = date(2026, 11, 20)
LEVELS = ["市级", "县级", "部门"]
REGIONS = ["云溪市", "桐江县", "白石县", "溪东区", "青山县"]


def registry_csv(path: Path, count: int) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["网站标识码", "网站名称", "首页网址", "主办单位", "主管单位", "地区", "级别", "运行状态", "ICP备案号"])
    for i in range(count):
        region = REGIONS[i % len(REGIONS)]
        writer.writerow([f"53{i:08d}", f"{region}第{i}局网站", f"http://site{i}.example.gov.cn/", f"{region}第{i}局",
                         f"{region}人民政府办公室", region, LEVELS[i % len(LEVELS)], "正常运行", f"滇ICP备{i:08d}号"])
    path.write_bytes(buf.getvalue().encode("gb18030"))


def real_check() -> CheckRun:
    """One real check (no browser) of the demo site with the most findings."""
    best = None
    with serve_region(AS_OF) as region:
        for spec in SITES[:4]:
            run = asyncio.run(run_check(region.urls[spec.code], CheckOptions(as_of=AS_OF, browser=False, probes=1)))
            size = len(json.dumps(run.doc, ensure_ascii=False))
            if best is None or size > best[0]:
                best = (size, run)
    assert best is not None
    return best[1]


def evidence_like_a_browser_check(run: CheckRun) -> tuple[dict, list[dict]]:
    """The document and evidence records a browser check would have stored: one record of three
    files (DOM, MHTML, screenshot) per proving page, linked from the document."""
    doc = json.loads(json.dumps(run.doc))
    home = run.crawl.homepage_url or run.crawl.start_url
    records = []
    for n, (url, target) in enumerate(proving_pages(doc["indicators"], run.crawl, home).items()):
        rid = f"{n:032x}"
        files = [{"kind": kind, "path": f"runs/{QUARTER}/x/evidence/{rid}_{kind}.{ext}", "sha256": "ab" * 32, "size": 20_000}
                 for kind, ext in (("dom", "html"), ("mhtml", "mhtml"), ("screenshot", "png"))]
        records.append({"id": rid, "url": url, "final_url": url, "redirects": [], "status": 200,
                        "captured_at_utc": "2026-11-20T02:00:00.000+00:00", "captured_at_local": "2026-11-20T10:00:00.000+08:00",
                        "browser": "chromium", "browser_version": "156.0.8078.114",
                        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36",
                        "viewport": {"width": 1366, "height": 900}, "title": "云溪市人民政府", "findings": target["findings"],
                        "files": files, "page_height": 3000, "clipped": False, "highlight": target["highlight"], "error": None})
        doc["evidence"] += [{"path": f["path"], "sha256": f["sha256"], "url": url, "kind": f["kind"], "record": rid} for f in files]
    return doc, records


def build(root: Path, sites: int, results: int) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root)
    registry_csv(root / "registry.csv", sites)
    import_registry(ws, root / "registry.csv")
    sample = draw(ws.sites(), QUARTER, seed=7)
    ws.save_sample(sample)
    run = real_check()
    doc, records = evidence_like_a_browser_check(run)
    codes = sample["codes"][:results]
    for n, code in enumerate(codes):
        run_id = f"20261120T020000Z-{n:06x}"
        one = CheckRun(doc=json.loads(json.dumps(doc)) | {"url": f"http://{code}.example.gov.cn/"}, crawl=CrawlResult(start_url=doc["url"]),
                       probes=[], evidence=[dict(r) for r in records], run_id=run_id)
        store_check(ws, QUARTER, code, one, ws.run_dir(QUARTER, code, run_id))
    return codes


OVERVIEW = """
import sys, time
t0 = time.perf_counter()
from inspector.core.quarter.inspection import quarter_overview
from inspector.core.store import Workspace
t1 = time.perf_counter()
rows = quarter_overview(Workspace(sys.argv[1]), sys.argv[2])
t2 = time.perf_counter()
cpu = time.process_time()
rows = quarter_overview(Workspace(sys.argv[1]), sys.argv[2])
cpu = time.process_time() - cpu
assert sum(1 for r in rows if r["result"]) >= int(sys.argv[3]), rows[:2]
print(t1 - t0, t2 - t1, cpu)
"""

TUI = """
import asyncio, sys, time
t0 = time.perf_counter()
from textual.widgets import DataTable
from inspector.tui.app import make_app
t1 = time.perf_counter()

async def main():
    app = make_app(sys.argv[1], quarter=sys.argv[2])
    start, cpu = time.perf_counter(), time.process_time()
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.screen.query_one("#sites", DataTable)
        while table.row_count < int(sys.argv[3]):
            await pilot.pause(0.01)
        shown, cpu = time.perf_counter() - start, time.process_time() - cpu
        # one confirm keypress on the first checked site: written, screen and dashboard updated
        app.open_site(sys.argv[4])
        await pilot.pause()
        while type(app.screen).__name__ != "InspectionScreen":
            await pilot.pause(0.01)
        await pilot.pause(0.2)
        presses = []
        for _ in range(5):
            before = time.perf_counter()
            await pilot.press("y")
            await pilot.pause()
            await app.workers.wait_for_complete()  # the write runs in a worker: written, and the screens told
            await pilot.pause()
            presses.append(time.perf_counter() - before)
            await pilot.press("down")
    print(t1 - t0, shown, cpu, sorted(presses)[len(presses) // 2])

asyncio.run(main())
"""


def fresh(code: str, *args: str) -> list[float]:
    env = {**os.environ, "INSPECTOR_USER": "基准测试"}  # the TUI asks a first run's name otherwise
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parent.parent, env=env)
    if out.returncode:
        raise SystemExit(out.stderr)
    return [float(x) for x in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--results", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    parser.add_argument("--reuse", type=Path, help="measure a workspace kept by an earlier --keep")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.reuse or args.keep or Path(tmp) / "ws"
        started = time.perf_counter()
        if args.reuse:
            codes = [r["code"] for r in Workspace(root).inspections(QUARTER)]
        else:
            codes = build(root, args.sites, args.results)
        ws = Workspace(root)
        size = (root / DB_NAME).stat().st_size
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"workspace: {len(ws.sites())} sites, sample of {len(ws.sample(QUARTER)['codes'])}, "
              f"{len(codes)} stored results, {DB_NAME} {size / 1e6:.2f} MB (built in {time.perf_counter() - started:.1f} s)")
        imports, overview, again = fresh(OVERVIEW, str(root), QUARTER, str(len(codes)))
        print(f"quarter overview (core, fresh process): {overview * 1000:.0f} ms, again {again * 1000:.0f} ms CPU  "
              f"(+ imports {imports * 1000:.0f} ms)")
        imports, shown, cpu, press = fresh(TUI, str(root), QUARTER, str(len(ws.sample(QUARTER)["codes"])), codes[0])
        print(f"TUI: dashboard shown {shown * 1000:.0f} ms after app start ({cpu * 1000:.0f} ms of it CPU; "
              f"+ imports {imports * 1000:.0f} ms)   goal < 1000 ms")
        print(f"TUI: one confirm keypress (write + screen + dashboard) {press * 1000:.0f} ms (median of 5)")
        times = []
        for n, code in enumerate(codes[:20]):
            began = time.perf_counter()
            decide(ws, QUARTER, code, "serious-errors", "pass", note=f"复核 {n}", by="bench")
            times.append(time.perf_counter() - began)
        print(f"one decision written (core): median {statistics.median(times) * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms over {len(times)} sites   goal < 50 ms")


if __name__ == "__main__":
    main()
