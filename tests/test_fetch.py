"""The Fetcher against real loopback servers, including hostile ones."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.httpfixtures import (
    Hang,
    LoopbackServer,
    Request,
    Reset,
    Route,
    SleepRecorder,
    Slow,
    blob,
    closed_port,
    flaky,
    html,
    raw_server,
    redirect,
    request_head,
    tls_context,
)

from inspector.core.web.html import extract_links
from inspector.core.web.challenge import ChallengeGate
from inspector.core.web.fetch import Fetcher, classify_error, is_html, retry_after_seconds
from inspector.core.model import Page
from inspector.core.web.scope import AddressPolicy


def run(coro_fn: Callable[[Fetcher], Awaitable[Any]], **settings: Any) -> Any:
    async def main() -> Any:
        async with Fetcher(**settings) as fetcher:
            return await coro_fn(fetcher)

    return asyncio.run(main())


def test_plain_page_redirect_chain_and_404() -> None:
    routes = {"/": html("<p>首页</p>"), "/old": redirect("/mid", 301), "/mid": redirect("/")}
    with LoopbackServer(routes) as srv:
        home, moved, missing = run(
            lambda f: asyncio.gather(f.fetch_page(srv.url("/")), f.fetch_page(srv.url("/old")), f.fetch_page(srv.url("/x")))
        )
    assert (home.status, home.error, home.html, home.encoding) == (200, None, "<p>首页</p>", "utf-8")
    assert home.fetched_at.endswith("+00:00")
    assert moved.final_url == srv.url("/") and moved.status == 200
    assert moved.redirects == [srv.url("/old"), srv.url("/mid")]
    assert (missing.status, missing.error) == (404, "404")


def test_redirect_loop_and_too_many_redirects_are_named() -> None:
    routes: dict[str, Route] = {"/a": redirect("/b"), "/b": redirect("/a")}
    routes.update({f"/r{i}": redirect(f"/r{i + 1}") for i in range(20)})
    with LoopbackServer(routes) as srv:
        loop, chain, link = run(
            lambda f: asyncio.gather(
                f.fetch_page(srv.url("/a")), f.fetch_page(srv.url("/r0")), f.check_link(srv.url("/a"))
            ),
            max_redirects=5,
        )
    assert loop.error == "redirect-loop" and loop.redirects == [srv.url("/a"), srv.url("/b")]
    assert chain.error == "too-many-redirects" and len(chain.redirects) == 6
    assert (link.ok, link.error) == (False, "redirect-loop")


def test_eight_megabyte_page_is_capped_and_its_prefix_parsed() -> None:
    big = b"<html><body><a href='/first.html'>first</a>" + b"<p>filler</p>" * 700_000
    with LoopbackServer({"/big": html(big)}) as srv:
        page = run(lambda f: f.fetch_page(srv.url("/big")))
    assert len(big) > 8_000_000
    assert (page.status, page.error) == (200, "too-large")
    assert page.html is not None and len(page.html) == 5_000_000
    assert [link.url for link in extract_links(page.html, page.final_url)] == [srv.url("/first.html")]


def test_never_answering_server_times_out_without_retry() -> None:
    with LoopbackServer({"/hang": Hang()}) as srv:
        page, link = run(
            lambda f: asyncio.gather(f.fetch_page(srv.url("/hang")), f.check_link(srv.url("/hang"))),
            read_timeout=0.3,
        )
        hits = srv.count("/hang")
    assert (page.status, page.error) == (None, "timeout")
    assert (link.ok, link.error) == (False, "timeout")
    assert hits == 2  # one GET, one HEAD: timeouts are not retried, HEAD timeout is not re-tried as GET


def test_dripping_body_hits_the_total_deadline() -> None:
    with LoopbackServer({"/drip": Slow(html("x" * 200), 0.0, drip=True)}) as srv:
        page = run(lambda f: f.fetch_page(srv.url("/drip")), total_timeout=0.3)
    assert page.error == "timeout"


def test_connection_reset_is_retried_then_reported() -> None:
    sleeps = SleepRecorder()
    with LoopbackServer({"/reset": Reset(), "/once": flaky(Reset(), html("ok"))}) as srv:
        async def in_turn(f: Fetcher) -> list[Page]:
            # in turn: a reset on a kept-alive connection would be asked again on a new one (the transport's
            # own retry, tested below), and the count here is of the fetcher's retries
            return [await f.fetch_page(srv.url("/reset")), await f.fetch_page(srv.url("/once"))]

        reset, once = run(in_turn, sleep=sleeps)
        hits = srv.count("/reset")
    assert (reset.status, reset.error) == (None, "reset")
    assert hits == 3  # first try + 2 retries
    assert (once.status, once.error, once.html) == (200, None, "ok")
    assert sleeps.calls and all(s > 0 for s in sleeps.calls)


def test_429_retry_after_is_honoured_and_capped() -> None:
    sleeps = SleepRecorder()
    routes = {
        "/busy": flaky((429, {"Retry-After": "1"}, b""), html("served")),
        "/long": flaky((503, {"Retry-After": "3600"}, b""), html("later")),
        "/down": (503, {}, b"down"),
    }


    async def one_by_one(fetcher: Fetcher) -> list[Page]:
        return [await fetcher.fetch_page(srv.url(p)) for p in ("/busy", "/long", "/down")]

    with LoopbackServer(routes) as srv:
        busy, long, down = run(one_by_one, sleep=sleeps, max_retry_after=5.0)
        down_hits = srv.count("/down")
    assert (busy.status, busy.html) == (200, "served")
    assert (long.status, long.html) == (200, "later")
    assert (down.status, down.error) == (503, "503") and down_hits == 3
    assert 0.9 < sleeps.calls[0] <= 1.0  # Retry-After: 1
    assert max(sleeps.calls) <= 5.0  # Retry-After: 3600 capped (the host as a whole waits)


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a past date: now
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_head_falls_back_to_get_only_when_needed() -> None:
    def head_refused(request: Request) -> Route:
        return (405, {}, b"") if request.method == "HEAD" else blob(8_000_000, "application/pdf")

    def head_404(request: Request) -> Route:
        return (404, {}, b"") if request.method == "HEAD" else html("fine")

    routes = {"/doc.pdf": head_refused, "/odd": head_404, "/img.png": blob(10, "image/png")}
    with LoopbackServer(routes) as srv:
        doc, odd, img, gone = run(
            lambda f: asyncio.gather(*(f.check_link(srv.url(p)) for p in ("/doc.pdf", "/odd", "/img.png", "/gone")))
        )
        counts = {p: (srv.count(p, "HEAD"), srv.count(p, "GET")) for p in ("/doc.pdf", "/odd", "/img.png", "/gone")}
    assert (doc.ok, doc.status, doc.length, doc.content_type) == (True, 200, 8_000_000, "application/pdf")
    assert (odd.ok, img.ok) == (True, True)
    assert (gone.ok, gone.status, gone.error) == (False, 404, "404")
    assert counts == {"/doc.pdf": (1, 1), "/odd": (1, 1), "/img.png": (1, 0), "/gone": (1, 1)}


def test_a_broken_link_costs_one_request_once_the_server_head_has_proven_true() -> None:
    """HEAD 404 is confirmed by GET for a server's first few broken links only; a server whose
    HEAD lies (404 to HEAD, 200 to GET) keeps being asked by GET."""
    from inspector.core.web.fetch import HEAD_GONE_CONFIRMATIONS

    def lying(request: Request) -> Route:
        return (404, {}, b"") if request.method == "HEAD" else html("fine")

    paths = [f"/missing/{i}.png" for i in range(12)]
    with LoopbackServer({}) as honest, LoopbackServer({p: lying for p in paths}) as liar:

        async def both(f: Any) -> tuple[list[Any], list[Any]]:
            first = [await f.check_link(honest.url(p)) for p in paths]  # one after another: the rule is learnt
            second = [await f.check_link(liar.url(p)) for p in paths]
            return first, second

        gone, odd = run(both)
        honest_gets = sum(honest.count(p, "GET") for p in paths)
        honest_heads = sum(honest.count(p, "HEAD") for p in paths)
        liar_gets = sum(liar.count(p, "GET") for p in paths)
    assert all(not r.ok and r.status == 404 for r in gone)
    assert honest_heads == len(paths) and honest_gets == HEAD_GONE_CONFIRMATIONS
    assert all(r.ok for r in odd) and liar_gets == len(paths)


def test_bad_urls_and_schemes_never_reach_the_network() -> None:
    port = closed_port()
    urls = ["mailto:a@b.cn", "ftp://127.0.0.1/x", "http://exa mple.gov.cn/", "http://[::1", f"http://127.0.0.1:{port}/"]
    with LoopbackServer({"/to-ftp": redirect("ftp://127.0.0.1/file")}) as srv:
        results = run(
            lambda f: asyncio.gather(*(f.check_link(u) for u in urls), f.fetch_page(srv.url("/to-ftp"))),
            retries=0,
        )
    assert [r.error for r in results[:-1]] == ["scheme", "scheme", "invalid-url", "invalid-url", "connect"]
    assert results[-1].error == "scheme"


def test_host_filter_blocks_without_connecting() -> None:
    with LoopbackServer({"/": html("x")}) as srv:
        link = run(lambda f: f.check_link(srv.url("/")), host_allowed=lambda host: host != "127.0.0.1")
        hits = len(srv.requests)
    assert (link.ok, link.error, hits) == (False, "blocked", 0)


def test_per_host_concurrency_limit_is_respected() -> None:
    state = {"active": 0, "peak": 0}
    lock = threading.Lock()

    def tracked(_: Request) -> Route:
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        threading.Event().wait(0.05)
        with lock:
            state["active"] -= 1
        return html("ok")

    with LoopbackServer(tracked) as srv:
        pages = run(lambda f: asyncio.gather(*(f.fetch_page(srv.url(f"/{i}")) for i in range(12))), per_host=3)
    assert all(p.status == 200 for p in pages)
    assert state["peak"] == 3


def test_min_interval_spaces_request_starts() -> None:
    sleeps = SleepRecorder()
    with LoopbackServer({"/": html("ok")}) as srv:
        run(lambda f: asyncio.gather(*(f.fetch_page(srv.url("/")) for _ in range(3))), min_interval=0.5, sleep=sleeps)
    assert len(sleeps.calls) == 2 and sleeps.calls[0] > 0.4 and sleeps.calls[1] > sleeps.calls[0]


def test_html_sniffing() -> None:
    assert is_html("text/html; charset=gbk", b"")
    assert is_html("", b"\xef\xbb\xbf\n<!DOCTYPE html><html>")
    assert is_html("application/octet-stream", b"  <HTML><body>")
    assert not is_html("application/pdf", b"<html>")
    assert not is_html("", b"%PDF-1.4")
    routes = {"/untyped": (200, {}, b"<!doctype html><title>t</title>"), "/pdf": blob(100, "application/pdf")}
    with LoopbackServer(routes) as srv:
        untyped, pdf = run(lambda f: asyncio.gather(f.fetch_page(srv.url("/untyped")), f.fetch_page(srv.url("/pdf"))))
    assert untyped.html == "<!doctype html><title>t</title>" and pdf.html is None and pdf.status == 200


def test_classify_error_falls_back_to_generic() -> None:
    assert classify_error(TimeoutError()) == "timeout"
    assert classify_error(RuntimeError("?")) == "error"


# --------------------------------------------------------------------------- the connections (net.py)


def test_https_goes_to_the_checked_address_with_the_name_for_tls(tmp_path) -> None:
    """TLS over the pinned network: the connection goes to the address the policy resolved, the handshake
    names the host (SNI), an untrusted certificate is recorded when verifying (and the page read on a
    connection made again without it: tests/test_certificates.py), and one connection serves every
    request (kept alive)."""
    handshakes: list[str | None] = []
    context = tls_context(tmp_path, "site.test", handshakes)
    routes = {"/": html("<p>安全首页</p>"), "/a.html": html("<p>一</p>"), "/b.html": html("<p>二</p>")}
    with LoopbackServer(routes, host="127.0.0.2", tls=context) as srv:
        url = srv.url("/").replace("127.0.0.2", "site.test")

        async def resolver(host: str) -> list[str]:
            return ["127.0.0.2"] if host == "site.test" else []

        def policy() -> AddressPolicy:
            return AddressPolicy(True, resolver, lambda address: address == "127.0.0.1")

        gate = ChallengeGate()
        strict = run(lambda f: f.check_link(url), address_policy=policy(), retries=0, gate=gate)
        assert (strict.status, strict.error) == (200, None) and handshakes == ["site.test", "site.test"]
        assert gate.unverified == {"site.test": "self-signed certificate"}
        handshakes.clear()

        async def three(f: Fetcher) -> list[Page]:
            return [await f.fetch_page(url + path) for path in ("", "a.html", "b.html")]

        pages = run(three, address_policy=policy(), verify=False)
        assert [p.status for p in pages] == [200, 200, 200] and "安全首页" in (pages[0].html or "")
        assert handshakes == ["site.test"]  # one connection for the three pages


def test_a_kept_alive_connection_the_server_closed_is_not_reused() -> None:
    """A server that closes an idle connection: the next request opens a new one (no retry needed)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted = []

    def serve() -> None:
        while len(accepted) < 2:
            conn, _ = listener.accept()
            accepted.append(conn)
            conn.recv(65536)
            body = b"<html><body>ok</body></html>"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            time.sleep(0.05)
            conn.close()  # idle keep-alive connection closed by the server

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    async def twice(f: Fetcher) -> list[Page]:
        first = await f.fetch_page(f"http://127.0.0.1:{port}/")
        await asyncio.sleep(0.3)
        return [first, await f.fetch_page(f"http://127.0.0.1:{port}/")]

    try:
        pages = run(twice, retries=0)
    finally:
        listener.close()
    assert [(p.status, p.error) for p in pages] == [(200, None), (200, None)] and len(accepted) == 2


