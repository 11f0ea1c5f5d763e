"""The quarter's submission, both ends: the city exports a signed bundle, the province imports it.

Connects the workspace (sample, inspections, evidence records) to the bundle format of
:mod:`inspector.core.submission.bundle` and the signing of :mod:`inspector.core.submission.signing`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from inspector import __version__
from inspector.core.submission import bundle as bundle_fmt
from inspector.core.submission.bundle import BundleError, VerifyReport
from inspector.core import texts
from inspector.core.scoring import scored, shown_points
from inspector.core.model import Progress, Rectification, Result
from inspector.core.quarter.inspection import adjustments, checklist_of, done_problems, evaluate, is_done
from inspector.core.quarter.sampling import check_quarter, redraw
from inspector.core.submission.signing import generate_keypair
from inspector.core.store import Workspace, utcnow

KEY_DIR = "keys"
SECRET_NAME = "office.key"
PUBLIC_NAME = "office.pub"
EVIDENCE_KINDS = ("screenshot", "crop", "mhtml", "dom")


def office_key_paths(ws: Workspace) -> tuple[Path, Path]:
    return ws.root / KEY_DIR / SECRET_NAME, ws.root / KEY_DIR / PUBLIC_NAME


def generate_office_key(ws: Workspace, *, force: bool = False) -> tuple[Path, Path]:
    secret, public = office_key_paths(ws)
    if secret.exists() and not force:
        raise BundleError([f"{secret.parent} 中已有签名密钥（要替换请加 --force）"])
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
    prefill = record.get("prefill") or {}
    checklist = checklist_of(record)
    effective, verdict = evaluate(record, checklist)
    is_scored = scored(verdict)
    decisions = record.get("decisions") or {}
    indicators: dict[str, Any] = {}
    problems: list[str] = []
    for iid, ind in checklist.indicators.items():
        pre = (prefill.get("indicators") or {}).get(iid)
        eff = effective[iid]
        dec = decisions.get(iid)
        indicators[iid] = {
            "name": ind.name,
            "group": ind.group,
            "kind": ind.kind,
            "prefill": pre,
            "decision": dec,
            "note": (dec or {}).get("note", ""),
            "status": eff["status"],
            "points": eff.get("deduction", 0.0) if is_scored or ind.is_veto else None,
            "shown": shown_points(ind, eff, verdict),
            "measures_text": ind.measures_text((pre or {}).get("measures")),
        }
        if eff["status"] == "fail":
            detail = (dec or {}).get("note") or "；".join(
                str(f.get("detail", "")) for f in ((pre or {}).get("findings") or [])[:3] if f.get("detail")
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
        recheck = record["recheck"]
        out["recheck"] = {
            "checked_at": recheck.get("at", ""),
            "result": recheck.get("doc", {}).get("verdict", {}).get("result"),
            "score": recheck.get("doc", {}).get("verdict", {}).get("score"),
            "vetoes": recheck.get("doc", {}).get("verdict", {}).get("vetoes", []),
        }
    return out


def incomplete_sites(ws: Workspace, quarter: str) -> list[str]:
    """The quarter's sampled sites that are not done, one line each: code, name and why."""
    sample = ws.sample(check_quarter(quarter))
    lines = []
    for code in (sample or {}).get("codes", []):
        record = ws.inspection(quarter, code)
        if is_done(record):
            continue
        why = done_problems(record) or ["尚未标记完成（界面中按 D）"]
        name = (ws.site(code) or {}).get("name", "")
        lines.append(f"  {code} {texts.clean_line(name)}：{'；'.join(why)}")
    return lines


def _evidence_files(ws: Workspace, quarter: str, code: str, record: dict[str, Any]) -> list[tuple[Path, str]]:
    """The evidence behind the site's result (the pre-fill's run) and its re-check, as (source, name in the zip)."""
    wanted = {((record.get("prefill") or {}).get("run") or {}).get("id"): f"evidence/{code}/"}
    recheck = ((record.get("recheck") or {}).get("doc") or {}).get("run", {}).get("id")
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


def export_quarter(ws: Workspace, quarter: str, *, output: Path | None = None, key: Path | None = None,
                   region: str | None = None, allow_incomplete: bool = False) -> Path:
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
        raise BundleError([f"没有签名密钥 {secret}：请先运行 inspector --workspace {ws.root} keys generate（或用 --key 指定）"])
    codes = sample["codes"]
    sites = [site_result(ws, quarter, c) for c in codes]
    files: list[tuple[Path, str]] = []
    for c in codes:
        files.extend(_evidence_files(ws, quarter, c, ws.inspection(quarter, c) or {}))
    checklist = checklist_of(next((ws.inspection(quarter, c) for c in codes if ws.inspection(quarter, c)), None))
    region = region or _region(ws, codes)
    sampling = {k: sample[k] for k in ("method", "seed", "ratio", "stratified_by", "strata", "included",
                                       "population", "population_size", "population_sites", "codes", "size",
                                       "drawn_at") if k in sample}
    sampling["quarter"] = quarter
    info = {
        "region": region,
        "quarter": quarter,
        "sampling": sampling,
        "inspectors": sorted({i for s in sites for i in s["inspectors"]}),
        "tool_version": __version__,
        "checklist": checklist.id,
    }
    out = output or ws.root / "bundles" / f"{quarter}-{date.today():%Y%m%d}.zip"
    try:
        return bundle_fmt.export_bundle(
            out, manifest_info=info, sites=sites, files=files, secret_key_path=secret,
            indicator_names={i.id: i.name for i in checklist.indicators.values()},
        )
    except ValueError as exc:
        raise BundleError([f"无法导出 {quarter}：{exc}"]) from None


def verify(path: Path, pubkey: Path | None = None) -> VerifyReport:
    if not Path(path).is_file():
        raise BundleError([f"文件不存在：{path}"])
    return bundle_fmt.verify_bundle(path, pubkey, redraw=redraw)


# --------------------------------------------------------------------------- province side


def province_import(ws: Workspace, paths: list[Path], pubkey: Path | None = None) -> list[dict[str, Any]]:
    """Verify and import city bundles into a province workspace (strict extraction)."""
    imported = []
    for path in paths:
        report = verify(path, pubkey)
        if not report.ok:
            raise BundleError([f"{Path(path).name}: {r}" for r in report.reasons])
        manifest = report.manifest or {}
        dest = ws.root / "province" / check_quarter(str(manifest.get("quarter", "")))
        target = bundle_fmt.safe_extract(path, dest)
        entry = {
            "region": manifest.get("region", ""),
            "quarter": manifest.get("quarter", ""),
            "created_at": manifest.get("created_at", ""),
            "dir": str(target.relative_to(ws.root)),
            "signer": report.signer,
            "imported_at": utcnow(),
            "sites": len(manifest.get("sites", [])),
        }
        with ws.transaction() as db:
            db.table("province").insert(entry)
        imported.append(entry)
    return imported


def province_report(ws: Workspace, quarter: str | None = None) -> dict[str, Any]:
    bundles = [bundle_fmt.read_extracted(ws.root / e["dir"]) for e in ws.snapshot().table("province").all()]
    if not bundles:
        raise BundleError([f"工作区 {ws.root} 中还没有导入数据包：请运行 inspector --workspace {ws.root} province import 数据包.zip"])
    return bundle_fmt.province_aggregate(bundles, check_quarter(quarter) if quarter else None)
