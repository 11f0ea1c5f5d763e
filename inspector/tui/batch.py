"""A batch of checks (``A``): which sites, and the time it is taking.

:class:`BatchModal` offers three sets of the sites shown, each with its count: the unchecked ones
(the default: a day's work goes on where it stopped; with none unchecked nothing is preselected, so
``A`` ``enter`` never re-checks other sites by surprise), the failed (不合格) ones, or all of them
but those marked 已完成 (a done site is checked again only on purpose, with ``c``).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

BATCHES: dict[str, tuple[str, Any]] = {
    "unchecked": ("未检测的 unchecked only", lambda r: r["result"] is None and r["progress"] != "done"),
    "failed": ("不合格的 failed only", lambda r: r["result"] == "fail" and r["progress"] != "done"),
    "all": ("全部（已完成的除外）all but 已完成 done", lambda r: r["progress"] != "done"),
}


def batch_codes(rows: list[dict[str, Any]], which: str) -> list[str]:
    """The codes of the overview ``rows`` in the batch ``which`` (unchecked, failed or all), in order."""
    keep = BATCHES[which][1]
    return [r["code"] for r in rows if keep(r)]


def clock(seconds: float) -> str:
    """``1:05`` / ``1:02:03`` for a duration in seconds."""
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def eta_text(elapsed: float, fraction: float, sites_done: int) -> str:
    """``已用 0:42 · 预计剩余 1:10``; the estimate only once a site finished or 5 % is done."""
    out = f"已用 elapsed {clock(elapsed)}"
    if fraction >= 1.0:
        return out
    if (sites_done or fraction >= 0.05) and fraction > 0:
        out += f" · 预计剩余 ETA {clock(elapsed * (1 - fraction) / fraction)}"
    return out


class BatchModal(ModalScreen[str | None]):
    """Which sites ``A`` checks; dismisses with the batch's key, None on cancel."""

    BINDINGS = [Binding("escape", "cancel", "取消", tooltip="cancel", id="batch.cancel")]

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__()
        self.counts = {key: len(batch_codes(rows, key)) for key in BATCHES}
        self.shown = len(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-dialog", classes="dialog"):
            yield Label(Text(f"批量检测 check a batch of the {self.shown} sites shown", style="bold"))
            yield OptionList(
                *[Option(Text(f"{label}  ({self.counts[key]})"), id=key, disabled=not self.counts[key])
                  for key, (label, _) in BATCHES.items()],
                id="batches",
            )
            if not self.counts["unchecked"]:  # no default then: another batch is chosen on purpose
                yield Label(Text("没有未检测的网站 nothing unchecked — ↑↓ 选择其他批次 pick another batch", style="yellow"))
            yield Label(Text("enter 开始 start · escape 取消 cancel · 已完成的网站用 c 单独检测", style="dim"))

    def on_mount(self) -> None:
        options = self.query_one("#batches", OptionList)
        options.highlighted = 0 if self.counts["unchecked"] else None  # the default: unchecked only
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
