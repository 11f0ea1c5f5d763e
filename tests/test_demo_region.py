"""The demo region: real loopback servers, and truth that matches what they serve."""

from __future__ import annotations

import re
import socket
from datetime import date, timedelta
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pytest
from lxml import html as lhtml

from inspector.demo import SITES, serve_region
from inspector.demo.region import DemoRegion

AS_OF = date(2026, 11, 20)
INDICATORS = {"site-unreachable", "site-not-updated", "columns-not-updated", "serious-errors", "poor-interaction",
              "homepage-availability", "link-availability", "homepage-updates", "basic-information", "consultation",
              "solicitation", "interviews", "service-guides", "attachments", "online-systems"}
SERVED = [s.code for s in SITES if not s.down]
DOWN = [s.code for s in SITES if s.down]
LINK_ATTRS = {"a": "href", "img": "src", "link": "href", "script": "src", "iframe": "src"}


@pytest.fixture(scope="module")
def region():
    with serve_region(AS_OF) as r:
        yield r


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0), follow_redirects=True) as c:
        yield c


def decode(resp: httpx.Response) -> str:
    """Decode like a careful crawler: header charset, else <meta>, else utf-8."""
    if "charset" in resp.headers.get("content-type", ""):
        return resp.text
    m = re.search(rb'charset=["\']?([\w-]+)', resp.content[:2048])
    enc = m.group(1).decode() if m else "utf-8"
    return resp.content.decode("gb18030" if enc.lower() in ("gbk", "gb2312") else enc)


def parsed_links(page_url: str, text: str) -> set[str]:
    """Links by the CHECKLIST convention, read with an independent HTML parser."""
    out = set()
    for el in lhtml.fromstring(text).iter(*LINK_ATTRS):
        value = (el.get(LINK_ATTRS[el.tag]) or "").strip()
        if not value or value.lower().startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url, _ = urldefrag(urljoin(page_url, value))
        if urlsplit(url).scheme in ("http", "https"):
            out.add(url)
    return out


def test_every_site_has_registry_fields_and_distinct_codes():
    codes = [s.code for s in SITES]
    assert len(set(codes)) == len(codes) >= 8
    assert all(re.fullmatch(r"\d{10}", c) for c in codes)
    assert DOWN and len(SERVED) >= 7
    for s in SITES:
        assert s.name and s.level in ("市级", "县级", "部门") and s.sponsor and s.supervisor and s.icp and s.problems


def test_homepages_answer_and_gbk_site_declares_charset_only_in_meta(region: DemoRegion, client: httpx.Client):
    for code in SERVED:
        resp = client.get(region.urls[code])
        assert resp.status_code == 200
        assert region.truth(code)["name"] in decode(resp)
    gbk = client.get(region.urls["5399210001"])
    assert gbk.headers["content-type"] == "text/html"
    assert b'http-equiv="Content-Type" content="text/html; charset=gbk"' in gbk.content
    with pytest.raises(UnicodeDecodeError):
        gbk.content.decode("utf-8")
    text = gbk.content.decode("gb18030")
    assert "桐江县人民政府" in text and "网站标识码：5399210001" in text


def test_head_is_supported(region: DemoRegion, client: httpx.Client):
    resp = client.head(region.urls["5399000001"])
    assert resp.status_code == 200 and resp.content == b"" and int(resp.headers["content-length"]) > 1000


def test_indicator_set_and_self_consistency(region: DemoRegion):
    for code in SERVED:
        t = region.truth(code)
        ind = t["indicators"]
        assert set(ind) == INDICATORS
        m = {k: v["measures"] for k, v in ind.items()}
        upd = m["site-not-updated"]
        assert 0 <= upd["homepage_items_in_window"] <= upd["homepage_items"]
        assert m["homepage-updates"]["items_in_window"] == upd["homepage_items_in_window"]
        cols = m["columns-not-updated"]
        assert cols["stale_news_columns"] + cols["stale_notice_columns"] <= cols["stale_columns"]
        basic = m["basic-information"]
        assert basic["stale_news_columns"] == cols["stale_news_columns"]
        assert len(t["expected"]["stale_columns"]) == cols["stale_columns"]
        assert len(t["expected"]["blank_columns"]) == cols["blank_columns"]
        links = m["link-availability"]
        assert links["homepage_broken"] + links["other_broken"] == len(t["expected"]["broken_links"])
        assert links["checked"] >= len(t["expected"]["pages"]) and links["checked"] < 150
        pi = m["poor-interaction"]
        assert pi["overdue_messages"] == len(t["expected"]["overdue_messages"]) <= pi["messages_in_year"]
        assert m["attachments"]["broken"] == len(t["expected"]["broken_attachments"]) <= m["attachments"]["checked"]
        sg = m["service-guides"]
        assert sg["guides_incomplete"] <= sg["guides_checked"]
        assert sg["missing_elements"] == sum(len(g["missing"]) for g in t["expected"]["incomplete_guides"])
        assert m["serious-errors"]["hits"] == len(t["expected"]["serious_error_hits"])
        assert set(t["verdict"]["vetoes"]) == {k for k, v in ind.items() if v.get("veto") and v["status"] == "fail"}
    down = region.truth(DOWN[0])
    assert down["verdict"]["result"] == "fail" and down["verdict"]["vetoes"] == ["site-unreachable"]
    assert down["indicators"]["site-unreachable"]["measures"]["failures_all"] is True
    assert down["indicators"]["site-unreachable"]["measures"]["attempts"] is None


