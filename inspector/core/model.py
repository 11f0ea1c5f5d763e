"""Plain data shared by every layer: crawled facts in, indicator outcomes out.

These are the only types that cross module boundaries in the core. They are
plain dataclasses (no I/O, no Textual) and convert to/from JSON-able dicts so
they can be written to the workspace's JSONL files and the check result.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NotRequired, TypedDict


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
#: the error of a homepage that redirected out of an explicit scope (web/crawl.py): the site answered,
#: but not with a page of the site being checked
OFF_SCOPE = "off-scope"


# --------------------------------------------------------------------------- vocabularies
# StrEnum members are ``str``: they compare equal to, and serialise (JSON, TinyDB) exactly as, the
# plain strings stored before they existed ("pass", "in review", "not needed").


class Status(StrEnum):
    """An indicator's status: the pre-fill's, a decision's, or the effective one."""

    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"  # the machine could not decide: the inspector must


class Result(StrEnum):
    """A site's verdict (``verdict.result``)."""

    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"  # a veto indicator is still to be decided


class Progress(StrEnum):
    """Where a sampled site's inspection stands."""

    NOT_STARTED = "not started"
    CHECKED = "checked"
    IN_REVIEW = "in review"
    DONE = "done"


class Rectification(StrEnum):
    """A failed site's rectification (整改) status, in the order the TUI offers them."""

    PENDING = "pending"
    IN_PROGRESS = "in progress"
    RECTIFIED = "rectified"
    OVERDUE = "overdue"
    NOT_NEEDED = "not needed"


class DecisionKind(StrEnum):
    """A decision either confirms the pre-fill as it is or overrides it (then a note says why)."""

    CONFIRM = "confirm"
    OVERRIDE = "override"


# --------------------------------------------------------------------------- documents after scoring
# The check document (schema ``inspector.check/1``, shared/CONTRACT.md) and the inspection record
# (the workspace's ``inspections`` table) as typed dicts: they are the JSON as stored, key for key.


class FindingDoc(TypedDict):
    url: str
    where: str
    detail: str
    evidence: list[str]
    highlight: str


class IndicatorEntry(TypedDict):
    """One indicator of a check document: the automated pre-fill."""

    status: Status
    measures: dict[str, Any]
    findings: list[FindingDoc]
    note: NotRequired[str]  # why review / how it was measured (Chinese)
    veto: NotRequired[bool]  # veto indicators
    deduction: NotRequired[float]  # deduction indicators: points, within the indicator's maximum
    source: NotRequired[str]  # what measured it when not the check itself: "monitor" (the week-long monitor)


class Verdict(TypedDict):
    vetoes: list[str]
    pending_vetoes: list[str]
    deduction_total: float  # informative only when ``vetoes`` is empty: with a veto nothing is scored
    score: float
    result: Result


class EvidenceRef(TypedDict):
    path: str
    sha256: str
    url: str
    kind: str
    record: str


class ColumnSummary(TypedDict):
    name: str
    url: str
    category: str | None
    source: str
    items: int
    dated_items: int
    latest: str | None
    blank: bool
    exempt: bool
    error: str | None


class CheckDoc(TypedDict):
    """``inspector.check/1``."""

    schema: str
    url: str
    final_url: NotRequired[str]
    as_of: str
    checklist: str
    indicators: dict[str, IndicatorEntry]
    verdict: Verdict
    columns: NotRequired[list[ColumnSummary]]
    scope: NotRequired[dict[str, Any]]  # the prefixes checked as the site, where they came from (web/scope.py)
    evidence: list[EvidenceRef]
    run: dict[str, Any]  # id, started_at, finished_at, tool, pages, notes, ... (rescored_at after a correction)


class DecisionRecord(TypedDict):
    """The inspector's decision on one indicator (also the shape of its history entries)."""

    status: Status
    points: float | None  # deduction indicators: the points that count (0 for 合格)
    note: str
    by: str
    at: str  # UTC ISO-8601
    on_run: NotRequired[str | None]  # the check it was made on
    kind: NotRequired[DecisionKind]  # absent in records written before it existed


class ColumnCorrection(TypedDict):
    """A column re-categorised by hand: who, when, why, and the verdict before and after."""

    column: str  # URL
    name: str
    before: str | None  # category ids (None: not a scored column)
    after: str | None
    reason: str
    by: str
    at: str
    on_run: str | None
    verdict_before: dict[str, Any]  # {result, score, vetoes}
    verdict_after: dict[str, Any]


class RunRecord(TypedDict):
    id: str
    at: str
    result: Result
    dir: str
    recheck: bool


class RectificationRecord(TypedDict, total=False):
    status: Rectification
    deadline: str
    note: str
    by: str
    at: str


class InspectionRecord(TypedDict, total=False):
    """A sampled site's inspection in one quarter."""

    quarter: str
    code: str
    progress: Progress
    prefill: CheckDoc
    prefill_at: str
    run_dir: str
    decisions: dict[str, DecisionRecord]
    history: list[dict[str, Any]]  # every decision, withdrawal and correction, in order
    column_categories: dict[str, str | None]  # URL -> category set by hand
    corrections: list[ColumnCorrection]
    runs: list[RunRecord]
    recheck: dict[str, Any]  # {at, doc: CheckDoc, run, run_dir}
    rectification: RectificationRecord


def dump_check(doc: CheckDoc | dict[str, Any], *, indent: int = 1) -> bytes:
    """A check document as stored (``check.json``: UTF-8, no ``\\u`` escapes, indent 1)."""
    return json.dumps(doc, ensure_ascii=False, indent=indent).encode("utf-8")


