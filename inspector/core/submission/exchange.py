"""The quarter's submission, both ends: the city exports a signed bundle, the province imports it.

Connects the workspace (sample, inspections, evidence records) to the bundle format of
:mod:`inspector.core.submission.bundle` and the signing of :mod:`inspector.core.submission.signing`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from inspector import __version__
from inspector.core.submission import bundle as bundle_fmt
from inspector.core.submission.bundle import BundleError, VerifyReport
from inspector.core import texts
from inspector.core.scoring import scored, shown_points
from inspector.core.model import (
    Progress, Rectification, Result, decisions_of, doc_verdict, indicators_of, prefill_of, recheck_doc, recheck_of, run_id_of,
)
from inspector.core.quarter.inspection import adjustments, checklist_of, done_problems, evaluate, is_done
from inspector.core.quarter.sampling import check_quarter, redraw
from inspector.core.submission.signing import PublicKey, SigningError, generate_keypair, load_public_key, parse_public_key
from inspector.core.store import Workspace, WorkspaceError, utcnow
from inspector.core.text import clean

KEY_DIR = "keys"
SECRET_NAME = "office.key"
PUBLIC_NAME = "office.pub"
EVIDENCE_KINDS = ("screenshot", "crop", "mhtml", "dom")


def office_key_paths(ws: Workspace) -> tuple[Path, Path]:
    return ws.root / KEY_DIR / SECRET_NAME, ws.root / KEY_DIR / PUBLIC_NAME


def generate_office_key(ws: Workspace, *, force: bool = False) -> tuple[Path, Path]:
    secret, public = office_key_paths(ws)
    if secret.exists() and not force:
        raise BundleError([texts.key_exists(secret.parent)])
    secret.parent.mkdir(parents=True, exist_ok=True)
    generate_keypair(secret, public, comment=f"inspector office key {ws.root.name}", overwrite=force)
    return secret, public


def _region(ws: Workspace, codes: list[str]) -> str:
    regions = Counter(r for c in codes if (r := ((ws.site(c) or {}).get("region") or "").strip()))
    return regions.most_common(1)[0][0] if regions else "未填写地区"


def site_result(ws: Workspace, quarter: str, code: str) -> dict[str, Any]:
    """One sampled site's result as the bundle carries it.

    Per indicator: pre-fill, decision (with note, who, when), effective status, points (None when not
    scored: a veto), the measures as Chinese phrases; per site: result, score (None with a veto),
    the problems, every hand change (``adjustments``: overrides and column corrections, with reason,
    who and when), and whether the site is done (``done`` and, if not, ``not_done``: why).
    """
    site = ws.site(code) or {"code": code, "name": "", "url": ""}
    record = ws.inspection(quarter, code) or {}
    prefill = prefill_of(record)
    checklist = checklist_of(record)
    effective, verdict = evaluate(record, checklist)
    is_scored = scored(verdict)
    decisions = decisions_of(record)
    entries = indicators_of(prefill)
    indicators: dict[str, Any] = {}
    problems: list[str] = []
    for iid, ind in checklist.indicators.items():
        pre = entries.get(iid)
        eff = effective[iid]
        dec = decisions.get(iid)
        findings = pre["findings"] if pre and pre.get("findings") else []
        indicators[iid] = {
            "name": ind.name,
            "group": ind.group,
            "kind": ind.kind,
            "prefill": pre,
            "decision": dec,
            "note": dec.get("note", "") if dec else "",
            "status": eff["status"],
            "points": eff.get("deduction", 0.0) if is_scored or ind.is_veto else None,
            "shown": shown_points(ind, eff, verdict),
            "measures_text": ind.measures_text(pre.get("measures") if pre else None),
        }
        if eff["status"] == "fail":
            detail = (dec.get("note") if dec else "") or "；".join(
                str(f.get("detail", "")) for f in findings[:3] if f.get("detail")
            )
            problems.append(f"{ind.name}：{detail}" if detail else ind.name)
    failed = verdict["result"] == Result.FAIL
    out = {
        "code": code,
        "name": site.get("name", ""),
        "url": site.get("url", ""),
        "主办单位": site.get("host_org", ""),
        "level": site.get("level", ""),
        "checked_at": record.get("prefill_at", ""),
        "as_of": prefill.get("as_of", ""),
        "checklist": checklist.id,
        "progress": record.get("progress", Progress.NOT_STARTED),
        "done": is_done(record, checklist),
        "not_done": [] if is_done(record, checklist) else (done_problems(record, checklist) or ["尚未标记完成"]),
        "result": verdict["result"] if prefill else "not checked",
        "score": verdict["score"] if prefill and is_scored else None,
        "vetoes": verdict["vetoes"],
        "deductions": {iid: e["deduction"] for iid, e in effective.items() if e.get("deduction")} if is_scored else {},
        "problems": problems,
        "adjustments": adjustments(record, checklist),
        "rectification": record.get("rectification") or (
            {"status": Rectification.PENDING, "deadline": "", "note": ""} if failed else {"status": Rectification.NOT_NEEDED}
        ),
        "indicators": indicators,
        "inspectors": sorted({d.get("by", "") for d in decisions.values() if d.get("by")}
                             | {c.get("by", "") for c in record.get("corrections") or [] if c.get("by")}),
    }
    if record.get("recheck"):
        again = doc_verdict(recheck_doc(record))
        out["recheck"] = {
            "checked_at": recheck_of(record).get("at", ""),
            "result": again.get("result"),
            "score": again.get("score"),
            "vetoes": again.get("vetoes", []),
        }
    return out


def incomplete_sites(ws: Workspace, quarter: str) -> list[str]:
    """The quarter's sampled sites that are not done, one line each: code, name and why."""
    sample = ws.sample(check_quarter(quarter))
    lines = []
    for code in sample["codes"] if sample else []:
        record = ws.inspection(quarter, code)
        if is_done(record):
            continue
        why = done_problems(record) or ["尚未标记完成（界面中按 D）"]
        name = (ws.site(code) or {}).get("name", "")
        lines.append(f"  {code} {texts.clean_line(name)}：{'；'.join(why)}")
    return lines


