"""Untrusted text made safe to show, and the app's shared labels.

Site names, page titles, URLs, finding details and notes come from the web or from
other people's files. They are never markup: everything shown goes through
:func:`plain`, which strips terminal escapes and C0/C1/bidi controls (via the core's
``clean_text``) and wraps the result in a :class:`rich.text.Text`, which Textual
renders verbatim (``[/b]``, ``[@click=app.quit]`` stay literal characters).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from inspector.core.web.charset import clean_text

STATUS = {
    "pass": ("✔ 合格", "green"),
    "fail": ("✘ 不合格", "red"),
    "review": ("? 待复核", "yellow"),
}
RESULT = {
    "pass": ("合格 pass", "bold green"),
    "fail": ("不合格 fail", "bold red"),
    "review": ("待复核 review", "bold yellow"),
    None: ("未检测 unchecked", "dim"),
}
PROGRESS = {
    "not started": "未开始",
    "checked": "已检测",
    "in review": "审核中",
    "done": "已完成",
}
RECTIFICATION = {  # the core's rectification (整改) statuses, in the order the modal offers them
    "pending": ("待整改", "yellow"),
    "in progress": ("整改中", "yellow"),
    "rectified": ("已整改", "green"),
    "overdue": ("逾期", "bold red"),
    "not needed": ("无需整改", "dim"),
}


def clean(value: Any, limit: int | None = None) -> str:
    """One line of display text from any value, controls stripped, optionally shortened."""
    text = clean_text("" if value is None else str(value))
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


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
    return PROGRESS.get(progress or "not started", clean(progress))


def number(value: Any) -> str:
    """Measures and points for display: 4 significant decimals, 是/否 for booleans, — for unknown."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    if isinstance(value, (list, tuple)):
        return str(len(value))
    return clean(value, 40)


def measures_text(measures: dict[str, Any] | None, limit: int | None = None) -> str:
    """``key=value`` pairs of an indicator's measures (keys are ours, values cleaned)."""
    text = " ".join(f"{clean(k)}={number(v)}" for k, v in (measures or {}).items())
    return clean(text, limit)
