"""Columns (栏目) of a site: discovered from navigation menus and 更多 links, read from their pages.

A *navigation block* is a container of at least ``MIN_NAV_LINKS`` sibling entries that
each hold one short link and no date (header menus, side menus, tab strips). Each
same-site link of such a block that is not an article (no date in its URL) is a
candidate column; so is every homepage block's 更多 link, named by the block heading.
A column's items come from its own page in the crawl (the block whose links live
under the column's path, else every block of the page but the sidebars), following
the list's next pages only when the first page has nothing inside the category's
window and only through pages the crawler fetched.

Sidebars (最新信息, 热点信息, 相关链接 ...) show other columns' stories. Two kinds are left
out (:func:`own_list`): a *foreign* block beside a list that shows nothing — the page
shows a blank marker (a 暂无信息 placeholder, an empty list container) in a region of
its own, the block's stories all live outside the column's path, and nothing says the
block's region is the page's main one rather than the marker's (:func:`foreign_blocks`);
and a labelled *side* block when another region shows more signs of being the main one
(a breadcrumb, the column's name as a label, a pager: :func:`side_blocks`). A column page
whose own list is empty is then blank however many dated stories its sidebars show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from posixpath import dirname
from urllib.parse import urlsplit

from lxml import etree

from inspector.core.checklist import Checklist
from inspector.core.extract.dates import date_from_url, month_from_url
from inspector.core.extract.lists import (
    HEADING_TAGS,
    MAX_LABEL_LEN,
    SKIP_TAGS,
    Block,
    Source,
    anchor_text,
    breadcrumb_anchors,
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
    tag_of,
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
    return root is not None and next(_empty_lists(root), None) is not None


def _empty_lists(root: etree._Element) -> Iterator[etree._Element]:
    """The page's empty lists (see :func:`has_empty_list`), in document order, then header-only tables."""
    for el in root.iter(*EMPTY_LIST_TAGS):
        kids = children(el)
        if folded_text(el.text):
            continue
        if not kids or (el.tag != "tbody" and all(_shows_nothing(k) for k in kids)):
            yield el
    for table in root.iter("table"):
        rows = list(table.iter("tr"))
        if len(rows) == 1 and len(children(rows[0])) >= 2 and all(c.tag == "th" for c in children(rows[0])):
            yield table


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
        best = max(scored, key=score)  # and every other block made only of the column's stories (a list in chunks, by year)
        return dedupe_items([i for b in scored if b is best or score(b) == len(b.items) for i in b.items])
    return dedupe_items([i for b in blocks for i in b.items])


def own_list(
    source: Source, page_url: str, column_url: str, name: str, checklist: Checklist, as_of: date
) -> tuple[list[Item], set[str]]:
    """A column page's own dated list, and the URLs of the other columns' stories its sidebars show.

    The block whose stories live under the column's path; else the blocks less the foreign ones
    (sidebars beside a list that shows nothing, :func:`foreign_blocks`) and, when the page tells its
    main region from its sidebars, less the side ones (:func:`side_blocks`).
    """
    blocks = extract_blocks(source, page_url, as_of, checklist)
    prefix = dirname(urlsplit(column_url).path).rstrip("/") + "/"
    if prefix != "/" and any(_under(i.url, prefix) for b in blocks for i in b.items):
        return _main_items(blocks, column_url), set()
    dropped = set(foreign_blocks(blocks, source, column_url, checklist, name, page_url))
    rest = [k for k in range(len(blocks)) if k not in dropped]
    dropped |= {rest[k] for k in side_blocks([blocks[k] for k in rest], source, checklist, name, page_url)}
    own = [b for k, b in enumerate(blocks) if k not in dropped]
    sidebar = {i.url for k in dropped for i in blocks[k].items if i.url}
    return _main_items(own, column_url), sidebar


# --------------------------------------------------------------------------- sidebars beside an empty list

