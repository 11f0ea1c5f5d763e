"""What people read, in Chinese, in one place: vocabularies, notes, finding details, reasons, times.

Every note and finding detail the checks write into a check document, every label the summary sheet,
report.html, the CLI and the TUI show for a status, a result, a progress or a rectification, and the
reasons the core gives when it refuses something come from here. Indicator names, group names,
category names and the labels of measures are data: they live in the checklist file
(``labels`` of each indicator). English, where the TUI keeps it, is a secondary label beside these.

Times are stored in UTC and shown in the office's zone (``INSPECTOR_TZ``, Asia/Shanghai by default).
"""

from __future__ import annotations

import errno as _errno
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inspector.core.settings import SettingsError, settings

# --------------------------------------------------------------------------- vocabularies

STATUS = {"pass": "合格", "fail": "不合格", "review": "待复核"}
RESULT = {"pass": "合格", "fail": "不合格", "review": "待复核", "not checked": "未检测"}
PROGRESS = {"not started": "未开始", "checked": "已检测", "in review": "审核中", "done": "已完成"}
RECTIFICATION = {
    "pending": "待整改",
    "in progress": "整改中",
    "rectified": "已整改",
    "overdue": "逾期未整改",
    "not needed": "无需整改",
}
NOT_SCORED = "不计分"  # deduction indicators (and the score) of a site with a veto
VETO = "否决"
NOT_DONE = "未完成"
DONE = "已完成"
UNMEASURED = "未测"
YES, NO = "是", "否"
CONFIRMED = "确认预填"
NONE = "无"


def status_name(status: Any) -> str:
    return STATUS.get(str(status), _unknown(status))


def result_name(result: Any) -> str:
    return RESULT.get(str(result) if result is not None else "not checked", _unknown(result))


def progress_name(progress: Any) -> str:
    return PROGRESS.get(str(progress or "not started"), _unknown(progress))


def rectification_name(status: Any) -> str:
    return RECTIFICATION.get(str(status).replace("_", " "), _unknown(status))


def _unknown(value: Any) -> str:
    """A stored value outside the vocabulary, shown as it is (cleaned); never Python's ``None``."""
    return clean_line(value)


def clean_line(value: Any, limit: int | None = None) -> str:
    """Any value as one line of text for people: controls stripped, ``""`` for None (:func:`inspector.core.text.clean`)."""
    from inspector.core.text import clean  # the one cleaning path (CLI, TUI, files)

    return clean(value, limit)


MAX_QUOTED_URL = 300  # characters of a URL a message quotes (a data: URL can be megabytes)


# --------------------------------------------------------------------------- numbers and measures


def number(value: Any) -> str:
    """A measure or points for people: ``12``, ``4.7``, 是/否, 未测 for unknown."""
    if value is None:
        return UNMEASURED
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return str(len(value))
    return _unknown(value)[:40]


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def measure_phrase(label: str | None, name: str, value: Any) -> str:
    """A measure as a labelled phrase: ``首页14天内更新 6 条`` from the label ``首页14天内更新 {} 条``.

    The label comes from the checklist file; a format spec in it (``{:.0%}``) applies to numbers.
    Without a label the measure's id is shown (a checklist that lacks one says so by this).
    """
    if not label:
        return f"{name} {number(value)}"
    if value is None:  # 首页14天内更新 未测 (the unit after the value would read wrong)
        found = _PLACEHOLDER.search(label)
        return f"{label[:found.start()].strip() if found else label} {UNMEASURED}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return label.format(value)
        except (ValueError, IndexError, KeyError):
            pass
    return _PLACEHOLDER.sub(lambda _: number(value).replace("\\", "\\\\"), label, count=1)


def measures_text(labels: Mapping[str, str], measures: Mapping[str, Any] | None, sep: str = "，") -> str:
    """Every measure of an indicator as labelled phrases, in the indicator's order."""
    return sep.join(measure_phrase(labels.get(k), str(k), v) for k, v in (measures or {}).items())


def points(value: Any) -> str:
    """Deducted points: ``扣4.7分``; ``0`` as ``不扣分``."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value:
        return "不扣分"
    return f"扣{number(float(value))}分"


# --------------------------------------------------------------------------- times


@lru_cache(maxsize=8)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Shanghai":  # no tz database (Windows without tzdata): China has no DST
            return timezone(timedelta(hours=8), "UTC+08:00")
        raise SettingsError(f"环境变量 INSPECTOR_TZ={name!r} 不是可用的时区（例如 Asia/Shanghai）") from None


def office_zone() -> tzinfo:
    """The office's time zone (``INSPECTOR_TZ``, default Asia/Shanghai)."""
    return _zone(settings().timezone)


def local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time (ISO-8601) in the office's zone; a bare date as it is; ``—`` for none."""
    if not value:
        return "—"
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _unknown(text)[:25]
    if len(text) <= 10 and "T" not in text:
        return moment.date().isoformat()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(office_zone()).strftime(fmt)


def zone_label() -> str:
    return settings().timezone


def moment(value: Any) -> str:
    """A stored UTC time to the second in the office's zone, the zone named (evidence: 采集时间)."""
    return f"{local_time(value, '%Y-%m-%d %H:%M:%S')} {zone_label()}" if value else "—"


# --------------------------------------------------------------------------- fetch errors (machine codes)

FETCH_ERRORS = {
    "timeout": "超时",
    "connect": "无法连接",
    "reset": "连接被重置",
    "tls": "证书/加密连接错误",
    "protocol": "协议错误",
    "scheme": "不支持的协议",
    "invalid-url": "网址无效",
    "blocked": "禁止访问的地址",
    "redirect-loop": "重定向循环",
    "too-many-redirects": "重定向次数过多",
    "too-large": "内容过大",
    "error": "请求出错",
    "failed": "失败",
    "not crawled": "未爬取",
    "not fetched": "未获取",
    "challenge": "访问验证未通过",
    "off-scope": "跳转到站点范围之外",
    "private-address": "指向内部网络地址，未访问",
}


def fetch_error(error: Any = None, status: Any = None) -> str:
    """A failed request for people: ``HTTP 404``, ``无法连接``, ``超时`` (unknown codes as they are)."""
    code = str(error) if error else ""
    if code.startswith("HTTP "):
        return code
    if code.isdigit() or (not code and status):
        return f"HTTP {code or status}"
    if code.startswith("error: "):
        return f"{FETCH_ERRORS['error']}（{clean_line(code[7:])}）"
    return FETCH_ERRORS.get(code, _unknown(code) or FETCH_ERRORS["failed"])


LIMITS = {"max_pages": "页面数上限", "max_links": "链接数上限", "max_depth": "层级上限"}

