"""The quarter overview read for one site equals its row of the whole quarter; done is read without documents."""

from __future__ import annotations

import pytest

from inspector.core.quarter.inspection import NotDone, confirm_all, quarter_done, quarter_overview, set_progress
from tests.test_tui import QUARTER, build_workspace


def test_one_site_row_is_the_row_of_the_whole_quarter(tmp_path):
    ws = build_workspace(tmp_path / "ws")
    whole = quarter_overview(ws, QUARTER)
    assert len(whole) == 3 and {r["result"] for r in whole} == {"pass", "fail", None}
    for row in whole:
        assert quarter_overview(ws, QUARTER, [row["code"]]) == [row]
    assert quarter_overview(ws, QUARTER, ["0000000000"]) == []  # not sampled: no row


def test_a_quarter_is_done_when_every_sampled_site_is(tmp_path):
    ws = build_workspace(tmp_path / "ws")
    assert not quarter_done(ws, QUARTER) and not quarter_done(ws, "2025Q1")
    for code in ("3406000012", "3406000013"):
        confirm_all(ws, QUARTER, code, by="测试员")  # done needs every indicator decided
        set_progress(ws, QUARTER, code, "done")
    assert not quarter_done(ws, QUARTER)  # 3406000014 was never started
    with pytest.raises(NotDone):  # and cannot be done before it is checked
        set_progress(ws, QUARTER, "3406000014", "done")
    assert not quarter_done(ws, QUARTER)
    sample = ws.sample(QUARTER)  # the quarter without the unchecked site: every sampled site is done
    ws.save_sample({**sample, "codes": ["3406000012", "3406000013"]}, force=True)
    assert quarter_done(ws, QUARTER)
