"""The week-long availability monitor's status (监测): per site, attempts so far and failures.

``inspector monitor`` runs in another process and appends every attempt to the workspace;
this screen only reads. ``monitor_status`` runs in a thread worker posting
:class:`MonitorLoaded`, again every few seconds while the screen is shown (a timer).
"""

from __future__ import annotations

from typing import Any, Iterator

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable

from inspector.core import texts
from inspector.core.quarter.monitor import load_state, monitor_status
from inspector.tui.safe import clean, plain
from inspector.tui.widgets import TableScreen

REFRESH_SECONDS = 3.0
MONITOR_COLUMNS = [("code", "网站标识码"), ("name", "网站名称 name"), ("attempts", "探测 attempts"),
                   ("failures", "失败 fail"), ("rate", "失败率"), ("missed", "漏测 missed"),
                   ("last_failure", "最近失败 last failure")]


class MonitorLoaded(Message, bubble=False):  # handled by the monitor screen only
    """A fresh read of the monitor: its window label (None: never ran) and per-site rows, or ``error``."""

    def __init__(self, window: str | None, rows: list[dict[str, Any]], error: str = "") -> None:
        super().__init__()
        self.window, self.rows, self.error = window, rows, error


def local_time(text: Any) -> str:
    """An ISO timestamp as ``MM-DD HH:MM`` in the office's zone; other text cleaned as it is; — for none."""
    return texts.local_time(text, "%m-%d %H:%M")


def failure_text(failure: dict[str, Any] | None, limit: int | None = 40) -> Text:
    """``11-18 14:07 HTTP 503 error…`` (the error is untrusted), or — when nothing failed."""
    if not failure:
        return Text("—", style="dim")
    out = Text(local_time(failure.get("at")), style="red")
    status, error = clean(failure.get("status"), 5), clean(failure.get("error"))
    if status:
        out.append(f" HTTP {status}", style="red")
    if error and error != status:  # the fetch layer's codes in Chinese (连接失败, 超时 …); other text as it is
        out.append(" ")
        out.append_text(plain(texts.fetch_error(error), limit=limit))
    return out


def never_ran_text(quarter: str) -> Text:
    return Text(texts.monitor_never_ran(quarter), style="yellow")


class MonitorScreen(TableScreen):
    """Per sampled site: attempts so far of the planned ones, failures, rate, missed slots, last failure."""

    BINDINGS = [
        Binding("r,f5", "refresh_status", "刷新", tooltip="read the monitor's records again", id="monitor.refresh"),
        Binding("escape", "back", "返回", tooltip="back", id="monitor.back"),
    ]
    TABLE_ID, INFO_ID, DETAIL_ID, COLUMNS = "monitor", "monitor-info", "monitor-detail", MONITOR_COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self.window: str | None = None
        self.rows: list[dict[str, Any]] = []
        self.loaded = False
        self.timer: Timer | None = None

    def mounted(self) -> None:
        self.sub_title = f"{self.app.quarter} · 监测 monitor"
        self.info.update(Text("读取中 reading the monitor's records…", style="dim"))
        self.action_refresh_status()
        self.timer = self.set_interval(REFRESH_SECONDS, self.action_refresh_status)

    def on_screen_suspend(self) -> None:
        if self.timer is not None:
            self.timer.pause()

    def on_screen_resume(self) -> None:
        if self.timer is not None:
            self.timer.resume()

    # -- data ------------------------------------------------------------------------------
    def action_refresh_status(self) -> None:
        self._read(self.app.quarter)

    @work(thread=True, exclusive=True, group="monitor-status")
    def _read(self, quarter: str) -> None:
        try:
            state = load_state(self.app.ws, quarter)
            rows = monitor_status(self.app.ws, quarter) if state is not None else []
        except Exception as exc:  # a damaged record file must not end the screen
            self.post_message(MonitorLoaded(None, [], error=texts.error_text(exc)))
            return
        self.post_message(MonitorLoaded(state.window_label() if state else None, rows))

    def on_monitor_loaded(self, message: MonitorLoaded) -> None:
        if message.error:
            self.info.update(plain(f"无法读取 cannot read: {message.error}", style="red"))
            return
        self.window, self.rows, self.loaded = message.window, message.rows, True
        self.info.update(self._info())
        self.table.display = self.window is not None
        self.fill(self._rows())
        self.show_detail()

    def _info(self) -> Text:
        if self.window is None:
            return never_ran_text(self.app.quarter)
        attempts = sum(r["attempts"] for r in self.rows)
        planned = sum(r["planned"] for r in self.rows)
        failures = sum(r["failures"] for r in self.rows)
        done = all(r["finished"] for r in self.rows)
        out = Text(f"监测窗口 window {clean(self.window)}  ", style="bold")
        out.append("已结束 finished" if done else "进行中 running", style="green" if done else "yellow")
        out.append(f"\n{len(self.rows)} 个网站 sites · 探测 attempts {attempts}/{planned} · ")
        out.append(f"失败 failures {failures}", style="red" if failures else "green")
        out.append(f" · 每 {REFRESH_SECONDS:g} 秒刷新 refreshes every {REFRESH_SECONDS:g}s", style="dim")
        return out

    def _rows(self) -> Iterator[tuple[str, list[Text]]]:
        for r in self.rows:
            rate = float(r.get("failure_rate") or 0.0)
            yield str(r.get("code")), [
                plain(r.get("code")),
                plain(r.get("name"), limit=20),
                Text(f"{r['attempts']}/{r['planned']}", justify="right"),
                Text(str(r["failures"]), style="red" if r["failures"] else "", justify="right"),
                Text(f"{rate:.1%}", style="bold red" if rate >= 0.05 else "", justify="right"),
                Text(str(r["missed"]), style="yellow" if r["missed"] else "dim", justify="right"),
                failure_text(r.get("last_failure"), limit=30),
            ]

    @on(DataTable.RowHighlighted, "#monitor")
    def show_detail(self) -> None:
        """The highlighted site's URL, last attempt and full last failure."""
        code = self.highlighted_key()
        row = next((r for r in self.rows if str(r.get("code")) == code), None)
        out = Text()
        if row is not None:
            out.append("首页 URL ")
            out.append_text(plain(row.get("url"), limit=200))
            out.append(f"\n最近探测 last attempt {local_time(row.get('last_attempt'))} · 剩余 remaining {row['remaining']}")
            out.append("\n最近失败 last failure: ")
            out.append_text(failure_text(row.get("last_failure"), limit=300))
        self.detail.update(out)
