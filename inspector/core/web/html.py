"""One HTML layer: a page is decoded once and parsed once, and every reader gets the parsed page.

Pure (no network). What it gives, from one lxml parse of a page's text:

- :func:`decode` — bytes to text: byte-order mark, then the HTTP header's charset, the
  ``<?xml … encoding=…?>`` prolog and ``<meta charset>``, then detection (:mod:`.charset`);
- :func:`parse` — the :class:`Document`: the tree (``<?xml?>`` prolog dropped, control characters
  stripped, ``<script type="text/xml">`` CDATA list records made markup, at most ``MAX_PARSE_CHARS``),
  its base URL (``<base href>``), and, computed lazily once each: the links of the counting
  conventions (:attr:`Document.links`), the client-side redirect target, the visible text (scripts,
  styles, templates and ``hidden`` elements skipped), the title and the headings;
- :func:`link_url` — the one way an attribute value becomes a URL (resolved against the base,
  normalised by :func:`~inspector.core.web.urls.normalize_url`; a query's non-ASCII characters in
  the page's encoding, as a browser sends them), so list rows, column items, boards and the crawl
  always name a page the same way;
- :func:`document` — the :class:`Document` of a :class:`~inspector.core.model.Page`, cached on the
  page (never serialised) and parsed again only when ``page.html`` is replaced (a browser-rendered DOM).

Parsed trees take about nine bytes per character of text. So that a 3000-page crawl stays bounded,
the trees of the documents parsed longest ago beyond ``TREE_BUDGET_CHARS`` are released (their
visible text, headings and links are kept); a reader asking for a released tree parses the page
again. Every parse goes through :func:`parse`, and :func:`counting_parses` counts them.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from posixpath import splitext
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from inspector.core.model import Link
from inspector.core.web.charset import META_SCAN_BYTES, clean_text, decode_html, meta_charset, prolog_charset, strip_controls
from inspector.core.web.urls import normalize_url, resolve_link

if TYPE_CHECKING:
    from inspector.core.model import Page

Element = lxml.html.HtmlElement
# Document.facts(): base, links (url, tag, text), client redirect, visible text, its length, title, headings
Facts = tuple[str, tuple[tuple[str, str, str], ...], "str | None", str, int, str, tuple[str, ...]]

MAX_PARSE_CHARS = 6_000_000  # the fetcher caps bodies at 5 MB; never parse more than this
TREE_BUDGET_CHARS = 20_000_000  # characters of text whose trees are kept at once (about 180 MB of trees)
MAX_LINKS_PER_PAGE = 5_000
MAX_ATTRIBUTES = 1_000  # of one element: more is an attack on the parser (see _tame_tag)
# a start tag of at least MAX_ATTRIBUTES runs (words, spaces, quoted values; one attribute is two or more),
# quoted values whole; possessive: no backtracking on a tag that never ends. Ordinary tags fail the
# look-ahead within a few runs, so the scan costs a fraction of the parse.
_CROWDED_TAG = re.compile(
    r"""<([a-zA-Z][^\s/<>]*+)(?=(?:[^<>"'\s]++|\s++|"[^"]*+"|'[^']*+'){%d})((?:[^<>"']++|"[^"]*+"|'[^']*+')*+)>"""
    % MAX_ATTRIBUTES
)
_ATTRIBUTE = re.compile(r"""[^\s"'=<>/]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]*+))?+""")
MAX_TEXT_CHARS = 200

# Links (CHECKLIST.md counting conventions); frames lead to pages but are no links
# (CHECKLIST.md's list, so that two careful people count the same links: an image map's <area>, an
# <embed>/<object>, a click handler's target and a javascript: URL are not links; <noscript>'s and a
# preconnect <link>'s are)
LINK_ATTRIBUTES = {"a": "href", "img": "src", "link": "href", "script": "src", "iframe": "src", "frame": "src"}
NOT_LINK_TAGS = frozenset({"frame", "refresh"})  # lead to a page, but are no links (CHECKLIST.md)
# Client-side redirects
MAX_CLIENT_HOPS = 3  # client-side redirects / frames followed in a row
MAX_REFRESH_DELAY = 30  # seconds: a longer meta refresh is a periodic reload, not a redirect
MAX_STUB_TEXT = 300  # characters of visible text of a page whose script redirects it
MAX_STUB_ANCHORS = 5

