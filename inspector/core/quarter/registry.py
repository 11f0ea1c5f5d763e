"""Site registry import: national 政府网站基本信息数据库 exports (.csv in UTF-8/BOM/GBK/GB18030, .xlsx).

Rows are validated one by one: a bad row is reported with its row number and reason
and does not stop the good rows. A file that is not a registry at all (no site-code or
homepage column) is rejected before anything is stored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from inspector.core import texts
from inspector.core.web.charset import clean_text

# canonical field -> accepted headers (normalised: no spaces, lower-case)
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("网站标识码", "政府网站标识码", "标识码", "sitecode", "siteidcode", "site_code", "code"),
    "name": ("网站名称", "政府网站名称", "sitename", "site_name", "name"),
    "url": ("首页网址", "网站首页网址", "网站地址", "网址", "homepage", "homepage_url", "url"),
    "host_org": ("主办单位", "网站主办单位", "host", "host_org", "sponsor"),
    "admin_org": ("主管单位", "网站主管单位", "admin_org", "supervisor", "competent_org"),
    "region": ("地区", "所属地区", "行政区划", "region", "area"),
    "level": ("网站类型", "级别", "网站级别", "网站类别", "level", "type", "site_type"),
    "status": ("运行状态", "网站运行状态", "状态", "status"),
    "icp": ("icp备案号", "备案号", "icp", "icp_license"),
    # optional: the site's pages when the 首页网址 alone does not say it (a sub-site on a shared platform)
    "scope": ("站点范围", "网站范围", "检查范围", "scope", "site_scope"),
}
REQUIRED = ("code", "name", "url")
CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$", re.IGNORECASE)
NOT_RUNNING = ("下线", "关停", "关闭", "停止", "注销", "整合", "迁移", "offline", "closed")
MAX_ROWS = 100_000


class RegistryError(ValueError):
    """The file is not a usable registry (nothing was imported)."""


@dataclass
class ImportReport:
    sites: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    encoding: str = ""
    added: int = 0
    updated: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "valid": len(self.sites),
            "added": self.added,
            "updated": self.updated,
            "rejected": [{"row": r, "reason": why} for r, why in self.rejected],
        }


def is_running(status: str) -> bool:
    """正常运行 (or an empty status) is running; 永久下线, 关停 ... are not."""
    s = (status or "").strip().lower()
    return not any(word in s for word in NOT_RUNNING)


def _norm_header(h: Any) -> str:
    return re.sub(r"[\s\ufeff*：:（）()]", "", str(h or "")).lower()


def _map_headers(headers: list[Any]) -> dict[str, int]:
    lookup = {alias.lower(): canon for canon, aliases in HEADERS.items() for alias in aliases}
    mapping: dict[str, int] = {}
    for idx, h in enumerate(headers):
        canon = lookup.get(_norm_header(h))
        if canon and canon not in mapping:
            mapping[canon] = idx
    return mapping


def decode_csv(raw: bytes) -> tuple[str, str]:
    """CSV bytes -> (text, encoding): UTF-8 (with or without BOM) first, then GB18030 (⊃ GBK/GB2312)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-bom"
        except UnicodeDecodeError:
            raise RegistryError("文件以 UTF-8 BOM 开头，但内容不是 UTF-8 文本") from None
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise RegistryError("文件既不是 UTF-8 也不是 GBK/GB18030 文本")


