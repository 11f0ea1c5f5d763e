"""Exports for the office: the quarter's workbook (openpyxl reads it back) and one site's report printed to PDF
by the real Chromium (pypdf reads it back), through the CLI as the inspector runs them."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from inspector.core.checklist import load_checklist
from inspector.core.scoring import prefill, score_site
from inspector.core.model import Finding, Outcome
from inspector.core.store import Workspace
from inspector.core.submission.office import export_workbook, print_site_report
from inspector.core.web.browser import find_chromium
from tests.test_tui import MEASURES, QUARTER, build_workspace

FORMULA = '=HYPERLINK("http://evil.example/","点我")'
CHROMIUM, WHY = find_chromium()


def cli(*args: str, ws: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector.cli", "--workspace", str(ws), *args],
                          capture_output=True, text=True, timeout=300)


def with_findings(ws: Workspace, code: str, count: int, detail: str = "404 Not Found") -> None:
    """Give the site's stored pre-fill ``count`` broken-link findings (the rest as the runner leaves it)."""
    checklist = load_checklist("census-2015")
    record = ws.inspection(QUARTER, code)
    indicators = dict(record["prefill"]["indicators"])
    findings = [Finding(url=f"http://127.0.0.1:9/{code}/broken-{n:04d}.html", where=f"http://127.0.0.1:9/{code}/list.html",
                        detail=f"{detail} #{n:04d}") for n in range(count)]
    measures = {**MEASURES["link-availability"], "other_broken": count}
    indicators["link-availability"] = prefill(checklist.indicators["link-availability"],
                                              Outcome(measures=measures, findings=findings))
    _, verdict = score_site(checklist, indicators)
    ws.update_inspection(QUARTER, code, lambda r: {**r, "prefill": {**r["prefill"], "indicators": indicators,
                                                                      "verdict": verdict}})


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = build_workspace(tmp_path / "ws")
    site = ws.site("3406000014")
    ws.upsert_sites([{**site, "name": FORMULA}])
    with_findings(ws, "3406000013", 2, detail="-1+1 @SUM(A1)")
    return ws


# --------------------------------------------------------------------------- the workbook


def test_the_workbook_has_chinese_headers_marked_failures_and_no_live_formula(ws: Workspace, tmp_path: Path):
    out = tmp_path / "out" / "季度.xlsx"
    r = cli("export", "--quarter", QUARTER, "-o", str(out), ws=ws.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    book = openpyxl.load_workbook(out)
    summary, findings = book.worksheets
    assert findings.title == "问题明细"
    header = [c.value for c in summary[1]]
    assert header[:4] == ["序号", "网站名称", "网站标识码", "首页网址"] and "检查结果" in header and "整改情况" in header
    assert summary.freeze_panes == "A2" and findings.freeze_panes == "A2"
    assert summary.column_dimensions["B"].width == 28
    rows = {row[2].value: row for row in summary.iter_rows(min_row=2)}
    assert set(rows) == {"3406000012", "3406000013", "3406000014"}
    result = header.index("检查结果")
    failed = rows["3406000013"]
    assert failed[result].value == "不合格"
    assert failed[0].fill.fgColor.rgb.endswith("FFC7CE") and failed[result].font.bold
    assert not rows["3406000012"][0].fill.fgColor.rgb.endswith("FFC7CE")
    name = rows["3406000014"][1]  # the registry's name starts a formula: stored as text
    assert name.data_type == "s" and name.value == "'" + FORMULA

    f_header = [c.value for c in findings[1]]
    assert f_header == ["序号", "网站名称", "网站标识码", "指标", "核定结果", "扣分", "问题描述", "问题网址", "所在页面", "证据文件"]
    f_rows = [[c.value for c in row] for row in findings.iter_rows(min_row=2)]
    details = [row[f_header.index("问题描述")] for row in f_rows]
    assert "'-1+1 @SUM(A1) #0000" in details  # a finding that starts with '-' is neutralised too
    vetoed = next(row for row in f_rows if row[f_header.index("问题描述")] == "'-1+1 @SUM(A1) #0000")
    assert vetoed[f_header.index("扣分")] == "不计分"  # a site with a veto: its deductions are not scored
    assert "404 Not Found" in details  # the checked site's finding, with its evidence file
    evidence = next(row for row in f_rows if row[f_header.index("问题描述")] == "404 Not Found")[f_header.index("证据文件")]
    assert evidence == f"runs/{QUARTER}/3406000012/run-1/evidence/home.png"
    assert [row[0] for row in f_rows] == list(range(1, len(f_rows) + 1))


def test_export_without_a_sample_is_a_one_line_error(tmp_path: Path):
    r = cli("export", "--quarter", "2026Q1", ws=tmp_path / "empty")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "没有 2026Q1 的抽样" in r.stderr
    assert "Traceback" not in r.stderr


def test_default_export_path_is_in_the_workspace(ws: Workspace):
    path = export_workbook(ws, QUARTER)
    assert path == ws.root / "exports" / f"{QUARTER}-抽查结果.xlsx" and path.is_file()


# --------------------------------------------------------------------------- the printed report


def pdf_text(path: Path) -> tuple[int, str, int]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    images = sum(len(page.images) for page in reader.pages)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages), images


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason=WHY)
def test_a_sites_report_prints_to_pdf_with_its_name_findings_and_screenshot(ws: Workspace, tmp_path: Path):
    few = tmp_path / "few.pdf"
    r = cli("report", "3406000012", "--quarter", QUARTER, "-o", str(few), ws=ws.root)
    assert r.returncode == 0, r.stderr
    pages_few, text, images = pdf_text(few)
    assert "宜春市人民政府" in text and "3406000012" in text and "404 Not Found" in text
    assert images >= 1  # the evidence screenshot is printed
    for words in ("机器预判", "人工核定", "站点无法访问", "政务咨询类栏目", "不合格"):
        assert words in text  # the indicator table's short columns are not squeezed to a character or two a line

    with_findings(ws, "3406000012", 180)
    many = print_site_report(ws, QUARTER, "3406000012", tmp_path / "many.pdf")
    pages_many, text, _ = pdf_text(many)
    assert "#0179" in text  # every finding printed, the last one too
    assert pages_many >= pages_few + 180 // 60  # a page per at most 60 findings: rows are not crammed or cut


@pytest.mark.slow
def test_report_of_an_unchecked_site_is_a_one_line_error(ws: Workspace):
    r = cli("report", "3406000014", "--quarter", QUARTER, ws=ws.root)
    assert r.returncode == 2 and "尚未检测" in r.stderr and "Traceback" not in r.stderr
    r = cli("report", "9999999999", "--quarter", QUARTER, ws=ws.root)
    assert r.returncode == 2 and "9999999999" in r.stderr


def test_the_report_html_escapes_hostile_names(tmp_path: Path):
    from inspector.core.submission.office import site_report_html

    ws = build_workspace(tmp_path / "ws", hostile=True)
    ws.upsert_sites([{**ws.site("3406000012"), "name": "<script>alert(1)</script>恶意"}])
    out = tmp_path / "html"
    out.mkdir()
    page = site_report_html(ws, QUARTER, "3406000012", out).read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;恶意" in page
    assert "\x1b" not in page and "[/][/b][@click=app.quit]恶意" in page  # the hostile evidence title
    assert (out / "shot-1.png").is_file() and 'src="shot-1.png"' in page
