"""Before → after of a site's re-check, per indicator (status, points, the measures that changed).

Two kinds of re-check leave two results to compare:

- ``R`` / ``check --recheck`` after rectification keeps the original pre-fill and stores the
  re-check beside it (``record["recheck"]``): before = the pre-fill, after = the re-check;
- a plain re-check replaces the pre-fill: before = the previous run's ``check.json`` (every run
  keeps its document in its run directory), after = the current pre-fill.

Whichever happened last is the one compared. Decisions are not part of the comparison (they are
the inspector's, not the machine's); a decision made on an older check is flagged where it is shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from inspector.core import texts
from inspector.core.checklist import Checklist, load_checklist
from inspector.core.model import checklist_id_of, indicators_of, recheck_of, run_id_of
from inspector.core.store import Workspace

MAX_DOC_BYTES = 64 * 1024 * 1024  # a stored check document larger than this is not read back


@dataclass
class IndicatorChange:
    """One indicator before and after (``None`` values: not measured in that run)."""

    id: str
    name: str
    group: str
    before_status: str | None
    after_status: str | None
    before_points: float | None  # deduction points (veto indicators: None)
    after_points: float | None
    measures: list[tuple[str, Any, Any]] = field(default_factory=list)  # (key, before, after) that differ
    before_findings: int = 0
    after_findings: int = 0
    labels: dict[str, str] = field(default_factory=dict)  # measure -> the checklist's phrase, "其他页面不可用链接 {} 个"

    def measure_changes(self) -> list[str]:
        """Each changed measure in the checklist's Chinese: ``其他页面不可用链接 5 个→0 个``."""
        out = []
        for key, before, after in self.measures:
            label = self.labels.get(key)
            old, new = texts.measure_phrase(label, key, before), texts.measure_phrase(label, key, after)
            common = 0  # the phrase's words before the value, said once
            while common < min(len(old), len(new)) and old[common] == new[common]:
                common += 1
            name = old[:common].rsplit(" ", 1)[0] if " " in old[:common] else ""
            if name:
                out.append(f"{name} {old[len(name):].strip()}→{new[len(name):].strip()}")
            else:
                out.append(f"{old}→{new}")
        return out

    @property
    def changed(self) -> bool:
        return (self.before_status != self.after_status or self.before_points != self.after_points
                or bool(self.measures) or self.before_findings != self.after_findings)


@dataclass
class Comparison:
    """The two documents compared and what each is (labels in Chinese for the screen)."""

    kind: str  # "rectification" (beside the original) or "recheck" (replaced the pre-fill)
    before_run: str
    after_run: str
    before_at: str
    after_at: str
    before_result: str | None
    after_result: str | None
    before_score: float | None
    after_score: float | None
    indicators: list[IndicatorChange]
    before_vetoes: list[str] = field(default_factory=list)  # with a veto the score is not scored (不计分)
    after_vetoes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[IndicatorChange]:
        return [c for c in self.indicators if c.changed]


def _run_id(doc: dict[str, Any] | None) -> str:
    return str(run_id_of(doc) or "")


def _read_doc(ws: Workspace, run: dict[str, Any]) -> dict[str, Any] | None:
    """The check document a run left in its directory (None when gone, too large or unreadable)."""
    root = ws.root.resolve()
    path = (root / str(run.get("dir", "")) / "check.json").resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.stat().st_size > MAX_DOC_BYTES:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("indicators"), dict) else None


def has_comparison(record: dict[str, Any]) -> bool:
    """Whether the record has a re-check to compare (cheap: reads no file)."""
    if not record.get("prefill"):
        return False
    plain = [r for r in record.get("runs") or [] if isinstance(r, dict) and not r.get("recheck")]
    return bool(recheck_of(record).get("doc")) or len(plain) >= 2


def documents(ws: Workspace, record: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any], str, str] | None:
    """(kind, before, after, before_at, after_at) of the site's latest re-check, or None if it has none."""
    prefill = record.get("prefill")
    if not prefill:
        return None
    runs = [r for r in record.get("runs") or [] if isinstance(r, dict)]
    recheck = recheck_of(record)
    latest = runs[-1] if runs else {}
    if recheck.get("doc") and (not runs or latest.get("id") == recheck.get("run")):
        return "rectification", prefill, recheck["doc"], str(record.get("prefill_at") or ""), str(recheck.get("at") or "")
    current = _run_id(prefill)
    plain = [r for r in runs if not r.get("recheck")]
    ids = [r.get("id") for r in plain]
    if current not in ids or ids.index(current) == 0:
        return None
    previous = plain[ids.index(current) - 1]
    before = _read_doc(ws, previous)
    if before is None:
        return None
    return "recheck", before, prefill, str(previous.get("at") or ""), str(record.get("prefill_at") or "")


def _points(entry: dict[str, Any] | None, veto: bool) -> float | None:
    if not entry or veto:
        return None
    value = entry.get("deduction")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _comparable(value: Any) -> Any:
    return len(value) if isinstance(value, (list, tuple, dict)) else value


def compare_docs(before: dict[str, Any], after: dict[str, Any], checklist: Checklist | None = None) -> list[IndicatorChange]:
    """Per indicator of the checklist: status, points, differing measures and finding counts, before → after."""
    checklist = checklist or load_checklist(checklist_id_of(after, checklist_id_of(before)))
    out = []
    for iid, ind in checklist.indicators.items():
        b = indicators_of(before).get(iid) or {}
        a = indicators_of(after).get(iid) or {}
        bm, am = b.get("measures") or {}, a.get("measures") or {}
        measures = [(k, _comparable(bm.get(k)), _comparable(am.get(k))) for k in dict.fromkeys([*bm, *am])
                    if _comparable(bm.get(k)) != _comparable(am.get(k))]
        out.append(IndicatorChange(
            id=iid, name=ind.name, group=ind.group,
            before_status=b.get("status"), after_status=a.get("status"),
            before_points=_points(b, ind.is_veto), after_points=_points(a, ind.is_veto),
            measures=measures, before_findings=len(b.get("findings") or []), after_findings=len(a.get("findings") or []),
            labels=dict(ind.labels),
        ))
    return out


def compare(ws: Workspace, quarter: str, code: str) -> Comparison | None:
    """The site's latest re-check compared with what came before it; None when there is nothing to compare."""
    record = ws.inspection(quarter, code) or {}
    found = documents(ws, record)
    if found is None:
        return None
    kind, before, after, before_at, after_at = found
    bv, av = before.get("verdict") or {}, after.get("verdict") or {}
    return Comparison(
        kind=kind, before_run=_run_id(before), after_run=_run_id(after), before_at=before_at, after_at=after_at,
        before_result=bv.get("result"), after_result=av.get("result"),
        before_score=bv.get("score"), after_score=av.get("score"),
        indicators=compare_docs(before, after),
        before_vetoes=list(bv.get("vetoes") or []), after_vetoes=list(av.get("vetoes") or []),
    )
