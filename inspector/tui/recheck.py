"""Re-check comparison (复查对比): per indicator, before → after (status, points, measures that changed).

The comparison itself is the core's (:mod:`inspector.core.quarter.recheck`); this screen only shows it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.binding import Binding

from inspector.core import texts
from inspector.core.quarter.recheck import Comparison, IndicatorChange, compare
from inspector.tui.safe import clean, local_time, number, result_text, status_text
from inspector.tui.widgets import TableScreen

COLUMNS = [("name", "指标"), ("before", "之前"), ("after", "之后"), ("points", "扣分"),
           ("measures", "变化 changed")]  # short headers: the rows fit 80 columns (the line above says before → after)
KIND = {"rectification": "整改复查 re-check after rectification (原结果保留 original kept)",
        "recheck": "重新检测 re-check (替换了预填 replaced the pre-fill)"}


def points_text(change: IndicatorChange) -> Text:
    before, after = change.before_points, change.after_points
    if before is None and after is None:
        return Text("")
    minus = lambda p: f"−{number(p)}" if p else "0"  # noqa: E731
    if before == after:
        return Text(minus(after), style="dim")
    return Text(f"{minus(before)} → {minus(after)}", style="bold")


def measures_change(change: IndicatorChange, limit: int = 60) -> Text:
    """One line per changed measure (the row grows to fit them: the column stays narrow at 80 columns)."""
    parts = [clean(text, limit) for text in change.measure_changes()]
    if change.before_findings != change.after_findings:
        parts.append(f"发现 findings {change.before_findings}→{change.after_findings}")
    return Text("\n".join(parts)) if parts else Text("—", style="dim")


def score_text(score: Any, vetoes: list[str]) -> str:
    """`` 92`` or `` 不计分`` (a veto: the score is not scored), nothing when unknown."""
    if vetoes:
        return f" {texts.NOT_SCORED}"
    return f" {score:g}" if isinstance(score, (int, float)) else ""


def header_text(comparison: Comparison, shown: int) -> Text:
    out = Text(f"复查对比 · {KIND.get(comparison.kind, comparison.kind)}\n", style="bold")
    out.append(f"之前 before {local_time(comparison.before_at)}: ")
    out.append_text(result_text(comparison.before_result))
    out.append(score_text(comparison.before_score, comparison.before_vetoes))
    out.append(f"  →  之后 after {local_time(comparison.after_at)}: ")
    out.append_text(result_text(comparison.after_result))
    out.append(score_text(comparison.after_score, comparison.after_vetoes))
    changed = len(comparison.changed)
    out.append(f"\n{changed} 项有变化 indicators changed", style="bold yellow" if changed else "green")
    if shown != len(comparison.indicators):
        out.append(" · 只显示变化 showing changes only (a: all)", style="dim")
    return out


class RecheckScreen(TableScreen):
    """Before → after of the site's latest re-check."""

    BINDINGS = [
        Binding("a", "toggle_all", "全部/变化", tooltip="all indicators or only the changed ones", id="recheck.all"),
        Binding("escape", "back", "返回", tooltip="back", id="recheck.back"),
    ]
    TABLE_ID, INFO_ID, DETAIL_ID, COLUMNS = "recheck", "recheck-info", None, COLUMNS

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.comparison: Comparison | None = None
        self.only_changed = True

    def mounted(self) -> None:
        self.sub_title = f"{self.app.quarter} · {self.code}"
        self.info.update(Text("读取 reading…", style="dim"))
        self._load()

    @work(thread=True, exclusive=True, group="recheck")
    def _load(self) -> None:
        comparison = compare(self.app.ws, self.app.quarter, self.code)
        self.app.call_from_thread(self._show, comparison)

    def _show(self, comparison: Comparison | None) -> None:
        self.comparison = comparison
        self.redraw()

    def rows(self) -> list[IndicatorChange]:
        if self.comparison is None:
            return []
        return self.comparison.changed if self.only_changed else self.comparison.indicators

    def redraw(self) -> None:
        info, table = self.info, self.table
        table.clear()
        if self.comparison is None:
            info.update(Text("没有可对比的复查 no re-check to compare: c re-checks, R re-checks after rectification",
                             style="yellow"))
            return
        rows = self.rows()
        info.update(header_text(self.comparison, len(rows)))
        for change in rows:
            style = "bold" if change.changed else "dim"
            what = measures_change(change)
            table.add_row(Text(change.name, style=style), self._status(change.before_status),
                          self._status(change.after_status), points_text(change), what, key=change.id,
                          height=len(what.plain.splitlines()) or 1)

    @staticmethod
    def _status(status: Any) -> Text:
        return status_text(status) if status else Text("—", style="dim")

    def action_toggle_all(self) -> None:
        self.only_changed = not self.only_changed
        self.redraw()
