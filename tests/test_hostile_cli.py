"""The hostile suite: bad numbers, hostile pages, hostile bundles and damaged workspaces through the real CLI.

Every case runs ``inspector`` in a subprocess inside a sandbox (its own HOME, TMPDIR and working
directory) and asserts the exit status, a one-line message on stderr naming the problem, no
traceback, no terminal control character on any output, and that nothing was written outside the
workspace. (The 200 MB page and the gzip bomb with the browser are in test_hostile_pages.py.)
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from inspector.core import texts
from inspector.core.submission import bundle as bundle_fmt
from inspector.core.submission.exchange import export_quarter
from inspector.core.web.browser import find_chromium
from tests.hostile import Sandbox, refused
from tests.test_bundle import HOSTILE_CASES, hostile
from tests.httpfixtures import LoopbackServer, html
from tests.test_province import QUARTER, make_city
from tests.test_tui import build_workspace

CENSUS = Path(__file__).resolve().parents[1] / "checklists" / "census-2015.toml"
CHROMIUM, WHY = find_chromium()
EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e恶意地区"


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


# --------------------------------------------------------------------------- numbers on the command line

NUMBERS = [
    (["check", "http://127.0.0.1:9/", "--timeout", "nan"], "--timeout"),
    (["check", "http://127.0.0.1:9/", "--timeout", "inf"], "--timeout"),
    (["check", "http://127.0.0.1:9/", "--timeout", "301"], "0.5–300"),
    (["check", "http://127.0.0.1:9/", "--interval", "1e300"], "--interval"),
    (["check", "http://127.0.0.1:9/", "--probe-interval", "-1"], "--probe-interval"),
    (["check", "http://127.0.0.1:9/", "--probes", "100000000"], "1–168"),
    (["check", "http://127.0.0.1:9/", "--probes", "1e8"], "--probes"),
    (["check", "http://127.0.0.1:9/", "--max-pages", "0"], "--max-pages"),
    (["check", "http://127.0.0.1:9/", "--per-host", "1000"], "--per-host"),
    (["monitor", "--days", "1000"], "--days"),
    (["monitor", "--per-day", "0"], "--per-day"),
    (["demo", "--port", "70000", "--no-tui"], "--port"),
    (["demo", "--as-of", "garbage", "--no-tui"], "--as-of"),
    (["sample", "draw", "--quarter", QUARTER, "--ratio", "nan"], "--ratio"),
    (["check", "http://127.0.0.1:9/", "--as-of", "2026-13-45"], "--as-of"),
]


@pytest.mark.parametrize("args, named", NUMBERS, ids=[" ".join(a[-2:]) for a, _ in NUMBERS])
def test_numbers_out_of_range_are_refused_in_one_line(box: Sandbox, args: list[str], named: str) -> None:
    refused(box.run(*args), named)


@pytest.mark.parametrize("value", ["nan", "inf", "1e300", "-3"])
def test_environment_numbers_share_the_bounds(box: Sandbox, value: str) -> None:
    refused(box.run("check", "http://127.0.0.1:9/", env={"INSPECTOR_TIMEOUT": value}), "INSPECTOR_TIMEOUT")


@pytest.mark.parametrize("line, replacement, key", [
    ("fail_below = 60.0", "fail_below = nan", "checklist.fail_below"),
    ("timeout_s = 15.0", "timeout_s = inf", "indicators.site-unreachable.params.timeout_s"),
    ("timeout_s = 15.0", "timeout_s = 100000", "indicators.site-unreachable.params.timeout_s"),
    ('{ per = "homepage_broken", each = 1.0 }', '{ per = "homepage_broken", each = -inf }',
     "indicators.link-availability.points[0].each"),
    ("max_wait_days = 90", "max_wait_days = 1e15", "indicators.poor-interaction.params.max_wait_days"),
])
def test_checklist_numbers_must_be_finite_and_sane(box: Sandbox, line: str, replacement: str, key: str) -> None:
    text = CENSUS.read_text(encoding="utf-8")
    assert line in text
    checklist = box.cwd / "bad.toml"
    checklist.write_text(text.replace(line, replacement, 1), encoding="utf-8")
    r = box.run("check", "http://127.0.0.1:9/", "--no-browser", "--checklist", str(checklist), "--json")
    refused(r, key)
    assert "Infinity" not in r.stdout and "NaN" not in r.stdout


def test_a_damaged_database_record_is_named_by_table_and_id(box: Sandbox) -> None:
    box.ws.mkdir()
    db = {"meta": {"1": {"schema": 1}}, "sites": {"1": {"code": "3601000001", "name": "好", "url": "http://a/"},
                                                  "7": {"name": "没有标识码", "url": "http://b/"}}}
    (box.ws / "inspector.json").write_text(json.dumps(db, ensure_ascii=False), encoding="utf-8")
    for args in (["sites", "list"], ["sample", "draw", "--quarter", QUARTER], ["check", "3601000001"]):
        refused(box.run(*args), "表 sites 的记录 7", "code")
    assert json.loads((box.ws / "inspector.json").read_text(encoding="utf-8")) == db  # nothing stored is lost


def test_a_registry_file_named_with_escapes_is_named_cleanly(box: Sandbox) -> None:
    """The import line quotes the file's name: a name is text from outside like any other."""
    from tests.test_registry_sampling import HEADER, registry_rows, write_csv

    evil = write_csv(box.cwd / f"{EVIL}名录.csv", [HEADER] + registry_rows({"县级": 3}), "utf-8")
    r = box.run("sites", "import", str(evil))  # (the sandbox asserts no control character reached the terminal)
    assert r.returncode == 0 and "恶意地区名录.csv" in r.stdout and "新增 3" in r.stdout


