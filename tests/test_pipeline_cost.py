"""CPU per crawled page (issue #15): the cheap paths give exactly what the plain ones gave.

The visible text read by libxml2 around the skipped elements, the whitespace cleaning in C, the text
length counted on the visible text, and pages read by worker processes (inspector.core.web.readers)
— each is compared with a plain reference on real pages, tricky markup and random text; the
readers also when a worker dies, and with the bound on pages fetched and not yet read.
Speed itself is measured in bench/bench_peers.py, never here.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector.core import runner
from inspector.core.model import CrawlResult, Page
from inspector.core.web import crawl as web_crawl
from inspector.core.web import html as web_html
from inspector.core.web import readers as web_readers
from inspector.core.web.charset import clean_text, decode_html
from inspector.core.web.crawl import crawl_site
from inspector.core.web.fetch import Fetcher
from inspector.core.web.html import counting_parses, parse, text_segments
from tests.httpfixtures import LoopbackServer, html, interruptible
from tests.realpages import realpages_dir

BASE = "http://www.example.gov.cn/xw/index.html"


def real_pages() -> list[tuple[str, bytes]]:
    pages = sorted(realpages_dir().rglob("*.htm*"))
    assert pages, "shared/realpages is missing"
    return [(p.name, p.read_bytes()) for p in pages]


# --------------------------------------------------------------------------- the plain references


def reference_raw_text(doc: web_html.Document) -> str:
    """The body's text node by node (what Document.raw_text was before it was read in C)."""
    body = doc.body
    return "".join(text_segments(body, with_tail=False)) if body is not None else ""


_SPACES = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
_ANSI = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def reference_clean_text(s: str, keep_newlines: bool = False) -> str:
    """clean_text as regular expressions and a loop per line (its definition before it ran in C)."""
    if not s:
        return ""
    s = _CONTROL.sub("", _ANSI.sub("", s.replace("\r\n", "\n").replace("\r", "\n")))
    if not keep_newlines:
        return _ANY_SPACE.sub(" ", s).strip()
    s = _SPACES.sub(" ", s)
    s = "\n".join(line.strip() for line in s.split("\n"))
    return _BLANK_LINES.sub("\n\n", s).strip()


# --------------------------------------------------------------------------- visible text


TRICKY = [
    "<html><body><p>甲</p><script>var x='乙';</script>丙<div hidden>丁<p>戊</p></div>己<style>p{}</style>庚</body></html>",
    "<html><body hidden><p>整页隐藏</p></body></html>",
    "<html><body><div><section><span>深<b>层</b></span><script>no</script>尾</section>后</div>末</body></html>",
    "<html><body><div hidden><script>a</script><p>b</p></div>c<noscript>d</noscript>e<template><p>f</p></template>g</body></html>",
    "<html><body><p>注释<!-- 不读 -->之后</p><div HIDDEN>大写属性</div><p>完</p></body></html>",
    "<html><body><p>前</p><div HiDdEn>大小写混写的属性</div><p>后</p></body></html>",
    "<html><body><ul><li>一<input type=hidden value=x>二</li><li hidden>三</li></ul></body></html>",
    "<html><frameset><frame src=a.html></frameset></html>",
    "<html><head><title>只有标题</title></head></html>",
    "<p>无 body 标签 &#8203;零宽&#1;控制&zwnj;字符</p><script>s</script>",
    "<html><body><div><div><div><script>x</script></div></div>文字<span hidden>隐</span></div></body></html>",
    "",
]


@pytest.mark.parametrize("markup", TRICKY)
def test_visible_text_read_in_c_is_the_text_node_by_node(markup: str) -> None:
    doc = parse(markup, BASE)
    assert doc.raw_text == reference_raw_text(doc)


def test_visible_text_of_real_pages_is_the_text_node_by_node() -> None:
    for name, body in real_pages():
        doc = parse(decode_html(body, None)[0], BASE)
        assert doc.raw_text == reference_raw_text(doc), name
        assert doc.visible_text == reference_clean_text(reference_raw_text(doc), keep_newlines=True), name
        assert doc.text_length == len(reference_clean_text(reference_raw_text(doc))), name


