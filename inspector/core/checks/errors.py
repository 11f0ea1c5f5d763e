"""`serious-errors` (严重错误): candidate hits for the inspector, never verdicts.

Three kinds of candidates are looked for in the visible text of every crawled HTML page:

- a leader's name written wrong next to a title: a window of the name's length right before a
  title (``习进平总书记``) or right after one (``总书记习进平``) that differs from the name in
  exactly one character, where that character has the same pinyin as the original (toneless,
  heteronyms included); for names of three or more characters written before a title any
  one-character substitution counts, since the two other characters and the title already pin
  the name down (after a title, where local officials' names stand, only same-pinyin ones). A
  two-character name is only flagged on a same-pinyin substitution so that local officials who
  share a character with a leader (李刚书记, 王强主任) are not flagged. A window is compared in
  simplified script (``traditional.txt``, from OpenCC): 主席習近平 on a page in traditional script
  is the name, 主席習進平 a typo of it;
- a listed wrong phrasing (``中华人民共合国``) with its correct form;
- a listed forbidden word.

Every list (leaders, titles, wrong phrases, forbidden words, and the words that may follow a
name written after a title) comes from the checklist's ``serious-errors`` params.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence
from weakref import WeakKeyDictionary


from inspector.core.checklist import Checklist
from inspector.core.checks.base import Facts, family
from inspector.core import texts
from inspector.core.model import CrawlResult, Finding, Outcome, Page
from inspector.core.web.charset import clean_text
from inspector.core.web.html import Document, document, parse

SERIOUS_ERRORS = "serious-errors"
CONTEXT_CHARS = 20
_BLOCK = 2048  # characters of the original text per step of the map back from the compact text
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\S+")  # \S is exactly "not str.isspace()", the split str.split() makes


@dataclass(frozen=True)
class Hit:
    """One candidate: where it is in the page text and what it should probably read."""

    url: str
    start: int  # index in the page's compact text
    found: str  # the text as written (name + title, phrase or word)
    suggestion: str  # the correct form ("" for a forbidden word: remove or verify)
    kind: str  # leader-name | wrong-phrase | forbidden-word
    context: str  # ± CONTEXT_CHARS characters of the original text around it


class _Text:
    """A page's visible text without whitespace, mapped back to the original for context.

    The compact text is made in C (``str.split`` + ``join``). A hit is mapped back through the
    count of non-space characters per block of the original (counted when a page has its first
    hit: most pages have none), then within its block: Python work per block and per hit, never
    per character.
    """

    def __init__(self, original: str) -> None:
        self.original = original
        self.compact = "".join(original.split())
        self._blocks: list[int] = []  # non-space characters up to each block's end
        self._maps: dict[int, tuple[list[int], list[int]]] = {}  # block -> its runs' ends and gaps

    def _position(self, compact: int) -> int:
        """The original position of the compact text's character at ``compact``."""
        if not self._blocks:
            text = self.original
            self._blocks = list(accumulate(sum(map(len, text[i : i + _BLOCK].split())) for i in range(0, len(text), _BLOCK)))
        block = bisect_right(self._blocks, compact)
        if block not in self._maps:
            text = self.original[block * _BLOCK : (block + 1) * _BLOCK]
            ends = list(accumulate(map(len, text.split())))  # local compact end of each run of non-space
            gaps = list(accumulate(map(len, _WORD.split(text))))  # whitespace before each run
            self._maps[block] = ends, gaps
        ends, gaps = self._maps[block]
        local = compact - (self._blocks[block - 1] if block else 0)
        return block * _BLOCK + local + gaps[bisect_right(ends, local)]

    def context(self, start: int, length: int) -> str:
        if not self.compact:
            return ""
        last = len(self.compact) - 1
        lo = self._position(min(max(0, start), last))
        hi = self._position(min(last, start + length - 1)) + 1
        snippet = self.original[max(0, lo - CONTEXT_CHARS) : hi + CONTEXT_CHARS]
        return clean_text(snippet)


