"""One settings object: INSPECTOR_* read once, the same check defaults from the CLI, the TUI and the core."""

from __future__ import annotations

import subprocess
import sys

import pytest

from inspector.cli import build_parser
from inspector.core.runner import CheckOptions
from inspector.core.settings import Settings, SettingsError, from_env, reload_settings


def test_defaults_without_environment():
    s = from_env({})
    assert s == Settings()
    assert s.interval > 0 and s.per_host == 4 and s.timezone == "Asia/Shanghai"


def test_values_from_environment():
    s = from_env({"INSPECTOR_USER": " 张三 ", "INSPECTOR_INTERVAL": "0.2", "INSPECTOR_PER_HOST": "2", "INSPECTOR_TZ": "Asia/Urumqi"})
    assert (s.user, s.interval, s.per_host, s.timezone) == ("张三", 0.2, 2, "Asia/Urumqi")


@pytest.mark.parametrize("name,value", [
    ("INSPECTOR_INTERVAL", "nan"), ("INSPECTOR_INTERVAL", "inf"), ("INSPECTOR_TIMEOUT", "-1"),
    ("INSPECTOR_PER_HOST", "many"), ("INSPECTOR_MAX_PAGES", "0"),
])
def test_bad_values_are_named(name, value):
    with pytest.raises(SettingsError, match=name):
        from_env({name: value})


def test_tui_and_cli_check_politely_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("INSPECTOR_INTERVAL", raising=False)
    reload_settings()
    from inspector.tui.app import make_app

    app = make_app(tmp_path / "ws")
    tui = app.check_options_or_default()
    cli = build_parser().parse_args(["check", "http://127.0.0.1:1/"])
    assert tui.min_interval > 0 and tui.min_interval == cli.interval == CheckOptions().min_interval
    assert tui.per_host == cli.per_host == CheckOptions().per_host


def test_environment_sets_the_cli_default(monkeypatch):
    monkeypatch.setenv("INSPECTOR_INTERVAL", "0.3")
    reload_settings()
    assert build_parser().parse_args(["check", "x"]).interval == 0.3
    assert CheckOptions().min_interval == 0.3


def test_bad_environment_is_a_one_line_error(tmp_path):
    env = {"INSPECTOR_HOME": str(tmp_path), "INSPECTOR_TIMEOUT": "inf", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "inspector.cli", "sites", "list"], env=env, capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "INSPECTOR_TIMEOUT" in r.stderr and "Traceback" not in r.stderr
