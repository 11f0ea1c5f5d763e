"""The registry (网站名录) and the quarter's sample (季度抽样): list, import, draw, show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from inspector.tui.footer import KeyFooter
from inspector.tui.safe import clean, plain

SITE_COLUMNS = [("code", "网站标识码"), ("name", "网站名称 name"), ("level", "级别 level"), ("region", "地区 region"),
                ("status", "运行状态"), ("url", "首页网址 URL")]


def fill_sites(table: DataTable, sites: list[dict[str, Any]]) -> None:
    table.clear()
    for s in sites:
        table.add_row(
            plain(s.get("code")), plain(s.get("name"), limit=28), plain(s.get("level"), limit=10),
            plain(s.get("region"), limit=10),
            plain(s.get("status"), style="" if s.get("running", True) else "dim red", limit=8),
            plain(s.get("url"), limit=50), key=s.get("code"),
        )


class RegistryScreen(Screen[None]):
    """The site registry with its import."""

    BINDINGS = [
        Binding("i", "import", "导入", tooltip="import", id="registry.import"),
        Binding("escape", "back", "返回", tooltip="back", id="registry.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="registry-info")
            yield DataTable(id="registry", cursor_type="row", zebra_stripes=True)
            yield Static(id="import-report")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#registry", DataTable)
        for key, label in SITE_COLUMNS:
            table.add_column(label, key=key)
        self.sub_title = "网站名录 registry"
        self.reload()
        table.focus()

    def reload(self) -> None:
        sites = self.app.ws.sites()
        running = sum(1 for s in sites if s.get("running", True))
        self.query_one("#registry-info", Static).update(
            Text(f"{len(sites)} 个网站 sites · 正常运行 running {running} · i 导入 import a .csv/.xlsx"))
        fill_sites(self.query_one("#registry", DataTable), sites)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "import" and self.app.review_mode else True

    def action_import(self) -> None:
        from inspector.tui.modals import PathPrompt

        def chosen(path: str | None) -> None:
            if path:
                self._import(Path(path).expanduser())

        self.app.push_screen(PathPrompt("导入名录 import registry file", "/path/to/名录.csv or .xlsx"), chosen)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, path: Path) -> None:
        from inspector.core.quarter.registry import RegistryError, import_registry
        from inspector.core.store import WorkspaceError

        try:
            report = import_registry(self.app.ws, path)
        except (RegistryError, WorkspaceError, OSError) as exc:
            self.app.call_from_thread(self._show_report, plain(f"导入失败 import failed: {exc}", style="red"))
            return
        text = Text(f"导入 imported ({clean(report.encoding)}): 新增 added {report.added} · 更新 updated "
                    f"{report.updated} · 拒绝 rejected {len(report.rejected)}", style="bold")
        for row, why in report.rejected[:20]:
            text.append(f"\n  第 {row} 行 row {row}: ")
            text.append_text(plain(why, limit=120))
        self.app.call_from_thread(self._show_report, text)

    def _show_report(self, text: Text) -> None:
        self.query_one("#import-report", Static).update(text)
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()


class SamplingScreen(Screen[None]):
    """The quarter's drawn sample (method, seed, strata) and a new draw."""

    BINDINGS = [
        Binding("d", "draw", "抽样", tooltip="draw", id="sampling.draw"),
        Binding("escape", "back", "返回", tooltip="back", id="sampling.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="sample-info")
            yield DataTable(id="sample", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#sample", DataTable)
        for key, label in SITE_COLUMNS:
            table.add_column(label, key=key)
        self.reload()
        table.focus()

    def reload(self) -> None:
        quarter = self.app.quarter
        self.sub_title = f"季度抽样 sample · {quarter}"
        sample = self.app.ws.sample(quarter)
        info = self.query_one("#sample-info", Static)
        table = self.query_one("#sample", DataTable)
        if sample is None:
            info.update(Text(f"{quarter}: 尚未抽样 no sample drawn — press d to draw", style="yellow"))
            table.clear()
            return
        text = Text(f"{quarter}: {sample['size']} of {sample['population_size']} running sites · ratio "
                    f"{sample['ratio']:g} · seed {sample['seed']} · {clean(sample['method'])} · by "
                    f"{clean(sample['stratified_by'])}", style="bold")
        for name, stratum in sample.get("strata", {}).items():
            text.append("\n  ")
            text.append_text(plain(name, limit=20))
            text.append(f": {stratum['drawn']} of {stratum['size']}")
        if sample.get("included"):
            text.append("\n  加抽 included: " + clean(" ".join(sample["included"]), 200))
        info.update(text)
        sites = {s["code"]: s for s in self.app.ws.sites()}
        fill_sites(table, [sites.get(c, {"code": c, "name": "(not in registry)"}) for c in sample["codes"]])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "draw" and self.app.review_mode else True

    def action_draw(self) -> None:
        from inspector.tui.modals import DrawModal

        def chosen(params: dict[str, Any] | None) -> None:
            if params:
                self._draw(params)

        self.app.push_screen(DrawModal(self.app.quarter), chosen)

    @work(thread=True, exclusive=True, group="draw")
    def _draw(self, params: dict[str, Any]) -> None:
        from inspector.core.quarter.sampling import SamplingError, draw
        from inspector.core.store import WorkspaceError

        ws = self.app.ws
        try:
            sample = draw(ws.sites(), params["quarter"], ratio=params["ratio"], seed=params["seed"],
                          include=params["include"])
            ws.save_sample(sample, force=params["force"])
        except (SamplingError, WorkspaceError) as exc:
            self.app.call_from_thread(self.app.notify, clean(exc, 300), title="未抽样 not drawn",
                                      severity="error", markup=False, timeout=10)
            return
        self.app.call_from_thread(self._drawn, sample["quarter"], sample["size"])

    def _drawn(self, quarter: str, size: int) -> None:
        self.app.set_quarter(quarter)
        self.reload()
        self.app.notify(f"{quarter}: 抽取 drew {size} sites")

    def action_back(self) -> None:
        self.app.pop_screen()
