"""A site's columns (栏目) and their categories; the inspector corrects a category before scoring.

The checklist scores columns by category (动态要闻 within 14 days, 通知公告 within 180...).
The automated check guesses each column's category from its title; a wrong guess changes
the verdict, so the inspector can correct it here (or set 无: not a scored column).
``set_column_category`` stores the correction and re-scores the site offline from the
stored crawl; it runs in a thread worker (:meth:`SiteScreen.write`), and every screen showing
the site refreshes itself when it ends.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterator

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable, Static

from inspector.core import texts
from inspector.core.checklist import Checklist
from inspector.core.checks.updates import in_window
from inspector.core.model import columns_of, prefill_of
from inspector.core.quarter.inspection import adjustments, checklist_of, set_column_category
from inspector.tui.messages import Written
from inspector.tui.safe import clean, plain
from inspector.tui.widgets import SiteScreen, TableScreen, VerdictBar

COLUMN_COLUMNS = [("category", "类别 category"), ("name", "栏目 column"), ("latest", "最新 latest"),
                  ("items", "条目 items"), ("state", "状态 state"), ("source", "来源")]
INSPECTOR_SOURCE = "inspector"  # the core's ``source`` of a column whose category the inspector set


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


class ColumnsScreen(SiteScreen, TableScreen):
    """The columns found by the site's latest check, with their categories (栏目分类)."""

    BINDINGS = [
        Binding("k", "change", "改类别", tooltip="change the column's category", id="columns.change"),
        Binding("escape", "back", "返回", tooltip="back", id="columns.back"),
    ]
    TABLE_ID, INFO_ID, DETAIL_ID, COLUMNS = "columns", "col-verdict", "col-detail", COLUMN_COLUMNS

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.record: dict[str, Any] = {}
        self.checklist: Checklist = checklist_of(None)

    def info_widget(self) -> VerdictBar:
        return VerdictBar(id=self.INFO_ID, classes="table-info")

    def mounted(self) -> None:
        self.reload()

    # -- data ------------------------------------------------------------------------------
    @property
    def columns(self) -> list[dict[str, Any]]:
        return list(columns_of(prefill_of(self.record)))

    @property
    def as_of(self) -> date | None:
        return parse_day(prefill_of(self.record).get("as_of"))

    def reload(self, record: dict[str, Any] | None = None) -> None:
        """Show ``record`` (else re-read it): the verdict, the table, the highlighted column."""
        self.record = record if record is not None else (self.app.ws.inspection(self.app.quarter, self.code) or {})
        self.checklist = checklist_of(self.record)
        self.sub_title = f"{self.app.quarter} · 栏目 columns · {self.code}"
        self.query_one(VerdictBar).show(self.app.ws.site(self.code), self.code, self.record, self.checklist,
                                        unchecked="未检测 not checked yet: no columns (press c on the inspection screen)")
        self.fill(self._rows(), keep="row")
        self.show_detail()

    def _rows(self) -> Iterator[tuple[str, list[Text]]]:
        as_of = self.as_of
        seen: set[str] = set()
        for column in self.columns:
            if str(column.get("url")) in seen:  # one row per column URL (a damaged record may repeat one)
                continue
            seen.add(str(column.get("url")))
            stale = is_stale(column, self.checklist, as_of)
            manual = column.get("source") == INSPECTOR_SOURCE
            yield str(column.get("url")), [
                plain(category_label(self.checklist, column.get("category")), style="" if column.get("category") else "dim",
                      limit=28),
                plain(column.get("name"), style="red" if stale else "", limit=24),
                plain(column.get("latest") or "—", style="red" if stale else ""),
                Text(str(count(column.get("items"))), justify="right"),
                state_text(column, stale),
                Text("人工 ✎", style="cyan") if manual else Text("自动", style="dim"),
            ]

    def current(self) -> dict[str, Any] | None:
        url = self.highlighted_key()
        return next((c for c in self.columns if str(c.get("url")) == url), None) if url is not None else None
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
        if self.write(url, lambda: set_column_category(self.app.ws, self.app.quarter, self.code, url, category,
                                                       reason=reason)):
            self.show_detail()

    def written(self, message: Written) -> None:
        if not message.ok:
            self.show_detail()
            return
        column = next((c for c in columns_of(prefill_of(message.result)) if c.get("url") == message.what), {})
        self.app.notify(f"{clean(column.get('name'), 30)}: {category_label(self.checklist, column.get('category'))} · "
                        "已重新评分 re-scored", markup=False)
