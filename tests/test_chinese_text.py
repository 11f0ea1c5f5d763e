"""What an inspector or the province reads is Chinese: the real CLI, the TUI and the evidence page, driven with
bad input, say what went wrong in one Chinese line (technical tokens such as flags, JSON keys and choices kept as
they are), never argparse's or the system's English, a Python type name or a traceback."""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector.core.store import Workspace
from inspector.core.submission.exchange import export_quarter
from inspector.core.submission.viewer import EvidenceServer
from tests.test_province import QUARTER, make_city
from tests.test_tui import anyio_backend, build_workspace, screen_text, settle  # noqa: F401 (fixture)
from tests.test_viewer import request

INSPECTOR = [sys.executable, "-m", "inspector.cli"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"\b(invalid|required|must|choose from|No such|Errno|Permission denied|not a zip|Bad CRC|"
                              r"unknown checklist|got \d|Error|Exception)\b")


def run(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*INSPECTOR, "--workspace", str(ws), *args], capture_output=True, text=True, timeout=120,
                          cwd=ws.parent if ws.parent.is_dir() else ws.parent.parent)


def refused_in_chinese(r: subprocess.CompletedProcess, *needles: str, status: int = 2) -> str:
    """One line on stderr, Chinese, no English sentence, no traceback; the needles in it."""
    lines = r.stderr.strip().splitlines()
    assert r.returncode == status, (r.returncode, r.stdout, r.stderr)
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert "Traceback" not in r.stderr and CHINESE.search(line), line
    assert not ENGLISH_SENTENCE.search(line), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("city")
    ws = make_city(root / "city", "3609", "宜春市", sites=10)
    other = make_city(root / "other", "3601", "南昌市", sites=5)
    bundle = export_quarter(ws, QUARTER, allow_incomplete=True)
    data = bytearray(bundle.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 200] = b"\0" * 200  # a damaged member: its CRC no longer matches
    damaged = root / "damaged.zip"
    damaged.write_bytes(bytes(data))
    return {"ws": ws, "bundle": bundle, "damaged": damaged, "pub": ws.root / "keys" / "office.pub",
            "other_pub": other.root / "keys" / "office.pub"}


@pytest.fixture
def sampled(tmp_path: Path) -> Path:
    return build_workspace(tmp_path / "ws").root


# --------------------------------------------------------------------------- argparse's own messages


@pytest.mark.parametrize("args, needles", [
    (["frobnicate"], ["命令不能是 'frobnicate'", "sites", "inspector --help 查看用法"]),
    (["sample", "draw"], ["缺少参数：--quarter"]),
    (["sample", "draw", "--quarter", QUARTER, "--ratio", "abc"], ["--ratio 须是数字"]),
    (["sample", "draw", "--quarter", QUARTER, "--seed", "x"], ["--seed 须是整数"]),
    (["sites", "import"], ["缺少参数：file"]),
    (["decide", "3406000012", "link-availability", "maybe", "--quarter", QUARTER],
     ["不能是 'maybe'", "pass 合格", "fail 不合格", "review 待复核"]),
    (["rectify", "3406000012", "--quarter", QUARTER, "--status", "done"], ["pending 待整改", "not needed 无需整改"]),
    (["sites", "list", "--bogus"], ["无法识别的参数：--bogus"]),
    (["demo", "--port", "x", "--no-tui"], ["--port", "不是整数"]),
])
def test_usage_errors_are_chinese(sampled: Path, args: list[str], needles: list[str]) -> None:
    line = refused_in_chinese(run(sampled, *args), *needles)
    assert "argument" not in line


# --------------------------------------------------------------------------- bad input to the commands


def test_an_unknown_checklist_is_named_in_chinese(sampled: Path) -> None:
    refused_in_chinese(run(sampled, "check", "http://127.0.0.1:9/", "--checklist", "nope"),
                       "没有这个评分表：nope", "census-2015")


