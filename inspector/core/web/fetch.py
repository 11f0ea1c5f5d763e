"""Polite, bounded HTTP for the whole inspection, on one shared ``httpx.AsyncClient``.

The :class:`Fetcher` owns every limit the crawler and the probes rely on:

- per-host concurrency (a semaphore per ``host:port``) and a minimum interval
  between request starts per host; a ``Retry-After`` pushes that host's next
  start back for every request, not only the one that got it;
- connect / read timeouts and a total deadline per attempt (a server dripping
  one byte every few seconds cannot hold a worker forever);
- a size cap per response body, applied while streaming (after decompression,
  so a gzip bomb is cut off too); the prefix is kept so HTML can still be parsed;
- redirects followed by hand so the chain is recorded and loops are named;
- retries with exponential backoff on connection errors and 429/503;
- anti-bot challenge answers (:mod:`inspector.core.web.challenge`) handed to the check's
  :class:`~inspector.core.web.challenge.ChallengeGate` (the browser passes them) and the request
  sent again with the clearance cookies and the browser's User-Agent; never retried as a 503;
- a host that refuses this tool's own User-Agent (a plain 403 to it, and an answer to a browser's):
  asked once more as a browser (:data:`BROWSER_USER_AGENT`, or the browser's own once it passed a
  challenge), and from then on always so; once per host, recorded in the gate (``as_browser``);
- with an :class:`~inspector.core.web.scope.AddressPolicy`, internal addresses refused when the
  site is public, and every connection made only to the addresses that rule checked
  (:mod:`inspector.core.web.net`, the client's network).

Network problems never raise: they come back as short error strings
(``"timeout"``, ``"connect"``, ``"reset"``, ``"protocol"``, ``"tls"``,
``"too-large"``, ``"redirect-loop"``, ``"too-many-redirects"``, ``"scheme"``,
``"invalid-url"``, ``"blocked"``, ``"challenge"``, ``"private-address"``) or the HTTP status as a
string (``"404"``).
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from urllib.parse import urljoin

import httpx

from inspector.core.web.challenge import (
    CHALLENGE, CHALLENGE_STATUSES, MAX_CHALLENGE_BYTES, ChallengeGate, challenge_kind, host_of,
)
from inspector.core.web.net import Network, RefusedAddress, Transport
from inspector.core.web.readers import read_here
from inspector.core.web.scope import PRIVATE_ADDRESS, AddressPolicy
from inspector.core.web.limits import LIMITS
from inspector.core.model import LinkStatus, Page

Sleep = Callable[[float], Awaitable[None]]
Read = Callable[[Page, bytes], Awaitable[None]]  # sets page.html and page.encoding from an HTML body


DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; inspector/0.1; government website spot-check)"
# what a person's browser says: a site that answers only browsers (a WAF rule on the User-Agent) is checked as
# one sees it (shared/CHECKLIST.md: what counts is the page a person's browser shows)
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
REFUSED_STATUS = 403  # the answer of a rule that refuses a User-Agent
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
RETRY_ERRORS = frozenset({"connect", "reset"})
HEAD_RETRY_ERRORS = frozenset({"connect"})  # a reset HEAD is retried as GET instead
GONE_STATUSES = frozenset({404, 410})
HEAD_GONE_CONFIRMATIONS = 3  # a server's first HEAD "not found" answers that GET must confirm


@dataclass(frozen=True)
class _RetryOn:
    """Which failures of one request are worth another attempt."""

    errors: frozenset[str]
    statuses: frozenset[int] = frozenset()


GET_RETRY = _RetryOn(RETRY_ERRORS, RETRY_STATUSES)
HEAD_RETRY = _RetryOn(HEAD_RETRY_ERRORS)
_FIRST_CHUNK = 64 * 1024  # what a link check reads of a body: enough to know the server answers
_DEFAULT_PORTS = {"http": 80, "https": 443}
_GENERIC_TYPES = ("", "text/plain", "application/octet-stream")
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")
_HOST = re.compile(r"^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|[0-9A-Fa-f:.]+)$")


# --------------------------------------------------------------------------- helpers


def utc_now() -> str:
    """The current UTC time, ISO-8601 with seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def host_key(url: httpx.URL) -> str:
    """``host:port`` with the scheme's default port made explicit."""
    return f"{url.host}:{url.port or _DEFAULT_PORTS.get(url.scheme, 0)}"


