"""Render a demo site spec into the bytes its server answers with.

Every link is emitted through :class:`PageCtx`, which records the absolute,
fragment-less URL exactly as the CHECKLIST.md counting convention reads it
from the markup. The ground truth uses those records (by construction, not
by parsing), and the URL helpers below (``column_path``, ``item_path``, ...)
are shared with :mod:`inspector.demo.truth`.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urldefrag, urljoin, urlsplit

from inspector.demo.spec import CLOSED, HANG, Column, DemoSiteSpec, Guide, Item, Message, Plant

KEY_ELEMENTS = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程")
YEARLESS = ("paren_mmdd", "mmdd")


@dataclass
class Resource:
    """One answer of a site server."""

    status: int
    ctype: str
    body: bytes = b""
    location: str | None = None


@dataclass
class Targets:
    """Where the region's servers listen (filled in at serve time)."""

    bases: dict[str, str]  # site code -> "http://127.0.0.1:PORT"
    closed: str  # base URL of a port that refuses connections
    hang: str  # base URL of a socket that never answers
    names: dict[str, str] = field(default_factory=dict)  # site code -> 网站名称 (for 友情链接)

    def resolve(self, target: str, site_base: str) -> str:
        """A Plant/OnlineSystem target -> absolute URL (or site path kept relative)."""
        if target.startswith(CLOSED):
            return self.closed + target[len(CLOSED):]
        if target.startswith(HANG):
            return self.hang + target[len(HANG):]
        if target.startswith("@site:"):
            code, _, path = target[len("@site:"):].partition("/")
            return self.bases[code] + "/" + path
        return target


@dataclass
class SiteContent:
    """A rendered site: resources by path and the links recorded on each HTML page."""

    base: str
    resources: dict[str, Resource] = field(default_factory=dict)
    links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # path -> [(tag, abs url)]


# --------------------------------------------------------------------------- dates and paths


def day(as_of: date, age: int) -> date:
    """The date ``age`` days before ``as_of``."""
    return as_of - timedelta(days=age)


def fmt_date(d: date, fmt: str) -> str:
    """A date as a given CMS writes it in a list."""
    formats = {
        "iso": f"{d:%Y-%m-%d}",
        "iso_nopad": f"{d.year}-{d.month}-{d.day}",
        "slash": f"{d:%Y/%m/%d}",
        "dot": f"{d:%Y.%m.%d}",
        "bracket": f"[{d:%Y-%m-%d}]",
        "cn": f"{d.year}年{d.month:02d}月{d.day:02d}日",
        "paren_mmdd": f"({d:%m-%d})",
        "mmdd": f"{d:%m-%d}",
        "url_only": "",
    }
    return formats[fmt]


def column_path(spec: DemoSiteSpec, col: Column) -> str:
    """The URL path of a column's list page (theme-dependent, like real CMSs)."""
    suffix = {"portal": "", "classic": "index.htm", "plain": "index.html"}[spec.style.theme]
    return f"/{col.slug}/{suffix}"


def _ids(spec: DemoSiteSpec, col: Column) -> int:
    """First numeric id of a column's documents (stable, unique per site)."""
    return 1000 + 40 * spec.columns.index(col)


def item_path(spec: DemoSiteSpec, col: Column, index: int, as_of: date) -> str:
    """URL path of an article; TRS-style dated URL when the CMS does that."""
    item = col.items[index]
    num = _ids(spec, col) + index
    url_dates = spec.style.url_dates or (col.date_fmt == "url_only")
    if item.age is not None and url_dates:
        d = day(as_of, item.age)
        return f"/{col.slug}/{d:%Y%m}/t{d:%Y%m%d}_{num}.html"
    return f"/{col.slug}/content_{num}.html"


def message_path(spec: DemoSiteSpec, col: Column, index: int) -> str:
    """URL path of a message's detail page."""
    return f"/{col.slug}/detail_{_ids(spec, col) + index}.html"


def guide_path(spec: DemoSiteSpec, col: Column, index: int) -> str:
    """URL path of a service guide page."""
    return f"/{col.slug}/bszn_{_ids(spec, col) + index}.html"


