"""The `inspector` console script (see shared/CONTRACT.md).

Every command returns 0 on success and 2 on bad usage or bad input, with a one-line
reason on stderr and no traceback. With ``--json`` only the JSON document goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, Sequence

from inspector import __version__
from inspector.core import texts
from inspector.core.model import Rectification, Status
from inspector.core.settings import number_arg

EPILOG = """\
workflow (每季度抽查):
  inspector sites import 名录.csv          import the region's site registry (网站名录)
  inspector sample draw --quarter 2026Q4   draw the quarter's 20 % sample (reproducible with --seed)
  inspector check 3406000012               crawl and check one sampled site, pre-fill its 15 indicators
  inspector                                open the TUI: confirm or override each indicator, see evidence
  inspector bundle export --quarter 2026Q4 the signed submission bundle for the province

The workspace is --workspace DIR, else $INSPECTOR_HOME, else the user data directory.
"""


class UsageError(ValueError):
    """Bad input from the command line; reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with the program's error convention: one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        _err(f"inspector: {texts.usage_line(texts.usage_error(message), self.prog)}")
        sys.exit(2)


def _user_errors() -> tuple[type[BaseException], ...]:
    """The errors that mean bad input or a refused operation (exit 2, one line), not a bug."""
    from inspector.core.submission.bundle import BundleError
    from inspector.core.checklist import ChecklistError
    from inspector.core.quarter.registry import RegistryError
    from inspector.core.quarter.sampling import SamplingError
    from inspector.core.settings import SettingsError
    from inspector.core.store import WorkspaceError
    from inspector.core.submission.office import ExportError

    return UsageError, ChecklistError, RegistryError, SamplingError, SettingsError, WorkspaceError, BundleError, ExportError


