"""The quarter dashboard (季度抽查): the drawn sample, filters, sorting, and automated checks."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, ProgressBar, Static

from inspector.core import texts
from inspector.core.model import Progress, Result
from inspector.core.quarter.inspection import quarter_overview
from inspector.tui.batch import BatchModal, batch_codes, eta_text
from inspector.tui.checks import CheckFinished, CheckJob, CheckProgress, ChecksDone, progress_line, stage_fraction
from inspector.tui.footer import KeyFooter
from inspector.tui.messages import ChecksRequested, InspectionChanged
from inspector.tui.widgets import add_columns
from inspector.tui.safe import clean, plain, progress_label, result_text

FILTERS: dict[str, tuple[str, Any]] = {  # labels in the core's vocabulary (texts), never the stored status ids
    "all": ("全部", lambda r: True),
    "todo": ("未完成", lambda r: r["progress"] != Progress.DONE),
    "unchecked": (texts.RESULT["not checked"], lambda r: r["result"] is None),
    "review": (texts.RESULT[Result.REVIEW], lambda r: r["result"] == Result.REVIEW),
    "fail": (texts.RESULT[Result.FAIL], lambda r: r["result"] == Result.FAIL),
    "pass": (texts.RESULT[Result.PASS], lambda r: r["result"] == Result.PASS),
    "done": (texts.PROGRESS[Progress.DONE], lambda r: r["progress"] == Progress.DONE),
}
RESULT_ORDER = {"fail": 0, "review": 1, None: 2, "pass": 3}
PROGRESS_ORDER = {"not started": 0, "checked": 1, "in review": 2, "done": 3}
SORTS: dict[str, tuple[str, Any]] = {
    "code": ("代码 code", lambda r: r["code"]),
    "name": ("名称 name", lambda r: r["name"]),
    "result": ("结果 result", lambda r: (RESULT_ORDER.get(r["result"], 2), r["code"])),
    "score": ("得分 score", lambda r: (r["score"] if r["score"] is not None else 1e9, r["code"])),
    "progress": ("进度 progress", lambda r: (PROGRESS_ORDER.get(r["progress"], 0), r["code"])),
}
COLUMNS = [("sel", " "), ("code", "网站标识码"), ("name", "网站名称 name"), ("level", "级别"), ("progress", "进度"),
           ("result", "结果 result"), ("score", "得分"), ("vetoes", "否决")]


class DashboardScreen(Screen[None]):
    """The quarter's sample with each site's progress and result."""

    BINDINGS = [  # the footer shows the most used keys (80 columns); the rest are in f1 help and the palette
        Binding("enter", "open", "打开", tooltip="open the site's inspection", id="dashboard.open"),
        Binding("c", "check('highlighted')", "检测", tooltip="check the highlighted site", id="dashboard.check"),
        Binding("A", "check('batch')", "批量", tooltip="check a batch: unchecked, failed or all", id="dashboard.check_all"),
        Binding("x", "cancel_checks", "取消", tooltip="cancel running checks", id="dashboard.cancel"),
        Binding("slash", "focus_filter", "筛选", tooltip="filter by name or code", id="dashboard.filter"),
        Binding("1", "quick_filter('fail')", "不合格", tooltip="only 不合格 sites (again: all)", id="dashboard.only_fail"),
        Binding("2", "quick_filter('review')", "待复核", tooltip="only 待复核 sites (again: all)", id="dashboard.only_review"),
        Binding("3", "quick_filter('unchecked')", "未检测", tooltip="only 未检测 sites (again: all)", id="dashboard.only_unchecked"),
        Binding("space", "toggle_select", "选择", tooltip="select the site (for C)", id="dashboard.select", show=False),
        Binding("C", "check('selected')", "检测所选", tooltip="check the selected sites", id="dashboard.check_selected", show=False),
        Binding("f", "cycle_filter", "状态", tooltip="cycle the status filter", id="dashboard.status_filter", show=False),
        Binding("s", "cycle_sort", "排序", tooltip="cycle the sort order", id="dashboard.sort", show=False),
        Binding("o", "pick_quarter", "季度", tooltip="pick a quarter", id="dashboard.quarter", show=False),
        Binding("g", "registry", "名录", tooltip="site registry (import)", id="dashboard.registry", show=False),
        Binding("d", "sampling", "抽样", tooltip="draw or show the sample", id="dashboard.sampling", show=False),
        Binding("e", "export", "导出Excel", tooltip="the quarter's results as an .xlsx for the office", id="dashboard.export",
                show=False),
        Binding("m", "monitor", "监测", tooltip="the availability monitor's status", id="dashboard.monitor", show=False),
        Binding("p", "province", "省级", tooltip="province view: imported city bundles", id="dashboard.province", show=False),
        Binding("v", "toggle_review", "复核模式", tooltip="review mode: read-only, offline", id="dashboard.review", show=False),
        Binding("r,f5", "reload", "刷新", tooltip="reload from the workspace", id="dashboard.reload", show=False),
        Binding("escape", "focus_table", "表格", tooltip="back to the table", id="dashboard.focus_table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.selected: set[str] = set()
        self.filter_key = "all"
        self.sort_key = "code"
        self.job: CheckJob | None = None
        self.fractions: dict[str, float] = {}  # how far each site of the running batch is (0–1)
        self.running: set[str] = set()  # sites of the batch that started (finished ones included)
        self.started = 0.0  # monotonic time the batch started
        self._clock: Any = None  # the once-a-second timer of a running batch

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filterbar"):
            yield Input(placeholder="/ 筛选 filter: 名称或代码 name or code", id="filter")
            yield Static(id="filterstate")
        with Horizontal(id="dash-body"):
            yield DataTable(id="sites", cursor_type="row", zebra_stripes=True)
            with Vertical(id="checkpanel"):
                yield Static(id="checkstatus")
                yield ProgressBar(id="checkbar", show_eta=False)
                yield Static(id="checktime")
        yield Static(id="summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = add_columns(self.query_one("#sites", DataTable), COLUMNS)
        self.query_one("#checkpanel").display = False
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 130, "-wide")

    # -- data ------------------------------------------------------------------------------
    def reload(self, code: str | None = None) -> None:
        """Re-read the quarter (or only the site ``code``, e.g. just decided) from the workspace and redraw."""
        if code is not None and any(r["code"] == code for r in self.rows):
            shown = [r["code"] for r in self.visible_rows()]
            fresh = {r["code"]: r for r in quarter_overview(self.app.ws, self.app.quarter, [code])}
            self.rows = [fresh.get(r["code"], r) for r in self.rows]
            if code in fresh and [r["code"] for r in self.visible_rows()] == shown and code in shown:
                table = self.query_one("#sites", DataTable)  # same rows in the same order: one row changes
                for (key, _), cell in zip(COLUMNS, self._cells(fresh[code])):
                    table.update_cell(code, key, cell)
                self._show_state()
                return
        else:
            self.rows = quarter_overview(self.app.ws, self.app.quarter)
        self.selected &= {r["code"] for r in self.rows}
        self.redraw()

    def visible_rows(self) -> list[dict[str, Any]]:
        text = self.query_one("#filter", Input).value.strip().lower()
        keep = FILTERS[self.filter_key][1]
        rows = [r for r in self.rows if keep(r) and (not text or text in f"{r['code']} {clean(r['name'])}".lower())]
        return sorted(rows, key=SORTS[self.sort_key][1])

    def redraw(self) -> None:
        table = self.query_one("#sites", DataTable)
        current = self.highlighted_code()
        table.clear()
        for r in self.visible_rows():
            table.add_row(*self._cells(r), key=r["code"])
        if current is not None and current in {r["code"] for r in self.visible_rows()}:
            table.move_cursor(row=table.get_row_index(current))
        self._show_state()

    def _cells(self, r: dict[str, Any]) -> list[Text]:
        if r["vetoes"]:  # a veto: the deductions are not scored
            score = Text(texts.NOT_SCORED, style="dim")
        else:
            score = Text("—", style="dim") if r["score"] is None else Text(f"{r['score']:g}", justify="right")
        vetoes = Text(str(len(r["vetoes"])), style="red") if r["vetoes"] else Text("")
        return [
            Text("✓" if r["code"] in self.selected else " ", style="bold cyan"),
            plain(r["code"]),
            plain(r["name"], limit=28),
            plain(r["level"], limit=8),
            Text(progress_label(r["progress"])),
            result_text(r["result"]),
            score,
            vetoes,
        ]

    def _show_state(self) -> None:
        shown = len(self.query_one("#sites", DataTable).rows)
        state = f"筛选 {FILTERS[self.filter_key][0]} · 排序 {SORTS[self.sort_key][0]} · {shown}/{len(self.rows)}"
        self.query_one("#filterstate", Static).update(Text(state))
        self.query_one("#summary", Static).update(self._summary())

    def _summary(self) -> Text:
        if not self.rows and not self.app.ws.sites():
            return Text(f"{self.app.quarter}: 尚未抽样 no sample · 名录为空 the registry is empty — g 导入名录 import it, "
                        "then d 抽样 draw the sample", style="yellow")
        if not self.rows:
            return Text(f"{self.app.quarter}: 尚未抽样 no sample drawn — press d to draw one (抽样)", style="yellow")
        count = lambda pred: sum(1 for r in self.rows if pred(r))  # noqa: E731
        out = Text(f"{self.app.quarter} 抽样 {len(self.rows)} 个网站 · ")
        out.append(f"已完成 done {count(lambda r: r['progress'] == 'done')} · ")
        out.append(f"合格 {count(lambda r: r['result'] == 'pass')} ", style="green")
        out.append(f"不合格 {count(lambda r: r['result'] == 'fail')} ", style="red")
        out.append(f"待复核 {count(lambda r: r['result'] == 'review')} ", style="yellow")
        out.append(f"未检测 {count(lambda r: r['result'] is None)}", style="dim")
        if self.selected:
            out.append(f" · 已选 selected {len(self.selected)}", style="cyan")
        return out

    def highlighted_code(self) -> str | None:
        table = self.query_one("#sites", DataTable)
        if not table.rows:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check":  # review mode hides what it disables; a running batch only dims it
            return False if self.app.review_mode else None if self.job is not None else True
        if action == "cancel_checks":
            return self.job is not None
        return True

    @on(DataTable.RowSelected, "#sites")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_site(event.row_key.value)

    def action_open(self) -> None:
        code = self.highlighted_code()
        if code:
            self.app.open_site(code)

    def action_toggle_select(self) -> None:
        code = self.highlighted_code()
        if code is None:
            return
        self.selected ^= {code}
        table = self.query_one("#sites", DataTable)
        table.update_cell(code, "sel", Text("✓" if code in self.selected else " ", style="bold cyan"))
        self._show_state()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#sites", DataTable).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.redraw()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.action_focus_table()

    def action_cycle_filter(self) -> None:
        keys = list(FILTERS)
        self.filter_key = keys[(keys.index(self.filter_key) + 1) % len(keys)]
        self.redraw()

    def action_quick_filter(self, key: str) -> None:
        """One key per status: only those sites; the same key again shows all."""
        self.filter_key = "all" if self.filter_key == key else key
        self.redraw()

    def action_export(self) -> None:
        from inspector.tui.exports import export_quarter_workbook

        export_quarter_workbook(self.app)

    def action_cycle_sort(self) -> None:
        keys = list(SORTS)
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.redraw()

    def action_reload(self) -> None:
        self.reload()

    def action_pick_quarter(self) -> None:
        from inspector.tui.modals import QuarterPicker

        quarters = [s["quarter"] for s in self.app.ws.samples()]

        def chosen(quarter: str | None) -> None:
            if quarter:
                self.app.set_quarter(quarter)

        self.app.push_screen(QuarterPicker(quarters, self.app.quarter), chosen)

    def action_registry(self) -> None:
        from inspector.tui.admin import RegistryScreen

        self.app.push_screen(RegistryScreen())

    def action_sampling(self) -> None:
        from inspector.tui.admin import SamplingScreen

        self.app.push_screen(SamplingScreen())

    def action_monitor(self) -> None:
        from inspector.tui.monitor import MonitorScreen

        self.app.push_screen(MonitorScreen())

    def action_province(self) -> None:
        from inspector.tui.province import ProvinceScreen

        self.app.push_screen(ProvinceScreen())

    def action_toggle_review(self) -> None:
        self.app.set_review_mode(not self.app.review_mode)
        self.app.notify("复核模式 review mode: 只读 read-only, checks off" if self.app.review_mode else "复核模式关闭 review mode off")

    def on_inspection_changed(self, message: InspectionChanged) -> None:
        """A site's record changed (its row is read again), or the whole quarter (every row)."""
        if message.concerns(self.app.quarter, None):
            self.reload(message.code)

    # -- checks ----------------------------------------------------------------------------
    def on_checks_requested(self, message: ChecksRequested) -> None:
        """Checks asked for on another screen (the inspection's c and R)."""
        if self.start_checks(message.codes, recheck=message.recheck):
            self.app.notify("整改复查已开始 re-check started — the original result is kept" if message.recheck
                            else "检测已开始 check started — progress on the dashboard")

    def action_check(self, which: str) -> None:
        if which == "batch":
            rows = self.visible_rows()

            def chosen(batch: str | None) -> None:
                if batch:
                    self.start_checks(batch_codes(rows, batch))

            self.app.push_screen(BatchModal(rows), chosen)
            return
        if which == "selected" and self.selected:
            codes = [r["code"] for r in self.rows if r["code"] in self.selected]
        else:
            code = self.highlighted_code()
            codes = [code] if code else []
        self.start_checks(codes)

    def start_checks(self, codes: list[str], *, recheck: bool = False) -> bool:
        """Start checking ``codes`` in a thread worker; False if not possible now.

        ``recheck``: a re-check after rectification, stored beside the original result.
        """
        if not codes or self.job is not None or self.app.review_mode:
            return False
        try:
            options = self.app.check_options_or_default()
        except Exception:  # runner missing from this build
            self.app.notify(texts.CHECKS_UNAVAILABLE, severity="error", markup=False)
            return False
        self.job = CheckJob(self.app.ws, self.app.quarter, codes, options, recheck=recheck)
        panel = self.query_one("#checkpanel")
        panel.display = True
        self.fractions = {code: 0.0 for code in codes}
        self.running = set()
        self.started = time.monotonic()
        self.query_one("#checkbar", ProgressBar).update(total=100 * len(codes), progress=0)
        self.query_one("#checkstatus", Static).update(Text(f"检测 checking {len(codes)} 个网站…"))
        self.refresh_bindings()
        self._run_job(self.job)
        self._clock = self.set_interval(1.0, self._tick)
        return True

    def _fraction(self) -> float:
        return sum(self.fractions.values()) / len(self.fractions) if self.fractions else 0.0

    def _tick(self) -> None:
        """Elapsed time and ETA under the bar (every second, and on every progress event)."""
        if self.job is None:
            return
        done = sum(1 for f in self.fractions.values() if f >= 1.0)
        self.query_one("#checktime", Static).update(Text(eta_text(time.monotonic() - self.started, self._fraction(), done),
                                                         style="dim"))

    @work(thread=True, exclusive=True, group="checks", name="checks")
    def _run_job(self, job: CheckJob) -> None:
        job.run(self.post_message)

    def action_cancel_checks(self) -> None:
        if self.job is not None:
            self.job.cancel.set()
            self.query_one("#checkstatus", Static).update(Text("正在取消 cancelling…", style="yellow"))

    def on_unmount(self) -> None:
        """Quitting stops a running batch at its next progress event."""
        if self.job is not None:
            self.job.cancel.set()

    def on_check_progress(self, message: CheckProgress) -> None:
        if self.job is None or self.job.cancel.is_set():
            return
        if message.code in self.fractions:  # the bar moves with the stages of each site (never backwards)
            self.fractions[message.code] = max(self.fractions[message.code], stage_fraction(message.event))
            self.running.add(message.code)
        name = next((r["name"] for r in self.rows if r["code"] == message.code), "")
        status = self._batch_counts()
        status.append("\n")
        status.append_text(plain(f"{message.code} {clean(name, 24)}"))
        status.append(": " + progress_line(message.event))
        self.query_one("#checkstatus", Static).update(status)
        self.query_one("#checkbar", ProgressBar).update(progress=100 * sum(self.fractions.values()))
        self._tick()

    def _batch_counts(self) -> Text:
        """``已完成 3/10 · 进行中 6``: several sites are checked at once, so no one site's number says how far."""
        finished = sum(1 for f in self.fractions.values() if f >= 1.0)
        running = len(self.running) - finished
        return Text(f"检测 checking: 已完成 done {finished}/{len(self.fractions)} · 进行中 running {max(running, 0)}",
                    style="bold")

    def on_check_finished(self, message: CheckFinished) -> None:
        if message.code in self.fractions:
            self.fractions[message.code] = 1.0
            self.running.add(message.code)
            if self.job is not None and not self.job.cancel.is_set():
                self.query_one("#checkstatus", Static).update(self._batch_counts())
        self.query_one("#checkbar", ProgressBar).update(progress=100 * sum(self.fractions.values()))
        if message.error:
            self.app.notify(f"{message.code}: {clean(message.error, 200)}", title="检测失败 check failed",
                            severity="error", markup=False, timeout=8)
        self.app.post_message(InspectionChanged(self.app.quarter, message.code))

    def on_checks_done(self, message: ChecksDone) -> None:
        self.job = None
        if self._clock is not None:
            self._clock.stop()
        elapsed = time.monotonic() - self.started
        self.fractions = {}
        self.query_one("#checkpanel").display = False
        self.refresh_bindings()
        word = "已取消 cancelled" if message.cancelled else "完成 finished"
        self.app.notify(f"{message.summary()} · {eta_text(elapsed, 1.0, 0)}", title=f"检测{word}", markup=False,
                        severity="warning" if message.failed else "information", timeout=10)
