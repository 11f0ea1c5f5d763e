"""The week-long availability monitor: schedule, records, restarts, SIGKILL, concurrency, CLI.

Time is simulated: a fake clock and a sleep that advances it, so a week runs in seconds.
Every probe is a real HTTP request to a real server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.model import MONITOR, Outcome, entry_source
from inspector.core.scoring import prefill
from inspector.core.quarter.monitor import (
    SHANGHAI,
    Monitor,
    MonitorError,
    MonitorState,
    load_state,
    monitor_outcomes,
    monitor_status,
    read_records,
    records_path,
    schedule,
)
from inspector.core.quarter.sampling import draw
from inspector.core.store import Workspace, read_jsonl
from inspector.monitor_cli import add_monitor_command
from tests.httpfixtures import Hang, LoopbackServer, html, interruptible

QUARTER = "2026Q4"
START = datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai: a slot boundary
ROOT = Path(__file__).resolve().parents[1]
OK_PAGE = html("<html><body>首页</body></html>")


class FakeTime:
    """A clock that only moves when the monitor sleeps."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


def every_tenth_fails() -> object:
    """A route answering 503 to every 10th request (10 % of probes fail)."""
    lock = threading.Lock()
    seen = [0]

    def route(_request: object) -> object:
        with lock:
            seen[0] += 1
            n = seen[0]
        return (503, {"Content-Type": "text/html"}, b"busy") if n % 10 == 0 else OK_PAGE

    return route


def make_workspace(root: Path, urls: dict[str, str]) -> Workspace:
    ws = Workspace(root)
    ws.upsert_sites(
        [
            {"code": code, "name": f"测试网站{code[-2:]}", "url": url, "level": "县级", "region": "", "running": True}
            for code, url in urls.items()
        ]
    )
    ws.save_sample(draw(ws.sites(), QUARTER, ratio=1.0, seed=1))
    return ws


def raw_slots(ws: Workspace, code: str) -> list[str]:
    return [r["slot"] for r in read_jsonl(records_path(ws, QUARTER, code))]


@pytest.fixture
def three_sites(tmp_path):
    with LoopbackServer({"/": OK_PAGE}) as a, LoopbackServer({"/": OK_PAGE}) as b, LoopbackServer(
        every_tenth_fails()
    ) as flaky:
        urls = {"3406000001": a.url("/"), "3406000002": b.url("/"), "3406000003": flaky.url("/")}
        yield make_workspace(tmp_path / "ws", urls), (a, b, flaky)


# --------------------------------------------------------------------------- the schedule


def _state(start: datetime = START, days: int = 7, per_day: int = 24, seed: int = 5) -> MonitorState:
    return MonitorState(QUARTER, start, start + timedelta(days=days), days, per_day, 15.0, seed)


def test_schedule_one_random_time_per_shanghai_slot():
    slots = schedule("3406000001", _state())
    assert len(slots) == 168
    assert slots[0].slot_id == "20261118-10" and slots[-1].slot_id == "20261125-09"
    assert len({s.slot_id for s in slots}) == 168
    for s in slots:
        local = s.planned.astimezone(SHANGHAI)
        assert s.start <= s.planned < s.end
        assert s.slot_id == f"{local:%Y%m%d}-{local.hour:02d}"  # 24 a day: slot k is hour k
    per_day = Counter(s.slot_id[:8] for s in slots)
    assert all(per_day[d] == 24 for d in ("20261119", "20261120", "20261121", "20261122", "20261123", "20261124"))
    minutes = {s.planned.minute for s in slots}
    assert len(minutes) > 30  # random inside the slot, not a fixed grid
    assert schedule("3406000001", _state()) == slots  # deterministic: a restart sees the same times
    assert schedule("3406000002", _state())[0].planned != slots[0].planned  # each site its own times


def test_schedule_partial_slots_at_the_window_ends():
    start = START + timedelta(minutes=25)
    slots = schedule("3406000001", _state(start=start, days=1, per_day=24))
    assert len(slots) == 25  # the slot cut by the start and the one cut by the end
    assert slots[0].start == start and slots[-1].end == start + timedelta(days=1)
    assert all(start <= s.planned < start + timedelta(days=1) for s in slots)


# --------------------------------------------------------------------------- a simulated week