def file_path(col: Column, filename: str) -> str:
    """URL path of an attachment belonging to a column (or one of its articles)."""
    return f"/{col.slug}/files/{filename}"


def date_fmt_of(spec: DemoSiteSpec, col: Column) -> str:
    """The date format a column's list uses."""
    return col.date_fmt or spec.style.date_fmt


# --------------------------------------------------------------------------- link-recording page context


class PageCtx:
    """Builds one HTML page and records every link it emits."""

    def __init__(self, spec: DemoSiteSpec, base: str, path: str, targets: Targets) -> None:
        self.spec, self.base, self.path, self.targets = spec, base, path, targets
        self.url = base + path
        self.links: list[tuple[str, str]] = []

    def _record(self, tag: str, href: str) -> None:
        low = href.strip().lower()
        if not low or low.startswith(("mailto:", "tel:", "javascript:", "#")):
            return
        absolute, _ = urldefrag(urljoin(self.url, href))
        if urlsplit(absolute).scheme in ("http", "https"):
            self.links.append((tag, absolute))

    def a(self, href: str, text: str, cls: str = "", title: str = "") -> str:
        """An anchor; text is escaped."""
        self._record("a", href)
        attrs = f' class="{cls}"' if cls else ""
        attrs += f' title="{html.escape(title)}"' if title else ""
        return f'<a href="{html.escape(href)}"{attrs} target="_blank">{html.escape(text)}</a>'

    def a_html(self, href: str, inner: str) -> str:
        """An anchor around markup that is already escaped (e.g. an image)."""
        self._record("a", href)
        return f'<a href="{html.escape(href)}">{inner}</a>'

    def img(self, src: str, alt: str = "") -> str:
        """An image."""
        self._record("img", src)
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'

    def css(self, href: str) -> str:
        """A stylesheet link."""
        self._record("link", href)
        return f'<link rel="stylesheet" type="text/css" href="{html.escape(href)}">'

    def js(self, src: str) -> str:
        """An external script."""
        self._record("script", src)
        return f'<script type="text/javascript" src="{html.escape(src)}"></script>'

    def iframe(self, src: str) -> str:
        """An inline frame."""
        self._record("iframe", src)
        return f'<iframe src="{html.escape(src)}" width="100%" height="360" frameborder="0"></iframe>'

    def plant(self, p: Plant) -> str:
        """A deliberately placed link."""
        url = self.targets.resolve(p.target, self.base)
        emit = {"a": lambda: self.a(url, p.text or "相关链接"), "img": lambda: self.img(url, p.text),
                "link": lambda: self.css(url), "script": lambda: self.js(url),
                "iframe": lambda: self.iframe(url)}
        return emit[p.tag]()

    def rel(self, path: str) -> str:
        """A path written relative to this page's directory when it lies below it (CMS habit)."""
        here = self.path.rsplit("/", 1)[0] + "/"
        return "./" + path[len(here):] if path.startswith(here) and path != here else path


def esc(text: str) -> str:
    """Escape text for HTML."""
    return html.escape(text)


# --------------------------------------------------------------------------- themes (header / nav / footer)

THEMES = {
    "portal": {"css": "/static/css/common.css", "js": "/static/js/jquery.min.js",
               "logo": "/static/images/logo.png", "badge": "/static/images/dzjg.png"},
    "classic": {"css": "/templates/style/main.css", "js": "/templates/js/common.js",
                "logo": "/templates/images/top_logo.jpg", "badge": "/templates/images/red.png"},
    "plain": {"css": "/res/css/site.css", "js": "/res/js/site.js",
              "logo": "/res/img/banner.png", "badge": "/res/img/dzjg.png"},
}


def _head(ctx: PageCtx, title: str) -> str:
    spec, theme = ctx.spec, THEMES[ctx.spec.style.theme]
    if spec.style.encoding == "utf-8":
        meta = '<meta charset="utf-8">'
    else:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={spec.style.encoding}">'
    plants = "".join(ctx.plant(p) for p in spec.chrome_plants if p.tag in ("link", "script"))
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{esc(title)}</title>\n"
            f'<meta name="SiteName" content="{esc(spec.name)}">\n'
            f'<meta name="SiteIDCode" content="{spec.code}">\n'
            f'{ctx.css(theme["css"])}\n{ctx.js(theme["js"])}\n{plants}\n</head>\n<body>\n')


