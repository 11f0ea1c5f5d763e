"""A site that answers only browsers: a WAF rule refusing this tool's User-Agent with a plain 403 page
(no challenge script: nothing for a browser to pass). A person's browser sees the site, so the check
must too (shared/CHECKLIST.md, "what a browser would see"): the same verdict as for the site served to
anyone, and a note saying how it was asked. Without it the homepage's 403 was a site that cannot be
reached: a veto."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from inspector.core.runner import CheckOptions, run_check
from tests.httpfixtures import LoopbackServer, Request, Route, directory

SITE = Path(__file__).parent / "fixtures" / "cms" / "dedecms"
AS_OF = date(2026, 11, 20)
REFUSED = (403, {"Content-Type": "text/html"},
           "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1>"
           "<p>您的访问被拒绝</p></body></html>".encode())


def _site(browsers_only: bool, agents: list[str]):
    files = directory(SITE)

    def route(request: Request) -> Route:
        agent = next((v for k, v in request.headers.items() if k.lower() == "user-agent"), "")
        agents.append(agent)
        return REFUSED if browsers_only and "Chrome/" not in agent else files(request)

    return route


def _check(browsers_only: bool) -> tuple[dict, list[str]]:
    agents: list[str] = []
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=2, probe_interval=0, timeout=3)
    with LoopbackServer(_site(browsers_only, agents)) as srv:
        doc = asyncio.run(run_check(srv.url("/"), opts)).doc
    return doc, agents


def test_a_site_that_refuses_our_user_agent_is_checked_as_a_browser_sees_it() -> None:
    plain, _ = _check(browsers_only=False)
    picky, agents = _check(browsers_only=True)
    assert plain["verdict"]["vetoes"] == []  # the fixture site itself passes the vetoes
    statuses = {iid: e["status"] for iid, e in picky["indicators"].items()}
    assert statuses == {iid: e["status"] for iid, e in plain["indicators"].items()}, statuses
    assert picky["verdict"] == plain["verdict"]
    assert any("拒绝了本工具的访问标识" in n for n in picky["run"]["notes"]), picky["run"]["notes"]
    assert not any("拒绝了本工具的访问标识" in n for n in plain["run"]["notes"])
    # the first requests went with our own name (refused: the crawl's and the probes', sent at once); every
    # later one as a browser
    assert sum("Chrome/" not in a for a in agents) <= 2 and "Chrome/" not in agents[0] and len(agents) > 5
