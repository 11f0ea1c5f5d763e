"""Write the README's screenshots of the TUI (screenshots/*.svg and *.png) from the demo region.

    .venv/bin/python -m tests.make_screenshots [--no-browser] [--size 120x36]
    .venv/bin/python -m tests.make_screenshots --png-only   # just render the existing SVGs to PNG again

Serves the demo region on 127.0.0.1, prepares a demo workspace in a temporary directory,
runs a simulated day of the availability monitor (fake clock, real probes), runs the
automated checks on a few sites (with the browser, for evidence, unless ``--no-browser``),
records a failed site's rectification and re-check, then drives the app with the pilot and
saves each main screen; last, exports the quarter's signed bundle, imports it into a province
workspace and saves the province view.

Every SVG is then rendered to PNG by the same Chromium with the CJK font (:func:`svg_to_png`), so the
README looks right in any viewer: Rich sizes each text run by its characters, not its terminal cells,
which squeezes Chinese (two cells a character) to half width in a browser; :func:`fix_svg` gives each
run its cells' width and a font list that has CJK glyphs.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from inspector.core.quarter.inspection import decide, set_rectification
from inspector.core.quarter.monitor import Monitor
from inspector.core.runner import CheckOptions, check_and_store
from inspector.core.settings import reload_settings
from inspector.core.store import Workspace
from inspector.core.submission.exchange import export_quarter, generate_office_key, province_import
from inspector.demo.region import serve_region
from inspector.demo.run import prepare
from inspector.tui.app import make_app

OUT = Path(__file__).resolve().parents[1] / "screenshots"
FONTS = '"Fira Code", "DejaVu Sans Mono", "WenQuanYi Micro Hei Mono", "Noto Sans Mono CJK SC", monospace'
_TEXT = re.compile(r'(<text\b[^>]*?\btextLength=")([\d.]+)("[^>]*>)(.*?)(</text>)', re.S)


def fix_svg(svg: str) -> str:
    """A Rich/Textual SVG export with every text run as wide as its terminal cells, in fonts with CJK glyphs."""
    from rich.cells import cell_len

    def one(m: re.Match[str]) -> str:
        text = html.unescape(m.group(4))
        chars = len(text)
        if not chars:
            return m.group(0)
        width = float(m.group(2)) / chars * cell_len(text)  # Rich wrote char_width × characters
        return f"{m.group(1)}{width:g}{m.group(3)}{m.group(4)}{m.group(5)}"

    svg = _TEXT.sub(one, svg).replace("\u2b58", "\u25cb")  # the header's ⭘ is in no installed font: ○
    return re.sub(r"font-family: Fira Code, monospace;", f"font-family: {FONTS};", svg)


async def _render_png(svgs: list[tuple[str, Path]], scale: float) -> None:
    from playwright.async_api import async_playwright

    from inspector.core.web.browser import LAUNCH_ARGS, find_chromium

    path, how = find_chromium()
    if path is None:
        raise SystemExit(f"no Chromium to render PNGs: {how}")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, args=list(LAUNCH_ARGS))
        try:
            for svg, out in svgs:
                m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
                width, height = (float(m.group(1)), float(m.group(2))) if m else (1200.0, 800.0)
                page = await browser.new_page(viewport={"width": int(width + 0.999), "height": int(height + 0.999)},
                                              device_scale_factor=scale)
                await page.route("**/*", lambda route: route.abort())  # no web fonts from outside: the local ones
                await page.set_content(f'<html><body style="margin:0">{fix_svg(svg)}</body></html>')
                await page.evaluate("document.fonts.ready")
                await page.locator("svg").first.screenshot(path=str(out))
                await page.close()
        finally:
            await browser.close()


def svg_to_png(svgs: list[tuple[str, Path]], scale: float = 1.0) -> list[Path]:
    """Render SVG exports (text, output path) to PNG files through Chromium."""
    asyncio.run(_render_png(svgs, scale))
    return [out for _, out in svgs]
AS_OF = date(2026, 11, 20)
CHECKED = ("5399000001", "5399210001", "5399220001", "5399020001")
COLUMNS_SITE = "5399020001"  # stale news and notice columns: the 栏目不更新 veto
MONITOR_START = datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc)  # 10:00 Asia/Shanghai


async def shoot(ws: Workspace, quarter: str, opts: CheckOptions, size: tuple[int, int]) -> list[Path]:
    app = make_app(ws, quarter=quarter, check_options=opts)
    saved: list[Path] = []

    def save(name: str) -> None:
        path = OUT / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"inspector — {name}"), encoding="utf-8")
        saved.append(path)

    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        save("dashboard")
        await pilot.press("f1")
        await pilot.pause()
        save("help")
        await pilot.press("escape")
        await pilot.press("A", "enter")  # check the unchecked rest of the sample: show the live progress, then cancel
        while app.screen.job is not None and "页面 pages" not in str(app.screen.query_one("#checkstatus").render()):
            await pilot.pause(0.05)
        save("checking")
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.open_site(CHECKED[1])
        await pilot.pause()
        table: Any = app.screen.query_one("#indicators")
        ids = [k.value for k in table.rows]
        failing = [i for i in ids if app.screen.effective[i]["status"] == "fail" and app.screen.prefill(i).get("findings")]
        target = (failing or [i for i in ids if app.screen.prefill(i).get("findings")] or ids)[0]
        table.move_cursor(row=ids.index(target))
        await pilot.pause()
        save("inspection")
        await pilot.press("o")
        await pilot.pause()
        save("override")
        await pilot.press("escape", "e")
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        save("evidence")
        await pilot.press("escape", "escape", "d")
        await pilot.pause()
        save("sample")
        await pilot.press("escape", "g")
        await pilot.pause()
        save("registry")
        await pilot.press("escape", "m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        monitor: Any = app.screen.query_one("#monitor")
        failed = [r["code"] for r in app.screen.rows if r["failures"]]
        if failed:
            monitor.move_cursor(row=monitor.get_row_index(failed[0]))
            await pilot.pause()
        save("monitor")
        await pilot.press("escape")
        app.open_site(COLUMNS_SITE)
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        columns: Any = app.screen.query_one("#columns")
        stale = [str(c) for c in columns.get_column("state")].index("✘ 未更新 stale")
        columns.move_cursor(row=stale)
        await pilot.pause()
        save("columns")
        await pilot.press("escape")  # the failed site's inspection: its rectification and re-check
        await pilot.pause()
        save("rectification")
        await pilot.press("z")
        await pilot.pause()
        save("rectification-modal")
        await pilot.press("escape", "b")  # the re-check after rectification beside the original: before → after
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.action_toggle_all()
        await pilot.pause()
        save("recheck")
    return saved


async def shoot_welcome(root: Path, size: tuple[int, int]) -> Path:
    """The first run: an empty workspace opens on the steps and their keys."""
    app = make_app(Workspace(root / "new"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        path = OUT / "welcome.svg"
        path.write_text(app.export_screenshot(title="inspector — welcome"), encoding="utf-8")
    return path


async def shoot_province(province: Workspace, size: tuple[int, int]) -> Path:
    """The province view of a workspace with imported bundles (it opens on that view)."""
    app = make_app(province)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        path = OUT / "province.svg"
        path.write_text(app.export_screenshot(title="inspector — province"), encoding="utf-8")
    return path


def make_province(ws: Workspace, quarter: str, root: Path) -> Workspace:
    """Sign and export the city's bundle, then import it into a new province workspace."""
    _, public = generate_office_key(ws)
    bundle = export_quarter(ws, quarter, output=root / f"city-{quarter}.zip", allow_incomplete=True)
    province = Workspace(root / "province")
    province_import(province, [bundle], public)
    return province