def _evidence_files(ws: Workspace, quarter: str, code: str, record: dict[str, Any]) -> list[tuple[Path, str]]:
    """The evidence behind the site's result (the pre-fill's run) and its re-check, as (source, name in the zip)."""
    wanted = {run_id_of(prefill_of(record)): f"evidence/{code}/"}
    recheck = run_id_of(recheck_doc(record))
    if recheck:
        wanted[recheck] = f"evidence/{code}/recheck/"
    root = ws.root.resolve()
    files: list[tuple[Path, str]] = []
    for rec in ws.evidence(quarter, code):
        prefix = wanted.get(rec.get("run"))
        if prefix is None:
            continue
        for f in rec.get("files", []):
            src = (ws.root / f["path"]).resolve()
            if not src.is_relative_to(root):  # defence in depth: a record can't ship files from outside
                continue
            if f.get("kind") in EVIDENCE_KINDS and src.is_file():
                files.append((src, prefix + src.name.replace(":", "-")))
    return files


def city_code(ws: Workspace, codes: list[str]) -> str:
    """The sending office's code, from its sites' 网站标识码: their most common first four characters
    (province + city, e.g. ``3609``; ``bm55`` for a ministry)."""
    prefixes = Counter(c[:4].lower() for c in codes if len(c) >= 4 and bundle_fmt.CITY_CODE.match(c[:4]))
    return prefixes.most_common(1)[0][0] if prefixes else "city"


def bundle_name(city: str, quarter: str, day: date | None = None) -> str:
    """``<city>-<quarter>-<YYYYMMDD>.zip``: two cities' bundles of a quarter never share a name."""
    return f"{city}-{quarter}-{day or date.today():%Y%m%d}.zip"