# --------------------------------------------------------------------------- text


def visible_text(html: str) -> str:
    """The visible text of an HTML page's body (no script/style), control characters stripped.

    (A crawled page's is ``document(page).visible_text``: the same text from its one parse.)
    """
    return parse(html).visible_text


class _Matcher:
    """Every occurrence of a set of words in one pass: one compiled alternation, longest first.

    At a position where the alternation matches word W, exactly W and the listed words that are
    prefixes of W occur there, so overlapping and nested occurrences are all found
    (副主席 and 主席, 总书记 and 书记) with Python work per occurrence only.
    """

    def __init__(self, words: Iterable[str]) -> None:
        unique = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
        self._regex = re.compile("|".join(map(re.escape, unique))) if unique else None
        self._implied = {w: tuple(v for v in unique if w.startswith(v)) for w in unique}

    def find(self, text: str) -> dict[str, list[int]]:
        """word -> its start positions in ``text`` (ascending); absent words are absent."""
        found: dict[str, list[int]] = {}
        if self._regex is None:
            return found
        search, pos = self._regex.search, 0
        while (m := search(text, pos)) is not None:
            start = m.start()
            for word in self._implied[m.group()]:
                found.setdefault(word, []).append(start)
            pos = start + 1
        return found


@lru_cache(maxsize=16)
def _matcher(words: tuple[str, ...]) -> _Matcher:
    return _Matcher(words)


# --------------------------------------------------------------------------- leader names


_TONE_MARKS = {0x0300: None, 0x0301: None, 0x0304: None, 0x030C: None}  # grave, acute, macron, caron


@lru_cache(maxsize=1)
def _reading_table() -> dict[str, str]:
    """pypinyin's single-character table (code point -> toned readings), read from its data file.

    Importing ``pypinyin`` itself loads its 47,000-phrase dictionary and segmenter (about 55 MB and
    half a second) that single-character readings never use; this reads only the character table,
    on the first reading asked for.
    """
    spec = importlib.util.find_spec("pypinyin")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pypinyin is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    return json.loads(path.read_text(encoding="utf-8"))


reading_table = _reading_table  # public: the TUI's search by pinyin initials reads the same table


@lru_cache(maxsize=4096)
def _readings(ch: str) -> frozenset[str]:
    """Toneless pinyin readings of one character, heteronyms included (pypinyin's Style.NORMAL:
    tone marks dropped, ü written v); a character without a reading stands for itself."""
    raw = _reading_table().get(str(ord(ch))) if len(ch) == 1 else None
    if not raw:
        return frozenset((ch,))
    out = set()
    for toned in raw.split(","):
        bare = unicodedata.normalize("NFC", unicodedata.normalize("NFD", toned).translate(_TONE_MARKS))
        out.add(bare.replace("ü", "v"))
    return frozenset(out)


def _is_cjk(text: str) -> bool:
    return bool(text) and all(_CJK.match(ch) for ch in text)


def misspelling(window: str, name: str, *, any_char: bool = True) -> bool:
    """Is ``window`` the leader ``name`` with one character substituted (a candidate typo)?

    Same-pinyin substitutions always count; with ``any_char`` any substitution counts for names
    of three or more characters. The correct name, other lengths and two or more differences
    never count.
    """
    if len(window) != len(name) or window == name:
        return False
    if not _is_cjk(window):
        return False
    window = _simplified(window, name)  # 習近平 is the name in traditional script, 習進平 a typo of it
    if window == name:
        return False
    diffs = [i for i, (a, b) in enumerate(zip(window, name)) if a != b]
    if len(diffs) != 1:
        return False
    i = diffs[0]
    if _readings(window[i]) & _readings(name[i]):
        return True
    return any_char and len(name) >= 3


@lru_cache(maxsize=1)
def _traditional_table() -> dict[str, tuple[str, ...]]:
    """Traditional character -> its simplified forms (traditional.txt, from OpenCC)."""
    table: dict[str, tuple[str, ...]] = {}
    for line in (Path(__file__).with_name("traditional.txt")).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, _, forms = line.partition("\t")
            table[char] = tuple(forms.split())
    return table


