"""Date formats of Chinese government pages and URLs."""

from datetime import date

import pytest

from inspector.core.extract.dates import date_from_url, find_dates, month_from_url, parse_date, usable

AS_OF = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-18", date(2026, 11, 18)),
        ("2026/11/18", date(2026, 11, 18)),
        ("2026.11.18", date(2026, 11, 18)),
        ("2026-1-8", date(2026, 1, 8)),
        ("2026年11月18日", date(2026, 11, 18)),
        ("[2026-11-18]", date(2026, 11, 18)),
        ("(11-18)", date(2026, 11, 18)),
        ("11-18", date(2026, 11, 18)),
        ("11/18", date(2026, 11, 18)),
        ("11月18日", date(2026, 11, 18)),
        ("2026-11-18 10:30", date(2026, 11, 18)),
        ("发布时间：2026-11-18 10:30:12", date(2026, 11, 18)),
        ("２０２６－１１－１８", date(2026, 11, 18)),  # full-width digits and hyphens
        ("２０２６年１１月１８日", date(2026, 11, 18)),
        ("（１１－１８）", date(2026, 11, 18)),
        ("2017-03-28-00:00:00", date(2017, 3, 28)),
    ],
)
def test_every_listed_format(text: str, expected: date) -> None:
    assert parse_date(text, AS_OF) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "1989-05-01", "2028-01-01", "3.14", "v1.2.3", "13-45", ""])
def test_impossible_or_out_of_range_dates_are_rejected(text: str) -> None:
    assert parse_date(text, AS_OF) is None


def test_yearless_date_takes_the_most_recent_not_after_as_of() -> None:
    assert parse_date("12-30", date(2026, 1, 5)) == date(2025, 12, 30)
    assert parse_date("01-05", date(2026, 1, 5)) == date(2026, 1, 5)
    assert parse_date("01-06", date(2026, 1, 5)) == date(2025, 1, 6)
    assert parse_date("02-29", date(2026, 3, 1)) == date(2024, 2, 29)


def test_find_dates_in_reading_order_without_double_counting() -> None:
    found = find_dates("成文日期：2021-03-11 发布日期：2021-03-15 (11-18)", AS_OF)
    assert [d for d, _ in found] == [date(2021, 3, 11), date(2021, 3, 15), date(2026, 11, 18)]
    assert found[0][1] == "2021-03-11"


def test_future_dates_are_found_but_not_usable_for_items() -> None:
    assert parse_date("2026-12-25", AS_OF) == date(2026, 12, 25)
    assert not usable(date(2026, 12, 25), AS_OF)
    assert usable(date(2026, 11, 21), AS_OF)  # one day of tolerance
    assert not usable(date(2026, 11, 22), AS_OF)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.gov.cn/a/202611/t20261118_123.html", date(2026, 11, 18)),
        ("http://x.gov.cn/home/2026-11/18/content_5046260.htm", date(2026, 11, 18)),
        ("http://www.dongyang.gov.cn/art/2023/3/21/art_1229692327_59603057.html", date(2023, 3, 21)),
        ("http://mzj.xuchang.gov.cn/xqdt/20200612/1c9489b0-5421.html", date(2020, 6, 12)),
        ("http://x.gov.cn/content_20261118.htm", date(2026, 11, 18)),
        ("http://x.gov.cn/a/2026-11-18/1.html", date(2026, 11, 18)),
    ],
)
def test_date_from_url(url: str, expected: date) -> None:
    assert date_from_url(url, AS_OF) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://www.yuyang.gov.cn/zmhd/bjtj/1390199674809917442.html",  # long numeric id
        "http://x.gov.cn/News_showGkmlNews.action?messagekey=189769",
        "http://x.gov.cn/a/12345678.html",
        "http://x.gov.cn/a/20261399.html",  # month 13
        "https://www.gov.cn/yaowen/liebiao/202309/content_6906622.htm",  # month only
        "http://x.gov.cn/a/20991231.html",  # beyond as_of.year + 1
    ],
)
def test_date_from_url_rejects_ids_and_partial_dates(url: str) -> None:
    assert date_from_url(url, AS_OF) is None


def test_month_from_url() -> None:
    assert month_from_url("https://www.gov.cn/yaowen/liebiao/202309/content_6906622.htm", AS_OF) == (2023, 9)
    assert month_from_url("http://x.gov.cn/a/1390199674809917442.html", AS_OF) is None
