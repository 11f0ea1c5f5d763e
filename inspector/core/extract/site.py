"""One site's update facts: the homepage's dated items, its blocks, and its columns.

``analyze_site`` turns a :class:`CrawlResult` into a :class:`SiteAnalysis`, the input
of the update indicators (checks/updates.py). Rules (CHECKLIST.md):

- Homepage items are the homepage list blocks' items, each story once.
- Columns come from the homepage navigation and from its blocks' 更多 links; one
  column per URL, the navigation's name winning; only same-site columns.
- A homepage without dated items of its own is *navigation-only*: the columns are
  then the second-level pages (those its navigation links to, plus the menu links
  of those pages), and the homepage items for the update rules are theirs.
- A homepage whose static HTML shows no dated list but whose inline scripts build
  lists (or fetch list data, or fill empty list containers) is *script-rendered
  suspect*: its counts are not trustworthy without a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from inspector.core.checklist import Checklist
from inspector.core.extract.columns import (
    ColumnRead,
    _is_column_url,
    find_page,
    nav_links,
    read_column,
)
from inspector.core.extract.dates import find_dates
from inspector.core.extract.lists import Block, _children, clean_text, dedupe_items, extract_blocks, parse_html
from inspector.core.model import Column, CrawlResult, Item

_DOM_BUILDERS = re.compile(r"document\.write|innerHTML|appendChild|createElement|insertAdjacentHTML|\.html\(|\.append\(")
_DATA_CALLS = re.compile(r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|getJSON|post)\s*\(|\baxios\b|\.load\s*\(")
_LIST_CONTAINERS = ("ul", "ol", "tbody", "table", "div", "dl")


@dataclass
class SiteAnalysis:
    """What the update indicators need to know about one site."""

    homepage_url: str
    homepage_items: list[Item] = field(default_factory=list)  # deduped; second-level items if navigation_only
    homepage_blocks: list[Block] = field(default_factory=list)
    navigation_only: bool = False
    columns: list[Column] = field(default_factory=list)
    script_rendered_suspect: bool = False
    homepage_source: str = "http"  # Page.source of the homepage: "http" or "browser"
    blank_reasons: dict[str, str] = field(default_factory=dict)  # column URL -> placeholder / "empty list"
    error: str | None = None  # the homepage could not be read


def analyze_site(crawl: CrawlResult, checklist: Checklist, as_of: date) -> SiteAnalysis:
    """Homepage items and blocks, navigation-only flag, columns and script suspicion of a crawl."""
    home_url = crawl.homepage_url or crawl.start_url
    home = find_page(crawl, home_url) or find_page(crawl, crawl.start_url)
    if home is None or home.html is None:
        reason = "not fetched" if home is None else (home.error or f"HTTP {home.status}")
        return SiteAnalysis(homepage_url=home_url, error=reason)
    home_url = home.final_url or home.url
    blocks = extract_blocks(home.html, home_url, as_of, checklist)
    items = dedupe_items([i for b in blocks for i in b.items])
    has_dated = any(i.date is not None for i in items)
    suspect = script_rendered_suspect(home.html, as_of, has_dated) and home.source != "browser"
    analysis = SiteAnalysis(
        homepage_url=home_url,
        homepage_items=items,
        homepage_blocks=blocks,
        navigation_only=not has_dated and not suspect,
        script_rendered_suspect=suspect,
        homepage_source=home.source,
    )
    reads = _discover(crawl, checklist, as_of, home_url, home.html, blocks, analysis.navigation_only)
    analysis.columns = [r.column for r in reads]
    analysis.blank_reasons = {r.column.url: r.blank_reason for r in reads if r.column.blank}
    if analysis.navigation_only:
        analysis.homepage_items = dedupe_items([i for c in analysis.columns for i in c.items])
    return analysis


def _discover(
    crawl: CrawlResult,
    checklist: Checklist,
    as_of: date,
    home_url: str,
    home_html: str,
    blocks: list[Block],
    navigation_only: bool,
) -> list[ColumnRead]:
    """Columns from the navigation (name wins) then from 更多 links; second-level menus if nav-only."""
    candidates: dict[str, tuple[str, str]] = {}
    for name, url in nav_links(home_html, home_url, as_of, checklist):
        if _is_column_url(url, home_url, as_of):
            candidates.setdefault(url, (name, "nav"))
    for block in blocks:
        if block.more_url and _is_column_url(block.more_url, home_url, as_of):
            candidates.setdefault(block.more_url, (block.heading or block.more_url, "more"))
    if navigation_only:
        for url in list(candidates):
            page = find_page(crawl, url)
            if page is None or page.html is None:
                continue
            for name, sub in nav_links(page.html, page.final_url or page.url, as_of, checklist):
                if _is_column_url(sub, home_url, as_of) and find_page(crawl, sub) is not None:
                    candidates.setdefault(sub, (name, "second-level"))
        candidates = {u: (n, "second-level" if s == "nav" else s) for u, (n, s) in candidates.items()}
    return [read_column(name, url, source, crawl, checklist, as_of) for url, (name, source) in candidates.items()]


def script_rendered_suspect(html: str, as_of: date, has_dated_items: bool) -> bool:
    """Do inline scripts build the homepage's lists (so the static HTML undercounts them)?

    Signals: scripts that write DOM with date-like strings, scripts that fetch data
    (fetch/XMLHttpRequest/$.ajax), and empty list containers a script refers to by id.
    Without dated items any signal is enough; with some, only empty containers filled
    by scripts are (the static list is then partial).
    """
    root = parse_html(html)
    if root is None:
        return False
    scripts = [s.text or "" for s in root.iter("script") if not s.get("src")]
    code = "\n".join(scripts)
    empty_targets = _empty_script_targets(root, code)
    if has_dated_items:
        return empty_targets
    builds = bool(_DOM_BUILDERS.search(code)) and bool(find_dates(code, as_of))
    return builds or bool(_DATA_CALLS.search(code)) or empty_targets


def _empty_script_targets(root: etree._Element, code: str) -> bool:
    """Is there an empty list container (no children, no text) whose id a script names?"""
    if not code:
        return False
    for el in root.iter(*_LIST_CONTAINERS):
        ident = el.get("id")
        if ident and not _children(el) and not clean_text(el.text) and re.search(r"['\"#]" + re.escape(ident) + r"['\"]", code):
            return True
    return False
