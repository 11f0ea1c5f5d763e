"""Anti-bot challenge pages: recognised by their shape, passed with the real browser.

Many government sites sit behind a JavaScript-challenge firewall (shared/CHECKLIST.md, "What
belongs to the site, and what a browser would see"): 瑞数 answers HTTP 412 with a small page
whose script computes a cookie and reloads, 加速乐 answers 521 with
``document.cookie=…;location.href=…``, 云锁, 网宿 and 阿里云 answer 200 with a page that shows
nothing and whose script sets a cookie or moves on (阿里云's ``acw_sc__v2`` page is obfuscated to
the point of hiding the word ``cookie``), 长亭 SafeLine answers 468 (465 for its waiting room),
others answer 403/503 with a "安全验证/访问验证" page.
Such an answer is not the site's: it is neither a probe failure, nor a broken link, nor a
page of the site.

:func:`challenge_kind` recognises a challenge by its shape (status, size, a script that sets a
cookie and reloads or redirects, known markers), never by a list of sites.
:class:`ChallengeGate` is what the :class:`~inspector.core.web.fetch.Fetcher` (and every
fetcher of the same check) asks to get past one: it hands the URL to a *solver* (the shared
Chromium, :meth:`~inspector.core.web.evidence.EvidenceCapturer.pass_challenge`), keeps the
clearance cookies and the browser's exact User-Agent the cookies are bound to, and records
every pass. One pass per host at a time; a challenge that comes back (the cookie expired) is
passed again, at most ``max_passes`` times per host per check, and never again after
``MAX_USELESS_PASSES`` passes in a row whose clearance did not let a single request through
(the firewall does not accept it outside the browser); a host the browser could not get
through is given up on for the rest of the check (``stuck``).

Without a solver (``--no-browser``, no Chromium) nothing is passed: the request ends with the
error :data:`CHALLENGE`, and the checks turn what it hides into ``review``.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from inspector.core.model import CHALLENGE

__all__ = ["CHALLENGE", "ChallengeGate", "ChallengePass", "Clearance", "challenge_kind", "host_of", "merge_cookies"]

#: statuses a challenge answers with; 200/202 only with a known marker *and* the script shape
CHALLENGE_STATUSES = frozenset({200, 202, 403, 412, 465, 468, 503, 521})
_STRICT_STATUSES = frozenset({200, 202})
#: statuses no ordinary page answers a plain GET with (瑞数 412; 长亭 SafeLine's challenge 468 and its
#: waiting room 465): a script is enough
_OWN_STATUSES = frozenset({412, 465, 468})
MAX_CHALLENGE_BYTES = 64_000  # a challenge page is small; a bigger answer is a page of its own
MAX_PASSES_PER_HOST = 20  # a long crawl outlives a clearance cookie a few times
MAX_USELESS_PASSES = 2  # passes in a row after which not one request got through

# Known vendors: a marker in the page (lower-cased; plain substrings, so a page is scanned in microseconds)
# or in a cookie name the answer sets.
_VENDORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("瑞数", ("$_ts", "r='m'", 'r="m"')),
    ("加速乐", ("__jsl_clearance", "__jsluid", "jsl_tracking", "jiasule")),
    ("云锁", ("yunsuoautojump", "security_verify_data", "security_session_verify", "yunsuo_session_verify")),
    ("网宿", ("wzwschallenge", "wzwstemplate", "wzwsquestion")),
    ("阿里云", ("acw_sc__v2",)),
    ("长亭", ("safelinechallenge", "/.safeline/challenge", "/.safeline/api/waiting")),
    ("安全验证", ("安全验证", "访问验证", "人机验证", "正在验证", "浏览器安全检查", "安全检查中", "cf-browser-verification",
                  "cf_chl_", "just a moment...")),
)
# the markers as the lower-cased bytes of a page in either encoding (bytes.lower() only folds ASCII, the
# same way in a marker as in a page)
_VENDOR_BYTES: tuple[tuple[str, tuple[bytes, ...]], ...] = tuple(
    (kind, tuple(dict.fromkeys(w.encode(enc).lower() for w in words for enc in ("utf-8", "gb18030"))))
    for kind, words in _VENDORS
)
# cookies a challenge hands out (not those the vendor puts on every answer: acw_tc, sl-session, __cf_bm)
_COOKIE_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("瑞数", re.compile(r"^[A-Za-z0-9]{10,}(?:80S|80T|O|P)$")),
    ("加速乐", re.compile(r"^__jsl", re.I)),
    ("云锁", re.compile(r"^(?:yunsuo|security)_session(?:_[a-z]+)?_verify$", re.I)),  # security_session_mid_verify too
    ("网宿", re.compile(r"^wzws_", re.I)),
    ("长亭", re.compile(r"^sl-(?:challenge|waiting)-", re.I)),
)
#: a 200/202 answer with neither a vendor's cookie nor the word "cookie" goes on past the first look only
#: with one of these, and only when it shows no link: an obfuscated script, a 瑞数 page
_STRICT_HINTS = (b"_0x", b"$_ts")
_SETS_COOKIE = re.compile(rb"document\s*(?:\.\s*cookie|\[\s*['\"]cookie['\"]\s*\])\s*=")
# where a script moves on, matched at each "location"/"history"/"submit" found (lower-cased bytes)
_NAV_WORDS = (b"location", b"history", b"submit")
_NAV_AT = re.compile(
    rb"location\s*(?:\.\s*(?P<reload>reload)\s*\(|\.\s*(?:replace|assign)\s*\(|(?:\.\s*href)?\s*=(?!=))"
    rb"|(?P<go>history)\s*\.\s*go\s*\(|(?P<submit>submit)\s*\(\s*\)"
)
# a target that is a plain literal URL ("/portal/index.html"): the site's own redirect, never computed
_LITERAL_TARGET = re.compile(rb"""\s*(?:"[^"+\\]*"|'[^'+\\]*')\s*(?:[;)}\n]|$)""")
_SELF_TARGET = re.compile(rb"\s*(?:(?:window|self|top|document)\s*\.\s*)?location\b")
_OBFUSCATED_NAMES = 10  # javascript-obfuscator's _0x… names: dozens in any obfuscated script
_HEX_ESCAPE = re.compile(rb"\\x([0-9a-f]{2})")


