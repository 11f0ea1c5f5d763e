"""Evidence of a finding (证据): the capture records, their files and hashes, a screenshot preview.

Everything is read from the workspace (works offline). Hash verification and the PNG
preview run in thread workers; opening a file in the system viewer is a detached
process started from a worker, so the UI never blocks.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from inspector.tui.preview import PreviewError, preview_file
from inspector.tui.safe import clean, plain

FILE_COLUMNS = [("kind", "类型 kind"), ("path", "文件 file"), ("ok", "校验 sha256")]


def records_for(all_records: list[dict[str, Any]], finding: dict[str, Any] | None) -> tuple[list[dict[str, Any]], bool]:
    """The finding's evidence records (by id, else by URL) and True; else every record of the site and False."""
    if finding:
        ids = set(finding.get("evidence") or [])
        urls = {finding.get("url"), finding.get("where")} - {None, ""}
        chosen = [r for r in all_records if r.get("id") in ids] or [
            r for r in all_records if r.get("url") in urls or r.get("final_url") in urls
        ]
        if chosen:
            return chosen, True
    return all_records, False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_command(path: Path) -> list[str] | None:
    """The system viewer command for a file (None on Windows: os.startfile is used)."""
    if sys.platform.startswith("win"):
        return None
    return ["open" if sys.platform == "darwin" else "xdg-open", str(path)]


