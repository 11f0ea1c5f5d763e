"""Columns (栏目) of a site: discovered from navigation menus and 更多 links, read from their pages.

A *navigation block* is a container of at least ``MIN_NAV_LINKS`` sibling entries that
each hold one short link and no date (header menus, side menus, tab strips). Each
same-site link of such a block that is not an article (no date in its URL) is a
candidate column; so is every homepage block's 更多 link, named by the block heading.
A column's items come from its own page in the crawl (the block whose links live
under the column's path, else every block of the page), following the list's next
pages only when the first page has nothing inside the category's window and only
through pages the crawler fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from posixpath import dirname
from urllib.parse import urlsplit

from lxml import etree

from inspector.core.checklist import Checklist
from inspector.core.extract.dates import date_from_url
from inspector.core.extract.lists import (
    MAX_LABEL_LEN,
    Block,
    Source,
    anchor_text,
    children,
    folded_text,
    dedupe_items,
    document_of,
    element_text,
    extract_blocks,
    is_pagination,
    more_texts,
    next_page_url,
    pagination_texts,
    placeholder_in,
    postorder,
    segments,
    strong_date,
    unit_links,
)
from inspector.core import texts
from inspector.core.extract.scripts import column_list_scripted
from inspector.core.model import Column, CrawlResult, Item, Page
from inspector.core.web.html import MAX_CLIENT_HOPS, Document, document, link_url, looks_like_file
from inspector.core.web.urls import site_key

MIN_NAV_LINKS = 3  # a menu has at least this many entries
MIN_TITLE_LEN = 5  # a story title is longer than a pagination / 4-character menu label (尾页, 联系我们)
MAX_NEXT_PAGES = 20  # guard against pagination loops; the crawl bounds it anyway
EMPTY_LIST_TAGS = ("ul", "ol", "dl", "tbody")


def same_site(url: str, home: str) -> bool:
    return bool(url) and site_key(url) is not None and site_key(url) == site_key(home)


def find_page(crawl: CrawlResult, url: str) -> Page | None:
    """The crawled page for ``url`` (as requested, after redirects, or with/without a trailing slash).

    A small page that only sends the browser on (meta refresh, ``location.href = …``) stands
    for the same-site page it leads to, when that was crawled (at most ``MAX_CLIENT_HOPS``).
    """
    page = _lookup(crawl, url)
    for _ in range(MAX_CLIENT_HOPS):
        if page is None or not page.html:
            break
        here = page.final_url or page.url
        target = document(page).client_redirect
        found = _lookup(crawl, target) if target and same_site(target, here) else None
        if found is None or found is page or not found.html or (found.status or 0) >= 400:
            break
        page = found
    return page


def _lookup(crawl: CrawlResult, url: str) -> Page | None:
    page = crawl.page(url)
    if page is None:
        alt = url[:-1] if url.endswith("/") else url + "/"
        page = crawl.page(alt)
    return page


def is_column_url(url: str, home: str, as_of: date) -> bool:
    """Could ``url`` be a column page of the site (same site, not the homepage, no file, no article date)?"""
    return (
        same_site(url, home)
        and url.rstrip("/") != home.rstrip("/")
        and not looks_like_file(url)
        and date_from_url(url, as_of) is None
    )


def nav_links(source: Source, page_url: str, as_of: date, checklist: Checklist) -> list[tuple[str, str]]:
    """``(name, url)`` of the links in a page's navigation-like regions, in document order.

    A navigation region is an element holding at least ``MIN_NAV_LINKS`` links, all of
    them short (a menu label, not a story title), none of them a 更多 link's only
    purpose, and printing no date (so a dated list is never a menu). Nested menus
    (``li > dl > dt + dd > span > a``) qualify as a whole. Pager links (上一页, 下一页, 尾页,
    第N页, page numbers) lead to more of the same list: they are never columns.
    """
    doc = document_of(source, page_url)
    root = doc.root if doc is not None else None
    if doc is None or root is None:
        return []
    body = root.find(".//body")
    mores = more_texts(checklist)
    pager = pagination_texts(checklist)
    out: dict[str, str] = {}
    for container in postorder(body if body is not None else root):
        if container is body or container is root:
            continue  # the whole page is not a menu, even when it only holds short links
        links = unit_links([container], doc.base, mores)
        if len(links) < MIN_NAV_LINKS or any(len(text) > MAX_LABEL_LEN for _, _, text in links):
            continue
        if any(strong_date(s, as_of) for s in segments(container, False)):
            continue
        for _, url, text in links:
            if not is_pagination(text, pager):
                out.setdefault(url, text)
    return _document_order(doc, [(text, url) for url, text in out.items()])


def undated_items(
    source: Source,
    column_url: str,
    as_of: date,
    checklist: Checklist,
    *,
    template_links: set[str] | None = None,
) -> list[Item]:
    """A column page's list when it prints no dates: the story links under the column's path.

    Menu links, short labels, 更多 / pagination links and the column page itself are left out.
    With ``template_links`` (the links the homepage shows: menus, sidebars, footers shared by
    every page) story links anywhere on the site count, less those template links.
    """
    doc = document_of(source, column_url)
    root = doc.root if doc is not None else None
    if doc is None or root is None:
        return []
    prefix = "/" if template_links is not None else dirname(urlsplit(column_url).path).rstrip("/") + "/"
    skip = set(more_texts(checklist))
    pager = pagination_texts(checklist)
    own = {column_url, doc.url, link_url("./", doc.base)}
    if template_links is None:  # (with template links, the site's menus are already among them)
        own |= {u for _, u in nav_links(doc, column_url, as_of, checklist)}
    items: list[Item] = []
    for a in root.iter("a"):
        url = doc.link_url(a)
        text = anchor_text(a)
        if not url or url in own or len(text) < MIN_TITLE_LEN or text in skip or is_pagination(text, pager):
            continue
        if (template_links is None and prefix == "/") or (template_links is not None and url in template_links):
            continue
        if urlsplit(url).path.startswith(prefix) and site_key(url) == site_key(column_url):
            items.append(Item(title=text, url=url, date=None))
    return dedupe_items(items)


def _document_order(doc: Document, links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    order: dict[str, int] = {}
    root = doc.root
    for i, a in enumerate(root.iter("a") if root is not None else ()):
        url = doc.link_url(a)
        if url and url not in order:
            order[url] = i
    return sorted(links, key=lambda t: order.get(t[1], 0))


def has_empty_list(source: Source) -> bool:
    """Does the page hold an empty list: a list element without entries (``<ul></ul>``, only empty
    ``<li>``), or a table whose only row is its header (标题 | 发布日期, and nothing under it)?"""
    doc = document_of(source)
    root = doc.root if doc is not None else None
    if root is None:
        return False
    for el in root.iter(*EMPTY_LIST_TAGS):
        kids = children(el)
        if folded_text(el.text):
            continue
        if not kids or (el.tag != "tbody" and all(_shows_nothing(k) for k in kids)):
            return True
    for table in root.iter("table"):
        rows = list(table.iter("tr"))
        if len(rows) == 1 and len(children(rows[0])) >= 2 and all(c.tag == "th" for c in children(rows[0])):
            return True
    return False


def _shows_nothing(el: etree._Element) -> bool:
    return not element_text(el) and next(el.iter("a", "img", "input"), None) is None


def page_title(source: Source) -> str:
    """The page's <title> text (used as the breadcrumb text for classification)."""
    doc = document_of(source)
    root = doc.root if doc is not None else None
    if root is None:
        return ""
    title = root.find(".//title")
    return element_text(title) if title is not None else ""