def _nav(ctx: PageCtx) -> str:
    spec = ctx.spec
    groups: dict[str, list[Column]] = {}
    for col in spec.columns:
        groups.setdefault(col.group, []).append(col)
    if spec.style.theme == "classic":
        cells = [f"<td>{ctx.a('/', '首页')}</td>"]
        for name, cols in groups.items():
            subs = " | ".join(ctx.a(column_path(spec, c), c.name) for c in cols)
            cells.append(f'<td><b>{esc(name)}</b><div class="sub">{subs}</div></td>')
        return f'<table class="nav" width="100%"><tr>{"".join(cells)}</tr></table>\n'
    items = [f'<li class="index">{ctx.a("/", "首页")}</li>']
    for name, cols in groups.items():
        subs = "".join(f"<span>{ctx.a(column_path(spec, c), c.name)}</span>" for c in cols)
        items.append(f'<li><dl><dt><a href="javascript:;">{esc(name)}</a></dt>'
                     f'<dd class="submenu">{subs}</dd></dl></li>')
    return f'<div class="mainNav"><ul class="clearfix">{"".join(items)}</ul></div>\n'


def _header(ctx: PageCtx) -> str:
    spec, theme = ctx.spec, THEMES[ctx.spec.style.theme]
    plants = "".join(ctx.plant(p) for p in spec.chrome_plants if p.tag not in ("link", "script"))
    search = ('<form class="search" action="javascript:;"><input type="text" name="q" '
              'placeholder="请输入关键字"><button type="button">搜索</button></form>')
    return (f'<div class="top-bar"><span>欢迎访问{esc(spec.name)}</span>'
            f'<a href="javascript:void(0)" onclick="aria.start()">无障碍</a>'
            f'<a href="javascript:void(0)">关怀版</a></div>\n'
            f'<div class="header"><div class="logo">{ctx.a_html("/", ctx.img(theme["logo"], spec.name))}'
            f'</div>{search}{plants}</div>\n' + _nav(ctx))


def _footer(ctx: PageCtx) -> str:
    spec, theme = ctx.spec, THEMES[ctx.spec.style.theme]
    return (f'<div class="footer">\n<p>{ctx.a("/about/lxwm.html", "联系我们")} | '
            f'{ctx.a("/about/wzdt.html", "网站地图")} | <a href="javascript:void(0)">加入收藏</a> | '
            f'<a href="#top">返回顶部</a></p>\n'
            f"<p>主办单位：{esc(spec.sponsor)}　主管单位：{esc(spec.supervisor)}</p>\n"
            f"<p>网站标识码：{spec.code}　{esc(spec.icp)}</p>\n"
            f'<p>{ctx.img(theme["badge"], "党政机关")} 建议使用1366×768分辨率浏览本网站</p>\n'
            "</div>\n</body>\n</html>\n")


def _page(ctx: PageCtx, title: str, body: str) -> str:
    return _head(ctx, f"{title}-{ctx.spec.name}") + _header(ctx) + body + _footer(ctx)


def _crumb(ctx: PageCtx, col: Column | None) -> str:
    parts = [ctx.a("/", "首页")]
    if col is not None:
        parts.append(ctx.a(column_path(ctx.spec, col), col.name))
    return f'<div class="crumb">当前位置：{" &gt; ".join(parts)}</div>\n'


# --------------------------------------------------------------------------- lists


def _entries(ctx: PageCtx, spec: DemoSiteSpec, col: Column, as_of: date, limit: int | None,
             rel: bool) -> list[tuple[str, str, str]]:
    """(href, title, shown date) of a column's first entries."""
    fmt = date_fmt_of(spec, col)
    out = []
    for i, item in enumerate(col.items[:limit]):
        path = item_path(spec, col, i, as_of)
        shown = "" if item.age is None else fmt_date(day(as_of, item.age), fmt)
        out.append((ctx.rel(path) if rel else path, item.title, shown))
    for i, msg in enumerate(col.messages[:limit]):
        path = message_path(spec, col, i)
        out.append((ctx.rel(path) if rel else path, msg.title, fmt_date(day(as_of, msg.asked), "iso")))
    return out


