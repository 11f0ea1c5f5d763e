"""Decoding of HTML bytes from Chinese government sites, and cleaning of scraped text.

Order of evidence (see :func:`decode_html`):

1. a byte-order mark (browsers let it override everything else);
2. a body that is valid UTF-8 and has real multi-byte text is UTF-8, whatever
   is declared (valid UTF-8 is practically never GBK by accident, while
   "declares gb2312, was transcoded to UTF-8" is a common CMS migration bug);
3. the HTTP ``Content-Type`` charset, then ``<meta charset>`` /
   ``<meta http-equiv content="...charset=...">`` in the first bytes, then an
   ``<?xml version="1.0" encoding="..."?>`` prolog opening the body (XHTML-era
   CMS templates), each accepted only if it decodes (nearly) cleanly;
4. statistical detection (charset-normalizer);
5. GB18030 with replacement characters.

GB2312 and GBK are always decoded as GB18030, their superset: sites that
declare gb2312 routinely use characters outside it (rare surnames, 镕, 堃).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

META_SCAN_BYTES = 8192  # how far into the body <meta charset> is looked for
_MIN_NON_ASCII_FOR_UTF8 = 8  # non-ASCII bytes needed before "valid UTF-8" is evidence
_MAX_BAD_RATIO = 0.01  # declared charset tolerated with this share of undecodable non-ASCII bytes

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "hz": "gb18030",
    "big5": "big5hkscs",
}
_ALIASES = {
    "x-gbk": "gbk",
    "x-gb2312": "gb2312",
    "gb_2312-80": "gb2312",
    "csgb2312": "gb2312",
    "ms936": "gbk",
    "windows-936": "gbk",
    "x-euc-cn": "gb2312",
    "x-big5": "big5",
}
# Single-byte Western declarations decode any byte string, so they prove nothing
# when the body has non-ASCII bytes (misconfigured servers send them for GBK pages).
_WEAK = {"ascii", "latin-1", "iso8859-1", "cp1252"}

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_PROLOG_ENCODING = re.compile(rb"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']\s*([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalize_encoding(name: str | None) -> str | None:
    """A codec name Python knows, with GB2312/GBK widened to GB18030; None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        canonical = codecs.lookup(label).name
    except LookupError:
        return None
    if canonical.startswith("utf-16") or canonical.startswith("utf-32"):
        return "utf-8"  # a byte-oriented document cannot really be UTF-16 (WHATWG)
    return _SUPERSETS.get(canonical, canonical)


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, normalised."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalize_encoding(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    """The charset declared by the first <meta> that declares one, normalised."""
    m = _META_CHARSET.search(body[:META_SCAN_BYTES])
    return normalize_encoding(m.group(1).decode("ascii", "ignore")) if m else None


def prolog_charset(body: bytes) -> str | None:
    """The encoding an ``<?xml … encoding="…"?>`` prolog at the start of the body declares, normalised."""
    m = _PROLOG_ENCODING.match(body[:512])
    return normalize_encoding(m.group(1).decode("ascii", "ignore")) if m else None


def _bom_encoding(body: bytes) -> str | None:
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return enc
    return None


def _decode_strict(body: bytes, encoding: str) -> str | None:
    """Decode, tolerating only an incomplete sequence at the very end (a size-capped body)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(body, final=False)
    except (UnicodeDecodeError, LookupError):
        return None
    return text


def _decode_lenient(body: bytes, encoding: str, non_ascii: int) -> str | None:
    """Decode with replacement if the share of bad non-ASCII bytes is tiny, else None."""
    text = _decode_strict(body, encoding)
    if text is not None:
        return text
    try:
        replaced = body.decode(encoding, errors="replace")
    except LookupError:
        return None
    bad = replaced.count("\ufffd")
    return replaced if bad <= max(1, int(non_ascii * _MAX_BAD_RATIO)) else None


_HIGH_BYTES = bytes(range(128, 256))


def _count_non_ascii(body: bytes) -> int:
    return len(body) - len(body.translate(None, _HIGH_BYTES))


def _common_hanzi_share(text: str) -> float:
    """Share of the CJK ideographs in ``text`` that are common simplified ones (GB2312 level 1).

    Genuine Chinese text scores near 1; GBK bytes misread as Big5 or a Korean
    or Japanese code page give rare ideographs or none at all.
    """
    hanzi = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not hanzi:
        return 0.0
    common = 0
    for c in hanzi:
        try:
            common += 0xB0 <= c.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common / len(hanzi)


def _detect(body: bytes) -> tuple[str, str] | None:
    """charset-normalizer's guess, unless GB18030 reads as more plausible Chinese."""
    best = charset_normalizer.from_bytes(body).best()
    encoding = normalize_encoding(best.encoding) if best is not None else None
    text = _decode_strict(body, encoding) if encoding else None
    if encoding in ("gb18030", "utf-8"):
        return (text, encoding) if text is not None else None
    gb = _decode_strict(body, "gb18030")
    if gb is not None and (text is None or _common_hanzi_share(gb) > _common_hanzi_share(text)):
        return gb, "gb18030"
    return (text, encoding) if text is not None and encoding else None


def decode_html(body: bytes, content_type_header: str | None) -> tuple[str, str]:
    """Decode an HTML body; returns ``(text, encoding)``. Never raises."""
    bom = _bom_encoding(body)
    if bom:
        return body.decode(bom, errors="replace"), bom
    declared = [e for e in (header_charset(content_type_header), meta_charset(body), prolog_charset(body)) if e]
    non_ascii = _count_non_ascii(body)
    if non_ascii == 0:
        encoding = declared[0] if declared else "utf-8"
        return body.decode(encoding, errors="replace"), encoding
    if non_ascii >= _MIN_NON_ASCII_FOR_UTF8:
        text = _decode_strict(body, "utf-8")
        if text is not None:
            return text, "utf-8"
    for encoding in declared:
        if encoding in _WEAK:
            continue
        text = _decode_lenient(body, encoding, non_ascii)
        if text is not None:
            return text, encoding
    detected = _detect(body)
    if detected is not None:
        return detected
    fallback = next((e for e in declared if e in _WEAK), "gb18030")
    return body.decode(fallback, errors="replace"), fallback


# --------------------------------------------------------------------------- text cleaning

# one cleaning path for every string from a page or a bundle: :mod:`inspector.core.text`
from inspector.core.text import clean_text, strip_controls  # noqa: E402,F401  (re-exported)
