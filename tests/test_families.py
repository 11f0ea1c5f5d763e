"""One interface for check families: a new indicator is a checklist entry plus one family function.

The toy indicator ``untitled-pages`` (tests/fixtures/toy-checklist.toml) is measured by a family
registered here, scored by the real pipeline against a real site on 127.0.0.1, stored in a real
workspace and shown in the check document, its verdict and the TUI's inspection table.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
from textual.widgets import DataTable

from inspector.core.checklist import load_checklist
from inspector.core.checks import Facts, early_reader, families, family, family_of, measure, unregister
from inspector.core.model import CrawlResult, Outcome, Page
from inspector.core.runner import CheckOptions, check_and_store, run_check, summary_text
from inspector.core.store import Workspace
from inspector.core.web.html import document
from tests.httpfixtures import LoopbackServer, html

TOY = Path(__file__).parent / "fixtures" / "toy-checklist.toml"
AS_OF = date(2026, 11, 20)
QUARTER = "2026Q4"
OPTS = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=10, max_pages=20,
                    min_interval=0, checklist=str(TOY))
ROUTES = {
    "/": html("<html><head><title>玩具县人民政府</title></head><body>"
              "<a href='/a.html'>通知</a><a href='/b.html'>动态</a><a href='/c.html'>政策</a></body></html>"),
    "/a.html": html("<html><head><title>通知</title></head><body><p>通知正文</p></body></html>"),
    "/b.html": html("<html><body><p>没有标题的动态页</p></body></html>"),
    "/c.html": html("<html><head><title> </title></head><body><p>标题为空白的政策页</p></body></html>"),
}


def count_untitled(facts: Facts) -> dict[str, Outcome]:
    """The toy family: crawled HTML pages without a title (nothing in the runner knows this id)."""
    pages = [p for p in facts.crawl.pages.values() if p.html is not None and p.status == 200]
    untitled = [p for p in pages if not document(p).title.strip()]
    return {"untitled-pages": Outcome(measures={"pages": len(pages), "untitled": len(untitled)})}


@pytest.fixture
def toy_family() -> Iterator[None]:
    family("untitled-pages")(count_untitled)
    try:
        yield
    finally:
        unregister(count_untitled)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_a_toy_indicator_is_measured_and_scored_by_the_check(toy_family: None, tmp_path: Path):
    with LoopbackServer(ROUTES) as srv:
        run = asyncio.run(run_check(srv.url("/"), OPTS, evidence_dir=tmp_path / "ev", workspace_root=tmp_path))
    doc = run.doc
    toy = doc["indicators"]["untitled-pages"]
    assert toy["measures"] == {"pages": 4, "untitled": 2}
    assert toy["status"] == "fail" and toy["deduction"] == 5.0  # 2 × 2.5 (the checklist's points)
    assert doc["verdict"]["score"] == 95.0 and doc["verdict"]["result"] == "pass"
    assert set(doc["indicators"]) == {"site-unreachable", "untitled-pages"}  # only the checklist's indicators
    assert doc["indicators"]["site-unreachable"]["measures"]["attempts"] == 1
    assert load_checklist(doc["checklist"]).id == "toy-test"  # the document names a checklist that loads again
    assert "无标题页面" in summary_text(doc)


def test_without_its_family_the_toy_indicator_is_left_to_the_inspector(tmp_path: Path):
    assert family_of("untitled-pages") is None
    with LoopbackServer(ROUTES) as srv:
        doc = asyncio.run(run_check(srv.url("/"), OPTS)).doc
    toy = doc["indicators"]["untitled-pages"]
    assert toy["status"] == "review" and toy["measures"] == {} and toy["note"]
    assert doc["verdict"]["result"] == "pass"  # a deduction left to review does not fail the site


@pytest.mark.anyio
async def test_the_toy_indicator_is_stored_and_shown_in_the_inspection_screen(toy_family: None, tmp_path: Path):
    from inspector.tui.app import make_app

    with LoopbackServer(ROUTES) as srv:
        ws = Workspace(tmp_path / "ws")
        ws.upsert_sites([{"code": "3406000099", "name": "玩具县人民政府", "url": srv.url("/"), "level": "县级",
                          "running": True}])
        ws.save_sample({"quarter": QUARTER, "codes": ["3406000099"]})
        await asyncio.to_thread(check_and_store, ws, QUARTER, "3406000099", OPTS)
    assert ws.inspection(QUARTER, "3406000099")["prefill"]["indicators"]["untitled-pages"]["deduction"] == 5.0
    unregister(count_untitled)  # the screen reads the stored record and the checklist, never the family
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause()
            if app.screen.query("#indicators"):
                break
        table = app.screen.query_one("#indicators", DataTable)
        keys = [k.value for k in table.rows]
        assert keys == ["site-unreachable", "untitled-pages"]
        row = [str(c) for c in table.get_row("untitled-pages")]
        assert row[:2] == ["测试指标", "无标题页面"] and row[3] == "−5"
        assert "检查页面 4 个" in row[5] and "无标题页面 2 个" in row[5]  # the checklist's labels
        assert "95" in str(app.screen.query_one("#verdict").render())

def test_measure_keeps_to_the_checklist_and_to_declared_ids(toy_family: None):
    census = load_checklist("census-2015")
    crawl = CrawlResult(start_url="http://127.0.0.1:9/")
    crawl.pages[crawl.start_url] = Page(url=crawl.start_url, status=200, html="<title>x</title><p>x</p>")
    facts = Facts.of(crawl, load_checklist(TOY), AS_OF)
    assert measure(facts)["untitled-pages"].measures == {"pages": 1, "untitled": 0}
    # a checklist without the indicator never runs its family
    assert "untitled-pages" not in measure(Facts.of(crawl, census, AS_OF), [family_of("untitled-pages")])

    with pytest.raises(ValueError, match="untitled-pages"):  # one family per indicator
        family("untitled-pages")(lambda facts: {})

    unregister(count_untitled)

    def rogue(facts: Facts) -> dict[str, Outcome]:  # says it measures one indicator, measures two
        return {"untitled-pages": Outcome(), "site-unreachable": Outcome()}

    family("untitled-pages")(rogue)
    try:
        with pytest.raises(ValueError, match="undeclared"):
            measure(facts, [f for f in families() if f.function is rogue])
    finally:
        unregister(rogue)
    assert family_of("untitled-pages") is None

def test_every_census_indicator_has_one_family():
    census = load_checklist("census-2015")
    owners = {iid: [f.name for f in families() if iid in f.indicators] for iid in census.indicators}
    assert {iid: len(names) for iid, names in owners.items()} == {iid: 1 for iid in census.indicators}


def test_the_runner_names_no_indicator():
    source = (Path(__file__).parents[1] / "inspector" / "core" / "runner.py").read_text(encoding="utf-8")
    named = [iid for iid in load_checklist("census-2015").indicators if f'"{iid}"' in source or f"'{iid}'" in source]
    assert named == []


@pytest.mark.parametrize("module, banned", [
    ("inspector.core.scoring", ("inspector.core.runner", "inspector.core.web", "inspector.core.checks",
                                "inspector.core.extract", "inspector.core.store")),
    ("inspector.core.rescore", ("inspector.core.runner", "inspector.core.web.fetch", "inspector.core.web.crawl",
                                "inspector.core.web.probe", "inspector.core.web.browser", "inspector.core.web.evidence",
                                "inspector.core.web.challenge", "playwright")),
])
def test_scoring_and_rescoring_do_not_load_the_pipeline(module: str, banned: tuple[str, ...]):
    code = textwrap.dedent(f"""
        import sys, {module}
        loaded = [m for m in sys.modules if any(m == b or m.startswith(b + ".") for b in {banned!r})]
        assert not loaded, loaded
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]