def render_list(ctx: PageCtx, entries: list[tuple[str, str, str]], listing: str, date_first: bool) -> str:
    """A list block in one of the CMS markups."""
    rows = []
    for href, title, shown in entries:
        link = ctx.a(href, title, title=title)
        if listing == "table":
            cells = [f'<td class="bt">{link}</td>'] + ([f'<td class="rq" width="90">{esc(shown)}</td>']
                                                     if shown else [])
            rows.append(f"<tr>{''.join(cells[::-1] if date_first else cells)}</tr>")
        elif listing == "dl":
            parts = [f"<dt>{link}</dt>"] + ([f"<dd>{esc(shown)}</dd>"] if shown else [])
            rows.append(f"<dl>{''.join(parts[::-1] if date_first else parts)}</dl>")
        elif listing == "div":
            parts = [f'<div class="tit">{link}</div>'] + ([f'<div class="time">{esc(shown)}</div>']
                                                        if shown else [])
            rows.append(f'<div class="item">{"".join(parts[::-1] if date_first else parts)}</div>')
        else:
            parts = [link] + ([f'<span class="date">{esc(shown)}</span>'] if shown else [])
            rows.append(f"<li>{''.join(parts[::-1] if date_first else parts)}</li>")
    inner = "\n".join(rows)
    wrap = {"table": ('<table class="list" width="100%">', "</table>"),
            "dl": ('<div class="list">', "</div>"), "div": ('<div class="list">', "</div>")}
    start, end = wrap.get(listing, ('<ul class="list">', "</ul>"))
    return f"{start}\n{inner}\n{end}\n"


def _block(ctx: PageCtx, spec: DemoSiteSpec, col: Column, as_of: date) -> str:
    more = ctx.a(column_path(spec, col), "更多>>", cls="more")
    head = f'<div class="hd"><h3>{esc(col.name)}</h3>{more}</div>'
    entries = _entries(ctx, spec, col, as_of, col.home, rel=False)
    if col.slug == spec.js_column:
        data = json.dumps([[t, h, s] for h, t, s in entries], ensure_ascii=False).replace("</", "<\\/")
        body = ('<ul class="list" id="jsList"></ul>\n<script type="text/javascript">\n'
                f"(function(){{var d={data};var u=document.getElementById('jsList');"
                "for(var i=0;i<d.length;i++){var li=document.createElement('li');"
                "var a=document.createElement('a');a.href=d[i][1];a.textContent=d[i][0];"
                "var s=document.createElement('span');s.className='date';s.textContent=d[i][2];"
                "li.appendChild(a);li.appendChild(s);u.appendChild(li);}})();\n</script>\n")
    else:
        body = render_list(ctx, entries, spec.style.listing, spec.style.date_first)
    return f'<div class="block">{head}\n{body}</div>\n'


# --------------------------------------------------------------------------- pages


def _home(ctx: PageCtx, spec: DemoSiteSpec, as_of: date) -> str:
    parts = []
    if spec.nav_only:
        icons = "".join(f'<li>{ctx.a(column_path(spec, c), c.name)}</li>' for c in spec.columns)
        parts.append(f'<div class="entry-grid"><h2>栏目导航</h2><ul>{icons}</ul></div>\n')
    else:
        home_cols = [c for c in spec.columns if c.home]
        if spec.headline and home_cols:
            col = home_cols[0]
            d = fmt_date(day(as_of, col.items[0].age or 0), date_fmt_of(spec, col))
            parts.append(f'<div class="headline"><h2>{ctx.a(item_path(spec, col, 0, as_of), col.items[0].title)}'
                         f'</h2><span class="date">{esc(d)}</span></div>\n')
        parts.extend(_block(ctx, spec, c, as_of) for c in home_cols)
    if spec.home_systems:
        links = "".join(f"<li>{ctx.a(ctx.targets.resolve(s.target, ctx.base), s.label)}</li>"
                        for s in spec.home_systems)
        parts.append(f'<div class="service-entry"><h3>办事服务</h3><ul>{links}</ul></div>\n')
    parts.extend(f"<div>{ctx.plant(p)}</div>\n" for p in spec.home_plants)
    if spec.friends:
        links = "".join(f"<li>{ctx.a(ctx.targets.bases[c] + '/', ctx.targets.names[c])}</li>"
                        for c in spec.friends)
        parts.append(f'<div class="links"><h3>友情链接</h3><ul>{links}</ul></div>\n')
    return _page(ctx, "首页", "".join(parts)).replace(f"<title>首页-{esc(spec.name)}", f"<title>{esc(spec.name)}")


