"""A real-terminal smoke test: the CLI's TUI in a detached tmux session (120x40, xterm-256color).

Starts ``python -m inspector.cli --workspace WS`` on a prepared workspace, sends keys to
reach a site's inspection screen, and reads the screen back with ``capture-pane``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.test_tui import build_workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _tmux_installed():
    # `make setup` installs tmux: its absence is a broken set-up, not a reason to skip
    assert shutil.which("tmux"), "tmux is not installed (make setup installs it)"


# a server of this test's own: sessions of other tests (or of the user) on the default server
# could impose their window size on ours
SOCKET = f"inspector-test-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True, timeout=20).stdout


def alive(session: str) -> bool:
    return subprocess.run(["tmux", "-L", SOCKET, "has-session", "-t", session], capture_output=True, timeout=20).returncode == 0


def wait_for(session: str, needle: str, timeout: float = 30.0) -> str:
    """Poll the pane until ``needle`` shows (the TUI starts and redraws asynchronously)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


def test_inspection_screen_in_a_real_terminal(tmp_path: Path):
    ws = build_workspace(tmp_path / "ws")
    session = f"inspector-{uuid.uuid4().hex[:8]}"
    # no COLUMNS/LINES (pytest-xdist's workers set 80x24): the terminal's size is tmux's window
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
    command = f"{sys.executable} -m inspector.cli --workspace {ws.root}"
    subprocess.run(
        ["tmux", "-L", SOCKET, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command],
        check=True, env=env, cwd=ROOT, timeout=20,
    )
    try:
        wait_for(session, "3406000013")
        tmux("send-keys", "-t", session, "Down")
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "Enter")
        screen = wait_for(session, "站点无法访问")
        for name in ("单项否决", "网站不更新", "链接可用性", "办事指南", "在线系统"):
            assert name in wait_for(session, name), name
        assert "袁州区人民政府" in screen and "不合格 fail" in screen and "否决 veto 1" in screen
        tmux("send-keys", "-t", session, "Escape")
        wait_for(session, "抽样 3 个网站")
        tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and alive(session):
            time.sleep(0.2)
        assert not alive(session), "ctrl+q did not quit the app"
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True, timeout=20)
