"""Untrusted text made safe for a terminal or a file: the one cleaning path of the program.

Page titles, link texts, URLs, registry rows, a bundle's region and site names, error messages
quoting any of them: before anything reaches a terminal (CLI or TUI) or a file people open, it
goes through here. Terminal escape sequences (CSI, OSC — which retitles the terminal —, DCS …)
are removed whole, then C0/C1 controls, bidi overrides, zero-width characters and line/paragraph
separators. The TUI wraps the result in ``rich.text.Text`` (never markup); the CLI prints it.
"""

from __future__ import annotations

import json
import re
from typing import Any


# ANSI escape sequences first (so "ESC[31m" leaves nothing behind), then lone controls.
_ANSI = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL / ST
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS / PM / APC / SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (except \t \n \r) and C1
    "\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"  # zero-width, bidi, line/para separators, BOM
)
_BLANK_LINES = re.compile(r"\n\n\n+")  # (lines already stripped)


def strip_controls(s: str) -> str:
    """Remove terminal escape sequences and control characters, keeping \t, \n and \r."""
    if "\x1b" in s:  # every escape sequence starts with ESC
        s = _ANSI.sub("", s)
    return _CONTROL.sub("", s)


def clean_text(s: str | None, *, keep_newlines: bool = False) -> str:
    """Strip terminal escapes, C0/C1 and bidi controls; collapse whitespace.

    By default the result is one line (titles, anchor texts); with
    ``keep_newlines`` line breaks survive (blank lines collapse to one).
    """
    if not s:
        return ""
    s = strip_controls(s.replace("\r\n", "\n").replace("\r", "\n"))
    # str.split() splits at exactly the whitespace \s matches, and drops it at both ends
    if not keep_newlines:
        return " ".join(s.split())
    # Each line's whitespace runs to one space, the line stripped — in C, not line by line: every
    # line break becomes a NUL word (strip_controls left none), the words are joined by single
    # spaces, the spaces beside each NUL are dropped and the NULs become line breaks again.
    s = " ".join(s.replace("\n", " \0 ").split()).replace(" \0", "\0").replace("\0 ", "\0").replace("\0", "\n")
    return _BLANK_LINES.sub("\n\n", s).strip()


def clean(value: Any, limit: int | None = None) -> str:
    """One line of display text from any value, controls stripped, optionally shortened with "…"."""
    text = clean_text("" if value is None else str(value))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


# JSON escapes C0 controls itself; these it leaves raw (ensure_ascii=False), and a terminal acts on some
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """JSON for a terminal or a file: UTF-8 Chinese kept readable, every control or bidi character
    escaped as ``\\uXXXX`` (the data is unchanged, only its spelling), NaN/Infinity refused."""
    text = json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
