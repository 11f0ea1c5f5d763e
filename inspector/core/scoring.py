"""Scoring: the pre-fill of each indicator, an inspector's decisions, and the site's verdict.

Pure rules over a :class:`~inspector.core.checklist.Checklist` and the check document's entries:
nothing here fetches, crawls or reads the workspace, so re-scoring a stored check (a column
correction, a decision) never imports the pipeline.

The result rule (CHECKLIST.md):

- any veto indicator whose effective status is ``fail`` -> the site fails;
- otherwise score = max_score - sum of deductions, failing below ``fail_below``;
- a veto indicator still in ``review`` (and no confirmed veto) -> result ``review``.

An inspector decision always wins over the automated pre-fill.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from inspector.core import texts
from inspector.core.checklist import Checklist, Indicator
from inspector.core.model import IndicatorEntry, Outcome, Result, Status, Verdict, to_dict

STATUSES = tuple(Status)
_UNDECIDED: Mapping[str, Any] = {"status": Status.REVIEW}  # an indicator the verdict finds no entry for

# The rules of a decision live here, once; the TUI and the CLI only call them (through
# quarter.inspection): an override needs a note, points follow the status (合格 0; 不合格 the
# pre-fill's points or the inspector's, more than 0 and within the indicator's maximum; 待复核 none),
# and with a veto the deduction indicators are not scored at all.


@dataclass
class Decision:
    """An inspector's confirmation or override of one indicator."""

    status: str  # pass | fail | review
    points: float | None = None  # deduction indicators: the points that count (0 for pass)
    note: str = ""
    by: str = ""
    at: str = ""  # UTC ISO-8601
    kind: str = ""  # confirm | override ("" in records written before it was kept)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(texts.unknown_status(self.status, STATUSES))
        self.status = Status(self.status)
        _check_points(self.points)


def _check_points(points: Any) -> None:
    """Points are absent or a finite number ≥ 0 (ValueError otherwise)."""
    if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float))
                               or not math.isfinite(points) or points < 0):
        raise ValueError(texts.POINTS_NOT_NUMBER)


def decision_points(indicator: Indicator, status: str, points: float | None, pre: Mapping[str, Any] | None) -> float | None:
    """The points a decision carries by the rule, or ValueError with the reason (Chinese).

    合格 → 0; 不合格 → ``points`` if given, else the pre-fill's, more than 0 and at most the indicator's
    maximum; 待复核 → none. Veto indicators have no points.
    """
    _check_points(points)
    if indicator.is_veto:
        if points:
            raise ValueError(texts.VETO_NO_POINTS)
        return None
    if status == Status.PASS:
        if points:
            raise ValueError(texts.PASS_NO_POINTS)
        return 0.0
    if status == Status.REVIEW:
        if points:
            raise ValueError(texts.REVIEW_NO_POINTS)
        return None
    maximum = indicator.max_points if indicator.max_points is not None else math.inf
    pts = float(points) if points is not None else float(pre.get("deduction") or 0.0) if pre else 0.0
    if pts <= 0:
        raise ValueError(texts.fail_needs_points(maximum))
    if pts > maximum + 1e-9:
        raise ValueError(texts.points_over_max(pts, maximum))
    return round(pts, 4)


def is_override(indicator: Indicator, status: str, points: float | None, pre: Mapping[str, Any] | None) -> bool:
    """Does a decision differ from the pre-fill (then it needs a note)? No pre-fill: always."""
    if not pre or status != pre.get("status"):
        return True
    if indicator.is_veto or status != Status.FAIL or points is None:
        return False
    return abs(float(points) - float(pre.get("deduction") or 0.0)) > 1e-9


def prefill(indicator: Indicator, outcome: Outcome) -> IndicatorEntry:
    """The automated pre-fill of one indicator: its status and veto/deduction from the measures."""
    entry: dict[str, Any] = {
        "status": Status.REVIEW,
        "measures": dict(outcome.measures),
        "findings": [f if isinstance(f, dict) else to_dict(f) for f in outcome.findings],
    }
    if outcome.note:
        entry["note"] = outcome.note
    if outcome.source:
        entry["source"] = outcome.source
    if indicator.is_veto:
        vetoed = indicator.vetoed(outcome.measures)
        entry["status"] = Status.REVIEW if vetoed is None else (Status.FAIL if vetoed else Status.PASS)
    else:
        pts = indicator.deduction(outcome.measures)
        entry["deduction"] = pts if pts is not None else 0.0
        entry["status"] = Status.REVIEW if pts is None else (Status.FAIL if pts > 0 else Status.PASS)
    if outcome.status == Status.REVIEW:
        entry["status"] = Status.REVIEW
    if indicator.is_veto:  # a veto counts only once decided: a candidate in review is not (yet) one
        entry["veto"] = entry["status"] == Status.FAIL
    return entry  # type: ignore[return-value]


