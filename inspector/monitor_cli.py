"""`inspector monitor`: the command-line face of :mod:`inspector.core.quarter.monitor`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from inspector.core import texts
from inspector.core.checklist import load_checklist
from inspector.core.quarter.monitor import (
    SHANGHAI,
    Monitor,
    load_state,
    monitor_status,
    real_clock,
    run_until_signal,
)
from inspector.core.quarter.sampling import check_quarter, current_quarter
from inspector.core.text import json_text
from inspector.core.settings import number_arg
from inspector.core.store import Workspace, default_workspace

def add_monitor_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``inspector monitor`` to the console script's subparsers (handler: :func:`cmd_monitor`)."""
    p = subparsers.add_parser(
        "monitor",
        help="probe every sampled site ~24 times a day for a week (long-running; see docs/monitor.md)",
        description=(
            "Week-long availability monitor for site-unreachable / homepage-availability. Probes every "
            "sampled site of the quarter at random times (one per slot, slots splitting each Asia/Shanghai "
            "day), storing every attempt as it happens. Restart it any time: it resumes the same window "
            "and schedule; slots that passed while it was down are recorded as missed, not as failures."
        ),
    )
    p.add_argument("--quarter", help="quarter whose sample to monitor (default: the current quarter)")
    p.add_argument("--status", action="store_true", help="print each site's attempts, failures and last failure, then exit")
    p.add_argument("--json", action="store_true", help="with --status: print JSON (schema inspector.monitor/1) only")
    p.add_argument("--days", type=number_arg(int, "monitor_days", "--days"), help="window length in days when the window is created (default: checklist, 7)")
    p.add_argument("--per-day", type=number_arg(int, "monitor_per_day", "--per-day"), help="attempts per Asia/Shanghai day when the window is created (default: checklist, 24)")
    p.set_defaults(func=cmd_monitor)
    return p


def cmd_monitor(args: argparse.Namespace) -> int:
    """Handler of ``inspector monitor``: 0 when the window is done or stopped by SIGTERM, 130 on Ctrl-C."""
    ws = Workspace(Path(args.workspace) if getattr(args, "workspace", None) else default_workspace())
    quarter = check_quarter(args.quarter or current_quarter(real_clock().astimezone(SHANGHAI).date()))
    if args.status:
        return _print_status(ws, quarter, args.json)
    params = load_checklist().params("site-unreachable")
    monitor = Monitor(
        ws,
        quarter,
        probes_per_day=args.per_day or int(params.get("probes_per_day", 24)),
        days=args.days or int(params.get("days", 7)),
        timeout=float(params.get("timeout_s", 15.0)),
        on_event=_progress,
    )
    try:
        summary = asyncio.run(run_until_signal(monitor))
    except KeyboardInterrupt:
        _say(texts.monitor_interrupted("已中断"))
        return 130
    if summary is None:
        _say(texts.monitor_interrupted("已停止（收到 SIGTERM）"))
        return 0
    state = monitor.state
    _say(f"{texts.MONITOR}：{state.window_label() if state else ''} 本次运行完成：探测 {summary.attempts} 次，"
         f"失败 {summary.failures} 次，漏测 {summary.missed} 次")
    return 0


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _progress(event: dict[str, Any]) -> None:
    kind = event.get("kind")
    if kind == "start":
        _say(f"{texts.MONITOR}：{event['window']}，{event['sites']} 个网站，计划探测 {event['planned']} 次，"
             f"待做 {event['pending']} 次")
    elif kind == "attempt":
        result = "成功" if event["ok"] else f"失败 {texts.fetch_error(event['error'])}"
        _say(f"{texts.local_time(event['at'], '%m-%d %H:%M:%S')} {event.get('code', '')} 第 {event['slot']} 次：{result}"
             f"（{event['elapsed']:.2f} 秒）")
    elif kind == "backlog":
        _say(f"{texts.MONITOR}：监测未运行期间错过 {event['missed']} 次探测，记为漏测")
    elif kind == "missed" and event["reason"] != "down":
        _say(f"{texts.local_time(event['noted_at'], '%m-%d %H:%M:%S')} {event['code']} 第 {event['slot']} 次：漏测（{texts.missed_reason(event['reason'])}）")


def _print_status(ws: Workspace, quarter: str, as_json: bool) -> int:
    rows = monitor_status(ws, quarter)
    state = load_state(ws, quarter)
    if as_json:
        doc = {"schema": "inspector.monitor/1", "quarter": quarter,
               "window": state.to_record() if state else None, "sites": rows}
        sys.stdout.write(json_text(doc) + "\n")
        return 0
    if state is None:
        sys.stdout.write(f"工作区 {ws.root} 中 {quarter} 尚未监测（启动：inspector --workspace {ws.root} monitor --quarter {quarter}）\n")
        return 0
    lines = [f"{quarter} 一周监测 {state.window_label()}",
             f"{'网站标识码':<7} {'探测':>7} {'失败':>3} {'失败率':>4} {'漏测':>4}  最近失败"]
    for r in rows:
        last = r["last_failure"]
        last_text = f"{texts.local_time(last['at'])} {texts.fetch_error(last['error'], last.get('status'))}" if last else "-"
        lines.append(f"{r['code']:<12} {r['attempts']:>4}/{r['planned']:<4} {r['failures']:>5} "
                     f"{r['failure_rate']:>7.1%} {r['missed']:>6}  {last_text}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
