"""Modal dialogs: a decision with a note, a rectification, the quarter picker, a column category, a file path,
a bundle import, a sample draw, help."""

from __future__ import annotations

import re
import shlex
from datetime import date
from typing import Any, TypeVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from typing import Callable

from inspector.core import texts
from inspector.core.model import Status
from inspector.core.quarter.sampling import SamplingError, check_quarter, current_quarter
from inspector.tui.safe import RECTIFICATION, STATUS, plain

STATUS_ORDER = tuple(Status)


T = TypeVar("T")


class _FormModal(ModalScreen[T]):
    """A dialog with a form: enter or the save button saves (``action_save``), cancel dismisses."""

    def action_save(self) -> None:  # pragma: no cover - every form overrides it
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class DecisionModal(_FormModal[tuple[str, float | None, str] | None]):
    """Override an indicator: status, points (deduction indicators) and a note (备注)."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", tooltip="cancel", id="decision.cancel"),
        Binding("ctrl+s", "save", "保存", tooltip="save", id="decision.save"),
        Binding("1", "status('pass')", "合格", tooltip="pass", id="decision.pass"),
        Binding("2", "status('fail')", "不合格", tooltip="fail", id="decision.fail"),
        Binding("3", "status('review')", "待复核", tooltip="review", id="decision.review"),
    ]

    def __init__(self, name: str, is_veto: bool, status: str, points: float | None, note: str = "", *,
                 check: Callable[[str, float | None, str], str | None] | None = None,
                 maximum: float | None = None) -> None:
        """``check(status, points, note)``: the core's reason to refuse the decision (the form stays open
        and shows it), None to save; ``maximum``: the indicator's most points, shown as a hint."""
        super().__init__()
        self.indicator_name, self.is_veto = name, is_veto
        self.status = status if status in STATUS_ORDER else "review"
        self.points, self.note = points, note
        self.check, self.maximum = check, maximum

    def compose(self) -> ComposeResult:
        with Vertical(id="decision", classes="dialog"):
            yield Label(Text(f"修改 override · {self.indicator_name}", style="bold"))
            with RadioSet(id="status"):
                for key in STATUS_ORDER:
                    number = STATUS_ORDER.index(key) + 1
                    yield RadioButton(f"{number} {STATUS[key][0]} {key}", value=key == self.status, id=f"status-{key}")
            if not self.is_veto:
                most = f"，最多 {texts.number(self.maximum)} 分" if self.maximum is not None else ""
                yield Label(f"扣分 points（不合格时填写；留空 = 预填{most}；合格不扣分）")
                yield Input("" if self.points is None else f"{self.points:g}", id="points", type="number")
            yield Label("备注 note（修改预填时必填 required when overriding）")
            yield Input(self.note, id="note", placeholder="说明理由 reason for the decision")
            yield Static(id="decision-error")
            with Horizontal(classes="buttons"):
                yield Button("保存 save (ctrl+s)", id="save", variant="primary")
                yield Button("取消 cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#status", RadioSet).focus()

    def action_status(self, status: str) -> None:
        self.query_one(f"#status-{status}", RadioButton).value = True

    def _chosen_status(self) -> str:
        pressed = self.query_one("#status", RadioSet).pressed_button
        return (pressed.id or "status-review").removeprefix("status-") if pressed else self.status

    def action_save(self) -> None:
        points: float | None = None
        error = self.query_one("#decision-error", Static)
        if not self.is_veto:
            raw = self.query_one("#points", Input).value.strip()
            try:
                points = float(raw) if raw else None
            except ValueError:
                error.update(Text(texts.POINTS_NOT_NUMBER, style="red"))
                return
        status, note = self._chosen_status(), self.query_one("#note", Input).value
        if status != Status.FAIL:
            points = None  # points follow the status: 合格 deducts 0, 待复核 nothing yet
        problem = self.check(status, points, note) if self.check is not None else None
        if problem:
            error.update(plain(problem, style="red"))
            return
        self.dismiss((status, points, note))




DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_deadline(text: str) -> str:
    """A deadline as ``YYYY-MM-DD`` (a real calendar date), or "" for none; ValueError otherwise."""
    text = text.strip()
    if not text:
        return ""
    if not DATE.fullmatch(text):
        raise ValueError("时限格式 deadline must be YYYY-MM-DD")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"没有这一天 not a date: {text}") from None