def effective(indicator: Indicator, pre: Mapping[str, Any] | None, decision: Decision | Mapping[str, Any] | None) -> dict[str, Any]:
    """Status and points of an indicator once the inspector's decision (if any) is applied.

    Points follow the status: a 合格 decision deducts nothing, whatever points an older record kept;
    no deduction goes beyond the indicator's maximum.
    """
    if isinstance(decision, Mapping):
        decision = Decision(**{k: decision[k] for k in ("status", "points", "note", "by", "at") if k in decision})
    pre = pre or {"status": Status.REVIEW, "deduction": 0.0, "veto": False}
    if decision is not None:
        status = decision.status
        source = "inspector"
    else:
        status = pre.get("status", Status.REVIEW)
        source = "auto"
    out: dict[str, Any] = {"status": status, "source": source}
    if indicator.is_veto:
        out["veto"] = status == Status.FAIL
    else:
        if decision is not None and status == Status.PASS:
            pts = 0.0
        elif decision is not None and status == Status.FAIL and decision.points is not None:
            pts = decision.points
        else:
            pts = float(pre.get("deduction") or 0.0)
        if indicator.max_points is not None:
            pts = min(pts, indicator.max_points)
        out["deduction"] = round(pts, 4)
    return out


def verdict(checklist: Checklist, effective_by_id: Mapping[str, Mapping[str, Any]]) -> Verdict:
    """vetoes, deduction total, score and result (pass / fail / review) by the checklist's rule.

    With a veto the site fails and the deduction indicators are not scored (:func:`scored`): the
    total and the score are still computed, for information, but nothing shows them as points.
    """
    entries = {iid: effective_by_id.get(iid) or _UNDECIDED for iid in checklist.indicators}
    status = {iid: entries[iid].get("status", Status.REVIEW) for iid in checklist.veto_ids}
    vetoes = [iid for iid in checklist.veto_ids if status[iid] == Status.FAIL]
    veto_review = [iid for iid in checklist.veto_ids if status[iid] == Status.REVIEW]
    total = round(sum(float(entries[iid].get("deduction") or 0.0) for iid in checklist.deduction_ids), 4)
    score = round(max(0.0, checklist.max_score - total), 4)  # deductions can exceed the maximum; a score can't go below 0
    if vetoes:
        result = Result.FAIL
    elif veto_review:
        result = Result.REVIEW
    else:
        result = Result.FAIL if score < checklist.fail_below else Result.PASS
    return {
        "vetoes": vetoes,
        "pending_vetoes": veto_review,
        "deduction_total": total,
        "score": score,
        "result": result,
    }


def scored(verdict_: Mapping[str, Any]) -> bool:
    """Are the deduction indicators scored? Not when a veto is hit (CHECKLIST.md: 不计分)."""
    return not verdict_.get("vetoes")


def shown_points(indicator: Indicator, eff: Mapping[str, Any], verdict_: Mapping[str, Any]) -> str:
    """The points column for people: 否决 (a veto hit), 不计分 (deductions under a veto), 扣4.7分, 不扣分."""
    if indicator.is_veto:
        return texts.VETO if eff.get("status") == Status.FAIL else ""
    if not scored(verdict_):
        return texts.NOT_SCORED
    return texts.points(eff.get("deduction"))


def score_site(
    checklist: Checklist,
    prefills: Mapping[str, Mapping[str, Any]],
    decisions: Mapping[str, Decision | Mapping[str, Any]] | None = None,
) -> tuple[dict[str, dict[str, Any]], Verdict]:
    """Effective per-indicator outcomes and the verdict for one site."""
    decisions = decisions or {}
    eff = {
        iid: effective(ind, prefills.get(iid), decisions.get(iid)) for iid, ind in checklist.indicators.items()
    }
    return eff, verdict(checklist, eff)


def prefills(checklist: Checklist, outcomes: Mapping[str, Outcome]) -> dict[str, IndicatorEntry]:
    """The pre-fill of every indicator of the checklist; one that no check family measured is left
    to the inspector (待复核, with the catalog's note)."""
    return {
        iid: prefill(ind, outcomes.get(iid) or Outcome(status=Status.REVIEW, note=texts.NOT_MEASURED))
        for iid, ind in checklist.indicators.items()
    }