def test_simulated_week_vetoes_the_site_failing_ten_percent(three_sites):
    ws, (a, b, flaky) = three_sites
    fake = FakeTime(START)
    events: list[dict] = []
    monitor = Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, rng_seed=11, timeout=5.0, on_event=events.append)
    summary = asyncio.run(monitor.run())

    assert fake.now == START + timedelta(days=7)  # ran until the window's end
    assert summary.attempts == 3 * 168 and summary.missed == 0
    assert a.count("/") == b.count("/") == flaky.count("/") == 168  # one real request per attempt
    rows = {r["code"]: r for r in monitor_status(ws, QUARTER, now=fake.now)}
    checklist = load_checklist()
    for code, row in rows.items():
        assert row["attempts"] == row["planned"] == 168 and row["missed"] == 0 and row["remaining"] == 0
        assert row["finished"] and row["window_start"] == START.isoformat()
        ats = [datetime.fromisoformat(r["at"]).astimezone(SHANGHAI) for r in read_records(ws, QUARTER, code).attempts.values()]
        per_day = Counter(t.date() for t in ats)
        assert sorted(per_day.values()) == [10, 14, 24, 24, 24, 24, 24, 24]  # ~24 a Shanghai day
        assert len({(t.date(), t.hour) for t in ats}) == 168  # never two in one slot
        outcomes = monitor_outcomes(ws, QUARTER, code, checklist, now=fake.now)
        assert outcomes is not None
        unreachable = outcomes["site-unreachable"]
        assert unreachable.measures["attempts"] == 168
        assert unreachable.note.startswith("一周监测 2026-11-18 10:00 – 2026-11-25 10:00 Asia/Shanghai：探测 168 次")
        veto = prefill(checklist.indicators["site-unreachable"], unreachable)
        assert veto["source"] == "monitor"  # provenance is a field of the stored entry, not read from the note
        deduction = prefill(checklist.indicators["homepage-availability"], outcomes["homepage-availability"])
        if code == "3406000003":
            assert row["failures"] == 16 and 0.09 <= row["failure_rate"] <= 0.11
            assert row["last_failure"]["error"] == "503" and row["last_failure"]["status"] == 503
            assert veto["status"] == "fail" and veto["veto"] is True
            assert deduction["status"] == "fail" and deduction["deduction"] == pytest.approx(47.6, abs=0.1)
        else:
            assert row["failures"] == 0 and row["last_failure"] is None
            assert veto["status"] == "pass" and deduction["status"] == "pass"
    assert events[0]["kind"] == "start" and events[0]["planned"] == 3 * 168
    # the state was written once, at start: one record, not one per attempt
    assert len(ws.snapshot().table("monitor").all()) == 1


def test_outcomes_are_none_without_attempts(three_sites):
    ws, _ = three_sites
    assert monitor_outcomes(ws, QUARTER, "3406000001", load_checklist()) is None
    assert monitor_status(ws, QUARTER) == []


# --------------------------------------------------------------------------- restarts


def test_restart_resumes_window_and_notes_downtime_as_missed(three_sites):
    ws, _ = three_sites
    fake = FakeTime(START)
    first = Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, rng_seed=3, timeout=5.0)
    asyncio.run(first.run(until=START + timedelta(days=2)))
    planned_before = {s.code + s.slot_id: s.planned for s in first.plan()}
    assert all(len(raw_slots(ws, c)) == 48 for c in ("3406000001", "3406000002"))

    fake.now += timedelta(days=1)  # the monitor is down for a day
    # a restart with other parameters keeps the stored window, seed and schedule
    second = Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, rng_seed=999, days=2, probes_per_day=4)
    summary = asyncio.run(second.run())
    assert second.state == first.state
    assert {s.code + s.slot_id: s.planned for s in second.plan()} == planned_before
    assert summary.missed == 3 * 24 and summary.attempts == 3 * (168 - 48 - 24)

    for row in monitor_status(ws, QUARTER, now=fake.now):
        slots = raw_slots(ws, row["code"])
        assert len(slots) == len(set(slots)) == 168  # every slot once: no double counting
        assert row["attempts"] == 144 and row["missed"] == 24 and row["remaining"] == 0
        recs = read_records(ws, QUARTER, row["code"])
        assert {r["reason"] for r in recs.missed.values()} == {"down"}
        assert all(sid.startswith(("20261120", "20261121")) for sid in recs.missed)
    flaky = next(r for r in monitor_status(ws, QUARTER, now=fake.now) if r["code"] == "3406000003")
    assert flaky["failure_rate"] == pytest.approx(flaky["failures"] / 144, abs=1e-4)  # missed not counted
    note = monitor_outcomes(ws, QUARTER, "3406000001", load_checklist(), now=fake.now)["site-unreachable"].note
    assert "探测 144 次" in note and "漏测 24 次" in note


