"""Running automated checks from the TUI: typed messages and the blocking job a thread worker runs.

The job calls the core runner's ``check_and_store`` for each site in turn (it is blocking:
it runs its own event loop), forwarding progress as :class:`CheckProgress` messages that
coalesce (only the newest per site waits in the queue). Cancelling sets a
``threading.Event``; the progress callback raises :class:`CheckCancelled` at the next
event, which unwinds the runner (it is a ``BaseException`` so no ``except Exception``
inside the crawl swallows it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from textual.message import Message

from inspector.core.store import Workspace


class CheckCancelled(BaseException):
    """Raised inside the runner's progress callback once the user cancelled."""


class CheckProgress(Message, bubble=False):  # handled by the dashboard only
    """A progress event of the site being checked (floods coalesce per site)."""

    def __init__(self, code: str, index: int, total: int, event: dict[str, Any]) -> None:
        super().__init__()
        self.code, self.index, self.total, self.event = code, index, total, event

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CheckProgress) and message.code == self.code


class CheckFinished(Message, bubble=False):  # handled by the dashboard only
    """One site's check ended: ``doc`` on success, else ``error`` (or ``cancelled``)."""

    def __init__(self, code: str, doc: dict[str, Any] | None, error: str = "", cancelled: bool = False) -> None:
        super().__init__()
        self.code, self.doc, self.error, self.cancelled = code, doc, error, cancelled


class ChecksDone(Message, bubble=False):  # handled by the dashboard only
    """The whole batch ended (all sites checked, or cancelled)."""

    def __init__(self, done: int, failed: int, cancelled: bool) -> None:
        super().__init__()
        self.done, self.failed, self.cancelled = done, failed, cancelled


@dataclass
class CheckJob:
    """A batch of sites to check; ``cancel`` is shared with the UI."""

    ws: Workspace
    quarter: str
    codes: list[str]
    options: Any
    recheck: bool = False  # a re-check after rectification: stored beside the original result
    cancel: threading.Event = field(default_factory=threading.Event)

    def run(self, post: Callable[[Message], Any]) -> None:
        """Check every site in turn, posting messages; never raises."""
        try:
            from inspector.core.runner import check_and_store
        except Exception as exc:  # the runner or one of its modules is missing in this build
            for code in self.codes:
                post(CheckFinished(code, None, error=f"automated checks unavailable: {exc}"))
            post(ChecksDone(0, len(self.codes), False))
            return
        done = failed = 0
        for index, code in enumerate(self.codes, 1):
            if self.cancel.is_set():
                break
            post(CheckProgress(code, index, len(self.codes), {"phase": "start"}))
            try:
                doc = check_and_store(self.ws, self.quarter, code, self.options,
                                      progress=self._progress(post, code, index), recheck=self.recheck)
            except CheckCancelled:
                post(CheckFinished(code, None, cancelled=True))
                break
            except Exception as exc:  # a site that breaks the runner must not end the batch
                failed += 1
                post(CheckFinished(code, None, error=f"{type(exc).__name__}: {exc}"))
                continue
            done += 1
            post(CheckFinished(code, doc))
        post(ChecksDone(done, failed, self.cancel.is_set()))

    def _progress(self, post: Callable[[Message], Any], code: str, index: int) -> Callable[[dict[str, Any]], None]:
        def progress(event: dict[str, Any]) -> None:
            if self.cancel.is_set():
                raise CheckCancelled()
            post(CheckProgress(code, index, len(self.codes), dict(event)))

        return progress


def progress_line(event: dict[str, Any]) -> str:
    """One line for a progress event: phase and counters (numbers only, nothing untrusted)."""
    phase = event.get("phase", "")
    label = {"start": "启动 starting", "crawl": "抓取 crawling", "analyse": "分析 analysing", "evidence": "取证 evidence"}
    parts = [label.get(phase, str(phase))]
    pages = event.get("pages")
    links = event.get("links_checked", event.get("links"))
    if pages is not None:
        parts.append(f"页面 pages {int(pages)}")
    if links is not None:
        parts.append(f"链接 links {int(links)}")
    if phase == "evidence":
        parts.append(f"证据 captured {int(event.get('captured', 0))}/{int(event.get('total', 0))}")
    return " · ".join(parts)
