"""`inspector demo`: the README's main job.

Serves the demo region on 127.0.0.1, prepares a demo workspace (the region's registry,
imported through the real GBK CSV path, and the quarter's drawn sample), and opens the
TUI on it. ``--no-tui`` prepares everything, prints the URLs and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import csv
import io
import shlex
import sys
import threading
from datetime import date
from pathlib import Path

from inspector.core.quarter.registry import import_registry
from inspector.core.quarter.sampling import current_quarter, draw
from inspector.core.store import Workspace, default_workspace, utcnow
from inspector.demo.region import SITES, DemoRegion, registry_rows, serve_region

DEMO_SEED = 2026


def demo_workspace(args: argparse.Namespace) -> Workspace:
    if args.workspace:
        return Workspace(Path(args.workspace))
    return Workspace(default_workspace() / "demo")


def prepare(ws: Workspace, region: DemoRegion, as_of: date) -> str:
    """Import the region's registry (as a GBK CSV, like a real export) and draw the quarter's sample."""
    rows = registry_rows(region)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    registry = ws.root / "demo-registry.csv"
    registry.parent.mkdir(parents=True, exist_ok=True)
    registry.write_bytes(buf.getvalue().encode("gb18030"))
    import_registry(ws, registry)
    quarter = current_quarter(as_of)
    existing = ws.sample(quarter)
    if existing is None or not ws.inspections(quarter):
        # every served demo site is forced in (as sites under rectification would be), on top of the 20 % draw
        served = [s.code for s in SITES if s.code in region.urls]
        sample = draw(ws.sites(), quarter, seed=DEMO_SEED, include=served)
        sample["drawn_at"] = utcnow()
        ws.save_sample(sample, force=True)
    return quarter


def next_commands(ws: Workspace, quarter: str) -> list[str]:
    """What to run after the demo, with its workspace: export, verify, and the province's side."""
    w = shlex.quote(str(ws.root))
    pub = shlex.quote(str(ws.root / "keys" / "office.pub"))
    bundle = f"demo-{quarter}.zip"
    return [
        f"inspector --workspace {w} keys generate",
        f"inspector --workspace {w} bundle export --quarter {quarter} --allow-incomplete -o {bundle}",
        f"inspector bundle verify {bundle} --pubkey {pub}",
        f"inspector --workspace province province import {bundle} --pubkey {pub}",
        f"inspector --workspace province province report --quarter {quarter}",
    ]


def print_next(ws: Workspace, quarter: str) -> None:
    print(f"下一步 next（演示工作区 {ws.root}）：")
    for line in next_commands(ws, quarter):
        print(f"  {line}")
    sys.stdout.flush()


def run_demo(args: argparse.Namespace) -> int:
    as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    try:
        region = serve_region(as_of, base_port=args.port)
    except OSError:
        region = serve_region(as_of)  # the usual ports are taken: use free ones
    with region:
        ws = demo_workspace(args)
        quarter = prepare(ws, region, as_of)
        print(f"演示工作区 demo workspace: {ws.root}  季度 quarter: {quarter}  监测日 as of: {as_of}", flush=True)
        if args.no_tui:
            for spec in SITES:
                if spec.code in region.urls:
                    print(f"  {spec.code}  {region.urls[spec.code]:<28} {spec.name}")
            print_next(ws, quarter)
            print("serving on 127.0.0.1 until Ctrl-C（按 Ctrl-C 停止）", flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
            return 0
        from inspector.core.runner import CheckOptions
        from inspector.tui.app import make_app

        opts = CheckOptions(as_of=as_of, probes=3, probe_interval=0.5, timeout=5.0)
        make_app(ws, quarter=quarter, check_options=opts).run()
    print_next(ws, quarter)
    return 0
