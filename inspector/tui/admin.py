"""The registry (网站名录) and the quarter's sample (季度抽样): list, import, draw, show."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from inspector.core import texts
from inspector.tui.messages import InspectionChanged
from inspector.tui.safe import clean, plain
from inspector.tui.widgets import TableScreen

SITE_COLUMNS = [("code", "网站标识码"), ("name", "网站名称 name"), ("level", "级别 level"), ("region", "地区 region"),
                ("status", "运行状态"), ("url", "首页网址 URL")]


def site_rows(sites: list[dict[str, Any]]) -> Iterator[tuple[str, list[Text]]]:
    for s in sites:
        yield str(s.get("code")), [
            plain(s.get("code")), plain(s.get("name"), limit=28), plain(s.get("level"), limit=10),
            plain(s.get("region"), limit=10),
            plain(s.get("status"), style="" if s.get("running", True) else "dim red", limit=8),
            plain(s.get("url"), limit=50),
        ]


class RegistryImported(Message, bubble=False):  # handled by the registry screen only
    """The registry import ended: what it did (or why not), as text to show."""

    def __init__(self, report: Text, imported: bool = False) -> None:
        super().__init__()
        self.report, self.imported = report, imported


class SampleDrawn(Message, bubble=False):  # handled by the sampling screen only
    """A draw ended: the quarter and how many sites were drawn, else ``error``."""

    def __init__(self, quarter: str, size: int, error: str = "") -> None:
        super().__init__()
        self.quarter, self.size, self.error = quarter, size, error


class RegistryScreen(TableScreen):
    """The site registry with its import."""

    BINDINGS = [
        Binding("i", "import", "导入", tooltip="import", id="registry.import"),
        Binding("escape", "back", "返回", tooltip="back", id="registry.back"),
    ]
    TABLE_ID, INFO_ID, DETAIL_ID, COLUMNS = "registry", "registry-info", None, SITE_COLUMNS

    def compose_below(self) -> ComposeResult:
        yield Static(id="import-report")

    def mounted(self) -> None:
        self.sub_title = "网站名录 registry"
        self.reload()

    def reload(self) -> None:
        sites = self.app.ws.sites()
        running = sum(1 for s in sites if s.get("running", True))
        self.info.update(Text(f"{len(sites)} 个网站 sites · 正常运行 running {running} · i 导入 import a .csv/.xlsx"))
        self.fill(site_rows(sites))

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
            self.post_message(RegistryImported(plain(f"导入失败 import failed: {texts.error_text(exc)}", style="red")))
            return
        text = Text(f"导入 imported ({clean(report.encoding)}): 新增 added {report.added} · 更新 updated "
                    f"{report.updated} · 拒绝 rejected {len(report.rejected)}", style="bold")
        for row, why in report.rejected[:20]:
            text.append(f"\n  第 {row} 行 row {row}: ")
            text.append_text(plain(why, limit=120))
        self.post_message(RegistryImported(text, imported=True))

    def on_registry_imported(self, message: RegistryImported) -> None:
        self.query_one("#import-report", Static).update(message.report)
        self.reload()
        if message.imported:  # names and the dashboard's "registry is empty" follow the registry
            self.app.post_message(InspectionChanged(self.app.quarter))


class SamplingScreen(TableScreen):
    """The quarter's drawn sample (method, seed, strata) and a new draw."""

    BINDINGS = [
        Binding("d", "draw", "抽样", tooltip="draw", id="sampling.draw"),
        Binding("escape", "back", "返回", tooltip="back", id="sampling.back"),
    ]
    TABLE_ID, INFO_ID, DETAIL_ID, COLUMNS = "sample", "sample-info", None, SITE_COLUMNS

    def mounted(self) -> None:
        self.reload()

    def reload(self) -> None:
        quarter = self.app.quarter
        self.sub_title = f"季度抽样 sample · {quarter}"
        sample = self.app.ws.sample(quarter)
        info, table = self.info, self.table
        if sample is None:
            info.update(Text(f"{quarter}: 尚未抽样 no sample drawn — press d to draw", style="yellow"))
            table.clear()
            return
        text = Text(texts.sample_line(quarter, sample["size"], sample["population_size"], sample["ratio"], sample["seed"],
                                      clean(sample["method"]), sample["stratified_by"]), style="bold")
        for name, stratum in sample.get("strata", {}).items():
            text.append("\n  ")
            text.append_text(plain(name, limit=20))
            text.append(texts.stratum_line(stratum["drawn"], stratum["size"]))
        if sample.get("included"):
            text.append("\n  加抽 included: " + clean(" ".join(sample["included"]), 200))
        info.update(text)
        sites = {s["code"]: s for s in self.app.ws.sites()}
        self.fill(site_rows([sites.get(c, {"code": c, "name": texts.NOT_IN_REGISTRY}) for c in sample["codes"]]))

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
            self.post_message(SampleDrawn("", 0, error=clean(exc, 300)))
            return
        self.post_message(SampleDrawn(sample["quarter"], sample["size"]))

    def on_sample_drawn(self, message: SampleDrawn) -> None:
        if message.error:
            self.app.notify(message.error, title="未抽样 not drawn", severity="error", markup=False, timeout=10)
            return
        quarter, size = message.quarter, message.size
        self.app.set_quarter(quarter)
        self.reload()
        self.app.notify(texts.sample_drawn(quarter, size))
