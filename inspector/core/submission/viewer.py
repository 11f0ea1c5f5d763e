"""A small read-only web page of a quarter's evidence, on 127.0.0.1 (``inspector evidence serve``).

For inspectors who work over SSH: on the server ``inspector evidence serve --quarter 2026Q4``, on their
own PC ``ssh -L 8765:127.0.0.1:8765 server`` and a browser at http://127.0.0.1:8765/. The page lists the
quarter's sampled sites; each site's page shows its result, indicators, findings and evidence records
(screenshots inline, MHTML and DOM files to download, every SHA-256 re-checked).

Safety, because everything shown was scraped from the web:
- only GET and HEAD; nothing is ever written;
- every string is HTML-escaped; a strict Content-Security-Policy (no script at all) and ``nosniff``;
- a file is named in the URL by its evidence record and index, never by a path: its path comes from
  the workspace's record and must resolve inside the workspace (no path traversal);
- captured DOM/MHTML is never rendered on this origin: it is sent as a download;
- the Host header must name a loopback address (no DNS rebinding from a web page).
"""

from __future__ import annotations

import hashlib
import html
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from inspector.core import texts
from inspector.core.quarter.inspection import checklist_of, evaluate, quarter_overview
from inspector.core.store import Workspace
from inspector.core.web.charset import strip_controls

DEFAULT_PORT = 8765
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAX_FINDINGS = 200  # per indicator on a site's page
HASH_LIMIT = 512 * 1024 * 1024  # files larger than this are not re-hashed on each page view
CSP = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'none'; "
       "frame-ancestors 'none'; base-uri 'none'")
INLINE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
DOWNLOAD_TYPES = {".mhtml": "multipart/related", ".mht": "multipart/related", ".html": "text/plain; charset=utf-8",
                  ".htm": "text/plain; charset=utf-8", ".json": "application/json"}
RESULT = {key: (texts.RESULT[key], key) for key in ("pass", "fail", "review")} | {None: (texts.RESULT["not checked"], "none")}
STATUS = {key: (f"{mark} {texts.STATUS[key]}", key) for key, mark in (("pass", "✔"), ("fail", "✘"), ("review", "?"))}

STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; margin: 1.5em; color: #111; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #999; padding: .2em .45em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; }
.pass { color: #0a6b0a; font-weight: bold; } .fail { color: #b00; font-weight: bold; }
.review { color: #a60; font-weight: bold; } .none { color: #777; }
.hash { font-family: monospace; font-size: .85em; word-break: break-all; }
.path { font-family: monospace; font-size: .85em; word-break: break-all; }
.record { border: 1px solid #bbb; padding: .5em 1em; margin: 1em 0; }
.record img { max-width: 100%; border: 1px solid #aaa; }
nav { margin-bottom: 1em; } .muted { color: #666; }
"""


def _e(value: Any) -> str:
    """Untrusted text as HTML text: control characters stripped, then escaped."""
    return html.escape(strip_controls("" if value is None else str(value)), quote=True)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class EvidencePages:
    """The pages and files of one quarter's evidence, read from the workspace on every request."""

    def __init__(self, ws: Workspace, quarter: str) -> None:
        self.ws = ws
        self.quarter = quarter
        self.root = ws.root.resolve()

    # -- files ---------------------------------------------------------------------------------
    def file_path(self, code: str, record_id: str, index: int) -> tuple[Path, dict[str, Any]] | None:
        """The ``index``-th file of an evidence record of the site, if it exists inside the workspace."""
        rec = next((r for r in self.ws.evidence(self.quarter, code) if r.get("id") == record_id), None)
        files = (rec or {}).get("files") or []
        if not 0 <= index < len(files):
            return None
        path = (self.root / str(files[index].get("path", ""))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path, files[index]

    @staticmethod
    def file_url(code: str, record_id: Any, index: int) -> str:
        return f"/file/{quote(str(code), safe='')}/{quote(str(record_id), safe='')}/{index}"

    # -- pages ---------------------------------------------------------------------------------
    def _page(self, title: str, body: str) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{_e(title)}</title>'
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
        )

    def index(self) -> str:
        rows = sorted(quarter_overview(self.ws, self.quarter), key=lambda r: str(r["code"]))
        counts = {r["code"]: len(self.ws.evidence(self.quarter, r["code"])) for r in rows}
        body = [f"<h1>{_e(self.quarter)} 抽查证据 evidence</h1>",
                f'<p class="muted">工作区 workspace: <span class="path">{_e(self.root)}</span> · 只读 read-only</p>']
        if not rows:
            body.append(f"<p>{_e(self.quarter)} 尚未抽样 no sample drawn.</p>")
        else:
            body.append("<table><thead><tr><th>网站标识码</th><th>网站名称</th><th>进度</th><th>结果</th><th>得分</th>"
                        "<th>否决</th><th>证据</th></tr></thead><tbody>")
            for r in rows:
                label, css = RESULT.get(r["result"], RESULT[None])
                score = texts.NOT_SCORED if r["vetoes"] else "—" if r["score"] is None else f"{r['score']:g}"
                href = "/site/" + quote(str(r["code"]), safe="")
                body.append(
                    f'<tr><td><a href="{href}">{_e(r["code"])}</a></td><td><a href="{href}">{_e(r["name"])}</a></td>'
                    f'<td>{_e(texts.progress_name(r["progress"]))}</td><td class="{css}">{label}</td>'
                    f'<td class="num">{score}</td><td class="num">{len(r["vetoes"]) or ""}</td>'
                    f'<td class="num">{counts.get(r["code"], 0)}</td></tr>'
                )
            body.append("</tbody></table>")
        return self._page(f"{self.quarter} 抽查证据", "\n".join(body))

    def site(self, code: str) -> str | None:
        site = self.ws.site(code)
        sample = self.ws.sample(self.quarter) or {}
        if site is None or code not in sample.get("codes", []):
            return None
        record = self.ws.inspection(self.quarter, code) or {}
        out = ['<nav><a href="/">← 全部网站 all sites</a></nav>',
               f"<h1>{_e(site.get('name'))} <span class=\"muted\">{_e(code)}</span></h1>",
               f'<p>首页 homepage: <span class="path">{_e(site.get("url"))}</span></p>']
        if record.get("prefill"):
            out.append(self._verdict(record))
        else:
            out.append("<p class=\"none\">未检测 not checked yet</p>")
        out.append(self._evidence(code))
        return self._page(f"{strip_controls(str(site.get('name') or ''))} {code}", "\n".join(out))

    def _verdict(self, record: dict[str, Any]) -> str:
        checklist = checklist_of(record)
        effective, verdict = evaluate(record, checklist)
        label, css = RESULT.get(verdict["result"], RESULT[None])
        names = {i.id: i.name for i in checklist.indicators.values()}
        scored = not verdict["vetoes"]  # with a veto the deductions (and the score) are not scored
        score = (f'得分 score {verdict["score"]:g} · 扣分 {verdict["deduction_total"]:g}' if scored
                 else f"得分 score {texts.NOT_SCORED}（单项否决）")
        out = [f'<p>结果 result: <span class="{css}">{label}</span> · {score} · '
               f'否决 veto: {_e("、".join(names.get(v, v) for v in verdict["vetoes"]) or texts.NONE)}'
               f' · 检测于 checked {_e(texts.local_time(record.get("prefill_at")))}（{_e(texts.zone_label())}）</p>',
               "<h2>指标 indicators</h2><table><thead><tr><th>指标</th><th>状态</th><th>扣分</th><th>度量 measures</th>"
               "<th>发现</th></tr></thead><tbody>"]
        prefills = record["prefill"].get("indicators") or {}
        findings_html = []
        for iid, ind in checklist.indicators.items():
            eff = effective[iid]
            status, scss = STATUS.get(eff["status"], STATUS["review"])
            pre = prefills.get(iid) or {}
            measures = ind.measures_text(pre.get("measures"))
            findings = pre.get("findings") or []
            if ind.is_veto:
                points = texts.VETO if eff["status"] == "fail" else ""
            else:
                points = texts.NOT_SCORED if not scored else (f"−{eff['deduction']:g}" if eff.get("deduction") else "")
            anchor = f'<a href="#f-{_e(iid)}">{len(findings)}</a>' if findings else ""
            out.append(f'<tr><td>{_e(ind.name)}</td><td class="{scss}">{status}</td><td class="num">{points}</td>'
                       f'<td>{_e(measures)}</td><td class="num">{anchor}</td></tr>')
            if findings:
                items = "".join(
                    f'<li>{_e(f.get("detail"))} — <span class="path">{_e(f.get("url"))}</span>'
                    + (f' <span class="muted">(位置 on {_e(f.get("where"))})</span>' if f.get("where") and f.get("where") != f.get("url") else "")
                    + "</li>"
                    for f in findings[:MAX_FINDINGS]
                )
                more = f"<p class=\"muted\">另有 {len(findings) - MAX_FINDINGS} 条 more</p>" if len(findings) > MAX_FINDINGS else ""
                findings_html.append(f'<h3 id="f-{_e(iid)}">{_e(names.get(iid, iid))}（{len(findings)}）</h3><ol>{items}</ol>{more}')
        out.append("</tbody></table>")
        if findings_html:
            out.append("<h2>发现 findings</h2>" + "".join(findings_html))
        return "\n".join(out)

    def _evidence(self, code: str) -> str:
        records = self.ws.evidence(self.quarter, code)
        names = {i.id: i.name for i in checklist_of(self.ws.inspection(self.quarter, code)).indicators.values()}
        out = [f"<h2>证据 evidence（{len(records)}）</h2>"]
        if not records:
            out.append('<p class="muted">没有证据记录 no evidence captured (checked without a browser?)</p>')
        for rec in records:
            rid = rec.get("id")
            shown = {**rec, "captured_at_utc": texts.moment(rec.get("captured_at_utc"))}  # the office's time
            rows = "".join(
                f"<tr><th>{label}</th><td>{_e(shown.get(key))}</td></tr>"
                for label, key in (("标题 title", "title"), ("URL", "url"), ("最终 final URL", "final_url"),
                                   ("HTTP", "status"), ("采集时间 captured", "captured_at_utc"),
                                   ("浏览器 browser", "browser_version"), ("错误 error", "error"))
                if rec.get(key) not in (None, "")
            )
            if rec.get("findings"):
                rows += f"<tr><th>发现 findings</th><td>{'<br>'.join(_e(texts.evidence_finding(f, names)) for f in rec['findings'][:50])}</td></tr>"
            files, images = [], []
            for i, entry in enumerate(rec.get("files") or []):
                url = self.file_url(code, rid, i)
                found = self.file_path(code, str(rid), i)
                if found is None:
                    check = '<span class="fail">缺失 missing</span>'
                elif found[0].stat().st_size > HASH_LIMIT:
                    check = '<span class="muted">未校验 too large to re-hash here</span>'
                elif sha256_file(found[0]) == entry.get("sha256"):
                    check = '<span class="pass">✔ 一致 matches</span>'
                else:
                    check = '<span class="fail">✘ 不一致 differs</span>'
                full = found[0] if found else self.root / str(entry.get("path", ""))
                link = f'<a href="{url}">{_e(entry.get("kind"))}</a>' if found else _e(entry.get("kind"))
                files.append(f'<tr><td>{link}</td><td class="path">{_e(full)}</td>'
                             f'<td class="hash">{_e(entry.get("sha256"))}</td><td>{check}</td></tr>')
                if found and found[0].suffix.lower() in INLINE_TYPES:
                    images.append(f'<figure><a href="{url}"><img src="{url}" alt="{_e(entry.get("kind"))}" '
                                  f'loading="lazy"></a><figcaption>{_e(entry.get("kind"))}</figcaption></figure>')
            out.append(
                f'<div class="record" id="r-{_e(rid)}"><h3>记录 record {_e(rid)}</h3><table>{rows}</table>'
                "<table><thead><tr><th>类型</th><th>文件 full path</th><th>SHA-256</th><th>校验</th></tr></thead>"
                f"<tbody>{''.join(files)}</tbody></table>{''.join(images)}</div>"
            )
        return "\n".join(out)


class _Handler(BaseHTTPRequestHandler):
    server_version = "inspector-evidence"
    sys_version = ""
    pages: EvidencePages  # set on the subclass the server makes
    log: Callable[[str], None] | None = None

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        if self.log is not None:
            self.log(strip_controls(format % args))

    def _headers(self, status: int, ctype: str, length: int, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _text(self, status: int, body: str, ctype: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self._headers(status, ctype, len(data), {"Allow": "GET, HEAD"} if status == 405 else None)
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status: HTTPStatus, why: str) -> None:
        self._text(status, f"{status.value} {why}\n", "text/plain; charset=utf-8")

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK_NAMES

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if not self._host_ok():
            self._error(HTTPStatus.MISDIRECTED_REQUEST, texts.VIEWER_LOOPBACK_ONLY)
            return
        path = urlsplit(self.path).path
        parts = [unquote(p) for p in path.split("/")[1:]]
        try:
            if path == "/":
                self._text(200, self.pages.index())
            elif len(parts) == 2 and parts[0] == "site":
                page = self.pages.site(parts[1])
                if page is None:
                    self._error(HTTPStatus.NOT_FOUND, texts.VIEWER_NO_SITE)
                else:
                    self._text(200, page)
            elif len(parts) == 4 and parts[0] == "file" and parts[3].isdigit():
                self._file(parts[1], parts[2], int(parts[3]))
            else:
                self._error(HTTPStatus.NOT_FOUND, texts.VIEWER_NOT_FOUND)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_HEAD = do_GET  # noqa: N815

    def _refuse(self) -> None:
        self._text(405, f"405 {texts.VIEWER_READ_ONLY}\n", "text/plain; charset=utf-8")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def _file(self, code: str, record_id: str, index: int) -> None:
        found = self.pages.file_path(code, record_id, index)
        if found is None:
            self._error(HTTPStatus.NOT_FOUND, texts.VIEWER_NO_FILE)
            return
        path, _entry = found
        suffix = path.suffix.lower()
        extra = {}
        if suffix in INLINE_TYPES:
            ctype = INLINE_TYPES[suffix]
        else:
            ctype = DOWNLOAD_TYPES.get(suffix, "application/octet-stream")
            extra["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(path.name, safe='')}"
        size = path.stat().st_size
        self._headers(200, ctype, size, extra)
        if self.command == "HEAD":
            return
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 16), b""):
                self.wfile.write(block)


class EvidenceServer:
    """The evidence pages served on 127.0.0.1 (``port`` 0: any free port); a context manager."""

    def __init__(self, ws: Workspace, quarter: str, port: int = DEFAULT_PORT,
                 log: Callable[[str], None] | None = None) -> None:
        handler = type("Handler", (_Handler,), {"pages": EvidencePages(ws, quarter), "log": staticmethod(log) if log else None})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> "EvidenceServer":
        self._thread = threading.Thread(target=self.serve_forever, name="evidence-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()

    def __enter__(self) -> "EvidenceServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