MAX_PLACEHOLDER_TEXT = 30  # a placeholder is a short line (暂无信息), not a sentence of an article
MENU_TAGS = frozenset({"li", "dd", "dt", "nav", "header", "footer"})  # an empty list inside these is a menu's
_LOCATION_LABEL = re.compile(r"位置\s*[:：]")
_RECORD_COUNT = re.compile(r"共\s*\d+\s*(?:条|页|篇|项|个)")
_PAGER_SCRIPT = re.compile(r"createPageHTML|pageHTML|pagination|pager", re.IGNORECASE)
_LIST_TAGS = frozenset({"ul", "ol", "dl", "table", "tbody"})


@dataclass
class _Marker:
    """Where a page shows that a list is empty: a placeholder line, or an empty list container."""

    el: etree._Element
    placeholder: bool  # a placeholder text (暂无信息 ...)
    strong: bool  # a placeholder with an empty list container beside it, or a list whose only entry it is


def _free_texts(el: etree._Element, in_link: bool = False) -> Iterator[tuple[etree._Element, str]]:
    """``(owner, text)`` of the visible text nodes outside links under ``el`` (a tail belongs to the parent)."""
    tag = tag_of(el)
    if not tag or tag in SKIP_TAGS:
        return
    in_link = in_link or tag == "a"
    if el.text and not in_link and folded_text(el.text):
        yield el, folded_text(el.text)
    for child in el:
        yield from _free_texts(child, in_link)
        if child.tail and not in_link and folded_text(child.tail):
            yield el, folded_text(child.tail)


def _blank_markers(root: etree._Element, checklist: Checklist) -> list[_Marker]:
    body = root.find(".//body")
    start = body if body is not None else root
    empties = [e for e in _empty_lists(start) if not any(tag_of(a) in MENU_TAGS for a in e.iterancestors())]
    holders = {e.getparent() for e in empties}
    placeholders = [folded_text(t) for t in checklist.columns.get("blank_placeholders", ()) if folded_text(t)]
    markers: list[_Marker] = []
    for owner, text in _free_texts(start):
        if len(text) > MAX_PLACEHOLDER_TEXT or not any(ph in text for ph in placeholders):
            continue
        el, strong = owner, owner in holders or owner.getparent() in holders
        parent = owner.getparent()
        if parent is not None and tag_of(parent) in _LIST_TAGS and sum(1 for k in children(parent) if not _shows_nothing(k)) == 1:
            el, strong = parent, True  # <ul><li>暂无信息</li></ul>: the list shows only its placeholder
        markers.append(_Marker(el, True, strong))
    markers += [_Marker(e, False, False) for e in empties]
    return markers


def _path_to(el: etree._Element) -> list[etree._Element]:
    return [*reversed(list(el.iterancestors())), el]


def _common(elements: list[etree._Element]) -> tuple[etree._Element, list[etree._Element]]:
    """The lowest common ancestor of ``elements`` and, for each, its branch (the LCA's child above it, or the LCA)."""
    paths = [_path_to(e) for e in elements]
    depth = 0
    while all(len(p) > depth + 1 for p in paths) and all(p[depth + 1] is paths[0][depth + 1] for p in paths):
        depth += 1
    return paths[0][depth], [p[depth + 1] if len(p) > depth + 1 else p[depth] for p in paths]


def _same_box(a: etree._Element, b: etree._Element) -> bool:
    """Repeated boxes of one kind (same tag and class: the panes of a portal page), not main and side."""
    return tag_of(a) == tag_of(b) and bool(a.get("class")) and a.get("class") == b.get("class")