def _column_page(ctx: PageCtx, spec: DemoSiteSpec, col: Column, as_of: date) -> str:
    body = _crumb(ctx, col) + f'<div class="col-title"><h2>{esc(col.name)}</h2></div>\n'
    if col.placeholder is not None:
        body += (f'<div class="nodata">{esc(col.placeholder)}</div>\n' if col.placeholder
                 else '<ul class="list">\n</ul>\n')
    elif col.messages:
        body += _message_table(ctx, spec, col, as_of)
    elif col.guides:
        body += "<ul class=\"guide-list\">" + "".join(
            f"<li>{ctx.a(ctx.rel(guide_path(spec, col, i)), g.name + '办事指南')}</li>"
            for i, g in enumerate(col.guides)) + "</ul>\n"
    elif col.files:
        body += "<ul class=\"down-list\">" + "".join(
            f"<li>{ctx.a(ctx.rel(file_path(col, f.filename)), f.label)}</li>" for f in col.files) + "</ul>\n"
    elif col.systems:
        body += "<ul class=\"sys-list\">" + "".join(
            f"<li>{ctx.a(ctx.targets.resolve(s.target, ctx.base), s.label)}</li>" for s in col.systems) + "</ul>\n"
    else:
        entries = _entries(ctx, spec, col, as_of, None, rel=True)
        body += render_list(ctx, entries, spec.style.listing, spec.style.date_first)
        body += f'<div class="page">共{len(entries)}条　首页　上一页　下一页　尾页</div>\n'
    body += "".join(f"<p>{ctx.plant(p)}</p>\n" for p in col.plants)
    return _page(ctx, col.name, body)


def _labels(spec: DemoSiteSpec) -> tuple[str, str]:
    """(submission label, reply label) used by the site's message board."""
    return ("提问时间", "答复时间") if spec.style.theme == "classic" else ("留言时间", "回复时间")


def _message_table(ctx: PageCtx, spec: DemoSiteSpec, col: Column, as_of: date) -> str:
    asked_label, _ = _labels(spec)
    rows = []
    for i, msg in enumerate(col.messages):
        state = "已回复" if msg.replied is not None else "办理中"
        rows.append(f"<tr><td>{ctx.a(ctx.rel(message_path(spec, col, i)), msg.title)}</td>"
                    f"<td>{fmt_date(day(as_of, msg.asked), 'iso')}</td><td>{state}</td></tr>")
    return (f'<div class="write">{ctx.a("javascript:;", "我要写信")}</div>\n'
            f'<table class="msg-list" width="100%"><tr><th>标题</th><th>{asked_label}</th><th>状态</th></tr>\n'
            + "\n".join(rows) + "\n</table>\n")


def _article(ctx: PageCtx, spec: DemoSiteSpec, col: Column, item: Item, as_of: date) -> str:
    meta = [f"来源：{esc(spec.sponsor)}"]
    if item.age is not None:
        meta.insert(0, f"发布时间：{day(as_of, item.age):%Y-%m-%d}")
    paras = [f"　　{esc(item.title)}。为进一步做好相关工作，现将有关情况公布如下。",
             "　　各单位要高度重视，认真组织实施，确保各项工作落到实处、取得实效。"]
    if item.body:
        paras.insert(1, "　　" + esc(item.body))
    body = (_crumb(ctx, col) + f'<div class="article"><h1>{esc(item.title)}</h1>\n'
            f'<div class="info">{"　".join(meta)}</div>\n<div class="content">\n'
            + "".join(f"<p>{p}</p>\n" for p in paras))
    if item.attachments:
        body += "<p>附件：</p>\n" + "".join(
            f"<p>{ctx.a(file_path(col, f.filename), f.label)}</p>\n" for f in item.attachments)
    body += "".join(f"<p>{ctx.plant(p)}</p>\n" for p in item.plants)
    body += '</div>\n<div class="tools"><a href="javascript:window.print()">打印本页</a> ' \
            '<a href="javascript:window.close()">关闭窗口</a></div>\n</div>\n'
    return _page(ctx, item.title, body)


