"""Quarter summary for the province: spreadsheet rows (.xlsx / .csv) and a printable HTML report.

Everything here takes plain data: the per-site result dicts of a bundle (see ``bundle.py``) and a
``quarter_info`` dict. Site names, problems and notes are untrusted text: control characters are
stripped, spreadsheet cells never start a formula, and HTML output escapes everything.
"""

from __future__ import annotations

import csv
import html
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from inspector.core import texts
from inspector.core.text import strip_controls

HEADERS: tuple[str, ...] = (
    "序号",
    "网站名称",
    "网站标识码",
    "首页网址",
    "主办单位",
    "检查时间",
    "完成情况",
    "检查结果",
    "得分",
    "单项否决项",
    "扣分明细",
    "存在问题",
    "人工调整",
    "整改情况",
    "整改时限",
)
FINDING_HEADERS: tuple[str, ...] = (
    "序号",
    "网站名称",
    "网站标识码",
    "指标",
    "核定结果",
    "扣分",
    "问题描述",
    "问题网址",
    "所在页面",
    "证据文件",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {
    "网站名称": 28,
    "首页网址": 32,
    "主办单位": 24,
    "检查时间": 18,
    "单项否决项": 24,
    "扣分明细": 30,
    "存在问题": 60,
    "人工调整": 60,
    "整改情况": 24,
    "指标": 16,
    "问题描述": 48,
    "问题网址": 40,
    "所在页面": 32,
    "证据文件": 40,
}
FAIL_WORDS = (texts.RESULT["fail"], texts.STATUS["fail"])  # rows marked in the sheets

Row = Mapping[str, Any]


def clean(value: Any) -> str:
    """Untrusted value -> display text without control characters (newline and tab kept)."""
    if value is None:
        return ""
    return strip_controls(str(value))


def result_name(result: Any) -> str:
    """pass/fail/review -> 合格/不合格/待复核 (unknown values shown as given)."""
    return texts.result_name(result)


def scored(site: Row) -> bool:
    """Are the site's deduction indicators scored (no veto)?"""
    return not site.get("vetoes")


def done_name(site: Row) -> str:
    """已完成 / 未完成 (bundles written before completeness was kept: nothing)."""
    if "done" not in site:
        return ""
    return texts.DONE if site.get("done") else texts.NOT_DONE


def population_count(sampling: Mapping[str, Any]) -> int | None:
    """Population size of a sampling record: ``population_size``, or ``population`` as a number or a list."""
    for value in (sampling.get("population_size"), sampling.get("population")):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, list):
            return len(value)
    return None


# --------------------------------------------------------------------------- rows


