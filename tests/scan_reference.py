"""The serious-error scan as it was before the one-pass matcher (commit c1422f5): the oracle.

A deliberately plain, per-character implementation kept only to check the fast scan against
(tests/test_errors.py, hits identical) and to measure it (bench/bench_errors.py, CPU ratio).
It uses pypinyin's own ``pinyin()`` for the readings, so it also checks the lean reading table.
Never imported by the package.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, Mapping, Sequence

from pypinyin import Style, pinyin

from inspector.core.checks.errors import CONTEXT_CHARS, Hit
from inspector.core.web.charset import clean_text

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"\s")


def compact(text: str) -> tuple[str, tuple[int, ...]]:
    kept = [(i, ch) for i, ch in enumerate(text) if not _SPACE.match(ch)]
    return "".join(ch for _, ch in kept), tuple(i for i, _ in kept)


def context(original: str, index: tuple[int, ...], start: int, length: int) -> str:
    if not index:
        return ""
    lo = index[max(0, start)]
    hi = index[min(len(index) - 1, start + length - 1)] + 1
    return clean_text(original[max(0, lo - CONTEXT_CHARS) : hi + CONTEXT_CHARS])


@lru_cache(maxsize=4096)
def readings(ch: str) -> frozenset[str]:
    return frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


def _is_cjk(text: str) -> bool:
    return bool(text) and all(_CJK.match(ch) for ch in text)


def misspelling(window: str, name: str, *, any_char: bool = True) -> bool:
    if len(window) != len(name) or window == name or not _is_cjk(window):
        return False
    diffs = [i for i, (a, b) in enumerate(zip(window, name)) if a != b]
    if len(diffs) != 1:
        return False
    i = diffs[0]
    if readings(window[i]) & readings(name[i]):
        return True
    return any_char and len(name) >= 3


def occurrences(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)


def _ends_name(text: str, end: int, titles: Sequence[str], followers: Sequence[str]) -> bool:
    rest = text[end:]
    if not rest or not _CJK.match(rest[0]):
        return True
    return any(rest.startswith(w) for w in (*titles, *followers))


def leader_hits(
    text: str, leaders: Sequence[str], titles: Sequence[str], followers: Sequence[str] = ()
) -> Iterator[tuple[int, str, str]]:
    seen: set[tuple[int, int]] = set()
    for title in sorted(set(titles), key=len, reverse=True):
        for pos in occurrences(text, title):
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


def _pairs(raw: Any) -> list[tuple[str, str]]:
    return [(str(e[0]), str(e[1])) for e in raw or () if isinstance(e, (list, tuple)) and len(e) >= 2 and e[0]]


def _strings(raw: Any) -> list[str]:
    return [str(v) for v in raw or () if isinstance(v, str) and v]


def scan_text(url: str, text: str, params: Mapping[str, Any]) -> list[Hit]:
    compacted, index = compact(text)
    hits: list[Hit] = []
    leaders, titles = _strings(params.get("leaders")), _strings(params.get("titles"))
    followers = _strings(params.get("name_followers"))
    for start, found, right in leader_hits(compacted, leaders, titles, followers):
        hits.append(Hit(url, start, found, right, "leader-name", context(text, index, start, len(found))))
    for wrong, right in _pairs(params.get("wrong_phrases")):
        for start in occurrences(compacted, wrong):
            hits.append(Hit(url, start, wrong, right, "wrong-phrase", context(text, index, start, len(wrong))))
    for word in _strings(params.get("forbidden_words")):
        for start in occurrences(compacted, word):
            hits.append(Hit(url, start, word, "", "forbidden-word", context(text, index, start, len(word))))
    return sorted(hits, key=lambda h: h.start)