def test_expected_verdicts_cover_every_outcome(region: DemoRegion):
    results = {code: region.truth(code)["verdict"] for code in region.urls}
    assert results["5399000001"] == {"vetoes": [], "deduction_total": 0.0, "score": 100.0, "result": "pass"}
    assert results["5399210001"]["vetoes"] == ["poor-interaction"]
    assert results["5399220001"]["result"] == "review"
    assert results["5399000012"] == {"vetoes": [], "deduction_total": 42.1, "score": 57.9, "result": "fail"}
    assert results["5399020001"]["vetoes"] == ["columns-not-updated"]
    assert results["5399000013"]["vetoes"] == ["site-not-updated"]
    assert results["5399000014"]["result"] == "pass"
    assert results["5399000015"]["result"] == "pass"
    js = region.truth("5399000015")["no_browser"]
    assert js["verdict"]["result"] == "review" and js["static_measures"]["homepage_items_in_window"] == 0


def test_checked_links_match_an_independent_parse_of_the_crawled_pages(region: DemoRegion, client: httpx.Client):
    for code in SERVED:
        t = region.truth(code)
        found = {region.urls[code]}
        for page in t["expected"]["pages"]:
            resp = client.get(page)
            assert resp.status_code == 200, page
            found |= parsed_links(page, decode(resp))
        assert len(found) == t["indicators"]["link-availability"]["measures"]["checked"], code


def _probe(client: httpx.Client, url: str) -> str | None:
    """None if the URL is fine, else '404' / 'connect' / 'timeout' like a link checker."""
    try:
        resp = client.get(url, timeout=httpx.Timeout(1.0))
    except httpx.ConnectError:
        return "connect"
    except httpx.TimeoutException:
        return "timeout"
    return None if resp.status_code < 400 else str(resp.status_code)


def test_every_link_answers_as_the_truth_claims(region: DemoRegion, client: httpx.Client):
    for code in SERVED:
        t = region.truth(code)
        broken = {b["url"]: b["detail"] for b in t["expected"]["broken_links"]}
        urls = {region.urls[code]}
        for page in t["expected"]["pages"]:
            urls |= parsed_links(page, decode(client.get(page)))
        for url in urls:
            assert _probe(client, url) == broken.get(url), (code, url)


def test_broken_link_site_plants_every_kind(region: DemoRegion):
    t = region.truth("5399000014")
    by_detail = {}
    for b in t["expected"]["broken_links"]:
        by_detail.setdefault(b["detail"], []).append(b)
    assert {"404", "500", "connect", "timeout"} <= set(by_detail)
    home = {b["url"].rsplit("/", 1)[-1] for b in t["expected"]["broken_links"] if b["where"] == "homepage"}
    assert {"print.css", "banner_2025.jpg", "stat.js", "notice.html", "index.html", ""} == home
    assert any(b["url"].endswith("player.html") for b in by_detail["404"])  # iframe


def test_down_site_refuses_and_stop_frees_the_ports(client: httpx.Client):
    r = serve_region(AS_OF)
    ports = [urlsplit(u).port for u in r.urls.values()]
    with pytest.raises(httpx.ConnectError):
        client.get(r.urls[DOWN[0]])
    assert client.get(r.urls[SERVED[0]]).status_code == 200
    r.stop()
    for port in ports:
        with socket.socket() as s:  # a new server (SO_REUSEADDR, as http.server sets) can take the port
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen()


