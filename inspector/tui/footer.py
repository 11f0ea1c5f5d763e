"""The footer every screen uses: Textual's compact footer with ``f1 帮助`` first.

Textual lists the focused widget's keys, then the screen's, then the app's, so the app's ``f1`` came
last and was the first key cut off on a narrow terminal. Screens show their most used keys only
(the rest are in ``f1`` help and the command palette), so at 80 columns ``f1`` and those keys fit.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("help",)  # actions shown first, in this order


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        first = [w for action in FIRST for w in widgets if isinstance(w, FooterKey) and w.action == action]
        yield from first + [w for w in widgets if w not in first]
