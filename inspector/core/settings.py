"""The program's settings: one typed object, read from the ``INSPECTOR_*`` environment once.

Every default the CLI, the TUI and the core use for a check lives here, so that the same
command is polite (or not) the same way from every entry point. Read with :func:`settings`;
tests that change the environment call :func:`reload_settings`.

| variable | meaning | default |
|---|---|---|
| ``INSPECTOR_HOME`` | the workspace directory | the platform's user data directory |
| ``INSPECTOR_USER`` | the inspector's name recorded with every decision | the login name |
| ``INSPECTOR_CHROMIUM`` | the Chromium used for evidence and challenges | Playwright's, else the system one |
| ``INSPECTOR_TZ`` | the office's time zone for what people read | ``Asia/Shanghai`` |
| ``INSPECTOR_PER_HOST`` | concurrent requests to one host | 4 |
| ``INSPECTOR_INTERVAL`` | seconds between request starts to one host | 0.05 |
| ``INSPECTOR_TIMEOUT`` | per-request timeout, seconds | 15 |
| ``INSPECTOR_MAX_PAGES`` | pages crawled per site at most | 3000 |
| ``INSPECTOR_PROBES`` | short availability probes per check | 5 |
| ``INSPECTOR_PROBE_INTERVAL`` | seconds between those probes | 1.0 |
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from typing import Callable, Mapping, TypeVar

T = TypeVar("T", int, float)


class SettingsError(ValueError):
    """An ``INSPECTOR_*`` variable that cannot be used (named in the message)."""


@dataclass(frozen=True)
class Settings:
    home: str | None = None
    user: str | None = None
    chromium: str | None = None
    timezone: str = "Asia/Shanghai"
    per_host: int = 4
    interval: float = 0.05
    timeout: float = 15.0
    max_pages: int = 3000
    probes: int = 5
    probe_interval: float = 1.0


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], T], default: T, lo: T, hi: T) -> T:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"环境变量 {name}={raw!r} 不是数字") from None
    if isinstance(value, float) and not math.isfinite(value) or not lo <= value <= hi:
        raise SettingsError(f"环境变量 {name}={raw!r} 超出范围 {lo}–{hi}")
    return value


def from_env(env: Mapping[str, str]) -> Settings:
    """Settings from an environment mapping (``os.environ`` in the program)."""

    def text(name: str) -> str | None:
        return env.get(name, "").strip() or None

    return Settings(
        home=text("INSPECTOR_HOME"),
        user=text("INSPECTOR_USER"),
        chromium=text("INSPECTOR_CHROMIUM"),
        timezone=text("INSPECTOR_TZ") or Settings.timezone,
        per_host=_number(env, "INSPECTOR_PER_HOST", int, Settings.per_host, 1, 64),
        interval=_number(env, "INSPECTOR_INTERVAL", float, Settings.interval, 0.0, 60.0),
        timeout=_number(env, "INSPECTOR_TIMEOUT", float, Settings.timeout, 0.5, 300.0),
        max_pages=_number(env, "INSPECTOR_MAX_PAGES", int, Settings.max_pages, 1, 100_000),
        probes=_number(env, "INSPECTOR_PROBES", int, Settings.probes, 1, 1000),
        probe_interval=_number(env, "INSPECTOR_PROBE_INTERVAL", float, Settings.probe_interval, 0.0, 60.0),
    )


@functools.cache
def settings() -> Settings:
    """The settings of this process (the environment is read on the first call only)."""
    return from_env(os.environ)


def reload_settings() -> Settings:
    """Forget the settings read so far and read the environment again (tests, long-lived apps)."""
    settings.cache_clear()
    return settings()
