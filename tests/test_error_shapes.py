"""`serious-errors` on page shapes beyond the plain ``name + title`` sentence: markup splitting a name,
local officials who share a title and a reading with a leader, traditional script, lists of leaders.

Each case is a page (HTML) and the leaders a careful inspector flags on it, one per wrong occurrence.
"""

from __future__ import annotations

from collections import Counter

import pytest

from inspector.core.checklist import load_checklist
from inspector.core.checks.errors import scan_text, visible_text

PARAMS = load_checklist("census-2015").params("serious-errors")


def _flagged(html: str) -> list[str]:
    hits = scan_text("u", visible_text(f"<html><body>{html}</body></html>"), PARAMS)
    names = sorted(PARAMS["leaders"], key=len, reverse=True)
    return [next(n for n in names if n in h.suggestion) for h in hits if h.kind == "leader-name"]


CASES = [
    # ---- the correct name, however the markup cuts it, and words that only overlap it
    ("<p>会议传达学习了习<span>近</span>平总书记重要讲话精神。</p>", []),
    ("<table><tr><td>学习贯彻习近<br>平新时代中国特色社会主义思想，习近<br/>平总书记指出</td></tr></table>", []),
    ("<p>习&nbsp;近平总书记强调，习\u3000近平同志指出，总书记习 近平</p>", []),
    ("<p>认真学习近平时积累的经验，学习习近平总书记讲话。国务院总理李强调研时指出。</p>", []),
    ("<p>习近平、李强、赵乐际、王沪宁、蔡奇、丁薛祥、李希、韩正等出席。</p>", []),
    # ---- local officials: a shared title (书记, 主席, 同志) in a local unit or a personnel action
    ("<p>县委副书记、县长王怡主持会议，县委书记王艺同志出席并讲话。</p>", []),
    ("<p>任命王奕同志为县教育局局长；免去李蔷同志的县卫健局副局长职务；蔡琪同志任县财政局副局长。</p>", []),
    ("<p>镇党委书记李熙主持召开专题会议。</p>", []),
    ("<p>县政协主席韩峥出席。副主席王逸同志讲话。</p>", []),
    ("<p>市委常委、秘书长蔡琦同志陪同调研。</p>", []),
    # a three-character namesake (two characters shared, the third reads otherwise)
    ("<p>县委副书记丁志祥同志、县人大常委会主任王建宁同志出席。王海宁书记作总结。</p>", []),
    # a two-character leader's name as the given name of a three-character one
    ("<p>副县长张立强同志带队检查，刘利强书记讲话。</p>", []),
    ("<p>李强同志主持。黎明、何汉正同志参加。</p>", []),
    # ---- real typos stay found
    ("<p>深入学习习近萍总书记重要讲话精神。</p>", ["习近平"]),
    ("<p>刁近平总书记指出，发展是第一要务。</p>", ["习近平"]),
    ("<p>以习近乎同志为核心的党中央</p>", ["习近平"]),  # the centre named: any substitution
    ("<p>中共中央政治局常委、中央纪委书记李溪出席会议。国务院副总理丁雪祥指出。</p>", ["李希", "丁薛祥"]),
    ("<p>中共中央政治局委员、外交部长王毅会见。国家副主席韩政出席。</p>", ["韩正"]),
    ("<p>县委理论学习中心组学习中共中央政治局常委蔡琦同志的讲话。</p>", ["蔡奇"]),  # national wins over local
    ("<p>李墙同志指出，要稳中求进。</p>", ["李强"]),  # nothing places it: still a candidate
    ("<table><tr><td>学习贯彻习进\n平总书记</td></tr></table>", ["习近平"]),
    ("<p>" + "学习习进平总书记讲话。" * 4 + "</p>", ["习近平"] * 4),
    # a local page studying a leader's words: titles only leaders bear are never placed locally
    ("<p>县委常委会传达学习李墙总理讲话精神。</p>", ["李强"]),
    # ---- traditional script: the titles are found there too
    ("<p>中共中央總書記、國家主席習近平發表重要講話。國務院總理李強主持會議。</p>", []),
    ("<p>習進平總書記強調。國務院總理李牆主持會議。</p>", ["习近平", "李强"]),
    ("<p>全國人大常委會委員長趙樂季出席。</p>", ["赵乐际"]),  # (after a title: same-pinyin only)
    # ---- a list of leaders names them as a title would
    ("<p>习近平、李强、赵乐际、王沪宁、蔡琦、丁薛祥、李希等党和国家领导人出席大会。</p>", ["蔡奇"]),
    ("<p>出席会议的有李溪、韩正和王沪宁。</p>", ["李希"]),
    ("<p>习近平、李强、赵乐际、王护宁等</p>", ["王沪宁"]),
    ("<p>习近平、李强、蔡琦同志出席。</p>", ["蔡奇"]),  # one occurrence, one hit
    # a list of other people beside a leader's name is no list of leaders
    ("<p>参加人员：李强、王艺、蔡琪、张伟。</p>", []),
    ("<p>村两委班子：李希、王怡、韩政、刘洋</p>", []),
]


@pytest.mark.parametrize("html, truth", CASES)
def test_page_shapes(html: str, truth: list[str]) -> None:
    assert Counter(_flagged(html)) == Counter(truth)


def test_without_shared_titles_every_title_is_a_leaders() -> None:
    """The place rules come from the checklist: a checklist without them flags as before."""
    bare = {k: v for k, v in PARAMS.items() if k not in ("shared_titles", "local_marks", "national_marks")}
    hits = scan_text("u", "县委书记王艺同志出席", bare)
    assert len(hits) == 1 and "王毅" in hits[0].suggestion


def test_one_endless_list_of_names_is_read_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile page of one list of names thousands of items long: each misspelt item next to a leader's
    name looks at a bounded stretch of the list, not the whole of it (which made the scan quadratic)."""
    from inspector.core.checks import errors

    looked = Counter()
    cjk = errors._CJK

    class Counting:
        def match(self, text: str, pos: int = 0):  # noqa: ANN201
            looked["match"] += 1
            return cjk.match(text, pos)

    monkeypatch.setattr(errors, "_CJK", Counting())
    text = ("李强、" + "李墙、" * 1000) * 20
    scan_text("http://www.example.gov.cn/", text, PARAMS)
    assert looked["match"] < 100_000, looked  # (the whole list each time: several million)
