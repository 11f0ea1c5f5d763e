"""The inspector's day in the TUI: evidence screenshots (zoom, scroll, full paths, honest `v`), batch checks that
skip what is done, the re-check comparison, filter keys, the pinyin palette, footers at 80 columns, review mode,
the first run's welcome, the palette's screenshot, the office exports from the keyboard."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from textual.widgets import DataTable

from inspector.core.checklist import load_checklist
from inspector.core.scoring import prefill, score_site
from inspector.core.model import Outcome
from inspector.core.quarter.recheck import compare
from inspector.core.store import Workspace
from inspector.tui import pinyin
from inspector.tui.app import make_app
from inspector.tui.dashboard import FILTERS
from inspector.tui.batch import batch_codes, clock, eta_text
from inspector.tui.checks import stage_fraction
from inspector.tui.evidence import open_in_viewer
from inspector.tui.shotview import ShotView, crop_box
from tests.test_tui import (  # noqa: F401 (anyio_backend, ws: the shared fixtures)
    MEASURES,
    QUARTER,
    anyio_backend,
    assert_snapshot,
    drawn,
    build_workspace,
    gradient,
    png_bytes,
    prefill_doc,
    screen_text,
    settle,
    ws,
)

pytestmark = pytest.mark.anyio


async def footer(app: Any, pilot: Any, *shown: str, hidden: tuple[str, ...] = ()) -> str:
    """The footer line once it shows every key of ``shown`` and none of ``hidden`` (it is recomposed after a
    refresh: under load that takes a few frames), else as it is after 10 s."""
    for _ in range(200):
        line = screen_text(app).splitlines()[-1]
        if all(k in line for k in shown) and not any(k in line for k in hidden):
            return line
        await pilot.pause(0.05)
    return line


async def open_evidence(app: Any, pilot: Any) -> None:
    await pilot.press("enter")
    await pilot.pause()
    table = app.screen.query_one("#indicators", DataTable)
    table.move_cursor(row=[k.value for k in table.rows].index("link-availability"))
    await pilot.press("e")
    await settle(pilot, app)
    await pilot.pause(0.2)


# --------------------------------------------------------------------------- evidence


def test_crop_box_fits_the_view_and_clamps_scrolling():
    cell = (10, 20)
    w = crop_box(1366, 16000, 80, 20, cell, 1.0, 0, 0)  # page width fills 80 cells of 10 px: 800 px shows 1366
    assert w.box[0] == 0 and w.box[2] == 1366 and w.cols == 80 and w.rows == 20
    assert w.box[3] == pytest.approx(20 * 20 * 1366 / 800, abs=2)
    zoomed = crop_box(1366, 16000, 80, 20, cell, 2.0, 300, 5000)
    assert zoomed.box[2] - zoomed.box[0] == pytest.approx(683, abs=1) and zoomed.box[:2] == (300, 5000)
    end = crop_box(1366, 16000, 80, 20, cell, 1.0, 0, 10**9)  # scrolled past the end: clamped to the last screen
    assert end.box[3] == 16000 and 15000 < end.box[1] == end.y
    short = crop_box(1366, 300, 80, 20, cell, 1.0, 0, 0)  # a short page uses the rows it needs
    assert short.rows == 9 and short.box == (0, 0, 1366, 300)
    half = crop_box(1366, 900, 80, 20, cell, 0.5, 0, 0)
    assert half.cols == 40 and half.box[2] == 1366


@pytest.fixture
def fixed_ws() -> Any:
    """A workspace whose path always has the same length (the snapshot wraps it the same way every run)."""
    root = Path(tempfile.mkdtemp(prefix="isnap-", dir="/tmp"))
    try:
        yield build_workspace(root / "ws")
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def test_evidence_screen_at_80x24_shows_every_column_the_full_path_and_the_screenshot(fixed_ws: Workspace):
    ws = fixed_ws
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_evidence(app, pilot)
        assert (await footer(app, pilot, "f1 帮助", "y 复制路径")).startswith("f1 帮助")
        text = screen_text(app)
        for column in ("类型 kind", "文件 file", "校验 sha256"):
            assert column in text
        assert "screenshot  home.png" in text and "✔ 一致" in text
        full = str(ws.root / f"runs/{QUARTER}/3406000012/run-1/evidence/home.png")
        assert f"screenshot: {full}" in str(app.screen.query_one("#record").render())  # the full path
        record = str(app.screen.query_one("#record").render())
        assert "采集时间 captured: 2026-11-20 16:00:00 Asia/Shanghai" in record and "UTC" not in record  # office time
        assert "▀" in text and "半块 half-block" in text  # drawn (half blocks: no terminal was asked)
        assert_snapshot(app, "evidence-80x24", str(ws.root))
        await pilot.resize_terminal(120, 36)  # wide: the screenshot beside the record
        await drawn(pilot, app)
        assert_snapshot(app, "evidence-120x36", str(ws.root))


def long_capture_names(ws: Workspace) -> list[str]:
    """Give the evidence record the files a real capture writes: one long timestamped prefix, the kind at the end."""
    (rec,) = ws.evidence(QUARTER, "3406000012")
    folder = f"runs/{QUARTER}/3406000012/20261203T142457Z-268eae/evidence"
    (ws.root / folder).mkdir(parents=True)
    files, names = [], []
    for kind, suffix in (("dom", "dom.html"), ("mhtml", "mhtml.mhtml"), ("screenshot", "screenshot.png"), ("crop", "crop.png")):
        name = f"20261203T142514411000Z_005ef513_127-0-0-1-28704-jtdt-tzgg_{suffix}"
        data = png_bytes(64, 48, gradient) if name.endswith(".png") else f"<p>{kind}</p>".encode()
        (ws.root / folder / name).write_bytes(data)
        files.append({"kind": kind, "path": f"{folder}/{name}", "sha256": hashlib.sha256(data).hexdigest()})
        names.append(name)
    with ws.transaction() as db:  # the record as the capture wrote it, in place of the fixture's
        db.table("evidence").truncate()
    ws.add_evidence([{**rec, "files": files}])
    return names


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_long_capture_names_leave_every_column_of_the_file_table_in_view(ws: Workspace, size: tuple[int, int]):
    names = long_capture_names(ws)
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await open_evidence(app, pilot)
        await pilot.pause(0.2)
        table = app.screen.query_one("#files", DataTable)
        assert table.virtual_size.width <= table.size.width  # nothing to scroll sideways to
        text = screen_text(app)
        assert "校验 sha256" in text and text.count("✔ 一致") == 4
        for name in names:  # each file shown by its end too, not four rows of the same prefix
            assert name[-8:] in text
        record = str(app.screen.query_one("#record").render())
        assert "20261203T142514411000Z_005ef513_127-0-0-1-28704-jtdt-tzgg_screenshot.png" in record  # the full name
        assert "发现 findings: 链接可用性：404" in record and "link-availability" not in record  # the indicator's name


async def test_the_screenshot_screen_shows_the_files_whole_path_at_80x24(ws: Workspace):
    names = long_capture_names(ws)
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_evidence(app, pilot)
        app.screen.query_one("#files", DataTable).move_cursor(row=3)  # the crop
        await pilot.press("i")
        await settle(pilot, app)
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "ScreenshotScreen"
        path = str(ws.root / f"runs/{QUARTER}/3406000012/20261203T142457Z-268eae/evidence/{names[3]}")
        assert path in "".join(screen_text(app).splitlines()[2:5])  # the file's name too, not cut after the folder
        assert "截图 screenshot · 宜春市人民政府" in screen_text(app).splitlines()[0]  # the page's title


def test_fit_name_keeps_the_start_and_the_end():
    from rich.cells import cell_len

    from inspector.tui.evidence import fit_name

    assert fit_name("home.png", 20) == "home.png"
    short = fit_name("20261203T142514411000Z_005ef513_127-0-0-1-28704_screenshot.png", 24)
    assert len(short) == 24 and short.startswith("2026120") and short.endswith("_screenshot.png") and "…" in short
    wide = fit_name("首页截图首页截图首页截图.png", 12)  # two cells a character
    assert cell_len(wide) <= 12 and wide.startswith("首") and wide.endswith("图.png") and "…" in wide


@pytest.mark.slow
async def test_the_screenshot_viewer_zooms_and_scrolls(ws: Workspace):
    rel = f"runs/{QUARTER}/3406000012/run-1/evidence/home.png"
    data = png_bytes(64, 600, gradient)  # a tall page
    (ws.root / rel).write_bytes(data)
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_evidence(app, pilot)
        await pilot.press("i")
        await settle(pilot, app)
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "ScreenshotScreen"
        view = app.screen.query_one(ShotView)
        assert view.image is not None and view.window.box[:2] == (0, 0) and view.zoom == 1.0
        first = view.window.box
        await pilot.press("pagedown")
        assert view.window.box[1] > 0
        await pilot.press("end")
        assert view.window.box[3] == 600
        await pilot.press("home", "plus", "plus")
        assert view.zoom == 2.0 and view.window.box[2] - view.window.box[0] < first[2] - first[0]
        await pilot.press("right")
        assert view.window.box[0] > 0
        await pilot.press("0")
        assert view.zoom == 1.0 and view.window.box[0] == 0
        assert "200%" not in screen_text(app) and "100%" in screen_text(app)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "EvidenceScreen"


async def test_a_damaged_screenshot_says_so_instead_of_drawing(ws: Workspace):
    (ws.root / f"runs/{QUARTER}/3406000012/run-1/evidence/home.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await open_evidence(app, pilot)
        text = screen_text(app)
        assert "无法显示截图" in text and "✘ 不一致" in text
        view = app.screen.query_one(ShotView)
        assert view.image is None and view.message.startswith("无法显示截图 cannot show the screenshot: 文件不是可显示的图片")


def fake_opener(tmp_path: Path, status: int) -> Path:
    """A stand-in for xdg-open/open (no desktop can run here): exits with ``status``, as xdg-open does."""
    bin_dir = tmp_path / f"bin{status}"
    bin_dir.mkdir()
    for name in ("xdg-open", "open"):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\necho 'no method available for opening' >&2\nexit {status}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def test_v_reports_the_viewers_failure_honestly(tmp_path: Path, monkeypatch: Any):
    target = tmp_path / "证据.png"
    target.write_bytes(png_bytes(4, 4, gradient))
    monkeypatch.setenv("PATH", f"{fake_opener(tmp_path, 3)}{os.pathsep}{os.environ['PATH']}")
    ok, message = open_in_viewer(target)
    assert not ok and "exit status 3" in message and "inspector evidence serve" in message
    assert "no method available" in message
    monkeypatch.setenv("PATH", f"{fake_opener(tmp_path, 0)}{os.pathsep}{os.environ['PATH']}")
    ok, message = open_in_viewer(target)
    assert ok and str(target) in message
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    ok, message = open_in_viewer(target)
    assert not ok and "inspector evidence serve" in message


async def test_v_in_the_evidence_screen_shows_the_failure(ws: Workspace, tmp_path: Path, monkeypatch: Any):
    monkeypatch.setenv("PATH", f"{fake_opener(tmp_path, 3)}{os.pathsep}{os.environ['PATH']}")
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await open_evidence(app, pilot)
        await pilot.press("v")
        await settle(pilot, app)
        notes = [(n.title, n.message) for n in app._notifications]
        assert any(t == "无法打开 cannot open" and "exit status 3" in m for t, m in notes), notes
        assert not any("已打开" in t for t, _ in notes)


# --------------------------------------------------------------------------- dashboard: keys, footer, review mode


async def test_one_key_per_status_filter(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        sites = app.screen.query_one("#sites", DataTable)
        await pilot.press("1")
        assert [k.value for k in sites.rows] == ["3406000013"]  # 不合格
        await pilot.press("3")
        assert [k.value for k in sites.rows] == ["3406000014"]  # 未检测
        await pilot.press("2")
        assert [k.value for k in sites.rows] == []  # 待复核: none here
        await pilot.press("2")
        assert len(sites.rows) == 3  # the same key again: all
        shown = []
        for _ in FILTERS:  # every status filter's label: the core's Chinese, never a stored status id
            shown.append(str(app.screen.query_one("#filterstate").render()).split(" · ")[0])
            await pilot.press("f")
        assert shown == ["筛选 全部", "筛选 未完成", "筛选 未检测", "筛选 待复核", "筛选 不合格", "筛选 合格", "筛选 已完成"]


async def test_the_dashboard_footer_at_80_columns_shows_f1_and_the_main_keys(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = ("c 检测", "A 批量", "/ 筛选", "1 不合格", "2 待复核", "3 未检测")
        line = await footer(app, pilot, *keys)
        assert line.startswith("f1 帮助") and all(key in line for key in keys)
        assert_snapshot(app, "dashboard-80x24", str(ws.root))
        await pilot.press("enter")
        line = await footer(app, pilot, "y 确认", "o 修改")
        assert line.startswith("f1 帮助") and "y 确认" in line and "o 修改" in line


async def test_review_mode_hides_the_keys_it_disables(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "c 检测" in await footer(app, pilot, "c 检测")
        await pilot.press("v")
        line = await footer(app, pilot, "f1 帮助", hidden=("c 检测",))
        assert "复核模式" in screen_text(app).splitlines()[0]  # the header says so, whatever the path's length
        assert "c 检测" not in line and "A 批量" not in line and "f1 帮助" in line
        await pilot.press("enter")
        line = await footer(app, pilot, "e 证据", hidden=("y 确认",))
        assert "y 确认" not in line and "o 修改" not in line and "e 证据" in line


# --------------------------------------------------------------------------- the palette


async def palette_hits(app: Any, pilot: Any, wanted: str) -> list[str]:
    """The command palette's hits once one starts with ``wanted`` (searching runs in the background), else after 10 s."""
    from textual.command import CommandList

    found: list[str] = []
    for _ in range(200):
        await pilot.pause(0.05)
        options = app.screen.query_one(CommandList)
        found = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        if any(wanted in text for text in found):
            break
    return found


