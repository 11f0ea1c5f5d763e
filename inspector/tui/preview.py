"""A coarse terminal preview of a PNG screenshot, decoded with zlib + struct only.

Evidence screenshots are full-page PNGs (often 1366 px wide and thousands of rows).
Pure-Python unfiltering costs about a microsecond per byte, so :func:`decode_png`
decodes only the top rows within a byte budget, and :func:`half_blocks` scales
them down to terminal cells: each cell is an upper half block ``▀`` whose
foreground is the upper pixel and background the lower one. Run it in a worker.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from rich.color import Color
from rich.style import Style
from rich.text import Text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel
DEFAULT_BUDGET = 3_000_000  # filtered bytes decoded at most (~2-3 s of Python)


class PreviewError(ValueError):
    """The file is not a PNG this decoder can preview (the message says why)."""


@dataclass
class Image:
    """Decoded RGB rows (top of the image when the budget cut it short)."""

    width: int
    height: int  # full image height
    rows: list[bytes]  # len(rows) <= height; each row is width * 3 bytes of RGB

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        row = self.rows[y]
        return row[3 * x], row[3 * x + 1], row[3 * x + 2]


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise PreviewError("not a PNG file")
    out, pos = [], len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        out.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
        if kind == b"IEND":
            break
    return out


def _unfilter(kind: int, cur: bytearray, prev: bytes, bpp: int) -> None:
    """Undo one scanline's PNG filter in place."""
    n = len(cur)
    if kind == 0:
        return
    if kind == 1:
        for i in range(bpp, n):
            cur[i] = (cur[i] + cur[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(n):
            cur[i] = (cur[i] + prev[i]) & 0xFF
    elif kind == 3:
        for i in range(n):
            left = cur[i - bpp] if i >= bpp else 0
            cur[i] = (cur[i] + ((left + prev[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(n):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    else:
        raise PreviewError(f"bad PNG filter type {kind}")


def _to_rgb(raw: bytes, color_type: int, palette: bytes) -> bytes:
    if color_type == 2:
        return raw
    if color_type == 6:
        return b"".join(raw[i : i + 3] for i in range(0, len(raw), 4))
    if color_type == 0:
        return bytes(v for g in raw for v in (g, g, g))
    if color_type == 4:
        return bytes(v for g in raw[::2] for v in (g, g, g))
    return b"".join(palette[3 * i : 3 * i + 3].ljust(3, b"\0") for i in raw)  # palette (3)


def decode_png(data: bytes, budget: int = DEFAULT_BUDGET) -> Image:
    """Decode the top of an 8-bit, non-interlaced PNG into RGB rows."""
    chunks = _chunks(data)
    if not chunks or chunks[0][0] != b"IHDR":
        raise PreviewError("PNG without a header")
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if depth != 8 or color_type not in CHANNELS:
        raise PreviewError(f"unsupported PNG (bit depth {depth}, colour type {color_type})")
    if interlace:
        raise PreviewError("interlaced PNG")
    palette = b"".join(body for kind, body in chunks if kind == b"PLTE")
    bpp = CHANNELS[color_type]
    stride = width * bpp
    max_rows = min(height, max(1, budget // max(stride, 1)))
    stream = zlib.decompressobj()
    raw = stream.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"), max_rows * (stride + 1))
    rows: list[bytes] = []
    prev = bytes(stride)
    for r in range(min(max_rows, len(raw) // (stride + 1))):
        start = r * (stride + 1)
        cur = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], cur, prev, bpp)
        prev = bytes(cur)
        rows.append(_to_rgb(prev, color_type, palette))
    if not rows:
        raise PreviewError("PNG without image data")
    return Image(width, height, rows)


def _average(image: Image, x0: float, y0: float, size: float, grid: int = 4) -> tuple[int, int, int]:
    """Mean colour of the ``size``-pixel square at (x0, y0), sampled on a ``grid`` x ``grid`` lattice."""
    step = size / grid
    r = g = b = n = 0
    for j in range(grid):
        y = min(int(y0 + j * step), len(image.rows) - 1)
        for i in range(grid):
            pr, pg, pb = image.pixel(min(int(x0 + i * step), image.width - 1), y)
            r, g, b, n = r + pr, g + pg, b + pb, n + 1
    return r // n, g // n, b // n


def half_blocks(image: Image, columns: int) -> Text:
    """Scale the decoded rows to ``columns`` cells wide (aspect kept) as half-block text."""
    columns = max(1, min(columns, image.width))
    scale = image.width / columns
    grid = max(1, min(4, int(scale)))
    pixel_rows = max(int(len(image.rows) / scale), 1)
    out = Text()
    for cell_row in range(0, max(pixel_rows - 1, 1), 2):
        if cell_row:
            out.append("\n")
        for col in range(columns):
            top = _average(image, col * scale, cell_row * scale, scale, grid)
            bottom = _average(image, col * scale, (cell_row + 1) * scale, scale, grid)
            out.append("▀", Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom)))
    return out


def preview_file(path: Path, columns: int, budget: int = DEFAULT_BUDGET) -> Text:
    """The half-block preview of a PNG file (raises :class:`PreviewError` or ``OSError``)."""
    return half_blocks(decode_png(Path(path).read_bytes(), budget), columns)
