"""Pieces the screens share: the verdict bar, the table screen, the screen of one site that writes in workers.

- :class:`VerdictBar`: a site's verdict in one line (vetoes, deductions, score, result), with the hand changes,
  完成, the rectification and the latest re-check on the inspection screen.
- :class:`TableScreen`: header, an information line, one table (a row per key), a detail line under it, the
  footer; the cursor stays on its row when the table is filled again; escape goes back.
- :class:`SiteScreen`: a screen of one sampled site: it refreshes itself on :class:`InspectionChanged` and runs
  the core's writes in a thread worker (:meth:`SiteScreen.write`), one at a time.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, ClassVar, Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from inspector.core import texts
from inspector.core.checklist import Checklist
from inspector.core.scoring import scored
from inspector.core.model import Progress, Rectification, doc_verdict, prefill_of, recheck_doc, recheck_of
from inspector.core.quarter.inspection import adjustments, evaluate
from inspector.core.store import WorkspaceError
from inspector.tui.footer import KeyFooter
from inspector.tui.messages import InspectionChanged, Written, error_line
from inspector.tui.safe import clean, local_time, plain, rectification_text, result_text

DIM_AFTER_S = 0.25  # a write still running after this long shows its keys disabled in the footer

# --------------------------------------------------------------------------- the verdict bar


def verdict_text(site: dict[str, Any] | None, code: str, verdict: dict[str, Any], names: dict[str, str]) -> Text:
    """The verdict: site, vetoes, pending vetoes, deduction total, score, result."""
    out = plain(f"{clean((site or {}).get('name'), 20)} {code}", style="bold")
    out.append("  否决 veto ")
    out.append(str(len(verdict["vetoes"])), style="bold red" if verdict["vetoes"] else "green")
    if verdict["vetoes"]:
        out.append(" " + "、".join(names.get(v, v) for v in verdict["vetoes"]), style="red")
    if verdict["pending_vetoes"]:
        out.append(f" · 待定 {len(verdict['pending_vetoes'])}", style="yellow")
    if scored(verdict):
        total = verdict["deduction_total"]
        out.append(f" · 扣分 {'−' if total else ''}{total:g} · 得分 ")
        out.append(f"{verdict['score']:g}", style="bold")
    else:  # with a veto the deduction indicators are not scored
        out.append(f" · 扣分项{texts.NOT_SCORED} not scored", style="dim")
    out.append(" · ")
    out.append_text(result_text(verdict["result"]))
    return out


def rectification_line(record: dict[str, Any], verdict: dict[str, Any], today: date | None = None) -> Text | None:
    """整改 status and deadline (failed sites, or any site with a stored one) and the re-check beside the result.

    None when there is nothing to say (a site that did not fail and has no rectification or re-check).
    """
    rect = record.get("rectification") or {}
    recheck = recheck_of(record)
    if verdict.get("result") != "fail" and not rect and not recheck:
        return None
    out = Text("整改 rectification: ")
    out.append_text(rectification_text(rect.get("status")))
    deadline = clean(rect.get("deadline"), 10)
    if deadline:
        out.append(f" · 时限 deadline {deadline}")
        if rect.get("status") in (Rectification.PENDING, Rectification.IN_PROGRESS) and deadline < (today or date.today()).isoformat():
            out.append(" 已过期 past deadline", style="bold red")
    if rect.get("note"):
        out.append(" · ")
        out.append_text(plain(rect["note"], limit=60))
    if not rect:
        out.append(" — z 整改 to set", style="dim")
    if recheck:
        out.append_text(recheck_text(record, verdict))
    return out


def recheck_text(record: dict[str, Any], original: dict[str, Any]) -> Text:
    """`` · 复查 re-check 12-02 15:30: 合格 pass 得分 95 否决 0 (原 was 不合格 fail 88.5)``."""
    v = doc_verdict(recheck_doc(record))
    out = Text(f"\n复查 re-check {local_time(recheck_of(record).get('at'))}: ")
    out.append_text(result_text(v.get("result")))
    if isinstance(v.get("score"), (int, float)) and scored(v):
        out.append(f" 得分 {v['score']:g}")
    out.append(f" 否决 {len(v.get('vetoes') or [])}", style="red" if v.get("vetoes") else "")
    out.append("  (原 original ")
    out.append_text(result_text(original.get("result")))
    out.append(f" {original.get('score', 0):g})" if scored(original) else f" {texts.NOT_SCORED})")
    return out


class VerdictBar(Static):
    """A site's verdict in one line; on the inspection screen (``full``) also its hand changes, 完成, rectification."""

    def show(self, site: dict[str, Any] | None, code: str, record: dict[str, Any], checklist: Checklist, *,
             full: bool = False, unchecked: str = "") -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """Draw the bar for ``record``; the effective statuses and the verdict (the core's :func:`evaluate`).

        ``unchecked``: what to say instead of a verdict when the site has no pre-fill yet (else the verdict of
        nothing decided is shown).
        """
        effective, verdict = evaluate(record, checklist)
        if unchecked and not prefill_of(record):
            bar = plain(f"{clean((site or {}).get('name'), 20)} {code}", style="bold")
            bar.append(f"  {unchecked}", style="yellow")
            self.update(bar)
            return effective, verdict
        bar = verdict_text(site, code, verdict, {i.id: i.name for i in checklist.indicators.values()})
        if full:
            changes = adjustments(record, checklist)
            if changes:
                bar.append(f" · 人工调整 {len(changes)} 项", style="cyan")
            if record.get("progress") == Progress.DONE:
                bar.append(f" · {texts.DONE}", style="green")
            rect = rectification_line(record, verdict)
            if rect is not None:
                bar.append("\n")
                bar.append_text(rect)
        self.update(bar)
        return effective, verdict


