"""Labelled fields of a page, and the messages of a message board (政务咨询 columns).

Government CMSs show a field as a label and a value in many shapes; all of them are read by
structure and by the checklist's labels, never by class names:

- a table cell holding the label and the next cell the value (``<th>留言时间</th><td>…</td>``),
- a header row of labels over data rows (``标题 | 留言时间 | 回复时间 | 状态``),
- a definition list (``<dt>办理地点</dt><dd>…</dd>``),
- a headed section (``<h3>一、申请条件</h3><p>…</p>``, ``<p><strong>办理流程</strong></p><p>…</p>``),
- ``label：value`` text, several on one line, or the value on the lines after ``label：``.

:func:`read_fields` and :func:`table_records` take ``groups``: a mapping of a field key to its
label synonyms (from the checklist), and are shared with :mod:`inspector.core.extract.guides`.

A board's messages (:func:`read_board`) come from the consultation column's list page and its
next pages (tables of messages, or the column's list items) and from each message's detail
page: title, submission date, first reply date, replying unit and whether it was answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Iterator, Mapping, Sequence

from lxml import etree

from inspector.core.checklist import Checklist
from inspector.core.extract.dates import find_dates, parse_date, usable
from inspector.core import texts
from inspector.core.model import Column, CrawlResult, Page
from inspector.core.web.charset import clean_text
from inspector.core.web.html import Document, document

BOARD_INDICATOR = "poor-interaction"
Groups = Mapping[str, Sequence[str]]

_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "select", "option", "button", "textarea"}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "div", "dl", "dt", "fieldset",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "br",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_ROW_TAGS = ("tr", "li", "dd", "dt", "p")
_SPACE = re.compile(r"[\s\u3000\xa0]+")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．)）]|[①-⑳])"
)
_BRACKETS = "【】[]〔〕<>《》"
_GENERIC_LABEL = re.compile(r"(?:^|(?<=[\s|｜丨]))[\u4e00-\u9fff]{2,8}\s*[:：]")
_MAX_SECTION_LINES = 20
_MAX_LABEL_CHARS = 14
_MAX_ROW_CHARS = 400  # longer "rows" are containers of many rows
_NEGATIONS = ("未", "待", "尚未", "没有")  # a status value opening with these says "not yet"
_NO_REPLY = (*_NEGATIONS, "暂无", "暂未", "无")  # a reply block opening with these holds no reply
_BLOCK_KEYS = frozenset({"reply"})  # fields whose value is a block: "回复：您好，…" goes on to its signature line


# --------------------------------------------------------------------------- labelled fields


def squash(text: str) -> str:
    """Text without any whitespace (labels such as ``发 文 日 期`` are spaced out)."""
    return _SPACE.sub("", text)


def _bare_label(text: str) -> str:
    """A label as compared with the synonyms: no spaces, numbering, brackets or trailing colon."""
    return _NUMBERING.sub("", squash(text).rstrip(":：").strip(_BRACKETS)).rstrip(":：")


def label_key(text: str, groups: Groups) -> str | None:
    """The field key whose synonym ``text`` is (numbering, brackets and a trailing colon ignored)."""
    label = _bare_label(text)
    if not label or len(label) > _MAX_LABEL_CHARS or ":" in label or "：" in label:
        return None
    for key, synonyms in groups.items():
        if label in synonyms:
            return key
    for key, synonyms in groups.items():
        if any(s and label.startswith(s) and len(label) <= len(s) + 4 for s in synonyms):
            return key
    return None


_JOINERS = re.compile(r"[及和与、/]")


def label_keys(text: str, groups: Groups) -> list[str]:
    """Every field key a label names: one, or several for a combined label (``办理地点及时间``,
    ``申请条件和材料``: parts joined by 及/和/与/、//, a short part completed with the first part's
    lead, 办理地点 + 时间 -> 办理时间). A label that is itself a synonym names its one key."""
    label = _bare_label(text)
    key = label_key(text, groups)
    if not label or any(label in syns for syns in groups.values()):
        return [key] if key else []
    parts = [p for p in _JOINERS.split(label) if p]
    if len(parts) < 2 or len(label) > _MAX_LABEL_CHARS:
        return [key] if key else []
    keys: list[str] = []
    first = parts[0]
    for n, part in enumerate(parts):
        found = label_key(part, groups)
        if found is None and n:
            found = next(
                (k for cut in range(len(first) - 1, 0, -1) if (k := _exact_key(first[:cut] + part, groups))), None
            )
        if found is None:
            return [key] if key else []  # a part that names no field: not a combined label
        keys.append(found)
    return list(dict.fromkeys(keys))


def _exact_key(label: str, groups: Groups) -> str | None:
    return next((k for k, syns in groups.items() if label in syns), None)


def label_pattern(groups: Groups) -> re.Pattern[str]:
    """``label：`` anywhere in a line; without a colon, ``label value`` at the start of a line or
    ``label 2026-…`` (a number follows) after a space."""
    synonyms = sorted({s for syns in groups.values() for s in syns if s}, key=len, reverse=True)
    alternatives = "|".join(r"[\s\u3000\xa0]*".join(map(re.escape, s)) for s in synonyms) or r"(?!)"
    return re.compile(
        r"(?P<label>" + alternatives + r")[\s\u3000\xa0]*[:：]"
        r"|^[\s\u3000\xa0]*(?P<lead>" + alternatives + r")[\s\u3000\xa0]+(?=\S)"
        r"|(?<=[\s\u3000\xa0])(?P<numbered>" + alternatives + r")[\s\u3000\xa0]+(?=\d)"
    )


def _matched_label(m: re.Match[str]) -> str:
    return m.group("label") or m.group("lead") or m.group("numbered") or ""


def named_field(text: str, groups: Groups, pattern: re.Pattern[str] | None = None) -> str | None:
    """The field a piece of text names: as a whole label (a label cell), or by a label it shows
    (``联系电话：…``); ``pattern`` is :func:`label_pattern` of ``groups``, made once by a caller with many texts."""
    key = label_key(text, groups)
    if key is None:
        m = (pattern or label_pattern(groups)).search(text)
        key = label_key(_matched_label(m), groups) if m else None
    return key


@dataclass
class _Line:
    text: str
    heading: bool


def _walk(el: etree._Element, out: list[_Line], buf: list[str], skip: set[etree._Element]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP_TAGS or el in skip or not tag:
        return
    block = tag in _BLOCK_TAGS
    if block:
        _flush(buf, out, False)
    if el.text:
        buf.append(el.text)
    for child in el:
        _walk(child, out, buf, skip)
        if child.tail:
            buf.append(child.tail)
    if block:
        _flush(buf, out, tag in _HEADINGS)


def _flush(buf: list[str], out: list[_Line], heading: bool) -> None:
    text = clean_text("".join(buf))
    buf.clear()
    if text:
        out.append(_Line(text, heading))


def text_lines(root: etree._Element, skip: Iterable[etree._Element] = ()) -> list[_Line]:
    """The visible text of ``root`` as lines, one per block element (``skip`` subtrees left out)."""
    out: list[_Line] = []
    buf: list[str] = []
    _walk(root, out, buf, set(skip))
    _flush(buf, out, False)
    return out


def _cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _rows(table: etree._Element) -> list[etree._Element]:
    return [r for r in table.iter("tr") if _nearest(r, "table") is table]


def _nearest(el: etree._Element, tag: str) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def cell_text(el: etree._Element) -> str:
    return clean_text(el.text_content())


@dataclass
class Record:
    """One data row of a table whose header row holds labels."""

    values: dict[str, str]  # field key -> cell text
    row: etree._Element


@dataclass
class _HeaderRows:
    """A header row of labels over rows of values: a table's, or a grid of other elements
    (``<ul class="thead"><li>标题</li><li>来信时间</li>…</ul>`` over ``<ul class="row">…</ul>`` rows)."""

    keys: dict[int, str]  # cell index -> field key
    width: int  # cells of the header row
    rows: list[tuple[etree._Element, list[etree._Element]]]  # the rows after the header, with their cells
    read: list[etree._Element]  # the elements read as this table (left out of the line reading)


_NOT_GRID = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "dl", "dt", "dd", "select", "option", "br", "hr", "img"}


def _header_tables(root: etree._Element, groups: Groups) -> list[_HeaderRows]:
    """Tables (and grids of other elements) whose header row holds at least two labels over rows of values."""
    found: list[_HeaderRows] = []
    for table in root.iter("table"):
        rows = _rows(table)
        for i, row in enumerate(rows[:-1]):
            cells = _cells(row)
            keys = {j: k for j, c in enumerate(cells) if (k := label_key(cell_text(c), groups))}
            if len(keys) < 2:
                continue
            shown = [r for r in rows[i + 1 :] if cell_text(r)]  # spacer rows (an image, &nbsp;) show nothing
            following = _cells(shown[0]) if shown else []
            if len(following) == len(cells) and not any(label_key(cell_text(c), groups) for c in following):
                found.append(_HeaderRows(keys, len(cells), [(r, _cells(r)) for r in rows[i + 1 :]], [table]))
                break
    return found + _header_grids(root, groups, found)


def _grid_cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in _element_children(row) if c.tag not in _NOT_GRID]


def _header_grids(root: etree._Element, groups: Groups, tables: list[_HeaderRows]) -> list[_HeaderRows]:
    """Header rows drawn without a table: an element whose children are short cells, two or more of
    them labels, followed by sibling rows of its tag (or by a list whose items are the rows), the first
    row of values having as many cells and no label."""
    found: list[_HeaderRows] = []
    taken = {el for t in tables for el in t.read}
    for header in root.iter():
        if not isinstance(header.tag, str) or header.tag in _NOT_GRID or header.tag in _SKIP_TAGS:
            continue
        if len(header) < 2 or len(header.text_content()) > 4 * len(header) * _MAX_LABEL_CHARS:
            continue  # (one C call rejects every container of more than labels)
        cells = _grid_cells(header)
        if len(cells) < 2 or len(squash(header.text_content())) > len(cells) * _MAX_LABEL_CHARS:
            continue
        texts = [cell_text(c) for c in cells]
        if any(len(t) > _MAX_LABEL_CHARS for t in texts):
            continue
        keys = {j: k for j, t in enumerate(texts) if (k := label_key(t, groups))}
        parent = header.getparent()
        if len(keys) < 2 or parent is None or any(a in taken for a in header.iterancestors()):
            continue
        siblings = _element_children(parent)
        after = siblings[siblings.index(header) + 1 :]
        rows = [s for s in after if s.tag == header.tag]
        if not rows and after:  # a list under its header line: its items are the rows
            rows = _element_children(after[0])
        data = [(r, _grid_cells(r)) for r in rows if cell_text(r) and len(cell_text(r)) <= _MAX_ROW_CHARS]
        if not data or len(data[0][1]) != len(cells) or any(label_key(cell_text(c), groups) for c in data[0][1]):
            continue
        found.append(_HeaderRows(keys, len(cells), data, [header, *(r for r, _ in data)]))
        taken.update([header, *(r for r, _ in data)])
    return found


def table_records(root: etree._Element, groups: Groups) -> list[Record]:
    """Data rows of every header-row table, keyed by the header's labels."""
    return _records(_header_tables(root, groups), groups)