def _user_agent(request: Request) -> str:
    return next((v for k, v in request.headers.items() if k.lower() == "user-agent"), "")


def test_a_host_that_refuses_our_user_agent_is_asked_as_a_browser_once_and_then_always() -> None:
    """A WAF rule on the User-Agent: a plain 403 to this tool, the page to a browser. The refused request is
    asked once more as a browser and the host is asked so from then on; a host that refuses everyone keeps
    its 403 and costs one request more, once; a page a site forbids to all is its answer."""
    page = html("<html><body>政务公开</body></html>")
    refused = (403, {"Content-Type": "text/html"}, b"<html><body><h1>403 Forbidden</h1><hr>nginx</body></html>")
    agents: list[str] = []

    def browsers_only(request: Request) -> Route:
        agents.append(_user_agent(request))
        return page if "Chrome/" in _user_agent(request) else refused

    with LoopbackServer(browsers_only, host="127.0.0.2") as picky, \
            LoopbackServer(lambda _r: refused, host="127.0.0.3") as closed, \
            LoopbackServer({"/": page, "/admin/": refused}, host="127.0.0.4") as open_site:
        urls = [picky.url("/a"), picky.url("/b"), closed.url("/x"), closed.url("/y"),
                open_site.url("/admin/"), open_site.url("/"), open_site.url("/admin/")]

        async def in_turn(f: Fetcher) -> list[tuple[int | None, str | None]]:
            return [((p := await f.fetch_page(u)).status, p.error) for u in urls]

        got = run(in_turn, retries=0)
        counts = [picky.count("/a"), picky.count("/b"), closed.count("/x"), closed.count("/y"),
                  open_site.count("/admin/"), open_site.count("/")]
    assert got == [(200, None), (200, None), (403, "403"), (403, "403"), (403, "403"), (200, None), (403, "403")]
    assert counts == [2, 1, 2, 1, 3, 1]  # /admin/: asked as a browser once, the second time plainly
    assert "inspector/" in agents[0] and all("Chrome/" in a for a in agents[1:])


