"""A site's columns (栏目) and their categories; the inspector corrects a category before scoring.

The checklist scores columns by category (动态要闻 within 14 days, 通知公告 within 180...).
The automated check guesses each column's category from its title; a wrong guess changes
the verdict, so the inspector can correct it here (or set 无: not a scored column).
``set_column_category`` stores the correction and re-scores the site offline from the
stored crawl; it runs in a thread worker that posts :class:`CategorySaved`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from inspector.core import texts
from inspector.core.checklist import Checklist
from inspector.core.checks.updates import in_window
from inspector.core.quarter.inspection import adjustments, checklist_of, evaluate, set_column_category
from inspector.core.store import WorkspaceError
from inspector.tui.footer import KeyFooter
from inspector.tui.inspection import verdict_text
from inspector.tui.safe import clean, plain

COLUMN_COLUMNS = [("category", "类别 category"), ("name", "栏目 column"), ("latest", "最新 latest"),
                  ("items", "条目 items"), ("state", "状态 state"), ("source", "来源")]
INSPECTOR_SOURCE = "inspector"  # the core's ``source`` of a column whose category the inspector set


class CategorySaved(Message, bubble=False):  # handled by the columns screen only
    """A category correction ended: the re-scored ``record``, else ``error``."""

    def __init__(self, url: str, record: dict[str, Any] | None, error: str = "") -> None:
        super().__init__()
        self.url, self.record, self.error = url, record, error


def category_label(checklist: Checklist, category: str | None) -> str:
    """``news 动态要闻``; ``无 not scored`` for None; an unknown id as it is."""
    if category is None:
        return "无 not scored"
    cat = checklist.categories.get(category)
    return f"{clean(category)} {cat.name}" if cat else clean(category)


def is_stale(column: dict[str, Any], checklist: Checklist, as_of: date | None) -> bool:
    """The core's rule on a stored column: scored, readable, not blank/exempt, latest outside its window."""
    window = checklist.window(column.get("category") or "") if column.get("category") else None
    if window is None or as_of is None or column.get("exempt") or column.get("blank") or column.get("error"):
        return False
    return not in_window(parse_day(column.get("latest")), as_of, window)


def parse_day(text: Any) -> date | None:
    """The date of an ISO date (or datetime) string; None if absent or malformed."""
    try:
        return date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def count(value: Any) -> int:
    """A stored count as an int (0 when missing or not a number)."""
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError):
        return 0


def state_text(column: dict[str, Any], stale: bool) -> Text:
    """Blank / exempt / unreadable / stale / in window, colour-coded."""
    if column.get("error"):
        return plain(f"错误 {clean(column['error'], 20)}", style="red")
    if column.get("blank"):
        return Text("空白 blank", style="yellow")
    if column.get("exempt"):
        return Text("豁免 exempt", style="dim")
    if stale:
        return Text("✘ 未更新 stale", style="bold red")
    return Text("✔", style="green") if column.get("category") else Text("")


def _correction_line(checklist: Checklist, correction: dict[str, Any]) -> dict[str, Any]:
    """The core's 人工调整 entry of one stored correction."""
    return next((a for a in adjustments({"corrections": [correction]}, checklist)), {})


