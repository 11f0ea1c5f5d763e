"""Dated list blocks of a page, found by structure rather than by any CMS's class names.

A *list block* is a container whose children (the *entries*) each hold one title link
and, for most of them, a date: ``ul/ol > li``, ``table/tbody > tr``, ``dl > dt+dd``,
or any repeated sibling elements (``div``, ``p``, ``a``, inline runs split by ``<br>``).

- An entry's date is the first text segment outside its title link that is a date
  and little else (``2026-11-18``, ``[11-18]``, ``发布时间：2026-11-18 10:30``); failing
  that, a date ending the link text, then a day-precise date in the link's URL.
- A semantic list (``ul``, ``ol``, ``dl``, ``table``, ``tbody``) is a block with a
  single dated entry; other containers need at least two dated entries of the same
  tag. At least half of a block's entries must be dated, so menus (short undated
  links) never become blocks. Undated entries of a block are items dated ``None``.
- Blocks are found innermost first: an element holding a block is never an entry.
- A page that shows no date at all (e.g. www.gov.cn's homepage) is dated from its
  links' month-only URL segments (``/202309/content_1.htm`` -> the month's last
  day not after ``as_of``), with ``raw_date`` saying so.
- Items are counted once per page: deduplicated by URL (else by title), keeping a
  dated copy over an undated one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Iterator

import lxml.html
from lxml import etree

from inspector.core.checklist import Checklist, load_checklist
from inspector.core.extract.dates import (
    date_from_url,
    find_dates,
    month_end,
    month_from_url,
    normalize,
    usable,
)
from inspector.core.model import Item
from inspector.core.web.urls import resolve_link

SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select", "option", "textarea"})
SEMANTIC_LISTS = frozenset({"ul", "ol", "dl", "table", "tbody"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
MAX_ENTRY_LINKS = 3  # an entry has one title link, maybe a tag/attachment link or two
MAX_LABEL_LEN = 16  # a block heading / tab label is short
_DATE_RESIDUE = 6  # characters besides the date a date-only segment may hold ("发布时间：")
# Words beside a date that make it the page's clock (today's date, generation / update time,
# a lunar-calendar or weekday widget), never an item's publish date.
_PAGE_CLOCK = ("今天", "今日", "当前", "农历", "星期", "生成", "更新", "访问")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_PUNCT = re.compile(r"[\s\[\]()（）【】<>《》:：,，.。|/\\\-_~·'\"]+")
_WS = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
_TRAILING_BRACKETS = re.compile(r"[\s\[\]()（）【】\-—|]+$")
_BAD_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:")


@dataclass
class Block:
    """A dated list block of a page: its heading, its items and its 更多 (more) link."""

    heading: str
    items: list[Item] = field(default_factory=list)
    more_url: str | None = None


# --------------------------------------------------------------------------- helpers


def clean_text(text: str | None) -> str:
    """Whitespace-collapsed, NFKC-folded text without control characters."""
    return _WS.sub(" ", normalize(text or "")).strip()


_XML_ISLAND = re.compile(r"<script\b[^>]*\btype\s*=\s*[\"']?text/xml[^>]*>(.*?)</script\s*>", re.I | re.S)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)


def expand_xml_islands(text: str) -> str:
    """Markup shipped inside ``<script type="text/xml">`` CDATA records, made part of the page.

    Some CMSs (Hanweb JCMS's "jpage" lists) send a column's first list page as
    ``<script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]></record>…``
    and let a script paint it; the records are the list a browser shows.
    """

    def unwrap(m: re.Match[str]) -> str:
        records = _CDATA.findall(m.group(1))
        return "<div>" + "".join(records) + "</div>" if records else m.group(0)

    return _XML_ISLAND.sub(unwrap, text) if "CDATA" in text else text


def parse_html(html_or_tree: str | bytes | etree._Element | None) -> etree._Element | None:
    """An lxml root for HTML text (None for empty or unparsable input); trees pass through.

    XML islands holding list records (:func:`expand_xml_islands`) are parsed as markup.
    """
    if html_or_tree is None:
        return None
    if not isinstance(html_or_tree, (str, bytes)):
        return html_or_tree
    text = html_or_tree.decode("utf-8", "replace") if isinstance(html_or_tree, bytes) else html_or_tree
    text = expand_xml_islands(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def absolute_url(page_url: str, href: str | None) -> str | None:
    """``href`` resolved against the page exactly as the crawler keys pages (fragment removed);
    None for non-http(s) links."""
    href = clean_text(href)
    if not href or href.startswith("#") or href.lower().startswith(_BAD_SCHEMES):
        return None
    return resolve_link(href, page_url or "")


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if _tag(c) and _tag(c) not in SKIP_TAGS]


def element_text(el: etree._Element) -> str:
    """Visible text of an element (scripts and styles skipped), cleaned."""
    return clean_text(" ".join(_segments(el, with_tail=False)))


def _segments(el: etree._Element, with_tail: bool) -> Iterator[str]:
    """Text nodes of ``el`` (and its tail) in reading order, skipping scripts/styles."""
    if _tag(el) not in SKIP_TAGS:
        if el.text:
            yield el.text
        for child in el:
            yield from _segments(child, with_tail=True)
    if with_tail and el.tail:
        yield el.tail


def anchor_text(a: etree._Element) -> str:
    """A link's title: its text, else its title attribute, else an image's alt."""
    text = _CJK_GAP.sub("", element_text(a))
    title = clean_text(a.get("title"))
    if title and (not text or (text.endswith(("...", "…")) and len(title) > len(text))):
        return title
    if text:
        return text
    for img in a.iter("img"):
        alt = clean_text(img.get("alt"))
        if alt:
            return alt
    return ""


@lru_cache(maxsize=8)
def _default_checklist() -> Checklist:
    return load_checklist()


def more_texts(checklist: Checklist | None) -> tuple[str, ...]:
    """Link texts that lead from a block to its column (checklist ``columns.more_link_texts``)."""
    cl = checklist or _default_checklist()
    return tuple(clean_text(t) for t in cl.columns.get("more_link_texts", ()) if clean_text(t))


def is_more_link(text: str, texts: tuple[str, ...]) -> bool:
    """Is this link text a "more" link (更多, more, >>, 查看更多 ...)?"""
    t = clean_text(text).strip(" »>›")
    raw = clean_text(text)
    return bool(raw) and (raw in texts or t in texts or any(m in raw for m in texts if len(m) >= 2 and not m.isascii()))


# --------------------------------------------------------------------------- entries


@dataclass
class _Entry:
    title: str
    url: str | None
    date: date | None
    raw: str
    visible: bool  # the date is printed on the page (not taken from the URL)
    tag: str
    kind: str = ""  # tag and first class token: repeated entries of a list share it


def _date_only(segment: str, raw: str) -> bool:
    rest = _PUNCT.sub("", _TIME.sub("", segment.replace(raw, "", 1)))
    return len(rest) <= _DATE_RESIDUE and not any(w in rest for w in _PAGE_CLOCK)


def _strong_date(segment: str, as_of: date) -> tuple[date, str] | None:
    """The date a short segment consists of (e.g. ``[2026-11-18]``), or None."""
    seg = clean_text(segment)
    if not seg or len(seg) > 40:
        return None
    for d, raw in find_dates(seg, as_of):
        if _date_only(seg, raw) and usable(d, as_of):
            return d, raw
        return None
    return None


def _trailing_date(title: str, as_of: date) -> tuple[date, str, str] | None:
    """A date closing a link text (``标题 2026-11-18`` / ``标题(11-18)``): (date, raw, title)."""
    dates = find_dates(title, as_of)
    if not dates:
        return None
    d, raw = dates[-1]
    idx = title.rfind(raw)
    head, tail = title[:idx], title[idx + len(raw):]
    if _PUNCT.sub("", _TIME.sub("", tail)) or not usable(d, as_of):
        return None
    bracketed = head.rstrip().endswith(("(", "[", "（", "【"))
    full = bool(re.match(r"\d{4}", raw))
    if not (full or bracketed):
        return None
    return d, raw, _TRAILING_BRACKETS.sub("", head).strip()


def _unit_links(unit: list[etree._Element], page_url: str, mores: tuple[str, ...]) -> list[tuple[etree._Element, str, str]]:
    links: list[tuple[etree._Element, str, str]] = []
    for el in unit:
        anchors = [el] if _tag(el) == "a" else list(el.iter("a"))
        for a in anchors:
            url = absolute_url(page_url, a.get("href"))
            text = anchor_text(a)
            if url and text and not is_more_link(text, mores):
                links.append((a, url, text))
    return links


def _kind(el: etree._Element) -> str:
    classes = (el.get("class") or "").split()
    return f"{_tag(el)}.{classes[0]}" if classes else _tag(el)


def _analyze_unit(
    unit: list[etree._Element], page_url: str, as_of: date, mores: tuple[str, ...], month_dates: bool
) -> _Entry | None:
    """The entry a group of sibling elements forms, or None if it is not one."""
    entry = _unit_entry(unit, page_url, as_of, mores, month_dates)
    if entry is not None:
        entry.kind = _kind(unit[0])
    return entry


def _unit_entry(
    unit: list[etree._Element], page_url: str, as_of: date, mores: tuple[str, ...], month_dates: bool
) -> _Entry | None:
    links = _unit_links(unit, page_url, mores)
    if not links or len({u for _, u, _ in links}) > MAX_ENTRY_LINKS:
        return None
    title_a, url, title = max(links, key=lambda t: len(t[2]))
    inside = set(title_a.iter())
    found: tuple[date, str] | None = None
    for el in unit:
        for seg in _outside_segments(el, inside):
            found = _strong_date(seg, as_of)
            if found:
                break
        if found:
            break
    if found:
        return _Entry(title, url, found[0], found[1], True, _tag(unit[0]))
    for seg in _segments(title_a, with_tail=False):
        inner = _strong_date(seg, as_of)
        if inner and clean_text(seg) != title:
            return _Entry(clean_text(title.replace(clean_text(seg), "")) or title, url, inner[0], inner[1], True, _tag(unit[0]))
    trailing = _trailing_date(title, as_of)
    if trailing:
        return _Entry(trailing[2] or title, url, trailing[0], trailing[1], True, _tag(unit[0]))
    return _url_entry(title, url, as_of, month_dates, _tag(unit[0]))


def _url_entry(title: str, url: str, as_of: date, month_dates: bool, tag: str) -> _Entry:
    d = date_from_url(url, as_of)
    if d and usable(d, as_of):
        return _Entry(title, url, d, f"URL {d.isoformat()}", False, tag)
    if month_dates:
        ym = month_from_url(url, as_of)
        if ym and date(ym[0], ym[1], 1) <= as_of:
            return _Entry(title, url, month_end(ym[0], ym[1], as_of), f"URL {ym[0]:04d}-{ym[1]:02d}", False, tag)
    return _Entry(title, url, None, "", False, tag)


def _outside_segments(el: etree._Element, inside: set[etree._Element]) -> Iterator[str]:
    """Text segments of ``el`` (and its tail) that are not inside the title link."""
    if el in inside:
        if el.tail and el.getparent() not in inside:
            yield el.tail
        return
    if _tag(el) not in SKIP_TAGS:
        if el.text:
            yield el.text
        for child in el:
            yield from _outside_segments(child, inside)
    if el.tail:
        yield el.tail


def _units(container: etree._Element) -> list[list[etree._Element]]:
    """The candidate entries of a container: children, dt+dd pairs, or <br>-separated runs."""
    kids = _children(container)
    tags = [_tag(k) for k in kids]
    if _tag(container) == "dl" and tags.count("dt") >= 2 and abs(tags.count("dt") - tags.count("dd")) <= 1:
        units: list[list[etree._Element]] = []
        for k in kids:
            if _tag(k) == "dt" or not units:
                units.append([k])
            else:
                units[-1].append(k)
        return units
    if tags.count("br") >= 2 and tags.count("a") >= 2:
        runs: list[list[etree._Element]] = [[]]
        for k in kids:
            if _tag(k) == "br":
                runs.append([])
            else:
                runs[-1].append(k)
        return [r for r in runs if r]
    if _tag(container) == "table":
        return [[r] for k in kids if _tag(k) in ("tbody", "thead", "tfoot") for r in _children(k)] + [
            [k] for k in kids if _tag(k) == "tr"
        ]
    return [[k] for k in kids if _tag(k) != "br"]


# --------------------------------------------------------------------------- blocks


@dataclass
class _RawBlock:
    container: etree._Element
    entries: list[_Entry]


def _find_raw_blocks(root: etree._Element, page_url: str, as_of: date, mores: tuple[str, ...], month_dates: bool) -> list[_RawBlock]:
    blocks: list[_RawBlock] = []
    holds_block: set[etree._Element] = set()
    body = root.find(".//body")
    start = body if body is not None else root
    for container in _postorder(start):
        if _tag(container) in ("tbody", "thead") and container.getparent() is not None and _tag(container.getparent()) == "table":
            continue  # the table evaluates its rows
        entries: list[_Entry] = []
        for unit in _units(container):
            if any(el in holds_block for el in unit):
                continue
            entry = _analyze_unit(unit, page_url, as_of, mores, month_dates)
            if entry:
                entries.append(entry)
        block_entries = _block_entries(container, entries, month_dates)
        if block_entries:
            blocks.append(_RawBlock(container, block_entries))
            el: etree._Element | None = container
            while el is not None:
                holds_block.add(el)
                el = el.getparent()
    blocks.sort(key=lambda b: _doc_index(b.container))
    return blocks


def _doc_index(el: etree._Element) -> int:
    return el.sourceline or 0


def _postorder(el: etree._Element) -> Iterator[etree._Element]:
    for child in _children(el):
        yield from _postorder(child)
    yield el


def _block_entries(container: etree._Element, entries: list[_Entry], url_dated: bool) -> list[_Entry]:
    """The entries that make ``container`` a dated list block (empty if it is not one).

    ``url_dated`` False: only printed dates make a block (URL dates then only fill
    in entries of a block); True (a page printing no date): URL dates do too.
    """
    dated = [e for e in entries if e.date is not None and (url_dated or e.visible)]
    if not dated:
        return []
    # entries of a semantic list share their tag; elsewhere (div > div, body > div) they also
    # share their first class, so unlike boxes (a header bar and a footer) never make a list
    semantic = _tag(container) in SEMANTIC_LISTS
    key = (lambda e: e.tag) if semantic else (lambda e: e.kind)
    counts: dict[str, int] = {}
    for e in dated:
        counts[key(e)] = counts.get(key(e), 0) + 1
    kind = max(counts, key=lambda t: counts[t])
    same = [e for e in entries if key(e) == kind]
    n_dated = sum(1 for e in same if e.date is not None)
    # a semantic list, or a wrapper holding nothing but its entries, may list a single story;
    # elsewhere a lone dated element (a featured headline beside a list) is not a list
    single_ok = semantic or _list_wrapper(container)
    if counts[kind] < (1 if single_ok else 2) or 2 * n_dated < len(same):
        return []
    return same


def _list_wrapper(container: etree._Element) -> bool:
    """A wrapper holding one entry and nothing else, itself neither repeated nor a lone child.

    (``div.list > div.item`` with one story qualifies; ``div.item > div.title > a`` does not.)
    """
    parent = container.getparent()
    return (
        len(_children(container)) == 1
        and len(_peers(container)) == 1
        and parent is not None
        and len(_children(parent)) > 1
    )


def _label_texts(el: etree._Element, mores: tuple[str, ...]) -> list[str]:
    """Short label texts (headings, tab links, short text) an element offers as a heading."""
    if _tag(el) in HEADING_TAGS:
        text = element_text(el)
        return [text] if 0 < len(text) <= MAX_LABEL_LEN else []
    labels: list[str] = []
    for a in el.iter("a"):
        text = anchor_text(a)
        if text and len(text) <= MAX_LABEL_LEN and not is_more_link(text, mores):
            labels.append(text)
    if labels:
        return labels
    for h in el.iter(*HEADING_TAGS):
        text = element_text(h)
        if 0 < len(text) <= MAX_LABEL_LEN:
            return [text]
    tabs = [t for t in (element_text(c) for c in _children(el)) if not is_more_link(t, mores)]
    if len(tabs) >= 2 and all(0 < len(t) <= MAX_LABEL_LEN for t in tabs):
        return tabs  # a tab strip of plain labels (<li>要闻</li><li>公告</li>)
    more_anchors = {a for a in el.iter("a") if is_more_link(anchor_text(a), mores)}
    text = clean_text(" ".join(_outside_segments(el, {d for a in more_anchors for d in a.iter()})))
    return [text] if 0 < len(text) <= MAX_LABEL_LEN and not is_more_link(text, mores) else []


def _peers(el: etree._Element, blocks: list[etree._Element] | None = None) -> list[etree._Element]:
    """``el`` and its siblings of the same tag and first class (tab panes, repeated boxes).

    With ``blocks`` (the page's block containers), only siblings holding a block count: a
    heading table before a list table is not a pane.
    """
    parent = el.getparent()
    if parent is None:
        return [el]
    peers = [c for c in _children(parent) if _kind(c) == _kind(el)]
    if blocks is None:
        return peers
    return [c for c in peers if c is el or any(b is c or c in b.iterancestors() for b in blocks)]


def _heading_and_more(
    container: etree._Element, page_url: str, as_of: date, mores: tuple[str, ...], others: list[etree._Element], levels: int = 5
) -> tuple[str, str | None]:
    """Nearest preceding heading/tab label, and the nearest 更多 link, walking up a few levels.

    With tabbed boxes (N labels before N panes), the pane's own label and more link win.
    The walk stops at an ancestor that also holds another block (outside the tab panes).
    """
    heading = _own_heading(container)
    more: str | None = None
    index, panes = 0, 1
    pane_set: list[etree._Element] = [container]
    el = container
    for _ in range(levels):
        if el.getparent() is None or (el is not container and _holds_other(el, others, pane_set)):
            break
        peers = _peers(el, [container, *others])
        if panes == 1 and len(peers) > 1:
            index, panes, pane_set = peers.index(el), len(peers), peers
        if more is None:
            more = _more_link(el, page_url, mores, index, panes)
        if not heading:
            heading, prev_more = _preceding_label(peers[0], page_url, as_of, mores, index, panes)
            more = more or prev_more
        if heading and more:
            break
        el = el.getparent()
    return heading, more


def _own_heading(container: etree._Element) -> str:
    """A heading element (h1-h6) that is a direct child of the block container."""
    for child in _children(container):
        if _tag(child) in HEADING_TAGS:
            text = element_text(child)
            if 0 < len(text) <= MAX_LABEL_LEN:
                return text
    return ""


def _holds_other(el: etree._Element, others: list[etree._Element], panes: list[etree._Element]) -> bool:
    """Does ``el`` contain another block that is not inside one of our tab panes?"""
    inside = set(el.iter())
    for other in others:
        if other in inside and not any(other is p or p in set(other.iterancestors()) for p in panes):
            return True
    return False


def _preceding_label(
    first: etree._Element, page_url: str, as_of: date, mores: tuple[str, ...], index: int, panes: int
) -> tuple[str, str | None]:
    """The label of the nearest preceding sibling that prints no date (a menu ends the search)."""
    for prev in _preceding(first):
        if not _date_only_free(prev, as_of):
            continue
        labels = _label_texts(prev, mores)
        if not labels:
            continue
        if len(labels) == panes:
            return labels[index], _more_link(prev, page_url, mores, index, panes)
        if len(labels) == 1:
            return labels[0], _more_link(prev, page_url, mores, 0, 1)
        break
    return "", None


def _date_only_free(el: etree._Element, as_of: date) -> bool:
    """Does ``el`` print no date (a heading does not; a featured story does)?"""
    return not any(_strong_date(seg, as_of) for seg in _segments(el, with_tail=False))


def _preceding(el: etree._Element) -> Iterator[etree._Element]:
    prev = el.getprevious()
    while prev is not None:
        if _tag(prev) and _tag(prev) not in SKIP_TAGS and _tag(prev) != "br":
            yield prev
        prev = prev.getprevious()


def _more_link(el: etree._Element, page_url: str, mores: tuple[str, ...], index: int, panes: int) -> str | None:
    """A 更多 link inside ``el``; with several (one per tab pane), the pane's own."""
    found: list[str] = []
    for a in el.iter("a"):
        text = anchor_text(a) if len(a) else clean_text(a.text)
        if len(text) > MAX_LABEL_LEN:
            continue
        parent = a.getparent()
        marker = " ".join((a.get("class") or "", (parent.get("class") or "") if parent is not None else "")).lower()
        if is_more_link(text, mores) or (not text and "more" in marker):
            url = absolute_url(page_url, a.get("href"))
            if url:
                found.append(url)
    if not found:
        return None
    return found[index] if len(found) == panes and index < len(found) else found[0]


def _to_item(entry: _Entry) -> Item:
    return Item(title=entry.title, url=entry.url, date=entry.date, raw_date=entry.raw)


def _has_visible_dates(blocks: list[_RawBlock]) -> bool:
    return any(e.visible and e.date is not None for b in blocks for e in b.entries)


def extract_blocks(
    html_or_tree: str | bytes | etree._Element | None,
    page_url: str,
    as_of: date,
    checklist: Checklist | None = None,
) -> list[Block]:
    """The dated list blocks of a page, in document order, with heading and 更多 link."""
    root = parse_html(html_or_tree)
    if root is None:
        return []
    mores = more_texts(checklist)
    raw = _find_raw_blocks(root, page_url, as_of, mores, month_dates=False)
    if not _has_visible_dates(raw):
        raw = _find_raw_blocks(root, page_url, as_of, mores, month_dates=True)
    blocks: list[Block] = []
    containers = [rb.container for rb in raw]
    for rb in raw:
        others = [c for c in containers if c is not rb.container]
        heading, more = _heading_and_more(rb.container, page_url, as_of, mores, others)
        blocks.append(Block(heading=heading, items=[_to_item(e) for e in rb.entries], more_url=more))
    return blocks


def dedupe_items(items: list[Item]) -> list[Item]:
    """Items counted once: by URL (else title); a dated copy replaces an undated one."""
    out: dict[str, Item] = {}
    for item in items:
        key = item.url or f"title:{item.title}"
        kept = out.get(key)
        if kept is None or (kept.date is None and item.date is not None):
            out[key] = item
    return list(out.values())


def extract_items(
    html_or_tree: str | bytes | etree._Element | None,
    page_url: str,
    as_of: date,
    checklist: Checklist | None = None,
) -> list[Item]:
    """Every list item of a page (dated or not), each story once."""
    return dedupe_items([i for b in extract_blocks(html_or_tree, page_url, as_of, checklist) for i in b.items])


# --------------------------------------------------------------------------- pages


_META_DATE_NAMES = ("pubdate", "publishdate", "publishtime", "firstpublishedtime", "article:published_time")


def _label_pattern(label: str) -> re.Pattern[str]:
    chars = [re.escape(c) for c in clean_text(label) if not c.isspace()]
    return re.compile(r"\s*".join(chars) + r"\s*[:：]?\s*")


def _body_text(root: etree._Element) -> str:
    body = root.find(".//body")
    return clean_text(" ".join(_segments(body if body is not None else root, with_tail=False)))


def detail_date(html: str | None, url: str, checklist: Checklist, as_of: date) -> date | None:
    """A detail page's publish date: after a label (发布时间 / 发 布 日 期 ...), else meta, else URL."""
    root = parse_html(html)
    if root is not None:
        text = _body_text(root)
        for label in checklist.columns.get("date_labels", ()):
            for m in _label_pattern(label).finditer(text):
                dates = find_dates(text[m.end(): m.end() + 40], as_of)
                if dates and text[m.end(): m.end() + 40].startswith(dates[0][1]) and usable(dates[0][0], as_of):
                    return dates[0][0]
        for meta in root.iter("meta"):
            name = (meta.get("name") or meta.get("property") or "").lower()
            if name in _META_DATE_NAMES:
                dates = find_dates(meta.get("content") or "", as_of)
                if dates and usable(dates[0][0], as_of):
                    return dates[0][0]
    d = date_from_url(url, as_of)
    return d if usable(d, as_of) else None


def placeholder_in(html_or_tree: str | etree._Element | None, checklist: Checklist) -> str | None:
    """The blank-column placeholder (暂无信息, 正在建设中 ...) the page shows outside links, if any."""
    root = parse_html(html_or_tree)
    if root is None:
        return None
    body = root.find(".//body")
    texts = [clean_text(s) for s in _outside_segments(body if body is not None else root, set(root.iter("a")))]
    joined = " ".join(t for t in texts if t)
    for ph in checklist.columns.get("blank_placeholders", ()):
        if ph and ph in joined:
            return ph
    return None


def blank_page(html: str | None, checklist: Checklist, as_of: date | None = None) -> bool:
    """Does the page's list show nothing but a placeholder (暂无信息 ...)?

    True when the page has no list item at all and shows one of the checklist's
    ``blank_placeholders`` (outside links, so a nav link named 建设中 does not count).
    """
    ref = as_of or date.today()
    return not extract_items(html, "http://placeholder.invalid/", ref, checklist) and placeholder_in(html, checklist) is not None


_PAGER_CALL = re.compile(
    r"createPageHTML\s*\(\s*([\w.]+)\s*,\s*([\w.]+)\s*,\s*[\"']([^\"']*)[\"']\s*,\s*[\"']([^\"']*)[\"']"
)


def _script_number(token: str, code: str) -> int | None:
    """A pager argument: a number, or a ``var name = N`` the script sets."""
    if token.isdigit():
        return int(token)
    m = re.search(r"\b" + re.escape(token) + r"\s*=\s*(\d+)", code)
    return int(m.group(1)) if m else None


def scripted_next_page(root: etree._Element, page_url: str) -> str | None:
    """The next page a TRS-style pager script would link: ``createPageHTML(count, current, "index", "html")``.

    Page 0 is ``index.html``, page *n* ``index_n.html``, next to the current page; None on the last page.
    """
    for script in root.iter("script"):
        code = script.text or ""
        m = _PAGER_CALL.search(code)
        if not m:
            continue
        count, current = _script_number(m.group(1), code), _script_number(m.group(2), code)
        if count is None or current is None or current + 1 >= count:
            return None
        return absolute_url(page_url, f"{m.group(3)}_{current + 1}.{m.group(4)}")
    return None


def next_page_url(html: str | None, page_url: str, checklist: Checklist) -> str | None:
    """The URL of a list's next page (a link whose text is 下一页 / next / > ..., else the one a
    pager script builds), or None."""
    root = parse_html(html)
    if root is None:
        return None
    texts = {clean_text(t) for t in checklist.columns.get("next_page_texts", ()) if clean_text(t)}
    for a in root.iter("a"):
        label = anchor_text(a)
        if label in texts or clean_text(a.get("title")) in texts:
            url = absolute_url(page_url, a.get("href"))
            if url and url != absolute_url(page_url, page_url):
                return url
    return scripted_next_page(root, page_url)