def _check_defaults() -> Any:
    """The check's defaults, as the core's settings give them (one place for CLI, TUI and core)."""
    from inspector.core.runner import CheckOptions

    return CheckOptions()


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="inspector",
        description="政府网站抽查 — quarterly spot-check of government websites against the census checklist.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"inspector {__version__}")
    p.add_argument("--workspace", metavar="DIR", help="workspace directory (default: $INSPECTOR_HOME or user data dir)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="serve the demo region, prepare a demo workspace, open the TUI")
    demo.add_argument("--no-tui", action="store_true", help="prepare the demo and print its URLs; don't open the TUI")
    demo.add_argument("--port", type=number_arg(int, "port", "--port"), default=18701, help="first port of the demo sites (default 18701)")
    demo.add_argument("--as-of", metavar="YYYY-MM-DD", help="monitoring date the demo content is dated against")
    demo.set_defaults(func=cmd_demo)

    sites = sub.add_parser("sites", help="the site registry (网站名录)").add_subparsers(dest="sub", metavar="ACTION")
    imp = sites.add_parser("import", help="import a registry .csv (UTF-8/BOM/GBK/GB18030) or .xlsx; upserts by 网站标识码")
    imp.add_argument("file", type=Path)
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_sites_import)
    lst = sites.add_parser("list", help="list the registry")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_sites_list)

    sample = sub.add_parser("sample", help="the quarterly sample (季度抽样)").add_subparsers(dest="sub", metavar="ACTION")
    dr = sample.add_parser("draw", help="draw the quarter's stratified sample")
    dr.add_argument("--quarter", required=True, help="e.g. 2026Q4")
    dr.add_argument("--ratio", type=float, default=0.2, help="share of each stratum to draw (default 0.2)")
    dr.add_argument("--seed", type=int, help="seed; the same seed redraws the same sample (default: random, stored)")
    dr.add_argument("--include", nargs="+", default=[], metavar="CODE", help="sites added on top (e.g. under rectification)")
    dr.add_argument("--force", action="store_true", help="redraw even though the quarter has inspections")
    dr.add_argument("--json", action="store_true")
    dr.set_defaults(func=cmd_sample_draw)
    sh = sample.add_parser("show", help="show the drawn sample with its method, seed and population")
    sh.add_argument("--quarter", required=True)
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_sample_show)

    from inspector.core.quarter.batch import DEFAULT_CONCURRENCY  # stdlib only: cheap at start-up

    ck = sub.add_parser("check", help="run every automated check on one site (URL or 网站标识码), or on the whole sample")
    ck.add_argument("target", metavar="URL-or-CODE", nargs="?")
    ck.add_argument("--all", action="store_true", help="check every site of the quarter's sample, several at once")
    ck.add_argument("--concurrency", type=int, default=None, metavar="N",
                    help=f"with --all: sites checked at the same time, never two on one host (default {DEFAULT_CONCURRENCY})")
    ck.add_argument("--as-of", metavar="YYYY-MM-DD", help="monitoring reference date (default: today)")
    ck.add_argument("--quarter", help="quarter to store the pre-fill under (default: the current quarter)")
    ck.add_argument("--json", action="store_true", help="print the inspector.check/1 JSON document only")
    ck.add_argument("--no-browser", action="store_true", help="no Playwright: no rendered evidence, httpx only")
    d = _check_defaults()
    ck.add_argument("--probes", type=number_arg(int, "probes", "--probes"), default=d.probes, help=f"availability probes of the homepage (default {d.probes})")
    ck.add_argument("--probe-interval", type=number_arg(float, "probe_interval", "--probe-interval"), default=d.probe_interval, metavar="S",
                    help=f"seconds between probes (default {d.probe_interval:g})")
    ck.add_argument("--timeout", type=number_arg(float, "timeout", "--timeout"), default=d.timeout, metavar="S", help=f"per-request timeout (default {d.timeout:g} s)")
    ck.add_argument("--max-pages", type=number_arg(int, "max_pages", "--max-pages"), default=d.max_pages, metavar="N", help=f"crawl at most N pages (default {d.max_pages})")
    ck.add_argument("--per-host", type=number_arg(int, "per_host", "--per-host"), default=d.per_host, metavar="N",
                    help=f"concurrent requests to one host (default {d.per_host})")
    ck.add_argument("--interval", type=number_arg(float, "interval", "--interval"), default=d.min_interval, metavar="S",
                    help=f"seconds between request starts to one host (default {d.min_interval:g}: gentle on small government servers)")
    ck.add_argument("--checklist", default="census-2015", help="checklist id or .toml file")
    ck.add_argument("--scope", metavar="URL-PREFIX",
                    help="the site's pages (a sub-site on a shared platform, e.g. http://www.city.gov.cn/bm/jtj/); "
                         "default: the registry's 站点范围, else the 首页网址's host or directory")
    ck.add_argument("--recheck", action="store_true", help="re-check after rectification: stored beside the original result")
    ck.set_defaults(func=cmd_check)

    bundle = sub.add_parser("bundle", help="the quarter's submission bundle").add_subparsers(dest="sub", metavar="ACTION")
    ex = bundle.add_parser("export", help="write the signed submission bundle for the quarter")
    ex.add_argument("--quarter", required=True)
    ex.add_argument("-o", "--output", type=Path)
    ex.add_argument("--key", type=Path, help="minisign secret key (default: the workspace's office key)")
    ex.add_argument("--region", help="the city/region named in the manifest (default: the sampled sites' 地区)")
    ex.add_argument("--allow-incomplete", action="store_true",
                    help="export although some sites are not done (完成); the summary marks them 未完成")
    ex.add_argument("--city", help="城市代码 in the manifest and the file name (default: the first 4 characters "
                                   "of the sampled sites' 网站标识码, e.g. 3609)")
    ex.set_defaults(func=cmd_bundle_export)
    vf = bundle.add_parser("verify", help="verify a bundle's structure, hashes, signature and sample")
    vf.add_argument("file", type=Path)
    vf.add_argument("--pubkey", type=Path, help="minisign public key of the sending office "
                                                "(default: the keys of this workspace's keyring, if any)")
    vf.set_defaults(func=cmd_bundle_verify)

    prov = sub.add_parser("province", help="province side: import city bundles, aggregate").add_subparsers(dest="sub", metavar="ACTION")
    pi = prov.add_parser("import", help="verify and import city bundles into this (province) workspace")
    pi.add_argument("files", type=Path, nargs="+", metavar="BUNDLE")
    pi.add_argument("--pubkey", type=Path, help="check the signature with this key instead of the keyring")
    pi.add_argument("--unsigned-ok", action="store_true",
                    help="import even if the signature is not from a known key; marked 未核验 in every report")
    pi.add_argument("--json", action="store_true")
    pi.set_defaults(func=cmd_province_import)
    pr = prov.add_parser("report", help="aggregate the imported cities for a quarter")
    pr.add_argument("--quarter", help="default: the latest imported quarter")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_province_report)
    pk = prov.add_parser("keys", help="the keyring: the cities' public keys the province trusts").add_subparsers(
        dest="keys_action", metavar="ACTION")
    ka = pk.add_parser("add", help="trust a city's public key (office.pub)")
    ka.add_argument("city", metavar="CITY", help="城市代码, as in the bundle names (e.g. 3609)")
    ka.add_argument("pubkey", type=Path, metavar="KEYFILE")
    ka.set_defaults(func=cmd_province_keys_add)
    kl = pk.add_parser("list", help="the trusted keys")
    kl.add_argument("--json", action="store_true")
    kl.set_defaults(func=cmd_province_keys_list)
    kr = pk.add_parser("remove", help="stop trusting a city's keys")
    kr.add_argument("city", metavar="CITY")
    kr.add_argument("--key-id", help="only this key (as `province keys list` shows it)")
    kr.set_defaults(func=cmd_province_keys_remove)

    from inspector.monitor_cli import add_monitor_command

    add_monitor_command(sub)

    co = sub.add_parser("columns", help="a checked site's columns and categories; correct a category (re-scores offline)")
    co.add_argument("code", metavar="CODE", type=_code)
    co.add_argument("--quarter", required=True)
    co.add_argument("--set", nargs=2, metavar=("URL", "CATEGORY"),
                    help="set the column's category (news, notice, personnel, consultation, solicitation, "
                         "interview, service, excluded, or none) and re-score")
    co.add_argument("--reason", default="", help="why the category is corrected (required with --set; kept on the record)")
    co.add_argument("--json", action="store_true")
    co.set_defaults(func=cmd_columns)

    rc = sub.add_parser("rectify", help="record a failed site's rectification (整改) status and deadline")
    rc.add_argument("code", metavar="CODE", type=_code)
    rc.add_argument("--quarter", required=True)
    rc.add_argument("--status", required=True, choices=[str(r) for r in Rectification],
                    help="待整改 pending, 整改中 in progress, 已整改 rectified, 逾期 overdue, 无需整改 not needed")
    rc.add_argument("--deadline", default="", metavar="YYYY-MM-DD", help="整改时限")
    rc.add_argument("--note", default="")
    rc.set_defaults(func=cmd_rectify)

    dc = sub.add_parser("decide", help="confirm or override one indicator of a site (what the TUI does), with a note")
    dc.add_argument("code", metavar="CODE", type=_code)
    dc.add_argument("indicator", metavar="INDICATOR", help="indicator id, e.g. link-availability")
    dc.add_argument("status", choices=[str(st) for st in Status], help="合格 pass, 不合格 fail, 待复核 review")
    dc.add_argument("--quarter", required=True)
    dc.add_argument("--points", type=float, help="deduction indicators, 不合格 only: the points to deduct "
                                                 "(default: the pre-fill's; at most the indicator's maximum)")
    dc.add_argument("--note", default="", help="why (required when overriding the pre-fill)")
    dc.set_defaults(func=cmd_decide)

    xp = sub.add_parser("export", help="the quarter's results as an Excel workbook for the office (no signing)")
    xp.add_argument("--quarter", required=True)
    xp.add_argument("-o", "--output", type=Path, metavar="FILE.xlsx", help="default: exports/<quarter>-抽查结果.xlsx in the workspace")
    xp.set_defaults(func=cmd_export)

    rp = sub.add_parser("report", help="one site's result with findings and screenshots printed to PDF (for a 整改通知)")
    rp.add_argument("code", metavar="CODE", type=_code)
    rp.add_argument("--quarter", required=True)
    rp.add_argument("-o", "--output", type=Path, metavar="FILE.pdf", help="default: exports/<quarter>-<code>-检查报告.pdf")
    rp.set_defaults(func=cmd_report)

    ev = sub.add_parser("evidence", help="the quarter's evidence").add_subparsers(dest="sub", metavar="ACTION")
    es = ev.add_parser("serve", help="a read-only evidence page on 127.0.0.1 (open it through an SSH tunnel)")
    es.add_argument("--quarter", help="default: the latest sampled quarter")
    es.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 picks a free one)")
    es.set_defaults(func=cmd_evidence_serve)

    keys = sub.add_parser("keys", help="the office's signing key pair").add_subparsers(dest="sub", metavar="ACTION")
    kg = keys.add_parser("generate", help="create an Ed25519 (minisign) key pair in the workspace")
    kg.add_argument("--force", action="store_true", help="replace an existing key pair")
    kg.set_defaults(func=cmd_keys_generate)

    return p


