"""The record an inspector signs (issue 12): right, complete, and in Chinese.

- the rules of a decision live in the core and the TUI obeys them: an override needs a note, points follow
  the status (合格 0; 不合格 within the indicator's maximum), 完成 only when everything is decided;
- every hand change is on the record and travels in the bundle (per-site result, summary sheet, report.html);
- with a veto the deduction indicators are 不计分 everywhere;
- what people read is Chinese: no measure ids, no English notes, no Python ``None``;
- the check document stays ``inspector.check/1`` byte for byte.
"""

from __future__ import annotations

import html as html_mod
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from textual.widgets import DataTable

from inspector.core import texts
from inspector.core.checklist import load_checklist
from inspector.core.model import dump_check, load_check
from inspector.core.quarter.inspection import (
    NotDone,
    adjustments,
    confirm_all,
    decide,
    done_problems,
    evaluate,
    set_inspector_name,
    set_progress,
)
from inspector.core.settings import reload_settings
from inspector.core.store import Workspace, WorkspaceError
from inspector.tui.app import make_app
from tests.test_submission import cli
from tests.test_tui import QUARTER, SIZE, anyio_backend, screen_text, settle, ws  # noqa: F401 (fixtures)

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
CENSUS = load_checklist()
AS_OF = date(2026, 11, 20)
VETOED = "5399000013"  # 云溪市应急管理局: vetoed for not updating
COLUMNS_SITE = "5399020001"  # 3 stale news + 2 stale notice columns: the columns-not-updated veto
REASON = "该栏目是专题汇编，不属于动态要闻"
MEASURE_IDS = sorted({m for ind in CENSUS.indicators.values() for m in ind.measures})
INDICATOR_IDS = sorted(CENSUS.indicators)
ENGLISH = re.compile(r"(?<![\w/.:-])[A-Za-z][a-z]+(?:[ ,;:'-]+[A-Za-z][a-z]+){2,}")
URL = re.compile(r"(?:https?|file)://\S+")


