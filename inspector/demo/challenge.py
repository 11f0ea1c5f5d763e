"""Anti-bot challenge walls for fixture sites: a 瑞数-like 412, a 加速乐-like 521 and a 云锁-like 200.

A :class:`ChallengeWall` stands in front of a fixture site the way the real firewalls stand in
front of government sites: a visitor without a valid clearance cookie gets the challenge page
instead of the site. Only a real browser gets through, because the clearance is computed by the
page's script from ``navigator.userAgent`` and a per-visitor nonce the server sent in a cookie
(the value is not in the page, so no regex can lift it), and it is bound to that User-Agent: the
same cookie sent with another User-Agent is challenged again. A clearance expires after
``max_uses`` requests (the firewall's cookie expiry), so a long crawl meets the challenge again.

- ``"rs"`` (瑞数-like): HTTP 412, a small page with ``$_ts`` and a ``<meta>`` carrying a token, and
  an external script (``/_rs/c.js``) that computes cookie ``FSSBBIl1UgzbN7N80T`` and reloads.
- ``"jsl"`` (加速乐-like): HTTP 521 with ``Set-Cookie: __jsluid_h=…`` and an inline
  ``document.cookie=('__jsl_clearance_s='+…);location.href=location.pathname+location.search``.
- ``"ys"`` (云锁-like): HTTP **200** with ``Set-Cookie: yunsuo_session_verify=…`` and a page that
  shows nothing; its script remembers the page (cookie ``srcurl``, hex) and goes to
  ``/?security_verify_data=<hex of the clearance>``, which the wall answers with a redirect back
  to the page and the clearance cookie ``security_session_verify``: a pass over three answers.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

Reply = tuple[int, dict[str, str], bytes]

RS_COOKIE = "FSSBBIl1UgzbN7N80T"
RS_SCRIPT = "/_rs/c.js"
JSL_COOKIE = "__jsl_clearance_s"
YS_COOKIE = "security_session_verify"
YS_VERIFY = "security_verify_data"
UID_COOKIE = {"rs": "FSSBBIl1UgzbN7N80S", "jsl": "__jsluid_h", "ys": "yunsuo_session_verify"}
COOKIE = {"rs": RS_COOKIE, "jsl": JSL_COOKIE, "ys": YS_COOKIE}
STATUS = {"rs": 412, "jsl": 521, "ys": 200}
ROUNDS = 7

# The clearance, in the page's JavaScript and here: FNV-1a over UTF-16 units of "ua|nonce", ROUNDS times.
_JS_HASH = (
    "function(s){var h=2166136261>>>0;for(var r=0;r<%d;r++){for(var i=0;i<s.length;i++)"
    "{h=Math.imul(h^s.charCodeAt(i),16777619)>>>0;}}return h.toString(16);}" % ROUNDS
)
_JS_UID = "function(k){var m=document.cookie.match(new RegExp('(?:^|; )'+k+'=([^;]*)'));return m?m[1]:''}"


def clearance(user_agent: str, nonce: str) -> str:
    """The clearance value a browser with ``user_agent`` computes for ``nonce``."""
    h = 2166136261
    text = f"{user_agent}|{nonce}".encode("utf-16-le")
    units = [int.from_bytes(text[i : i + 2], "little") for i in range(0, len(text), 2)]
    for _ in range(ROUNDS):
        for c in units:
            h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return f"{nonce}.{h:x}"


class ChallengeWall:
    """Decides, request by request, whether the visitor sees the site or the challenge."""

    def __init__(self, kind: str, *, max_uses: int = 1000) -> None:
        if kind not in UID_COOKIE:
            raise ValueError(f"unknown challenge kind {kind!r}")
        self.kind = kind
        self.max_uses = max_uses
        self.challenged = 0  # challenge pages served
        self.passed = 0  # requests let through
        self.clearance_user_agents: set[str] = set()  # the User-Agents that got through
        self._nonces: set[str] = set()
        self._uses: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def cookie(self) -> str:
        return COOKIE[self.kind]

    def gate(self, path: str, headers: Mapping[str, str]) -> Reply | None:
        """The challenge reply for this request, or None to let it through to the site."""
        if self.kind == "rs" and path.split("?", 1)[0] == RS_SCRIPT:
            return 200, {"Content-Type": "application/javascript"}, self._rs_script().encode()
        cookies = _cookies(headers)
        ua = _header(headers, "user-agent")
        if self.kind == "ys" and f"{YS_VERIFY}=" in path:
            return self._ys_verify(path, cookies, ua)
        token = cookies.get(self.cookie, "")
        nonce = token.split(".", 1)[0]
        with self._lock:
            if nonce in self._nonces and token == clearance(ua, nonce) and self._uses.get(token, 0) < self.max_uses:
                self._uses[token] = self._uses.get(token, 0) + 1
                self.passed += 1
                self.clearance_user_agents.add(ua)
                return None
            if token in self._uses and self._uses[token] >= self.max_uses:
                self._nonces.discard(nonce)  # expired: a fresh nonce next time
            fresh = secrets.token_hex(8)
            self._nonces.add(fresh)
            self.challenged += 1
        set_cookie = f"{UID_COOKIE[self.kind]}={fresh}; Path=/"  # the script reads it: not HttpOnly
        body = {"rs": lambda: self._rs_page(fresh), "jsl": self._jsl_page, "ys": self._ys_page}[self.kind]()
        return STATUS[self.kind], {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": set_cookie,
                        "Cache-Control": "no-store"}, body.encode()

    def _rs_page(self, nonce: str) -> str:
        junk = secrets.token_hex(24)
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<meta id="9DhefwqGPrzGxEp9hPaoag" content="{junk}" r="m">'
            f"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=50211;"
            f'$_ts.cd="{junk}";</script>'
            f'<script type="text/javascript" charset="utf-8" src="{RS_SCRIPT}" r=\'m\'></script>'
            "</head><body></body></html>"
        )

    def _rs_script(self) -> str:
        uid = UID_COOKIE["rs"]
        return (
            f"(function(){{var hash={_JS_HASH};var uid=({_JS_UID})('{uid}');"
            "var v=uid+'.'+hash(navigator.userAgent+'|'+uid);"
            f"document.cookie='{RS_COOKIE}='+v+'; path=/';location.reload();}})();"
        )

    def _jsl_page(self) -> str:
        # the nonce is only in the cookie the answer set; the page never shows it
        return (
            "<html><body><script>var _h=" + _JS_HASH + ";var _u=(" + _JS_UID + ")('" + UID_COOKIE["jsl"] + "');"
            "document.cookie=('" + JSL_COOKIE + "=')+_u+('.')+_h(navigator.userAgent+'|'+_u)+(';max-age=3600;path=/');"
            "location.href=location.pathname+location.search</script></body></html>"
        )


    def _ys_page(self) -> str:
        hexed = "function(s){var v='';for(var i=0;i<s.length;i++){v+=('0'+s.charCodeAt(i).toString(16)).slice(-2);}return v;}"
        return (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>'
            "<script type=\"text/javascript\">var _h=" + _JS_HASH + ";var _x=" + hexed + ";"
            "function YunSuoAutoJump(){var u=(" + _JS_UID + ")('" + UID_COOKIE["ys"] + "');"
            "document.cookie='srcurl='+_x(location.pathname+location.search)+';path=/;';"
            "self.location='/?" + YS_VERIFY + "='+_x(u+'.'+_h(navigator.userAgent+'|'+u));}</script>"
            '<script>setTimeout("YunSuoAutoJump()",50);</script></head><body></body></html>'
        )

    def _ys_verify(self, path: str, cookies: Mapping[str, str], ua: str) -> Reply:
        """``/?security_verify_data=…``: the clearance checked, given as a cookie, and back to the page."""
        data = path.split(f"{YS_VERIFY}=", 1)[1].split("&", 1)[0]
        try:
            token = bytes.fromhex(data).decode("ascii")
            back = bytes.fromhex(cookies.get("srcurl", "")).decode("utf-8") or "/"
        except (ValueError, UnicodeDecodeError):
            return 400, {"Content-Type": "text/plain"}, b"bad verify data"
        nonce = token.split(".", 1)[0]
        with self._lock:
            if nonce not in self._nonces or token != clearance(ua, nonce):
                return 403, {"Content-Type": "text/plain"}, b"verify failed"
        if not back.startswith("/") or back.startswith("//"):
            back = "/"
        return 302, {"Location": back, "Set-Cookie": f"{YS_COOKIE}={token}; Path=/", "Cache-Control": "no-store"}, b""


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def _cookies(headers: Mapping[str, str]) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(_header(headers, "cookie"))
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}