class _Regions:
    """What tells the page's main region from a sidebar: the breadcrumb, the column's name as a label, a pager."""

    def __init__(self, root: etree._Element, name: str, checklist: Checklist) -> None:
        self.crumbs = breadcrumb_anchors(root)
        self.name = folded_text(name)
        self.pager = pagination_texts(checklist)
        self.cache: dict[etree._Element, int] = {}

    def headings(self, el: etree._Element) -> list[str]:
        return [t for h in el.iter(*HEADING_TAGS) if 0 < len(t := element_text(h)) <= MAX_LABEL_LEN]

    def names_column(self, label: str) -> bool:
        return bool(self.name) and bool(label) and (label in self.name or self.name in label)

    def signs(self, el: etree._Element) -> int:
        """How many signs of the main region ``el`` holds (0-3)."""
        if el not in self.cache:
            texts = [t for _, t in _free_texts(el)]
            crumb = any(a in self.crumbs for a in el.iter("a")) or any(_LOCATION_LABEL.search(t) for t in texts)
            label = bool(self.name) and (self.name in texts or self.name in self.headings(el))
            pager = (
                sum(1 for a in el.iter("a") if is_pagination(anchor_text(a), self.pager)) >= 2
                or any(_RECORD_COUNT.search(t) for t in texts)
                or any(_PAGER_SCRIPT.search(sc.text or "") for sc in el.iter("script"))
            )
            self.cache[el] = int(crumb) + int(label) + int(pager)
        return self.cache[el]

    def other_box(self, el: etree._Element) -> bool:
        """Is ``el`` a box of its own heading (人事信息 on a 政务公开 page), not the column's list?"""
        heads = self.headings(el)
        return bool(self.name) and bool(heads) and not any(self.names_column(h) for h in heads)


def foreign_blocks(
    blocks: list[Block], source: Source, column_url: str | None, checklist: Checklist, name: str = "", page_url: str = ""
) -> list[int]:
    """Indices of the blocks that are not the column's list: sidebars beside a list that shows nothing.

    A block is foreign when the page shows a blank marker (a placeholder line such as 暂无信息, or an
    empty list container outside menus) that is not inside the block, and

    - every story of the block links outside the column's path (a column's own stories may live
      elsewhere, /art/2026/... or /xxgk/..., so this alone says nothing);
    - the marker and the block sit in different regions (the two branches under their lowest common
      ancestor), and those are not repeated boxes of one kind nor is the marker's region a box headed
      by another name (the empty box of a portal-like column page is a sub-column's, not the column's);
    - the block's region shows no more signs of being the page's main region (a breadcrumb, the
      column's name as a label, a pager) than the marker's region;
    - the marker is strong (a placeholder beside an empty list container, or a list whose only entry
      is the placeholder), or else the marker's region is the more main one, or the block is a
      headed box (最新信息, 热点信息 ...) whose stories all live in other columns' paths.

    Without the column's path (``column_url`` None or at the site root) only the marker's side of this
    can be judged: a strong marker, or a marker's region more main than the block's.
    """
    doc = document_of(source, page_url or column_url or "")
    root = doc.root if doc is not None else None
    if doc is None or root is None or not blocks:
        return []
    markers = _blank_markers(root, checklist)
    if not markers:
        return []
    prefix = dirname(urlsplit(column_url).path).rstrip("/") + "/" if column_url else "/"
    anchors = _anchors(doc, root)
    others = _other_column_dirs(list(anchors), column_url, prefix)
    regions = _Regions(root, name, checklist)
    out: list[int] = []
    for index, block in enumerate(blocks):
        urls = [i.url for i in block.items]
        if not urls or any(u is None for u in urls) or (prefix != "/" and any(_under(u, prefix) for u in urls)):
            continue
        links = [a for u in urls for a in anchors.get(u, ())]  # type: ignore[arg-type]
        if not links:
            continue
        elsewhere = prefix != "/" and all(any(_under(u, d) for d in others) for u in urls)
        sidebar = bool(block.heading) and not regions.names_column(block.heading) and elsewhere
        if any(_beside(m, links, regions, prefix != "/", sidebar) for m in markers):
            out.append(index)
    return out


def _anchors(doc: Document, root: etree._Element) -> dict[str, list[etree._Element]]:
    """The page's link elements by URL."""
    out: dict[str, list[etree._Element]] = {}
    for a in root.iter("a"):
        url = doc.link_url(a)
        if url:
            out.setdefault(url, []).append(a)
    return out


