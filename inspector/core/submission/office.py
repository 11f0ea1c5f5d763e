"""Exports for the office, without a signed bundle: the quarter's workbook and one site's printed report.

- :func:`export_workbook` writes the quarter's results as an .xlsx: one row per sampled site (the
  summary sheet of the bundle) and a sheet with every finding, 不合格 rows marked.
- :func:`print_site_report` prints one site's result (indicators, findings, key screenshots) to PDF
  through the same Chromium that captures evidence, for a 整改通知.

Both reuse the summary rows and writers of :mod:`inspector.core.submission.report` and the site
result of :mod:`inspector.core.submission.exchange` (what the bundle carries).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

from inspector.core import texts
from inspector.core.model import prefill_of, run_id_of
from inspector.core.quarter.inspection import checklist_of
from inspector.core.quarter.sampling import check_quarter
from inspector.core.store import Workspace, utcnow
from inspector.core.submission import report
from inspector.core.submission.exchange import site_result

EXPORT_DIR = "exports"
MAX_FINDINGS_PER_SITE = 2000  # rows of one site in the findings sheet (a site with 10 000 dead links stays readable)
MAX_REPORT_FINDINGS = 500  # rows printed in one site's report
MAX_REPORT_SHOTS = 6  # screenshots printed in one site's report
SHOT_KINDS = ("crop", "screenshot")  # the highlighted part of a page first, then the full page


class ExportError(ValueError):
    """An export that cannot be made (no sample, unknown site, no browser); the message says why."""


def _names(ws: Workspace, quarter: str, codes: list[str]) -> dict[str, str]:
    record = next((r for c in codes if (r := ws.inspection(quarter, c))), None)
    return {i.id: i.name for i in checklist_of(record).indicators.values()}


def _sample_codes(ws: Workspace, quarter: str) -> list[str]:
    sample = ws.sample(quarter)
    if sample is None:
        raise ExportError(texts.no_sample(quarter, ws.root))
    return list(sample["codes"])


def finding_rows(ws: Workspace, quarter: str, site: dict[str, Any], limit: int = MAX_FINDINGS_PER_SITE) -> list[dict[str, Any]]:
    """One row (keyed by ``report.FINDING_HEADERS``) per finding of the site's pre-fill, failing indicators first."""
    evidence = {r.get("id"): r for r in ws.evidence(quarter, site["code"])}
    rows: list[dict[str, Any]] = []
    entries = sorted((site.get("indicators") or {}).items(), key=lambda kv: kv[1].get("status") != "fail")
    for _, entry in entries:
        prefill: dict[str, Any] = entry.get("prefill") or {}  # the indicator's pre-fill entry
        for finding in prefill.get("findings") or []:
            if len(rows) >= limit:
                rows.append({"网站名称": site.get("name"), "网站标识码": site["code"],
                             "问题描述": texts.findings_omitted(limit)})
                return rows
            files = [f.get("path", "") for ev in finding.get("evidence") or [] for f in (evidence.get(ev) or {}).get("files") or []]
            rows.append({
                "网站名称": site.get("name"),
                "网站标识码": site["code"],
                "指标": entry.get("name"),
                "核定结果": texts.status_name(entry.get("status")),
                "扣分": texts.NOT_SCORED if entry.get("points") is None else (entry.get("points") or ""),
                "问题描述": finding.get("detail"),
                "问题网址": finding.get("url"),
                "所在页面": finding.get("where") if finding.get("where") != finding.get("url") else "",
                "证据文件": "\n".join(files),
            })
    return rows


def export_workbook(ws: Workspace, quarter: str, output: Path | None = None) -> Path:
    """The quarter's results as a formatted workbook (汇总 + 问题明细); returns its path."""
    quarter = check_quarter(quarter)
    codes = _sample_codes(ws, quarter)
    sites = [site_result(ws, quarter, code) for code in codes]
    names = _names(ws, quarter, codes)
    findings = [row for site in sites for row in finding_rows(ws, quarter, site)]
    for n, row in enumerate(findings, 1):
        row["序号"] = n
    out = Path(output) if output else ws.root / EXPORT_DIR / f"{quarter}-抽查结果.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    return report.write_summary_xlsx(out, report.summary_rows(sites, names), title=f"{quarter} 抽查汇总",
                                     findings=findings)


# --------------------------------------------------------------------------- one site's printed report


