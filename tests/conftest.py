"""Shared test set-up: every test reads the INSPECTOR_* settings afresh (tests change the environment).

Every test runs as the inspector 测试员 (``INSPECTOR_USER``) unless it removes the variable, so that
no test depends on the machine's login name and the TUI's first-run name prompt stays out of the way.
"""

from __future__ import annotations

import os

import pytest

from inspector.core.settings import reload_settings

TEST_INSPECTOR = "测试员"
os.environ["INSPECTOR_USER"] = TEST_INSPECTOR  # module-scoped fixtures and the CLI's subprocesses too


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch):
    monkeypatch.setenv("INSPECTOR_USER", TEST_INSPECTOR)
    reload_settings()
    yield
    monkeypatch.undo()
    reload_settings()
