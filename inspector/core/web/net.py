"""The connections under the fetcher: HTTP/1.1 (h11) on plain asyncio sockets, pinned to checked addresses.

httpx's client (cookies, headers, the request and response models) sends every request through
this module's :class:`Transport`, for two reasons:

- **Pinned addresses.** When the site is public, the :class:`~inspector.core.web.scope.AddressPolicy`
  refuses internal addresses. A rule that resolves a name, finds it public and then lets the
  connection resolve it again can be walked around: the name's second answer (a short TTL, a
  "rebinding" DNS server) can be ``127.0.0.1`` or ``10.x``. Here a connection goes only to the
  addresses the policy resolved and checked (tried in turn with happy eyeballs, as a connection by
  name would be); a name that does not resolve, or resolves to an internal address, is not connected
  to at all. A site on an internal address itself (the demo region, the tests) connects by name.
- **Less work per request.** A big crawl is bound by the event loop: what each request costs the
  loop, and how often it gives the loop away, is what every other request waits for. httpx's default
  transport (httpcore over anyio) yields to the loop several times per request in its locks and
  cancellation shields even when nothing waits; here a request is h11's parser over a socket buffer,
  a pool of kept-alive connections per origin, and one await per network wait.

A request that goes out on a kept-alive connection the server has just closed (its idle timeout meeting
our reuse: a reset or an end before a byte of the answer) is asked once more on a new connection, for
GET, HEAD and OPTIONS only, as browsers and aiohttp do; any other failure is the fetcher's to retry.

A certificate that cannot be verified (expired, self-signed, for another name, or a chain the server
sends incomplete, which a browser completes from the certificate's issuer URL) does not hide the site:
the host's connections are made again without verification and the reason is recorded in
``unverified`` (host -> OpenSSL's reason), which the check reports. A handshake that fails for any
other reason is an error.

Bounded: a response head at most ``MAX_HEAD`` bytes (h11 refuses more), reads of ``READ_SIZE``, at most
``_HIGH_WATER`` bytes buffered before the socket is paused, ``max_connections`` open at once (an idle
one of another origin is closed to make room), idle connections kept ``keepalive_expiry`` seconds.
Errors are httpx's (``ConnectError``, ``ReadTimeout``, ``RemoteProtocolError``, ...), each caused by
the socket's own exception, so :func:`inspector.core.web.fetch.classify_error` names them.
"""

from __future__ import annotations

import asyncio
import functools
import select
import ssl
import time
import typing
from asyncio import staggered
from collections.abc import AsyncIterator

import h11
import httpx

from inspector.core.web.scope import AddressPolicy

HAPPY_EYEBALLS_DELAY = 0.25  # seconds before the next address is tried alongside (RFC 8305)
MAX_HEAD = 100 * 1024  # bytes of a response's status line and headers
READ_SIZE = 64 * 1024
_HIGH_WATER = 512 * 1024  # bytes received and not yet read before the socket is paused
_DEFAULT_PORTS = {b"http": 80, b"https": 443}
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})  # asked again when a reused connection died unanswered


