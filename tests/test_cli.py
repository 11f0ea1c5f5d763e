"""The console script as users call it: exit codes, one-line errors, JSON on stdout only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.core.store import Workspace
from tests.test_registry_sampling import HEADER, registry_rows, write_csv

INSPECTOR = [sys.executable, "-m", "inspector.cli"]


def run(*args: str, ws: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*INSPECTOR, "--workspace", str(ws), *args], capture_output=True, text=True, timeout=120)


def test_import_draw_show_roundtrip_with_json(tmp_path):
    f = write_csv(tmp_path / "名录.csv", [HEADER] + registry_rows(), "gbk")
    ws = tmp_path / "ws"
    r = run("sites", "import", str(f), "--json", ws=ws)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"encoding": "gb18030", "valid": 100, "added": 100, "updated": 0, "rejected": []}
    r = run("sample", "draw", "--quarter", "2026Q4", "--seed", "7", "--json", ws=ws)
    drawn = json.loads(r.stdout)
    assert r.returncode == 0 and drawn["size"] == 20 and drawn["seed"] == 7 and len(drawn["sites"]) == 20
    shown = json.loads(run("sample", "show", "--quarter", "2026q4", "--json", ws=ws).stdout)
    assert shown["codes"] == drawn["codes"] and shown["method"] == "stratified-sha256/1"
    r = run("sites", "list", ws=ws)
    assert r.returncode == 0 and "宜春市第1网站" in r.stdout and "共 100 个网站" in r.stdout


@pytest.mark.parametrize(
    "args, needle",
    [
        (["sites", "import", "/nonexistent/名录.csv"], "文件不存在"),
        (["sample", "show", "--quarter", "2026Q4"], "中没有 2026Q4 的抽样"),
        (["sample", "draw", "--quarter", "2026Q9"], "季度格式应为 2026Q4"),
        (["sample", "draw", "--quarter", "2026Q4"], "没有正常运行的网站"),
        (["check", "3609000001", "--as-of", "yesterday"], "--as-of 须是日期"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, args, needle):
    r = run(*args, ws=tmp_path / "ws")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert needle in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_unknown_command_is_usage_error(tmp_path):
    r = run("frobnicate", ws=tmp_path)
    assert r.returncode == 2 and "命令不能是 'frobnicate'" in r.stderr


def test_redraw_refused_once_inspections_exist_unless_forced(tmp_path, capsys):
    f = write_csv(tmp_path / "r.csv", [HEADER] + registry_rows({"县级": 10}), "utf-8")
    ws_dir = str(tmp_path / "ws")
    assert main(["--workspace", ws_dir, "sites", "import", str(f)]) == 0
    assert main(["--workspace", ws_dir, "sample", "draw", "--quarter", "2026Q4", "--seed", "1"]) == 0
    assert main(["--workspace", ws_dir, "sample", "draw", "--quarter", "2026Q4", "--seed", "2"]) == 0  # no inspections yet
    Workspace(Path(ws_dir)).update_inspection("2026Q4", "3609000001", lambda r: {**r, "progress": "checked"})
    capsys.readouterr()
    assert main(["--workspace", ws_dir, "sample", "draw", "--quarter", "2026Q4", "--seed", "3"]) == 2
    assert "--force" in capsys.readouterr().err
    assert Workspace(Path(ws_dir)).sample("2026Q4")["seed"] == 2
    assert main(["--workspace", ws_dir, "sample", "draw", "--quarter", "2026Q4", "--seed", "3", "--force"]) == 0
    assert Workspace(Path(ws_dir)).sample("2026Q4")["seed"] == 3


def test_help_explains_the_workflow():
    r = subprocess.run([*INSPECTOR, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "sample draw --quarter" in r.stdout and "bundle export" in r.stdout