def test_pinyin_initials():
    assert pinyin.initials("检测") == "jc"
    assert pinyin.initials("宜春市人民政府 3406000012") == "ycsrmzf"
    assert pinyin.search_text("abc") == "abc"


async def test_the_palette_finds_commands_and_sites_by_pinyin_initials(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"jc")
        found = await palette_hits(app, pilot, "检测 check the highlighted site")
        assert any(text.startswith("检测 check the highlighted site") for text in found), found
        await pilot.press("escape", "ctrl+p", *"yzq")  # 袁州区
        assert any("袁州区人民政府" in text for text in await palette_hits(app, pilot, "袁州区人民政府"))
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "InspectionScreen" and app.screen.code == "3406000013"


async def test_the_palettes_system_commands_read_chinese_and_match_pinyin(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"jt")
        assert any(text.startswith("截图 Screenshot") for text in await palette_hits(app, pilot, "截图 Screenshot"))
        await pilot.press("escape", "ctrl+p", *"tc")
        assert any(text.startswith("退出 Quit") for text in await palette_hits(app, pilot, "退出 Quit"))


async def test_the_palettes_screenshot_saves_in_the_workspace(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"Screenshot")
        await palette_hits(app, pilot, "截图 Screenshot")
        await pilot.press("enter")
        await pilot.pause(0.5)
        shots = list((ws.root / "screenshots").glob("*.svg"))
        assert len(shots) == 1 and "<svg" in shots[0].read_text(encoding="utf-8")
        assert any(str(shots[0]) in n.message for n in app._notifications)