def test_every_element_is_an_html_element_found_without_python() -> None:
    doc = parse("<html><body><form action=x><input name=a><select><option>1</select><label>l</label></form></body></html>", BASE)
    assert doc.root is not None
    assert {type(el).__name__ for el in doc.root.iter()} == {"HtmlElement"}
    assert doc.root.find(".//form").text_content() == "1l"  # lxml.html's methods are there


# --------------------------------------------------------------------------- cleaning


def test_clean_text_is_its_regular_expression_definition() -> None:
    alphabet = list("ab 中\t\n\r\xa0\u3000\u2003\u200b\x1b[m\x00\x85\u2028\x0b\x0c\u202f\u205f\u1680\x1c\x1f")
    rng = random.Random(15)
    for _ in range(40_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16)))
        for keep in (True, False):
            assert clean_text(s, keep_newlines=keep) == reference_clean_text(s, keep), (s, keep)
    for name, body in real_pages():
        text = decode_html(body, None)[0]
        assert clean_text(text, keep_newlines=True) == reference_clean_text(text, True), name
        assert clean_text(text) == reference_clean_text(text), name


# --------------------------------------------------------------------------- reader processes


def assert_same_document(a: web_html.Document, b: web_html.Document, label: str) -> None:
    assert a.links == b.links, label
    for name in ("base", "client_redirect", "visible_text", "text_length", "title", "headings"):
        assert getattr(a, name) == getattr(b, name), (label, name)


@pytest.fixture
def workers() -> web_readers.Readers:
    pool = web_readers.Readers(1)
    yield pool
    pool.close()


async def _until_ready(pool: web_readers.Readers) -> None:
    pool.start()
    for _ in range(600):
        if pool._worker() is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the reader process did not start")


def test_a_check_starts_without_httpx_command_line_program() -> None:
    """httpx's package imports its command-line program (click, rich) when they are installed; a check
    never runs it, and it cost every start of the program, and of each reader process, about 40 ms."""
    code = (
        "import sys\n"
        "from inspector import cli\n"
        "from inspector.core import runner\n"
        "from inspector.core.web import net, readers\n"
        "import httpx\n"
        "assert httpx.Request('GET', 'http://127.0.0.1/').url.host == '127.0.0.1'\n"
        "print(sorted(m for m in ('httpx._main', 'click', 'rich') if sys.modules.get(m) is not None))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc to read a process's niceness")
def test_readers_yield_their_core_to_the_event_loop_and_end_together() -> None:
    """A reader runs at a lower priority than the program (whose event loop sends the requests), and
    closing the readers ends every one of them."""
    pool = web_readers.Readers(2)
    try:
        asyncio.run(_until_ready(pool))
        for _ in range(100):
            if all(w.ready for w in pool._pool):
                break
            time.sleep(0.05)
        procs = [w.proc for w in pool._pool]
        assert len(procs) == 2
        expected = min(19, _niceness(os.getpid()) + web_readers.READER_NICENESS)
        assert [_niceness(p.pid) for p in procs] == [expected, expected]
    finally:
        pool.close()
    assert [p.returncode for p in procs] == [0, 0]