# --------------------------------------------------------------------------- helpers


def _workspace(args: argparse.Namespace) -> Any:
    from inspector.core.store import Workspace, default_workspace

    root = Path(args.workspace) if args.workspace else default_workspace()
    return Workspace(root)


def _print_json(doc: Any) -> None:
    from inspector.core.text import json_text

    sys.stdout.write(json_text(doc) + "\n")  # controls and bidi characters of pages/bundles escaped


def _out(*parts: Any) -> None:
    """One line on stdout; every part may quote a page or a bundle, so each is cleaned (controls and line
    breaks out; the spacing of indented or aligned lines stays)."""
    from inspector.core.text import strip_controls

    print(" ".join(strip_controls("" if part is None else str(part)).replace("\r", " ").replace("\n", " ") for part in parts))


def _err(msg: str) -> None:
    from inspector.core.text import clean

    sys.stderr.write(clean(msg) + "\n")  # one line, whatever a page or a bundle put in the message


def _date(text: str | None, flag: str) -> date:
    if not text:
        return date.today()
    try:  # strictly YYYY-MM-DD: fromisoformat would also take 2026W471 or 20261120
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(texts.bad_date(flag, text)) from None


def _code(text: str) -> str:
    """A 网站标识码 as the registry stores it (ministry codes in lower case: bm55000001)."""
    text = text.strip()
    return text.lower() if text.lower().startswith("bm") else text