#: The caps of core.web.limits a page can run into (fetcher and browser).
PAGE_LIMITS = {
    "document-size": "文档超过大小上限",
    "page-bytes": "页面加载总量超过上限",
    "page-requests": "页面请求数超过上限",
    "page-time": "页面处理时间超过上限",
    "browser-memory": "浏览器内存超过上限",
}


def page_limit(kind: str, limit: str, detail: str, url: str) -> str:
    """``文档超过大小上限 5 MB（解压后）：http://…`` — which cap, how much was allowed, where."""
    extra = f"（{detail}）" if detail else ""
    return f"{PAGE_LIMITS.get(kind, kind)} {limit}{extra}：{clean_line(url, MAX_QUOTED_URL)}"


def crawl_limit(name: str) -> str:
    return f"达到{LIMITS.get(name, name)}：部分网址未爬取或未检查"


def homepage_fetch_error(error: Any) -> str:
    return f"首页：{fetch_error(error)}"


# --------------------------------------------------------------------------- notes and findings of the checks

# availability
NO_PROBE = "未进行探测"


CHALLENGE_UNPASSED = (
    "站点启用了反爬虫验证，本次检查没有浏览器通过验证（--no-browser、没有可用的 Chromium，或浏览器也被拦住）："
    "验证页不是站点的页面，其后的内容无法检查，不作否决；请用浏览器复核，或装好 Chromium 后重新检查"
)


def off_scope_homepage(target: str) -> str:
    return (f"首页网址跳转到了站点范围之外（{clean_line(target)}）：那里不是本站的页面，不作检查；"
            "请核对名录中的首页网址，或用 --scope / 名录的站点范围指明本站的范围后重新检查")


def homepage_off_scope_error(target: str) -> str:
    return f"首页：跳转到站点范围之外（{clean_line(target)}）"


def challenge_passed(host: str, kind: str, first_seconds: float, passes: int) -> str:
    return (f"{clean_line(host)} 启用了反爬虫验证（{clean_line(kind)}），已用浏览器通过（首次用时 {first_seconds:.1f} 秒，"
            f"共通过 {passes} 次），检查按浏览器看到的页面进行")


def challenge_returned(host: str, kind: str, passes: int, why: str) -> str:
    return (f"{clean_line(host)} 启用了反爬虫验证（{clean_line(kind)}），浏览器通过了 {passes} 次，但验证随即又出现"
            f"（{clean_line(why)}）：其后的内容未检查，请用浏览器复核")


def challenge_not_passed(host: str, kind: str, tried: bool, why: str) -> str:
    reason = f"浏览器也未能通过（{clean_line(why)}）" if tried else "没有使用浏览器"
    return f"{clean_line(host)} 启用了反爬虫验证（{clean_line(kind)}），{reason}：验证页后面的内容未检查，请用浏览器复核"


# OpenSSL's reasons a certificate failed verification (net.py records them), for people
_CERTIFICATE_FAILURES = (
    ("expired", "证书已过期"),
    ("not yet valid", "证书尚未生效"),
    ("self-signed", "自签名证书"),
    ("self signed", "自签名证书"),
    ("hostname mismatch", "证书与域名不符"),
    ("ip address mismatch", "证书与域名不符"),
    ("local issuer", "证书链不完整或签发机构不受信任"),
    ("issuer certificate", "证书链不完整或签发机构不受信任"),
    ("revoked", "证书已吊销"),
)


def certificate_failure(reason: str) -> str:
    low = reason.lower()
    return next((text for key, text in _CERTIFICATE_FAILURES if key in low), f"证书无法验证（{clean_line(reason)}）")


def certificate_unverified(host: str, reason: str) -> str:
    return (f"{clean_line(host)} 的 HTTPS 证书未通过验证（{certificate_failure(reason)}）：浏览器可能显示安全警告；"
            "页面仍按其内容检查，证书问题请人工复核")


def answered_as_browser(host: str) -> str:
    return (f"{clean_line(host)} 拒绝了本工具的访问标识（HTTP 403），以浏览器的标识（User-Agent）访问后正常应答："
            "检查按浏览器看到的页面进行")


def challenged_probes(n: int) -> str:
    return (f"站点启用了反爬虫验证，{n} 次探测停在验证页上，没有浏览器通过验证（--no-browser 或浏览器未通过）："
            "验证页不是站点的答复，不算访问失败；请在浏览器中打开首页复核")


def challenged_links(n: int, example: str) -> str:
    return f"{n} 个链接停在反爬虫验证页上，未判定（例如 {clean_line(example)}）"


def probe_failure(error: Any, status: Any, seconds: float) -> str:
    return f"{fetch_error(error, status)}，用时 {seconds:.1f} 秒"


def short_probe(attempts: int, required: int) -> str:
    return f"短时探测：规则要求 {required} 次，本次 {attempts} 次，失败率为估计值（请运行 inspector monitor 一周监测）"


def probes_made(attempts: int) -> str:
    return f"探测 {attempts} 次"


MONITOR_PREFIX = "一周监测"  # how the notes of availability measured by the week-long monitor start


def monitor_note(window: str, attempts: int, failures: int, missed: int, finished: bool, planned: int) -> str:
    note = f"{MONITOR_PREFIX} {window}：探测 {attempts} 次，失败 {failures} 次"
    if missed:
        note += f"，监测中断漏测 {missed} 次（不计入）"
    if not finished:
        note += f"；监测尚未结束（计划 {planned} 次）"
    return note


def monitor_window(start: datetime, end: datetime) -> str:
    zone = office_zone()
    return f"{start.astimezone(zone):%Y-%m-%d %H:%M} – {end.astimezone(zone):%Y-%m-%d %H:%M} {zone_label()}"


# updates
SCRIPT_NOTE = "首页列表由脚本生成：须用浏览器检测（去掉 --no-browser）"
MONTH_NOTE = "首页条目未显示日期，按网址中的年月估计（取当月最后一天）：请对照文章核实"
SECOND_LEVEL = "二级栏目"
HOMEPAGE = "首页"
EMPTY_LIST = "空列表"


def homepage_unreadable(error: Any) -> str:
    return f"首页无法读取：{fetch_error(error)}"


def no_dated_item(column: str) -> str:
    return f"{column}：没有带日期的条目"


def stale_column(column: str, latest: date, days: int) -> str:
    return f"{column}：最新 {latest.isoformat()}（{days} 天前）"


def homepage_items_none_dated(total: int) -> str:
    return f"共 {total} 条，均无日期"


def homepage_items_latest(in_window: int, total: int, latest: date, days: int) -> str:
    return f"{total} 条中 {in_window} 条在时限内；最新 {latest.isoformat()}（{days} 天前）"