def test_status_counts_unrecorded_past_slots_as_missed_while_down(three_sites):
    ws, _ = three_sites
    fake = FakeTime(START)
    asyncio.run(Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep).run(until=START + timedelta(hours=5)))
    row = monitor_status(ws, QUARTER, now=START + timedelta(hours=8))[0]
    assert row["attempts"] == 5 and row["missed"] == 3 and row["remaining"] == 160 and not row["finished"]
    note = monitor_outcomes(ws, QUARTER, row["code"], load_checklist(), now=START + timedelta(hours=8))
    assert "监测尚未结束（计划 168 次）" in note["site-unreachable"].note


def test_a_slot_still_open_on_restart_is_attempted_late(three_sites):
    ws, _ = three_sites
    fake = FakeTime(START)
    monitor = Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, rng_seed=8)
    monitor.start()
    target = next(s for s in monitor.plan() if s.code == "3406000001" and s.end - s.planned > timedelta(minutes=2))
    asyncio.run(monitor.run(until=target.planned))
    assert target.slot_id not in read_records(ws, QUARTER, target.code).recorded
    fake.now = target.planned + timedelta(minutes=1)  # restarted after its time, before its slot ends
    asyncio.run(Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep).run(until=target.end))
    rec = read_records(ws, QUARTER, target.code).attempts[target.slot_id]
    assert rec["ok"] and datetime.fromisoformat(rec["at"]) >= (target.planned + timedelta(minutes=1)).replace(microsecond=0)


def test_a_torn_last_line_does_not_swallow_the_next_record(three_sites):
    ws, _ = three_sites
    fake = FakeTime(START)
    asyncio.run(Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep).run(until=START + timedelta(hours=3)))
    path = records_path(ws, QUARTER, "3406000001")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"kind": "attempt", "slot": "20261118-1')  # a crash mid-write
    asyncio.run(Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep).run(until=START + timedelta(hours=6)))
    assert sorted(raw_slots(ws, "3406000001")) == [f"20261118-{h}" for h in range(10, 16)]


def test_failed_probes_keep_their_error(tmp_path):
    with LoopbackServer({"/": Hang()}) as hang, LoopbackServer({}) as missing:
        ws = make_workspace(tmp_path / "ws", {"3406000011": hang.url("/"), "3406000012": missing.url("/gone")})
        fake = FakeTime(START)
        monitor = Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, probes_per_day=4, days=1, timeout=0.3)
        asyncio.run(monitor.run())
    rows = {r["code"]: r for r in monitor_status(ws, QUARTER, now=fake.now)}
    # 10:00 is inside the 06:00-12:00 slot: two partial slots at the window's ends, 5 in all
    assert rows["3406000011"]["planned"] == rows["3406000011"]["failures"] == 5
    assert rows["3406000011"]["last_failure"]["error"] == "timeout"
    assert rows["3406000012"]["failure_rate"] == 1.0 and rows["3406000012"]["last_failure"]["error"] == "404"


def test_a_crashing_probe_is_missed_not_failed(three_sites):
    ws, _ = three_sites

    async def broken(url: str, timeout: float):
        raise RuntimeError("bug")

    fake = FakeTime(START)
    summary = asyncio.run(
        Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, probe_fn=broken).run(until=START + timedelta(hours=2))
    )
    assert summary.attempts == 0 and summary.missed == 6
    recs = read_records(ws, QUARTER, "3406000001")
    assert {r["reason"] for r in recs.missed.values()} == {"probe-error"}