def run_monitor(ws: Workspace, quarter: str) -> None:
    """A day of the monitor on a fake clock (real probes of the demo region, instantly)."""
    from tests.test_tui import FakeTime

    fake = FakeTime(MONITOR_START)
    asyncio.run(Monitor(ws, quarter, clock=fake.clock, sleep=fake.sleep, rng_seed=1, days=1, timeout=5.0).run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-browser", action="store_true", help="no evidence capture (faster)")
    parser.add_argument("--size", default="120x36", help="terminal size COLSxROWS (default 120x36)")
    parser.add_argument("--png-only", action="store_true", help="only render the existing SVGs to PNG again")
    args = parser.parse_args()
    if args.png_only:
        for path in svg_to_png([(p.read_text(encoding="utf-8"), p.with_suffix(".png")) for p in sorted(OUT.glob("*.svg"))]):
            print(path.relative_to(OUT.parent))
        return
    size = tuple(int(n) for n in args.size.split("x"))
    os.environ.setdefault("INSPECTOR_USER", "张三")  # who the demo's decisions are by
    reload_settings()
    OUT.mkdir(exist_ok=True)
    with serve_region(AS_OF) as region, tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "demo")
        quarter = prepare(ws, region, AS_OF)
        opts = CheckOptions(as_of=AS_OF, browser=not args.no_browser, probes=1, probe_interval=0, timeout=5.0)
        run_monitor(ws, quarter)
        for code in CHECKED:
            check_and_store(ws, quarter, code, opts)
        decide(ws, quarter, CHECKED[1], "link-availability", "fail", points=3.0, note="复核确认 3 个死链")
        set_rectification(ws, quarter, COLUMNS_SITE, "in progress", deadline="2026-12-31", note="栏目更新机制已建立")
        check_and_store(ws, quarter, COLUMNS_SITE, opts, recheck=True)
        paths = asyncio.run(shoot(ws, quarter, opts, size))  # type: ignore[arg-type]
        paths.append(asyncio.run(shoot_province(make_province(ws, quarter, Path(tmp)), size)))  # type: ignore[arg-type]
        paths.append(asyncio.run(shoot_welcome(Path(tmp), size)))  # type: ignore[arg-type]
        paths += svg_to_png([(p.read_text(encoding="utf-8"), p.with_suffix(".png")) for p in paths])
        for path in paths:
            print(path.relative_to(OUT.parent))


if __name__ == "__main__":
    main()
