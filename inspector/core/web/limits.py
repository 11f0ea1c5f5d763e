"""The limits every fetch and every rendered page obeys, in one place.

A hostile or broken site can send a 200 MB homepage, a gzip bomb that inflates to gigabytes, a page
that requests ten thousand images, or a script that fills memory. The fetcher caps what it reads
(:mod:`inspector.core.web.fetch`); this module holds those numbers and enforces them on the browser:

- :class:`PageGuard` watches one page through its own CDP session (``Network`` events, the page's
  requests left untouched): a document over ``max_bytes`` (by its Content-Length or by the bytes
  actually decoded), more than ``page_requests`` requests or ``page_bytes`` bytes in all stop the
  page's loading and block any further request; what was loaded so far stays capturable;
- :class:`MemoryWatchdog` samples the memory (PSS) of the Chromium process tree (Linux
  ``/proc``) and, over ``browser_memory``, kills the largest renderer (its tab crashes and is recorded
  as hitting the memory cap; the browser stays usable), or the whole browser if the browser process
  itself is the one growing;
- :func:`launch_args` adds the V8 heap ceiling and a renderer-process limit to the launch flags.

A page that hits a cap is a fact to record (``LimitHit``), never a crash or a swap storm.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from inspector.core import texts

MB = 1_000_000
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Caps on what one inspection may load; the fetcher and the browser share ``max_bytes``."""

    max_bytes: int = 5 * MB  # one response body / one document, after decompression
    page_bytes: int = 60 * MB  # everything one rendered page loads (decoded)
    page_requests: int = 600  # requests one rendered page may make
    page_seconds: float = 120.0  # one capture or render, navigation to last file
    browser_memory: int = 1000 * MB  # memory (PSS) of the whole Chromium process tree
    js_heap_mb: int = 512  # V8 old-space ceiling per renderer
    renderer_processes: int = 4


LIMITS = Limits()


def mb(n: int) -> str:
    """Bytes as people read a cap: ``5 MB``."""
    return f"{n / MB:g} MB"


@dataclass(frozen=True)
class LimitHit:
    """One cap a page ran into: which, where, and what was allowed."""

    kind: str
    url: str
    limit: str  # the cap as people read it: "5 MB", "600 个请求", "120 秒"
    detail: str = ""

    @property
    def text(self) -> str:
        return texts.page_limit(self.kind, self.limit, self.detail, self.url)

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "url": self.url, "limit": self.limit, "detail": self.detail, "text": self.text}


def launch_args(limits: Limits = LIMITS) -> list[str]:
    """Chromium flags for a bounded browser (added to the launch flags of :mod:`browser`)."""
    return [
        f"--js-flags=--max-old-space-size={limits.js_heap_mb}",
        f"--renderer-process-limit={limits.renderer_processes}",
        "--disable-dev-shm-usage",  # /dev/shm is small in containers: a big page crashed instead of being capped
    ]


async def bounded(awaitable: Awaitable[Any], seconds: float = 2.0) -> None:
    """Await a clean-up call for at most ``seconds``, ignoring its errors.

    Playwright calls to a crashed tab (a detach, a close) can wait forever; in a ``finally`` after
    a cancellation nothing would interrupt them.
    """
    with suppress(Exception):
        async with asyncio.timeout(seconds):
            await awaitable


