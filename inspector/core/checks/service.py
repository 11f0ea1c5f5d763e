"""Service indicators: `service-guides`, `attachments`, `online-systems`.

- `service-guides`: each guide found (:mod:`inspector.core.extract.guides`) and its key elements
  that are missing or empty; ``missing_elements`` totals them over all guides.
- `attachments`: every link whose path ends in an attachment extension (``params.extensions``),
  whose text names such a file (``附件3：登记表.xls`` on a ``download.jsp?id=13`` link), or whose
  checked response has a file content type (``params.file_content_types``, prefixes).
  A download is broken when its check failed (4xx/5xx, connect, timeout...), when a file URL
  answers with an HTML page (an error page behind a 200), or when it is empty (length 0).
- `online-systems`: links whose anchor text holds one of ``params.link_keywords``; unreachable
  when their check failed.

Only what the crawl checked is judged: a link without a check result is reported in the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from posixpath import splitext
from typing import Any, Callable, Iterator, Mapping, Sequence
from urllib.parse import parse_qsl, unquote, urlsplit

from inspector.core.checklist import Checklist
from inspector.core.checks.base import Facts, family
from inspector.core.extract.guides import find_guides
from inspector.core import texts
from inspector.core.model import CHALLENGE, Column, CrawlResult, Finding, LinkStatus, Outcome, page_link_status

GUIDES = "service-guides"
ATTACHMENTS = "attachments"
ONLINE = "online-systems"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@family(GUIDES, ATTACHMENTS, ONLINE)
def check_service(facts: Facts) -> dict[str, Outcome]:
    """The service indicators: guides among the crawled pages, attachments and online systems."""
    return service_outcomes(facts.crawl, facts.analysis.columns, facts.checklist)


# --------------------------------------------------------------------------- service guides


def _guides_outcome(crawl: CrawlResult, columns: list[Column], checklist: Checklist) -> Outcome:
    guides = find_guides(crawl, columns, checklist)
    incomplete = [g for g in guides if g.missing]
    findings = [
        Finding(url=g.url, where=g.title, detail=texts.guide_missing(g.missing)) for g in incomplete
    ]
    has_service = any(c.category == "service" for c in columns)
    note = "" if guides else texts.NO_GUIDE + (texts.NO_GUIDE_BUT_COLUMN if has_service else "")
    return Outcome(
        measures={
            "guides_checked": len(guides),
            "guides_incomplete": len(incomplete),
            "missing_elements": sum(len(g.missing) for g in guides),
        },
        findings=findings,
        note=note,
    )


# --------------------------------------------------------------------------- links


@dataclass(frozen=True)
class _Link:
    url: str
    text: str
    source: str  # the page it was found on


def _links(crawl: CrawlResult, tags: Sequence[str], wanted: Callable[[str, str], bool]) -> Iterator[_Link]:
    """Each distinct link (of ``tags``, or known only from ``link_sources``) that ``wanted(url, text)``
    accepts, with the first page it was found on."""
    seen: set[str] = set()
    refused: set[tuple[str, str]] = set()  # a site's navigation repeats on every page: asked once
    for page in crawl.pages.values():
        for link in page.links:
            if link.tag not in tags or link.url in seen or (key := (link.url, link.text)) in refused:
                continue
            if wanted(link.url, link.text):
                seen.add(link.url)
                yield _Link(link.url, link.text, page.final_url or page.url)
            else:
                refused.add(key)
    for url, sources in crawl.link_sources.items():
        if url not in seen and wanted(url, ""):
            seen.add(url)
            yield _Link(url, "", sources[0] if sources else "")


def _status(crawl: CrawlResult, url: str) -> LinkStatus | None:
    """The check result of a link; None when unchecked or stopped by an anti-bot challenge."""
    status = crawl.links.get(url)
    if status is None:
        page = crawl.page(url)
        status = page_link_status(page) if page is not None else None
    return None if status is not None and status.error == CHALLENGE else status


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def has_extension(url: str, extensions: Sequence[str]) -> bool:
    """Does the URL's path (or a query value such as ``?file=a.pdf``) end in an attachment extension?"""
    exts = _extension_set(tuple(extensions))
    parts = urlsplit(url)
    names = [unquote(parts.path)]
    if "." in parts.query or "%2e" in parts.query.lower():  # (a file name in a query holds a dot)
        names += [v for _, v in parse_qsl(parts.query)]
    return any(splitext(n)[1].lstrip(".").lower() in exts for n in names if n)


@lru_cache(maxsize=16)
def _extension_set(extensions: tuple[str, ...]) -> frozenset[str]:
    return frozenset(e.lower().lstrip(".") for e in extensions)


@lru_cache(maxsize=16)
def _file_name(extensions: tuple[str, ...]) -> re.Pattern[str] | None:
    """A file name with one of the extensions, inside a text (compiled once per checklist)."""
    exts = "|".join(re.escape(e.lower().lstrip(".")) for e in extensions if e)
    return re.compile(r"\.(?:" + exts + r")(?![a-z0-9])") if exts else None


