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
  is the name, 主席習進平 a typo of it. Titles are found in traditional script too (習進平總書記);
- next to a title local officials bear as well (``shared_titles``: 同志, 书记, 主席), a window is only a
  leader's when nothing around it names a local unit or a personnel action (``local_marks``: 县委书记王艺,
  任命王奕同志为…局长) unless the centre is named there (``national_marks``: 中央纪委书记李溪, which wins);
  a three-character name there needs a same-pinyin substitution unless the centre is named (王建宁同志 is a
  namesake of 王沪宁, 以习近乎同志为核心的党中央 a typo), and a two-character window whose surname differs,
  with another character before it, is a three-character name's given name (张立强同志);
- a leader's name in a list of leaders (习近平、李强、蔡琦、丁薛祥): an item one substitution away from a
  name (same-pinyin for two-character names) right next to a correctly written leader's name;
- a listed wrong phrasing (``中华人民共合国``) with its correct form;
- a listed forbidden word.

Every list (leaders, titles, wrong phrases, forbidden words, the words that may follow a name written
after a title, the shared titles and the local and national marks) comes from the checklist's
``serious-errors`` params; without the last three every title is a leader's.
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
_AROUND = 16  # characters of the compact text either side of a window that place it (local or national)
_LIST_SEPARATORS = "、和及与"  # between the items of a list of names (习近平、李强和赵乐际)
_LIST_END = "等"  # after a list's last item (…李希等)
_MAX_LIST_ITEMS = 32  # items of a list of names looked at each side of one (the Politburo has 24)


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


