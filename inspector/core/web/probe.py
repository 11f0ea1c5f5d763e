"""Availability probes of a homepage (the ``site-unreachable`` / ``homepage-availability`` facts).

A probe fails when no full response arrives within ``timeout`` seconds or the
final status is 400 or above. An anti-bot challenge is not the site's answer: with the
check's :class:`~inspector.core.web.challenge.ChallengeGate` the browser gets past it and the
probe counts what comes after (within the same ``timeout``); without one the attempt ends
with the error ``"challenge"``, which is no failure (checks/availability.py). Probes run at a fixed cadence (``interval``
seconds between starts); the waiting is done by an injectable ``sleep`` so
tests and schedulers decide how time passes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from inspector.core.web.challenge import ChallengeGate
from inspector.core.web.fetch import Fetcher, utc_now
from inspector.core.web.scope import AddressPolicy
from inspector.core.model import ProbeAttempt

Sleep = Callable[[float], Awaitable[None]]


async def probe_once(fetcher: Fetcher, url: str, timeout: float) -> ProbeAttempt:
    """One probe through ``fetcher`` (no retries: a retry would hide the failure)."""
    at = utc_now()
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            page = await fetcher.fetch_page(url, retries=0)
    except TimeoutError:
        return ProbeAttempt(at=at, ok=False, elapsed=time.monotonic() - started, error="timeout")
    elapsed = time.monotonic() - started
    error = None if page.error == "too-large" else page.error  # the page did open
    ok = error is None and page.status is not None and page.status < 400
    if not ok and error is None:
        error = str(page.status)
    return ProbeAttempt(at=at, ok=ok, status=page.status, elapsed=elapsed, error=error)


async def probe(
    url: str,
    *,
    attempts: int = 5,
    interval: float = 1.0,
    timeout: float = 15.0,
    fetcher: Fetcher | None = None,
    sleep: Sleep = asyncio.sleep,
    on_attempt: Callable[[ProbeAttempt], None] | None = None,
    gate: ChallengeGate | None = None,
    address_policy: AddressPolicy | None = None,
) -> list[ProbeAttempt]:
    """Probe ``url`` ``attempts`` times, ``interval`` seconds apart (start to start).

    Without ``fetcher`` every attempt opens a fresh connection, as a new
    visitor would. A shared fetcher that is also crawling the same host would
    make probes queue behind the crawl, so pass a dedicated one if any. The fresh fetchers
    share ``gate`` (clearance cookies, the browser's User-Agent) and ``address_policy``.
    """
    results: list[ProbeAttempt] = []
    for index in range(attempts):
        if index:  # start to start: the previous attempt's duration counts against the interval
            await sleep(max(0.0, interval - results[-1].elapsed))
        if fetcher is not None:
            attempt = await probe_once(fetcher, url, timeout)
        else:
            async with _fresh_fetcher(timeout, gate, address_policy) as own:
                attempt = await probe_once(own, url, timeout)
        results.append(attempt)
        if on_attempt is not None:
            on_attempt(attempt)
    return results


def _fresh_fetcher(timeout: float, gate: ChallengeGate | None = None, policy: AddressPolicy | None = None) -> Fetcher:
    return Fetcher(
        connect_timeout=timeout, read_timeout=timeout, total_timeout=timeout, retries=0, per_host=1,
        gate=gate, address_policy=policy,
    )
