"""Finding a Chromium to render evidence with.

Playwright's own browser download is often impossible on inspection machines
(closed networks), so the system Chromium is a first-class citizen here. The
search order is:

1. ``INSPECTOR_CHROMIUM`` (an explicit choice; if it is set but unusable, that
   is reported rather than silently replaced by another browser);
2. Playwright's own installed Chromium (``PLAYWRIGHT_BROWSERS_PATH`` or
   ``~/.cache/ms-playwright``), newest revision first;
3. ``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspector.core.settings import settings

ENV_VAR = "INSPECTOR_CHROMIUM"
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome")

#: Launch flags. ``--no-sandbox`` because inspections often run as root;
#: the background-networking flags keep Chromium from phoning home (in a closed
#: network those connections are refused and slow the browser down).
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

MAX_TMPDIR_BYTES = 34  # + "/inspector-chromium-xxxxxxxx": Chromium starts from a TMPDIR of at most 62 bytes


@contextmanager
def private_home() -> Iterator[dict[str, str]]:
    """The environment to launch Chromium with so that it leaves nothing behind: its home, config
    (crashpad's "Crash Reports"), cache (dconf, fontconfig) and temporary files all go to one
    temporary folder, removed when the browser is gone. The user's fonts stay visible (XDG_DATA_HOME)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    # Chromium's sockets live under TMPDIR and a socket's path has at most 107 bytes: from a TMPDIR
    # deeper than 62 bytes the browser does not start at all ("Target page, context or browser has been closed")
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) > MAX_TMPDIR_BYTES and os.access("/tmp", os.W_OK):
        base = "/tmp"
    with tempfile.TemporaryDirectory(prefix="inspector-chromium-", dir=base, ignore_cleanup_errors=True) as tmp:
        yield {**os.environ, "HOME": tmp, "XDG_CONFIG_HOME": f"{tmp}/config", "XDG_CACHE_HOME": f"{tmp}/cache",
               "XDG_DATA_HOME": data, "TMPDIR": tmp, "GSETTINGS_BACKEND": "memory"}


# chromium-1234/chrome-linux/chrome (older) and chrome-linux64/chrome (newer builds)
_PLAYWRIGHT_BINARIES = ("chrome-linux/chrome", "chrome-linux64/chrome")


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _playwright_cache() -> Path:
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH", "")
    if configured and configured != "0":
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "ms-playwright"


def _revision(directory: Path) -> int:
    match = re.fullmatch(r"chromium-(\d+)", directory.name)
    return int(match.group(1)) if match else -1


def playwright_chromium() -> str | None:
    """Path of Playwright's own installed Chromium, newest revision, if any."""
    cache = _playwright_cache()
    if not cache.is_dir():
        return None
    for directory in sorted(cache.glob("chromium-*"), key=_revision, reverse=True):
        for relative in _PLAYWRIGHT_BINARIES:
            candidate = directory / relative
            if _is_executable(candidate):
                return str(candidate)
    return None


def find_chromium() -> tuple[str | None, str]:
    """Locate a Chromium binary.

    Returns ``(path, how it was found)`` or ``(None, why none is usable)``.
    """
    configured = settings().chromium or ""
    if configured:
        path = Path(configured).expanduser()
        if _is_executable(path):
            return str(path), f"{ENV_VAR}={configured}"
        return None, f"{ENV_VAR}={configured} is not an executable file"
    bundled = playwright_chromium()
    if bundled:
        return bundled, f"Playwright's installed Chromium under {_playwright_cache()}"
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return found, f"system browser {name!r} on PATH"
    return None, (
        f"no Chromium found: {ENV_VAR} unset, no Playwright browser under "
        f"{_playwright_cache()}, none of {', '.join(SYSTEM_NAMES)} on PATH "
        "(install Debian's chromium package, or set INSPECTOR_CHROMIUM)"
    )
