"""Service guides: elements read from tables, definition lists and headed sections."""

from __future__ import annotations

from pathlib import Path

from inspector.core.checklist import load_checklist, parse_checklist
from inspector.core.extract.guides import element_groups, find_guides, is_empty, read_guide
from inspector.core.model import Column, CrawlResult, Item, Page

GUIDES = Path(__file__).parent / "fixtures" / "checks2" / "guides"
CENSUS = load_checklist("census-2015")
PARAMS = CENSUS.params("service-guides")
HOST = "http://127.0.0.1:1"
ALL = ["事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程"]


def page(name: str, path: str | None = None) -> Page:
    url = f"{HOST}/{path or 'bszn/' + name}"
    return Page(url=url, final_url=url, status=200, content_type="text/html",
                html=(GUIDES / name).read_text(encoding="utf-8"))


def test_elements_come_from_the_checklist() -> None:
    groups = element_groups(PARAMS)
    assert list(groups) == ALL
    assert "申请材料" in groups["办理材料"] and "咨询电话" in groups["联系电话"]


def test_empty_values() -> None:
    empties = PARAMS["empty_values"]
    assert is_empty("", empties) and is_empty(" 无 ", empties) and is_empty("——", empties) and is_empty("：", empties)
    assert not is_empty("不收费", empties) and not is_empty("0551-12345", empties)


def test_guide_as_label_value_table_with_empty_cells() -> None:
    guide = read_guide(page("table.html"), PARAMS)
    assert guide is not None and guide.title == "城乡居民最低生活保障审批"
    assert guide.missing == ["办理地点", "联系电话", "办理流程"]  # empty cell, 无, no label at all
    assert guide.empty == ["办理地点", "联系电话"]


def test_guide_as_definition_list_with_synonym_labels() -> None:
    guide = read_guide(page("dl.html"), PARAMS)
    assert guide is not None and guide.present == ALL and guide.missing == []


def test_guide_as_headed_sections() -> None:
    guide = read_guide(page("headings.html"), PARAMS)
    assert guide is not None
    # 办理流程's section holds only an empty 办理时间 line (—), 办理地点's heading is followed by another heading
    assert guide.missing == ["办理地点", "办理时间", "办理流程"]
    assert "联系电话" in guide.present  # 监督电话：0551-12345


def test_guide_as_header_row_table() -> None:
    html = (
        "<html><head><title>办事指南</title></head><body><table>"
        "<tr><th>事项名称</th><th>办理依据</th><th>受理条件</th><th>申请材料</th><th>办理地址</th></tr>"
        "<tr><td>门牌号码编制</td><td>《地名管理条例》</td><td>新建房屋</td><td>申请表</td><td>/</td></tr>"
        "</table></body></html>"
    )
    guide = read_guide(Page(url=HOST + "/g.html", html=html), PARAMS)
    assert guide is not None
    assert guide.present == ["事项名称", "设定依据", "申请条件", "办理材料"]
    assert guide.missing == ["办理地点", "办理时间", "联系电话", "办理流程"] and guide.empty == ["办理地点"]


def test_find_guides_from_service_column_items_and_keyword_titles() -> None:
    crawl = CrawlResult(start_url=HOST + "/")
    for p in (page("index.html"), page("table.html"), page("headings.html"), page("dl.html", "other/dl.html")):
        crawl.pages[p.url] = p
    news = Page(url=HOST + "/news.html", html="<html><head><title>新闻</title></head><body>办理时间：工作日</body></html>")
    crawl.pages[news.url] = news
    column = Column("办事指南", HOST + "/bszn/index.html", "service",
                    items=[Item("低保", HOST + "/bszn/table.html", None), Item("消防", HOST + "/bszn/headings.html", None)])
    guides = find_guides(crawl, [column], CENSUS)
    urls = [g.url.removeprefix(HOST) for g in guides]
    assert urls == ["/bszn/table.html", "/bszn/headings.html", "/other/dl.html"]  # index and news are not guides


def test_min_labels_and_elements_are_configurable() -> None:
    raw = {
        "checklist": {"id": "t", "fail_below": 60},
        "indicators": {
            "service-guides": {
                "name": "x", "group": "g", "kind": "deduction", "measures": ["missing_elements"],
                "points": [{"per": "missing_elements", "each": 1.0}],
                "params": {"elements": [["费用", "收费标准"]], "min_labels": 1, "guide_keywords": ["指南"]},
            }
        },
    }
    guide = read_guide(page("table.html"), parse_checklist(raw).params("service-guides"))
    assert guide is not None and guide.present == ["费用"]  # 收费标准：不收费
    raw["indicators"]["service-guides"]["params"]["empty_values"] = ["不收费"]
    guide = read_guide(page("table.html"), parse_checklist(raw).params("service-guides"))
    assert guide is not None and guide.missing == ["费用"] and guide.empty == ["费用"]