def test_one_monitor_per_quarter_and_cancel_is_clean(three_sites):
    ws, _ = three_sites
    fake = FakeTime(START)
    parked = asyncio.Event()

    async def park(_seconds: float) -> None:
        parked.set()
        await asyncio.Event().wait()  # never wakes: cancelled below

    async def scenario() -> None:
        task = asyncio.create_task(Monitor(ws, QUARTER, clock=fake.clock, sleep=park).run())
        await parked.wait()
        with pytest.raises(MonitorError, match="already running"):
            await Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep).run()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep).run(until=START + timedelta(hours=1))

    asyncio.run(scenario())
    assert raw_slots(ws, "3406000001") == ["20261118-10"]


def test_no_sample_is_a_user_error(tmp_path):
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(MonitorError, match="中没有 2026Q4 的抽样"):
        asyncio.run(Monitor(ws, QUARTER).run())
    assert load_state(ws, QUARTER) is None


# --------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="inspector")
    p.add_argument("--workspace")
    add_monitor_command(p.add_subparsers(dest="command"))
    return p


def test_cli_status_text_and_json(three_sites, capsys):
    ws, _ = three_sites
    fake = FakeTime(START)
    asyncio.run(Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep).run(until=START + timedelta(days=1)))
    args = _parser().parse_args(["--workspace", str(ws.root), "monitor", "--quarter", "2026q4", "--status", "--json"])
    assert args.func(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "inspector.monitor/1" and doc["window"]["start"] == START.isoformat()
    assert [s["attempts"] for s in doc["sites"]] == [24, 24, 24]
    args = _parser().parse_args(["--workspace", str(ws.root), "monitor", "--quarter", QUARTER, "--status"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "Asia/Shanghai" in out and "3406000003" in out and "503" in out


def _cli_process(ws: Workspace, *extra: str) -> subprocess.Popen:
    code = textwrap.dedent(
        """
        import argparse, sys
        from inspector.monitor_cli import add_monitor_command
        p = argparse.ArgumentParser(prog="inspector")
        p.add_argument("--workspace")
        add_monitor_command(p.add_subparsers(dest="command"))
        args = p.parse_args(sys.argv[1:])
        sys.exit(args.func(args))
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, "--workspace", str(ws.root), "monitor", "--quarter", QUARTER, *extra],
        stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=interruptible,
    )


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_cli_run_stops_cleanly_on_signal(three_sites, sig, code):
    ws, _ = three_sites
    proc = _cli_process(ws, "--days", "2", "--per-day", "3")
    first = proc.stderr.readline()
    assert re.search(r"3 个网站，计划探测 \d+ 次", first)  # the window was created and the monitor waits
    proc.send_signal(sig)
    rest = proc.communicate(timeout=20)[1]
    assert proc.returncode == code and "再次运行即可继续" in rest and "Traceback" not in rest
    assert load_state(ws, QUARTER).days == 2


# --------------------------------------------------------------------------- SIGKILL and concurrency

DRIVER = textwrap.dedent(
    """
    # A monitor whose clock runs SPEED times faster than real time, counted from T0.
    import asyncio, sys, time
    from datetime import datetime, timedelta
    from inspector.core.quarter.monitor import Monitor
    from inspector.core.store import Workspace

    root, quarter, base, t0, speed, per_day, days = sys.argv[1:8]
    base, t0, speed = datetime.fromisoformat(base), float(t0) or time.time(), float(speed)  # 0: the day starts now
    print("T0", repr(t0), flush=True)

    def clock():
        return base + timedelta(seconds=(time.time() - t0) * speed)

    async def sleep(seconds):
        await asyncio.sleep(seconds / speed)

    def printed(event):
        if "slot" in event:
            print("REC", event["code"], event["slot"], event["kind"], flush=True)

    monitor = Monitor(Workspace(root), quarter, clock=clock, sleep=sleep, probes_per_day=int(per_day),
                      days=int(days), timeout=5.0, rng_seed=4, on_event=printed)
    asyncio.run(monitor.run())
    print("DONE", flush=True)
    """
)


class Driver:
    """A fast-clock monitor in a subprocess; its stdout lines are collected by a thread."""

    def __init__(self, script: Path, ws: Workspace, t0: float, speed: float, per_day: int, days: int) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(ws.root), QUARTER, START.isoformat(), str(t0), str(speed), str(per_day), str(days)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.endswith("\n"):  # a line cut short by SIGKILL is not a report
                self.lines.append(line.strip())

    def t0(self, timeout: float = 120.0) -> float:
        """The real time the fast day started at (printed by the driver once it runs)."""
        deadline = time.monotonic() + timeout
        while not any(line.startswith("T0 ") for line in self.lines):
            assert self.proc.poll() is None, self.proc.stderr.read()
            assert time.monotonic() < deadline, "the monitor never started"
            time.sleep(0.01)
        return float(next(line for line in self.lines if line.startswith("T0 ")).split()[1])

    def wait_for_records(self, n: int, timeout: float = 120.0) -> bool:
        """True once ``n`` attempts are recorded; False if the monitor finished first (its fast day can
        be over before a restarted driver runs on a loaded machine)."""
        deadline = time.monotonic() + timeout
        while sum(line.startswith("REC") for line in self.lines) < n:
            if self.proc.poll() is not None:
                self._reader.join(10)
                assert "DONE" in self.lines, self.proc.stderr.read()
                return sum(line.startswith("REC") for line in self.lines) >= n
            assert time.monotonic() < deadline, "the monitor recorded nothing"
            time.sleep(0.01)
        return True

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._reader.join(10)

    def finish(self, timeout: float = 60.0) -> None:
        self.proc.wait(timeout)
        self._reader.join(10)
        assert self.proc.returncode == 0, self.proc.stderr.read()

    def recorded(self) -> list[tuple[str, str, str]]:
        return [tuple(line.split()[1:4]) for line in self.lines if line.startswith("REC")]


@pytest.mark.slow
def test_sigkill_mid_run_loses_no_recorded_attempt(three_sites, tmp_path):
    ws, _ = three_sites
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    per_day, days, speed = 96, 1, 86400 / 8  # a day in 8 s: a slot every 75 ms, ~40 writes/s
    t0 = 0.0  # the first driver starts the fast day when it runs (a loaded machine may start it late)
    printed: list[tuple[str, str, str]] = []
    rng = random.Random(1)
    kills = 0
    for _ in range(4):
        driver = Driver(script, ws, t0, speed, per_day, days)
        t0 = t0 or driver.t0()
        if not driver.wait_for_records(1):  # the day ended before this driver got to a slot
            printed += driver.recorded()
            break
        time.sleep(rng.uniform(0.05, 0.5))
        driver.kill()
        kills += 1
        printed += driver.recorded()
    assert kills >= 1
    last = Driver(script, ws, t0, speed, per_day, days)
    last.finish()
    printed += last.recorded()
    assert "DONE" in last.lines

    state = load_state(ws, QUARTER)
    planned = {code: {s.slot_id for s in schedule(code, state)} for code in ("3406000001", "3406000002", "3406000003")}
    missed_total = 0
    for code, slots in planned.items():
        raw = [(r["slot"], r["kind"]) for r in read_jsonl(records_path(ws, QUARTER, code))]
        assert Counter(slot for slot, _ in raw).most_common(1)[0][1] == 1  # no slot twice
        assert {slot for slot, _ in raw} == slots  # every slot attempted or noted missed
        on_file = set(raw)
        for rec_code, slot, kind in printed:
            if rec_code == code:
                assert (slot, kind) in on_file, f"{code} {slot} was reported recorded but is lost"
        missed_total += sum(kind == "missed" for _, kind in raw)
    assert len(printed) > 50 and missed_total > 0  # the kills happened mid-run and left gaps
    reopened = Workspace(ws.root)
    assert len(reopened.snapshot().table("monitor").all()) == 1 and len(reopened.sites()) == 3
    rows = monitor_status(reopened, QUARTER)
    assert all(r["attempts"] + r["missed"] == r["planned"] == len(planned[r["code"]]) for r in rows)


DECIDER = textwrap.dedent(
    """
    # Inspection decisions in a loop, as the TUI makes them; prints how many were saved.
    import sys, time
    from inspector.core.quarter.inspection import decide
    from inspector.core.store import Workspace

    ws, quarter, seconds = Workspace(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    codes = sys.argv[4:]
    indicators = ["site-unreachable", "site-not-updated", "serious-errors"]
    n = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        decide(ws, quarter, codes[n % len(codes)], indicators[n % 3], "pass", note=f"decision {n}", by="tester")
        n += 1
    print(n, flush=True)
    """
)


@pytest.mark.slow
def test_monitor_and_decisions_share_the_workspace(three_sites, tmp_path):
    ws, _ = three_sites
    (tmp_path / "driver.py").write_text(DRIVER, encoding="utf-8")
    (tmp_path / "decider.py").write_text(DECIDER, encoding="utf-8")
    codes = ["3406000001", "3406000002", "3406000003"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    decider = subprocess.Popen(
        [sys.executable, str(tmp_path / "decider.py"), str(ws.root), QUARTER, "4", *codes],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )
    monitor = Driver(tmp_path / "driver.py", ws, time.time(), 86400 / 8, 48, 1)  # a day in 8 s
    reads = 0
    while decider.poll() is None:  # meanwhile this process reads the status, as the TUI would
        monitor_status(ws, QUARTER)
        reads += 1
        time.sleep(0.02)
    out, err = decider.communicate()
    assert decider.returncode == 0, err
    monitor.finish()
    made = int(out.strip())
    assert made > 20 and reads > 10
    history = [h for c in codes for h in (ws.inspection(QUARTER, c) or {}).get("history", [])]
    assert len(history) == made  # no decision lost
    assert sorted(int(h["note"].split()[1]) for h in history) == list(range(made))
    for row in monitor_status(ws, QUARTER):
        raw = raw_slots(ws, row["code"])
        assert len(raw) == len(set(raw)) == row["planned"]  # every slot once
        # every slot is accounted for, attempted or recorded as missed ("late" on a loaded machine)
        assert row["attempts"] >= 1 and row["attempts"] + row["missed"] == row["planned"]
    assert len(Workspace(ws.root).snapshot().table("monitor").all()) == 1


# --------------------------------------------------------------------------- the check uses the monitor


def test_check_prefers_the_monitor_week_over_the_short_probe(three_sites):
    """After a simulated week, `check` pre-fills availability from the monitor's attempts."""
    from inspector.core.runner import CheckOptions, check_and_store

    ws, _ = three_sites
    fake = FakeTime(START)
    monitor = Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, rng_seed=3, probes_per_day=24, days=7)
    asyncio.run(monitor.run())
    opts = CheckOptions(browser=False, probes=1, probe_interval=0, timeout=3)
    flaky = check_and_store(ws, QUARTER, "3406000003", opts)
    healthy = check_and_store(ws, QUARTER, "3406000001", opts)
    su = flaky["indicators"]["site-unreachable"]
    assert su["measures"]["attempts"] >= 160 and su["status"] == "fail" and su["note"].startswith("一周监测 ")
    assert flaky["run"]["probes"]["used_for_availability"] == "一周监测"
    assert su["source"] == "monitor" and "source" not in flaky["indicators"]["link-availability"]
    assert healthy["indicators"]["site-unreachable"]["status"] == "pass"
    assert flaky["verdict"]["vetoes"][0] == "site-unreachable"


def test_without_a_monitor_the_short_probe_is_labelled_an_estimate(three_sites):
    from inspector.core.runner import CheckOptions, check_and_store

    ws, _ = three_sites
    doc = check_and_store(ws, QUARTER, "3406000001", CheckOptions(browser=False, probes=2, probe_interval=0, timeout=3))
    su = doc["indicators"]["site-unreachable"]
    assert su["measures"]["attempts"] == 2 and "估计" in su["note"]


def test_the_monitors_provenance_is_read_from_the_entrys_field_and_old_records_from_their_note():
    checklist = load_checklist()
    indicator = checklist.indicators["homepage-availability"]
    measures = {"attempts": 168, "failures": 0, "failure_rate": 0.0}
    entry = prefill(indicator, Outcome(measures=measures, note="探测 168 次", source=MONITOR))
    assert entry["source"] == "monitor" and entry_source(entry) == MONITOR  # whatever the note says
    checked = prefill(indicator, Outcome(measures=measures, note="短时探测：规则要求 168 次"))
    assert "source" not in checked and entry_source(checked) == "check"
    old = {"status": "pass", "measures": measures, "findings": [], "note": "一周监测 2026-11-18 10:00 – …：探测 168 次"}
    assert entry_source(old) == MONITOR  # a record written before the field existed
    assert entry_source({**old, "source": "probe"}) == "check" and entry_source(None) == "check"