class RefusedAddress(httpx.ConnectError):
    """The host resolved to an internal address while the site is public (``private-address``)."""


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection: the protocol asyncio feeds, and the stream the transport reads."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._eof = False
        self._lost: BaseException | None = None  # the error that ended the connection, if any
        self._waiter: asyncio.Future[bool] | None = None  # a read waiting for data
        self._drain: asyncio.Future[bool] | None = None  # a write waiting for the socket to drain
        self._reading_paused = False
        self._writing_paused = False

    # ------------------------------------------------------------------ asyncio's side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = typing.cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > _HIGH_WATER and not self._reading_paused and self._transport is not None:
            self._reading_paused = True
            self._transport.pause_reading()
        _wake(self._waiter)

    def eof_received(self) -> bool:
        self._eof = True
        _wake(self._waiter)
        return False  # the transport closes: HTTP/1.1 sends nothing after the server's end

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof, self._lost = True, exc
        _wake(self._waiter)
        _wake(self._drain)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        _wake(self._drain)

    # ------------------------------------------------------------------ the transport's side

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if not self._buffer and not self._eof:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                if not await _within(self._waiter, timeout):
                    raise httpx.ReadTimeout("read timed out")
            finally:
                self._waiter = None
        if self._buffer:
            if len(self._buffer) <= max_bytes:
                data = bytes(self._buffer)
                self._buffer.clear()
            else:
                data = bytes(self._buffer[:max_bytes])
                del self._buffer[:max_bytes]
            if self._reading_paused and len(self._buffer) <= _HIGH_WATER // 2 and self._transport is not None:
                self._reading_paused = False
                self._transport.resume_reading()
            return data
        if self._lost is not None:
            raise httpx.ReadError(str(self._lost) or type(self._lost).__name__) from self._lost
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        transport = self._transport
        if transport is None or transport.is_closing():
            raise httpx.WriteError("connection closed") from self._lost
        transport.write(buffer)
        if self._writing_paused:
            self._drain = asyncio.get_running_loop().create_future()
            try:
                if not await _within(self._drain, timeout):
                    raise httpx.WriteTimeout("write timed out")
            finally:
                self._drain = None
            if self._lost is not None:
                raise httpx.WriteError(str(self._lost) or type(self._lost).__name__) from self._lost

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None, timeout: float | None) -> None:
        assert self._transport is not None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(self._transport, self, ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._transport.abort()
            raise httpx.ConnectTimeout("TLS handshake timed out") from exc
        except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
            self._transport.abort()
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        if transport is None:
            raise httpx.ConnectError("connection closed during the TLS handshake")
        self._transport = typing.cast(asyncio.Transport, transport)

    @property
    def closed(self) -> bool:
        """Closed, or with something to read while idle (the server's end, or bytes nobody asked for) —
        also when the loop has not read it yet: the socket is asked directly (a server that closes right
        after its answer would otherwise get the next request on a dead connection)."""
        if self._eof or self._buffer or self._transport is None or self._transport.is_closing():
            return True
        sock = self._transport.get_extra_info("socket")
        try:
            return sock is not None and bool(select.select([sock], [], [], 0)[0])
        except (OSError, ValueError):  # a closed descriptor
            return True


def _wake(future: asyncio.Future[bool] | None) -> None:
    if future is not None and not future.done():
        future.set_result(True)


def _expire(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)


async def _within(future: asyncio.Future[bool], timeout: float | None) -> bool:
    """Wait for ``future``; False when ``timeout`` seconds pass first."""
    if timeout is None:
        return await future
    timer = asyncio.get_running_loop().call_later(timeout, _expire, future)
    try:
        return await future
    finally:
        timer.cancel()


class Network:
    """Connections for one fetcher; with a policy that refuses internal addresses, pinned to what it checked."""

    def __init__(self, policy: AddressPolicy | None = None) -> None:
        self.policy = policy

    async def connect(self, host: str, port: int, timeout: float | None) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                addresses = await self.policy.pinned(host) if self.policy is not None else None
                if addresses is None:
                    _, conn = await loop.create_connection(
                        _Connection, host, port, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY, interleave=1)
                    return conn
                return await _connect_to(loop, self._checked(host, addresses), port)
        except TimeoutError as exc:  # before OSError: it is one
            raise httpx.ConnectTimeout("connect timed out") from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc

    def _checked(self, host: str, addresses: list[str]) -> list[str]:
        assert self.policy is not None
        if not addresses:
            raise OSError(f"{host} does not resolve")
        if not self.policy.allows_all(addresses):
            raise RefusedAddress(f"{host} resolves to an internal address")
        return addresses


async def _connect_to(loop: asyncio.AbstractEventLoop, addresses: list[str], port: int) -> _Connection:
    """A connection to one of ``addresses`` (families interleaved, each tried HAPPY_EYEBALLS_DELAY after the last)."""
    won: list[_Connection] = []

    async def attempt(address: str) -> _Connection:
        transport, conn = await loop.create_connection(_Connection, address, port)
        if won:  # another address connected at the same moment: this one is not needed
            transport.close()
            raise OSError("another address answered first")
        won.append(conn)
        return conn

    if len(addresses) == 1:
        return await attempt(addresses[0])
    conn, _, errors = await staggered.staggered_race(
        [functools.partial(attempt, a) for a in _interleave(addresses)], HAPPY_EYEBALLS_DELAY)
    if conn is None:
        first = next((e for e in errors if e is not None), None)
        raise OSError(f"no address of the host answered: {first}") from first
    return conn


def _interleave(addresses: list[str]) -> list[str]:
    """The addresses in their order, alternating families (IPv6, IPv4, ... as the first one is)."""
    six = [a for a in addresses if ":" in a]
    four = [a for a in addresses if ":" not in a]
    first, second = (six, four) if ":" in addresses[0] else (four, six)
    out: list[str] = []
    for i in range(max(len(first), len(second))):
        out.extend(group[i] for group in (first, second) if i < len(group))
    return out


def _certificate_failure(exc: BaseException) -> str | None:
    """OpenSSL's reason when ``exc`` was caused by a certificate that failed verification, else None."""
    cause = exc.__cause__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return str(cause.verify_message or cause.reason or "certificate verify failed")[:200]
    return None


@functools.cache
def _ssl_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per process and setting (loading the CA bundle costs milliseconds per fetcher)."""
    context = httpx.create_ssl_context(verify=verify, trust_env=False)
    context.set_alpn_protocols(["http/1.1"])
    return context


# --------------------------------------------------------------------------- HTTP/1.1


Origin = tuple[bytes, bytes, int]  # scheme, host (ASCII), port


class _Exchange:
    """One connection speaking HTTP/1.1: h11's state machine over a :class:`_Connection`."""

    def __init__(self, conn: _Connection, origin: Origin) -> None:
        self.conn = conn
        self.origin = origin
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.idle_since = 0.0
        self.reused = False  # taken from the idle pool (it has answered before)
        self.answered = False  # a byte of this exchange's response has arrived

    async def send(self, request: httpx.Request, timeout: float | None) -> None:
        h = self.h11
        data = h.send(h11.Request(method=request.method, target=request.url.raw_path, headers=request.headers.raw))
        async for chunk in typing.cast(typing.AsyncIterable[bytes], request.stream):
            if chunk:
                data += h.send(h11.Data(data=chunk))  # type: ignore[operator]
        data += h.send(h11.EndOfMessage())  # type: ignore[operator]
        await self.conn.write(typing.cast(bytes, data), timeout)

    async def next_event(self, timeout: float | None) -> typing.Any:
        h = self.h11
        while True:
            event = h.next_event()
            if event is not h11.NEED_DATA:
                return event
            data = await self.conn.read(READ_SIZE, timeout)
            self.answered = self.answered or bool(data)
            if not data and h.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            h.receive_data(data)

    async def head(self, timeout: float | None) -> h11.Response:
        while True:
            event = await self.next_event(timeout)
            if isinstance(event, h11.Response):
                return event
            if not isinstance(event, h11.InformationalResponse):  # (1xx: the answer follows)
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__} before the response")

    @property
    def reusable(self) -> bool:
        return self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE and not self.conn.closed


