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

WEEK_OF_PROBES = 7 * 24  # the week-long monitor's attempts (24 a day for 7 days): no short probe needs more

#: The range of every number a person can set, wherever it is set (INSPECTOR_* variable, CLI option,
#: checklist parameter): one table, so `--timeout 1e300` and INSPECTOR_TIMEOUT=1e300 are refused alike.
BOUNDS: dict[str, tuple[float, float]] = {
    "per_host": (1, 64),
    "interval": (0.0, 60.0),  # seconds between request starts to one host
    "timeout": (0.5, 300.0),  # seconds, one request
    "max_pages": (1, 100_000),
    "probes": (1, WEEK_OF_PROBES),
    "probe_interval": (0.0, 60.0),
    "monitor_days": (1, 31),
    "monitor_per_day": (1, 24 * 60),
    "port": (0, 65_000),  # 0: free ports chosen by the system
}


class SettingsError(ValueError):
    """An ``INSPECTOR_*`` variable that cannot be used (named in the message)."""


def parse_number(raw: str, kind: Callable[[str], T], bound: str, what: str) -> T:
    """``raw`` as an int or a finite float within ``BOUNDS[bound]``; SettingsError naming ``what`` otherwise."""
    lo, hi = BOUNDS[bound]
    try:
        value = kind(raw.strip())
    except ValueError:
        raise SettingsError(f"{what}={raw!r} 不是{'整数' if kind is int else '数字'}") from None
    if isinstance(value, float) and not math.isfinite(value) or not lo <= value <= hi:
        raise SettingsError(f"{what}={raw!r} 超出范围 {lo:g}–{hi:g}")
    return value


def number_arg(kind: Callable[[str], T], bound: str, flag: str) -> Callable[[str], T]:
    """An argparse ``type``: :func:`parse_number` with the bounds of ``bound``, a refusal as argparse's
    one-line error (the CLI and the monitor's command share it)."""
    import argparse

    def parse(raw: str) -> T:
        try:
            return parse_number(raw, kind, bound, flag)
        except SettingsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = getattr(kind, "__name__", "number")  # argparse names the type in its messages
    return parse


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


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], T], default: T, bound: str) -> T:
    raw = env.get(name, "").strip()
    return parse_number(raw, kind, bound, f"环境变量 {name}") if raw else default


def from_env(env: Mapping[str, str]) -> Settings:
    """Settings from an environment mapping (``os.environ`` in the program)."""

    def text(name: str) -> str | None:
        return env.get(name, "").strip() or None

    return Settings(
        home=text("INSPECTOR_HOME"),
        user=text("INSPECTOR_USER"),
        chromium=text("INSPECTOR_CHROMIUM"),
        timezone=text("INSPECTOR_TZ") or Settings.timezone,
        per_host=_number(env, "INSPECTOR_PER_HOST", int, Settings.per_host, "per_host"),
        interval=_number(env, "INSPECTOR_INTERVAL", float, Settings.interval, "interval"),
        timeout=_number(env, "INSPECTOR_TIMEOUT", float, Settings.timeout, "timeout"),
        max_pages=_number(env, "INSPECTOR_MAX_PAGES", int, Settings.max_pages, "max_pages"),
        probes=_number(env, "INSPECTOR_PROBES", int, Settings.probes, "probes"),
        probe_interval=_number(env, "INSPECTOR_PROBE_INTERVAL", float, Settings.probe_interval, "probe_interval"),
    )


@functools.cache
def settings() -> Settings:
    """The settings of this process (the environment is read on the first call only)."""
    return from_env(os.environ)


def reload_settings() -> Settings:
    """Forget the settings read so far and read the environment again (tests, long-lived apps)."""
    settings.cache_clear()
    return settings()
