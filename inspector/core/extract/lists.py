"""Dated list blocks of a page, found by structure rather than by any CMS's class names.

A *list block* is a container whose children (the *entries*) each hold one title and, for
most of them, a date: ``ul/ol > li``, ``table/tbody > tr``, ``dl > dt+dd``, or any repeated
sibling elements (``div``, ``p``, ``a``, inline runs split by ``<br>``). Every reader takes
the parsed page (:mod:`inspector.core.web.html`): links are resolved as the crawl resolves them.

- An entry's title is its title link's text; an entry needs no link of its own: text rows
  (a message list: ``标题 … 留言时间：2025-04-27``) are entries when the block repeats them.
  A title row followed by a row that is nothing but a date (``留言时间：2025-04-27``) is one
  entry, when the block repeats that pair.
- An entry's date is the first text segment outside its title link that is a date
  and little else (``2026-11-18``, ``[11-18]``, ``发布时间：2026-11-18 10:30``, and in a linked
  entry also ``20261118`` or a relative ``3天前`` / ``昨天 16:40``, whose element's own
  ``datetime`` / ``title`` / ``data-*`` attribute, when it holds a date, wins); a date that
  ends a period (``截止时间：…``) gives way to another the entry prints; failing that, a date
  ending the link text, then a date only in an attribute of the entry (``<span
  data-time="2026-11-18 10:00"></span>`` filled by a script), then a day-precise date in the
  link's URL (never an attachment's URL: a file is not a story). A printed date without its
  year (``[11-18]``) takes the year of the link's URL when the URL's date is that day, give or take a month.
- A semantic list (``ul``, ``ol``, ``dl``, ``table``, ``tbody``) is a block with a
  single dated entry (unless that date is labelled: an article's own 发布时间 line); other
  containers need at least two dated entries of the same tag. At least half of a block's
  entries must be dated, so menus (short undated links) never become blocks. Undated entries
  of a block are items dated ``None``.
- A detail page is not a list: an entry is short (``MAX_ENTRY_TEXT``; a whole article is not
  one), breadcrumb links (``首页 > 政务公开 > 通知公告``, ``当前位置：…``) are never titles.
- Blocks are found innermost first: an element holding a block is never an entry.
- A page that shows no date at all (e.g. www.gov.cn's homepage) is dated from its
  links' month-only URL segments (``/202309/content_1.htm`` -> the month's last
  day not after ``as_of``), with ``raw_date`` saying so.
- Items are stories, counted once per page (:func:`dedupe_items`): the same URL, or the same
  date and title (a title cut short with "…", or a 公文 title without its issuer,
  ``[发文机关]关于…的通知``, is the same title), keeping a dated copy over an undated one.
  Messages are the exception: two letters alike are two items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Iterator, Union
from weakref import WeakKeyDictionary

from lxml import etree

from inspector.core.checklist import Checklist, load_checklist
from inspector.core.extract.dates import (
    compact_date,
    date_from_url,
    find_dates,
    month_end,
    month_from_url,
    normalize,
    relative_date,
    usable,
)
from inspector.core.model import Item, Page
from inspector.core.web.html import Document, document, link_url, looks_like_file, parse, text_segments

Source = Union[Document, Page, str, bytes, None]

SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select", "option", "textarea"})
SEMANTIC_LISTS = frozenset({"ul", "ol", "dl", "table", "tbody"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
MAX_ENTRY_LINKS = 3  # an entry has one title link, maybe a tag/attachment link or two
MAX_LABEL_LEN = 16  # a block heading / tab label is short
MAX_ENTRY_TEXT = 400  # characters an entry shows at most (title, date, a summary): an article is no entry
MIN_TEXT_TITLE = 6  # a title without a link is a sentence, not a label (发布机构, 多云转晴)
MAX_TEXT_TITLE = 150
MIN_STORY_TITLES = 8  # mean title length of a list dated by URLs only: story titles, not menu labels
_DATE_RESIDUE = 6  # characters besides the date a date-only segment may hold ("发布时间：")
# an item's other facts printed on its date line ("发布时间：2026-11-18　浏览次数：1356", "来源：农业农村局 2026-11-18"):
# label, then one value without spaces; removed before the residue is counted
_ITEM_FIELD = re.compile(
    r"(?:信息来源|来源|作者|发布者|发布人|发布机构|发文机关|责任编辑|编辑|浏览次数|浏览量|浏览|阅读次数|阅读量|阅读数|阅读|"
    r"点击次数|点击量|点击数|点击率|点击|访问次数|访问量|字号)\s*[:：]\s*[^\s:：|｜]{0,24}"
)
# a date printed as a badge of two parts: the day, and the year and month (``18`` + ``2026-11``)
_BADGE_DAY = re.compile(r"^(\d{1,2})日?$")
_BADGE_YEAR_MONTH = re.compile(r"^(\d{4})\s*(?:[-./]|年)\s*(\d{1,2})月?$")
_BADGE_PART = 12  # characters of either part
# a year printed alone beside a yearless date (``11-18`` + ``2024``), or heading a group of a list (``2025年``)
_BARE_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年?$")
_YEAR_HEADING = re.compile(r"^((?:19|20)\d{2})\s*年度?$")
_LEADING_YEAR = re.compile(r"\d{4}")
_WEEKDAYS = "一二三四五六日天"  # Monday first; 星期日 and 星期天 are both Sunday
_WEEKDAY = re.compile(r"(?:星期|周|礼拜)([一二三四五六日天])")
# a detail page's links to its neighbours (上一篇：《…》) are navigation, never items
_NEIGHBOUR_LABEL = re.compile(r"(?:上|下|前|后)一(?:篇|条|则|个)\s*[:：]?\s*$")
_FIELD_LABEL = 10  # characters of a table cell that is a label (发布机构：, 生成日期：)
_FIELD_TEXT = 12  # a short segment opening with a label is a labelled value (留言人：李**)
_FIELD_PREFIX = re.compile(r"^[^:：]{1,6}[:：]")
_LABEL_QUALIFIER = 4  # characters before a date label in a label (留言提交 + 时间)
# Words beside a date that make it the page's clock (today's date, generation / update time,
# a lunar-calendar or weekday widget), never an item's publish date.
_PAGE_CLOCK = ("今天", "今日", "当前", "农历", "星期", "生成", "更新", "访问")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
# a printed date without its year (``11-18``, ``11月18日``), as find_dates returns its text
_YEARLESS_PRINTED = re.compile(r"^\d{1,2}\s*[-/月]")
_URL_YEAR_SLACK = timedelta(days=31)  # how far a URL's date may lie from the printed one and still give its year
# Words of a label naming the end of a period (征集截止时间, 有效期至, 报名结束日期): such a date
# is no publish date when the entry prints another.
_PERIOD_END = ("截止", "结束", "到期", "有效期", "失效", "废止")
# Attributes that may hold an entry's date when the page prints it by script or as a tooltip
# (``<time datetime=…>``, ``<span title="2026-11-18 10:21">3天前</span>``, ``data-time=…``).
_DATE_ATTRIBUTES = ("datetime", "title", "content")
_ATTRIBUTE_TEXT = 40  # characters of an attribute that is a date and little else
_DATED_ATTRIBUTES = etree.XPath("//*[@datetime or @title or @content or @*[starts-with(name(), 'data-')]]")
_RELATIVE_HINT = frozenset("前刚今昨")
_SITE_CLOCK = timezone(timedelta(hours=8))  # the sites print relative times on Beijing time
_PUNCT = re.compile(r"[\s\[\]()（）【】<>《》:：,，.。|/\\\-_~·'\"]+")
_WS = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
_TRAILING_BRACKETS = re.compile(r"[\s\[\]()（）【】\-—|]+$")
_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。{3,})$")
_LABEL_END = re.compile(r"[:：]$")
# breadcrumbs: a location label (当前位置：, 您现在所在的位置：) or links joined by ">" / "»"
_CRUMB_LABEL = re.compile(r"位置\s*[:：]")
_CRUMB_SEPARATOR = re.compile(r"^[\s>»›→＞〉]*[>»›→＞〉][\s>»›→＞〉]*$")
_CRUMB_TEXT = 160  # a breadcrumb is one short line
_LIST_CONTAINERS = frozenset({"ul", "ol", "dl", "table", "tbody"})
_ISSUER_PREFIX = 24  # characters an issuer (发文机关) before 关于 takes at most
_QUOTES = set("《》“”\"「」『』【】()（）")


@dataclass
class Block:
    """A dated list block of a page: its heading, its items and its 更多 (more) link."""

    heading: str
    items: list[Item] = field(default_factory=list)
    more_url: str | None = None
    title_link: tuple[str, str] | None = None  # (text, URL) of a box title that is a link, when there is no 更多


# --------------------------------------------------------------------------- helpers


def folded_text(text: str | None) -> str:
    """Whitespace-collapsed, NFKC-folded text without control characters."""
    return _WS.sub(" ", normalize(text or "")).strip()


def document_of(source: Source, page_url: str = "") -> Document | None:
    """The parsed page for a reader: a :class:`Document` as is, a Page's cached one, or text parsed."""
    if source is None:
        return None
    if isinstance(source, Document):
        return source
    if isinstance(source, Page):
        return document(source)
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    return parse(text, page_url)