def _table(rows: list[list[str]], headers: list[str]) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from inspector.core.text import clean

    table = Table(*headers, show_lines=False)
    for r in rows:
        table.add_row(*(Text(clean(c)) for c in r))  # registry and bundle text: never markup, never controls
    console = Console(file=sys.stdout, width=max(100, Console().width))
    with console.capture() as cap:
        console.print(table)
    return cap.get()


# --------------------------------------------------------------------------- commands


def cmd_sites_import(args: argparse.Namespace) -> int:
    from inspector.core.quarter.registry import import_registry

    ws = _workspace(args)
    if args.file.is_dir():
        raise UsageError(texts.is_a_folder(args.file))
    report = import_registry(ws, args.file)
    if args.json:
        _print_json(report.to_json())
    else:
        _out(f"{args.file.name}（{report.encoding}）：新增 {report.added}，更新 {report.updated}，拒绝 {len(report.rejected)}"
             f"（工作区 {ws.root}）")
        for row, why in report.rejected:
            _out(f"  第 {row} 行：{why}")  # reasons quote the file's cells
    if report.rejected and not report.sites:
        _err(f"inspector: {args.file.name} 的每一行都被拒绝，未导入任何网站")
        return 2
    return 0


def cmd_sites_list(args: argparse.Namespace) -> int:
    sites = _workspace(args).sites()
    if args.json:
        _print_json(sites)
        return 0
    rows = [[s["code"], s["name"], s["level"], s["region"], s["status"] or "", s["url"]] for s in sites]
    headers = ["网站标识码", "网站名称", "级别", "地区", "运行状态", "首页网址"]
    if any(s.get("scope") for s in sites):  # sub-sites on shared platforms: show their scope too
        rows = [row + [s.get("scope") or ""] for row, s in zip(rows, sites)]
        headers.append("站点范围")
    sys.stdout.write(_table(rows, headers))
    print(f"共 {len(sites)} 个网站")
    return 0


def cmd_sample_draw(args: argparse.Namespace) -> int:
    from inspector.core.quarter.sampling import draw
    from inspector.core.store import utcnow

    ws = _workspace(args)
    sample = draw(ws.sites(), args.quarter, ratio=args.ratio, seed=args.seed, include=[_code(c) for c in args.include])
    sample["drawn_at"] = utcnow()
    ws.save_sample(sample, force=args.force)
    return _show_sample(ws, sample, args.json)


def cmd_sample_show(args: argparse.Namespace) -> int:
    from inspector.core.quarter.sampling import check_quarter

    ws = _workspace(args)
    sample = ws.sample(check_quarter(args.quarter))
    if sample is None:
        raise UsageError(texts.no_sample(check_quarter(args.quarter), ws.root))
    return _show_sample(ws, sample, args.json)