class _Body(httpx.AsyncByteStream):
    """A response's body as it arrives; closing it gives the connection back (or closes it)."""

    def __init__(self, pool: Transport, exchange: _Exchange, timeout: float | None) -> None:
        self._pool, self._exchange, self._timeout = pool, exchange, timeout
        self._complete = self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped():
            while True:
                event = await self._exchange.next_event(self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._complete = True
                    return
                else:
                    raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__} in the body")

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool._release(self._exchange, self._complete)


class _mapped:
    """h11's protocol errors as httpx's (caused by them)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, h11.RemoteProtocolError):
            raise httpx.RemoteProtocolError(str(exc)) from exc
        if isinstance(exc, h11.LocalProtocolError):
            raise httpx.LocalProtocolError(str(exc)) from exc


class Transport(httpx.AsyncBaseTransport):
    """httpx's transport: kept-alive HTTP/1.1 connections per origin on a :class:`Network`."""

    def __init__(
        self, network: Network, *, verify: bool, limits: httpx.Limits, unverified: dict[str, str] | None = None
    ) -> None:
        self._network = network
        self._verify = verify
        self._ssl = _ssl_context(verify)
        self.unverified = unverified if unverified is not None else {}  # host -> why its certificate failed
        self._max_connections = limits.max_connections or 100
        self._max_idle = limits.max_keepalive_connections if limits.max_keepalive_connections is not None else 20
        self._expiry = limits.keepalive_expiry if limits.keepalive_expiry is not None else 5.0
        self._idle: dict[Origin, list[_Exchange]] = {}
        self._open: set[_Exchange] = set()
        self._room: asyncio.Condition | None = None  # waited on when max_connections are open
        self._waiting = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}")
        origin = (url.raw_scheme, url.raw_host, url.port or _DEFAULT_PORTS[url.raw_scheme])
        timeouts = request.extensions.get("timeout", {})
        exchange = self._reuse(origin) or await self._connect(origin, timeouts.get("connect"))
        try:
            head: h11.Response | None = await self._ask(exchange, request, timeouts)
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            if not (exchange.reused and not exchange.answered and request.method in _IDEMPOTENT):
                raise
            head = None
        if head is None:
            # A kept-alive connection the server closed as the request went out (its idle timeout met our
            # reuse): nothing was answered, so the request is asked again, once, on a new connection (out of
            # the handler, so that the new attempt's error is not read as caused by the dead connection's).
            exchange = await self._connect(origin, timeouts.get("connect"))
            head = await self._ask(exchange, request, timeouts)
        return httpx.Response(
            status_code=head.status_code,
            headers=head.headers.raw_items(),
            stream=_Body(self, exchange, timeouts.get("read")),
            extensions={"http_version": b"HTTP/" + head.http_version, "reason_phrase": head.reason},
        )

    async def _ask(self, exchange: _Exchange, request: httpx.Request, timeouts: dict[str, float | None]) -> h11.Response:
        """Send the request and read the response's head; on any failure the connection is closed."""
        try:
            with _mapped():
                await exchange.send(request, timeouts.get("write"))
                return await exchange.head(timeouts.get("read"))
        except BaseException:  # a failed or cancelled exchange leaves the connection in no known state
            self._release(exchange, False)
            raise

    def _reuse(self, origin: Origin) -> _Exchange | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            exchange = idle.pop()
            if now - exchange.idle_since < self._expiry and not exchange.conn.closed:
                exchange.reused, exchange.answered = True, False
                return exchange
            self._close(exchange)
        return None

    async def _connect(self, origin: Origin, timeout: float | None) -> _Exchange:
        room = self._room = self._room or asyncio.Condition()
        async with room:
            while len(self._open) >= self._max_connections:
                oldest = min((e for idle in self._idle.values() for e in idle), key=lambda e: e.idle_since, default=None)
                if oldest is None:
                    self._waiting += 1
                    try:
                        await room.wait()
                    finally:
                        self._waiting -= 1
                else:
                    self._idle[oldest.origin].remove(oldest)
                    self._close(oldest)
            scheme, host, port = origin
            exchange = _Exchange(_Connection(), origin)  # holds the place while connecting
            self._open.add(exchange)
        try:
            name = host.decode("ascii")
            conn = await self._network.connect(name, port, timeout)
            if scheme == b"https":
                conn = await self._secure(conn, name, port, timeout)
        except BaseException:
            self._close(exchange)
            raise
        exchange.conn = conn
        return exchange

    async def _secure(self, conn: _Connection, name: str, port: int, timeout: float | None) -> _Connection:
        """TLS on ``conn``; a certificate that fails verification is recorded and the host connected to
        again without it (the page is what a browser shows past its warning, or with the chain completed)."""
        known = self._verify and name in self.unverified
        try:
            await conn.start_tls(_ssl_context(False) if known else self._ssl, name, timeout)
            return conn
        except httpx.ConnectError as exc:
            reason = _certificate_failure(exc)
            if not self._verify or known or reason is None:
                raise
        self.unverified[name] = reason
        conn = await self._network.connect(name, port, timeout)
        await conn.start_tls(_ssl_context(False), name, timeout)
        return conn

    def _release(self, exchange: _Exchange, complete: bool) -> None:
        if complete and exchange.reusable and len(self._idle.get(exchange.origin, ())) < self._max_idle:
            exchange.h11.start_next_cycle()
            exchange.idle_since = time.monotonic()
            self._idle.setdefault(exchange.origin, []).append(exchange)
        else:
            self._close(exchange)

    def _close(self, exchange: _Exchange) -> None:
        exchange.conn.close()
        if exchange in self._open:
            self._open.discard(exchange)
            if self._waiting:
                _background(self._notify())

    async def _notify(self) -> None:
        """Room for one more connection (a task: closing happens where nothing can be awaited)."""
        assert self._room is not None
        async with self._room:
            self._room.notify()

    async def aclose(self) -> None:
        for exchange in list(self._open):
            exchange.conn.close()
        self._open.clear()
        self._idle.clear()


_tasks: set[asyncio.Task[None]] = set()


def _background(job: typing.Coroutine[typing.Any, typing.Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(job)
    _tasks.add(task)  # held until done (the loop keeps only weak references)
    task.add_done_callback(_tasks.discard)