def columns_unread(count: int, first: str, error: Any) -> str:
    return f"{count} 个栏目页无法读取（{first}：{column_error(error)}），请人工核查"


def not_read(error: Any) -> str:
    return f"未能读取：{column_error(error)}"


def blank_column(reason: Any) -> str:
    return f"空白栏目：{column_error(reason) if reason else EMPTY_LIST}"


SCRIPT_LIST = "列表由脚本生成（须用浏览器读取）"
NO_MESSAGE_READ = "页面像留言板，但一条留言也没有读出"
COLUMN_NOT_FETCHED = "栏目页未获取"


def column_error(error: Any) -> str:
    """Why a column page could not be read (a fetch code, ``HTTP 404``, or a sentence from here)."""
    text = str(error or "")
    if text == "empty list":
        return EMPTY_LIST
    if text in FETCH_ERRORS or text.isdigit() or text.startswith(("HTTP ", "error: ")):
        return fetch_error(text)
    return _unknown(text)


# interaction


def overdue_replied(submitted: date, replied: date, wait: int) -> str:
    return f"留言 {submitted.isoformat()}，答复 {replied.isoformat()}（等待 {wait} 天）"


def overdue_unanswered(submitted: date, wait: int) -> str:
    return f"留言 {submitted.isoformat()}，至今未答复 {wait} 天"


def reply_unit(unit: str) -> str:
    return f"，答复单位 {unit}"


def board_unread(column: str, url: str, why: Any) -> str:
    return f"{column}（{url}）：{column_error(why) if why else NO_MESSAGE_READ}"


def messages_undated(count: int) -> str:
    return f"{count} 条留言读不出提交日期，未计入"


def replies_unreadable(count: int, max_wait: int) -> str:
    return f"{count} 条留言已超过 {max_wait} 天但读不出答复日期"


def messages_read(count: int) -> str:
    return f"读取留言 {count} 条"


def activity(day: Any, title: str) -> str:
    return f"{day} {title}"


def column_problem(column: str, url: str, error: Any) -> str:
    return f"{column}（{url}）：{column_error(error)}"


# service


def guide_missing(elements: Iterable[str]) -> str:
    return "缺少要素：" + "、".join(elements)


NO_GUIDE = "爬取的页面中没有找到办事指南"
NO_GUIDE_BUT_COLUMN = "（网站有办事服务栏目：请人工核查其中的指南）"


def download_failed(error: Any, status: Any) -> str:
    return fetch_error(error, status)


def html_instead_of_file(status: Any) -> str:
    return f"返回网页而不是文件（{f'HTTP {status}' if status else '无状态码'}）"


EMPTY_FILE = "空文件（0 字节）"


def links_not_checked(count: int, what: str, example: str) -> str:
    return f"{count} 个{what}链接未检查（例如 {example}）"


def sizes_unknown(count: int) -> str:
    return f"{count} 个附件未告知大小：未检查是否为空文件"


def system_unreachable(text: str, error: Any, status: Any) -> str:
    return f"{text}：{fetch_error(error, status)}"


# serious errors
HIT_KINDS = {"leader-name": "领导人姓名疑似错误", "wrong-phrase": "表述疑似错误"}


def forbidden_word(found: str) -> str:
    return f"禁用词「{found}」：请核实或删除"


def wrong_text(kind: str, found: str, suggestion: str) -> str:
    return f"{HIT_KINDS.get(kind, kind)}：「{found}」应为「{suggestion}」"


def errors_note(checklist_id: str, reviewed: str, as_of: date, leaders: int, titles: int, phrases: int,
                words: int) -> str:
    return (
        f"仅为疑似：请逐条确认。检查表 {checklist_id} 的名单审定于 {reviewed or '未知日期'}"
        f"（监测日 {as_of.isoformat()}）：领导人姓名 {leaders} 个、职务 {titles} 个、错误表述 {phrases} 条、"
        f"禁用词 {words} 个。虚假或伪造内容无法由机器判断。"
    )


# the pipeline
NOT_MEASURED = "本版本未检测此项"
BROWSER_NOT_RENDERED = "浏览器未能渲染首页：日期按静态网页读取"
EVIDENCE_NO_BROWSER = "未截取证据：检测时使用了 --no-browser"
EVIDENCE_NO_WORKSPACE = "未截取证据：没有可保存证据的工作区"
EVIDENCE_PAGE_CRASHED = "页面已崩溃"
EVIDENCE_LEFT_FOR_INTERNAL = "页面跳转到了内网地址，未留存该页面"


def memory_used(amount: str) -> str:
    """The detail of a browser-memory cap: how much the browser used."""
    return f"已用 {amount}"
HOMEPAGE_NOT_FETCHED = "首页未获取"
AVAILABILITY_MONITOR = "一周监测"
AVAILABILITY_SHORT = "短时探测（估计）"


def evidence_unavailable(why: Any) -> str:
    return f"未截取证据：{_unknown(why)}"


def script_columns_rendered(count: int) -> str:
    return f"{count} 个栏目页的列表由脚本生成，已按浏览器显示读取"


def homepage_not_readable(error: Any) -> str:
    return f"首页无法读取（{fetch_error(error)}）"


def unreachable_not_measurable(why: str) -> str:
    return f"网站无法访问：此项无法检测（{why}）"


def redirect_only(target: str) -> str:
    return f"首页只跳转到 {target}，而跳转目标无法读取：请人工核查"


# --------------------------------------------------------------------------- hand changes, completeness


def category_name(categories: Mapping[str, Any], category: str | None) -> str:
    """A column category by its checklist name; 无（不计分） for none."""
    if category is None:
        return "无（不考核）"
    cat = categories.get(category)
    return getattr(cat, "name", None) or _unknown(category)


def correction_text(name: str, before: str, after: str) -> str:
    return f"栏目「{name}」类别：{before} → {after}"


def override_text(indicator: str, before: str, after: str) -> str:
    return f"{indicator}：{before} → {after}"


def verdict_short(result: Any, score: Any, vetoes: Iterable[str] = ()) -> str:
    """``不合格（单项否决）`` or ``合格 63分``."""
    if list(vetoes):
        return f"{result_name(result)}（单项否决）"
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return f"{result_name(result)} {number(float(score))}分"
    return result_name(result)


def by_at(by: Any, at: Any) -> str:
    return f"{_unknown(by) or '未知'} {local_time(at)}"


def adjustment_line(a: Mapping[str, Any]) -> str:
    """One hand change (人工调整) in one line: what, why, who and when (office time)."""
    return f"{_unknown(a.get('what'))}（理由：{_unknown(a.get('reason'))}；{by_at(a.get('by'), a.get('at'))}）"


