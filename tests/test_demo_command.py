"""`inspector demo --no-tui`: serves the region, prepares the demo workspace, prints the URLs."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx

from inspector.core.store import Workspace
from tests.httpfixtures import interruptible


def test_demo_prepares_a_workspace_and_serves_until_interrupted(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "inspector.cli", "--workspace", str(tmp_path), "demo", "--no-tui", "--port", "0",
         "--as-of", "2026-11-20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("serving"):
                break
        urls = [part for line in lines for part in line.split() if part.startswith("http://127.0.0.1:")]
        assert len(urls) >= 8
        assert httpx.get(urls[0], timeout=5).status_code == 200  # really served
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    ws = Workspace(tmp_path)
    assert len(ws.sites()) == 12
    sample = ws.sample("2026Q4")
    assert sample and sample["seed"] == 2026 and sample["size"] >= 9
    assert "2026Q4" in lines[0]