def _read_rows(path: Path) -> tuple[list[list[Any]], str]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise RegistryError(f"无法按 .xlsx 读取 {path.name}：{texts.error_detail(exc)}") from None
        try:
            ws = wb.worksheets[0]
            rows = [list(r) for _, r in zip(range(MAX_ROWS + 1), ws.iter_rows(values_only=True))]
        finally:
            wb.close()
        return rows, "xlsx"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"无法读取 {path}：{exc.strerror}") from None
    if b"\x00" in raw[:4096]:
        raise RegistryError(f"{path.name} 是二进制文件，不是 CSV 网站名录")
    text, enc = decode_csv(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [r for _, r in zip(range(MAX_ROWS + 1), csv.reader(io.StringIO(text), dialect))]
    except csv.Error as exc:  # e.g. a field over the csv module's limit: not a registry export
        raise RegistryError(f"{path.name} 不是可读的 CSV 网站名录：{exc}") from None
    return rows, enc


def _header_row(rows: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """Find the header row (exports sometimes have a title line above it)."""
    for i, row in enumerate(rows[:10]):
        mapping = _map_headers(row)
        if all(k in mapping for k in ("code", "url")):
            return i, mapping
    raise RegistryError(
        "不是网站名录：前几行中没有找到“网站标识码”和“首页网址”列"
        "（应有网站标识码、网站名称、首页网址、主办单位、级别、运行状态等表头）"
    )


def validate_url(url: str) -> str | None:
    """Return a reason string if the homepage URL is unusable, else None.

    Spaces around the host or in the path are :func:`mend_registry_url`'s to mend; a space inside
    the host name is refused (no host name has one).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "首页网址无效"
    if parts.scheme not in ("http", "https"):
        return f"首页网址须以 http:// 或 https:// 开头（实际为 {url[:60]!r}）"
    if re.search(r"\s", parts.netloc.strip()):
        return f"首页网址的主机名含空格：{parts.netloc.strip()[:60]!r}"
    if not parts.hostname:
        return "首页网址没有主机名"
    try:
        parts.port
    except ValueError:
        return "首页网址的端口无效"
    return None


def mend_registry_url(url: str) -> str:
    """A registry 首页网址 as an http(s) URL: scheme added when missing, spaces around the host
    dropped, spaces in the path and query percent-encoded, ``/`` for an empty path."""
    url = url.strip()
    if url and "://" not in url and re.match(r"^[\w.-]+\.[a-z]{2,}(?:[:/]|$)", url, re.I):
        url = "http://" + url  # registry exports often omit the scheme
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # validate_url names the problem
    if parts.scheme in ("http", "https"):
        path = re.sub(r"\s", lambda m: "%20" if m.group() == " " else "", parts.path) or "/"
        query = re.sub(r"\s", lambda m: "%20" if m.group() == " " else "", parts.query)
        url = urlunsplit((parts.scheme, parts.netloc.strip(), path, query, parts.fragment))
    return url


def scope_problem(scope: str) -> str | None:
    """Why a 站点范围 value is unusable, else None (empty: the 首页网址's own scope)."""
    if not scope:
        return None
    from inspector.core.web.scope import Scope

    try:
        Scope.explicit(mend_registry_url(scope), "registry")
    except ValueError as exc:
        return str(exc)
    return None


def parse_registry(path: str | Path) -> ImportReport:
    """Read and validate a registry file; nothing is stored here."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError(f"文件不存在：{path}")
    rows, encoding = _read_rows(path)
    if len(rows) > MAX_ROWS:
        raise RegistryError(f"{path.name} 超过 {MAX_ROWS} 行")
    if not rows:
        raise RegistryError(f"{path.name} 是空文件")
    header_idx, mapping = _header_row(rows)
    missing = [HEADERS[k][0] for k in REQUIRED if k not in mapping]
    if missing:
        raise RegistryError(f"不是网站名录：缺少列 {'、'.join(missing)}")
    report = ImportReport(encoding=encoding)
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows[header_idx + 1 :]):
        rownum = header_idx + offset + 2  # 1-based, header is a row
        if not any(str(c or "").strip() for c in row):
            continue
        rec = {k: clean_text(str(row[i] if i < len(row) and row[i] is not None else "")) for k, i in mapping.items()}
        reason = _row_problem(rec)
        if reason is None and rec["code"].lower() in seen:
            reason = f"网站标识码 {rec['code']} 重复（第 {seen[rec['code'].lower()]} 行已有）"
        if reason:
            report.rejected.append((rownum, reason))
            continue
        seen[rec["code"].lower()] = rownum
        report.sites.append(_site(rec))
    return report


def _row_problem(rec: dict[str, str]) -> str | None:
    code = rec.get("code", "")
    if not CODE_RE.match(code):
        return f"网站标识码 {code[:30]!r} 不是 10 位数字或 bm 加 8 位数字"
    if not rec.get("name"):
        return "网站名称为空"
    rec["url"] = mend_registry_url(rec.get("url", ""))
    if rec.get("scope"):
        rec["scope"] = mend_registry_url(rec["scope"])
    return validate_url(rec["url"]) or scope_problem(rec.get("scope", ""))


def _site(rec: dict[str, str]) -> dict[str, Any]:
    site = {k: rec.get(k, "") for k in HEADERS}
    site["code"] = site["code"].lower() if site["code"].lower().startswith("bm") else site["code"]
    site["running"] = is_running(site["status"])
    return site


def import_registry(workspace: Any, path: str | Path) -> ImportReport:
    """Parse, then upsert the valid rows into the workspace in one write."""
    report = parse_registry(path)
    if report.sites:
        report.added, report.updated = workspace.upsert_sites(report.sites)
    return report