# --------------------------------------------------------------------------- the table screen


def add_columns(table: DataTable, columns: Iterable[tuple[str, str]]) -> DataTable:
    """The table's columns, ``(key, label)`` each; the table."""
    for key, label in columns:
        table.add_column(label, key=key)
    return table


class TableScreen(Screen[None]):
    """Header, an information line, one table with a row per key, a detail line, the footer.

    Subclasses name the widgets' ids (the stylesheet and the tests know them) and the table's columns, and
    add what else they show below the table with :meth:`compose_below`.
    """

    TABLE_ID: ClassVar[str] = "table"
    INFO_ID: ClassVar[str] = "info"
    DETAIL_ID: ClassVar[str | None] = "detail"  # None: no detail line
    COLUMNS: ClassVar[Sequence[tuple[str, str]]] = ()
    ZEBRA: ClassVar[bool] = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.info_widget()
        yield DataTable(id=self.TABLE_ID, cursor_type="row", zebra_stripes=self.ZEBRA, classes="table-main")
        if self.DETAIL_ID:
            yield Static(id=self.DETAIL_ID, classes="table-detail")
        yield from self.compose_below()
        yield KeyFooter()

    def info_widget(self) -> Static:
        """The line above the table."""
        return Static(id=self.INFO_ID, classes="table-info")

    def compose_below(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        add_columns(self.table, self.COLUMNS)
        self.mounted()
        self.table.focus()

    def mounted(self) -> None:
        """What the screen does once its table has its columns (before the table takes the focus)."""

    @property
    def table(self) -> DataTable:
        return self.query_one(f"#{self.TABLE_ID}", DataTable)

    @property
    def info(self) -> Static:
        return self.query_one(f"#{self.INFO_ID}", Static)

    @property
    def detail(self) -> Static:
        return self.query_one(f"#{self.DETAIL_ID}", Static)

    def highlighted_key(self) -> str | None:
        """The key of the row under the cursor (None: an empty table)."""
        table = self.table
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def fill(self, rows: Iterable[tuple[str, Sequence[Any]]], *, keep: str = "key") -> None:
        """Fill the table again with ``(key, cells)`` rows; the cursor stays on its row (``keep="key"``) or
        at its position (``keep="row"``)."""
        table = self.table
        current, position = self.highlighted_key(), table.cursor_row
        table.clear()
        keys = []
        for key, cells in rows:
            table.add_row(*cells, key=key)
            keys.append(key)
        if keep == "key" and current in keys:
            table.move_cursor(row=keys.index(current))
        elif keep == "row" and table.row_count:
            table.move_cursor(row=min(max(position, 0), table.row_count - 1))

    def action_back(self) -> None:
        self.app.pop_screen()


# --------------------------------------------------------------------------- a site's screen


class SiteScreen(Screen[None]):
    """A screen of one sampled site of the app's quarter: refreshes on :class:`InspectionChanged`, writes in
    a worker, one at a time: while a write runs, ``saving`` is True (screens disable their write keys with it)."""

    WRITE_ERRORS: ClassVar[tuple[type[BaseException], ...]] = (ValueError, LookupError, OSError, WorkspaceError)

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.saving = False
        self._dimmed = False  # the footer shows the write keys disabled (only for a write that lasts)

    def reload(self, record: dict[str, Any] | None = None) -> None:  # pragma: no cover - every site screen has one
        raise NotImplementedError

    def on_inspection_changed(self, message: InspectionChanged) -> None:
        if message.concerns(self.app.quarter, self.code):
            self.reload(message.record if message.code == self.code else None)

    def write(self, what: str, save: Callable[[], Any]) -> bool:
        """Run ``save`` (a write of the core) in a thread worker; :meth:`written` gets its result. False (nothing
        started) while another write of this screen runs."""
        if self.saving:
            return False
        self.saving = True
        # the keys refuse at once (check_action); the footer is redrawn only for a write that lasts: a
        # redraw recomposes every key of the footer, twice per keypress, which cost more than the write
        self.set_timer(DIM_AFTER_S, self._dim)

        quarter, app = self.app.quarter, self.app

        def run() -> None:  # the result goes to the app: it arrives even if this screen was closed meanwhile
            try:
                result = save()
            except self.WRITE_ERRORS as exc:
                app.post_message(Written(self, quarter, what, error=error_line(exc),
                                         problems=getattr(exc, "problems", None)))
                return
            app.post_message(Written(self, quarter, what, result))

        self.run_worker(run, thread=True, group="write", name=what)
        return True

    def _dim(self) -> None:
        if self.saving and not self._dimmed:
            self._dimmed = True
            self.refresh_bindings()

    def on_written(self, message: Written) -> None:
        """The app hands the result of this screen's write back (after telling every screen what changed)."""
        self.saving = False
        if self._dimmed:
            self._dimmed = False
            self.refresh_bindings()
        self.written(message)

    def written(self, message: Written) -> None:
        """What the screen says once a write ended (the refresh comes with :class:`InspectionChanged`)."""