def _census_with(tmp_path: Path, keep: set[str]) -> Path:
    """The census checklist with only the ``keep`` indicators (their [indicators.X…] tables), as a file."""
    text = (Path(__file__).parents[1] / "checklists" / "census-2015.toml").read_text(encoding="utf-8")
    out, dropping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            name = line.strip().strip("[]")
            dropping = name.startswith("indicators.") and name.split(".")[1] not in keep
        if not dropping:
            out.append(line)
    path = tmp_path / f"part-{len(keep)}.toml"
    path.write_text("".join(out).replace('id = "census-2015"', f'id = "census-part-{len(keep)}"', 1), encoding="utf-8")
    return path


def test_a_checklist_with_some_of_a_familys_indicators_is_measured(tmp_path: Path):
    """A second checklist may take any subset of the census indicators: every family measures only those
    the checklist has (no family assumes its siblings are there)."""
    census = list(load_checklist("census-2015").indicators)
    # each indicator alone (consultation reads its boards with poor-interaction's labels: with it)
    parts = [{iid, "poor-interaction"} if iid == "consultation" else {iid} for iid in census]
    for part in [*parts, set(census[0::2]) | {"poor-interaction"}, set(census[1::2]) | {"poor-interaction"}]:
        path = _census_with(tmp_path, part)
        assert set(load_checklist(str(path)).indicators) == part
        opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=10, max_pages=20,
                            min_interval=0, checklist=str(path))
        with LoopbackServer(ROUTES) as srv:
            run = asyncio.run(run_check(srv.url("/"), opts, evidence_dir=tmp_path / "ev", workspace_root=tmp_path))
        assert set(run.doc["indicators"]) == part
        assert all(e["status"] in ("pass", "fail", "review") for e in run.doc["indicators"].values())


