"""An inspection: a sampled site's pre-fill, the inspector's decisions, and its verdict.

The domain operations the TUI, the CLI and the bundle share. Every decision is saved
immediately (one workspace transaction) with who, when and why, and kept in the
record's history, so an override can always be traced and nothing is lost.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from typing import Any, Iterable

from inspector.core.web.charset import clean_text
from inspector.core.checklist import Checklist, Decision, load_checklist, score_site
from inspector.core.settings import settings
from inspector.core.store import Workspace, utcnow

PROGRESS = ("not started", "checked", "in review", "done")
RECTIFICATION = ("not needed", "pending", "in progress", "rectified", "overdue")


def inspector_name() -> str:
    """Who is deciding: $INSPECTOR_USER, else the login name."""
    configured = settings().user
    if configured:
        return configured
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers, odd Windows set-ups)
        return "unknown"


def checklist_of(record: dict[str, Any] | None) -> Checklist:
    """The checklist a record was checked against (default census-2015)."""
    name = (record or {}).get("prefill", {}).get("checklist") or "census-2015"
    return load_checklist(name)


def evaluate(record: dict[str, Any] | None, checklist: Checklist | None = None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Effective per-indicator status/points and the verdict for an inspection record."""
    checklist = checklist or checklist_of(record)
    record = record or {}
    prefills = (record.get("prefill") or {}).get("indicators", {})
    return score_site(checklist, prefills, record.get("decisions") or {})


def decide(
    ws: Workspace,
    quarter: str,
    code: str,
    indicator: str,
    status: str,
    *,
    points: float | None = None,
    note: str = "",
    by: str | None = None,
) -> dict[str, Any]:
    """Record the inspector's decision on one indicator and return the updated record."""
    checklist = checklist_of(ws.inspection(quarter, code))
    if indicator not in checklist.indicators:
        raise ValueError(f"unknown indicator {indicator!r}")
    if points is not None and checklist.indicators[indicator].is_veto:
        raise ValueError(f"{indicator} is a veto indicator: it has no points")
    decision = Decision(status=status, points=points, note=clean_text(note, keep_newlines=True),
                        by=by or inspector_name(), at=utcnow())

    def apply(record: dict[str, Any]) -> dict[str, Any]:
        decisions = dict(record.get("decisions") or {})
        # which check the decision was made on: a later re-check may change the measures under it
        decisions[indicator] = asdict(decision) | {"on_run": ((record.get("prefill") or {}).get("run") or {}).get("id")}
        record["decisions"] = decisions
        record.setdefault("history", []).append({"indicator": indicator, **asdict(decision)})
        if record.get("progress") in (None, "not started", "checked"):
            record["progress"] = "in review"
        return record

    return ws.update_inspection(quarter, code, apply)


def undo_decision(ws: Workspace, quarter: str, code: str, indicator: str) -> dict[str, Any]:
    """Withdraw a decision (back to the pre-fill); the withdrawal is kept in the history."""

    def apply(record: dict[str, Any]) -> dict[str, Any]:
        decisions = dict(record.get("decisions") or {})
        decisions.pop(indicator, None)
        record["decisions"] = decisions
        record.setdefault("history", []).append(
            {"indicator": indicator, "status": "withdrawn", "by": inspector_name(), "at": utcnow()}
        )
        return record

    return ws.update_inspection(quarter, code, apply)


def set_column_category(ws: Workspace, quarter: str, code: str, url: str, category: str | None) -> dict[str, Any]:
    """Correct a column's category (None: not a scored column) and re-score the site offline.

    The re-scored pre-fill is computed first and stored together with the correction in one
    transaction, so a damaged crawl stores nothing and a check finishing meanwhile is not overwritten.
    """
    import json

    from inspector.core.runner import rescored_doc
    from inspector.core.store import atomic_write_bytes

    record = ws.inspection(quarter, code) or {}
    checklist = checklist_of(record)
    if category is not None and category not in checklist.categories:
        raise ValueError(f"unknown category {category!r} (one of {', '.join(checklist.categories)}, or none)")
    if url not in {c["url"] for c in (record.get("prefill") or {}).get("columns", [])}:
        raise ValueError(f"{url} is not a column of {code}'s latest check")
    categories = {**(record.get("column_categories") or {}), url: category}
    doc = rescored_doc(ws, record, categories)
    run_id = record["prefill"]["run"]["id"]

    def apply(rec: dict[str, Any]) -> dict[str, Any]:
        if ((rec.get("prefill") or {}).get("run") or {}).get("id") != run_id:
            raise LookupError(f"{code} was re-checked meanwhile; correct the category on the new check")
        rec["column_categories"] = categories
        rec["prefill"] = doc
        rec.setdefault("history", []).append({"column": url, "category": category, "by": inspector_name(), "at": utcnow()})
        return rec

    updated = ws.update_inspection(quarter, code, apply)
    atomic_write_bytes(ws.root / record["run_dir"] / "check.json", json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    return updated


def set_progress(ws: Workspace, quarter: str, code: str, progress: str) -> dict[str, Any]:
    if progress not in PROGRESS:
        raise ValueError(f"progress must be one of {', '.join(PROGRESS)}")
    return ws.update_inspection(quarter, code, lambda r: {**r, "progress": progress})


def set_rectification(
    ws: Workspace, quarter: str, code: str, status: str, *, deadline: str = "", note: str = ""
) -> dict[str, Any]:
    if status not in RECTIFICATION:
        raise ValueError(f"rectification must be one of {', '.join(RECTIFICATION)}")

    def apply(record: dict[str, Any]) -> dict[str, Any]:
        record["rectification"] = {"status": status, "deadline": deadline, "note": clean_text(note, keep_newlines=True),
                                   "by": inspector_name(), "at": utcnow()}
        return record

    return ws.update_inspection(quarter, code, apply)


def quarter_done(ws: Workspace, quarter: str) -> bool:
    """Is every sampled site of the quarter marked done? (read without the check documents)"""
    sample = ws.sample(quarter)
    progress = ws.progress(quarter)
    return bool(sample and sample["codes"]) and all(progress.get(code) == "done" for code in sample["codes"])


def quarter_overview(ws: Workspace, quarter: str, codes: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One row per sampled site: what the dashboard and the summary sheet show.

    ``codes``: only these sampled sites (a dashboard updating the row of the site just decided).
    """
    sample = ws.sample(quarter)
    if sample is None:
        return []
    if codes is None:
        wanted = list(sample["codes"])
        sites = {s["code"]: s for s in ws.sites()}
        records = {r["code"]: r for r in ws.inspections(quarter)}
    else:
        wanted = [code for code in codes if code in set(sample["codes"])]
        sites = {code: site for code in wanted if (site := ws.site(code)) is not None}
        records = {code: record for code in wanted if (record := ws.inspection(quarter, code)) is not None}
    rows = []
    for code in wanted:
        site = sites.get(code, {"code": code, "name": "(not in registry)", "url": "", "level": ""})
        record = records.get(code)
        row = {
            "code": code,
            "name": site.get("name", ""),
            "url": site.get("url", ""),
            "level": site.get("level", ""),
            "host_org": site.get("host_org", ""),
            "included": code in sample.get("included", []),
            "progress": (record or {}).get("progress", "not started"),
            "result": None,
            "score": None,
            "vetoes": [],
            "checked_at": (record or {}).get("prefill_at"),
        }
        if record and record.get("prefill"):
            _, v = evaluate(record)
            row.update(result=v["result"], score=v["score"], vetoes=v["vetoes"])
        rows.append(row)
    return rows
