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
import functools
import re
from collections.abc import Callable, Coroutine
from typing import Any
from posixpath import splitext
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from inspector.core.web.charset import clean_text, strip_controls
from inspector.core.web.fetch import Fetcher, page_link_status
from inspector.core import texts
from inspector.core.model import CrawlResult, Link, LinkStatus, Page
from inspector.core.web.scope import Scope
from inspector.core.web.urls import normalize_url, resolve_link, site_key  # noqa: F401 (re-exported)

Progress = Callable[[dict[str, int]], None]

LINK_ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src", "iframe": "src", "frame": "src"}
NOT_LINK_TAGS = frozenset({"frame", "refresh"})  # lead to a page, but are no links (CHECKLIST.md)
PAGE_TAGS = frozenset({"a", "iframe", *NOT_LINK_TAGS})  # may lead to another page of the site
MAX_CLIENT_HOPS = 3  # client-side redirects / frames followed in a row
MAX_REFRESH_DELAY = 30  # seconds: a longer meta refresh is a periodic reload, not a redirect
MAX_STUB_TEXT = 300  # characters of visible text of a page whose script redirects it
MAX_STUB_ANCHORS = 5
NON_PAGE_EXTENSIONS = frozenset(
    """pdf doc docx xls xlsx ppt pptx wps et dps ofd ceb cebx txt csv rtf xml json
    zip rar 7z gz tgz tar bz2 xz jpg jpeg png gif bmp webp svg ico tif tiff
    mp3 mp4 avi wmv flv mov mkv swf css js woff woff2 ttf eot apk exe msi dmg iso""".split()
)
MAX_PARSE_CHARS = 6_000_000  # the fetcher caps bodies at 5 MB; never parse more than this
MAX_LINKS_PER_PAGE = 5_000
MAX_TEXT_CHARS = 200
OFF_SCOPE = "off-scope"  # the homepage redirected out of an explicit scope

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_REFRESH_CONTENT = re.compile(r"^\s*(\d*)(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(.*)$", re.I | re.S)
_JS_LOCATION = re.compile(
    r"""(?:\b(?:window|self|top|parent|document)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=(?!=)\s*(['"])([^'"\n]{1,500})\1"""
    r"""|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(['"])([^'"\n]{1,500})\3\s*\)"""
)
_MAYBE_REDIRECT = re.compile(r"refresh|location", re.I)
_JS_CONCAT = re.compile(r"\s*\+")
_FUNCTION_HEAD = re.compile(r"(?:\bfunction\b[^{;]*\)|(?:\([^()]*\)|\w+)\s*=>)\s*$")
_ON_LOAD = re.compile(
    r"(?:(?:\$|jQuery)\s*\(\s*(?:document\s*\)\s*\.\s*ready\s*\(\s*)?|\bonload\s*=\s*"
    r"|addEventListener\s*\(\s*['\"](?:load|DOMContentLoaded)['\"]\s*,\s*|setTimeout\s*\(\s*)$"
)
_MOBILE_URL = re.compile(r"(?:^|[/.])(?:m|wap|mobile|sj|phone|h5)(?:[/.]|$)|[?&](?:m|mobile|wap)=", re.I)
_INVISIBLE = ("script", "style", "noscript", "template", "title")


# --------------------------------------------------------------------------- URLs


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

    Frames come as tag ``frame`` (a counting tag wins over it for the same URL), and a
    client-side redirect of the page (:func:`client_redirect`) as one last Link of tag
    ``refresh``. Robust to invalid or hostile HTML: anything unparsable yields no links.
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
        else:
            if known.tag == "frame" and tag != "frame":
                known.tag = tag
            if not known.text:
                known.text = _link_text(element, tag)
    target = _client_redirect(root, base, base_url)
    if target is not None and target not in found:
        found[target] = Link(url=target, tag="refresh")
    return list(found.values())


@functools.lru_cache(maxsize=32)  # the analysis asks again for the same few stubs; small: it holds page texts
def client_redirect(html: str | None, page_url: str) -> str | None:
    """Where the page sends the browser on load, if it is a client-side redirect.

    A ``<meta http-equiv="refresh" content="N;url=...">`` (N at most ``MAX_REFRESH_DELAY``,
    any case, spacing or quotes, not inside ``<noscript>``), or, on a small page (little
    visible text, few links), an inline script assigning ``location`` / ``location.href`` /
    ``top.location`` or calling ``location.replace(...)`` with a literal URL; a mobile
    target (``/m/``, ``wap.``) is skipped for another one. None when the page stays.
    """
    if not html or not _MAYBE_REDIRECT.search(html):
        return None
    root = _parse(html)
    return _client_redirect(root, _base_url(root, page_url), page_url) if root is not None else None