def _shots(ws: Workspace, quarter: str, code: str, record: dict[str, Any], into: Path) -> list[dict[str, str]]:
    """Copy the site's key screenshots (of the pre-fill's run) next to the report; relative paths and captions."""
    run = run_id_of(prefill_of(record))
    root = ws.root.resolve()
    chosen: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for rec in ws.evidence(quarter, code):
        if run and rec.get("run") not in (run, None):
            continue
        files = rec.get("files") or []
        entry = next((f for kind in SHOT_KINDS for f in files if f.get("kind") == kind), None)
        if entry is not None:
            chosen.append((rec, entry))
    out = []
    for n, (rec, entry) in enumerate(chosen[:MAX_REPORT_SHOTS], 1):
        src = (root / str(entry.get("path", ""))).resolve()
        if not src.is_relative_to(root) or not src.is_file():
            continue
        name = f"shot-{n}.png"
        shutil.copyfile(src, into / name)
        caption = f"{report.clean(rec.get('title')) or ''} {report.clean(rec.get('url'))}".strip()
        out.append({"path": name, "caption": caption})
    return out


def site_report_html(ws: Workspace, quarter: str, code: str, directory: Path) -> Path:
    """Write one site's report (HTML and its screenshots) into ``directory``; returns the HTML file."""
    quarter = check_quarter(quarter)
    if ws.site(code) is None:
        raise ExportError(texts.no_site(code, ws.root))
    record = ws.inspection(quarter, code)
    if not record or not record.get("prefill"):
        raise ExportError(texts.not_checked_in(code, quarter, ws.root))
    site = site_result(ws, quarter, code)
    rows = finding_rows(ws, quarter, site, limit=MAX_REPORT_FINDINGS)
    site["findings"] = rows
    site["screenshots"] = _shots(ws, quarter, code, record, directory)
    names = {iid: e.get("name", iid) for iid, e in site["indicators"].items()}
    info = {"region": (ws.site(code) or {}).get("region", ""), "quarter": quarter, "created_at": utcnow(),
            "title": f"{report.clean(site.get('name'))} {quarter} 政府网站抽查结果"}
    return report.write_site_report_html(directory / "report.html", info, site, names)


def print_site_report(ws: Workspace, quarter: str, code: str, output: Path | None = None) -> Path:
    """One site's result printed to PDF through Chromium; returns the PDF's path."""
    quarter = check_quarter(quarter)
    out = Path(output) if output else ws.root / EXPORT_DIR / f"{quarter}-{code}-检查报告.pdf"
    with tempfile.TemporaryDirectory(prefix="inspector-report-") as tmp:
        page = site_report_html(ws, quarter, code, Path(tmp))
        out.parent.mkdir(parents=True, exist_ok=True)
        asyncio.run(print_pdf(page, out))
    return out


PDF_FOOTER = ('<div style="width:100%;font-size:8px;color:#555;text-align:center;">'
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


async def print_pdf(html_file: Path, pdf: Path, timeout: float = 60.0) -> None:
    """Print a local HTML file to an A4 PDF with the system's Chromium; only file: URLs load."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    from inspector.core.web.browser import LAUNCH_ARGS, find_chromium, private_home

    path, how = find_chromium()
    if path is None:
        raise ExportError(texts.pdf_needs_chromium(how))

    async def only_local(route: Any) -> None:
        if route.request.url.startswith("file:"):
            await route.continue_()
        else:
            await route.abort()

    with private_home() as home:  # nothing left in the user's home
        async with async_playwright() as pw:
            try:
                browser = await pw.chromium.launch(executable_path=path, args=list(LAUNCH_ARGS),
                                                   timeout=timeout * 1000, env=home)
            except PlaywrightError as exc:
                raise ExportError(texts.browser_launch_failed(path, how, str(exc).splitlines()[0])) from None
            try:
                page = await browser.new_page()
                await page.route("**/*", only_local)
                await page.goto(html_file.resolve().as_uri(), wait_until="load", timeout=timeout * 1000)
                tmp = pdf.with_name(pdf.name + ".part")
                await page.pdf(path=str(tmp), format="A4", print_background=True, display_header_footer=True,
                               header_template="<span></span>", footer_template=PDF_FOOTER,
                               margin={"top": "12mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
                tmp.replace(pdf)
            finally:
                await browser.close()