NON_PAGE_EXTENSIONS = frozenset(
    """pdf doc docx xls xlsx ppt pptx wps et dps ofd ceb cebx txt csv rtf xml json
    zip rar 7z gz tgz tar bz2 xz jpg jpeg png gif bmp webp svg ico tif tiff
    mp3 mp4 avi wmv flv mov mkv swf css js woff woff2 ttf eot apk exe msi dmg iso""".split()
)
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
HEADING_TAGS = ("title", "h1", "h2", "h3")

_XML_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_ISLAND = re.compile(r"<script\b[^>]*\btype\s*=\s*[\"']?text/xml[^>]*>(.*?)</script\s*>", re.I | re.S)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_REFRESH_CONTENT = re.compile(r"^\s*(\d*)(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(.*)$", re.I | re.S)
_JS_LOCATION = re.compile(
    r"""(?:\b(?:window|self|top|parent|document)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=(?!=)\s*(['"])([^'"\n]{1,500})\1"""
    r"""|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(['"])([^'"\n]{1,500})\3\s*\)"""
)
_MAYBE_REDIRECT = re.compile(r"refresh|location", re.I)
_CUT_ENDS = frozenset(".…．。⋯")
_CUT_SHORT = re.compile(r"(?:\.{2,}|…+|．{2,}|。{3,}|⋯+)$")  # a list title cut to fit ("关于印发…的通...")
_JS_CONCAT = re.compile(r"\s*\+")
_FUNCTION_HEAD = re.compile(r"(?:\bfunction\b[^{;]*\)|(?:\([^()]*\)|\w+)\s*=>)\s*$")
_ON_LOAD = re.compile(
    r"(?:(?:\$|jQuery)\s*\(\s*(?:document\s*\)\s*\.\s*ready\s*\(\s*)?|\bonload\s*=\s*"
    r"|addEventListener\s*\(\s*['\"](?:load|DOMContentLoaded)['\"]\s*,\s*|setTimeout\s*\(\s*)$"
)
_MOBILE_URL = re.compile(r"(?:^|[/.])(?:m|wap|mobile|sj|phone|h5)(?:[/.]|$)|[?&](?:m|mobile|wap)=", re.I)


# --------------------------------------------------------------------------- decoding


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """``(text, encoding)`` of an HTML body: BOM, header, ``<?xml?>`` prolog / ``<meta>``, detection."""
    return decode_html(body, content_type)


# --------------------------------------------------------------------------- parse counting

_hooks: list[Callable[[str, str], None]] = []


@contextmanager
def counting_parses() -> Iterator[Counter[tuple[str, int]]]:
    """Count every parse while the block runs: ``{(page URL, hash of the text): parses}``."""
    counts: Counter[tuple[str, int]] = Counter()

    def hook(url: str, html: str) -> None:
        counts[(url, hash(html))] += 1

    _hooks.append(hook)
    try:
        yield counts
    finally:
        _hooks.remove(hook)


# --------------------------------------------------------------------------- tree budget


class _Budget:
    """The most recently parsed documents keep their trees while their texts fit ``TREE_BUDGET_CHARS``.

    Documents are held by weak references (a page that goes away takes its tree along), all with one
    callback, and carry no per-document closures: a crawl allocates little besides the trees themselves.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()  # re-entrant: a weakref callback may run while the lock is held
        self.live: OrderedDict[weakref.ref[Document], int] = OrderedDict()
        self.chars = 0
        self._gone = self.drop  # one bound method for every weak reference

    def hold(self, doc: Document, size: int) -> None:
        released: list[Document] = []
        with self.lock:
            ref = weakref.ref(doc, self._gone)
            self.live[ref] = size
            self.chars += size
            while self.chars > TREE_BUDGET_CHARS and len(self.live) > 1:
                old, old_size = self.live.popitem(last=False)
                self.chars -= old_size
                if (other := old()) is not None:
                    released.append(other)
        for other in released:
            other.release()

    def drop(self, ref: weakref.ref[Document]) -> None:
        with self.lock:
            size = self.live.pop(ref, None)
            if size is not None:
                self.chars -= size


_budget = _Budget()
_UNSET: Any = object()


class _once:
    """A value computed on first access and kept in the instance's slot ``_c_<name>``
    (``functools.cached_property`` needs a ``__dict__`` and, before Python 3.12, takes a lock)."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn, self.slot, self.__doc__ = fn, "_c_" + fn.__name__, fn.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, self.slot)
        if value is _UNSET:
            value = self.fn(obj)
            setattr(obj, self.slot, value)
        return value


