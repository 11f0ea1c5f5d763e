"""A small threaded HTTP server on 127.0.0.1 for tests and benches.

Serves a dict ``path -> route`` (or one callable for every request) on an
ephemeral port, as a context manager::

    with LoopbackServer({"/": html("<a href='/x'>x</a>")}) as srv:
        srv.url("/")          # "http://127.0.0.1:PORT/"
        srv.count("/x")       # how many requests reached /x

A route is a reply tuple ``(status, headers, body)``, a behaviour (:class:`Hang`,
:class:`Reset`, :class:`Slow`, :class:`Stream`) or a callable ``(Request) -> route``.
Paths are matched with their query string first, then without it; anything
else answers 404. HTTP/1.1 keep-alive is on, so clients reuse connections.
Also: :func:`flaky` (a route that misbehaves N times, then answers),
:func:`closed_port` (connection refused) and :class:`SleepRecorder` (an
injectable ``sleep`` that returns at once and records the requested delays).
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Union

Reply = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Request:
    """What the handler passes to a callable route."""

    method: str
    path: str  # with query string
    headers: dict[str, str]


@dataclass(frozen=True)
class Hang:
    """Accept the request and never answer (until the server stops)."""


@dataclass(frozen=True)
class Reset:
    """Abort the connection with a TCP RST instead of answering."""


@dataclass(frozen=True)
class Slow:
    """Answer ``reply`` after ``delay`` seconds; with ``drip`` send the body a byte at a time."""

    reply: Reply
    delay: float
    drip: bool = False


@dataclass(frozen=True)
class Stream:
    """Answer with a body produced chunk by chunk (a huge page never held in memory at once).

    ``chunks`` is called per request; without a Content-Length in ``headers`` the connection
    closes after the body (HTTP/1.1 read-until-close).
    """

    headers: dict[str, str]
    chunks: Callable[[], Iterable[bytes]]
    status: int = 200


Route = Union[Reply, Hang, Reset, Slow, Stream, Callable[[Request], "Route"]]


def html(
    text: str | bytes,
    *,
    status: int = 200,
    encoding: str = "utf-8",
    charset: str | None = "",
    headers: dict[str, str] | None = None,
) -> Reply:
    """An HTML reply; ``charset=""`` declares ``encoding`` in the header, ``None`` declares nothing."""
    body = text if isinstance(text, bytes) else text.encode(encoding)
    declared = encoding if charset == "" else charset
    ctype = f"text/html; charset={declared}" if declared else "text/html"
    return status, {"Content-Type": ctype, **(headers or {})}, body


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect reply."""
    return status, {"Location": location, "Content-Type": "text/html"}, b""


