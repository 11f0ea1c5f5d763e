"""The README's PNG screenshots: Chinese drawn at the full width of its two terminal cells.

Rich's SVG export gives every text run the width of its characters, not of its cells, so a browser squeezes
each Chinese character into one cell and the columns after it slide left. :func:`fix_svg` widens the runs;
Chromium renders the result with the CJK font, and the PNG is measured: a bar after six Chinese characters
lines up with a bar after twelve Latin ones.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console

from inspector.core.web.browser import find_chromium
from tests.make_screenshots import fix_svg, svg_to_png

CHROMIUM, WHY = find_chromium()


def export(lines: list[str]) -> str:
    console = Console(record=True, width=30, file=io.StringIO(), color_system="truecolor")
    for line in lines:
        console.print(line, style="bold #ffffff on #000000", markup=False)
    return console.export_svg(title="t")


def bar_columns(png: Path, rows: int) -> list[int]:
    """The x of the right-most bright pixel in each text row's band (the bar at the end of the line)."""
    img = Image.open(png).convert("L")
    width, height = img.size
    pixels = img.load()
    out = []
    top, bottom = int(height * 0.12), int(height * 0.95)  # the terminal body, below the title bar
    band = (bottom - top) / rows
    for r in range(rows):
        ys = range(int(top + r * band), int(top + (r + 1) * band))
        xs = [x for x in range(10, width - 15) for y in ys if pixels[x, y] > 200]  # inside the window's frame
        out.append(max(xs) if xs else -1)
    return out


def test_fix_svg_widens_cjk_runs():
    svg = export(["政府网站抽查|"])
    fixed = fix_svg(svg)
    assert 'textLength="158.6"' in fixed  # 13 cells × 12.2 px, not 7 characters × 12.2
    assert "WenQuanYi Micro Hei Mono" in fixed


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason=WHY)
def test_chinese_renders_at_two_cells_a_character(tmp_path: Path):
    svg = export(["政府网站抽查|", "abcdefghijkl|"])
    (png,) = svg_to_png([(svg, tmp_path / "cjk.png")])
    cjk, latin = bar_columns(png, 2)[:2]
    assert latin > 0 and abs(cjk - latin) <= 4, (cjk, latin)  # the bars line up (a squeezed run ends ~70 px early)
