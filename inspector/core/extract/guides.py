"""Service guides (办事指南): which of the key elements a guide shows, and which are missing or empty.

A guide is a page reached from a service column's list, or any crawled page whose title or
heading holds a guide keyword, that shows at least ``min_labels`` of the element labels. Each
element (``params.elements``: ``[canonical name, label synonyms...]``) is present when one of its
labels has a non-empty value anywhere the guide shows fields (tables, definition lists, headed
sections, ``label：value`` text; see :func:`inspector.core.extract.messages.read_fields`). A value
that is empty, punctuation only, or one of ``params.empty_values`` (also with punctuation around
it, or as ``暂无相关信息``/``暂无数据``) counts as missing; an image alone (a flowchart) is a value.

Fields are read from the guide's own region only (:func:`guide_region`): the page's header,
navigation and footer (``<header>``/``<nav>``/``<footer>`` and their ARIA roles, and the block
after the guide that holds the site's 主办单位/网站标识码/ICP备/版权所有 lines) are left out, so
the site's 联系电话 in the footer is never the guide's, and an empty last section stays empty.
In that region a few layouts are made readable as fields first: a cell spanning rows shows in each
row it covers, a table of several header rows is one table per header row, an inline label opening
a line without a colon (``<em>办理时间</em>工作日``) gets one, and tab panes kept in a container of
their own are headed by their tab's name.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from inspector.core.checklist import Checklist
from lxml import etree

from inspector.core.extract.messages import label_key, label_pattern, named_field, read_fields, squash
from inspector.core.model import Column, CrawlResult, Page
from inspector.core.web.charset import clean_text
from inspector.core.web.html import document

GUIDES_INDICATOR = "service-guides"
_PUNCTUATION = re.compile(r"[\s\u3000\xa0:：;；,，.。、\-—–_/\\|｜()（）\[\]【】*…·]+")


@dataclass
class Guide:
    """One service guide and the state of its key elements."""

    url: str
    title: str
    present: list[str] = field(default_factory=list)  # canonical element names with a value
    missing: list[str] = field(default_factory=list)  # absent or empty, in checklist order
    empty: list[str] = field(default_factory=list)  # the part of `missing` shown with an empty value


def element_groups(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """Canonical element name -> its labels (the name itself included)."""
    groups: dict[str, list[str]] = {}
    for entry in params.get("elements", ()):
        if isinstance(entry, (list, tuple)) and entry and isinstance(entry[0], str):
            groups[entry[0]] = list(dict.fromkeys([entry[0], *[str(s) for s in entry[1:] if s]]))
    return groups


#: What a placeholder may add after 无/暂无 and still say nothing (暂无相关信息, 暂无数据, 无相关内容).
_FILLER = re.compile(r"^(?:相关|有关)?(?:的)?(?:信息|内容|数据|资料|说明|记录|事项)?$")


def _bare(text: str) -> str:
    """Text without whitespace, punctuation or symbols (暂无。 -> 暂无, —— -> '')."""
    return "".join(
        ch for ch in clean_text(text)
        if not ch.isspace() and not unicodedata.category(ch).startswith(("P", "S", "Z", "C"))
    )


def is_empty(value: str, empty_values: Sequence[str]) -> bool:
    """A value that says nothing: blank, punctuation only, or a listed placeholder (无, 暂无, -),
    also with punctuation (暂无。, 无。) or an "information" filler after it (暂无相关信息, 暂无数据).
    A placeholder followed by anything else is a value (无收费 "no fee", 无需预约)."""
    text = _bare(value)
    if not text or not _PUNCTUATION.sub("", clean_text(value)):
        return True
    for placeholder in {_bare(v) for v in empty_values} - {""}:
        if text == placeholder or (text.startswith(placeholder) and _FILLER.match(text[len(placeholder) :])):
            return True
    return False


# --------------------------------------------------------------------------- the guide's region

_CHROME_TAGS = {"header", "nav", "footer"}
_CHROME_ROLES = {"banner", "navigation", "contentinfo"}
#: Lines only a site footer holds (the site's sponsor, registration and copyright).
_FOOTER_MARKS = ("网站标识码", "ICP备", "ICP证", "公网安备", "版权所有", "COPYRIGHT", "©")
_SPONSOR_MARKS = ("主办单位", "承办单位", "主办：", "承办：", "主办:", "承办:")
_ROW_TAGS = {"tr", "td", "th", "li", "dt", "dd", "tbody", "thead"}
_SPACER_PX = 2


def _text_nodes(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """Each visible text piece with the element it is read under, in document order."""
    out: list[tuple[etree._Element, str]] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            continue
        if el.text and el.text.strip():
            out.append((el, el.text))
        for child in el:
            if child.tail and child.tail.strip():
                out.append((el, child.tail))
    return out


def _ancestors(el: etree._Element) -> list[etree._Element]:
    out = []
    while el is not None:
        out.append(el)
        el = el.getparent()
    return out


def _drop(el: etree._Element) -> None:
    """Remove an element, keeping its tail text in place (it belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _label_hits(root: etree._Element, groups: Mapping[str, Sequence[str]]) -> list[tuple[int, etree._Element, str]]:
    """(text piece index, element, field key) of each field label the region shows."""
    pattern = label_pattern(groups)
    return [(n, el, key) for n, (el, text) in enumerate(_text_nodes(root)) if (key := named_field(text, groups, pattern))]


def _cut_footer(root: etree._Element, groups: Mapping[str, Sequence[str]], min_labels: int) -> None:
    """Remove the site footer after the guide: the block holding a footer line (网站标识码, ICP备,
    版权所有, or a 主办单位：… line) that follows the guide's fields, and everything after it.

    The block is the largest element around that line holding none of the fields before it; it is a
    footer only when the page shows at least ``min_labels`` fields before it and fewer after it (a
    footer may show the site's 联系电话, not a guide).
    """
    nodes = _text_nodes(root)
    hits = _label_hits(root, groups)
    for n, (el, text) in enumerate(nodes):
        flat = squash(text).upper()
        strong = any(m.upper() in flat for m in _FOOTER_MARKS)
        sponsor = any(m in flat for m in _SPONSOR_MARKS) and len(flat) > 6  # "主办单位：X", not a bare label
        if not (strong or sponsor):
            continue
        before = [h for h in hits if h[0] < n]
        if len({k for _, _, k in before}) < min_labels:
            continue
        holding = {a for _, e, _ in before for a in _ancestors(e)}
        if el in holding:  # the line is loose text beside the fields: leave it (too little structure)
            continue
        block = el
        while block.getparent() is not None and block.getparent() not in holding:
            block = block.getparent()
        if block.getparent() is None:
            continue
        if sponsor and not strong and block.tag in _ROW_TAGS:
            continue  # a 承办单位 row of the guide's own table
        inside = set(block.iter())
        after = [h for h in hits if h[0] >= n or h[1] in inside]
        if len({k for _, _, k in after}) >= min_labels:
            continue  # more guide after it: not the page's end
        _cut_from(block)
        return


def _cut_from(block: etree._Element) -> None:
    """Remove ``block`` and everything after it in document order."""
    el = block
    while el.getparent() is not None:
        parent = el.getparent()
        for sibling in list(el.itersiblings()):
            _drop(sibling)
        if el.tail:
            el.tail = None
        el = parent
    _drop(block)


def _drop_chrome(root: etree._Element, groups: Mapping[str, Sequence[str]], min_labels: int) -> None:
    """Remove the page's header, navigation and footer elements (unless one holds the guide)."""
    chrome = [
        el for el in root.iter()
        if isinstance(el.tag, str)
        and (el.tag in _CHROME_TAGS or (el.get("role") or "").strip().lower() in _CHROME_ROLES)
    ]
    for el in chrome:
        if root not in _ancestors(el):
            continue  # inside chrome removed already
        if len({k for _, _, k in _label_hits(el, groups)}) >= min_labels:
            continue  # the guide itself sits in it
        _drop(el)


def _show_images(root: etree._Element) -> None:
    """An element showing nothing but an image (a flowchart) shows that image, as ``[图片]``.
    Spacer images (1-2 px) show nothing."""
    for img in list(root.iter("img")):
        if not img.get("src") or any(_px(img.get(a)) <= _SPACER_PX for a in ("width", "height") if img.get(a)):
            continue
        box = img.getparent()
        while box is not None and box.tag in ("a", "span", "font", "strong", "b", "center"):
            box = box.getparent()
        if box is None or clean_text(box.text_content()):
            continue
        img.tail = "[图片]" + (img.tail or "")  # not its alt text: 办理流程图 would read as a label


def _px(value: str | None) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    return int(m.group(1)) if m else 1 << 20


def guide_region(body: etree._Element, groups: Mapping[str, Sequence[str]], min_labels: int) -> etree._Element:
    """A copy of the page body reduced to the guide: header, navigation and footer left out."""
    top = body
    while top.getparent() is not None:
        top = top.getparent()
    path = top.getroottree().getpath(body)
    region = copy.deepcopy(top).getroottree().xpath(path)[0]  # the body, still inside its html
    _drop_chrome(region, groups, min_labels)
    _cut_footer(region, groups, min_labels)
    _show_images(region)
    _fill_row_spans(region)
    _split_header_rows(region, groups)
    _mark_inline_labels(region, groups)
    _head_tab_panes(region, groups)
    return region


# --------------------------------------------------------------------------- layouts read as fields


def _table_rows(table: etree._Element) -> list[etree._Element]:
    """The rows of ``table`` itself (not of tables nested in its cells)."""
    return [r for r in table.iter("tr") if next(r.iterancestors("table"), None) is table]


def _span(cell: etree._Element, attr: str) -> int:
    m = re.match(r"\s*(\d+)", cell.get(attr) or "")
    return max(1, min(int(m.group(1)), 50)) if m else 1


_MAX_SPAN_COPIES = 500  # cells copied into the rows they span, per guide (each copy is a whole cell)


def _fill_row_spans(root: etree._Element) -> None:
    """A cell spanning rows (``rowspan``) shows in each of them: a copy of it is put in each row it
    covers, at its column, so a label alone in its row (办理时间 beside a value cell that spans the
    办理地点 and 办理时间 rows) reads that value, and a value row under a spanning label reads that label."""
    budget = _MAX_SPAN_COPIES
    for table in list(root.iter("table")):
        pending: dict[int, tuple[etree._Element, int]] = {}  # column -> (cell, rows still covered)
        for row in _table_rows(table):
            cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
            if not cells and not pending:
                continue
            col = idx = 0
            placed: dict[int, tuple[etree._Element, int]] = {}
            while idx < len(cells) or any(c >= col for c in pending):
                if col in pending:
                    cell, left = pending.pop(col)
                    budget -= 1
                    if budget < 0:
                        return  # a hostile page of spans: the rest is read as written
                    twin = copy.deepcopy(cell)
                    twin.attrib.pop("rowspan", None)
                    twin.tail = None
                    if idx < len(cells):
                        cells[idx].addprevious(twin)
                    else:
                        row.append(twin)
                    if left > 1:
                        placed[col] = (cell, left - 1)
                    col += _span(cell, "colspan")
                    continue
                if idx >= len(cells):
                    col = min(c for c in pending if c >= col)
                    continue
                cell = cells[idx]
                if _span(cell, "rowspan") > 1:
                    placed[col] = (cell, _span(cell, "rowspan") - 1)
                col += _span(cell, "colspan")
                idx += 1
            pending.update(placed)


def _is_label_row(row: etree._Element, groups: Mapping[str, Sequence[str]]) -> bool:
    """A row of two or more labels and nothing else (a header row over a row of values)."""
    texts = [clean_text(c.text_content()) for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
    texts = [t for t in texts if t]
    return len(texts) >= 2 and all(label_key(t, groups) for t in texts)


def _split_header_rows(root: etree._Element, groups: Mapping[str, Sequence[str]]) -> None:
    """A table of several header rows, each over its row(s) of values (事项名称 | 设定依据 | … over the
    values, then 办理地点 | 办理时间 | … over theirs), is read as one table per header row."""
    for table in list(root.iter("table")):
        rows = _table_rows(table)
        heads = [i for i, row in enumerate(rows) if _is_label_row(row, groups)]
        if len(heads) < 2 or any(b - a < 2 for a, b in zip(heads, heads[1:])):
            continue
        anchor = table
        for a, b in zip(heads, [*heads[1:], len(rows)]):
            if a == heads[0]:
                continue
            part = table.makeelement("table", {})
            for row in rows[a:b]:
                part.append(row)  # (moves the row)
            anchor.addnext(part)
            anchor = part


_INLINE_LABEL_TAGS = {"em", "span", "strong", "b", "i", "label", "font"}


def _mark_inline_labels(root: etree._Element, groups: Mapping[str, Sequence[str]]) -> None:
    """A label in an inline element opening a line and followed by its value, with no colon
    (``<li><em>办理时间</em><span>工作日</span></li>``), reads as ``办理时间：工作日``."""
    for el in list(root.iter(*_INLINE_LABEL_TAGS)):
        text = clean_text(el.text_content())
        if not text or text.endswith((":", "：")) or label_key(text, groups) is None:
            continue
        follows = (el.tail or "").strip() or any(
            (isinstance(s.tag, str) and s.tag != "br" and clean_text(s.text_content())) or (s.tail or "").strip()
            for s in el.itersiblings()
        )
        parent = el.getparent()
        if not follows or parent is None or parent.tag in _INLINE_LABEL_TAGS:
            continue
        before = [parent.text, *(
            (clean_text(s.text_content()) if isinstance(s.tag, str) else "") + (s.tail or "")
            for s in el.itersiblings(preceding=True)
        )]
        if any((t or "").strip() for t in before):
            continue  # a word inside a sentence (请到<span>办理地点</span>咨询), not the line's label
        el.tail = "：" + (el.tail or "")


def _short(el: etree._Element) -> bool:
    return len(squash(clean_text("".join(el.itertext())))) <= 14


def _head_tab_panes(root: etree._Element, groups: Mapping[str, Sequence[str]]) -> None:
    """Tabs whose panes sit in a container of their own (``<div class="hd"><ul><li>申请材料</li>…</ul></div>``
    then ``<div class="bd"><div>…</div>…</div>``): each pane is headed by its tab's name, and the strip of
    tabs is left out (it is read through the panes). Tabs with sibling panes are read by read_fields."""
    for strip in list(root.iter()):
        if not isinstance(strip.tag, str) or strip.tag in ("table", "thead", "tbody", "tr") or strip.getparent() is None:
            continue
        tabs = [c for c in strip if isinstance(c.tag, str)]
        if len(tabs) < 2 or not all(_short(t) for t in tabs):
            continue
        if sum(1 for t in tabs if label_key(clean_text(t.text_content()), groups)) < 2:
            continue
        box = strip  # climb out of wrappers holding only the strip
        while box.getparent() is not None and len([c for c in box.getparent() if isinstance(c.tag, str)]) == 1:
            box = box.getparent()
        if box is strip:
            continue  # panes beside the strip itself: read_fields reads those
        container = box.getnext()
        while container is not None and not isinstance(container.tag, str):
            container = container.getnext()
        panes = [c for c in container if isinstance(c.tag, str)] if container is not None else []
        if len(panes) != len(tabs) or len({p.tag for p in panes}) != 1:
            continue
        for tab, pane in zip(tabs, panes):
            head = pane.makeelement("h6", {})
            head.text = clean_text(tab.text_content())
            head.tail = pane.text
            pane.text = None
            pane.insert(0, head)
        _drop(strip)


def _title(page: Page) -> str:
    root = document(page).root
    if root is None:
        return ""
    for tag in ("h1", "title"):
        el = next(root.iter(tag), None)
        if el is not None and clean_text(el.text_content()):
            return clean_text(el.text_content())
    return ""


def read_guide(page: Page, params: Mapping[str, Any]) -> Guide | None:
    """The guide shown by a page, or None when it shows fewer than ``min_labels`` element labels."""
    body = document(page).body
    if body is None:
        return None
    groups = element_groups(params)
    min_labels = int(params.get("min_labels", 3))
    fields = read_fields(guide_region(body, groups, min_labels), groups)
    if len(fields) < min_labels:
        return None
    empty_values = [str(v) for v in params.get("empty_values", ())]
    guide = Guide(url=page.final_url or page.url, title=_title(page))
    for name in groups:
        values = fields.get(name)
        if values and any(not is_empty(v, empty_values) for v in values):
            guide.present.append(name)
            continue
        guide.missing.append(name)
        if values:
            guide.empty.append(name)
    return guide


def _has_keyword(page: Page, keywords: Sequence[str]) -> bool:
    """Does the page's title or an h1-h3 heading hold a guide keyword? (A crawled page's headings are
    among the facts read with its links: no parse, and no search through the whole text.)"""
    return any(k and k in text for text in document(page).headings for k in keywords)


def candidate_pages(crawl: CrawlResult, columns: list[Column], params: Mapping[str, Any]) -> list[Page]:
    """Item pages of the service columns, then pages whose title or heading holds a guide keyword."""
    out: dict[str, Page] = {}
    for col in columns:
        if col.category != "service":
            continue
        for item in col.items:
            page = crawl.page(item.url) if item.url else None
            if page is not None and page.html:
                out.setdefault(page.final_url or page.url, page)
    keywords = [str(k) for k in params.get("guide_keywords", ())]
    for page in crawl.pages.values():
        key = page.final_url or page.url
        if page.html and key not in out and _has_keyword(page, keywords):
            out[key] = page
    return list(out.values())


def find_guides(crawl: CrawlResult, columns: list[Column], checklist: Checklist) -> list[Guide]:
    """Every service guide among the crawled pages, each once, in crawl order."""
    params = checklist.params(GUIDES_INDICATOR)
    guides = []
    for page in candidate_pages(crawl, columns, params):
        guide = read_guide(page, params)
        if guide is not None:
            guides.append(guide)
    return guides