def row_of(table: DataTable, key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


def problems_in(text: str, *, ids: bool = True) -> list[str]:
    """Raw measure (and indicator) ids, English sentences and Python's None in text people read."""
    found = [f"measure id {m}" for m in MEASURE_IDS if re.search(rf"(?<![\w-]){m}(?![\w-])", text)]
    if ids:
        found += [f"indicator id {i}" for i in INDICATOR_IDS if re.search(rf"(?<![\w/-]){i}(?![\w-])", text)]
    found += [f"English: {m!r}" for m in ENGLISH.findall(URL.sub(" ", text))]
    found += ["None"] if re.search(r"\bNone\b", text) else []
    return found


# --------------------------------------------------------------------------- the rules, in the TUI


async def override(pilot: Any, app: Any, iid: str, *keys: str) -> None:
    table = app.screen.query_one("#indicators", DataTable)
    table.move_cursor(row=[k.value for k in table.rows].index(iid))
    await pilot.press("o")
    await pilot.pause()
    await pilot.press(*keys)
    await settle(pilot, app)


@pytest.mark.anyio
async def test_an_override_without_a_note_is_refused_in_the_tui(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        # a veto indicator flipped pass -> fail with no note: the issue's case
        await override(pilot, app, "site-not-updated", "2", "ctrl+s")
        assert type(app.screen).__name__ == "DecisionModal"  # the form stays open and says why
        assert texts.NOTE_REQUIRED in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert ws.inspection(QUARTER, "3406000012")["decisions"] == {}
        assert "否决 veto 0" in screen_text(app)
        # confirming the pre-fill needs no note
        await pilot.press("y")
        await settle(pilot, app)
        assert ws.inspection(QUARTER, "3406000012")["decisions"]["site-not-updated"]["kind"] == "confirm"


@pytest.mark.anyio
@pytest.mark.slow
async def test_a_pass_override_carries_no_points_and_a_fail_override_needs_some(ws: Workspace):
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        # 链接可用性 pre-filled 不合格 −2.5, overridden to 合格: the −2.5 must not stay
        await override(pilot, app, "link-availability", "1", "tab", *"2.5", "tab", *"复核均可访问", "ctrl+s")
        decision = ws.inspection(QUARTER, "3406000012")["decisions"]["link-availability"]
        assert decision["status"] == "pass" and decision["points"] == 0.0
        table = app.screen.query_one("#indicators", DataTable)
        assert row_of(table, "link-availability")[2:4] == ["✔ 合格", "0"]
        # 首页栏目 pre-filled 合格 0, overridden to 不合格 without points: refused (不合格 0 is the reverse bug)
        await override(pilot, app, "homepage-updates", "2", "tab", "tab", *"首页更新不足", "ctrl+s")
        assert type(app.screen).__name__ == "DecisionModal" and "不合格须扣分" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "homepage-updates" not in ws.inspection(QUARTER, "3406000012")["decisions"]


@pytest.mark.anyio
@pytest.mark.slow
async def test_points_above_the_indicators_maximum_are_refused(ws: Workspace):
    assert CENSUS.indicators["homepage-updates"].max_points == 5.0  # from the checklist file's terms
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await override(pilot, app, "homepage-updates", "2", "tab", *"6", "tab", *"首页更新不足", "ctrl+s")
        assert type(app.screen).__name__ == "DecisionModal" and "超过该指标上限 5 分" in screen_text(app)
        app.screen.query_one("#points").value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert ws.inspection(QUARTER, "3406000012")["decisions"]["homepage-updates"]["points"] == 5.0
    with pytest.raises(ValueError, match="超过该指标上限 100 分"):  # the core refuses it for the CLI too
        decide(ws, QUARTER, "3406000012", "link-availability", "fail", points=500, note="x")


@pytest.mark.anyio
@pytest.mark.slow
async def test_done_is_refused_while_anything_is_open_and_confirm_all_then_done_works(ws: Workspace):
    code = "3406000012"
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter", "D")
        await settle(pilot, app)
        assert ws.inspection(QUARTER, code)["progress"] == "checked"
        assert any("15 项指标尚未决定" in str(n.message) for n in app._notifications)
        await pilot.press("Y")
        await pilot.pause()
        assert "确认全部剩余预填：15 项" in screen_text(app)
        await pilot.press("escape")  # cancelled: nothing stored
        await pilot.pause()
        assert ws.inspection(QUARTER, code)["decisions"] == {}
        await pilot.press("Y", "y")
        await settle(pilot, app)
        record = ws.inspection(QUARTER, code)
        assert len(record["decisions"]) == 15 and {d["kind"] for d in record["decisions"].values()} == {"confirm"}
        assert record["decisions"]["link-availability"]["points"] == 2.5  # the pre-fill's points, confirmed
        await pilot.press("D")
        await settle(pilot, app)
        assert ws.inspection(QUARTER, code)["progress"] == "done"
        assert "已完成" in screen_text(app)


def test_done_needs_decisions_on_the_latest_check_and_no_veto_left_in_review(ws: Workspace):
    code = "3406000012"
    _, count = confirm_all(ws, QUARTER, code)
    assert count == 15 and not done_problems(ws.inspection(QUARTER, code))
    # a later check: every decision is older than it
    ws.update_inspection(QUARTER, code, lambda r: {**r, "prefill": {**r["prefill"], "run": {"id": "run-2", "notes": []}}})
    problems = done_problems(ws.inspection(QUARTER, code))
    assert problems == [texts.stale_decisions([i.name for i in CENSUS.indicators.values()])]
    with pytest.raises(NotDone):
        set_progress(ws, QUARTER, code, "done")
    # an override made on the old check is never replaced by "confirm all"; confirmations are renewed
    decide(ws, QUARTER, code, "attachments", "pass", note="附件可下载", by="张三")
    ws.update_inspection(QUARTER, code, lambda r: {**r, "prefill": {**r["prefill"], "run": {"id": "run-3", "notes": []}}})
    _, count = confirm_all(ws, QUARTER, code)
    record = ws.inspection(QUARTER, code)
    assert count == 14 and record["decisions"]["attachments"]["note"] == "附件可下载"
    assert done_problems(record) == [texts.stale_decisions(["附件下载"])]
    # a veto indicator 待复核 keeps the site open
    veto_review = ws.inspection(QUARTER, "3406000013")
    ws.update_inspection(QUARTER, "3406000013", lambda r: {**r, "prefill": {**r["prefill"], "indicators": {
        **r["prefill"]["indicators"], "serious-errors": {**r["prefill"]["indicators"]["serious-errors"], "status": "review"}}}})
    _, count = confirm_all(ws, QUARTER, "3406000013")
    assert count == 14 and veto_review is not None
    assert texts.veto_pending(["严重错误"]) in done_problems(ws.inspection(QUARTER, "3406000013"))


def test_a_new_check_of_a_done_site_reopens_it(ws: Workspace, tmp_path: Path):
    from inspector.core.model import CrawlResult
    from inspector.core.runner import CheckRun, store_check

    code = "3406000012"
    confirm_all(ws, QUARTER, code)
    set_progress(ws, QUARTER, code, "done")
    old = ws.inspection(QUARTER, code)["prefill"]
    run = CheckRun(doc={**old, "run": {**old["run"], "id": "run-later"}}, crawl=CrawlResult(start_url=old["url"]),
                   probes=[], evidence=[], run_id="run-later")
    store_check(ws, QUARTER, code, run, ws.run_dir(QUARTER, code, "run-later"))
    record = ws.inspection(QUARTER, code)
    assert record["progress"] == "in review"  # its decisions stand on the older check: not done any more
    assert done_problems(record)


def test_the_rules_refuse_what_the_issue_found(ws: Workspace):
    with pytest.raises(ValueError, match="合格不扣分"):
        decide(ws, QUARTER, "3406000012", "link-availability", "pass", points=1.1, note="x")
    with pytest.raises(ValueError, match="单项否决指标没有扣分"):
        decide(ws, QUARTER, "3406000012", "site-unreachable", "fail", points=5, note="x")
    with pytest.raises(ValueError, match=texts.NOTE_REQUIRED):
        decide(ws, QUARTER, "3406000012", "link-availability", "fail", points=3.0, note="  ")  # other points: override
    record = decide(ws, QUARTER, "3406000012", "link-availability", "fail", points=3.0, note="复核 3 个死链")
    eff, verdict = evaluate(record)
    assert eff["link-availability"]["deduction"] == 3.0 and verdict["deduction_total"] == 12.0
    # an old record with the bug in it (合格 with points) is read by the rule: 合格 deducts nothing
    ws.update_inspection(QUARTER, "3406000012", lambda r: {**r, "decisions": {"link-availability": {
        "status": "pass", "points": 1.1, "note": "旧", "by": "root", "at": "2026-11-01T00:00:00+00:00"}}})
    eff, _ = evaluate(ws.inspection(QUARTER, "3406000012"))
    assert eff["link-availability"]["deduction"] == 0.0


def test_the_inspectors_name_comes_from_the_setting_or_the_workspace(ws: Workspace, monkeypatch):
    monkeypatch.delenv("INSPECTOR_USER")
    reload_settings()
    with pytest.raises(WorkspaceError, match="INSPECTOR_USER"):  # never the login name ("root")
        decide(ws, QUARTER, "3406000012", "site-unreachable", "pass")
    set_inspector_name(ws, "李四\x1b[31m")
    assert decide(ws, QUARTER, "3406000012", "site-unreachable", "pass")["decisions"]["site-unreachable"]["by"] == "李四"
    monkeypatch.setenv("INSPECTOR_USER", "王五")
    reload_settings()
    assert decide(ws, QUARTER, "3406000012", "site-unreachable", "pass")["decisions"]["site-unreachable"]["by"] == "王五"


@pytest.mark.anyio
async def test_the_tui_asks_the_name_at_first_run_and_keeps_it(ws: Workspace, monkeypatch):
    monkeypatch.delenv("INSPECTOR_USER")
    reload_settings()
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "TextPrompt" and "检查人员" in screen_text(app)
        await pilot.press("escape", "enter")  # neither skipped nor empty
        await pilot.pause()
        assert type(app.screen).__name__ == "TextPrompt"
        await pilot.press(*"赵六", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen" and "工作区" in screen_text(app)
    assert ws.meta()["inspector_name"] == "赵六"
    app = make_app(ws, quarter=QUARTER)
    async with app.run_test(size=SIZE) as pilot:  # asked once
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"


def test_times_are_shown_in_the_offices_zone(monkeypatch):
    assert texts.local_time("2026-11-20T16:30:00+00:00") == "2026-11-21 00:30"  # Asia/Shanghai by default
    monkeypatch.setenv("INSPECTOR_TZ", "Asia/Urumqi")
    reload_settings()
    assert texts.local_time("2026-11-20T16:30:00+00:00") == "2026-11-20 22:30"
    assert texts.local_time("2026-11-20") == "2026-11-20" and texts.local_time(None) == "—"


# --------------------------------------------------------------------------- a checked demo city, exported


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> dict[str, Any]:
    """Two demo sites checked through the CLI, a column corrected with a reason, a decision, an export."""
    from inspector.demo.region import serve_region
    from inspector.demo.run import prepare

    root = tmp_path_factory.mktemp("record")
    out: dict[str, str] = {}
    with serve_region(AS_OF) as region:
        ws = Workspace(root)
        quarter = prepare(ws, region, AS_OF)
        flags = ["--as-of", AS_OF.isoformat(), "--probes", "2", "--probe-interval", "0", "--timeout", "3",
                 "--quarter", quarter, "--no-browser"]
        for code in (VETOED, COLUMNS_SITE):
            r = cli("check", code, *flags, ws=root)
            out[f"check {code}"] = r.stdout + r.stderr
    before = ws.inspection(quarter, COLUMNS_SITE)
    column = next(c for c in before["prefill"]["columns"] if c["category"] == "news" and c["latest"]
                  and (AS_OF - date.fromisoformat(c["latest"])).days > 14)
    r = cli("columns", COLUMNS_SITE, "--quarter", quarter, "--set", column["url"], "none", "--reason", REASON, ws=root)
    out["columns"] = r.stdout + r.stderr
    r = cli("decide", VETOED, "link-availability", "fail", "--points", "1", "--quarter", quarter,
            "--note", "人工发现 1 个死链", ws=root)
    out["decide"] = r.stdout + r.stderr
    cli("keys", "generate", ws=root)
    bundle = root / "bundle.zip"
    r = cli("bundle", "export", "--quarter", quarter, "-o", str(bundle), ws=root, ok=False)
    assert r.returncode == 2 and not bundle.exists()
    out["export refused"] = r.stderr
    r = cli("bundle", "export", "--quarter", quarter, "-o", str(bundle), "--allow-incomplete", ws=root)
    out["export"] = r.stdout + r.stderr
    province = root / "province"
    out["verify"] = cli("bundle", "verify", str(bundle), "--pubkey", str(root / "keys" / "office.pub"), ws=province).stdout
    cli("province", "import", str(bundle), "--pubkey", str(root / "keys" / "office.pub"), ws=province)
    out["province report"] = cli("province", "report", ws=province).stdout
    with zipfile.ZipFile(bundle) as z:
        results = {c: json.loads(z.read(f"results/{c}.json")) for c in (VETOED, COLUMNS_SITE)}
        sheet = load_workbook(io.BytesIO(z.read("summary.xlsx"))).active
        report = z.read("report.html").decode("utf-8")
    headers = [c.value for c in sheet[1]]
    rows = {r[2]: dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    return {"ws": ws, "quarter": quarter, "before": before, "column": column, "cli": out, "results": results,
            "rows": rows, "report": report}


def site_section(report: str, code: str) -> str:
    start = report.index(f'<section class="site" id="site-{code}">')
    return report[start:report.index("</section>", start)]


def visible(html_text: str) -> str:
    """The text a browser shows (no style sheet, no tags, entities decoded)."""
    text = re.sub(r"<style>.*?</style>|<head>.*?</head>", " ", html_text, flags=re.S)
    return html_mod.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.mark.slow
def test_a_column_correction_changes_the_verdict_and_the_bundle_shows_it(city):
    before, after = city["before"]["prefill"]["verdict"], city["results"][COLUMNS_SITE]
    assert before["vetoes"] == ["columns-not-updated"] and after["vetoes"] == []  # the verdict changed
    (adjustment,) = after["adjustments"]
    assert adjustment["kind"] == "column" and adjustment["reason"] == REASON
    assert adjustment["by"] == "测试员" and adjustment["at"]
    name = city["column"]["name"]
    assert f"栏目「{name}」类别：动态要闻 → 无（不考核）" in adjustment["what"]
    assert "不合格（单项否决） →" in adjustment["what"]  # the verdict before and after
    sheet = city["rows"][COLUMNS_SITE]["人工调整"]
    assert REASON in sheet and f"栏目「{name}」" in sheet and "测试员" in sheet
    section = visible(site_section(city["report"], COLUMNS_SITE))
    assert "人工调整" in section and REASON in section and f"栏目「{name}」" in section
    assert city["rows"][COLUMNS_SITE]["完成情况"] == "未完成" and "未完成" in visible(city["report"])
    # the inspector's override travels the same way, with note, who and when
    (override,) = city["results"][VETOED]["adjustments"]
    assert override["kind"] == "override" and override["reason"] == "人工发现 1 个死链" and override["by"] == "测试员"
    assert "人工发现 1 个死链" in city["rows"][VETOED]["人工调整"]
    assert "人工发现 1 个死链" in visible(site_section(city["report"], VETOED))


@pytest.mark.slow
def test_export_lists_the_sites_not_done(city):
    refused = city["cli"]["export refused"]
    assert "未完成" in refused and "--allow-incomplete" in refused and VETOED in refused and COLUMNS_SITE in refused
    assert "尚未检测" in refused  # the sampled sites nobody checked
    assert "汇总表已标注“未完成”" in city["cli"]["export"]


@pytest.mark.slow
def test_a_vetoed_site_shows_not_scored_in_the_cli_the_sheet_and_the_report(city):
    deductions = [ind for ind in CENSUS.indicators.values() if not ind.is_veto]
    lines = city["cli"][f"check {VETOED}"].splitlines()
    for ind in deductions:
        line = next(line for line in lines if f" {ind.name}" in line)
        assert "不计分" in line and "扣" not in line, line
    assert "扣分项 不计分" in city["cli"][f"check {VETOED}"]
    assert "扣分项不计分" in city["cli"]["decide"]
    row = city["rows"][VETOED]
    assert row["得分"] == "不计分" and row["扣分明细"] == "不计分（单项否决）"
    section = visible(site_section(city["report"], VETOED))
    for ind in deductions:
        assert re.search(rf"{ind.name}\s+\S+\s+(\S+\s+)?不计分", section), ind.name
    assert "不计分（单项否决）" in section
    result = city["results"][VETOED]
    assert result["score"] is None and result["deductions"] == {}
    assert all(result["indicators"][i.id]["points"] is None for i in deductions)


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_vetoed_site_shows_not_scored_in_the_tui(city):
    app = make_app(city["ws"], quarter=city["quarter"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_site(VETOED)
        await pilot.pause()
        table = app.screen.query_one("#indicators", DataTable)
        for ind in CENSUS.indicators.values():
            points = row_of(table, ind.id)[3]
            assert points == ("否决 veto" if ind.id == "site-not-updated" else "" if ind.is_veto else "不计分"), ind.id
        assert "扣分项不计分" in screen_text(app)


@pytest.mark.slow
@pytest.mark.anyio
async def test_what_people_read_has_no_ids_no_english_notes_and_no_none(city):
    found: dict[str, list[str]] = {}
    for name, text in city["cli"].items():
        found[f"cli {name}"] = problems_in(text)
    for code, row in city["rows"].items():
        found[f"sheet {code}"] = problems_in(" | ".join("" if v is None else str(v) for v in row.values()))
    found["report.html"] = problems_in(visible(city["report"]))
    # the TUI: every indicator's detail (notes, findings, measures) and the columns screen of both sites
    secondary = re.compile(r"not checked yet \(press c to run checks\)|decided on an earlier check")
    app = make_app(city["ws"], quarter=city["quarter"])
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        for code in (VETOED, COLUMNS_SITE):
            app.open_site(code)
            await pilot.pause()
            table = app.screen.query_one("#indicators", DataTable)
            shown = []
            for row in range(table.row_count):
                table.move_cursor(row=row)
                await pilot.pause()
                shown.append(screen_text(app))
            notes = [e["note"] for e in city["ws"].inspection(city["quarter"], code)["prefill"]["indicators"].values()
                     if e.get("note")]
            assert notes and any(n[:20] in "".join(shown) for n in notes)  # the notes are shown, in Chinese
            await pilot.press("l")
            await pilot.pause()
            shown.append(screen_text(app))
            await pilot.press("escape", "escape")
            await pilot.pause()
            found[f"tui {code}"] = problems_in(secondary.sub(" ", "\n".join(shown)), ids=False)
    assert not {k: v for k, v in found.items() if v}


# --------------------------------------------------------------------------- inspector.check/1, byte for byte


def test_a_stored_check_document_round_trips_byte_for_byte(tmp_path: Path):
    """A check.json written before the typed seams (by the previous code) and one written now."""
    stored = (FIXTURES / "check-1-stored.json").read_bytes()
    doc = load_check(stored)
    assert dump_check(doc) == stored
    assert doc["indicators"]["site-not-updated"]["status"] == "fail" and doc["verdict"]["result"] == "fail"
    # the typed rules score it to the same verdict, and their StrEnum values serialise as the old strings
    from inspector.core.scoring import score_site

    _, verdict = score_site(CENSUS, doc["indicators"])
    assert json.dumps(verdict, ensure_ascii=False) == json.dumps(doc["verdict"], ensure_ascii=False)
    with pytest.raises(ValueError):
        load_check(b'{"schema": "something-else"}')


@pytest.mark.slow
def test_a_document_stored_now_round_trips_too(city):
    record = city["ws"].inspection(city["quarter"], COLUMNS_SITE)
    stored = (city["ws"].root / record["run_dir"] / "check.json").read_bytes()
    assert dump_check(load_check(stored)) == stored
    assert json.loads(stored) == record["prefill"]  # the re-scored document, as the workspace holds it
    assert adjustments(record)[0]["reason"] == REASON
