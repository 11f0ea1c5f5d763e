"""The quarter's submission bundle: export and sign (city), verify, strict import and aggregate (province).

A bundle is a zip holding::

    manifest.json             schema "inspector.bundle/1": region, quarter, sampling, inspectors,
                              tool_version, created_at (UTC), sites (sampled codes) and
                              files [{path, size, sha256}] for every other member
    manifest.json.minisig     minisign signature of manifest.json (checks with `minisign -V`)
    results/<code>.json       one site's result (see below)
    evidence/<code>/...       evidence files
    summary.xlsx, summary.csv the quarter summary with the Chinese headers of ``report.HEADERS``
    report.html               printable report

A site result is a plain dict: code, name, url, 主办单位, checked_at, result (pass/fail/review),
score, vetoes [ids], deductions {id: points}, problems [str], rectification {status, deadline, note},
indicators {id: {prefill, decision, note, points}}, optional recheck (a second result dict after
rectification) and optional screenshots (paths relative to the bundle root, for the report).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from inspector import __version__
from inspector.core import texts
from inspector.core.submission import report
from inspector.core.submission.signing import PublicKey, load_public_key, load_secret_key, sign_bytes, verify_bytes

SCHEMA = "inspector.bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.minisig"
SUMMARY_XLSX = "summary.xlsx"
SUMMARY_CSV = "summary.csv"
REPORT_HTML = "report.html"
GENERATED = (SUMMARY_XLSX, SUMMARY_CSV, REPORT_HTML)
DEFAULT_MAX_TOTAL = 2 * 1024**3  # bytes uncompressed
DEFAULT_MAX_FILES = 20_000
DEFAULT_MAX_RATIO = 200.0  # uncompressed : compressed, per member above _RATIO_FLOOR bytes
MAX_MANIFEST = 32 * 1024**2
MAX_JSON_DEPTH = 64  # a bundle's JSON nests a handful of levels; thousands is an attack on the reader
_RATIO_FLOOR = 1024**2
_CHUNK = 1024 * 1024
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
CITY_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_STORED_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".zip", ".gz", ".xlsx", ".docx", ".pdf", ".7z")
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp")

Redraw = Callable[[Mapping[str, Any]], Iterable[str]]


class BundleError(Exception):
    """A bundle was refused; ``reasons`` lists every problem found."""

    SHOWN = 10  # a bundle with thousands of bad files is still one readable line

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(texts.refusal_line(self.reasons, self.SHOWN))


@dataclass
class VerifyReport:
    """Outcome of ``verify_bundle``: ``ok`` is True only when ``reasons`` is empty."""

    ok: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. texts.SIGNATURE_NOT_CHECKED
    manifest: dict[str, Any] | None = None
    signer: str = ""  # key id of the signature, when it verified
    trusted_comment: str = ""
    signature_reasons: list[str] = field(default_factory=list)  # the reasons that are about the signature only


# --------------------------------------------------------------------------- JSON from other offices


def loads_json(data: bytes | str, what: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from a bundle: ValueError (naming ``what``) for bad text, nesting deeper than
    ``max_depth`` and non-finite numbers (``NaN``, ``Infinity`` are not JSON)."""

    def finite(token: str) -> float:
        raise ValueError(texts.json_not_number(token))

    try:
        value = json.loads(data, parse_constant=finite)
    except RecursionError:
        raise ValueError(texts.json_too_deep(what, max_depth)) from None
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise ValueError(texts.json_invalid(what, exc)) from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:  # iterative: the check itself must not recurse
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise ValueError(texts.json_too_deep(what, max_depth))
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return value


# --------------------------------------------------------------------------- path rules


