"""Rendered evidence: what a citizen's browser showed, captured forensically.

One :class:`EvidenceCapturer` holds one shared Chromium (Playwright, async
API) and a pool of at most ``pool_size`` pages, each in its own browser context,
reused from one capture to the next (a new tab costs a renderer process, about
a third of a second); between captures the page goes back to ``about:blank``
and its cookies and the visited origin's web storage are cleared, so nothing a
site set is seen by the next capture (the HTTP cache stays, as in any browser).
A page is ready when its ``load`` event has fired and then neither its DOM nor
the network has moved for ``QUIET_S`` (bounded by ``STABLE_CAP_S``), not after
a fixed network-idle time. What evidence does not need is never fetched: media,
fonts from other hosts, and well-known trackers. Every capture writes a
full-page PNG (CDP ``Page.captureScreenshot``), an MHTML snapshot (CDP
``Page.captureSnapshot``) and the rendered DOM (CDP ``DOM.getOuterHTML``), all
through the one DevTools session the page's guard holds, plus a cropped PNG of
the highlighted element when one is asked for. Each file is hashed (SHA-256) from the very bytes written, and is never
overwritten: names carry a UTC timestamp and a short id, and files are opened
with exclusive creation.

A page behind an anti-bot challenge (:mod:`inspector.core.web.challenge`) is waited for until
its script has run and the site's own page arrived; :meth:`EvidenceCapturer.pass_challenge`
does that for the fetcher and brings back the clearance cookies, which every later context
of this capturer starts with. Records say when a challenge stood in front of the page.

Every page is held to the caps of :mod:`inspector.core.web.limits` (document size, requests,
bytes, time, and the browser's memory): a page that hits one is stopped where it is, captured
as far as it came, and its record says which cap (``limits``, first in ``error``).

A page opened for a public address may not make the browser reach internal ones (the rule of
:mod:`inspector.core.web.scope`): its images, frames and script requests to them are refused
(``refused_internal``: how many and the first). A redirect hop is followed inside the browser's
network stack, where no Playwright route sees it; a page that ends on an internal address
is therefore not kept at all (no files, no title, ``error`` says so).

Page problems (timeouts, refused connections, downloads, a crashed tab) never
raise: the record carries ``error`` and whatever could still be captured.
Only a missing or unlaunchable browser raises, as :class:`BrowserUnavailable`
from ``__aenter__``, so callers can note "evidence not captured: <reason>".

An evidence record is a JSON-able dict::

    {"id", "url", "final_url", "redirects", "status", "captured_at_utc",
     "captured_at_local", "browser", "browser_version", "user_agent",
     "viewport": {"width", "height"}, "title", "findings",
     "files": [{"kind", "path", "sha256", "size"}], "page_height", "clipped",
     "highlight": {"text", "selector", "found"} | None, "error",
     "challenge": {"kind", "passed", "elapsed_s"} | None,
     "limits": [{"kind", "url", "limit", "detail", "text"}]  (only when a cap was hit),
     "refused_internal": {"count", "first"}  (only when requests were refused)}

``files[*].path`` is POSIX-style and relative to the capturer's ``root``
(the workspace), so records stay valid when the workspace moves.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import ExitStack, asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from playwright.async_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    Response,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

from inspector.core import texts
from inspector.core.web.browser import LAUNCH_ARGS, find_chromium, private_home
from inspector.core.web.challenge import (
    CHALLENGE_STATUSES,
    MAX_CHALLENGE_BYTES,
    Clearance,
    challenge_kind,
    host_of,
    merge_cookies,
)
from inspector.core.web.charset import clean_text
from inspector.core.web.scope import AddressPolicy, Resolver, is_internal, system_resolver
from inspector.core.web.limits import (
    LIMITS, LimitHit, Limits, MemoryWatchdog, PageGuard, bounded, find_marked, launch_args, mb,
)

LOCAL_TZ_NAME = "Asia/Shanghai"
HIGHLIGHT_ATTR = "data-inspector-highlight"
_HIGHLIGHT_CSS = (
    f"[{HIGHLIGHT_ATTR}]{{outline:4px solid #e00000 !important;"
    "outline-offset:2px !important;background-color:rgba(255,230,0,.35) !important}"
)
QUIET_S = 0.3  # settled: no DOM mutation and no request in flight for this long after ``load``
STABLE_CAP_S = 2.5  # ... or this long after ``load`` at most (tickers, long polling)
_DOM_QUIET_JS = """([quiet, cap]) => new Promise(resolve => {
  const start = performance.now(); let last = start;
  const seen = new MutationObserver(() => { last = performance.now(); });
  seen.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const tick = () => {
    const now = performance.now();
    if (now - last >= quiet || now - start >= cap) { seen.disconnect(); resolve(now - last >= quiet); }
    else setTimeout(tick, Math.min(50, quiet));
  };
  setTimeout(tick, Math.min(50, quiet));
})"""
# never fetched for evidence: sound and video, and the usual third-party counters (hosts)
_BLOCKED_TYPES = frozenset({"media"})
_TRACKERS = re.compile(
    r"^https?://([^/]*\.)?(hm\.baidu\.com|zz\.bdstatic\.com|push\.zhanzhang\.baidu\.com|cnzz\.com|umeng\.com|"
    r"51\.la|tajs\.qq\.com|pingjs\.qq\.com|wrating\.com|google-analytics\.com|googletagmanager\.com|"
    r"doubleclick\.net|growingio\.com|sensorsdata\.cn)(:\d+)?/",
    re.I,
)
_ANY_HTTP = re.compile(r"^https?://", re.I)
_RESOLVE_S = 5.0  # seconds a request may wait while its host is resolved for the internal-address rule
_FONT_OR_MEDIA = re.compile(r"\.(woff2?|ttf|otf|eot|mp4|webm|ogv|ogg|mp3|m4a|aac|wav|flv|m3u8|mov|avi)(\?|#|$)", re.I)
_NOT_THE_SITE = ("chrome-error:", "about:blank")  # what a page shows when navigation failed
MAX_WIDTH = 4096  # px: wider pages are clipped like tall ones
FONTS_WAIT_MS = 2000  # a screenshot waits this long at most for the page's web fonts
# the page's size, once its web fonts are in (bounded): what a full-page screenshot paints
_PAGE_SIZE_JS = """async (wait) => {
  if (document.fonts) await Promise.race([document.fonts.ready, new Promise(r => setTimeout(r, wait))]);
  const d = document.documentElement, b = document.body;
  return [Math.max(d ? Math.max(d.scrollWidth, d.clientWidth) : 0, b ? b.scrollWidth : 0),
          Math.max(d ? Math.max(d.scrollHeight, d.clientHeight) : 0, b ? b.scrollHeight : 0)];
}"""
_SLUG_RE = re.compile(r"[^A-Za-z0-9]+")


class BrowserUnavailable(RuntimeError):  # noqa: N818 (the name callers expect)
    """No Chromium could be found or launched; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- small helpers