_NOT_SHOWN = re.compile(r"<(script|style|noscript|title)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|&nbsp;|\s+", re.S)
SHOWS_NOTHING_CHARS = 40  # "正在进行安全验证，请稍候……" and the like, not a page's content


def _shows_nothing(low: bytes) -> bool:
    """Does this page (lower-cased bytes) show at most a line of text and no link, image or frame?"""
    if any(tag in low for tag in (b"<a ", b"<img", b"<iframe", b"<frame")):
        return False
    return len(_NOT_SHOWN.sub("", _text(low))) <= SHOWS_NOTHING_CHARS


def _moves(low: bytes) -> tuple[bool, bool, bool]:
    """How the page's script moves on (lower-cased bytes): (to itself, to a target it computes, at all).

    A reload, ``history.go`` or ``location=location.href`` goes to itself; a form's ``submit()`` or
    ``location.replace(url+"?verify="+…)`` to a target computed on the spot, as a challenge does;
    ``location.href="/portal/"`` (a plain literal) is the site's own redirect. Only the places where
    one of :data:`_NAV_WORDS` stands are looked at.
    """
    itself = computed = moves = False
    for word in _NAV_WORDS:
        at = low.find(word)
        while at >= 0 and not (itself and computed):
            m = _NAV_AT.match(low, at)
            if m:
                moves = True
                if m.group("reload") or m.group("go") or (not m.group("submit") and _SELF_TARGET.match(low, m.end())):
                    itself = True
                elif m.group("submit") or not _LITERAL_TARGET.match(low, m.end()):
                    computed = True
            at = low.find(word, at + len(word))
    return itself, computed, moves


def _obfuscated(low: bytes) -> bool:
    """Is the page's script obfuscated (javascript-obfuscator's ``_0x…`` names) and writing into
    ``document[…]``/``window[…]`` (how it hides ``document.cookie`` and ``location``)?"""
    return low.count(b"_0x") >= _OBFUSCATED_NAMES and (b"document[" in low or b"window[" in low)


def _page_vendor(low: bytes) -> str | None:
    if b"\\x" in low and low.count(b"\\x") >= 8:  # an obfuscated script hides its cookie's name in escapes
        low = _HEX_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), low).lower()
    return next((kind for kind, words in _VENDOR_BYTES if any(w in low for w in words)), None)