def _message_page(ctx: PageCtx, spec: DemoSiteSpec, col: Column, msg: Message, as_of: date) -> str:
    asked_label, reply_label = _labels(spec)
    rows = [("信件标题", msg.title), ("来信人", "网友"), (asked_label, fmt_date(day(as_of, msg.asked), "iso")),
            ("信件内容", f"您好，{msg.title}，希望有关部门予以答复，谢谢！")]
    if msg.replied is None:
        rows.append(("办理状态", "办理中"))
    else:
        rows += [("回复单位", msg.unit), (reply_label, fmt_date(day(as_of, msg.replied), "iso")),
                 ("回复内容", "您好！来信收悉。经核实，相关问题已按规定处理，感谢您对我们工作的关心和支持。")]
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    body = _crumb(ctx, col) + f'<table class="letter" width="100%">{table}</table>\n'
    return _page(ctx, msg.title, body)


GUIDE_VALUES = {
    "事项名称": "{name}",
    "设定依据": "《中华人民共和国行政许可法》及相关法律法规",
    "申请条件": "申请人具有完全民事行为能力，材料齐全、符合法定形式",
    "办理材料": "申请表原件1份；申请人身份证明复印件1份",
    "办理地点": "市政务服务中心一楼综合窗口",
    "办理时间": "工作日上午9:00-12:00，下午13:30-17:00",
    "联系电话": "0870-1234567",
    "办理流程": "申请—受理—审查—决定—送达",
}


def _guide_page(ctx: PageCtx, spec: DemoSiteSpec, col: Column, guide: Guide) -> str:
    pairs = [(k, "" if k in guide.empty else GUIDE_VALUES[k].format(name=guide.name))
             for k in KEY_ELEMENTS if k not in guide.missing]
    pairs.append(("收费标准", "不收费"))
    if guide.layout == "table":
        inner = '<table class="bszn" border="1" width="100%">' + "".join(
            f"<tr><th>{k}</th><td>{esc(v)}</td></tr>" for k, v in pairs) + "</table>"
    elif guide.layout == "dl":
        inner = '<dl class="bszn">' + "".join(f"<dt>{k}：</dt><dd>{esc(v)}</dd>" for k, v in pairs) + "</dl>"
    else:
        inner = "".join(f'<div class="sec"><h3>{k}</h3><p>{esc(v)}</p></div>' for k, v in pairs)
    body = _crumb(ctx, col) + f"<h1>{esc(guide.name)}办事指南</h1>\n{inner}\n"
    return _page(ctx, guide.name + "办事指南", body)


def _about(ctx: PageCtx, spec: DemoSiteSpec) -> str:
    body = (_crumb(ctx, None) + "<h2>联系我们</h2>\n"
            f"<p>主办单位：{esc(spec.sponsor)}</p><p>联系电话：0870-1234567</p>"
            f'<p>电子邮箱：<a href="mailto:webmaster@example.gov.cn">webmaster@example.gov.cn</a></p>\n'
            + "".join(f"<p>{ctx.plant(p)}</p>\n" for p in spec.about_plants))
    return _page(ctx, "联系我们", body)


def _sitemap(ctx: PageCtx, spec: DemoSiteSpec) -> str:
    links = "".join(f"<li>{ctx.a(column_path(spec, c), c.name)}</li>" for c in spec.columns)
    return _page(ctx, "网站地图", _crumb(ctx, None) + f'<h2>网站地图</h2><ul class="map">{links}</ul>\n')


def _system_page(ctx: PageCtx, label: str) -> str:
    body = _crumb(ctx, None) + f"<h2>{esc(label)}</h2>\n<p>请使用统一身份认证账号登录后办理。</p>\n"
    return _page(ctx, label, body)


# --------------------------------------------------------------------------- binary assets

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
OLE_HEADER = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
FILE_TYPES = {
    "pdf": "application/pdf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "wps": "application/vnd.ms-works", "zip": "application/zip", "rar": "application/x-rar-compressed",
}


