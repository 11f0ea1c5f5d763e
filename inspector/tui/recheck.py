"""Re-check comparison (复查对比): per indicator, before → after (status, points, measures that changed).

The comparison itself is the core's (:mod:`inspector.core.quarter.recheck`); this screen only shows it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from inspector.core.quarter.recheck import Comparison, IndicatorChange, compare
from inspector.tui.footer import KeyFooter
from inspector.tui.safe import clean, local_time, number, result_text, status_text

COLUMNS = [("name", "指标 indicator"), ("before", "之前 before"), ("after", "之后 after"),
           ("points", "扣分"), ("measures", "变化 what changed")]
KIND = {"rectification": "整改复查 re-check after rectification (原结果保留 original kept)",
        "recheck": "重新检测 re-check (替换了预填 replaced the pre-fill)"}


def points_text(change: IndicatorChange) -> Text:
    before, after = change.before_points, change.after_points
    if before is None and after is None:
        return Text("")
    if before == after:
        return Text(f"−{number(after)}" if after else "0", style="dim")
    return Text(f"−{number(before or 0)} → −{number(after or 0)}", style="bold")


def measures_change(change: IndicatorChange, limit: int = 80) -> Text:
    parts = [f"{clean(k)} {number(b)}→{number(a)}" for k, b, a in change.measures]
    if change.before_findings != change.after_findings:
        parts.append(f"发现 findings {change.before_findings}→{change.after_findings}")
    return Text(clean(" · ".join(parts), limit), style="" if parts else "dim") if parts else Text("—", style="dim")


def header_text(comparison: Comparison, shown: int) -> Text:
    out = Text(f"复查对比 · {KIND.get(comparison.kind, comparison.kind)}\n", style="bold")
    out.append(f"之前 before {local_time(comparison.before_at)}: ")
    out.append_text(result_text(comparison.before_result))
    if isinstance(comparison.before_score, (int, float)):
        out.append(f" {comparison.before_score:g}")
    out.append(f"  →  之后 after {local_time(comparison.after_at)}: ")
    out.append_text(result_text(comparison.after_result))
    if isinstance(comparison.after_score, (int, float)):
        out.append(f" {comparison.after_score:g}")
    changed = len(comparison.changed)
    out.append(f"\n{changed} 项有变化 indicators changed", style="bold yellow" if changed else "green")
    if shown != len(comparison.indicators):
        out.append(" · 只显示变化 showing changes only (a: all)", style="dim")
    return out


class RecheckScreen(Screen[None]):
    """Before → after of the site's latest re-check."""

    BINDINGS = [
        Binding("a", "toggle_all", "全部/变化", tooltip="all indicators or only the changed ones", id="recheck.all"),
        Binding("escape", "back", "返回", tooltip="back", id="recheck.back"),
    ]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.comparison: Comparison | None = None
        self.only_changed = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="recheck-info")
        yield DataTable(id="recheck", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#recheck", DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.sub_title = f"{self.app.quarter} · {self.code}"
        self.query_one("#recheck-info", Static).update(Text("读取 reading…", style="dim"))
        self._load()
        table.focus()

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
        info = self.query_one("#recheck-info", Static)
        table = self.query_one("#recheck", DataTable)
        table.clear()
        if self.comparison is None:
            info.update(Text("没有可对比的复查 no re-check to compare: c re-checks, R re-checks after rectification",
                             style="yellow"))
            return
        rows = self.rows()
        info.update(header_text(self.comparison, len(rows)))
        for change in rows:
            style = "bold" if change.changed else "dim"
            table.add_row(Text(change.name, style=style), self._status(change.before_status),
                          self._status(change.after_status), points_text(change), measures_change(change), key=change.id)

    @staticmethod
    def _status(status: Any) -> Text:
        return status_text(status) if status else Text("—", style="dim")

    def action_toggle_all(self) -> None:
        self.only_changed = not self.only_changed
        self.redraw()

    def action_back(self) -> None:
        self.app.pop_screen()
