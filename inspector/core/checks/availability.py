"""``site-unreachable`` and ``homepage-availability``: measures from homepage probes."""

from __future__ import annotations

from typing import Any

from inspector.core import texts
from inspector.core.model import CHALLENGE, Finding, Outcome, ProbeAttempt


def check_availability(
    probes: list[ProbeAttempt], params: dict[str, Any], *, url: str = ""
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
        "site-unreachable": Outcome(
            measures={"attempts": attempts, "failures": failures, "failure_rate": rate},
            findings=findings,
            status=status,
            note=note,
        ),
        "homepage-availability": Outcome(
            measures={"failure_rate": rate}, findings=list(findings), status=status, note=note
        ),
    }


def _required(params: dict[str, Any]) -> int:
    """How many attempts the checklist's rule asks for (e.g. 24 a day for 7 days)."""
    required = params.get("min_attempts") or int(params.get("probes_per_day", 0)) * int(params.get("days", 0))
    return int(required)


def _note(attempts: int, params: dict[str, Any]) -> str:
    if attempts == 0:
        return texts.NO_PROBE
    required = _required(params)
    if 0 < attempts < required:
        return texts.short_probe(attempts, required)
    return texts.probes_made(attempts)