def _show_sample(ws: Any, sample: dict[str, Any], as_json: bool) -> int:
    sites = {s["code"]: s for s in ws.sites()}
    if as_json:
        doc = dict(sample)
        doc["sites"] = [sites.get(c, {"code": c}) for c in sample["codes"]]
        _print_json(doc)
        return 0
    by = {"level": "级别", "region": "地区"}.get(str(sample["stratified_by"]), texts.clean_line(sample["stratified_by"]))
    print(
        f"{sample['quarter']}：从 {sample['population_size']} 个正常运行的网站中抽取 {sample['size']} 个"
        f"（比例 {sample['ratio']}，随机种子 {sample['seed']}，方法 {sample['method']}，按{by}分层）"
    )
    for name, info in sample["strata"].items():
        _out(f"  {name}：{info['size']} 个中抽 {info['drawn']} 个")  # strata are the registry's 级别/地区 texts
    rows = [
        [c, sites.get(c, {}).get("name", "（不在名录中）"), sites.get(c, {}).get("level", ""),
         "加抽" if c in sample["included"] else ""]
        for c in sample["codes"]
    ]
    sys.stdout.write(_table(rows, ["网站标识码", "网站名称", "级别", "备注"]))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from inspector.core.quarter.registry import mend_registry_url, scope_problem, validate_url
    from inspector.core.runner import CheckOptions, check_adhoc, check_and_store, summary_text
    from inspector.core.quarter.sampling import check_quarter, current_quarter

    opts = CheckOptions(
        as_of=_date(args.as_of, "--as-of"),
        browser=not args.no_browser,
        probes=args.probes,
        probe_interval=args.probe_interval,
        timeout=args.timeout,
        max_pages=args.max_pages,
        per_host=args.per_host,
        min_interval=args.interval,
        checklist=args.checklist,
        scope=mend_registry_url(args.scope) if args.scope else None,
    )
    if args.scope and scope_problem(opts.scope or ""):
        raise UsageError(f"--scope: {scope_problem(opts.scope or '')}")
    if opts.probes < 1 or opts.max_pages < 1 or opts.per_host < 1 or opts.timeout <= 0 or opts.probe_interval < 0 \
            or opts.min_interval < 0:
        raise UsageError("--probes、--max-pages、--per-host 至少为 1，--timeout 须大于 0，"
                         "--probe-interval 和 --interval 不能小于 0")
    from inspector.core.checklist import available_checklists, load_checklist

    known = available_checklists()
    if str(opts.checklist) not in known and not Path(opts.checklist).is_file():
        raise UsageError(texts.unknown_checklist(opts.checklist, known))
    load_checklist(opts.checklist)  # a bad checklist is bad input: fail before crawling
    ws = _workspace(args)
    if args.all or args.concurrency is not None:
        return _check_all(args, ws, opts)
    if not args.target:
        raise UsageError("请给出要检测的网址或网站标识码，或用 --all 检测本季度全部抽样网站")
    if "://" in args.target:
        if args.recheck or args.quarter:
            raise UsageError("--quarter 和 --recheck 需要网站标识码（按网址检测不保存预填）")
        target = mend_registry_url(args.target)
        reason = validate_url(target)
        if reason:
            raise UsageError(reason.replace("首页网址", "网址"))
        doc = check_adhoc(ws, target, opts, _progress_to_stderr)
    else:
        quarter = check_quarter(args.quarter) if args.quarter else current_quarter(opts.as_of)
        code, sample = _code(args.target), ws.sample(quarter)
        if ws.site(code) is None:  # neither a URL nor a code of the registry: one line, not a warning first
            from inspector.core.quarter.registry import CODE_RE

            raise UsageError(texts.no_site(code, ws.root) if CODE_RE.match(code) else texts.not_a_url_or_code(code))
        if sample is not None and code not in sample["codes"]:
            _err(f"inspector: 注意：{code} 不在 {quarter} 的抽样中，其结果不会进入报送数据包")
        try:
            doc = check_and_store(ws, quarter, code, opts, _progress_to_stderr, recheck=args.recheck)
        except LookupError as exc:
            raise UsageError(exc.args[0]) from None
    if args.json:
        _print_json(doc)
    else:
        for line in summary_text(doc).splitlines():  # names, notes and measures quote the site
            _out(line)
    return 0


PROGRESS_WORDS = {"phase": "", "crawl": "爬取", "analyse": "分析", "start": "开始", "evidence": "截取证据", "url": "网址", "pages": "页面",
                  "links": "链接", "checked": "已检查", "queued": "待爬", "captured": "已截取", "total": "共"}