def path_problem(name: str) -> str | None:
    """Why an archive member name is unsafe to write under a directory, or None if it is safe.

    Safe = relative POSIX path of non-empty components, no ``.``/``..``, no backslash, no drive
    letter or UNC prefix, no control characters.
    """
    if not name or "\x00" in name or report.clean(name) != name or any(c in name for c in "\r\n\t"):
        return texts.unsafe_path(name, "control")
    if name.startswith(("/", "\\")):
        return texts.unsafe_path(name, "absolute")
    if re.match(r"^[A-Za-z]:", name) or ":" in name:
        return texts.unsafe_path(name, "drive")
    if "\\" in name:
        return texts.unsafe_path(name, "backslash")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return texts.unsafe_path(name, "parent")
    if any(part in ("", ".") for part in parts):
        return texts.unsafe_path(name, "empty")
    return None


def _member_kind(info: zipfile.ZipInfo) -> str:
    """'dir', 'file', 'link' or 'special' from the zip's external attributes."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "link"
    if info.is_dir() or kind == stat.S_IFDIR:
        return "dir"
    if kind not in (0, stat.S_IFREG):
        return "special"
    return "file"


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


@dataclass(frozen=True)
class _Limits:
    max_total: int = DEFAULT_MAX_TOTAL
    max_files: int = DEFAULT_MAX_FILES
    max_ratio: float = DEFAULT_MAX_RATIO


def _scan(archive: zipfile.ZipFile, limits: _Limits) -> tuple[list[str], dict[str, zipfile.ZipInfo]]:
    """Problems with the archive's entries (no data read) and its regular files by name."""
    reasons: list[str] = []
    files: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        return [texts.too_many_entries(len(infos), limits.max_files)], {}
    for info in infos:
        reasons.extend(_entry_problems(info, seen, limits))
        if _member_kind(info) == "file" and info.filename not in files:
            files[info.filename] = info
    reasons.extend(_prefix_conflicts(files))
    total = sum(info.file_size for info in files.values())
    if total > limits.max_total:
        reasons.append(texts.archive_too_large(total, limits.max_total))
    return reasons, files


def _entry_problems(info: zipfile.ZipInfo, seen: set[str], limits: _Limits) -> list[str]:
    name = info.orig_filename
    problem = path_problem(name)
    if problem:
        return [problem]
    kind = _member_kind(info)
    if kind == "link":
        return [texts.link_not_allowed(name)]
    if kind == "special":
        return [texts.special_file_not_allowed(name)]
    reasons = []
    key = _fold(name.rstrip("/"))
    if key in seen:
        reasons.append(texts.duplicate_entry(name))
    seen.add(key)
    if info.flag_bits & 0x1:
        reasons.append(texts.encrypted_entry(name))
    if kind == "file" and info.file_size > _RATIO_FLOOR:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            reasons.append(texts.compression_ratio(ratio, name))
    return reasons


def _prefix_conflicts(files: Mapping[str, zipfile.ZipInfo]) -> list[str]:
    folded = {_fold(name) for name in files}
    conflicts = []
    for name in files:
        parts = _fold(name).split("/")
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in folded:
                conflicts.append(texts.path_conflict(name))
                break
    return conflicts


# --------------------------------------------------------------------------- export