def blob(size: int, content_type: str = "application/octet-stream", status: int = 200) -> Reply:
    """A reply with ``size`` bytes of filler."""
    return status, {"Content-Type": content_type}, b"x" * size


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid the 40 ms delayed-ACK stall
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence the default stderr access log."""

    def _handle(self) -> None:
        owner = self.server.owner
        request = Request(self.command, self.path, dict(self.headers.items()))
        owner.requests.append((self.command, self.path))
        route = owner.resolve(request)
        if owner.delay:
            time.sleep(owner.delay)
        try:
            self._perform(route, request, owner)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client stopped reading: expected for link checks

    def _perform(self, route: Route, request: Request, owner: LoopbackServer) -> None:
        while callable(route):
            route = route(request)
        if isinstance(route, Hang):
            owner.stopping.wait(60)
            self.close_connection = True
        elif isinstance(route, Reset):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif isinstance(route, Slow):
            time.sleep(route.delay)
            self._send(route.reply, drip=route.drip)
        elif isinstance(route, Stream):
            self._stream(route)
        else:
            self._send(route)

    def _stream(self, route: Stream) -> None:
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name in route.headers):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        for chunk in route.chunks():
            if self.server.owner.stopping.is_set():
                break
            self.wfile.write(chunk)

    def _send(self, reply: Reply, *, drip: bool = False) -> None:
        status, headers, body = reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD" or not body:
            return
        if not drip:
            self.wfile.write(body)
            return
        for i in range(len(body)):
            self.wfile.write(body[i : i + 1])
            self.wfile.flush()
            time.sleep(0.05)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up early are normal here; keep test output clean."""


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with an ephemeral port."""

    def __init__(
        self,
        routes: dict[str, Route] | Callable[[Request], Route] | None = None,
        *,
        delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """``delay`` is added before every response (for benches); ``host`` is any loopback address;
        ``tls`` (:func:`tls_context`) makes it an HTTPS server."""
        self.routes: dict[str, Route] = routes if isinstance(routes, dict) else {}
        self.fallback: Callable[[Request], Route] | None = routes if callable(routes) else None
        self.delay = delay
        self.requests: list[tuple[str, str]] = []
        self.stopping = threading.Event()
        self.host = host
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        self.scheme = "https" if tls is not None else "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base + path

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests (of ``method``, if given) reached ``path``."""
        return sum(1 for m, p in self.requests if p == path and (method is None or m == method))

    def resolve(self, request: Request) -> Route:
        """The route for a request: exact path+query, then path, then the fallback, else 404."""
        path = request.path
        for key in (path, path.split("?", 1)[0]):
            if key in self.routes:
                return self.routes[key]
        if self.fallback is not None:
            return self.fallback(request)
        return 404, {"Content-Type": "text/html"}, b"<html><body>not found</body></html>"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def tls_context(directory: Path, name: str, handshakes: list[str | None]) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for ``name`` (no client trusts it);
    the name each handshake asks for (SNI) is appended to ``handshakes``, one per connection."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / f"{name}.crt", directory / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, server_name, ctx: handshakes.append(server_name)
    return context


def directory(root: Path) -> Callable[[Request], Route]:
    """A route serving the files below ``root`` (``index.html``/``index.htm`` for a folder) as HTML with no
    charset in the header (the page says its own); anything else, or outside ``root``, is a 404."""

    def route(request: Request) -> Route:
        path = request.path.split("?", 1)[0]
        target = root / path.lstrip("/")
        if path.endswith("/") or target.is_dir():
            target = next((target / n for n in ("index.html", "index.htm") if (target / n).is_file()), target)
        if not target.resolve().is_relative_to(root.resolve()) or not target.is_file():
            return 404, {"Content-Type": "text/html"}, b"<html><body>404</body></html>"
        return 200, {"Content-Type": "text/html"}, target.read_bytes()

    return route


def request_head(conn: socket.socket) -> bytes:
    """One request's head as the client sent it (it may come in several segments); b"" at the client's end."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[int]:
    """A bare TCP server on 127.0.0.1 for answers no HTTP server would send: ``answer(conn)`` is called on
    each connection in turn, which is closed after it; yields the port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                answer(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def closed_port() -> int:
    """A loopback port with nothing listening (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def flaky(first: Route, then: Route, times: int = 1) -> Callable[[Request], Route]:
    """A route answering ``first`` for the first ``times`` requests, then ``then``."""
    seen = {"n": 0}
    lock = threading.Lock()

    def route(_: Request) -> Route:
        with lock:
            seen["n"] += 1
            return first if seen["n"] <= times else then

    return route


class SleepRecorder:
    """An injectable sleep that records what it was asked and returns at once.

    ``wakeups`` are the monotonic times the sleeps would have ended (the event loop's clock):
    unlike the durations, they do not shrink when a loaded machine is slow to ask.
    """

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.wakeups: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.wakeups.append(asyncio.get_running_loop().time() + seconds)


def interruptible() -> None:
    """``preexec_fn`` for a child that a test stops with SIGINT: a shell's background job inherits
    SIGINT ignored, and Python then installs no KeyboardInterrupt handler."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