class RectificationModal(_FormModal[tuple[str, str, str] | None]):
    """整改 a failed site's rectification: status, deadline (YYYY-MM-DD) and a note; dismisses (status, deadline, note)."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", tooltip="cancel", id="rectification.cancel"),
        Binding("ctrl+s", "save", "保存", tooltip="save", id="rectification.save"),
        *[Binding(str(n), f"status({key!r})", RECTIFICATION[key][0], tooltip=key, id=f"rectification.{n}")
          for n, key in enumerate(RECTIFICATION, 1)],
    ]

    def __init__(self, site: str, current: dict[str, Any] | None) -> None:
        """``site``: the site's (cleaned) name and code; ``current``: the stored rectification, if any."""
        super().__init__()
        self.site, self.current = site, current or {}

    def compose(self) -> ComposeResult:
        status = self.current.get("status") if self.current.get("status") in RECTIFICATION else "pending"
        with Vertical(id="rectification", classes="dialog"):
            title = Text("整改 rectification · ", style="bold")
            title.append_text(plain(self.site))
            yield Label(title)
            with RadioSet(id="rect-status"):
                for n, (key, (label, _)) in enumerate(RECTIFICATION.items(), 1):
                    yield RadioButton(f"{n} {label} {key}", value=key == status, id=f"rect-{key.replace(' ', '-')}")
            yield Label("整改时限 deadline (YYYY-MM-DD)")
            yield Input(plain(self.current.get("deadline"), limit=10).plain, id="rect-deadline", placeholder="2026-12-31")
            yield Label("说明 note")
            yield Input(plain(self.current.get("note"), limit=400).plain, id="rect-note", placeholder="整改措施 what was done")
            yield Static(id="rect-error")
            with Horizontal(classes="buttons"):
                yield Button("保存 save (ctrl+s)", id="save", variant="primary")
                yield Button("取消 cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#rect-status", RadioSet).focus()

    def action_status(self, status: str) -> None:
        self.query_one(f"#rect-{status.replace(' ', '-')}", RadioButton).value = True

    def _chosen_status(self) -> str:
        pressed = self.query_one("#rect-status", RadioSet).pressed_button
        ids = {f"rect-{key.replace(' ', '-')}": key for key in RECTIFICATION}
        return ids.get(pressed.id or "", "pending") if pressed else "pending"

    def action_save(self) -> None:
        try:
            deadline = check_deadline(self.query_one("#rect-deadline", Input).value)
        except ValueError as exc:
            self.query_one("#rect-error", Static).update(plain(exc, style="red"))
            return
        self.dismiss((self._chosen_status(), deadline, self.query_one("#rect-note", Input).value))




class ConfirmModal(ModalScreen[bool]):
    """A yes/no question (e.g. 确认全部剩余预填：12 项？); dismisses True on yes."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "取消", tooltip="cancel", id="confirm.no"),
        Binding("enter,y", "answer(True)", "确认", tooltip="yes", id="confirm.yes"),
    ]

    def __init__(self, question: str, yes: str = "确认 yes") -> None:
        super().__init__()
        self.question, self.yes = question, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(Text(self.question, style="bold"))
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")
                yield Button("取消 cancel (esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TextPrompt(_FormModal[str | None]):
    """Ask for one required line of text (a reason, the inspector's name); dismisses it, None on cancel."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", tooltip="cancel", id="prompt.cancel"),
        Binding("ctrl+s", "save", "保存", tooltip="save", id="prompt.save"),
    ]

    def __init__(self, title: str, label: str, *, required: str, placeholder: str = "", value: str = "",
                 cancel: bool = True) -> None:
        """``required``: the message shown when the answer is empty; ``cancel``: whether esc may skip it."""
        super().__init__()
        self.title_text, self.label, self.required = title, label, required
        self.placeholder, self.value, self.can_cancel = placeholder, value, cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt", classes="dialog"):
            yield Label(plain(self.title_text, style="bold"))
            yield Label(plain(self.label))
            yield Input(self.value, id="prompt-input", placeholder=self.placeholder)
            yield Static(id="prompt-error")
            with Horizontal(classes="buttons"):
                yield Button("保存 save (enter)", id="save", variant="primary")
                if self.can_cancel:
                    yield Button("取消 cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def action_cancel(self) -> None:
        if self.can_cancel:
            self.dismiss(None)

    def action_save(self) -> None:
        text = self.query_one("#prompt-input", Input).value.strip()
        if not text:
            self.query_one("#prompt-error", Static).update(plain(self.required, style="red"))
            return
        self.dismiss(text)


class QuarterPicker(ModalScreen[str | None]):
    """Pick a quarter with a sample, or type another (e.g. 2027Q1)."""

    BINDINGS = [Binding("escape", "cancel", "取消", tooltip="cancel", id="quarter.cancel")]

    def __init__(self, quarters: list[str], current: str) -> None:
        super().__init__()
        self.quarters = sorted(set(quarters) | {current}, reverse=True)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="quarter-dialog", classes="dialog"):
            yield Label(Text("季度 quarter", style="bold"))
            yield OptionList(*[Option(q, id=q) for q in self.quarters], id="quarters")
            yield Input(placeholder=f"其他季度 other, e.g. {current_quarter()}", id="quarter-input")
            yield Static(id="quarter-error")

    def on_mount(self) -> None:
        options = self.query_one("#quarters", OptionList)
        options.highlighted = self.quarters.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(check_quarter(event.value))
        except SamplingError as exc:
            self.query_one("#quarter-error", Static).update(plain(exc, style="red"))

    def action_cancel(self) -> None:
        self.dismiss(None)