def export_bundle(
    out_path: str | os.PathLike[str],
    *,
    manifest_info: Mapping[str, Any],
    sites: Sequence[Mapping[str, Any]],
    files: Sequence[tuple[Path, str]],
    secret_key_path: str | os.PathLike[str],
    summary_rows: Sequence[Mapping[str, Any]] | None = None,
    indicator_names: Mapping[str, str] | None = None,
    created_at: datetime | None = None,
) -> Path:
    """Write the signed bundle zip atomically (``out_path`` appears only when complete).

    ``manifest_info``: region, quarter, sampling {method, seed, population, size, ratio, strata,
    included, population_codes}, inspectors [str], optional tool_version and any extra JSON keys
    (e.g. checklist). ``sites``: the sampled sites' result dicts (one per sampled site, unique
    ``code``). ``files``: (source file, path in the zip), e.g. ``evidence/<code>/home.png``.
    ``summary_rows`` defaults to ``report.summary_rows(sites, indicator_names)``.
    Raises ValueError on bad input (unsafe names, duplicate codes, missing fields).
    """
    _check_export_input(manifest_info, sites, files)
    secret = load_secret_key(secret_key_path)
    when = (created_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            writer = _Writer(archive, when)
            _write_contents(writer, manifest_info, sites, files, summary_rows, indicator_names)
            manifest = _manifest(manifest_info, sites, writer.entries, when)
            manifest_bytes = _json_bytes(manifest)
            writer.add_bytes(MANIFEST, manifest_bytes)
            comment = (
                f"timestamp:{int(when.timestamp())}\tfile:{MANIFEST}\tschema:{SCHEMA}"
                f"\tregion:{manifest['region']}\tquarter:{manifest['quarter']}"
            )
            writer.add_bytes(SIGNATURE, sign_bytes(manifest_bytes, secret, comment).encode("utf-8"))
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return out_path


def _check_export_input(
    info: Mapping[str, Any], sites: Sequence[Mapping[str, Any]], files: Sequence[tuple[Path, str]]
) -> None:
    for key in ("region", "quarter"):
        if not isinstance(info.get(key), str) or not info[key]:
            raise ValueError(f"manifest_info.{key} must be a non-empty string")
    if not isinstance(info.get("sampling"), Mapping):
        raise ValueError("manifest_info.sampling must be a dict")
    codes = [str(site.get("code", "")) for site in sites]
    bad = [code for code in codes if not _CODE.match(code)]
    if bad:
        raise ValueError(texts.bad_site_codes(bad))
    dupes = [code for code, n in Counter(codes).items() if n > 1]
    if dupes:
        raise ValueError(texts.duplicate_site_codes(dupes))
    reserved = {MANIFEST, SIGNATURE, *GENERATED}
    names: set[str] = set()
    for source, name in files:
        problem = path_problem(name)
        if problem:
            raise ValueError(problem)
        if name in reserved or name.startswith("results/") or _fold(name) in names:
            raise ValueError(texts.reserved_file_name(name))
        if not Path(source).is_file():
            raise ValueError(texts.not_a_regular_file(source))
        names.add(_fold(name))


def _write_contents(
    writer: _Writer,
    info: Mapping[str, Any],
    sites: Sequence[Mapping[str, Any]],
    files: Sequence[tuple[Path, str]],
    rows: Sequence[Mapping[str, Any]] | None,
    names: Mapping[str, str] | None,
) -> None:
    for site in sites:
        writer.add_bytes(f"results/{site['code']}.json", _json_bytes(dict(site)))
    for source, name in files:
        with open(source, "rb") as handle:
            writer.add_stream(name, handle)
    report_sites = [_with_screenshots(site, files) for site in sites]
    quarter_info = {**info, "created_at": writer.when_iso}
    with tempfile.TemporaryDirectory(prefix="inspector-bundle-") as tmp:
        tmpdir = Path(tmp)
        table = list(rows) if rows is not None else report.summary_rows(sites, names)
        report.write_summary_xlsx(tmpdir / SUMMARY_XLSX, table)
        report.write_summary_csv(tmpdir / SUMMARY_CSV, table)
        report.write_report_html(tmpdir / REPORT_HTML, quarter_info, report_sites, names)
        for name in GENERATED:
            with open(tmpdir / name, "rb") as handle:
                writer.add_stream(name, handle)


def _with_screenshots(site: Mapping[str, Any], files: Sequence[tuple[Path, str]]) -> Mapping[str, Any]:
    """The site for the report: its own ``screenshots``, else the images under evidence/<code>/."""
    if site.get("screenshots"):
        return site
    prefix = f"evidence/{site['code']}/"
    shots = [name for _, name in files if name.startswith(prefix) and name.lower().endswith(_IMAGE_EXT)]
    return {**site, "screenshots": shots}


class _Writer:
    """Adds members to the zip while hashing them; remembers {path, size, sha256}."""

    def __init__(self, archive: zipfile.ZipFile, when: datetime) -> None:
        self.archive = archive
        self.date_time = when.timetuple()[:6]
        self.when_iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.entries: list[dict[str, Any]] = []

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        stored = name.lower().endswith(_STORED_EXT)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        return info

    def add_stream(self, name: str, source: BinaryIO) -> None:
        digest, size = hashlib.sha256(), 0
        info = self._info(name)
        info.file_size = os.fstat(source.fileno()).st_size  # lets zipfile decide on ZIP64
        with self.archive.open(info, "w") as target:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        self._record(name, size, digest.hexdigest())

    def add_bytes(self, name: str, data: bytes) -> None:
        self.archive.writestr(self._info(name), data)
        self._record(name, len(data), hashlib.sha256(data).hexdigest())

    def _record(self, name: str, size: int, sha256: str) -> None:
        if name not in (MANIFEST, SIGNATURE):
            self.entries.append({"path": name, "size": size, "sha256": sha256})


def _manifest(
    info: Mapping[str, Any], sites: Sequence[Mapping[str, Any]], entries: list[dict[str, Any]], when: datetime
) -> dict[str, Any]:
    extra = {k: v for k, v in info.items() if k not in ("schema", "created_at", "files", "sites")}
    return {
        "schema": SCHEMA,
        **extra,
        "region": info["region"],
        "quarter": info["quarter"],
        "sampling": dict(info["sampling"]),
        "inspectors": list(info.get("inspectors") or []),
        "tool_version": info.get("tool_version") or __version__,
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sites": [str(site["code"]) for site in sites],
        "files": sorted(entries, key=lambda entry: entry["path"]),
    }


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, default=str, allow_nan=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- verify


def verify_bundle(
    path: str | os.PathLike[str],
    pubkey_path: str | os.PathLike[str] | None = None,
    redraw: Redraw | None = None,
    *,
    max_total: int = DEFAULT_MAX_TOTAL,
    max_files: int = DEFAULT_MAX_FILES,
    max_ratio: float = DEFAULT_MAX_RATIO,
    public_keys: Sequence[PublicKey] = (),
) -> VerifyReport:
    """Check a bundle without extracting it: structure, every size and SHA-256, no extra or missing
    member, the minisign signature over manifest.json (by the key of ``pubkey_path``, else by any of
    ``public_keys``, e.g. the province's keyring; ``signer`` is the key id that verified) and, when
    ``redraw`` is given (manifest ``sampling`` -> codes), that the draw re-runs to the bundle's sites.
    Never raises on a bad bundle: every problem is a reason.
    """
    result = VerifyReport(ok=False)
    try:
        with zipfile.ZipFile(path) as archive:
            _verify_archive(archive, pubkey_path, redraw, _Limits(max_total, max_files, max_ratio), result,
                            public_keys)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        result.reasons.append(texts.not_a_zip(exc))
    result.ok = not result.reasons
    return result


def _verify_archive(
    archive: zipfile.ZipFile,
    pubkey_path: str | os.PathLike[str] | None,
    redraw: Redraw | None,
    limits: _Limits,
    result: VerifyReport,
    public_keys: Sequence[PublicKey] = (),
) -> None:
    reasons, members = _scan(archive, limits)
    result.reasons.extend(reasons)
    if reasons:
        return
    manifest, manifest_bytes = _read_manifest(archive, members, result.reasons)
    if manifest is None:
        return
    result.manifest = manifest
    listed = {entry["path"]: entry for entry in manifest["files"]}
    result.reasons.extend(_membership_problems(listed, members))
    for name, entry in listed.items():
        if name in members:
            result.reasons.extend(_content_problems(archive, members[name], entry))
    result.reasons.extend(_structure_problems(archive, manifest, listed, members))
    _check_signature(archive, members, manifest_bytes, pubkey_path, result, public_keys)
    if redraw is not None:
        result.reasons.extend(_redraw_problems(manifest, redraw))


def _read_manifest(
    archive: zipfile.ZipFile, members: Mapping[str, zipfile.ZipInfo], reasons: list[str]
) -> tuple[dict[str, Any] | None, bytes]:
    info = members.get(MANIFEST)
    if info is None:
        reasons.append(texts.missing_file(MANIFEST))
        return None, b""
    if info.file_size > MAX_MANIFEST:
        reasons.append(texts.manifest_too_large(MANIFEST, info.file_size, MAX_MANIFEST))
        return None, b""
    try:
        data = _read_capped(archive, info, MAX_MANIFEST)
        manifest = loads_json(data, MANIFEST)
    except (BundleError, ValueError) as exc:
        reasons.append(texts.manifest_unreadable(MANIFEST, exc))
        return None, b""
    problems = manifest_problems(manifest)
    reasons.extend(problems)
    return (None if problems else manifest), data


def manifest_problems(manifest: Any) -> list[str]:
    """Schema problems of a parsed manifest (empty when it is well-formed)."""
    if not isinstance(manifest, dict):
        return [texts.manifest_not_object(MANIFEST)]
    if manifest.get("schema") != SCHEMA:
        return [texts.manifest_schema(MANIFEST, manifest.get("schema"), SCHEMA)]
    problems = [
        texts.manifest_field(MANIFEST, key)
        for key, kind in (("region", str), ("quarter", str), ("sampling", dict), ("sites", list), ("files", list))
        if not isinstance(manifest.get(key), kind)
    ]
    if problems:
        return problems
    seen: set[str] = set()
    for entry in manifest["files"]:
        problem = _file_entry_problem(entry, seen)
        if problem:
            problems.append(texts.manifest_entry(MANIFEST, problem))
    if not all(isinstance(code, str) and _CODE.match(code) for code in manifest["sites"]):
        problems.append(texts.manifest_entry(MANIFEST, texts.BAD_SITE_CODE))
    city = manifest.get("city")
    if city is not None and not (isinstance(city, str) and CITY_CODE.match(city)):
        problems.append(texts.manifest_entry(MANIFEST, texts.BAD_CITY_CODE))
    return problems


def _file_entry_problem(entry: Any, seen: set[str]) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        return texts.MALFORMED_FILE_ENTRY
    name = entry["path"]
    if path_problem(name) or name in (MANIFEST, SIGNATURE):
        return texts.bad_file_path(name)
    size, digest = entry.get("size"), entry.get("sha256")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return texts.bad_file_size(name)
    if not isinstance(digest, str) or not _HEX64.match(digest):
        return texts.bad_file_sha256(name)
    if _fold(name) in seen:
        return texts.file_listed_twice(name)
    seen.add(_fold(name))
    return None


def _membership_problems(listed: Mapping[str, Any], members: Mapping[str, zipfile.ZipInfo]) -> list[str]:
    own = (MANIFEST, SIGNATURE)
    extra = [texts.file_not_listed(name) for name in members if name not in listed and name not in own]
    missing = [texts.missing_file(name) for name in listed if name not in members]
    return sorted(extra) + sorted(missing)


def _content_problems(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: Mapping[str, Any]) -> list[str]:
    name, size = info.filename, entry["size"]
    if info.file_size != size:
        return [texts.size_mismatch(name, size, info.file_size)]
    digest, read = hashlib.sha256(), 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                read += len(chunk)
                if read > size:
                    return [texts.more_data_than_listed(name, size)]
                digest.update(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        return [texts.corrupt_member(name, exc)]
    if read != size:
        return [texts.size_mismatch(name, size, read, "实际读出")]
    if digest.hexdigest() != entry["sha256"]:
        return [texts.hash_mismatch(name)]
    return []


def _structure_problems(
    archive: zipfile.ZipFile,
    manifest: Mapping[str, Any],
    listed: Mapping[str, Any],
    members: Mapping[str, zipfile.ZipInfo],
) -> list[str]:
    problems = [texts.missing_required_file(name) for name in GENERATED if name not in listed]
    sites = set(manifest["sites"])
    drawn = manifest["sampling"].get("codes")
    if isinstance(drawn, list) and set(map(str, drawn)) != sites:
        problems.append(texts.SITES_DIFFER_FROM_SAMPLE)
    for code in manifest["sites"]:
        name = f"results/{code}.json"
        if name not in listed:
            problems.append(texts.missing_required_file(name))
        elif name in members:
            problems.extend(_result_problems(archive, members[name], code))
    for name in listed:
        if name.startswith("results/") and name.removeprefix("results/").removesuffix(".json") not in sites:
            problems.append(texts.result_not_sampled(name))
    return problems


def _result_problems(archive: zipfile.ZipFile, info: zipfile.ZipInfo, code: str) -> list[str]:
    try:
        data = loads_json(_read_capped(archive, info, MAX_MANIFEST), info.filename)
    except (BundleError, ValueError) as exc:
        return [texts.invalid_result(info.filename, exc)]
    if not isinstance(data, dict) or data.get("code") != code:
        return [texts.invalid_result(info.filename, texts.RESULT_CODE_MISMATCH)]
    return []


def _check_signature(
    archive: zipfile.ZipFile,
    members: Mapping[str, zipfile.ZipInfo],
    manifest_bytes: bytes,
    pubkey_path: str | os.PathLike[str] | None,
    result: VerifyReport,
    public_keys: Sequence[PublicKey] = (),
) -> None:
    def refuse(reason: str) -> None:
        result.reasons.append(reason)
        result.signature_reasons.append(reason)

    info = members.get(SIGNATURE)
    if info is None:
        refuse(texts.missing_signature(SIGNATURE))
        return
    if pubkey_path is None and not public_keys:
        result.notes.append(texts.SIGNATURE_NOT_CHECKED)
        return
    try:
        keys = [load_public_key(pubkey_path)] if pubkey_path is not None else list(public_keys)
        text = _read_capped(archive, info, 64 * 1024).decode("utf-8")
    except (BundleError, ValueError, OSError) as exc:
        refuse(texts.signature_uncheckable(exc))
        return
    checks = [verify_bytes(manifest_bytes, text, key) for key in keys]
    good = next((check for check in checks if check.ok), None)
    if good is None:
        if pubkey_path is not None:
            refuse(texts.bad_signature(checks[0].reason))
        else:
            signer = next((c.key_id for c in checks if c.key_id), "")
            known = any(c.key_id == k.key_id_hex for c in checks for k in keys)
            refuse(texts.bad_signature_keyring(checks[0].reason, known, signer))
        return
    result.signer, result.trusted_comment = good.key_id, good.trusted_comment


def _redraw_problems(manifest: Mapping[str, Any], redraw: Redraw) -> list[str]:
    try:
        drawn = {str(code) for code in redraw(manifest["sampling"])}
    except Exception as exc:  # noqa: BLE001 - the callable is the caller's; report, never crash
        return [texts.redraw_failed(exc)]
    bundled = set(manifest["sites"])
    if drawn == bundled:
        return []
    missing, extra = sorted(drawn - bundled), sorted(bundled - drawn)
    return [texts.redraw_mismatch(missing, extra)]


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    try:
        with archive.open(info) as handle:
            data = handle.read(cap + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise BundleError([texts.corrupt_member(info.filename, exc)]) from exc
    if len(data) > cap:
        raise BundleError([texts.member_too_large(info.filename, cap)])
    return data


# --------------------------------------------------------------------------- import


def safe_extract(
    zip_path: str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    *,
    name: str | None = None,
    max_total: int = DEFAULT_MAX_TOTAL,
    max_files: int = DEFAULT_MAX_FILES,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> Path:
    """Extract a bundle into ``dest_dir/<name>`` (default name: the zip's file stem); returns it.

    Every check runs before anything is written: unsafe paths (``..``, absolute, drive/UNC,
    backslash), links and special files, duplicate (also case-folded) names, encrypted members,
    files not in the manifest or missing from it, size disagreements, total size, entry count and
    compression ratio. Extraction goes into a hidden temp dir inside ``dest_dir`` (each member's
    SHA-256 checked while writing), renamed to the final name at the end; on any failure the temp dir
    is removed. Raises BundleError (with all reasons) and never writes outside ``dest_dir``.
    Does not check the signature: call ``verify_bundle`` with the city's key first.
    """
    zip_path, dest_dir = Path(zip_path), Path(dest_dir)
    target_name = name if name is not None else zip_path.stem
    if path_problem(target_name) or "/" in target_name or target_name.startswith("."):
        raise BundleError([texts.bad_import_name(target_name)])
    final = dest_dir / target_name
    if final.exists():
        raise BundleError([texts.already_imported(final)])
    try:
        with zipfile.ZipFile(zip_path) as archive:
            listed, members = _plan_extract(archive, _Limits(max_total, max_files, max_ratio))
            dest_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".import-", dir=dest_dir))
            try:
                _extract_members(archive, members, listed, staging)
                os.rename(staging, final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise BundleError([texts.cannot_import(zip_path.name, exc)]) from exc
    return final


def _plan_extract(
    archive: zipfile.ZipFile, limits: _Limits
) -> tuple[dict[str, Mapping[str, Any]], dict[str, zipfile.ZipInfo]]:
    reasons, members = _scan(archive, limits)
    if reasons:
        raise BundleError(reasons)
    manifest_reasons: list[str] = []
    manifest, _ = _read_manifest(archive, members, manifest_reasons)
    if manifest is None:
        raise BundleError(manifest_reasons)
    listed = {entry["path"]: entry for entry in manifest["files"]}
    problems = _membership_problems(listed, members)
    for entry_name, entry in listed.items():
        info = members.get(entry_name)
        if info is not None and info.file_size != entry["size"]:
            problems.append(texts.size_mismatch(entry_name, entry["size"], info.file_size))
    if problems:
        raise BundleError(problems)
    return listed, members


def _extract_members(
    archive: zipfile.ZipFile,
    members: Mapping[str, zipfile.ZipInfo],
    listed: Mapping[str, Mapping[str, Any]],
    staging: Path,
) -> None:
    root = staging.resolve()
    for member_name, info in members.items():
        target = root.joinpath(*member_name.split("/"))
        if not Path(os.path.normpath(target)).is_relative_to(root):  # defence in depth: names were vetted
            raise BundleError([texts.unsafe_path(member_name)])
        target.parent.mkdir(parents=True, exist_ok=True)
        expected = listed.get(member_name)
        limit = expected["size"] if expected else MAX_MANIFEST
        digest = _copy_member(archive, info, target, limit)
        if expected and digest != expected["sha256"]:
            raise BundleError([texts.hash_mismatch(member_name)])


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int) -> str:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    digest, written = hashlib.sha256(), 0
    try:
        with archive.open(info) as source, os.fdopen(os.open(target, flags, 0o644), "wb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise BundleError([texts.member_larger_than_declared(info.filename)])
                digest.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BundleError([texts.corrupt_member(info.filename, exc)]) from exc
    return digest.hexdigest()


def read_extracted(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"manifest": ..., "results": [site dicts]}`` of an extracted bundle (``province_aggregate``'s input)."""
    directory = Path(directory)
    manifest = loads_json((directory / MANIFEST).read_bytes(), MANIFEST)
    results = [
        loads_json((directory / "results" / f"{code}.json").read_bytes(), f"results/{code}.json")
        for code in manifest.get("sites", [])
    ]
    return {"manifest": manifest, "results": results}


# --------------------------------------------------------------------------- province aggregate


def previous_quarter(quarter: str) -> str | None:
    """'2026Q1' -> '2025Q4'; None when ``quarter`` is not of the form YYYYQn."""
    match = _QUARTER.match(quarter)
    if not match:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    return f"{year - 1}Q4" if number == 1 else f"{year}Q{number - 1}"


def indicator_status(entry: Any) -> str:
    """The effective status of an indicator entry: the inspector's decision, else the pre-fill."""
    if not isinstance(entry, Mapping):
        return ""
    for key in ("decision", "prefill"):
        value = entry.get(key)
        if isinstance(value, Mapping):
            value = value.get("status")
        if isinstance(value, str) and value:
            return value
    return ""


def province_aggregate(bundles: Sequence[Mapping[str, Any]], quarter: str | None = None) -> dict[str, Any]:
    """Aggregate cities' bundles (``{"manifest", "results"}`` each) for ``quarter`` (default: latest).

    Per city (region): sites sampled, population, sampling ratio (size / population), passed,
    failed, pass rate, rectified (failed sites whose re-check passed), fails per indicator id, and
    the codes failing this quarter that also failed the previous quarter. When a city sent several
    bundles for one quarter, the most recently created one counts.
    """
    latest = _latest_per_city(bundles)
    quarters = sorted({q for _, q in latest})
    quarter = quarter or (quarters[-1] if quarters else "")
    before = previous_quarter(quarter)
    failed_before = {
        str(site.get("code"))
        for (_, q), bundle in latest.items()
        if q == before
        for site in _results(bundle)
        if site.get("result") == "fail"
    }
    cities = [
        _city_summary(bundle, failed_before) for (region, q), bundle in sorted(latest.items()) if q == quarter
    ]
    return {"quarter": quarter, "previous_quarter": before, "cities": cities, "totals": _totals(cities)}


def _latest_per_city(bundles: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for bundle in bundles:
        manifest = bundle.get("manifest") or {}
        key = (str(manifest.get("city") or manifest.get("region", "")), str(manifest.get("quarter", "")))
        current = latest.get(key)
        if current is None or str(manifest.get("created_at", "")) >= str(current["manifest"].get("created_at", "")):
            latest[key] = bundle
    return latest


def _results(bundle: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    results = bundle.get("results") or []
    items = results.values() if isinstance(results, Mapping) else results
    return [site for site in items if isinstance(site, Mapping)]


def _city_summary(bundle: Mapping[str, Any], failed_before: set[str]) -> dict[str, Any]:
    manifest = bundle["manifest"]
    sampling = manifest.get("sampling") or {}
    sites = _results(bundle)
    population, size = report.population_count(sampling), sampling.get("size", len(sites))
    passed = sum(1 for s in sites if s.get("result") == "pass")
    failed = [s for s in sites if s.get("result") == "fail"]
    problems: Counter[str] = Counter(
        indicator
        for site in sites
        for indicator, entry in (site.get("indicators") or {}).items()
        if indicator_status(entry) == "fail"
    )
    return {
        "region": manifest.get("region"),
        "city": manifest.get("city"),
        "quarter": manifest.get("quarter"),
        "created_at": manifest.get("created_at"),
        "population": population,
        "sample_size": size,
        "sampled": len(sites),
        "ratio": _ratio(size, population),
        "passed": passed,
        "failed": len(failed),
        "review": len(sites) - passed - len(failed),
        "pass_rate": _ratio(passed, len(sites)),
        "rectified": sum(1 for s in failed if s.get("recheck") and s["recheck"].get("result") == "pass"),
        "problems_by_indicator": dict(problems.most_common()),
        "failing_again": sorted(str(s.get("code")) for s in failed if str(s.get("code")) in failed_before),
    }


def _ratio(part: Any, whole: Any) -> float | None:
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (part, whole))
    return round(part / whole, 4) if numbers and whole else None


def _totals(cities: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    problems: Counter[str] = Counter()
    for city in cities:
        problems.update(city["problems_by_indicator"])
    sampled = sum(city["sampled"] for city in cities)
    passed = sum(city["passed"] for city in cities)
    return {
        "cities": len(cities),
        "sampled": sampled,
        "passed": passed,
        "failed": sum(city["failed"] for city in cities),
        "pass_rate": _ratio(passed, sampled),
        "problems_by_indicator": dict(problems.most_common()),
        "failing_again": sum(len(city["failing_again"]) for city in cities),
    }