def _text(body: bytes | str) -> str:
    if isinstance(body, str):
        return body[:MAX_CHALLENGE_BYTES]
    head = body[:MAX_CHALLENGE_BYTES]
    for enc in ("utf-8", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError:
            continue
    return head.decode("latin-1")


def _cookie_vendor(headers: Mapping[str, str] | Any) -> str | None:
    values: list[str] = []
    if hasattr(headers, "get_list"):
        values = list(headers.get_list("set-cookie"))
    elif headers:
        raw = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
        values = raw.split("\n") if raw else []
    for value in values:
        name = value.split("=", 1)[0].strip()
        for kind, pattern in _COOKIE_NAMES:
            if pattern.search(name):
                return kind
    return None


def challenge_kind(status: int | None, headers: Mapping[str, str] | Any, body: bytes | str) -> str | None:
    """The kind of challenge this answer is (``瑞数``, ``加速乐``, ``云锁``, ``网宿``, ``阿里云``,
    ``长亭``, ``安全验证``, ``脚本验证``), or None.

    Shape: a status of :data:`CHALLENGE_STATUSES`, a small body (at most
    :data:`MAX_CHALLENGE_BYTES`) with a script, and a known vendor marker (page or cookie name)
    or a script that sets ``document.cookie`` and moves on.

    - 412, 465, 468 (:data:`_OWN_STATUSES`): a script is enough (no ordinary page answers a plain
      GET so).
    - 200/202, where every page of the site answers: a marker in the page and a script that sets a
      cookie and moves on; or, on a page that shows nothing but a script (:func:`_shows_nothing`):
      a marker in the page (瑞数's own script comes from a file), or a script that moves on to
      itself or to a target it computes (:func:`_moves`) with the vendor's cookie in the answer or
      a cookie set by the script, or an obfuscated script (``_0x…`` names) writing into
      ``document[…]`` (阿里云's ``acw_sc__v2`` page hides even the word ``cookie``). A literal
      redirect (``location.href="/portal/"``) is the site's own, whatever cookie came with it.
    - 403/503/521: a marker in the page, or a script that sets a cookie and moves on, or a page
      that shows nothing but a script that computes where it goes (a form it submits) or is
      obfuscated. The vendor's cookie alone is not enough (the firewall hands it out with the
      site's own error pages too), nor a script that only reloads a page that says little
      ("系统维护中"). A 521 that shows nothing but a script is one (加速乐's older page is an
      ``eval`` of bytes).
    """
    if status not in CHALLENGE_STATUSES:
        return None
    if len(body) > MAX_CHALLENGE_BYTES:
        return None
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else body
    header_vendor = _cookie_vendor(headers)
    strict = status in _STRICT_STATUSES
    if strict and header_vendor is None and b"cookie" not in raw and (  # every page answers 200: a quick no
            b"<a " in raw or b"<A " in raw or not any(hint in raw for hint in _STRICT_HINTS)):
        return None
    low = raw.lower()
    scripted = b"<script" in low
    if status in _OWN_STATUSES:
        vendor = _page_vendor(low) or header_vendor
        return (vendor or "脚本验证") if scripted or vendor else None
    if not scripted:
        return None if strict else _page_vendor(low)
    itself, computed, moves = _moves(low)
    cookie_script = moves and b"cookie" in low and bool(_SETS_COOKIE.search(low))
    if strict:  # the cheap tests first: most pages of a site answer 200
        if cookie_script and (page_vendor := _page_vendor(low)):
            return page_vendor
        if not _shows_nothing(low):
            return None
        page_vendor = _page_vendor(low)
        if page_vendor or _obfuscated(low) or ((itself or computed) and (header_vendor or cookie_script)):
            return page_vendor or header_vendor or "脚本验证"
        return None
    if page_vendor := _page_vendor(low):
        return page_vendor
    if cookie_script:
        return header_vendor or "脚本验证"
    if (computed or status == 521 or _obfuscated(low)) and _shows_nothing(low):
        return header_vendor or "脚本验证"
    return None


def host_of(url: str) -> str:
    """The host a clearance belongs to (cookies are per host name, whatever the port)."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def merge_cookies(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Browser cookies, the newer one winning for the same name, domain and path."""
    def key(c: dict[str, Any]) -> tuple[Any, Any, Any]:
        return c.get("name"), c.get("domain"), c.get("path")

    merged = {key(c): c for c in old}
    merged.update({key(c): c for c in new})
    return list(merged.values())


@dataclass
class Clearance:
    """What the browser brought back from a challenge it passed."""

    cookies: list[dict[str, Any]]  # Playwright cookie dicts: name, value, domain, path, expires, ...
    user_agent: str  # the exact User-Agent the cookies are bound to
    final_url: str = ""


#: ``solver(url, timeout) -> Clearance`` (passed) or a short reason (not passed).
Solver = Callable[[str, float], Awaitable["Clearance | str"]]


@dataclass
class ChallengePass:
    """One attempt to get past a challenge, as the check document records it."""

    host: str
    kind: str
    url: str
    at: str  # UTC ISO-8601
    passed: bool
    elapsed: float = 0.0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "kind": self.kind, "url": self.url, "at": self.at, "passed": self.passed,
                "elapsed_s": round(self.elapsed, 2), "error": self.error}


