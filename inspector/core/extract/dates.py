"""Publish dates as Chinese government sites print them, and as their URLs carry them.

Formats (CHECKLIST.md): ``2026-11-18``, ``2026/11/18``, ``2026.11.18``, ``2026-1-8``,
``2026年11月18日``, ``二〇二六年十一月十八日`` (a 公文's date in Chinese numerals), ``[2026-11-18]``,
``(11-18)``, ``11-18``, ``11/18``, ``11月18日`` (year omitted: the most recent such date not after
``as_of``), ``2026-11-18 10:30``; full-width digits and punctuation are folded with NFKC first.
Two shapes date a list entry only when they stand alone (:func:`compact_date`, :func:`relative_date`):
``20261118`` and, on newer CMS templates, ``3天前`` / ``昨天 16:40`` / ``1小时前``. URLs:
``/202611/t20261118_123.html``, ``/2026-11/18/``, ``/art/2023/3/21/art_1.html``,
``/20261118/``, ``content_20261118``; a month-only ``/202611/`` segment is available
separately through :func:`month_from_url` because it does not say which day.

Only the generic date syntax lives here; no checklist keyword does.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta
from urllib.parse import unquote, urlsplit

MIN_YEAR = 1990
#: How far past ``as_of`` a date may lie and still date an item (clock skew, time zones).
FUTURE_TOLERANCE = timedelta(days=1)

_FULL_SEP = re.compile(r"(?<![\d.])(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)(?!\.\d)")
_FULL_CJK = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_SHORT_SEP = re.compile(r"(?<![\d\-/.:年])(\d{1,2})([-/])(\d{1,2})(?![\d\-/:])")
_SHORT_CJK = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
# 二〇二六年十一月十八日 (○, 零 and the letter O stand in for 〇 in typed documents)
_CN_DIGITS = "〇一二三四五六七八九"
_CN_ZERO = str.maketrans({"○": "〇", "零": "〇", "O": "〇", "o": "〇", "0": "〇"})
_CN_NUMBER = "[一二三四五六七八九十]{1,3}"
_FULL_CN = re.compile(
    r"(?<![〇○零一二三四五六七八九十])([〇○零Oo0一二三四五六七八九]{4})\s*年\s*(" + _CN_NUMBER + r")\s*月\s*(" + _CN_NUMBER + r")\s*[日号]"
)
# a date written without separators, alone (``20261118``, ``[20261118]``): never inside a longer number
_COMPACT = re.compile(r"^[\[(【]?\s*((?:19|20)\d{2})(\d{2})(\d{2})\s*[\])】]?$")
# how long ago, as newer CMS templates print recent items (刚刚, 5分钟前, 1小时前, 3天前, 2周前, 今天 09:12, 昨天 16:40)
_RELATIVE = re.compile(
    r"^(?:(刚刚)|(\d{1,3})\s*(秒|分钟|小时|天|日|周|星期|个月|年)\s*前|(今天|今日|昨天|昨日|前天))"
    r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_RELATIVE_UNIT = {"秒": 0, "分钟": 0, "小时": 0, "天": 1, "日": 1, "周": 7, "星期": 7}

_URL_8 = re.compile(r"(?<![0-9])((?:19|20)\d{2})(\d{2})(\d{2})(?![0-9])")
_URL_SPLIT = re.compile(r"/((?:19|20)\d{2})[-/_]?(\d{1,2})/(\d{1,2})(?=/)")
_URL_DASHED = re.compile(r"(?<![0-9])((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?![0-9])")
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})-?(\d{2})(?=/)")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalize(text: str) -> str:
    """NFKC-fold full-width digits/punctuation, drop control characters, turn nbsp into space."""
    return _CONTROL.sub("", unicodedata.normalize("NFKC", text or ""))


def _valid(year: int, month: int, day: int, as_of: date | None) -> date | None:
    top = (as_of.year + 1) if as_of else date.today().year + 1
    if not MIN_YEAR <= year <= top:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    """十一 -> 11, 二十三 -> 23, 三十 -> 30, 九 -> 9 (a month or day in Chinese numerals)."""
    if "十" not in text:
        return _CN_DIGITS.index(text) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return 0
    return (_CN_DIGITS.index(tens) if tens else 1) * 10 + (_CN_DIGITS.index(ones) if ones else 0)


def _cn_year(text: str) -> int:
    return int("".join(str(_CN_DIGITS.index(c)) for c in text.translate(_CN_ZERO)))


def _yearless(month: int, day: int, as_of: date) -> date | None:
    """The most recent ``month-day`` not after ``as_of`` (Feb 29 looks back to a leap year)."""
    for year in range(as_of.year, as_of.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            if month == 2 and day == 29:
                continue
            return None
        if candidate <= as_of:
            return candidate
    return None


def find_dates(text: str, as_of: date) -> list[tuple[date, str]]:
    """Every valid date in ``text``, in reading order, as ``(date, raw text)``.

    Impossible dates (2026-02-30, month 13) and years outside 1990..as_of.year+1
    are rejected. Future dates are kept here; see :func:`usable` for item dating.
    """
    norm = normalize(text)
    found: list[tuple[int, date, str]] = []
    taken: list[tuple[int, int]] = []

    def overlaps(span: tuple[int, int]) -> bool:
        return any(span[0] < e and s < span[1] for s, e in taken)

    for m in _FULL_SEP.finditer(norm):
        d = _valid(int(m.group(1)), int(m.group(3)), int(m.group(4)), as_of)
        taken.append(m.span())
        if d:
            found.append((m.start(), d, m.group(0)))
    for m in _FULL_CJK.finditer(norm):
        d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), as_of)
        taken.append(m.span())
        if d:
            found.append((m.start(), d, m.group(0)))
    if "年" in norm and "月" in norm:  # (the cheap test first)
        for m in _FULL_CN.finditer(norm):
            d = _valid(_cn_year(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)), as_of)
            if d:
                taken.append(m.span())
                found.append((m.start(), d, m.group(0)))
    for pattern, mi, di in ((_SHORT_SEP, 1, 3), (_SHORT_CJK, 1, 2)):
        for m in pattern.finditer(norm):
            if overlaps(m.span()):
                continue
            d = _yearless(int(m.group(mi)), int(m.group(di)), as_of)
            if d:
                taken.append(m.span())
                found.append((m.start(), d, m.group(0)))
    found.sort(key=lambda t: t[0])
    return [(d, raw) for _, d, raw in found]


def parse_date(text: str, as_of: date) -> date | None:
    """The first date in ``text`` (any supported format), or None."""
    dates = find_dates(text, as_of)
    return dates[0][0] if dates else None


def compact_date(text: str, as_of: date) -> tuple[date, str] | None:
    """A date written as eight digits, standing alone (``20261118``, ``[20261118]``), or None.

    Only a whole short text qualifies: a counter, a phone number or an id running on is no date.
    """
    norm = normalize(text).strip()
    m = _COMPACT.match(norm) if len(norm) <= 12 else None
    d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), as_of) if m else None
    return (d, m.group(0)) if d and m else None


def relative_date(text: str, as_of: date) -> tuple[date, str] | None:
    """The day a relative time stands for, the text being nothing else (``3天前``, ``昨天 16:40``,
    ``1小时前``, ``刚刚``), counted back from ``as_of``; or None.

    Hours and minutes count as ``as_of`` itself; months and years (``2个月前``, ``1年前``) count as the
    latest day they may mean (two months before ``as_of``), the benefit of the doubt as for month-only
    URL dates.
    """
    norm = _CONTROL.sub("", normalize(text)).strip()
    m = _RELATIVE.match(norm) if len(norm) <= 20 else None
    if not m:
        return None
    if m.group(1):
        days = 0
    elif m.group(4):
        days = _RELATIVE_DAYS[m.group(4)]
    elif m.group(3) in ("个月", "年"):
        months = int(m.group(2)) * (12 if m.group(3) == "年" else 1)
        year, month = divmod(as_of.year * 12 + as_of.month - 1 - months, 12)
        if year < MIN_YEAR:
            return None
        day = min(as_of.day, calendar.monthrange(year, month + 1)[1])
        return date(year, month + 1, day), m.group(0)
    else:
        days = int(m.group(2)) * _RELATIVE_UNIT[m.group(3)]
    return as_of - timedelta(days=days), m.group(0)


def usable(d: date | None, as_of: date) -> bool:
    """Can ``d`` date an item? (not beyond ``as_of`` plus the tolerance)."""
    return d is not None and d <= as_of + FUTURE_TOLERANCE


def _url_path(url: str) -> str:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return ""
    return unquote(parts.path) + ("?" + unquote(parts.query) if parts.query else "")


def date_from_url(url: str, as_of: date | None = None) -> date | None:
    """A full (day-precise) date carried by a URL's path, or None.

    Long numeric ids do not match: an 8-digit ``YYYYMMDD`` must stand alone
    between non-digits, and every candidate must be a real calendar date with a
    year in 1990..as_of.year+1.
    """
    path = _url_path(url)
    for pattern in (_URL_SPLIT, _URL_DASHED, _URL_8):
        for m in pattern.finditer(path):
            d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), as_of)
            if d:
                return d
    return None


def month_from_url(url: str, as_of: date | None = None) -> tuple[int, int] | None:
    """``(year, month)`` from a month-only path segment such as ``/202309/`` or ``/2023-09/``."""
    for m in _URL_MONTH.finditer(_url_path(url)):
        year, month = int(m.group(1)), int(m.group(2))
        if _valid(year, month, 1, as_of):
            return year, month
    return None


def month_end(year: int, month: int, as_of: date) -> date:
    """The latest day of a month not after ``as_of`` (the benefit of the doubt for month-only dates)."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return min(last, as_of)
