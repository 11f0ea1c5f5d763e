"""One site's update facts: the homepage's dated items, its blocks, and its columns.

``analyze_site`` turns a :class:`CrawlResult` into a :class:`SiteAnalysis`, the input
of the update indicators (checks/updates.py). Rules (CHECKLIST.md):

- The homepage is what the inspector sees at the start URL: the page its client-side
  redirects lead to (meta refresh, ``location.href = …``), or the frames of a frameset,
  plus the pages of its same-site iframes (:func:`homepage_pages`).
- Homepage items are the homepage list blocks' items (frames and iframes included), each
  story once.
- Columns come from the homepage navigation and from its blocks' 更多 links (or, for a box
  without 更多, its title when that is a link to a page listing the box's stories); one
  column per URL, the navigation's name winning; only same-site columns, and only those in
  the site's scope (a sub-site's link to its platform's portal is no column of its own).
- A column's own sub-columns are columns too: its page's menu links to crawled pages in
  directories below its own (二级栏目 under a 一级栏目, the categories of a 信息公开 目录), but not
  pages named by a year (the column's own list archived by year).
- A homepage without dated items of its own is *navigation-only*: the columns are
  then the second-level pages (those its navigation links to, plus the menu links
  of those pages), and the homepage items for the update rules are theirs.
- A homepage whose static HTML shows no dated list but whose inline scripts build
  lists (or fetch list data, or fill empty list containers) is *script-rendered
  suspect*: its counts are not trustworthy without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from inspector.core import texts
from inspector.core.checklist import Checklist
from inspector.core.extract.columns import (
    ColumnRead,
    find_page,
    is_column_url,
    nav_links,
    read_column,
    same_site,
    sub_columns,
)
from inspector.core.extract.lists import Block, dedupe_items, extract_blocks, story_key
from inspector.core.extract.scripts import script_rendered_suspect
from inspector.core.model import CHALLENGE, OFF_SCOPE, Column, CrawlResult, Item, Page
from inspector.core.web.html import document

_EMBED_TAGS = ("frame", "iframe")
MAX_EMBED_LEVELS = 2  # frames within frames / iframes within frames
_YEAR_ARCHIVE = re.compile(r"^\s*(?:19|20)\d{2}\s*(?:年|年度)?\s*$")  # a sub-page named by a year is an archive


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

    def recategorise(self, categories: Mapping[str, str | None]) -> None:
        """Apply the inspector's corrections of column categories (URL -> category id, None: not a
        scored column) before anything is measured."""
        for column in self.columns:
            if column.url in categories:
                column.category = categories[column.url]
                column.source = "inspector"


def homepage_unreadable(crawl: CrawlResult) -> str | None:
    """Why the homepage could not be read at all (the note of every indicator read from the site's
    pages: only the probes can measure then), else None.

    Behind an anti-bot challenge nobody passed, or redirected out of the scope, the site answered
    and we could not look; otherwise the site gave no page to read.
    """
    home = crawl.page(crawl.start_url)
    if home is not None and home.error == CHALLENGE:
        return texts.CHALLENGE_UNPASSED
    if home is not None and home.error == OFF_SCOPE:
        return texts.off_scope_homepage(home.final_url)
    if home is None:
        return texts.unreachable_not_measurable(texts.HOMEPAGE_NOT_FETCHED)
    if home.html is None or home.status is None or home.status >= 400:
        return texts.unreachable_not_measurable(texts.homepage_not_readable(home.error or home.status))
    return None


def analyze_site(crawl: CrawlResult, checklist: Checklist, as_of: date) -> SiteAnalysis:
    """Homepage items and blocks, navigation-only flag, columns and script suspicion of a crawl."""
    home_url = crawl.homepage_url or crawl.start_url
    home = find_page(crawl, home_url) or find_page(crawl, crawl.start_url)
    if home is None or home.html is None or (home.status or 0) >= 400:
        reason = "not fetched" if home is None else (home.error or f"HTTP {home.status}")
        return SiteAnalysis(homepage_url=home_url, error=reason)
    home_url = home.final_url or home.url
    views = homepage_pages(crawl, home)
    blocks = [b for page in views for b in extract_blocks(page, page.final_url or page.url, as_of, checklist)]
    items = dedupe_items([i for b in blocks for i in b.items])
    has_dated = any(i.date is not None for i in items)
    suspect = home.source != "browser" and script_rendered_suspect(document(home), as_of, has_dated)
    analysis = SiteAnalysis(
        homepage_url=home_url,
        homepage_items=items,
        homepage_blocks=blocks,
        navigation_only=not has_dated and not suspect,
        script_rendered_suspect=suspect,
        homepage_source=home.source,
    )
    _set_columns(analysis, _discover(crawl, checklist, as_of, home_url, views, blocks, analysis.navigation_only))
    return analysis


def reread_columns(analysis: SiteAnalysis, crawl: CrawlResult, checklist: Checklist, as_of: date,
                   urls: Collection[str]) -> None:
    """Read again the columns at ``urls``, whose pages the browser has since rendered (lists a script
    fills in), and any column their rendered menus add (navigation-only sites); every other column
    keeps its reading. The homepage is as analysed: the site is analysed once per check."""
    home = find_page(crawl, analysis.homepage_url)
    if analysis.error or home is None:
        return
    known = {c.url: ColumnRead(c, analysis.blank_reasons.get(c.url, "")) for c in analysis.columns if c.url not in urls}
    views = homepage_pages(crawl, home)
    reads = _discover(crawl, checklist, as_of, analysis.homepage_url, views, analysis.homepage_blocks,
                      analysis.navigation_only, known)
    _set_columns(analysis, reads)


def _set_columns(analysis: SiteAnalysis, reads: list[ColumnRead]) -> None:
    analysis.columns = [r.column for r in reads]
    analysis.blank_reasons = {r.column.url: r.blank_reason for r in reads if r.column.blank}
    if analysis.navigation_only:
        analysis.homepage_items = dedupe_items([i for c in analysis.columns for i in c.items])


def homepage_pages(crawl: CrawlResult, home: Page) -> list[Page]:
    """The pages whose content the inspector sees on the homepage, ``home`` first.

    ``home`` and the same-site pages of its iframes; when the start URL leads to a frameset
    (the crawl then names its main frame the homepage), every frame of it too. A frameset
    page itself shows nothing of its own and is left out.
    """
    out: list[Page] = []
    seen: set[int] = set()

    def visit(page: Page, level: int) -> None:
        if id(page) in seen:
            return
        seen.add(id(page))
        links = [link for link in page.links if link.tag in _EMBED_TAGS]
        if not any(link.tag == "frame" for link in links):
            out.append(page)
        if level >= MAX_EMBED_LEVELS:
            return
        here = page.final_url or page.url
        for link in links:
            child = find_page(crawl, link.url)
            if child is not None and child.html and (child.status or 0) < 400 and same_site(link.url, here):
                visit(child, level + 1)

    visit(home, 0)
    start = find_page(crawl, crawl.start_url)
    if start is not None and start is not home and any(link.tag == "frame" for link in start.links):
        visit(start, 0)
    return out or [home]


def _lists_stories(crawl: CrawlResult, url: str, block: Block, checklist: Checklist, as_of: date) -> bool:
    """Does the crawled page at ``url`` list one of ``block``'s stories (same URL, or same title and date)?
    A box title that links to a form (我要写信), an article or a portal page is not the box's column."""
    page = find_page(crawl, url)
    if page is None or page.html is None or (page.status or 0) >= 400:
        return False
    page_url = page.final_url or page.url
    if page_url.rstrip("/") in {i.url.rstrip("/") for i in block.items if i.url}:
        return False  # the title links to one of the box's own stories
    listed = [i for b in extract_blocks(page, page_url, as_of, checklist) for i in b.items]
    urls = {i.url for i in listed if i.url}
    keys = {(story_key(i.title), i.date) for i in listed}
    return any((i.url and i.url in urls) or (story_key(i.title), i.date) in keys for i in block.items)


