"""Messages between the app and its screens: a site's record changed; a write of the core ended; checks asked for.

Screens never call each other. A screen that changes the workspace posts :class:`InspectionChanged` to the app;
the app hands a copy to every screen on the stack, and each one that shows that site (or that quarter) refreshes
itself. Writes run in thread workers (:meth:`~inspector.tui.widgets.SiteScreen.write`) and end with a
:class:`Written` message to the app.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class InspectionChanged(Message, bubble=False):
    """A site's inspection record changed in the workspace (a decision, a check, a correction, a rectification).

    ``code`` None: the whole quarter (a new sample, another quarter picked). ``record``: the record as just
    written, when the writer has it (screens then need not read the workspace again).
    """

    def __init__(self, quarter: str, code: str | None = None, record: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.quarter, self.code, self.record = quarter, code, record

    def copy(self) -> InspectionChanged:
        return InspectionChanged(self.quarter, self.code, self.record)

    def concerns(self, quarter: str, code: str | None) -> bool:
        """True if a screen showing ``code`` of ``quarter`` must refresh."""
        return self.quarter == quarter and (self.code is None or code is None or self.code == code)


class ChecksRequested(Message, bubble=False):
    """Check these sites (the dashboard runs the batch and shows its progress); ``recheck`` after rectification."""

    def __init__(self, codes: list[str], recheck: bool = False) -> None:
        super().__init__()
        self.codes, self.recheck = list(codes), recheck

    def copy(self) -> ChecksRequested:
        return ChecksRequested(self.codes, self.recheck)


class Written(Message, bubble=False):
    """A write of the core ended, posted to the app by the worker of ``screen`` (a site's screen of ``quarter``):
    its ``result`` (usually the updated record), else ``error`` (one line) or the ``problems`` that refused it
    (Chinese). The app says what went wrong, tells every screen what changed, and hands the message back to
    ``screen`` if it is still open."""

    def __init__(self, screen: Any, quarter: str, what: str, result: Any = None, error: str = "",
                 problems: list[str] | None = None) -> None:
        super().__init__()
        self.screen, self.quarter, self.what = screen, quarter, what
        self.result, self.error, self.problems = result, error, list(problems or [])

    @property
    def ok(self) -> bool:
        return not self.error and not self.problems

    def copy(self) -> Written:
        return Written(self.screen, self.quarter, self.what, self.result, self.error, self.problems)


def error_line(exc: BaseException) -> str:
    """The one line an exception of the core says (its Chinese reason), else its type's name."""
    from inspector.core import texts

    return texts.error_text(exc)