def _under(url: str | None, prefix: str) -> bool:
    return bool(url) and urlsplit(url).path.startswith(prefix)  # type: ignore[arg-type]


def _main_items(blocks: list[Block], column_url: str) -> list[Item]:
    """The column's own list: the block whose items live under the column's path, else all."""
    prefix = dirname(urlsplit(column_url).path).rstrip("/") + "/"

    def score(b: Block) -> int:
        return sum(1 for i in b.items if _under(i.url, prefix))

    scored = [b for b in blocks if score(b) > 0]
    if scored and prefix != "/":
        return dedupe_items(max(scored, key=score).items)
    return dedupe_items([i for b in blocks for i in b.items])


@dataclass
class ColumnRead:
    """A column with what its page showed, and why it is blank (the placeholder or "empty list")."""

    column: Column
    blank_reason: str = ""


SCRIPT_LIST = texts.SCRIPT_LIST
MIN_STORIES = 2  # undated story links that make a column page with an empty <ul> not blank


def _template_links(crawl: CrawlResult) -> set[str]:
    """The links of the homepage: the site's menus, sidebars and footers that every page repeats."""
    home = crawl.page(crawl.homepage_url or crawl.start_url)
    if home is None:
        return set()
    return {link.url for link in (home.links or document(home).links)}


