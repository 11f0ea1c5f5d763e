"""Real government pages (shared/realpages): the items the engine reads, story by story, against hand counts.

Truth: ``lists/truth.json`` beside the pages (R04, R06, R07) and ``tests/fixtures/realpages/truth.json``
(the homepages and article pages, counted for issue #11; each page says how it was counted). Items are
stories (CHECKLIST.md): the same title and date under two URLs is one item, rows without a link count,
an article's own date line, breadcrumb and attachments are not items.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.extract.lists import folded_text, extract_items, story_key
from inspector.core.model import Item
from inspector.core.web.html import decode, parse
from tests.realpages import realpages_dir

REAL = realpages_dir()
CL = load_checklist()
OURS = json.loads((Path(__file__).parent / "fixtures" / "realpages" / "truth.json").read_text(encoding="utf-8"))["pages"]
LISTS = json.loads((REAL / "lists" / "truth.json").read_text(encoding="utf-8"))["pages"]
WINDOW = timedelta(days=14)


def read(page: dict[str, Any], content_type: str = "text/html") -> bytes:
    body = (REAL / page["file"]).read_bytes()
    assert hashlib.sha256(body).hexdigest() == page["sha256"], f"{page['file']} is not the page that was counted"
    return body


def items_of(page: dict[str, Any], url: str, content_type: str = "text/html") -> tuple[list[Item], date]:
    as_of = date.fromisoformat(page["as_of"])
    text, _ = decode(read(page), content_type)
    return extract_items(parse(text, url), url, as_of, CL), as_of


def in_window(items: list[Item], as_of: date) -> int:
    return sum(1 for i in items if i.date is not None and as_of - WINDOW <= i.date <= as_of)


def _title(text: str) -> str:
    return story_key(folded_text(text))


def unmatched(truth_items: list[dict[str, Any]], got: list[Item]) -> list[str]:
    """Truth stories the engine did not read as exactly one item (by URL, else by title), and extra items."""
    left = list(got)
    missing = []
    for t in truth_items:
        urls = set(t.get("urls") or ([t["url"]] if t.get("url") else []))
        match = [i for i in left if i.date == date.fromisoformat(t["date"])
                 and ((i.url in urls) if urls else _title(i.title) == _title(t["title"]))]
        if len(match) != 1:
            missing.append(f"{t['date']} {t['title']}: {len(match)} items")
        else:
            left.remove(match[0])
    return missing + [f"extra: {i.date} {i.title} {i.url}" for i in left if i.date is not None]


# --------------------------------------------------------------------------- lists/truth.json


def _list_url(page: dict[str, Any]) -> str:
    first = page["original_url"].split()[0]
    return first if first.startswith("http") else f"http://{page['site']}/article.html"


@pytest.mark.parametrize("page", LISTS, ids=[p["id"] for p in LISTS])
def test_list_pages_give_their_hand_counted_stories(page: dict[str, Any]) -> None:
    items, as_of = items_of(page, _list_url(page), page["serve_content_type"])
    truth = page["truth"]
    dated = [i for i in items if i.date is not None]
    assert (len(dated), in_window(items, as_of)) == (truth["dated_items"], truth["items_in_window"])
    assert len(items) - len(dated) == truth["undated_list_entries"]
    assert unmatched(truth["items"], items) == []


def test_messages_without_links_are_one_item_each_and_flagged_as_messages() -> None:
    page = next(p for p in LISTS if p["id"] == "R06")
    items, _ = items_of(page, _list_url(page), page["serve_content_type"])
    assert [(i.url, i.message) for i in items] == [(None, True)] * 4


# --------------------------------------------------------------------------- homepages, articles


def _ours(id_: str) -> dict[str, Any]:
    return next(p for p in OURS if p["id"] == id_)


@pytest.mark.parametrize("id_", ["A1", "A2"])
def test_yichun_homepage_has_its_40_stories(id_: str) -> None:
    page = _ours(id_)
    truth = page["truth"] if "items" in page["truth"] else {**_ours(page["truth"]["same_as"])["truth"], **page["truth"]}
    items, as_of = items_of(page, page["page_url"])
    assert (len(items), in_window(items, as_of)) == (truth["dated_items"], truth["items_in_window"])
    assert unmatched(truth["items"], items) == []


def test_gov_cn_homepage_items_dated_by_the_month_in_their_urls() -> None:
    page = _ours("A3")
    truth = page["truth"]
    items, as_of = items_of(page, page["page_url"])
    by_month: dict[str, set[str]] = {}
    for i in items:
        if i.date is not None:
            assert i.raw_date.startswith("URL "), i  # the page prints no date
            by_month.setdefault(i.raw_date.removeprefix("URL "), set()).add(i.url or "")
    assert {m: sorted(u) for m, u in by_month.items()} == {m: sorted(u) for m, u in truth["urls"].items()}
    assert sum(len(u) for u in by_month.values()) == truth["dated_items"]
    assert [i.url for i in items if i.date is None] == truth["undated_urls"]
    assert in_window(items, as_of) == truth["items_in_window"]


@pytest.mark.parametrize("page", [p for p in OURS if p["id"].startswith("D")], ids=lambda p: p["file"])
def test_article_pages_are_not_lists(page: dict[str, Any]) -> None:
    items, as_of = items_of(page, page["page_url"])
    truth = page["truth"]
    assert (len(items), in_window(items, as_of)) == (truth["dated_items"], truth["items_in_window"])
    assert unmatched(truth["items"], items) == []