def undecided(names: list[str]) -> str:
    return f"{len(names)} 项指标尚未决定：" + "、".join(names)


def veto_pending(names: list[str]) -> str:
    return "单项否决指标待复核：" + "、".join(names)


def stale_decisions(names: list[str]) -> str:
    return f"{len(names)} 项决定早于最近一次检测：" + "、".join(names)


NOT_CHECKED = "尚未检测"


def not_done(problems: list[str]) -> str:
    return "不能标记完成：" + "；".join(problems)


def sites_not_done(lines: list[str]) -> str:
    return f"{len(lines)} 个网站未完成，未导出（确认要导出请加 --allow-incomplete，汇总表将标注“未完成”）：\n" + "\n".join(lines)


# --------------------------------------------------------------------------- refusals (the core's reasons)

NOTE_REQUIRED = "修改预填须填写备注，说明理由"
REASON_REQUIRED = "修改栏目类别须填写理由"
PASS_NO_POINTS = "合格不扣分：扣分须为 0 或留空"
VETO_NO_POINTS = "单项否决指标没有扣分"
REVIEW_NO_POINTS = "待复核不扣分：扣分须留空"


def fail_needs_points(maximum: float) -> str:
    return f"不合格须扣分：请填写扣分（0 到 {number(maximum)} 分）"


def points_over_max(points_: float, maximum: float) -> str:
    return f"扣分 {number(points_)} 超过该指标上限 {number(maximum)} 分"


POINTS_NOT_NUMBER = "扣分须是数字"


def unknown_indicator(indicator: str) -> str:
    return f"没有这个指标：{_unknown(indicator)}"


def checklist_lacks(checklist: str, indicator: str) -> str:
    return f"检查清单 {_unknown(checklist)} 缺少指标 {_unknown(indicator)}（同组的其他指标要用它的参数）"


def unknown_status(status: Any, allowed: Iterable[str]) -> str:
    return f"状态须为 {'、'.join(allowed)} 之一，而不是 {_unknown(status)!r}"


def unknown_category(category: str, allowed: Iterable[str]) -> str:
    return f"没有这个栏目类别：{_unknown(category)}（可选：{'、'.join(allowed)}，或 none）"


def not_a_column(url: str, code: str) -> str:
    return f"{_unknown(url)} 不是 {code} 最近一次检测发现的栏目"


def rechecked_meanwhile(code: str) -> str:
    return f"{code} 期间已重新检测：请在新的检测结果上修改栏目类别"


INSPECTOR_UNKNOWN = "未设置检查人员姓名：请设置环境变量 INSPECTOR_USER，或在界面首次运行时填写"


def no_sample(quarter: str, root: Any) -> str:
    return f"工作区 {root} 中没有 {quarter} 的抽样：请先运行 inspector --workspace {root} sample draw --quarter {quarter}"


def not_checked_in(code: str, quarter: str, root: Any) -> str:
    return f"工作区 {root} 中 {code} 在 {quarter} 尚未检测：请运行 inspector --workspace {root} check {code} --quarter {quarter}"


def no_inspection(code: str, quarter: str, root: Any) -> str:
    return f"工作区 {root} 中 {code} 在 {quarter} 没有检查记录"


def no_site(code: str, root: Any) -> str:
    return (f"工作区 {root} 的网站名录中没有网站标识码 {code}"
            f"（inspector --workspace {root} sites list 查看名录；新网站先用 sites import 导入）")


def no_recheck_base(code: str, quarter: str) -> str:
    return f"{code} 在 {quarter} 没有原始检测结果可供复查"


def no_stored_check(code: Any) -> str:
    return f"{code} 没有保存的检测结果可重新评分"


def no_stored_crawl(code: Any) -> str:
    return f"{code}：保存的检测结果没有爬取数据，无法重新评分；请重新检测"


def damaged_crawl(code: Any, exc: Any) -> str:
    return f"{code}：保存的爬取数据已损坏（{_unknown(exc)}）；请重新检测"


def evidence_finding(text: Any, names: Mapping[str, str]) -> str:
    """What a capture proves, for people: ``link-availability: 404`` → ``链接可用性：404``; ``homepage`` → ``首页``.

    Evidence records name the indicator by its id (``names``: id → Chinese name, from the checklist).
    """
    line = clean_line(text)
    if line == "homepage":
        return HOMEPAGE
    iid, sep, rest = line.partition(": ")
    return f"{names[iid]}：{rest}" if sep and iid in names else line


# --------------------------------------------------------------------------- bundles, signatures and exports
#
# What the province's reviewer reads when a city's bundle or its signature is refused (``bundle verify``,
# ``province import``, the TUI's province screen; the CLI prints them after 未通过核验：) and what the office
# reads when a key, a bundle or an export cannot be made. File names inside a bundle come from outside:
# they are quoted through :func:`bundle_file` (one line, controls removed, bounded). Hashes, byte counts,
# key ids, schema names and commands are shown as they are.

MAX_QUOTED_NAME = 200  # characters of a file name from a bundle a message quotes (a zip allows 65 535)
MAX_QUOTED_DETAIL = 300  # characters of an error's own text (zipfile, the system) a message quotes
MAX_QUOTED_CODES = 20  # site codes a message lists before it says how many more


def bundle_file(name: Any) -> str:
    """A file name from a bundle (or a path) as a message shows it: one line, controls removed, bounded."""
    return clean_line(name, MAX_QUOTED_NAME)


def _path(path: Any) -> str:
    """A path on this machine (the workspace, a file the user named): one line, controls removed, whole."""
    return clean_line(path)


def _quoted(name: Any) -> str:
    return f"「{bundle_file(name)}」"


def _detail(exc: Any) -> str:
    """An error's own text inside a message: the system's and zipfile's known wordings in Chinese."""
    return error_detail(exc)


def refusal_line(reasons: list[str], shown: int) -> str:
    """Every reason of a refusal in one line; past ``shown`` of them, how many more."""
    more = len(reasons) - shown
    return "；".join(reasons[:shown]) + (f"；…（另有 {more} 个问题）" if more > 0 else "")


# JSON from other offices
def json_not_number(token: str) -> str:
    return f"{token} 不是 JSON 数值"


def json_too_deep(what: str, depth: int) -> str:
    return f"{bundle_file(what)}：嵌套过深（超过 {depth} 层）"


def json_invalid(what: str, exc: Any) -> str:
    return f"{bundle_file(what)}：不是有效的 JSON（{_detail(exc)}）"