def test_a_request_refused_before_the_host_was_found_to_answer_browsers_is_asked_again() -> None:
    """Two requests sent as ourselves at once (the crawl's first page and a probe): the slower refusal comes
    back after the other one's browser ask found the host answers browsers. It is asked as a browser too,
    not taken as the site's answer (a probe failure a browser would never see)."""
    page = html("<html><body>政务公开</body></html>")
    refused = (403, {"Content-Type": "text/html"}, b"<html><body><h1>403 Forbidden</h1></body></html>")

    def browsers_only(request: Request) -> Route:
        if "Chrome/" in _user_agent(request):
            return page
        if request.path == "/slow":
            time.sleep(0.4)  # refused, but only after /fast's browser ask has been answered
        return refused

    with LoopbackServer(browsers_only, host="127.0.0.5") as srv:
        async def both(f: Fetcher) -> list[Page]:
            return list(await asyncio.gather(f.fetch_page(srv.url("/fast")), f.fetch_page(srv.url("/slow"))))

        fast, slow = run(both, retries=0)
        counts = (srv.count("/fast"), srv.count("/slow"))
    assert (fast.status, slow.status) == (200, 200) and counts == (2, 2)


def test_a_request_on_a_kept_alive_connection_the_server_dropped_unanswered_is_asked_again_once() -> None:
    """The idle-timeout race: the server closes a kept-alive connection just as our next request goes out
    (here, deterministically: it reads the second request and closes without a byte). Nothing was answered,
    so the request goes once more on a new connection; on a fresh connection the same silence is an error."""
    connections: list[str] = []

    def answer(conn: socket.socket) -> None:
        asked = 0
        while head := request_head(conn):
            asked += 1
            path = head.split(b" ", 2)[1].decode()
            connections.append(f"{path}#{asked}")
            if path == "/silent" or asked > 1:
                # closed unanswered, with a reset (as a request reaching a socket already closed gets)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if path == "/garbage":
                conn.sendall(b"HELLO THERE\r\n\r\n")
                return
            body = "<html><body>政务公开</body></html>".encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    async def pages(f: Fetcher) -> list[Page]:
        return [await f.fetch_page(f"http://127.0.0.1:{port}{path}") for path in ("/a", "/b", "/silent", "/c", "/garbage")]

    with raw_server(answer) as port:
        first, second, silent, third, garbage = run(pages, retries=0)
    assert (first.status, second.status) == (200, 200) and "政务公开" in (second.html or ""), second.error
    assert silent.status is None and silent.error == "reset"
    # the new connection's own error, not the dropped one's reset
    assert third.status == 200 and (garbage.status, garbage.error) == (None, "protocol")
    # /b was asked on the kept-alive connection (dropped), then once on a new one (answered, then reused and
    # dropped for /silent, which was asked again on a new connection, where its silence is the answer)
    assert connections == ["/a#1", "/b#2", "/b#1", "/silent#2", "/silent#1", "/c#1", "/garbage#2", "/garbage#1"], connections


