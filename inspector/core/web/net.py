"""The connections under the fetcher: plain asyncio sockets, pinned to the addresses the rule checked.

httpx sends and reads HTTP through an httpcore connection pool; this module is that pool's network
(an ``httpcore.AsyncNetworkBackend``), for two reasons:

- **Pinned addresses.** When the site is public, the :class:`~inspector.core.web.scope.AddressPolicy`
  refuses internal addresses. A rule that resolves a name, finds it public and then lets the
  connection resolve it again can be walked around: the name's second answer (a short TTL, a
  "rebinding" DNS server) can be ``127.0.0.1`` or ``10.x``. Here a connection goes only to the
  addresses the policy resolved and checked (tried in turn with happy eyeballs, as a connection by
  name would be); a name that does not resolve, or resolves to an internal address, is not connected
  to at all. A site on an internal address itself (the demo region, the tests) connects by name.
- **Less work per request.** The crawl is bound by the event loop's CPU; each request's socket
  reads and writes here are a buffer and a future, not the generic stream layers of anyio (about a
  third of httpx's time per request, measured on the 2,000-page benchmark).

Reads are bounded: past ``_HIGH_WATER`` buffered bytes the socket is not read until the reader takes
them. Errors are httpcore's (``ConnectError``, ``ReadTimeout``, ...), each caused by the socket's
own exception, so :func:`inspector.core.web.fetch.classify_error` names them as before.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import typing
from asyncio import staggered

import httpcore
import httpx

from inspector.core.web.scope import AddressPolicy

HAPPY_EYEBALLS_DELAY = 0.25  # seconds before the next address is tried alongside (RFC 8305)
_HIGH_WATER = 512 * 1024  # bytes received and not yet read before the socket is paused


class RefusedAddress(httpcore.ConnectError):
    """The host resolved to an internal address while the site is public (``private-address``)."""


class _Connection(asyncio.Protocol, httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection: the protocol asyncio feeds and the stream httpcore reads."""

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

    # ------------------------------------------------------------------ httpcore's side

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if not self._buffer and not self._eof:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                if not await _within(self._waiter, timeout):
                    raise httpcore.ReadTimeout("read timed out")
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
            raise httpcore.ReadError(str(self._lost) or type(self._lost).__name__) from self._lost
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        transport = self._transport
        if transport is None or transport.is_closing():
            raise httpcore.WriteError("connection closed") from self._lost
        transport.write(buffer)
        if self._writing_paused:
            self._drain = asyncio.get_running_loop().create_future()
            try:
                if not await _within(self._drain, timeout):
                    raise httpcore.WriteTimeout("write timed out")
            finally:
                self._drain = None
            if self._lost is not None:
                raise httpcore.WriteError(str(self._lost) or type(self._lost).__name__) from self._lost

    async def aclose(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        assert self._transport is not None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(self._transport, self, ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from exc
        except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
            self._transport.abort()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        if transport is None:
            raise httpcore.ConnectError("connection closed during the TLS handshake")
        self._transport = typing.cast(asyncio.Transport, transport)
        return self

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":  # an idle kept-alive connection with something to read: closed (or broken)
            return self._eof or bool(self._buffer)
        transport = self._transport
        if transport is None:
            return None
        if info in ("ssl_object", "socket"):
            return transport.get_extra_info(info)
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        return None


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


class Network(httpcore.AsyncNetworkBackend):
    """Connections for one fetcher; with a policy that refuses internal addresses, pinned to what it checked."""

    def __init__(self, policy: AddressPolicy | None = None) -> None:
        self.policy = policy

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                addresses = await self.policy.pinned(host) if self.policy is not None else None
                if addresses is None:
                    _, conn = await loop.create_connection(
                        _Connection, host, port, local_addr=local,
                        happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY, interleave=1)
                else:
                    conn = await _connect_to(loop, self._checked(host, addresses), port, local)
        except TimeoutError as exc:  # before OSError: it is one
            raise httpcore.ConnectTimeout("connect timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = conn.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return conn

    def _checked(self, host: str, addresses: list[str]) -> list[str]:
        assert self.policy is not None
        if not addresses:
            raise OSError(f"{host} does not resolve")
        if not self.policy.allows_all(addresses):
            raise RefusedAddress(f"{host} resolves to an internal address")
        return addresses

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connect_to(loop: asyncio.AbstractEventLoop, addresses: list[str], port: int,
                      local: tuple[str, int] | None) -> _Connection:
    """A connection to one of ``addresses`` (families interleaved, each tried HAPPY_EYEBALLS_DELAY after the last)."""
    won: list[_Connection] = []

    async def attempt(address: str) -> _Connection:
        transport, conn = await loop.create_connection(_Connection, address, port, local_addr=local)
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


@functools.cache
def _ssl_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per process and setting (loading the CA bundle costs milliseconds per fetcher)."""
    return httpx.create_ssl_context(verify=verify, trust_env=False)


class Transport(httpx.AsyncHTTPTransport):
    """httpx's transport (request, response and error mapping) with its pool on a :class:`Network`."""

    def __init__(self, network: Network, *, verify: bool, limits: httpx.Limits) -> None:
        context = _ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=network,
        )