NO_CATEGORY = "none"  # the picker's option id of 无 (not a scored column)


class CategoryPicker(ModalScreen[tuple[str | None] | None]):
    """Pick a column's category, or 无 not scored; dismisses with ``(category_or_None,)``, None on cancel."""

    BINDINGS = [Binding("escape", "cancel", "取消", tooltip="cancel", id="category.cancel")]

    def __init__(self, column: str, choices: list[tuple[str, str]], current: str | None) -> None:
        """``choices``: (category id, label) in the checklist's order; ``column`` is the (cleaned) column name."""
        super().__init__()
        self.column, self.choices, self.current = column, choices, current

    def compose(self) -> ComposeResult:
        with Vertical(id="category-dialog", classes="dialog"):
            title = Text("栏目类别 column category · ", style="bold")
            title.append_text(plain(self.column))
            yield Label(title)
            options = [Option(Text(label), id=cid) for cid, label in self.choices]
            options.append(Option(Text("无 not scored (不计入考核)"), id=NO_CATEGORY))
            yield OptionList(*options, id="categories")
            yield Label(Text("enter 选择 choose · esc 取消 cancel", style="dim"))

    def on_mount(self) -> None:
        options = self.query_one("#categories", OptionList)
        ids = [cid for cid, _ in self.choices] + [NO_CATEGORY]
        current = self.current if self.current in ids else NO_CATEGORY
        options.highlighted = ids.index(current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((None if event.option.id == NO_CATEGORY else event.option.id,))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PathPrompt(ModalScreen[str | None]):
    """Ask for a file path (registry import)."""

    BINDINGS = [Binding("escape", "cancel", "取消", tooltip="cancel", id="path.cancel")]

    def __init__(self, title: str, placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder = title, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text, style="bold"))
            yield Input(placeholder=self.placeholder, id="path")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BundleImportModal(ModalScreen[tuple[list[str], str] | None]):
    """导入 city bundles: one or more .zip paths (shell-quoted when they hold spaces) and an optional public key."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", tooltip="cancel", id="bundle_import.cancel"),
        Binding("ctrl+s", "save", "导入", tooltip="import", id="bundle_import.save"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("导入 import city bundles (verified, then extracted)", style="bold"))
            yield Label("数据包 bundle .zip path(s), space-separated")
            yield Input(placeholder="/path/to/city-2026Q4.zip", id="bundle-paths")
            yield Label("公钥 the city's public key (office.pub; empty = the keyring: inspector province keys add)")
            yield Input(placeholder="/path/to/office.pub", id="bundle-pubkey")
            yield Static(id="bundle-error")

    def action_save(self) -> None:
        try:
            paths = shlex.split(self.query_one("#bundle-paths", Input).value)
        except ValueError:
            self.query_one("#bundle-error", Static).update(plain(texts.BAD_PATHS, style="red"))
            return
        if not paths:
            self.query_one("#bundle-error", Static).update(Text("请输入数据包路径 give a bundle path", style="red"))
            return
        self.dismiss((paths, self.query_one("#bundle-pubkey", Input).value.strip()))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "bundle-paths":
            self.query_one("#bundle-pubkey", Input).focus()
        else:
            self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)


class DrawModal(_FormModal[dict[str, Any] | None]):
    """Parameters of a sample draw: quarter, ratio, seed, included codes, force."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", tooltip="cancel", id="draw.cancel"),
        Binding("ctrl+s", "save", "抽取", tooltip="draw", id="draw.save"),
    ]

    def __init__(self, quarter: str) -> None:
        super().__init__()
        self.quarter = quarter

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("抽样 draw the quarter's sample", style="bold"))
            yield Label("季度 quarter")
            yield Input(self.quarter, id="draw-quarter")
            yield Label("比例 ratio (0–1)")
            yield Input("0.2", id="draw-ratio", type="number")
            yield Label("种子 seed (empty = random, stored)")
            yield Input("", id="draw-seed", type="integer")
            yield Label("加抽 include codes (space-separated)")
            yield Input("", id="draw-include")
            yield Checkbox("覆盖已有检查 force redraw", id="draw-force")
            yield Static(id="draw-error")
            with Horizontal(classes="buttons"):
                yield Button("抽取 draw (ctrl+s)", id="save", variant="primary")
                yield Button("取消 cancel (esc)", id="cancel")

    def action_save(self) -> None:
        value = lambda wid: self.query_one(wid, Input).value.strip()  # noqa: E731
        error = self.query_one("#draw-error", Static)
        try:
            quarter = check_quarter(value("#draw-quarter"))
        except SamplingError as exc:
            error.update(plain(exc, style="red"))
            return
        try:
            ratio = float(value("#draw-ratio") or 0.2)
        except ValueError:  # Python's own words are English: say it in the form's language
            error.update(plain(texts.bad_number("比例", value("#draw-ratio"), "0 到 1 之间的数"), style="red"))
            return
        try:
            seed = int(value("#draw-seed")) if value("#draw-seed") else None
        except ValueError:
            error.update(plain(texts.bad_number("种子", value("#draw-seed"), "整数"), style="red"))
            return
        params = {"quarter": quarter, "ratio": ratio, "seed": seed, "include": value("#draw-include").split(),
                  "force": self.query_one("#draw-force", Checkbox).value}
        self.dismiss(params)