def is_html(content_type: str, body: bytes) -> bool:
    """True for an HTML content type, or a missing/generic one whose body looks like HTML."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if "html" in mime:
        return True
    if mime not in _GENERIC_TYPES:
        return False
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(marker in head for marker in _HTML_MARKERS)


def classify_error(exc: BaseException) -> str:
    """A network exception as one of the short error strings of this module."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:  # anyio's task groups wrap the cause
        exc = exc.exceptions[0]
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return "timeout"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "scheme"
    if isinstance(exc, (httpx.InvalidURL, UnicodeError, OverflowError)):  # OverflowError: port > 65535
        return "invalid-url"
    causes = _cause_chain(exc)
    if any(isinstance(c, RefusedAddress) for c in causes):
        return PRIVATE_ADDRESS
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return "tls"
    if any(isinstance(c, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)) for c in causes):
        return "reset"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "reset" if "disconnect" in str(exc).lower() else "protocol"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.CloseError)):
        return "reset"
    if isinstance(exc, (httpx.ProtocolError, httpx.DecodingError)):
        return "protocol"
    if isinstance(exc, OSError):
        return "connect"
    return "error"


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now (delta-seconds or an HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


@dataclass
class _Response:
    """What one request (with its redirects) produced."""

    url: str
    final_url: str
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    error: str | None = None
    redirects: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    challenge: str | None = None  # the kind of anti-bot challenge this answer is
    gate_seen: int = 0  # the gate's generation for the host when the request was sent
    user_agent: str = ""  # the User-Agent it was sent with

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def failed(self) -> bool:
        return self.error is not None or self.status is None or self.status >= 400


# --------------------------------------------------------------------------- the fetcher


class Fetcher:
    """Shared HTTP client with per-host limits; use as ``async with Fetcher() as f``."""

    def __init__(
        self,
        *,
        per_host: int = 4,
        min_interval: float = 0.0,
        connect_timeout: float = 15.0,
        read_timeout: float = 15.0,
        total_timeout: float | None = 60.0,
        max_bytes: int = LIMITS.max_bytes,
        max_redirects: int = 10,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 10.0,
        max_connections: int = 100,
        user_agent: str = DEFAULT_USER_AGENT,
        verify: bool = True,
        host_allowed: Callable[[str], bool] | None = None,
        gate: ChallengeGate | None = None,
        address_policy: AddressPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Configure limits; ``host_allowed(host)`` False makes a URL fail with "blocked".

        ``gate``: the check's challenge gate (shared with its other fetchers); its clearance
        cookies and User-Agent are used from the moment a challenge was passed.
        """
        self.per_host = max(1, per_host)
        self.min_interval = max(0.0, min_interval)
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.host_allowed = host_allowed
        self.gate = gate
        self.address_policy = address_policy
        self._own_user_agent = user_agent
        # host -> asked as a browser: True when that was answered (shared by the check's fetchers through the gate)
        self._as_browser: dict[str, bool] = gate.as_browser if gate is not None else {}
        self._gate_version = -1
        self._sleep = sleep
        self._verify = verify
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._client_args = {
            "follow_redirects": False,
            "trust_env": False,  # never route through a proxy from the environment
            "timeout": httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=None
            ),
            "headers": {
                "User-Agent": user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                # only what _BoundedDecoder undoes (httpx would offer br/zstd whenever their packages are
                # installed, and such a body would be kept still compressed)
                "Accept-Encoding": ACCEPT_ENCODING,
                "Accept-Language": "zh-CN,zh;q=0.9",
            },
        }
        self._client: httpx.AsyncClient | None = None
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self._head_gone_trusted: dict[str, int] = {}  # server -> HEAD 404s confirmed by GET (-1: contradicted)

    async def __aenter__(self) -> Fetcher:
        # connections pinned to the addresses the policy checked (net.py)
        transport = Transport(Network(self.address_policy), verify=self._verify, limits=self._limits,
                              unverified=self.gate.unverified if self.gate is not None else None)
        self._client = httpx.AsyncClient(transport=transport, **self._client_args)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the shared client (idempotent)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ------------------------------------------------------------------ public

    async def fetch_page(self, url: str, *, retries: int | None = None, read: Read | None = None) -> Page:
        """GET a page (body capped at ``max_bytes``); HTML is decoded via :mod:`charset`, by ``read``
        when given (the crawl's: :meth:`inspector.core.web.readers.Readers.read`)."""
        fetched_at = utc_now()
        resp = await self._request(
            "GET",
            url,
            read_limit=self.max_bytes,
            retries=self.retries if retries is None else retries,
            retry_on=GET_RETRY,
        )
        page = Page(
            url=url,
            final_url=resp.final_url,
            status=resp.status,
            content_type=resp.content_type,
            error=resp.error or (str(resp.status) if resp.failed and resp.status else None),
            redirects=resp.redirects,
            elapsed=resp.elapsed,
            fetched_at=fetched_at,
        )
        if resp.body and is_html(page.content_type, resp.body) and resp.error != CHALLENGE:
            await (read or read_here)(page, resp.body)
        return page

    async def check_link(self, url: str) -> LinkStatus:
        """HEAD the URL; fall back to a streamed GET (first bytes only) when HEAD looks unsupported.

        A 404/410 answer to HEAD is confirmed by GET until the server has confirmed
        ``HEAD_GONE_CONFIRMATIONS`` of them; from then on its HEAD "not found" is final, so a
        broken link costs one request. A server whose GET contradicted its HEAD is asked by GET always.
        """
        resp = await self._request(
            "HEAD",
            url,
            read_limit=0,
            retries=self.retries,
            retry_on=HEAD_RETRY,
        )
        elapsed = resp.elapsed
        if resp.failed and _head_unsupported(resp):
            gone = resp.status in GONE_STATUSES
            server = _server(resp.final_url)
            if gone and self._head_gone_trusted.get(server, 0) >= HEAD_GONE_CONFIRMATIONS:
                return _link_status(resp, elapsed)  # this server's "not found" to HEAD has proven true
            head_status = resp.status
            resp = await self._request(
                "GET",
                url,
                read_limit=0,
                retries=self.retries,
                retry_on=GET_RETRY,
            )
            elapsed += resp.elapsed
            if gone and self._head_gone_trusted.get(server, 0) >= 0:
                confirmed = resp.status == head_status
                self._head_gone_trusted[server] = self._head_gone_trusted.get(server, 0) + 1 if confirmed else -1
        return _link_status(resp, elapsed)

    # ------------------------------------------------------------------ internals

    async def _request(
        self,
        method: str,
        url: str,
        *,
        read_limit: int,
        retries: int,
        retry_on: _RetryOn,
    ) -> _Response:
        """One logical request: redirects followed by hand, each hop with retries."""
        started = time.monotonic()
        redirects: list[str] = []
        current = url
        clears = 0
        while True:
            resp = await self._with_retries(method, current, read_limit, retries, retry_on)
            if self._refused_us(resp, current):
                resp = await self._ask_as_browser(method, current, read_limit, resp)
            resp.url, resp.redirects = url, redirects
            if resp.challenge is not None:
                # not the site's answer: get past it (the browser) and ask again; the gate bounds the passes
                if self.gate is not None and clears <= self.gate.max_passes and \
                        await self.gate.clear(current, resp.challenge, resp.gate_seen):
                    clears += 1
                    continue
                resp.error = CHALLENGE
                break
            if self.gate is not None and resp.error is None:
                self.gate.answered(current)
            target = _redirect_target(resp)
            if target is None:
                break
            redirects.append(current)
            if target in redirects:
                resp.error = "redirect-loop"
                break
            if len(redirects) > self.max_redirects:
                resp.error = "too-many-redirects"
                break
            current = target
        resp.elapsed = time.monotonic() - started
        return resp

    async def _with_retries(
        self,
        method: str,
        url: str,
        read_limit: int,
        retries: int,
        retry_on: _RetryOn,
    ) -> _Response:
        attempt = 0
        while True:
            resp = await self._attempt(method, url, read_limit)
            by_status = resp.error is None and resp.status in retry_on.statuses and resp.challenge is None
            if attempt >= retries or not (by_status or resp.error in retry_on.errors):
                return resp
            delay = self.backoff * 2**attempt
            if by_status:
                hinted = retry_after_seconds(resp.headers.get("retry-after"))
                delay = min(self.max_retry_after, hinted if hinted is not None else delay)
                self._defer_host(url, delay)  # the whole host waits, not just this request
            else:
                await self._sleep(delay)
            attempt += 1

    def _refused_us(self, resp: _Response, url: str) -> bool:
        """A plain refusal of this tool's own User-Agent, from a host not known to refuse browsers too?
        (A request sent as ourselves just before the host was found to answer browsers is asked again.)"""
        return (
            resp.error is None and resp.status == REFUSED_STATUS and resp.challenge is None
            and resp.user_agent == self._own_user_agent and self._as_browser.get(host_of(url)) is not False
        )

    async def _ask_as_browser(self, method: str, url: str, read_limit: int, refused: _Response) -> _Response:
        """Ask once more as a browser; the host is asked so from then on when that was answered.

        Once per host, but not one at a time: requests refused while the first such ask is out (the
        probes beside the crawl's first page) ask too, rather than take a refusal a browser would not get.
        """
        host = host_of(url)
        again = await self._attempt(method, url, read_limit, as_browser=True)
        answered = again.error is None and again.status != REFUSED_STATUS
        self._as_browser[host] = self._as_browser.get(host, False) or answered
        return again if answered else refused  # refused whoever asks: the site's own answer

    def _user_agent_for(self, url: str) -> str:
        """The User-Agent a request to ``url`` goes with: the client's, or a browser's for a host that
        answers only browsers (the browser's own once a challenge was passed)."""
        assert self._client is not None
        own = self._client.headers.get("User-Agent", self._own_user_agent)
        if own == self._own_user_agent and self._as_browser.get(host_of(url)):
            return BROWSER_USER_AGENT
        return own

    async def _attempt(self, method: str, url: str, read_limit: int, *, as_browser: bool = False) -> _Response:
        """A single HTTP exchange; never raises for network or URL problems."""
        resp = _Response(url=url, final_url=url)
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
            resp.error = "invalid-url"
            return resp
        resp.error = self._refuse(parsed)
        if resp.error is None and self.address_policy is not None and \
                not await self.address_policy.allows(parsed.raw_host.decode("ascii")):  # the name connections use
            resp.error = PRIVATE_ADDRESS
        if resp.error:
            return resp
        assert self._client is not None, "use Fetcher as an async context manager"
        async with self._slot(host_key(parsed)):
            self._sync_gate()
            resp.gate_seen = self.gate.generation(url) if self.gate is not None else 0
            try:
                resp.user_agent = BROWSER_USER_AGENT if as_browser else self._user_agent_for(url)
                async with asyncio.timeout(self.total_timeout):
                    await self._exchange(method, parsed, read_limit, resp, resp.user_agent)
            except Exception as exc:  # noqa: BLE001 - every transport failure becomes a named cause, never a crash
                resp.error = classify_error(exc)
        if resp.error is None:
            resp.challenge = challenge_kind(resp.status, resp.headers, resp.body)
        return resp

    def _sync_gate(self) -> None:
        """Carry the gate's clearance cookies and the browser's User-Agent from now on."""
        gate, client = self.gate, self._client
        if gate is None or client is None or gate.version == self._gate_version:
            return
        for c in gate.cookies:
            if c.get("name") and c.get("value") is not None:
                client.cookies.set(str(c["name"]), str(c["value"]), domain=str(c.get("domain") or ""), path=str(c.get("path") or "/"))
        if gate.user_agent:
            client.headers["User-Agent"] = gate.user_agent
        self._gate_version = gate.version

    def _refuse(self, url: httpx.URL) -> str | None:
        if url.scheme not in ("http", "https"):
            return "scheme"
        if not _HOST.match(url.raw_host.decode("ascii", "replace")):
            return "invalid-url"  # e.g. a space in the host: refused before any DNS lookup
        if url.port is not None and not 0 < url.port <= 65535:
            return "invalid-url"
        try:
            host = url.host  # decodes an IDNA host: a malformed A-label ("xn--zz") raises here
        except UnicodeError:
            return "invalid-url"
        if self.host_allowed is not None and not self.host_allowed(host):
            return "blocked"
        return None

    async def _exchange(self, method: str, url: httpx.URL, read_limit: int, resp: _Response, user_agent: str) -> None:
        assert self._client is not None
        request = self._client.build_request(method, url, headers={"User-Agent": user_agent})
        response = await self._client.send(request, stream=True)
        try:
            resp.status, resp.headers = response.status_code, response.headers
            if method != "HEAD" and response.status_code not in REDIRECT_STATUSES:
                limit = read_limit
                if response.status_code >= 400 and response.status_code in CHALLENGE_STATUSES:
                    limit = max(read_limit, MAX_CHALLENGE_BYTES)  # enough to tell a challenge page
                resp.body, too_large = await _read_capped(response, limit)
                if too_large and read_limit > 0:
                    resp.error = "too-large"
        finally:
            await response.aclose()

    @asynccontextmanager
    async def _slot(self, key: str) -> AsyncIterator[None]:
        """Hold one of the host's concurrency slots, starting no sooner than allowed."""
        semaphore = self._semaphores.setdefault(key, asyncio.Semaphore(self.per_host))
        async with semaphore:
            now = asyncio.get_running_loop().time()
            start = max(now, self._next_start.get(key, 0.0))
            self._next_start[key] = start + self.min_interval
            if start > now:
                await self._sleep(start - now)
            yield

    def _defer_host(self, url: str, delay: float) -> None:
        key = host_key(httpx.URL(url))
        until = asyncio.get_running_loop().time() + delay
        self._next_start[key] = max(self._next_start.get(key, 0.0), until)


ACCEPT_ENCODING = "gzip, deflate"


class _BoundedDecoder:
    """Content-Encoding undone as the body streams, never producing more than it is asked for.

    httpx inflates each network chunk whole: one 64 KB chunk of a gzip bomb becomes 64 MB before
    any cap can look at it. Here every stage inflates at most ``room + 1`` bytes per call, so the
    body stops within a chunk of the cap however much it would inflate to.
    """

    _WBITS = {"gzip": 31, "x-gzip": 31, "deflate": 15}

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        # applied in the order listed, so undone in reverse; unknown codings pass through (as httpx does)
        self._stages = [[coding, zlib.decompressobj(self._WBITS[coding]), True]
                        for coding in reversed(codings) if coding in self._WBITS]

    def feed(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of ``data`` (and of input left over from before), at most ``room + 1``."""
        for stage in self._stages:
            coding, inflater, first = stage
            pending = inflater.unconsumed_tail + data
            try:
                data = inflater.decompress(pending, room + 1)
            except zlib.error:
                if not (coding == "deflate" and first):
                    raise httpx.DecodingError("invalid compressed body") from None
                stage[1] = inflater = zlib.decompressobj(-15)  # "deflate" sent raw, without the zlib header
                data = inflater.decompress(pending, room + 1)
            stage[2] = False
        return data


async def _read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Read at most ``limit`` decoded bytes (``0``: just the first chunk); True if more was sent.

    The cap applies to the body after Content-Encoding is undone, as it streams.
    """
    decoder = _BoundedDecoder(response.headers.get("content-encoding", ""))
    room = limit or _FIRST_CHUNK
    chunks: list[bytes] = []
    size = 0
    try:
        async for raw in response.aiter_raw():
            data = decoder.feed(raw, room - size)
            chunks.append(data)
            size += len(data)
            if size > room or (not limit and size):
                body = b"".join(chunks)
                return body[:room], size > room or not limit
    except zlib.error as exc:  # a stage that only failed later in the stream
        raise httpx.DecodingError(str(exc)) from None
    return b"".join(chunks), False


def _redirect_target(resp: _Response) -> str | None:
    if resp.error or resp.status not in REDIRECT_STATUSES:
        return None
    location = resp.headers.get("location", "").strip()
    if not location:
        return None
    return urljoin(resp.final_url, location)


def _server(url: str) -> str:
    try:
        return host_key(httpx.URL(url))
    except (httpx.InvalidURL, ValueError):
        return url


def _head_unsupported(resp: _Response) -> bool:
    """HEAD answered with an error status or a broken exchange: worth trying GET."""
    if resp.status is not None and resp.status >= 400:
        return True
    return resp.error in ("reset", "protocol")


def _link_status(resp: _Response, elapsed: float) -> LinkStatus:
    ok = not resp.failed
    length = resp.headers.get("content-length", "")
    return LinkStatus(
        url=resp.url,
        ok=ok,
        status=resp.status,
        error=None if ok else (resp.error or str(resp.status)),
        final_url=resp.final_url,
        content_type=resp.content_type,
        length=int(length) if length.isdigit() else None,
        elapsed=elapsed,
    )
