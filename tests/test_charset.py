"""Charset decoding of Chinese pages (header, meta, http-equiv, none) and text cleaning."""

from __future__ import annotations

import asyncio

import pytest
from tests.httpfixtures import LoopbackServer, html

from inspector.core.web.charset import clean_text, decode_html, meta_charset, normalize_encoding
from inspector.core.web.fetch import Fetcher

BODY = (
    "<title>某某县人民政府门户网站</title></head><body><ul>"
    "<li><a href='/a.html'>关于开展2026年第四季度政府网站抽查工作的通知</a><span>2026-11-18</span></li>"
    "<li><a href='/b.html'>县政府召开常务会议 研究部署冬季安全生产工作</a><span>2026-11-17</span></li>"
    "<li><a href='/c.html'>朱镕基 王堃 任前公示</a><span>2026年11月16日</span></li>"
    "</ul></body></html>"
)
GB18030_ONLY = "<p>生僻字𠮷与㐀</p>"  # four-byte GB18030 sequences, not in GBK


def page(meta: str = "") -> str:
    return f"<html><head>{meta}" + BODY


@pytest.mark.parametrize("declared", ["gbk", "GB2312", "gb18030", "x-gbk", "cp936"])
def test_gb_family_is_decoded_as_gb18030(declared: str) -> None:
    text, encoding = decode_html(page().encode("gb18030"), f"text/html; charset={declared}")
    assert encoding == "gb18030"
    assert "朱镕基 王堃" in text  # 镕/堃 are outside GB2312: a strict gb2312 decoder would fail


def test_meta_charset_and_http_equiv_are_found() -> None:
    assert meta_charset(b'<html><head><meta charset="gb2312">') == "gb18030"
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=GBK" />'
    assert meta_charset(http_equiv) == "gb18030"
    assert meta_charset(b"<html><head><title>x</title>") is None
    assert normalize_encoding("no-such-charset") is None


def test_undeclared_gbk_is_detected() -> None:
    for body in (page(), "<title>市政府</title>"):
        text, encoding = decode_html(body.encode("gbk"), None)
        assert encoding == "gb18030"
        assert text == body


def test_page_declaring_utf8_but_sending_gbk_is_not_mojibake() -> None:
    body = page('<meta charset="utf-8">')
    text, encoding = decode_html(body.encode("gbk"), "text/html; charset=utf-8")
    assert encoding == "gb18030"
    assert "某某县人民政府" in text and "\ufffd" not in text


def test_utf8_body_declaring_gb2312_is_read_as_utf8() -> None:
    body = page('<meta charset="gb2312">')
    text, encoding = decode_html(body.encode("utf-8"), None)
    assert (encoding, text) == ("utf-8", body)


def test_latin1_header_does_not_hide_a_gbk_meta() -> None:
    body = page('<meta charset="gbk">')
    text, encoding = decode_html(body.encode("gbk"), "text/html; charset=ISO-8859-1")
    assert encoding == "gb18030" and "县政府" in text


def test_bom_wins_and_truncated_multibyte_tail_is_tolerated() -> None:
    text, encoding = decode_html(b"\xef\xbb\xbf" + page().encode("utf-8"), "text/html; charset=gbk")
    assert encoding == "utf-8-sig" and "县政府" in text
    cut = page().encode("gbk")[:-len("</ul></body></html>") - 1]  # ends inside a two-byte char
    text, encoding = decode_html(cut, "text/html; charset=gbk")
    assert encoding == "gb18030" and "任前公" in text


def test_garbage_never_raises() -> None:
    for body in (b"", b"\x00\xff\xfe\x81", bytes(range(256)) * 10, b"\x81" * 1000):
        text, encoding = decode_html(body, "text/html; charset=bogus")
        assert isinstance(text, str) and encoding


def test_clean_text_strips_controls_and_escapes() -> None:
    hostile = "通知\x1b[31m公告\x1b]8;;http://evil\x07链接\x1b]8;;\x07\x00\x07\x9b\u202e\r\n  标题\u3000 尾"
    assert clean_text(hostile) == "通知公告链接 标题 尾"
    assert clean_text("a\n\n\n b\t c\x0c", keep_newlines=True) == "a\n\nb c"
    assert clean_text(None) == ""


# ---------------------------------------------------------------- over real HTTP

CASES = {
    # path: (encoding of the bytes, Content-Type charset or None, <meta> markup)
    "/gbk-header": ("gbk", "gbk", ""),
    "/gb2312-meta": ("gb2312", None, '<meta charset="gb2312">'),
    "/gbk-http-equiv": ("gbk", None, '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'),
    "/gb18030-header": ("gb18030", "gb18030", ""),
    "/gbk-none": ("gbk", None, ""),
    "/utf8-lies": ("gbk", "utf-8", '<meta charset="utf-8">'),
}


def test_fetch_page_decodes_every_declaration_style() -> None:
    def body(enc: str, meta: str) -> bytes:
        text = page(meta).replace("朱镕基 王堃", "任免") if enc == "gb2312" else page(meta)
        return (text + (GB18030_ONLY if enc == "gb18030" else "")).encode(enc)

    routes = {path: html(body(enc, meta), charset=cs) for path, (enc, cs, meta) in CASES.items()}

    async def run(srv: LoopbackServer) -> dict[str, tuple[str | None, str | None]]:
        async with Fetcher() as fetcher:
            pages = await asyncio.gather(*(fetcher.fetch_page(srv.url(p)) for p in CASES))
        return {p: (pg.html, pg.encoding) for p, pg in zip(CASES, pages, strict=True)}

    with LoopbackServer(routes) as srv:
        got = asyncio.run(run(srv))
    for path, (text, encoding) in got.items():
        assert encoding == "gb18030", path
        assert text is not None and "某某县人民政府门户网站" in text and "\ufffd" not in text, path
    assert "生僻字𠮷与㐀" in (got["/gb18030-header"][0] or "")