def _local_tz() -> tzinfo:
    try:
        return ZoneInfo(LOCAL_TZ_NAME)
    except ZoneInfoNotFoundError:  # no tzdata: China has no DST, a fixed offset is exact
        return timezone(timedelta(hours=8), "CST")


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return clean_text(lines[0] if lines else type(error).__name__)[:300]


def _slug(text: str, limit: int = 40) -> str:
    return _SLUG_RE.sub("-", text).strip("-")[:limit].strip("-")


def urlhint(url: str) -> str:
    """A short ASCII file-name hint from a URL (host and path)."""
    return _slug(re.sub(r"^[a-z]+://", "", url, flags=re.I)) or "page"


def write_new(path: Path, data: bytes) -> Path:
    """Write ``data`` to a file that did not exist before and return its path.

    If ``path`` exists, ``-1``, ``-2``, ... is inserted before the suffix;
    an existing file is never touched. The data is fsynced.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = path, 0
    while True:
        try:
            with open(candidate, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            return candidate
        except FileExistsError:
            n += 1
            candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")


def evidence_entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's files in the ``inspector.check/1`` ``evidence`` list shape."""
    return [
        {"path": f["path"], "sha256": f["sha256"], "url": record["url"], "kind": f["kind"]}
        for f in record.get("files", [])
    ]


def _redirect_chain(response: Response | None, final_url: str) -> list[str]:
    """URLs passed through before ``final_url``: HTTP redirects, then any client-side hop."""
    if response is None:
        return []
    chain: list[str] = []
    request = response.request.redirected_from
    while request is not None:
        chain.append(request.url)
        request = request.redirected_from
    chain.reverse()
    if response.url != final_url:  # meta refresh / script navigation after the document loaded
        chain.append(response.url)
    return chain


