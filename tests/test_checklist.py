"""Checklist loading (data, not code) and the scoring engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.core.checklist import ChecklistError, load_checklist, parse_checklist
from inspector.core.scoring import Decision, prefill, score_site
from inspector.core.model import Outcome

FIXTURES = Path(__file__).parent / "fixtures"
CENSUS = load_checklist("census-2015")

ALL_IDS = {
    "site-unreachable", "site-not-updated", "columns-not-updated", "serious-errors", "poor-interaction",
    "homepage-availability", "link-availability", "homepage-updates", "basic-information", "consultation",
    "solicitation", "interviews", "service-guides", "attachments", "online-systems",
}


def test_census_has_all_15_indicators_with_the_checklist_measures():
    assert set(CENSUS.indicators) == ALL_IDS
    assert len(CENSUS.veto_ids) == 5 and len(CENSUS.deduction_ids) == 10
    assert CENSUS.indicators["link-availability"].measures == ("checked", "homepage_broken", "other_broken")
    assert CENSUS.window("news") == 14 and CENSUS.window("notice") == 180 and CENSUS.window("personnel") == 365


@pytest.mark.parametrize(
    "title, category",
    [("工作动态", "news"), ("通知公告", "notice"), ("人事任免", "personnel"), ("市长信箱", "consultation"),
     ("网上信访", "excluded"), ("纪检举报", "excluded"), ("意见征集", "solicitation"), ("在线访谈", "interview"),
     ("办事指南", "service"), ("走进本市", None),
     ("12345政务服务便民热线", "consultation"), ("12345热线留言", "consultation"), ("我要写信", "consultation")],
)
def test_column_classification_comes_from_the_keywords(title, category):
    assert CENSUS.classify(title) == category


def test_a_second_checklist_needs_no_code(tmp_path):
    mini = load_checklist(FIXTURES / "mini-checklist.toml")
    assert mini.id == "mini-test" and mini.veto_ids == ["site-down"]
    pre = {
        "site-down": prefill(mini.indicators["site-down"], Outcome(measures={"failure_rate": 0.05})),
        "broken-links": prefill(mini.indicators["broken-links"], Outcome(measures={"broken": 9})),
    }
    assert pre["broken-links"]["deduction"] == 10.0  # capped
    _, v = score_site(mini, pre)
    assert v == {"vetoes": [], "pending_vetoes": [], "deduction_total": 10.0, "score": 40.0, "result": "fail"}


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda d: d["indicators"]["link-availability"].pop("kind"), "indicators.link-availability.kind"),
        (lambda d: d["indicators"]["link-availability"]["points"][0].update(per="nope"), "indicators.link-availability.points[0].per"),
        (lambda d: d["indicators"]["site-unreachable"]["veto_when"][0].update(op="=~"), "indicators.site-unreachable.veto_when[0].op"),
        (lambda d: d["categories"]["news"].update(window_days="14"), "categories.news.window_days"),
        (lambda d: d["checklist"].pop("fail_below"), "checklist.fail_below"),
        (lambda d: d["indicators"]["consultation"].update(mode="max"), "indicators.consultation.mode"),
    ],
)
def test_malformed_checklist_is_rejected_naming_the_key(mutate, key):
    import tomllib

    data = tomllib.loads(CENSUS.path.read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(ChecklistError) as err:
        parse_checklist(data)
    assert str(err.value).startswith(key)


def test_invalid_toml_file_is_reported(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[checklist\nid = 1", encoding="utf-8")
    with pytest.raises(ChecklistError, match="bad.toml: not valid TOML"):
        load_checklist(bad)


# ----------------------------------------------------------------------------- scoring table

PASSING = {
    "site-unreachable": {"attempts": 20, "failures": 0, "failure_rate": 0.0},
    "site-not-updated": {"homepage_items": 30, "homepage_items_in_window": 12, "navigation_only": False},
    "columns-not-updated": {"stale_news_columns": 0, "stale_notice_columns": 0, "stale_columns": 0, "blank_columns": 0},
    "serious-errors": {"hits": 0},
    "poor-interaction": {"has_channel": True, "messages_in_year": 10, "overdue_messages": 0},
    "homepage-availability": {"failure_rate": 0.0},
    "link-availability": {"checked": 100, "homepage_broken": 0, "other_broken": 0},
    "homepage-updates": {"items_in_window": 12},
    "basic-information": {"stale_news_columns": 0, "stale_notice_columns": 0, "stale_personnel_columns": 0},
    "consultation": {"has_column": True, "messages_in_year": 10},
    "solicitation": {"has_column": True, "activities_in_year": 8},
    "interviews": {"has_column": True, "activities_in_year": 8},
    "service-guides": {"guides_checked": 3, "guides_incomplete": 0, "missing_elements": 0},
    "attachments": {"checked": 5, "broken": 0},
    "online-systems": {"checked": 2, "unreachable": 0},
}


def _prefills(**changes):
    measures = {k: dict(v) for k, v in PASSING.items()}
    for iid, m in changes.items():
        measures[iid.replace("_", "-")].update(m)
    return {iid: prefill(CENSUS.indicators[iid], Outcome(measures=m)) for iid, m in measures.items()}


@pytest.mark.parametrize(
    "changes, decisions, expected",
    [
        # nothing wrong
        ({}, {}, ("pass", 0.0, [])),
        # exactly 40 deducted: 8 stale news (24) + 4 stale notice (16) -> 60 points, still passes
        ({"basic_information": {"stale_news_columns": 8, "stale_notice_columns": 4}}, {}, ("pass", 40.0, [])),
        # 40.1 deducted -> fails: the above plus one broken link on another page (0.1)
        ({"basic_information": {"stale_news_columns": 8, "stale_notice_columns": 4},
          "link_availability": {"other_broken": 1}}, {}, ("fail", 40.1, [])),
        # one veto, nothing deducted -> fails
        ({"site_not_updated": {"homepage_items_in_window": 0}}, {}, ("fail", 0.0, ["site-not-updated"])),
        # inspector overrides a failing pre-fill to pass (e.g. the broken links were false alarms)
        ({"link_availability": {"homepage_broken": 45}}, {"link-availability": Decision("pass", note="CDN blip")},
         ("pass", 0.0, [])),
        # inspector overrides a passing pre-fill to a veto
        ({}, {"serious-errors": Decision("fail", note="leader name misspelt on /a/1.html")},
         ("fail", 0.0, ["serious-errors"])),
        # inspector sets the points of a deduction indicator
        ({}, {"service-guides": Decision("fail", points=41.0, note="guides useless")}, ("fail", 41.0, [])),
        # 5 % failures is a veto (>= 5 %)
        ({"site_unreachable": {"failures": 1, "failure_rate": 0.05}}, {}, ("fail", 0.0, ["site-unreachable"])),
    ],
)
def test_verdict_table(changes, decisions, expected):
    pre = _prefills(**changes)
    # deduction from homepage-availability is 0 unless changed
    _, v = score_site(CENSUS, pre, decisions)
    result, total, vetoes = expected
    assert (v["result"], v["deduction_total"], v["vetoes"]) == (result, total, vetoes)
    assert v["score"] == round(100 - total, 4)


def test_review_veto_makes_the_result_review_until_the_inspector_decides():
    pre = _prefills()
    pre["serious-errors"] = prefill(CENSUS.indicators["serious-errors"], Outcome(measures={"hits": 2}, status="review"))
    assert pre["serious-errors"]["status"] == "review"
    _, v = score_site(CENSUS, pre)
    assert v["result"] == "review" and v["pending_vetoes"] == ["serious-errors"]
    _, v = score_site(CENSUS, pre, {"serious-errors": {"status": "pass", "note": "quotes a correct name"}})
    assert v["result"] == "pass"


def test_missing_measure_means_review_not_a_guess():
    entry = prefill(CENSUS.indicators["site-not-updated"], Outcome(measures={"homepage_items": None}))
    assert entry["status"] == "review"


@pytest.mark.parametrize(
    "iid, measures, points",
    [
        ("homepage-availability", {"failure_rate": 0.02}, 10.0),
        ("link-availability", {"checked": 50, "homepage_broken": 3, "other_broken": 17}, 4.7),
        ("homepage-updates", {"items_in_window": 9}, 5.0),
        ("homepage-updates", {"items_in_window": 10}, 0.0),
        ("consultation", {"has_column": False, "messages_in_year": 0}, 5.0),
        ("solicitation", {"has_column": True, "activities_in_year": 0}, 5.0),
        ("solicitation", {"has_column": True, "activities_in_year": 5}, 3.0),
        ("interviews", {"has_column": False, "activities_in_year": 0}, 5.0),
        ("attachments", {"checked": 9, "broken": 3}, 3.0),
        ("online-systems", {"checked": 3, "unreachable": 2}, 10.0),
    ],
)
def test_points_per_checklist(iid, measures, points):
    assert prefill(CENSUS.indicators[iid], Outcome(measures=measures))["deduction"] == points


def test_decision_validates_status():
    with pytest.raises(ValueError):
        Decision("maybe")


def test_a_checklist_is_parsed_once_per_version_of_its_file(tmp_path, monkeypatch):
    import tomllib

    from inspector.core import checklist as module

    source = next(iter(module.available_checklists().values())).read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(source, encoding="utf-8")
    parses, real = [], tomllib.loads
    monkeypatch.setattr(module.tomllib, "loads", lambda text: parses.append(1) or real(text))
    first = module.load_checklist(path)
    assert module.load_checklist(path) is first and module.load_checklist(str(path)) is first
    assert len(parses) == 1
    path.write_text(source.replace("fail_below", "fail_below", 1) + "\n# edited\n", encoding="utf-8")
    assert module.load_checklist(path) is not first and len(parses) == 2
