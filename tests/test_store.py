"""The workspace store: atomic writes, the inter-process lock, schema versions, crash safety."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from inspector.core.store import DB_NAME, SCHEMA_VERSION, Workspace, WorkspaceError, WorkspaceLocked


def _site(code: str, name: str = "测试网站") -> dict:
    return {"code": code, "name": name, "url": f"http://127.0.0.1/{code}/", "level": "县级", "region": "", "running": True}


def test_upsert_is_batched_utf8_without_escapes(tmp_path):
    ws = Workspace(tmp_path)
    assert ws.upsert_sites([_site("3406000012", "宜春市人民政府"), _site("3406000013")]) == (2, 0)
    assert ws.upsert_sites([_site("3406000012", "中国宜春")]) == (0, 1)
    raw = (tmp_path / DB_NAME).read_text(encoding="utf-8")
    assert "中国宜春" in raw and "\\u" not in raw
    assert [s["name"] for s in ws.sites()] == ["中国宜春", "测试网站"]
    assert json.loads(raw)["meta"]["1"]["schema"] == SCHEMA_VERSION


def test_a_failed_transaction_changes_nothing(tmp_path):
    ws = Workspace(tmp_path)
    ws.upsert_sites([_site("3406000012")])
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(RuntimeError):
        with ws.transaction() as db:
            db.table("sites").truncate()
            raise RuntimeError("boom")
    assert (tmp_path / DB_NAME).read_bytes() == before


def test_newer_schema_is_refused_with_a_message(tmp_path):
    Workspace(tmp_path).upsert_sites([_site("3406000012")])
    data = json.loads((tmp_path / DB_NAME).read_text(encoding="utf-8"))
    data["meta"]["1"]["schema"] = SCHEMA_VERSION + 1
    (tmp_path / DB_NAME).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WorkspaceError, match="newer inspector"):
        Workspace(tmp_path)


def test_garbage_db_file_is_reported_not_overwritten(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"\x00\x01 not json")
    with pytest.raises(WorkspaceError):
        Workspace(tmp_path)
    assert (tmp_path / DB_NAME).read_bytes() == b"\x00\x01 not json"


HOLDER = textwrap.dedent(
    """
    import sys, time
    from inspector.core.store import Workspace
    ws = Workspace(sys.argv[1])
    with ws.transaction() as db:
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        db.table("sites").insert({"code": "from-holder"})
    """
)


def test_a_second_writer_waits_briefly_then_gets_a_clear_error(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), "3"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceLocked, match="another inspector process"):
            Workspace(tmp_path, lock_timeout=0.3).upsert_sites([_site("3406000012")])
    finally:
        holder.wait(10)
    # the holder committed, and now a writer that waits long enough gets through after it
    Workspace(tmp_path).upsert_sites([_site("3406000012")])
    codes = {s["code"] for s in Workspace(tmp_path).sites()}
    assert codes == {"from-holder", "3406000012"}


def test_waiting_writer_gets_in_after_the_holder(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), "0.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    Workspace(tmp_path, lock_timeout=10).upsert_sites([_site("3406000012")])
    holder.wait(10)
    assert {s["code"] for s in Workspace(tmp_path).sites()} == {"from-holder", "3406000012"}


WRITER = textwrap.dedent(
    """
    import sys
    from inspector.core.store import Workspace
    ws = Workspace(sys.argv[1])
    n = int(sys.argv[2])
    while True:
        n += 1
        with ws.transaction() as db:
            db.table("samples").insert({"quarter": "q%d" % n, "n": n, "pad": "抽查" * 200})
        print(n, flush=True)
    """
)


@pytest.mark.slow
def test_sigkill_during_writes_never_corrupts_or_loses_a_commit(tmp_path):
    """Kill a writer with SIGKILL >= 200 times; every reopen must be readable with all commits."""
    ws = Workspace(tmp_path)
    ws.upsert_sites([_site(f"34{i:08d}") for i in range(400)])  # a realistically sized file to tear
    committed = 0
    rng = random.Random(7)
    kills = 0
    while kills < 200:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(committed)],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()  # at least one commit, so the kill lands among writes
        time.sleep(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        rest = proc.communicate()[0]
        kills += 1
        printed = [int(x) for x in (line + rest).split()]
        last_acknowledged = max(printed) if printed else committed
        reopened = Workspace(tmp_path)  # must not raise
        numbers = sorted(s["n"] for s in reopened.samples())
        assert numbers, "committed samples vanished"
        # every acknowledged commit is there, and nothing beyond one in-flight transaction
        assert numbers[-1] >= last_acknowledged
        assert numbers == list(range(1, numbers[-1] + 1))
        assert len(reopened.sites()) == 400
        committed = numbers[-1]
    assert kills == 200 and committed >= 200
    leftovers = [p for p in Path(tmp_path).iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= 1  # a killed write's temp file is cleaned by the next writer
