"""Evidence screenshots in the terminal, zoomed and scrolled: real pixels where the terminal can show them.

The drawing is textual-image's: Sixel (xterm, foot, WezTerm, Windows Terminal, VS Code, tmux with sixel)
or the Kitty graphics protocol where the terminal answers that it supports them, coloured half blocks
otherwise. The terminal is asked once, before the app starts (:func:`probe_terminal`, called by the
console script); without that question (tests, pipes) half blocks are used.

Full-page screenshots are tall (1366 × up to 16 000 px): :class:`ShotView` shows a window of the page,
cropped with Pillow to exactly the cells it has (:func:`crop_box`), at a zoom where 100 % means the
page's width fills the view. Keys: ``+``/``-`` zoom, arrows scroll, PgUp/PgDn a screen, Home/End,
``0`` back to the page's width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from inspector.core import texts
from inspector.tui.footer import KeyFooter
from inspector.tui.safe import plain

MAX_PIXELS = 60_000_000  # a screenshot larger than this is not decoded (the capture caps pages at 16 000 px)
ZOOMS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
DEFAULT_CELL = (10, 20)  # pixels of a terminal cell when the terminal was not asked (VT340's)
MODE_NAMES = {"sixel": "Sixel", "kitty": "Kitty", "halfblock": "半块 half-block"}

_graphics: tuple[Any, str, tuple[int, int]] | None = None


def probe_terminal() -> str:
    """Ask the terminal (once, before Textual starts) which image protocol it speaks; returns the mode."""
    global _graphics
    if _graphics is None:
        import textual_image.widget as tiw  # importing it asks the terminal when stdout is one
        from textual_image._terminal import get_cell_size
        from textual_image.renderable import Image as Detected
        from textual_image.renderable import SixelImage, TGPImage

        cell = tuple(get_cell_size())
        if Detected is SixelImage:
            _graphics = (tiw.SixelImage, "sixel", cell)
        elif Detected is TGPImage:
            _graphics = (tiw.TGPImage, "kitty", cell)
        else:
            _graphics = (tiw.HalfcellImage, "halfblock", DEFAULT_CELL)
    return _graphics[1]


def graphics() -> tuple[Any, str, tuple[int, int]]:
    """The image widget class, its mode and the cell size in pixels (half blocks if never probed)."""
    if _graphics is None:
        from textual_image.widget import HalfcellImage

        return HalfcellImage, "halfblock", DEFAULT_CELL
    return _graphics


class ShotError(ValueError):
    """The file can't be shown as an image (the message says why)."""