class ColumnsScreen(Screen[None]):
    """The columns found by the site's latest check, with their categories (栏目分类)."""

    BINDINGS = [
        Binding("k", "change", "改类别", tooltip="change the column's category", id="columns.change"),
        Binding("escape", "back", "返回", tooltip="back", id="columns.back"),
    ]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.record: dict[str, Any] = {}
        self.checklist: Checklist = checklist_of(None)
        self.saving = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="col-verdict")
        yield DataTable(id="columns", cursor_type="row", zebra_stripes=True)
        yield Static(id="col-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#columns", DataTable)
        for key, label in COLUMN_COLUMNS:
            table.add_column(label, key=key)
        self.reload()
        table.focus()

    # -- data ------------------------------------------------------------------------------
    @property
    def columns(self) -> list[dict[str, Any]]:
        return list(((self.record.get("prefill") or {}).get("columns")) or [])

    @property
    def as_of(self) -> date | None:
        return parse_day((self.record.get("prefill") or {}).get("as_of"))

    def reload(self, record: dict[str, Any] | None = None) -> None:
        """Show ``record`` (else re-read it): the verdict, the table, the highlighted column."""
        self.record = record if record is not None else (self.app.ws.inspection(self.app.quarter, self.code) or {})
        self.checklist = checklist_of(self.record)
        self.sub_title = f"{self.app.quarter} · 栏目 columns · {self.code}"
        self._show_verdict()
        self._fill()
        self.show_detail()

    def _show_verdict(self) -> None:
        site = self.app.ws.site(self.code)
        if not (self.record.get("prefill") or {}).get("indicators"):
            text = plain(f"{clean((site or {}).get('name'), 20)} {self.code}", style="bold")
            text.append("  未检测 not checked yet: no columns (press c on the inspection screen)", style="yellow")
        else:
            _, verdict = evaluate(self.record, self.checklist)
            names = {i.id: i.name for i in self.checklist.indicators.values()}
            text = verdict_text(site, self.code, verdict, names)
        self.query_one("#col-verdict", Static).update(text)

    def _fill(self) -> None:
        table = self.query_one("#columns", DataTable)
        row = table.cursor_row
        table.clear()
        as_of = self.as_of
        seen: set[str] = set()
        for column in self.columns:
            if str(column.get("url")) in seen:  # one row per column URL (a damaged record may repeat one)
                continue
            seen.add(str(column.get("url")))
            stale = is_stale(column, self.checklist, as_of)
            manual = column.get("source") == INSPECTOR_SOURCE
            table.add_row(
                plain(category_label(self.checklist, column.get("category")), style="" if column.get("category") else "dim",
                      limit=28),
                plain(column.get("name"), style="red" if stale else "", limit=24),
                plain(column.get("latest") or "—", style="red" if stale else ""),
                Text(str(count(column.get("items"))), justify="right"),
                state_text(column, stale),
                Text("人工 ✎", style="cyan") if manual else Text("自动", style="dim"),
                key=str(column.get("url")),
            )
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))

    def current(self) -> dict[str, Any] | None:
        table = self.query_one("#columns", DataTable)
        if not table.row_count:
            return None
        url = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((c for c in self.columns if str(c.get("url")) == url), None)

    @on(DataTable.RowHighlighted, "#columns")
    def show_detail(self) -> None:
        """The highlighted column's URL, category window and the rule, below the table."""
        column = self.current()
        out = Text()
        if column is None:
            out.append("没有栏目 no columns found by the check", style="dim")
        else:
            out.append("栏目 column ")
            out.append_text(plain(column.get("name"), style="bold", limit=100))
            out.append("  网址 URL ")
            out.append_text(plain(column.get("url"), limit=200))
            out.append(f"\n条目 items {count(column.get('items'))}, 有日期 dated {count(column.get('dated_items'))}")
            window = self.checklist.window(column.get("category") or "") if column.get("category") else None
            out.append("\n更新要求 window: ")
            out.append(f"{window} 天 days before {self.as_of or '—'}" if window else "不考核更新 not scored for updates",
                       style="" if window else "dim")
            if column.get("source") == INSPECTOR_SOURCE:
                out.append("  · 人工修改 set by the inspector", style="cyan")
            for c in self.record.get("corrections") or []:
                if c.get("column") == column.get("url"):
                    out.append("\n人工调整 ", style="cyan")
                    out.append_text(plain(texts.adjustment_line(_correction_line(self.checklist, c)), limit=300))
        if self.saving:
            out.append("\n保存中 saving and re-scoring…", style="yellow")
        self.query_one("#col-detail", Static).update(out)

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "change":
            return None if self.app.review_mode else not self.saving
        if action == "back":
            return not self.saving  # the screens below refresh when the save ends
        return True

    @on(DataTable.RowSelected, "#columns")
    def _row_selected(self) -> None:
        if self.check_action("change", ()):
            self.action_change()

    def action_change(self) -> None:
        from inspector.tui.modals import CategoryPicker

        column = self.current()
        if column is None:
            return
        url = str(column.get("url"))

        def chosen(result: tuple[str | None] | None) -> None:
            if result is not None and result[0] != column.get("category"):
                self._ask_reason(url, column, result[0])

        choices = [(cat.id, category_label(self.checklist, cat.id)) for cat in self.checklist.categories.values()]
        self.app.push_screen(CategoryPicker(clean(column.get("name"), 40), choices, column.get("category")), chosen)

    def _ask_reason(self, url: str, column: dict[str, Any], category: str | None) -> None:
        """Every re-categorisation is on the record: ask why before saving (required)."""
        from inspector.tui.modals import TextPrompt

        def answered(reason: str | None) -> None:
            if reason:
                self._start_save(url, category, reason)

        change = (f"{clean(column.get('name'), 30)}：{category_label(self.checklist, column.get('category'))} → "
                  f"{category_label(self.checklist, category)}")
        self.app.push_screen(TextPrompt("改类别 · 理由 reason", change, required=texts.REASON_REQUIRED,
                                        placeholder="例如：该栏目是部门文件汇编，不属于通知公告"), answered)

    def _start_save(self, url: str, category: str | None, reason: str) -> None:
        self.saving = True
        self.refresh_bindings()
        self.show_detail()
        self._save(url, category, reason)

    @work(thread=True, exclusive=True, group="column-category")
    def _save(self, url: str, category: str | None, reason: str) -> None:
        try:
            record = set_column_category(self.app.ws, self.app.quarter, self.code, url, category, reason=reason)
        except (ValueError, LookupError, OSError, WorkspaceError) as exc:
            self.post_message(CategorySaved(url, None, error=str(exc.args[0]) if exc.args else type(exc).__name__))
            return
        self.post_message(CategorySaved(url, record))

    def on_category_saved(self, message: CategorySaved) -> None:
        self.saving = False
        self.refresh_bindings()
        if message.error:
            self.app.notify(clean(message.error, 200), title="未保存 not saved", severity="error", markup=False)
            self.show_detail()
            return
        self.reload(message.record)
        for screen in self.app.screen_stack:
            if screen is not self and getattr(screen, "code", None) == self.code and hasattr(screen, "reload"):
                screen.reload()
        self.app.dashboard.reload(self.code)
        column = next((c for c in self.columns if c.get("url") == message.url), {})
        self.app.notify(f"{clean(column.get('name'), 30)}: {category_label(self.checklist, column.get('category'))} · 已重新评分 re-scored",
                        markup=False)

    def action_back(self) -> None:
        self.app.pop_screen()
