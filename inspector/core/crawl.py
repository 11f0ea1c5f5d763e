"""Same-site crawl with link extraction and link checking.

Counting conventions (shared/CHECKLIST.md): a link is a distinct absolute
http(s) URL with its fragment removed, taken from ``a[href]``, ``img[src]``,
``link[href]``, ``script[src]`` and ``iframe[src]``; ``mailto:``, ``tel:``,
``javascript:`` and in-page ``#...`` anchors are not links.

The crawl is breadth-first: every discovered URL becomes a task at once and
the :class:`~inspector.core.fetch.Fetcher`'s per-host FIFO semaphores keep
the order roughly by depth while links to other hosts are checked in
parallel. Each distinct URL is requested once: a same-site HTML page is
fetched with GET (and its fetch is its link check); everything else gets
:meth:`Fetcher.check_link`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import re
from collections.abc import Callable, Coroutine
from typing import Any
from posixpath import splitext
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import lxml.etree
import lxml.html

from .charset import clean_text, strip_controls
from .fetch import Fetcher, page_link_status
from .model import CrawlResult, Link, LinkStatus, Page
from .urls import normalize_url, resolve_link

Progress = Callable[[dict[str, int]], None]

LINK_ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src", "iframe": "src"}
PAGE_TAGS = frozenset({"a", "iframe"})  # links that may lead to another page of the site
NON_PAGE_EXTENSIONS = frozenset(
    """pdf doc docx xls xlsx ppt pptx wps et dps ofd ceb cebx txt csv rtf xml json
    zip rar 7z gz tgz tar bz2 xz jpg jpeg png gif bmp webp svg ico tif tiff
    mp3 mp4 avi wmv flv mov mkv swf css js woff woff2 ttf eot apk exe msi dmg iso""".split()
)
MAX_PARSE_CHARS = 6_000_000  # the fetcher caps bodies at 5 MB; never parse more than this
MAX_LINKS_PER_PAGE = 5_000
MAX_TEXT_CHARS = 200

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


# --------------------------------------------------------------------------- URLs


@functools.lru_cache(maxsize=65536)  # navigation links repeat on every page of a site
@functools.lru_cache(maxsize=65536)
def site_key(url: str) -> tuple[str, int | None] | None:
    """(host without ``www.``, explicit port) — http/https on default ports are one site."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return None
    host = parsed.host.lower().rstrip(".")
    return host.removeprefix("www."), parsed.port


def looks_like_file(url: str) -> bool:
    """True when the path ends in a known non-HTML extension (.pdf, .jpg, .css, ...)."""
    path = urlsplit(url).path
    return splitext(path)[1].lstrip(".").lower() in NON_PAGE_EXTENSIONS


# --------------------------------------------------------------------------- extraction