@dataclass
class ChallengeGate:
    """Clearance for one check: shared by every fetcher of the check (crawl and probes)."""

    solver: Solver | None = None
    timeout: float = 15.0  # seconds the browser gets to pass one challenge (CHECKLIST: 15 s)
    max_passes: int = MAX_PASSES_PER_HOST
    cookies: list[dict[str, Any]] = field(default_factory=list)
    user_agent: str | None = None
    passes: list[ChallengePass] = field(default_factory=list)
    met: dict[str, str] = field(default_factory=dict)  # host -> kind of every challenge met
    stuck: dict[str, str] = field(default_factory=dict)  # host -> why no further pass is tried
    as_browser: dict[str, bool] = field(default_factory=dict)  # host -> refused us, answered a browser (fetch.py)
    unverified: dict[str, str] = field(default_factory=dict)  # host -> why its certificate failed (net.py)
    version: int = 0  # bumped on every successful pass (fetchers re-sync their cookies)
    _generation: dict[str, int] = field(default_factory=dict)
    _inflight: dict[str, asyncio.Future[bool]] = field(default_factory=dict)
    _answers: dict[str, int] = field(default_factory=dict)  # host -> answers let through since its last pass
    _useless: dict[str, int] = field(default_factory=dict)  # host -> passes in a row that let nothing through

    def generation(self, url: str) -> int:
        """How many times the host of ``url`` was passed so far (taken before a request is sent)."""
        return self._generation.get(host_of(url), 0)

    async def clear(self, url: str, kind: str, seen: int) -> bool:
        """Get past the challenge ``url`` answered with; True when a retry may now go through.

        ``seen`` is :meth:`generation` when the challenged request was sent: if the host was
        passed since, the request only needs to go again with the new cookies. Requests
        challenged while the browser is at it wait for that one pass; a waiter that gives up
        (a probe's timeout) does not cancel it.
        """
        host = host_of(url)
        self.met.setdefault(host, kind)
        if self.solver is None:
            self.stuck.setdefault(host, "no browser")
            return False
        if self._generation.get(host, 0) != seen:
            return True
        task = self._inflight.get(host)
        if task is None:
            if host in self.stuck:
                return False
            if sum(1 for p in self.passes if p.host == host) >= self.max_passes:
                self.stuck[host] = f"challenge came back more than {self.max_passes} times"
                return False
            if host in self._answers and self._answers[host] == 0:  # the last clearance let nothing through
                self._useless[host] = self._useless.get(host, 0) + 1
                if self._useless[host] >= MAX_USELESS_PASSES:
                    self.stuck[host] = f"the clearance was refused right after {self._useless[host]} passes"
                    return False
            task = asyncio.ensure_future(self._solve(host, url, kind))
            self._inflight[host] = task
            task.add_done_callback(lambda _t: self._inflight.pop(host, None))
        return await asyncio.shield(task)

    async def _solve(self, host: str, url: str, kind: str) -> bool:
        assert self.solver is not None
        started = time.monotonic()
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            result = await self.solver(url, self.timeout)
        except Exception as exc:  # the browser died: that host stays challenged, the check goes on
            result = f"browser: {type(exc).__name__}"
        elapsed = time.monotonic() - started
        passed = isinstance(result, Clearance)
        self.passes.append(ChallengePass(host, kind, url, at, passed, elapsed, None if passed else str(result)))
        if not isinstance(result, Clearance):
            self.stuck[host] = str(result)
            return False
        self._merge(result.cookies)
        self.user_agent = result.user_agent or self.user_agent
        self._answers[host] = 0
        self._generation[host] = self._generation.get(host, 0) + 1
        self.version += 1
        return True

    def answered(self, url: str) -> None:
        """A request to ``url``'s host got the site's own answer (the clearance works)."""
        host = host_of(url)
        if host in self._answers:
            self._answers[host] += 1
            self._useless[host] = 0

    def _merge(self, cookies: list[dict[str, Any]]) -> None:
        self.cookies = merge_cookies(self.cookies, cookies)

    def blocked(self, url: str) -> bool:
        """Is the host of ``url`` behind a challenge nobody got through (so far)?"""
        return host_of(url) in self.stuck

    def passed_hosts(self) -> dict[str, ChallengePass]:
        """The last successful pass of every host."""
        return {p.host: p for p in self.passes if p.passed}
