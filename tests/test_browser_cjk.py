"""Chinese text must render as real glyphs in evidence screenshots, not tofu.

A machine without a CJK font renders every Chinese character as the same
``.notdef`` box, and the screenshots then prove nothing. The page draws
"政府网站抽查" one character per known 100 px cell; a second page draws six
"□" (U+25A1, a hollow box like tofu) in the same cells. The evidence PNGs are
decoded here (zlib + struct, no extra dependency) and compared cell by cell.
"""

from __future__ import annotations

import asyncio
import functools
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from inspector.core.web.browser import find_chromium
from inspector.core.web.evidence import EvidenceCapturer

CHROMIUM, WHY = find_chromium()
TEXT = "政府网站抽查"
TOFU = "\u25a1" * len(TEXT)
CELL, LEFT, TOP, FONT = 100, 20, 20, 64

Bitmap = list[list[bool]]  # [row][column] -> dark pixel


# --------------------------------------------------------------------------- a tiny PNG reader


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _unfilter(kind: int, line: bytearray, prev: bytes, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = prev[i]
        upleft = prev[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            line[i] = (line[i] + _paeth(left, up, upleft)) & 0xFF


def read_png_gray(data: bytes) -> list[bytes]:
    """8-bit RGB/RGBA non-interlaced PNG -> rows of luminance bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], line, prev, bpp)
        prev = bytes(line)
        luminance = ((line[x] * 3 + line[x + 1] * 6 + line[x + 2]) // 10 for x in range(0, stride, bpp))
        rows.append(bytes(luminance))
    return rows


# --------------------------------------------------------------------------- glyph measures


def cells(gray: list[bytes]) -> list[Bitmap]:
    """The six character cells as dark-pixel bitmaps."""

    def cell(left: int) -> Bitmap:
        return [[gray[y][x] < 128 for x in range(left, left + CELL)] for y in range(TOP, TOP + CELL)]

    return [cell(LEFT + i * CELL) for i in range(len(TEXT))]


def difference(a: Bitmap, b: Bitmap) -> int:
    return sum(pa != pb for ra, rb in zip(a, b, strict=True) for pa, pb in zip(ra, rb, strict=True))


def ink(bitmap: Bitmap) -> int:
    return sum(map(sum, bitmap))


def max_runs(bitmap: Bitmap) -> int:
    """Most separate ink runs crossed by one row or column (strokes crossed)."""

    def runs(line: list[bool]) -> int:
        return sum(1 for i, dark in enumerate(line) if dark and (i == 0 or not line[i - 1]))

    columns = [list(col) for col in zip(*bitmap, strict=True)]
    return max(runs(line) for line in bitmap + columns)


def distinct_profiles(bitmap: Bitmap) -> int:
    """Distinct row and column patterns: a hollow box has very few."""
    return len({tuple(r) for r in bitmap}) + len({tuple(c) for c in zip(*bitmap, strict=True)})


# --------------------------------------------------------------------------- the test


def page(chars: str) -> str:
    spans = "".join(
        f'<span style="position:absolute;left:{LEFT + i * CELL}px;top:{TOP}px;width:{CELL}px;'
        f'height:{CELL}px;font:{FONT}px/{CELL}px sans-serif;text-align:center">{ch}</span>'
        for i, ch in enumerate(chars)
    )
    head = '<!doctype html><html><head><meta charset="utf-8"><title>字形</title></head>'
    return f"{head}<body>{spans}</body></html>"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "cjk.html").write_text(page(TEXT), "utf-8")
    (site / "tofu.html").write_text(page(TOFU), "utf-8")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def screenshot_cells(record: dict[str, Any], root: Path) -> list[Bitmap]:
    assert record["error"] is None, record["error"]
    shot = next(f for f in record["files"] if f["kind"] == "screenshot")
    return cells(read_png_gray((root / shot["path"]).read_bytes()))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason=WHY)
def test_chinese_renders_as_real_glyphs(served: tuple[str, Path]) -> None:
    base, root = served

    async def job() -> list[dict[str, Any]]:
        async with EvidenceCapturer(root) as capturer:
            return [
                await capturer.capture(f"{base}/cjk.html", root / "e"),
                await capturer.capture(f"{base}/tofu.html", root / "e"),
            ]

    cjk_record, tofu_record = asyncio.run(job())
    cjk, tofu = screenshot_cells(cjk_record, root), screenshot_cells(tofu_record, root)
    area = CELL * CELL

    # Sanity: identical characters give identical cells, so "distinct" below means something.
    assert ink(tofu[0]) > 0 and all(difference(tofu[0], t) == 0 for t in tofu)
    # Six different characters give six different bitmaps (missing glyphs would all be equal).
    for i in range(len(TEXT)):
        assert ink(cjk[i]) > area * 0.03, f"{TEXT[i]} has almost no ink"
        assert difference(cjk[i], tofu[i]) > area * 0.05, f"{TEXT[i]} looks like a box"
        for j in range(i):
            assert difference(cjk[i], cjk[j]) > area * 0.03, f"{TEXT[i]} == {TEXT[j]}"
    # 政 crosses many strokes and has many distinct row/column patterns; a box has few.
    assert max_runs(cjk[0]) >= 4 > max_runs(tofu[0])
    assert distinct_profiles(cjk[0]) > 2 * distinct_profiles(tofu[0])