# --------------------------------------------------------------------------- the document


def _prepare(html: str) -> str:
    text = strip_controls(_XML_PROLOG.sub("", html[:MAX_PARSE_CHARS], count=1))  # lxml refuses NUL & co
    text = _CROWDED_TAG.sub(_tame_tag, text)
    return _XML_ISLAND.sub(_unwrap_island, text) if "CDATA" in text else text


def _tame_tag(m: re.Match[str]) -> str:
    """A start tag with more than MAX_ATTRIBUTES attributes loses them all: libxml2 compares each new
    attribute with every earlier one, so 200,000 attributes (a 2 MB page) took minutes to parse."""
    if len(_ATTRIBUTE.findall(m.group(2))) <= MAX_ATTRIBUTES:
        return m.group(0)
    return f"<{m.group(1)}>"


def _unwrap_island(m: re.Match[str]) -> str:
    """``<script type="text/xml">`` holding ``<![CDATA[<li>…</li>]]>`` records (Hanweb JCMS "jpage"
    lists, painted by a script): the records are the list a browser shows."""
    records = _CDATA.findall(m.group(1))
    return "<div>" + "".join(records) + "</div>" if records else m.group(0)


_parsers = threading.local()  # an lxml parser is not to be shared between threads


def _parser() -> lxml.etree.HTMLParser:
    """This thread's HTML parser, for UTF-8 bytes (the text is encoded for it: libxml2 reads UTF-8
    much faster than the code points of a ``str``, 1.1 ms against 1.9 ms for 60 KB of Chinese,
    and the encoding costs 0.06 ms). Every element is an ``HtmlElement`` (``text_content`` and the
    rest of lxml.html) found by a lookup in C: lxml.html's own parser asks a Python function for the
    class of every element a reader touches, which cost more than the parse itself."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = lxml.etree.HTMLParser(recover=True, no_network=True, remove_comments=True, remove_pis=True,
                                       encoding="utf-8")
        parser.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
        _parsers.parser = parser
    return parser


def _parse_tree(html: str, url: str) -> Element | None:
    if _hooks:
        count_parse(html, url)
    text = _prepare(html)
    if not text.strip():
        return None
    parser = _parser()
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


class Document:
    """A parsed page: its tree and what readers take from it, each computed once."""

    __slots__ = ("html", "url", "encoding", "_root", "_released", "__weakref__", *(
        f"_c_{name}" for name in ("base", "query_encoding", "links", "client_redirect", "raw_text", "visible_text",
                                  "text_length", "title", "headings", "inline_scripts")))

    def __init__(self, html: str, url: str, encoding: str | None = None) -> None:
        self.html = html  # the text parsed (a page whose html is replaced gets a new Document)
        self.url = url  # the page's URL (final, after redirects)
        self.encoding = encoding  # how the page's bytes were decoded (None: not known)
        for slot in self.__slots__:
            if slot.startswith("_c_"):
                setattr(self, slot, _UNSET)
        self._root: Element | None = _parse_tree(html, url)
        self._released = False
        if self._root is not None:
            _budget.hold(self, min(len(html), MAX_PARSE_CHARS))

    @property
    def root(self) -> Element | None:
        """The document element (None for empty or unparsable text)."""
        if self._released:  # the tree was let go to keep memory bounded: parse the page again
            self._released = False
            self._root = _parse_tree(self.html, self.url)
            if self._root is not None:
                _budget.hold(self, min(len(self.html), MAX_PARSE_CHARS))
        return self._root

    def release(self) -> None:
        """Let the tree go, keeping what every-page readers need (links, text, headings)."""
        if self._root is None:
            return
        _ = (self.links, self.visible_text, self.headings, self.title, self.text_length)
        self._root, self._released = None, True

    def facts(self) -> Facts:
        """What every-page readers take from the page, as plain data (made in a reader process)."""
        links = tuple((link.url, link.tag, link.text) for link in self.links)
        return (self.base, links, self.client_redirect, self.visible_text, self.text_length, self.title, self.headings)

    @classmethod
    def from_facts(cls, html: str, url: str, facts: Facts, encoding: str | None = None) -> Document:
        """The document of a page parsed elsewhere (:meth:`facts`): no tree until a reader asks for one
        (then the page is parsed here, counted like every parse)."""
        doc = cls.__new__(cls)
        doc.html, doc.url, doc.encoding, doc._root, doc._released = html, url, encoding, None, True
        for slot in cls.__slots__:
            if slot.startswith("_c_"):
                setattr(doc, slot, _UNSET)
        base, links, doc._c_client_redirect, doc._c_visible_text, doc._c_text_length, doc._c_title, headings = facts
        doc._c_base, doc._c_headings = base, tuple(headings)
        doc._c_links = [Link(url=u, tag=t, text=x) for u, t, x in links]
        return doc

    @property
    def body(self) -> Element | None:
        """``<body>`` (the whole document when there is none)."""
        root = self.root
        if root is None:
            return None
        body = root.find("body")
        return body if body is not None else root

    @_once
    def base(self) -> str:
        """The URL relative links resolve against: ``<base href>`` when the page has one."""
        root = self.root
        if root is not None:
            for base in root.iter("base"):
                href = base.get("href")
                if href:
                    return resolve_link(href, self.url, self.query_encoding) or self.url
        return self.url

    @_once
    def query_encoding(self) -> str | None:
        """The encoding a browser writes a link's non-ASCII query characters in: the page's, or when that
        is not known the one its ``<?xml?>`` prolog or ``<meta>`` declares (None: UTF-8)."""
        if self.encoding:
            return self.encoding
        head = self.html[:META_SCAN_BYTES].encode("utf-8", "replace")
        return prolog_charset(head) or meta_charset(head)

    def link_url(self, element: Element, attribute: str = "href") -> str | None:
        """An element's link as an absolute, normalised http(s) URL (None when it is not a link)."""
        raw = element.get(attribute)
        return link_url(raw, self.base, self.query_encoding) if raw else None

    @_once
    def links(self) -> list[Link]:
        """Distinct links of the page (CHECKLIST.md), frames, and the client-side redirect (tag ``refresh``)."""
        return _links(self)

    @_once
    def client_redirect(self) -> str | None:
        """Where the page sends the browser on load, if it is a client-side redirect (see :func:`client_redirect`)."""
        root = self.root
        if root is None:
            return None
        target = _meta_refresh(root, self.base, self.query_encoding) or _script_redirect(self)
        if target is None or target == normalize_url(self.url):
            return None
        return target

    @_once
    def raw_text(self) -> str:
        """The body's visible text as written (scripts, styles, templates, ``hidden`` elements skipped)."""
        body = self.body
        return _visible_text(body, self.html) if body is not None else ""

    @_once
    def visible_text(self) -> str:
        """The visible text, control characters stripped, line breaks kept (blank lines collapsed)."""
        return clean_text(self.raw_text, keep_newlines=True)

    @_once
    def text_length(self) -> int:
        """Characters of visible text on one line (whitespace collapsed): ``len(clean_text(raw_text))``.

        Counted on :attr:`visible_text`, where every whitespace run between words is one space, one
        line break or one blank line (``\\n\\n``), each of which is one space on one line."""
        text = self.visible_text
        return len(text) - text.count("\n\n")

    @_once
    def title(self) -> str:
        """The ``<title>`` text, cleaned."""
        root = self.root
        el = root.find(".//title") if root is not None else None
        return clean_text(el.text_content()) if el is not None else ""

    @_once
    def headings(self) -> tuple[str, ...]:
        """Texts of the title and the h1-h3 headings, in document order."""
        root = self.root
        if root is None:
            return ()
        return tuple(t for el in root.iter(*HEADING_TAGS) if (t := clean_text(el.text_content())))

    @_once
    def inline_scripts(self) -> str:
        """The code of the page's inline scripts (``<script>`` without ``src``), joined."""
        root = self.root
        return "\n".join(s.text or "" for s in root.iter("script") if not s.get("src")) if root is not None else ""