async def _until(awaitable: Awaitable[T], event: asyncio.Event) -> T | None:
    """``await awaitable`` unless ``event`` is (or becomes) set first; then cancel it and return None."""
    task = asyncio.ensure_future(awaitable)
    if not event.is_set():
        waiter = asyncio.ensure_future(event.wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if not task.done():
                task.cancel()
    if task.done() and not task.cancelled():
        return task.result()
    task.cancel()
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # never "exception not retrieved"
    return None


# --------------------------------------------------------------------------- one page


class PageGuard:
    """Caps one page's loading, watching its network events through its own CDP session."""

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.limits = limits
        self.hits: list[LimitHit] = []
        self.opened_for = ""  # the URL the page was opened for (whose site its requests belong to)
        self.refused_count = 0  # requests to internal addresses refused (evidence.py), and the first
        self.refused_first = ""
        self.requests = 0
        self.total = 0
        self._bytes: dict[str, int] = {}
        self._documents: dict[str, str] = {}  # request id -> URL, for Document requests
        self._cdp: Any = None
        self._page: Any = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False
        self._tripped = asyncio.Event()
        self._crashed = asyncio.Event()

    async def attach(self, context: Any, page: Any) -> None:
        self._page = page
        page.on("crash", self._on_crash)  # (removed on detach: a pooled page serves many guards)
        cdp = await context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.dataReceived", self._on_data)
        # small devtools buffers: this session must not keep copies of the bodies it watches
        await cdp.send("Network.enable", {"maxTotalBufferSize": 1_000_000, "maxResourceBufferSize": 100_000})
        self._cdp = cdp

    @property
    def url(self) -> str:
        """The page's first document (what the page was opened for)."""
        return next(iter(self._documents.values()), "")

    def refused(self, url: str) -> None:
        """A request to an internal address was refused (the page goes on without it)."""
        self.refused_count += 1
        self.refused_first = self.refused_first or url[:300]

    def hit(self, kind: str, url: str, limit: str, detail: str = "") -> None:
        if any(h.kind == kind for h in self.hits):
            return
        self.hits.append(LimitHit(kind, url, limit, detail))
        self._tripped.set()
        self._stop()

    def _stop(self) -> None:
        if self._stopped or self._cdp is None:
            return
        self._stopped = True
        task = asyncio.ensure_future(self._stop_loading())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _stop_loading(self) -> None:
        """Block every further request, stop the frame, and end the document where it is."""
        for method, params in (
            ("Network.setBlockedURLs", {"urls": ["*"]}),
            ("Page.stopLoading", {}),
            ("Runtime.evaluate", {"expression": "window.stop()"}),  # the parser ends: what came is the page
        ):  # the page may be closing, or its main thread stuck in a script
            await bounded(self._cdp.send(method, params))

    async def settle(self, page: Any, timeout: float = 5.0) -> None:
        """After a cap: wait (bounded) until the stopped document is committed and done parsing.

        A cap hit on the response headers stops the navigation before the document commits; the
        part already received still commits a moment later and is what there is to capture.
        """
        for task in list(self._tasks):
            with suppress(BaseException):
                await task
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(Exception):  # "execution context destroyed" while the document commits
                if page.url != "about:blank" and await page.evaluate("document.readyState") != "loading":
                    return
            await asyncio.sleep(0.1)

    @property
    def crashed(self) -> bool:
        return self._crashed.is_set()

    async def until_hit(self, awaitable: Awaitable[T]) -> T | None:
        """``await awaitable``, but stop waiting (None) as soon as the page hits a cap."""
        return await _until(awaitable, self._tripped)

    async def until_crash(self, awaitable: Awaitable[T]) -> T | None:
        """``await awaitable``, but stop waiting (None) once the tab has crashed: calls to a crashed
        tab can wait forever."""
        return await _until(awaitable, self._crashed)

    def _on_request(self, params: dict[str, Any]) -> None:
        self.requests += 1
        if params.get("type") == "Document":
            self._documents[params.get("requestId", "")] = str(params.get("request", {}).get("url", ""))
        if self.requests > self.limits.page_requests:
            url = str(params.get("documentURL") or params.get("request", {}).get("url", ""))
            self.hit("page-requests", url, f"{self.limits.page_requests} 个请求")

    def _on_response(self, params: dict[str, Any]) -> None:
        if params.get("type") != "Document":
            return
        response = params.get("response") or {}
        headers = {str(k).lower(): str(v) for k, v in (response.get("headers") or {}).items()}
        length = headers.get("content-length", "")
        encoded = "content-encoding" in headers and headers["content-encoding"].strip().lower() != "identity"
        if length.isdigit() and not encoded and int(length) > self.limits.max_bytes:
            self.hit("document-size", str(response.get("url", "")), mb(self.limits.max_bytes),
                     f"声明大小 {mb(int(length))}")

    def _on_data(self, params: dict[str, Any]) -> None:
        rid, size = params.get("requestId", ""), int(params.get("dataLength") or 0)
        self.total += size
        self._bytes[rid] = self._bytes.get(rid, 0) + size
        if rid in self._documents and self._bytes[rid] > self.limits.max_bytes:
            self.hit("document-size", self._documents[rid], mb(self.limits.max_bytes), "解压后")
        if self.total > self.limits.page_bytes:
            self.hit("page-bytes", self.url, mb(self.limits.page_bytes))

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A DevTools call on the watched page through the guard's own session (a capture's one
        session: each new one costs the browser about 17 ms of CPU)."""
        if self._cdp is None:
            raise RuntimeError("PageGuard.send before attach or after detach")
        result: dict[str, Any] = await self._cdp.send(method, params or {})
        return result

    def _on_crash(self, _: Any) -> None:
        self._crashed.set()

    async def detach(self) -> None:
        if self._page is not None:
            self._page.remove_listener("crash", self._on_crash)
            self._page = None
        for task in list(self._tasks):
            with suppress(BaseException):
                await task
        if self._cdp is not None:
            await bounded(self._cdp.detach())  # a crashed tab never answers: don't wait for it
            self._cdp = None


# --------------------------------------------------------------------------- the browser's memory


class ProcessTable:
    """Parent of every process (Linux ``/proc``), kept up to date cheaply: each refresh lists
    ``/proc`` and reads ``stat`` only for the processes that appeared since the last one, and for
    the ``watched`` ones (a process whose parent died is adopted by another: its parent changes)."""

    def __init__(self) -> None:
        self.parents: dict[int, int] = {}

    def refresh(self, watched: Iterable[int] = ()) -> None:
        try:
            now = {int(e) for e in os.listdir("/proc") if e.isdigit()}
        except OSError:
            return
        for pid in self.parents.keys() - now:
            del self.parents[pid]
        for pid in (now - self.parents.keys()) | (now & set(watched)):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    self.parents[pid] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                self.parents.pop(pid, None)

    def tree(self, root: int) -> list[int]:
        """``root`` and all its descendants, as of the last refresh."""
        kids: dict[int, list[int]] = {}
        for pid, parent in self.parents.items():
            kids.setdefault(parent, []).append(pid)
        out, todo, seen = [], [root], set()
        while todo:
            pid = todo.pop()
            if pid not in seen:
                seen.add(pid)
                out.append(pid)
                todo.extend(kids.get(pid, []))
        return out


def _memory(pid: int) -> int:
    """Proportional set size of a process (shared pages split between their users), else its RSS.

    Chromium's processes share most of their code and a lot of memory: summing RSS counts those
    pages once per process and overstates the tree several times over. (The kernel walks the
    process's page tables for this: a few milliseconds per Chromium process.)
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return _resident(pid)


def _resident(pid: int) -> int:
    """Resident set size of a process (one small read, no page-table walk); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def find_marked(marker: str) -> int | None:
    """The process whose command line carries ``marker`` and whose parent's does not (the browser)."""
    if not os.path.isdir("/proc"):
        return None
    table = ProcessTable()
    table.refresh()
    found: dict[int, int] = {}
    for pid, parent in table.parents.items():
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found[pid] = parent
        except OSError:
            continue
    roots = [pid for pid, parent in found.items() if parent not in found]
    return min(roots) if roots else None


@dataclass
class MemoryWatchdog:
    """Keeps the Chromium process tree under ``limit`` bytes of memory (Linux).

    Every ``every`` seconds the tree's memory is sampled; over the limit the largest process other than
    the browser itself is killed (a renderer: its tab crashes), or the browser when it is the largest.
    ``on_kill(rss)`` is told each time, so the pages in flight can be recorded as capped.

    The limit is on PSS, which costs the kernel a walk of every process's page tables (about 25 ms
    of CPU for a browser with three pages: at five samples a second, a seventh of a core). So PSS is
    measured at least every ``exact_every`` seconds, and in between a sample reads only the resident
    sizes: the last PSS plus every process's growth in RSS since then (a new process counts whole)
    bounds the PSS now; only when that bound passes the limit is PSS measured again, and only PSS
    decides a kill.
    """

    root: int
    limit: int
    on_kill: Callable[[int], None]
    every: float = 0.2
    exact_every: float = 2.0
    peak: int = 0
    kills: int = 0
    _task: asyncio.Task[None] | None = field(default=None, repr=False)
    _table: ProcessTable = field(default_factory=ProcessTable, repr=False)
    _pids: list[int] = field(default_factory=list, repr=False)  # the tree at the last sample
    _exact: int | None = field(default=None, repr=False)  # PSS of the tree at the last exact sample
    _exact_at: float = field(default=0.0, repr=False)
    _resident: dict[int, int] = field(default_factory=dict, repr=False)  # each process's RSS then

    def start(self) -> None:
        if os.path.isdir("/proc"):
            self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def check(self) -> int | None:
        """One sample (any thread): kills as described; returns the memory seen when it killed."""
        self._table.refresh(self._pids)
        pids = self._pids = self._table.tree(self.root)
        resident = {pid: _resident(pid) for pid in pids}
        now = time.monotonic()
        if self._exact is not None and now - self._exact_at < self.exact_every:
            bound = self._exact + sum(max(0, rss - self._resident.get(pid, 0)) for pid, rss in resident.items())
            if bound <= self.limit:
                return None
        sizes = {pid: _memory(pid) for pid in pids}
        total = sum(sizes.values())
        self._exact, self._exact_at, self._resident = total, now, resident
        self.peak = max(self.peak, total)
        if total <= self.limit or not sizes:
            return None
        victim = max(sizes, key=lambda p: sizes[p])
        with suppress(OSError):
            os.kill(victim, signal.SIGKILL)
        self.kills += 1
        self._exact = None  # measured afresh at the next sample
        return total

    async def _run(self) -> None:
        while True:
            started = time.monotonic()
            killed_at = await asyncio.to_thread(self.check)
            if killed_at is not None:
                self.on_kill(killed_at)  # on the loop: it wakes the pages' tasks
            await asyncio.sleep(max(0.0, self.every - (time.monotonic() - started)))