# file names inside a bundle
UNSAFE_PATHS = {
    "control": "含控制字符",
    "absolute": "绝对路径",
    "drive": "盘符或数据流",
    "backslash": "含反斜杠",
    "parent": "指向上级目录",
    "empty": "含空的或“.”路径段",
}


def unsafe_path(name: Any, kind: str | None = None) -> str:
    """``不安全的路径（指向上级目录）：「../x」`` — a name that would write outside the import folder."""
    why = f"（{UNSAFE_PATHS.get(kind, kind)}）" if kind else ""
    return f"不安全的路径{why}：{_quoted(name)}"


# the archive's entries
def too_many_entries(count: int, limit: int) -> str:
    return f"压缩包条目过多：{count} 个，上限 {limit} 个"


def archive_too_large(total: int, limit: int) -> str:
    return f"压缩包解压后过大：{total} 字节，上限 {limit} 字节"


def link_not_allowed(name: Any) -> str:
    return f"不允许符号链接：{_quoted(name)}"


def special_file_not_allowed(name: Any) -> str:
    return f"不允许特殊文件（设备、管道等）：{_quoted(name)}"


def duplicate_entry(name: Any) -> str:
    return f"条目重复（名称相同或仅大小写不同）：{_quoted(name)}"


def encrypted_entry(name: Any) -> str:
    return f"不允许加密的条目：{_quoted(name)}"


def compression_ratio(ratio: float, name: Any) -> str:
    return f"压缩比异常 {ratio:.0f}:1（疑似压缩炸弹）：{_quoted(name)}"


def path_conflict(name: Any) -> str:
    return f"路径冲突（文件又被当作目录）：{_quoted(name)}"


def not_a_zip(exc: Any) -> str:
    return f"不是可读取的 zip 压缩包（{_detail(exc)}）"


# the manifest and the files it lists
def missing_file(name: Any) -> str:
    return f"缺少文件：{bundle_file(name)}"


def missing_required_file(name: Any) -> str:
    return f"缺少必需的文件：{bundle_file(name)}"


def file_not_listed(name: Any) -> str:
    return f"清单中没有列出的文件：{bundle_file(name)}"


def manifest_too_large(manifest: str, size: int, limit: int) -> str:
    return f"{manifest} 过大：{size} 字节，上限 {limit} 字节"


def manifest_unreadable(manifest: str, exc: Any) -> str:
    return f"{manifest} 无法读取：{_detail(exc)}"


def manifest_not_object(manifest: str) -> str:
    return f"{manifest}：不是 JSON 对象"


def manifest_schema(manifest: str, found: Any, expected: str) -> str:
    return f"{manifest}：不支持的格式版本「{clean_line(found, 80)}」（应为 {expected}）"


def manifest_field(manifest: str, key: str) -> str:
    return f"{manifest}：缺少字段 {key}，或其类型不对"


def manifest_entry(manifest: str, problem: str) -> str:
    return f"{manifest}：{problem}"


MALFORMED_FILE_ENTRY = "files 中有格式不对的文件条目"


def bad_file_path(name: Any) -> str:
    return f"文件路径不合规：{_quoted(name)}"


def bad_file_size(name: Any) -> str:
    return f"文件大小无效：{_quoted(name)}"


def bad_file_sha256(name: Any) -> str:
    return f"文件的 SHA-256 无效：{_quoted(name)}"


def file_listed_twice(name: Any) -> str:
    return f"文件重复列出：{_quoted(name)}"


BAD_SITE_CODE = "sites 中有无效的网站标识码"
BAD_CITY_CODE = "city 不是有效的城市代码"


def size_mismatch(name: Any, listed: int, found: int, where: str = "压缩包中") -> str:
    """``文件大小与清单不符：x（清单 100 字节，压缩包中 120 字节）``; ``where`` 实际读出 after reading."""
    return f"文件大小与清单不符：{bundle_file(name)}（清单 {listed} 字节，{where} {found} 字节）"


def more_data_than_listed(name: Any, listed: int) -> str:
    return f"文件大小与清单不符：{bundle_file(name)}（实际数据超过清单的 {listed} 字节）"


def hash_mismatch(name: Any) -> str:
    return f"文件内容与清单不符（SHA-256 不一致）：{bundle_file(name)}"


def corrupt_member(name: Any, exc: Any) -> str:
    return f"压缩包中的文件已损坏：{bundle_file(name)}（{_detail(exc)}）"


def member_too_large(name: Any, limit: int) -> str:
    return f"压缩包中的文件过大：{bundle_file(name)}（上限 {limit} 字节）"


def member_larger_than_declared(name: Any) -> str:
    return f"文件实际数据超过声明的大小：{bundle_file(name)}"


# the sites and results in a bundle
SITES_DIFFER_FROM_SAMPLE = "数据包中的网站与清单记录的抽样结果（sampling.codes）不一致"


def result_not_sampled(name: Any) -> str:
    return f"结果文件所属的网站不在抽样中：{bundle_file(name)}"


def invalid_result(name: Any, why: Any) -> str:
    return f"结果文件无效：{bundle_file(name)}（{_detail(why)}）"


RESULT_CODE_MISMATCH = "其中的网站标识码与文件名不符"


def _codes(codes: list[str]) -> str:
    shown = "、".join(clean_line(code, 64) for code in codes[:MAX_QUOTED_CODES]) or NONE
    return shown + (f" 等 {len(codes)} 个" if len(codes) > MAX_QUOTED_CODES else "")


def redraw_failed(exc: Any) -> str:
    return f"无法按清单重新抽样核对：{_detail(exc)}"


def redraw_mismatch(missing: list[str], extra: list[str]) -> str:
    return (f"数据包中的网站与按清单重新抽样的结果不一致：应抽中而数据包中没有 {_codes(missing)}；"
            f"数据包中有而未抽中 {_codes(extra)}")


# the signature
def missing_signature(name: str) -> str:
    return f"缺少签名文件：{name}"


SIGNATURE_NOT_CHECKED = "签名未核验：没有提供公钥"


def signature_uncheckable(exc: Any) -> str:
    return f"无法核验签名：{_detail(exc)}"


def bad_signature(reason: str) -> str:
    """The signature does not verify with the key given (``--pubkey``)."""
    return f"签名无效（是否由其他密钥签署？）：{reason}"


def bad_signature_keyring(reason: str, known: bool, signer: str) -> str:
    """The signature verifies with no key of the keyring: why, and which key signed (if it can be read)."""
    return (f"签名无效：{reason if known else '不是已登记公钥签署的'}"
            + (f"（签名公钥 {clean_line(signer, 40)}）" if signer else "（签名无法解析）"))


# minisign keys and signature files (core.submission.signing)
KEY_WORDS = {"secret key": "私钥", "public key": "公钥", "signature": "签名", "global signature": "全局签名"}