def side_blocks(blocks: list[Block], source: Source, checklist: Checklist, name: str = "", page_url: str = "") -> list[int]:
    """Indices of the blocks outside the page's main region, when the page tells it.

    Each block's region is the largest element around its stories that holds no other block's
    story. The main region shows the breadcrumb, the column's name as a label or a pager (共N条,
    首页 … 尾页, a pager script); sidebars (最新信息, 热点信息 ...) show none. When some regions show
    more of these signs than others, the labelled boxes (a heading that is not the column's name) of
    the others are side blocks, unless they are boxes of the main region's kind (same tag and class:
    a list cut in chunks); when no region shows a sign (a homepage-like column page of boxes), no
    block is.
    """
    doc = document_of(source, page_url)
    root = doc.root if doc is not None else None
    if doc is None or root is None or len(blocks) < 2:
        return []
    anchors = _anchors(doc, root)
    links = [[a for i in b.items if i.url for a in anchors.get(i.url, ())] for b in blocks]
    if not all(links):
        return []  # a block without links (a message list of text rows) cannot be placed
    owners = [{x for a in ls for x in a.iterancestors()} | set(ls) for ls in links]  # (elements, not ids: lxml proxies)
    regions = _Regions(root, name, checklist)
    signs: list[int] = []
    boxes: list[etree._Element] = []
    for k, ls in enumerate(links):
        blocked: set[etree._Element] = set().union(*(o for j, o in enumerate(owners) if j != k))
        el, _ = _common(ls) if len(ls) > 1 else (ls[0], [])
        if el in blocked:
            return []  # the block's stories are also another block's (one list read twice)
        while (up := el.getparent()) is not None and tag_of(up) not in ("body", "html") and up not in blocked:
            el = up
        boxes.append(el)
        signs.append(regions.signs(el))
    top = max(signs)
    if top == 0:
        return []
    main = [boxes[k] for k, n in enumerate(signs) if n == top]
    return [
        k for k, n in enumerate(signs)
        if n < top  # a sidebar is a labelled box (最新信息), not a chunk of the list nor a box like the main one
        and blocks[k].heading and not regions.names_column(blocks[k].heading)
        and not any(_same_box(boxes[k], m) for m in main)
    ]


def _beside(marker: _Marker, links: list[etree._Element], regions: _Regions, has_path: bool, sidebar: bool) -> bool:
    """Is the block of ``links`` a region apart from ``marker``'s, and no more the main one (see foreign_blocks)?"""
    common, branches = _common([marker.el, *links])
    side, block_sides = branches[0], set(branches[1:])
    if common is marker.el or side is common or side in block_sides:
        return False  # the marker holds the block, or shares a region with one of its stories
    if any(_same_box(side, b) for b in block_sides) or regions.other_box(side):
        return False
    main, other = regions.signs(side), max(regions.signs(b) for b in block_sides)
    if other > main:
        return False
    if not has_path:
        return marker.strong or main > other
    return marker.strong or main > other or sidebar


def _other_column_dirs(urls: list[str], column_url: str | None, prefix: str) -> list[str]:
    """Path directories of the page's links to other columns (no article date, no file), not the column's own."""
    if not column_url or prefix == "/":
        return []
    dirs: set[str] = set()
    for url in urls:
        if not same_site(url, column_url) or looks_like_file(url) or date_from_url(url) is not None or month_from_url(url) is not None:
            continue
        d = dirname(urlsplit(url).path).rstrip("/") + "/"
        if d != "/" and not prefix.startswith(d) and not d.startswith(prefix):
            dirs.add(d)
    return sorted(dirs)


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


def _frames(page: Page, page_url: str, crawl: CrawlResult) -> list[Page]:
    """The readable same-site pages a column page shows in its iframes (crawled ones only)."""
    frames: list[Page] = []
    for link in page.links or document(page).links:
        if link.tag != "iframe" or not same_site(link.url, page_url) or not crawl.in_scope(link.url):
            continue
        frame = find_page(crawl, link.url)
        if frame is not None and frame is not page and frame.html and (frame.status or 0) < 400 and all(f is not frame for f in frames):
            frames.append(frame)
    return frames