@pytest.mark.parametrize("keep", [{"site-not-updated"}, {"homepage-updates"}])
def test_a_redirect_stub_homepage_with_one_homepage_indicator_is_left_to_review(tmp_path: Path, keep: set[str]):
    """A homepage that only sends the browser to an unreadable page leaves both homepage rules to the
    inspector: a checklist with one of them must not fail on the other's absence."""
    stub = {"/": html("<html><head><meta http-equiv='refresh' content='0;url=/gone.html'></head><body></body></html>")}
    path = _census_with(tmp_path, keep)
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=10, max_pages=20,
                        min_interval=0, checklist=str(path))
    with LoopbackServer(stub) as srv:
        doc = asyncio.run(run_check(srv.url("/"), opts)).doc
    (entry,) = doc["indicators"].values()
    assert entry["status"] == "review" and entry["note"]


def test_a_checklist_without_a_needed_sibling_is_refused_by_name(tmp_path: Path):
    """Consultation boards are read with poor-interaction's labels: without them, a one-line error names it."""
    path = _census_with(tmp_path, {"site-unreachable", "consultation"})
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=10, max_pages=20,
                        min_interval=0, checklist=str(path))
    with LoopbackServer(ROUTES) as srv:
        with pytest.raises(ValueError, match="缺少指标 poor-interaction"):
            asyncio.run(run_check(srv.url("/"), opts, evidence_dir=tmp_path / "ev", workspace_root=tmp_path))


def test_an_early_reader_gets_each_page_of_the_site_as_the_crawl_gets_it(tmp_path: Path):
    """A family's early reader sees every page of the site once, while the crawl is still asking
    for the others (its work overlaps the network), and never an outside or broken page."""
    routes = {**ROUTES, "/": html("<html><head><title>玩具县</title></head><body><a href='/a.html'>通知</a>"
                                  "<a href='/b.html'>动态</a><a href='/gone.html'>旧文</a>"
                                  "<a href='/c.html'>政策</a><a href='/d.pdf'>附件</a></body></html>"),
              "/d.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 x")}
    read: list[tuple[str, list[str]]] = []  # each page read, with the paths the server had been asked for then
    servers: list[LoopbackServer] = []

    def early(checklist):  # noqa: ANN001, ANN202
        assert checklist.id == "toy-test"
        return lambda page: read.append((page.url.rsplit("/", 1)[-1], [path for _, path in servers[0].requests]))

    family("untitled-pages", early=early)(count_untitled)
    try:
        assert early_reader(load_checklist(TOY)) is not None
        with LoopbackServer(routes) as srv:
            servers.append(srv)
            doc = asyncio.run(run_check(srv.url("/"), OPTS)).doc
    finally:
        unregister(count_untitled)
    assert sorted(name for name, _ in read) == ["", "a.html", "b.html", "c.html"]  # each page once
    asked_before_home_was_read = next(paths for name, paths in read if name == "")
    assert not {"/a.html", "/b.html", "/c.html"} & set(asked_before_home_was_read)  # read before the rest came
    assert set(next(paths for name, paths in read if name == "c.html")) >= {"/", "/c.html"}
    assert doc["indicators"]["untitled-pages"]["measures"] == {"pages": 4, "untitled": 2}
    # without a family that reads early, the crawl gets no reader
    assert early_reader(load_checklist(TOY)) is None
    assert early_reader(load_checklist("census-2015")) is not None  # (serious-errors reads early)