def _client_redirect(root: lxml.html.HtmlElement, base: str, page_url: str) -> str | None:
    target = _meta_refresh(root, base) or _script_redirect(root, base)
    if target is None or target == normalize_url(page_url):
        return None
    return target


def _inside(element: lxml.html.HtmlElement, tag: str) -> bool:
    return any(parent.tag == tag for parent in element.iterancestors())


def _meta_refresh(root: lxml.html.HtmlElement, base: str) -> str | None:
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh" or _inside(meta, "noscript"):
            continue
        m = _REFRESH_CONTENT.match(meta.get("content") or "")
        if m is None or (m.group(1) and int(m.group(1)[:6]) > MAX_REFRESH_DELAY):
            continue
        raw = m.group(2).strip().strip("'\"").strip()
        target = resolve_link(raw, base) if raw else None
        if target is not None:
            return target
    return None


def _small_page(root: lxml.html.HtmlElement) -> bool:
    """Little visible text and few links: a page that only exists to send the browser on."""
    body = root.find("body")
    if body is None:
        return True
    if sum(1 for a in body.iter("a") if a.get("href")) > MAX_STUB_ANCHORS:
        return False
    hidden = sum(len(clean_text(el.text_content())) for el in body.iter(*_INVISIBLE))
    return len(clean_text(body.text_content())) - hidden <= MAX_STUB_TEXT


def _in_function(code: str, pos: int) -> bool:
    """Is ``pos`` inside a function body (so it runs on some event, not on load)?"""
    depth, i = 0, pos
    while i > 0:
        i -= 1
        if code[i] == "}":
            depth += 1
        elif code[i] == "{":
            if depth == 0:
                head = _FUNCTION_HEAD.search(code, max(0, i - 200), i)
                if head and not _ON_LOAD.search(code, max(0, head.start() - 80), head.start()):
                    return True  # a function that runs on load / after a delay still redirects
            else:
                depth -= 1
    return False


def _script_redirect(root: lxml.html.HtmlElement, base: str) -> str | None:
    code = "\n".join(s.text or "" for s in root.iter("script") if not s.get("src"))
    if "location" not in code or not _small_page(root):
        return None
    for m in _JS_LOCATION.finditer(code):
        if _in_function(code, m.start()) or _JS_CONCAT.match(code, m.end()):
            continue  # a search/login handler, or a URL built at run time: not a redirect on load
        raw = m.group(2) or m.group(4) or ""
        target = resolve_link(raw, base)
        if target is not None and not _MOBILE_URL.search(target.split("://", 1)[-1]):
            return target
    return None


# --------------------------------------------------------------------------- crawl


def _text_length(page: Page) -> int:
    root = _parse(page.html or "")
    body = root.find("body") if root is not None else None
    if body is None:
        return 0
    hidden = sum(len(clean_text(el.text_content())) for el in body.iter(*_INVISIBLE))
    return len(clean_text(body.text_content())) - hidden


def _readable(page: Page | None, site: Scope) -> bool:
    return (
        page is not None and page.html is not None and page.status is not None and page.status < 400
        and site.contains(page.final_url or page.url)
    )


def _entry_target(page: Page, crawl: CrawlResult, site: Scope) -> Page | None:
    """The crawled page a start page leads to: its client-side redirect, else its main frame."""
    kinds = {link.tag for link in page.links}
    if "refresh" in kinds or "frame" not in kinds:
        target = client_redirect(page.html, page.final_url or page.url)
        found = crawl.page(target) if target else None
        return found if _readable(found, site) and found is not page else None
    frames = [crawl.page(link.url) for link in page.links if link.tag == "frame"]
    readable = [f for f in frames if f is not None and f is not page and _readable(f, site)]
    # a nested frameset leads on to its own main frame; otherwise the frame with the most text
    return max(readable, key=lambda f: (any(link.tag == "frame" for link in f.links), _text_length(f)), default=None)


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
    ) -> None:
        self.fetcher = fetcher
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.max_links = max_links
        self.check_links = check_links
        self.progress = progress
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
        page.links = extract_links(page.html or "", final)
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
    scope: Scope | None = None,
) -> CrawlResult:
    """Crawl the site of ``start_url`` breadth-first and check every link found on its pages.

    ``scope``: the site's pages (default: the 首页网址's own, :meth:`Scope.of_homepage`);
    ``CrawlResult.scope`` records the scope used (widened by the start URL's hand-over).

    ``pages`` holds every page fetched (keyed by requested URL), ``links`` the
    verdict for every distinct URL requested (pages included, each once),
    ``link_sources`` every URL found -> the pages (final URLs) it appears on.
    ``progress`` gets ``{pages, links_checked, queued}`` after each response.
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
    )
    return await crawl.run()
