"""``link-availability``: broken links on the homepage and on other pages.

Counting (shared/CHECKLIST.md): distinct URLs; a URL broken on the homepage
counts once as a homepage link and not again for the other pages.
"""

from __future__ import annotations

from inspector.core import texts
from inspector.core.checks.base import Facts, family
from inspector.core.model import CHALLENGE, CrawlResult, Finding, Outcome

LINKS = "link-availability"


@family(LINKS, proven_where_found=True)
def check_links(facts: Facts) -> dict[str, Outcome]:
    """Broken links of the crawl; a broken link is proven by the page it is on, not by its error page."""
    return {LINKS: broken_links(facts.crawl)}


def broken_links(crawl: CrawlResult) -> Outcome:
    """Measures ``checked``, ``homepage_broken``, ``other_broken``; one finding per counted broken URL."""
    homepage = {crawl.homepage_url, crawl.start_url}
    on_homepage: list[Finding] = []
    elsewhere: list[Finding] = []
    challenged: list[str] = []
    for url, status in crawl.links.items():
        sources = crawl.link_sources.get(url, [])
        if status.ok or not sources:
            continue  # a URL found on no page (the start URL itself) is not a link
        if status.error == CHALLENGE:  # stopped by an anti-bot challenge nobody passed: not judged
            challenged.append(url)
            continue
        detail = texts.fetch_error(status.error, status.status)
        home = next((s for s in sources if s in homepage), None)
        if home is not None:
            on_homepage.append(Finding(url=url, where=home, detail=detail))
        else:
            elsewhere.append(Finding(url=url, where=sources[0], detail=detail))
    return Outcome(
        measures={
            "checked": len(crawl.links),
            "homepage_broken": len(on_homepage),
            "other_broken": len(elsewhere),
        },
        findings=sorted(on_homepage, key=lambda f: f.url) + sorted(elsewhere, key=lambda f: f.url),
        note="; ".join(crawl.errors + ([texts.challenged_links(len(challenged), challenged[0])] if challenged else [])),
    )
