"""Plain data shared by every layer: crawled facts in, indicator outcomes out.

These are the only types that cross module boundaries in the core. They are
plain dataclasses (no I/O, no Textual) and convert to/from JSON-able dicts so
they can be written to the workspace's JSONL files and the check result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any


def to_dict(obj: Any) -> Any:
    """Dataclass (or nested structure of them) -> JSON-able value."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj) if not f.name.startswith("_")}
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


#: the error of a request stopped by an anti-bot challenge nobody passed (web/challenge.py): not the
#: site's answer, so never a probe failure, a broken link or a page of the site
CHALLENGE = "challenge"


# --------------------------------------------------------------------------- crawl facts


@dataclass
class Link:
    """One link found on a page (CHECKLIST.md counting conventions)."""

    url: str  # absolute http(s) URL, fragment removed
    tag: str  # a | img | link | script | iframe (counted links); frame | refresh (followed, not counted)
    text: str = ""  # anchor text / alt / title, whitespace-collapsed, control chars stripped


@dataclass
class Page:
    """A fetched page of the inspected site."""

    url: str  # the URL as requested (normalised)
    final_url: str = ""  # after redirects
    status: int | None = None  # final HTTP status, None if no response
    content_type: str = ""
    html: str | None = None  # decoded text for HTML pages (None otherwise)
    encoding: str | None = None  # how the text was decoded (e.g. "gb18030")
    depth: int = 0
    links: list[Link] = field(default_factory=list)
    error: str | None = None  # "timeout", "connect", "reset", "too-large", "redirect-loop", ...
    redirects: list[str] = field(default_factory=list)  # chain of URLs before final_url
    elapsed: float = 0.0  # seconds
    source: str = "http"  # "http" or "browser" (rendered DOM replaced the static HTML)
    fetched_at: str = ""  # UTC ISO-8601


@dataclass
class LinkStatus:
    """The result of checking one distinct URL."""

    url: str
    ok: bool
    status: int | None = None
    error: str | None = None  # None when ok; "404", "500", "timeout", "connect", "reset", ...
    final_url: str = ""
    content_type: str = ""
    length: int | None = None  # bytes received / Content-Length when known
    elapsed: float = 0.0


@dataclass
class ProbeAttempt:
    """One availability probe of the homepage."""

    at: str  # UTC ISO-8601 time the attempt started
    ok: bool
    status: int | None = None
    elapsed: float = 0.0
    error: str | None = None


@dataclass
class CrawlResult:
    """Everything the crawler learned about one site."""

    start_url: str
    homepage_url: str = ""  # final URL of the start page
    pages: dict[str, Page] = field(default_factory=dict)  # keyed by requested URL
    links: dict[str, LinkStatus] = field(default_factory=dict)  # every distinct checked URL
    link_sources: dict[str, list[str]] = field(default_factory=dict)  # url -> pages it appears on
    errors: list[str] = field(default_factory=list)  # crawl-level problems (limits hit, ...)
    truncated: bool = False  # max_pages reached before the frontier emptied
    scope: dict[str, Any] = field(default_factory=dict)  # the site's scope as crawled (web/scope.py Scope.to_json)
    _index: dict[str, Page] = field(default_factory=dict, repr=False, compare=False)
    _index_size: int = field(default=-1, repr=False, compare=False)
    _scope: Any = field(default=None, repr=False, compare=False)

    def in_scope(self, url: str) -> bool:
        """Is ``url`` a page address of the site (its host, or its directory for a sub-site)?

        A crawl stored before scopes were recorded has none: everything it crawled was the site's.
        """
        if not self.scope:
            return True
        if self._scope is None:
            from inspector.core.web.scope import Scope

            self._scope = Scope.from_json(self.scope, self.start_url)
        return bool(self._scope.contains(url))

    def page(self, url: str) -> Page | None:
        """The page for a URL: requested under it, redirected to it, or under its normalised form."""
        p = self.pages.get(url)
        if p is not None:
            return p
        if self._index_size != len(self.pages):  # (re)build the lookup index lazily
            self._index = {}
            for key, page in self.pages.items():
                self._index.setdefault(key, page)
                if page.final_url:
                    self._index.setdefault(page.final_url, page)
            self._index_size = len(self.pages)
        p = self._index.get(url)
        if p is None:
            from inspector.core.web.urls import normalize_url

            normal = normalize_url(url)
            p = self._index.get(normal) if normal else None
        return p


# --------------------------------------------------------------------------- extraction


@dataclass
class Item:
    """A dated (or undated) entry of a list block."""

    title: str
    url: str | None
    date: date | None  # None: no visible publish date (counts as not updated)
    raw_date: str = ""  # the text the date was read from


@dataclass
class Column:
    """A column (栏目) of the site and what its list page shows."""

    name: str
    url: str
    category: str | None  # news | notice | personnel | consultation | solicitation | interview | service | excluded | None
    source: str = "nav"  # nav | more | second-level | inspector
    items: list[Item] = field(default_factory=list)
    latest: date | None = None
    blank: bool = False
    exempt: bool = False  # special-topic / history columns: not expected to update
    error: str | None = None  # page could not be read


# --------------------------------------------------------------------------- results


@dataclass
class Finding:
    """One fact that proves (part of) an indicator's outcome."""

    url: str
    where: str = ""  # the page it was found on / column name / context
    detail: str = ""  # "404", "latest item 2026-03-02", "missing 办理地点", ...
    evidence: list[str] = field(default_factory=list)  # evidence record ids
    highlight: str = ""  # text on the page at ``url``/``where`` that shows the problem (outlined in evidence)


@dataclass
class Outcome:
    """What an automated check measured for one indicator.

    ``status`` is left ``None`` for the scoring engine to derive from the
    measures and the checklist's rule; a check sets it only to force
    ``"review"`` (the machine cannot decide, e.g. serious-error candidates or
    a list rendered by JavaScript without a browser).
    """

    measures: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    status: str | None = None
    note: str = ""  # why review / how it was measured (e.g. "short probe: estimate")


def crawl_from_dict(d: dict[str, Any]) -> CrawlResult:
    """Rebuild a :class:`CrawlResult` written with :func:`to_dict` (a stored run's ``crawl.json.gz``)."""
    pages = {
        url: Page(**{**p, "links": [Link(**link) for link in p.get("links", [])]}) for url, p in d.get("pages", {}).items()
    }
    return CrawlResult(
        start_url=d["start_url"],
        homepage_url=d.get("homepage_url", ""),
        pages=pages,
        links={url: LinkStatus(**s) for url, s in d.get("links", {}).items()},
        link_sources={url: list(v) for url, v in d.get("link_sources", {}).items()},
        errors=list(d.get("errors", [])),
        truncated=bool(d.get("truncated", False)),
        scope=dict(d.get("scope") or {}),
    )
