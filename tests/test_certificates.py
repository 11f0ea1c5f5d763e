"""HTTPS sites whose certificate fails verification (expired, self-signed, for another name, or a chain
sent incomplete, which a browser completes from the issuer URL). The site is there: a person's browser
shows it (past a warning, or with the chain completed), so its pages are read on a connection made again
without verification, and the check says why the certificate failed (in Chinese, for the inspector to
review). Without this, every request to such a site was a `tls` error: a 站点无法访问 veto. A handshake
that fails for any other reason stays an error."""

from __future__ import annotations

import asyncio
import socket
from datetime import date
from pathlib import Path

from inspector.core.model import Page
from inspector.core.runner import CheckOptions, run_check
from inspector.core.web.challenge import ChallengeGate
from inspector.core.web.fetch import Fetcher
from tests.httpfixtures import LoopbackServer, directory, html, raw_server, tls_context

AS_OF = date(2026, 11, 20)
SITE = Path(__file__).parent / "fixtures" / "cms" / "dedecms"


def _pages(urls: list[str], gate: ChallengeGate) -> list[Page]:
    async def main() -> list[Page]:
        async with Fetcher(retries=0, gate=gate) as f:
            return [await f.fetch_page(u) for u in urls]

    return asyncio.run(main())


def test_a_page_behind_a_certificate_that_fails_is_read_and_the_reason_recorded(tmp_path: Path) -> None:
    handshakes: list[str | None] = []
    routes = {"/": html("<p>政务公开</p>"), "/a.html": html("<p>通知公告</p>")}
    with LoopbackServer(routes, tls=tls_context(tmp_path, "127.0.0.1", handshakes)) as srv:
        gate = ChallengeGate()
        home, article = _pages([srv.url("/"), srv.url("/a.html")], gate)
        again = _pages([srv.url("/")], gate)[0]  # another fetcher of the check: no failing handshake first
    assert (home.status, article.status, again.status) == (200, 200, 200) and "政务公开" in (home.html or "")
    assert set(gate.unverified) == {"127.0.0.1"} and "self-signed" in gate.unverified["127.0.0.1"]
    assert len(handshakes) == 3  # the verified one that failed, the one the two pages used, the other fetcher's


def test_a_handshake_that_fails_for_another_reason_is_still_an_error() -> None:
    """A server that speaks plain text on the HTTPS port: no certificate at all, nothing to record."""
    def answer(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    gate = ChallengeGate()
    with raw_server(answer) as port:
        page = _pages([f"https://127.0.0.1:{port}/"], gate)[0]
    assert (page.status, page.error) == (None, "tls") and gate.unverified == {}


def test_a_site_with_a_self_signed_certificate_is_checked_and_the_inspector_told(tmp_path: Path) -> None:
    opts = CheckOptions(as_of=AS_OF, browser=False, probes=2, probe_interval=0, timeout=3)
    with LoopbackServer(directory(SITE)) as plain:
        expected = asyncio.run(run_check(plain.url("/"), opts)).doc
    with LoopbackServer(directory(SITE), tls=tls_context(tmp_path, "127.0.0.1", [])) as srv:
        doc = asyncio.run(run_check(srv.url("/"), opts)).doc
    assert expected["verdict"]["vetoes"] == []
    assert {i: e["status"] for i, e in doc["indicators"].items()} == \
        {i: e["status"] for i, e in expected["indicators"].items()}
    notes = [n for n in doc["run"]["notes"] if "HTTPS 证书未通过验证" in n]
    assert len(notes) == 1 and "127.0.0.1" in notes[0] and "自签名证书" in notes[0], doc["run"]["notes"]
