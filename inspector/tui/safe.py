"""Untrusted text made safe to show, and the app's shared labels.

Site names, page titles, URLs, finding details and notes come from the web or from
other people's files. They are never markup: everything shown goes through
:func:`plain`, which strips terminal escapes and C0/C1/bidi controls (the core's one
cleaning path, :func:`inspector.core.text.clean`, which the CLI uses too) and wraps the result
in a :class:`rich.text.Text`, which Textual renders verbatim (``[/b]``, ``[@click=app.quit]`` stay literal characters).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from inspector.core import texts
from inspector.core.model import Rectification
from inspector.core.text import clean

STATUS = {  # the core's status vocabulary (core.texts), with a symbol and its colour
    "pass": (f"✔ {texts.STATUS['pass']}", "green"),
    "fail": (f"✘ {texts.STATUS['fail']}", "red"),
    "review": (f"? {texts.STATUS['review']}", "yellow"),
}
RESULT = {  # Chinese first, English as the secondary label
    "pass": (f"{texts.RESULT['pass']} pass", "bold green"),
    "fail": (f"{texts.RESULT['fail']} fail", "bold red"),
    "review": (f"{texts.RESULT['review']} review", "bold yellow"),
    None: (f"{texts.RESULT['not checked']} unchecked", "dim"),
}
PROGRESS = texts.PROGRESS
RECTIFICATION = {  # the core's rectification (整改) statuses, in the order the modal offers them
    Rectification.PENDING.value: (texts.RECTIFICATION["pending"], "yellow"),
    Rectification.IN_PROGRESS.value: (texts.RECTIFICATION["in progress"], "yellow"),
    Rectification.RECTIFIED.value: (texts.RECTIFICATION["rectified"], "green"),
    Rectification.OVERDUE.value: (texts.RECTIFICATION["overdue"], "bold red"),
    Rectification.NOT_NEEDED.value: (texts.RECTIFICATION["not needed"], "dim"),
}


def plain(value: Any, style: str = "", limit: int | None = None) -> Text:
    """A :class:`Text` that is never parsed as markup."""
    return Text(clean(value, limit), style=style, no_wrap=False)


def status_text(status: str | None) -> Text:
    label, style = STATUS.get(status or "review", STATUS["review"])
    return Text(label, style=style)


def result_text(result: str | None) -> Text:
    label, style = RESULT.get(result, RESULT[None])
    return Text(label, style=style)


def rectification_text(status: str | None) -> Text:
    """``整改中 in progress`` in its colour; an unknown stored status is shown cleaned, unstyled."""
    if status not in RECTIFICATION:
        return plain(status or "未设置 not set", style="dim")
    label, style = RECTIFICATION[status]
    return Text(f"{label} {status}", style=style)


def progress_label(progress: str | None) -> str:
    return texts.progress_name(progress)


def number(value: Any) -> str:
    """Measures and points for display: 4 significant decimals, 是/否 for booleans, 未测 for unknown."""
    return texts.number(value)


def measures_text(indicator: Any, measures: dict[str, Any] | None, limit: int | None = None) -> str:
    """An indicator's measures as the checklist's labelled Chinese phrases (首页14天内更新 6 条)."""
    return clean(indicator.measures_text(measures, sep="，"), limit)


def local_time(value: Any, fmt: str = "%m-%d %H:%M") -> str:
    """A stored UTC time in the office's zone (INSPECTOR_TZ)."""
    return texts.local_time(value, fmt)
