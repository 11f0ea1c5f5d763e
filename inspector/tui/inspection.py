"""One site's inspection (网站检查): the indicators, their pre-fill and the inspector's decisions.

Every write (confirm, confirm all, override, undo, 完成, rectification) is the core's (one workspace
transaction), run in a thread worker (:meth:`SiteScreen.write`); when it ends the app is told
(:class:`InspectionChanged`) and every screen showing the site, this one and the dashboard's row
included, refreshes itself. A failed site's rectification (整改: status, deadline, note) shows in the
verdict bar, and a re-check after rectification beside the original result.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Static

from inspector.core import texts
from inspector.core.scoring import scored, shown_points
from inspector.core.model import MONITOR, Progress, Status, decision_of, decisions_of, entry_source, prefill_entry, \
    prefill_of
from inspector.core.quarter.inspection import (
    checklist_of,
    confirm,
    confirm_all,
    confirmable,
    decide,
    decision_kind,
    decision_problem,
    is_stale,
    set_progress,
    set_rectification,
    undo_decision,
)
from inspector.core.quarter.recheck import has_comparison
from inspector.tui.footer import KeyFooter
from inspector.tui.messages import ChecksRequested, Written
from inspector.tui.safe import (
    clean,
    local_time,
    measures_text,
    number,
    plain,
    progress_label,
    rectification_text,
    status_text,
)
from inspector.tui.widgets import add_columns, SiteScreen, VerdictBar

INDICATOR_COLUMNS = [("group", "组 group"), ("name", "指标 indicator"), ("status", "状态 status"),
                     ("points", "扣分"), ("source", "来源"), ("measures", "度量 measures")]
FINDING_COLUMNS = [("n", "#"), ("detail", "发现 finding"), ("where", "位置 where"), ("evidence", "证据")]


class InspectionScreen(SiteScreen):
    """The checklist's indicators for one sampled site, grouped (单项否决 first)."""

    BINDINGS = [
        Binding("y", "confirm", "确认", tooltip="confirm the pre-fill as a decision", id="inspection.confirm"),
        Binding("Y", "confirm_all", "全部确认", tooltip="confirm every remaining pre-fill (asks first)",
                id="inspection.confirm_all"),
        Binding("o", "override", "修改", tooltip="override status/points with a note", id="inspection.override"),
        Binding("u", "undo", "撤销", tooltip="withdraw the decision", id="inspection.undo"),
        Binding("e", "evidence", "证据", tooltip="open the finding's evidence", id="inspection.evidence"),
        Binding("l", "columns", "栏目", tooltip="the site's columns and their categories", id="inspection.columns",
                show=False),
        Binding("n", "next_open", "下一待定", tooltip="next undecided indicator", id="inspection.next"),
        Binding("D", "done", "完成", tooltip="mark the site done", id="inspection.done"),
        Binding("c", "check", "检测", tooltip="re-run the automated checks", id="inspection.check", show=False),
        Binding("R", "recheck", "复查", tooltip="re-check after rectification (kept beside the original result)",
                id="inspection.recheck", show=False),
        Binding("z", "rectify", "整改", tooltip="rectification status, deadline, note", id="inspection.rectify",
                show=False),
        Binding("b", "compare", "对比", tooltip="before → after of the latest re-check", id="inspection.compare"),
        Binding("P", "report", "报告PDF", tooltip="print the site's report to PDF (for a 整改通知)", id="inspection.report",
                show=False),
        Binding("escape", "back", "返回", tooltip="back", id="inspection.back"),
    ]

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.record: dict[str, Any] = {}
        self.effective: dict[str, dict[str, Any]] = {}
        self.verdict: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerdictBar(id="verdict")
        with Vertical(id="insp-body"):
            yield DataTable(id="indicators", cursor_type="row")
            with VerticalScroll(id="detail-pane"):
                yield Static(id="detail")
                yield DataTable(id="findings", cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = add_columns(self.query_one("#indicators", DataTable), INDICATOR_COLUMNS)
        add_columns(self.query_one("#findings", DataTable), FINDING_COLUMNS)
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 140, "-wide")

    # -- data ------------------------------------------------------------------------------
    @property
    def quarter(self) -> str:
        return self.app.quarter

    def reload(self, record: dict[str, Any] | None = None) -> None:
        """Show ``record`` (else re-read it): the effective statuses, the verdict bar, the table, the detail."""
        self.record = record if record is not None else (self.app.ws.inspection(self.quarter, self.code) or {})
        self.checklist = checklist_of(self.record)
        site = self.app.ws.site(self.code)
        self.sub_title = f"{self.quarter} · {clean((site or {}).get('url'), 60)}"
        self.effective, self.verdict = self.query_one("#verdict", VerdictBar).show(
            site, self.code, self.record, self.checklist, full=True)
        self._fill_indicators()
        self.show_detail()
        self.refresh_bindings()  # 对比 and 报告 follow the record

    def prefill(self, iid: str) -> dict[str, Any]:
        return prefill_entry(self.record, iid) or {}

    def _fill_indicators(self) -> None:
        table = self.query_one("#indicators", DataTable)
        row = table.cursor_row
        table.clear()
        for group, indicators in self.checklist.groups().items():
            for i, ind in enumerate(indicators):
                eff = self.effective[ind.id]
                decided = ind.id in decisions_of(self.record)
                shown = shown_points(ind, eff, self.verdict)
                if ind.is_veto:
                    points = Text(f"{shown} veto", style="bold red") if shown else Text("")
                elif not scored(self.verdict):
                    points = Text(shown, style="dim")
                else:
                    points = Text(f"−{eff['deduction']:g}" if eff.get("deduction") else "0", justify="right")
                table.add_row(
                    Text(group if i == 0 else "", style="bold"),
                    Text(ind.name),
                    status_text(eff["status"]),
                    points,
                    self._source_text(ind.id, decided),
                    Text(measures_text(ind, self.prefill(ind.id).get("measures"), 60), style="dim"),
                    key=ind.id,
                )
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))

    def _source_text(self, iid: str, decided: bool) -> Text:
        """人工 (a decision; ⚠ when made on an earlier check), 监测 (pre-filled from the monitor) or 自动."""
        if decided and is_stale(self.record, decisions_of(self.record)[iid]):
            return Text("人工 ⚠旧", style="bold yellow")
        if decided:
            return Text("人工 ✎", style="cyan")
        if entry_source(self.prefill(iid)) == MONITOR:
            return Text("监测", style="green")
        return Text("自动", style="dim")

    def current_id(self) -> str | None:
        table = self.query_one("#indicators", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowHighlighted, "#indicators")
    def _highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        iid = self.current_id()
        if iid is None:
            return
        ind = self.checklist.indicators[iid]
        pre = self.prefill(iid)
        eff = self.effective[iid]
        decision = decision_of(self.record, iid)
        text = Text(f"{ind.name}  ·  {ind.group}{'' if ind.is_veto else ' · 扣分 deduction'}\n",
                    style="bold")
        text.append("预填 pre-fill: ")
        if pre:
            text.append_text(status_text(pre.get("status")))
            if not ind.is_veto and pre.get("deduction"):
                text.append(f"  扣分 −{number(pre.get('deduction'))}")
        else:
            text.append("未检测 not checked yet (press c to run checks)", style="dim")
        text.append("\n决定 decision: ")
        if decision:
            text.append_text(status_text(decision.get("status")))
            if decision.get("points"):
                text.append(f"  扣分 −{number(decision['points'])}")
            kind = "修改 override" if decision_kind(decision) == "override" else f"{texts.CONFIRMED} confirmed"
            text.append(f"  {kind} · {clean(decision.get('by'), 20)} {local_time(decision.get('at'), '%Y-%m-%d %H:%M')}",
                        style="dim")
            if is_stale(self.record, decision):
                text.append("\n⚠ 决定早于本次检测 decided on an earlier check: the measures may have changed",
                            style="bold yellow")
            if decision.get("note"):
                text.append("\n备注 note: ")
                text.append_text(plain(decision["note"], limit=400))
        else:
            text.append("未决定 none yet — y confirm, o override", style="dim")
        text.append("\n有效 effective: ")
        text.append_text(status_text(eff["status"]))
        shown = shown_points(ind, eff, self.verdict)
        if shown and not ind.is_veto:
            text.append(f"  {shown}", style="dim" if not scored(self.verdict) else "")
        measures = pre.get("measures") or {}
        if measures:
            text.append("\n实测 measures: ")
            text.append_text(plain(measures_text(ind, measures)))
        if pre.get("note"):
            monitored = entry_source(pre) == MONITOR
            text.append("\n监测 monitor: " if monitored else "\n说明 note: ", style="green" if monitored else "")
            text.append_text(plain(pre["note"], limit=300))
        self.query_one("#detail", Static).update(text)
        self._fill_findings(pre.get("findings") or [])

    def _fill_findings(self, findings: list[dict[str, Any]]) -> None:
        table = self.query_one("#findings", DataTable)
        table.clear()
        for n, f in enumerate(findings[:500], 1):
            table.add_row(
                Text(str(n)),
                plain(f.get("detail") or f.get("url"), limit=60),
                plain(f.get("where") or f.get("url"), limit=50),
                Text(str(len(f.get("evidence") or [])) if f.get("evidence") else "—"),
                key=str(n - 1),
            )
        table.display = bool(findings)

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm", "confirm_all", "override", "undo", "done", "check", "recheck", "rectify") \
                and self.app.review_mode:
            return False  # review mode hides what it disables
        if action in ("confirm", "confirm_all", "override", "undo", "done", "rectify") and self.saving:
            return None  # one write at a time
        if action in ("check", "recheck") and self.app.checks_running:
            return None
        if action == "compare":
            return has_comparison(self.record)
        if action == "report":
            return bool(prefill_of(self.record))
        return True

    def _decide(self, iid: str, status: str, points: float | None, note: str) -> None:
        self.write("decide", lambda: decide(self.app.ws, self.quarter, self.code, iid, status, points=points, note=note))

    def action_confirm(self) -> None:
        iid = self.current_id()
        if iid is None:
            return
        if not self.prefill(iid):
            self.app.notify("没有预填 no pre-fill to confirm: use o to decide", severity="warning")
            return
        self.write("confirm", lambda: confirm(self.app.ws, self.quarter, self.code, iid))

    def action_confirm_all(self) -> None:
        """Confirm every remaining pre-fill of the site, after a dialog that says how many."""
        from inspector.tui.modals import ConfirmModal

        ids = confirmable(self.record, self.checklist)
        if not ids:
            self.app.notify("没有可确认的预填 nothing to confirm: the open indicators need o (override)",
                            severity="warning")
            return
        pending = [i for i in self.checklist.indicators if i not in ids and
                   (self.prefill(i).get("status") == Status.REVIEW and i not in decisions_of(self.record))]
        message = f"确认全部剩余预填：{len(ids)} 项？"
        if pending:
            message += f"\n另有 {len(pending)} 项待复核，须逐项决定（o）。"

        def answered(yes: bool | None) -> None:
            if yes:
                self.write("confirm_all", lambda: confirm_all(self.app.ws, self.quarter, self.code))

        self.app.push_screen(ConfirmModal(message, f"确认 {len(ids)} 项 confirm {len(ids)}"), answered)

    def action_override(self) -> None:
        from inspector.tui.modals import DecisionModal

        iid = self.current_id()
        if iid is None:
            return
        ind = self.checklist.indicators[iid]
        eff = self.effective[iid]
        decision = decision_of(self.record, iid) or {}

        def saved(result: tuple[str, float | None, str] | None) -> None:
            if result is not None:
                self._decide(iid, *result)

        def problem(status: str, points: float | None, note: str) -> str | None:
            return decision_problem(self.record, iid, status, points, note)

        maximum = None if ind.is_veto else ind.max_points
        self.app.push_screen(
            DecisionModal(ind.name, ind.is_veto, eff["status"], eff.get("deduction"), decision.get("note", ""),
                          check=problem, maximum=maximum), saved
        )

    def action_undo(self) -> None:
        iid = self.current_id()
        if iid is None or iid not in decisions_of(self.record):
            return
        self.write("undo", lambda: undo_decision(self.app.ws, self.quarter, self.code, iid))

    def action_next_open(self) -> None:
        """Jump to the next indicator without a decision (wrapping around)."""
        table = self.query_one("#indicators", DataTable)
        ids = [ind.id for inds in self.checklist.groups().values() for ind in inds]
        decisions = decisions_of(self.record)
        start = table.cursor_row
        for step in range(1, len(ids) + 1):
            idx = (start + step) % len(ids)
            if ids[idx] not in decisions:
                table.move_cursor(row=idx)
                return
        self.app.notify("全部已决定 every indicator has a decision — D marks the site done")

    def action_done(self) -> None:
        """完成: refused (with the reasons) while an indicator is open, a veto 待复核 or a decision stale."""
        self.write("done", lambda: set_progress(self.app.ws, self.quarter, self.code, Progress.DONE))

    def action_check(self) -> None:
        self.app.post_message(ChecksRequested([self.code]))

    def action_recheck(self) -> None:
        self.app.post_message(ChecksRequested([self.code], recheck=True))

    def action_rectify(self) -> None:
        from inspector.tui.modals import RectificationModal

        site = self.app.ws.site(self.code) or {}

        def chosen(result: tuple[str, str, str] | None) -> None:
            if result is not None:
                self._save_rectification(*result)

        name = f"{clean(site.get('name'), 30)} {self.code}"
        self.app.push_screen(RectificationModal(name, self.record.get("rectification")), chosen)

    def _save_rectification(self, status: str, deadline: str, note: str) -> None:
        self.write(f"rectify:{status}", lambda: set_rectification(self.app.ws, self.quarter, self.code, status,
                                                                  deadline=deadline, note=note))

    def written(self, message: Written) -> None:
        """What a finished write says (the screen itself refreshes on :class:`InspectionChanged`)."""
        if not message.ok:
            return
        if message.what == "confirm_all":
            count = message.result[1]
            self.app.notify(f"已确认 {count} 项预填 confirmed {count}", markup=False)
        elif message.what == "done":
            self.app.notify(f"{self.code}: {progress_label(Progress.DONE)} done", markup=False)
        elif message.what.startswith("rectify:"):
            status = message.what.removeprefix("rectify:")
            self.app.notify(f"{self.code}: 整改 {rectification_text(status).plain}", markup=False)

    def action_compare(self) -> None:
        from inspector.tui.recheck import RecheckScreen

        self.app.push_screen(RecheckScreen(self.code))

    def action_report(self) -> None:
        from inspector.tui.exports import print_report

        print_report(self.app, self.code)

    def action_evidence(self) -> None:
        from inspector.tui.evidence import EvidenceScreen

        iid = self.current_id()
        if iid is None:
            return
        findings = self.prefill(iid).get("findings") or []
        table = self.query_one("#findings", DataTable)
        index = table.cursor_row if findings and 0 <= table.cursor_row < len(findings) else 0
        finding = findings[index] if findings else None
        self.app.push_screen(EvidenceScreen(self.code, finding, self.checklist.indicators[iid].name))

    def action_columns(self) -> None:
        from inspector.tui.columns import ColumnsScreen

        self.app.push_screen(ColumnsScreen(self.code))

    @on(DataTable.RowSelected, "#findings")
    def _finding_selected(self) -> None:
        self.action_evidence()

    def action_back(self) -> None:
        self.app.pop_screen()
