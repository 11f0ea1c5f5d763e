"""URL normalisation: the one definition of "the same URL" that the crawl, the extraction and the checks share.

Pages are keyed by :func:`normalize_url` when crawled, and every link an extractor reads is
resolved with :func:`resolve_link`, so a column URL with Chinese path segments, an explicit
default port or spaces finds its crawled page.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

_URL_WHITESPACE = re.compile(r"[\t\n\r]")


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
def resolve_link(raw: str, base_url: str) -> str | None:
    """Resolve an attribute value against the page URL; None if it is not a link."""
    value = _URL_WHITESPACE.sub("", raw).strip()
    if not value or value.startswith("#"):
        return None
    try:
        joined = urljoin(base_url, value.replace("\\", "/"))
    except ValueError:
        return None
    return normalize_url(joined)


@functools.lru_cache(maxsize=65536)  # navigation links repeat on every page of a site
def site_key(url: str) -> tuple[str, int | None] | None:
    """(host without ``www.``, explicit port) — http/https on default ports are one site."""
    try:
        parsed = httpx.URL(url)
        host = parsed.host.lower().rstrip(".")  # decoding a malformed IDNA label ("xn--zz") raises here
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return None
    return host.removeprefix("www."), parsed.port
