"""The inspector's Textual app and :func:`make_app`, the one factory the CLI and the tests use.

Screens: the quarter dashboard (default screen), a site's inspection, its columns and
their categories, evidence, the registry, the sample, the availability monitor, the province
view (opened at start in a province workspace: bundles imported, no sample), help. Every action is a binding with an id, shown in the footer and
offered in the command palette (:class:`BindingsProvider`); sampled sites can be opened
from the palette too (:class:`SitesProvider`).
"""

from __future__ import annotations

import asyncio
import sys
from functools import partial
from pathlib import Path
from typing import Any, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider

from inspector.core import texts
from inspector.core.quarter.inspection import quarter_done, quarter_overview
from inspector.core.quarter.sampling import current_quarter
from inspector.core.store import Workspace, WorkspaceError
from inspector.tui import pinyin
from inspector.tui.messages import ChecksRequested, InspectionChanged, Written
from inspector.tui.safe import clean


class BindingsProvider(Provider):
    """Every enabled binding of the screen the palette was opened on (also those the footer leaves out).

    Matched on the text and on the pinyin initials of its Chinese: ``jc`` finds 检测.
    """

    async def startup(self) -> None:
        await asyncio.to_thread(pinyin.load)

    def _commands(self) -> list[tuple[str, Any]]:
        seen: set[str] = set()
        out = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not (binding.show or binding.id) or not binding.description or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            label = f"{binding.description} {binding.tooltip}".strip()
            out.append((f"{label}  [{key}]", partial(active.node.run_action, binding.action)))
        return out

    async def discover(self) -> Hits:
        for text, run in self._commands():
            yield DiscoveryHit(Content(text), run, text=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, run in self._commands():
            score = matcher.match(pinyin.search_text(text))
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, text=text)


#: Textual's system commands, Chinese first (the palette matches the pinyin initials: ``tc`` finds 退出)
SYSTEM_COMMANDS = {
    "Theme": ("主题 Theme", "更换配色 change the colour theme"),
    "Quit": ("退出 Quit", "退出程序 quit the application"),
    "Keys": ("按键 Keys", "显示或隐藏按键说明 show or hide the keys and help panel"),
    "Maximize": ("最大化 Maximize", "最大化当前部件 maximize the focused widget"),
    "Minimize": ("还原 Minimize", "还原部件大小 restore the widget to its normal size"),
}


class SystemProvider(SystemCommandsProvider):
    """Textual's system commands (截图, 退出, 主题 …), matched on the text and on the pinyin initials of its Chinese."""

    async def startup(self) -> None:
        await asyncio.to_thread(pinyin.load)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            score = matcher.match(pinyin.search_text(name))
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class SitesProvider(Provider):
    """打开 open a sampled site's inspection by name, code or the pinyin initials of its name (plain text)."""

    async def startup(self) -> None:
        await asyncio.to_thread(pinyin.load)

    async def search(self, query: str) -> Hits:
        app = self.app
        if not isinstance(app, InspectorApp):
            return
        matcher = self.matcher(query)
        rows = await asyncio.to_thread(quarter_overview, app.ws, app.quarter)
        for row in rows:
            text = f"打开 open {clean(row['code'])} {clean(row['name'], 40)}"
            score = matcher.match(pinyin.search_text(text))
            if score > 0:
                yield Hit(score, Content(text), partial(app.open_site, row["code"]), text=text)


