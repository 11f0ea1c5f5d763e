"""Pages read on another core: decode, parse and the every-page facts in a worker process.

A crawl's own work per page — decoding, one lxml parse, the links, the visible text, the title and
headings (:meth:`~inspector.core.web.html.Document.facts`) — is about as much CPU as its HTTP, and
with polite per-host concurrency a big site is bound by that one core, not by the network. The
program's :class:`Readers` move it to worker processes on the machine's other cores once a crawl is
big enough to pay for them (``MIN_PAGES``): a worker gets the response body and sends back the
decoded text and the facts; the page's :class:`~inspector.core.web.html.Document` holds no tree
until a reader asks for one (the homepage, a column page: then it is parsed here, counted like
every parse). A worker also does, beside the pages, other work given it by name (:meth:`Readers.call`):
the homepage's list blocks, which would otherwise hold the event loop for a tenth of a second.

A worker is a plain ``python -c`` child talking over two pipes (not ``multiprocessing``, whose
spawned children run the parent's main script again): it exits when its pipe closes, so a parent
that dies leaves nothing behind. Bounded: the crawl lets only so many pages be fetched and not yet
read at a time (:data:`inspector.core.web.crawl.READING_PER_HOST`), a worker holds one tree at a
time, and a worker that dies, or keeps a page waiting ``READ_TIMEOUT`` (then it is killed), leaves
the page, and every later one, to be read here as before (one that fails on a page leaves that
page); a crawl cancelled while its pages are with a worker leaves the worker serving the next crawl.
Nothing is lost and nothing differs: the facts are computed by the same code either way.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any, Callable, TypeVar

from inspector.core.model import Page
from inspector.core.web.charset import decode_html
from inspector.core.web.html import Document, Facts, count_parse, parse

MIN_PAGES = 100  # pages a crawl schedules before workers pay for their start (about 0.3 s of a core)
MAX_WORKERS = 3
READER_NICENESS = 5  # a reader yields its core to the event loop, whose every delay holds back a request
READ_TIMEOUT = 60.0  # seconds a page may wait for its worker (queue included) before the worker is killed
_DECODE_IN_THREAD_BYTES = 256_000  # detection on megabytes is done in a thread: the loop stays free
_READY = b"ready"
T = TypeVar("T")
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[3]); "
    "from inspector.core.web.readers import serve; serve(int(sys.argv[1]), int(sys.argv[2]))"
)


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count() -> int:
    """Reader processes worth starting: the cores besides the event loop's, at most ``MAX_WORKERS``."""
    return max(0, min(MAX_WORKERS, cores() - 1))


def read_body(body: bytes, content_type: str, url: str) -> tuple[str, str, Facts]:
    """The page's text, its encoding and its facts (one parse): what a worker does per page."""
    html, encoding = decode_html(body, content_type)
    return html, encoding, parse(html, url, encoding).facts()


def serve(requests_fd: int, results_fd: int) -> None:
    """A worker's life: read bodies, send back what :func:`read_body` makes, until the pipe closes; then
    the process ends at once (it holds nothing to save, and freeing a big heap one object at a time
    would keep the program that waits for it waiting)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (its pipe closes)
    if hasattr(os, "nice"):  # (not on Windows)
        with contextlib.suppress(OSError):
            os.nice(READER_NICENESS)
    requests, results = Connection(requests_fd, writable=False), Connection(results_fd, readable=False)
    results.send_bytes(_READY)
    while True:
        try:
            function, args = pickle.loads(requests.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply: tuple[bool, object] = (True, function(*args))
        except Exception as exc:  # noqa: BLE001 (the parent reads this page itself)
            reply = (False, f"{type(exc).__name__}: {exc}")
        results.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


class WorkerGone(RuntimeError):
    """The reader process stopped answering (killed, out of memory, closed)."""


class _Worker:
    """One reader process, a thread feeding it and a thread taking its answers (in order)."""

    def __init__(self) -> None:
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(req_r), str(res_w), json.dumps(sys.path)],
                pass_fds=(req_r, res_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True,  # no terminal signals, no output
            )
        except BaseException:
            for fd in (req_r, req_w, res_r, res_w):
                os.close(fd)
            raise
        os.close(req_r)
        os.close(res_w)
        self.requests, self.results = Connection(req_w, readable=False), Connection(res_r, writable=False)
        self.ready = False
        self.gone = False
        self.pending: deque[Future[Any]] = deque()
        self.outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.lock = threading.Lock()
        threading.Thread(target=self._feed, name="reader-feed", daemon=True).start()
        threading.Thread(target=self._take, name="reader-take", daemon=True).start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """``function(*args)`` in the worker (a module's function, by name, and its arguments are pickled)."""
        future: Future[Any] = Future()
        with self.lock:
            if self.gone:
                future.set_exception(WorkerGone())
                return future
            self.pending.append(future)
            self.outbox.put(pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL))
        return future

    def _feed(self) -> None:
        while (data := self.outbox.get()) is not None:
            try:
                self.requests.send_bytes(data)
            except OSError:
                break
        self.requests.close()

    def _take(self) -> None:
        try:
            if self.results.recv_bytes() != _READY:
                raise EOFError
            self.ready = True
            while True:
                ok, value = pickle.loads(self.results.recv_bytes())
                with self.lock:
                    future = self.pending.popleft()
                if not future.set_running_or_notify_cancel():
                    continue  # its crawl was cancelled meanwhile: nobody waits for this page
                if ok:
                    future.set_result(value)  # type: ignore[arg-type]
                else:
                    future.set_exception(RuntimeError(value))
        except (EOFError, OSError, pickle.UnpicklingError, IndexError, ValueError):
            pass
        with self.lock:
            self.gone, self.ready = True, False
            pending, self.pending = list(self.pending), deque()
        for future in pending:
            if future.set_running_or_notify_cancel():
                future.set_exception(WorkerGone())
        self.outbox.put(None)
        self.results.close()

    def kill(self) -> None:
        """Stop a worker that does not answer: its pages (and every later one) are read here."""
        with self.lock:
            self.gone, self.ready = True, False
        with contextlib.suppress(OSError):
            self.proc.kill()  # its pipe ends: the taker fails the pages it held (WorkerGone)

    def close(self) -> None:
        self.stop()
        self.wait()

    def stop(self) -> None:
        """Tell the worker to end (it exits once it has read what it was given)."""
        with self.lock:
            self.gone, self.ready = True, False
        self.outbox.put(None)  # the feeder closes the pipe: the worker sees its end and exits

    def wait(self) -> None:
        """Wait for a stopped worker to end (killed after 2 s)."""
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=2)