# --------------------------------------------------------------------------- first run


async def test_an_empty_workspace_opens_on_the_welcome_with_the_steps(tmp_path: Path):
    app = make_app(Workspace(tmp_path / "new"), quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "导入名录 → 抽样 → 检测 → 复核 → 报送" in text
        assert "g → i" in text and "d → d" in text
        await pilot.press("g")
        await pilot.pause()
        assert type(app.screen).__name__ == "RegistryScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert "名录为空 the registry is empty — g 导入名录" in screen_text(app).replace("\n", "")


async def test_the_welcome_reads_in_chinese_and_fits_80x24(tmp_path: Path):
    from inspector.tui.welcome import STEPS

    app = make_app(Workspace(tmp_path / "new"), quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        welcome = app.screen.query_one("#welcome")
        assert welcome.virtual_size.height <= welcome.scrollable_content_region.height  # nothing below the fold
        text = screen_text(app)
        for step, keys, what in STEPS:
            assert step in text and keys in text and what in text
            assert sum(1 for c in what if "\u4e00" <= c <= "\u9fff") >= 4  # said in Chinese
        assert "enter/esc 关闭" in text


async def test_a_workspace_with_sites_opens_on_the_dashboard(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"


# --------------------------------------------------------------------------- batch checks


def test_batch_sets_and_the_clock():
    rows = [{"code": "a", "result": None, "progress": "not started"}, {"code": "b", "result": "fail", "progress": "checked"},
            {"code": "c", "result": "pass", "progress": "checked"}, {"code": "d", "result": "fail", "progress": "done"},
            {"code": "e", "result": None, "progress": "done"}]
    assert batch_codes(rows, "unchecked") == ["a"]
    assert batch_codes(rows, "failed") == ["b"]
    assert batch_codes(rows, "all") == ["a", "b", "c"]
    assert clock(65) == "1:05" and clock(3723) == "1:02:03"
    assert eta_text(30, 0.5, 1) == "已用 elapsed 0:30 · 预计剩余 ETA 0:30"
    assert eta_text(10, 0.01, 0) == "已用 elapsed 0:10"  # too early to guess


def test_a_single_sites_stages_move_the_bar_forward():
    events = [{"phase": "start"}, {"phase": "crawl", "url": "x"}, {"phase": "crawl", "pages": 5, "links_checked": 20, "queued": 25},
              {"phase": "crawl", "pages": 40, "links_checked": 300, "queued": 0}, {"phase": "analyse", "pages": 40},
              {"phase": "evidence", "total": 4}, {"phase": "evidence", "captured": 2, "total": 4},
              {"phase": "evidence", "captured": 4, "total": 4}]
    fractions = [stage_fraction(e) for e in events]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert 0.3 < fractions[2] < 0.5


async def test_batch_unchecked_only_skips_checked_sites_and_the_toast_counts_separately(ws: Workspace):
    from inspector.core.runner import CheckOptions

    before = {code: ws.inspection(QUARTER, code)["prefill"]["run"]["id"] for code in ("3406000012", "3406000013")}
    opts = CheckOptions(browser=False, probes=1, probe_interval=0, timeout=2.0)
    messages: list[Any] = []
    app = make_app(ws, quarter=QUARTER, check_options=opts)
    async with app.run_test(size=(100, 32), message_hook=messages.append) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert type(app.screen).__name__ == "BatchModal"
        text = screen_text(app)
        assert "未检测的 unchecked only  (1)" in text and "不合格的 failed only  (1)" in text
        await pilot.press("enter")  # the default: unchecked only
        await pilot.pause()
        dashboard = app.screen
        assert dashboard.job is not None and dashboard.job.codes == ["3406000014"]
        await settle(pilot, app)
        await pilot.pause(0.2)
        assert dashboard.job is None
    done = next(m for m in messages if type(m).__name__ == "ChecksDone")
    assert (done.done, done.failed) == (1, 0) and not done.cancelled
    assert {code: ws.inspection(QUARTER, code)["prefill"]["run"]["id"] for code in before} == before  # not re-checked
    assert ws.inspection(QUARTER, "3406000014")["prefill"]["verdict"]["result"] in ("fail", "review")
    toast = next(n for n in app._notifications if n.title.startswith("检测完成"))
    assert "已检测 checked 1 · 出错 errors 0 · 不合格 fail" in toast.message and "已用 elapsed" in toast.message


async def test_the_batch_panel_counts_sites_done_and_running(ws: Workspace):
    """Several sites run at once: the panel says how many are done and running, not one site's place in the list."""
    from inspector.tui.checks import CheckFinished, CheckProgress

    codes = ["3406000012", "3406000013", "3406000014"]
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dashboard = app.dashboard
        dashboard._run_job = lambda job: None  # the batch's messages come from this test, not from real checks
        assert dashboard.start_checks(codes)
        for n, code in enumerate(codes, 1):
            dashboard.post_message(CheckProgress(code, n, 3, {"phase": "start"}))
        dashboard.post_message(CheckFinished("3406000012", None, error="测试 stopped"))
        dashboard.post_message(CheckProgress("3406000013", 2, 3, {"phase": "crawl", "pages": 5, "links_checked": 20, "queued": 25}))
        await pilot.pause(0.2)
        status = str(dashboard.query_one("#checkstatus").render())
        assert "已完成 done 1/3 · 进行中 running 2" in status, status
        assert "3406000013 袁州区人民政府: 抓取 crawling · 页面 pages 5" in status
        assert "检测 2/3" not in status
        assert "已完成 done 1/3" in screen_text(app)  # in view at 80×24
        dashboard.job.cancel.set()


async def test_with_nothing_unchecked_a_then_enter_starts_nothing(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1", "A")  # only the 不合格 site shown: nothing unchecked among them
        await pilot.pause()
        assert type(app.screen).__name__ == "BatchModal"
        assert "没有未检测的网站" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.dashboard.job is None  # the failed sites are not re-checked by surprise
        await pilot.press("down", "enter")  # chosen on purpose: it starts
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen" and app.dashboard.job is not None
        assert app.dashboard.job.codes == ["3406000013"]
        app.dashboard.job.cancel.set()
        await settle(pilot, app)


# --------------------------------------------------------------------------- re-check comparison


def recheck_workspace(ws: Workspace) -> None:
    """3406000012 checked twice: the first run (2 + 5 broken links) left in its check.json, the second (none) is the pre-fill."""
    checklist = load_checklist("census-2015")
    old = prefill_doc("3406000012")
    new = prefill_doc("3406000012")
    new["run"] = {"id": "run-2", "notes": []}
    measures = {**MEASURES["link-availability"], "homepage_broken": 0, "other_broken": 0}
    new["indicators"]["link-availability"] = prefill(checklist.indicators["link-availability"], Outcome(measures=measures))
    _, new["verdict"] = score_site(checklist, new["indicators"])
    for run, doc in (("run-1", old), ("run-2", new)):
        directory = ws.root / f"runs/{QUARTER}/3406000012/{run}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "check.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    runs = [{"id": "run-1", "at": "2026-11-20T08:00:00+00:00", "result": "pass", "dir": f"runs/{QUARTER}/3406000012/run-1", "recheck": False},
            {"id": "run-2", "at": "2026-11-25T08:00:00+00:00", "result": "pass", "dir": f"runs/{QUARTER}/3406000012/run-2", "recheck": False}]
    decision = {"status": "fail", "points": 3.0, "note": "旧的决定", "by": "张三", "at": "2026-11-21T00:00:00+00:00", "on_run": "run-1"}
    ws.update_inspection(QUARTER, "3406000012", lambda r: {**r, "prefill": new, "prefill_at": "2026-11-25T08:00:00+00:00",
                                                             "runs": runs, "decisions": {"link-availability": decision}})


def test_the_comparison_lists_the_changed_indicator(ws: Workspace):
    assert compare(ws, QUARTER, "3406000012") is None  # one check only: nothing to compare
    recheck_workspace(ws)
    comparison = compare(ws, QUARTER, "3406000012")
    assert comparison is not None and comparison.kind == "recheck"
    changed = {c.id: c for c in comparison.changed}
    assert set(changed) == {"link-availability"}
    link = changed["link-availability"]
    assert (link.before_status, link.after_status) == ("fail", "pass")
    assert link.before_points and link.after_points == 0.0
    assert ("other_broken", 5, 0) in link.measures and (link.before_findings, link.after_findings) == (1, 0)
    assert "其他页面不可用链接 5 个→0 个" in link.measure_changes()  # in the checklist's Chinese, as every screen shows measures


def test_a_recheck_after_rectification_is_compared_with_the_original(ws: Workspace):
    record = ws.inspection(QUARTER, "3406000013")
    fixed = prefill_doc("3406000013")
    fixed["run"] = {"id": "run-r", "notes": []}
    ws.update_inspection(QUARTER, "3406000013", lambda r: {**r, "recheck": {"at": "2026-12-01T00:00:00+00:00", "doc": fixed, "run": "run-r"},
                                                             "runs": [{"id": "run-1", "recheck": False}, {"id": "run-r", "recheck": True}]})
    comparison = compare(ws, QUARTER, "3406000013")
    assert comparison.kind == "rectification" and comparison.before_result == record["prefill"]["verdict"]["result"]
    assert [c.id for c in comparison.changed] == ["site-unreachable"]
    assert comparison.after_result == "pass"
    assert comparison.before_vetoes == ["site-unreachable"] and comparison.after_vetoes == []
    from inspector.tui.recheck import header_text

    header = str(header_text(comparison, 1))
    assert "不合格 fail 不计分  →" in header and " 0  →" not in header  # a veto's score is not scored, not 0


async def test_the_site_screen_shows_the_comparison_and_flags_old_decisions_in_the_table(ws: Workspace):
    recheck_workspace(ws)
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        assert "⚠" in str(table.get_cell("link-availability", "source"))  # in the table, whatever row is highlighted
        assert "⚠" not in str(table.get_cell("site-unreachable", "source"))
        assert "b 对比" in await footer(app, pilot, "b 对比")
        await pilot.press("b")
        await settle(pilot, app)
        text = screen_text(app)
        assert type(app.screen).__name__ == "RecheckScreen"
        assert "1 项有变化" in text and "链接可用性" in text and "✘ 不合格" in text and "✔ 合格" in text
        assert "其他页面不可用链接 5 个→0 个" in text and "other_broken" not in text and "站点无法访问" not in text
        await pilot.press("a")
        assert "站点无法访问" in screen_text(app)


async def test_the_comparison_fits_80_columns(ws: Workspace):
    recheck_workspace(ws)
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("b")
        await settle(pilot, app)
        await pilot.press("a")  # every indicator: the table scrolls down, never sideways
        await pilot.pause()
        table = app.screen.query_one("#recheck", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        text = screen_text(app)
        assert "首页不可用链接 2 个→0 个" in text and "其他页面不可用链接 5 个→0 个" in text  # a line each


async def test_no_comparison_key_before_a_recheck(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "对比" not in await footer(app, pilot, "y 确认", hidden=("对比",))


# --------------------------------------------------------------------------- exports from the keyboard


async def test_e_exports_the_quarters_workbook(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot, app)
        path = ws.root / "exports" / f"{QUARTER}-抽查结果.xlsx"
        assert path.is_file() and openpyxl.load_workbook(path).sheetnames[1] == "问题明细"
        assert any(str(path) in n.message and "已保存" in n.title for n in app._notifications)