def test_response_framings_a_real_server_may_send() -> None:
    """The transport (h11) over raw sockets: chunked and close-delimited bodies are read whole, a 100 Continue
    is passed over, and a garbage status line, headers past the cap or a body cut short are named errors."""
    body = "<html><body><p>政务公开</p></body></html>".encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:20], body[20:])) + b"0\r\n\r\n"
    answers = {
        "/chunked": b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
        "/http10": b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body,
        "/continue": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body),
        "/garbage": b"HELLO THERE\r\n\r\n",
        "/huge-head": b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 200_000 + b"\r\n\r\n",
        "/cut": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body>",
    }

    def answer(conn: socket.socket) -> None:
        request = request_head(conn).decode("latin-1")
        path = request.split(" ", 2)[1] if " " in request else "/"
        conn.sendall(answers.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))

    async def all_of(f: Fetcher) -> dict[str, Page]:
        return {path: await f.fetch_page(f"http://127.0.0.1:{port}{path}") for path in answers}

    with raw_server(answer) as port:
        pages = run(all_of, retries=0)
    for path in ("/chunked", "/http10", "/continue"):
        assert pages[path].status == 200 and pages[path].error is None and "政务公开" in (pages[path].html or ""), path
    assert pages["/garbage"].error == "protocol", {p: (v.status, v.error) for p, v in pages.items()}
    assert pages["/huge-head"].error == "protocol", {p: (v.status, v.error) for p, v in pages.items()}
    assert pages["/cut"].error in ("reset", "protocol")