def _discover(
    crawl: CrawlResult,
    checklist: Checklist,
    as_of: date,
    home_url: str,
    views: list[Page],
    blocks: list[Block],
    navigation_only: bool,
    known: Mapping[str, ColumnRead] | None = None,
) -> list[ColumnRead]:
    """Columns from the navigation (name wins) then from 更多 links; second-level menus if nav-only.

    ``views``: the pages shown as the homepage (frames, iframes); ``known``: columns already read
    (by URL), kept when found under the same name and source.
    """
    candidates: dict[str, tuple[str, str]] = {}
    for view in views:
        for name, link in nav_links(view, view.final_url or view.url, as_of, checklist):
            if is_column_url(link, home_url, as_of):
                candidates.setdefault(link, (name, "nav"))
    for block in blocks:
        if block.more_url and is_column_url(block.more_url, home_url, as_of):
            candidates.setdefault(block.more_url, (block.heading or block.more_url, "more"))
        elif not block.more_url and block.title_link and is_column_url(block.title_link[1], home_url, as_of):
            title, url = block.title_link  # a box titled by a link to the column that lists its stories
            if url not in candidates and _lists_stories(crawl, url, block, checklist, as_of):
                candidates[url] = (title, "more")
    if navigation_only:
        for url in list(candidates):
            page = find_page(crawl, url)
            if page is None or page.html is None:
                continue
            for name, sub in nav_links(page, page.final_url or page.url, as_of, checklist):
                if is_column_url(sub, home_url, as_of) and find_page(crawl, sub) is not None:
                    candidates.setdefault(sub, (name, "second-level"))
        candidates = {u: (n, "second-level" if s == "nav" else s) for u, (n, s) in candidates.items()}
    for url in list(candidates):  # a column's own sub-columns (二级栏目 of a 一级栏目, a 信息公开 目录's categories)
        page = find_page(crawl, url)
        if page is not None and page.html and (page.status or 0) < 400 and crawl.in_scope(url):
            for name, sub in sub_columns(page, page.final_url or page.url, url, crawl, checklist, as_of):
                if not _YEAR_ARCHIVE.match(name):  # 2025年 / 2024年: the column's own list by year, no column
                    candidates.setdefault(sub, (name, "second-level"))
    known = known or {}

    def read(name: str, url: str, source: str) -> ColumnRead:
        kept = known.get(url)
        if kept is not None and (kept.column.name, kept.column.source) == (name, source):
            return kept
        return read_column(name, url, source, crawl, checklist, as_of)

    return [read(name, url, source) for url, (name, source) in candidates.items() if crawl.in_scope(url)]
