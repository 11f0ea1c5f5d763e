"""What belongs to the site under check, and what the check may reach at all.

**Scope** (shared/CHECKLIST.md, "What belongs to the site"): a site is its 首页网址's host,
http and https alike, with or without ``www.``; when the 首页网址's path is a directory other
than ``/`` (``http://www.city.gov.cn/bm/jtj/``) the site is a sub-site on a shared platform and
only pages under that path are its pages. A 首页网址 naming a file (``/col/col1/index.html``)
is the whole host. The registry (column 站点范围) or the inspector (``check --scope``) can give
the scope explicitly. Out-of-scope URLs are checked like outside links and never crawled.

The start URL's own hand-over (an HTTP redirect of the 首页网址, or its meta refresh / frames,
to the portal at another address) extends an *implicit* scope by the address it leads to: the
whole host when the scope was a whole host, that directory when it was a sub-site. An explicit
scope is never extended: a homepage that leaves it is not the site's.

**Addresses**: when the site itself is public (its host resolves to public addresses only),
requests to private, loopback and link-local addresses are refused (``private-address``):
a public site's redirect or link cannot make the inspector's machine probe its own network.
A site that is itself on such an address (the demo region and the tests, on 127.0.0.1) may
reach them. A name is resolved once per check and connections go only to the addresses checked
(:mod:`inspector.core.web.net`): a name that answers differently the second time (DNS rebinding)
cannot lead a request inside. Name resolution and the internal ranges are injectable
(:class:`AddressPolicy` ``resolver``, ``internal``) so the rule is tested without DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from posixpath import dirname
from typing import Any
from urllib.parse import urlsplit

from inspector.core.web.urls import normalize_url, site_key

PRIVATE_ADDRESS = "private-address"  # the fetch error of a refused internal address
MAX_RESOLVED_HOSTS = 4096


# --------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class _Prefix:
    host: str  # lower-case, without ``www.``
    port: int | None
    path: str  # lower-case, starts and ends with "/"

    def url(self) -> str:
        netloc = self.host if self.port is None else f"{self.host}:{self.port}"
        return f"http://{netloc}{self.path}"


def _directory(path: str, *, file_means_host: bool) -> str:
    """The directory a path names: itself when it ends in ``/`` or its last segment has no
    extension; for a file, the whole host (``file_means_host``) or the file's directory."""
    if not path or path == "/":
        return "/"
    if path.endswith("/"):
        return path
    last = path.rsplit("/", 1)[-1]
    if "." not in last:
        return path + "/"
    return "/" if file_means_host else (dirname(path).rstrip("/") + "/")


def _prefix(url: str, *, file_means_host: bool) -> _Prefix | None:
    normal = normalize_url(url.strip() if "://" in url else "http://" + url.strip())
    key = site_key(normal) if normal else None
    if key is None or not key[0]:
        return None
    path = urlsplit(normal).path.lower()
    return _Prefix(key[0], key[1], _directory(path, file_means_host=file_means_host))


@dataclass
class Scope:
    """The URL prefixes that are the site: ``http(s)://[www.]host[:port]/path/``."""

    prefixes: list[_Prefix] = field(default_factory=list)
    source: str = "url"  # url (the 首页网址) | registry (站点范围) | option (--scope)
    extended: list[str] = field(default_factory=list)  # hand-over targets that widened an implicit scope

    @property
    def implicit(self) -> bool:
        return self.source == "url"

    @classmethod
    def of_homepage(cls, url: str) -> Scope:
        """The implicit scope of a 首页网址: its host, or its directory when that is not ``/``."""
        prefix = _prefix(url, file_means_host=True)
        return cls([prefix] if prefix else [], "url")

    @classmethod
    def explicit(cls, prefix_url: str, source: str = "option") -> Scope:
        """An explicit scope (``--scope`` / 站点范围); raises ValueError when it is no http(s) URL."""
        text = prefix_url.strip()
        parts = urlsplit(text if "://" in text else "http://" + text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"站点范围不是 http(s) 网址：{prefix_url[:80]!r}")
        prefix = _prefix(text, file_means_host=False)
        if prefix is None:
            raise ValueError(f"站点范围不是 http(s) 网址：{prefix_url[:80]!r}")
        return cls([prefix], source)

    def contains(self, url: str | None) -> bool:
        """Is ``url`` a page address of the site (http/https and ``www.`` alike)?"""
        if not url:
            return False
        key = site_key(url)
        if key is None:
            return False
        try:
            path = urlsplit(url).path.lower() or "/"
        except ValueError:
            return False
        for p in self.prefixes:
            if (p.host, p.port) == key and (path.startswith(p.path) or path + "/" == p.path):
                return True
        return False

    def hosts(self) -> set[tuple[str, int | None]]:
        return {(p.host, p.port) for p in self.prefixes}

    def extend(self, url: str) -> bool:
        """Widen an implicit scope by the start URL's hand-over target; True if it changed."""
        if not self.implicit or self.contains(url):
            return False
        whole_host = all(p.path == "/" for p in self.prefixes)
        prefix = _prefix(url, file_means_host=whole_host)
        if prefix is None:
            return False
        if not whole_host and prefix.path == "/":
            return False  # a sub-site handing over to a host's root is not the whole host
        self.prefixes.append(prefix)
        self.extended.append(url)
        return True

    def to_json(self) -> dict[str, Any]:
        return {"prefixes": [p.url() for p in self.prefixes], "source": self.source, "extended_by": list(self.extended)}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, start_url: str) -> Scope:
        """A scope written by :meth:`to_json` (a stored crawl); the homepage's own when absent."""
        if not isinstance(data, dict) or not data.get("prefixes"):
            return cls.of_homepage(start_url)
        prefixes = [p for u in data["prefixes"] if isinstance(u, str) and (p := _prefix(u, file_means_host=False))]
        return cls(prefixes, str(data.get("source") or "url"), [str(u) for u in data.get("extended_by") or []])


