"""An inspection: a sampled site's pre-fill, the inspector's decisions, and its verdict.

The domain operations the TUI, the CLI and the bundle share; their rules live here (and in the
checklist's scoring), never in a screen or a command:

- a decision that differs from the pre-fill (an override) needs a note; points follow the status
  (合格 0, 不合格 the pre-fill's or the inspector's points within the indicator's maximum);
- every hand change is on the record: decisions with who, when, why and the check they were made
  on; column re-categorisations with who, when, why and the verdict before and after;
- 完成 (done) means every indicator decided on the latest check and no veto left 待复核.

Every change is saved immediately (one workspace transaction) and kept in the record's history.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Iterable

from inspector.core import texts
from inspector.core.checklist import Checklist, load_checklist
from inspector.core.scoring import Decision, decision_points, is_override, score_site
from inspector.core.model import (
    DecisionKind, InspectionRecord, Progress, Rectification, Status, checklist_id_of, columns_of, prefill_entry,
    prefill_indicators, prefill_of, run_id_of,
)
from inspector.core.settings import settings
from inspector.core.store import Workspace, WorkspaceError, utcnow
from inspector.core.web.charset import clean_text

PROGRESS = tuple(Progress)
RECTIFICATION = tuple(Rectification)
DECIDED = (Status.PASS, Status.FAIL)  # a decision of 待复核 leaves the indicator open
NAME_KEY = "inspector_name"
MAX_NAME = 40


class NotDone(ValueError):
    """A site cannot be marked done; ``problems`` lists why (Chinese)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(texts.not_done(problems))


# --------------------------------------------------------------------------- who


def inspector_name(ws: Workspace | None = None) -> str:
    """Who is deciding: ``$INSPECTOR_USER``, else the name stored in the workspace at first run.

    Raises :class:`WorkspaceError` (saying how to set it) when neither is set: a record signed by
    the login name ("root") tells the province nothing.
    """
    configured = settings().user
    if configured:
        return clean_text(configured)[:MAX_NAME]
    stored = stored_inspector_name(ws) if ws is not None else ""
    if stored:
        return stored
    raise WorkspaceError(texts.INSPECTOR_UNKNOWN)


def stored_inspector_name(ws: Workspace) -> str:
    return clean_text(str(ws.meta().get(NAME_KEY) or ""))[:MAX_NAME]


def set_inspector_name(ws: Workspace, name: str) -> str:
    """Store the inspector's name in the workspace (asked by the TUI at first run)."""
    name = clean_text(name).strip()[:MAX_NAME]
    if not name:
        raise ValueError("请填写检查人员姓名")
    ws.set_meta(**{NAME_KEY: name})
    return name


# --------------------------------------------------------------------------- reading a record


def checklist_of(record: dict[str, Any] | None) -> Checklist:
    """The checklist a record was checked against (default census-2015)."""
    return load_checklist(checklist_id_of(prefill_of(record)))