class Readers:
    """The reader processes shared by every crawl of the program (:func:`readers`)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: list[_Worker] = []
        self._failed = workers < 1  # no worker could be started: pages are read here
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """Workers can be (or are) started."""
        return not self._failed and (not self._pool or any(not w.gone for w in self._pool))

    def start(self) -> None:
        """Start the workers (idempotent); pages are read here until one is up."""
        with self._lock:
            if self._pool or self._failed:
                return
            try:
                self._pool = [_Worker() for _ in range(self.workers)]
            except OSError:
                self._failed = True
                for worker in self._pool:
                    worker.close()
                self._pool = []

    def _worker(self) -> _Worker | None:
        ready = [w for w in self._pool if w.ready]
        return min(ready, key=lambda w: len(w.pending)) if ready else None

    @property
    def ready(self) -> bool:
        """A worker is up (they are started by a crawl big enough to pay for them)."""
        return self._worker() is not None

    async def call(self, function: Callable[..., T], *args: Any) -> T | None:
        """``function(*args)`` (a module's function; it and its arguments are pickled) done by a worker
        beside the pages it reads: its result, or None when no worker is up or it failed there (a worker
        that keeps it waiting ``READ_TIMEOUT`` is killed, as for a page)."""
        worker = self._worker()
        if worker is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(worker.submit(function, *args)), READ_TIMEOUT)
        except asyncio.TimeoutError:
            worker.kill()
        except Exception:  # noqa: BLE001 (gone, or failed on it: the caller does it itself)
            pass
        return None

    async def read(self, page: Page, body: bytes) -> None:
        """Decode ``body`` into ``page.html``, the page's document made from its facts — by a worker
        when one is up, else here (the document then parsed when first asked for)."""
        worker = self._worker()
        if worker is not None:
            url = page.final_url or page.url
            try:
                html, encoding, facts = await asyncio.wait_for(
                    asyncio.wrap_future(worker.submit(read_body, body, page.content_type, url)), READ_TIMEOUT)
            except asyncio.TimeoutError:  # hung (or starved): no more pages for it
                worker.kill()
            except Exception:  # noqa: BLE001 (a worker gone or failing on this page: read it here)
                pass
            else:
                page.html, page.encoding = html, encoding
                page._doc = Document.from_facts(html, url, facts, encoding)
                count_parse(html, url)
                return
        await read_here(page, body)

    def close(self) -> None:
        """Stop the workers (the next big crawl starts new ones)."""
        with self._lock:
            pool, self._pool = self._pool, []
        for worker in pool:  # all told first, then waited for: they end side by side
            worker.stop()
        for worker in pool:
            worker.wait()


async def read_here(page: Page, body: bytes) -> None:
    """Decode in this process (detection on megabytes in a thread, so that the loop stays free)."""
    if len(body) > _DECODE_IN_THREAD_BYTES:
        page.html, page.encoding = await asyncio.to_thread(decode_html, body, page.content_type)
    else:
        page.html, page.encoding = decode_html(body, page.content_type)


_shared: Readers | None = None


def readers() -> Readers:
    """The program's readers (no process is started until a crawl is big enough)."""
    global _shared
    if _shared is None:
        _shared = Readers(worker_count())
        atexit.register(_shared.close)
    return _shared