def export_quarter(ws: Workspace, quarter: str, *, output: Path | None = None, key: Path | None = None,
                   region: str | None = None, allow_incomplete: bool = False,
                   city: str | None = None) -> Path:
    """Write the quarter's signed bundle. Refuses while a sampled site is not done (listing them), unless
    ``allow_incomplete``: then the summary marks those sites 未完成."""
    quarter = check_quarter(quarter)
    sample = ws.sample(quarter)
    if sample is None:
        raise BundleError([texts.no_sample(quarter, ws.root)])
    unfinished = incomplete_sites(ws, quarter)
    if unfinished and not allow_incomplete:
        raise BundleError([texts.sites_not_done(unfinished)])
    secret = key or office_key_paths(ws)[0]
    if not Path(secret).is_file():
        raise BundleError([texts.no_signing_key(secret, ws.root)])
    codes = sample["codes"]
    sites = [site_result(ws, quarter, c) for c in codes]
    files: list[tuple[Path, str]] = []
    for c in codes:
        files.extend(_evidence_files(ws, quarter, c, ws.inspection(quarter, c) or {}))
    checklist = checklist_of(next((ws.inspection(quarter, c) for c in codes if ws.inspection(quarter, c)), None))
    region = region or _region(ws, codes)
    city = normal_city(city or city_code(ws, codes))
    sampling = {k: sample[k] for k in ("method", "seed", "ratio", "stratified_by", "strata", "included",
                                       "population", "population_size", "population_sites", "codes", "size",
                                       "drawn_at") if k in sample}
    sampling["quarter"] = quarter
    info = {
        "region": region,
        "city": city,
        "quarter": quarter,
        "sampling": sampling,
        "inspectors": sorted({i for s in sites for i in s["inspectors"]}),
        "tool_version": __version__,
        "checklist": checklist.id,
    }
    out = output or ws.root / "bundles" / bundle_name(city, quarter)
    try:
        return bundle_fmt.export_bundle(
            out, manifest_info=info, sites=sites, files=files, secret_key_path=secret,
            indicator_names={i.id: i.name for i in checklist.indicators.values()},
        )
    except ValueError as exc:
        raise BundleError([texts.export_failed(quarter, exc)]) from None


def verify(path: Path, pubkey: Path | None = None, keys: list[PublicKey] | None = None) -> VerifyReport:
    """Verify a bundle; the signature by ``pubkey``, else by any of ``keys`` (e.g. the keyring)."""
    if not Path(path).is_file():
        raise BundleError([texts.file_not_found(path)])
    return bundle_fmt.verify_bundle(path, pubkey, redraw=redraw, public_keys=keys or ())


def verify_with_keyring(ws: Workspace, path: Path, pubkey: Path | None = None) -> tuple[VerifyReport, str]:
    """``bundle verify``: with ``pubkey`` that key, else the workspace's keyring (if it has keys);
    returns the report and the city whose key signed (or "")."""
    known = {} if pubkey is not None else _keyring_keys(ws)
    report = verify(path, pubkey, [key for _, key in known.values()])
    return report, known[report.signer][0] if report.signer in known else ""


# --------------------------------------------------------------------------- the province's keyring

KEYRING = "keyring"


def keyring(ws: Workspace) -> list[dict[str, Any]]:
    """The cities' public keys the province trusts, by city code."""
    return sorted(({k: v for k, v in e.items() if k != "doc_id"} for e in ws.keyring()),
                  key=lambda e: (e["city"], e["added_at"]))


def normal_city(city: str) -> str:
    """A city code as bundles, the keyring and imports name it: stripped, lowercase, checked."""
    code = city.strip().lower()
    if not bundle_fmt.CITY_CODE.match(code):
        raise BundleError([texts.bad_city_code(city)])
    return code


def keyring_add(ws: Workspace, city: str, public_key_file: Path) -> dict[str, Any]:
    """Trust ``public_key_file`` as ``city``'s signing key (a city may have several, e.g. a new office PC)."""
    city = normal_city(city)
    try:
        public = load_public_key(public_key_file)
    except (OSError, UnicodeDecodeError, SigningError) as exc:
        raise BundleError([texts.public_key_unreadable(public_key_file, exc)]) from None
    entry = {"city": city, "key_id": public.key_id_hex, "key": public.to_base64(), "added_at": utcnow(),
             "file": Path(public_key_file).name}
    known = ws.add_key(entry)
    if known is not None:
        raise BundleError([texts.key_registered_to(entry["key_id"], known["city"])])
    return entry