def summary_rows(sites: Sequence[Row], indicator_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One summary row (keyed by ``HEADERS``) per site result, numbered from 1."""
    names = indicator_names or {}
    return [_site_row(number, site, names) for number, site in enumerate(sites, start=1)]


def _site_row(number: int, site: Row, names: Mapping[str, str]) -> dict[str, Any]:
    rect = site.get("rectification") or {}
    return {
        "序号": number,
        "网站名称": clean(site.get("name")),
        "网站标识码": clean(site.get("code")),
        "首页网址": clean(site.get("url")),
        "主办单位": clean(site.get("主办单位")),
        "检查时间": texts.local_time(site.get("checked_at")) if site.get("checked_at") else "",
        "完成情况": done_name(site),
        "检查结果": result_name(site.get("result")),
        "得分": _score(site.get("score")) if scored(site) else texts.NOT_SCORED,
        "单项否决项": "；".join(names.get(v, clean(v)) for v in site.get("vetoes") or []),
        "扣分明细": _deductions(site.get("deductions") or {}, names) if scored(site) else f"{texts.NOT_SCORED}（单项否决）",
        "存在问题": "；".join(clean(p) for p in site.get("problems") or []),
        "人工调整": "；".join(adjustment_lines(site)),
        "整改情况": _rectification(rect, site.get("recheck")),
        "整改时限": clean(rect.get("deadline")),
    }


def _score(score: Any) -> float | str:
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return ""
    return round(float(score), 2)


def _deductions(deductions: Mapping[str, Any], names: Mapping[str, str]) -> str:
    parts = []
    for indicator, points in deductions.items():
        if isinstance(points, (int, float)) and not isinstance(points, bool) and points:
            parts.append(f"{names.get(indicator, clean(indicator))} 扣{points:g}分")
    return "；".join(parts)


def adjustment_lines(site: Row) -> list[str]:
    """The site's hand changes (人工调整), one line each: what, why, who, when."""
    return [texts.adjustment_line(a) for a in site.get("adjustments") or [] if isinstance(a, Mapping)]


def _rectification(rect: Mapping[str, Any], recheck: Mapping[str, Any] | None) -> str:
    status = rect.get("status")
    parts = [texts.rectification_name(status)] if status else []
    if rect.get("note"):
        parts.append(clean(rect["note"]))
    if recheck:
        when = texts.local_time(recheck.get("checked_at")) if recheck.get("checked_at") else ""
        parts.append(f"复查{result_name(recheck.get('result'))}" + (f"（{when}）" if when else ""))
    return "；".join(parts)


# --------------------------------------------------------------------------- spreadsheets


def _cell(value: Any) -> Any:
    """Numbers stay numbers; text is cleaned and never starts a formula (CSV/formula injection)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = clean(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _table(rows: Iterable[Row]) -> list[list[Any]]:
    return [[_cell(row.get(header, "")) for header in HEADERS] for row in rows]


def write_summary_csv(path: str | os.PathLike[str], rows: Iterable[Row]) -> Path:
    """CSV in UTF-8 with BOM (opens correctly in Excel on Chinese Windows), header row first."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(_table(rows))
    return path


def write_summary_xlsx(
    path: str | os.PathLike[str],
    rows: Iterable[Row],
    title: str = "抽查汇总",
    findings: Iterable[Row] | None = None,
) -> Path:
    """An .xlsx: the summary sheet (and, given ``findings``, a 问题明细 sheet keyed by ``FINDING_HEADERS``).

    Each sheet has a bold frozen header row, set column widths, wrapped text, and its 不合格 rows marked.
    """
    path = Path(path)
    book = Workbook()
    _fill_sheet(book.active, clean(title)[:31] or "Sheet1", HEADERS, rows, "检查结果")
    if findings is not None:
        _fill_sheet(book.create_sheet(), "问题明细", FINDING_HEADERS, findings, "核定结果")
    book.save(path)
    return path


def _fill_sheet(sheet: Any, title: str, headers: Sequence[str], rows: Iterable[Row], result_column: str) -> None:
    sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_cell(row.get(header, "")) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(header, 12)
    marker = headers.index(result_column)
    for row_cells in sheet.iter_rows(min_row=2):
        failed = row_cells[marker].value in FAIL_WORDS
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if failed:
                cell.fill = _FAIL_FILL
        if failed:
            row_cells[marker].font = Font(bold=True, color="9C0006")


_HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
_FAIL_FILL = PatternFill("solid", fgColor="FFC7CE")


# --------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       margin: 2em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; border-bottom: 2px solid #333; padding-bottom: .2em; }
table { border-collapse: collapse; width: 100%; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #888; padding: .25em .45em; text-align: left; vertical-align: top; }
th { background: #eee; }
.pass { color: #0a6b0a; font-weight: bold; } .fail { color: #b00; font-weight: bold; }
.review { color: #a60; font-weight: bold; }
.meta td:first-child { width: 9em; background: #f6f6f6; }
.indicators td:nth-child(-n+4), .indicators th:nth-child(-n+4) { white-space: nowrap; }
figure { margin: .8em 0; page-break-inside: avoid; }
figure img { max-width: 100%; border: 1px solid #aaa; }
figcaption { font-size: .85em; color: #444; }
.site { break-before: page; page-break-before: always; }
h1 + .site { break-before: auto; page-break-before: auto; }
figure img.shot { width: 100%; height: auto; max-height: 60em; object-fit: cover; object-position: top; }
.findings td { word-break: break-all; } .findings tr { page-break-inside: avoid; }
@media print { body { margin: 0; } a { color: inherit; text-decoration: none; } }
"""
_CSP = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'"


def _e(value: Any) -> str:
    return html.escape(clean(value), quote=True)


def _status_word(entry: Any) -> str:
    if isinstance(entry, Mapping):
        entry = entry.get("status") or entry.get("result")
    return texts.status_name(entry) if entry is not None else ""


def _verdict(result: Any) -> str:
    word = str(result)
    css = word if word in ("pass", "fail", "review") else "review"
    return f'<span class="{css}">{_e(result_name(result))}</span>'


def safe_relative_src(path: Any) -> str | None:
    """A relative POSIX path usable as <img src>, URL-quoted; None for anything else."""
    text = clean(path)
    pure = PurePosixPath(text)
    if not text or "\\" in text or ":" in text or pure.is_absolute():
        return None
    if any(part in ("..", ".", "") for part in text.split("/")):
        return None
    return quote(text, safe="/")


def write_report_html(
    path: str | os.PathLike[str],
    quarter_info: Row,
    sites: Sequence[Row],
    indicator_names: Mapping[str, str] | None = None,
) -> Path:
    """A self-contained printable report: quarter summary table, then one page per site.

    ``quarter_info``: region, quarter, title (optional), created_at, inspectors (list),
    sampling {population, size, ratio, method, seed}. Each site may carry ``screenshots``: a list of
    relative paths or ``{"path", "caption"}`` dicts (relative to the report), shown as <img>.
    """
    names = indicator_names or {}
    parts = [_head(quarter_info), _summary(quarter_info, sites, names)]
    parts.extend(_site_page(site, names) for site in sites)
    parts.append("</body>\n</html>\n")
    path = Path(path)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def write_site_report_html(
    path: str | os.PathLike[str],
    quarter_info: Row,
    site: Row,
    indicator_names: Mapping[str, str] | None = None,
) -> Path:
    """One site's printable page (for a 整改通知): its result, indicators, ``findings`` and screenshots."""
    parts = [_head(quarter_info), _site_page(site, indicator_names or {}), "</body>\n</html>\n"]
    path = Path(path)
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _head(info: Row) -> str:
    title = info.get("title") or f"{clean(info.get('region'))} {clean(info.get('quarter'))} 政府网站抽查报告"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<h1>{_e(title)}</h1>\n"
    )


def _summary(info: Row, sites: Sequence[Row], names: Mapping[str, str]) -> str:
    sampling = info.get("sampling") or {}
    passed = sum(1 for s in sites if s.get("result") == "pass")
    meta = [
        ("地区", info.get("region")),
        ("季度", info.get("quarter")),
        ("检查人员", "、".join(clean(i) for i in info.get("inspectors") or [])),
        ("抽查方法", sampling.get("method")),
        ("随机种子", sampling.get("seed")),
        ("网站总数", population_count(sampling)),
        ("抽查数量", sampling.get("size", len(sites))),
        ("合格数", f"{passed} / {len(sites)}"),
        ("未完成", sum(1 for s in sites if s.get("done") is False) or None),
        ("生成时间", f"{texts.local_time(info.get('created_at'))}（{texts.zone_label()}）" if info.get("created_at") else None),
    ]
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta if v not in (None, ""))
    body = "".join(_summary_row(row) for row in summary_rows(sites, names))
    head = "".join(f"<th>{_e(h)}</th>" for h in HEADERS)
    return (
        f'<section class="summary">\n<h2>季度汇总</h2>\n<table class="meta">{rows}</table>\n'
        f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>\n</section>\n"
    )


def _summary_row(row: Row) -> str:
    cells = []
    for header in HEADERS:
        value = row.get(header, "")
        if header == "网站名称":
            cells.append(f'<td><a href="#site-{_e(row.get("网站标识码"))}">{_e(value)}</a></td>')
        else:
            cells.append(f"<td>{_e(value)}</td>")
    return "<tr>" + "".join(cells) + "</tr>\n"


def _site_page(site: Row, names: Mapping[str, str]) -> str:
    rect = site.get("rectification") or {}
    meta = [
        ("网站标识码", site.get("code")),
        ("首页网址", site.get("url")),
        ("主办单位", site.get("主办单位")),
        ("检查时间", texts.local_time(site.get("checked_at")) if site.get("checked_at") else None),
        ("检查人员", "、".join(clean(i) for i in site.get("inspectors") or [])),
        ("完成情况", done_name(site)),
        ("得分", _score(site.get("score")) if scored(site) else f"{texts.NOT_SCORED}（单项否决）"),
        ("单项否决项", "；".join(names.get(v, clean(v)) for v in site.get("vetoes") or [])),
        ("整改情况", _rectification(rect, site.get("recheck"))),
        ("整改时限", rect.get("deadline")),
    ]
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta if v not in (None, ""))
    return (
        f'<section class="site" id="site-{_e(site.get("code"))}">\n'
        f"<h2>{_e(site.get('name'))} — {_verdict(site.get('result'))}</h2>\n"
        f'<table class="meta">{rows}</table>\n'
        f"{_indicator_table(site.get('indicators') or {}, names, scored(site))}{_adjustments(site)}{_problems(site)}"
        f"{_findings(site)}{_figures(site)}</section>\n"
    )


def _points_word(entry: Mapping[str, Any], is_scored: bool) -> str:
    """否决 (a veto hit), 不计分 (a deduction under a veto), 扣4.7分, or nothing."""
    if entry.get("kind") == "veto":
        return texts.VETO if entry.get("status") == "fail" else ""
    if not is_scored:
        return texts.NOT_SCORED
    points = entry.get("points")
    return texts.points(points) if isinstance(points, (int, float)) and points else ""


def _indicator_table(indicators: Mapping[str, Any], names: Mapping[str, str], is_scored: bool = True) -> str:
    if not indicators:
        return ""
    rows = []
    for indicator, entry in indicators.items():
        entry = entry if isinstance(entry, Mapping) else {}
        prefill = entry.get("prefill") if isinstance(entry.get("prefill"), Mapping) else {}
        note = entry.get("note") or prefill.get("note") or ""
        rows.append(
            f"<tr><td>{_e(entry.get('name') or names.get(indicator, indicator))}</td>"
            f"<td>{_e(_status_word(entry.get('prefill')))}</td>"
            f"<td>{_e(_status_word(entry.get('decision')))}</td><td>{_e(_points_word(entry, is_scored))}</td>"
            f"<td>{_e(entry.get('measures_text'))}</td><td>{_e(note)}</td></tr>\n"
        )
    return (
        "<h3>指标</h3>\n<table class=\"indicators\"><thead><tr><th>指标</th><th>机器预判</th><th>人工核定</th><th>扣分</th>"
        f"<th>实测</th><th>说明</th></tr></thead><tbody>\n{''.join(rows)}</tbody></table>\n"
    )


def _adjustments(site: Row) -> str:
    lines = adjustment_lines(site)
    if not lines:
        return ""
    return "<h3>人工调整</h3>\n<ol>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ol>\n"


def _problems(site: Row) -> str:
    problems = site.get("problems") or []
    if not problems:
        return ""
    items = "".join(f"<li>{_e(p)}</li>" for p in problems)
    return f"<h3>存在问题</h3>\n<ol>{items}</ol>\n"


def _findings(site: Row) -> str:
    """The site's findings (rows keyed by ``FINDING_HEADERS``), when the caller gives them."""
    rows = site.get("findings") or []
    if not rows:
        return ""
    columns = ("指标", "核定结果", "问题描述", "问题网址")
    head = "".join(f"<th>{_e(c)}</th>" for c in ("#",) + columns)
    body = "".join(
        f"<tr><td>{n}</td>" + "".join(f"<td>{_e(row.get(c, ''))}</td>" for c in columns) + "</tr>\n"
        for n, row in enumerate(rows, 1)
    )
    return f'<h3>发现明细（{len(rows)}）</h3>\n<table class="findings"><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>\n'


def _figures(site: Row) -> str:
    figures = []
    for shot in site.get("screenshots") or []:
        entry = shot if isinstance(shot, Mapping) else {"path": shot}
        src = safe_relative_src(entry.get("path"))
        if src is None:
            continue
        caption = entry.get("caption") or PurePosixPath(clean(entry.get("path"))).name
        figures.append(
            f'<figure><img src="{html.escape(src, quote=True)}" class="shot" alt="{_e(caption)}" loading="eager">'
            f"<figcaption>{_e(caption)}</figcaption></figure>\n"
        )
    return "<h3>关键截图</h3>\n" + "".join(figures) if figures else ""