def _page_url(url: str) -> bool:
    """A static page address (an article about a file, not the file): .html/.htm/.shtml or a directory."""
    path = urlsplit(url).path.lower()
    return path.endswith(("/", ".html", ".htm", ".shtml", ".xhtml"))


def _viewer(url: str, extensions: Sequence[str]) -> bool:
    """A static page that shows a file named in its query (pdf.js ``viewer.html?file=/u/a.pdf``)."""
    parts = urlsplit(url)
    return _page_url(url) and bool(parts.query) and has_extension(url, extensions) and \
        not has_extension(parts._replace(query="").geturl(), extensions)


# a link whose text says it is an attachment (附件1, 下载附件, 附件2：家庭经济状况核对授权书): a download script's
# address names no file (a bare 下载 / 点击下载 may fetch anything: its response type decides)
_ATTACHMENT_LABEL = re.compile(r"^(?:(?:附件\s*\d*|下载附件|附件下载)\s*[:：]?$|附件\s*\d*\s*[:：]|附件\s*\d+\s*[、.．\s])")


def names_file(text: str, extensions: Sequence[str]) -> bool:
    """Does a link's text name a file with an attachment extension (``附件3：登记表.xls（25KB）``)?

    Download scripts (``download.jsp?id=13``) carry no extension in their URL; their anchor
    text often does.
    """
    pattern = _file_name(tuple(extensions))
    return pattern is not None and "." in text and pattern.search(text.lower()) is not None


def is_file_type(content_type: str, file_types: Sequence[str]) -> bool:
    mime = _mime(content_type)
    return bool(mime) and mime.startswith(_type_prefixes(tuple(file_types)))


@lru_cache(maxsize=16)
def _type_prefixes(file_types: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.lower() for t in file_types if t)


def download_problem(status: LinkStatus, viewer: bool = False) -> str | None:
    """Why a download is broken (failed, HTML page instead of a file, empty), or None.

    ``viewer``: a page that shows the file (``viewer.html?file=a.pdf``) answers with HTML by design."""
    if not status.ok:
        return texts.download_failed(status.error, status.status)
    if _mime(status.content_type) in _HTML_TYPES:
        return None if viewer else texts.html_instead_of_file(status.status)
    if status.length == 0:
        return texts.EMPTY_FILE
    return None


def _attachments_outcome(crawl: CrawlResult, params: Mapping[str, Any]) -> Outcome:
    extensions = [str(e) for e in params.get("extensions", ())]
    file_types = [str(t) for t in params.get("file_content_types", ())]
    checked = broken = 0
    unchecked: list[str] = []
    unknown_length: list[str] = []
    findings = []
    def is_attachment(url: str, text: str) -> bool:
        if has_extension(url, extensions) or (not _page_url(url) and (names_file(text, extensions) or _ATTACHMENT_LABEL.match(text))):
            return True
        status = _status(crawl, url)
        return status is not None and status.ok and is_file_type(status.content_type, file_types)

    for link in _links(crawl, ("a", "iframe"), is_attachment):
        status = _status(crawl, link.url)
        if status is None:
            unchecked.append(link.url)
            continue
        checked += 1
        problem = download_problem(status, viewer=_viewer(link.url, extensions))
        if problem:
            broken += 1
            findings.append(Finding(url=link.url, where=link.source, detail=problem))
        elif status.length is None:
            unknown_length.append(link.url)
    notes = []
    if unchecked:
        notes.append(texts.links_not_checked(len(unchecked), "附件", unchecked[0]))
    if unknown_length:
        notes.append(texts.sizes_unknown(len(unknown_length)))
    return Outcome(measures={"checked": checked, "broken": broken}, findings=findings, note="；".join(notes))


def _online_outcome(crawl: CrawlResult, params: Mapping[str, Any]) -> Outcome:
    keywords = [str(k) for k in params.get("link_keywords", ())]
    checked = unreachable = 0
    unchecked: list[str] = []
    findings = []
    def is_system(_url: str, text: str) -> bool:
        return any(k and k in text for k in keywords)

    for link in _links(crawl, ("a",), is_system):
        status = _status(crawl, link.url)
        if status is None:
            unchecked.append(link.url)
            continue
        checked += 1
        if not status.ok:
            unreachable += 1
            detail = texts.system_unreachable(link.text, status.error, status.status)
            findings.append(Finding(url=link.url, where=link.source, detail=detail, highlight=link.text))
    note = texts.links_not_checked(len(unchecked), "在线系统", unchecked[0]) if unchecked else ""
    return Outcome(measures={"checked": checked, "unreachable": unreachable}, findings=findings, note=note)


def service_outcomes(crawl: CrawlResult, columns: list[Column], checklist: Checklist) -> dict[str, Outcome]:
    """Outcomes of `service-guides`, `attachments` and `online-systems`."""
    parts = {
        GUIDES: lambda: _guides_outcome(crawl, columns, checklist),
        ATTACHMENTS: lambda: _attachments_outcome(crawl, checklist.params(ATTACHMENTS)),
        ONLINE: lambda: _online_outcome(crawl, checklist.params(ONLINE)),
    }
    return {iid: part() for iid, part in parts.items() if iid in checklist.indicators}