# --------------------------------------------------------------------------- hostile pages


def test_a_hostile_page_gives_a_result_not_a_traceback(box: Sandbox) -> None:
    links = ["http://127.0.0.1:70000/x", "http://xn--zz/", "http://[::1/", "http://127.0.0.1:-1/"]
    page = html(f"<html><head><title>{EVIL}</title></head><body><h1>{EVIL}</h1>"
                + "".join(f"<a href='{u}'>{EVIL}</a>" for u in links) + "</body></html>")
    flags = ["--no-browser", "--probes", "1", "--probe-interval", "0"]
    with LoopbackServer({"/": page}) as srv:
        summary = box.run("check", srv.url("/"), *flags)
        as_json = box.run("check", srv.url("/"), *flags, "--json")
    assert summary.returncode == 0 and as_json.returncode == 0, summary.stderr + as_json.stderr
    doc = json.loads(as_json.stdout)
    broken = {f["url"]: f["detail"] for f in doc["indicators"]["link-availability"]["findings"]}
    assert {broken.get(u) for u in links[:2]} == {texts.fetch_error("invalid-url")}


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason=WHY)
def test_the_browser_leaves_nothing_in_the_users_home(box: Sandbox, tmp_path: Path) -> None:
    """Chromium wrote its crash database (~/.config/chromium/Crash Reports), a dconf cache and, when a
    tab was killed, a temporary folder beside the workspace: the check and the printed report run it in
    a private home now (the sandbox asserts that nothing appeared outside the workspace). The sandbox's
    TMPDIR is deeper than the 62 bytes Chromium starts from: the private home is then made under /tmp."""
    with LoopbackServer({"/": html("<html><body><p>政府信息公开</p></body></html>")}) as srv:
        r = box.run("check", srv.url("/"), "--json", "--probes", "1", "--probe-interval", "0", "--max-pages", "1")
    assert r.returncode == 0 and json.loads(r.stdout)["run"]["browser"]["used"], r.stderr
    office = Sandbox(tmp_path / "office")
    build_workspace(office.ws)
    r = office.run("report", "3406000012", "--quarter", QUARTER, "-o", str(office.ws / "整改通知.pdf"))
    assert r.returncode == 0 and (office.ws / "整改通知.pdf").stat().st_size > 0, r.stderr


# --------------------------------------------------------------------------- hostile bundles


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One signed city bundle for the module (the tests only read it)."""
    ws = make_city(tmp_path_factory.mktemp("city"), "3601", "南昌市")
    return {"ws": ws, "bundle": export_quarter(ws, QUARTER, allow_incomplete=True), "pub": ws.root / "keys" / "office.pub"}


def _rewrite(src: Path, dst: Path, member: str, data: bytes, *, relist: bool = True) -> Path:
    """``src`` with one member replaced; the manifest's entry for it updated (the signature is not)."""
    import hashlib

    with zipfile.ZipFile(src) as zin:
        manifest = json.loads(zin.read(bundle_fmt.MANIFEST))
        if relist and member != bundle_fmt.MANIFEST:
            for entry in manifest["files"]:
                if entry["path"] == member:
                    entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
        with zipfile.ZipFile(dst, "w") as zout:
            for info in zin.infolist():
                if info.filename == member:
                    zout.writestr(info, data)
                elif info.filename == bundle_fmt.MANIFEST and relist and member != bundle_fmt.MANIFEST:
                    zout.writestr(info, json.dumps(manifest, ensure_ascii=False).encode())
                else:
                    zout.writestr(info, zin.read(info))
    return dst


