"""`inspector check` with the browser: rendered DOM feeds the checks, evidence is captured and hashed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date

import pytest

from inspector.core.web.browser import find_chromium
from inspector.core.store import Workspace
from inspector.demo.region import serve_region
from inspector.demo.run import prepare

AS_OF = date(2026, 11, 20)
JS_SITE = "5399000015"  # homepage news list built by JavaScript
PROBLEM_SITE = "5399220001"  # stale columns, incomplete guides, a leader-name typo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium()[0] is None, reason=f"no Chromium: {find_chromium()[1]}"),
]


@pytest.fixture(scope="module")
def region():
    with serve_region(AS_OF) as r:
        yield r


def inspector(*args: str, ws) -> dict:
    r = subprocess.run(
        [sys.executable, "-m", "inspector.cli", "--workspace", str(ws), *args, "--json",
         "--as-of", AS_OF.isoformat(), "--probes", "1", "--probe-interval", "0", "--timeout", "3"],
        capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout)


def test_a_script_built_homepage_list_is_read_from_the_rendered_dom(region, tmp_path):
    truth = region.truth(JS_SITE)
    doc = inspector("check", region.urls[JS_SITE], ws=tmp_path)
    for iid in ("site-not-updated", "homepage-updates"):
        assert doc["indicators"][iid]["measures"] == truth["indicators"][iid]["measures"], iid
        assert doc["indicators"][iid]["status"] == truth["indicators"][iid]["status"]
    assert doc["verdict"]["result"] == truth["verdict"]["result"]
    static = truth["no_browser"]["static_measures"]["homepage_items_in_window"]
    assert doc["indicators"]["site-not-updated"]["measures"]["homepage_items_in_window"] > static


def test_evidence_for_the_homepage_and_every_proving_page_hashed_and_kept(region, tmp_path):
    ws = Workspace(tmp_path)
    quarter = prepare(ws, region, AS_OF)
    truth = region.truth(PROBLEM_SITE)
    doc = inspector("check", PROBLEM_SITE, "--quarter", quarter, ws=tmp_path)
    assert doc["verdict"]["result"] == truth["verdict"]["result"]
    records = ws.evidence(quarter, PROBLEM_SITE)
    captured = {r["url"] for r in records}
    expected = {region.urls[PROBLEM_SITE]}
    expected |= set(truth["expected"]["stale_columns"]) | set(truth["expected"]["blank_columns"])
    expected |= {g["url"] if isinstance(g, dict) else g for g in truth["expected"]["incomplete_guides"]}
    expected |= {h["url"] for h in truth["expected"]["serious_error_hits"]}
    assert expected <= captured, expected - captured
    for rec in records:
        assert rec["browser_version"] and rec["error"] is None, rec
        assert {f["kind"] for f in rec["files"]} >= {"screenshot", "mhtml", "dom"}
        for f in rec["files"]:
            data = (tmp_path / f["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"]
    typo = next(r for r in records if r["url"] == truth["expected"]["serious_error_hits"][0]["url"])
    assert any("serious-errors" in f for f in typo["findings"])
    assert typo["highlight"]["found"] and any(f["kind"] == "crop" for f in typo["files"])
    # every finding of a failing indicator that has a captured page points at its evidence record
    ids = {r["id"] for r in records}
    stale = doc["indicators"]["basic-information"]["findings"]
    assert stale and all(set(f["evidence"]) <= ids and f["evidence"] for f in stale)
    # the JSON's evidence list is the same files
    assert {e["sha256"] for e in doc["evidence"]} == {f["sha256"] for r in records for f in r["files"]}

    # re-running keeps the earlier evidence: nothing is overwritten
    first = {f["path"]: f["sha256"] for r in records for f in r["files"]}
    inspector("check", PROBLEM_SITE, "--quarter", quarter, ws=tmp_path)
    after = ws.evidence(quarter, PROBLEM_SITE)
    assert len(after) == 2 * len(records)
    for path, sha in first.items():
        assert hashlib.sha256((tmp_path / path).read_bytes()).hexdigest() == sha
    assert len(ws.inspection(quarter, PROBLEM_SITE)["runs"]) == 2
