"""Service guides (办事指南): which of the key elements a guide shows, and which are missing or empty.

A guide is a page reached from a service column's list, or any crawled page whose title or
heading holds a guide keyword, that shows at least ``min_labels`` of the element labels. Each
element (``params.elements``: ``[canonical name, label synonyms...]``) is present when one of its
labels has a non-empty value anywhere the page shows fields (tables, definition lists, headed
sections, ``label：value`` text; see :func:`inspector.core.extract.messages.read_fields`). A value
that is empty, punctuation only, or one of ``params.empty_values`` counts as missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from inspector.core.checklist import Checklist
from inspector.core.extract.messages import read_fields, squash
from inspector.core.model import Column, CrawlResult, Page
from inspector.core.web.charset import clean_text
from inspector.core.web.html import document

GUIDES_INDICATOR = "service-guides"
_PUNCTUATION = re.compile(r"[\s\u3000\xa0:：;；,，.。、\-—–_/\\|｜()（）\[\]【】*…·]+")


@dataclass
class Guide:
    """One service guide and the state of its key elements."""

    url: str
    title: str
    present: list[str] = field(default_factory=list)  # canonical element names with a value
    missing: list[str] = field(default_factory=list)  # absent or empty, in checklist order
    empty: list[str] = field(default_factory=list)  # the part of `missing` shown with an empty value


def element_groups(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """Canonical element name -> its labels (the name itself included)."""
    groups: dict[str, list[str]] = {}
    for entry in params.get("elements", ()):
        if isinstance(entry, (list, tuple)) and entry and isinstance(entry[0], str):
            groups[entry[0]] = list(dict.fromkeys([entry[0], *[str(s) for s in entry[1:] if s]]))
    return groups


def is_empty(value: str, empty_values: Sequence[str]) -> bool:
    """A value that says nothing: blank, punctuation only, or a listed placeholder (无, 暂无, -)."""
    text = clean_text(value)
    if not _PUNCTUATION.sub("", text):
        return True
    return squash(text) in {squash(v) for v in empty_values}


def _title(page: Page) -> str:
    root = document(page).root
    if root is None:
        return ""
    for tag in ("h1", "title"):
        el = next(root.iter(tag), None)
        if el is not None and clean_text(el.text_content()):
            return clean_text(el.text_content())
    return ""


def read_guide(page: Page, params: Mapping[str, Any]) -> Guide | None:
    """The guide shown by a page, or None when it shows fewer than ``min_labels`` element labels."""
    body = document(page).body
    if body is None:
        return None
    groups = element_groups(params)
    fields = read_fields(body, groups)
    if len(fields) < int(params.get("min_labels", 3)):
        return None
    empty_values = [str(v) for v in params.get("empty_values", ())]
    guide = Guide(url=page.final_url or page.url, title=_title(page))
    for name in groups:
        values = fields.get(name)
        if values and any(not is_empty(v, empty_values) for v in values):
            guide.present.append(name)
            continue
        guide.missing.append(name)
        if values:
            guide.empty.append(name)
    return guide


def _has_keyword(page: Page, keywords: Sequence[str]) -> bool:
    """Does the page's title or an h1-h3 heading hold a guide keyword? (A crawled page's headings are
    among the facts read with its links: no parse, and no search through the whole text.)"""
    return any(k and k in text for text in document(page).headings for k in keywords)


def candidate_pages(crawl: CrawlResult, columns: list[Column], params: Mapping[str, Any]) -> list[Page]:
    """Item pages of the service columns, then pages whose title or heading holds a guide keyword."""
    out: dict[str, Page] = {}
    for col in columns:
        if col.category != "service":
            continue
        for item in col.items:
            page = crawl.page(item.url) if item.url else None
            if page is not None and page.html:
                out.setdefault(page.final_url or page.url, page)
    keywords = [str(k) for k in params.get("guide_keywords", ())]
    for page in crawl.pages.values():
        key = page.final_url or page.url
        if page.html and key not in out and _has_keyword(page, keywords):
            out[key] = page
    return list(out.values())


def find_guides(crawl: CrawlResult, columns: list[Column], checklist: Checklist) -> list[Guide]:
    """Every service guide among the crawled pages, each once, in crawl order."""
    params = checklist.params(GUIDES_INDICATOR)
    guides = []
    for page in candidate_pages(crawl, columns, params):
        guide = read_guide(page, params)
        if guide is not None:
            guides.append(guide)
    return guides