HELP_TEXT = (
    "政府网站抽查 — quarterly spot-check of government websites.\n\n"
    "Workflow: 抽样 draw the quarter's sample (d) → 检测 run automated checks (c / C / A) → open a site (enter) "
    "→ for each indicator 确认 confirm the pre-fill (y; Y confirms all remaining) or 修改 override it with a note (o) "
    "→ look at the 证据 evidence (e) → 完成 mark the site done (D: only when every indicator is decided on the "
    "latest check and no veto is 待复核). Every decision is saved immediately with who and when.\n"
    "栏目 columns (l, on a site): the columns the check found, their categories and which are stale (未更新); "
    "改类别 correct a wrong category (k, with a reason) — the site is re-scored from the stored crawl, offline; "
    "the change is kept as 人工调整 and exported.\n"
    "监测 monitor (m, on the dashboard): the week-long availability monitor's attempts and failures per site "
    "(start it with `inspector monitor`).\n"
    "整改 rectification (z, on a failed site): status, deadline, note. 省级 province (p): city bundles, 导入 import (i).\n"
    "复核模式 review mode (v) is read-only and offline. ctrl+p opens the command palette (every action and every "
    "sampled site); ctrl+q quits."
)


class HelpScreen(ModalScreen[None]):
    """帮助: how the app works and the keys of the screen it was opened from."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "关闭", tooltip="close", id="help.close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(Text(HELP_TEXT))
            yield Static(self._keys())

    def _keys(self) -> Table:
        table = Table(title="按键 keys", show_header=True, expand=True)
        table.add_column("键 key", style="bold cyan", no_wrap=True)
        table.add_column("动作 action")
        table.add_column("id", style="dim")
        seen = set()
        for active in self.under.active_bindings.values():
            b = active.binding
            if not b.id or not b.description or (b.action, b.description) in seen:
                continue
            seen.add((b.action, b.description))
            table.add_row(Text(self.app.get_key_display(b)), Text(f"{b.description} {b.tooltip}"), Text(b.id or ""))
        table.add_row(Text("ctrl+p"), Text("命令面板 command palette"), Text(""))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