def already_exists(path: Any) -> str:
    return f"{_path(path)} 已存在"


def key_algorithm(what: str) -> str:
    return f"{KEY_WORDS.get(what, what)}的签名算法不受支持（应为 Ed25519）"


SECRET_KEY_PASSWORD = "私钥设有密码保护：请先用 `minisign -C -W` 去掉密码"
SECRET_KEY_KDF = "私钥的密钥派生或校验算法不受支持"
SECRET_KEY_CHECKSUM = "私钥校验和不符（密钥文件已损坏）"
SECRET_KEY_INCONSISTENT = "私钥内容前后不一致（其中的公钥部分不匹配）"
SIGNATURE_ALGORITHM = "签名算法不受支持"
SIGNATURE_LINES = "签名文件应有 4 行"


def signature_line_prefix(which: str, prefix: str) -> str:
    return f"签名文件的{which}须以 {prefix!r} 开头"


def malformed_signature(exc: Any) -> str:
    return f"签名文件格式不对：{_detail(exc)}"


def signed_by_other_key(signer: str, expected: str) -> str:
    return f"由另一把密钥签署（签名密钥 {signer}，应为 {expected}）"


SIGNATURE_CONTENT_MISMATCH = "签名与内容不符"
TRUSTED_COMMENT_INVALID = "可信注释（trusted comment）的签名无效"


def signature_verified(signer: str, trusted: str) -> str:
    return f"签名有效（密钥 {signer}）；可信注释：{_detail(trusted)}"


def cannot_read(exc: Any) -> str:
    return f"无法读取：{_detail(exc)}"


def cannot_read_file(path: Any, exc: Any) -> str:
    if isinstance(exc, OSError):
        return f"无法读取 {_path(path)}：{os_error(exc, path=False)}"
    if isinstance(exc, UnicodeDecodeError):
        return f"无法读取 {_path(path)}：不是 UTF-8 文本"
    return f"无法读取 {_path(path)}：{_detail(exc)}"


def bad_base64(what: str) -> str:
    return f"{KEY_WORDS.get(what, what)}：不是有效的 base64"


def wrong_length(what: str, expected: int, found: int) -> str:
    return f"{KEY_WORDS.get(what, what)}：应为 {expected} 字节，实际 {found} 字节"


def not_a_key_file(path: Any) -> str:
    return f"{_path(path)} 不是 minisign 密钥文件"


# import (province)
def bad_import_name(name: Any) -> str:
    return f"导入名称不可用：{_quoted(name)}"


def already_imported(path: Any) -> str:
    return f"已导入过：{_path(path)}"


def cannot_import(name: Any, exc: Any) -> str:
    return f"无法导入 {bundle_file(name)}：{_detail(exc)}"


def in_bundle(name: Any, reason: str) -> str:
    """A reason prefixed with the bundle it is about (``province import`` takes several)."""
    return f"{bundle_file(name)}：{reason}"


UNSIGNED_OK_HINT = "（确认来源后可用 --unsigned-ok 导入，标记为未核验）"
EMPTY_KEYRING = ("钥匙环里还没有任何城市的公钥，无法核验签名："
                 "先运行 inspector province keys add 城市代码 office.pub（或用 --pubkey 指定公钥）")


def city_mismatch(claimed: Any, signer_city: Any) -> str:
    return f"数据包自称来自城市 {clean_line(claimed, 40)}，却由城市 {clean_line(signer_city, 40)} 的公钥签署"


def no_imports(root: Any) -> str:
    return f"工作区 {root} 中还没有导入数据包：请运行 inspector --workspace {root} province import 数据包.zip"


def imported_bundle_unreadable(table: str, doc_id: Any, exc: Any) -> str:
    return f"工作区数据损坏：表 {table} 的记录 {doc_id} 指向的数据包无法读取（{clean_line(exc, 200)}）"


# keys and the keyring
def key_exists(folder: Any) -> str:
    return f"{folder} 中已有签名密钥（要替换请加 --force）"


def no_signing_key(secret: Any, root: Any) -> str:
    return f"没有签名密钥 {secret}：请先运行 inspector --workspace {root} keys generate（或用 --key 指定）"


def bad_city_code(city: Any) -> str:
    return f"城市代码只能由字母、数字、- 和 _ 组成（最多 32 个字符）：{_quoted(city)}"


def public_key_unreadable(path: Any, exc: Any) -> str:
    if isinstance(exc, OSError):
        return f"无法读取公钥 {_path(path)}：{os_error(exc, path=False)}"
    detail = _detail(exc)
    return f"无法读取公钥：{detail}" if _path(path) in detail else f"无法读取公钥 {_path(path)}：{detail}"


def key_registered_to(key_id: str, city: Any) -> str:
    return f"公钥 {key_id} 已登记给城市 {clean_line(city, 40)}"


def no_city_key(city: str, key_id: str | None = None) -> str:
    return f"钥匙环中没有城市 {city} 的公钥" + (f" {clean_line(key_id, 40)}" if key_id else "")


def keyring_entry_damaged(table: str, doc_id: Any, exc: Any) -> str:
    return f"工作区数据损坏：表 {table} 的记录 {doc_id} 无法读取（{_detail(exc)}）"


# export (city)
def file_not_found(path: Any) -> str:
    return f"文件不存在：{_path(path)}"


def export_failed(quarter: str, exc: Any) -> str:
    return f"无法导出 {quarter}：{_detail(exc)}"


def bad_site_codes(codes: list[str]) -> str:
    return f"网站标识码不合规（只能由字母、数字、- 和 _ 组成，最多 64 个字符）：{_codes(codes)}"


def duplicate_site_codes(codes: list[str]) -> str:
    return f"网站标识码重复：{_codes(codes)}"


def reserved_file_name(name: Any) -> str:
    return f"文件名与数据包的保留名称相同或重复：{_quoted(name)}"


def not_a_regular_file(path: Any) -> str:
    return f"不是普通文件：{_path(path)}"


def findings_omitted(limit: int) -> str:
    """The last row of a site's findings in the workbook when it has more than ``limit``."""
    return f"（其余发现未列出：每个网站最多列出 {limit} 条）"


def pdf_needs_chromium(how: Any) -> str:
    return f"打印 PDF 需要 Chromium：{_detail(how)}"


def browser_launch_failed(path: Any, how: Any, detail: Any) -> str:
    return f"无法启动浏览器 {_path(path)}（{_detail(how)}）：{_detail(detail)}"


# --------------------------------------------------------------------------- errors of the system and of the command line
#
# What a user reads when the operating system, a zip file or the command line refuses something: always
# Chinese, one line, what went wrong and, where there is one, what to do. The system's own wording (English
# on most machines) never stands alone; a Python exception's type name is never shown.