# --------------------------------------------------------------------------- addresses


Resolver = Callable[[str], Awaitable[list[str]]]


async def system_resolver(host: str) -> list[str]:
    """The addresses the system resolves ``host`` to (empty when it does not resolve)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []
    return [str(info[4][0]) for info in infos]


def is_internal(address: str) -> bool:
    """A private, loopback, link-local or unspecified address (IPv4-mapped IPv6 included)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class AddressPolicy:
    """Refuses internal addresses when ``refuse_internal`` (the site itself is public).

    Each name is resolved once per check (up to ``MAX_RESOLVED_HOSTS`` names): the addresses the rule
    checked are the only ones a connection to it may use (:meth:`pinned`, :mod:`inspector.core.web.net`),
    so a name that answers differently the second time cannot lead a request inside.
    ``internal`` says which addresses are internal (the tests name one loopback address so).
    """

    def __init__(self, refuse_internal: bool, resolver: Resolver = system_resolver,
                 internal: Callable[[str], bool] = is_internal) -> None:
        self.refuse_internal = refuse_internal
        self.resolver = resolver
        self.internal = internal
        self._cache: dict[str, list[str]] = {}

    @classmethod
    async def for_site(cls, url: str, resolver: Resolver | None = None,
                       internal: Callable[[str], bool] | None = None) -> AddressPolicy:
        """The policy for a check of ``url``: refuse internal addresses iff the site is public."""
        resolver, internal = resolver or system_resolver, internal or is_internal
        host = (urlsplit(url).hostname or "") if "://" in url else ""
        addresses = [host] if host and _literal(host) else (await resolver(host) if host else [])
        public = bool(addresses) and not any(internal(a) for a in addresses)
        policy = cls(public, resolver, internal)
        if public and not _literal(host):
            policy._cache[host.lower()] = addresses  # the site's own name is asked once, like every other
        return policy

    async def allows(self, host: str) -> bool:
        """May a request go to ``host``? (A name that does not resolve is let through to fail on its own.)"""
        if not self.refuse_internal or not host:
            return True
        literal = _literal(host)
        return self.allows_all([literal] if literal else await self._resolve(host))

    def allows_all(self, addresses: list[str]) -> bool:
        """None of ``addresses`` is one the rule refuses."""
        return not self.refuse_internal or not any(self.internal(a) for a in addresses)

    async def pinned(self, host: str) -> list[str] | None:
        """The only addresses a connection to ``host`` may use (empty: none); None when it may connect by
        name (the rule is off, or ``host`` is an address itself)."""
        if not self.refuse_internal or not host or _literal(host):
            return None
        return await self._resolve(host)

    async def _resolve(self, host: str) -> list[str]:
        key = host.lower()
        known = self._cache.get(key)
        if known is not None:
            return known
        addresses = list(await self.resolver(key))
        if addresses and len(self._cache) < MAX_RESOLVED_HOSTS:  # a failed lookup is asked again next time
            self._cache[key] = addresses
        return addresses
