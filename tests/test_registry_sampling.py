"""Registry import (CSV in every encoding, xlsx, bad rows) and the quarterly sample draw."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from inspector.core.quarter.registry import RegistryError, import_registry, parse_registry
from inspector.core.quarter.sampling import SamplingError, draw, redraw_matches
from inspector.core.store import DB_NAME, Workspace

HEADER = "网站标识码,网站名称,首页网址,主办单位,主管单位,地区,级别,运行状态,ICP备案号"
LEVELS = {"市级": 10, "县级": 40, "部门": 50}


def registry_rows(n_levels: dict[str, int] = LEVELS) -> list[str]:
    rows, i = [], 0
    for level, n in n_levels.items():
        for _ in range(n):
            i += 1
            code = f"3609{i:06d}"
            rows.append(f"{code},宜春市第{i}网站,http://site{i}.yichun.gov.cn/,宜春市人民政府办公室,宜春市人民政府,江西省宜春市,{level},正常运行,赣ICP备{i:08d}号")
    return rows


def write_csv(path: Path, lines: list[str], encoding: str) -> Path:
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "utf-8-bom":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    else:
        path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-bom", "gbk", "gb18030"])
def test_csv_imports_in_every_encoding(tmp_path, encoding):
    f = write_csv(tmp_path / "名录.csv", [HEADER] + registry_rows({"县级": 3}), encoding)
    report = parse_registry(f)
    assert [s["name"] for s in report.sites] == ["宜春市第1网站", "宜春市第2网站", "宜春市第3网站"]
    assert report.sites[0]["host_org"] == "宜春市人民政府办公室" and report.sites[0]["level"] == "县级"
    assert not report.rejected


def test_gb18030_only_characters_survive(tmp_path):
    # 𠮷 (U+20BB7) exists in GB18030 but not in GBK
    f = write_csv(tmp_path / "r.csv", [HEADER, "3609000001,𠮷安镇人民政府,http://a.gov.cn,,,,乡镇,正常运行,"], "gb18030")
    assert parse_registry(f).sites[0]["name"] == "𠮷安镇人民政府"


def test_xlsx_with_alternative_and_english_headers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2026年网站名录"])  # a title row above the header, as exports often have
    ws.append(["政府网站标识码", "网站名称", "网站首页网址", "主办单位", "level", "status"])
    ws.append(["bm55000001", "某部委网站", "https://www.example.gov.cn", "某部", "部委", "正常运行"])
    ws.append([3609000002, "数字标识码", "www.yichun.gov.cn", "宜春", "市级", "永久下线"])
    wb.save(tmp_path / "r.xlsx")
    report = parse_registry(tmp_path / "r.xlsx")
    assert [(s["code"], s["url"], s["running"]) for s in report.sites] == [
        ("bm55000001", "https://www.example.gov.cn/", True),
        ("3609000002", "http://www.yichun.gov.cn/", False),
    ]


def test_bad_rows_are_reported_and_do_not_stop_good_rows(tmp_path):
    lines = [
        HEADER,
        "3609000001,好网站,http://good.gov.cn/,,,,县级,正常运行,",
        "12345,短标识码,http://a.gov.cn/,,,,县级,正常运行,",
        "3609000002,,http://b.gov.cn/,,,,县级,正常运行,",
        "3609000003,坏网址,ftp://c.gov.cn/,,,,县级,正常运行,",
        "3609000001,重复,http://dup.gov.cn/,,,,县级,正常运行,",
        "bm1234567x,坏部委码,http://d.gov.cn/,,,,部委,正常运行,",
    ]
    report = parse_registry(write_csv(tmp_path / "r.csv", lines, "gbk"))
    assert [s["code"] for s in report.sites] == ["3609000001"]
    assert [r for r, _ in report.rejected] == [3, 4, 5, 6, 7]
    reasons = dict(report.rejected)
    assert "网站标识码" in reasons[3] and "网站名称" in reasons[4] and "http" in reasons[5]
    assert "重复" in reasons[6] and "第 2 行" in reasons[6]


@pytest.mark.parametrize(
    "content",
    [b"name,age\nbob,3\n", b"\x89PNG\r\n\x1a\n\x00\x00binary", b"", "随便写的一段话\n没有表头".encode("gbk")],
)
def test_a_file_that_is_not_a_registry_is_rejected_without_touching_the_workspace(tmp_path, content):
    ws = Workspace(tmp_path / "ws")
    import_registry(ws, write_csv(tmp_path / "ok.csv", [HEADER] + registry_rows({"县级": 2}), "utf-8"))
    before = (tmp_path / "ws" / DB_NAME).read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(RegistryError):
        import_registry(ws, bad)
    assert (tmp_path / "ws" / DB_NAME).read_bytes() == before


def test_reimport_upserts(tmp_path):
    ws = Workspace(tmp_path / "ws")
    f = write_csv(tmp_path / "r.csv", [HEADER] + registry_rows({"县级": 3}), "utf-8")
    assert (import_registry(ws, f).added, import_registry(ws, f).updated) == (3, 3)
    assert len(ws.sites()) == 3


# ----------------------------------------------------------------------------- sampling


def _gbk_workspace(tmp_path: Path, name: str) -> Workspace:
    ws = Workspace(tmp_path / name)
    import_registry(ws, write_csv(tmp_path / f"{name}.csv", [HEADER] + registry_rows(), "gbk"))
    return ws


def test_gbk_registry_of_100_sites_in_3_levels_samples_ceil_20_percent_reproducibly(tmp_path):
    a, b = _gbk_workspace(tmp_path, "a"), _gbk_workspace(tmp_path, "b")
    assert len(a.sites()) == 100
    sa = draw(a.sites(), "2026Q4", seed=7)
    sb = draw(b.sites(), "2026Q4", seed=7)
    levels = {s["code"]: s["level"] for s in a.sites()}
    for level, n in LEVELS.items():
        assert sum(1 for c in sa["codes"] if levels[c] == level) == math.ceil(0.2 * n)
        assert sa["strata"][level] == {"size": n, "drawn": math.ceil(0.2 * n)}
    assert sa["codes"] == sb["codes"] and sa["size"] == 2 + 8 + 10
    assert draw(a.sites(), "2026Q4", seed=8)["codes"] != sa["codes"]
    assert draw(a.sites(), "2027Q1", seed=7)["codes"] != sa["codes"]
    assert redraw_matches(sa, b.sites())


def test_population_is_running_sites_and_small_strata_get_one(tmp_path):
    sites = [
        {"code": "3609000001", "level": "市级", "running": True},
        {"code": "3609000002", "level": "乡镇", "running": True},
        {"code": "3609000003", "level": "乡镇", "running": False},
    ] + [{"code": f"36091000{i:02d}", "level": "县级", "running": True} for i in range(11)]
    s = draw(sites, "2026Q4", seed=1, include=["3609000003"])
    assert s["population_size"] == 13
    assert s["strata"] == {"乡镇": {"size": 1, "drawn": 1}, "县级": {"size": 11, "drawn": 3}, "市级": {"size": 1, "drawn": 1}}
    assert s["included"] == ["3609000003"] and s["codes"][-1] == "3609000003" and s["size"] == 6


def test_region_strata_when_no_levels():
    sites = [{"code": f"36090000{i:02d}", "region": "袁州区" if i % 2 else "万载县", "level": "", "running": True} for i in range(10)]
    s = draw(sites, "2026Q4", seed=3)
    assert s["stratified_by"] == "region" and set(s["strata"]) == {"袁州区", "万载县"}


@pytest.mark.parametrize("kwargs", [{"quarter": "2026Q5"}, {"quarter": "26Q1"}, {"ratio": 0}, {"ratio": 1.5}, {"include": ["0000000000"]}])
def test_bad_draw_parameters(kwargs):
    sites = [{"code": "3609000001", "level": "市级", "running": True}]
    args = {"quarter": "2026Q4", **kwargs}
    with pytest.raises(SamplingError):
        draw(sites, args.pop("quarter"), **args)