def test_neither_a_url_nor_a_code_is_one_line_not_a_warning_first(sampled: Path) -> None:
    refused_in_chinese(run(sampled, "check", "notaurl", "--no-browser"), "notaurl 既不是网址", "也不是网站标识码")
    line = refused_in_chinese(run(sampled, "check", "9999999999", "--no-browser"), "网站名录中没有网站标识码 9999999999")
    assert "sites list" in line and "注意" not in line  # what to do, and no warning about the sample before it


def test_a_folder_is_not_a_registry_file(sampled: Path) -> None:
    refused_in_chinese(run(sampled, "sites", "import", str(sampled)), "这是一个文件夹，不是文件")


def test_a_bad_date_and_a_bad_port_are_chinese_only(sampled: Path) -> None:
    line = refused_in_chinese(run(sampled, "rectify", "3406000012", "--quarter", QUARTER, "--status", "pending",
                                  "--deadline", "tomorrow"), "--deadline 须是日期")
    assert "must" not in line
    refused_in_chinese(run(sampled, "evidence", "serve", "--port", "99999"), "--port 须在 0 到 65535 之间")


def test_a_system_error_is_said_in_chinese(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run(blocker / "ws", "keys", "generate")  # the workspace would be under a file
    refused_in_chinese(r, "路径中有一部分不是文件夹")


# --------------------------------------------------------------------------- bundles and keys


def test_a_damaged_bundle_is_explained_in_chinese(tmp_path: Path, city: dict[str, Any]) -> None:
    line = refused_in_chinese(run(tmp_path / "ws", "bundle", "verify", str(city["damaged"])), "未通过核验", status=1)
    assert "CRC 校验不符" in line or "解压出错" in line or "文件头" in line, line


def test_a_truncated_bundle_is_explained_in_chinese(tmp_path: Path, city: dict[str, Any]) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(city["bundle"].read_bytes()[:1000])
    refused_in_chinese(run(tmp_path / "ws", "bundle", "verify", str(cut)), "不是可读取的 zip 压缩包", "已截断", status=1)


def test_a_missing_key_file_is_explained_in_chinese(tmp_path: Path, city: dict[str, Any]) -> None:
    missing = tmp_path / "none.pub"
    line = refused_in_chinese(run(tmp_path / "ws", "bundle", "verify", str(city["bundle"]), "--pubkey", str(missing)),
                              "文件或文件夹不存在", status=1)
    assert line.count(str(missing)) == 1, line
    refused_in_chinese(run(tmp_path / "ws", "province", "keys", "add", "3609", str(missing)),
                       "无法读取公钥", "文件或文件夹不存在")


def test_a_verified_bundle_says_so_in_chinese(tmp_path: Path, city: dict[str, Any]) -> None:
    r = run(tmp_path / "ws", "bundle", "verify", str(city["bundle"]), "--pubkey", str(city["pub"]))
    assert r.returncode == 0 and r.stdout.startswith("核验通过："), r.stdout
    r = run(tmp_path / "ws", "bundle", "verify", str(city["bundle"]), "--pubkey", str(city["other_pub"]))
    refused_in_chinese(r, "签名", status=1)


# --------------------------------------------------------------------------- the monitor and the evidence page


def test_the_monitors_lines_are_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    from inspector import monitor_cli

    monitor_cli._progress({"kind": "missed", "noted_at": "2026-11-20T01:00:00+00:00", "code": "3406000012",
                           "slot": 3, "reason": "late"})
    monitor_cli._progress({"kind": "missed", "noted_at": "2026-11-20T01:00:00+00:00", "code": "3406000012",
                           "slot": 4, "reason": "probe-error: RuntimeError"})
    monitor_cli._progress({"kind": "backlog", "missed": 2})
    err = capsys.readouterr().err
    assert "漏测（探测延误" in err and "漏测（探测程序出错）" in err and "RuntimeError" not in err
    assert "monitor" not in err and "late" not in err


def test_the_evidence_page_refuses_in_chinese(sampled: Path) -> None:
    with EvidenceServer(Workspace(sampled), QUARTER, port=0) as server:
        status, _, body = request(server.url, "/site/0000000000")
        assert status == 404 and "没有这个抽样网站" in body.decode("utf-8")
        status, _, body = request(server.url, "/file/3406000012/nope/0")
        assert status == 404 and "没有这个证据文件" in body.decode("utf-8")
        status, _, body = request(server.url, "/", method="POST")
        assert status == 405 and "只读" in body.decode("utf-8")
        status, _, body = request(server.url, "/", host="evil.example")
        assert "只接受本机地址" in body.decode("utf-8")


# --------------------------------------------------------------------------- the TUI


@pytest.mark.anyio
async def test_the_sample_and_monitor_screens_are_chinese(tmp_path: Path) -> None:
    from inspector.tui.app import make_app

    app = make_app(build_workspace(tmp_path / "ws"), quarter=QUARTER)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await settle(pilot, app)
        text = screen_text(app)
        assert "从 3 个正常运行的网站中抽取 3 个" in text and "随机种子 7" in text, text
        assert "running sites" not in text and " of " not in text
        await pilot.press("escape", "m")
        await settle(pilot, app)
        text = screen_text(app)
        assert "尚未进行一周监测" in text and "inspector monitor --quarter 2026Q4" in text, text
        assert "stays open" not in text


@pytest.mark.anyio
async def test_a_failed_export_names_the_problem_not_the_exception(tmp_path: Path, monkeypatch: Any) -> None:
    from inspector.core.submission import office
    from inspector.tui.app import make_app

    def refuse(ws: Any, quarter: str, output: Any = None) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "exports"))

    monkeypatch.setattr(office, "export_workbook", refuse)
    app = make_app(build_workspace(tmp_path / "ws"), quarter=QUARTER)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        for _ in range(50):
            await pilot.pause(0.05)
            if any("失败" in str(n.title) for n in app._notifications):
                break
        failed = [str(n.message) for n in app._notifications if "失败" in str(n.title)]
        assert failed and "没有访问权限" in failed[0], failed
        assert "PermissionError" not in failed[0] and "Permission denied" not in failed[0]