def _scripted(page: Page, items: list[Item], column_url: str, as_of: date) -> bool:
    """Does the column's static page wait for a script to fill its list (read it with a browser)?"""
    if page.source == "browser":
        return False
    prefix = dirname(urlsplit(column_url).path).rstrip("/") + "/"
    if prefix != "/" and any(i.date is not None and _under(i.url, prefix) for i in items):
        return False  # its own list is in the static page
    return column_list_scripted(document(page), as_of, has_dated_items=any(i.date is not None for i in items))


def sub_columns(page: Page, page_url: str, column_url: str, crawl: CrawlResult, checklist: Checklist,
                as_of: date) -> list[tuple[str, str]]:
    """``(name, url)`` of a column page's sub-columns: the links of its menus (:func:`nav_links`) to crawled, readable
    pages in directories below the column's own (二级/三级栏目 of a 一级栏目, the categories of a 信息公开 目录);
    a page in the column's own directory (a guide, an article of an undated list) is none."""
    prefix = dirname(urlsplit(column_url).path).rstrip("/") + "/"
    if prefix == "/":
        return []
    own = {column_url.rstrip("/"), page_url.rstrip("/")}
    out: list[tuple[str, str]] = []
    for name, sub in nav_links(page, page_url, as_of, checklist):
        if sub.rstrip("/") in own or not same_site(sub, column_url) or not is_column_url(sub, column_url, as_of):
            continue
        where = dirname(urlsplit(sub).path).rstrip("/") + "/"
        if where == prefix or not where.startswith(prefix):
            continue  # a page beside the column's (a guide, an article) is no sub-column: a sub-column is a directory below
        found = find_page(crawl, sub) if crawl.in_scope(sub) else None
        if found is not None and found.html and (found.status or 0) < 400 and found is not page:
            out.append((name, sub))
    return out


def _sub_column_items(page: Page, page_url: str, column_url: str, crawl: CrawlResult, checklist: Checklist,
                      as_of: date) -> list[Item]:
    """The dated items of a column page that lists no story of its own but its sub-columns (a page of sub-column
    names, 发展规划 / 年度计划 / 工作总结): the column is as current as its sub-columns' lists."""
    items: list[Item] = []
    for name, sub in sub_columns(page, page_url, column_url, crawl, checklist, as_of):
        found = find_page(crawl, sub)
        if found is not None:
            items += own_list(found, found.final_url or found.url, sub, name, checklist, as_of)[0]
    return dedupe_items(items)


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
    items, sidebar = own_list(page, page_url, url, name, checklist, as_of)  # (sidebar: other columns' stories)
    frames = _frames(page, page_url, crawl)
    for frame in frames if not items else ():  # the list shown in a frame of the column page (集约化 list iframes)
        frame_items, frame_sidebar = own_list(frame, frame.final_url or frame.url, url, name, checklist, as_of)
        items, sidebar = dedupe_items(items + frame_items), sidebar | frame_sidebar
    if not items and not placeholder_in(page, checklist):
        items = _sub_column_items(page, page_url, url, crawl, checklist, as_of)
    items = items or [i for i in undated_items(page, page_url, as_of, checklist) if i.url not in sidebar]
    items = _follow_pages(items, page, page_url, crawl, checklist, as_of, category, name)
    dated = [i.date for i in items if i.date is not None]
    script_list = (page.status or 0) < 400 and _scripted(page, items, url, as_of)
    blank_reason = "" if items or script_list else (
        next((p for view in (page, *frames) if (p := placeholder_in(view, checklist))), None)
        or ("empty list" if has_empty_list(page) else "")
    )
    if blank_reason == "empty list":  # an empty <ul> somewhere (a sidebar) while stories are listed undated
        stories = undated_items(page, page_url, as_of, checklist, template_links=_template_links(crawl) | sidebar)
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
    items: list[Item], page: Page, page_url: str, crawl: CrawlResult, checklist: Checklist, as_of: date, category: str | None,
    name: str = "",
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
        items = dedupe_items(items + own_list(nxt_page, url, page_url, name, checklist, as_of)[0])
    return items
