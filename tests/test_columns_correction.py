"""The inspector corrects a column's category and the site is re-scored offline from the stored crawl."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from inspector.core.store import Workspace
from inspector.demo.region import serve_region
from inspector.demo.run import prepare

AS_OF = date(2026, 11, 20)
SITE = "5399020001"  # 3 stale news + 2 stale notice columns: the columns-not-updated veto


def cli(*args: str, ws) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inspector.cli", "--workspace", str(ws), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_correcting_a_category_rescores_without_the_network(tmp_path):
    with serve_region(AS_OF) as region:
        ws = Workspace(tmp_path)
        quarter = prepare(ws, region, AS_OF)
        truth = region.truth(SITE)
        r = cli("check", SITE, "--quarter", quarter, "--no-browser", "--as-of", AS_OF.isoformat(),
                "--probes", "1", "--probe-interval", "0", "--json", ws=tmp_path)
        assert r.returncode == 0, r.stderr
    # the region is gone: everything below is offline
    before = ws.inspection(quarter, SITE)["prefill"]
    assert before["verdict"]["vetoes"] == ["columns-not-updated"]
    stale_news = [c for c in before["columns"] if c["category"] == "news" and c["url"] in truth["expected"]["stale_columns"]]
    assert len(stale_news) == 3
    target = stale_news[0]["url"]

    r = cli("columns", SITE, "--quarter", quarter, "--set", target, "none", ws=tmp_path)
    assert r.returncode == 2 and "理由" in r.stderr  # every hand change says why
    assert ws.inspection(quarter, SITE)["prefill"] == before
    r = cli("columns", SITE, "--quarter", quarter, "--set", target, "none", "--reason", "专题栏目，不属于动态要闻",
            ws=tmp_path)
    assert r.returncode == 0, r.stderr
    after = ws.inspection(quarter, SITE)
    assert after["column_categories"] == {target: None}
    assert after["history"][-1]["column"] == target and after["history"][-1]["by"] == "测试员"
    (correction,) = after["corrections"]
    assert correction["column"] == target and correction["before"] == "news" and correction["after"] is None
    assert correction["reason"] == "专题栏目，不属于动态要闻" and correction["by"] == "测试员" and correction["at"]
    assert correction["verdict_before"]["vetoes"] == ["columns-not-updated"]
    assert correction["verdict_after"]["vetoes"] == after["prefill"]["verdict"]["vetoes"]
    assert "结论" in r.stdout and "None" not in r.stdout
    measures = after["prefill"]["indicators"]["columns-not-updated"]["measures"]
    assert measures["stale_news_columns"] == 2 and measures["stale_notice_columns"] == 2
    assert "columns-not-updated" not in after["prefill"]["verdict"]["vetoes"]
    assert next(c for c in after["prefill"]["columns"] if c["url"] == target)["source"] == "inspector"
    # availability kept its measured entries whole (status, findings, note); bad input is a usage error
    for iid in ("site-unreachable", "homepage-availability"):
        assert after["prefill"]["indicators"][iid] == before["indicators"][iid]
    bad = cli("columns", SITE, "--quarter", quarter, "--set", target, "sports", "--reason", "x", ws=tmp_path)
    assert bad.returncode == 2 and "没有这个栏目类别" in bad.stderr
    bad = cli("columns", SITE, "--quarter", quarter, "--set", "http://x.invalid/", "news", "--reason", "x", ws=tmp_path)
    assert bad.returncode == 2 and "不是" in bad.stderr and "栏目" in bad.stderr
    listed = json.loads(cli("columns", SITE, "--quarter", quarter, "--json", ws=tmp_path).stdout)
    assert any(c["url"] == target and c["category"] is None for c in listed)


@pytest.mark.slow
def test_a_damaged_stored_crawl_stores_nothing(tmp_path):
    with serve_region(AS_OF) as region:
        ws = Workspace(tmp_path)
        quarter = prepare(ws, region, AS_OF)
        r = cli("check", SITE, "--quarter", quarter, "--no-browser", "--as-of", AS_OF.isoformat(),
                "--probes", "1", "--probe-interval", "0", ws=tmp_path)
        assert r.returncode == 0, r.stderr
    record = ws.inspection(quarter, SITE)
    crawl = tmp_path / record["run_dir"] / "crawl.json.gz"
    crawl.write_bytes(crawl.read_bytes()[:100])  # truncated
    target = record["prefill"]["columns"][0]["url"]
    r = cli("columns", SITE, "--quarter", quarter, "--set", target, "none", "--reason", "不是栏目", ws=tmp_path)
    assert r.returncode == 2 and "已损坏" in r.stderr and "Traceback" not in r.stderr
    assert ws.inspection(quarter, SITE) == record