def test_the_homepage_blocks_are_read_by_a_reader_process_while_the_crawl_goes_on(monkeypatch: pytest.MonkeyPatch):
    """The homepage's list blocks (the slowest reading of the site's analysis, a tenth of a second on a big
    homepage) are read by a reader process while the crawl still asks for the other pages, never on the event
    loop; the analysis after the crawl finds them read, and measures what a check without readers measures."""
    import time

    from inspector.core import runner
    from inspector.core.extract import lists
    from inspector.core.web import crawl as web_crawl
    from inspector.core.web import readers as web_readers

    items = "".join(f"<li><a href='/art/{i}.html'>第{i}条通知</a><span>2026-11-{i + 1:02d}</span></li>" for i in range(8))
    more = "".join(f"<li><a href='/old/{i}.html'>旧闻{i}</a><span>2026-10-{i % 28 + 1:02d}</span></li>" for i in range(40))
    routes = {"/": html(f"<html><head><title>玩具县</title></head><body><div><h2>通知公告</h2><ul>{items}</ul>"
                        "<a href='/tzgg/'>更多</a></div></body></html>"),
              "/tzgg/": html(f"<html><head><title>通知公告</title></head><body><ul>{items}{more}</ul></body></html>"),
              **{f"/{kind}/{i}.html": html(f"<html><head><title>{kind}{i}</title></head><body><p>正文</p></body></html>")
                 for kind, n in (("art", 8), ("old", 40)) for i in range(n)}}
    reads: list[str] = []  # pages whose blocks were read in this process
    remembered: list[int] = []  # requests the server had when the reader's blocks came back
    servers: list[LoopbackServer] = []
    real_read, real_remember = lists._read_blocks, lists.remember_blocks

    def counted(doc, *args):  # noqa: ANN001, ANN002, ANN202
        reads.append(doc.url.removeprefix(servers[0].base))
        return real_read(doc, *args)

    def remember(*args):  # noqa: ANN002, ANN202
        remembered.append(len(servers[0].requests))
        return real_remember(*args)

    monkeypatch.setattr(lists, "_read_blocks", counted)
    monkeypatch.setattr(runner, "remember_blocks", remember)
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=1, probe_interval=0, timeout=10, max_pages=80, min_interval=0,
                        per_host=4)
    pool = web_readers.Readers(1)
    try:
        with LoopbackServer(routes, delay=0.02) as srv:
            servers.append(srv)
            monkeypatch.setattr(web_readers, "_shared", web_readers.Readers(0))  # no reader processes
            alone = asyncio.run(run_check(srv.url("/"), opts)).doc
            read_alone, reads[:] = list(reads), []
            monkeypatch.setattr(web_readers, "_shared", pool)
            monkeypatch.setattr(web_crawl, "MIN_PAGES", 2)
            pool.start()
            for _ in range(600):
                if pool.ready:
                    break
                time.sleep(0.05)
            srv.requests.clear()
            doc = asyncio.run(run_check(srv.url("/"), opts)).doc
            total = len(srv.requests)
    finally:
        pool.close()
    assert read_alone.count("/") == 1  # without readers, read here (after the crawl)
    assert "/" not in reads, reads  # with them, never here
    assert len(remembered) == 1 and remembered[0] < total - 4, (remembered, total)  # long before the crawl's end
    in_window = sum(1 for i in range(8) if (AS_OF - date(2026, 11, i + 1)).days <= 14)
    assert doc["indicators"]["homepage-updates"]["measures"]["items_in_window"] == in_window
    assert doc["indicators"]["homepage-updates"] == alone["indicators"]["homepage-updates"]
    assert doc["verdict"] == alone["verdict"]