def test_deeply_nested_json_in_a_bundle_is_one_line(box: Sandbox, city: dict[str, Any]) -> None:
    deep = b'{"schema": "inspector.bundle/1", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    evil = _rewrite(city["bundle"], box.cwd / "deep.zip", bundle_fmt.MANIFEST, deep)
    refused(box.run("bundle", "verify", str(evil)), "嵌套过深", code=1)
    refused(box.run("province", "import", str(evil), "--pubkey", str(city["pub"])), "嵌套过深")
    code = json.loads(zipfile.ZipFile(city["bundle"]).read(bundle_fmt.MANIFEST))["sites"][0]
    nested = b'{"code": "' + code.encode() + b'", "x": ' + b"[" * 100 + b"]" * 100 + b"}"
    evil2 = _rewrite(city["bundle"], box.cwd / "deep2.zip", f"results/{code}.json", nested)
    r = box.run("bundle", "verify", str(evil2), "--pubkey", str(city["pub"]))
    assert r.returncode == 1 and "嵌套过深" in r.stderr


def test_nan_in_a_bundle_is_not_json(box: Sandbox, city: dict[str, Any]) -> None:
    manifest = zipfile.ZipFile(city["bundle"]).read(bundle_fmt.MANIFEST)
    evil = _rewrite(city["bundle"], box.cwd / "nan.zip", bundle_fmt.MANIFEST,
                    manifest.replace(b'"ratio": 0.2', b'"ratio": NaN'))
    refused(box.run("province", "import", str(evil), "--unsigned-ok"), "NaN 不是 JSON 数值")


def test_not_a_zip_and_a_missing_file_are_one_line(box: Sandbox) -> None:
    junk = box.cwd / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    refused(box.run("bundle", "verify", str(junk)), "未通过核验：不是可读取的 zip 压缩包", code=1)
    refused(box.run("province", "import", str(junk), "--unsigned-ok"), "junk.zip：不是可读取的 zip 压缩包")
    refused(box.run("province", "import", str(box.cwd / "absent.zip"), "--unsigned-ok"), "文件不存在", "absent.zip")


@pytest.mark.parametrize("case", sorted(HOSTILE_CASES))
def test_a_hostile_zip_is_refused_in_one_line_and_writes_nothing(box: Sandbox, city: dict[str, Any], case: str) -> None:
    """Path traversal, absolute and drive paths, links, duplicates, unlisted files, a zip bomb: through
    the real CLI, even with --unsigned-ok (the structure is never optional)."""
    entries, reason = HOSTILE_CASES[case]
    evil = hostile(city["bundle"], box.cwd / f"{case}.zip", entries, list_them=case in ("symlink", "duplicate", "zip-bomb"))
    refused(box.run("bundle", "verify", str(evil)), "未通过核验", reason, code=1)
    refused(box.run("province", "import", str(evil), "--unsigned-ok"), reason)
    imports = box.ws / "province"
    assert not imports.exists() or not any(p.is_file() for p in imports.rglob("*"))  # nothing extracted, even staged
    assert not Path("/tmp/inspector-evil.txt").exists()


def test_a_bundle_with_thousands_of_problems_is_still_one_line(box: Sandbox, city: dict[str, Any]) -> None:
    evil = hostile(city["bundle"], box.cwd / "many.zip", [(f"evidence/x{n}.png", b"x") for n in range(2000)])
    r = box.run("province", "import", str(evil), "--unsigned-ok")
    refused(r, "清单中没有列出的文件：evidence/x", "个问题）")
    assert len(r.stderr) < 2000


def test_a_signed_bundles_region_never_reaches_the_terminal_raw(box: Sandbox, tmp_path: Path) -> None:
    ws = make_city(tmp_path / "evilcity", "3609", EVIL)
    bundle = export_quarter(ws, QUARTER, region=EVIL, allow_incomplete=True)
    box.run("province", "keys", "add", "3609", str(ws.root / "keys" / "office.pub"))
    r = box.run("province", "import", str(bundle))
    assert r.returncode == 0 and "恶意地区" in r.stdout
    table = box.run("province", "report")
    assert table.returncode == 0 and "恶意" in table.stdout  # (the table may wrap the name)
    doc = box.run("province", "report", "--json")
    assert json.loads(doc.stdout)["cities"][0]["region"] == EVIL  # the data kept, only its spelling escaped
    assert "\\u001b]0;pwned" in doc.stdout
