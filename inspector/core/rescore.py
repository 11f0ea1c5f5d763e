"""Re-scoring a stored check offline: the stored crawl measured again, nothing fetched.

After the inspector corrects a column's category the site is scored again from the crawl the
check stored (``crawl.json.gz`` in its run directory): the same facts, the same families, the
same scoring as the check itself (:mod:`inspector.core.checks`, :mod:`inspector.core.scoring`),
without the pipeline — this module never imports the fetcher, the crawler, the browser or the
evidence capture (a test holds it to that).
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from inspector.core import texts
from inspector.core.checklist import load_checklist
from inspector.core.checks import Facts, families, measure
from inspector.core.model import (
    CheckDoc, CrawlResult, IndicatorEntry, checklist_id_of, column_summary, crawl_from_dict, indicators_of, prefill_of,
    to_dict,
)
from inspector.core.scoring import prefills, score_site
from inspector.core.store import utcnow

CRAWL_FILE = "crawl.json.gz"  # the whole crawl of a check, in its run directory


def crawl_bytes(crawl: CrawlResult) -> bytes:
    """The crawl as stored (gzip'd JSON, the pages' text and the homepage as rendered included)."""
    return gzip.compress(json.dumps(to_dict(crawl), ensure_ascii=False).encode("utf-8"), 6)


def read_crawl(path: Path) -> CrawlResult:
    """A stored crawl; FileNotFoundError when missing, ValueError (or OSError, EOFError, KeyError,
    TypeError) when damaged."""
    return crawl_from_dict(json.loads(gzip.decompress(path.read_bytes())))


def rescored_doc(ws: Any, record: Mapping[str, Any], categories: Mapping[str, str | None]) -> CheckDoc:
    """The record's check document re-scored from its stored crawl with these column categories.

    Works offline: nothing is fetched, nothing is stored. What the crawl does not measure (the
    availability probes, the monitor) keeps its stored entries whole (status, findings, note);
    findings keep their links to the evidence captured. Raises LookupError when the stored
    crawl is missing or unreadable.
    """
    if not prefill_of(record) or not record.get("run_dir"):
        raise LookupError(texts.no_stored_check(record.get("code")))
    try:
        crawl = read_crawl(ws.root / record["run_dir"] / CRAWL_FILE)
    except FileNotFoundError:
        raise LookupError(texts.no_stored_crawl(record.get("code"))) from None
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:  # truncated / damaged file
        raise LookupError(texts.damaged_crawl(record.get("code"), exc)) from None
    doc: CheckDoc = dict(prefill_of(record))  # type: ignore[assignment]
    stored = indicators_of(doc)
    checklist = load_checklist(checklist_id_of(doc))
    facts = Facts.of(crawl, checklist, date.fromisoformat(doc["as_of"]), categories=categories)
    indicators = prefills(checklist, measure(facts, [f for f in families() if f.from_crawl]))
    for fam in families():
        if not fam.from_crawl:  # measured by the probes / the monitor, not by the crawl: kept whole
            indicators.update({iid: stored[iid] for iid in fam.indicators if iid in indicators and iid in stored})
    for iid, entry in indicators.items():
        _keep_evidence(entry, stored.get(iid))
    _, doc["verdict"] = score_site(checklist, indicators)
    doc["indicators"], doc["columns"] = indicators, [column_summary(c) for c in facts.analysis.columns]
    doc["run"] = {**doc["run"], "rescored_at": utcnow()}
    return doc


def _keep_evidence(entry: IndicatorEntry, before: IndicatorEntry | None) -> None:
    """Findings found again keep their links to the evidence already captured."""
    findings = before.get("findings", []) if before else []
    old = {(f.get("url"), f.get("detail")): f.get("evidence") for f in findings}
    for f in entry.get("findings", []):
        if old.get((f.get("url"), f.get("detail"))):
            f["evidence"] = old[(f.get("url"), f.get("detail"))]