def _records(tables: list[_HeaderRows], groups: Groups) -> list[Record]:
    records: list[Record] = []
    for table in tables:
        for row, cells in table.rows:
            if len(cells) != table.width or any(label_key(cell_text(c), groups) for c in cells):
                continue
            records.append(Record({k: cell_text(cells[j]) for j, k in table.keys.items()}, row))
    return records


def _line_fields(lines: list[_Line], groups: Groups, pattern: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    i = 0
    while i < len(lines):
        line = lines[i]
        keys = label_keys(line.text, groups)
        if keys:  # the whole line is a label: a headed section
            value, i = _section(lines, i + 1, groups, pattern)
            for key in keys:
                yield key, value
            continue
        segments = list(_segments(line.text, groups, pattern))
        for n, (key, value) in enumerate(segments):
            if n == len(segments) - 1 and (not value or key in _BLOCK_KEYS):
                # "label：" then the value on the next lines; a block's value goes on over them
                more, i = _section(lines, i + 1, groups, pattern)
                yield key, f"{value} {more}".strip()
                break
            yield key, value
        else:
            i += 1


def _segments(text: str, groups: Groups, pattern: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """``label：value`` pairs within one line (each value ends where the next label starts)."""
    matches = [
        (m, [key]) for m in pattern.finditer(text) if (key := label_key(_matched_label(m), groups))
    ]
    generic = list(_GENERIC_LABEL.finditer(text))
    spans = [(m.start(), m.end()) for m, _ in matches]
    for m in generic:  # a combined label (办理地点及时间：) the synonyms alone do not match
        keys = label_keys(m.group(), groups)
        if len(keys) > 1 and not any(a < m.end() and m.start() < b for a, b in spans):
            matches.append((m, keys))
    matches.sort(key=lambda mk: mk[0].start())
    starts = sorted({m.start() for m in generic} | {m.start() for m, _ in matches})
    for m, keys in matches:
        end = next((s for s in starts if s >= m.end()), len(text))
        for key in keys:
            yield key, text[m.end() : end].strip(" |｜丨;；,，")


def _section(lines: list[_Line], i: int, groups: Groups, pattern: re.Pattern[str]) -> tuple[str, int]:
    """The value lines after a label line, up to the next label or heading."""
    parts: list[str] = []
    while i < len(lines) and len(parts) < _MAX_SECTION_LINES:
        line = lines[i]
        known = label_key(line.text, groups) or _known_label_at_start(line.text, groups, pattern)
        if line.heading or known or (parts and _GENERIC_LABEL.match(_NUMBERING.sub("", line.text.strip()))):
            break
        parts.append(line.text)
        i += 1
    return " ".join(parts), i


def _pair_rows(
    root: etree._Element, groups: Groups, skip: set[etree._Element]
) -> tuple[list[tuple[str, str]], list[etree._Element]]:
    """Label cells and the cell after each (or the next row, for a label alone in its row).

    Returns the pairs and the rows they were read from (left out of the line reading).
    """
    pairs: list[tuple[str, str]] = []
    used: list[etree._Element] = []
    for table in root.iter("table"):
        if table in skip:
            continue
        rows = _rows(table)
        for i, row in enumerate(rows):
            cells = _cells(row)
            keys = [label_key(cell_text(c), groups) for c in cells]
            for j in range(1, len(cells)):  # a label's value that only starts like a label (办理流程 | 办理流程图)
                if keys[j] and keys[j - 1] and not _whole_label(cell_text(cells[j]), groups):
                    keys[j] = None
            named = [label_keys(cell_text(c), groups) if keys[j] else [] for j, c in enumerate(cells)]  # a combined label fills each field
            if not any(keys):
                continue
            used.append(row)
            for j, key in enumerate(keys):
                if key is None:
                    continue
                if j + 1 < len(cells):
                    value = "" if keys[j + 1] else cell_text(cells[j + 1])
                elif len(cells) == 1 and i + 1 < len(rows) and not _has_label_cell(rows[i + 1], groups):
                    value = cell_text(rows[i + 1])
                    used.append(rows[i + 1])
                elif _heads_one_row(rows, i, groups):  # 来信内容 | 回复内容 over the letter and its reply
                    value = cell_text(_cells(rows[i + 1])[j])  # (the row's own labelled lines are read too)
                else:
                    value = ""
                pairs += [(k, value) for k in named[j] or [key]]
    return pairs, used


def _whole_label(text: str, groups: Groups) -> bool:
    """Is ``text`` a label as written — one of the synonyms, or ending with a colon — rather than a
    value that starts with one (``办理流程图``, ``申请材料清单.pdf``)?"""
    if squash(text).endswith((":", "：")):
        return True
    label = _bare_label(text)
    return any(label in synonyms for synonyms in groups.values())


def _heads_one_row(rows: list[etree._Element], i: int, groups: Groups) -> bool:
    """Is row ``i`` a row of short headings over exactly one row of as many cells, without labels
    (a two-column letter page: ``来信内容 | 回复内容`` over the letter and the reply)?"""
    cells = _cells(rows[i])
    shown = [r for r in rows[i + 1 :] if cell_text(r)]
    if len(cells) < 2 or len(shown) != 1 or any(len(cell_text(c)) > _MAX_LABEL_CHARS for c in cells):
        return False
    below = _cells(shown[0])
    return shown[0] is rows[i + 1] and len(below) == len(cells) and not _has_label_cell(shown[0], groups)


def _dl_pairs(root: etree._Element, groups: Groups) -> tuple[list[tuple[str, str]], list[etree._Element]]:
    """``<dt>label</dt><dd>value</dd>`` pairs and the lists they were read from."""
    pairs: list[tuple[str, str]] = []
    used: list[etree._Element] = []
    for dl in root.iter("dl"):
        keys: list[str] = []
        values: list[str] = []
        found = False
        for child in dl:
            if child.tag == "dt":
                pairs += [(k, " ".join(values)) for k in keys]
                keys, values = label_keys(cell_text(child), groups), []
                found = found or bool(keys)
            elif child.tag == "dd" and keys:
                values.append(cell_text(child))
        pairs += [(k, " ".join(values)) for k in keys]
        if found:
            used.append(dl)
    return pairs, used


def _element_children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and c.tag not in _SKIP_TAGS]


def _tab_pairs(root: etree._Element, groups: Groups) -> tuple[list[tuple[str, str]], list[etree._Element]]:
    """Tab strips over panes: the i-th short label (申请条件) names the i-th following pane.

    A strip is an element of at least two short children, two or more of them labels, followed
    by exactly as many sibling panes of one tag. Returns the pairs and the strips (read here).
    """
    pairs: list[tuple[str, str]] = []
    strips: list[etree._Element] = []
    for strip in root.iter():
        if not isinstance(strip.tag, str) or strip.tag in ("table", "thead", "tbody", "tr"):
            continue  # table header rows are read as header tables
        tabs = _element_children(strip)
        if len(tabs) < 2 or any(len(cell_text(t)) > _MAX_LABEL_CHARS for t in tabs):
            continue
        keys = [label_key(cell_text(t), groups) for t in tabs]
        if sum(1 for k in keys if k) < 2:
            continue
        panes = _element_children(strip.getparent()) if strip.getparent() is not None else []
        panes = panes[panes.index(strip) + 1 :]
        panes = [p for p in panes if p.tag == panes[0].tag] if panes else []
        if len(panes) != len(tabs):
            continue
        pairs += [(k, cell_text(pane)) for k, pane in zip(keys, panes) if k]
        strips.append(strip)
    return pairs, strips


def _has_label_cell(row: etree._Element, groups: Groups) -> bool:
    return any(label_key(cell_text(c), groups) for c in _cells(row))


def _known_label_at_start(text: str, groups: Groups, pattern: re.Pattern[str]) -> bool:
    m = pattern.match(_NUMBERING.sub("", text.strip()))
    return m is not None and label_key(_matched_label(m), groups) is not None


def read_fields(root: etree._Element, groups: Groups) -> dict[str, list[str]]:
    """Every value found under each field key (empty strings included): tables first, then text."""
    out: dict[str, list[str]] = {}
    tables = _header_tables(root, groups)
    for record in _records(tables, groups):
        for key, value in record.values.items():
            out.setdefault(key, []).append(value)
    header_tables = {el for table in tables for el in table.read}
    pairs, rows = _pair_rows(root, groups, header_tables)
    dl_pairs, lists = _dl_pairs(root, groups)
    tab_pairs, strips = _tab_pairs(root, groups)
    pattern = label_pattern(groups)
    lines = text_lines(root, skip=[*header_tables, *rows, *lists, *strips])
    for key, value in [*pairs, *dl_pairs, *tab_pairs, *_line_fields(lines, groups, pattern)]:
        out.setdefault(key, []).append(value)
    return out


# --------------------------------------------------------------------------- message boards


@dataclass
class Message:
    """One message of a board, as far as the list and detail pages show it."""

    title: str
    url: str | None
    submitted: date | None
    replied: date | None = None  # first reply date
    unit: str = ""
    answered: bool | None = None  # None: the pages do not say
    sources: list[str] = field(default_factory=list)  # pages it was read from
    repeat: int = 0  # without a link: how many messages alike (title, date) precede it on its list


@dataclass
class Board:
    """What could be read of one consultation column."""

    column: Column
    messages: list[Message]
    pages_read: list[str]
    looks_like_board: bool  # the pages show message labels or list items
    problem: str = ""  # why nothing could be read, if so


#: Headings of the block holding the reply itself, when the checklist names none (``reply_labels``).
DEFAULT_REPLY_LABELS = ("回复内容", "答复内容", "办理结果")  # only if a checklist lacks reply_labels


_DATE_WORDS = ("时间", "日期")


def _date_variants(labels: Sequence[str]) -> list[str]:
    """Date labels with their other spelling: a board prints 留言时间 or 留言日期, 答复日期 or 答复时间."""
    out = list(labels)
    for label in labels:
        for a, b in (_DATE_WORDS, _DATE_WORDS[::-1]):
            if label.endswith(a) and len(label) > len(a):
                out.append(label[: -len(a)] + b)
    return list(dict.fromkeys(out))


def board_groups(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """The field groups of a message, from the ``poor-interaction`` params (a date label in either
    spelling, ``…时间`` or ``…日期``)."""
    return {
        "submitted": _date_variants(params.get("submitted_labels", ())),
        "replied": _date_variants(params.get("replied_labels", ())),
        "unit": list(params.get("unit_labels", ())),
        "status": list(params.get("status_labels", ())),
        "title": list(params.get("title_labels", ())),
    }


def detail_groups(groups: Groups, params: Mapping[str, Any]) -> dict[str, list[str]]:
    """A detail page's groups: the board's, plus ``reply``, the reply's own block (回复内容 …).

    The reply block's text gives the reply date when no labelled one exists (a signature line
    such as ``XX局 2026-03-02``).
    """
    return {**{k: list(v) for k, v in groups.items()}, "reply": list(params.get("reply_labels", DEFAULT_REPLY_LABELS))}


def _html_page(crawl: CrawlResult, url: str) -> Page | None:
    page = crawl.page(url)
    return page if page is not None and page.html else None


def _anchors(root: etree._Element, doc: Document) -> Iterator[tuple[etree._Element, str]]:
    """Links under ``root`` as the crawl names their pages (one normaliser: Chinese paths, ports, fragments)."""
    for a in root.iter("a"):
        url = doc.link_url(a)
        if url:
            yield a, url


def list_pages(crawl: CrawlResult, start: str, next_texts: Sequence[str], limit: int = 50) -> list[Page]:
    """The column page and the next pages reachable by a next-page link, as crawled."""
    pages: list[Page] = []
    seen: set[str] = set()
    url: str | None = start
    while url and url not in seen and len(pages) < limit:
        seen.add(url)
        page = _html_page(crawl, url)
        if page is None:
            break
        pages.append(page)
        doc = document(page)
        url = None
        if doc.root is not None:
            nexts = (u for a, u in _anchors(doc.root, doc) if _is_next(cell_text(a), next_texts) and u not in seen)
            url = next(nexts, None)
    return pages


def _is_next(text: str, next_texts: Sequence[str]) -> bool:
    return text in next_texts or text.strip("<>»›[]【】 ") in next_texts


def _first_date(values: Iterable[str], as_of: date) -> date | None:
    dates = [d for v in values if (d := parse_date(v, as_of))]
    return min(dates) if dates else None


def _has_marker(values: Iterable[str], markers: Sequence[str]) -> bool:
    return any(m and m in v for v in values for m in markers)


def _answered(fields: Mapping[str, list[str]], text: str, params: Mapping[str, Any]) -> bool | None:
    status = fields.get("status", [])
    unanswered = params.get("unanswered_markers", ())
    answered = params.get("answered_markers", ())
    if _has_marker(status, unanswered):
        return False
    if any(squash(v).startswith(_NEGATIONS) for v in status):
        return False  # 未答复, 待办理 ...: a status saying "not yet", whatever the verb
    if _has_marker(status, answered):
        return True
    if _has_marker([text], unanswered):
        return False
    return None


def _status_words(params: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The words a status shows: (answered, unanswered). Besides the checklist's markers, each answered
    marker's verb negated (已答复 -> 未答复, 待答复, 尚未答复)."""
    answered = {squash(m) for m in params.get("answered_markers", ()) if m}
    unanswered = {squash(m) for m in params.get("unanswered_markers", ()) if m}
    verbs = {m[1:] for m in answered if m.startswith("已") and len(m) > 2}
    unanswered |= {n + v for n in _NEGATIONS for v in verbs}
    return answered, unanswered


def _status_badges(root: etree._Element, params: Mapping[str, Any]) -> list[str]:
    """Status words shown without a 状态 label: an element whose whole text is one (``<span
    class="tag">待答复</span>``). Links are left out (a board's 已回复 / 未回复 filter tabs), and so are
    badges that disagree with each other."""
    answered, unanswered = _status_words(params)
    longest = max(map(len, answered | unanswered), default=0) + 2
    found: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS or el.tag == "a" or len(el) > 2:
            continue  # (a badge is a word: an element of more than two children is not one)
        raw = el.text_content()
        if len(raw) > 4 * longest and len(squash(raw)) > longest:
            continue
        text = squash(clean_text(raw)).strip("【】[]()（）")
        if (text in answered or text in unanswered) and not any(a.tag == "a" for a in el.iterancestors()):
            found.add(text)
    if found and (found <= answered or found <= unanswered):
        return sorted(found)
    return []


def _with_badges(fields: Mapping[str, list[str]], root: etree._Element, params: Mapping[str, Any]) -> Mapping[str, list[str]]:
    """The fields, with the status badges as the status when no labelled status is shown."""
    if any(clean_text(v) for v in fields.get("status", [])):
        return fields
    badges = _status_badges(root, params)
    return {**fields, "status": badges} if badges else fields


_TITLE_STATUS = re.compile(r"^\s*[【\[〔（(]\s*([^】\]〕）)]{2,6}?)\s*[】\]〕）)]")


def _title_status(title: str, params: Mapping[str, Any]) -> bool | None:
    """The status a listed title opens with (``【办理中】路面塌陷``, ``[已回复]…``): False, True or None."""
    m = _TITLE_STATUS.match(title)
    if m is None:
        return None
    answered, unanswered = _status_words(params)
    word = squash(m.group(1))
    return False if word in unanswered else True if word in answered else None


def _message_from_fields(
    fields: Mapping[str, list[str]], text: str, params: Mapping[str, Any], as_of: date
) -> Message:
    units = [clean_text(u) for u in fields.get("unit", []) if clean_text(u)]
    titles = [clean_text(t) for t in fields.get("title", []) if clean_text(t)]
    submitted = _first_date(fields.get("submitted", []), as_of)
    replies = [d for v in fields.get("replied", []) if (d := parse_date(v, as_of))]
    replied = min((d for d in replies if submitted is None or d >= submitted), default=None)
    reply_text = [v for v in fields.get("reply", []) if clean_text(v) and not squash(v).startswith(_NO_REPLY)]
    if replied is None and not replies:
        replied = _signed_date(reply_text, submitted, as_of)
    answered = _answered(fields, text, params)
    if answered is None and reply_text and not _has_marker(reply_text, params.get("unanswered_markers", ())):
        answered = True  # a reply block with words in it
    return Message(
        title=titles[0] if titles else "",
        url=None,
        submitted=submitted,
        replied=replied,
        unit=units[0] if units else "",
        answered=True if replied else answered,
    )


_TRAILING_TIME = re.compile(r"\s*\d{1,2}:\d{2}(?::\d{2})?$")
_SIGNATURE_TAIL = " \t\r\n。.，,；;）)]】」』\u3000"


# words right after a date that make it the reply's own date (…日答复, …日作出回复, …日办结)
_REPLIED_ON = re.compile(r"\s*(?:作出|予以|进行了?|已)?(?:答复|回复|办结|复函)")


def _signed_date(reply_blocks: Sequence[str], submitted: date | None, as_of: date) -> date | None:
    """The date a reply block is signed with: a date that ends the block (the signature line), else a date
    the reply gives as the day it was made (``于2026年8月30日答复``; a date the letter's own sentences name,
    ``您于…来信``, is not one).

    Dates inside the reply's sentences ("计划于2026年9月30日前完工", a regulation "自2026年1月1日起施行")
    have words after them; the signature (``XX局 2026-03-02``) has nothing but punctuation after it.
    Without such a date the reply date stays unknown (and an old message is left to the inspector).
    """
    for block in reversed(reply_blocks):
        text = _TRAILING_TIME.sub("", block.rstrip(_SIGNATURE_TAIL)).rstrip(_SIGNATURE_TAIL)
        for d, raw in reversed(find_dates(text, as_of)):
            end = text.rfind(raw) + len(raw)
            if end == len(text) and usable(d, as_of) and (submitted is None or d >= submitted):
                return d
    for block in reply_blocks:  # else a date the reply names as its own (县教育局于2026年8月30日答复：…)
        for d, raw in find_dates(block, as_of):
            at = block.find(raw)
            if at >= 0 and _REPLIED_ON.match(block, at + len(raw)) and usable(d, as_of) and (submitted is None or d >= submitted):
                return d
    return None


def _is_message_page(fields: Mapping[str, list[str]], msg: Message) -> bool:
    """A detail page of a message: a submission date and a reply, unit or status field."""
    return msg.submitted is not None and any(fields.get(k) for k in ("replied", "unit", "status", "reply"))


def read_detail(
    page: Page, groups: Groups, params: Mapping[str, Any], as_of: date, listed: Message | None = None
) -> Message | None:
    """The message shown on a detail page, or None when the page is not one message (or is a list).

    ``listed``: the message as its board's list shows it (this page is its link). A letter page that
    prints its submission without a label (``网友 张** 于 2026-05-01 提问``) is still that message when
    it shows a reply, unit or status: the list gave its submission date.
    """
    root, body = document(page).root, document(page).body
    if root is None or body is None:
        return None
    if table_records(body, groups):
        return None  # a table of messages: another board's list, not a message
    fields = _with_badges(read_fields(body, detail_groups(groups, params)), body, params)
    text = " ".join(line.text for line in text_lines(body))
    from_list = listed is not None and listed.submitted is not None and not _first_date(fields.get("submitted", []), as_of)
    if from_list:
        assert listed is not None and listed.submitted is not None
        fields = {**fields, "submitted": [listed.submitted.isoformat()]}
        if not any(clean_text(v) for k in ("replied", "unit", "status", "reply") for v in fields.get(k, [])):
            return None  # nothing of a reply shown: not read as the letter's page
    msg = _message_from_fields(fields, text, params, as_of)
    if not _is_message_page(fields, msg):
        return None
    if msg.answered is None and msg.replied is None and not from_list:
        msg.answered = False  # a message page that shows no reply has not been answered
    msg.url = page.final_url or page.url
    if not msg.title:
        h1 = next(iter(root.iter("h1")), None)
        msg.title = cell_text(h1) if h1 is not None else clean_text(root.findtext(".//title") or "")
    msg.sources.append(msg.url)
    return msg


def _record_of(a: etree._Element, url: str, doc: Document) -> etree._Element | None:
    """The largest short ancestor of a link that links to nothing else (a message's whole box).

    Boards print a message as several lines (``<p>标题：…</p><p>留言时间：…</p>``) in one cell or div.
    """
    el = a.getparent()
    best = None
    while el is not None and el.tag not in ("body", "html"):
        if len(cell_text(el)) > _MAX_ROW_CHARS or any(u != url for _, u in _anchors(el, doc)):
            break
        best, el = el, el.getparent()
    return best


def _row_of(a: etree._Element) -> etree._Element | None:
    """The list row an anchor stands in (li, tr, dd, p, or a short enclosing element)."""
    el = a.getparent()
    while el is not None and el.tag not in _ROW_TAGS:
        el = el.getparent()
    if el is None:
        el = a.getparent()
    if el is None or len(cell_text(el)) > _MAX_ROW_CHARS:
        return None
    return el


def _list_messages(page: Page, groups: Groups, params: Mapping[str, Any], as_of: date) -> list[Message]:
    """Messages whose list row says something: table records, or rows with labelled dates."""
    doc = document(page)
    root = doc.root
    if root is None:
        return []
    out: list[Message] = []
    records = table_records(root, groups)
    for record in records:
        fields = {k: [v] for k, v in record.values.items()}
        out.append(_row_message(record.row, fields, doc, params, as_of))
    record_rows = {r.row for r in records}
    for a, url in _anchors(root, doc):
        row = _row_of(a)
        if row is None or (any(m.url == url for m in out) and (row.tag == "tr" or _within(row, record_rows))):
            continue
        fields = read_fields(row, groups)
        if not (fields.get("submitted") or fields.get("replied")):
            record = _record_of(a, url, doc)
            if record is not None and record is not row:
                row, fields = record, read_fields(record, groups)
        if fields.get("submitted") or fields.get("replied"):
            out.append(_row_message(row, fields, doc, params, as_of))
    return _number_alike([m for m in out if m.url or m.submitted])


def _within(el: etree._Element, ancestors: set[etree._Element]) -> bool:
    return el in ancestors or any(a in ancestors for a in el.iterancestors())


def _number_alike(messages: list[Message]) -> list[Message]:
    """Messages without a link, numbered among those alike (two letters alike are two letters)."""
    seen: dict[tuple[str, date | None], int] = {}
    for msg in messages:
        if msg.url is None:
            key = (squash(msg.title), msg.submitted)
            msg.repeat = seen.get(key, 0)
            seen[key] = msg.repeat + 1
    return messages


def _row_message(
    row: etree._Element, fields: Mapping[str, list[str]], doc: Document, params: Mapping[str, Any], as_of: date
) -> Message:
    msg = _message_from_fields(_with_badges(fields, row, params), cell_text(row), params, as_of)
    anchor = next(_anchors(row, doc), None)
    if anchor is not None:
        msg.url = anchor[1]
        msg.title = msg.title or cell_text(anchor[0])
    if msg.answered is None and msg.replied is None:
        msg.answered = _title_status(msg.title, params)
    msg.sources.append(doc.url)
    return msg


def _merge(into: Message, other: Message) -> None:
    """Complete a message with what another page says of it (first reply date wins)."""
    into.title = into.title or other.title
    into.submitted = into.submitted or other.submitted
    if other.replied and (into.replied is None or other.replied < into.replied):
        into.replied = other.replied
    into.unit = into.unit or other.unit
    if into.replied:
        into.answered = True
    elif into.answered is None:
        into.answered = other.answered
    into.sources.extend(s for s in other.sources if s not in into.sources)


def _key(msg: Message) -> tuple[Any, ...]:
    return ("url", msg.url) if msg.url else ("row", squash(msg.title), msg.submitted, msg.repeat)


def _looks_like_board(pages: list[Page], column: Column, groups: Groups, params: Mapping[str, Any]) -> bool:
    if column.items:
        return True
    words = [s for k in ("submitted", "replied", "unit") for s in groups.get(k, ()) if s]
    words += list(params.get("unanswered_markers", ())) + list(params.get("answered_markers", ()))
    for page in pages:
        root = document(page).root
        text = squash(" ".join(line.text for line in text_lines(root))) if root is not None else ""
        if any(w in text for w in words):
            return True
    return False


def read_board(
    crawl: CrawlResult, column: Column, checklist: Checklist, as_of: date, skip: Iterable[str] = ()
) -> Board:
    """Every message of a consultation column that its crawled list and detail pages show.

    ``skip``: URLs never read as a message (the other columns' pages, e.g. a 信访 board linked
    from the navigation).
    """
    params = checklist.params(BOARD_INDICATOR)
    groups = board_groups(params)
    next_texts = list(checklist.columns.get("next_page_texts", ()))
    pages = list_pages(crawl, column.url, next_texts)
    if not pages:
        problem = column.error or texts.COLUMN_NOT_FETCHED
        return Board(column, [], [], looks_like_board=False, problem=problem)
    found: dict[tuple[Any, ...], Message] = {}
    for page in pages:
        for msg in _list_messages(page, groups, params, as_of):
            _add(found, msg)
    # rows without a link are read once: by their labels above, else as the column's list items
    read_rows = any(m.url is None for m in found.values())
    for item in column.items:
        if item.url is None and read_rows:
            continue
        _add(found, Message(title=item.title, url=item.url, submitted=item.date, sources=[column.url], repeat=item.repeat,
                            answered=_title_status(item.title, params)))
    _read_details(crawl, pages, found, groups, params, as_of, set(skip) - {column.url})
    messages = list(found.values())
    board = Board(column, messages, [p.final_url or p.url for p in pages], False)
    board.looks_like_board = bool(messages) or _looks_like_board(pages, column, groups, params)
    return board


def _add(found: dict[tuple[Any, ...], Message], msg: Message) -> None:
    key = _key(msg)
    if key in found:
        _merge(found[key], msg)
    else:
        found[key] = msg


def _read_details(
    crawl: CrawlResult,
    pages: list[Page],
    found: dict[tuple[Any, ...], Message],
    groups: Groups,
    params: Mapping[str, Any],
    as_of: date,
    skip: set[str],
) -> None:
    """Read the detail page of every listed message, and of any other message linked from the list."""
    listed = {p.final_url or p.url for p in pages} | {p.url for p in pages} | skip
    candidates = [m.url for m in found.values() if m.url]
    for page in pages:
        root = document(page).root
        if root is not None:
            candidates += [u for _, u in _anchors(root, document(page))]
    for url in dict.fromkeys(candidates):
        page = _html_page(crawl, url) if url not in listed else None
        detail = read_detail(page, groups, params, as_of, found.get(("url", url))) if page is not None else None
        if detail is None:
            continue
        key = ("url", url)
        if key in found:
            _merge(found[key], detail)
        else:
            detail.url = url
            found[key] = detail
