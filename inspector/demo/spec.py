"""The data that describes a demo site: the single source of truth.

Both the page renderer (:mod:`inspector.demo.render`) and the ground truth
(:mod:`inspector.demo.truth`) read these specs, so what a site shows and what
the engine is expected to measure can never drift apart.

All dates are *ages* in days before ``as_of`` so a spec holds for any
monitoring date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Special link targets (resolved at serve time):
#   "@closed/..."  a loopback port that refuses connections
#   "@hang/..."    a loopback socket that accepts and never answers (timeout)
#   "@site:CODE/…" another demo site of the region
CLOSED = "@closed"
HANG = "@hang"


@dataclass(frozen=True)
class Attachment:
    """A downloadable file linked from a page."""

    filename: str  # file name in the URL, e.g. "sqb.doc"
    label: str  # anchor text, e.g. "附件1：申请表"
    fault: str | None = None  # None | "404" | "html200" (error page, status 200) | "empty" (0 bytes)


@dataclass(frozen=True)
class Plant:
    """A deliberately placed link (usually a broken one)."""

    tag: str  # a | img | link | script | iframe
    target: str  # site path "/x.html", or CLOSED/HANG/"@site:CODE" prefixed path
    text: str = ""


@dataclass(frozen=True)
class Item:
    """An article in a column list (and on the homepage if the column shows it there)."""

    title: str
    age: int | None  # days before as_of; None = no visible date anywhere
    body: str = ""  # extra paragraph (serious-error plants, local names)
    attachments: tuple[Attachment, ...] = ()
    plants: tuple[Plant, ...] = ()
    typo: tuple[str, str] | None = None  # (wrong text written in body, correct text): serious error


@dataclass(frozen=True)
class Message:
    """A message of a message board (领导信箱 / 留言板 / 信访)."""

    title: str
    asked: int  # age of 留言时间 (days before as_of)
    replied: int | None  # age of 回复时间; None = never answered
    unit: str = ""  # 回复单位


@dataclass(frozen=True)
class Guide:
    """A service guide (办事指南) page."""

    name: str  # 事项名称
    layout: str  # table | dl | sections
    missing: tuple[str, ...] = ()  # key elements absent from the page
    empty: tuple[str, ...] = ()  # key elements present with an empty value


@dataclass(frozen=True)
class OnlineSystem:
    """A link to an online application / query system."""

    label: str  # must contain 在线申报 / 网上申报 / 在线办理 / 办事大厅 / 查询系统
    target: str  # site path of an internal system page, or CLOSED-prefixed path (unreachable)


@dataclass(frozen=True)
class Column:
    """A column (栏目) with its list page."""

    name: str
    slug: str  # path of the column, e.g. "xwzx/gzdt"
    category: str | None  # expected category per CHECKLIST.md keyword table
    group: str = "新闻中心"  # nav group the column is listed under
    items: tuple[Item, ...] = ()
    messages: tuple[Message, ...] = ()
    guides: tuple[Guide, ...] = ()
    files: tuple[Attachment, ...] = ()
    systems: tuple[OnlineSystem, ...] = ()
    placeholder: str | None = None  # blank column text (暂无信息 / 正在建设中); "" = empty list
    exempt: bool = False  # 专题 / 历史 columns
    home: int = 0  # number of list entries shown in a homepage block
    date_fmt: str | None = None  # overrides the site style
    plants: tuple[Plant, ...] = ()  # extra links on the column page

    @property
    def blank(self) -> bool:
        """A column page that exists but lists nothing."""
        return self.placeholder is not None


@dataclass(frozen=True)
class Style:
    """How the site's CMS writes lists and dates."""

    listing: str = "ul"  # ul | table | dl | div
    date_fmt: str = "iso"  # iso | iso_nopad | slash | dot | bracket | cn | paren_mmdd | mmdd | url_only
    date_first: bool = False  # date before the title
    url_dates: bool = True  # article URLs carry the date (/202611/t20261118_123.html)
    encoding: str = "utf-8"  # "gbk": declared only in <meta http-equiv>, no charset in the header
    theme: str = "portal"  # portal | classic | plain (header/footer markup family)


@dataclass(frozen=True)
class DemoSiteSpec:
    """One government website of the demo region."""

    code: str  # 网站标识码, 10 digits
    name: str  # 网站名称
    level: str  # 市级 | 县级 | 部门
    region: str  # 地区
    sponsor: str  # 主办单位
    supervisor: str  # 主管单位
    icp: str  # ICP备案号
    problems: str  # short description of the planted problems
    style: Style = field(default_factory=Style)
    columns: tuple[Column, ...] = ()
    down: bool = False  # the site's URL points at a closed port
    nav_only: bool = False  # homepage is only a navigation entry
    js_column: str | None = None  # slug of the column whose homepage block is built by JavaScript
    headline: bool = False  # repeat the first homepage item in a 头条 block (counted once)
    home_systems: tuple[OnlineSystem, ...] = ()  # online-system icons on the homepage
    home_plants: tuple[Plant, ...] = ()  # links only on the homepage
    chrome_plants: tuple[Plant, ...] = ()  # links in the header of every page
    friends: tuple[str, ...] = ()  # codes of region sites in 友情链接 (homepage)
    errors: tuple[tuple[str, int], ...] = ()  # (path, status) pages that answer an error status
    redirects: tuple[tuple[str, str], ...] = ()  # (path, location) 302 redirects
    about_plants: tuple[Plant, ...] = ()  # links on the 联系我们 page


@dataclass(frozen=True)
class RegistryOnly:
    """A registry row with no served site (population for sampling)."""

    code: str
    name: str
    level: str
    region: str
    sponsor: str
    supervisor: str
    icp: str
    status: str  # 正常运行 | 永久下线
    path: str  # path on the closed port used as its 首页网址
