"""Anti-bot challenge pages: recognised by their shape, passed with the real browser.

Many government sites sit behind a JavaScript-challenge firewall (shared/CHECKLIST.md, "What
belongs to the site, and what a browser would see"): 瑞数 answers HTTP 412 with a small page
whose script computes a cookie and reloads, 加速乐 answers 521 with
``document.cookie=…;location.href=…``, 云锁, 网宿 and 阿里云 answer 200 with a page that shows
nothing and whose script sets a cookie or moves on, others answer 403/503 with a
"安全验证/访问验证" page.
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
CHALLENGE_STATUSES = frozenset({200, 202, 403, 412, 503, 521})
_STRICT_STATUSES = frozenset({200, 202})
MAX_CHALLENGE_BYTES = 64_000  # a challenge page is small; a bigger answer is a page of its own
MAX_PASSES_PER_HOST = 20  # a long crawl outlives a clearance cookie a few times
MAX_USELESS_PASSES = 2  # passes in a row after which not one request got through

# Known vendors: a marker in the page (lower-cased; plain substrings, so a page is scanned in microseconds)
# or in a cookie name the answer sets.
_VENDORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("瑞数", ("$_ts", "r='m'", 'r="m"')),
    ("加速乐", ("__jsl_clearance", "__jsluid", "jsl_tracking", "jiasule")),
    ("云锁", ("yunsuoautojump", "security_verify_data", "security_session_verify", "yunsuo_session_verify")),
    ("网宿", ("wzwschallenge", "wzwstemplate")),
    ("阿里云", ("acw_sc__v2",)),
    ("安全验证", ("安全验证", "访问验证", "人机验证", "正在验证", "浏览器安全检查", "安全检查中", "cf-browser-verification",
                  "cf_chl_", "just a moment...")),
)
_COOKIE_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("瑞数", re.compile(r"^[A-Za-z0-9]{10,}(?:80S|80T|O|P)$")),
    ("加速乐", re.compile(r"^__jsl", re.I)),
    ("云锁", re.compile(r"^(?:yunsuo|security)_session_verify$", re.I)),
    ("网宿", re.compile(r"^wzws_", re.I)),
)
_SETS_COOKIE = re.compile(r"document\s*(?:\.\s*cookie|\[\s*['\"]cookie['\"]\s*\])\s*=")
_NAVIGATES = re.compile(
    r"location\s*(?:\.\s*(?:reload|replace|assign)\s*\(|(?:\.\s*href)?\s*=(?!=))|history\s*\.\s*go\s*\(|\.submit\s*\(\s*\)"
)


_NOT_SHOWN = re.compile(r"<(script|style|noscript|title)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|&nbsp;|\s+", re.S)
SHOWS_NOTHING_CHARS = 40  # "正在进行安全验证，请稍候……" and the like, not a page's content


def _shows_nothing(lower: str) -> bool:
    """Does this (lower-cased) page show at most a line of text and no link, image or frame?"""
    if any(tag in lower for tag in ("<a ", "<img", "<iframe", "<frame")):
        return False
    return len(_NOT_SHOWN.sub("", lower)) <= SHOWS_NOTHING_CHARS


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
    ``安全验证``, ``脚本验证``), or None.

    Shape: a status of :data:`CHALLENGE_STATUSES`, a small body (at most
    :data:`MAX_CHALLENGE_BYTES`) with a script, and either a known vendor marker (page or
    cookie name) or a script that sets ``document.cookie`` and reloads or redirects. A 200/202
    answer needs a marker in the page and that script, or a marker (page or cookie) and a script
    that reloads or redirects on a page that shows nothing (:func:`_shows_nothing`); a 412 with
    a script is enough on its own (no ordinary page answers "precondition failed" to a plain GET).
    """
    if status not in CHALLENGE_STATUSES:
        return None
    size = len(body)
    if size > MAX_CHALLENGE_BYTES:
        return None
    header_vendor = _cookie_vendor(headers)
    if status in _STRICT_STATUSES and header_vendor is None and ("cookie" if isinstance(body, str) else b"cookie") not in body:
        return None  # every page answered 200: a quick no before any decoding
    text = _text(body)
    lower = text.lower()
    scripted = "<script" in lower
    page_vendor = next((kind for kind, words in _VENDORS if any(w in lower for w in words)), None)
    vendor = page_vendor or header_vendor
    navigates = scripted and any(w in text for w in ("location", "history", "submit")) and bool(_NAVIGATES.search(text))
    cookie_script = navigates and "cookie" in text and bool(_SETS_COOKIE.search(text))
    if status in _STRICT_STATUSES:
        # a vendor's page whose script sets its cookie and moves on, or one that shows nothing and
        # only moves on (its cookie came with the answer): the site's own pages may carry the
        # vendor's cookie too, and a script that sets a cookie, but they show something
        if (page_vendor and cookie_script) or (vendor and navigates and _shows_nothing(lower)):
            return vendor
        return None
    if vendor:
        return vendor
    if cookie_script or (status == 412 and scripted):
        return "脚本验证"
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