async def _abort(route: Any) -> None:
    with suppress(PlaywrightError):
        await route.abort("blockedbyclient")


async def _outside_font_or_media(route: Any) -> None:
    """Media never; a font only from the page's own host (icons drawn by the site's font stay)."""
    request = route.request
    try:
        page_host = urlsplit(request.frame.page.url).hostname
    except (PlaywrightError, ValueError):
        page_host = None
    outside_font = request.resource_type == "font" and urlsplit(request.url).hostname != page_host
    with suppress(PlaywrightError):
        if request.resource_type in _BLOCKED_TYPES or outside_font:
            await route.abort("blockedbyclient")
        else:
            await route.fallback()


# --------------------------------------------------------------------------- the capturer


class EvidenceCapturer:
    """One shared Chromium and a pool of concurrent pages (async context manager).

    ``root`` is the workspace root; recorded file paths are relative to it and
    every ``out_dir`` given to :meth:`capture` must lie inside it.
    """

    def __init__(
        self,
        root: Path,
        *,
        pool_size: int = 3,
        viewport: tuple[int, int] = (1366, 900),
        locale: str = "zh-CN",
        timezone_id: str = LOCAL_TZ_NAME,
        nav_timeout: float = 30.0,
        settle_timeout: float = 8.0,
        max_height: int = 16000,
        executable: str | None = None,
        limits: Limits = LIMITS,
        resolver: Resolver | None = None,
        internal: Callable[[str], bool] | None = None,
    ) -> None:
        """``resolver`` / ``internal``: name resolution and internal ranges of the private-address rule
        (:class:`~inspector.core.web.scope.AddressPolicy`; the tests inject theirs)."""
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self.root = Path(root).resolve()
        self.pool_size = pool_size
        self.viewport = {"width": viewport[0], "height": viewport[1]}
        self.locale = locale
        self.timezone_id = timezone_id
        self.nav_timeout_ms = nav_timeout * 1000
        self.settle_timeout_ms = settle_timeout * 1000
        self.max_height = max_height
        self.executable = executable
        self.browser_name = "chromium"
        self.browser_version = ""
        self.user_agent = ""
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._slots = asyncio.Semaphore(pool_size)
        self.clearance_cookies: list[dict[str, Any]] = []  # from passed challenges: every new context gets them
        self.challenges: dict[str, dict[str, Any]] = {}  # host -> the last challenge met there
        self._idle: list[tuple[BrowserContext, Page]] = []  # pooled pages, reset, ready for a capture
        self._inflight: dict[Page, set[Any]] = {}  # each pooled page's requests in flight
        self.limits = limits
        self.hits: list[LimitHit] = []  # every cap a page ran into, for the check's notes
        # a page on a public address may not make the browser request internal ones (scope.py's rule)
        self._addresses = AddressPolicy(True, resolver or system_resolver, internal or is_internal)
        self._guards: dict[Page, PageGuard] = {}
        self._watchdog: MemoryWatchdog | None = None
        self._home = ExitStack()  # the browser's private home, removed after it closed

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> EvidenceCapturer:
        path, how = (self.executable, "given") if self.executable else find_chromium()
        if path is None:
            raise BrowserUnavailable(how)
        self._playwright = await async_playwright().start()
        marker = f"--inspector-browser={uuid.uuid4().hex}"  # finds this browser's process tree
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=path, args=[*LAUNCH_ARGS, *launch_args(self.limits), marker], timeout=60_000,
                env=self._home.enter_context(private_home()),
            )
        except PlaywrightError as exc:
            await self._playwright.stop()
            self._playwright = None
            self._home.close()
            raise BrowserUnavailable(f"could not launch {path} ({how}): {_first_line(exc)}") from exc
        self.browser_version = self._browser.version
        self.user_agent = await self._user_agent(self._browser)
        root = find_marked(marker)
        if root is not None:
            self._watchdog = MemoryWatchdog(root, self.limits.browser_memory, self._memory_exceeded)
            self._watchdog.start()
        return self

    def _memory_exceeded(self, rss: int) -> None:
        """The watchdog killed a browser process: every page in flight is recorded as capped."""
        for page, guard in list(self._guards.items()):
            guard.hit("browser-memory", guard.url or page.url, mb(self.limits.browser_memory), texts.memory_used(mb(rss)))

    @staticmethod
    async def _user_agent(browser: Browser) -> str:
        """The browser's default user agent (what every context sends)."""
        cdp = await browser.new_browser_cdp_session()
        try:
            version = await cdp.send("Browser.getVersion")
        finally:
            await cdp.detach()
        return str(version.get("userAgent", ""))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._watchdog is not None:
            await self._watchdog.stop()
            self._watchdog = None
        self._idle.clear()  # closed with the browser
        if self._browser is not None:
            with suppress(PlaywrightError):  # already gone (crashed): nothing to release
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
        self._home.close()

    @asynccontextmanager
    async def _page(self, url: str) -> AsyncIterator[tuple[BrowserContext, Page]]:
        """A context + page from the pool (reused, reset afterwards; replaced if it broke), opened for ``url``."""
        if self._browser is None:
            raise RuntimeError("EvidenceCapturer used outside 'async with'")
        async with self._slots:
            pair = self._idle.pop() if self._idle else await self._new_page()
            context, page = pair
            guard = self._guards[page] = PageGuard(self.limits)
            guard.opened_for = url
            healthy = False
            try:
                if self.clearance_cookies:  # from passed challenges (a reset page has none left)
                    await context.add_cookies(self.clearance_cookies)  # type: ignore[arg-type]
                await guard.attach(context, page)
                yield context, page
                healthy = not guard.hits and not guard.crashed and await self._reset(context, page)
            finally:
                self._guards.pop(page, None)
                await guard.detach()
                self.hits.extend(guard.hits)
                if healthy:
                    self._idle.append(pair)
                else:  # a capped, crashed or broken page is not reused
                    await bounded(context.close(), 10)  # a crashed tab's context may never answer

    async def _new_page(self) -> tuple[BrowserContext, Page]:
        assert self._browser is not None
        context = await self._browser.new_context(
            service_workers="block",  # a worker's requests would pass no route (and evidence needs none)
            ignore_https_errors=True,  # a certificate that fails is noted by the check (net.py); the page is the evidence
            viewport=self.viewport,  # type: ignore[arg-type]
            locale=self.locale,
            timezone_id=self.timezone_id,
            device_scale_factor=1,
        )
        try:
            await context.route(_TRACKERS, _abort)
            await context.route(_FONT_OR_MEDIA, _outside_font_or_media)
            await context.route(_ANY_HTTP, self._refuse_internal)  # (the last route added is asked first)
            page = await context.new_page()
        except PlaywrightError:
            with suppress(PlaywrightError):
                await context.close()
            raise
        page.set_default_timeout(self.nav_timeout_ms)
        self._inflight[page] = set()
        page.on("request", lambda request: self._inflight[page].add(request))
        page.on("requestfinished", lambda request: self._inflight[page].discard(request))
        page.on("requestfailed", lambda request: self._inflight[page].discard(request))
        page.on("close", lambda _: self._inflight.pop(page, None))
        return context, page

    async def _refuse_internal(self, route: Any) -> None:
        """A request to an internal address from a page opened for a public one is refused (redirects,
        frames, images, scripts' requests alike); the page's guard counts it for the record."""
        request = route.request
        with suppress(PlaywrightError):
            try:
                guard = self._guards.get(request.frame.page)
            except PlaywrightError:
                guard = None  # no frame to tell whose request it is: as before the rule
            try:
                async with asyncio.timeout(_RESOLVE_S):  # a resolver that hangs leaves the request to the browser
                    inside = guard is not None and await self._leaves_for_internal(guard.opened_for, request.url)
            except TimeoutError:
                inside = False
            if inside:
                assert guard is not None
                guard.refused(request.url)
                await route.abort("blockedbyclient")
                return
            await route.fallback()

    async def _leaves_for_internal(self, opened_for: str, url: str) -> bool:
        """``url`` is on an internal address, and the page was opened for a public one (scope.py's rule)."""
        site, target = host_of(opened_for), host_of(url)
        return bool(site and target and target != site) and await self._addresses.allows(site) \
            and not await self._addresses.allows(target)

    async def _reset(self, context: BrowserContext, page: Page) -> bool:
        """Forget what the last site set (web storage, cookies) and blank the page; False if it broke."""
        try:
            if not page.url.startswith(_NOT_THE_SITE):
                await page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
            await page.goto("about:blank", timeout=5000)
            await context.clear_cookies()
            return not page.is_closed()
        except PlaywrightError:
            return False

    async def settle(self, page: Page) -> None:
        """Wait until the page is complete: ``load``, then no DOM change and no request for QUIET_S.

        Bounded: ``settle_timeout`` for ``load``, STABLE_CAP_S for the quiet (a ticker or a long poll
        never settles; what is there then is captured).
        """
        try:
            await page.wait_for_load_state("load", timeout=self.settle_timeout_ms)
        except PlaywrightError:
            return  # still loading (slow images): capture what is there
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(STABLE_CAP_S, self.settle_timeout_ms / 1000)
        inflight = self._inflight.get(page, set())
        while (left := deadline - loop.time()) > 0:
            if inflight:
                await asyncio.sleep(min(0.05, left))
                continue
            try:
                quiet = await page.evaluate(_DOM_QUIET_JS, [QUIET_S * 1000, left * 1000])
            except PlaywrightError:
                return  # navigated away or closed meanwhile
            if quiet and not inflight:
                return

    @asynccontextmanager
    async def _bounded(self, page: Page) -> AsyncIterator[PageGuard]:
        """Work on one page within the per-page time cap (a timeout is recorded, not raised)."""
        guard = self._guards[page]
        try:
            async with asyncio.timeout(self.limits.page_seconds):
                yield guard
        except TimeoutError:
            guard.hit("page-time", guard.url or page.url, f"{self.limits.page_seconds:g} 秒")

    async def navigate(self, page: Page, url: str) -> tuple[Response | None, str | None]:
        """Go to ``url`` (past an anti-bot challenge) and let it settle; returns (response, error or None)."""
        guard = self._guards.get(page)
        goto = self._goto(page, url, self.nav_timeout_ms / 1000)
        outcome = await (guard.until_hit(goto) if guard is not None else goto)
        if guard is not None and guard.hits:  # stopped at a cap: what arrived is what there is to capture
            await guard.settle(page, min(self.settle_timeout_ms / 1000, 5.0))
            return (outcome[0] if outcome else None), None
        assert outcome is not None
        response, error = outcome
        if error is not None:
            if response is None:
                await self._settle_after_failure(page)
            return response, error
        await self.settle(page)
        return response, None

    async def _goto(self, page: Page, url: str, timeout: float) -> tuple[Response | None, str | None]:
        """Open ``url``; if it answers with a challenge, wait (``timeout`` s in all) until its script
        has brought the site's own page. Returns the response of the document shown, or an error.

        A challenge script reloads while the page is still loading, so ``goto`` may report an
        interrupted navigation: the main frame's responses and commits tell what is shown.
        """
        events: list[Response | None] = []  # main-frame navigation responses; None = a document committed
        changed = asyncio.Event()
        kinds: dict[int, asyncio.Future[str | None]] = {}  # read at once: a reload discards the body

        def on_response(response: Response) -> None:
            if response.frame == page.main_frame and response.request.is_navigation_request():
                kinds[id(response)] = asyncio.ensure_future(_response_challenge(response))
                events.append(response)
                changed.set()

        def on_commit(frame: Any) -> None:
            if frame == page.main_frame:
                events.append(None)
                changed.set()

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        page.on("response", on_response)
        page.on("framenavigated", on_commit)
        first_kind: str | None = None
        try:
            try:
                await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
            except PlaywrightError as exc:
                if not any(e is not None for e in events):
                    return None, f"navigation: {_first_line(exc)}"
            while True:
                shown = _shown_response(events)
                for response in [e for e in events if e is not None]:  # every answer so far, in order
                    first_kind = first_kind or await kinds[id(response)]
                if shown is not None:
                    kind = await kinds[id(shown)]
                    if kind is None:
                        if first_kind:
                            self._met(url, first_kind, passed=True)
                        with suppress(PlaywrightError):
                            await page.wait_for_load_state("domcontentloaded", timeout=max(1.0, deadline - loop.time()) * 1000)
                        return shown, None
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                changed.clear()
                try:
                    await asyncio.wait_for(changed.wait(), remaining)
                except TimeoutError:
                    break
            if first_kind:
                self._met(url, first_kind, passed=False)
                return _shown_response(events), f"challenge: {first_kind} not passed within {timeout:g} s"
            return _shown_response(events), f"navigation: nothing shown within {timeout:g} s"
        finally:
            page.remove_listener("response", on_response)
            page.remove_listener("framenavigated", on_commit)
            for pending in kinds.values():
                pending.cancel()

    def _met(self, url: str, kind: str, *, passed: bool) -> None:
        self.challenges[host_of(url)] = {"kind": kind, "passed": passed}

    async def pass_challenge(self, url: str, timeout: float) -> Clearance | str:
        """Let the browser get past the challenge at ``url`` within ``timeout`` seconds.

        Returns the clearance (the context's cookies and the exact User-Agent they are bound
        to), or a short reason why not. Every later context of this capturer starts with
        those cookies (evidence and rendered pages show the site, not its challenge).
        """
        started = asyncio.get_running_loop().time()
        try:
            async with self._page(url) as (context, page):
                response, error = await self._goto(page, url, timeout)
                if error is not None:
                    return error
                cookies = await context.cookies()
                final_url = page.url
        except PlaywrightError as exc:
            return f"browser: {_first_line(exc)}"
        entry = self.challenges.get(host_of(url))
        if entry is not None:
            entry["elapsed_s"] = round(asyncio.get_running_loop().time() - started, 2)
        self.clearance_cookies = merge_cookies(self.clearance_cookies, list(cookies))  # type: ignore[arg-type]
        return Clearance(cookies=list(cookies), user_agent=self.user_agent, final_url=final_url)  # type: ignore[arg-type]

    async def _settle_after_failure(self, page: Page) -> None:
        """Let the browser's error page (or a partial page) load, so it can be captured.

        Chromium commits its ``chrome-error://`` page just after ``goto`` fails.
        """
        try:
            if page.url == "about:blank":
                await page.wait_for_url(
                    lambda url: url != "about:blank",
                    wait_until="load",
                    timeout=min(self.settle_timeout_ms, 3000),
                )
            else:
                await page.wait_for_load_state("load", timeout=self.settle_timeout_ms)
        except PlaywrightError:
            pass  # nothing more will arrive: capture what is there

    # ------------------------------------------------------------------ public API

    async def rendered_dom(self, url: str) -> str | None:
        """The DOM after scripts ran (the page settled, capped), or None if unreachable."""
        dom: str | None = None
        guard: PageGuard | None = None
        try:
            async with self._page(url) as (_, page), self._bounded(page) as guard:
                _, error = await self.navigate(page, url)
                if error is None and not await self._leaves_for_internal(url, page.url):
                    dom = await document_html(guard)
        except PlaywrightError:
            return None
        # a document cut at the size cap, a crashed or timed-out tab: not the page as served
        return None if guard is None or any(h.kind != "page-requests" for h in guard.hits) else dom

    async def capture(
        self,
        url: str,
        out_dir: Path,
        *,
        findings: Sequence[str] = (),
        highlight_text: str | None = None,
        highlight_selector: str | None = None,
        name_hint: str = "",
    ) -> dict[str, Any]:
        """Capture ``url`` into ``out_dir`` and return its evidence record.

        Never raises for page problems; raises ValueError if ``out_dir`` is
        outside ``root`` (a caller bug) and OSError if files cannot be written.
        """
        out_dir = Path(out_dir).resolve()
        out_dir.relative_to(self.root)  # ValueError when outside the workspace
        record = self._new_record(url, findings, highlight_text, highlight_selector)
        errors: list[str] = []
        hits: list[LimitHit] = []
        refused: tuple[int, str] | None = None
        try:
            async with self._page(url) as (_, page), self._bounded(page) as guard:
                hits = guard.hits
                capture = _Capture(self, record, out_dir, name_hint or urlhint(url), guard, errors)
                await capture.run(page, highlight_text, highlight_selector)
                refused = (guard.refused_count, guard.refused_first) if guard.refused_count else None
        except PlaywrightError as exc:  # context creation failed / browser died
            errors.append(f"browser: {_first_line(exc)}")
        if hits:  # the page ran into a cap: say so first, then what failed because of it
            record["limits"] = [h.as_dict() for h in hits]
            errors[:0] = [h.text for h in hits]
        if refused:
            record["refused_internal"] = {"count": refused[0], "first": refused[1]}
        record["error"] = "; ".join(errors) or None
        return record

    def _new_record(
        self,
        url: str,
        findings: Sequence[str],
        highlight_text: str | None,
        highlight_selector: str | None,
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        wants_highlight = highlight_text is not None or highlight_selector is not None
        return {
            "id": uuid.uuid4().hex,
            "url": url,
            "final_url": url,
            "redirects": [],
            "status": None,
            "captured_at_utc": now.isoformat(timespec="milliseconds"),
            "captured_at_local": now.astimezone(_local_tz()).isoformat(timespec="milliseconds"),
            "browser": self.browser_name,
            "browser_version": self.browser_version,
            "user_agent": self.user_agent,
            "viewport": dict(self.viewport),
            "title": "",
            "findings": [str(f) for f in findings],
            "files": [],
            "page_height": None,
            "clipped": False,
            "highlight": (
                {"text": highlight_text, "selector": highlight_selector, "found": False}
                if wants_highlight
                else None
            ),
            "error": None,
            "challenge": None,
        }


def _shown_response(events: list[Response | None]) -> Response | None:
    """The response of the document the main frame shows: the last one before the last commit."""
    last_commit = max((i for i, e in enumerate(events) if e is None), default=-1)
    return next((e for e in reversed(events[:last_commit]) if e is not None), None) if last_commit > 0 else None


async def _response_challenge(response: Response) -> str | None:
    """The challenge kind of a main-frame response (its body gone after a reload: judged by status).

    The body is only read when the answer could be a challenge (a status challenges use, and
    small): an ordinary page costs no extra transfer from the browser.
    """
    if response.status not in CHALLENGE_STATUSES:
        return None
    try:
        headers = await response.all_headers()
    except PlaywrightError:
        headers = {}
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_CHALLENGE_BYTES:
        return None
    try:
        body = await response.body()
    except PlaywrightError:
        if response.status < 400:
            return None
        return challenge_kind(response.status, headers, "<script>document.cookie=1;location.reload()</script>")
    return challenge_kind(response.status, headers, body)


async def document_html(guard: PageGuard) -> str:
    """The page's DOM as markup (doctype included), serialised by the browser itself.

    What ``page.content()`` gives, without its cost: Playwright reads it through its injected
    script, which the browser compiles into every new document, and a page's own scripts cannot
    change what DevTools serialises.
    """
    root = (await guard.send("DOM.getDocument", {"depth": 0}))["root"]
    return str((await guard.send("DOM.getOuterHTML", {"backendNodeId": root["backendNodeId"]}))["outerHTML"])


class _Capture:
    """The steps of one capture, accumulating files and errors into a record."""

    def __init__(self, owner: EvidenceCapturer, record: dict[str, Any], out_dir: Path, hint: str, guard: PageGuard,
                 errors: list[str]) -> None:
        self.owner = owner
        self.guard = guard  # the page's guard: its DevTools session serves every step
        self.record = record
        self.out_dir = out_dir
        stamp = datetime.fromisoformat(record["captured_at_utc"]).strftime("%Y%m%dT%H%M%S%fZ")
        self.stem = f"{stamp}_{record['id'][:8]}_{_slug(hint) or 'page'}"
        self.errors = errors  # (the caller's: a capture that fails to start adds its own)

    async def run(self, page: Page, highlight_text: str | None, highlight_selector: str | None) -> None:
        response, error = await self.owner.navigate(page, self.record["url"])
        if error:
            self.errors.append(error)
        await self._describe(page, response)
        if await self.owner._leaves_for_internal(self.record["url"], self.record["final_url"]):
            # a redirect is followed inside the browser's network stack, where no route can refuse it:
            # the request was made, but what the inspector's own network showed is not kept
            self.guard.refused(self.record["final_url"])
            self.record["title"] = ""
            self.errors.append(texts.EVIDENCE_LEFT_FOR_INTERNAL)
            return
        met = self.owner.challenges.get(host_of(self.record["final_url"])) or self.owner.challenges.get(host_of(self.record["url"]))
        self.record["challenge"] = dict(met) if met else None
        # DOM and MHTML first: they must show the page as served, without our highlight.
        await self._step("dom", self._dom())
        await self._step("mhtml", self._mhtml())
        target = await self._highlight(page, highlight_text, highlight_selector)
        await self._step("screenshot", self._screenshot(page))
        if target is not None:
            await self._step("crop", self._crop(target))

    async def _step(self, kind: str, action: Awaitable[None]) -> None:
        guard = self.guard
        try:
            await guard.until_crash(action)
        except PlaywrightError as exc:
            self.errors.append(f"{kind}: {_first_line(exc)}")
        if guard.crashed and texts.EVIDENCE_PAGE_CRASHED not in self.errors:
            self.errors.append(texts.EVIDENCE_PAGE_CRASHED)

    async def _save(self, kind: str, ext: str, data: bytes) -> None:
        path = await asyncio.to_thread(write_new, self.out_dir / f"{self.stem}_{kind}.{ext}", data)
        self.record["files"].append(
            {
                "kind": kind,
                "path": path.relative_to(self.owner.root).as_posix(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }
        )

    async def _describe(self, page: Page, response: Response | None) -> None:
        """URL, redirects, status and title of what the browser is showing."""
        record = self.record
        shows_site = not page.url.startswith(_NOT_THE_SITE)
        if shows_site:
            record["final_url"] = page.url
        record["redirects"] = _redirect_chain(response, record["final_url"])
        record["status"] = response.status if response is not None else None
        if not shows_site:
            return  # the browser's own error page: its title is not the site's
        try:
            record["title"] = clean_text(await page.title())
        except PlaywrightError as exc:
            self.errors.append(f"title: {_first_line(exc)}")

    async def _dom(self) -> None:
        await self._save("dom", "html", (await document_html(self.guard)).encode("utf-8"))

    async def _mhtml(self) -> None:
        snapshot = await self.guard.send("Page.captureSnapshot", {"format": "mhtml"})
        await self._save("mhtml", "mhtml", snapshot["data"].encode("utf-8"))

    async def _highlight(self, page: Page, text: str | None, selector: str | None) -> Locator | None:
        """Outline the first visible match; returns its locator or None."""
        if self.record["highlight"] is None:
            return None
        try:
            matches = page.locator(selector) if selector else page.get_by_text(text or "")
            target = matches.filter(visible=True).first  # skip hidden copies (mobile menus, ...)
            if not await target.count():
                return None
            await page.add_style_tag(content=_HIGHLIGHT_CSS)
            await target.evaluate(f"e => e.setAttribute('{HIGHLIGHT_ATTR}', '1')")
        except PlaywrightError as exc:
            self.errors.append(f"highlight: {_first_line(exc)}")
            return None
        self.record["highlight"]["found"] = True
        return target

    async def _screenshot(self, page: Page) -> None:
        """The whole page as PNG, in one DevTools call: Playwright's full-page screenshot evaluates four
        times in an isolated world of its own and encodes for size. Evidence is encoded for speed
        (``optimizeForSpeed``: the file about 30 % bigger, the capture a tenth cheaper in CPU)."""
        width, height = (int(v) for v in await page.evaluate(_PAGE_SIZE_JS, FONTS_WAIT_MS))
        viewport = self.owner.viewport
        self.record["page_height"] = height
        if self.guard.hits:  # a page cut at a cap: its top is the evidence, painting more costs GBs
            self.record["clipped"] = height > viewport["height"]
            width, height, beyond = viewport["width"], viewport["height"], False
        else:
            max_width = max(viewport["width"], MAX_WIDTH)
            # a hostile page can be 10^5 px either way
            self.record["clipped"] = height > self.owner.max_height or width > max_width
            width, height, beyond = min(width, max_width), min(height, self.owner.max_height), True
        shot = await self.guard.send("Page.captureScreenshot", {
            "format": "png", "optimizeForSpeed": True, "captureBeyondViewport": beyond,
            "clip": {"x": 0, "y": 0, "width": max(1, width), "height": max(1, height), "scale": 1},
        })
        await self._save("screenshot", "png", base64.b64decode(shot["data"]))

    async def _crop(self, target: Locator) -> None:
        await self._save("crop", "png", await target.screenshot(type="png", animations="disabled"))


# --------------------------------------------------------------------------- sync convenience


def capture_many(
    urls_with_findings: Iterable[tuple[str, Sequence[str]]],
    out_dir: Path,
    root: Path,
    *,
    pool_size: int = 3,
) -> list[dict[str, Any]]:
    """Capture each ``(url, findings)`` with one shared browser; records in input order.

    Runs its own event loop (do not call from inside one). Raises
    :class:`BrowserUnavailable` when no browser can be used.
    """
    jobs = list(urls_with_findings)

    async def run() -> list[dict[str, Any]]:
        async with EvidenceCapturer(root, pool_size=pool_size) as capturer:
            return list(
                await asyncio.gather(*(capturer.capture(url, out_dir, findings=f) for url, f in jobs))
            )

    return asyncio.run(run())