OS_ERRORS = {
    _errno.ENOENT: "文件或文件夹不存在",
    _errno.EACCES: "没有访问权限",
    _errno.EPERM: "操作不被允许（没有权限）",
    _errno.ENOSPC: "磁盘空间不足",
    _errno.EISDIR: "这是一个文件夹，不是文件",
    _errno.ENOTDIR: "路径中有一部分不是文件夹",
    _errno.EROFS: "文件系统是只读的",
    _errno.EEXIST: "已经存在",
    _errno.ENAMETOOLONG: "路径或文件名过长",
    _errno.EMFILE: "打开的文件过多",
    _errno.EBUSY: "文件正被占用",
    _errno.EIO: "读写出错（磁盘或网络盘故障）",
    _errno.EPIPE: "输出管道已关闭",
    _errno.EADDRINUSE: "端口已被占用（换一个端口，或关闭占用它的程序）",
    _errno.EADDRNOTAVAIL: "地址不可用",
    _errno.ECONNREFUSED: "连接被拒绝",
    _errno.ETIMEDOUT: "连接超时",
    _errno.EDQUOT: "磁盘配额已用完",
}
OS_ERROR_HINTS = {
    _errno.ENOENT: "请检查路径是否正确",
    _errno.EACCES: "请检查文件权限，或换一个可写的位置",
    _errno.EPERM: "请检查文件权限，或换一个可写的位置",
    _errno.ENOSPC: "请清理磁盘后重试",
    _errno.EROFS: "请换一个可写的位置",
    _errno.EDQUOT: "请清理磁盘后重试",
}
_WIN_ERRORS = {2: _errno.ENOENT, 3: _errno.ENOENT, 5: _errno.EACCES, 32: _errno.EBUSY, 112: _errno.ENOSPC}


def os_error(exc: BaseException, *, path: bool = True) -> str:
    """An OSError for people: ``没有访问权限：/path（请检查文件权限，或换一个可写的位置）``, never the system's English
    (``path=False`` when the message names the file already)."""
    code = getattr(exc, "errno", None)
    code = _WIN_ERRORS.get(getattr(exc, "winerror", None) or -1, code)
    what = OS_ERRORS.get(code) if code is not None else None
    if what is None:
        what = f"系统错误（errno {code}）" if code else "系统错误"
    where = getattr(exc, "filename", None) if path else None
    hint = OS_ERROR_HINTS.get(code) if code is not None else None
    return what + (f"：{_path(where)}" if where else "") + (f"（{hint}）" if hint else "")


# Messages zipfile and zlib give for a damaged or truncated archive, and what they mean
_ZIP_DETAILS = (
    ("File is not a zip file", "文件不是 zip 格式，或已截断"),
    ("Bad CRC-32", "CRC 校验不符"),
    ("Bad magic number", "文件头已损坏"),
    ("Truncated file header", "文件头不完整（压缩包已截断）"),
    ("Overlapped entries", "压缩包中的条目相互重叠"),
    ("Error -3 while decompressing", "解压出错（数据已损坏）"),
    ("Error -5 while decompressing", "解压出错（数据不完整）"),
    ("while decompressing", "解压出错（数据已损坏）"),
    ("compression method", "不支持的压缩方式"),
    ("is encrypted", "文件已加密"),
    ("Corrupt extra field", "扩展字段已损坏"),
    ("zipfiles that span multiple disks", "不支持分卷压缩包"),
    ("Compressed file ended before", "压缩数据提前结束（文件已截断）"),
)


def error_detail(exc: Any) -> str:
    """An error's own text (zipfile, the system, the core) for a message to quote: Chinese where its wording is
    known, the core's Chinese reason as it is, never a bare English sentence or a Python type name."""
    if isinstance(exc, OSError) and not isinstance(exc, _zipfile_errors()) and getattr(exc, "errno", None) is not None:
        return os_error(exc)
    text = str(exc.args[0]) if isinstance(exc, BaseException) and len(exc.args) == 1 else str(exc)
    for english, chinese in _ZIP_DETAILS:
        if english.lower() in text.lower():
            return chinese
    return clean_line(text, MAX_QUOTED_DETAIL)


def _zipfile_errors() -> tuple[type[BaseException], ...]:
    import zipfile

    return (zipfile.BadZipFile, zipfile.LargeZipFile)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def unexpected_error(exc: BaseException) -> str:
    """An error the program did not foresee (a bug, a damaged installation): said so in Chinese, with what to do;
    the original text follows in brackets for the maintainer, never the Python type name alone."""
    detail = clean_line(exc, MAX_QUOTED_DETAIL)
    return f"程序内部错误{f'（{detail}）' if detail else ''}：请把这一行报告给维护人员"


def error_text(exc: BaseException) -> str:
    """The one line any exception says to a user: the core's Chinese reason as it is, a system error in Chinese,
    anything else as an internal error with what to do."""
    if isinstance(exc, OSError) and getattr(exc, "errno", None) is not None:
        return os_error(exc)
    if len(exc.args) == 1 and isinstance(exc.args[0], str) and _has_chinese(exc.args[0]):
        return clean_line(exc.args[0])
    detail = error_detail(exc)
    return detail if _has_chinese(detail) else unexpected_error(exc)


CHECKS_UNAVAILABLE = "自动检测不可用：本安装缺少检测模块，请重新安装（make setup）"


def unknown_checklist(name: Any, known: Iterable[str]) -> str:
    names = "、".join(sorted(known)) or NONE
    return f"没有这个评分表：{clean_line(name, 200)}（可用：{names}，或给出 .toml 文件的路径）"


def not_a_url_or_code(text: Any) -> str:
    return (f"{clean_line(text, 200)} 既不是网址（须以 http:// 或 https:// 开头），也不是网站标识码"
            f"（10 位数字或 bm 加 8 位数字）")


def is_a_folder(path: Any) -> str:
    return f"这是一个文件夹，不是文件：{_path(path)}（请给出文件的路径）"


def port_out_of_range(flag: str, value: Any) -> str:
    return f"{flag} 须在 0 到 65535 之间，而不是 {clean_line(value, 40)}"


def bad_date(flag: str, text: Any) -> str:
    return f"{flag} 须是日期，例如 2026-11-20，而不是 {clean_line(repr(text), 60)}"


def bad_number(what: str, text: Any, kind: str = "数字") -> str:
    return f"{what} 须是{kind}，而不是 {clean_line(repr(text), 60)}"


def verified_with_key(path: Any, signer: str) -> str:
    return f"核验通过：{_path(path)} 完整无损，且由所给公钥签名（密钥 {signer}）"


