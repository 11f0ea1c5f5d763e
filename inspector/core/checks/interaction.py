"""Interaction indicators: `poor-interaction`, `consultation`, `solicitation`, `interviews`.

- `poor-interaction` (veto): messages of the consultation columns submitted within the window
  (``window_days`` before ``as_of``, inclusive) that waited more than ``max_wait_days`` for their
  first reply; wait = (first reply date, or ``as_of`` if unanswered) − submission date.
- `consultation`: whether a consultation column exists and how many messages it shows in the window.
- `solicitation`, `interviews`: whether the column exists and how many distinct dated activities
  its list shows in the window.

Columns come categorised (see :mod:`inspector.core.extract.site`); an `excluded` column (信访/举报)
never counts as consultation. When a board cannot be read the measures are None and the status
``review``: the machine cannot decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Mapping

from inspector.core.checklist import Checklist
from inspector.core.checks.base import Facts, family
from inspector.core.extract.messages import Board, Message, read_board
from inspector.core import texts
from inspector.core.model import Column, CrawlResult, Finding, Outcome

INTERACTION = "poor-interaction"
CONSULTATION = "consultation"
ACTIVITY_INDICATORS = {"solicitation": "solicitation", "interviews": "interview"}  # indicator -> category


@family(INTERACTION, CONSULTATION, *ACTIVITY_INDICATORS)
def check_interaction(facts: Facts) -> dict[str, Outcome]:
    """The interaction indicators from the analysis' columns and the boards they lead to."""
    return interaction_outcomes(facts.crawl, facts.analysis.columns, facts.checklist, facts.as_of)


@dataclass(frozen=True)
class Window:
    as_of: date
    days: int

    def holds(self, day: date | None) -> bool:
        return day is not None and self.as_of - timedelta(days=self.days) <= day <= self.as_of


def consultation_columns(columns: list[Column], checklist: Checklist) -> list[Column]:
    """Columns categorised as consultation, never a 信访/举报 column the classifier would exclude."""
    out = []
    for col in columns:
        if col.category != "consultation":
            continue
        if col.source != "inspector" and checklist.classify(col.name) == "excluded":
            continue
        out.append(col)
    return out


def _wait(msg: Message, as_of: date) -> int | None:
    """Days the message waited for its first reply; None when the pages do not tell."""
    if msg.submitted is None:
        return None
    if msg.replied is not None:
        return (msg.replied - msg.submitted).days
    if msg.answered is False:
        return (as_of - msg.submitted).days
    return None


def _overdue_finding(msg: Message, wait: int, column: str) -> Finding:
    assert msg.submitted is not None
    if msg.replied is not None:
        detail = texts.overdue_replied(msg.submitted, msg.replied, wait)
    else:
        detail = texts.overdue_unanswered(msg.submitted, wait)
    if msg.unit:
        detail += texts.reply_unit(msg.unit)
    return Finding(url=msg.url or (msg.sources[0] if msg.sources else ""), where=column, detail=detail)


@dataclass
class _Tally:
    in_year: int = 0
    overdue: int = 0
    undecided: int = 0  # old enough to be overdue, but the reply cannot be read
    undated: int = 0


def _tally(boards: list[Board], window: Window, max_wait: int) -> tuple[_Tally, list[Finding]]:
    tally, findings = _Tally(), []
    seen: set[str] = set()
    for board in boards:
        for msg in board.messages:
            key = msg.url or f"{msg.title}|{msg.submitted}|{msg.repeat}"  # two letters alike are two
            if key in seen:
                continue
            seen.add(key)
            if msg.submitted is None:
                tally.undated += 1
                continue
            if not window.holds(msg.submitted):
                continue
            tally.in_year += 1
            wait = _wait(msg, window.as_of)
            if wait is None:
                if (window.as_of - msg.submitted).days > max_wait:
                    tally.undecided += 1
            elif wait > max_wait:
                tally.overdue += 1
                findings.append(_overdue_finding(msg, wait, board.column.name))
    return tally, findings


def _unread(boards: list[Board]) -> list[Board]:
    """Boards that exist (or should) but of which no message could be read."""
    return [b for b in boards if not b.messages and (b.problem or b.looks_like_board)]


