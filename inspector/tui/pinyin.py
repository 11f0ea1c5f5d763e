"""Pinyin initials for finding things by typing Latin letters: ``jc`` finds 检测, ``ycs`` finds 宜春市.

Readings come from pypinyin's character table as the core reads it (its data file only, without importing
pypinyin and its phrase dictionary), the most common reading of each character first; loaded on first
use: call :func:`load` in a thread before searching the first time.
"""

from __future__ import annotations

import functools
import unicodedata


def _table() -> dict[str, str]:
    from inspector.core.checks.errors import reading_table

    return reading_table()


def load() -> None:
    """Load the character table (about a second on a slow machine: call it off the UI thread)."""
    _table()


def _initial(char: str) -> str:
    reading = _table().get(str(ord(char)))
    if not reading:
        return ""
    first = unicodedata.normalize("NFD", reading.split(",")[0])[:1]
    return first if first.isascii() else ""


@functools.lru_cache(maxsize=4096)
def initials(text: str) -> str:
    """The first letter of each Chinese character's (first) reading, in order: 检测全部 -> ``jcqb``."""
    return "".join(_initial(c) for c in text if "\u3400" <= c <= "\u9fff")


def search_text(text: str) -> str:
    """``text`` followed by the initials of its Chinese, for a fuzzy matcher."""
    found = initials(text)
    return f"{text} {found}" if found else text
