"""Checklists as data: load ``checklists/*.toml`` into typed definitions.

A checklist file defines the indicators (veto or deduction), the rule that turns an
indicator's measures into a veto or into points, the column categories with their
keywords and update windows, and every other threshold the checks use. Nothing here
knows a particular checklist: a second checklist is a new file, not new code.

Scoring (pre-fill, an inspector's decisions, the verdict) is :mod:`inspector.core.scoring`.
"""

from __future__ import annotations

import math
import operator
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from inspector.core import texts
from inspector.core.settings import BOUNDS

_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class ChecklistError(ValueError):
    """A checklist file is malformed; the message names the offending key."""


@dataclass(frozen=True)
class Condition:
    measures: tuple[str, ...]  # summed when more than one
    op: str
    value: Any

    def holds(self, measures: Mapping[str, Any]) -> bool | None:
        """True/False, or None when a measure it needs is missing (cannot decide)."""
        values = [measures.get(m) for m in self.measures]
        if any(v is None for v in values):
            return None
        total = values[0] if len(values) == 1 else sum(values)
        return bool(_OPS[self.op](total, self.value))


@dataclass(frozen=True)
class PointTerm:
    """``per`` term (value × scale × each) or ``when`` term (points if condition holds)."""

    points: float
    per: str | None = None
    scale: float = 1.0
    when: Condition | None = None

    def evaluate(self, measures: Mapping[str, Any]) -> float | None:
        if self.per is not None:
            value = measures.get(self.per)
            if value is None:
                return None
            return float(value) * self.scale * self.points
        assert self.when is not None
        holds = self.when.holds(measures)
        if holds is None:
            return None
        return self.points if holds else 0.0


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    group: str
    kind: str  # "veto" | "deduction"
    measures: tuple[str, ...]
    veto_when: tuple[Condition, ...] = ()
    points: tuple[PointTerm, ...] = ()
    mode: str = "sum"  # "sum" | "first"
    cap: float | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)  # measure -> Chinese phrase, "首页14天内更新 {} 条"
    max_points: float | None = None  # deduction indicators: the most they can deduct (see parse_checklist)

    @property
    def is_veto(self) -> bool:
        return self.kind == "veto"

    def measures_text(self, measures: Mapping[str, Any] | None, sep: str = "，") -> str:
        """The measures as labelled Chinese phrases (首页14天内更新 6 条，…)."""
        return texts.measures_text(self.labels, measures, sep)

    def vetoed(self, measures: Mapping[str, Any]) -> bool | None:
        """Does any veto condition hold? None when it cannot be decided."""
        undecided = False
        for cond in self.veto_when:
            holds = cond.holds(measures)
            if holds:
                return True
            if holds is None:
                undecided = True
        return None if undecided else False

    def deduction(self, measures: Mapping[str, Any]) -> float | None:
        """Points deducted for these measures (None when they cannot be computed)."""
        total = 0.0
        for term in self.points:
            pts = term.evaluate(measures)
            if pts is None:
                return None
            if self.mode == "first" and pts > 0:
                total = pts
                break
            total += pts
        if self.max_points is not None:  # the cap, or what the checklist's table allows at most
            total = min(total, self.max_points)
        return round(total, 4)


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    keywords: tuple[str, ...]
    window_days: int | None = None