def _check_all(args: argparse.Namespace, ws: Any, opts: Any) -> int:
    """``check --all``: the quarter's sample, several sites at once; one line per site as it ends."""
    from inspector.core.quarter.batch import DEFAULT_CONCURRENCY, check_sites
    from inspector.core.quarter.sampling import check_quarter, current_quarter

    if args.target or not args.all:
        raise UsageError("--all 检测本季度全部抽样网站，不要再给网址或网站标识码（--concurrency 需与 --all 一起用）")
    concurrency = DEFAULT_CONCURRENCY if args.concurrency is None else args.concurrency
    if not 1 <= concurrency <= 32:
        raise UsageError("--concurrency 须在 1 到 32 之间")
    quarter = check_quarter(args.quarter) if args.quarter else current_quarter(opts.as_of)
    sample = ws.sample(quarter)
    if sample is None or not sample["codes"]:
        raise UsageError(f"工作区 {ws.root} 中 {quarter} 尚未抽样：请先运行 inspector sample draw --quarter {quarter}")
    codes = list(sample["codes"])
    position = {code: n for n, code in enumerate(codes, 1)}
    ended = 0

    def progress(code: str, event: dict[str, Any]) -> None:
        if event.get("phase") == "crawl" and "pages" in event and event["pages"] % 100:
            return
        _err(f"  [{position[code]}/{len(codes)}] {code} {_progress_words(event)}")

    def state_of(result: Any) -> str:
        if result.doc is not None:
            verdict = result.doc["verdict"]
            return texts.verdict_short(verdict["result"], verdict["score"], verdict["vetoes"])
        return "已取消" if result.cancelled else f"出错\t{texts.clean_line(result.error)}"

    def finished(result: Any) -> None:
        nonlocal ended
        ended += 1
        _err(f"[完成 {ended}/{len(codes)}] {result.code} {state_of(result)}")

    results = check_sites(ws, quarter, codes, opts, concurrency=concurrency, recheck=args.recheck,
                          progress=progress, finished=finished)
    if args.json:
        out = [{"code": r.code, "status": "checked" if r.doc else ("cancelled" if r.cancelled else "failed"),
                "error": r.error or None, "doc": r.doc} for r in results]
        _print_json({"quarter": quarter, "results": out})
    else:
        for r in results:
            sys.stdout.write(f"{r.code}\t{state_of(r)}\n")
    return 0 if all(r.doc is not None for r in results) else 1


def _progress_words(event: dict[str, Any]) -> str:
    """A progress event as Chinese words (``爬取 页面 120 已检查 340``)."""
    return " ".join(f"{PROGRESS_WORDS.get(k, k)} {texts.clean_line(PROGRESS_WORDS.get(str(v), v))}".strip()
                    for k, v in event.items() if k != "url")


def _progress_to_stderr(event: dict[str, Any]) -> None:
    """Progress lines on stderr (stdout is reserved for the result), throttled for floods."""
    if event.get("phase") == "crawl" and "pages" in event and event["pages"] % 100:
        return
    sys.stderr.write("  " + _progress_words(event) + "\n")
    sys.stderr.flush()


def cmd_bundle_export(args: argparse.Namespace) -> int:
    from inspector.core.submission.exchange import export_quarter, incomplete_sites

    ws = _workspace(args)
    path = export_quarter(ws, args.quarter, output=args.output, key=args.key, region=args.region,
                          allow_incomplete=args.allow_incomplete, city=args.city)
    unfinished = incomplete_sites(ws, args.quarter)
    if unfinished:
        _err(f"inspector: 注意：{len(unfinished)} 个网站未完成，汇总表已标注“未完成”：")
        for line in unfinished:
            _err(line)
    _out(path)
    return 0


def cmd_bundle_verify(args: argparse.Namespace) -> int:
    from inspector.core.submission.bundle import BundleError
    from inspector.core.submission.exchange import keyring, verify_with_keyring

    ws = _workspace(args)
    report, city = verify_with_keyring(ws, args.file, args.pubkey)
    if not report.ok:
        _err(f"inspector: {args.file.name} 未通过核验：{BundleError(report.reasons)}")
        return 1
    if args.pubkey:
        _out(texts.verified_with_key(args.file, report.signer))
    elif report.signer:
        _out(texts.verified_with_keyring(args.file, city, report.signer))
    else:
        _out(f"完整性已核验：{args.file} 内容与清单一致；但签名未核验（未给 --pubkey，钥匙环"
             f"{'为空' if not keyring(ws) else '中无匹配公钥'}），不能证明数据包由哪个单位签发")
    return 0


