"""One automated check of one site: probe, crawl, render, extract, check, score, capture evidence.

This is the single pipeline that the CLI, the TUI (in a worker) and the tests drive, in named
steps (:func:`run_check`)::

    open the browser ─> probes + crawl ─> render ─> analyse ─> score ─> capture evidence ─> document

The browser comes first: an anti-bot challenge in front of the site needs it before the crawl
can start (web/challenge.py); the crawl and the probes share the check's challenge gate and
keep to the site's scope (web/scope.py). The browser lives on an ``AsyncExitStack`` (or is a
shared one the caller passes and closes).

Analyse: the site is analysed once (extract/site.py) and every check family measures from the
same :class:`~inspector.core.checks.Facts` (checks/); the runner names no indicator. Score:
core/scoring.py. Re-scoring a stored check offline (a column correction) is core/rescore.py,
which does not import this pipeline.

``run_check`` is pure with respect to the workspace: it returns a :class:`CheckRun`.
``store_check`` writes the bulky output to the run directory (JSONL) and the pre-fill
and evidence records into the workspace in one transaction each.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from inspector import __version__
from inspector.core.web.charset import clean_text
from inspector.core.checklist import Checklist, load_checklist
from inspector.core.checks import Facts, early_reader, family_of, measure
from inspector.core.checks.availability import probe_timeout
from inspector.core.rescore import CRAWL_FILE, crawl_bytes
from inspector.core.scoring import effective, prefills, score_site, scored, shown_points
from inspector.core.web.challenge import ChallengeGate
from inspector.core.web.crawl import crawl_site, start_url_of
from inspector.core.web.html import MAX_PARSE_CHARS, count_parse
from inspector.core.web.readers import readers
from inspector.core.web.scope import AddressPolicy, Resolver, Scope
from inspector.core.extract.columns import SCRIPT_LIST, find_page
from inspector.core.extract.lists import blocks_of_text, fetch_day, remember_blocks
from inspector.core.extract.site import SiteAnalysis, analyze_site, homepage_unreadable, reread_columns
from inspector.core.web.fetch import Fetcher
from inspector.core.settings import settings
from inspector.core import texts
from inspector.core.model import CrawlResult, Outcome, Page, ProbeAttempt, column_summary, dump_check, to_dict
from inspector.core.model import Progress as SiteProgress
from inspector.core.web.probe import probe

SCHEMA = "inspector.check/1"
MAX_EVIDENCE_PAGES = 40

Progress = Callable[[dict[str, Any]], None]


def _setting(name: str) -> Any:
    return field(default_factory=lambda: getattr(settings(), name))


@dataclass
class CheckOptions:
    """How one check runs; every default comes from :mod:`inspector.core.settings` (CLI, TUI and demo alike)."""

    as_of: date = field(default_factory=date.today)
    browser: bool = True
    probes: int = _setting("probes")
    probe_interval: float = _setting("probe_interval")
    timeout: float = _setting("timeout")
    max_pages: int = _setting("max_pages")
    max_depth: int = 8
    per_host: int = _setting("per_host")
    min_interval: float = _setting("interval")  # seconds between request starts to one host: polite by default
    checklist: str = "census-2015"
    scope: str | None = None  # URL prefix of the site's pages (--scope); default: the 首页网址's own
    resolver: Resolver | None = None  # name resolution for the private-address rule (tests inject one)
    internal: Callable[[str], bool] | None = None  # which addresses that rule calls internal (tests inject one)


@dataclass
class CheckRun:
    """Everything one check produced: the result document and the bulky facts behind it."""

    doc: dict[str, Any]
    crawl: CrawlResult
    probes: list[ProbeAttempt]
    evidence: list[dict[str, Any]]
    run_id: str


def _emit(progress: Progress | None, **event: Any) -> None:
    if progress is not None:
        progress(event)


MAX_RENDERED_COLUMNS = 30


async def _render_script_columns(crawl: CrawlResult, analysis: SiteAnalysis, capturer: Any) -> list[str]:
    """Render the column pages whose list a script fills in, so they are read as the inspector sees
    them; the URLs of the columns rendered."""
    rendered = []
    for column in [c for c in analysis.columns if c.error == SCRIPT_LIST][:MAX_RENDERED_COLUMNS]:
        page = find_page(crawl, column.url)
        dom = await capturer.rendered_dom(page.final_url or page.url) if page is not None else None
        if page is not None and dom:
            page.html, page.source = dom[:MAX_PARSE_CHARS], "browser"
            rendered.append(column.url)
    return rendered


async def _render_homepage(crawl: CrawlResult, capturer: Any) -> str | None:
    """Replace the homepage's static HTML with the browser's DOM (lists built by scripts)."""
    home = crawl.page(crawl.homepage_url) or crawl.page(crawl.start_url)  # the real homepage behind a redirect stub
    if home is None or home.html is None:
        return None
    dom = await capturer.rendered_dom(home.final_url or home.url)
    if dom:
        home.html = dom[:MAX_PARSE_CHARS]  # the rendered DOM obeys the same cap as a fetched page
        home.source = "browser"
        return None
    return texts.BROWSER_NOT_RENDERED


def proving_pages(indicators: dict[str, dict[str, Any]], crawl: CrawlResult, home: str) -> dict[str, dict[str, Any]]:
    """Pages of the site to capture, each with the findings it supports (homepage first).

    A finding is proven by its own URL when that is a crawled page (a stale column, an incomplete
    guide, an overdue message, a page with a serious error), otherwise by the page it was found on
    (an attachment or online system; always for a family whose findings' own URLs prove nothing,
    such as a broken link's error page).
    """
    pages: dict[str, dict[str, Any]] = {home: {"findings": ["homepage"], "highlight": None}}
    for iid, entry in indicators.items():
        if entry["status"] == "pass":
            continue
        fam = family_of(iid)
        own_url = fam is None or not fam.proven_where_found
        for f in entry.get("findings", []):
            url, where = f.get("url") or "", f.get("where") or ""
            if own_url and crawl.page(url) is not None:
                target = url
            elif crawl.page(where) is not None:
                target = where
            else:
                continue
            page = pages.setdefault(target, {"findings": [], "highlight": None})
            page["findings"].append(f"{iid}: {f.get('detail') or url}")
            if f.get("highlight") and not page["highlight"]:
                page["highlight"] = f["highlight"]
    return dict(list(pages.items())[:MAX_EVIDENCE_PAGES])


@dataclass
class _Check:
    """One check on its way through the steps of :func:`run_check`."""

    url: str
    opts: CheckOptions
    checklist: Checklist
    run_id: str
    scope: Scope
    progress: Progress | None
    gate: ChallengeGate
    started: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    capturer: Any = None
    browser_note: str = ""
    notes: list[str] = field(default_factory=list)
    crawl: CrawlResult = field(default_factory=lambda: CrawlResult(start_url=""))
    probes: list[ProbeAttempt] = field(default_factory=list)
    facts: Facts | None = None
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    verdict: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    homepage_blocks: asyncio.Task[None] | None = None  # the homepage's list blocks, read by a reader process


async def run_check(
    url: str,
    opts: CheckOptions,
    *,
    evidence_dir: Path | None = None,
    workspace_root: Path | None = None,
    progress: Progress | None = None,
    availability: dict[str, Outcome] | None = None,
    categories: dict[str, str | None] | None = None,
    run_id: str | None = None,
    scope: Scope | None = None,
    capturer: Any = None,
) -> CheckRun:
    """Run every automated check on the site at ``url``, in named steps:

    open the browser -> probe + crawl -> render -> analyse -> score -> capture evidence -> document.

    ``availability``: outcomes of the week-long monitor for the two availability indicators,
    used instead of the short probe when given. ``scope``: the site's pages (default: ``opts.scope``,
    else the 首页网址's own). ``capturer``: an open, shared
    :class:`~inspector.core.web.evidence.EvidenceCapturer` (many checks on one browser; it is
    left open), else one is opened for this check when ``opts.browser`` and a workspace are given.
    """
    checklist = load_checklist(opts.checklist)
    if scope is None:
        scope = Scope.explicit(opts.scope, "option") if opts.scope else Scope.of_homepage(url)
    check = _Check(url=url, opts=opts, checklist=checklist, run_id=run_id or new_run_id(), scope=scope,
                   progress=progress, gate=ChallengeGate(timeout=probe_timeout(checklist, opts.timeout)))
    async with AsyncExitStack() as stack:
        # the browser first: a challenge in front of the site needs it before the crawl can start
        await _open_browser_step(check, stack, workspace_root or evidence_dir, capturer)
        await _probe_and_crawl(check)
        await _render(check)
        await _analyse(check, availability, categories)
        _score(check)
        await _capture_evidence(check, evidence_dir)
    return CheckRun(doc=_document(check, availability), crawl=check.crawl, probes=check.probes,
                    evidence=check.evidence, run_id=check.run_id)


async def _open_browser_step(check: _Check, stack: AsyncExitStack, root: Path | None, shared: Any) -> None:
    """The shared Chromium for challenges, rendering and evidence (or the note why there is none)."""
    if not check.opts.browser:
        check.browser_note = texts.EVIDENCE_NO_BROWSER
        return
    if shared is not None:
        check.capturer = shared
    else:
        check.capturer, check.browser_note = await _open_browser(stack, root, check.opts)
    if check.capturer is not None:
        check.gate.solver = check.capturer.pass_challenge


async def _probe_and_crawl(check: _Check) -> None:
    """Availability probes beside the crawl, both through the check's challenge gate."""
    opts = check.opts
    timeout = probe_timeout(check.checklist, opts.timeout)
    policy = await AddressPolicy.for_site(start_url_of(check.url), opts.resolver, opts.internal)
    # --timeout bounds each request as a whole too (a server that drips one byte a second)
    async with Fetcher(per_host=opts.per_host, min_interval=opts.min_interval, connect_timeout=opts.timeout,
                       read_timeout=opts.timeout, total_timeout=2 * opts.timeout,
                       gate=check.gate, address_policy=policy) as fetcher:
        _emit(check.progress, phase="crawl", url=check.url)
        probe_task = asyncio.create_task(
            probe(check.url, attempts=opts.probes, interval=opts.probe_interval, timeout=min(timeout, opts.timeout),
                  gate=check.gate, address_policy=policy)
        )
        try:
            check.crawl = await crawl_site(
                check.url, fetcher=fetcher, max_pages=opts.max_pages, max_depth=opts.max_depth, scope=check.scope,
                progress=(lambda c: _emit(check.progress, phase="crawl", **c)) if check.progress else None,
                read_page=_early_reader(check),
            )
            check.probes = await probe_task
        finally:
            probe_task.cancel()
    _emit(check.progress, phase="analyse", pages=len(check.crawl.pages), links=len(check.crawl.links))


async def _render(check: _Check) -> None:
    """Read the homepage as the browser shows it (lists built by scripts)."""
    if check.capturer is None:
        return
    note = await _render_homepage(check.crawl, check.capturer)
    if note:
        check.notes.append(note)


def _early_reader(check: _Check) -> Callable[[Page], None]:
    """What reads each page as the crawl gets it: the families' early readers; and once the crawl is big
    enough to have reader processes, the list blocks of its first page (the homepage: the crawl asks for it
    first) are read by one of them, beside the pages (``check.homepage_blocks``), for the site's analysis.

    Read here, a big homepage's blocks (about 0.1 s) would hold back the requests of the whole crawl, as
    they would on a thread (each of the loop's system calls then waits for the interpreter's lock)."""
    families = early_reader(check.checklist)
    homepage: Page | None = None

    def read(page: Page) -> None:
        nonlocal homepage
        if families is not None:
            families(page)
        if homepage is None:
            homepage = page
        elif check.homepage_blocks is None and readers().ready:
            check.homepage_blocks = asyncio.ensure_future(_read_blocks_elsewhere(check, homepage))

    return read


async def _read_blocks_elsewhere(check: _Check, page: Page) -> None:
    url, as_of, html = page.final_url or page.url, check.opts.as_of, page.html or ""
    blocks = await readers().call(blocks_of_text, html, url, page.encoding, as_of, check.checklist, fetch_day(page))
    if blocks is not None:
        count_parse(html, url)  # (the reader parsed it again)
        remember_blocks(page, html, url, as_of, check.checklist, blocks)


async def _analyse(check: _Check, availability: dict[str, Outcome] | None,
                   categories: dict[str, str | None] | None) -> None:
    """The site analysed once; the column lists a script fills in rendered and read again; then
    every family measures from the same facts (and the monitor's, when given)."""
    crawl, checklist, as_of = check.crawl, check.checklist, check.opts.as_of
    if check.homepage_blocks is not None:
        await check.homepage_blocks  # (done by now: the reader had it before the crawl's later pages)
    analysis = None if homepage_unreadable(crawl) else analyze_site(crawl, checklist, as_of)
    if analysis is not None and check.capturer is not None:
        rendered = await _render_script_columns(crawl, analysis, check.capturer)
        if rendered:
            reread_columns(analysis, crawl, checklist, as_of, rendered)
            check.notes.append(texts.script_columns_rendered(len(rendered)))
    check.facts = Facts.of(crawl, checklist, as_of, analysis=analysis, probes=check.probes,
                           availability=availability, categories=categories)
    check.outcomes = measure(check.facts)


def _score(check: _Check) -> None:
    """Pre-fill every indicator and the verdict from the outcomes."""
    check.indicators = prefills(check.checklist, check.outcomes)
    _, check.verdict = score_site(check.checklist, check.indicators)


async def _capture_evidence(check: _Check, evidence_dir: Path | None) -> None:
    """Screenshots/MHTML/DOM of the homepage and every page that proves a finding, linked to them."""
    if check.capturer is None or evidence_dir is None:
        return
    home = check.crawl.homepage_url or check.crawl.start_url
    targets = proving_pages(check.indicators, check.crawl, home)
    _emit(check.progress, phase="evidence", total=len(targets))
    check.evidence = await _capture_all(check.capturer, targets, evidence_dir, check.progress)
    _link_evidence(check.indicators, check.evidence)


def _access_notes(gate: ChallengeGate) -> tuple[list[dict[str, Any]], list[str]]:
    """The challenges met, as the document records them, and the notes an inspector reads on them, on
    hosts that answered only a browser's User-Agent and on certificates that failed verification."""
    records = [p.to_json() for p in gate.passes]
    notes = []
    for host, kind in gate.met.items():
        passes = [p for p in gate.passes if p.host == host]
        passed = [p for p in passes if p.passed]
        if passed and host in gate.stuck:
            notes.append(texts.challenge_returned(host, kind, len(passed), gate.stuck[host]))
        elif passed:
            notes.append(texts.challenge_passed(host, kind, passed[0].elapsed, len(passed)))
        else:
            why = gate.stuck.get(host, "") or "no browser"
            if not passes:  # no browser to try with: the record says so
                records.append({"host": host, "kind": kind, "url": "", "at": "", "passed": False, "elapsed_s": 0.0,
                                "error": why})
            notes.append(texts.challenge_not_passed(host, kind, bool(passes), why))
    notes += [texts.answered_as_browser(host) for host, answered in gate.as_browser.items() if answered]
    notes += [texts.certificate_unverified(host, why) for host, why in gate.unverified.items()]
    return records, notes


def _document(check: _Check, availability: dict[str, Outcome] | None) -> dict[str, Any]:
    """The ``inspector.check/1`` document of the check (fields beyond the contract are additive)."""
    crawl, opts = check.crawl, check.opts
    challenges, challenge_notes = _access_notes(check.gate)
    limits = limit_hits(crawl, check.capturer.hits if check.capturer is not None else [], check.evidence)
    notes = check.notes + challenge_notes + ([check.browser_note] if check.browser_note else []) \
        + [hit["text"] for hit in limits]
    doc = {
        "schema": SCHEMA,
        "url": check.url,
        "final_url": crawl.homepage_url or check.url,
        "as_of": opts.as_of.isoformat(),
        "checklist": check.checklist.ref,
        "indicators": check.indicators,
        "verdict": check.verdict,
        "columns": [column_summary(c) for c in check.facts.analysis.columns] if check.facts else [],
        "evidence": [
            {"path": f["path"], "sha256": f["sha256"], "url": rec["url"], "kind": f["kind"], "record": rec["id"]}
            for rec in check.evidence
            for f in rec.get("files", [])
        ],
        "scope": crawl.scope or check.scope.to_json(),
        "run": {
            "id": check.run_id,
            "started_at": check.started,
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "tool": f"inspector {__version__}",
            "pages": len(crawl.pages),
            "links_checked": len(crawl.links),
            "crawl_truncated": crawl.truncated,
            "crawl_errors": crawl.errors[:50],
            "probes": {
                "attempts": len(check.probes),
                "interval_s": opts.probe_interval,
                "used_for_availability": texts.AVAILABILITY_MONITOR if availability else texts.AVAILABILITY_SHORT,
            },
            "browser": {"used": check.capturer is not None, "note": check.browser_note},
            "challenges": challenges,
            "limits": limits,
            "notes": notes,
        },
    }
    return doc


def limit_hits(crawl: CrawlResult, browser_hits: list[Any], evidence: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every cap this check ran into: pages the fetcher cut at the size cap, then the browser's.

    A shared browser's hits include other checks' pages: only this site's pages count.
    """
    from inspector.core.web.limits import LIMITS, LimitHit, mb

    ours = {u for page in crawl.pages.values() for u in (page.url, page.final_url) if u}
    ours.update(u for rec in evidence for u in (rec.get("url"), rec.get("final_url")) if u)
    hits = [LimitHit("document-size", page.url, mb(LIMITS.max_bytes), "只读取了开头部分")
            for page in crawl.pages.values() if page.error == "too-large"]
    out: dict[tuple[str, str], dict[str, str]] = {}
    for hit in [*hits, *(h for h in browser_hits if h.url in ours)]:
        out.setdefault((hit.kind, hit.url), hit.as_dict())
    return list(out.values())


async def _open_browser(stack: AsyncExitStack, root: Path | None, opts: CheckOptions) -> tuple[Any, str]:
    """A capturer entered on ``stack`` (closed with it), or None and the reason."""
    from inspector.core.web.evidence import BrowserUnavailable, EvidenceCapturer

    if root is None:
        return None, texts.EVIDENCE_NO_WORKSPACE
    try:
        capturer = await stack.enter_async_context(EvidenceCapturer(Path(root), resolver=opts.resolver, internal=opts.internal))
    except BrowserUnavailable as exc:
        return None, texts.evidence_unavailable(exc)
    return capturer, ""


async def _capture_all(capturer: Any, targets: dict[str, dict[str, Any]], out_dir: Path, progress: Progress | None) -> list[dict[str, Any]]:
    done = 0

    async def one(url: str, target: dict[str, Any]) -> dict[str, Any]:
        nonlocal done
        rec = await capturer.capture(url, out_dir, findings=target["findings"], highlight_text=target["highlight"])
        done += 1
        _emit(progress, phase="evidence", captured=done, total=len(targets))
        return rec

    return list(await asyncio.gather(*(one(u, f) for u, f in targets.items())))


def _link_evidence(indicators: dict[str, dict[str, Any]], evidence: list[dict[str, Any]]) -> None:
    """Point each finding at the evidence record(s) of the page that proves it."""
    by_url: dict[str, list[str]] = {}
    for rec in evidence:
        for u in {rec.get("url"), rec.get("final_url")}:
            if u:
                by_url.setdefault(u, []).append(rec["id"])
    for entry in indicators.values():
        for f in entry.get("findings", []):
            ids = by_url.get(f.get("url") or "", []) + by_url.get(f.get("where") or "", [])
            if ids:
                f["evidence"] = sorted(set(ids))


# --------------------------------------------------------------------------- storing


def store_check(ws: Any, quarter: str, code: str, run: CheckRun, run_dir: Path, *, recheck: bool = False) -> dict[str, Any]:
    """Write the run's facts to ``run_dir`` and its pre-fill and evidence into the workspace.

    With ``recheck`` (a re-check after rectification) the result is stored beside the original
    pre-fill, which stays what the inspector decided on.
    """
    from inspector.core.store import append_jsonl, atomic_write_bytes, utcnow

    pages = [
        {k: v for k, v in to_dict(p).items() if k != "html"} | {"links": len(p.links)} for p in run.crawl.pages.values()
    ]
    append_jsonl(run_dir / "pages.jsonl", pages)
    append_jsonl(run_dir / "links.jsonl", [to_dict(s) | {"on": run.crawl.link_sources.get(u, [])} for u, s in run.crawl.links.items()])
    append_jsonl(run_dir / "probes.jsonl", [to_dict(p) for p in run.probes])
    # the whole crawl (with the pages' text, the homepage as rendered) so the site can be
    # re-scored offline, e.g. after the inspector corrects a column's category
    atomic_write_bytes(run_dir / CRAWL_FILE, crawl_bytes(run.crawl))
    atomic_write_bytes(run_dir / "check.json", dump_check(run.doc))
    ws.add_evidence([rec | {"quarter": quarter, "code": code, "run": run.run_id} for rec in run.evidence])

    def update(record: dict[str, Any]) -> dict[str, Any]:
        rel = str(run_dir.relative_to(ws.root))
        record.setdefault("decisions", {})
        record.setdefault("runs", []).append(
            {"id": run.run_id, "at": utcnow(), "result": run.doc["verdict"]["result"], "dir": rel, "recheck": recheck}
        )
        if recheck:
            if not record.get("prefill"):
                raise LookupError(texts.no_recheck_base(code, quarter))
            record["recheck"] = {"at": utcnow(), "doc": run.doc, "run": run.run_id, "run_dir": rel}
            return record
        record["prefill"] = run.doc
        record["prefill_at"] = utcnow()
        record["run_dir"] = rel
        if record.get("progress") in (None, SiteProgress.NOT_STARTED):
            record["progress"] = SiteProgress.CHECKED
        elif record.get("progress") == SiteProgress.DONE:  # its decisions now stand on an older check
            record["progress"] = SiteProgress.IN_REVIEW
        return record

    return ws.update_inspection(quarter, code, update)


def site_scope(site: dict[str, Any], opts: CheckOptions) -> Scope:
    """The scope a registry site is checked in: ``--scope``, else its 站点范围, else its 首页网址's own."""
    if opts.scope:
        return Scope.explicit(opts.scope, "option")
    if site.get("scope"):
        return Scope.explicit(str(site["scope"]), "registry")
    return Scope.of_homepage(site["url"])


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def check_and_store(
    ws: Any, quarter: str, code: str, opts: CheckOptions, progress: Progress | None = None, *, recheck: bool = False
) -> dict[str, Any]:
    """Check a registry site and store the pre-fill (or the re-check) for the quarter (CLI and TUI)."""
    return asyncio.run(check_and_store_async(ws, quarter, code, opts, progress, recheck=recheck))


async def check_and_store_async(
    ws: Any, quarter: str, code: str, opts: CheckOptions, progress: Progress | None = None, *,
    recheck: bool = False, capturer: Any = None,
) -> dict[str, Any]:
    """:func:`check_and_store` inside a running event loop (several sites at once: core/quarter/batch.py),
    optionally on a shared, open ``capturer``; the workspace writes run in a worker thread."""
    site = ws.site(code)
    if site is None:
        raise LookupError(texts.no_site(code, ws.root))
    from inspector.core.quarter.monitor import monitor_outcomes

    record = ws.inspection(quarter, code) or {}
    if recheck and not record.get("prefill"):
        raise LookupError(texts.no_recheck_base(code, quarter))
    run_id = new_run_id()
    run_dir = ws.run_dir(quarter, code, run_id)
    availability = monitor_outcomes(ws, quarter, code, load_checklist(opts.checklist))
    run = await run_check(site["url"], opts, evidence_dir=run_dir / "evidence", workspace_root=ws.root,
                          progress=progress, availability=availability,
                          categories=record.get("column_categories") or {}, run_id=run_id,
                          scope=site_scope(site, opts), capturer=capturer)
    await asyncio.to_thread(store_check, ws, quarter, code, run, run_dir, recheck=recheck)
    return run.doc


def check_adhoc(ws: Any, url: str, opts: CheckOptions, progress: Progress | None = None) -> dict[str, Any]:
    """Check any URL; evidence goes to the workspace's runs/adhoc, nothing is stored as a pre-fill."""
    run_id = new_run_id()
    run_dir = ws.run_dir("adhoc", "adhoc", run_id)

    async def doc() -> dict[str, Any]:
        # the document, not the CheckRun, is the loop's result: on Python 3.11 asyncio.run formats a
        # repr of the finished main task (its result included) on the way out, and the whole crawl's is big
        run = await run_check(url, opts, evidence_dir=run_dir / "evidence", workspace_root=ws.root,
                              progress=progress, run_id=run_id)
        return run.doc

    return asyncio.run(doc())




def summary_text(doc: dict[str, Any]) -> str:
    """The check document for people (Chinese): every indicator with its status, points and measures as
    labelled phrases, the verdict, and the notes. With a veto the deductions read 不计分."""
    checklist = load_checklist(doc["checklist"])
    v = doc["verdict"]
    lines = [f"{clean_text(doc['url'])}  监测日 {doc['as_of']}（{checklist.name}）"]
    for group, inds in checklist.groups().items():
        lines.append(f"【{group}】")
        for ind in inds:
            e = doc["indicators"][ind.id]
            pts = shown_points(ind, effective(ind, e, None), v)
            measures = ind.measures_text(e.get("measures"))
            lines.append(f"  {texts.status_name(e['status']):<4} {ind.name}{'  ' + pts if pts else ''}  {measures}")
    names = {i.id: i.name for i in checklist.indicators.values()}
    vetoes = "、".join(names.get(i, i) for i in v["vetoes"]) or texts.NONE
    if scored(v):
        tally = f"扣分 {texts.number(v['deduction_total'])}   得分 {texts.number(v['score'])}"
    else:
        tally = f"扣分项 {texts.NOT_SCORED}"
    lines.append(f"单项否决：{vetoes}   {tally}   结论：{texts.result_name(v['result'])}")
    notes = list(doc["run"]["notes"]) + [
        f"{names.get(iid, iid)}：{e['note']}" for iid, e in doc["indicators"].items() if e.get("note")
    ]
    for note in notes:
        lines.append(f"说明：{clean_text(str(note))}")  # notes can quote site URLs: never raw to a terminal
    return "\n".join(lines) + "\n"