@dataclass(frozen=True)
class Checklist:
    id: str
    name: str
    source: str
    fail_below: float
    max_score: float
    lists_date: str
    indicators: Mapping[str, Indicator]
    categories: Mapping[str, Category]
    columns: Mapping[str, Any]
    path: Path | None = None

    def params(self, indicator_id: str) -> Mapping[str, Any]:
        """An indicator's parameters; a checklist without that indicator is refused by name (a check
        family may read a sibling's parameters: the consultation boards are read with poor-interaction's
        labels)."""
        if indicator_id not in self.indicators:
            raise ChecklistError(texts.checklist_lacks(self.id, indicator_id))
        return self.indicators[indicator_id].params

    @property
    def ref(self) -> str:
        """How a check document names this checklist so that it loads again (:func:`load_checklist`):
        its id when it is a file the program knows (checklists/), else the whole path of its file
        (``--checklist FILE``: an inspector's copy, a test checklist)."""
        known = available_checklists().get(self.id)
        if self.path is None or (known is not None and known.resolve() == self.path.resolve()):
            return self.id
        return str(self.path.resolve())

    @property
    def veto_ids(self) -> list[str]:
        return [i.id for i in self.indicators.values() if i.is_veto]

    @property
    def deduction_ids(self) -> list[str]:
        return [i.id for i in self.indicators.values() if not i.is_veto]

    def groups(self) -> dict[str, list[Indicator]]:
        """Indicators by group, in file order (veto group first as the file lists it)."""
        out: dict[str, list[Indicator]] = {}
        for ind in self.indicators.values():
            out.setdefault(ind.group, []).append(ind)
        return out

    def classify(self, *texts: str) -> str | None:
        """Category id for a column, matching its title first, then breadcrumb/URL texts.

        Within a text the most specific (longest) matching keyword wins, so 任前公示 is personnel
        although notice has 公示; on a tie the category listed first in the file wins.
        """
        for text in texts:
            if not text:
                continue
            best: tuple[int, str] | None = None
            for cat in self.categories.values():
                length = max((len(k) for k in cat.keywords if k and k in text), default=0)
                if length and (best is None or length > best[0]):
                    best = (length, cat.id)
            if best:
                return best[1]
        return None

    def window(self, category: str) -> int | None:
        cat = self.categories.get(category)
        return cat.window_days if cat else None


# --------------------------------------------------------------------------- loading

CHECKLIST_DIRS = (
    Path(__file__).resolve().parents[2] / "checklists",  # source checkout / editable install
    Path(__file__).resolve().parents[1] / "_checklists",  # wheel install (force-included)
)


def available_checklists() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in CHECKLIST_DIRS:
        if d.is_dir():
            for p in sorted(d.glob("*.toml")):
                found.setdefault(p.stem, p)
    return found


_LOADED: dict[Path, tuple[tuple[int, int, int], Checklist]] = {}


