"""Shared test set-up: every test reads the INSPECTOR_* settings afresh (tests change the environment)."""

from __future__ import annotations

import pytest

from inspector.core.settings import reload_settings


@pytest.fixture(autouse=True)
def _fresh_settings():
    reload_settings()
    yield
    reload_settings()