def parse(html: str | None, url: str = "", encoding: str | None = None) -> Document:
    """Parse a page's text (counted by :func:`counting_parses`); ``encoding``: how its bytes were decoded."""
    return Document(html or "", url, encoding)


def count_parse(html: str, url: str) -> None:
    """Count a parse made in another process (:mod:`inspector.core.web.readers`)."""
    for hook in list(_hooks):
        hook(url, html)


def document(page: Page) -> Document:
    """The parsed page, cached on it; parsed again only when ``page.html`` was replaced."""
    doc = page._doc
    if doc is None or doc.html is not page.html:
        doc = Document(page.html or "", page.final_url or page.url, page.encoding)
        page._doc = doc
    return doc


def looks_like_file(url: str) -> bool:
    """True when the path ends in a known non-HTML extension (.pdf, .jpg, .css, ...): a file, not a page."""
    return splitext(urlsplit(url).path)[1].lstrip(".").lower() in NON_PAGE_EXTENSIONS


def link_url(raw: str | None, base: str, encoding: str | None = None) -> str | None:
    """An href/src value resolved against ``base`` and normalised; None for ``#``, mailto:, javascript: ...

    ``encoding``: the page's, for a query's non-ASCII characters (None: UTF-8; :meth:`Document.link_url`
    knows the page's)."""
    return resolve_link(raw, base, encoding) if raw else None