def load_check(data: bytes | str) -> CheckDoc:
    """A stored check document; :func:`dump_check` writes it back byte for byte."""
    doc = json.loads(data)
    if not isinstance(doc, dict) or doc.get("schema") != "inspector.check/1":
        raise ValueError("不是 inspector.check/1 检查结果")
    return doc  # type: ignore[return-value]


# --------------------------------------------------------------------------- reading stored records
# Records are read from files that older versions wrote (and a check may not have reached every part):
# these few readers give each part with its default, so that no module outside this boundary walks a
# stored document through chains of ``.get(...)``.


def prefill_of(record: InspectionRecord | dict[str, Any] | None) -> CheckDoc | dict[str, Any]:
    """The check document a record's pre-fill holds ({} before the site was checked)."""
    return (record or {}).get("prefill") or {}


def indicators_of(doc: CheckDoc | dict[str, Any] | None) -> dict[str, IndicatorEntry]:
    """A check document's indicator entries by id."""
    return (doc or {}).get("indicators") or {}


def prefill_indicators(record: InspectionRecord | dict[str, Any] | None) -> dict[str, IndicatorEntry]:
    """The pre-fill's indicator entries of a record."""
    return indicators_of(prefill_of(record))


def prefill_entry(record: InspectionRecord | dict[str, Any] | None, indicator: str) -> IndicatorEntry | None:
    """One indicator's pre-fill of a record (None when it was not measured)."""
    return prefill_indicators(record).get(indicator) or None


def run_id_of(doc: CheckDoc | dict[str, Any] | None) -> str | None:
    """The id of the check run a document comes from."""
    return ((doc or {}).get("run") or {}).get("id") or None


def columns_of(doc: CheckDoc | dict[str, Any] | None) -> list[ColumnSummary]:
    """The columns a check document lists."""
    return (doc or {}).get("columns") or []


def checklist_id_of(doc: CheckDoc | dict[str, Any] | None, default: str = "census-2015") -> str:
    """The checklist a check document was scored against."""
    return (doc or {}).get("checklist") or default


def recheck_of(record: InspectionRecord | dict[str, Any] | None) -> dict[str, Any]:
    """A record's rectification re-check ({at, doc, run, run_dir}; {} when none)."""
    return (record or {}).get("recheck") or {}


MONITOR = "monitor"  # ``IndicatorEntry.source`` of an indicator measured by the week-long availability monitor


def doc_verdict(doc: CheckDoc | dict[str, Any] | None) -> Verdict | dict[str, Any]:
    """A check document's verdict ({} when it has none)."""
    verdict = (doc or {}).get("verdict")
    return verdict if isinstance(verdict, dict) else {}


def recheck_doc(record: InspectionRecord | dict[str, Any] | None) -> CheckDoc | dict[str, Any]:
    """The check document of a record's rectification re-check ({} when none)."""
    return recheck_of(record).get("doc") or {}


def decisions_of(record: InspectionRecord | dict[str, Any] | None) -> dict[str, DecisionRecord]:
    """The inspector's decisions of a record by indicator id ({} when none)."""
    return (record or {}).get("decisions") or {}


def decision_of(record: InspectionRecord | dict[str, Any] | None, indicator: str) -> DecisionRecord | None:
    """The inspector's decision on one indicator (None when there is none)."""
    return decisions_of(record).get(indicator) or None


def entry_source(entry: IndicatorEntry | dict[str, Any] | None) -> str:
    """What measured an indicator's pre-fill: ``"monitor"`` (the week-long monitor) or ``"check"``.

    Read from the entry's ``source``; records written before it existed are recognised by their note,
    which the monitor began with ``texts.MONITOR_PREFIX``.
    """
    entry = entry or {}
    if "source" in entry:
        return MONITOR if entry["source"] == MONITOR else "check"
    from inspector.core.texts import MONITOR_PREFIX

    return MONITOR if str(entry.get("note") or "").startswith(MONITOR_PREFIX) else "check"


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
    # the parsed page, cached by inspector.core.web.html.document(page): never serialised, parsed
    # again when ``html`` is replaced (a browser-rendered DOM)
    _doc: Any = field(default=None, init=False, repr=False, compare=False)


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


def page_link_status(page: Page) -> LinkStatus:
    """The link-check verdict a fetched page already gives (no second request).

    A page cut at the size cap still answered, so it is not a broken link.
    """
    ok = page.status is not None and page.status < 400 and page.error in (None, "too-large")
    return LinkStatus(
        url=page.url,
        ok=ok,
        status=page.status,
        error=None if ok else (page.error or str(page.status)),
        final_url=page.final_url,
        content_type=page.content_type,
        length=len(page.html) if page.html is not None else None,
        elapsed=page.elapsed,
    )


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
    message: bool = False  # a citizen's message (留言时间…): two alike are two items, never one story
    repeat: int = 0  # a message without a link: how many alike (title and date) precede it in its list


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
    source: str = ""  # what measured it when not the check itself (``MONITOR``): stored in the entry


def column_summary(column: Column) -> ColumnSummary:
    """A column as the check document lists it (without its items)."""
    dated = [i.date for i in column.items if i.date]
    return {
        "name": column.name,
        "url": column.url,
        "category": column.category,
        "source": column.source,
        "items": len(column.items),
        "dated_items": len(dated),
        "latest": column.latest.isoformat() if column.latest else None,
        "blank": column.blank,
        "exempt": column.exempt,
        "error": column.error,
    }


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