def keyring_remove(ws: Workspace, city: str, key_id: str | None = None) -> int:
    """Stop trusting ``city``'s keys (or only the one with ``key_id``); returns how many were removed."""
    city = normal_city(city)
    removed = ws.remove_keys(lambda e: e.get("city") == city
                             and (key_id is None or str(e.get("key_id", "")).upper() == key_id.upper()))
    if not removed:
        raise BundleError([texts.no_city_key(city, key_id)])
    return removed


def _keyring_keys(ws: Workspace) -> dict[str, tuple[str, PublicKey]]:
    """key id -> (city, key) of every trusted key (a damaged entry is named, not skipped silently)."""
    out: dict[str, tuple[str, PublicKey]] = {}
    for entry in ws.keyring():
        try:
            key = parse_public_key(str(entry["key"]))
            out[key.key_id_hex] = (str(entry["city"]), key)
        except (KeyError, SigningError) as exc:
            raise WorkspaceError(texts.keyring_entry_damaged(KEYRING, entry["doc_id"], exc)) from None
    return out


# --------------------------------------------------------------------------- province side

PROVINCE = "province"
IMPORTS_DIR = Path("province") / "imports"
STAGING_DIR = Path("province") / ".staging"


def province_import(ws: Workspace, paths: list[Path], pubkey: Path | None = None, *,
                    unsigned_ok: bool = False) -> list[dict[str, Any]]:
    """Verify and import city bundles into a province workspace, each in one transaction.

    The signature must verify with ``pubkey`` or with a key of the keyring (``province keys add``);
    ``unsigned_ok`` imports a bundle whose signature does not, marked untrusted in every report.
    An import is keyed by city + quarter: a resubmission replaces the earlier one in the reports,
    both stay in the history. Each bundle is extracted to a staging folder, verified while writing,
    moved into place and only then recorded — all under the workspace lock, so a kill at any point
    leaves a complete import or none, and what a killed import left behind is removed next time.
    """
    imported = []
    with ws.locked():
        _clean_unfinished_imports(ws)
        for path in paths:
            imported.append(_import_one(ws, Path(path), pubkey, unsigned_ok))
    return imported


def _clean_unfinished_imports(ws: Workspace) -> None:
    """Staging folders and imports never recorded: left by a killed import (we hold the lock)."""
    recorded = {str(e.get("dir", "")) for e in ws.province_imports()}
    staging = ws.root / STAGING_DIR
    if staging.is_dir():
        for leftover in staging.iterdir():
            _remove(leftover)
    imports = ws.root / IMPORTS_DIR
    if imports.is_dir():
        for folder in imports.iterdir():
            if str(folder.relative_to(ws.root)) not in recorded:
                _remove(folder)
    for old in (ws.root / "province").glob("*/.import-*"):  # the staging of earlier versions
        _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _import_one(ws: Workspace, path: Path, pubkey: Path | None, unsigned_ok: bool) -> dict[str, Any]:
    known = {} if pubkey is not None else _keyring_keys(ws)
    if pubkey is None and not known and not unsigned_ok:
        raise BundleError([texts.in_bundle(path.name, texts.EMPTY_KEYRING)])
    report = verify(path, pubkey, [key for _, key in known.values()])
    structural = [r for r in report.reasons if r not in report.signature_reasons]
    if structural or (report.signature_reasons and not unsigned_ok):
        hint = [texts.UNSIGNED_OK_HINT] if not structural else []
        raise BundleError([texts.in_bundle(path.name, r) for r in report.reasons] + hint)
    manifest = report.manifest or {}
    quarter = check_quarter(str(manifest.get("quarter", "")))
    claimed = manifest.get("city")
    claimed = claimed.lower() if isinstance(claimed, str) else claimed  # (bundles made before codes were lowercased)
    signer_city = known[report.signer][0] if report.signer in known else None
    if signer_city and claimed and claimed != signer_city:
        raise BundleError([texts.in_bundle(path.name, texts.city_mismatch(claimed, signer_city))])
    city = signer_city or claimed or f"地区:{clean(manifest.get('region'), 60)}"
    trusted = bool(report.signer)
    digest = _manifest_digest(path)
    current = _current_import(ws, city, quarter)
    if current is not None and current.get("manifest_sha256") == digest and (current.get("trusted") or not trusted):
        return {**{k: v for k, v in current.items() if k != "doc_id"}, "already": True}
    import_id = uuid.uuid4().hex[:12]
    staged = bundle_fmt.safe_extract(path, ws.root / STAGING_DIR, name=import_id)
    final = ws.root / IMPORTS_DIR / f"{_safe(city)}-{quarter}-{import_id}"
    final.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staged, final)
    entry = {
        "id": import_id,
        "city": city,
        "region": manifest.get("region", ""),
        "quarter": quarter,
        "created_at": manifest.get("created_at", ""),
        "dir": str(final.relative_to(ws.root)),
        "bundle": path.name,
        "manifest_sha256": digest,
        "signer": report.signer,
        "trusted": trusted,
        "imported_at": utcnow(),
        "sites": len(manifest.get("sites", [])),
        "replaces": current.get("id") if current else None,
    }
    ws.record_import(entry, supersedes=current["doc_id"] if current is not None else None)
    return entry