def _trie_pattern(words: Iterable[str]) -> str:
    """One pattern for ``words`` with their common prefixes factored out (总(?:书记|理)): at each
    position the engine follows one branch per character instead of trying every word, and a
    longer word is tried before the word that is its prefix (the match is the longest one there)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + pattern(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer ones are optional
            body = ("(?:" + body + ")" if len(branches) == 1 else body) + "?"
        return body

    return pattern(trie)


class _Matcher:
    """Every occurrence of a set of words in one pass: one compiled pattern, longest word first.

    At a position where the pattern matches word W, exactly W and the listed words that are
    prefixes of W occur there, so overlapping and nested occurrences are all found
    (副主席 and 主席, 总书记 and 书记) with Python work per occurrence only.
    """

    def __init__(self, words: Iterable[str]) -> None:
        unique = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
        self._regex = re.compile(_trie_pattern(unique)) if unique else None
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


@lru_cache(maxsize=1)
def _traditional_of() -> dict[str, tuple[str, ...]]:
    """Simplified character -> the traditional characters written for it (traditional.txt reversed)."""
    inverse: dict[str, list[str]] = {}
    for trad, forms in _traditional_table().items():
        for form in forms:
            inverse.setdefault(form, []).append(trad)
    return {ch: tuple(trads) for ch, trads in inverse.items()}


def _traditional_forms(word: str) -> list[str]:
    """``word`` written in traditional script (总书记 -> 總書記): every character that has a traditional
    form written so (a page is in one script, not a mix of both), itself excluded."""
    out, trads = [""], _traditional_of()
    for ch in word:
        out = [w + t for w in out for t in trads.get(ch, (ch,))][:16]  # (bounded all the same)
    return [w for w in out if w != word]


def _to_simplified(text: str) -> str:
    """``text`` with each traditional character in its most common simplified form."""
    table = _traditional_table()
    return "".join(table[ch][0] if ch in table else ch for ch in text)


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
    return _name_hits(text, lists, lists.find(text))


def _name_hits(text: str, lists: _Lists, found: Mapping[str, list[int]]) -> Iterator[tuple[int, str, str]]:
    """The misspelt names next to a title, then those in a list of names not already found so."""
    seen: set[tuple[int, int]] = set()  # (start, length) of each window found
    yield from _leader_hits(text, lists, found, seen)
    yield from _list_hits(text, lists, found, seen)


def _placed_locally(text: str, start: int, window: str, name: str, title: str, lists: _Lists, *, before: bool) -> bool:
    """Is ``window`` (at ``start``, next to the shared ``title``) a local official's name rather than
    the leader ``name`` misspelt? The centre named around it says no; a local unit or a personnel
    action around it, an any-character substitution in a three-character name, or a two-character
    window with another surname after another character (the given name of 张立强) says yes."""
    around = _to_simplified(text[max(0, start - _AROUND) : start + len(window) + len(title) + _AROUND])
    if lists.national_regex is not None and lists.national_regex.search(around):
        return False
    if not misspelling(window, name, any_char=False):
        return True  # 王建宁同志: shares two characters with 王沪宁, reads nothing like it
    if lists.local_regex is not None and lists.local_regex.search(around):
        return True
    return before and len(name) == 2 and window[0] != name[0] and start > 0 and bool(_CJK.match(text[start - 1]))


def _leaders_listed(text: str, start: int, end: int, names: set[str], enough: int = 2) -> int:
    """How many items of the list of names around the item ``text[start:end]`` are leaders' names
    written correctly (items are runs of at most four CJK characters between separators), counted up to
    ``enough`` and over at most ``_MAX_LIST_ITEMS`` items each side (a hostile page of one endless list)."""
    count, i, steps = 0, start, 0
    while i > 0 and text[i - 1] in _LIST_SEPARATORS and count < enough and steps < _MAX_LIST_ITEMS:  # to the left
        steps += 1
        j = k = i - 1
        while k > 0 and j - k < 4 and _CJK.match(text[k - 1]) and text[k - 1] not in _LIST_SEPARATORS:
            k -= 1
        count += text[k:j] in names or any(text[m:j] in names for m in range(k + 1, j - 1))  # (有李溪: the name ends it)
        i = k
    i, steps = end, 0
    while i < len(text) and text[i] in _LIST_SEPARATORS and count < enough and steps < _MAX_LIST_ITEMS:  # right
        steps += 1
        j = k = i + 1
        while k < len(text) and k - j < 4 and _CJK.match(text[k]) and text[k] not in _LIST_SEPARATORS + _LIST_END:
            k += 1
        count += text[j:k] in names
        i = k
    return count


def _list_hits(
    text: str, lists: _Lists, found: Mapping[str, list[int]], seen: set[tuple[int, int]]
) -> Iterator[tuple[int, str, str]]:
    """(start, found, suggestion) for each misspelt item next to a correct leader's name in a list of
    names (习近平、李强、蔡琦): the list names the leaders as well as a title would, when it holds two
    leaders' names written correctly (one 李强 in a list of staff is a namesake)."""
    names = set(lists.leaders)
    hits: dict[int, tuple[int, str, str]] = {}
    for right in lists.leaders:
        for pos in found.get(right, ()):
            end = pos + len(right)
            listed_after = end < len(text) and text[end] in _LIST_SEPARATORS
            if not listed_after and not (pos and text[pos - 1] in _LIST_SEPARATORS):
                continue  # (most names stand in a sentence, not in a list)
            for name in lists.leaders:
                n = len(name)
                if listed_after:  # the item after it
                    stop = end + 1 + n
                    item = text[end + 1 : stop]
                    if (
                        (stop >= len(text) or text[stop] in _LIST_SEPARATORS + _LIST_END or not _CJK.match(text[stop]))
                        and item not in names
                        and (end + 1, n) not in seen
                        and misspelling(item, name, any_char=n >= 3)
                        and _leaders_listed(text, end + 1, stop, names) >= 2
                    ):
                        hits.setdefault(end + 1, (end + 1, item, name))
                if pos > n and text[pos - 1] in _LIST_SEPARATORS:  # the item before it
                    item = text[pos - 1 - n : pos - 1]
                    if (
                        item not in names
                        and (pos - 1 - n, n) not in seen
                        and misspelling(item, name, any_char=n >= 3)
                        and _leaders_listed(text, pos - 1 - n, pos - 1, names) >= 2
                    ):
                        hits.setdefault(pos - 1 - n, (pos - 1 - n, item, name))
    return iter(sorted(hits.values()))


