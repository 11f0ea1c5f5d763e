"""Homepage probes and the availability indicators computed from them."""

from __future__ import annotations

import asyncio
import threading

from tests.httpfixtures import Hang, LoopbackServer, Request, Route, SleepRecorder, html, redirect

from inspector.core.checks.availability import availability_outcomes
from inspector.core.web.fetch import Fetcher
from inspector.core.model import ProbeAttempt
from inspector.core.web.probe import probe


def scripted(*routes: Route) -> tuple[Route, list[int]]:
    """A route playing ``routes`` in turn (the last one repeats); also returns the call log."""
    calls: list[int] = []
    lock = threading.Lock()

    def route(request: Request) -> Route:
        with lock:
            calls.append(1)
            return routes[min(len(calls), len(routes)) - 1]

    return route, calls


def test_probe_counts_timeouts_and_error_statuses_as_failures() -> None:
    home, calls = scripted(html("ok"), (503, {}, b"busy"), Hang(), html("ok"), (404, {}, b""))
    sleeps = SleepRecorder()
    seen: list[ProbeAttempt] = []
    with LoopbackServer({"/": home}) as srv:
        attempts = asyncio.run(
            probe(srv.url("/"), attempts=5, interval=60.0, timeout=0.5, sleep=sleeps, on_attempt=seen.append)
        )
    assert [a.ok for a in attempts] == [True, False, False, True, False]
    assert [a.error for a in attempts] == [None, "503", "timeout", None, "404"]
    assert [a.status for a in attempts] == [200, 503, None, 200, 404]
    assert len(calls) == 5  # no retries inside a probe
    assert seen == attempts and all(a.at.endswith("+00:00") for a in attempts)
    assert len(sleeps.calls) == 4 and all(0 < s <= 60.0 for s in sleeps.calls)


def test_probe_through_a_given_fetcher_follows_redirects() -> None:
    async def run(url: str) -> list[ProbeAttempt]:
        async with Fetcher() as fetcher:
            return await probe(url, attempts=2, interval=0.0, fetcher=fetcher, sleep=SleepRecorder())

    with LoopbackServer({"/": redirect("/index.html"), "/index.html": html("首页")}) as srv:
        attempts = asyncio.run(run(srv.url("/")))
    assert [(a.ok, a.status) for a in attempts] == [(True, 200), (True, 200)]


def test_availability_measures_and_findings() -> None:
    probes = [
        ProbeAttempt(at="2026-11-20T08:00:00+00:00", ok=True, status=200, elapsed=0.2),
        ProbeAttempt(at="2026-11-20T09:00:00+00:00", ok=False, elapsed=15.0, error="timeout"),
        ProbeAttempt(at="2026-11-20T10:00:00+00:00", ok=True, status=200, elapsed=0.3),
    ]
    outcomes = availability_outcomes(probes, {"min_attempts": 140}, url="http://a.gov.cn/")
    unreachable, homepage = outcomes["site-unreachable"], outcomes["homepage-availability"]
    assert unreachable.measures == {"attempts": 3, "failures": 1, "failure_rate": 0.3333}
    assert homepage.measures == {"failure_rate": 0.3333}
    # 1 failure in 3 of the 140 attempts the rule asks for cannot decide the veto: the inspector does
    assert unreachable.status == "review" and homepage.status == "review"
    assert availability_outcomes(probes, {})["site-unreachable"].status is None  # no week rule: decided
    all_failed = [ProbeAttempt(at="t", ok=False, error="connect")] * 3
    assert availability_outcomes(all_failed, {"min_attempts": 140})["site-unreachable"].status is None  # down now
    assert [(f.url, f.where, f.detail) for f in unreachable.findings] == [
        ("http://a.gov.cn/", "2026-11-20T09:00:00+00:00", "超时，用时 15.0 秒")
    ]
    assert "估计" in unreachable.note
    assert "估计" not in availability_outcomes(probes, {})["site-unreachable"].note


def test_no_probes_means_review() -> None:
    outcomes = availability_outcomes([], {})
    assert outcomes["site-unreachable"].status == "review"
    assert outcomes["site-unreachable"].measures == {"attempts": 0, "failures": 0, "failure_rate": 0.0}
