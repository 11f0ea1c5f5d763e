"""Hostile inputs for the hostile suite: huge pages, gzip bombs, a process-tree memory meter, and the
sandbox every hostile case runs the real CLI in.

Nothing here is held in memory whole: the 200 MB page is generated chunk by chunk, the gzip bomb
is built from one independently compressed segment repeated (a full flush makes each segment
decodable on its own), so a 2 GB bomb costs 2 MB and a fraction of a second.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.httpfixtures import Stream

MB = 1024 * 1024


def huge_page(size: int = 200 * MB, *, chunk: int = MB) -> Stream:
    """An HTML page of ``size`` bytes (Chinese paragraphs), with a Content-Length, streamed."""
    head = "<!doctype html><html><head><meta charset='utf-8'><title>巨大页面</title></head><body>".encode()
    line = ("<p>" + "政府网站信息公开" * 40 + "</p>\n").encode()
    body_chunk = line * max(1, chunk // len(line))

    def chunks() -> Iterator[bytes]:
        yield head
        sent = len(head)
        while sent < size:
            part = body_chunk[: size - sent]
            yield part
            sent += len(part)

    return Stream({"Content-Type": "text/html; charset=utf-8", "Content-Length": str(size)}, chunks)


def _segment(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)


@cache
def gzip_bomb_bytes(blocks: int = 2048) -> tuple[bytes, int]:
    """A valid gzip stream of an HTML page of ``blocks`` MiB of spaces; returns (bytes, inflated size)."""
    head, tail = b"<!doctype html><html><body><p>", b"</p></body></html>"
    block = b" " * MB
    final = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + blocks * len(block) + len(tail)
    data = (
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
        + _segment(head)
        + _segment(block) * blocks
        + final.compress(tail)
        + final.flush()
        + struct.pack("<II", crc, size & 0xFFFFFFFF)
    )
    return data, size


def gzip_bomb(blocks: int = 2048) -> Stream:
    """A page served ``Content-Encoding: gzip`` that inflates to ``blocks`` MiB (2 GiB by default)."""
    data, _ = gzip_bomb_bytes(blocks)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(data), 64 * 1024):
            yield data[i : i + 64 * 1024]

    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Content-Length": str(len(data))}
    return Stream(headers, chunks)


# --------------------------------------------------------------------------- memory of a process tree


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _field(path: str, name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) bytes of ``pid`` and all its descendants (Linux /proc); (0, 0) once it is gone.

    PSS splits pages shared between processes among them, so the sum is what the tree costs the
    machine; the RSS sum counts Chromium's shared code once per process and overstates it.
    """
    kids = _children()
    pss = rss = 0
    todo, seen = [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        rss += _field(f"/proc/{p}/status", "VmRSS:")
        pss += _field(f"/proc/{p}/smaps_rollup", "Pss:")
        todo.extend(kids.get(p, []))
    return pss, rss


class PeakMeter:
    """Samples a process tree's memory every ``every`` seconds in a thread: ``peak`` (PSS) and
    ``peak_rss`` are the maxima seen.

    ``kill_above`` (bytes of PSS) kills the tree when crossed, so a regression cannot take the
    machine down with it; ``tripped`` says it happened.
    """

    def __init__(self, pid: int, *, every: float = 0.05, kill_above: int | None = None) -> None:
        self.pid, self.every, self.kill_above = pid, every, kill_above
        self.peak = self.peak_rss = 0
        self.tripped = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pss, rss = tree_memory(self.pid)
            self.peak, self.peak_rss = max(self.peak, pss), max(self.peak_rss, rss)
            if self.kill_above and pss > self.kill_above and not self.tripped:
                self.tripped = True
                _kill_tree(self.pid)
            time.sleep(self.every)

    def __enter__(self) -> PeakMeter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def _kill_tree(pid: int) -> None:
    import signal

    kids = _children()
    todo, tree = [pid], []
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(kids.get(p, []))
    for p in tree:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


# --------------------------------------------------------------------------- the sandbox of the real CLI

INSPECTOR = str(Path(sys.executable).with_name("inspector"))
ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # what a terminal acts on


@dataclass
class Sandbox:
    """``inspector`` run with its own HOME, TMPDIR and working directory under ``root``, the workspace
    in ``root/ws``. Every run asserts no traceback, no terminal control character on any output, and
    that nothing was written outside the workspace (``cwd`` is where a test puts its input files)."""

    root: Path

    @property
    def ws(self) -> Path:
        return self.root / "ws"

    @property
    def cwd(self) -> Path:
        (self.root / "cwd").mkdir(exist_ok=True)
        return self.root / "cwd"

    def tree(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if not p.is_relative_to(self.ws))

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180,
            meter: dict[str, int] | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``inspector --workspace ws *args``; with ``meter`` (``{"kill_above": bytes}``) the
        process tree's memory is sampled meanwhile and ``meter`` gets its ``peak`` (PSS) and
        ``peak_rss``, ``tripped`` if it went past ``kill_above`` and was killed."""
        home, tmp, cwd = self.root / "home", self.root / "tmp", self.cwd
        home.mkdir(exist_ok=True)
        tmp.mkdir(exist_ok=True)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
        environ.update(HOME=str(home), TMPDIR=str(tmp), XDG_DATA_HOME=str(home / ".local" / "share"), **(env or {}))
        before = self.tree()
        proc = subprocess.Popen([INSPECTOR, "--workspace", str(self.ws), *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=environ, cwd=cwd)
        if meter is None:
            out, err = proc.communicate(timeout=timeout)
        else:
            with PeakMeter(proc.pid, kill_above=meter.get("kill_above")) as peak:
                out, err = proc.communicate(timeout=timeout)
            meter.update(peak=peak.peak, peak_rss=peak.peak_rss, tripped=int(peak.tripped))
            assert not peak.tripped, f"went past {meter['kill_above'] / 1e9:g} GB and was killed"
        r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        assert self.tree() == before, f"written outside the workspace: {sorted(set(self.tree()) - set(before))}"
        assert "Traceback" not in r.stderr, r.stderr
        assert not ESCAPES.search(r.stdout + r.stderr.replace("\n", "")), "control characters reached the terminal"
        return r


def refused(r: subprocess.CompletedProcess[str], *words: str, code: int = 2) -> None:
    """Exit status ``code`` and exactly one line on stderr, naming each of ``words``."""
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for word in words:
        assert word in lines[0], lines[0]
