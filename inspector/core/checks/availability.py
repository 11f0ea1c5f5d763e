"""``site-unreachable`` and ``homepage-availability``: measures from homepage probes."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from inspector.core import texts
from inspector.core.checklist import Checklist
from inspector.core.checks.base import Facts, family
from inspector.core.model import CHALLENGE, Finding, Outcome, ProbeAttempt

SITE_UNREACHABLE = "site-unreachable"
HOMEPAGE_AVAILABILITY = "homepage-availability"


@family(SITE_UNREACHABLE, HOMEPAGE_AVAILABILITY, from_crawl=False)
def check_availability(facts: Facts) -> dict[str, Outcome]:
    """The week-long monitor's outcomes when it ran (they beat the short probe), else the check's
    probes, whose note says when they are only an estimate of the week-long rule."""
    if facts.availability:
        return dict(facts.availability)
    return availability_outcomes(facts.probes, probe_params(facts.checklist), url=facts.crawl.start_url)


def probe_params(checklist: Checklist) -> Mapping[str, Any]:
    """The checklist's rule for probing the homepage (attempts, days, timeout), empty without one."""
    return checklist.params(SITE_UNREACHABLE) if SITE_UNREACHABLE in checklist.indicators else {}


def probe_timeout(checklist: Checklist, default: float) -> float:
    """Seconds one probe waits for the homepage: the checklist's ``timeout_s``, else ``default``."""
    return float(probe_params(checklist).get("timeout_s", default))


def availability_outcomes(
    probes: Sequence[ProbeAttempt], params: Mapping[str, Any], *, url: str = ""
) -> dict[str, Outcome]:
    """Outcomes for both availability indicators; ``status`` is left to the scoring engine.

    ``params`` may carry ``min_attempts`` (the checklist's probe count, e.g.
    20 a day for a week): with fewer probes the note says the rate is an estimate.
    ``url`` (the probed homepage) goes into the findings.
    """
    attempts = len(probes)
    failed = [p for p in probes if not p.ok and p.error != CHALLENGE]  # a challenge is not the site's answer
    challenged = sum(1 for p in probes if not p.ok and p.error == CHALLENGE)
    failures = len(failed)
    rate = round(failures / attempts, 4) if attempts else 0.0
    findings = [
        Finding(url=url, where=p.at, detail=texts.probe_failure(p.error, p.status, p.elapsed))
        for p in failed
    ]
    note = _note(attempts, params)
    status = "review" if attempts == 0 else None
    if 0 < failures < attempts and attempts < _required(params):
        # a few failures in a short probe cannot decide a rule about a week of probes
        status = "review"
    if challenged:  # what the challenge hid is unknown: the inspector decides, never a veto
        status = "review"
        note = texts.challenged_probes(challenged) + "; " + note
    return {
        SITE_UNREACHABLE: Outcome(
            measures={"attempts": attempts, "failures": failures, "failure_rate": rate},
            findings=findings,
            status=status,
            note=note,
        ),
        HOMEPAGE_AVAILABILITY: Outcome(
            measures={"failure_rate": rate}, findings=list(findings), status=status, note=note
        ),
    }


def _required(params: Mapping[str, Any]) -> int:
    """How many attempts the checklist's rule asks for (e.g. 24 a day for 7 days)."""
    required = params.get("min_attempts") or int(params.get("probes_per_day", 0)) * int(params.get("days", 0))
    return int(required)


def _note(attempts: int, params: Mapping[str, Any]) -> str:
    if attempts == 0:
        return texts.NO_PROBE
    required = _required(params)
    if 0 < attempts < required:
        return texts.short_probe(attempts, required)
    return texts.probes_made(attempts)
