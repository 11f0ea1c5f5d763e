"""The workspace: the only module that touches the TinyDB file.

Layout of a workspace directory::

    inspector.json        TinyDB: meta, sites, samples, inspections, evidence (records people read/edit)
    .inspector.lock       inter-process write lock
    docs/<ab>/<sha256>.json   bulky documents, content-addressed: an inspection's check document
                          (``prefill``, ``recheck.doc``) and a run's evidence records, referenced
                          from TinyDB by SHA-256 and verified when read
    runs/<quarter>/<code>/<run>/   bulky machine output: pages.jsonl, links.jsonl, probes.jsonl,
                                   check.json, evidence files (referenced and hashed from the records)

Writes are transactions: take the lock (waiting briefly), read the current file, apply
every change in memory, then write once to a temp file, fsync, and ``os.replace`` it over
the old one (then fsync the directory). A crash at any point leaves either the old or the
new file, never a torn one. Readers never need the lock. A document is written (atomically,
under its hash) before the transaction that references it commits, so a crash leaves at
worst an unreferenced document, never a reference to a missing one.

Keeping the documents out of the TinyDB file keeps every transaction small: on a quarter of
100 checked sites a decision rewrites a few hundred kilobytes, not megabytes. Reads go through
a parsed snapshot cached by the file's identity (inode, size, modification and change times),
so a screen that asks for a record does not re-read the file unless it changed. Workspaces
written before (documents inline in the records) are read as they are; a record's documents
move out when it is next written.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import stat
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage, Storage

SCHEMA_VERSION = 1
DB_NAME = "inspector.json"
LOCK_NAME = ".inspector.lock"
TABLES = ("meta", "sites", "samples", "inspections", "evidence", "monitor", "province", "keyring")
DOCS_DIR = "docs"


class WorkspaceError(RuntimeError):
    """A workspace cannot be opened or written (the message is for the user)."""


class WorkspaceLocked(WorkspaceError):
    pass


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- atomic file + lock


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new content, never a mix.

    The new file keeps the old one's mode and group (a workspace shared with colleagues stays
    readable to them); a file written for the first time gets the usual mode (0666 less the umask).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            _keep_owner_and_mode(fh.fileno(), path)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _new_temp(path: Path) -> tuple[int, str]:
    """A new temp file beside ``path`` created 0666 & ~umask (mkstemp's 0600 would end up on ``path``)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        name = str(path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue


def _keep_owner_and_mode(fd: int, path: Path) -> None:
    try:
        old = os.stat(path)
    except FileNotFoundError:
        return
    if hasattr(os, "fchown") and old.st_gid != os.fstat(fd).st_gid:
        with contextlib.suppress(OSError):  # not a member of that group: the mode still carries over
            os.fchown(fd, -1, old.st_gid)
    if hasattr(os, "fchmod"):  # (not on Windows, where only a read-only bit exists)
        os.fchmod(fd, stat.S_IMODE(old.st_mode))


class FileLock:
    """An exclusive inter-process lock on a file (fcntl on POSIX, msvcrt on Windows)."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        self._fh: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                _lock(fh)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    fh.close()
                    raise WorkspaceLocked(
                        f"workspace {self.path.parent} is being written by another inspector process; "
                        "try again in a moment"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fh)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


#: The fields every record of a table is read by (a record without them cannot be shown or used).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "sites": ("code",),
    "samples": ("quarter",),
    "inspections": ("quarter", "code"),
    "evidence": ("quarter", "code"),
    "province": ("quarter", "dir"),
    "keyring": ("city", "key"),
}


def damaged_record(data: Any) -> str | None:
    """Why the database cannot be used as it is — naming the table and the record id — or None."""
    if not isinstance(data, dict):
        return None  # the schema check names a database of the wrong shape
    for table, fields in REQUIRED_FIELDS.items():
        records = data.get(table)
        if not isinstance(records, dict):
            continue
        for doc_id, record in records.items():
            missing = [f for f in fields if not isinstance(record, dict) or not isinstance(record.get(f), str)
                       or not record.get(f)]
            if missing:
                return (f"工作区数据损坏：表 {table} 的记录 {doc_id} 缺少 {', '.join(missing)}"
                        "（或类型不对）；请从备份恢复，或修正/删除该记录")
    return None


class AtomicJSONStorage(Storage):
    """TinyDB storage that persists with :func:`atomic_write_bytes` (UTF-8, no ``\\u`` escapes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WorkspaceError(f"{self.path} 不是可读的工作区数据库：{exc}") from None
        except RecursionError:
            raise WorkspaceError(f"{self.path} 不是可读的工作区数据库：嵌套过深") from None
        damaged = damaged_record(data)
        if damaged:
            raise WorkspaceError(f"{self.path}: {damaged}")
        return data

    def write(self, data: dict[str, Any]) -> None:
        # compact: an indented dump of a big quarter costs four times as long to write
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)  # no NaN/Infinity
        atomic_write_bytes(self.path, text.encode("utf-8"))


# --------------------------------------------------------------------------- the workspace


@dataclass
class Workspace:
    root: Path
    lock_timeout: float = 10.0
    _holder: int | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).expanduser()
        self.db_path = self.root / DB_NAME
        self._cached: tuple[tuple[int, ...], dict[str, Any]] | None = None
        self._check_schema(self._data())

    # -- opening -------------------------------------------------------------------------
    def _check_schema(self, data: dict[str, Any] | None) -> None:
        if not data:
            return
        meta = data.get("meta", {}) if isinstance(data, dict) else None
        if not isinstance(meta, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise WorkspaceError(f"{self.db_path} is not an inspector workspace database (unexpected structure)")
        versions = [rec.get("schema") for rec in meta.values() if isinstance(rec, dict)]
        version = versions[0] if versions else None
        if not isinstance(version, int):
            raise WorkspaceError(f"{self.db_path} has no schema version: not an inspector workspace")
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"workspace {self.root} was written by a newer inspector (schema {version}, this one "
                f"reads up to {SCHEMA_VERSION}); upgrade inspector to open it"
            )

    def _data(self) -> dict[str, Any]:
        """The committed state, parsed once per version of the file (shared: never mutate it).

        A version is known by the file's inode, size and modification/change times: every
        commit replaces the file by a new one, so a changed file never keeps all four.
        """
        try:
            st = os.stat(self.db_path)
        except FileNotFoundError:
            return {}
        key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        cached = self._cached
        if cached is not None and cached[0] == key:
            return cached[1]
        data = AtomicJSONStorage(self.db_path).read() or {}
        self._cached = (key, data)
        return data

    # -- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the write lock across several steps (files written beside the database, then a
        transaction): no other process writes in between. Transactions of this thread inside
        reuse the lock."""
        if self._holder == threading.get_ident():
            yield
            return
        with FileLock(self.root / LOCK_NAME, self.lock_timeout):
            self._holder = threading.get_ident()
            try:
                yield
            finally:
                self._holder = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[TinyDB]:
        """Lock, load, yield an in-memory TinyDB, and commit it atomically once on success."""
        with self.locked():
            current = AtomicJSONStorage(self.db_path).read() or {}  # fresh under the lock, parsed once
            self._check_schema(current)
            self._remove_stale_temps()
            db = TinyDB(storage=MemoryStorage)
            db.storage.write(current)  # type: ignore[attr-defined]
            meta = db.table("meta")
            if not meta.all():
                meta.insert({"schema": SCHEMA_VERSION, "created_at": utcnow()})
            yield db
            AtomicJSONStorage(self.db_path).write(db.storage.read() or {})  # type: ignore[attr-defined]
            self._cached = None

    def _remove_stale_temps(self) -> None:
        """Temp files left by a writer that crashed mid-write (we hold the lock: none is live)."""
        for tmp in self.root.glob(f".{DB_NAME}.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()

    def snapshot(self) -> TinyDB:
        """A read-only in-memory view of the current committed state (no lock needed; do not
        modify what it returns: it is the cached parse, shared until the file changes)."""
        db = TinyDB(storage=MemoryStorage)
        db.storage.write(self._data())  # type: ignore[attr-defined]
        return db

    # -- workspace settings (the meta record: schema, created_at, the inspector's name) -----
    def meta(self) -> dict[str, Any]:
        found = self.snapshot().table("meta").all()
        return dict(found[0]) if found else {}

    def set_meta(self, **values: Any) -> None:
        with self.transaction() as db:
            db.table("meta").update(values)

    # -- bulky documents, content-addressed --------------------------------------------------
    def _doc_path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise WorkspaceError(f"{self.db_path}: bad document reference {digest[:80]!r}")
        return self.root / DOCS_DIR / digest[:2] / f"{digest}.json"

    def put_doc(self, doc: Any) -> dict[str, Any]:
        """Store a JSON document under its SHA-256 (once) and return the reference to keep."""
        raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        digest = hashlib.sha256(raw).hexdigest()
        path = self._doc_path(digest)
        if not (path.is_file() and path.stat().st_size == len(raw)):
            atomic_write_bytes(path, raw)
        return {"sha256": digest, "size": len(raw)}

    def get_doc(self, ref: Any) -> Any:
        """The document behind a reference, its hash verified (a damaged file is an error)."""
        digest = str((ref or {}).get("sha256", "")) if isinstance(ref, dict) else ""
        path = self._doc_path(digest)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise WorkspaceError(f"{path} is missing: the workspace is incomplete") from None
        if hashlib.sha256(raw).hexdigest() != digest:
            raise WorkspaceError(f"{path} does not match its SHA-256: the workspace is damaged")
        return json.loads(raw)

    def _hydrate(self, record: Any) -> dict[str, Any]:
        """A stored inspection record as callers see it: its own copy, documents in place."""
        out = copy.deepcopy(dict(record))
        if "prefill_ref" in out:
            out["prefill"] = self.get_doc(out.pop("prefill_ref"))
        recheck = out.get("recheck")
        if isinstance(recheck, dict) and "doc_ref" in recheck:
            recheck["doc"] = self.get_doc(recheck.pop("doc_ref"))
        return out

    def _dehydrate(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as stored: its documents moved out to ``docs/`` (written before the commit)."""
        out = dict(record)
        if out.get("prefill") is not None:
            out["prefill_ref"] = self.put_doc(out.pop("prefill"))
        else:
            out.pop("prefill", None)
        recheck = out.get("recheck")
        if isinstance(recheck, dict) and recheck.get("doc") is not None:
            recheck = dict(recheck)
            recheck["doc_ref"] = self.put_doc(recheck.pop("doc"))
            out["recheck"] = recheck
        return out

    # -- sites ------------------------------------------------------------------------------
    def sites(self) -> list[dict[str, Any]]:
        return sorted((copy.deepcopy(dict(d)) for d in self.snapshot().table("sites").all()), key=lambda s: s["code"])

    def site(self, code: str) -> dict[str, Any] | None:
        found = self.snapshot().table("sites").get(Query().code == code)
        return copy.deepcopy(dict(found)) if found else None

    def upsert_sites(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Insert or update sites by code in one write. Returns (added, updated)."""
        added = updated = 0
        with self.transaction() as db:
            table = db.table("sites")
            existing = {d["code"]: d.doc_id for d in table.all()}
            new_docs = []
            for row in rows:
                row = {**row, "updated_at": utcnow()}
                if row["code"] in existing:
                    table.update(row, doc_ids=[existing[row["code"]]])
                    updated += 1
                else:
                    new_docs.append(row)
                    existing[row["code"]] = -1
            if new_docs:
                table.insert_multiple(new_docs)
                added = len(new_docs)
        return added, updated

    # -- samples ----------------------------------------------------------------------------
    def sample(self, quarter: str) -> dict[str, Any] | None:
        found = self.snapshot().table("samples").get(Query().quarter == quarter)
        return copy.deepcopy(dict(found)) if found else None

    def samples(self) -> list[dict[str, Any]]:
        return sorted((copy.deepcopy(dict(d)) for d in self.snapshot().table("samples").all()), key=lambda s: s["quarter"])

    def save_sample(self, sample: dict[str, Any], *, force: bool = False) -> None:
        with self.transaction() as db:
            q = sample["quarter"]
            if not force and db.table("inspections").contains(Query().quarter == q):
                raise WorkspaceError(
                    f"工作区 {self.root} 中 {q} 已有检查记录，重新抽样会使其失去归属（确需重抽请加 --force）"
                )
            db.table("samples").remove(Query().quarter == q)
            db.table("samples").insert(sample)

    # -- the monitor's window ---------------------------------------------------------------
    def monitor_window(self, quarter: str) -> dict[str, Any] | None:
        """The quarter's stored monitor window (core/quarter/monitor.py), or None before it started."""
        found = self.snapshot().table("monitor").get(Query().quarter == quarter)
        return copy.deepcopy(dict(found)) if found else None

    def open_monitor_window(self, quarter: str, new: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The quarter's monitor window, stored from ``new()`` in one transaction if there is none yet
        (another process may have created it meanwhile: then that one is kept)."""
        with self.transaction() as db:
            table = db.table("monitor")
            found = table.get(Query().quarter == quarter)
            if found is not None:
                return copy.deepcopy(dict(found))
            record = new()
            table.insert(record)
            return record

    # -- the province: trusted keys and imported bundles (core/submission/exchange.py) ---------
    def keyring(self) -> list[dict[str, Any]]:
        """The trusted keys as stored, each with its ``doc_id``."""
        return [copy.deepcopy(dict(e)) | {"doc_id": e.doc_id} for e in self.snapshot().table("keyring").all()]

    def add_key(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """Store a trusted key unless one with its ``key_id`` is stored: then that one is returned."""
        with self.transaction() as db:
            table = db.table("keyring")
            known = next((dict(e) for e in table.all() if e.get("key_id") == entry["key_id"]), None)
            if known is None:
                table.insert(entry)
            return known

    def remove_keys(self, which: Callable[[dict[str, Any]], bool]) -> int:
        """Remove the trusted keys ``which`` selects, in one transaction; how many were removed."""
        with self.transaction() as db:
            table = db.table("keyring")
            doomed = [e.doc_id for e in table.all() if which(dict(e))]
            table.remove(doc_ids=doomed)
        return len(doomed)

    def province_imports(self) -> list[dict[str, Any]]:
        """Every imported bundle's record as stored (history included), each with its ``doc_id``."""
        return [copy.deepcopy(dict(e)) | {"doc_id": e.doc_id} for e in self.snapshot().table("province").all()]

    def record_import(self, entry: dict[str, Any], supersedes: int | None = None) -> None:
        """Record an import in one transaction, marking the import it replaces (by ``doc_id``) superseded."""
        with self.transaction() as db:
            table = db.table("province")
            if supersedes is not None:
                table.update({"superseded_by": entry["id"]}, doc_ids=[supersedes])
            table.insert(entry)

    # -- inspections ------------------------------------------------------------------------
    def inspection(self, quarter: str, code: str) -> dict[str, Any] | None:
        q = Query()
        found = self.snapshot().table("inspections").get((q.quarter == quarter) & (q.code == code))
        return self._hydrate(found) if found else None

    def inspections(self, quarter: str) -> list[dict[str, Any]]:
        return [self._hydrate(d) for d in self.snapshot().table("inspections").search(Query().quarter == quarter)]

    def progress(self, quarter: str) -> dict[str, str]:
        """code -> progress of the quarter's inspections, without reading their documents."""
        rows = self.snapshot().table("inspections").search(Query().quarter == quarter)
        return {r["code"]: r.get("progress") or "not started" for r in rows}

    def update_inspection(self, quarter: str, code: str, fn: Any) -> dict[str, Any]:
        """Apply ``fn(record) -> record`` to the (quarter, code) inspection inside one transaction."""
        q = Query()
        cond = (q.quarter == quarter) & (q.code == code)
        with self.transaction() as db:
            table = db.table("inspections")
            current = table.get(cond)
            record = self._hydrate(current) if current else {"quarter": quarter, "code": code, "decisions": {}, "history": []}
            record = fn(record)
            stored = self._dehydrate(record)
            if current:
                table.remove(doc_ids=[current.doc_id])  # replace, not merge: a key fn removed stays removed
            table.insert(stored)
        return record

    # -- evidence records -------------------------------------------------------------------
    def add_evidence(self, records: list[dict[str, Any]]) -> None:
        """Keep evidence records: one document per (quarter, code, run), one small row referencing it."""
        if not records:
            return
        batches: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = {}
        for rec in records:
            batches.setdefault((rec.get("quarter"), rec.get("code"), rec.get("run")), []).append(rec)
        rows = [{"quarter": q, "code": c, "run": r, "count": len(recs), "records_ref": self.put_doc(recs)}
                for (q, c, r), recs in batches.items()]
        with self.transaction() as db:
            db.table("evidence").insert_multiple(rows)

    def evidence(self, quarter: str, code: str) -> list[dict[str, Any]]:
        q = Query()
        out: list[dict[str, Any]] = []
        for row in self.snapshot().table("evidence").search((q.quarter == quarter) & (q.code == code)):
            if "records_ref" in row:
                out.extend(self.get_doc(row["records_ref"]))
            else:  # a workspace written before the records moved out
                out.append(copy.deepcopy(dict(row)))
        return out

    # -- bulky run output -------------------------------------------------------------------
    def site_dir(self, quarter: str, code: str) -> Path:
        """``runs/<quarter>/<code>``: the site's bulky files (the code reduced to letters and digits)."""
        safe = "".join(c for c in code if c.isascii() and c.isalnum()) or "adhoc"
        return self.root / "runs" / quarter / safe

    def run_dir(self, quarter: str, code: str, run_id: str) -> Path:
        d = self.site_dir(quarter, code) / run_id
        d.mkdir(parents=True, exist_ok=True)
        return d


def append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """Append records to a JSONL file and fsync (bulky machine output, never rewritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file, ignoring a torn last line left by a crash."""
    out: list[dict[str, Any]] = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def default_workspace() -> Path:
    from inspector.core.settings import settings

    if settings().home:
        return Path(settings().home)
    from platformdirs import user_data_dir

    return Path(user_data_dir("inspector", appauthor=False))