class InspectorApp(App[None]):
    """政府网站抽查: a quarter's sample, one site at a time, through the checklist's indicators."""

    CSS_PATH = "app.tcss"
    TITLE = "政府网站抽查 inspector"
    COMMANDS = {SystemProvider, BindingsProvider, SitesProvider}
    BINDINGS = [
        Binding("f1,question_mark", "help", "帮助", tooltip="help", id="app.help"),
        Binding("ctrl+q", "quit", "退出", tooltip="quit", id="app.quit", priority=True, show=False),
    ]

    def __init__(self, ws: Workspace, quarter: str | None = None, check_options: Any = None) -> None:
        super().__init__()
        self.ws = ws
        samples = ws.samples()
        self.quarter = quarter or (samples[-1]["quarter"] if samples else current_quarter())
        self.check_options = check_options
        self.review_mode = False

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Ask the terminal which image protocol it speaks (only possible before Textual owns it), then run."""
        if not kwargs.get("headless") and sys.__stdout__ is not None and sys.__stdout__.isatty():
            from inspector.tui.shotview import probe_terminal

            try:
                probe_terminal()
            except Exception:  # noqa: BLE001 - a terminal that answers oddly gets half blocks
                pass
        return super().run(*args, **kwargs)

    # -- palette ---------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's system commands, Chinese first, with 截图 Screenshot saving into the workspace (its own fails
        on servers)."""
        for command in super().get_system_commands(screen):
            if command.title in SYSTEM_COMMANDS:
                title, help_text = SYSTEM_COMMANDS[command.title]
                yield command._replace(title=title, help=help_text)
            elif command.title != "Screenshot":
                yield command
        yield SystemCommand("截图 Screenshot", "保存当前屏幕的 SVG 截图到工作区 screenshots/ save an SVG screenshot",
                            lambda: self.set_timer(0.1, self.save_screen_svg))

    def save_screen_svg(self) -> Path | None:
        """The current screen as an SVG under ``<workspace>/screenshots/``; its full path is shown."""
        folder = self.ws.root / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = Path(self.save_screenshot(path=str(folder)))
        except OSError as exc:
            self.notify(clean(texts.os_error(exc if exc.filename else OSError(exc.errno, exc.strerror, str(folder))), 300), title="截图失败 screenshot failed",
                        severity="error", markup=False)
            return None
        self.notify(clean(str(path), 300), title="截图已保存 screenshot saved", markup=False, timeout=10)
        return path

    # -- screens ---------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        from inspector.tui.dashboard import DashboardScreen

        return DashboardScreen()

    @property
    def dashboard(self) -> Any:
        return self.screen_stack[0]

    @property
    def checks_running(self) -> bool:
        """A batch of checks is running (the dashboard runs one at a time)."""
        return getattr(self.dashboard, "job", None) is not None

    # -- messages: screens never call each other ---------------------------------------------
    def on_inspection_changed(self, message: InspectionChanged) -> None:
        """A site's record (or the quarter) changed: every screen on the stack hears it and refreshes what it shows."""
        for screen in self.screen_stack:
            screen.post_message(message.copy())

    def on_written(self, message: Written) -> None:
        """A screen's write ended: refused or failed, say why; else every screen showing the site refreshes.
        The screen that wrote gets the message back if it is still open (it may say more)."""
        if message.problems:
            self.notify("\n".join(clean(p, 300) for p in message.problems), title="不能完成 not done yet",
                        severity="error", markup=False, timeout=8)
        elif message.error:
            self.notify(clean(message.error, 300), title="未保存 not saved", severity="error", markup=False)
        else:
            record = message.result if isinstance(message.result, dict) else None
            self.post_message(InspectionChanged(message.quarter, message.screen.code, record))
        if message.screen in self.screen_stack:
            message.screen.post_message(message.copy())

    def on_checks_requested(self, message: ChecksRequested) -> None:
        """Checks asked for on any screen run on the dashboard (its panel shows their progress)."""
        self.dashboard.post_message(message.copy())

    def open_site(self, code: str) -> None:
        """Push the inspection screen of one sampled site."""
        from inspector.tui.inspection import InspectionScreen

        self.push_screen(InspectionScreen(code))

    def action_help(self) -> None:
        from inspector.tui.modals import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- state -----------------------------------------------------------------------------
    def set_quarter(self, quarter: str) -> None:
        """Switch the dashboard to another quarter (review mode follows its completeness)."""
        self._enter_quarter(quarter)
        self.post_message(InspectionChanged(quarter))

    def _enter_quarter(self, quarter: str) -> None:
        self.quarter = quarter
        self.set_review_mode(quarter_done(self.ws, quarter))

    def set_review_mode(self, on: bool) -> None:
        """Review mode (复核模式): read-only, offline; checks and decisions are disabled."""
        self.review_mode = on
        path = clean(self.ws.root)
        shown = path if len(path) <= 60 else "…" + path[-59:]  # the end of a long path says the most
        mode = "复核模式 只读 review · " if on else ""  # before the path: in view at 80 columns
        self.sub_title = f"{self.quarter} · {mode}工作区 {shown}"
        for screen in self.screen_stack:
            screen.refresh_bindings()

    def on_mount(self) -> None:
        from inspector.tui.province import ProvinceScreen, is_province_workspace

        self._enter_quarter(self.quarter)
        if is_province_workspace(self.ws):
            self.push_screen(ProvinceScreen())
        else:
            if not self.ws.sites():
                from inspector.tui.welcome import WelcomeScreen

                self.push_screen(WelcomeScreen())
            self.ask_inspector_name()  # on top of the welcome: who decides, first

    def ask_inspector_name(self) -> None:
        """First run: who records the decisions (unless INSPECTOR_USER says it), stored in the workspace."""
        from inspector.core.quarter.inspection import set_inspector_name, stored_inspector_name
        from inspector.core.settings import settings
        from inspector.tui.modals import TextPrompt

        if settings().user or stored_inspector_name(self.ws):
            return

        def save(name: str) -> None:
            try:
                set_inspector_name(self.ws, name)
            except (ValueError, OSError, WorkspaceError) as exc:
                self.call_from_thread(self.notify, clean(exc, 300), title="未保存 not saved", severity="error",
                                      markup=False)
                return
            self.call_from_thread(self.notify, f"检查人员 inspector: {clean(name, 40)}", markup=False)

        def answered(name: str | None) -> None:
            if name:
                self.run_worker(partial(save, name), thread=True, group="write", name="inspector-name")

        self.push_screen(TextPrompt("检查人员 inspector", "请填写您的姓名：每项决定都会记录检查人员"
                                    "（也可设置环境变量 INSPECTOR_USER）", required="请填写检查人员姓名",
                                    placeholder="例如：张三", cancel=False), answered)

    def check_options_or_default(self) -> Any:
        """The options checks run with (the factory's, else the runner's defaults)."""
        if self.check_options is None:
            from inspector.core.runner import CheckOptions

            self.check_options = CheckOptions()
        return self.check_options


def make_app(workspace: Workspace | str | Path, *, quarter: str | None = None, check_options: Any = None) -> InspectorApp:
    """The app on a workspace (a :class:`Workspace` or its directory), optionally on one quarter.

    ``check_options`` is the runner's ``CheckOptions`` the UI's checks use (default: the runner's).
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(Path(workspace))
    return InspectorApp(ws, quarter=quarter, check_options=check_options)
