"""Serve the demo region on 127.0.0.1 and hand out its ground truth.

``serve_region(as_of)`` binds one stdlib ``ThreadingHTTPServer`` per served
site (daemon threads), holds a bound-but-not-listening socket for the down site
and for "connection refused" links, and runs a loopback socket that accepts
connections and never answers (for "timeout" links). Nothing binds anything but
127.0.0.1.
"""

from __future__ import annotations

import copy
import socket
import threading
from collections.abc import Callable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import unquote, urlsplit

from inspector.demo.render import NOT_FOUND, SiteContent, Targets, render_site
from inspector.demo.sites import REGISTRY_ONLY, SITES
from inspector.demo.spec import DemoSiteSpec
from inspector.demo.truth import World, site_truth

HOST = "127.0.0.1"
__all__ = ["SITES", "DemoRegion", "DemoSiteSpec", "registry_rows", "serve_region"]


class _Handler(BaseHTTPRequestHandler):
    """Answers from the pre-rendered resources of one site (GET and HEAD)."""

    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024  # headers and body leave in one write (flushed after each request)
    disable_nagle_algorithm = True
    server: _SiteServer

    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        res = self.server.content.resources.get(path, NOT_FOUND)
        self.send_response(res.status)
        self.send_header("Content-Type", res.ctype)
        self.send_header("Content-Length", str(len(res.body)))
        if res.location:
            self.send_header("Location", res.location)
        self.end_headers()
        if with_body and res.body:
            self.wfile.write(res.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence access logs
        return


class _SiteServer(ThreadingHTTPServer):
    """One site's server; remembers open connections so stop() can close them."""

    daemon_threads = True
    content: SiteContent

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.open_conns: set[socket.socket] = set()
        self._lock = threading.Lock()

    def process_request_thread(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.open_conns.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self.open_conns.discard(request)

    def close_connections(self) -> None:
        """Cut every kept-alive connection (their handler threads then end)."""
        with self._lock:
            conns = list(self.open_conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _HangServer:
    """Accepts TCP connections on loopback and never answers them (a timing-out host)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, port))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="demo-hang", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.conns.append(conn)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=1)
        for conn in self.conns:
            conn.close()
        self.sock.close()


def _held_port(port: int) -> socket.socket:
    """A loopback socket bound but not listening: connections to it are refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, port))
    return sock


class DemoRegion:
    """A running demo region. Use as a context manager or call :meth:`stop`."""

    def __init__(self, as_of: date, base_port: int = 0, host: str = HOST) -> None:
        if host != HOST:
            raise ValueError("the demo region only binds 127.0.0.1")
        self.as_of = as_of
        port = (lambda i: base_port + i) if base_port else (lambda i: 0)
        self._servers: list[_SiteServer] = []
        self._running: list[_SiteServer] = []  # servers whose serve_forever loop was started
        self._held: list[socket.socket] = []
        self._hang: _HangServer | None = None
        try:
            self._bind(port)
        except BaseException:
            self.stop()
            raise

    def _bind(self, port: Callable[[int], int]) -> None:
        bases: dict[str, str] = {}
        for i, spec in enumerate(SITES):
            if spec.down:
                sock = _held_port(port(i))
                self._held.append(sock)
                bases[spec.code] = f"http://{HOST}:{sock.getsockname()[1]}"
            else:
                srv = _SiteServer((HOST, port(i)))
                self._servers.append(srv)
                bases[spec.code] = f"http://{HOST}:{srv.server_address[1]}"
        closed = _held_port(port(len(SITES)))
        self._held.append(closed)
        self._hang = _HangServer(port(len(SITES) + 1))
        self.targets = Targets(bases=bases, closed=f"http://{HOST}:{closed.getsockname()[1]}",
                               hang=f"http://{HOST}:{self._hang.port}",
                               names={s.code: s.name for s in SITES})
        served = [s for s in SITES if not s.down]
        contents = {s.code: render_site(s, self.as_of, self.targets) for s in served}
        for srv, spec in zip(self._servers, served, strict=True):
            srv.content = contents[spec.code]
        self.urls: dict[str, str] = {code: base + "/" for code, base in bases.items()}
        world = World(self.targets, {c.base: c for c in contents.values()})
        self._truth = {s.code: site_truth(s, contents.get(s.code), world, self.as_of, self.urls[s.code])
                       for s in SITES}
        for srv in self._servers:
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                             name="demo-site", daemon=True).start()
            self._running.append(srv)
        self._hang.thread.start()

    def truth(self, code: str) -> dict:
        """The ground truth of one served (or down) site, with absolute URLs (a copy)."""
        return copy.deepcopy(self._truth[code])

    def registry_rows(self) -> list[dict[str, str]]:
        """National-registry rows for the region (served sites + registry-only ones)."""
        return registry_rows(self)

    def stop(self) -> None:
        """Stop every server and free every port."""
        stoppers = [threading.Thread(target=srv.shutdown, daemon=True) for srv in self._running]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()
        for srv in self._servers:
            srv.server_close()
            srv.close_connections()
        self._servers, self._running = [], []
        for sock in self._held:
            sock.close()
        self._held = []
        if self._hang is not None:
            if self._hang.thread.is_alive():
                self._hang.close()
            else:
                self._hang.sock.close()
            self._hang = None

    def __enter__(self) -> DemoRegion:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve_region(as_of: date, host: str = HOST, base_port: int = 0) -> DemoRegion:
    """Start every demo site in background threads (ephemeral ports, or ``base_port + i``).

    Ports: site ``i`` of :data:`SITES` on ``base_port + i``; the refusing port on
    ``base_port + len(SITES)``; the never-answering socket on ``base_port + len(SITES) + 1``.
    """
    return DemoRegion(as_of, base_port=base_port, host=host)


def registry_rows(region: DemoRegion) -> list[dict[str, str]]:
    """The national registry columns for the running region (12 rows, one 永久下线)."""
    rows = [{"网站标识码": s.code, "网站名称": s.name, "首页网址": region.urls[s.code], "主办单位": s.sponsor,
             "主管单位": s.supervisor, "地区": s.region, "级别": s.level, "运行状态": "正常运行",
             "ICP备案号": s.icp} for s in SITES]
    rows += [{"网站标识码": r.code, "网站名称": r.name, "首页网址": region.targets.closed + r.path,
              "主办单位": r.sponsor, "主管单位": r.supervisor, "地区": r.region, "级别": r.level,
              "运行状态": r.status, "ICP备案号": r.icp} for r in REGISTRY_ONLY]
    return rows