def _scripted(page: Page, items: list[Item], column_url: str, as_of: date) -> bool:
    """Does the column's static page wait for a script to fill its list (read it with a browser)?"""
    if page.source == "browser":
        return False
    prefix = dirname(urlsplit(column_url).path).rstrip("/") + "/"
    if prefix != "/" and any(i.date is not None and _under(i.url, prefix) for i in items):
        return False  # its own list is in the static page
    return column_list_scripted(document(page), as_of, has_dated_items=any(i.date is not None for i in items))


def read_column(
    name: str, url: str, source: str, crawl: CrawlResult, checklist: Checklist, as_of: date
) -> ColumnRead:
    """Build a :class:`Column` from its crawled page (error when not crawled or unreadable)."""
    page = find_page(crawl, url)
    exempt = any(k and k in name for k in checklist.columns.get("exempt_keywords", ()))
    if page is None or page.html is None:
        category = checklist.classify(name, urlsplit(url).path)
        reason = "not crawled" if page is None else (page.error or f"HTTP {page.status}")
        return ColumnRead(Column(name=name, url=url, category=category, source=source, exempt=exempt, error=reason))
    page_url = page.final_url or page.url
    category = checklist.classify(name, page_title(page), urlsplit(url).path)
    items = _main_items(extract_blocks(page, page_url, as_of, checklist), url) or undated_items(page, page_url, as_of, checklist)
    items = _follow_pages(items, page, page_url, crawl, checklist, as_of, category)
    dated = [i.date for i in items if i.date is not None]
    script_list = (page.status or 0) < 400 and _scripted(page, items, url, as_of)
    blank_reason = "" if items or script_list else (placeholder_in(page, checklist) or ("empty list" if has_empty_list(page) else ""))
    if blank_reason == "empty list":  # an empty <ul> somewhere (a sidebar) while stories are listed undated
        stories = undated_items(page, page_url, as_of, checklist, template_links=_template_links(crawl))
        if len(stories) >= MIN_STORIES:
            items, blank_reason = stories, ""
    column = Column(
        name=name,
        url=url,
        category=category,
        source=source,
        items=items,
        latest=max(dated) if dated else None,
        blank=bool(blank_reason),
        exempt=exempt,
        error=(page.error or f"HTTP {page.status}") if page.status is not None and page.status >= 400
        else (SCRIPT_LIST if script_list else None),
    )
    return ColumnRead(column, blank_reason)


def _follow_pages(
    items: list[Item], page: Page, page_url: str, crawl: CrawlResult, checklist: Checklist, as_of: date, category: str | None
) -> list[Item]:
    """Add the next pages' items while none is inside the category window (crawled pages only)."""
    window = checklist.window(category) if category else None
    if window is None or not items:
        return items
    start = as_of - timedelta(days=window)
    seen = {page_url, page.url}
    current = page
    for _ in range(MAX_NEXT_PAGES):
        if any(i.date is not None and i.date >= start for i in items):
            break
        nxt = next_page_url(current, current.final_url or current.url, checklist)
        nxt_page = find_page(crawl, nxt) if nxt and nxt not in seen else None
        if nxt_page is None or nxt_page.html is None:
            break
        seen.add(nxt)
        current = nxt_page
        url = nxt_page.final_url or nxt_page.url
        items = dedupe_items(items + _main_items(extract_blocks(nxt_page, url, as_of, checklist), page_url))
    return items
