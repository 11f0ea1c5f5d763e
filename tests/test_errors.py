"""`serious-errors`: leader-name typos, wrong phrasings and forbidden words as candidates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from inspector.core.checklist import load_checklist, parse_checklist
from inspector.core.scoring import prefill
from inspector.core.checks.errors import errors_outcome, leader_hits, misspelling, visible_text
from inspector.core.model import CrawlResult, Page
from tests.realpages import realpages_dir

FIXTURES = Path(__file__).parent / "fixtures" / "checks2"
REALPAGES = realpages_dir()
CENSUS = load_checklist("census-2015")
PARAMS = CENSUS.params("serious-errors")
AS_OF = date(2026, 11, 20)


def _crawl(**pages: str) -> CrawlResult:
    crawl = CrawlResult(start_url="http://127.0.0.1:1/")
    for name, html in pages.items():
        url = f"http://127.0.0.1:1/{name}.html"
        crawl.pages[url] = Page(url=url, final_url=url, status=200, content_type="text/html", html=html)
    return crawl


def _found(text: str) -> list[str]:
    return [found for _, found, _ in leader_hits(text, PARAMS["leaders"], PARAMS["titles"], PARAMS["name_followers"])]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("学习习进平总书记讲话", ["习进平总书记"]),
        ("总书记习进平指出", ["总书记习进平"]),
        ("李墙总理主持会议", ["李墙总理"]),
        ("赵乐平委员长", ["赵乐平委员长"]),  # 3-character name: any one-character substitution before a title
        ("李强同志", []),
        ("习近平总书记", []),
        ("张强主任", []),  # 主任 is not a title
        ("副县长李刚书记", []),  # 2-character name, substitution not same-pinyin: a local official
        ("李强华书记", []),
        ("王强总理", []),
        ("县政协主席王一鸣同志", []),  # 王一 after a title continues into a longer name
        ("政法委书记丁小祥", []),  # after a title: only same-pinyin substitutions
        ("主席王一指出", ["主席王一"]),
        # traditional script: the name as written there is the name; a typo in it is still one
        ("國家主席習近平指出", []),
        ("李強同志主持會議", []),
        ("韓正同志", []),
        ("國家主席習進平指出", ["主席習進平"]),
        ("習近平同志強調", []),
    ],
)
def test_leader_name_windows(text: str, expected: list[str]) -> None:
    assert _found(text) == expected


def test_misspelling_rules() -> None:
    assert misspelling("李墙", "李强") and not misspelling("李刚", "李强")
    assert misspelling("习近乎", "习近平") and not misspelling("习近乎", "习近平", any_char=False)
    assert not misspelling("习近平", "习近平") and not misspelling("李强华", "李强") and not misspelling("李 ", "李强")


def test_visible_text_ignores_script_and_style() -> None:
    text = visible_text((FIXTURES / "article_typo.html").read_text(encoding="utf-8"))
    assert "var leader" not in text and ".x{" not in text and "县委书记李明" in text


def test_typo_article_found_with_context_and_no_false_hit_on_local_names() -> None:
    crawl = _crawl(
        typo=(FIXTURES / "article_typo.html").read_text(encoding="utf-8"),
        clean=(FIXTURES / "article_clean.html").read_text(encoding="utf-8"),
    )
    outcome = errors_outcome(crawl, CENSUS, AS_OF)
    assert outcome.status == "review"
    assert outcome.measures == {"hits": 2}
    by_detail = {f.detail: f for f in outcome.findings}
    name_hit = by_detail["领导人姓名疑似错误：「习进平总书记」应为「习近平总书记」"]
    assert name_hit.url.endswith("/typo.html")
    assert "深入学习贯彻习进平" in name_hit.where and "\n" not in name_hit.where
    phrase = by_detail["表述疑似错误：「中华人民共合国」应为「中华人民共和国」"]
    assert phrase.url.endswith("/typo.html") and "宪法" in phrase.where
    assert "2026-11-01" in outcome.note and "领导人姓名 9 个" in outcome.note


def test_no_hit_means_status_left_to_the_rule() -> None:
    crawl = _crawl(clean=(FIXTURES / "article_clean.html").read_text(encoding="utf-8"))
    outcome = errors_outcome(crawl, CENSUS, AS_OF)
    assert outcome.measures == {"hits": 0} and outcome.status is None and outcome.findings == []
    assert prefill(CENSUS.indicators["serious-errors"], outcome)["status"] == "pass"


def test_forbidden_word_and_control_characters_are_stripped() -> None:
    crawl = _crawl(bad="<html><body><p>\x1b[31m某网站转载台独言论\x07，已删除。</p></body></html>")
    outcome = errors_outcome(crawl, CENSUS, AS_OF)
    assert outcome.measures["hits"] == 1
    finding = outcome.findings[0]
    assert "台独" in finding.detail and "\x1b" not in finding.where and "\x07" not in finding.where


def test_lists_come_from_the_checklist() -> None:
    raw = {
        "checklist": {"id": "t", "fail_below": 60},
        "indicators": {
            "serious-errors": {
                "name": "x", "group": "g", "kind": "veto", "measures": ["hits"],
                "veto_when": [{"measure": "hits", "op": ">=", "value": 1}],
                "params": {"leaders": ["张三丰"], "titles": ["掌门"], "wrong_phrases": [], "forbidden_words": []},
            }
        },
    }
    custom = parse_checklist(raw)
    crawl = _crawl(a="<html><body>张三风掌门来了，习进平总书记</body></html>")
    outcome = errors_outcome(crawl, custom, AS_OF)
    assert outcome.measures == {"hits": 1} and "张三丰掌门" in outcome.findings[0].detail


def test_malformed_html_does_not_crash() -> None:
    crawl = _crawl(a="", b="<<<>>>\x00", c="<html><body><p>李墙总理")
    assert errors_outcome(crawl, CENSUS, AS_OF).measures == {"hits": 1}


def test_no_false_hit_on_real_government_pages() -> None:
    pages = {p.stem: p.read_text(encoding="utf-8", errors="replace") for p in REALPAGES.rglob("*.html")}
    assert pages
    crawl = _crawl(**pages)
    assert errors_outcome(crawl, CENSUS, AS_OF).measures == {"hits": 0}


# ----------------------------------------------------------------- one-pass scan == the old scan

ORACLE_PARAMS = {
    **PARAMS,
    # nested and prefix-sharing words, so overlapping occurrences must all be found
    "forbidden_words": [*PARAMS["forbidden_words"], "台独分子", "独", "主席台"],
    "wrong_phrases": [*PARAMS["wrong_phrases"], ["中国共产当员", "中国共产党员"], ["共合", "共和"]],
    # the oracle knows no shared titles: every title is a leader's (tests/test_error_shapes.py has those rules)
    "shared_titles": [],
}
_PIECES = [
    "习近平", "习进平", "总书记", "书记", "主席", "副主席", "李墙", "李强", "王一", "同志", "中华人民共合国",
    "中国共产当员", "台独分子", "主席台", "县委", "赵乐平", "委员长", "丁小祥", "指出", "，", "。", "a",
    " ", "\n", "\u3000", "\t", "\xa0", "  \n ",
]


def _random_texts(count: int) -> list[str]:
    import random

    rng = random.Random(15)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 60))) for _ in range(count)]


def test_scan_hits_identical_to_the_per_character_scan() -> None:
    from inspector.core.checks.errors import scan_text
    from tests import scan_reference

    texts = _random_texts(1500)
    texts += [visible_text(p.read_text(encoding="utf-8", errors="replace")) for p in REALPAGES.rglob("*.html")]
    texts += [visible_text((FIXTURES / f).read_text(encoding="utf-8")) for f in ("article_typo.html", "article_clean.html")]
    texts += ["", " ", "\n\n", "李墙总理", "  李 墙\n总理  "]
    planted = 0
    for text in texts:
        ours = scan_text("u", text, ORACLE_PARAMS)
        assert ours == scan_reference.scan_text("u", text, ORACLE_PARAMS), text
        planted += len(ours)
    assert planted > 1000  # the random texts really do carry hits of every kind


def test_whitespace_split_is_the_regex_whitespace() -> None:
    """The compact text drops exactly what ``\\s`` matched before (str.split and re agree)."""
    import re
    import sys

    space = re.compile(r"\s")
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert (ch.split() == []) == bool(space.match(ch)), hex(cp)


def test_readings_match_pypinyin_for_every_character() -> None:
    from inspector.core.checks.errors import _reading_table, _readings
    from tests.scan_reference import readings

    table = _reading_table()
    assert len(table) > 40_000
    for key in table:
        ch = chr(int(key))
        assert _readings(ch) == readings(ch), ch
    assert _readings("a") == readings("a") and _readings("\u9fff") == readings("\u9fff")


def test_scanning_does_not_load_the_phrase_dictionary() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from inspector.core import runner\n"
        "from inspector.core.checks.errors import scan_text\n"
        "from inspector.core.checklist import load_checklist\n"
        "hits = scan_text('u', '学习习进平总书记讲话', load_checklist().params('serious-errors'))\n"
        "assert [h.found for h in hits] == ['习进平总书记'], hits\n"
        "assert 'pypinyin' not in sys.modules and 'pypinyin.phrases_dict' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_pages_read_early_are_not_scanned_again_and_a_replaced_page_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawl's early reader scans each page as it arrives; the family then reuses those hits
    (same findings as without it) and scans again only what changed: replaced text, other lists."""
    from inspector.core.checks import early_reader
    from inspector.core.checks import errors

    typo = (FIXTURES / "article_typo.html").read_text(encoding="utf-8")
    clean = (FIXTURES / "article_clean.html").read_text(encoding="utf-8")
    cold = errors_outcome(_crawl(typo=typo, clean=clean), CENSUS, AS_OF)

    scanned: list[str] = []
    real_scan = errors._scan
    monkeypatch.setattr(errors, "_scan", lambda url, text, lists: scanned.append(url) or real_scan(url, text, lists))
    crawl = _crawl(typo=typo, clean=clean)
    read = early_reader(CENSUS)
    assert read is not None
    for page in crawl.pages.values():
        read(page)
    assert sorted(scanned) == sorted(crawl.pages)
    scanned.clear()
    warm = errors_outcome(crawl, CENSUS, AS_OF)
    assert scanned == []
    assert warm.measures == cold.measures and warm.findings == cold.findings

    # the browser replaced the clean page's text: that page alone is scanned again, its new hit found
    replaced = crawl.pages["http://127.0.0.1:1/clean.html"]
    replaced.html = clean.replace("</body>", "<p>中华人民共合国宪法</p></body>")
    again = errors_outcome(crawl, CENSUS, AS_OF)
    assert scanned == [replaced.url]
    assert again.measures == {"hits": cold.measures["hits"] + 1}

    # other lists (a custom checklist) scan every page again with those lists
    scanned.clear()
    custom = parse_checklist({
        "checklist": {"id": "t", "fail_below": 60},
        "indicators": {"serious-errors": {
            "name": "x", "group": "g", "kind": "veto", "measures": ["hits"],
            "veto_when": [{"measure": "hits", "op": ">=", "value": 1}],
            "params": {"leaders": ["张三丰"], "titles": ["掌门"], "wrong_phrases": [], "forbidden_words": []},
        }},
    })
    assert errors_outcome(crawl, custom, AS_OF).measures == {"hits": 0}
    assert sorted(scanned) == sorted(crawl.pages)
