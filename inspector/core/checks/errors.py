"""`serious-errors` (严重错误): candidate hits for the inspector, never verdicts.

Three kinds of candidates are looked for in the visible text of every crawled HTML page:

- a leader's name written wrong next to a title: a window of the name's length right before a
  title (``习进平总书记``) or right after one (``总书记习进平``) that differs from the name in
  exactly one character, where that character has the same pinyin as the original (toneless,
  heteronyms included); for names of three or more characters written before a title any
  one-character substitution counts, since the two other characters and the title already pin
  the name down (after a title, where local officials' names stand, only same-pinyin ones). A
  two-character name is only flagged on a same-pinyin substitution so that local officials who
  share a character with a leader (李刚书记, 王强主任) are not flagged;
- a listed wrong phrasing (``中华人民共合国``) with its correct form;
- a listed forbidden word.

Every list (leaders, titles, wrong phrases, forbidden words, and the words that may follow a
name written after a title) comes from the checklist's ``serious-errors`` params.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, Sequence

from pypinyin import Style, pinyin

from inspector.core.checklist import Checklist
from inspector.core import texts
from inspector.core.model import CrawlResult, Finding, Outcome, Page
from inspector.core.web.charset import clean_text
from inspector.core.web.html import document, parse

INDICATOR = "serious-errors"
CONTEXT_CHARS = 20
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Hit:
    """One candidate: where it is in the page text and what it should probably read."""

    url: str
    start: int  # index in the page's compact text
    found: str  # the text as written (name + title, phrase or word)
    suggestion: str  # the correct form ("" for a forbidden word: remove or verify)
    kind: str  # leader-name | wrong-phrase | forbidden-word
    context: str  # ± CONTEXT_CHARS characters of the original text around it


@dataclass(frozen=True)
class _Text:
    """A page's visible text without whitespace, mapped back to the original for context."""

    original: str
    compact: str
    index: tuple[int, ...]  # compact position -> original position

    def context(self, start: int, length: int) -> str:
        if not self.compact:
            return ""
        lo = self.index[max(0, start)]
        hi = self.index[min(len(self.index) - 1, start + length - 1)] + 1
        snippet = self.original[max(0, lo - CONTEXT_CHARS) : hi + CONTEXT_CHARS]
        return clean_text(snippet)


# --------------------------------------------------------------------------- text


def visible_text(html: str) -> str:
    """The visible text of an HTML page's body (no script/style), control characters stripped.

    (A crawled page's is ``document(page).visible_text``: the same text from its one parse.)
    """
    return parse(html).visible_text


def _compact(text: str) -> _Text:
    kept = [(i, ch) for i, ch in enumerate(text) if not _SPACE.match(ch)]
    return _Text(text, "".join(ch for _, ch in kept), tuple(i for i, _ in kept))


# --------------------------------------------------------------------------- leader names


@lru_cache(maxsize=4096)
def _readings(ch: str) -> frozenset[str]:
    """Toneless pinyin readings of one character, heteronyms included."""
    return frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def _is_cjk(text: str) -> bool:
    return bool(text) and all(_CJK.match(ch) for ch in text)


def misspelling(window: str, name: str, *, any_char: bool = True) -> bool:
    """Is ``window`` the leader ``name`` with one character substituted (a candidate typo)?

    Same-pinyin substitutions always count; with ``any_char`` any substitution counts for names
    of three or more characters. The correct name, other lengths and two or more differences
    never count.
    """
    if len(window) != len(name) or window == name or not _is_cjk(window):
        return False
    diffs = [i for i, (a, b) in enumerate(zip(window, name)) if a != b]
    if len(diffs) != 1:
        return False
    i = diffs[0]
    if _readings(window[i]) & _readings(name[i]):
        return True
    return any_char and len(name) >= 3


def _occurrences(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)


def _ends_name(text: str, end: int, titles: Sequence[str], followers: Sequence[str]) -> bool:
    """Can a name written after a title end at ``end``? (not in the middle of a longer name)"""
    rest = text[end:]
    if not rest or not _CJK.match(rest[0]):
        return True
    return any(rest.startswith(w) for w in (*titles, *followers))


