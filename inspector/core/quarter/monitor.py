"""The week-long availability monitor behind ``site-unreachable`` and ``homepage-availability``.

The census rule probes a homepage "20+ times a day for a week". No sitting lasts a week, so
``inspector monitor`` runs beside the TUI (or under systemd/cron) and probes every sampled site
of a quarter on a randomised schedule, writing every attempt to the workspace as it happens.

Schedule
    The window starts when the monitor first starts for the quarter and lasts ``days`` × 24 h.
    Each Asia/Shanghai calendar day is split into ``probes_per_day`` equal slots and every slot
    gets one attempt at a uniformly random time inside it (inside the part of the slot that
    lies in the window, for the two partial slots at its ends). So attempts are ~24 a day,
    random, and never bunched (at most one per slot). The random times come from a seeded
    generator keyed by (seed, site code, slot id): the window and the seed are the whole
    schedule, stored once in the workspace's ``monitor`` table, so a restart resumes the same
    window and the same times.

Records
    ``runs/<quarter>/<code>/monitor.jsonl``, one JSON line per slot, appended and fsync'd
    as it happens (never one database write per attempt: the TUI's writes are not starved)::

        {"kind": "attempt", "slot": "20261118-10", "planned": ..., "at": ..., "ok": true,
         "status": 200, "elapsed": 0.04, "error": null, "url": ...}
        {"kind": "missed", "slot": "20261118-11", "planned": ..., "reason": "down", "noted_at": ...}

    A slot whose attempt is on file is never attempted again, so a restart cannot count a
    probe twice. A slot that ended while the monitor was not running (stopped, killed, the
    machine asleep) is recorded as **missed**, which is *not* a failure: the monitor being
    down says nothing about the site. Missed slots are excluded from ``attempts`` and from
    the failure rate and are reported separately, so the inspector sees how complete the week
    is. A slot whose planned time has passed but which has not ended yet is still attempted,
    late, on restart. A probe that crashes inside the program (not a network failure) is
    also recorded as missed, with the reason.

Probe rule (same as the short probe): a probe fails when no full response arrives within the
timeout (15 s by default, from the checklist) or the final status is 400 or above.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


from inspector.core.web.charset import clean_text
from inspector.core.checklist import Checklist
from inspector.core.checks.availability import availability_outcomes, probe_params
from inspector.core.web.fetch import Fetcher
from inspector.core import texts
from inspector.core.model import CHALLENGE, MONITOR, Outcome, ProbeAttempt
from inspector.core.web.probe import probe_once
from inspector.core.quarter.sampling import check_quarter
from inspector.core.store import (
    FileLock,
    Workspace,
    WorkspaceError,
    WorkspaceLocked,
    append_jsonl,
    read_jsonl,
    utcnow,
)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[Any]]
ProbeFn = Callable[[str, float], Awaitable[ProbeAttempt]]
EventFn = Callable[[dict[str, Any]], None]

RECORDS_NAME = "monitor.jsonl"
LOCK_NAME = ".monitor.lock"
MAX_NAP_S = 60.0  # long waits are cut into naps so a wall-clock jump or a suspend is noticed


class MonitorError(WorkspaceError):
    """The monitor cannot run (no sample, another monitor running...); the message is for the user."""


def _shanghai() -> tzinfo:
    """Asia/Shanghai, or a fixed UTC+8 where the tz database is missing (Windows without tzdata)."""
    try:
        return ZoneInfo("Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=8), "UTC+08:00")


SHANGHAI = _shanghai()
TZ_LABEL = "Asia/Shanghai" if isinstance(SHANGHAI, ZoneInfo) else "UTC+8"


def real_clock() -> datetime:
    """The real current time, UTC-aware."""
    return datetime.now(timezone.utc)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError("the monitor's clock must return timezone-aware datetimes")
    return t.astimezone(timezone.utc)


# --------------------------------------------------------------------------- the schedule


@dataclass(frozen=True)
class MonitorState:
    """A quarter's monitor window and schedule seed (one record in the ``monitor`` table)."""

    quarter: str
    start: datetime  # UTC
    end: datetime  # UTC, start + days
    days: int
    probes_per_day: int
    timeout_s: float
    seed: int
    created_at: str = ""

    def to_record(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "days": self.days,
            "probes_per_day": self.probes_per_day,
            "timeout_s": self.timeout_s,
            "seed": self.seed,
            "tz": TZ_LABEL,
            "created_at": self.created_at,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> MonitorState:
        return cls(
            quarter=rec["quarter"],
            start=_parse(rec["start"]),
            end=_parse(rec["end"]),
            days=int(rec["days"]),
            probes_per_day=int(rec["probes_per_day"]),
            timeout_s=float(rec["timeout_s"]),
            seed=int(rec["seed"]),
            created_at=rec.get("created_at", ""),
        )

    def window_label(self) -> str:
        """The window in the office's time, e.g. ``2026-11-18 10:00 – 2026-11-25 10:00 Asia/Shanghai``."""
        return texts.monitor_window(self.start, self.end)


@dataclass(frozen=True)
class Slot:
    """One planned attempt of one site."""

    code: str
    slot_id: str  # "YYYYMMDD-NN": Shanghai calendar day and slot number within it
    planned: datetime  # UTC, uniformly random inside [start, end)
    start: datetime
    end: datetime
    url: str = ""


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(timezone.utc)


def schedule(code: str, state: MonitorState, url: str = "") -> list[Slot]:
    """Every slot of ``code`` in the window, in time order (deterministic for a given state)."""
    slots: list[Slot] = []
    day = state.start.astimezone(SHANGHAI).date()
    while (day_start := _day_start(day)) < state.end:
        length = (_day_start(day + timedelta(days=1)) - day_start) / state.probes_per_day
        for k in range(state.probes_per_day):
            lo = max(day_start + k * length, state.start)
            hi = min(day_start + (k + 1) * length, state.end)
            if lo >= hi:
                continue
            slot_id = f"{day:%Y%m%d}-{k:02d}"
            rng = random.Random(f"{state.seed}|{code}|{slot_id}")
            slots.append(Slot(code, slot_id, lo + (hi - lo) * rng.random(), lo, hi, url))
        day += timedelta(days=1)
    return slots


# --------------------------------------------------------------------------- records on disk


def records_path(ws: Workspace, quarter: str, code: str) -> Path:
    """``runs/<quarter>/<code>/monitor.jsonl`` (the code sanitised as the store does for run dirs)."""
    return ws.site_dir(quarter, code) / RECORDS_NAME


@dataclass
class SiteRecords:
    """A site's monitor records, one per slot (the first attempt wins; an attempt beats a missed note)."""

    attempts: dict[str, dict[str, Any]]
    missed: dict[str, dict[str, Any]]

    @property
    def recorded(self) -> set[str]:
        return set(self.attempts) | set(self.missed)

    def probe_attempts(self) -> list[ProbeAttempt]:
        """The attempts in time order as :class:`ProbeAttempt` values."""
        out = []
        for rec in sorted(self.attempts.values(), key=lambda r: r.get("at", "")):
            out.append(
                ProbeAttempt(
                    at=str(rec.get("at", "")),
                    ok=bool(rec.get("ok")),
                    status=rec.get("status"),
                    elapsed=float(rec.get("elapsed") or 0.0),
                    error=rec.get("error"),
                )
            )
        return out


def read_records(ws: Workspace, quarter: str, code: str) -> SiteRecords:
    """Read a site's records, tolerating a torn last line and ignoring anything malformed."""
    attempts: dict[str, dict[str, Any]] = {}
    missed: dict[str, dict[str, Any]] = {}
    for rec in read_jsonl(records_path(ws, quarter, code)):
        slot = rec.get("slot") if isinstance(rec, dict) else None
        if not isinstance(slot, str):
            continue
        if rec.get("kind") == "attempt":
            attempts.setdefault(slot, rec)
        elif rec.get("kind") == "missed":
            missed.setdefault(slot, rec)
    for slot in attempts:
        missed.pop(slot, None)
    return SiteRecords(attempts, missed)


def _repair_torn_tail(path: Path) -> None:
    """End the file with a newline so a line torn by a crash cannot swallow the next record."""
    try:
        with open(path, "rb+") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
                fh.flush()
                os.fsync(fh.fileno())
    except FileNotFoundError:
        return


# --------------------------------------------------------------------------- state in the DB


def load_state(ws: Workspace, quarter: str) -> MonitorState | None:
    """The quarter's stored monitor window, or None if the monitor never started for it."""
    rec = ws.monitor_window(quarter)
    return MonitorState.from_record(rec) if rec else None


def _sampled_sites(ws: Workspace, quarter: str) -> list[dict[str, Any]]:
    sample = ws.sample(quarter)
    if sample is None:
        return []
    sites = {s["code"]: s for s in ws.sites()}
    return [sites.get(code) or {"code": code, "name": "", "url": ""} for code in sample.get("codes", [])]


@contextlib.asynccontextmanager
async def _shared_prober(timeout: float) -> AsyncIterator[ProbeFn]:
    """Probes through one client for the whole run (no retries: a retry would hide a failure).

    Attempts of a site are hours apart and the client drops idle connections after a few
    seconds, so each attempt still connects afresh, as a new visitor would; sharing the
    client only saves building a TLS context per attempt.
    """
    async with Fetcher(
        connect_timeout=timeout, read_timeout=timeout, total_timeout=timeout, retries=0, per_host=4
    ) as fetcher:

        async def probe_fn(url: str, timeout: float) -> ProbeAttempt:
            return await probe_once(fetcher, url, timeout)

        yield probe_fn


# --------------------------------------------------------------------------- the monitor


@dataclass
class RunSummary:
    """What one :meth:`Monitor.run` recorded."""

    attempts: int = 0
    failures: int = 0
    missed: int = 0
    stopped_at: datetime | None = None


class Monitor:
    """Probes every sampled site of a quarter on the stored randomised schedule.

    ``clock`` returns the current UTC-aware time and ``sleep(seconds)`` waits; tests inject a
    fake pair. ``probe_fn(url, timeout) -> ProbeAttempt`` replaces the real probe. ``on_event``
    is called with every record once it is on disk (with its ``code``), with ``{"kind": "start",
    "window", "sites", "planned", "pending"}`` once, and ``{"kind": "backlog", "missed": n}`` when
    slots that ended while no monitor ran were noted.
    Window parameters given here only apply when the window is created: a restart uses the
    stored ones, so the schedule does not change under a running week.
    """

    def __init__(
        self,
        ws: Workspace,
        quarter: str,
        *,
        clock: Clock = real_clock,
        sleep: Sleep = asyncio.sleep,
        rng_seed: int | None = None,
        probes_per_day: int = 24,
        days: int = 7,
        timeout: float = 15.0,
        probe_fn: ProbeFn | None = None,
        max_in_flight: int = 64,
        on_event: EventFn | None = None,
    ) -> None:
        if probes_per_day < 1 or days < 1:
            raise MonitorError("--days 和 --per-day 至少为 1")
        if timeout <= 0:
            raise MonitorError("探测超时须大于 0")
        self.ws = ws
        self.quarter = check_quarter(quarter)
        self._clock = clock
        self._sleep = sleep
        self._seed = rng_seed
        self._per_day = probes_per_day
        self._days = days
        self._timeout = timeout
        self._probe_fn = probe_fn
        self._probe: ProbeFn | None = None
        self._max_in_flight = max(1, max_in_flight)
        self._on_event = on_event
        self._site_locks: dict[str, asyncio.Lock] = {}
        self._summary = RunSummary()
        self.state: MonitorState | None = None

    # -- state ------------------------------------------------------------------------------
    def now(self) -> datetime:
        return _utc(self._clock())

    def start(self) -> MonitorState:
        """Load the quarter's window, creating it (one small transaction) on the first start."""
        self.state = load_state(self.ws, self.quarter)
        if self.state is None:
            rec = self.ws.open_monitor_window(self.quarter, lambda: self._new_state().to_record())
            self.state = MonitorState.from_record(rec)
        return self.state

    def _new_state(self) -> MonitorState:
        start = self.now().replace(microsecond=0)
        seed = self._seed if self._seed is not None else secrets.randbelow(2**31)
        return MonitorState(
            quarter=self.quarter,
            start=start,
            end=start + timedelta(days=self._days),
            days=self._days,
            probes_per_day=self._per_day,
            timeout_s=float(self._timeout),
            seed=seed,
            created_at=utcnow(),
        )

    def sites(self) -> list[dict[str, Any]]:
        """The sampled sites that have a homepage URL."""
        return [s for s in _sampled_sites(self.ws, self.quarter) if s.get("url")]

    def plan(self) -> list[Slot]:
        """Every slot of every sampled site, in time order."""
        state = self.state or self.start()
        slots = [slot for s in self.sites() for slot in schedule(s["code"], state, s["url"])]
        return sorted(slots, key=lambda sl: (sl.planned, sl.code))

    # -- running ----------------------------------------------------------------------------
    async def run(self, until: datetime | None = None) -> RunSummary:
        """Probe until the window ends (or ``until``, if earlier); returns what this run recorded.

        Returns once the clock has reached that time and the last attempt is on disk.

        Raises :class:`MonitorError` if the quarter has no sample or another monitor is
        already running for it. Cancelling the task stops cleanly: attempts already on disk
        stay, an attempt in flight is dropped and redone (or noted missed) on restart.
        """
        if self.ws.sample(self.quarter) is None:
            raise MonitorError(texts.no_sample(self.quarter, self.ws.root))
        state = self.start()
        stop = state.end if until is None else min(_utc(until), state.end)
        self._summary = RunSummary()
        with self._exclusive():
            plan = self.plan()
            if not plan:
                raise MonitorError(f"{self.quarter} 抽中的网站都没有可探测的首页网址")
            pending = self._pending(plan)
            self._emit({"kind": "start", "window": state.window_label(), "sites": len({s.code for s in plan}),
                        "planned": len(plan), "pending": len(pending)})
            pending = await self._note_backlog(pending)
            async with self._prober(state.timeout_s) as self._probe:
                await self._schedule(pending, stop)
        self._summary.stopped_at = self.now()
        return self._summary

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One monitor per quarter per workspace (the OS drops the lock if the process dies)."""
        lock = FileLock(self.ws.root / "runs" / self.quarter / LOCK_NAME, timeout=0.0)
        try:
            lock.acquire()
        except WorkspaceLocked:
            raise MonitorError(f"工作区 {self.ws.root} 中已有 {self.quarter} 的监测在运行（a monitor is already running）") from None
        try:
            yield
        finally:
            lock.release()

    @contextlib.asynccontextmanager
    async def _prober(self, timeout: float) -> AsyncIterator[ProbeFn]:
        if self._probe_fn is not None:
            yield self._probe_fn
        else:
            async with _shared_prober(timeout) as probe_fn:
                yield probe_fn

    def _pending(self, plan: list[Slot]) -> list[Slot]:
        """Slots of ``plan`` with nothing on file yet (repairing torn file tails first)."""
        out: list[Slot] = []
        by_code: dict[str, set[str]] = {}
        for slot in plan:
            if slot.code not in by_code:
                _repair_torn_tail(records_path(self.ws, self.quarter, slot.code))
                by_code[slot.code] = read_records(self.ws, self.quarter, slot.code).recorded
            if slot.slot_id not in by_code[slot.code]:
                out.append(slot)
        return out

    async def _note_backlog(self, pending: list[Slot]) -> list[Slot]:
        """Record every slot that ended while the monitor was down (one append per site)."""
        now = self.now()
        gone: dict[str, list[dict[str, Any]]] = {}
        for slot in pending:
            if slot.end <= now:
                gone.setdefault(slot.code, []).append(self._missed_record(slot, "down"))
        for code, recs in gone.items():
            await asyncio.to_thread(append_jsonl, records_path(self.ws, self.quarter, code), recs)
            for rec in recs:
                self._count(rec)
                self._emit({**rec, "code": code})
        if gone:
            self._emit({"kind": "backlog", "missed": sum(len(recs) for recs in gone.values())})
        return [slot for slot in pending if slot.end > now]

    async def _schedule(self, pending: list[Slot], stop: datetime) -> None:
        gate = asyncio.Semaphore(self._max_in_flight)
        tasks: set[asyncio.Task[None]] = set()
        failures: list[BaseException] = []  # a task that raised (e.g. the disk is full) stops the run

        def finished(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            gate.release()
            if not task.cancelled() and task.exception() is not None:
                failures.append(task.exception())  # type: ignore[arg-type]

        try:
            for slot in pending:
                if slot.planned >= stop:
                    break
                await gate.acquire()
                if failures:
                    gate.release()
                    break
                await self._wait_until(slot.planned)
                at = self.now()
                if at >= slot.end:  # woke after the slot ended (suspend, overload)
                    gate.release()
                    await self._record(slot, self._missed_record(slot, "late"))
                    continue
                task = asyncio.create_task(self._attempt(slot, at))
                tasks.add(task)
                task.add_done_callback(finished)
            if tasks:
                await asyncio.wait(set(tasks))
            if not failures:
                await self._wait_until(stop)
        except asyncio.CancelledError:
            for task in list(tasks):
                task.cancel()
            if tasks:
                await asyncio.wait(set(tasks))
            raise
        if failures:
            raise failures[0]

    async def _wait_until(self, when: datetime) -> None:
        while (delay := (when - self.now()).total_seconds()) > 0:
            await self._sleep(min(delay, MAX_NAP_S))

    async def _attempt(self, slot: Slot, at: datetime) -> None:
        """Probe now (``at``, the clock when launched) and append the attempt."""
        assert self._probe is not None and self.state is not None
        try:
            result = await self._probe(slot.url, self.state.timeout_s)
        except Exception:  # noqa: BLE001 - a bug in the program is not the site's failure
            await self._record(slot, self._missed_record(slot, "probe-error"))
            return
        rec = {
            "kind": "attempt",
            "slot": slot.slot_id,
            "planned": _iso(slot.planned),
            "at": _iso(at),
            "ok": bool(result.ok),
            "status": result.status,
            "elapsed": round(float(result.elapsed), 3),
            "error": None if result.ok else (result.error or str(result.status)),
            "url": slot.url,
        }
        await self._record(slot, rec)

    def _missed_record(self, slot: Slot, reason: str) -> dict[str, Any]:
        return {"kind": "missed", "slot": slot.slot_id, "planned": _iso(slot.planned), "reason": reason,
                "noted_at": _iso(self.now())}

    async def _record(self, slot: Slot, rec: dict[str, Any]) -> None:
        lock = self._site_locks.setdefault(slot.code, asyncio.Lock())
        async with lock:
            await asyncio.to_thread(append_jsonl, records_path(self.ws, self.quarter, slot.code), [rec])
        self._count(rec)
        self._emit({**rec, "code": slot.code})

    def _count(self, rec: dict[str, Any]) -> None:
        if rec["kind"] == "attempt":
            self._summary.attempts += 1
            self._summary.failures += 0 if rec["ok"] or rec.get("error") == CHALLENGE else 1
        else:
            self._summary.missed += 1

    def _emit(self, event: dict[str, Any]) -> None:
        if self._on_event is not None:
            self._on_event(event)


# --------------------------------------------------------------------------- reading results


def monitor_status(ws: Workspace, quarter: str, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per sampled site: the window, attempts so far, failures, rate, last failure, planned, missed.

    Empty if the monitor never started for the quarter. ``missed`` counts the slots that
    ended without an attempt (recorded as missed, or passed while no monitor was running).
    """
    state = load_state(ws, quarter)
    if state is None:
        return []
    now = _utc(now) if now is not None else real_clock()
    return [_site_status(ws, state, site, now) for site in _sampled_sites(ws, quarter)]


def _site_status(ws: Workspace, state: MonitorState, site: dict[str, Any], now: datetime) -> dict[str, Any]:
    code = site["code"]
    recs = read_records(ws, state.quarter, code)
    slots = schedule(code, state)
    missed = sum(
        1 for sl in slots if sl.slot_id not in recs.attempts and (sl.slot_id in recs.missed or sl.end <= now)
    )
    attempts = recs.probe_attempts()
    failed = [a for a in attempts if not a.ok and a.error != CHALLENGE]  # a challenge page is not a failure
    last_failure = failed[-1] if failed else None
    remaining = max(0, len(slots) - len(attempts) - missed)
    return {
        "code": code,
        "name": clean_text(str(site.get("name") or "")),
        "url": site.get("url", ""),
        "window_start": _iso(state.start),
        "window_end": _iso(state.end),
        "window": state.window_label(),
        "finished": remaining == 0 or now >= state.end,  # every slot attempted or missed
        "planned": len(slots),
        "attempts": len(attempts),
        "failures": len(failed),
        "failure_rate": round(len(failed) / len(attempts), 4) if attempts else 0.0,
        "missed": missed,
        "remaining": remaining,
        "last_attempt": attempts[-1].at if attempts else None,
        "last_failure": (
            {"at": last_failure.at, "error": last_failure.error, "status": last_failure.status}
            if last_failure
            else None
        ),
    }


def monitor_outcomes(
    ws: Workspace, quarter: str, code: str, checklist: Checklist, *, now: datetime | None = None
) -> dict[str, Outcome] | None:
    """``site-unreachable`` and ``homepage-availability`` from the monitor's attempts, or None.

    None when the site has no monitor attempt for the quarter (use the short probe instead).
    The note names the window and the counts, e.g. ``monitor 2026-11-18 10:00 – 2026-11-25
    10:00 Asia/Shanghai: 168 attempts, 17 failures``.
    """
    state = load_state(ws, quarter)
    if state is None:
        return None
    site = ws.site(code) or {"code": code, "url": ""}
    attempts = read_records(ws, quarter, code).probe_attempts()
    if not attempts:
        return None
    outcomes = availability_outcomes(attempts, probe_params(checklist), url=site.get("url", ""))
    status = _site_status(ws, state, site, _utc(now) if now is not None else real_clock())
    note = texts.monitor_note(state.window_label(), status["attempts"], status["failures"], status["missed"],
                              status["finished"], status["planned"])
    challenged = any(a.error == CHALLENGE for a in attempts)
    for outcome in outcomes.values():
        outcome.source = MONITOR  # stored in the pre-fill's entry: the TUI shows 监测
        outcome.note = note if not challenged else f"{outcome.note.split('; ', 1)[0]}; {note}"
        if not status["finished"] and status["failures"]:
            outcome.status = "review"  # the week is not over: failures so far cannot decide it
        elif status["finished"] and outcome.status == "review" and status["attempts"] and not challenged:
            outcome.status = None  # a full week decides, whatever the short-probe rule said
    return outcomes


async def run_until_signal(monitor: Monitor) -> RunSummary | None:
    """Run the monitor; SIGTERM (systemd stop) cancels it cleanly and returns None.

    Ctrl-C is left to :func:`asyncio.run`, which cancels the run and raises KeyboardInterrupt.
    """
    task = asyncio.ensure_future(monitor.run())
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        task.cancel()

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows / not main thread
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminate)
    try:
        return await task
    except asyncio.CancelledError:
        if terminated:
            return None
        raise