def _safe(city: str) -> str:
    return "".join(c for c in city if c.isascii() and (c.isalnum() or c in "-_")) or "city"


def _manifest_digest(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return hashlib.sha256(archive.read(bundle_fmt.MANIFEST)).hexdigest()  # size checked by verify


def _current_import(ws: Workspace, city: str, quarter: str) -> Any:
    """The import that counts for (city, quarter): the latest one not replaced since."""
    entries = [e for e in ws.province_imports()
               if _entry_city(e) == city and e.get("quarter") == quarter and not e.get("superseded_by")]
    return max(entries, key=lambda e: str(e.get("imported_at", "")), default=None)


def _entry_city(entry: Any) -> str:
    return str(entry.get("city") or f"地区:{clean(entry.get('region'), 60)}")


def province_imports(ws: Workspace) -> list[dict[str, Any]]:
    """Every import, oldest first (resubmissions and the ones they replaced: the history)."""
    return sorted(ws.province_imports(), key=lambda e: str(e.get("imported_at", "")))


def province_report(ws: Workspace, quarter: str | None = None) -> dict[str, Any]:
    entries = [e for e in province_imports(ws) if not e.get("superseded_by")]
    if not entries:
        raise BundleError([texts.no_imports(ws.root)])
    bundles, by_key = [], {}
    for entry in entries:
        try:
            extracted = bundle_fmt.read_extracted(ws.root / str(entry["dir"]))
        except (KeyError, OSError, ValueError) as exc:
            raise WorkspaceError(texts.imported_bundle_unreadable(PROVINCE, entry["doc_id"], exc)) from None
        manifest = extracted["manifest"] = dict(extracted["manifest"]) | {"city": _entry_city(entry)}
        bundles.append(extracted)
        by_key[(manifest["city"], str(manifest.get("quarter", "")))] = entry
    report = bundle_fmt.province_aggregate(bundles, check_quarter(quarter) if quarter else None)
    history = province_imports(ws)
    for city in report["cities"]:
        entry = by_key.get((city["city"], city["quarter"]), {})
        city["trusted"] = bool(entry.get("trusted"))
        city["signer"] = entry.get("signer", "")
        city["imports"] = [
            {k: e.get(k) for k in ("id", "bundle", "created_at", "imported_at", "trusted", "signer", "superseded_by")}
            for e in history if _entry_city(e) == city["city"] and e.get("quarter") == city["quarter"]
        ]
    report["totals"]["untrusted"] = sum(1 for c in report["cities"] if not c["trusted"])
    return report