# --------------------------------------------------------------------------- visible text


def _hidden(el: Element) -> bool:
    return el.get("hidden") is not None or (el.tag == "input" and (el.get("type") or "").lower() == "hidden")


_HIDDEN = lxml.etree.XPath(".//@hidden")  # (libxml2 lowercases attribute names; an attribute's parent is its element)
_HIDDEN_WORD = re.compile("[hH][iI][dD][dD][eE][nN]")  # attribute names are any case in the markup


def _visible_text(body: Element, html: str) -> str:
    """``"".join(text_segments(body, with_tail=False))``, read by libxml2 instead of element by element.

    Subtrees without a skipped element (INVISIBLE_TAGS, ``hidden``) are read whole in C
    (``tostring(method="text")``); only the elements holding a skipped one are walked here.
    """
    if not isinstance(body.tag, str) or body.tag.lower() in INVISIBLE_TAGS or _hidden(body):
        return ""
    skipped = list(body.iter(*INVISIBLE_TAGS))
    if _may_hide(html):  # looking for the attribute in the tree is not free
        skipped += [attribute.getparent() for attribute in _HIDDEN(body)]
    if not skipped:
        return _subtree_text(body)
    holders: set[Element] = set()  # elements with a skipped descendant
    for el in skipped:
        for parent in el.iterancestors():
            if parent is body or parent in holders:
                break
            holders.add(parent)
    parts: list[str] = []
    _read_around(body, set(skipped), holders, parts)
    return "".join(parts)


def _may_hide(html: str) -> bool:
    """Can the text hold a ``hidden`` attribute? Two plain searches answer for nearly every page
    (``overflow:hidden`` is on most): the case-blind one, ten times slower, only when both fail."""
    return "idden" in html or "IDDEN" in html or _HIDDEN_WORD.search(html) is not None