def load_image(path: Path) -> Any:
    """The screenshot as an RGB Pillow image (raises :class:`ShotError` or ``OSError``)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ShotError(texts.image_too_large(img.width, img.height))
            return img.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ShotError):
            raise
        raise ShotError(texts.NOT_AN_IMAGE) from None


@dataclass(frozen=True)
class Window:
    """What part of the image fills how many cells."""

    box: tuple[int, int, int, int]  # left, top, right, bottom in image pixels
    cols: int
    rows: int
    x: int  # the clamped scroll position
    y: int


def crop_box(width: int, height: int, cols: int, rows: int, cell: tuple[int, int], zoom: float, x: int, y: int) -> Window:
    """The image region a ``cols`` × ``rows`` view shows at ``zoom`` (1 = the image's width fills the view)."""
    cols, rows = max(cols, 1), max(rows, 1)
    cw, ch = cell
    used_cols = max(1, min(cols, round(cols * zoom))) if zoom < 1 else cols
    region_w = width / zoom if zoom >= 1 else width
    scale = used_cols * cw / region_w  # screen pixels per image pixel
    region_h = rows * ch / scale
    x = int(min(max(x, 0), max(0, width - region_w)))
    y = int(min(max(y, 0), max(0, height - region_h)))
    right, bottom = min(width, x + math.ceil(region_w)), min(height, y + math.ceil(region_h))
    used_rows = max(1, min(rows, math.ceil((bottom - y) * scale / ch)))
    return Window((x, y, right, bottom), used_cols, used_rows, x, y)


class ShotView(Widget, can_focus=True):
    """A window on a screenshot that zooms and scrolls; the image is drawn by textual-image."""

    BINDINGS = [
        Binding("plus,equals_sign", "zoom(1)", "放大", tooltip="zoom in", id="shot.zoom_in"),
        Binding("minus", "zoom(-1)", "缩小", tooltip="zoom out", id="shot.zoom_out"),
        Binding("0", "fit", "适应宽度", tooltip="the page's width fills the view", id="shot.fit", show=False),
        Binding("up,k", "scroll_by(0,-1)", "上", tooltip="scroll up", id="shot.up", show=False),
        Binding("down,j", "scroll_by(0,1)", "下", tooltip="scroll down", id="shot.down", show=False),
        Binding("left,h", "scroll_by(-1,0)", "左", tooltip="scroll left", id="shot.left", show=False),
        Binding("right,l", "scroll_by(1,0)", "右", tooltip="scroll right", id="shot.right", show=False),
        Binding("pageup", "page(-1)", "上页", tooltip="a screen up", id="shot.page_up", show=False),
        Binding("pagedown,space", "page(1)", "下页", tooltip="a screen down", id="shot.page_down", show=False),
        Binding("home", "edge(-1)", "顶部", tooltip="top of the page", id="shot.top", show=False),
        Binding("end", "edge(1)", "底部", tooltip="bottom of the page", id="shot.bottom", show=False),
    ]
    DEFAULT_CSS = """
    ShotView { height: 1fr; }
    ShotView > #shot-status { height: auto; max-height: 4; color: $text-muted; }
    ShotView > #shot-image { width: auto; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.image: Any = None
        self.path: Path | None = None
        self.zoom = 1.0
        self.x = self.y = 0
        self.message = ""
        self.window: Window | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="shot-status")
        cls, _, _ = graphics()
        yield cls(id="shot-image")

    def on_mount(self) -> None:
        self.show_message("")

    def show_message(self, message: str, style: str = "dim") -> None:
        """Text instead of an image (no screenshot, an error, loading)."""
        self.image, self.window, self.message = None, None, message
        self.query_one("#shot-image").display = False
        self.query_one("#shot-status", Static).update(plain(message, style=style))

    def load(self, path: Path | None) -> None:
        """Show the PNG at ``path`` (decoded in a worker); None clears the view."""
        self.path = path
        if path is None:
            self.show_message("无截图 no screenshot in this record")
            return
        self.show_message("读取截图 loading the screenshot…")
        self._load(path)

    @work(thread=True, exclusive=True, group="shot")
    def _load(self, path: Path) -> None:
        try:
            image = load_image(path)
        except (ShotError, OSError) as exc:
            self.app.call_from_thread(self._failed, path, f"无法显示截图 cannot show the screenshot: {texts.error_text(exc)}")
            return
        self.app.call_from_thread(self._loaded, path, image)

    def _failed(self, path: Path, message: str) -> None:
        if path == self.path:
            self.show_message(message, style="red")

    def _loaded(self, path: Path, image: Any) -> None:
        if path != self.path:
            return
        self.image, self.zoom, self.x, self.y = image, 1.0, 0, 0
        self.query_one("#shot-image").display = True
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self.image is None:
            return
        _, mode, cell = graphics()
        cols, rows = self.size.width, max(self.size.height - 1, 1)
        w = crop_box(self.image.width, self.image.height, cols, rows, cell, self.zoom, self.x, self.y)
        self.window, self.x, self.y = w, w.x, w.y
        widget = self.query_one("#shot-image")
        widget.styles.width, widget.styles.height = w.cols, w.rows
        widget.image = self.image.crop(w.box)
        status = f"{MODE_NAMES[mode]} {self.zoom:.0%} · y {w.box[1]}–{w.box[3]}/{self.image.height} px"
        if len(status) + 30 < cols:
            status += " · +/- 缩放 zoom · ↑↓ 滚动 scroll"
        self.query_one("#shot-status", Static).update(Text(status, style="dim"))

    # -- actions -----------------------------------------------------------------------------
    def _region(self) -> tuple[int, int]:
        if self.window is None:
            return 1, 1
        left, top, right, bottom = self.window.box
        return max(right - left, 1), max(bottom - top, 1)

    def action_zoom(self, step: int) -> None:
        if self.image is None:
            return
        region_w, region_h = self._region()
        cx, cy = self.x + region_w / 2, self.y  # keep the top edge and the horizontal centre
        index = min(range(len(ZOOMS)), key=lambda i: abs(ZOOMS[i] - self.zoom))
        self.zoom = ZOOMS[min(max(index + step, 0), len(ZOOMS) - 1)]
        new_w = self.image.width / max(self.zoom, 1.0)
        self.x, self.y = int(cx - new_w / 2), int(cy)
        self.redraw()

    def action_fit(self) -> None:
        self.zoom, self.x = 1.0, 0
        self.redraw()

    def action_scroll_by(self, dx: int, dy: int) -> None:
        region_w, region_h = self._region()
        self.x += dx * max(region_w // 8, 1)
        self.y += dy * max(region_h // 8, 1)
        self.redraw()

    def action_page(self, direction: int) -> None:
        self.y += direction * max(self._region()[1] * 9 // 10, 1)
        self.redraw()

    def action_edge(self, direction: int) -> None:
        if self.image is not None:
            self.y = 0 if direction < 0 else self.image.height
            self.redraw()


class ScreenshotScreen(Screen[None]):
    """One screenshot on the whole screen, to read it: zoom and scroll."""

    BINDINGS = [Binding("escape,q", "back", "返回", tooltip="back", id="shot.back")]

    def __init__(self, path: Path, title: str = "") -> None:
        super().__init__()
        self.path = path
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="shot-body"):
            yield Static(plain(self.path, limit=400), id="shot-path")  # the page's title is in the header
            yield ShotView(id="shot")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"截图 screenshot · {self.title_text}" if self.title_text else "截图 screenshot"
        view = self.query_one(ShotView)
        view.load(self.path)
        view.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