def test_list_blocks_read_by_a_worker_are_the_blocks_read_here(workers: web_readers.Readers) -> None:
    """A page's list blocks read elsewhere (its text, encoding and fetch day sent to a worker) are those
    :func:`extract_blocks` reads here, on every real page; kept as the page's, they are what it gives."""
    from datetime import date

    from inspector.core.checklist import load_checklist
    from inspector.core.extract import lists

    checklist, as_of = load_checklist(), date(2026, 11, 20)

    async def main() -> None:
        await _until_ready(workers)
        listed = 0
        for name, body in real_pages():
            html, encoding = decode_html(body, "text/html")
            url = f"http://www.example.gov.cn/{name}"
            page = Page(url=url, final_url=url, status=200, html=html, encoding=encoding,
                        fetched_at="2026-11-18T02:00:00+00:00")
            there = await workers.call(lists.blocks_of_text, html, url, encoding, as_of, checklist, lists.fetch_day(page))
            here = lists.extract_blocks(page, url, as_of, checklist)
            assert there == here and there is not None, name
            listed += bool(here)
            fresh = Page(url=url, final_url=url, status=200, html=html, encoding=encoding, fetched_at=page.fetched_at)
            lists.remember_blocks(fresh, html, url, as_of, checklist, there)
            assert web_html.document(fresh) in lists._BLOCKS, name
            assert lists.extract_blocks(fresh, url, as_of, checklist) == here, name
            replaced = Page(url=url, final_url=url, status=200, html=html + " ", encoding=encoding)
            lists.remember_blocks(replaced, html, url, as_of, checklist, there)  # (blocks of another text)
            assert web_html.document(replaced) not in lists._BLOCKS, name
        assert listed >= 5 and workers.available

    asyncio.run(main())


def test_a_page_read_by_a_worker_is_the_page_read_here(workers: web_readers.Readers) -> None:
    samples = [(name, body, "text/html") for name, body in real_pages()]
    samples += [(f"tricky{i}", m.encode("utf-8"), "text/html; charset=utf-8") for i, m in enumerate(TRICKY) if m]
    samples.append(("gbk", '<meta charset="gb2312"><title>朱镕基</title><a href="/x">王堃</a>'.encode("gbk"), "text/html"))
    samples.append(("refresh", b'<meta http-equiv="refresh" content="0;url=/portal/">', "text/html"))

    async def main() -> None:
        await _until_ready(workers)
        for name, body, ctype in samples:
            there, here = Page(url=BASE, content_type=ctype), Page(url=BASE, content_type=ctype)
            with counting_parses() as counts:
                await workers.read(there, body)
            await web_readers.read_here(here, body)
            assert (there.html, there.encoding) == (here.html, here.encoding), name
            doc = there._doc
            assert doc is not None and doc._root is None, f"{name}: not read by the worker"
            assert sum(counts.values()) == 1, name  # the worker's parse is counted
            assert_same_document(doc, web_html.document(here), name)
            assert doc.root is not None or not (here.html or "").strip()  # a tree when a reader asks

    asyncio.run(main())


def test_a_dead_worker_leaves_the_pages_to_be_read_here(workers: web_readers.Readers) -> None:
    async def main() -> None:
        await _until_ready(workers)
        workers._pool[0].proc.kill()
        for _ in range(200):
            if not workers.available:
                break
            await asyncio.sleep(0.02)
        page = Page(url=BASE, content_type="text/html; charset=utf-8")
        await workers.read(page, "<p>仍然读到</p>".encode())
        assert page.html == "<p>仍然读到</p>" and page._doc is None  # read (and later parsed) here
        assert not workers.available

    asyncio.run(main())


def test_a_hung_worker_is_killed_and_its_page_read_here(workers: web_readers.Readers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_readers, "READ_TIMEOUT", 1.0)

    async def main() -> None:
        await _until_ready(workers)
        worker = workers._pool[0]
        os.kill(worker.proc.pid, signal.SIGSTOP)  # alive, never answering
        page = Page(url=BASE, content_type="text/html; charset=utf-8")
        await asyncio.wait_for(workers.read(page, "<p>挂起之后</p>".encode()), 30)
        assert page.html == "<p>挂起之后</p>" and page._doc is None  # read here
        assert worker.proc.wait(timeout=10) == -signal.SIGKILL
        assert not workers.available

    asyncio.run(main())