def test_attachments_fail_the_way_the_truth_says(region: DemoRegion, client: httpx.Client):
    rows = region.truth("5399000012")["expected"]["attachments"]
    details = {urlsplit(r["url"]).path.rsplit(".", 1)[-1]: r["detail"] for r in rows}
    assert details == {"pdf": "", "doc": "404", "xls": "html-instead-of-file", "docx": "empty", "wps": "", "zip": ""}
    for r in rows:
        resp = client.get(r["url"])
        if r["detail"] == "404":
            assert resp.status_code == 404
        elif r["detail"] == "empty":
            assert resp.status_code == 200 and resp.content == b""
        elif r["detail"]:
            assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
        else:
            assert resp.status_code == 200 and resp.content and "html" not in resp.headers["content-type"]
    systems = region.truth("5399000012")["expected"]["online_systems"]
    assert [s["ok"] for s in systems] == [False, True]
    assert _probe(client, systems[0]["url"]) == "connect"


def test_message_board_guides_and_serious_error_pages(region: DemoRegion, client: httpx.Client):
    overdue = region.truth("5399210001")["expected"]["overdue_messages"]
    assert sorted(m["wait_days"] for m in overdue) == [120, 130]
    for m in overdue:
        text = decode(client.get(m["url"]))
        assert f"提问时间</th><td>{m['asked']}" in text
        assert (m["replied"] is None) == ("办理中" in text)
    for g in region.truth("5399220001")["expected"]["incomplete_guides"]:
        text = decode(client.get(g["url"]))
        for el in g["missing"]:
            assert (el in text) == (el in g["empty"])
    [hit] = region.truth("5399220001")["expected"]["serious_error_hits"]
    page = decode(client.get(hit["url"]))
    assert "习进平总书记" in page and "习近平总书记" not in page
    person = region.truth("5399220001")["expected"]["columns"][3]["url"]
    assert "李强华" in decode(client.get(person))


def test_js_site_static_list_is_empty(region: DemoRegion, client: httpx.Client):
    text = client.get(region.urls["5399000015"]).text
    assert '<ul class="list" id="jsList"></ul>' in text and "createElement('li')" in text
    tree = lhtml.fromstring(text)
    assert tree.xpath('//ul[@id="jsList"]/li') == []


def test_yearless_dates_resolve_across_a_year_boundary():
    as_of = date(2027, 1, 5)
    with serve_region(as_of) as r:
        t = r.truth("5399220001")
        news = t["expected"]["columns"][0]
        assert news["date_format"] == "paren_mmdd" and news["latest"] == (as_of - timedelta(days=1)).isoformat()
        text = httpx.get(news["url"]).text
        assert "(01-04)" in text and "(12-26)" in text  # ages 1 and 10: 2027-01-04 and 2026-12-26
        assert t["expected"]["yearless_dates"] is True


@pytest.mark.parametrize("as_of", [date(2026, 11, 20), date(2027, 1, 5), date(2028, 2, 29)])
def test_truth_does_not_depend_on_the_monitoring_date(as_of: date):
    with serve_region(as_of) as r:
        summary = {c: (r.truth(c)["verdict"], {k: v["measures"] for k, v in r.truth(c)["indicators"].items()
                                                if k != "link-availability"}) for c in SERVED}
    with serve_region(AS_OF) as ref:
        expected = {c: (ref.truth(c)["verdict"], {k: v["measures"] for k, v in ref.truth(c)["indicators"].items()
                                                   if k != "link-availability"}) for c in SERVED}
    assert summary == expected


def test_registry_rows(region: DemoRegion):
    rows = region.registry_rows()
    assert 12 <= len(rows) <= 20
    assert set(rows[0]) == {"网站标识码", "网站名称", "首页网址", "主办单位", "主管单位", "地区", "级别", "运行状态", "ICP备案号"}
    assert [r["运行状态"] for r in rows].count("永久下线") == 1
    assert len({r["网站标识码"] for r in rows}) == len(rows)
    assert all(urlsplit(r["首页网址"]).hostname == "127.0.0.1" for r in rows)


def test_only_loopback_and_fixed_ports():
    with pytest.raises(ValueError):
        serve_region(AS_OF, host="0.0.0.0")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        base = s.getsockname()[1]
    base = 20000 + base % 20000
    try:
        r = serve_region(AS_OF, base_port=base)
    except OSError:
        pytest.skip("fixed port range busy")
    with r:
        assert [urlsplit(u).port for u in r.urls.values()] == [base + i for i in range(len(SITES))]
