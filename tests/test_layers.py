"""The core is headless: importing any core module never loads Textual (checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import inspector.core


def core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(inspector.core.__path__, "inspector.core."))


def test_no_core_module_imports_textual():
    mods = core_modules()
    assert "inspector.core.runner" in mods and "inspector.core.store" in mods
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "    assert 'textual' not in sys.modules, m\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
