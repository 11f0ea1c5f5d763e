"""``site-unreachable`` and ``homepage-availability``: measures from homepage probes."""

from __future__ import annotations

from typing import Any

from inspector.core.model import CHALLENGE, Finding, Outcome, ProbeAttempt

CHALLENGE_NOTE = (
    "站点启用了反爬虫验证，{n} 次探测停在验证页上，没有浏览器通过验证（--no-browser 或浏览器未通过）："
    "验证页不是站点的答复，不算访问失败；请在浏览器中打开首页复核"
)


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
        Finding(url=url, where=p.at, detail=f"{p.error or p.status} after {p.elapsed:.1f} s")
        for p in failed
    ]
    note = _note(attempts, params)
    status = "review" if attempts == 0 else None
    if 0 < failures < attempts and attempts < _required(params):
        # a few failures in a short probe cannot decide a rule about a week of probes
        status = "review"
    if challenged:  # what the challenge hid is unknown: the inspector decides, never a veto
        status = "review"
        note = CHALLENGE_NOTE.format(n=challenged) + "; " + note
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
        return "no probe was made"
    required = _required(params)
    if 0 < attempts < required:
        return f"short probe: {attempts} of the {required} attempts the rule asks for; rate is an estimate"
    return f"{attempts} probes"