def evaluate(record: dict[str, Any] | None, checklist: Checklist | None = None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Effective per-indicator status/points and the verdict for an inspection record."""
    checklist = checklist or checklist_of(record)
    record = record or {}
    return score_site(checklist, prefill_indicators(record), record.get("decisions") or {})


def current_run(record: InspectionRecord | dict[str, Any]) -> str | None:
    """The id of the check the record's pre-fill comes from."""
    return run_id_of(prefill_of(record))


def is_stale(record: InspectionRecord | dict[str, Any], decision: dict[str, Any]) -> bool:
    """Was the decision made on an earlier check than the record's latest?"""
    run = current_run(record)
    return bool(decision.get("on_run") and run and decision["on_run"] != run)


def decision_kind(decision: dict[str, Any]) -> str:
    """confirm or override (records written before the kind was kept: by their note)."""
    if decision.get("kind"):
        return str(decision["kind"])
    return DecisionKind.CONFIRM if decision.get("note", "").startswith("confirmed pre-fill") else DecisionKind.OVERRIDE


def open_indicators(record: dict[str, Any], checklist: Checklist) -> list[str]:
    """Indicators without a current decision of 合格/不合格 (none, 待复核, or made on an earlier check)."""
    decisions = record.get("decisions") or {}
    out = []
    for iid in checklist.indicators:
        d = decisions.get(iid)
        if not d or d.get("status") not in DECIDED or is_stale(record, d):
            out.append(iid)
    return out


def confirmable(record: dict[str, Any], checklist: Checklist) -> list[str]:
    """What "confirm all" confirms: open indicators whose pre-fill decided (合格/不合格), when the open
    one has no decision or only a confirmation of an earlier check (an override is never replaced)."""
    decisions = record.get("decisions") or {}
    prefills = prefill_indicators(record)
    out = []
    for iid in open_indicators(record, checklist):
        d = decisions.get(iid)
        if d and not (is_stale(record, d) and decision_kind(d) == DecisionKind.CONFIRM):
            continue
        if iid in prefills and prefills[iid].get("status") in DECIDED:
            out.append(iid)
    return out


def done_problems(record: dict[str, Any] | None, checklist: Checklist | None = None) -> list[str]:
    """Why a site is not done yet (empty: it may be marked 完成)."""
    record = record or {}
    if not record.get("prefill"):
        return [texts.NOT_CHECKED]
    checklist = checklist or checklist_of(record)
    names = {iid: ind.name for iid, ind in checklist.indicators.items()}
    decisions = record.get("decisions") or {}
    problems = []
    stale = [iid for iid, d in decisions.items() if iid in names and is_stale(record, d)]
    undecided = [iid for iid in open_indicators(record, checklist) if iid not in stale]
    effective, _ = evaluate(record, checklist)
    vetoes = [iid for iid in checklist.veto_ids if effective[iid]["status"] == Status.REVIEW]
    if undecided:
        problems.append(texts.undecided([names[i] for i in undecided]))
    if vetoes:
        problems.append(texts.veto_pending([names[i] for i in vetoes]))
    if stale:
        problems.append(texts.stale_decisions([names[i] for i in stale]))
    return problems


def is_done(record: dict[str, Any] | None, checklist: Checklist | None = None) -> bool:
    """Marked 完成 and still complete (a later check can reopen a site marked done)."""
    return bool(record) and record.get("progress") == Progress.DONE and not done_problems(record, checklist)


# --------------------------------------------------------------------------- decisions


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
    """Record the inspector's decision on one indicator and return the updated record.

    ValueError (Chinese reason) when the rules refuse it: an override without a note, points on a
    合格 or above the indicator's maximum, a 不合格 deducting nothing.
    """
    record = ws.inspection(quarter, code) or {}
    resolved, note, kind = _checked_decision(record, indicator, status, points, note)
    decision = Decision(status=status, points=resolved, note=note, by=by or inspector_name(ws), at=utcnow(), kind=kind)
    return ws.update_inspection(quarter, code, lambda r: _apply_decisions(r, {indicator: decision}))


def _checked_decision(
    record: dict[str, Any], indicator: str, status: str, points: float | None, note: str
) -> tuple[float | None, str, DecisionKind]:
    """The decision's points, cleaned note and kind by the rules, or ValueError with the reason."""
    checklist = checklist_of(record)
    if indicator not in checklist.indicators:
        raise ValueError(texts.unknown_indicator(indicator))
    if status not in tuple(Status):
        raise ValueError(texts.unknown_status(status, tuple(Status)))
    ind = checklist.indicators[indicator]
    pre = prefill_entry(record, indicator)
    resolved = decision_points(ind, status, points, pre)
    note = clean_text(note, keep_newlines=True).strip()
    override = is_override(ind, status, resolved, pre)
    if override and not note:
        raise ValueError(texts.NOTE_REQUIRED)
    return resolved, note, DecisionKind.OVERRIDE if override else DecisionKind.CONFIRM


def decision_problem(record: dict[str, Any] | None, indicator: str, status: str, points: float | None, note: str) -> str | None:
    """Why :func:`decide` would refuse this decision (Chinese), or None: forms check before they close."""
    try:
        _checked_decision(record or {}, indicator, status, points, note)
    except ValueError as exc:
        return str(exc)
    return None


def _apply_decisions(record: dict[str, Any], new: dict[str, Decision]) -> dict[str, Any]:
    decisions = dict(record.get("decisions") or {})
    for indicator, decision in new.items():
        # which check the decision was made on: a later re-check may change the measures under it
        decisions[indicator] = asdict(decision) | {"on_run": current_run(record)}
        record.setdefault("history", []).append({"indicator": indicator, **asdict(decision)})
    record["decisions"] = decisions
    if record.get("progress") in (None, Progress.NOT_STARTED, Progress.CHECKED):
        record["progress"] = Progress.IN_REVIEW
    return record


def confirm(ws: Workspace, quarter: str, code: str, indicator: str, *, by: str | None = None) -> dict[str, Any]:
    """Confirm one indicator's pre-fill as it is (status and points)."""
    pre = prefill_entry(ws.inspection(quarter, code), indicator)
    return decide(ws, quarter, code, indicator, pre["status"] if pre else Status.REVIEW, by=by)


def confirm_all(ws: Workspace, quarter: str, code: str, *, by: str | None = None) -> tuple[dict[str, Any], int]:
    """Confirm every remaining pre-fill of a site (see :func:`confirmable`) in one transaction.

    Returns the updated record and how many were confirmed.
    """
    who = by or inspector_name(ws)
    count = 0

    def apply(record: dict[str, Any]) -> dict[str, Any]:
        nonlocal count
        checklist = checklist_of(record)
        prefills = prefill_indicators(record)
        at = utcnow()
        new = {}
        for iid in confirmable(record, checklist):
            pre = prefills[iid]
            pts = decision_points(checklist.indicators[iid], pre["status"], None, pre)
            new[iid] = Decision(status=pre["status"], points=pts, by=who, at=at, kind=DecisionKind.CONFIRM)
        count = len(new)
        return _apply_decisions(record, new) if new else record

    record = ws.update_inspection(quarter, code, apply)
    return record, count


def undo_decision(ws: Workspace, quarter: str, code: str, indicator: str) -> dict[str, Any]:
    """Withdraw a decision (back to the pre-fill); the withdrawal is kept in the history."""
    who = inspector_name(ws)

    def apply(record: dict[str, Any]) -> dict[str, Any]:
        decisions = dict(record.get("decisions") or {})
        decisions.pop(indicator, None)
        record["decisions"] = decisions
        record.setdefault("history", []).append(
            {"indicator": indicator, "status": "withdrawn", "by": who, "at": utcnow()}
        )
        if record.get("progress") == Progress.DONE:
            record["progress"] = Progress.IN_REVIEW
        return record

    return ws.update_inspection(quarter, code, apply)


# --------------------------------------------------------------------------- columns


def _verdict_brief(verdict: dict[str, Any]) -> dict[str, Any]:
    return {"result": verdict["result"], "score": verdict["score"], "vetoes": list(verdict["vetoes"])}


def set_column_category(
    ws: Workspace, quarter: str, code: str, url: str, category: str | None, *, reason: str = "", by: str | None = None
) -> dict[str, Any]:
    """Correct a column's category (None: not a scored column) and re-score the site offline.

    The reason is required; the correction is recorded (``corrections``) with who, when, why, the
    category and the verdict before and after. The re-scored pre-fill is computed first and stored
    together with the correction in one transaction, so a damaged crawl stores nothing and a check
    finishing meanwhile is not overwritten.
    """
    from inspector.core.model import dump_check
    from inspector.core.rescore import rescored_doc
    from inspector.core.store import atomic_write_bytes

    record = ws.inspection(quarter, code) or {}
    checklist = checklist_of(record)
    if category is not None and category not in checklist.categories:
        raise ValueError(texts.unknown_category(category, checklist.categories))
    columns = {c["url"]: c for c in columns_of(prefill_of(record))}
    if url not in columns:
        raise ValueError(texts.not_a_column(url, code))
    reason = clean_text(reason, keep_newlines=True).strip()
    if not reason:
        raise ValueError(texts.REASON_REQUIRED)
    who = by or inspector_name(ws)
    categories = {**(record.get("column_categories") or {}), url: category}
    doc = rescored_doc(ws, record, categories)
    run_id = record["prefill"]["run"]["id"]
    _, before = evaluate(record, checklist)
    _, after = evaluate({**record, "prefill": doc}, checklist)
    at = utcnow()
    correction = {
        "column": url, "name": clean_text(str(columns[url].get("name") or "")), "before": columns[url].get("category"),
        "after": category, "reason": reason, "by": who, "at": at, "on_run": run_id,
        "verdict_before": _verdict_brief(before), "verdict_after": _verdict_brief(after),
    }

    def apply(rec: dict[str, Any]) -> dict[str, Any]:
        if current_run(rec) != run_id:
            raise LookupError(texts.rechecked_meanwhile(code))
        rec["column_categories"] = categories
        rec["prefill"] = doc
        rec.setdefault("corrections", []).append(correction)
        rec.setdefault("history", []).append({"column": url, "category": category, "reason": reason, "by": who, "at": at})
        return rec

    updated = ws.update_inspection(quarter, code, apply)
    atomic_write_bytes(ws.root / record["run_dir"] / "check.json", dump_check(doc))
    return updated


# --------------------------------------------------------------------------- hand changes, for people


def adjustments(record: dict[str, Any] | None, checklist: Checklist | None = None) -> list[dict[str, Any]]:
    """Every hand change that counts in the result (人工调整): overrides and column corrections.

    Each is ``{kind, what, reason, by, at}`` plus the ids it concerns; ``what`` is Chinese
    (``链接可用性：不合格 扣1.1分 → 合格``, ``栏目「部门文件」类别：通知公告 → 无（不考核）；不合格 → 合格 63分``).
    """
    record = record or {}
    checklist = checklist or checklist_of(record)
    prefills = prefill_indicators(record)
    out: list[dict[str, Any]] = []
    for c in record.get("corrections") or []:
        vb, va = c.get("verdict_before") or {}, c.get("verdict_after") or {}
        what = texts.correction_text(
            clean_text(str(c.get("name") or c.get("column") or "")),
            texts.category_name(checklist.categories, c.get("before")),
            texts.category_name(checklist.categories, c.get("after")),
        ) + f"；结论 {texts.verdict_short(vb.get('result'), vb.get('score'), vb.get('vetoes') or [])} → " \
            f"{texts.verdict_short(va.get('result'), va.get('score'), va.get('vetoes') or [])}"
        out.append({"kind": "column", "column": c.get("column"), "what": what, "reason": c.get("reason", ""),
                    "by": c.get("by", ""), "at": c.get("at", "")})
    for iid, d in (record.get("decisions") or {}).items():
        ind = checklist.indicators.get(iid)
        if ind is None or decision_kind(d) != DecisionKind.OVERRIDE:
            continue
        pre = prefills.get(iid) or {}
        before = _status_points(ind.is_veto, pre.get("status"), pre.get("deduction")) if pre else texts.NOT_CHECKED
        after = _status_points(ind.is_veto, d.get("status"), d.get("points"))
        out.append({"kind": "override", "indicator": iid, "what": texts.override_text(ind.name, before, after),
                    "reason": d.get("note", ""), "by": d.get("by", ""), "at": d.get("at", "")})
    return sorted(out, key=lambda a: str(a["at"]))


def _status_points(is_veto: bool, status: Any, points: Any) -> str:
    if is_veto or status != Status.FAIL:
        return texts.status_name(status)
    return f"{texts.status_name(status)} {texts.points(points)}"


# --------------------------------------------------------------------------- progress, rectification


def set_progress(ws: Workspace, quarter: str, code: str, progress: str) -> dict[str, Any]:
    """Set a site's progress; 完成 (done) only when :func:`done_problems` finds nothing (else NotDone)."""
    if progress not in PROGRESS:
        raise ValueError(texts.unknown_status(progress, PROGRESS))

    def apply(record: dict[str, Any]) -> dict[str, Any]:
        if progress == Progress.DONE:
            problems = done_problems(record)
            if problems:
                raise NotDone(problems)
        return {**record, "progress": Progress(progress)}

    return ws.update_inspection(quarter, code, apply)


def set_rectification(
    ws: Workspace, quarter: str, code: str, status: str, *, deadline: str = "", note: str = ""
) -> dict[str, Any]:
    if status not in RECTIFICATION:
        raise ValueError(texts.unknown_status(status, RECTIFICATION))
    who = inspector_name(ws)

    def apply(record: dict[str, Any]) -> dict[str, Any]:
        record["rectification"] = {"status": Rectification(status), "deadline": deadline,
                                   "note": clean_text(note, keep_newlines=True), "by": who, "at": utcnow()}
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

    ``score`` is None when the site is not checked or has a veto (then nothing is scored).
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
        site = sites.get(code, {"code": code, "name": "（不在名录中）", "url": "", "level": ""})
        record = records.get(code)
        row = {
            "code": code,
            "name": site.get("name", ""),
            "url": site.get("url", ""),
            "level": site.get("level", ""),
            "host_org": site.get("host_org", ""),
            "included": code in sample.get("included", []),
            "progress": record.get("progress", Progress.NOT_STARTED) if record else Progress.NOT_STARTED,
            "result": None,
            "score": None,
            "vetoes": [],
            "checked_at": record.get("prefill_at") if record else None,
        }
        if record and record.get("prefill"):
            _, v = evaluate(record)
            row.update(result=v["result"], score=None if v["vetoes"] else v["score"], vetoes=v["vetoes"])
        rows.append(row)
    return rows