def leader_hits(
    text: str, leaders: Sequence[str], titles: Sequence[str], followers: Sequence[str] = ()
) -> Iterator[tuple[int, str, str]]:
    """(start, found, suggestion) for each misspelt leader name next to a title in ``text``.

    Before a title any misspelling counts; after a title (where a local official's full name
    often stands: 政法委书记丁小祥) only a same-pinyin one does.
    """
    seen: set[tuple[int, int]] = set()
    for title in sorted(set(titles), key=len, reverse=True):
        for pos in _occurrences(text, title):
            after = pos + len(title)
            for name in leaders:
                n = len(name)
                before = text[max(0, pos - n) : pos]
                if pos >= n and misspelling(before, name) and (pos - n, n) not in seen:
                    seen.add((pos - n, n))
                    yield pos - n, before + title, name + title
                behind = text[after : after + n]
                if (
                    misspelling(behind, name, any_char=False)
                    and (n >= 3 or _ends_name(text, after + n, titles, followers))
                    and (after, n) not in seen
                ):
                    seen.add((after, n))
                    yield pos, title + behind, title + name


# --------------------------------------------------------------------------- page scan


def _pairs(raw: Any) -> list[tuple[str, str]]:
    out = []
    for entry in raw or ():
        if isinstance(entry, (list, tuple)) and len(entry) >= 2 and entry[0]:
            out.append((str(entry[0]), str(entry[1])))
    return out


def _strings(raw: Any) -> list[str]:
    return [str(v) for v in raw or () if isinstance(v, str) and v]


def scan_text(url: str, text: str, params: Mapping[str, Any]) -> list[Hit]:
    """Every candidate hit in one page's visible text."""
    page = _compact(text)
    hits: list[Hit] = []
    leaders, titles = _strings(params.get("leaders")), _strings(params.get("titles"))
    followers = _strings(params.get("name_followers"))
    for start, found, right in leader_hits(page.compact, leaders, titles, followers):
        hits.append(Hit(url, start, found, right, "leader-name", page.context(start, len(found))))
    for wrong, right in _pairs(params.get("wrong_phrases")):
        for start in _occurrences(page.compact, wrong):
            hits.append(Hit(url, start, wrong, right, "wrong-phrase", page.context(start, len(wrong))))
    for word in _strings(params.get("forbidden_words")):
        for start in _occurrences(page.compact, word):
            hits.append(Hit(url, start, word, "", "forbidden-word", page.context(start, len(word))))
    return sorted(hits, key=lambda h: h.start)


def _html_pages(crawl: CrawlResult) -> Iterable[tuple[str, Page]]:
    seen: set[str] = set()
    for url, page in crawl.pages.items():
        key = page.final_url or url
        if page.html and key not in seen:
            seen.add(key)
            yield key, page


def _finding(hit: Hit) -> Finding:
    if hit.kind == "forbidden-word":
        detail = texts.forbidden_word(hit.found)
    else:
        detail = texts.wrong_text(hit.kind, hit.found, hit.suggestion)
    return Finding(url=hit.url, where=hit.context, detail=detail, highlight=hit.found)


def _note(checklist: Checklist, params: Mapping[str, Any], as_of: date) -> str:
    return texts.errors_note(
        checklist.name, checklist.lists_date, as_of, len(_strings(params.get("leaders"))), len(_strings(params.get("titles"))),
        len(_pairs(params.get("wrong_phrases"))), len(_strings(params.get("forbidden_words"))),
    )


def check_errors(crawl: CrawlResult, checklist: Checklist, as_of: date) -> Outcome:
    """The `serious-errors` pre-fill: hits are candidates (status review), none leaves it to the rule."""
    params = checklist.params(INDICATOR)
    hits = [hit for url, page in _html_pages(crawl) for hit in scan_text(url, document(page).visible_text, params)]
    return Outcome(
        measures={"hits": len(hits)},
        findings=[_finding(h) for h in hits],
        status="review" if hits else None,
        note=_note(checklist, params, as_of),
    )
