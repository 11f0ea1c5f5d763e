"""Running automated checks from the TUI: typed messages and the blocking job a thread worker runs.

The job hands the batch to the core's :func:`~inspector.core.quarter.batch.check_sites` (it is
blocking: it runs its own event loop), which checks several sites at once (never two on one
host) and calls back per site; the callbacks become :class:`CheckProgress` messages that
coalesce (only the newest per site waits in the queue) and one :class:`CheckFinished` per
site. Cancelling sets a ``threading.Event``: no further site starts and the running ones stop
at their next progress event.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from textual.message import Message

from inspector.core import texts
from inspector.core.model import doc_verdict
from inspector.core.store import Workspace

from inspector.core.quarter.batch import DEFAULT_CONCURRENCY, CheckCancelled  # noqa: F401 (light: no runner)


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
    """The whole batch ended (all sites checked, or cancelled).

    ``done``: sites checked (已检测); ``failed``: checks that broke (出错); ``results``: the checked
    sites by verdict (``{"fail": 2, "review": 1, "pass": 3}``: 不合格 is a result, not an error).
    """

    def __init__(self, done: int, failed: int, cancelled: bool, results: dict[str, int] | None = None) -> None:
        super().__init__()
        self.done, self.failed, self.cancelled = done, failed, cancelled
        self.results = dict(results or {})

    def summary(self) -> str:
        """``已检测 5 · 出错 1 · 不合格 2 · 待复核 1`` (numbers only)."""
        out = f"已检测 checked {self.done} · 出错 errors {self.failed} · 不合格 fail {self.results.get('fail', 0)}"
        if self.results.get("review"):
            out += f" · 待复核 review {self.results['review']}"
        return out


@dataclass
class CheckJob:
    """A batch of sites to check; ``cancel`` is shared with the UI."""

    ws: Workspace
    quarter: str
    codes: list[str]
    options: Any
    recheck: bool = False  # a re-check after rectification: stored beside the original result
    cancel: threading.Event = field(default_factory=threading.Event)
    concurrency: int = DEFAULT_CONCURRENCY  # sites checked at the same time (never two on one host)

    def run(self, post: Callable[[Message], Any]) -> None:
        """Check every site (several at once), posting messages; never raises."""
        try:
            from inspector.core.quarter.batch import check_sites
        except Exception:  # the runner or one of its modules is missing in this build
            for code in self.codes:
                post(CheckFinished(code, None, error=texts.CHECKS_UNAVAILABLE))
            post(ChecksDone(0, len(self.codes), False))
            return
        position = {code: n for n, code in enumerate(self.codes, 1)}
        total = len(self.codes)

        def progress(code: str, event: dict[str, Any]) -> None:
            post(CheckProgress(code, position[code], total, dict(event)))

        def finished(result: Any) -> None:
            post(CheckFinished(result.code, result.doc, error=result.error, cancelled=result.cancelled))

        try:
            results = check_sites(self.ws, self.quarter, self.codes, self.options, concurrency=self.concurrency,
                                  recheck=self.recheck, progress=progress, finished=finished, cancel=self.cancel)
        except Exception as exc:  # the batch itself broke (e.g. the workspace): every site fails
            for code in self.codes:
                post(CheckFinished(code, None, error=texts.error_text(exc)))
            post(ChecksDone(0, total, self.cancel.is_set()))
            return
        verdicts = Counter(str(doc_verdict(r.doc).get("result")) for r in results if r.doc is not None)
        done = sum(1 for r in results if r.doc is not None)
        failed = sum(1 for r in results if r.error)
        post(ChecksDone(done, failed, self.cancel.is_set(), verdicts))


def stage_fraction(event: dict[str, Any]) -> float:
    """How far one site's check is (0–1) by its progress event: crawl up to 70 %, analysis, then evidence."""
    phase = event.get("phase")
    if phase == "crawl":
        done = int(event.get("pages") or 0) + int(event.get("links_checked") or 0)
        queued = int(event.get("queued") or 0)
        return 0.05 + 0.65 * (done / (done + queued) if done + queued else 0.0)
    if phase == "analyse":
        return 0.75
    if phase == "evidence":
        total = int(event.get("total") or 0)
        return 0.8 + 0.2 * (int(event.get("captured") or 0) / total if total else 0.0)
    return 0.0


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