class EvidenceScreen(Screen[None]):
    """The records that prove one finding (or the site's records when it has none)."""

    BINDINGS = [
        Binding("left_square_bracket", "record(-1)", "上一", tooltip="previous record", id="evidence.prev"),
        Binding("right_square_bracket", "record(1)", "下一", tooltip="next record", id="evidence.next"),
        Binding("v", "open_file", "打开文件", tooltip="open the file in the system viewer", id="evidence.open"),
        Binding("escape", "back", "返回", tooltip="back", id="evidence.back"),
    ]

    def __init__(self, code: str, finding: dict[str, Any] | None, indicator_name: str = "") -> None:
        super().__init__()
        self.code = code
        self.finding = finding
        self.indicator_name = indicator_name
        self.records: list[dict[str, Any]] = []
        self.matched = False  # the records prove this finding (else: the site's captures)
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="finding")
        with Horizontal(id="ev-body"):
            with VerticalScroll(id="ev-left"):
                yield Static(id="record")
                yield DataTable(id="files", cursor_type="row")
            with VerticalScroll(id="ev-right"):
                yield Static(id="preview")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        files = self.query_one("#files", DataTable)
        for key, label in FILE_COLUMNS:
            files.add_column(label, key=key)
        self.records, self.matched = records_for(self.app.ws.evidence(self.app.quarter, self.code), self.finding)
        self.sub_title = f"{self.app.quarter} · {self.code}"
        self.query_one("#finding", Static).update(self._finding_text())
        self.show_record()
        files.focus()

    def _finding_text(self) -> Text:
        out = Text(f"证据 evidence · {self.indicator_name}  ", style="bold")
        if self.finding:
            out.append_text(plain(self.finding.get("detail"), limit=120))
            out.append("\nURL ")
            out.append_text(plain(self.finding.get("url"), limit=200))
            if self.finding.get("where") and self.finding.get("where") != self.finding.get("url"):
                out.append("\n位置 on ")
                out.append_text(plain(self.finding.get("where"), limit=200))
        else:
            out.append("无发现 no finding", style="dim")
        if not self.matched and self.records:
            out.append("\n无专门证据 no capture of this page: showing the site's captures", style="yellow")
        return out

    @property
    def record(self) -> dict[str, Any] | None:
        return self.records[self.index] if self.records else None

    def show_record(self) -> None:
        rec = self.record
        files = self.query_one("#files", DataTable)
        files.clear()
        if rec is None:
            self.query_one("#record", Static).update(
                Text("没有证据记录 no evidence captured for this site (checks run with --no-browser, "
                     "or no browser available)", style="yellow"))
            self.query_one("#preview", Static).update("")
            return
        self.query_one("#record", Static).update(self._record_text(rec))
        for i, f in enumerate(rec.get("files") or []):
            files.add_row(plain(f.get("kind")), plain(Path(str(f.get("path", ""))).name, limit=28),
                          Text("…", style="dim"), key=str(i))
        self._verify(rec)
        self._preview(rec)

    def _record_text(self, rec: dict[str, Any]) -> Text:
        out = Text(f"记录 record {self.index + 1}/{len(self.records)}  ", style="bold")
        out.append_text(plain(rec.get("id")))
        for label, key in (("URL", "url"), ("最终 final", "final_url"), ("状态 HTTP", "status"), ("标题 title", "title"),
                           ("时间 captured (UTC)", "captured_at_utc"), ("浏览器 browser", "browser_version")):
            out.append(f"\n{label}: ")
            out.append_text(plain(rec.get(key), limit=200))
        if rec.get("findings"):
            out.append("\n发现 findings: ")
            out.append_text(plain("; ".join(map(str, rec["findings"])), limit=300))
        for f in rec.get("files") or []:
            out.append(f"\n{clean(f.get('kind'))} sha256 ")
            out.append_text(plain(f.get("sha256"), style="dim"))
        if rec.get("error"):
            out.append("\n错误 error: ", style="red")
            out.append_text(plain(rec["error"], limit=300))
        return out

    def file_path(self, entry: dict[str, Any]) -> Path | None:
        """The file's absolute path, refusing paths that leave the workspace."""
        root = self.app.ws.root.resolve()
        path = (root / str(entry.get("path", ""))).resolve()
        return path if path.is_relative_to(root) else None

    @work(thread=True, exclusive=True, group="verify")
    def _verify(self, rec: dict[str, Any]) -> None:
        for i, entry in enumerate(rec.get("files") or []):
            path = self.file_path(entry)
            try:
                ok = path is not None and sha256_of(path) == entry.get("sha256")
                cell = Text("✔ 一致", style="green") if ok else Text("✘ 不一致", style="bold red")
            except OSError:
                cell = Text("缺失 missing", style="red")
            self.app.call_from_thread(self._set_check, rec, i, cell)

    def _set_check(self, rec: dict[str, Any], i: int, cell: Text) -> None:
        if rec is self.record:
            self.query_one("#files", DataTable).update_cell(str(i), "ok", cell, update_width=True)

    @work(thread=True, exclusive=True, group="preview")
    def _preview(self, rec: dict[str, Any]) -> None:
        files = rec.get("files") or []
        entry = next((f for f in files if f.get("kind") == "crop"), None) or next(
            (f for f in files if f.get("kind") == "screenshot"), None)
        if entry is None:
            text = Text("无截图 no screenshot in this record", style="dim")
        else:
            self.app.call_from_thread(self.query_one("#preview", Static).update, Text("生成预览 rendering preview…", style="dim"))
            path = self.file_path(entry)
            columns = max(20, self.query_one("#ev-right").size.width - 2)
            try:
                text = preview_file(path, columns) if path else Text("路径越界 path outside workspace", style="red")
            except (PreviewError, OSError) as exc:
                text = plain(f"无法预览 no preview: {exc}", style="dim")
        self.app.call_from_thread(self._set_preview, rec, text)

    def _set_preview(self, rec: dict[str, Any], text: Text) -> None:
        if rec is self.record:
            self.query_one("#preview", Static).update(text)

    # -- actions ---------------------------------------------------------------------------
    def action_record(self, step: int) -> None:
        if self.records:
            self.index = (self.index + step) % len(self.records)
            self.show_record()

    def action_open_file(self) -> None:
        rec = self.record
        if rec is None or not rec.get("files"):
            return
        table = self.query_one("#files", DataTable)
        entry = rec["files"][min(max(table.cursor_row, 0), len(rec["files"]) - 1)]
        path = self.file_path(entry)
        if path is None or not path.exists():
            self.app.notify("文件不存在 file missing", severity="error")
            return
        self._open(path)

    @on(DataTable.RowSelected, "#files")
    def _file_selected(self) -> None:
        self.action_open_file()

    @work(thread=True, group="open")
    def _open(self, path: Path) -> None:
        command = open_command(path)
        try:
            if command is None:
                os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only
            else:
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
                proc.wait(timeout=30)  # xdg-open/open hand over to the viewer and return
        except subprocess.TimeoutExpired:
            pass
        except OSError as exc:
            self.app.call_from_thread(self.app.notify, f"无法打开 cannot open: {exc}", severity="error", markup=False)
            return
        self.app.call_from_thread(self.app.notify, f"已打开 opened {path.name}", markup=False)

    def action_back(self) -> None:
        self.app.pop_screen()