def _leader_hits(
    text: str, lists: _Lists, found: Mapping[str, list[int]], seen: set[tuple[int, int]]
) -> Iterator[tuple[int, str, str]]:
    leaders, by_end, shared = lists.leaders, lists.names_by_end, lists.shared_titles
    for written_title in lists.titles_longest_first:
        positions = found.get(written_title)
        if not positions:
            continue
        title = lists.title_of.get(written_title, written_title)  # 總書記 is 总书记
        for pos in positions:
            after = pos + len(written_title)
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
                    if (
                        pos >= n
                        and misspelling(before, name)
                        and (pos - n, n) not in seen
                        and not (title in shared and _placed_locally(text, pos - n, before, name, title, lists, before=True))
                    ):
                        seen.add((pos - n, n))
                        yield pos - n, before + written_title, name + title
                if name in behind_names:
                    behind = text[after : after + n]
                    if (
                        misspelling(behind, name, any_char=False)
                        and (n >= 3 or _ends_name(text, after + n, lists.titles_longest_first, lists.followers))
                        and (after, n) not in seen
                        and not (title in shared and _placed_locally(text, after, behind, name, title, lists, before=False))
                    ):
                        seen.add((after, n))
                        yield pos, written_title + behind, title + name


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
    shared_titles: tuple[str, ...] = ()
    national_marks: tuple[str, ...] = ()
    local_marks: tuple[str, ...] = ()

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
            tuple(_strings(params.get("shared_titles"))),
            tuple(_strings(params.get("national_marks"))),
            tuple(_strings(params.get("local_marks"))),
        )

    @cached_property
    def matcher(self) -> _Matcher:
        """Every title, leader's name, wrong phrasing and forbidden word."""
        return _matcher((*self.titles, *self.leaders, *(wrong for wrong, _ in self.phrases), *self.words))

    @cached_property
    def traditional_matcher(self) -> _Matcher:
        """The titles as written in traditional script (總書記)."""
        return _matcher(tuple(self.title_of))

    @cached_property
    def traditional_marks(self) -> tuple[str, ...]:
        """A few characters, one of which every traditional form of a title holds and simplified
        script never writes (總, 書, 國 ...): a page without them has no such title, and looking for
        them costs less than a longer pattern for every page."""
        simplified = {ch for title in self.titles for ch in title}
        left, marks = set(self.title_of), []
        while left:
            counts: dict[str, int] = {}
            for form in left:
                for ch in set(form) - simplified:
                    counts[ch] = counts.get(ch, 0) + 1
            if not counts:  # a form written only with characters of the titles: look on every page
                return ("",)
            mark = max(sorted(counts), key=counts.__getitem__)
            marks.append(mark)
            left = {form for form in left if mark not in form}
        return tuple(marks)

    def find(self, text: str) -> dict[str, list[int]]:
        """Every title (in traditional script too), leader's name, wrong phrasing and forbidden word."""
        found = self.matcher.find(text)
        if any(mark in text for mark in self.traditional_marks):
            found.update(self.traditional_matcher.find(text))
        return found

    @cached_property
    def title_of(self) -> dict[str, str]:
        """Each title as written in traditional script -> the title (總書記 -> 总书记)."""
        return {form: title for title in self.titles for form in _traditional_forms(title) if form not in self.titles}

    @cached_property
    def titles_longest_first(self) -> list[str]:
        """The titles and their traditional forms, longest first (the titles first in each length, in
        the order they always had: of two titles around one window the first one found reports it)."""
        return sorted([*sorted(set(self.titles), key=len, reverse=True), *self.title_of], key=len, reverse=True)

    @cached_property
    def national_regex(self) -> re.Pattern[str] | None:
        return re.compile("|".join(map(re.escape, self.national_marks))) if self.national_marks else None

    @cached_property
    def local_regex(self) -> re.Pattern[str] | None:
        return re.compile("|".join(map(re.escape, self.local_marks))) if self.local_marks else None

    @cached_property
    def name_lengths(self) -> list[int]:
        return sorted({len(name) for name in self.leaders})

    @cached_property
    def names_by_end(self) -> dict[tuple[int, str], set[str]] | None:
        """Names by (length, first character) and by (-length, last character): a window one
        substitution away from a name of two or more characters keeps its first or its last one
        (as written in either script).
        None when a one-character name makes that test useless."""
        if any(len(name) < 2 for name in self.leaders):
            return None
        out: dict[tuple[int, str], set[str]] = {}
        trads = _traditional_of()
        for name in self.leaders:  # (and as written in traditional script: 習 for 习)
            for first in (name[0], *trads.get(name[0], ())):
                out.setdefault((len(name), first), set()).add(name)
            for last in (name[-1], *trads.get(name[-1], ())):
                out.setdefault((-len(name), last), set()).add(name)
        return out


@lru_cache(maxsize=16)
def _lists(*fields: Any) -> _Lists:
    return _Lists(*fields)


def _scan(url: str, text: str, lists: _Lists) -> list[Hit]:
    page = _Text(text)
    found = lists.find(page.compact)
    hits: list[Hit] = []
    if not found:
        return hits
    for start, written, right in _name_hits(page.compact, lists, found):
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