def cmd_province_import(args: argparse.Namespace) -> int:
    from inspector.core.submission.exchange import province_import

    imported = province_import(_workspace(args), args.files, args.pubkey, unsigned_ok=args.unsigned_ok)
    if args.json:
        _print_json(imported)
        return 0
    for e in imported:
        trust = f"签名已核验（{e['signer']}）" if e["trusted"] else "未核验签名（--unsigned-ok）"
        if e.get("already"):
            _out(f"已导入过（内容相同），未重复导入：{e['city']} {e['region']} {e['quarter']} -> {e['dir']}")
        else:
            replaced = "，替换此前的提交" if e.get("replaces") else ""
            _out(f"已导入 {e['city']} {e['region']} {e['quarter']}：{e['sites']} 个网站，{trust}{replaced} -> {e['dir']}")
    return 0


def cmd_province_report(args: argparse.Namespace) -> int:
    from inspector.core.submission.exchange import province_report

    report = province_report(_workspace(args), args.quarter)
    if args.json:
        _print_json(report)
        return 0
    names = _indicator_names()
    _out(f"{report['quarter']}（上一季度 {report['previous_quarter'] or texts.NONE}）")
    rows = [
        [c["city"], c["region"], c["sampled"], "" if c["population"] is None else c["population"],
         f"{c['ratio']:.0%}" if c["ratio"] is not None else "",
         f"{c['pass_rate']:.0%}" if c["pass_rate"] is not None else "", c["failed"],
         "、".join(f"{names.get(k, k)}×{v}" for k, v in sorted(c["problems_by_indicator"].items())),
         "、".join(c["failing_again"]), "已核验" if c["trusted"] else "未核验"]
        for c in report["cities"]
    ]
    sys.stdout.write(_table(rows, ["城市", "地区", "抽查数", "网站总数", "抽查比例", "合格率", "不合格", "问题指标",
                                   "连续不合格", "签名"]))
    if report["totals"].get("untrusted"):
        _out(f"注意：{report['totals']['untrusted']} 个城市的数据包未核验签名（以 --unsigned-ok 导入）")
    return 0


def cmd_province_keys_add(args: argparse.Namespace) -> int:
    from inspector.core.submission.exchange import keyring_add

    entry = keyring_add(_workspace(args), args.city, args.pubkey)
    _out(f"已登记城市 {entry['city']} 的公钥 {entry['key_id']}")
    return 0


def cmd_province_keys_list(args: argparse.Namespace) -> int:
    from inspector.core.submission.exchange import keyring

    entries = keyring(_workspace(args))
    if args.json:
        _print_json(entries)
        return 0
    sys.stdout.write(_table([[e["city"], e["key_id"], e["added_at"], e.get("file", "")] for e in entries],
                            ["城市", "公钥 ID", "登记时间", "文件"]))
    return 0


def cmd_province_keys_remove(args: argparse.Namespace) -> int:
    from inspector.core.submission.exchange import keyring_remove, normal_city

    removed = keyring_remove(_workspace(args), args.city, args.key_id)
    _out(f"已删除城市 {normal_city(args.city)} 的 {removed} 个公钥")
    return 0


def _indicator_names() -> dict[str, str]:
    """Indicator id -> Chinese name, from every checklist file the program knows."""
    from inspector.core.checklist import available_checklists, load_checklist

    names: dict[str, str] = {}
    for cid in available_checklists():
        names.update({i.id: i.name for i in load_checklist(cid).indicators.values()} | names)
    return names


def _verdict_line(record: dict[str, Any]) -> str:
    from inspector.core.scoring import scored
    from inspector.core.quarter.inspection import checklist_of, evaluate

    checklist = checklist_of(record)
    _, v = evaluate(record, checklist)
    vetoes = "、".join(checklist.indicators[i].name for i in v["vetoes"]) or texts.NONE
    score = f"得分 {texts.number(v['score'])}" if scored(v) else f"扣分项{texts.NOT_SCORED}"
    return f"结论 {texts.result_name(v['result'])}，单项否决 {vetoes}，{score}"


