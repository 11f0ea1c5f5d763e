"""The TUI driven through Textual's pilot at a fixed size, on workspaces prepared from real records.

SVG snapshots: ``tests/snapshots/*.svg``, compared after :func:`normalise_svg` (Textual's random
class/terminal ids and the temporary workspace path removed). A missing snapshot fails the test. To
accept a deliberate UI change (or add a snapshot), run with ``INSPECTOR_UPDATE_SNAPSHOTS=1``, then
review the new SVGs before committing them.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import struct
import subprocess
import sys
import textwrap
import threading
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from inspector.core.checklist import load_checklist
from inspector.core.scoring import prefill, score_site
from inspector.core.model import Finding, Outcome
from inspector.core.quarter.sampling import draw
from inspector.core.store import Workspace
from inspector.tui.app import make_app

QUARTER = "2026Q4"
SIZE = (100, 32)
SNAPSHOTS = Path(__file__).parent / "snapshots"
pytestmark = pytest.mark.anyio  # async tests run on anyio's pytest plugin (installed with httpx)
HOSTILE = "[/][/b][@click=app.quit]恶意\x1b]0;pwned\x07\x1b[31m红\x9b"

# --------------------------------------------------------------------------- workspace fixtures

MEASURES: dict[str, dict[str, Any]] = {
    "site-unreachable": {"attempts": 5, "failures": 0, "failure_rate": 0.0},
    "site-not-updated": {"homepage_items": 30, "homepage_items_in_window": 12, "navigation_only": False},
    "columns-not-updated": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_columns": 2, "blank_columns": 0},
    "serious-errors": {"hits": 0},
    "poor-interaction": {"has_channel": True, "messages_in_year": 14, "overdue_messages": 0},
    "homepage-availability": {"failure_rate": 0.0},
    "link-availability": {"checked": 212, "homepage_broken": 2, "other_broken": 5},
    "homepage-updates": {"items_in_window": 12},
    "basic-information": {"stale_news_columns": 1, "stale_notice_columns": 0, "stale_personnel_columns": 0},
    "consultation": {"has_column": True, "messages_in_year": 14},
    "solicitation": {"has_column": True, "activities_in_year": 7},
    "interviews": {"has_column": True, "activities_in_year": 2},
    "service-guides": {"guides_checked": 6, "guides_incomplete": 1, "missing_elements": 2},
    "attachments": {"checked": 9, "broken": 1},
    "online-systems": {"checked": 2, "unreachable": 0},
}


def png_bytes(width: int, height: int, pixel: Any, filters: tuple[int, ...] = (0, 1, 2, 3, 4)) -> bytes:
    """A real RGB PNG, each row filtered with one of ``filters`` in turn (to exercise unfiltering)."""
    raw = bytearray()
    prev = bytes(width * 3)
    for y in range(height):
        row = bytes(c for x in range(width) for c in pixel(x, y))
        kind = filters[y % len(filters)]
        out = bytearray(row)
        for i in range(len(row)):
            a = row[i - 3] if i >= 3 else 0
            b, c = prev[i], (prev[i - 3] if i >= 3 else 0)
            if kind == 1:
                out[i] = (row[i] - a) & 0xFF
            elif kind == 2:
                out[i] = (row[i] - b) & 0xFF
            elif kind == 3:
                out[i] = (row[i] - ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                out[i] = (row[i] - (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        raw += bytes([kind]) + out
        prev = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b"")


def gradient(x: int, y: int) -> tuple[int, int, int]:
    return (x * 7) % 256, (y * 5) % 256, 200 if y < 20 else 30


def prefill_doc(code: str, *, hostile: bool = False, veto: str | None = None, evidence_id: str = "") -> dict[str, Any]:
    """A check document as the runner writes it, built with the core's own pre-fill rules."""
    checklist = load_checklist("census-2015")
    detail = f"404 {HOSTILE}" if hostile else "404 Not Found"
    indicators = {}
    for iid, ind in checklist.indicators.items():
        measures = dict(MEASURES[iid])
        findings: list[Finding] = []
        if iid == "link-availability":
            findings = [Finding(url=f"http://127.0.0.1:9/{code}/missing.html", where=f"http://127.0.0.1:9/{code}/",
                                detail=detail, evidence=[evidence_id] if evidence_id else [])]
        if iid == veto:
            measures["failures"], measures["failure_rate"] = 5, 1.0
        status = "review" if iid == "serious-errors" and hostile else None
        indicators[iid] = prefill(ind, Outcome(measures=measures, findings=findings, status=status))
    _, verdict = score_site(checklist, indicators)
    return {"schema": "inspector.check/1", "url": f"http://127.0.0.1:9/{code}/", "as_of": "2026-11-20",
            "checklist": checklist.id, "indicators": indicators, "verdict": verdict, "evidence": [],
            "run": {"id": "run-1", "notes": []}}


def add_evidence(ws: Workspace, code: str, title: str) -> str:
    """A real screenshot file in the workspace and its record; returns the record id."""
    rel = f"runs/{QUARTER}/{code}/run-1/evidence/home.png"
    path = ws.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = png_bytes(64, 48, gradient)
    path.write_bytes(data)
    rec_id = f"ev-{code}"
    ws.add_evidence([{
        "id": rec_id, "quarter": QUARTER, "code": code, "url": f"http://127.0.0.1:9/{code}/",
        "final_url": f"http://127.0.0.1:9/{code}/", "status": 200, "title": title,
        "captured_at_utc": "2026-11-20T08:00:00+00:00", "browser_version": "Chromium 140.0",
        "findings": [f"link-availability: 404 {title}"], "error": None,
        "files": [{"kind": "screenshot", "path": rel, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}],
    }])
    return rec_id


def build_workspace(root: Path, *, hostile: bool = False) -> Workspace:
    """Three sampled sites: one checked with evidence, one with a veto, one not started."""
    ws = Workspace(root)
    first = HOSTILE if hostile else "宜春市人民政府"
    sites = [
        {"code": "3406000012", "name": first, "url": "http://127.0.0.1:9/3406000012/", "level": "市级", "region": "宜春", "running": True, "status": "正常运行"},
        {"code": "3406000013", "name": "袁州区人民政府", "url": "http://127.0.0.1:9/3406000013/", "level": "县级", "region": "宜春", "running": True, "status": "正常运行"},
        {"code": "3406000014", "name": "樟树市人民政府", "url": "http://127.0.0.1:9/3406000014/", "level": "县级", "region": "宜春", "running": True, "status": "正常运行"},
    ]
    ws.upsert_sites(sites)
    ws.save_sample(draw(ws.sites(), QUARTER, ratio=1.0, seed=7))
    rec_id = add_evidence(ws, "3406000012", HOSTILE if hostile else "宜春市人民政府门户网站")
    docs = {"3406000012": prefill_doc("3406000012", hostile=hostile, evidence_id=rec_id),
            "3406000013": prefill_doc("3406000013", veto="site-unreachable")}
    for code, doc in docs.items():
        ws.update_inspection(QUARTER, code, lambda r, d=doc: {**r, "prefill": d, "prefill_at": "2026-11-20T08:00:00+00:00",
                                                                "progress": "checked", "decisions": {}})
    return ws


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return build_workspace(tmp_path / "ws")


