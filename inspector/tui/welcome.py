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

STEPS = [  # (step, keys, what it does): Chinese, short enough that the whole welcome fits 80×24
    ("1 导入名录", "g → i", "导入本地区的网站名录（.csv 或 .xlsx）"),
    ("2 抽样", "d → d", "每层抽取本季度 20% 的网站（可复现）"),
    ("3 检测", "c · A", "c 检测一个网站；A 批量，默认只检测未检测的"),
    ("4 复核", "enter → y / o", "打开网站，逐项确认（y）或修改（o，写备注）"),
    ("5 报送", "e", "e 导出 Excel；报省：inspector bundle export"),
]


class WelcomeScreen(ModalScreen[None]):
    """欢迎: the steps 导入名录 → 抽样 → 检测 → 复核 → 报送, with their keys."""

    BINDINGS = [
        Binding("g", "registry", "导入名录", tooltip="open the registry to import it", id="welcome.registry"),
        Binding("escape,enter", "close", "关闭", tooltip="close", id="welcome.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome", classes="dialog"):
            yield Static(Text("欢迎使用 inspector · 政府网站季度抽查 (welcome)", style="bold"))
            yield Static(Text("导入名录 → 抽样 → 检测 → 复核 → 报送", style="bold cyan"))
            yield Static(self._steps())
            yield Static(plain(f"工作区 workspace: {self.app.ws.root}", style="dim"))
            yield Static(Text("g 现在导入名录 import now · enter/esc 关闭 close · f1 帮助 help", style="dim"))

    def _steps(self) -> Table:
        table = Table(show_header=True, box=None, expand=True, padding=(0, 1))
        table.add_column("步骤", style="bold", no_wrap=True)
        table.add_column("按键", style="bold cyan", no_wrap=True)
        table.add_column("做什么", overflow="fold")
        for step, keys, what in STEPS:
            table.add_row(step, keys, what)
        return table

    def action_close(self) -> None:
        self.dismiss(None)

    def action_registry(self) -> None:
        from inspector.tui.admin import RegistryScreen

        self.dismiss(None)
        self.app.push_screen(RegistryScreen())