def test_a_cancelled_read_leaves_the_worker_serving(workers: web_readers.Readers) -> None:
    """A crawl cancelled while its page is with a worker: the answer nobody waits for is dropped and
    the next page is still read by the worker (a cancelled future once killed the answering thread)."""
    async def main() -> None:
        await _until_ready(workers)
        worker = workers._pool[0]
        os.kill(worker.proc.pid, signal.SIGSTOP)
        task = asyncio.ensure_future(workers.read(Page(url=BASE, content_type="text/html"), b"<p>cancelled</p>"))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        os.kill(worker.proc.pid, signal.SIGCONT)
        page = Page(url=BASE, content_type="text/html; charset=utf-8")
        await asyncio.wait_for(workers.read(page, "<p>下一页</p>".encode()), 30)
        assert page._doc is not None and page._doc._root is None  # by the worker
        assert page._doc.visible_text == "下一页" and workers.available

    asyncio.run(main())


_WORKER_PARENT = """
import asyncio, sys, time
sys.path.insert(0, sys.argv[1])
from inspector.core.web import readers
pool = readers.readers()
pool.start()
while pool._worker() is None:
    time.sleep(0.05)
print(pool._pool[0].proc.pid, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"  # exited (its reaper has not waited yet)


@pytest.mark.skipif(web_readers.worker_count() < 1, reason="one core: no reader processes are started")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_the_workers_end_with_their_program(sig: signal.Signals) -> None:
    parent = subprocess.Popen([sys.executable, "-c", _WORKER_PARENT, str(Path(__file__).resolve().parent.parent)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=interruptible)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert not _gone(pid)
        parent.send_signal(sig)
        parent.wait(timeout=30)
        for _ in range(300):
            if _gone(pid):
                break
            time.sleep(0.05)
        assert _gone(pid), f"reader process {pid} outlived its program ({sig.name})"
    finally:
        parent.kill()
        parent.wait()


def test_a_worker_killed_during_a_crawl_loses_no_page(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = web_readers.Readers(1)
    killed: list[int] = []
    real_read = web_readers.Readers.read

    async def read_then_kill(self: web_readers.Readers, page: Page, body: bytes) -> None:
        if not killed and self._pool and self._pool[0].ready and len(self._pool[0].pending) >= 2:
            killed.append(self._pool[0].proc.pid)
            self._pool[0].proc.kill()  # with pages in its pipe
        await real_read(self, page, body)

    try:
        with LoopbackServer(_site(60)) as server:
            monkeypatch.setattr(web_readers, "_shared", web_readers.Readers(0))
            plain = _crawl(server.url("/"))
            monkeypatch.setattr(web_readers, "_shared", pool)
            monkeypatch.setattr(web_crawl, "MIN_PAGES", 2)
            monkeypatch.setattr(web_readers.Readers, "read", read_then_kill)
            asyncio.run(_until_ready(pool))
            with counting_parses() as counts:
                pooled = _crawl(server.url("/"))
            served_on = pool.available
    finally:
        pool.close()
    assert killed and not served_on
    assert sum(counts.values()) == len(counts) == len(plain_parsed(plain))  # each page parsed once, here or there
    assert pooled.pages.keys() == plain.pages.keys()
    assert {u: s.ok for u, s in pooled.links.items()} == {u: s.ok for u, s in plain.links.items()}
    for url, page in pooled.pages.items():
        assert page.html == plain.pages[url].html, url
        assert_same_document(web_html.document(page), web_html.document(plain.pages[url]), url)


def _site(pages: int) -> dict[str, tuple[int, dict[str, str], bytes]]:
    routes = {}
    for i in range(pages):
        links = "".join(f'<a href="/p{(i * 7 + k) % pages}.html">第{k}条</a>' for k in range(1, 4))
        routes["/" if i == 0 else f"/p{i}.html"] = html(
            f"<html><head><title>页{i}</title></head><body><h1>标题{i}</h1>{links}<img src='/img/{i % 3}.png'>"
            f"<script>var x = {i};</script><p>正文 {i}</p><a href='/gone{i % 5}.html'>坏</a></body></html>")
    return routes


def plain_parsed(crawl: CrawlResult) -> set[str]:
    return {p.final_url or p.url for p in crawl.pages.values() if p._doc is not None}


def _crawl(url: str, **options: object) -> CrawlResult:
    async def main() -> CrawlResult:
        async with Fetcher(per_host=4, retries=0) as fetcher:
            return await crawl_site(url, fetcher=fetcher, max_pages=500, **options)  # type: ignore[arg-type]
    return asyncio.run(main())


def test_a_big_crawl_reads_its_pages_in_a_worker_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = web_readers.Readers(1)
    try:
        with LoopbackServer(_site(60)) as server:
            monkeypatch.setattr(web_readers, "_shared", web_readers.Readers(0))  # no workers: read here
            plain = _crawl(server.url("/"))
            monkeypatch.setattr(web_readers, "_shared", pool)
            monkeypatch.setattr(web_crawl, "MIN_PAGES", 2)
            asyncio.run(_until_ready(pool))
            with counting_parses() as counts:
                pooled = _crawl(server.url("/"))
    finally:
        pool.close()
    read_there = [p for p in pooled.pages.values() if p._doc is not None and p._doc._root is None]
    assert len(read_there) > 40  # most pages were read by the worker (not the error pages)
    assert all(p.status == 200 for p in read_there)
    assert sum(counts.values()) == len(counts) == len(plain_parsed(plain))  # each page parsed once, as before
    assert pooled.pages.keys() == plain.pages.keys()
    assert {u: s.ok for u, s in pooled.links.items()} == {u: s.ok for u, s in plain.links.items()}
    # (the order pages arrive in is the network's)
    assert {u: sorted(s) for u, s in pooled.link_sources.items()} == {u: sorted(s) for u, s in plain.link_sources.items()}
    for url, page in pooled.pages.items():
        assert page.links == plain.pages[url].links, url
        assert_same_document(web_html.document(page), web_html.document(plain.pages[url]), url)


def test_pages_fetched_and_not_yet_read_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    held, most = 0, 0
    one_reader = asyncio.Lock()

    async def slow_read(self: web_crawl._Crawl, page: Page, body: bytes) -> None:
        nonlocal held, most
        held += 1
        most = max(most, held)
        async with one_reader:  # one reader, slower than the network
            await asyncio.sleep(0.005)
        await web_readers.read_here(page, body)
        held -= 1

    monkeypatch.setattr(web_crawl._Crawl, "_read", slow_read)
    monkeypatch.setattr(web_crawl, "READING_PER_HOST", 1)
    routes = {f"/p{i}.html": html(f"<p>页{i}</p>") for i in range(120)}
    routes["/"] = html("".join(f'<a href="/p{i}.html">{i}</a>' for i in range(120)))  # all at once
    with LoopbackServer(routes) as server:
        async def main() -> CrawlResult:
            async with Fetcher(per_host=20, retries=0) as fetcher:
                return await crawl_site(server.url("/"), fetcher=fetcher, max_pages=500)
        result = asyncio.run(main())
    assert sum(1 for p in result.pages.values() if p.status == 200) == 121
    assert 1 < most <= 20  # max(16, READING_PER_HOST x per_host) pages at most


# --------------------------------------------------------------------------- the ad hoc check


def test_an_adhoc_check_does_not_format_its_crawl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """asyncio.run on Python 3.11 formats a repr of the finished main task on the way out (a
    SIGINT handler's partial names it): the task's result must be the small document."""
    from inspector.core.store import Workspace

    formatted: list[str] = []

    def no_repr(self: object) -> str:
        formatted.append(type(self).__name__)
        return "<CheckRun>"

    monkeypatch.setattr(runner.CheckRun, "__repr__", no_repr)
    with LoopbackServer(_site(5)) as server:
        doc = runner.check_adhoc(Workspace(tmp_path / "ws"), server.url("/"),
                                 runner.CheckOptions(browser=False, probes=1, per_host=2, min_interval=0.0))
    assert doc["run"]["pages"] >= 5
    assert formatted == []
