"""Checking many sampled sites at once: the TUI's check-all and ``inspector check --quarter Q --all``.

A quarter's sites live on different hosts and politeness is per host, so :func:`check_sites`
checks up to ``concurrency`` sites at the same time in one event loop, under global caps:

- never two sites on the same host (``host:port``) at once (sub-sites of one platform wait for each other), so
  every host still sees at most ``opts.per_host`` requests at a time, ``opts.min_interval`` apart;
- connections: at most ``concurrency x opts.per_host`` in flight in all;
- browser pages: one shared Chromium whose page pool (``browser_pages``) all checks draw from;
- memory: no new site starts while the process is above ``memory_mb`` (the running ones finish).

Each site is checked and stored exactly as :func:`inspector.core.runner.check_and_store` does.
Callbacks run in the event loop's thread: ``progress(code, event)`` with the runner's events
(plus ``{"phase": "start"}``), ``finished(result)`` once per site started. ``cancel`` (a
``threading.Event``, set from any thread) stops starting sites and cancels the running ones.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from inspector.core import texts

if TYPE_CHECKING:  # the runner (and all it imports) is loaded when a batch runs, not with this module
    from inspector.core.runner import CheckOptions

DEFAULT_CONCURRENCY = 6
DEFAULT_BROWSER_PAGES = 3
DEFAULT_MEMORY_MB = 1500
_POLL_S = 0.2  # how often a cancel request is looked at


class CheckCancelled(BaseException):
    """Raised inside a site's check once the batch is cancelled (a BaseException: nothing in
    the crawl that catches ``Exception`` swallows it)."""


@dataclass
class SiteResult:
    """How one site's check ended: ``doc`` on success, else ``error``, or ``cancelled``."""

    code: str
    doc: dict[str, Any] | None = None
    error: str = ""
    cancelled: bool = False


@dataclass
class _Batch:
    ws: Any
    quarter: str
    opts: CheckOptions
    recheck: bool
    progress: Callable[[str, dict[str, Any]], None] | None
    finished: Callable[[SiteResult], None] | None
    cancel: threading.Event
    results: dict[str, SiteResult] = field(default_factory=dict)

    def emit(self, code: str, event: dict[str, Any]) -> None:
        if self.cancel.is_set():
            raise CheckCancelled()
        if self.progress is not None:
            self.progress(code, event)

    async def one(self, code: str, capturer: Any) -> SiteResult:
        from inspector.core.runner import check_and_store_async

        try:
            self.emit(code, {"phase": "start"})
            doc = await check_and_store_async(self.ws, self.quarter, code, self.opts,
                                              lambda event: self.emit(code, dict(event)),
                                              recheck=self.recheck, capturer=capturer)
            result = SiteResult(code, doc=doc)
        except (CheckCancelled, asyncio.CancelledError):
            result = SiteResult(code, cancelled=True)
        except Exception as exc:  # a site that breaks the runner must not end the batch
            result = SiteResult(code, error=texts.error_text(exc))
        self.results[code] = result
        if self.finished is not None:
            self.finished(result)
        return result


def host_of(site: dict[str, Any] | None, code: str) -> str:
    """``host:port`` a site's checks go to, as the fetcher's politeness counts hosts (the code
    when the URL has no host: such a check fails at once)."""
    try:
        parts = urlsplit(str((site or {}).get("url") or "").strip())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    except ValueError:
        return f"code:{code}"
    return f"{parts.hostname.lower()}:{port}" if parts.hostname else f"code:{code}"


def _memory_mb() -> float | None:
    """This process's resident memory in MB (None where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return None


def check_sites(ws: Any, quarter: str, codes: Iterable[str], opts: CheckOptions, **options: Any) -> list[SiteResult]:
    """Check and store ``codes`` for ``quarter``, several at once; one result per code, in order.

    Blocking: runs its own event loop (call it from a worker thread in a UI). The keyword options
    are :func:`check_sites_async`'s: ``concurrency``, ``browser_pages``, ``memory_mb``, ``recheck``,
    ``progress``, ``finished``, ``cancel``.
    """
    return asyncio.run(check_sites_async(ws, quarter, codes, opts, **options))


async def check_sites_async(
    ws: Any,
    quarter: str,
    codes: Iterable[str],
    opts: CheckOptions,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    browser_pages: int = DEFAULT_BROWSER_PAGES,
    memory_mb: float = DEFAULT_MEMORY_MB,
    recheck: bool = False,
    progress: Callable[[str, dict[str, Any]], None] | None = None,
    finished: Callable[[SiteResult], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[SiteResult]:
    """:func:`check_sites` inside a running event loop. Sites never started because of ``cancel``
    come back ``cancelled`` without a ``finished`` call."""
    order = list(dict.fromkeys(codes))
    batch = _Batch(ws, quarter, opts, recheck, progress, finished, cancel or threading.Event())
    hosts = {code: host_of(ws.site(code), code) for code in order}
    pending = list(order)
    running: dict[asyncio.Task[SiteResult], str] = {}
    capturer = await _shared_browser(ws, opts, browser_pages) if order else None
    try:
        while pending or running:
            if batch.cancel.is_set():
                for task in running:
                    task.cancel()
                pending.clear()
            busy = {hosts[code] for code in running.values()}
            while pending and len(running) < max(1, concurrency):
                if running and (_memory_mb() or 0) > memory_mb:
                    break  # the sites running now finish first
                code = next((c for c in pending if hosts[c] not in busy), None)
                if code is None:
                    break  # every waiting site's host is being checked
                pending.remove(code)
                busy.add(hosts[code])
                running[asyncio.create_task(batch.one(code, capturer))] = code
            if not running:
                break
            done, _ = await asyncio.wait(running, timeout=_POLL_S, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                running.pop(task)
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        if capturer is not None:
            await capturer.__aexit__(None, None, None)
    return [batch.results.get(code) or SiteResult(code, cancelled=True) for code in order]


async def _shared_browser(ws: Any, opts: CheckOptions, pages: int) -> Any:
    """One Chromium for the whole batch, or None (each check then notes why it has no evidence)."""
    if not opts.browser:
        return None
    from inspector.core.web.evidence import BrowserUnavailable, EvidenceCapturer

    capturer = EvidenceCapturer(ws.root, pool_size=max(1, pages), resolver=opts.resolver, internal=opts.internal)
    try:
        await capturer.__aenter__()
    except BrowserUnavailable:
        return None
    return capturer