def verified_with_keyring(path: Any, city: Any, signer: str) -> str:
    return f"核验通过：{_path(path)} 完整无损，且由钥匙环中城市 {clean_line(city, 40)} 的公钥签名（密钥 {signer}）"


def evidence_serving(quarter: str, url: str) -> str:
    return f"{quarter} 证据页面 {url} （只读；按 Ctrl+C 停止）"  # the URL between spaces: copyable, parseable


def evidence_tunnel(port: int) -> str:
    return (f"在您的电脑上运行 ssh -L {port}:127.0.0.1:{port} <本服务器>，"
            f"再用浏览器打开 http://127.0.0.1:{port}/")


# the evidence page's refusals (a browser shows them)
VIEWER_LOOPBACK_ONLY = "只接受本机地址（127.0.0.1 或 localhost）的访问"
VIEWER_NO_SITE = "没有这个抽样网站"
VIEWER_NO_FILE = "没有这个证据文件"
VIEWER_NOT_FOUND = "没有这个页面"
VIEWER_READ_ONLY = "只读页面：只能查看（GET 和 HEAD），不能修改"

# the week-long monitor on the command line
MONITOR = "一周监测"
MISSED_REASONS = {"down": "监测未运行", "late": "探测延误，错过了时段", "probe-error": "探测程序出错"}


def missed_reason(reason: Any) -> str:
    """Why a slot of the monitor was missed (``down``, ``late``, ``probe-error: …``) in Chinese."""
    key = str(reason).split(":", 1)[0].strip()
    return MISSED_REASONS.get(key, clean_line(reason, 60))


def monitor_interrupted(stopped: str) -> str:
    return f"{MONITOR}：{stopped}；已做的探测已保存，再次运行即可继续"


# argparse's own messages (English in every locale) as the command line says them
def usage_line(reason: str, prog: str) -> str:
    return f"{reason}（{prog} --help 查看用法）"


def missing_arguments(names: Iterable[str]) -> str:
    return f"缺少参数：{'、'.join(names)}"


def invalid_choice(argument: str, value: str, choices: Iterable[str]) -> str:
    """``--status 不能是 'x'（可选：pass 合格、fail 不合格、review 待复核）``: a vocabulary's words are explained."""
    space = "" if _has_chinese(argument) else " "
    words = {**STATUS, **RECTIFICATION}
    named = [f"{c} {words[c]}" if c in words else c for c in choices]
    return f"{argument}{space}不能是 {value}（可选：{'、'.join(named)}）"


def unknown_arguments(args: str) -> str:
    return f"无法识别的参数：{args}"


def expects_value(argument: str, count: str = "") -> str:
    return f"{argument} 后面需要{count or '一个'}值"


def not_allowed_with(argument: str, other: str) -> str:
    return f"{argument} 不能与 {other} 同时使用"


def ambiguous_option(option: str, matches: str) -> str:
    return f"{option} 有歧义，可能是：{matches}"


def usage_error(message: str) -> str:
    """argparse's error message in Chinese (the flags and values it quotes are kept as they are)."""
    m = re.fullmatch(r"the following arguments are required: (.+)", message)
    if m:
        return missing_arguments(n.strip() for n in m.group(1).split(","))
    m = re.fullmatch(r"argument (\S+?): invalid choice: (.+?) \(choose from (.+)\)", message, re.S)
    if m:
        choices = [c.strip().strip("'") for c in m.group(3).split(",")]
        return invalid_choice(_argument(m.group(1)), m.group(2), choices)
    m = re.fullmatch(r"argument (\S+?): invalid (int|float) value: (.+)", message)
    if m:
        kind = "整数" if m.group(2) == "int" else "数字"
        return f"{_argument(m.group(1))} 须是{kind}，而不是 {m.group(3)}"
    m = re.fullmatch(r"unrecognized arguments: (.+)", message)
    if m:
        return unknown_arguments(m.group(1))
    m = re.fullmatch(r"argument (\S+?): expected (one|at least one|\d+) arguments?", message)
    if m:
        count = {"one": "一个", "at least one": "至少一个"}.get(m.group(2), f"{m.group(2)} 个")
        return expects_value(_argument(m.group(1)), count)
    m = re.fullmatch(r"argument (\S+?): not allowed with argument (\S+)", message)
    if m:
        return not_allowed_with(_argument(m.group(1)), m.group(2))
    m = re.fullmatch(r"ambiguous option: (\S+) could match (.+)", message)
    if m:
        return ambiguous_option(m.group(1), m.group(2))
    m = re.fullmatch(r"argument (\S+?): (.+)", message, re.S)
    if m:  # a type function's own message (number_arg, a quarter): already names the option
        return m.group(2) if _has_chinese(m.group(2)) else f"{_argument(m.group(1))}：{m.group(2)}"
    return message


def _argument(name: str) -> str:
    """An argument as argparse names it: ``--quarter``, ``file``, ``COMMAND``, ``-o/--output``."""
    name = name.split("/")[-1]
    return {"COMMAND": "命令", "ACTION": "操作"}.get(name, name)


NOT_AN_IMAGE = "文件不是可显示的图片（可能已损坏）"


def image_too_large(width: int, height: int) -> str:
    return f"图片过大，无法在终端显示（{width}×{height} 像素）：请用 v 在系统查看器中打开"


BAD_PATHS = "路径格式不对（引号未配对？）：含空格的路径请用引号括起来"


# the sample and the monitor on screen
NOT_IN_REGISTRY = "（不在名录中）"
STRATIFIED_BY = {"level": "级别", "region": "地区"}


def sample_line(quarter: str, size: int, population: int, ratio: float, seed: Any, method: str, by: Any) -> str:
    """The drawn sample in one line: how many of how many, the ratio, the seed, the method, the strata."""
    strata = STRATIFIED_BY.get(str(by), clean_line(by, 20))
    return (f"{quarter}：从 {population} 个正常运行的网站中抽取 {size} 个 · 比例 {ratio:g} · 随机种子 {seed} · "
            f"方法 {method} · 按{strata}分层")


def stratum_line(drawn: int, size: int) -> str:
    return f"：{size} 个中抽 {drawn} 个"


def sample_drawn(quarter: str, size: int) -> str:
    return f"{quarter}：已抽取 {size} 个网站"


def monitor_never_ran(quarter: str) -> str:
    return (f"{quarter}：尚未进行一周监测。\n"
            f"请在一个保持打开的终端里运行 inspector monitor --quarter {quarter}（它在一周内每天约 24 次探测每个"
            f"抽样网站；随时可以重启，会接着做）。本页面会自动刷新。")
