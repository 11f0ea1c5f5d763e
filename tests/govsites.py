"""Small government-like fixture sites with known problems, mountable under any path.

``small_site(prefix, as_of, ...)`` returns LoopbackServer routes for one site whose homepage is
``prefix`` (``/`` for a whole host, ``/bm/jtj/`` for a department's sub-site on a platform):
a navigation menu (工作动态, 通知公告, 政务公开, 办事指南), a homepage news list, column pages,
articles, service guides, and the planted problems the caller asks for. ``Known`` says what a
correct check must count, computed from the same arguments (not from the HTML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.httpfixtures import Reply, html

ELEMENTS = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程")


@dataclass
class Known:
    """What the check must find on the site (the planted problems)."""

    homepage_broken: list[str] = field(default_factory=list)  # paths
    stale_news_columns: int = 0
    stale_notice_columns: int = 0
    incomplete_guides: int = 0
    missing_elements: int = 0
    pages: list[str] = field(default_factory=list)  # every page path of the site


def _day(as_of: date, age: int) -> str:
    return (as_of - timedelta(days=age)).isoformat()


def _list(prefix: str, folder: str, title: str, ages: list[int], as_of: date) -> str:
    rows = "".join(
        f"<li><a href='{prefix}{folder}/art{i}.html'>{title}第{i}号信息发布</a><span>{_day(as_of, age)}</span></li>"
        for i, age in enumerate(ages, 1)
    )
    return f"<ul class='list'>{rows}</ul>"


def _page(title: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def _guide(name: str, missing: tuple[str, ...]) -> str:
    rows = "".join(f"<tr><th>{e}</th><td>{name}的{e}说明内容</td></tr>" for e in ELEMENTS if e not in missing)
    return _page(f"办事指南：{name}", f"<h1>办事指南：{name}</h1><table>{rows}</table>")


def small_site(
    prefix: str,
    as_of: date,
    *,
    name: str,
    news_age: int = 2,  # age of the newest item of the 工作动态 column
    notice_age: int = 10,
    broken: int = 0,  # broken links planted on the homepage
    bad_guides: int = 0,  # guides missing four of the eight elements
    extra_nav: str = "",  # more menu entries (e.g. a link to the platform's portal)
) -> tuple[dict[str, Reply], Known]:
    """Routes of one site under ``prefix`` and what a check must find there."""
    known = Known()
    p = prefix
    routes: dict[str, Reply] = {}
    nav = (
        f"<div class='nav'><a href='{p}'>首页</a><a href='{p}gzdt/'>工作动态</a><a href='{p}tzgg/'>通知公告</a>"
        f"<a href='{p}zwgk/'>政务公开</a><a href='{p}bsfw/'>办事指南</a>{extra_nav}</div>"
    )
    news = _list(p, "xw", f"{name}要闻", list(range(1, 13)), as_of)
    planted = "".join(f"<a href='{p}missing-{i}.html'>失效链接{i}</a>" for i in range(broken))
    known.homepage_broken = [f"{p}missing-{i}.html" for i in range(broken)]
    home = _page(
        name,
        f"<h1>{name}</h1>{nav}<div class='news'><h3>要闻动态</h3>{news}</div><div class='links'>{planted}</div>"
        f"<img src='{p}logo.png' alt='标志'>",
    )
    routes[p] = html(home)
    routes[f"{p}logo.png"] = (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    columns = {
        "gzdt": ("工作动态", [news_age + k for k in range(8)]),
        "tzgg": ("通知公告", [notice_age + 7 * k for k in range(8)]),
        "zwgk": ("政务公开", [3 + k for k in range(8)]),
    }
    known.stale_news_columns = int(news_age > 14)
    known.stale_notice_columns = int(notice_age > 180)
    for folder, (title, ages) in columns.items():
        routes[f"{p}{folder}/"] = html(_page(title, f"{nav}<h2>{title}</h2>{_list(p, folder, title, ages, as_of)}"))
        for i, age in enumerate(ages, 1):
            routes[f"{p}{folder}/art{i}.html"] = html(_page(f"{title}{i}", f"<h1>{title}第{i}号</h1><p>发布时间：{_day(as_of, age)}</p>"))
    for i in range(1, 13):
        routes[f"{p}xw/art{i}.html"] = html(_page(f"要闻{i}", f"<h1>{name}要闻第{i}号</h1><p>发布时间：{_day(as_of, i)}</p>"))
    guides = [(f"{name}事项{i}", ELEMENTS[4:] if i < bad_guides else ()) for i in range(3)]
    links = "".join(f"<li><a href='{p}bsfw/g{i}.html'>{g}</a></li>" for i, (g, _) in enumerate(guides))
    routes[f"{p}bsfw/"] = html(_page("办事指南", f"{nav}<h2>办事指南</h2><ul>{links}</ul>"))
    for i, (g, missing) in enumerate(guides):
        routes[f"{p}bsfw/g{i}.html"] = html(_guide(g, missing))
    known.incomplete_guides = sum(1 for _, m in guides if m)
    known.missing_elements = sum(len(m) for _, m in guides)
    known.pages = sorted(k for k in routes if not k.endswith(".png"))
    return routes, known