def absolute_url(page_url: str, href: str | None) -> str | None:
    """``href`` resolved against the page exactly as the crawler keys pages (fragment removed);
    None for non-http(s) links. (The one normaliser: :func:`inspector.core.web.html.link_url`.)"""
    return link_url(href, page_url or "")


def tag_of(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def children(el: etree._Element) -> list[etree._Element]:
    """Element children that can show something (no scripts, styles, selects)."""
    return [c for c in el if tag_of(c) and tag_of(c) not in SKIP_TAGS]


def element_text(el: etree._Element) -> str:
    """Visible text of an element (scripts and styles skipped), cleaned."""
    return folded_text(" ".join(segments(el, with_tail=False)))


def segments(el: etree._Element, with_tail: bool) -> Iterator[str]:
    """Text nodes of ``el`` (and its tail) in reading order, skipping scripts/styles."""
    return text_segments(el, with_tail, SKIP_TAGS)


def postorder(el: etree._Element) -> Iterator[etree._Element]:
    """``el``'s visible descendants, children before their parent."""
    for child in children(el):
        yield from postorder(child)
    yield el


def anchor_text(a: etree._Element) -> str:
    """A link's title: its text, else its title attribute, else an image's alt."""
    text = _CJK_GAP.sub("", element_text(a))
    title = folded_text(a.get("title"))
    if title and (not text or _ELLIPSIS.search(text) and (len(title) > len(text) or title.startswith(_ELLIPSIS.sub("", text)))):
        return title  # (a title cut short with an ellipsis: the attribute holds it whole)
    if text:
        return text
    for img in a.iter("img"):
        alt = folded_text(img.get("alt"))
        if alt:
            return alt
    return ""


@lru_cache(maxsize=8)
def _default_checklist() -> Checklist:
    return load_checklist()


def more_texts(checklist: Checklist | None) -> tuple[str, ...]:
    """Link texts that lead from a block to its column (checklist ``columns.more_link_texts``)."""
    cl = checklist or _default_checklist()
    return tuple(folded_text(t) for t in cl.columns.get("more_link_texts", ()) if folded_text(t))


def is_more_link(text: str, texts: tuple[str, ...]) -> bool:
    """Is this link text a "more" link (更多, more, >>, 查看更多 ...)?"""
    t = folded_text(text).strip(" »>›")
    raw = folded_text(text)
    return bool(raw) and (raw in texts or t in texts or any(m in raw for m in texts if len(m) >= 2 and not m.isascii()))


_PAGE_NUMBER = re.compile(r"^[\[【(（]?\s*(?:第\s*)?\d{1,3}\s*(?:页)?\s*[\]】)）]?$")


def pagination_texts(checklist: Checklist | None) -> frozenset[str]:
    """Link texts of a pager (checklist ``columns.pagination_texts`` and ``next_page_texts``)."""
    cl = checklist or _default_checklist()
    words = [*cl.columns.get("pagination_texts", ()), *cl.columns.get("next_page_texts", ())]
    return frozenset(folded_text(t).lower() for t in words if folded_text(t))


def is_pagination(text: str, texts: frozenset[str]) -> bool:
    """Does a link text lead to another page of the same list (下一页, 尾页, 第3页, 2, [5], »)?"""
    t = folded_text(text)
    return bool(t) and (t.lower() in texts or t.strip("<>«»‹›[]【】 ").lower() in texts or bool(_PAGE_NUMBER.match(t)))



# --------------------------------------------------------------------------- breadcrumbs


def _short_text(el: etree._Element, limit: int) -> str | None:
    """The element's visible text if it is at most ``limit`` characters (stops reading early)."""
    parts: list[str] = []
    size = 0
    for seg in segments(el, with_tail=False):
        size += len(seg.strip())
        if size > limit:
            return None
        parts.append(seg)
    return folded_text(" ".join(parts))


def breadcrumb_anchors(root: etree._Element) -> set[etree._Element]:
    """Links of the page's breadcrumbs: links joined by ">" / "»" (``首页 > 政务公开 > 通知公告``), or
    after a location label (``当前位置：``, ``您现在所在的位置：``) in a short line.

    A separator before a lone link is a bullet (``» 标题``), not a breadcrumb.
    """
    out: set[etree._Element] = set()
    labelled: dict[etree._Element, bool] = {}
    for a in root.iter("a"):
        if _crumb_joined(a):
            out.add(a)
            continue
        el = a.getparent()
        for _ in range(3):
            if el is None or tag_of(el) in ("body", "html"):
                break
            if el not in labelled:
                text = _short_text(el, _CRUMB_TEXT)
                labelled[el] = bool(text) and bool(_CRUMB_LABEL.search(text[:20]))  # type: ignore[index]
            if labelled[el]:
                out.add(a)
                break
            if tag_of(el) in _LIST_CONTAINERS:
                break  # a list beside the location line (<div>当前位置：…</div><ul>…</ul>) is not the breadcrumb
            el = el.getparent()
    return out


def _crumb_joined(a: etree._Element) -> bool:
    """Is the link (or its wrapper) joined to a neighbouring link by a breadcrumb separator?"""
    node = a
    for _ in range(2):  # <span><a>首页</a></span> &gt; <span><a>…</a></span>
        parent = node.getparent()
        if parent is None or len(children(parent)) != 1 or folded_text(parent.text) or tag_of(parent) in ("li", "td", "body"):
            break
        node = parent
    nxt, prev = node.getnext(), node.getprevious()
    if nxt is not None and _CRUMB_SEPARATOR.match(node.tail or "") and (tag_of(nxt) == "a" or next(nxt.iter("a"), None) is not None):
        return True
    return prev is not None and _CRUMB_SEPARATOR.match(prev.tail or "") is not None and (
        tag_of(prev) == "a" or next(prev.iter("a"), None) is not None)


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
    labelled: bool = False  # the printed date carries a label (发布时间：…)
    message: bool = False  # the label is a message's (留言时间：…)
    linkless: bool = False  # a text row without a link of its own
    span: int = 1  # units it covers (a title row and its date row: 2)


@dataclass
class _Unit:
    """What one candidate entry (a child, a dt+dd pair, a <br> run) shows."""

    elements: list[etree._Element]
    entry: _Entry | None = None  # a linked entry (dated or not), or a dated text row
    title_only: str = ""  # text that could be a title, no date, no link
    date_only: tuple[date, str] | None = None  # nothing but a date (留言时间：2025-04-27)
    shows: bool = False  # any visible text at all


@dataclass
class _Context:
    """What the block finder needs to know about the page, computed once per extraction."""

    base: str
    as_of: date
    mores: tuple[str, ...]
    month_dates: bool
    crumbs: set[etree._Element]
    message_labels: tuple[str, ...]
    date_labels: tuple[str, ...]
    clock: date | None = None  # the day the page was fetched: what its relative times (3天前) count back from
    attribute_dates: dict[etree._Element, tuple[date, str]] | None = None  # elements with a date in an attribute


def date_only(segment: str, raw: str) -> bool:
    """Is ``segment`` the date ``raw`` and little else (a label, brackets, a time, the item's source or views)?"""
    rest = _ITEM_FIELD.sub("", _TIME.sub("", segment.replace(raw, "", 1)))
    return not any(w in rest for w in _PAGE_CLOCK) and len(_PUNCT.sub("", rest)) <= _DATE_RESIDUE


def badge_date(parts: list[str], as_of: date) -> tuple[date, str] | None:
    """A date printed in two neighbouring parts, the day and the year-month (``18`` / ``2026-11``, either order)."""
    for first, second in zip(parts, parts[1:]):
        for day_text, month_text in ((first, second), (second, first)):
            day, year_month = _BADGE_DAY.match(day_text), _BADGE_YEAR_MONTH.match(month_text)
            if day and year_month:
                try:
                    found = date(int(year_month[1]), int(year_month[2]), int(day[1]))
                except ValueError:
                    continue
                if usable(found, as_of):
                    return found, f"{month_text} {day_text}"
    return None


def yearless(raw: str) -> bool:
    """Does a printed date leave its year out (``11-18``, ``11月18日``)?"""
    return not _LEADING_YEAR.match(folded_text(raw))


def with_year(found: tuple[date, str], year: int, as_of: date, shown: str) -> tuple[date, str]:
    """A yearless date put in the year the page prints apart from it (else unchanged)."""
    try:
        full = found[0].replace(year=year)
    except ValueError:
        return found
    return (full, f"{shown} {found[1]}") if usable(full, as_of) else found


def _labelled_weekday_date(segment: str, holder: etree._Element | None, ctx: _Context) -> tuple[date, str] | None:
    """A date printed with its weekday (``2026年11月18日 星期三``) under a date label, inline (``发布时间：``) or
    as its table column's header: an item's date. (A weekday alone is no proof: a page clock prints one too.)"""
    text = folded_text(segment)
    m = _WEEKDAY.search(text)
    if not m or len(text) > 40:
        return None
    rest = (text[: m.start()] + text[m.end():]).strip()
    found = strong_date(rest, ctx.as_of)
    if not found or found[0].weekday() != min(_WEEKDAYS.index(m[1]), 6):
        return None
    label = _date_label(rest, found[1]) or _column_label(holder)
    return found if label and _is_date_label(label, ctx.date_labels) else None


def _year_beside(found: tuple[date, str], neighbours: list[str], as_of: date) -> tuple[date, str]:
    """A yearless date completed by the bare year printed right beside it (``11-18`` / ``2024``)."""
    if not yearless(found[1]):
        return found
    for text in neighbours:
        if m := _BARE_YEAR.match(text):
            return with_year(found, int(m[1]), as_of, text)
    return found


def strong_date(segment: str, as_of: date) -> tuple[date, str] | None:
    """The date a short segment consists of (e.g. ``[2026-11-18]``), or None."""
    seg = folded_text(segment)
    if not seg or len(seg) > 40:
        return None
    for d, raw in find_dates(seg, as_of):
        if date_only(seg, raw) and usable(d, as_of):
            return d, raw
        return None
    return None


def _date_label(segment: str, raw: str) -> str:
    """The label beside a date (``留言时间``), without punctuation and time."""
    return _PUNCT.sub("", _TIME.sub("", folded_text(segment).replace(raw, "", 1)))


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


def unit_links(
    unit: list[etree._Element], page_url: str, mores: tuple[str, ...], skip: set[etree._Element] = frozenset()  # type: ignore[assignment]
) -> list[tuple[etree._Element, str, str]]:
    """``(anchor, URL, text)`` of the title-like links of a unit (更多 links and ``skip`` anchors left out)."""
    links: list[tuple[etree._Element, str, str]] = []
    for el in unit:
        anchors = [el] if tag_of(el) == "a" else list(el.iter("a"))
        for a in anchors:
            if a in skip or _neighbour_link(a):
                continue
            url = link_url(a.get("href"), page_url)
            text = anchor_text(a)
            if url and text and not is_more_link(text, mores):
                links.append((a, url, text))
    return links


def _neighbour_link(a: etree._Element) -> bool:
    """A detail page's link to the previous or next article (``上一篇：<a>…</a>``, ``<a>下一篇：…</a>``)."""
    before, parent = a.getprevious(), a.getparent()
    if before is not None:
        label = before.tail if (before.tail or "").strip() else (before.text if len(before) == 0 else "")  # <span>上一条：</span>
    else:
        label = parent.text if parent is not None else ""
    label, own = (label or "").rstrip()[-8:], (a.text or "").lstrip()[:8]
    if "一" not in label and "一" not in own:  # (上一篇, 下一条: the cheap test first)
        return False
    own = re.split(r"[:：]", folded_text(own), maxsplit=1)[0]
    return bool(_NEIGHBOUR_LABEL.search(folded_text(label)) or _NEIGHBOUR_LABEL.search(own))


def _kind(el: etree._Element) -> str:
    classes = (el.get("class") or "").split()
    return f"{tag_of(el)}.{classes[0]}" if classes else tag_of(el)


def _analyze_unit(unit: list[etree._Element], ctx: _Context) -> _Unit:
    """What a group of sibling elements shows: an entry, a title without date, or only a date."""
    out = _Unit(unit)
    size = 0
    for el in unit:
        text = _short_text(el, MAX_ENTRY_TEXT - size)
        if text is None:
            return out  # too much text for an entry: an article, a whole region
        size += len(text)
        out.shows = out.shows or bool(text)
    if not out.shows:
        return out
    out.entry = _unit_entry(unit, ctx)
    if out.entry is not None:
        out.entry.kind = _kind(unit[0])
        return out
    if any(a in ctx.crumbs or a.get("href") and link_url(a.get("href"), ctx.base) for el in unit for a in el.iter("a")):
        return out  # a unit with links none of which is a title (更多, breadcrumbs): not a text row
    whole = folded_text(" ".join(s for el in unit for s in segments(el, with_tail=False)))
    found = strong_date(whole, ctx.as_of)
    if found:
        out.date_only = found
        return out
    out.entry = _text_entry(unit, ctx)
    if out.entry is not None:
        out.entry.kind = _kind(unit[0])
    else:
        out.title_only = _text_title(unit, ctx, None)
    return out


def _text_title(unit: list[etree._Element], ctx: _Context, date_segment: str | None) -> str:
    """The longest text of a unit that reads as a title (not a label, not the date)."""
    best = ""
    for el in unit:
        for seg in segments(el, with_tail=False):
            text = _CJK_GAP.sub("", folded_text(seg))
            if not text or text == date_segment or not (MIN_TEXT_TITLE <= len(text) <= MAX_TEXT_TITLE):
                continue
            if _LABEL_END.search(text) or _is_date_label(text, ctx.date_labels) or strong_date(text, ctx.as_of):
                continue
            if len(text) <= _FIELD_TEXT and _FIELD_PREFIX.match(text):
                continue  # a labelled value (留言人：李**), not a title
            if len(text) > len(best):
                best = text
    return best


def _is_date_label(text: str, labels: tuple[str, ...]) -> bool:
    """A column header or label naming a date (留言时间, 信件提交日期) — not a title that ends in one
    (咨询城乡居民医保缴费截止时间)."""
    return any(text.endswith(label) and len(text) - len(label) <= _LABEL_QUALIFIER for label in labels)


def _text_entry(unit: list[etree._Element], ctx: _Context) -> _Entry | None:
    """A text row: a title and, in another segment, its date (``<span>标题</span><span>留言时间：…</span>``).

    A row of label cells and value cells (``发布机构：｜…｜生成日期：｜2026-11-18``: a document's
    metadata table) is not one."""
    shown = [text for el in unit for seg in segments(el, with_tail=False) if (text := folded_text(seg))]
    labels = sum(1 for text in shown if len(text) <= _FIELD_LABEL and _LABEL_END.search(text))
    if labels >= 2 and 2 * labels >= len(shown):  # every value beside its label: no title of its own
        return None
    for el in unit:
        for seg in segments(el, with_tail=False):
            found = strong_date(seg, ctx.as_of)
            if not found:
                continue
            title = _text_title(unit, ctx, folded_text(seg))
            if not title:
                return None
            return _dated(_Entry(title, None, found[0], found[1], True, tag_of(unit[0]), linkless=True), seg, found[1], ctx)
    return None


def _dated(entry: _Entry, segment: str, raw: str, ctx: _Context) -> _Entry:
    """Mark an entry whose printed date carries a label (and whether it is a message's)."""
    label = _date_label(segment, raw)
    entry.labelled = bool(label)
    entry.message = bool(label) and any(m in label for m in ctx.message_labels)
    return entry


def _unit_entry(unit: list[etree._Element], ctx: _Context) -> _Entry | None:
    links = unit_links(unit, ctx.base, ctx.mores, ctx.crumbs)
    if not links or len({u for _, u, _ in links}) > MAX_ENTRY_LINKS:
        return None
    title_a, url, title = max(links, key=lambda t: len(t[2]))
    inside = set(title_a.iter())
    short: list[str] = []  # the unit's short texts, for a date printed in two parts
    shown: list[str] = []  # every text of the unit outside the title link, in order
    printed: list[tuple[str, tuple[date, str], etree._Element | None, int]] = []  # (segment, date, where, index in shown)
    loose: list[tuple[str, tuple[date, str], etree._Element | None, int]] = []  # 20261118, 3天前: when nothing else
    for el in unit:
        for seg, holder in _placed_segments(el, inside):
            if not (text := seg.strip()):
                continue
            found = strong_date(seg, ctx.as_of) or _labelled_weekday_date(seg, holder, ctx)
            if found:
                printed.append((seg, found, holder, len(shown)))
            elif (other := _loose_date(seg, holder, ctx)) is not None:
                loose.append((seg, other, holder, len(shown)))
            elif not printed and len(text) <= _BADGE_PART:
                short.append(folded_text(text))
            shown.append(folded_text(text))
    printed = printed or loose
    if printed:
        seg, found, _, index = _publish_date(printed, ctx.date_labels)
        found = _year_beside(found, [shown[j] for j in (index - 1, index + 1) if 0 <= j < len(shown)], ctx.as_of)
        found = _year_from_url(found, url, ctx.as_of)
        return _dated(_Entry(title, url, found[0], found[1], True, tag_of(unit[0])), seg, found[1], ctx)
    badge = badge_date(short, ctx.as_of) if len(short) > 1 else None
    if badge:
        return _Entry(title, url, badge[0], badge[1], True, tag_of(unit[0]))
    for seg in segments(title_a, with_tail=False):
        inner = strong_date(seg, ctx.as_of) or _loose_date(seg, None, ctx)
        if inner and folded_text(seg) != title:
            inner = _year_from_url(inner, url, ctx.as_of)
            return _Entry(folded_text(title.replace(folded_text(seg), "")) or title, url, inner[0], inner[1], True, tag_of(unit[0]))
    trailing = _trailing_date(title, ctx.as_of)
    if trailing:
        d, raw = _year_from_url(trailing[:2], url, ctx.as_of)
        return _Entry(trailing[2] or title, url, d, raw, True, tag_of(unit[0]))
    attribute = _attribute_date(unit, ctx)
    if attribute:
        return _Entry(title, url, attribute[0], attribute[1], True, tag_of(unit[0]))
    return _url_entry(title, url, ctx.as_of, ctx.month_dates, tag_of(unit[0]))


def _loose_date(segment: str, holder: etree._Element | None, ctx: _Context) -> tuple[date, str] | None:
    """A linked entry's date in a shape that is a date only there, and only when it prints no other: eight
    digits alone (``20261118``; not in a table column headed otherwise, 受理编号), or a relative time
    (``3天前``, ``昨天 16:40``) — for which a date in its element's attributes wins
    (``<time datetime="2026-11-17T10:00">3天前</time>``: the page's own clock, not ``as_of``, made the text)."""
    text = segment.strip()
    if not text or len(text) > 20 or not (text[-1].isdigit() or _RELATIVE_HINT.intersection(text) or text[-1] in "])】"):
        return None  # (the cheap test first: the shapes end in a digit or a bracket, or name a relative day)
    found = compact_date(text, ctx.as_of)
    if found:
        header = _column_label(holder)
        return found if usable(found[0], ctx.as_of) and (not header or _is_date_label(header, ctx.date_labels)) else None
    found = relative_date(text, ctx.clock or ctx.as_of)
    if found is None or not usable(found[0], ctx.as_of):
        return None
    return (_attributes_date(holder, ctx.as_of) if holder is not None else None) or found


def _attributes_date(el: etree._Element, as_of: date) -> tuple[date, str] | None:
    """A full date one of the element's attributes holds and little else (``datetime``, ``title`` — not a
    link's or an image's, which is a title —, ``content``, ``data-*``), or None."""
    tag = tag_of(el)
    for name, value in el.items():
        if not (name in _DATE_ATTRIBUTES or name.startswith("data-")) or (name == "title" and tag in ("a", "img")):
            continue
        if not value or len(value) > _ATTRIBUTE_TEXT or not any(c.isdigit() for c in value[:4]):
            continue
        found = strong_date(value, as_of)
        if found and not yearless(found[1]):
            return found
    return None


def _attribute_date(unit: list[etree._Element], ctx: _Context) -> tuple[date, str] | None:
    """A date an entry holds only in an attribute (``<span class="time" data-time="2026-11-18 10:00"></span>``
    filled in by a script, ``<time datetime=…>``): the first one among the entry's elements, in document order."""
    if ctx.attribute_dates is None:  # the page's elements with such a date, found once
        root = unit[0].getroottree().getroot()
        ctx.attribute_dates = {
            node: found for node in _DATED_ATTRIBUTES(root)
            if (found := _attributes_date(node, ctx.as_of))
            and not any(tag_of(a) in SKIP_TAGS for a in (node, *node.iterancestors()))
        }
    if not ctx.attribute_dates:
        return None
    for el in unit:
        for node in el.iter():
            if node in ctx.attribute_dates:
                return ctx.attribute_dates[node]
    return None


def _year_from_url(found: tuple[date, str], url: str, as_of: date) -> tuple[date, str]:
    """A printed date without its year (``[11-18]``) in the year of the link's URL, when the URL carries a
    date within ``_URL_YEAR_SLACK`` of it in that year (``/art/2024/11/18/…``; a CMS may stamp the URL on
    the day it drafted the story) or the same month (``/202411/…``): an old list's ``11-18`` is not this year's."""
    if not _YEARLESS_PRINTED.match(found[1]):
        return found
    d = date_from_url(url, as_of)
    ym = (d.year, d.month) if d is not None else month_from_url(url, as_of)
    if ym is None:
        return found
    for year in (ym[0], ym[0] + 1, ym[0] - 1) if d is not None else (ym[0],):  # (drafted in December, out in January)
        try:
            full = found[0].replace(year=year)
        except ValueError:
            continue
        near = abs(full - d) <= _URL_YEAR_SLACK if d is not None else ym[1] == full.month
        if near:
            return (full, found[1]) if usable(full, as_of) else found
    return found


def _url_entry(title: str, url: str, as_of: date, month_dates: bool, tag: str) -> _Entry:
    if looks_like_file(url):  # an attachment's upload date is not a story's
        return _Entry(title, url, None, "", False, tag)
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
    return (seg for seg, _ in _placed_segments(el, inside))


def _placed_segments(el: etree._Element, inside: set[etree._Element]) -> Iterator[tuple[str, etree._Element | None]]:
    """:func:`_outside_segments` with the element each segment shows in (a tail: its parent)."""
    if el in inside:
        if el.tail and el.getparent() not in inside:
            yield el.tail, el.getparent()
        return
    if tag_of(el) not in SKIP_TAGS:
        if el.text:
            yield el.text, el
        for child in el:
            yield from _placed_segments(child, inside)
    if el.tail:
        yield el.tail, el.getparent()


def _column_label(holder: etree._Element | None) -> str:
    """The header of the table column a table cell's text shows in (``发布日期``), else "".

    The header is the table's first row when it has as many cells as this row and no link."""
    cell = holder
    while cell is not None and tag_of(cell) not in ("td", "th"):
        cell = cell.getparent()
    row = cell.getparent() if cell is not None else None
    if row is None or tag_of(row) != "tr":
        return ""
    table = row.getparent()
    if table is not None and tag_of(table) in ("tbody", "thead", "tfoot"):
        table = table.getparent()
    if table is None or tag_of(table) != "table":
        return ""
    header = next((r for r in table.iter("tr")), None)
    if header is None or header is row or next(header.iter("a"), None) is not None:
        return ""
    heads = [c for c in children(header) if tag_of(c) in ("td", "th")]
    cells = [c for c in children(row) if tag_of(c) in ("td", "th")]
    if len(heads) != len(cells):
        return ""
    return _PUNCT.sub("", folded_text(element_text(heads[cells.index(cell)])))


def _publish_date(
    printed: list[tuple[str, tuple[date, str], etree._Element | None, int]], labels: tuple[str, ...]
) -> tuple[str, tuple[date, str], etree._Element | None, int]:
    """The date that dates an entry printing several: the first, unless it is labelled (inline, or by its
    table column's header) and another one carries a label the checklist ranks before it (``成文日期`` |
    ``发布日期``: the publish date), or it ends a period (``截止时间：…``) and another is unlabelled or
    carries one of the checklist's labels."""
    if len(printed) < 2:
        return printed[0]

    def label_of(candidate: tuple[str, tuple[date, str], etree._Element | None, int]) -> str:
        seg, (_, raw), holder, _ = candidate
        return _date_label(seg, raw) or _column_label(holder)

    def rank(candidate: tuple[str, tuple[date, str], etree._Element | None, int]) -> int | None:
        label = label_of(candidate)
        return labels.index(label) if label in labels else None

    first = rank(printed[0])
    if first is None:
        if any(w in label_of(printed[0]) for w in _PERIOD_END):
            return next((c for c in printed[1:] if (lab := label_of(c)) in labels or not lab), printed[0])
        return printed[0]
    ranked = [(r, i) for i, c in enumerate(printed) if (r := rank(c)) is not None]
    return printed[min(ranked)[1]]


def _units(container: etree._Element) -> list[list[etree._Element]]:
    """The candidate entries of a container: children, dt+dd pairs, or <br>-separated runs."""
    kids = children(container)
    tags = [tag_of(k) for k in kids]
    if tag_of(container) == "dl" and tags.count("dt") >= 2 and abs(tags.count("dt") - tags.count("dd")) <= 1:
        units: list[list[etree._Element]] = []
        for k in kids:
            if tag_of(k) == "dt" or not units:
                units.append([k])
            else:
                units[-1].append(k)
        return units
    if tags.count("br") >= 2 and tags.count("a") >= 2:
        runs: list[list[etree._Element]] = [[]]
        for k in kids:
            if tag_of(k) == "br":
                runs.append([])
            else:
                runs[-1].append(k)
        return [r for r in runs if r]
    if tag_of(container) == "table":
        return [[r] for k in kids if tag_of(k) in ("tbody", "thead", "tfoot") for r in children(k)] + [
            [k] for k in kids if tag_of(k) == "tr"
        ]
    return [[k] for k in kids if tag_of(k) != "br"]


def _paired(units: list[_Unit], ctx: _Context) -> list[_Entry]:
    """The entries of a container's units, a title row and the date row under it made one entry.

    Pairs count only when the container repeats them (two or more): a lone date under a heading
    is an article's date line, not a list.
    """
    pairs = [
        i for i in range(1, len(units))
        if units[i].date_only and units[i - 1].date_only is None
        and (units[i - 1].title_only or (units[i - 1].entry is not None and not units[i - 1].entry.visible))  # type: ignore[union-attr]
    ]
    if len(pairs) < 2:
        return [u.entry for u in units if u.entry is not None]
    starts = {i - 1 for i in pairs}
    entries: list[_Entry] = []
    for i, unit in enumerate(units):
        if i in starts:
            head, (d, raw) = unit, units[i + 1].date_only  # type: ignore[misc]
            kind = _kind(head.elements[0])
            if head.entry is not None:
                entry = _Entry(head.entry.title, head.entry.url, d, raw, True, head.entry.tag, kind, span=2)
            else:
                entry = _Entry(head.title_only, None, d, raw, True, tag_of(head.elements[0]), kind, linkless=True, span=2)
            entries.append(_dated(entry, " ".join(s for el in units[i + 1].elements for s in segments(el, False)), raw, ctx))
        elif i - 1 not in starts and unit.entry is not None:
            entries.append(unit.entry)
    return entries


# --------------------------------------------------------------------------- blocks


@dataclass
class _RawBlock:
    container: etree._Element
    entries: list[_Entry]


def _find_raw_blocks(root: etree._Element, ctx: _Context) -> list[_RawBlock]:
    blocks: list[_RawBlock] = []
    holds_block: set[etree._Element] = set()
    body = root.find(".//body")
    start = body if body is not None else root
    for container in postorder(start):
        parent = container.getparent()
        if tag_of(container) in ("tbody", "thead") and parent is not None and tag_of(parent) == "table":
            continue  # the table evaluates its rows
        units = [_analyze_unit(unit, ctx) for unit in _units(container) if not any(el in holds_block for el in unit)]
        entries = _paired(units, ctx)
        if entries and _message_table(container, ctx):
            for entry in entries:
                entry.message = True
        block_entries = _block_entries(container, entries, units, ctx.month_dates)
        if block_entries:
            blocks.append(_RawBlock(container, block_entries))
            el: etree._Element | None = container
            while el is not None:
                holds_block.add(el)
                el = el.getparent()
    blocks.sort(key=lambda b: _doc_index(b.container))
    return blocks


def _message_table(container: etree._Element, ctx: _Context) -> bool:
    """A table whose header row names a message label (标题 | 留言时间 | 状态)."""
    if tag_of(container) != "table":
        return False
    first = next(container.iter("tr"), None)
    header = _short_text(first, 200) if first is not None else None
    return bool(header) and any(m in header.replace(" ", "") for m in ctx.message_labels)  # type: ignore[union-attr]


def _doc_index(el: etree._Element) -> int:
    return el.sourceline or 0


def _block_entries(container: etree._Element, entries: list[_Entry], units: list[_Unit], url_dated: bool) -> list[_Entry]:
    """The entries that make ``container`` a dated list block (empty if it is not one).

    ``url_dated`` False: only printed dates make a block (URL dates then only fill
    in entries of a block); True (a page printing no date): URL dates do too.
    """
    dated = [e for e in entries if e.date is not None and (url_dated or e.visible)]
    if not dated:
        return []
    # entries of a semantic list share their tag; elsewhere (div > div, body > div) they also
    # share their first class, so unlike boxes (a header bar and a footer) never make a list
    semantic = tag_of(container) in SEMANTIC_LISTS
    key = (lambda e: e.tag) if semantic else (lambda e: e.kind)
    counts: dict[str, int] = {}
    for e in dated:
        counts[key(e)] = counts.get(key(e), 0) + 1
    kind = max(counts, key=lambda t: counts[t])
    same = [e for e in entries if key(e) == kind]
    n_dated = sum(1 for e in same if e.date is not None)
    if any(e.linkless for e in same):
        # text rows are a list only when the container is mostly made of them (a paragraph with a
        # signature date in an article is not)
        shown = sum(1 for u in units if u.shows and (tag_of(u.elements[0]) if semantic else _kind(u.elements[0])) == kind)
        if n_dated < 2 or 2 * sum(e.span for e in same) < shown:
            return []
    # a semantic list, or a wrapper holding nothing but its entries, may list a single story;
    # elsewhere a lone dated element (a featured headline beside a list) is not a list
    url_only = not any(e.visible for e in same)
    single_ok = semantic or (_list_wrapper(container) and not url_only)
    if counts[kind] < (1 if single_ok else 2) or 2 * n_dated < len(same):
        return []
    if url_only and sum(len(story_key(e.title)) for e in same) < MIN_STORY_TITLES * len(same):
        return []  # dated by their URLs only, short labels are a menu (关于本网 | 联系我们), not stories
    if len(same) == 1 and same[0].labelled:
        return []  # a lone "发布时间：…" line beside a link: an article's date line, not a list
    return same


def _list_wrapper(container: etree._Element) -> bool:
    """A wrapper holding one entry and nothing else, itself neither repeated nor a lone child.

    (``div.list > div.item`` with one story qualifies; ``div.item > div.title > a`` does not.)
    """
    parent = container.getparent()
    return (
        len(children(container)) == 1
        and len(_peers(container)) == 1
        and parent is not None
        and len(children(parent)) > 1
    )


def _label_texts(el: etree._Element, mores: tuple[str, ...]) -> list[str]:
    """Short label texts (headings, tab links, short text) an element offers as a heading."""
    if tag_of(el) in HEADING_TAGS:
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
    for strip in (el, *el.iter("ul", "ol")):  # the strip itself, or its list beside a 更多 (<ul><li>…</li></ul><a>更多</a>)
        tabs = [t for t in (element_text(c) for c in children(strip)) if not is_more_link(t, mores)]
        if len(tabs) >= 2 and all(0 < len(t) <= MAX_LABEL_LEN for t in tabs):
            return tabs  # a tab strip of plain labels (<li>要闻</li><li>公告</li>)
    more_anchors = {a for a in el.iter("a") if is_more_link(anchor_text(a), mores)}
    text = folded_text(" ".join(_outside_segments(el, {d for a in more_anchors for d in a.iter()})))
    return [text] if 0 < len(text) <= MAX_LABEL_LEN and not is_more_link(text, mores) else []


def _peers(el: etree._Element, blocks: list[etree._Element] | None = None) -> list[etree._Element]:
    """``el`` and its siblings of the same tag and first class (tab panes, repeated boxes).

    With ``blocks`` (the page's block containers), only siblings holding a block count: a
    heading table before a list table is not a pane.
    """
    parent = el.getparent()
    if parent is None:
        return [el]
    peers = [c for c in children(parent) if _kind(c) == _kind(el)]
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
    heading = _own_heading(container) or _heading_row(container, mores, as_of)
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


def _title_link(
    container: etree._Element, page_url: str, as_of: date, mores: tuple[str, ...], others: list[etree._Element], levels: int = 5
) -> tuple[str, str] | None:
    """The box title's link when the title is a link (``<h3><a href="/tzgg/">通知公告</a></h3>`` over the list, no 更多):
    the nearest heading element before the list (or the list's own) whose whole text is one short link.

    Only a heading element counts (a button beside it, 我要写信, is no title); whether the link is the box's column
    is for the caller to judge (the linked page must list the box's stories).
    """
    el = container
    for _ in range(levels):
        if el.getparent() is None or (el is not container and _holds_other(el, others, [container])):
            return None
        firsts = [c for c in children(el) if tag_of(c) in HEADING_TAGS] if el is container else []
        for prev in [*firsts, *_preceding(el)]:
            if not _date_only_free(prev, as_of):
                return None
            heads = [prev] if tag_of(prev) in HEADING_TAGS else list(prev.iter(*HEADING_TAGS))
            if not heads:
                if _label_texts(prev, mores):
                    return None  # a label row that is no heading element: no title link
                continue
            anchors = list(heads[0].iter("a"))
            text = element_text(heads[0])
            if len(anchors) != 1 or anchor_text(anchors[0]) != text or not 0 < len(text) <= MAX_LABEL_LEN:
                return None
            url = link_url(anchors[0].get("href"), page_url)
            return (text, url) if url and not is_more_link(text, mores) else None
        el = el.getparent()
    return None


def _own_heading(container: etree._Element) -> str:
    """A heading element (h1-h6) that is a direct child of the block container."""
    for child in children(container):
        if tag_of(child) in HEADING_TAGS:
            text = element_text(child)
            if 0 < len(text) <= MAX_LABEL_LEN:
                return text
    return ""


def _heading_row(container: etree._Element, mores: tuple[str, ...], as_of: date) -> str:
    """The list's title as its own first row (old table layouts: ``<tr><td><b>通知公告</b> <a>more</a></td></tr>``
    over the item rows): a short line with no date whose only link, if any, is its 更多."""
    rows = children(container)
    if tag_of(container) == "table" and rows and tag_of(rows[0]) == "tbody":
        rows = children(rows[0])
    if len(rows) < 2:
        return ""
    first = rows[0]
    cells = [c for c in children(first) if tag_of(c) in ("td", "th") and element_text(c)]
    if any(tag_of(c) == "th" for c in cells) or sum(1 for c in cells if not _only_more(c, mores)) > 1:
        return ""  # a table's header row (标题 | 发布日期), not its title
    links = [a for a in first.iter("a") if not is_more_link(anchor_text(a), mores)]
    texts = [t for a in first.iter("a") for t in segments(a, with_tail=False)]
    shown = element_text(first)
    for t in texts:  # the 更多 link's own words are not the title
        shown = shown.replace(folded_text(t), "", 1)
    shown = shown.strip(" >»·|")
    if links or not shown or len(shown) > MAX_LABEL_LEN or find_dates(shown, as_of):
        return ""
    return shown


def _only_more(cell: etree._Element, mores: tuple[str, ...]) -> bool:
    return is_more_link(element_text(cell), mores)


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
    return not any(strong_date(seg, as_of) for seg in segments(el, with_tail=False))


def _preceding(el: etree._Element) -> Iterator[etree._Element]:
    prev = el.getprevious()
    while prev is not None:
        if tag_of(prev) and tag_of(prev) not in SKIP_TAGS and tag_of(prev) != "br":
            yield prev
        prev = prev.getprevious()


def _more_link(el: etree._Element, page_url: str, mores: tuple[str, ...], index: int, panes: int) -> str | None:
    """A 更多 link inside ``el``; with several (one per tab pane), the pane's own."""
    found: list[str] = []
    for a in el.iter("a"):
        text = anchor_text(a) if len(a) else folded_text(a.text)
        if len(text) > MAX_LABEL_LEN:
            continue
        parent = a.getparent()
        marker = " ".join((a.get("class") or "", (parent.get("class") or "") if parent is not None else "")).lower()
        if is_more_link(text, mores) or (not text and "more" in marker):
            url = link_url(a.get("href"), page_url)
            if url:
                found.append(url)
    if not found:
        return None
    if len(found) == panes and index < len(found):
        return found[index]
    # one 更多 for a tab box whose script points it at the pane shown: the first pane's, no other's
    return found[0] if index == 0 or len(found) != 1 else None


def _in_heading_year(entries: list[_Entry], heading: str, as_of: date) -> list[_Entry]:
    """A list grouped by year under headings (``2025年`` / ``2024年``) prints its dates without the year:
    they are in the heading's year."""
    m = _YEAR_HEADING.match(folded_text(heading))
    if not m:
        return entries
    for e in entries:
        if e.visible and e.date is not None and yearless(e.raw):
            e.date, e.raw = with_year((e.date, e.raw), int(m[1]), as_of, m[0])
    return entries


def _to_items(entries: list[_Entry]) -> list[Item]:
    items: list[Item] = []
    seen: dict[tuple[str, date | None], int] = {}
    for e in entries:
        item = Item(title=e.title, url=e.url, date=e.date, raw_date=e.raw, message=e.message)
        if e.message and e.url is None:  # two letters alike in one list are two letters
            key = (story_key(e.title), e.date)
            item.repeat = seen.get(key, 0)
            seen[key] = item.repeat + 1
        items.append(item)
    return items


def _has_visible_dates(blocks: list[_RawBlock]) -> bool:
    return any(e.visible and e.date is not None for b in blocks for e in b.entries)


def _context(doc: Document, as_of: date, checklist: Checklist | None, month_dates: bool) -> _Context:
    cl = checklist or _default_checklist()
    date_labels = tuple(folded_text(t) for t in cl.columns.get("date_labels", ()) if folded_text(t))
    board = cl.indicators.get("poor-interaction")
    submitted = [folded_text(t) for t in (board.params if board else {}).get("submitted_labels", ()) if folded_text(t)]
    assert doc.root is not None
    return _Context(
        base=doc.base,
        as_of=as_of,
        mores=more_texts(checklist),
        month_dates=month_dates,
        crumbs=breadcrumb_anchors(doc.root),
        message_labels=tuple(t for t in submitted if t not in date_labels),  # 留言时间, not 发布时间
        date_labels=date_labels,
    )


def fetch_day(page: Page) -> date | None:
    """The day (Beijing time) a page was fetched, from its ``fetched_at``; None when unknown."""
    try:
        when = datetime.fromisoformat(page.fetched_at) if page.fetched_at else None
    except ValueError:
        return None
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(_SITE_CLOCK).date()


# the blocks read of a parsed page, by what they were read with: a page read early (the homepage, while the
# crawl goes on: runner.py) is not read again; a page whose text the browser replaced is a new Document
_BLOCKS: WeakKeyDictionary[Document, tuple[str, date, Checklist | None, date | None, list[Block]]] = WeakKeyDictionary()


def extract_blocks(source: Source, page_url: str, as_of: date, checklist: Checklist | None = None) -> list[Block]:
    """The dated list blocks of a page, in document order, with heading and 更多 link."""
    doc = document_of(source, page_url)
    root = doc.root if doc is not None else None
    if doc is None or root is None:
        return []
    clock = fetch_day(source) if isinstance(source, Page) else None
    known = _BLOCKS.get(doc)
    if known is not None and known[:2] == (page_url, as_of) and known[2] is checklist and known[3] == clock:
        return list(known[4])
    blocks = _read_blocks(doc, root, page_url, as_of, checklist, clock)
    _BLOCKS[doc] = (page_url, as_of, checklist, clock, blocks)
    return list(blocks)


def blocks_of_text(html: str, page_url: str, encoding: str | None, as_of: date, checklist: Checklist | None,
                   clock: date | None) -> list[Block]:
    """:func:`extract_blocks` of a page given as its text, encoding and fetch day (what another process,
    :meth:`inspector.core.web.readers.Readers.call`, is sent): the page parsed as :func:`document` parses it."""
    doc = parse(html, page_url, encoding)
    root = doc.root
    return [] if root is None else _read_blocks(doc, root, page_url, as_of, checklist, clock)


def remember_blocks(page: Page, html: str, page_url: str, as_of: date, checklist: Checklist | None,
                    blocks: list[Block]) -> None:
    """Keep ``blocks`` (:func:`blocks_of_text` of ``html``, read elsewhere) as the page's: what
    :func:`extract_blocks` then gives for the same page, URL, day and checklist — unless the page's text
    is no longer ``html`` (the browser's rendering replaced it meanwhile)."""
    if page.html is html:
        _BLOCKS[document(page)] = (page_url, as_of, checklist, fetch_day(page), list(blocks))


def _read_blocks(doc: Document, root: etree._Element, page_url: str, as_of: date, checklist: Checklist | None,
                 clock: date | None) -> list[Block]:
    ctx = _context(doc, as_of, checklist, month_dates=False)
    ctx.clock = clock
    raw = _find_raw_blocks(root, ctx)
    if not _has_visible_dates(raw):
        ctx.month_dates = True
        raw = _find_raw_blocks(root, ctx)
    blocks: list[Block] = []
    containers = [rb.container for rb in raw]
    for rb in raw:
        others = [c for c in containers if c is not rb.container]
        heading, more = _heading_and_more(rb.container, doc.base, as_of, ctx.mores, others)
        title = None if more else _title_link(rb.container, doc.base, as_of, ctx.mores, others)
        blocks.append(Block(heading=heading, items=_to_items(_in_heading_year(rb.entries, heading, as_of)), more_url=more,
                            title_link=title))
    return blocks


# --------------------------------------------------------------------------- stories


def story_key(title: str) -> str:
    """A title as a story key: no whitespace, no closing ellipsis."""
    return _ELLIPSIS.sub("", re.sub(r"\s+", "", title))


def same_story_title(a: str, b: str) -> bool:
    """Do two list titles (of items with the same date) name the same story?

    Equal (whitespace aside); one cut short with an ellipsis (``…迁...``) and the other going on;
    or a 公文 title listed with and without its issuer (``北京市住房资金管理中心关于…的通知`` and
    ``关于…的通知``). A title that only quotes another (``《…的通知》政策解读``) is another story.
    """
    ka, kb = story_key(a), story_key(b)
    if ka == kb:
        return bool(ka)
    (short, short_raw), (long, _) = sorted(((ka, a), (kb, b)), key=lambda t: len(t[0]))
    if len(short) < MIN_TEXT_TITLE:
        return False
    if _ELLIPSIS.search(short_raw.strip()) and long.startswith(short):
        return True
    issuer = long[: len(long) - len(short)]
    return (
        short.startswith("关于") and long.endswith(short) and len(issuer) <= _ISSUER_PREFIX
        and not any(c in _QUOTES for c in issuer)
    )


def dedupe_items(items: list[Item]) -> list[Item]:
    """Items counted once, as stories: the same URL, or the same date and title (see
    :func:`same_story_title`); a dated copy replaces an undated one. Messages are never merged
    by title: a message with a link is its URL, one without is its title, date and place in its list.
    """
    out: list[Item] = []
    by_url: dict[str, int] = {}
    by_date: dict[date, list[int]] = {}
    by_key: dict[tuple[object, ...], int] = {}
    for item in items:
        index: int | None = by_url.get(item.url) if item.url else None
        if index is None and item.message and not item.url:
            index = by_key.get(("message", story_key(item.title), item.date, item.repeat))
        elif index is None and item.date is not None and not item.message:
            index = next((j for j in by_date.get(item.date, []) if not out[j].message
                          and same_story_title(out[j].title, item.title)), None)
        elif index is None and not item.url:
            index = by_key.get(("title", story_key(item.title)))
        if index is None:
            index = len(out)
            out.append(item)
        else:
            kept = out[index]
            if kept.date is None and item.date is not None:
                out[index] = item
            elif _ELLIPSIS.search(kept.title) and len(story_key(item.title)) > len(story_key(kept.title)):
                kept.title = item.title  # the whole title over the one cut short
        _register(out[index], index, item, by_url, by_date, by_key)
    return out


def _register(
    kept: Item, index: int, item: Item, by_url: dict[str, int], by_date: dict[date, list[int]],
    by_key: dict[tuple[object, ...], int],
) -> None:
    for url in {kept.url, item.url}:
        if url:
            by_url.setdefault(url, index)
    if kept.date is not None and index not in by_date.setdefault(kept.date, []):
        by_date[kept.date].append(index)
    if kept.message and not kept.url:
        by_key.setdefault(("message", story_key(kept.title), kept.date, kept.repeat), index)
    elif not kept.url:
        by_key.setdefault(("title", story_key(kept.title)), index)


def extract_items(source: Source, page_url: str, as_of: date, checklist: Checklist | None = None) -> list[Item]:
    """Every list item of a page (dated or not), each story once."""
    return dedupe_items([i for b in extract_blocks(source, page_url, as_of, checklist) for i in b.items])


# --------------------------------------------------------------------------- pages


_META_DATE_NAMES = ("pubdate", "publishdate", "publishtime", "firstpublishedtime", "article:published_time")


def _label_pattern(label: str) -> re.Pattern[str]:
    chars = [re.escape(c) for c in folded_text(label) if not c.isspace()]
    return re.compile(r"\s*".join(chars) + r"\s*[:：]?\s*")


def _body_text(root: etree._Element) -> str:
    body = root.find(".//body")
    return folded_text(" ".join(segments(body if body is not None else root, with_tail=False)))


def detail_date(source: Source, url: str, checklist: Checklist, as_of: date) -> date | None:
    """A detail page's publish date: after a label (发布时间 / 发 布 日 期 ...), else meta, else URL."""
    doc = document_of(source, url)
    root = doc.root if doc is not None else None
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


def placeholder_in(source: Source, checklist: Checklist) -> str | None:
    """The blank-column placeholder (暂无信息, 正在建设中 ...) the page shows outside links, if any."""
    doc = document_of(source)
    root = doc.root if doc is not None else None
    if root is None:
        return None
    body = root.find(".//body")
    texts = [folded_text(s) for s in _outside_segments(body if body is not None else root, set(root.iter("a")))]
    joined = " ".join(t for t in texts if t)
    for ph in checklist.columns.get("blank_placeholders", ()):
        if ph and ph in joined:
            return ph
    return None


def blank_page(source: Source, checklist: Checklist, as_of: date | None = None) -> bool:
    """Does the page's list show nothing but a placeholder (暂无信息 ...)?

    True when the page has no list item at all and shows one of the checklist's
    ``blank_placeholders`` (outside links, so a nav link named 建设中 does not count).
    """
    ref = as_of or date.today()
    doc = document_of(source, "http://placeholder.invalid/")
    return not extract_items(doc, "http://placeholder.invalid/", ref, checklist) and placeholder_in(doc, checklist) is not None


_PAGER_CALL = re.compile(
    r"createPageHTML\s*\(\s*([\w.]+)\s*,\s*([\w.]+)\s*,\s*[\"']([^\"']*)[\"']\s*,\s*[\"']([^\"']*)[\"']"
)

_PAGER_CALL_BY_ID = re.compile(
    r"createPageHTML\s*\(\s*[\"'][^\"']*[\"']\s*,\s*([\w.]+)\s*,\s*([\w.]+)\s*,\s*[\"']([^\"']*)[\"']\s*,\s*[\"']([^\"']*)[\"']"
)


def _script_number(token: str, code: str) -> int | None:
    """A pager argument: a number, or a ``var name = N`` the script sets."""
    if token.isdigit():
        return int(token)
    m = re.search(r"\b" + re.escape(token) + r"\s*=\s*(\d+)", code)
    return int(m.group(1)) if m else None


def scripted_next_page(root: etree._Element, page_url: str) -> str | None:
    """The next page a TRS-style pager script would link; None on the last page.

    ``createPageHTML(count, current, "index", "html")`` counts from 0: page 0 is ``index.html``, page
    *n* ``index_n.html``. The form with the pager's element first, ``createPageHTML("page_div", count,
    current, "index", "html", records)``, counts from 1: page 1 is ``index.html``, page *n* ``index_n.html``.
    """
    for script in root.iter("script"):
        code = script.text or ""
        m, first = _PAGER_CALL.search(code), 0
        if not m:
            m, first = _PAGER_CALL_BY_ID.search(code), 1
        if not m:
            continue
        count, current = _script_number(m.group(1), code), _script_number(m.group(2), code)
        if count is None or current is None or current + 1 >= count + first:
            return None
        return absolute_url(page_url, f"{m.group(3)}_{current + 1}.{m.group(4)}")
    return None


def next_page_url(source: Source, page_url: str, checklist: Checklist) -> str | None:
    """The URL of a list's next page (a link whose text is 下一页 / next / > ..., else the one a
    pager script builds), or None."""
    doc = document_of(source, page_url)
    root = doc.root if doc is not None else None
    if doc is None or root is None:
        return None
    texts = {folded_text(t) for t in checklist.columns.get("next_page_texts", ()) if folded_text(t)}
    here = absolute_url(page_url, page_url)
    for a in root.iter("a"):
        label = anchor_text(a)
        if label in texts or folded_text(a.get("title")) in texts:
            url = doc.link_url(a)
            if url and url != here:
                return url
    return scripted_next_page(root, doc.base)
