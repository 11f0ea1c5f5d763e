"""Evidence of a finding (证据): the capture records, their files (full paths) and hashes, the screenshot.

Everything is read from the workspace (works offline). Hash verification and decoding the screenshot
run in thread workers. The screenshot is drawn as real pixels where the terminal supports it
(:mod:`inspector.tui.shotview`); ``i`` shows it on the whole screen to zoom and scroll. ``v`` hands the
file to the system viewer and says plainly when that failed (on a server: ``inspector evidence serve``);
``y`` copies the file's full path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from inspector.core import texts
from inspector.core.quarter.inspection import checklist_of
from inspector.core.submission.viewer import sha256_file
from inspector.tui.footer import KeyFooter
from inspector.tui.shotview import ScreenshotScreen, ShotView
from inspector.tui.widgets import add_columns
from inspector.tui.safe import clean, plain

FILE_COLUMNS = [("kind", "类型 kind"), ("path", "文件 file"), ("ok", "校验 sha256")]
CHECK_WORDS = ("✔ 一致", "✘ 不一致", "缺失 missing")  # what the 校验 column can show
MIN_NAME = 12  # cells of a file name at the least (the table scrolls sideways below that)
SHOT_KINDS = ("crop", "screenshot")  # shown: the highlighted part of the page first, else the full page
OPEN_WAIT = 5.0  # seconds to wait for xdg-open/open to hand the file over and exit


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


def fit_name(name: str, width: int) -> str:
    """``name`` in at most ``width`` cells, shortened in the middle: capture files share a long timestamp prefix
    and differ at the end (``…28704_crop.png``)."""
    if cell_len(name) <= width:
        return name
    width = max(width, 3)
    head_cells = (width - 1) // 3
    head, tail = "", ""
    for char in name:
        if cell_len(head + char) > head_cells:
            break
        head += char
    for char in reversed(name):
        if cell_len(head) + 1 + cell_len(char + tail) > width:
            break
        tail = char + tail
    return f"{head}…{tail}"


def open_command(path: Path) -> list[str] | None:
    """The system viewer command for a file (None on Windows: os.startfile is used)."""
    if sys.platform.startswith("win"):
        return None
    return ["open" if sys.platform == "darwin" else "xdg-open", str(path)]


def open_in_viewer(path: Path, wait: float = OPEN_WAIT) -> tuple[bool, str]:
    """Hand the file to the system viewer; (True, what happened) or (False, why not), one line each.

    ``xdg-open``/``open`` return once they handed the file over; a non-zero exit status means no viewer
    took it (on a server without a desktop: use ``inspector evidence serve``). Still running after
    ``wait`` seconds means a viewer is showing it.
    """
    command = open_command(path)
    hint = " — 在服务器上 on a server: inspector evidence serve (浏览器 browser over SSH)"
    try:
        if command is None:
            os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only
            return True, f"已交给查看器 handed to the viewer: {path}"
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=wait)
        except subprocess.TimeoutExpired:
            return True, f"查看器已打开 a viewer is showing {path}"
    except OSError as exc:
        return False, clean(f"{command[0] if command else 'startfile'}：{texts.os_error(exc)}{hint}", 300)
    if proc.returncode != 0:
        why = clean(err.decode("utf-8", "replace"), 120) if err else ""
        return False, clean(f"{command[0]} 退出码 exit status {proc.returncode}{': ' + why if why else ''}{hint}", 400)
    return True, f"已交给查看器 handed to the viewer: {path}"


class EvidenceScreen(Screen[None]):
    """The records that prove one finding (or the site's records when it has none)."""

    BINDINGS = [
        Binding("left_square_bracket", "record(-1)", "上一", tooltip="previous record", id="evidence.prev"),
        Binding("right_square_bracket", "record(1)", "下一", tooltip="next record", id="evidence.next"),
        Binding("i", "view_shot", "看图", tooltip="the screenshot on the whole screen: zoom and scroll", id="evidence.view"),
        Binding("v", "open_file", "打开文件", tooltip="open the file in the system viewer", id="evidence.open"),
        Binding("y", "copy_path", "复制路径", tooltip="copy the file's full path (to your terminal's clipboard)",
                id="evidence.copy"),
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
            yield ShotView(id="ev-right")
        yield KeyFooter()

    def on_mount(self) -> None:
        files = add_columns(self.query_one("#files", DataTable), FILE_COLUMNS)
        self.records, self.matched = records_for(self.app.ws.evidence(self.app.quarter, self.code), self.finding)
        self.sub_title = f"{self.app.quarter} · {self.code}"
        self.query_one("#finding", Static).update(self._finding_text())
        self.show_record()
        files.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 120, "-wide")
        self.call_after_refresh(self._fit_names)

    def _name_width(self) -> int:
        """Cells left for the file name once the kind and check columns are shown in full (no sideways scroll)."""
        rec = self.record or {}
        kind = max([cell_len(FILE_COLUMNS[0][1])] + [cell_len(clean(f.get("kind"))) for f in rec.get("files") or []])
        check = max(cell_len(w) for w in (FILE_COLUMNS[2][1], *CHECK_WORDS))
        pane = self.query_one("#ev-left", VerticalScroll)
        available = pane.size.width - pane.styles.gutter.width - pane.styles.scrollbar_size_vertical
        cell_padding = 2 * self.query_one("#files", DataTable).cell_padding * len(FILE_COLUMNS)
        return max(MIN_NAME, available - kind - check - cell_padding)

    def _file_name(self, entry: dict[str, Any]) -> Text:
        return plain(fit_name(clean(Path(str(entry.get("path", ""))).name), self._name_width()))

    def _fit_names(self) -> None:
        rec = self.record
        table = self.query_one("#files", DataTable)
        if rec is None or not table.row_count:
            return
        for i, entry in enumerate(rec.get("files") or []):
            table.update_cell(str(i), "path", self._file_name(entry), update_width=True)

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
            self.query_one("#ev-right", ShotView).load(None)
            return
        self.query_one("#record", Static).update(self._record_text(rec))
        for i, f in enumerate(rec.get("files") or []):
            files.add_row(plain(f.get("kind")), self._file_name(f), Text("…", style="dim"), key=str(i))
        self._verify(rec)
        shot = self.shot_entry(rec)
        self.query_one("#ev-right", ShotView).load(self.file_path(shot) if shot else None)

    def _record_text(self, rec: dict[str, Any]) -> Text:
        out = Text(f"记录 record {self.index + 1}/{len(self.records)}  ", style="bold")
        out.append_text(plain(rec.get("id")))
        captured = texts.moment(rec.get("captured_at_utc"))
        for label, value in (("URL", rec.get("url")), ("最终 final", rec.get("final_url")), ("状态 HTTP", rec.get("status")),
                             ("标题 title", rec.get("title")), ("采集时间 captured", captured),  # the office's time
                             ("浏览器 browser", rec.get("browser_version"))):
            out.append(f"\n{label}: ")
            out.append_text(plain(value, limit=200))
        if rec.get("findings"):
            names = {i.id: i.name for i in checklist_of(self.app.ws.inspection(self.app.quarter, self.code)).indicators.values()}
            out.append("\n发现 findings: ")
            out.append_text(plain("；".join(texts.evidence_finding(f, names) for f in rec["findings"]), limit=300))
        for f in rec.get("files") or []:
            path = self.file_path(f)
            out.append(f"\n{clean(f.get('kind'))}: ", style="bold")
            out.append_text(plain(path if path else f"路径越界 outside the workspace: {clean(f.get('path'))}"))
            out.append("\n  sha256 ")
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
                ok = path is not None and sha256_file(path) == entry.get("sha256")
                cell = Text("✔ 一致", style="green") if ok else Text("✘ 不一致", style="bold red")
            except OSError:
                cell = Text("缺失 missing", style="red")
            self.app.call_from_thread(self._set_check, rec, i, cell)

    def _set_check(self, rec: dict[str, Any], i: int, cell: Text) -> None:
        if rec is self.record:
            self.query_one("#files", DataTable).update_cell(str(i), "ok", cell, update_width=True)

    @staticmethod
    def shot_entry(rec: dict[str, Any]) -> dict[str, Any] | None:
        files = rec.get("files") or []
        return next((f for kind in SHOT_KINDS for f in files if f.get("kind") == kind), None)

    # -- actions ---------------------------------------------------------------------------
    def action_record(self, step: int) -> None:
        if self.records:
            self.index = (self.index + step) % len(self.records)
            self.show_record()

    def action_open_file(self) -> None:
        selected = self.selected_file()
        if selected is None:
            return
        path = selected[1]
        if path is None or not path.exists():
            self.app.notify("文件不存在 file missing", severity="error")
            return
        self._open(path)

    @on(DataTable.RowSelected, "#files")
    def _file_selected(self) -> None:
        self.action_open_file()

    @work(thread=True, group="open")
    def _open(self, path: Path) -> None:
        ok, message = open_in_viewer(path)
        self.app.call_from_thread(self.app.notify, message, title="已打开 opened" if ok else "无法打开 cannot open",
                                  severity="information" if ok else "error", markup=False, timeout=6 if ok else 12)

    def selected_file(self) -> tuple[dict[str, Any], Path | None] | None:
        rec = self.record
        if rec is None or not rec.get("files"):
            return None
        table = self.query_one("#files", DataTable)
        entry = rec["files"][min(max(table.cursor_row, 0), len(rec["files"]) - 1)]
        return entry, self.file_path(entry)

    def action_copy_path(self) -> None:
        selected = self.selected_file()
        if selected is None or selected[1] is None:
            return
        self.app.copy_to_clipboard(str(selected[1]))
        self.app.notify(clean(str(selected[1]), 300), title="已复制路径 path copied", markup=False)

    def action_view_shot(self) -> None:
        """The highlighted file if it is an image (a crop or the full page), else the record's screenshot."""
        rec = self.record
        selected = self.selected_file()
        if selected is not None and selected[1] is not None and selected[1].suffix.lower() == ".png":
            path: Path | None = selected[1]
        else:
            shot = self.shot_entry(rec) if rec else None
            path = self.file_path(shot) if shot else None
        if path is None:
            self.app.notify("无截图 no screenshot in this record", severity="warning")
            return
        self.app.push_screen(ScreenshotScreen(path, clean(rec.get("title"), 60) if rec else ""))

    def action_back(self) -> None:
        self.app.pop_screen()