def _simplified(window: str, name: str) -> str:
    """``window`` with each traditional character written simplified (as the name's character when
    that is one of its simplified forms)."""
    table = _traditional_table()
    out = []
    for ch, want in zip(window, name):
        forms = table.get(ch)
        out.append(ch if ch == want or not forms else want if want in forms else forms[0])
    return "".join(out)


def _ends_name(text: str, end: int, titles: Sequence[str], followers: Sequence[str]) -> bool:
    """Can a name written after a title end at ``end``? (not in the middle of a longer name)"""
    if end >= len(text) or not _CJK.match(text[end]):
        return True
    return any(text.startswith(w, end) for w in (*titles, *followers))


def leader_hits(
    text: str, leaders: Sequence[str], titles: Sequence[str], followers: Sequence[str] = ()
) -> Iterator[tuple[int, str, str]]:
    """(start, found, suggestion) for each misspelt leader name next to a title in ``text``.

    Before a title any misspelling counts; after a title (where a local official's full name
    often stands: 政法委书记丁小祥) only a same-pinyin one does.
    """
    lists = _Lists.of({"leaders": list(leaders), "titles": list(titles), "name_followers": list(followers)})
    return _leader_hits(text, lists, lists.matcher.find(text))


def _leader_hits(text: str, lists: _Lists, found: Mapping[str, list[int]]) -> Iterator[tuple[int, str, str]]:
    leaders, by_end = lists.leaders, lists.names_by_end
    seen: set[tuple[int, int]] = set()
    for title in lists.titles_longest_first:
        for pos in found.get(title, ()):
            after = pos + len(title)
            if by_end is None:
                before_names = behind_names = set(leaders)
            else:  # only names sharing a first or last character with the window can be one substitution away
                before_names, behind_names = set(), set()
                for n in lists.name_lengths:
                    before_names.update(by_end.get((n, text[pos - n : pos - n + 1]), ()))
                    before_names.update(by_end.get((-n, text[pos - 1 : pos]), ()))
                    behind_names.update(by_end.get((n, text[after : after + 1]), ()))
                    behind_names.update(by_end.get((-n, text[after + n - 1 : after + n]), ()))
                if not before_names and not behind_names:
                    continue
            for name in leaders:
                n = len(name)
                if name in before_names:
                    before = text[max(0, pos - n) : pos]
                    if pos >= n and misspelling(before, name) and (pos - n, n) not in seen:
                        seen.add((pos - n, n))
                        yield pos - n, before + title, name + title
                if name in behind_names:
                    behind = text[after : after + n]
                    if (
                        misspelling(behind, name, any_char=False)
                        and (n >= 3 or _ends_name(text, after + n, lists.titles, lists.followers))
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


@dataclass(frozen=True)
class _Lists:
    """The checklist's lists, read once per check, with the one matcher for all their words."""

    leaders: tuple[str, ...]
    titles: tuple[str, ...]
    followers: tuple[str, ...]
    phrases: tuple[tuple[str, str], ...]
    words: tuple[str, ...]

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> _Lists:
        """The lists of ``params``: one object for equal lists (what a page was scanned with is
        known by identity, :func:`_page_hits`)."""
        return _lists(
            tuple(_strings(params.get("leaders"))),
            tuple(_strings(params.get("titles"))),
            tuple(_strings(params.get("name_followers"))),
            tuple(_pairs(params.get("wrong_phrases"))),
            tuple(_strings(params.get("forbidden_words"))),
        )

    @cached_property
    def matcher(self) -> _Matcher:
        return _matcher((*self.titles, *(wrong for wrong, _ in self.phrases), *self.words))

    @cached_property
    def titles_longest_first(self) -> list[str]:
        return sorted(set(self.titles), key=len, reverse=True)

    @cached_property
    def name_lengths(self) -> list[int]:
        return sorted({len(name) for name in self.leaders})

    @cached_property
    def names_by_end(self) -> dict[tuple[int, str], set[str]] | None:
        """Names by (length, first character) and by (-length, last character): a window one
        substitution away from a name of two or more characters keeps its first or its last one.
        None when a one-character name makes that test useless."""
        if any(len(name) < 2 for name in self.leaders):
            return None
        out: dict[tuple[int, str], set[str]] = {}
        for name in self.leaders:
            out.setdefault((len(name), name[0]), set()).add(name)
            out.setdefault((-len(name), name[-1]), set()).add(name)
        return out


@lru_cache(maxsize=16)
def _lists(*fields: Any) -> _Lists:
    return _Lists(*fields)


def _scan(url: str, text: str, lists: _Lists) -> list[Hit]:
    page = _Text(text)
    found = lists.matcher.find(page.compact)
    hits: list[Hit] = []
    if not found:
        return hits
    for start, written, right in _leader_hits(page.compact, lists, found):
        hits.append(Hit(url, start, written, right, "leader-name", page.context(start, len(written))))
    for wrong, right in lists.phrases:
        for start in found.get(wrong, ()):
            hits.append(Hit(url, start, wrong, right, "wrong-phrase", page.context(start, len(wrong))))
    for word in lists.words:
        for start in found.get(word, ()):
            hits.append(Hit(url, start, word, "", "forbidden-word", page.context(start, len(word))))
    return sorted(hits, key=lambda h: h.start)


def scan_text(url: str, text: str, params: Mapping[str, Any]) -> list[Hit]:
    """Every candidate hit in one page's visible text.

    Titles, wrong phrasings and forbidden words are all found in one pass over the compact text.
    """
    return _scan(url, text, _Lists.of(params))


def scan_texts(pages: Iterable[tuple[str, str]], params: Mapping[str, Any]) -> list[Hit]:
    """Every candidate hit in (url, visible text) pages, the lists read once."""
    lists = _Lists.of(params)
    return [hit for url, text in pages for hit in _scan(url, text, lists)]


# a page's hits, by its parsed document (a page whose text is replaced, e.g. by the browser's
# rendering, has a new one), with the lists and the URL they were found with
_SCANNED: WeakKeyDictionary[Document, tuple[_Lists, str, list[Hit]]] = WeakKeyDictionary()


def _page_hits(url: str, page: Page, lists: _Lists) -> list[Hit]:
    """The hits of one crawled page, scanned once: as the crawl got it (:func:`_read_early`) or now."""
    doc = document(page)
    known = _SCANNED.get(doc)
    if known is not None and known[0] is lists and known[1] == url:
        return known[2]
    hits = _scan(url, doc.visible_text, lists)
    _SCANNED[doc] = (lists, url, hits)
    return hits


def _read_early(checklist: Checklist) -> Callable[[Page], None]:
    """Scan each page as the crawl gets it (the family's early reader)."""
    lists = _Lists.of(checklist.params(SERIOUS_ERRORS))

    def read(page: Page) -> None:
        if page.html:
            _page_hits(page.final_url or page.url, page, lists)

    return read


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


@family(SERIOUS_ERRORS, early=_read_early)
def check_errors(facts: Facts) -> dict[str, Outcome]:
    """Serious-error candidates in the visible text of every crawled page."""
    return {SERIOUS_ERRORS: errors_outcome(facts.crawl, facts.checklist, facts.as_of)}


def errors_outcome(crawl: CrawlResult, checklist: Checklist, as_of: date) -> Outcome:
    """The `serious-errors` pre-fill: hits are candidates (status review), none leaves it to the rule."""
    params = checklist.params(SERIOUS_ERRORS)
    lists = _Lists.of(params)
    hits = [hit for url, page in _html_pages(crawl) for hit in _page_hits(url, page, lists)]
    return Outcome(
        measures={"hits": len(hits)},
        findings=[_finding(h) for h in hits],
        status="review" if hits else None,
        note=_note(checklist, params, as_of),
    )
