"""Same-site crawl with link extraction and link checking.

Counting conventions (shared/CHECKLIST.md): a link is a distinct absolute
http(s) URL with its fragment removed, taken from ``a[href]``, ``img[src]``,
``link[href]``, ``script[src]`` and ``iframe[src]``; ``mailto:``, ``tel:``,
``javascript:`` and in-page ``#...`` anchors are not links.

Two more ways lead from a page to another one without being links: the frames of a
``<frameset>`` (``frame[src]``, Link tag ``frame``) and a client-side redirect of a small
page (``<meta http-equiv="refresh">`` or ``location.href = "..."``, Link tag ``refresh``).
Both are listed in ``Page.links`` and crawled as pages of the site, but they are no links
for link-availability: they get no ``link_sources`` and their fetch is not a link check
(``CrawlResult.links``) unless a real link leads there too. The homepage is the page the
start URL's client-side redirects (bounded) and frameset lead to: its main frame, the
one with the most text. The hops are prepended to that page's ``Page.redirects``.

Only pages in the site's :class:`~inspector.core.web.scope.Scope` are crawled (its host, or
its directory for a sub-site on a shared platform): a link out of the scope, and a redirect
that leaves it, are checked like outside links and their pages are not the site's
(``CrawlResult.pages`` holds in-scope pages only). The start URL's own hand-over (HTTP
redirect, meta refresh, frames) widens an implicit scope (:meth:`Scope.extend`); an explicit
one is kept, and a homepage that leaves it is recorded as ``off-scope``.

Each page of the site that is read (parsed for links) is also handed to ``read_page`` as it
arrives, when the caller gives one: the check families' early readers
(:func:`inspector.core.checks.base.early_reader`), whose per-page work so overlaps the crawl.

A page's links and its client-side redirect come from its one parse (:mod:`inspector.core.web.html`),
cached on the page for every later reader. Once a crawl has scheduled ``readers.MIN_PAGES`` pages, the
pages are decoded and parsed by the program's reader processes (:mod:`inspector.core.web.readers`),
on the machine's other cores, at most ``READING_PER_HOST x per_host`` of them fetched and not yet read.

The crawl is breadth-first: every discovered URL becomes a task at once and
the :class:`~inspector.core.web.fetch.Fetcher`'s per-host FIFO semaphores keep
the order roughly by depth while links to other hosts are checked in
parallel. Each distinct URL is requested once: a same-site HTML page is
fetched with GET (and its fetch is its link check); everything else gets
:meth:`Fetcher.check_link`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine
from typing import Any

from inspector.core import texts
from inspector.core.model import OFF_SCOPE, CrawlResult, Link, LinkStatus, Page, page_link_status
from inspector.core.web.fetch import Fetcher
from inspector.core.web.html import MAX_CLIENT_HOPS, NOT_LINK_TAGS, document, looks_like_file
from inspector.core.web.readers import MIN_PAGES, Readers, read_here, readers
from inspector.core.web.scope import Scope
from inspector.core.web.urls import normalize_url, site_key  # noqa: F401 (site_key re-exported)

Progress = Callable[[dict[str, int]], None]

PAGE_TAGS = frozenset({"a", "iframe", *NOT_LINK_TAGS})  # may lead to another page of the site
READING_PER_HOST = 4  # pages fetched and not yet read, per request in flight to one host (at least 16)

# --------------------------------------------------------------------------- crawl


def _readable(page: Page | None, site: Scope) -> bool:
    return (
        page is not None and page.html is not None and page.status is not None and page.status < 400
        and site.contains(page.final_url or page.url)
    )


def _entry_target(page: Page, crawl: CrawlResult, site: Scope) -> Page | None:
    """The crawled page a start page leads to: its client-side redirect, else its main frame."""
    kinds = {link.tag for link in page.links}
    if "refresh" in kinds or "frame" not in kinds:
        target = document(page).client_redirect
        found = crawl.page(target) if target else None
        return found if _readable(found, site) and found is not page else None
    frames = [crawl.page(link.url) for link in page.links if link.tag == "frame"]
    readable = [f for f in frames if f is not None and f is not page and _readable(f, site)]
    # a nested frameset leads on to its own main frame; otherwise the frame with the most text
    return max(readable, key=lambda f: (any(link.tag == "frame" for link in f.links), document(f).text_length), default=None)


class _Crawl:
    """The state of one crawl; every mutation happens on the event loop's thread."""

    def __init__(
        self,
        start_url: str,
        fetcher: Fetcher,
        *,
        max_pages: int,
        max_depth: int,
        max_links: int,
        check_links: bool,
        progress: Progress | None,
        scope: Scope,
        read_page: Callable[[Page], None] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.max_links = max_links
        self.check_links = check_links
        self.progress = progress
        self.read_page = read_page
        self.result = CrawlResult(start_url=start_url, homepage_url=start_url)
        self.site = scope
        self.seen: set[str] = {start_url}
        self.processed: set[str] = set()  # final URLs whose links were extracted
        self.aliases: dict[str, LinkStatus] = {}  # redirect targets already answered
        self.pages_scheduled = 1
        self.checks_scheduled = 0
        self.done: asyncio.Queue[tuple[int, Page | LinkStatus]] = asyncio.Queue()
        self.tasks: set[asyncio.Task[None]] = set()
        self.outstanding = 0  # spawned, result not yet handled
        self.not_links: set[str] = set()  # reached only by frames / client-side redirects so far
        self.held: dict[str, LinkStatus] = {}  # their fetch verdicts, no link checks (yet)
        self.hops: dict[str, int] = {}  # frames / client-side redirects in a row that led to a URL
        self.readers: Readers | None = None  # the reader processes, once the crawl is big enough
        self.reading = asyncio.Semaphore(max(16, READING_PER_HOST * fetcher.per_host))

    async def run(self) -> CrawlResult:
        homepage = await self.fetcher.fetch_page(self.result.start_url)
        self.result.homepage_url = homepage.final_url or self.result.start_url
        if homepage.final_url:
            self.site.extend(homepage.final_url)  # the 首页网址's HTTP redirect hands over to the portal
        if homepage.html is not None and not self.site.contains(homepage.final_url or self.result.start_url):
            homepage.html, homepage.error = None, OFF_SCOPE
            self.result.errors.append(texts.homepage_off_scope_error(homepage.final_url))
        if homepage.error and homepage.html is None and homepage.error != OFF_SCOPE:
            self.result.errors.append(texts.homepage_fetch_error(homepage.error))
        self._on_page(self.result.start_url, 0, homepage)
        self._report()
        try:
            while self.outstanding:
                depth, outcome = await self.done.get()
                self.outstanding -= 1
                if isinstance(outcome, Page):
                    self._on_page(outcome.url, depth, outcome)
                else:
                    self.result.links[outcome.url] = outcome
                self._report()
        finally:
            await self._cancel_all()
        self._resolve_homepage()
        self.result.scope = self.site.to_json()
        return self.result

    def _resolve_homepage(self) -> None:
        """Follow the start page's client-side redirects and frameset to the real homepage."""
        page = self.result.pages.get(self.result.start_url)
        passed: list[str] = []
        for _ in range(MAX_CLIENT_HOPS):
            target = _entry_target(page, self.result, self.site) if page is not None else None
            if target is None or page is None:
                break
            passed += [*page.redirects, page.final_url or page.url]
            page = target
        if page is None or not passed:
            return
        page.redirects = [u for u in dict.fromkeys([*passed, *page.redirects]) if u != page.final_url]
        self.result.homepage_url = page.final_url or page.url

    # ------------------------------------------------------------------ results

    def _on_page(self, url: str, depth: int, page: Page) -> None:
        page.depth = depth
        status = page_link_status(page)
        if url in self.not_links:
            self.held[url] = status
        else:
            self.result.links[url] = status
        final = page.final_url or url
        if final != url:
            self.aliases.setdefault(final, status)
        if depth > 0 and not self.site.contains(final):
            return  # redirected out of the scope: an outside link, checked, not a page of the site
        self.result.pages[url] = page
        if not self._parseable(page) or final in self.processed:
            return
        self.processed.add(final)
        page.links = document(page).links
        for link in page.links:
            if link.tag in NOT_LINK_TAGS:
                if depth == 0:
                    # the start page hands over to another address (a portal on a new domain, like an
                    # HTTP redirect would): an implicit scope takes it in
                    self.site.extend(link.url)
                self._discover_not_link(link, depth, self.hops.get(url, 0) + 1)
                continue
            self.result.link_sources.setdefault(link.url, []).append(final)
            self._discover(link, depth + 1)
        if self.read_page is not None:
            try:
                self.read_page(page)
            except Exception:  # noqa: BLE001 (only a head start: the family reads the page again itself)
                pass

    def _discover_not_link(self, link: Link, depth: int, hops: int) -> None:
        """A frame or client-side redirect target: crawled as a page, never checked as a link."""
        url = link.url
        if url in self.seen or hops > MAX_CLIENT_HOPS or not self._is_page(link, depth):
            return
        self.seen.add(url)
        self.not_links.add(url)
        self.hops[url] = hops
        alias = self.aliases.get(url)
        if alias is not None:
            self.held[url] = dataclasses.replace(alias, url=url)
        elif self.pages_scheduled < self.max_pages:
            self.pages_scheduled += 1
            self._spawn(self._fetch_page(url, depth))
        else:
            self._limit_hit("max_pages")
            self.result.truncated = True

    def _parseable(self, page: Page) -> bool:
        on_site = self.site.contains(page.final_url or page.url)
        return page.html is not None and page.status is not None and page.status < 400 and on_site

    def _discover(self, link: Link, depth: int) -> None:
        url = link.url
        if url in self.not_links:  # a real link leads there too: its fetch is now a link check
            self.not_links.discard(url)
            if url in self.held:
                self.result.links[url] = self.held.pop(url)
        if url in self.seen:
            return
        self.seen.add(url)
        alias = self.aliases.get(url)
        if alias is not None:
            self.result.links[url] = dataclasses.replace(alias, url=url)
            return
        if self._is_page(link, depth):
            if self.pages_scheduled < self.max_pages:
                self.pages_scheduled += 1
                self._spawn(self._fetch_page(url, depth))
                return
            self._limit_hit("max_pages")
            self.result.truncated = True
        if self.check_links:
            if self.checks_scheduled < self.max_links:
                self.checks_scheduled += 1
                self._spawn(self._check(url, depth))
            else:
                self._limit_hit("max_links")

    def _is_page(self, link: Link, depth: int) -> bool:
        return (
            link.tag in PAGE_TAGS
            and depth <= self.max_depth
            and self.site.contains(link.url)
            and not looks_like_file(link.url)
        )

    def _limit_hit(self, name: str) -> None:
        message = texts.crawl_limit(name)
        if message not in self.result.errors:
            self.result.errors.append(message)

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(
                {
                    "pages": len(self.result.pages),
                    "links_checked": len(self.result.links),
                    "queued": self.outstanding,
                }
            )

    # ------------------------------------------------------------------ tasks

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        if self.readers is None and self.pages_scheduled >= MIN_PAGES and readers().available:
            self.readers = readers()
            self.readers.start()
        task = asyncio.ensure_future(coro)
        self.outstanding += 1
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _fetch_page(self, url: str, depth: int) -> None:
        try:
            async with self.reading:  # (bodies waiting for a reader stay bounded)
                page = await self.fetcher.fetch_page(url, read=self._read)
        except Exception as exc:  # a bug must not end the whole crawl
            page = Page(url=url, final_url=url, error=f"error: {type(exc).__name__}")
        self.done.put_nowait((depth, page))

    async def _read(self, page: Page, body: bytes) -> None:
        """A page's body decoded; by a reader process when the crawl will parse the page (_parseable)."""
        parsed = page.status is not None and page.status < 400 and self.site.contains(page.final_url or page.url)
        await (self.readers.read if self.readers is not None and parsed else read_here)(page, body)

    async def _check(self, url: str, depth: int) -> None:
        try:
            status = await self.fetcher.check_link(url)
        except Exception as exc:  # a bug must not end the whole crawl
            status = LinkStatus(url=url, ok=False, error=f"error: {type(exc).__name__}")
        self.done.put_nowait((depth, status))

    async def _cancel_all(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)


def start_url_of(url: str) -> str:
    """A user-typed address as a normalised URL (``www.x.gov.cn`` -> ``http://www.x.gov.cn/``)."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    return normalize_url(text) or text


async def crawl_site(
    start_url: str,
    *,
    fetcher: Fetcher,
    max_pages: int = 3000,
    max_depth: int = 8,
    max_links: int = 20_000,
    check_links: bool = True,
    progress: Progress | None = None,
    scope: Scope | None = None,
    read_page: Callable[[Page], None] | None = None,
) -> CrawlResult:
    """Crawl the site of ``start_url`` breadth-first and check every link found on its pages.

    ``scope``: the site's pages (default: the 首页网址's own, :meth:`Scope.of_homepage`);
    ``CrawlResult.scope`` records the scope used (widened by the start URL's hand-over).

    ``pages`` holds every page fetched (keyed by requested URL), ``links`` the
    verdict for every distinct URL requested (pages included, each once),
    ``link_sources`` every URL found -> the pages (final URLs) it appears on.
    ``progress`` gets ``{pages, links_checked, queued}`` after each response; ``read_page`` gets
    each page of the site that is read, as it arrives (see the module's text).
    """
    start = start_url_of(start_url)
    crawl = _Crawl(
        start,
        fetcher,
        max_pages=max(1, max_pages),
        max_depth=max_depth,
        max_links=max_links,
        check_links=check_links,
        progress=progress,
        scope=scope if scope is not None else Scope.of_homepage(start),
        read_page=read_page,
    )
    return await crawl.run()
