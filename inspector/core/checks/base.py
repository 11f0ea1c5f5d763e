"""One interface for every check family: facts in, outcomes out, and the registry of families.

A *family* is one function ``(facts: Facts) -> dict[indicator id, Outcome]`` that measures one
group of indicators, registered with :func:`family` and the ids of the indicators it measures::

    @family("link-availability")
    def check_links(facts: Facts) -> dict[str, Outcome]:
        ...

:func:`measure` runs every registered family whose indicators the checklist has, once, on the
same :class:`Facts`; the runner and the offline re-scoring call it and know no indicator by
name. Adding an indicator is one entry in a checklist file plus one family function (or an
existing family reading a new measure); an indicator of the checklist that no family measures
is pre-filled 待复核 with the catalog's note (:func:`inspector.core.scoring.prefills`).

Two rules hold for every family, so no caller spells them out per indicator:

- a family that reads the site's pages (``from_crawl``, the default) cannot measure when the
  homepage could not be read at all: its indicators are then 待复核 with the reason
  (:func:`~inspector.core.extract.site.homepage_unreadable`);
- a family that does not (the availability probes, the week-long monitor) is not measured again
  when a stored check is re-scored from its crawl: its entries are kept as measured.

A family whose work is mostly per page (the serious-error scan of every page's text) may also
declare ``early=``: given the checklist, it returns a function the crawl calls on each page as
the page arrives (:func:`early_reader`), so that work overlaps the crawl's waiting on the network
instead of following it. What an early reader computes is only a cache the family function reads:
the family must give the same outcomes without it (a re-scored stored crawl, a page the browser
rendered afresh).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from inspector.core.checklist import Checklist
from inspector.core.extract.site import SiteAnalysis, analyze_site, homepage_unreadable
from inspector.core.model import CrawlResult, Outcome, Page, ProbeAttempt, Status


@dataclass
class Facts:
    """What one check learned about a site, computed once and read by every family."""

    crawl: CrawlResult
    analysis: SiteAnalysis  # the site analysis (homepage items, columns), made once per check
    checklist: Checklist
    as_of: date
    probes: Sequence[ProbeAttempt] = ()  # the check's short availability probes
    availability: Mapping[str, Outcome] | None = None  # the week-long monitor's outcomes, when it ran
    unreadable: str | None = None  # why the homepage could not be read at all (see homepage_unreadable)

    @classmethod
    def of(
        cls,
        crawl: CrawlResult,
        checklist: Checklist,
        as_of: date,
        *,
        analysis: SiteAnalysis | None = None,
        probes: Sequence[ProbeAttempt] = (),
        availability: Mapping[str, Outcome] | None = None,
        categories: Mapping[str, str | None] | None = None,
    ) -> Facts:
        """The facts of a crawl: its analysis (given, or made here) with the inspector's column
        categories applied. A homepage that cannot be read is not analysed."""
        unreadable = homepage_unreadable(crawl)
        if analysis is None:
            home = crawl.homepage_url or crawl.start_url
            analysis = SiteAnalysis(home, error=unreadable) if unreadable else analyze_site(crawl, checklist, as_of)
        if categories:
            analysis.recategorise(categories)
        return cls(crawl, analysis, checklist, as_of, probes, availability, unreadable)


FamilyFunction = Callable[[Facts], dict[str, Outcome]]
PageReader = Callable[[Page], None]
F = TypeVar("F", bound=FamilyFunction)


@dataclass(frozen=True)
class Family:
    """A registered family: the function and what it measures."""

    function: FamilyFunction
    indicators: tuple[str, ...]
    from_crawl: bool = True  # reads the site's pages (False: the probes or the monitor)
    proven_where_found: bool = False  # a finding is proven by the page it was found on, never its own URL
    name: str = field(default="")
    early: Callable[[Checklist], PageReader] | None = None  # reads each page as the crawl gets it


_REGISTRY: list[Family] = []


def family(*indicators: str, from_crawl: bool = True, proven_where_found: bool = False,
           early: Callable[[Checklist], PageReader] | None = None) -> Callable[[F], F]:
    """Register a family function measuring ``indicators`` (their ids in the checklist); an
    indicator is measured by one family only (ValueError otherwise).

    ``proven_where_found``: its findings' own URLs prove nothing (a broken link's error page):
    the evidence is the page each was found on. ``early``: the family's reader of each page as
    the crawl gets it (see the module's text).
    """
    if not indicators:
        raise ValueError("a family measures at least one indicator")

    def register(function: F) -> F:
        unregister(function)
        for fam in _REGISTRY:
            taken = set(indicators) & set(fam.indicators)
            if taken:
                raise ValueError(f"{', '.join(sorted(taken))} already measured by family {fam.name}")
        _REGISTRY.append(Family(function, tuple(indicators), from_crawl, proven_where_found,
                                f"{function.__module__}.{function.__qualname__}", early))
        return function

    return register


def unregister(function: FamilyFunction) -> None:
    """Remove a family function from the registry (tests that register their own)."""
    _REGISTRY[:] = [f for f in _REGISTRY if f.function is not function]


def families() -> tuple[Family, ...]:
    """Every registered family, in registration order."""
    return tuple(_REGISTRY)


def family_of(indicator: str) -> Family | None:
    """The family that measures ``indicator``, if one does."""
    return next((f for f in _REGISTRY if indicator in f.indicators), None)


def early_reader(checklist: Checklist) -> PageReader | None:
    """One function reading each crawled page for every family of the checklist that reads pages
    early (None when none does); it is called on the event loop as each page arrives."""
    readers = [fam.early(checklist) for fam in families()
               if fam.early is not None and any(iid in checklist.indicators for iid in fam.indicators)]
    if not readers:
        return None

    def read(page: Page) -> None:
        for reader in readers:
            reader(page)

    return read


def measure(facts: Facts, among: Iterable[Family] | None = None) -> dict[str, Outcome]:
    """Outcomes of the checklist's indicators from every family (or those ``among``) that measures one.

    A family's outcomes for indicators the checklist does not have are dropped; an outcome for an
    indicator the family did not declare is a programming error.
    """
    wanted = facts.checklist.indicators
    outcomes: dict[str, Outcome] = {}
    for fam in families() if among is None else among:
        ids = [iid for iid in fam.indicators if iid in wanted]
        if not ids:
            continue
        if fam.from_crawl and facts.unreadable:
            for iid in ids:
                outcomes[iid] = Outcome(measures={m: None for m in wanted[iid].measures}, status=Status.REVIEW,
                                        note=facts.unreadable)
            continue
        measured = fam.function(facts)
        undeclared = set(measured) - set(fam.indicators)
        if undeclared:
            raise ValueError(f"family {fam.name} measured undeclared indicators: {', '.join(sorted(undeclared))}")
        outcomes.update({iid: measured[iid] for iid in ids if iid in measured})
    return outcomes