def _subtree_text(el: Element) -> str:
    return lxml.etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _read_around(el: Element, skipped: set[Element], holders: set[Element], parts: list[str]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        if child in skipped or not isinstance(child.tag, str):
            pass  # (a comment's text is not read either; tails are)
        elif child in holders:
            _read_around(child, skipped, holders, parts)
        else:
            parts.append(_subtree_text(child))
        if child.tail:
            parts.append(child.tail)


def text_segments(el: Element, with_tail: bool, skip: frozenset[str] = INVISIBLE_TAGS) -> Iterator[str]:
    """Text nodes of ``el`` (and its tail) in reading order; ``skip`` elements and ``hidden`` ones are not read."""
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag and tag not in skip and not _hidden(el):
        if el.text:
            yield el.text
        for child in el:
            yield from text_segments(child, True, skip)
    if with_tail and el.tail:
        yield el.tail


# --------------------------------------------------------------------------- links


def _link_text(element: Element, tag: str) -> str:
    if tag == "a":
        raw = element.text_content()[: MAX_TEXT_CHARS * 4] or element.get("title", "")
        if not raw.strip():  # an image link (a banner): its picture's alt text names it
            raw = element.get("alt") or next((img.get("alt") or img.get("title") or "" for img in element.iter("img")), "")
        text = clean_text(raw)[:MAX_TEXT_CHARS]
        return _full_title(element, text) if text[-1:] in _CUT_ENDS else text
    if tag == "img":
        raw = element.get("alt") or element.get("title") or ""
    else:
        raw = element.get("title") or ""
    return clean_text(raw)[:MAX_TEXT_CHARS]


def _full_title(element: Element, text: str) -> str:
    """A list title cut short (``某某区2026年项目申报指...``) reads as its ``title`` attribute when that is
    the whole of it: the file name or system name it ends with is what readers look for."""
    cut = _CUT_SHORT.search(text)
    shown = text[: cut.start()].rstrip().replace(" ", "") if cut else ""
    full = clean_text(element.get("title") or "")[:MAX_TEXT_CHARS]
    return full if shown and len(full) > len(shown) and full.replace(" ", "").startswith(shown) else text


def _links(doc: Document) -> list[Link]:
    """Distinct links in document order (first occurrence wins, a later text fills a blank one).

    Frames come as tag ``frame`` (a counting tag wins over it for the same URL), and the page's
    client-side redirect as one last Link of tag ``refresh``.
    """
    root = doc.root
    if root is None:
        return []
    found: dict[str, Link] = {}
    base = doc.base
    for element in root.iter(*LINK_ATTRIBUTES):
        tag = element.tag
        raw = element.get(LINK_ATTRIBUTES[tag])
        if not raw:
            continue
        # (link_url, inlined: the crawl's hot loop; the page's encoding matters to non-ASCII only)
        url = resolve_link(raw, base) if raw.isascii() else resolve_link(raw, base, doc.query_encoding)
        if url is None:
            continue
        known = found.get(url)
        if known is None:
            if len(found) >= MAX_LINKS_PER_PAGE:
                break
            found[url] = Link(url=url, tag=tag, text=_link_text(element, tag))
        else:
            if known.tag == "frame" and tag != "frame":
                known.tag = tag
            if not known.text:
                known.text = _link_text(element, tag)
    target = doc.client_redirect
    if target is not None and target not in found:
        found[target] = Link(url=target, tag="refresh")
    return list(found.values())


def extract_links(html: str, base_url: str, encoding: str | None = None) -> list[Link]:
    """The links of a page's text (a parse of its own: readers of a crawled page use ``document(page).links``)."""
    return parse(html, base_url, encoding).links


# --------------------------------------------------------------------------- client-side redirects


def client_redirect(html: str | None, page_url: str) -> str | None:
    """Where the page sends the browser on load, if it is a client-side redirect.

    A ``<meta http-equiv="refresh" content="N;url=...">`` (N at most ``MAX_REFRESH_DELAY``,
    any case, spacing or quotes, not inside ``<noscript>``), or, on a small page (little
    visible text, few links), an inline script assigning ``location`` / ``location.href`` /
    ``top.location`` or calling ``location.replace(...)`` with a literal URL; a mobile
    target (``/m/``, ``wap.``) is skipped for another one. None when the page stays.
    """
    if not html or not _MAYBE_REDIRECT.search(html):
        return None
    return parse(html, page_url).client_redirect


def _inside(element: Element, tag: str) -> bool:
    return any(parent.tag == tag for parent in element.iterancestors())


def _meta_refresh(root: Element, base: str, encoding: str | None = None) -> str | None:
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh" or _inside(meta, "noscript"):
            continue
        m = _REFRESH_CONTENT.match(meta.get("content") or "")
        if m is None or (m.group(1) and int(m.group(1)[:6]) > MAX_REFRESH_DELAY):
            continue
        raw = m.group(2).strip().strip("'\"").strip()
        target = resolve_link(raw, base, encoding) if raw else None
        if target is not None:
            return target
    return None


def _small_page(doc: Document) -> bool:
    """Little visible text and few links: a page that only exists to send the browser on."""
    root = doc.root
    body = root.find("body") if root is not None else None
    if body is None:
        return True
    if sum(1 for a in body.iter("a") if a.get("href")) > MAX_STUB_ANCHORS:
        return False
    return doc.text_length <= MAX_STUB_TEXT


def _in_function(code: str, pos: int) -> bool:
    """Is ``pos`` inside a function body (so it runs on some event, not on load)?"""
    depth, i = 0, pos
    while i > 0:
        i -= 1
        if code[i] == "}":
            depth += 1
        elif code[i] == "{":
            if depth == 0:
                head = _FUNCTION_HEAD.search(code, max(0, i - 200), i)
                if head and not _ON_LOAD.search(code, max(0, head.start() - 80), head.start()):
                    return True  # a function that runs on load / after a delay still redirects
            else:
                depth -= 1
    return False


def _script_redirect(doc: Document) -> str | None:
    code = doc.inline_scripts
    if "location" not in code or not _small_page(doc):
        return None
    for m in _JS_LOCATION.finditer(code):
        if _in_function(code, m.start()) or _JS_CONCAT.match(code, m.end()):
            continue  # a search/login handler, or a URL built at run time: not a redirect on load
        raw = m.group(2) or m.group(4) or ""
        target = resolve_link(raw, doc.base)
        if target is not None and not _MOBILE_URL.search(target.split("://", 1)[-1]):
            return target
    return None
