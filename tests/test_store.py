"""The workspace store: atomic writes, the inter-process lock, schema versions, crash safety."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
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


# ----------------------------------------------------------------- big quarters: documents out of the file


def _doc(n: int) -> dict:
    return {"schema": "inspector.check/1", "url": f"http://127.0.0.1/{n}/", "run": {"id": f"run-{n}"},
            "indicators": {f"i{k}": {"status": "review", "findings": [{"url": f"/p{j}", "where": "链接失效" * 5}
                                                                       for j in range(40)]} for k in range(15)}}


def test_check_documents_and_evidence_live_beside_the_database_and_read_back_whole(tmp_path):
    ws = Workspace(tmp_path)
    doc, recheck = _doc(1), _doc(2)
    ws.update_inspection("2026Q4", "3406000012", lambda r: {**r, "prefill": doc, "recheck": {"doc": recheck, "run": "r2"}})
    ws.add_evidence([{"quarter": "2026Q4", "code": "3406000012", "run": "run-1", "id": str(i), "title": "首页"} for i in range(30)])
    raw = (tmp_path / DB_NAME).read_text(encoding="utf-8")
    assert "链接失效" not in raw and "首页" not in raw and "\n" not in raw.strip()  # compact, documents elsewhere
    assert len(raw) < 3000
    reopened = Workspace(tmp_path)
    record = reopened.inspection("2026Q4", "3406000012")
    assert record["prefill"] == doc and record["recheck"] == {"doc": recheck, "run": "r2"}
    assert [e["id"] for e in reopened.evidence("2026Q4", "3406000012")] == [str(i) for i in range(30)]
    # a decision leaves the documents where they are: the same hash, no new file
    files = sorted((tmp_path / "docs").rglob("*.json"))
    assert len(files) == 3
    ws.update_inspection("2026Q4", "3406000012", lambda r: {**r, "decisions": {"x": {"status": "pass"}}})
    assert sorted((tmp_path / "docs").rglob("*.json")) == files
    assert reopened.inspection("2026Q4", "3406000012")["prefill"] == doc


def test_a_damaged_document_is_reported_not_read(tmp_path):
    ws = Workspace(tmp_path)
    ws.update_inspection("2026Q4", "3406000012", lambda r: {**r, "prefill": _doc(1)})
    (path,) = (tmp_path / "docs").rglob("*.json")
    path.write_bytes(path.read_bytes().replace("链接".encode(), "连接".encode(), 1))
    with pytest.raises(WorkspaceError, match="does not match its SHA-256"):
        ws.inspection("2026Q4", "3406000012")
    path.unlink()
    with pytest.raises(WorkspaceError, match="missing"):
        ws.inspection("2026Q4", "3406000012")


def test_a_workspace_written_before_reads_as_it_was_and_moves_out_when_written(tmp_path):
    """Records with their documents inline (and evidence rows in the table) as older versions wrote them."""
    doc = _doc(7)
    old = {"meta": {"1": {"schema": SCHEMA_VERSION}},
           "inspections": {"1": {"quarter": "2026Q4", "code": "3406000012", "prefill": doc, "decisions": {},
                                 "recheck": {"doc": _doc(8), "run": "r8"}}},
           "evidence": {"1": {"quarter": "2026Q4", "code": "3406000012", "run": "run-7", "id": "e1", "title": "首页"}}}
    (tmp_path / DB_NAME).write_text(json.dumps(old, ensure_ascii=False, indent=1), encoding="utf-8")
    ws = Workspace(tmp_path)
    assert ws.inspection("2026Q4", "3406000012")["prefill"] == doc
    assert ws.inspection("2026Q4", "3406000012")["recheck"]["doc"] == _doc(8)
    ws.add_evidence([{"quarter": "2026Q4", "code": "3406000012", "run": "run-9", "id": "e2", "title": "栏目"}])
    assert [e["id"] for e in ws.evidence("2026Q4", "3406000012")] == ["e1", "e2"]
    ws.update_inspection("2026Q4", "3406000012", lambda r: {**r, "progress": "in review"})
    stored = json.loads((tmp_path / DB_NAME).read_text(encoding="utf-8"))["inspections"]
    (rec,) = stored.values()
    assert "prefill" not in rec and "prefill_ref" in rec and "doc" not in rec["recheck"]
    record = Workspace(tmp_path).inspection("2026Q4", "3406000012")
    assert record["prefill"] == doc and record["progress"] == "in review" and record["recheck"]["doc"] == _doc(8)


def test_reads_parse_the_file_once_per_version(tmp_path, monkeypatch):
    from inspector.core import store

    ws = Workspace(tmp_path)
    ws.upsert_sites([_site("3406000012")])
    reads = []
    real = store.AtomicJSONStorage.read
    monkeypatch.setattr(store.AtomicJSONStorage, "read", lambda self: reads.append(1) or real(self))
    for _ in range(5):
        assert ws.site("3406000012") and ws.sites() and ws.inspection("2026Q4", "x") is None
    assert len(reads) == 1
    # another process's commit is seen at the next read
    subprocess.run([sys.executable, "-c", "import sys; from inspector.core.store import Workspace;"
                    "Workspace(sys.argv[1]).upsert_sites([{'code': '3406000099', 'name': 'n', 'url': 'http://x/'}])",
                    str(tmp_path)], check=True, timeout=60)
    assert {s["code"] for s in ws.sites()} == {"3406000012", "3406000099"}
    assert len(reads) == 2
    # what a reader gets is its own copy: changing it changes nothing stored or cached
    ws.save_sample({"quarter": "2026Q4", "codes": ["3406000012"]})
    ws.sample("2026Q4")["codes"].append("改掉")
    ws.inspection("2026Q4", "3406000012")  # (none) and a record's nested parts alike
    assert ws.sample("2026Q4")["codes"] == ["3406000012"]


DOC_WRITER = textwrap.dedent(
    """
    import sys
    from inspector.core.store import Workspace
    ws = Workspace(sys.argv[1])
    n = int(sys.argv[2])
    while True:
        n += 1
        doc = {"n": n, "pad": ["抽查%d" % n] * 2000}
        ws.update_inspection("2026Q4", "c%d" % (n % 7), lambda r: {**r, "n": n, "prefill": doc})
        print(n, flush=True)
    """
)


@pytest.mark.slow
def test_sigkill_while_storing_documents_never_leaves_a_dangling_reference(tmp_path):
    Workspace(tmp_path).upsert_sites([_site(f"34{i:08d}") for i in range(400)])
    committed, rng = 0, random.Random(15)
    for _ in range(60):
        proc = subprocess.Popen([sys.executable, "-c", DOC_WRITER, str(tmp_path), str(committed)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        time.sleep(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        printed = [int(x) for x in (line + proc.communicate()[0]).split()]
        reopened = Workspace(tmp_path)
        records = reopened.inspections("2026Q4")  # every reference resolves and verifies
        assert all(r["prefill"]["n"] == r["n"] for r in records)
        newest = max(r["n"] for r in records)
        assert newest >= max(printed, default=committed)
        committed = newest
    assert committed >= 60


def test_a_shared_workspace_keeps_its_mode_and_group_across_writes(tmp_path):
    """Every write replaced inspector.json with a 0600 file: a colleague sharing the workspace lost access."""
    ws = Workspace(tmp_path)
    ws.upsert_sites([_site("3406000012")])
    db = tmp_path / DB_NAME
    old_umask = os.umask(0o022)
    try:
        fresh = Workspace(tmp_path / "fresh")
        fresh.upsert_sites([_site("3406000012")])
        assert stat.S_IMODE((tmp_path / "fresh" / DB_NAME).stat().st_mode) == 0o644  # 0666 less the umask
    finally:
        os.umask(old_umask)
    os.chmod(db, 0o660)
    group = next((g for g in os.getgroups() if g != db.stat().st_gid), None) if os.geteuid() != 0 else 4242
    if group is not None:
        os.chown(db, -1, group)
    for n in range(3):
        ws.upsert_sites([_site(f"34060000{20 + n}")])
        assert stat.S_IMODE(db.stat().st_mode) == 0o660
        if group is not None:
            assert db.stat().st_gid == group