# --------------------------------------------------------------------------- helpers


def normalise_svg(svg: str, *replace: str) -> str:
    """Remove what changes between runs: Textual's generated ids and given strings (tmp paths)."""
    for text in replace:
        svg = svg.replace(text, "WS").replace(text.replace(" ", "&#160;"), "WS")  # spaces are &#160; in the SVG
    svg = re.sub(r"(工作区(?:&#160;|\s))[^<]*", r"\1WS", svg)  # the header's workspace path (shortened)
    svg = re.sub(r"terminal-\d+", "terminal", svg)
    svg = re.sub(r"terminal-[0-9a-f]+-", "terminal-", svg)
    return svg


async def drawn(pilot: Any, app: Any) -> None:
    """Wait until the footer is drawn: under load it comes a few frames after the screen."""
    for _ in range(100):
        await pilot.pause()
        if "palette" in screen_text(app):
            return


def assert_snapshot(app: Any, name: str, *replace: str) -> None:
    svg = normalise_svg(app.export_screenshot(title=name), *replace)
    path = SNAPSHOTS / f"{name}.svg"
    if os.environ.get("INSPECTOR_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        return
    assert path.exists(), f"snapshot {path.name} is missing: INSPECTOR_UPDATE_SNAPSHOTS=1 writes it, then review it"
    expected = path.read_text(encoding="utf-8")
    assert svg == expected, f"{path.name} differs: INSPECTOR_UPDATE_SNAPSHOTS=1 accepts the new look (review it)"


async def assert_snapshots(pilot: Any, app: Any, name: str, *replace: str) -> None:
    """The screen at the test's size (``<name>-<w>x<h>``), then at 80x24 (the smallest supported), then back."""
    width, height = app.size
    await drawn(pilot, app)
    assert_snapshot(app, f"{name}-{width}x{height}", *replace)
    await pilot.resize_terminal(80, 24)
    await drawn(pilot, app)
    assert_snapshot(app, f"{name}-80x24", *replace)
    await pilot.resize_terminal(width, height)
    await drawn(pilot, app)


def test_a_missing_snapshot_fails_and_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    class Shot:
        def export_screenshot(self, title: str = "") -> str:
            return "<svg>terminal-1234</svg>"

    monkeypatch.setattr(f"{__name__}.SNAPSHOTS", tmp_path)
    monkeypatch.delenv("INSPECTOR_UPDATE_SNAPSHOTS", raising=False)
    with pytest.raises(AssertionError, match="missing"):
        assert_snapshot(Shot(), "nothing")
    assert list(tmp_path.iterdir()) == []  # not written: a snapshot is reviewed, then committed
    (tmp_path / "nothing.svg").write_text("<svg>other</svg>", encoding="utf-8")
    with pytest.raises(AssertionError, match="differs"):
        assert_snapshot(Shot(), "nothing")
    (tmp_path / "nothing.svg").write_text("<svg>terminal</svg>", encoding="utf-8")
    assert_snapshot(Shot(), "nothing")


def screen_text(app: Any) -> str:
    """Everything the current screen shows, as plain text lines (read back from the SVG export)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text[^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', app.export_screenshot()):
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), html.unescape(m.group(3))))
    return "\n".join("".join(t for _, t in sorted(row)).replace("\xa0", " ") for _, row in sorted(rows.items()))


async def first_hit(pilot: Any, app: Any, wanted: str) -> None:
    """Wait (10 s at most) until the command palette's first hit contains ``wanted``."""
    from textual.command import CommandList

    for _ in range(200):
        await pilot.pause(0.05)
        options = app.screen.query_one(CommandList)
        if options.option_count and wanted in str(options.get_option_at_index(0).prompt):
            return


async def settle(pilot: Any, app: Any) -> None:
    """Let workers finish (writes run in thread workers) and the messages they post drain: the result goes to
    the app, which tells every screen (:class:`InspectionChanged`) and hands it back to the screen that wrote."""
    await app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


# --------------------------------------------------------------------------- the inspection flow


async def test_override_with_note_saves_the_decision_and_recomputes_the_verdict(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "宜春市人民政府" in screen_text(app)
        await pilot.press("enter")  # first row: 3406000012
        await pilot.pause()
        assert "得分 88.5" in screen_text(app) and "合格 pass" in screen_text(app)
        table = app.screen.query_one("#indicators", DataTable)
        table.move_cursor(row=[k.value for k in table.rows].index("link-availability"))
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("1")  # status: fail -> 1 合格 pass
        await pilot.press("tab")  # points (selected on focus): a 合格 deducts nothing, whatever is typed
        await pilot.press(*"1")
        await pilot.press("tab")
        await pilot.press(*"核实后链接均可用 [/b]")
        await pilot.press("enter")
        await settle(pilot, app)
        stored = ws.inspection(QUARTER, "3406000012")["decisions"]["link-availability"]
        assert stored["status"] == "pass" and stored["points"] == 0.0 and stored["kind"] == "override"
        assert stored["note"] == "核实后链接均可用 [/b]" and stored["by"] == "测试员" and stored["at"]
        text = screen_text(app)
        assert "扣分 −9 · 得分 91" in text  # 11.5 - 2.5
        assert "核实后链接均可用 [/b]" in text and "人工" in text
        assert ws.inspection(QUARTER, "3406000012")["progress"] == "in review"


async def test_a_decision_updates_its_dashboard_row_only(ws: Workspace, monkeypatch: pytest.MonkeyPatch):
    """After a decision the dashboard row of that site shows the new verdict; the other rows are
    not recomputed (a quarter of a hundred sites would re-read every check document)."""
    from inspector.core.quarter import inspection

    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sites = app.dashboard.query_one("#sites", DataTable)
        assert str(sites.get_cell("3406000013", "result")) == "不合格 fail"
        asked: list[Any] = []
        real = inspection.quarter_overview
        monkeypatch.setattr("inspector.tui.dashboard.quarter_overview",
                            lambda ws_, quarter, codes=None: asked.append(codes) or real(ws_, quarter, codes))
        await pilot.press("down", "enter")  # 3406000013: vetoed as unreachable
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        table.move_cursor(row=[k.value for k in table.rows].index("site-unreachable"))
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("1", "tab", *"复核可访问", "enter")  # a veto has no points field
        await settle(pilot, app)
        assert ws.inspection(QUARTER, "3406000013")["decisions"]["site-unreachable"]["status"] == "pass"
        assert asked == [["3406000013"]]
        assert str(sites.get_cell("3406000013", "result")) != "不合格 fail"
        assert next(r for r in app.dashboard.rows if r["code"] == "3406000013")["result"] != "fail"


async def test_decisions_are_written_off_the_ui_thread_and_every_screen_hears_of_them(ws: Workspace,
                                                                                      monkeypatch: pytest.MonkeyPatch):
    """The core's writes run in thread workers; the screens refresh from InspectionChanged, not from each other."""
    from inspector.tui import inspection

    threads: list[str] = []
    real = inspection.confirm
    monkeypatch.setattr(inspection, "confirm", lambda *a, **k: threads.append(threading.current_thread().name)
                        or real(*a, **k))
    app = make_app(ws, quarter=QUARTER)
    heard: list[tuple[str, str | None]] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.dashboard
        real_changed = type(dashboard).on_inspection_changed
        monkeypatch.setattr(type(dashboard), "on_inspection_changed",
                            lambda self, m: heard.append((type(self).__name__, m.code)) or real_changed(self, m))
        await pilot.press("enter", "y")
        await settle(pilot, app)
        assert threads and threads[0] != threading.main_thread().name  # not on the UI thread
        assert ws.inspection(QUARTER, "3406000012")["decisions"]["site-unreachable"]["kind"] == "confirm"
        assert heard == [("DashboardScreen", "3406000012")]  # the dashboard below heard it and refreshed its row
        assert "人工" in screen_text(app)  # and the inspection screen itself


async def test_confirm_undo_next_and_done(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "y")  # confirm the first indicator's pre-fill
        await settle(pilot, app)
        decisions = ws.inspection(QUARTER, "3406000012")["decisions"]
        assert decisions["site-unreachable"]["status"] == "pass"
        await pilot.press("n")  # next undecided indicator
        assert app.screen.current_id() == "site-not-updated"
        await pilot.press("up", "u")
        await settle(pilot, app)
        assert ws.inspection(QUARTER, "3406000012")["decisions"] == {}
        assert ws.inspection(QUARTER, "3406000012")["history"][-1]["status"] == "withdrawn"
        await pilot.press("D")  # 完成 with nothing decided: refused, with the reason
        await settle(pilot, app)
        assert ws.inspection(QUARTER, "3406000012")["progress"] == "in review"
        assert any("15 项指标尚未决定" in str(n.message) for n in app._notifications)
        await pilot.press("Y")  # confirm all remaining pre-fills: a dialog says how many
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal" and "确认全部剩余预填：15 项" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, app)
        assert len(ws.inspection(QUARTER, "3406000012")["decisions"]) == 15
        await pilot.press("D", "escape")
        await settle(pilot, app)
        assert ws.inspection(QUARTER, "3406000012")["progress"] == "done"
        assert "已完成 done 1" in screen_text(app)


async def test_a_veto_fails_the_site_and_the_unchecked_site_says_so(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "否决 veto 1 站点无法访问" in screen_text(app) and "不合格 fail" in screen_text(app)
        await pilot.press("escape", "down", "enter")
        await pilot.pause()
        assert "未检测 not checked yet" in screen_text(app)
        await pilot.press("y")  # nothing to confirm: no decision stored
        await settle(pilot, app)
        assert ws.inspection(QUARTER, "3406000014") is None


async def test_evidence_screen_shows_the_record_verifies_hashes_and_previews(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        table.move_cursor(row=[k.value for k in table.rows].index("link-availability"))
        await pilot.press("e")
        await settle(pilot, app)
        text = screen_text(app)
        assert "ev-3406000012" in text and "Chromium 140.0" in text and "✔ 一致" in text
        assert "▀" in text  # the half-block preview
        (ws.root / f"runs/{QUARTER}/3406000012/run-1/evidence/home.png").write_bytes(png_bytes(8, 8, gradient))
        await pilot.press("right_square_bracket")  # same single record, re-verified
        await settle(pilot, app)
        assert "✘ 不一致" in screen_text(app)


# --------------------------------------------------------------------------- dashboard


async def test_dashboard_filters_sorts_and_selects(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sites = app.screen.query_one("#sites", DataTable)
        await pilot.press("slash", *"袁州", "enter")
        assert [k.value for k in sites.rows] == ["3406000013"]
        await pilot.press("slash", "backspace", "backspace", "enter")
        assert len(sites.rows) == 3
        await pilot.press("f", "f")  # 全部 -> 未完成 -> 未检测
        assert [k.value for k in sites.rows] == ["3406000014"]
        for _ in range(5):
            await pilot.press("f")  # back to 全部
        assert len(sites.rows) == 3
        await pilot.press("s", "s")  # 代码 -> 名称 -> 结果 (fail first)
        assert [k.value for k in sites.rows][0] == "3406000013"
        assert app.screen.highlighted_code() == "3406000012"  # the cursor stays on its site
        await pilot.press("space")
        assert app.screen.selected == {"3406000012"}
        assert "已选 selected 1" in screen_text(app)


async def test_review_mode_is_read_only(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("v")
        assert app.review_mode and "复核模式" in app.sub_title
        await pilot.press("c")
        assert app.screen.job is None
        await pilot.press("enter", "y", "o")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "InspectionScreen"
        assert ws.inspection(QUARTER, "3406000012")["decisions"] == {}


async def test_quarter_picker_switches_quarters(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o", "tab", *"2027Q5", "enter")
        await pilot.pause()
        assert "2027Q5" in screen_text(app) and app.quarter == QUARTER  # refused, still open
        await pilot.press("backspace", "1", "enter")
        await settle(pilot, app)
        assert app.quarter == "2027Q1" and "尚未抽样 no sample drawn" in screen_text(app)
        await pilot.press("o", "down", "enter")  # back to the quarter with a sample
        await settle(pilot, app)
        assert app.quarter == QUARTER and len(app.screen.query_one("#sites", DataTable).rows) == 3


async def test_a_finished_quarter_opens_in_review_mode(ws: Workspace):
    for code in ("3406000012", "3406000013", "3406000014"):
        ws.update_inspection(QUARTER, code, lambda r: {**r, "progress": "done"})
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.review_mode


@pytest.mark.slow
async def test_registry_import_and_sample_draw_through_the_ui(ws: Workspace, tmp_path: Path):
    csv_file = tmp_path / "名录.csv"
    csv_file.write_bytes("网站标识码,网站名称,首页网址,级别,运行状态\n3406000015,万载县人民政府,http://127.0.0.1:9/wz/,县级,正常运行\n"
                         "bad,坏行,http://127.0.0.1:9/x/,县级,正常运行\n".encode("gb18030"))
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g", "i")
        await pilot.pause()
        await pilot.press(*str(csv_file), "enter")
        await settle(pilot, app)
        assert ws.site("3406000015")["name"] == "万载县人民政府"
        text = screen_text(app)
        assert "新增 added 1" in text and "拒绝 rejected 1" in text and "万载县人民政府" in text
        await pilot.press("escape", "d", "d")  # sampling screen, then its draw dialog
        await pilot.pause()
        app.screen.query_one("#draw-quarter").value = "2027Q1"
        app.screen.query_one("#draw-seed").value = "42"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        sample = ws.sample("2027Q1")
        assert sample["seed"] == 42 and "3406000015" in sample["population"]
        assert app.quarter == "2027Q1" and "随机种子 42" in screen_text(app)


async def test_every_shown_binding_has_an_id_and_the_palette_runs_them(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for screen_binding in app.screen.active_bindings.values():
            if screen_binding.binding.show and screen_binding.binding.description:
                assert screen_binding.binding.id, screen_binding.binding
        await pilot.press("f1")
        await pilot.pause()
        assert "dashboard.check_all" in screen_text(app)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"registry")
        await first_hit(pilot, app, "名录")  # searching runs in the background: slow under load
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "RegistryScreen"
        await pilot.press("escape", "ctrl+p", *"3406000013")  # a sampled site, by its code
        await first_hit(pilot, app, "3406000013")
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "InspectionScreen" and app.screen.code == "3406000013"


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_small_and_large_terminals(ws: Workspace, size: tuple[int, int]):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert "3406000013" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "站点无法访问" in text and "得分 88.5" in text and "预填 pre-fill" in text
        assert app.screen.has_class("-wide") == (size[0] >= 140)


# --------------------------------------------------------------------------- untrusted text


async def test_hostile_names_titles_and_findings_are_plain_text(tmp_path: Path):
    ws = build_workspace(tmp_path / "ws", hostile=True)
    literal = "[/][/b][@click=app.quit]恶意红"
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert literal in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        table.move_cursor(row=[k.value for k in table.rows].index("link-availability"))
        await pilot.pause()
        assert f"404 {literal}" in screen_text(app)  # the finding
        assert str(app.screen.query_one("#verdict", Static).render()).startswith("[/][/b][@click=app.…")
        await pilot.press("e")
        await settle(pilot, app)
        text = screen_text(app)
        assert f"标题 title: {literal}" in text
        await pilot.click("#record")  # clicking the text must not trigger an embedded @click
        await pilot.press("escape", "escape", "ctrl+p", *"恶意")
        await pilot.pause(0.3)
        await pilot.press("escape")
        assert app.is_running
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "pwned" not in svg and "\x9b" not in svg
    assert app.return_value is None


# --------------------------------------------------------------------------- snapshots


async def test_snapshot_dashboard_and_inspection(tmp_path: Path):
    ws = build_workspace(tmp_path / ("ws" + "-" * 60))  # longer than the header shows: the same width anywhere
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await drawn(pilot, app)
        assert_snapshot(app, "dashboard", str(ws.root))
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        table.move_cursor(row=[k.value for k in table.rows].index("link-availability"))
        await drawn(pilot, app)
        assert_snapshot(app, "inspection", str(ws.root))


# --------------------------------------------------------------------------- real checks on the demo region


def _demo() -> Any:
    try:
        from inspector.core.runner import CheckOptions
        from inspector.demo.region import serve_region
        from inspector.demo.run import prepare
    except ImportError as exc:  # pragma: no cover - while the runner / demo are being built
        pytest.skip(f"runner or demo region not available: {exc}")
    return CheckOptions, serve_region, prepare


@pytest.fixture
def demo(tmp_path: Path) -> Any:
    """The demo region served on 127.0.0.1 and a workspace prepared with its registry and sample."""
    check_options, serve_region, prepare = _demo()
    as_of = date(2026, 11, 20)
    region = serve_region(as_of)
    try:
        ws = Workspace(tmp_path / "demo-ws")
        quarter = prepare(ws, region, as_of)
        opts = check_options(as_of=as_of, browser=False, probes=1, probe_interval=0, timeout=5.0)
        yield ws, quarter, opts, region
    finally:
        region.stop()


async def test_run_checks_on_a_demo_site_then_override_through_the_ui(demo: Any):
    ws, quarter, opts, region = demo
    code = "5399210001"  # 桐江县人民政府
    messages: list[Any] = []
    app = make_app(ws, quarter=quarter, check_options=opts)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        dashboard = app.screen
        sites = dashboard.query_one("#sites", DataTable)
        sites.move_cursor(row=sites.get_row_index(code))
        await pilot.press("c")
        await settle(pilot, app)
        assert dashboard.job is None
        names = [type(m).__name__ for m in messages]
        assert "CheckProgress" in names and names.count("CheckFinished") == 1 and "ChecksDone" in names
        finished = next(m for m in messages if type(m).__name__ == "CheckFinished")
        assert finished.error == "" and finished.doc["schema"] == "inspector.check/1"
        record = ws.inspection(quarter, code)
        assert len(record["prefill"]["indicators"]) == 15 and record["progress"] == "checked"
        row = next(r for r in dashboard.rows if r["code"] == code)
        assert row["result"] in ("pass", "fail", "review") and (row["score"] is not None or row["vetoes"])

        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        table.move_cursor(row=[k.value for k in table.rows].index("link-availability"))
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("2", "tab", *"7", "tab", *"人工复核 7 分")
        await pilot.press("enter")
        await pilot.pause()
        record = ws.inspection(quarter, code)
        assert record["decisions"]["link-availability"]["status"] == "fail"
        assert record["decisions"]["link-availability"]["points"] == 7.0
        assert record["decisions"]["link-availability"]["note"] == "人工复核 7 分"
        from inspector.core.quarter.inspection import evaluate

        _, verdict = evaluate(record)
        if verdict["vetoes"]:  # with a veto the deductions are not scored: never shown as points
            assert "扣分项不计分" in screen_text(app) and "得分" not in screen_text(app)
        else:
            assert f"得分 {verdict['score']:g}" in screen_text(app)
            assert f"扣分 −{verdict['deduction_total']:g}" in screen_text(app)


async def test_a_recheck_after_rectification_keeps_the_original_result(demo: Any):
    ws, quarter, opts, region = demo
    code = "5399000013"  # 云溪市应急管理局: vetoed for not updating
    app = make_app(ws, quarter=quarter, check_options=opts)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sites = app.screen.query_one("#sites", DataTable)
        sites.move_cursor(row=sites.get_row_index(code))
        await pilot.press("c")
        await settle(pilot, app)
        original = ws.inspection(quarter, code)["prefill"]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("R")  # 复查: re-check after rectification
        await settle(pilot, app)
        record = ws.inspection(quarter, code)
        assert record["prefill"] == original  # what the inspector decided on stays
        assert record["recheck"]["doc"]["verdict"]["result"] == "fail"
        assert record["recheck"]["run"] != original["run"]["id"] and record["runs"][-1]["recheck"] is True


async def test_checks_can_be_cancelled_without_freezing(demo: Any):
    ws, quarter, opts, region = demo
    messages: list[Any] = []
    app = make_app(ws, quarter=quarter, check_options=opts)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        total = len(app.screen.rows)
        await pilot.press("A", "enter")  # the batch dialog: unchecked only (the default)
        while not any(type(m).__name__ == "CheckProgress" for m in messages):
            await pilot.pause(0.01)  # the UI keeps processing while the worker runs
        await pilot.press("x")
        await settle(pilot, app)
        done = next(m for m in messages if type(m).__name__ == "ChecksDone")
        assert done.cancelled and done.done < total
        assert app.screen.job is None and app.is_running


async def test_quitting_during_checks_stops_the_batch(demo: Any):
    ws, quarter, opts, region = demo
    messages: list[Any] = []
    app = make_app(ws, quarter=quarter, check_options=opts)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        await pilot.press("A", "enter")  # the batch dialog: unchecked only (the default)
        job = app.screen.job
        while not any(type(m).__name__ == "CheckProgress" for m in messages):
            await pilot.pause(0.01)
        await pilot.press("ctrl+q")
    assert job is not None and job.cancel.is_set()
    assert len(ws.inspections(quarter)) < len(ws.sample(quarter)["codes"])


# --------------------------------------------------------------------------- column categories


def demo_columns(code: str) -> list[dict[str, Any]]:
    """Columns as the runner stores them: a fresh news column, a stale one, an exempt topic, a hostile name."""
    base = f"http://127.0.0.1:9/{code}/"
    column = {"source": "nav", "items": 3, "dated_items": 3, "blank": False, "exempt": False, "error": None}
    return [
        {**column, "name": "政务动态", "url": base + "zwdt/", "category": "news", "latest": "2026-11-19"},
        {**column, "name": HOSTILE, "url": base + "bmdt/", "category": "news", "latest": "2026-09-01"},
        {**column, "name": "脱贫攻坚专题", "url": base + "ztzl/", "category": None, "latest": "2025-03-30", "exempt": True},
    ]


async def test_columns_screen_marks_stale_columns_and_shows_hostile_names_literally(tmp_path: Path):
    ws = build_workspace(tmp_path / "ws")
    code = "3406000012"
    ws.update_inspection(QUARTER, code, lambda r: {**r, "prefill": {**r["prefill"], "columns": demo_columns(code)}})
    literal = "[/][/b][@click=app.quit]恶意红"
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "l")
        await pilot.pause()
        assert type(app.screen).__name__ == "ColumnsScreen"
        table = app.screen.query_one("#columns", DataTable)
        assert table.row_count == 3
        states = [str(table.get_cell_at((row, 4))) for row in range(3)]
        assert states == ["✔", "✘ 未更新 stale", "豁免 exempt"]  # 2026-09-01 is 80 days before 2026-11-20 > 14
        text = screen_text(app)
        assert "news 动态要闻" in text and "无 not scored" in text and literal[:23] + "…" in text
        assert "更新要求 window: 14 天 days before 2026-11-20" in text
        await pilot.press("down")
        await pilot.pause()
        assert f"栏目 column {literal}" in screen_text(app)
        await assert_snapshots(pilot, app, "columns", str(ws.root))  # the stale column's detail shows the rule
        await pilot.press("k")  # the hostile column's picker: its name is in the title
        await pilot.pause()
        assert type(app.screen).__name__ == "CategoryPicker" and literal in screen_text(app)
        await pilot.press("end", "enter")  # 无: this workspace has no stored crawl to re-score
        await pilot.pause()
        assert type(app.screen).__name__ == "TextPrompt"  # every re-categorisation asks why
        await pilot.press("enter")  # an empty reason is refused: the prompt stays
        await pilot.pause()
        assert type(app.screen).__name__ == "TextPrompt" and "修改栏目类别须填写理由" in screen_text(app)
        await pilot.press(*"测试", "enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ColumnsScreen" and not app.screen.saving
        assert any("重新评分" in str(n.message) for n in app._notifications)
        await pilot.click("#col-detail")
        assert app.is_running
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "pwned" not in svg and "\x9b" not in svg
        await pilot.press("f1")
        await pilot.pause()
        assert "columns.change" in screen_text(app) and "改类别 change the column's category" in screen_text(app)


@pytest.mark.slow
async def test_correct_a_column_category_through_the_ui(demo: Any):
    """A real check of the demo site with the columns veto; 无 on one stale news column lifts it."""
    import asyncio

    from inspector.core.quarter.inspection import evaluate
    from inspector.core.runner import check_and_store
    from inspector.tui.columns import is_stale

    ws, quarter, opts, region = demo
    code = "5399020001"  # 3 stale news + 2 stale notice columns: 栏目不更新 veto
    await asyncio.to_thread(check_and_store, ws, quarter, code, opts)
    before = ws.inspection(quarter, code)
    assert before["prefill"]["verdict"]["vetoes"] == ["columns-not-updated"]
    checklist = load_checklist(before["prefill"]["checklist"])
    as_of = date.fromisoformat(before["prefill"]["as_of"])
    stale_news = [c["url"] for c in before["prefill"]["columns"]
                  if c["category"] == "news" and is_stale(c, checklist, as_of)]
    assert len(stale_news) == 3
    app = make_app(ws, quarter=quarter, check_options=opts)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sites = app.screen.query_one("#sites", DataTable)
        sites.move_cursor(row=sites.get_row_index(code))
        await pilot.press("enter", "l")
        await pilot.pause()
        assert "否决 veto 1 栏目不更新" in screen_text(app)
        table = app.screen.query_one("#columns", DataTable)
        assert table.row_count == len(before["prefill"]["columns"])
        assert screen_text(app).count("✘ 未更新 stale") >= 5
        table.move_cursor(row=table.get_row_index(stale_news[0]))
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("end", "enter")  # 无 not scored
        await pilot.pause()
        await pilot.press(*"专题汇编不是动态栏目", "enter")  # the reason
        await settle(pilot, app)
        record = ws.inspection(quarter, code)
        assert record["column_categories"] == {stale_news[0]: None}
        assert record["history"][-1]["column"] == stale_news[0] and record["history"][-1]["by"] == "测试员"
        assert record["corrections"][-1]["reason"] == "专题汇编不是动态栏目"
        assert "人工调整" in screen_text(app) and "专题汇编不是动态栏目" in screen_text(app)
        _, verdict = evaluate(record)
        assert verdict["vetoes"] == [] and before["prefill"]["verdict"]["score"] < verdict["score"]
        text = screen_text(app)
        assert "否决 veto 0" in text and f"得分 {verdict['score']:g}" in text
        row = table.get_row(stale_news[0])
        assert str(row[0]) == "无 not scored" and str(row[5]) == "人工 ✎"
        await pilot.press("escape")  # the inspection screen below was refreshed too
        await pilot.pause()
        assert type(app.screen).__name__ == "InspectionScreen"
        assert "否决 veto 0" in screen_text(app) and f"得分 {verdict['score']:g}" in screen_text(app)
        assert next(r for r in app.dashboard.rows if r["code"] == code)["score"] == verdict["score"]
        app.set_review_mode(True)  # read-only: the key does nothing
        await pilot.press("l")
        await pilot.pause()
        table = app.screen.query_one("#columns", DataTable)
        table.move_cursor(row=table.get_row_index(stale_news[1]))
        await pilot.press("k", "enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ColumnsScreen" and len(ws.inspection(quarter, code)["corrections"]) == 1
        assert ws.inspection(quarter, code)["column_categories"] == {stale_news[0]: None}


# --------------------------------------------------------------------------- the availability monitor


class FakeTime:
    """A clock that only moves when the monitor sleeps (a simulated week takes a second)."""

    def __init__(self, start: Any) -> None:
        self.now = start

    def clock(self) -> Any:
        return self.now

    async def sleep(self, seconds: float) -> None:
        import asyncio
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


def every_third_fails() -> Any:
    """A homepage answering 503 to every third request."""
    import threading

    from tests.httpfixtures import html

    lock, seen = threading.Lock(), [0]

    def route(_request: Any) -> Any:
        with lock:
            seen[0] += 1
            return html("忙", status=503) if seen[0] % 3 == 0 else html("<html><body>首页</body></html>")

    return route


async def test_monitor_screen_shows_attempts_failures_and_the_last_failure(tmp_path: Path, monkeypatch: Any):
    from datetime import datetime, timezone

    from inspector.core.quarter.monitor import Monitor, monitor_outcomes, monitor_status
    from tests.httpfixtures import LoopbackServer, closed_port, html

    monkeypatch.setattr("inspector.tui.monitor.REFRESH_SECONDS", 0.2)
    literal = "[/][/b][@click=app.quit]恶意红"
    with LoopbackServer({"/": html("<html><body>首页</body></html>")}) as ok, LoopbackServer(every_third_fails()) as busy:
        ws = Workspace(tmp_path / "ws")
        ws.upsert_sites([
            {"code": "3406000021", "name": "宜春市人民政府", "url": ok.url("/"), "level": "市级", "region": "", "running": True},
            {"code": "3406000022", "name": HOSTILE, "url": busy.url("/"), "level": "县级", "region": "", "running": True},
            {"code": "3406000023", "name": "樟树市人民政府", "url": f"http://127.0.0.1:{closed_port()}/",
             "level": "县级", "region": "", "running": True},
        ])
        ws.save_sample(draw(ws.sites(), QUARTER, ratio=1.0, seed=1))
        app = make_app(ws, quarter=QUARTER)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("m")
            await settle(pilot, app)
            assert "尚未进行一周监测" in screen_text(app)
            assert "inspector monitor --quarter 2026Q4" in screen_text(app)
            fake = FakeTime(datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc))
            await Monitor(ws, QUARTER, clock=fake.clock, sleep=fake.sleep, rng_seed=1, days=1).run()
            expected = monitor_status(ws, QUARTER)
            rows = {r["code"]: r for r in expected}
            assert rows["3406000022"]["failures"] and rows["3406000023"]["failures"] == rows["3406000023"]["attempts"]
            for _ in range(100):  # no key pressed: the screen's timer reads the finished records
                if app.screen.rows == expected:
                    break
                await pilot.pause(0.1)
            await settle(pilot, app)
            text = screen_text(app)
            assert "监测窗口 window 2026-11-18 10:00 – 2026-11-19 10:00" in text and "已结束 finished" in text
            table = app.screen.query_one("#monitor", DataTable)
            for code, row in rows.items():
                cells = [str(c) for c in table.get_row(code)]
                assert cells[2] == f"{row['attempts']}/{row['planned']}" and cells[3] == str(row["failures"])
            busy_cells = [str(c) for c in table.get_row("3406000022")]
            assert busy_cells[1] == literal[:19] + "…" and "HTTP 503" in busy_cells[6]
            table.move_cursor(row=table.get_row_index("3406000023"))
            await pilot.pause()
            ports = [f"127.0.0.1:{url.split(':')[2].split('/')[0]}" for url in (ok.url("/"), busy.url("/"))]
            ports.append(rows["3406000023"]["url"].removeprefix("http://").rstrip("/"))
            await assert_snapshots(pilot, app, "monitor", *ports)  # the servers' ports change from run to run
            error = rows["3406000023"]["last_failure"]["error"]
            assert error == "connect" and "最近失败 last failure: " in screen_text(app)
            assert "无法连接" in screen_text(app)  # the fetch layer's code in Chinese

            # the inspection screen says when availability comes from the monitor
            checklist = load_checklist("census-2015")
            outcomes = monitor_outcomes(ws, QUARTER, "3406000022", checklist)
            doc = prefill_doc("3406000022")
            for iid, outcome in outcomes.items():
                doc["indicators"][iid] = prefill(checklist.indicators[iid], outcome)
            ws.update_inspection(QUARTER, "3406000022", lambda r: {**r, "prefill": doc, "progress": "checked"})
            await pilot.press("escape")
            app.dashboard.reload()
            sites = app.screen.query_one("#sites", DataTable)
            sites.move_cursor(row=sites.get_row_index("3406000022"))
            await pilot.press("enter")
            await pilot.pause()
            text = screen_text(app)
            indicators = app.screen.query_one("#indicators", DataTable)
            assert app.screen.current_id() == "site-unreachable"
            assert str(indicators.get_row("site-unreachable")[4]) == "监测"
            assert str(indicators.get_row("homepage-availability")[4]) == "监测"
            assert str(indicators.get_row("link-availability")[4]) == "自动"
            assert "监测 monitor: 一周监测 2026-11-18 10:00 – 2026-11-19 10:00" in text
            assert f"探测 {rows['3406000022']['attempts']} 次，失败 {rows['3406000022']['failures']} 次" in text


# --------------------------------------------------------------------------- rectification (整改)


@pytest.mark.slow
async def test_rectification_of_a_failed_site_and_its_recheck(ws: Workspace):
    code = "3406000013"  # vetoed: 站点无法访问
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the passing site has no rectification line
        await pilot.pause()
        assert "整改 rectification" not in screen_text(app)
        await pilot.press("escape", "down", "enter")
        await pilot.pause()
        assert "整改 rectification: 未设置 not set — z 整改 to set" in screen_text(app)
        await pilot.press("z")
        await pilot.pause()
        assert type(app.screen).__name__ == "RectificationModal"
        await pilot.press("2", "tab", *"2026-02-30", "tab", *"更新机制已建立 [/b]")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "RectificationModal"  # no 30 February: refused, still open
        assert "没有这一天 not a date: 2026-02-30" in screen_text(app)
        app.screen.query_one("#rect-deadline").value = "12/31/2026"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "deadline must be YYYY-MM-DD" in screen_text(app)
        app.screen.query_one("#rect-deadline").value = "2026-12-31"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        rect = ws.inspection(QUARTER, code)["rectification"]
        assert (rect["status"], rect["deadline"], rect["note"]) == ("in progress", "2026-12-31", "更新机制已建立 [/b]")
        assert rect["by"] and rect["at"]
        text = screen_text(app)
        assert "整改 rectification: 整改中 in progress · 时限 deadline 2026-12-31 · 更新机制已建立 [/b]" in text
        await pilot.press("z")  # the modal opens on the stored values
        await pilot.pause()
        assert app.screen.query_one("#rect-deadline").value == "2026-12-31"
        assert app.screen.query_one("#rect-in-progress").value
        await pilot.press("escape")

        recheck = prefill_doc(code)  # the re-check after rectification: the site is reachable again
        ws.update_inspection(QUARTER, code, lambda r: {**r, "recheck": {"at": "2026-12-02T07:30:00+00:00", "doc": recheck,
                                                                        "run": "run-2", "run_dir": "x"}})
        app.screen.reload()
        await pilot.pause()
        text = screen_text(app)
        assert "复查 re-check 12-02 15:30: 合格 pass 得分 88.5 否决 0  (原 original 不合格 fail 不计分)" in text
        assert "否决 veto 1 站点无法访问" in text  # the original verdict is unchanged

        app.set_review_mode(True)  # read-only: z does nothing
        await pilot.press("z")
        await pilot.pause()
        assert type(app.screen).__name__ == "InspectionScreen"


def test_deadline_check():
    from inspector.tui.modals import check_deadline

    assert check_deadline(" 2027-01-05 ") == "2027-01-05" and check_deadline("") == ""
    for bad in ("2027-1-5", "2027-13-01", "2027-02-29", "tomorrow", "2027-01-05x"):
        with pytest.raises(ValueError):
            check_deadline(bad)


# --------------------------------------------------------------------------- the province view


def cli(*args: str, ws: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "inspector.cli", "--workspace", str(ws), *args],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.fixture(scope="module")
def city_bundles(tmp_path_factory: Any) -> dict[str, Any]:
    """Two real signed bundles made with the CLI from one checked demo city: its own 地区, then a hostile one."""
    _, serve_region, prepare = _demo()
    root = tmp_path_factory.mktemp("city")
    as_of = date(2026, 11, 20)
    with serve_region(as_of) as region:
        ws = Workspace(root)
        quarter = prepare(ws, region, as_of)
        flags = ["--as-of", as_of.isoformat(), "--probes", "1", "--probe-interval", "0", "--timeout", "3"]
        for code in ("5399000001", "5399000013"):  # a passing site and one vetoed for not updating
            cli("check", code, "--no-browser", "--quarter", quarter, *flags, ws=root)
    cli("keys", "generate", ws=root)
    cli("bundle", "export", "--quarter", quarter, "-o", str(root / "out" / "city.zip"), "--allow-incomplete", ws=root)
    ws.upsert_sites([{**s, "region": HOSTILE} for s in ws.sites()])
    # another city (its own code): the same city's second bundle would be a resubmission replacing the first
    cli("bundle", "export", "--quarter", quarter, "-o", str(root / "out" / "hostile.zip"), "--allow-incomplete",
        "--city", "5398", ws=root)
    return {"quarter": quarter, "city": root / "out" / "city.zip", "hostile": root / "out" / "hostile.zip",
            "pub": root / "keys" / "office.pub"}


@pytest.mark.slow
async def test_province_view_aggregates_imports_and_shows_hostile_regions_literally(city_bundles: Any, tmp_path: Path):
    from inspector.core.submission.exchange import province_import, province_report

    literal = "[/][/b][@click=app.quit]恶意红"
    prov = Workspace(tmp_path / "province")
    province_import(prov, [city_bundles["city"]], city_bundles["pub"])
    expected = province_report(prov)["cities"][0]
    assert expected["failed"] >= 1 and expected["problems_by_indicator"]["site-not-updated"] == 1
    app = make_app(prov)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ProvinceScreen"  # a province workspace opens on its view
        table = app.screen.query_one("#cities", DataTable)
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == expected["region"] == "云溪市"
        assert cells[1] == f"{expected['sampled']}/{expected['population']}"
        assert cells[2] == f"{expected['ratio']:.0%}" and cells[3] == f"{expected['pass_rate']:.0%}"
        assert cells[4] == str(expected["failed"]) and cells[5] == str(expected["rectified"]) and cells[6] == "0"
        text = screen_text(app)
        assert f"{city_bundles['quarter']} · 1 个地区 cities" in text
        assert "问题 problems by indicator: " in text and "网站不更新 1" in text  # the checklist's Chinese name
        from inspector.tui.safe import local_time

        await assert_snapshots(pilot, app, "province", local_time(expected["created_at"], "%Y-%m-%d %H:%M"))
        assert "site-not-updated" not in text

        async def import_(path: Path, pub: Path) -> str:
            await pilot.press("i")
            await pilot.pause()
            await pilot.press(*str(path), "enter", *str(pub), "enter")
            await settle(pilot, app)
            return screen_text(app)

        text = await import_(city_bundles["hostile"], city_bundles["pub"])
        assert "已导入 imported 1:" in text and f"{literal[:20]}" in text
        regions = [str(table.get_row_at(r)[0]) for r in range(table.row_count)]
        assert sorted(regions) == sorted(["云溪市", literal[:13] + "…"])
        table.move_cursor(row=regions.index(literal[:13] + "…"))
        await pilot.pause()
        assert literal in screen_text(app)  # the detail has the whole name, as text
        await pilot.click("#city-detail")  # an embedded @click must not run
        assert app.is_running
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "pwned" not in svg and "\x9b" not in svg

        text = await import_(city_bundles["city"], city_bundles["pub"])
        assert "已导入过 already imported" in text and table.row_count == 2  # a retry is not a second import
        text = await import_(tmp_path / "nothing.zip", city_bundles["pub"])
        assert "文件不存在" in text and table.row_count == 2

        await pilot.press("o", "tab", *"2026Q3", "enter")  # a quarter no city sent
        await settle(pilot, app)
        assert "该季度没有数据包 no bundle for this quarter" in screen_text(app) and table.row_count == 0
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("home", "enter")  # the imported quarter, the latest, is listed first
        await settle(pilot, app)
        assert table.row_count == 2

        await pilot.press("escape")  # the dashboard below: no sample in a province workspace
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen" and "尚未抽样" in screen_text(app)
        await pilot.press("ctrl+p", *"province")  # the palette offers it too
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ProvinceScreen" and app.screen.query_one("#cities").row_count == 2
        app.set_review_mode(True)
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProvinceScreen"


async def test_the_province_view_without_bundles_says_how_to_import(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"  # a city workspace opens on its sample
        await pilot.press("p")
        await settle(pilot, app)
        text = screen_text(app)
        assert "尚无汇总 nothing to aggregate" in text and "还没有导入数据包" in text and "i 导入 import" in text


# --------------------------------------------------------------------------- the TUI beside a running monitor

MONITOR_DRIVER = textwrap.dedent(
    """
    # The availability monitor on its own FakeTime: SPEED times faster than real time (a day in seconds).
    import asyncio, sys, time
    from datetime import datetime, timedelta
    from inspector.core.quarter.monitor import Monitor
    from inspector.core.store import Workspace

    root, quarter, start, speed = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3]), float(sys.argv[4])

    class FakeTime:
        def __init__(self):
            self.t0 = time.monotonic()

        def clock(self):
            return start + timedelta(seconds=(time.monotonic() - self.t0) * speed)

        async def sleep(self, seconds):
            await asyncio.sleep(seconds / speed)

    def printed(event):
        if "slot" in event:
            print("REC", event["code"], event["slot"], flush=True)

    fake = FakeTime()
    asyncio.run(Monitor(Workspace(root), quarter, clock=fake.clock, sleep=fake.sleep, probes_per_day=48, days=1,
                        timeout=5.0, rng_seed=2, on_event=printed).run())
    print("DONE", flush=True)
    """
)


class MonitorProcess:
    """The driver in a subprocess; a thread collects its stdout lines."""

    def __init__(self, script: Path, ws: Workspace, seconds_per_day: float) -> None:
        root = Path(__file__).resolve().parents[1]
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(ws.root), QUARTER, "2026-11-18T02:00:00+00:00", str(86400 / seconds_per_day)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
        )
        self.reader = threading.Thread(target=lambda: self.lines.extend(line.strip() for line in self.proc.stdout),
                                       daemon=True)
        self.reader.start()

    def records(self) -> int:
        return sum(line.startswith("REC") for line in self.lines)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.mark.slow
async def test_the_tui_and_a_running_monitor_share_the_workspace_without_losing_a_decision(tmp_path: Path):
    """Issue 8: a real monitor process writes its attempts while ~20 decisions are made through the UI."""
    import asyncio

    from inspector.core.quarter.monitor import monitor_status, records_path
    from inspector.core.store import read_jsonl
    from tests.httpfixtures import LoopbackServer, html

    ws = build_workspace(tmp_path / "ws")
    script = tmp_path / "monitor.py"
    script.write_text(MONITOR_DRIVER, encoding="utf-8")
    made: list[tuple[str, str, str]] = []  # (code, indicator, status) of every decision, in order
    with LoopbackServer({"/": html("<html><body>首页</body></html>")}) as server:
        ws.upsert_sites([{**site, "url": server.url("/")} for site in ws.sites()])
        monitor = MonitorProcess(script, ws, seconds_per_day=12)
        try:
            while monitor.records() == 0:
                assert monitor.proc.poll() is None, monitor.proc.stderr.read()
                await asyncio.sleep(0.05)
            app = make_app(ws, quarter=QUARTER)
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                before = monitor.records()
                sites = app.screen.query_one("#sites", DataTable)
                for code, key, count in (("3406000012", "y", 8), ("3406000013", "y", 8), ("3406000014", "o", 4)):
                    sites.move_cursor(row=sites.get_row_index(code))
                    await pilot.press("enter")
                    await pilot.pause()
                    for _ in range(count):
                        iid = app.screen.current_id()
                        if key == "y":  # confirm the pre-fill
                            made.append((code, iid, app.screen.effective[iid]["status"]))
                            await pilot.press("y")
                        else:  # no pre-fill: override, 2 不合格 fail, with a note (veto indicators: no points)
                            made.append((code, iid, "fail"))
                            await pilot.press("o", "2", "tab", *"人工判定", "ctrl+s")
                        await settle(pilot, app)
                        await pilot.press("down")
                    await pilot.press("escape")
                    await pilot.pause()
                during = monitor.records() - before
            assert during > 0, "the monitor wrote nothing while the decisions were made"
            await asyncio.to_thread(monitor.proc.wait, 60)
            monitor.reader.join(10)
            assert monitor.proc.returncode == 0 and monitor.lines[-1] == "DONE", monitor.proc.stderr.read()
        finally:
            monitor.stop()
    assert len(made) == 20 and len(set(made)) == 20
    reopened = Workspace(ws.root)  # the database opens and holds every decision
    for code in ("3406000012", "3406000013", "3406000014"):
        record = reopened.inspection(QUARTER, code)
        mine = [(iid, status) for c, iid, status in made if c == code]
        assert {iid: d["status"] for iid, d in record["decisions"].items()} == dict(mine)
        assert [(h["indicator"], h["status"]) for h in record["history"]] == mine
    for row in monitor_status(reopened, QUARTER):
        slots = [r["slot"] for r in read_jsonl(records_path(reopened, QUARTER, row["code"]))]
        assert len(slots) == len(set(slots)) == row["planned"]  # every slot once, none twice
    assert len(reopened.snapshot().table("monitor").all()) == 1
    assert sum(1 for line in monitor.lines if line.startswith("REC")) == sum(r["planned"] for r in monitor_status(reopened, QUARTER))


async def test_a_decision_made_on_an_earlier_check_is_flagged(ws: Workspace):
    code, quarter = next((r["code"], r["quarter"]) for r in ws.inspections(QUARTER) if r.get("prefill"))
    ws.update_inspection(quarter, code, lambda r: {**r, "decisions": {"link-availability": {
        "status": "pass", "points": None, "note": "旧检测", "by": "张三", "at": "2026-11-01T00:00:00+00:00",
        "on_run": "an-older-run"}}})
    app = make_app(ws, quarter=quarter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_site(code)
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        table.move_cursor(row=[k.value for k in table.rows].index("link-availability"))
        await pilot.pause()
        assert "decided on an earlier check" in screen_text(app)
