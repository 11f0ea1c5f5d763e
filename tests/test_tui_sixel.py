"""Real images where the terminal supports them: the console script in a pseudo-terminal that answers like a
Sixel terminal (Windows Terminal, xterm, foot…) draws the evidence screenshot as Sixel graphics.

The only stand-in is the terminal's answer to the device-attributes query (``ESC [ c`` → ``ESC [ ? 62 ; 4 c``,
4 = Sixel): no Sixel terminal can run here. Everything else is the real program on a real pty.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.test_tui import build_workspace

DA1_QUERY = b"\x1b[c"
SIXEL_ANSWER = b"\x1b[?62;4;22c"  # VT220 with Sixel graphics (what xterm -ti vt340 and Windows Terminal say)
SIXEL = re.compile(rb"\x1bP[0-9;]*q")  # the start of a Sixel image (DCS ... q)


class Terminal:
    """The program on a pty of 100x32 cells of 10x20 px; collects everything it writes."""

    def __init__(self, argv: list[str], env: dict[str, str], answer_sixel: bool) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 32, 100, 640, 1000))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
                                     close_fds=True)
        os.close(slave)
        self.answer_sixel = answer_sixel
        self.output = b""

    def pump(self, seconds: float, until: re.Pattern[bytes] | None = None, start: int = 0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return False
                if DA1_QUERY in chunk and self.answer_sixel:
                    os.write(self.master, SIXEL_ANSWER)
                self.output += chunk
            if until is not None and until.search(self.output, start):
                return True
        return False

    def keys(self, *keys: bytes, gap: float = 0.4) -> None:
        for key in keys:
            os.write(self.master, key)
            self.pump(gap)

    def close(self) -> None:
        try:
            os.write(self.master, b"\x11")  # ctrl+q
            self.pump(3)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=10)
            os.close(self.master)


def run(tmp_path: Path, answer_sixel: bool) -> tuple[bytes, int]:
    ws = build_workspace(tmp_path / "ws")
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "32"}
    term = Terminal([sys.executable, "-m", "inspector.cli", "--workspace", str(ws.root)], env, answer_sixel)
    try:
        assert term.pump(60, re.compile("宜春市人民政府".encode())), term.output[-2000:]
        term.keys(b"\r", gap=1.5)  # the first site's inspection
        term.keys(*[b"\x1b[B"] * 6)  # down to 链接可用性 (the finding with evidence)
        mark = len(term.output)
        term.keys(b"e", gap=0.2)
        term.pump(20, re.compile("一致".encode()), mark)
        term.pump(3, SIXEL, mark)
        return term.output[mark:], mark
    finally:
        term.close()


@pytest.mark.skipif(sys.platform.startswith("win"), reason="a POSIX pseudo-terminal")
def test_a_sixel_terminal_gets_the_screenshot_as_sixel_graphics(tmp_path: Path):
    shown, _ = run(tmp_path, answer_sixel=True)
    assert SIXEL.search(shown), shown[-3000:]
    assert "Sixel 100%".encode() in shown


@pytest.mark.skipif(sys.platform.startswith("win"), reason="a POSIX pseudo-terminal")
def test_a_terminal_without_graphics_gets_half_blocks(tmp_path: Path):
    shown, _ = run(tmp_path, answer_sixel=False)
    assert not SIXEL.search(shown)
    assert "▀".encode() in shown and "半块 half-block".encode() in shown
