"""The quarter's submission end to end: check, decide, rectify, re-check, export, verify, import, aggregate."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from inspector.core.store import Workspace
from inspector.demo.region import serve_region
from inspector.demo.run import prepare

AS_OF = date(2026, 11, 20)
SITES = ["5399000001", "5399000013"]  # a passing site and one vetoed for not updating


def cli(*args: str, ws: Path, ok: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "inspector.cli", "--workspace", str(ws), *args],
                       capture_output=True, text=True, timeout=300)
    if ok:
        assert r.returncode == 0, r.stderr[-3000:]
    return r


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A city workspace with two checked sites, a decision, a rectification and a re-check, and its bundle."""
    root = tmp_path_factory.mktemp("city")
    with serve_region(AS_OF) as region:
        ws = Workspace(root)
        quarter = prepare(ws, region, AS_OF)
        flags = ["--as-of", AS_OF.isoformat(), "--probes", "1", "--probe-interval", "0", "--timeout", "3", "--quarter", quarter]
        for code in SITES:
            cli("check", code, "--no-browser", *flags, ws=root)
        cli("decide", SITES[0], "link-availability", "fail", "--points", "2", "--quarter", quarter,
            "--note", "人工复核发现 2 个死链", ws=root)
        cli("rectify", SITES[1], "--quarter", quarter, "--status", "in progress", "--deadline", "2026-12-31", ws=root)
        cli("check", SITES[1], "--no-browser", "--recheck", *flags, ws=root)
        cli("keys", "generate", ws=root)
        bundle = root / "out" / "bundle.zip"
        refused = cli("bundle", "export", "--quarter", quarter, "-o", str(bundle), ws=root, ok=False)
        assert refused.returncode == 2 and SITES[0] in refused.stderr and not bundle.exists()  # sites not done
        cli("bundle", "export", "--quarter", quarter, "-o", str(bundle), "--allow-incomplete", ws=root)
    return {"root": root, "quarter": quarter, "bundle": bundle, "pub": root / "keys" / "office.pub"}


@pytest.mark.slow
def test_export_verifies_with_inspector_and_with_stock_minisign(city, tmp_path):
    r = cli("bundle", "verify", str(city["bundle"]), "--pubkey", str(city["pub"]), ws=tmp_path)
    assert r.stdout.startswith("核验通过")
    with zipfile.ZipFile(city["bundle"]) as z:
        z.extract("manifest.json", tmp_path)
        z.extract("manifest.json.minisig", tmp_path)
        manifest = json.loads(z.read("manifest.json"))
        results = {c: json.loads(z.read(f"results/{c}.json")) for c in manifest["sites"]}
    assert manifest["quarter"] == city["quarter"] and manifest["sampling"]["seed"] == 2026
    assert manifest["sampling"]["method"] == "stratified-sha256/1"
    # the decision, the note, the rectification and the re-check travel with the results
    ok_site = results[SITES[0]]["indicators"]["link-availability"]
    assert ok_site["decision"]["status"] == "fail" and ok_site["note"] == "人工复核发现 2 个死链"
    assert ok_site["decision"]["by"] == "测试员" and ok_site["decision"]["at"] and ok_site["points"] == 2.0
    (override,) = results[SITES[0]]["adjustments"]
    assert override["kind"] == "override" and override["reason"] == "人工复核发现 2 个死链" and override["by"] == "测试员"
    failed = results[SITES[1]]
    assert failed["result"] == "fail" and failed["vetoes"] == ["site-not-updated"]
    assert failed["rectification"]["status"] == "in progress" and failed["rectification"]["deadline"] == "2026-12-31"
    assert failed["recheck"]["result"] == "fail"
    if shutil.which("minisign"):
        m = subprocess.run(["minisign", "-Vm", str(tmp_path / "manifest.json"), "-p", str(city["pub"])],
                           capture_output=True, text=True)
        assert m.returncode == 0, m.stderr


def test_tampering_is_caught_by_verify(city, tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(city["bundle"]) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == f"results/{SITES[1]}.json":
                data = data.replace(b'"fail"', b'"pass"')
            dst.writestr(info, data)
    r = cli("bundle", "verify", str(bad), "--pubkey", str(city["pub"]), ws=tmp_path, ok=False)
    assert r.returncode == 1 and f"文件内容与清单不符（SHA-256 不一致）：results/{SITES[1]}.json" in r.stderr


def test_summary_sheet_has_the_chinese_headers(city, tmp_path):
    from openpyxl import load_workbook

    with zipfile.ZipFile(city["bundle"]) as z:
        z.extract("summary.xlsx", tmp_path)
    ws = load_workbook(tmp_path / "summary.xlsx").active
    headers = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert headers == ["序号", "网站名称", "网站标识码", "首页网址", "主办单位", "检查时间", "完成情况", "检查结果", "得分",
                       "单项否决项", "扣分明细", "存在问题", "人工调整", "整改情况", "整改时限"]
    rows = {r[2]: dict(zip(headers, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    vetoed = rows[SITES[1]]
    assert vetoed["检查结果"] == "不合格" and vetoed["整改时限"] == "2026-12-31" and vetoed["整改情况"].startswith("整改中")
    assert vetoed["得分"] == "不计分" and vetoed["扣分明细"] == "不计分（单项否决）"  # a veto: nothing is scored
    assert {r["完成情况"] for r in rows.values()} == {"未完成"}  # exported with --allow-incomplete
    assert "链接可用性：合格 → 不合格 扣2分" in rows[SITES[0]]["人工调整"]
    assert "人工复核发现 2 个死链" in rows[SITES[0]]["人工调整"] and "测试员" in rows[SITES[0]]["人工调整"]


def test_province_imports_and_aggregates(city, tmp_path):
    prov = tmp_path / "province"
    r = cli("province", "import", str(city["bundle"]), "--pubkey", str(city["pub"]), "--json", ws=prov)
    assert json.loads(r.stdout)[0]["quarter"] == city["quarter"]
    report = json.loads(cli("province", "report", "--json", ws=prov).stdout)
    (c,) = report["cities"]
    assert c["failed"] >= 1 and c["problems_by_indicator"].get("site-not-updated") == 1
    again = cli("province", "import", str(city["bundle"]), "--pubkey", str(city["pub"]), "--json", ws=prov)
    assert json.loads(again.stdout)[0]["already"]  # a retry of the same bundle is not a second import
    assert len(json.loads(cli("province", "report", "--json", ws=prov).stdout)["cities"][0]["imports"]) == 1


@pytest.mark.browser
def test_the_html_report_renders_in_chromium(city, tmp_path):
    from inspector.core.web.browser import find_chromium
    from inspector.core.web.evidence import capture_many

    if find_chromium()[0] is None:
        pytest.skip(f"no Chromium: {find_chromium()[1]}")
    with zipfile.ZipFile(city["bundle"]) as z:
        z.extractall(tmp_path / "b")
    html = (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert "云溪市人民政府" in html
    (rec,) = capture_many([((tmp_path / "b" / "report.html").as_uri(), ["report"])], tmp_path / "shots", tmp_path)
    shot = next(f for f in rec["files"] if f["kind"] == "screenshot")
    assert rec["error"] is None and (tmp_path / shot["path"]).stat().st_size > 10_000
    assert "抽查" in rec["title"] or rec["title"]