def _zip_bytes(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, "demo")
    return buf.getvalue()


def file_resource(filename: str, fault: str | None) -> Resource | None:
    """The answer for an attachment URL (None = 404)."""
    ext = filename.rsplit(".", 1)[-1].lower()
    if fault == "404":
        return None
    if fault == "html200":
        page = "<html><head><title>错误</title></head><body><h1>文件不存在或已被删除</h1></body></html>"
        return Resource(200, "text/html; charset=utf-8", page.encode())
    if fault == "empty":
        return Resource(200, FILE_TYPES[ext], b"")
    body = {"pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "docx": _zip_bytes("word/document.xml"),
            "xlsx": _zip_bytes("xl/workbook.xml"), "zip": _zip_bytes("readme.txt")}.get(ext, OLE_HEADER)
    return Resource(200, FILE_TYPES[ext], body)


def _assets(spec: DemoSiteSpec) -> dict[str, Resource]:
    theme = THEMES[spec.style.theme]
    return {
        theme["css"]: Resource(200, "text/css", b"body{font-family:SimSun,serif;margin:0}.list li{list-style:none}\n"),
        theme["js"]: Resource(200, "application/javascript", b"var aria={start:function(){}};\n"),
        theme["logo"]: Resource(200, "image/jpeg" if theme["logo"].endswith(".jpg") else "image/png", PNG_1PX),
        theme["badge"]: Resource(200, "image/png", PNG_1PX),
    }


# --------------------------------------------------------------------------- the whole site


def render_site(spec: DemoSiteSpec, as_of: date, targets: Targets) -> SiteContent:
    """Every resource of a served site, with the links recorded on each HTML page."""
    site = SiteContent(base=targets.bases[spec.code])
    site.resources.update(_assets(spec))
    html_pages: dict[str, tuple[PageCtx, str]] = {}

    def add(path: str, build: Callable[[PageCtx], str]) -> None:
        ctx = PageCtx(spec, site.base, path, targets)
        html_pages[path] = (ctx, build(ctx))

    add("/", lambda c: _home(c, spec, as_of))
    add("/about/lxwm.html", lambda c: _about(c, spec))
    add("/about/wzdt.html", lambda c: _sitemap(c, spec))
    systems = list(spec.home_systems) + [s for col in spec.columns for s in col.systems]
    for s in systems:
        if s.target.startswith("/"):
            add(s.target, lambda c, s=s: _system_page(c, s.label))
    for col in spec.columns:
        add(column_path(spec, col), lambda c, col=col: _column_page(c, spec, col, as_of))
        for i, item in enumerate(col.items):
            add(item_path(spec, col, i, as_of), lambda c, col=col, item=item: _article(c, spec, col, item, as_of))
            for f in item.attachments:
                _add_file(site, col, f.filename, f.fault)
        for i, msg in enumerate(col.messages):
            add(message_path(spec, col, i), lambda c, col=col, msg=msg: _message_page(c, spec, col, msg, as_of))
        for i, guide in enumerate(col.guides):
            add(guide_path(spec, col, i), lambda c, col=col, g=guide: _guide_page(c, spec, col, g))
        for f in col.files:
            _add_file(site, col, f.filename, f.fault)
    ctype = "text/html" if spec.style.encoding != "utf-8" else "text/html; charset=utf-8"
    for path, (ctx, text) in html_pages.items():
        site.resources[path] = Resource(200, ctype, text.encode(spec.style.encoding))
        site.links[path] = ctx.links
    for path, status in spec.errors:
        page = f"<html><body><h1>{status} Internal Server Error</h1></body></html>".encode()
        site.resources[path] = Resource(status, "text/html; charset=utf-8", page)
    for path, location in spec.redirects:
        site.resources[path] = Resource(302, "text/html; charset=utf-8", b"", location=location)
    return site


def _add_file(site: SiteContent, col: Column, filename: str, fault: str | None) -> None:
    res = file_resource(filename, fault)
    if res is not None:
        site.resources[file_path(col, filename)] = res


NOT_FOUND = Resource(404, "text/html; charset=utf-8",
                     "<html><head><title>404</title></head><body><h1>404 页面不存在</h1></body></html>".encode())