def _parse(html: str) -> lxml.html.HtmlElement | None:
    text = strip_controls(_XML_DECLARATION.sub("", html[:MAX_PARSE_CHARS], count=1))  # lxml refuses NUL & co
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(recover=True, no_network=True, remove_comments=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def _base_url(root: lxml.html.HtmlElement, page_url: str) -> str:
    for base in root.iter("base"):
        href = base.get("href")
        if href:
            resolved = resolve_link(href, page_url)
            return resolved or page_url
    return page_url


def _link_text(element: lxml.html.HtmlElement, tag: str) -> str:
    if tag == "a":
        raw = element.text_content()[: MAX_TEXT_CHARS * 4] or element.get("title", "")
    elif tag == "img":
        raw = element.get("alt") or element.get("title") or ""
    else:
        raw = element.get("title") or ""
    return clean_text(raw)[:MAX_TEXT_CHARS]


def extract_links(html: str, base_url: str) -> list[Link]:
    """Distinct links of a page, in document order (first occurrence wins, a later text fills a blank one).

    Robust to invalid or hostile HTML: anything unparsable yields no links.
    """
    root = _parse(html)
    if root is None:
        return []
    base = _base_url(root, base_url)
    found: dict[str, Link] = {}
    for element in root.iter(*LINK_ATTRIBUTES):
        tag = element.tag
        raw = element.get(LINK_ATTRIBUTES[tag])
        url = resolve_link(raw, base) if raw else None
        if url is None:
            continue
        known = found.get(url)
        if known is None:
            if len(found) >= MAX_LINKS_PER_PAGE:
                break
            found[url] = Link(url=url, tag=tag, text=_link_text(element, tag))
        elif not known.text:
            known.text = _link_text(element, tag)
    return list(found.values())


# --------------------------------------------------------------------------- crawl


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
    ) -> None:
        self.fetcher = fetcher
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.max_links = max_links
        self.check_links = check_links
        self.progress = progress
        self.result = CrawlResult(start_url=start_url, homepage_url=start_url)
        self.site: set[tuple[str, int | None]] = set()
        self.seen: set[str] = {start_url}
        self.processed: set[str] = set()  # final URLs whose links were extracted
        self.aliases: dict[str, LinkStatus] = {}  # redirect targets already answered
        self.pages_scheduled = 1
        self.checks_scheduled = 0
        self.done: asyncio.Queue[tuple[int, Page | LinkStatus]] = asyncio.Queue()
        self.tasks: set[asyncio.Task[None]] = set()
        self.outstanding = 0  # spawned, result not yet handled

    async def run(self) -> CrawlResult:
        homepage = await self.fetcher.fetch_page(self.result.start_url)
        self.result.homepage_url = homepage.final_url or self.result.start_url
        self.site = {k for k in (site_key(self.result.start_url), site_key(homepage.final_url)) if k}
        if homepage.error and homepage.html is None:
            self.result.errors.append(f"homepage: {homepage.error}")
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
        return self.result

    # ------------------------------------------------------------------ results

    def _on_page(self, url: str, depth: int, page: Page) -> None:
        page.depth = depth
        self.result.pages[url] = page
        status = page_link_status(page)
        self.result.links[url] = status
        final = page.final_url or url
        if final != url:
            self.aliases.setdefault(final, status)
        if not self._parseable(page) or final in self.processed:
            return
        self.processed.add(final)
        page.links = extract_links(page.html or "", final)
        for link in page.links:
            self.result.link_sources.setdefault(link.url, []).append(final)
            self._discover(link, depth + 1)

    def _parseable(self, page: Page) -> bool:
        on_site = site_key(page.final_url or page.url) in self.site
        return page.html is not None and page.status is not None and page.status < 400 and on_site

    def _discover(self, link: Link, depth: int) -> None:
        url = link.url
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
            and site_key(link.url) in self.site
            and not looks_like_file(link.url)
        )

    def _limit_hit(self, name: str) -> None:
        message = f"{name} reached: some URLs were not crawled/checked"
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
        task = asyncio.ensure_future(coro)
        self.outstanding += 1
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _fetch_page(self, url: str, depth: int) -> None:
        try:
            page = await self.fetcher.fetch_page(url)
        except Exception as exc:  # a bug must not end the whole crawl
            page = Page(url=url, final_url=url, error=f"error: {type(exc).__name__}")
        self.done.put_nowait((depth, page))

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
) -> CrawlResult:
    """Crawl the site of ``start_url`` breadth-first and check every link found on its pages.

    ``pages`` holds every page fetched (keyed by requested URL), ``links`` the
    verdict for every distinct URL requested (pages included, each once),
    ``link_sources`` every URL found -> the pages (final URLs) it appears on.
    ``progress`` gets ``{pages, links_checked, queued}`` after each response.
    """
    crawl = _Crawl(
        start_url_of(start_url),
        fetcher,
        max_pages=max(1, max_pages),
        max_depth=max_depth,
        max_links=max_links,
        check_links=check_links,
        progress=progress,
    )
    return await crawl.run()