def test_any_exception_reads_as_one_chinese_line() -> None:
    from inspector.core import texts
    from inspector.tui.messages import error_line

    assert error_line(FileNotFoundError(errno.ENOENT, "No such file or directory", "/x/名录.csv")) \
        == "文件或文件夹不存在：/x/名录.csv（请检查路径是否正确）"
    assert error_line(ValueError("扣分须是数字")) == "扣分须是数字"
    odd = error_line(KeyError("prefill"))
    assert "KeyError" not in odd and CHINESE.search(odd) and "维护人员" in odd
    assert texts.os_error(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足（请清理磁盘后重试）"


def test_no_english_sentence_left_in_the_sweep(tmp_path: Path, city: dict[str, Any]) -> None:
    """A sweep of refusals across the commands: every one is a Chinese line."""
    ws = build_workspace(tmp_path / "ws").root
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("a,b\n1,2\n", encoding="utf-8")
    cases = [
        ["sites", "import", str(tmp_path / "none.csv")],
        ["sites", "import", str(bad_csv)],
        ["sample", "show", "--quarter", "2025Q1"],
        ["check", "--all", "--concurrency", "99"],
        ["columns", "3406000014", "--quarter", QUARTER],
        ["decide", "3406000012", "bogus", "pass", "--quarter", QUARTER],
        ["province", "report"],
        ["province", "keys", "remove", "3609"],
        ["keys", "generate"],
    ]
    for args in cases[:-1]:
        refused_in_chinese(run(ws, *args))
    assert run(ws, "keys", "generate").returncode == 0
    refused_in_chinese(run(ws, "keys", "generate"), "--force")
    shutil.rmtree(tmp_path / "ws" / "keys")