def cmd_columns(args: argparse.Namespace) -> int:
    from inspector.core.quarter.inspection import checklist_of, set_column_category
    from inspector.core.quarter.sampling import check_quarter

    ws = _workspace(args)
    quarter = check_quarter(args.quarter)
    record = ws.inspection(quarter, args.code)
    if not record or not record.get("prefill"):
        raise UsageError(texts.not_checked_in(args.code, quarter, ws.root))
    if args.set:
        url, category = args.set
        try:
            record = set_column_category(ws, quarter, args.code, url, None if category == "none" else category,
                                         reason=args.reason)
        except (ValueError, LookupError) as exc:
            raise UsageError(exc.args[0]) from None
    columns = record["prefill"].get("columns", [])
    if args.json:
        _print_json(columns)
        return 0
    checklist = checklist_of(record)
    rows = [[texts.category_name(checklist.categories, c["category"]), c["name"], c["latest"] or "—",
             "空白" if c["blank"] else ("豁免" if c["exempt"] else ""),
             "人工" if c["source"] == "inspector" else "自动", c["url"]] for c in columns]
    sys.stdout.write(_table(rows, ["类别", "栏目", "最新", "状态", "来源", "网址"]))
    _out(_verdict_line(record))
    return 0


def cmd_rectify(args: argparse.Namespace) -> int:
    from inspector.core.quarter.inspection import set_rectification
    from inspector.core.quarter.sampling import check_quarter

    ws = _workspace(args)
    quarter = check_quarter(args.quarter)
    if ws.inspection(quarter, args.code) is None:
        raise UsageError(texts.no_inspection(args.code, quarter, ws.root))
    if args.deadline:
        _date(args.deadline, "--deadline")
    set_rectification(ws, quarter, args.code, args.status, deadline=args.deadline, note=args.note)
    _out(f"{args.code} {quarter}：整改 {texts.rectification_name(args.status)}"
         + (f"，时限 {args.deadline}" if args.deadline else ""))
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    from inspector.core.quarter.inspection import checklist_of, decide
    from inspector.core.quarter.sampling import check_quarter

    ws = _workspace(args)
    quarter = check_quarter(args.quarter)
    record = ws.inspection(quarter, args.code)
    if record is None or not record.get("prefill"):
        raise UsageError(texts.not_checked_in(args.code, quarter, ws.root))
    try:  # the rules (a note for an override, points following the status) are the core's
        record = decide(ws, quarter, args.code, args.indicator, args.status, points=args.points, note=args.note)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    name = checklist_of(record).indicators[args.indicator].name
    _out(f"{args.code} {name}：{texts.status_name(args.status)} — {_verdict_line(record)}")  # the checklist's name
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from inspector.core.submission.office import export_workbook

    _out(export_workbook(_workspace(args), args.quarter, args.output))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from inspector.core.submission.office import print_site_report

    _out(print_site_report(_workspace(args), args.quarter, args.code, args.output))
    return 0


def cmd_evidence_serve(args: argparse.Namespace) -> int:
    from inspector.core.quarter.sampling import check_quarter, current_quarter
    from inspector.core.submission.viewer import EvidenceServer

    if not 0 <= args.port <= 65535:
        raise UsageError(texts.port_out_of_range("--port", args.port))
    ws = _workspace(args)
    samples = ws.samples()
    quarter = check_quarter(args.quarter) if args.quarter else (samples[-1]["quarter"] if samples else current_quarter())
    server = EvidenceServer(ws, quarter, args.port)
    port = server.httpd.server_address[1]
    print(texts.evidence_serving(quarter, server.url), flush=True)
    print(texts.evidence_tunnel(port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0


def cmd_keys_generate(args: argparse.Namespace) -> int:
    from inspector.core.submission.exchange import generate_office_key

    secret, public = generate_office_key(_workspace(args), force=args.force)
    _out(f"私钥 {secret}")
    _out(f"公钥 {public}（把公钥发给省里，用于验证数据包）")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from inspector.demo.run import run_demo

    if args.as_of:
        args.as_of = _date(args.as_of, "--as-of").isoformat()  # a bad date is bad input, not a crash
    return run_demo(args)


def cmd_tui(args: argparse.Namespace) -> int:
    from inspector.tui.app import make_app

    make_app(_workspace(args)).run()
    return 0


# --------------------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    from inspector.core.settings import SettingsError

    try:
        parser = build_parser()  # its defaults come from the INSPECTOR_* settings
    except SettingsError as exc:
        _err(f"inspector: {exc}")
        return 2
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        if getattr(args, "command", None):  # e.g. `inspector sites` without an action
            parser.parse_args([args.command, "--help"])
        func = cmd_tui
    try:
        return func(args)
    except _user_errors() as exc:
        _err(f"inspector: {exc}")
        return 2
    except OSError as exc:  # an unwritable workspace, a full disk, a file that vanished: said in Chinese
        _err(f"inspector: {texts.os_error(exc)}")
        return 2
    except KeyboardInterrupt:
        _err("inspector: 已中断")
        return 130


if __name__ == "__main__":
    sys.exit(main())