def _board_notes(boards: list[Board], tally: _Tally) -> list[str]:
    notes = []
    for board in _unread(boards):
        notes.append(texts.board_unread(board.column.name, board.column.url, board.problem))
    if tally.undated:
        notes.append(texts.messages_undated(tally.undated))
    return notes


def _poor_interaction(boards: list[Board], has_channel: bool, params: Mapping[str, Any], as_of: date) -> Outcome:
    max_wait = int(params.get("max_wait_days", 90))
    tally, findings = _tally(boards, Window(as_of, int(params.get("window_days", 365))), max_wait)
    notes = _board_notes(boards, tally)
    if tally.undecided:
        notes.append(texts.replies_unreadable(tally.undecided, max_wait))
    unread = _unread(boards)
    unreadable = bool(boards) and len(unread) == len(boards)
    return Outcome(
        measures={
            "has_channel": has_channel,
            "messages_in_year": None if unreadable else tally.in_year,
            "overdue_messages": None if unreadable else tally.overdue,
        },
        findings=findings,
        status="review" if unread or tally.undecided else None,  # an unread board may hide overdue messages
        note="；".join(notes),
    )


def _consultation(boards: list[Board], has_column: bool, params: Mapping[str, Any], as_of: date) -> Outcome:
    tally, _ = _tally(boards, Window(as_of, int(params.get("window_days", 365))), max_wait=0)
    unread = _unread(boards)
    unreadable = bool(boards) and len(unread) == len(boards)
    return Outcome(
        measures={"has_column": has_column, "messages_in_year": None if unreadable else tally.in_year},
        findings=[Finding(url=b.column.url, where=b.column.name, detail=texts.messages_read(len(b.messages)))
                  for b in boards],
        status="review" if unread and not tally.in_year else None,
        note="；".join(_board_notes(boards, tally)),
    )


def _board_outcomes(
    crawl: CrawlResult, columns: list[Column], checklist: Checklist, as_of: date
) -> dict[str, Outcome]:
    wanted = [iid for iid in (INTERACTION, CONSULTATION) if iid in checklist.indicators]
    if not wanted:
        return {}
    checklist.params(INTERACTION)  # the boards are read with its labels: a checklist without it is refused here
    consult = consultation_columns(columns, checklist)
    other_pages = {col.url for col in columns}
    boards = [read_board(crawl, col, checklist, as_of, skip=other_pages) for col in consult]
    parts = {INTERACTION: _poor_interaction, CONSULTATION: _consultation}
    return {iid: parts[iid](boards, bool(consult), checklist.params(iid), as_of) for iid in wanted}


def _activities(columns: list[Column], window: Window) -> tuple[int, list[Finding]]:
    """Distinct dated items of the columns within the window (same URL or same title+date once)."""
    seen: set[Any] = set()
    findings = []
    for col in columns:
        for item in col.items:
            if not window.holds(item.date):
                continue
            key = ("url", item.url) if item.url else ("title", item.title, item.date)
            if key in seen:
                continue
            seen.add(key)
            assert item.date is not None
            findings.append(Finding(url=item.url or col.url, where=col.name, detail=texts.activity(item.date, item.title)))
    return len(findings), findings


def _activity_outcome(columns: list[Column], category: str, params: Mapping[str, Any], as_of: date) -> Outcome:
    cols = [c for c in columns if c.category == category]
    count, findings = _activities(cols, Window(as_of, int(params.get("window_days", 365))))
    errors = [c for c in cols if c.error and not c.items]
    review = bool(cols) and len(errors) == len(cols)
    note = "；".join(texts.column_problem(c.name, c.url, c.error) for c in errors)
    return Outcome(
        measures={"has_column": bool(cols), "activities_in_year": None if review else count},
        findings=findings,
        status="review" if review else None,
        note=note,
    )


def interaction_outcomes(
    crawl: CrawlResult, columns: list[Column], checklist: Checklist, as_of: date
) -> dict[str, Outcome]:
    """Outcomes of `poor-interaction`, `consultation`, `solicitation` and `interviews`."""
    out = _board_outcomes(crawl, columns, checklist, as_of)
    for indicator, category in ACTIVITY_INDICATORS.items():
        if indicator in checklist.indicators:
            out[indicator] = _activity_outcome(columns, category, checklist.params(indicator), as_of)
    return out
