"""One site's inspection (网站检查): the indicators, their pre-fill and the inspector's decisions.

Every confirm / override / undo goes straight to ``inspection.decide`` (one workspace
transaction), then the screen re-reads the record and recomputes the verdict bar. A failed
site's rectification (整改: status, deadline, note) is set in a modal and saved by a thread
worker posting :class:`RectificationSaved`; the verdict bar shows it, and a re-check after
rectification beside the original result.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from inspector.core import texts
from inspector.core.scoring import scored, shown_points
from inspector.core.model import Progress, Rectification, Status
from inspector.core.quarter.inspection import (
    NotDone,
    adjustments,
    checklist_of,
    confirm,
    confirm_all,
    confirmable,
    decide,
    decision_kind,
    decision_problem,
    evaluate,
    is_stale,
    set_progress,
    set_rectification,
    undo_decision,
)
from inspector.core.store import WorkspaceError
from inspector.core.quarter.recheck import has_comparison
from inspector.tui.footer import KeyFooter
from inspector.tui.safe import (
    clean,
    local_time,
    measures_text,
    number,
    plain,
    progress_label,
    rectification_text,
    result_text,
    status_text,
)

INDICATOR_COLUMNS = [("group", "组 group"), ("name", "指标 indicator"), ("status", "状态 status"),
                     ("points", "扣分"), ("source", "来源"), ("measures", "度量 measures")]
MONITOR_NOTE = texts.MONITOR_PREFIX  # how the core's notes of availability measured by the week-long monitor start
FINDING_COLUMNS = [("n", "#"), ("detail", "发现 finding"), ("where", "位置 where"), ("evidence", "证据")]


def verdict_text(site: dict[str, Any] | None, code: str, verdict: dict[str, Any], names: dict[str, str]) -> Text:
    """The verdict bar: site, vetoes, pending vetoes, deduction total, score, result."""
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
    recheck = record.get("recheck") or {}
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
        out.append_text(recheck_text(recheck, verdict))
    return out


def recheck_text(recheck: dict[str, Any], original: dict[str, Any]) -> Text:
    """`` · 复查 re-check 12-02 15:30: 合格 pass 得分 95 否决 0 (原 was 不合格 fail 88.5)``."""
    v = (recheck.get("doc") or {}).get("verdict") or {}
    out = Text(f"\n复查 re-check {local_time(recheck.get('at'))}: ")
    out.append_text(result_text(v.get("result")))
    if isinstance(v.get("score"), (int, float)) and scored(v):
        out.append(f" 得分 {v['score']:g}")
    out.append(f" 否决 {len(v.get('vetoes') or [])}", style="red" if v.get("vetoes") else "")
    out.append("  (原 original ")
    out.append_text(result_text(original.get("result")))
    out.append(f" {original.get('score', 0):g})" if scored(original) else f" {texts.NOT_SCORED})")
    return out


class RectificationSaved(Message, bubble=False):  # handled by the inspection screen only
    """The rectification worker finished: ``error`` is empty on success."""

    def __init__(self, status: str, error: str = "") -> None:
        super().__init__()
        self.status, self.error = status, error


class InspectionScreen(Screen[None]):
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
        super().__init__()
        self.code = code
        self.record: dict[str, Any] = {}
        self.effective: dict[str, dict[str, Any]] = {}
        self.verdict: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="verdict")
        with Vertical(id="insp-body"):
            yield DataTable(id="indicators", cursor_type="row")
            with VerticalScroll(id="detail-pane"):
                yield Static(id="detail")
                yield DataTable(id="findings", cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#indicators", DataTable)
        for key, label in INDICATOR_COLUMNS:
            table.add_column(label, key=key)
        findings = self.query_one("#findings", DataTable)
        for key, label in FINDING_COLUMNS:
            findings.add_column(label, key=key)
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 140, "-wide")

    # -- data ------------------------------------------------------------------------------
    @property
    def quarter(self) -> str:
        return self.app.quarter

    def reload(self) -> None:
        """Re-read the record, recompute the effective statuses and the verdict, redraw."""
        self.record = self.app.ws.inspection(self.quarter, self.code) or {}
        self.checklist = checklist_of(self.record)
        self.effective, self.verdict = evaluate(self.record, self.checklist)
        site = self.app.ws.site(self.code)
        self.sub_title = f"{self.quarter} · {clean((site or {}).get('url'), 60)}"
        names = {i.id: i.name for i in self.checklist.indicators.values()}
        bar = verdict_text(site, self.code, self.verdict, names)
        changes = adjustments(self.record, self.checklist)
        if changes:
            bar.append(f" · 人工调整 {len(changes)} 项", style="cyan")
        if self.record.get("progress") == Progress.DONE:
            bar.append(f" · {texts.DONE}", style="green")
        rect = rectification_line(self.record, self.verdict)
        if rect is not None:
            bar.append("\n")
            bar.append_text(rect)
        self.query_one("#verdict", Static).update(bar)
        self._fill_indicators()
        self.show_detail()
        self.refresh_bindings()  # 对比 and 报告 follow the record

    def prefill(self, iid: str) -> dict[str, Any]:
        return ((self.record.get("prefill") or {}).get("indicators") or {}).get(iid) or {}

    def _fill_indicators(self) -> None:
        table = self.query_one("#indicators", DataTable)
        row = table.cursor_row
        table.clear()
        for group, indicators in self.checklist.groups().items():
            for i, ind in enumerate(indicators):
                eff = self.effective[ind.id]
                decided = ind.id in (self.record.get("decisions") or {})
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
        if decided and is_stale(self.record, (self.record.get("decisions") or {})[iid]):
            return Text("人工 ⚠旧", style="bold yellow")
        if decided:
            return Text("人工 ✎", style="cyan")
        if str(self.prefill(iid).get("note") or "").startswith(MONITOR_NOTE):
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
        decision = (self.record.get("decisions") or {}).get(iid)
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
            monitored = str(pre["note"]).startswith(MONITOR_NOTE)
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
        if action in ("check", "recheck") and getattr(self.app.dashboard, "job", None) is not None:
            return None
        if action == "compare":
            return has_comparison(self.record)
        if action == "report":
            return bool(self.record.get("prefill"))
        return True

    def _saved(self, save: Any) -> bool:
        """Run one write of the core; a refusal (its reason is Chinese) is shown, nothing else happens."""
        try:
            save()
        except (ValueError, OSError, WorkspaceError) as exc:
            self.app.notify(clean(exc, 300), title="未保存 not saved", severity="error", markup=False)
            return False
        self.reload()
        self.app.dashboard.reload(self.code)
        return True

    def _decide(self, iid: str, status: str, points: float | None, note: str) -> None:
        self._saved(lambda: decide(self.app.ws, self.quarter, self.code, iid, status, points=points, note=note))

    def action_confirm(self) -> None:
        iid = self.current_id()
        if iid is None:
            return
        if not self.prefill(iid):
            self.app.notify("没有预填 no pre-fill to confirm: use o to decide", severity="warning")
            return
        self._saved(lambda: confirm(self.app.ws, self.quarter, self.code, iid))

    def action_confirm_all(self) -> None:
        """Confirm every remaining pre-fill of the site, after a dialog that says how many."""
        from inspector.tui.modals import ConfirmModal

        ids = confirmable(self.record, self.checklist)
        if not ids:
            self.app.notify("没有可确认的预填 nothing to confirm: the open indicators need o (override)",
                            severity="warning")
            return
        pending = [i for i in self.checklist.indicators if i not in ids and
                   (self.prefill(i).get("status") == Status.REVIEW and i not in (self.record.get("decisions") or {}))]
        message = f"确认全部剩余预填：{len(ids)} 项？"
        if pending:
            message += f"\n另有 {len(pending)} 项待复核，须逐项决定（o）。"

        def answered(yes: bool | None) -> None:
            if yes:
                count = 0

                def save() -> None:
                    nonlocal count
                    _, count = confirm_all(self.app.ws, self.quarter, self.code)

                if self._saved(save):
                    self.app.notify(f"已确认 {count} 项预填 confirmed {count}", markup=False)

        self.app.push_screen(ConfirmModal(message, f"确认 {len(ids)} 项 confirm {len(ids)}"), answered)

    def action_override(self) -> None:
        from inspector.tui.modals import DecisionModal

        iid = self.current_id()
        if iid is None:
            return
        ind = self.checklist.indicators[iid]
        eff = self.effective[iid]
        decision = (self.record.get("decisions") or {}).get(iid) or {}

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
        if iid is None or iid not in (self.record.get("decisions") or {}):
            return
        self._saved(lambda: undo_decision(self.app.ws, self.quarter, self.code, iid))

    def action_next_open(self) -> None:
        """Jump to the next indicator without a decision (wrapping around)."""
        table = self.query_one("#indicators", DataTable)
        ids = [ind.id for inds in self.checklist.groups().values() for ind in inds]
        decisions = self.record.get("decisions") or {}
        start = table.cursor_row
        for step in range(1, len(ids) + 1):
            idx = (start + step) % len(ids)
            if ids[idx] not in decisions:
                table.move_cursor(row=idx)
                return
        self.app.notify("全部已决定 every indicator has a decision — D marks the site done")

    def action_done(self) -> None:
        """完成: refused (with the reasons) while an indicator is open, a veto 待复核 or a decision stale."""
        try:
            set_progress(self.app.ws, self.quarter, self.code, Progress.DONE)
        except NotDone as exc:
            self.app.notify("\n".join(clean(p, 300) for p in exc.problems), title="不能完成 not done yet",
                            severity="error", markup=False, timeout=8)
            return
        except (ValueError, OSError, WorkspaceError) as exc:
            self.app.notify(clean(exc, 300), title="未保存 not saved", severity="error", markup=False)
            return
        self.reload()
        self.app.dashboard.reload(self.code)
        self.app.notify(f"{self.code}: {progress_label(Progress.DONE)} done", markup=False)

    def action_check(self) -> None:
        if self.app.dashboard.start_checks([self.code]):
            self.app.notify("检测已开始 check started — progress on the dashboard")

    def action_recheck(self) -> None:
        if self.app.dashboard.start_checks([self.code], recheck=True):
            self.app.notify("整改复查已开始 re-check started — the original result is kept")

    def action_rectify(self) -> None:
        from inspector.tui.modals import RectificationModal

        site = self.app.ws.site(self.code) or {}

        def chosen(result: tuple[str, str, str] | None) -> None:
            if result is not None:
                self._save_rectification(*result)

        name = f"{clean(site.get('name'), 30)} {self.code}"
        self.app.push_screen(RectificationModal(name, self.record.get("rectification")), chosen)

    @work(thread=True, exclusive=True, group="rectification")
    def _save_rectification(self, status: str, deadline: str, note: str) -> None:
        try:
            set_rectification(self.app.ws, self.quarter, self.code, status, deadline=deadline, note=note)
        except (ValueError, OSError, WorkspaceError) as exc:
            self.post_message(RectificationSaved(status, error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(RectificationSaved(status))

    def on_rectification_saved(self, message: RectificationSaved) -> None:
        if message.error:
            self.app.notify(clean(message.error, 200), title="未保存 not saved", severity="error", markup=False)
            return
        self.reload()
        self.app.dashboard.reload(self.code)
        self.app.notify(f"{self.code}: 整改 {rectification_text(message.status).plain}", markup=False)

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
