"""URL normalisation: the one definition of "the same URL" that the crawl, the extraction and the checks share.

Pages are keyed by :func:`normalize_url` when crawled, and every link an extractor reads is
resolved with :func:`resolve_link`, so a column URL with Chinese path segments, an explicit
default port or spaces finds its crawled page.

An attribute value becomes the URL a browser requests (WHATWG URL parsing): tabs and line breaks
inside it are dropped, only ASCII spaces and control characters around it are (a no-break or
ideographic space is part of the address), a backslash is a slash before the query only, and
non-ASCII characters are percent-encoded as UTF-8 in the path but in the page's own encoding in
the query (``down.asp?file=附件.doc`` on a GBK page asks for ``file=%B8%BD%BC%FE.doc``).
"""

from __future__ import annotations

import codecs
import functools
import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpx

_URL_WHITESPACE = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))  # what a browser strips around a URL (str.strip takes more)
# scheme and authority (left to IDNA), path, query (the fragment, dropped later, is left as it is)
_URL_PARTS = re.compile(r"((?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/?#]*)?)([^?#]*)(\?[^#]*)?", re.S)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@functools.lru_cache(maxsize=65536)
def normalize_url(url: str) -> str | None:
    """Absolute http(s) URL without fragment, host lower-cased, default port dropped.

    Returns None for other schemes. A URL httpx cannot parse is returned as is
    (fragment removed) so that checking it reports ``invalid-url``.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    raw = urlunsplit(parts._replace(fragment="", path=parts.path or "/"))
    try:
        return str(httpx.URL(raw))
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return raw


@functools.lru_cache(maxsize=65536)
def resolve_link(raw: str, base_url: str, encoding: str | None = None) -> str | None:
    """Resolve an attribute value against the page URL; None if it is not a link.

    ``encoding``: the page's, for non-ASCII characters in the query (None: UTF-8).
    """
    value = _URL_WHITESPACE.sub("", raw).strip(_C0_OR_SPACE)
    if not value or value.startswith("#"):
        return None
    if "\\" in value:  # (IIS sites: ..\files\a.doc) a path separator, but not in the query
        query = value.find("?")
        value = value.replace("\\", "/") if query < 0 else value[:query].replace("\\", "/") + value[query:]
    if not value.isascii():
        value = _encode_non_ascii(value, encoding)
    try:
        joined = urljoin(base_url, value)
    except ValueError:
        return None
    return normalize_url(joined)


def _encode_non_ascii(value: str, encoding: str | None) -> str:
    """Percent-encode the non-ASCII characters of a URL as a browser does: UTF-8 in the path, the page's
    encoding in the query (a character it lacks as a ``&#N;`` reference); the host is left to IDNA."""
    m = _URL_PARTS.match(value)
    if m is None:  # (cannot happen: every group may be empty)
        return value
    head, path, query = m.group(1), m.group(2), m.group(3) or ""
    codec = _query_codec(encoding)
    path = _NON_ASCII.sub(lambda c: quote(c.group().encode("utf-8", "surrogatepass"), safe=""), path)
    query = _NON_ASCII.sub(lambda c: quote(c.group().encode(codec, "xmlcharrefreplace"), safe=""), query)
    return head + path + query + value[m.end():]


@functools.lru_cache(maxsize=64)
def _query_codec(encoding: str | None) -> str:
    """The codec a browser encodes a query with: the page's encoding, UTF-8 for UTF-16/32 or unknown ones."""
    try:
        name = codecs.lookup(encoding).name if encoding else "utf-8"
    except LookupError:
        return "utf-8"
    return "utf-8" if name.startswith(("utf-16", "utf-32", "utf_16", "utf_32")) else name


@functools.lru_cache(maxsize=65536)  # navigation links repeat on every page of a site
def site_key(url: str) -> tuple[str, int | None] | None:
    """(host without ``www.``, explicit port) — http/https on default ports are one site."""
    try:
        parsed = httpx.URL(url)
        host = parsed.host.lower().rstrip(".")  # decoding a malformed IDNA label ("xn--zz") raises here
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return None
    return host.removeprefix("www."), parsed.port
