"""The province view (省级汇总): imported city bundles aggregated per quarter, and their import.

Per city: sites sampled of the population, sampling ratio, pass rate, failed sites, failed sites
whose re-check after rectification passed, problems by indicator (the checklist's Chinese names)
and sites failing again since the previous quarter. ``province_report`` and ``province_import``
run in thread workers posting :class:`ProvinceLoaded` / :class:`BundlesImported`. Region names
and site codes come from other offices' bundles: shown as plain text only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from inspector.core import texts
from inspector.core.checklist import load_checklist
from inspector.core.store import Workspace
from inspector.tui.safe import clean, local_time, plain
from inspector.tui.widgets import TableScreen

CITY_COLUMNS = [("region", "地区 city"), ("sampled", "抽查/总数"), ("ratio", "比例"), ("pass_rate", "合格率"),
                ("failed", "不合格"), ("rectified", "整改合格"), ("again", "再次不合格"), ("problem", "主要问题 top problem")]


def imported_bundles(ws: Workspace) -> list[dict[str, Any]]:
    """The bundles imported into this workspace (the ``province`` table)."""
    return ws.province_imports()


def is_province_workspace(ws: Workspace) -> bool:
    """A province workspace: bundles imported, no sample of its own drawn."""
    return not ws.samples() and bool(imported_bundles(ws))


def percent(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def indicator_names() -> dict[str, str]:
    """Indicator id → its Chinese name in the current checklist (unknown ids are shown cleaned)."""
    return {iid: ind.name for iid, ind in load_checklist().indicators.items()}


def problems_text(problems: dict[str, Any], names: dict[str, str], limit: int | None = None) -> Text:
    """``网站不更新 2 · 链接可用性 1`` (most frequent first); ids from the bundle are untrusted."""
    items = sorted(problems.items(), key=lambda kv: -int(kv[1]) if isinstance(kv[1], int) else 0)[:limit]
    if not items:
        return Text("—", style="dim")
    return plain(" · ".join(f"{names.get(str(iid), clean(iid, 30))} {clean(n, 6)}" for iid, n in items))


class ProvinceLoaded(Message, bubble=False):  # handled by the province screen only
    """A fresh ``province_report`` (None with ``reasons`` when it cannot be made) and the imported quarters."""

    def __init__(self, report: dict[str, Any] | None, quarters: list[str], reasons: list[str]) -> None:
        super().__init__()
        self.report, self.quarters, self.reasons = report, quarters, reasons


class BundlesImported(Message, bubble=False):  # handled by the province screen only
    """An import finished: the entries imported, or the refusal reasons; ``signed`` says a key was checked."""

    def __init__(self, entries: list[dict[str, Any]], reasons: list[str], signed: bool) -> None:
        super().__init__()
        self.entries, self.reasons, self.signed = entries, reasons, signed


class ProvinceScreen(TableScreen):
    """Cities of one quarter (default: the latest imported) from the imported bundles."""

    BINDINGS = [
        Binding("o", "pick_quarter", "季度", tooltip="pick a quarter", id="province.quarter"),
        Binding("i", "import", "导入", tooltip="import city bundles", id="province.import"),
        Binding("r,f5", "reload", "刷新", tooltip="aggregate again", id="province.reload"),
        Binding("escape", "back", "返回", tooltip="back to the dashboard", id="province.back"),
    ]
    TABLE_ID, INFO_ID, DETAIL_ID, COLUMNS = "cities", "province-info", "city-detail", CITY_COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self.quarter: str | None = None  # None: the latest quarter imported
        self.quarters: list[str] = []
        self.report: dict[str, Any] | None = None
        self.names = indicator_names()

    def compose_below(self) -> ComposeResult:
        yield Static(id="province-import")

    def mounted(self) -> None:
        self.sub_title = "省级汇总 province"
        self.info.update(Text("汇总中 aggregating…", style="dim"))
        self.action_reload()

    # -- data ------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self._aggregate(self.quarter)

    @work(thread=True, exclusive=True, group="province-report")
    def _aggregate(self, quarter: str | None) -> None:
        from inspector.core.submission.bundle import BundleError
        from inspector.core.submission.exchange import province_report

        try:
            quarters = sorted({str(e.get("quarter", "")) for e in imported_bundles(self.app.ws)}, reverse=True)
            report = province_report(self.app.ws, quarter)
        except BundleError as exc:
            self.post_message(ProvinceLoaded(None, [], exc.reasons))
            return
        except Exception as exc:  # a damaged extracted bundle must not end the screen
            self.post_message(ProvinceLoaded(None, [], [texts.error_text(exc)]))
            return
        self.post_message(ProvinceLoaded(report, quarters, []))

    def on_province_loaded(self, message: ProvinceLoaded) -> None:
        self.report, self.quarters = message.report, message.quarters
        info, table = self.info, self.table
        if message.report is None:
            text = Text("尚无汇总 nothing to aggregate: ", style="yellow")
            text.append_text(plain(texts.refusal_line(message.reasons, 5), limit=300))
            text.append("\ni 导入 import a city's bundle (.zip) and its public key", style="dim")
            info.update(text)
            table.clear()
            table.display = False
            self.detail.update("")
            return
        self.sub_title = f"省级汇总 province · {clean(message.report.get('quarter'), 10)}"
        info.update(self._info(message.report))
        table.display = True
        self.fill(self._rows(message.report.get("cities") or []), keep="row")
        self.show_detail()

    def _info(self, report: dict[str, Any]) -> Text:
        totals = report.get("totals") or {}
        out = Text(f"{clean(report.get('quarter'), 10)} · {totals.get('cities', 0)} 个地区 cities · 抽查 sampled "
                   f"{totals.get('sampled', 0)} · 合格率 pass rate {percent(totals.get('pass_rate'))} · ", style="bold")
        out.append(f"不合格 failed {totals.get('failed', 0)}", style="red" if totals.get("failed") else "green")
        out.append(f" · 再次不合格 failing again {totals.get('failing_again', 0)}")
        out.append(f"\n上季度 previous quarter {clean(report.get('previous_quarter') or '—', 10)} · 问题 problems: ")
        out.append_text(problems_text(totals.get("problems_by_indicator") or {}, self.names, limit=4))
        if not report.get("cities"):
            out.append("\n该季度没有数据包 no bundle for this quarter — o 季度 pick another", style="yellow")
        return out

    def _rows(self, cities: list[dict[str, Any]]) -> Iterator[tuple[str, list[Text]]]:
        for n, city in enumerate(cities):
            failed = city.get("failed") or 0
            yield str(n), [
                plain(city.get("region"), limit=14) if city.get("trusted", True)
                else plain(f"{clean(city.get('region'), 10)} 未核验", style="yellow"),
                Text(f"{clean(city.get('sampled'), 6)}/{clean(city.get('population'), 6)}", justify="right"),
                Text(percent(city.get("ratio")), justify="right"),
                Text(percent(city.get("pass_rate")), justify="right"),
                Text(clean(failed, 6), style="red" if failed else "", justify="right"),
                Text(clean(city.get("rectified"), 6), justify="right"),
                Text(str(len(city.get("failing_again") or [])), style="bold red" if city.get("failing_again") else "",
                     justify="right"),
                problems_text(city.get("problems_by_indicator") or {}, self.names, limit=1),
            ]

    @on(DataTable.RowHighlighted, "#cities")
    def show_detail(self) -> None:
        """The highlighted city: its bundle, every problem by indicator, the codes failing again."""
        cities = (self.report or {}).get("cities") or []
        row = self.table.cursor_row if self.table.row_count else None
        out = Text()
        if row is not None and row < len(cities):
            city = cities[row]
            out.append_text(plain(city.get("region"), style="bold", limit=60))
            out.append_text(plain(f"  城市 {clean(city.get('city'), 32)} · 签名已核验 verified")
                            if city.get("trusted", True) else
                            Text("  未核验签名 signature not verified (--unsigned-ok)", style="bold yellow"))
            out.append(f"  数据包 bundle of {local_time(city.get('created_at'), '%Y-%m-%d %H:%M')}"
                       f" · 合格 passed {clean(city.get('passed'))}"
                       f" · 待复核 review {clean(city.get('review'))}")
            out.append("\n问题 problems by indicator: ")
            out.append_text(problems_text(city.get("problems_by_indicator") or {}, self.names))
            out.append("\n再次不合格 failing again since last quarter: ")
            again = city.get("failing_again") or []
            out.append_text(plain(" ".join(clean(c, 20) for c in again[:30]), style="red") if again
                            else Text("—", style="dim"))
        self.detail.update(out)

    # -- actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "import" and self.app.review_mode:
            return None
        return True

    def action_pick_quarter(self) -> None:
        from inspector.tui.modals import QuarterPicker

        def chosen(quarter: str | None) -> None:
            if quarter:
                self.quarter = quarter
                self.action_reload()

        current = self.quarter or str((self.report or {}).get("quarter") or "") or self.app.quarter
        self.app.push_screen(QuarterPicker(self.quarters, current), chosen)

    def action_import(self) -> None:
        from inspector.tui.modals import BundleImportModal

        def chosen(result: tuple[list[str], str] | None) -> None:
            if result is not None:
                self.query_one("#province-import", Static).update(Text("导入中 importing…", style="dim"))
                self._import(*result)

        self.app.push_screen(BundleImportModal(), chosen)

    @work(thread=True, exclusive=True, group="province-import")
    def _import(self, paths: list[str], pubkey: str) -> None:
        from inspector.core.store import WorkspaceError
        from inspector.core.submission.bundle import BundleError
        from inspector.core.submission.exchange import province_import

        key = Path(pubkey).expanduser() if pubkey else None
        try:
            entries = province_import(self.app.ws, [Path(p).expanduser() for p in paths], key)
        except BundleError as exc:
            self.post_message(BundlesImported([], exc.reasons, key is not None))
            return
        except WorkspaceError as exc:  # a damaged keyring entry, the workspace locked by another program
            self.post_message(BundlesImported([], [str(exc)], key is not None))
            return
        except (OSError, ValueError) as exc:
            self.post_message(BundlesImported([], [texts.error_text(exc)], key is not None))
            return
        self.post_message(BundlesImported(entries, [], all(e.get("trusted") for e in entries)))

    def on_bundles_imported(self, message: BundlesImported) -> None:
        out = Text()
        if message.reasons:
            out.append("拒绝导入 refused:", style="bold red")
            for reason in message.reasons[:12]:
                out.append("\n  ")
                out.append_text(plain(reason, limit=150))
        else:
            out.append(f"已导入 imported {len(message.entries)}:", style="bold green")
            for entry in message.entries:
                out.append("\n  ")
                out.append_text(plain(f"{clean(entry.get('region'), 30)} {clean(entry.get('quarter'), 10)} · "
                                      f"{clean(entry.get('sites'))} 个网站 sites"))
                if entry.get("already"):
                    out.append(" · 已导入过 already imported (内容相同 same content)", style="dim")
            if not message.signed:
                out.append("\n  未核验签名 signature not verified", style="yellow")
        self.query_one("#province-import", Static).update(out)
        if message.entries:
            self.quarter = None  # show the latest quarter, which may be the one just imported
        self.action_reload()  # earlier bundles of a refused batch may have been imported
