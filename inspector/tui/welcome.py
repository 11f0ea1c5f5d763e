"""The first run: an empty workspace opens on the quarter's steps and their keys."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from inspector.tui.safe import plain

STEPS = [  # (step, keys, what it does)
    ("1 导入名录", "g → i", "import the region's site registry (.csv / .xlsx 政府网站基本信息)"),
    ("2 抽样", "d → d", "draw the quarter's sample (20 % of each stratum, reproducible)"),
    ("3 检测", "c · A", "automated checks of one site · a batch (unchecked first)"),
    ("4 复核", "enter → y / o", "open a site, confirm or override each indicator (with a note)"),
    ("5 报送", "e · inspector bundle export", "Excel for the office · the signed bundle for the province"),
]


class WelcomeScreen(ModalScreen[None]):
    """欢迎: the steps 导入名录 → 抽样 → 检测 → 复核 → 报送, with their keys."""

    BINDINGS = [
        Binding("g", "registry", "导入名录", tooltip="open the registry to import it", id="welcome.registry"),
        Binding("escape,enter", "close", "关闭", tooltip="close", id="welcome.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome", classes="dialog"):
            yield Static(Text("欢迎使用 inspector · 政府网站季度抽查", style="bold"))
            yield Static(Text("导入名录 → 抽样 → 检测 → 复核 → 报送", style="bold cyan"))
            yield Static(self._steps())
            yield Static(plain(f"工作区 workspace: {self.app.ws.root}", style="dim"))
            yield Static(Text("g 现在导入名录 import the registry now · enter/escape 关闭 close · f1 帮助 help",
                              style="dim"))

    def _steps(self) -> Table:
        table = Table(show_header=True, box=None, expand=True, padding=(0, 1))
        table.add_column("步骤 step", style="bold", no_wrap=True)
        table.add_column("键 keys", style="bold cyan", no_wrap=True)
        table.add_column("做什么 what")
        for step, keys, what in STEPS:
            table.add_row(step, keys, what)
        return table

    def action_close(self) -> None:
        self.dismiss(None)

    def action_registry(self) -> None:
        from inspector.tui.admin import RegistryScreen

        self.dismiss(None)
        self.app.push_screen(RegistryScreen())