def load_checklist(name_or_path: str | Path = "census-2015") -> Checklist:
    """Load a checklist by id (a file in checklists/) or by path.

    Parsed once per version of the file: cached by path, size and modification time, so a
    dashboard of a hundred sites or a check asking several times costs one TOML parse. The
    result is shared: never modify it.
    """
    path = Path(name_or_path)
    if not path.suffix:
        known = available_checklists()
        if str(name_or_path) not in known:
            raise ChecklistError(texts.unknown_checklist(name_or_path, known))
        path = known[str(name_or_path)]
    try:
        st = path.stat()
        if st.st_size > MAX_FILE_BYTES:
            raise ChecklistError(f"{path.name}: 文件过大（超过 {MAX_FILE_BYTES // 1_000_000} MB），不是检查表")
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
        cached = _LOADED.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChecklistError(f"checklist file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"{path.name}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ChecklistError(f"{path.name}: 嵌套过深，不是检查表") from None
    except OSError as exc:
        raise ChecklistError(f"{path.name}: 无法读取（{exc.strerror or exc}）") from None
    checklist = parse_checklist(data, path)
    _LOADED[path] = (key, checklist)
    return checklist


MAX_FILE_BYTES = 2_000_000
MAX_MAGNITUDE = 1e9  # no threshold, window or point value of a checklist comes near this
# (key path pattern, low, high): a number under such a key outside the range is refused, the key named
_RANGES: tuple[tuple[str, float, float], ...] = (
    (r"checklist\.max_score", 1, 1000),
    (r"indicators\.[^.]+\.points\[\d+\]\.(each|points)", 0, 1000),
    (r"indicators\.[^.]+\.cap", 0, 1000),
    (r"indicators\.[^.]+\.points\[\d+\]\.scale", 0, 1e6),
    (r".*\.window_days|.*_days", 0, 3650),
    (r".*\.timeout_s", *BOUNDS["timeout"]),
    (r".*\.probes_per_day", *BOUNDS["monitor_per_day"]),
    (r".*\.params\.days", *BOUNDS["monitor_days"]),
)


def _check_numbers(data: Mapping[str, Any]) -> None:
    """Every number in the file finite and within a sane range (iteratively: the file is untrusted)."""
    stack: list[tuple[str, Any]] = [(k, v) for k, v in data.items()]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{where}.{k}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ChecklistError(f"{where}: 必须是有限的数，不能是 {value}")
            if abs(value) > MAX_MAGNITUDE:
                raise ChecklistError(f"{where}: {value:g} 超出合理范围（绝对值不超过 {MAX_MAGNITUDE:g}）")
            for pattern, lo, hi in _RANGES:
                if re.fullmatch(pattern, where) and not lo <= value <= hi:
                    raise ChecklistError(f"{where}: {value:g} 超出范围 {lo:g}–{hi:g}")


def _req(table: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in table:
        raise ChecklistError(f"{where}.{key}: missing")
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise ChecklistError(f"{where}.{key}: expected {_kind_name(kind)}, got {type(value).__name__}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ChecklistError(f"{where}: expected a list of strings")
    return tuple(value)


def _condition(raw: Any, where: str, measures: Iterable[str]) -> Condition:
    if not isinstance(raw, dict):
        raise ChecklistError(f"{where}: expected a table like {{measure=..., op=..., value=...}}")
    m = raw.get("measure", raw.get("when"))
    names = (m,) if isinstance(m, str) else tuple(m) if isinstance(m, list) else None
    if not names or not all(isinstance(n, str) for n in names):
        raise ChecklistError(f"{where}.measure: expected a measure name or a list of them")
    for n in names:
        if n not in measures:
            raise ChecklistError(f"{where}.measure: {n!r} is not one of this indicator's measures")
    op = raw.get("op")
    if op not in _OPS:
        raise ChecklistError(f"{where}.op: expected one of {' '.join(_OPS)}, got {op!r}")
    if "value" not in raw:
        raise ChecklistError(f"{where}.value: missing")
    return Condition(names, op, raw["value"])


def _point_term(raw: Any, where: str, measures: tuple[str, ...]) -> PointTerm:
    if not isinstance(raw, dict):
        raise ChecklistError(f"{where}: expected a table")
    if "per" in raw:
        per = raw["per"]
        if per not in measures:
            raise ChecklistError(f"{where}.per: {per!r} is not one of this indicator's measures")
        each = _req(raw, "each", where, (int, float))
        scale = raw.get("scale", 1.0)
        if not isinstance(scale, (int, float)) or isinstance(scale, bool):
            raise ChecklistError(f"{where}.scale: expected a number")
        return PointTerm(points=float(each), per=per, scale=float(scale))
    if "when" in raw:
        pts = _req(raw, "points", where, (int, float))
        return PointTerm(points=float(pts), when=_condition(raw, where, measures))
    raise ChecklistError(f"{where}: a points term needs 'per' or 'when'")


def _max_points(terms: tuple[PointTerm, ...], mode: str, cap: Any, maximum: Any, head: Mapping[str, Any]) -> float:
    """The most a deduction indicator can deduct, from the file: ``max_points``, else ``cap``, else what its
    ``when`` terms add up to (the largest one with mode "first"); a ``per`` term is bounded by ``max_score``."""
    if maximum is not None:
        return float(maximum)
    if cap is not None:
        return float(cap)
    max_score = float(head.get("max_score", 100.0))
    if any(t.per is not None for t in terms):
        return max_score
    pts = [t.points for t in terms]
    return min(max(pts, default=0.0) if mode == "first" else sum(pts), max_score)


def parse_checklist(data: Mapping[str, Any], path: Path | None = None) -> Checklist:
    _check_numbers(data)
    head = _req(data, "checklist", "", dict)
    cid = _req(head, "id", "checklist", str)
    indicators_raw = _req(data, "indicators", "", dict)
    if not indicators_raw:
        raise ChecklistError("indicators: no indicator defined")
    indicators: dict[str, Indicator] = {}
    for iid, raw in indicators_raw.items():
        where = f"indicators.{iid}"
        if not isinstance(raw, dict):
            raise ChecklistError(f"{where}: expected a table")
        kind = _req(raw, "kind", where, str)
        if kind not in ("veto", "deduction"):
            raise ChecklistError(f"{where}.kind: expected 'veto' or 'deduction', got {kind!r}")
        measures = _str_list(_req(raw, "measures", where, list), f"{where}.measures")
        veto_when: tuple[Condition, ...] = ()
        points: tuple[PointTerm, ...] = ()
        if kind == "veto":
            conds = _req(raw, "veto_when", where, list)
            veto_when = tuple(_condition(c, f"{where}.veto_when[{i}]", measures) for i, c in enumerate(conds))
        else:
            terms = _req(raw, "points", where, list)
            points = tuple(_point_term(t, f"{where}.points[{i}]", measures) for i, t in enumerate(terms))
        mode = raw.get("mode", "sum")
        if mode not in ("sum", "first"):
            raise ChecklistError(f"{where}.mode: expected 'sum' or 'first', got {mode!r}")
        cap = raw.get("cap")
        if cap is not None and (not isinstance(cap, (int, float)) or isinstance(cap, bool)):
            raise ChecklistError(f"{where}.cap: expected a number")
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise ChecklistError(f"{where}.params: expected a table")
        labels = raw.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            raise ChecklistError(f"{where}.labels: expected a table of strings")
        for m in labels:
            if m not in measures:
                raise ChecklistError(f"{where}.labels: {m!r} is not one of this indicator's measures")
        maximum = raw.get("max_points")
        if maximum is not None and (not isinstance(maximum, (int, float)) or isinstance(maximum, bool) or maximum < 0):
            raise ChecklistError(f"{where}.max_points: expected a non-negative number")
        indicators[iid] = Indicator(
            id=iid,
            name=_req(raw, "name", where, str),
            group=_req(raw, "group", where, str),
            kind=kind,
            measures=measures,
            veto_when=veto_when,
            points=points,
            mode=mode,
            cap=float(cap) if cap is not None else None,
            params=params,
            labels=labels,
            max_points=None if kind == "veto" else _max_points(points, mode, cap, maximum, head),
        )
    categories: dict[str, Category] = {}
    for cat_id, raw in data.get("categories", {}).items():
        where = f"categories.{cat_id}"
        if not isinstance(raw, dict):
            raise ChecklistError(f"{where}: expected a table")
        window = raw.get("window_days")
        if window is not None and (not isinstance(window, int) or isinstance(window, bool) or window < 0):
            raise ChecklistError(f"{where}.window_days: expected a non-negative integer")
        categories[cat_id] = Category(
            id=cat_id,
            name=str(raw.get("name", cat_id)),
            keywords=_str_list(_req(raw, "keywords", where, list), f"{where}.keywords"),
            window_days=window,
        )
    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        raise ChecklistError("columns: expected a table")
    fail_below = _req(head, "fail_below", "checklist", (int, float))
    max_score = head.get("max_score", 100.0)
    if not isinstance(max_score, (int, float)) or isinstance(max_score, bool):
        raise ChecklistError("checklist.max_score: expected a number")
    if not 0 <= fail_below <= max_score:
        raise ChecklistError(f"checklist.fail_below: {fail_below:g} 超出范围 0–{max_score:g}（max_score）")
    return Checklist(
        id=cid,
        name=str(head.get("name", cid)),
        source=str(head.get("source", "")),
        fail_below=float(fail_below),
        max_score=float(max_score),
        lists_date=str(head.get("lists_date", "")),
        indicators=indicators,
        categories=categories,
        columns=columns,
        path=path,
    )
