"""The README's demo → export → verify → province sequence, copied line by line into a real shell.

A fresh account (HOME is a temporary directory, no INSPECTOR_* variable): bash runs in a detached tmux
session and gets each line of the README's ``<!-- demo-sequence -->`` block as it is written. On the
`inspector demo` line the TUI opens; the test answers its first-run question (the inspector's name),
checks that the header names the demo's workspace, and quits with ctrl+q, as a person would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow  # tmux is part of the set-up (make setup): missing, the test fails
PROMPT = "READY["


def readme_sequence() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- demo-sequence -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "the README lost its demo sequence"
    return [line for line in block.group(1).splitlines() if line.strip()]


class Shell:
    """bash in a private tmux server: type lines, read the whole scrollback."""

    def __init__(self, home: Path) -> None:
        self.socket = f"inspector-readme-{uuid.uuid4().hex[:8]}"
        env = {"HOME": str(home), "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "TERM": "xterm-256color",
               "LANG": "C.UTF-8", "PS1": PROMPT + "$?]$ ", "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
        command = "env -i " + " ".join(f"{k}='{v}'" for k, v in env.items()) + " bash --norc --noprofile"
        self.tmux("new-session", "-d", "-s", "main", "-x", "160", "-y", "45", "-c", str(home), command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True,
                              timeout=30).stdout

    def screen(self, history: bool = True) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-t", "main", *(["-S", "-5000"] if history else []))

    def type(self, line: str) -> None:
        self.tmux("send-keys", "-t", "main", "-l", line)
        self.tmux("send-keys", "-t", "main", "Enter")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def wait(self, ok, what: str, timeout: float = 120.0, history: bool = True) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(history)
            if ok(screen):
                return screen
            time.sleep(0.25)
        raise AssertionError(f"{what} never showed; the screen was:\n{screen[-4000:]}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def test_the_readme_sequence_runs_as_written(tmp_path: Path):
    lines = readme_sequence()
    assert lines[0].startswith("inspector demo") and "province report" in lines[-1]
    shell = Shell(tmp_path)
    try:
        shell.wait(lambda s: s.count(PROMPT) >= 1, "the shell prompt")
        prompts = 1
        for line in lines:
            shell.type(line)
            if line.startswith("inspector demo"):
                screen = shell.wait(lambda s: "检查人员" in s, "the first-run name question", history=False)
                shell.type("王检查")
                screen = shell.wait(lambda s: "inspector: 王检查" in s, "the name saved", history=False)
                assert "inspector/demo" in screen  # the header names the demo's workspace
                shell.keys("C-q")
            screen = shell.wait(lambda s: s.count(PROMPT) > prompts, f"the end of: {line}", timeout=240)
            prompts = screen.count(PROMPT)
            status = re.findall(r"READY\[(\d+)\]", screen)[-1]
            assert status == "0", f"{line!r} failed:\n{screen[-3000:]}"
        out = shell.screen()
    finally:
        shell.close()
    workspace = tmp_path / ".local" / "share" / "inspector" / "demo"
    assert f"演示工作区 demo workspace: {workspace}" in out  # printed before the TUI opened
    assert f"inspector --workspace {workspace} keys generate" in out  # and the next commands after it
    assert "核验通过：demo-2026Q4.zip 完整无损，且由所给公钥签名" in out
    assert "未完成" in out  # export listed the sites not done
    assert "云溪市" in out and "合格率" in out and "None" not in out.split("province report")[-1]
    record = (workspace / "inspector.json").read_text(encoding="utf-8")
    assert "王检查" in record  # the name asked at first run is kept in the workspace
    assert (tmp_path / "demo-2026Q4.zip").is_file() and (tmp_path / "province" / "province").is_dir()
