"""Quarter summary spreadsheets and the printable HTML report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl

from inspector.core.submission import report

HOSTILE_NAME = '<script>alert(1)</script>[/b][@click=app.quit]"示例局"\x1b[31m'


def _site(code: str = "3406000012", **extra: Any) -> dict[str, Any]:
    site: dict[str, Any] = {
        "code": code,
        "name": "示例市人民政府",
        "url": "http://127.0.0.1:18701/",
        "主办单位": "示例市人民政府办公室",
        "checked_at": "2026-11-20T09:30:00Z",
        "result": "fail",
        "score": 52.5,
        "vetoes": [],
        "deductions": {"link-availability": 4.7, "homepage-updates": 5, "consultation": 0},
        "problems": ["首页有3个链接无法访问", "=HYPERLINK(\"http://evil\")"],
        "rectification": {"status": "in progress", "deadline": "2026-12-20", "note": "已通知主办单位"},
        "indicators": {
            "link-availability": {"prefill": "fail", "decision": "fail", "note": "复核属实", "points": 4.7},
            "site-unreachable": {"prefill": {"status": "pass"}, "decision": None, "note": "", "points": 0},
        },
        "recheck": {"checked_at": "2026-12-15", "result": "pass", "score": 96},
        "screenshots": [{"path": f"evidence/{code}/首页.png", "caption": "首页"}, "/etc/passwd", "../x.png", "javascript:alert(1)"],
    }
    site.update(extra)
    return site


NAMES = {"link-availability": "链接可用性", "homepage-updates": "首页栏目", "site-not-updated": "网站不更新"}


def test_summary_rows_map_results_to_chinese_columns() -> None:
    veto = _site("3406000013", result="pass", score=None, vetoes=["site-not-updated"], deductions={}, recheck=None)
    rows = report.summary_rows([_site(), veto], NAMES)
    first, second = rows
    assert list(first) == list(report.HEADERS)
    assert first["序号"] == 1 and second["序号"] == 2
    assert first["检查结果"] == "不合格" and second["检查结果"] == "合格"
    assert first["得分"] == 52.5 and second["得分"] == "不计分"  # with a veto nothing is scored
    assert first["扣分明细"] == "链接可用性 扣4.7分；首页栏目 扣5分" and second["扣分明细"] == "不计分（单项否决）"
    assert second["单项否决项"] == "网站不更新"
    assert first["整改情况"] == "整改中；已通知主办单位；复查合格（2026-12-15）"
    assert first["检查时间"] == "2026-11-20 17:30"  # stored in UTC, shown in the office's zone (Asia/Shanghai)
    assert first["整改时限"] == "2026-12-20"


def test_xlsx_opens_with_openpyxl_and_has_the_headers(tmp_path: Path) -> None:
    path = report.write_summary_xlsx(tmp_path / "summary.xlsx", report.summary_rows([_site(name=HOSTILE_NAME)], NAMES))
    sheet = openpyxl.load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "序号", "网站名称", "网站标识码", "首页网址", "主办单位", "检查时间", "完成情况", "检查结果",
        "得分", "单项否决项", "扣分明细", "存在问题", "人工调整", "整改情况", "整改时限",
    ]
    row = [cell.value for cell in sheet[2]]
    assert row[0] == 1 and row[2] == "3406000012" and row[8] == 52.5
    assert "\x1b" not in row[1] and row[1].startswith("<script>")
    assert sheet.cell(2, 12).data_type == "s"  # the "=HYPERLINK" problem is text, not a formula
    assert not str(row[11]).startswith("=")


def test_csv_has_bom_and_headers_and_neutralises_formulas(tmp_path: Path) -> None:
    rows = report.summary_rows([_site(name="=cmd|' /C calc'!A0")], NAMES)
    path = report.write_summary_csv(tmp_path / "summary.csv", rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(table[0]) == report.HEADERS
    assert table[1][1].startswith("'=")
    assert table[1][2] == "3406000012"
    assert len(table) == 2


def test_html_escapes_untrusted_text_and_links_screenshots(tmp_path: Path) -> None:
    site = _site(name=HOSTILE_NAME, problems=["<img src=x onerror=alert(1)>", "[/b] closes markup"])
    info = {"region": "示例市", "quarter": "2026Q4", "inspectors": ["张三<b>"], "sampling": {"population": 40, "size": 8}}
    text = report.write_report_html(tmp_path / "report.html", info, [site], NAMES).read_text(encoding="utf-8")
    assert "<script>" not in text and "<img src=x" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;[/b]" in text
    assert "\x1b" not in text
    assert '<img src="evidence/3406000012/%E9%A6%96%E9%A1%B5.png"' in text
    assert "/etc/passwd" not in text and "../x.png" not in text and "javascript:" not in text
    assert text.count('class="site"') == 1
    assert "default-src 'none'" in text  # Content-Security-Policy: no script can run
    assert "链接可用性" in text and "复核属实" in text and "不合格" in text


def test_html_report_with_no_sites_is_still_valid(tmp_path: Path) -> None:
    text = report.write_report_html(tmp_path / "r.html", {"region": "示例市", "quarter": "2026Q4"}, []).read_text()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "0 / 0" in text


def test_safe_relative_src() -> None:
    assert report.safe_relative_src("evidence/a b.png") == "evidence/a%20b.png"
    for bad in ("", "/abs.png", "C:/x.png", "\\\\host\\s.png", "a/../b.png", "http://x/y.png", "a//b.png"):
        assert report.safe_relative_src(bad) is None, bad
