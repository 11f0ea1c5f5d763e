"""Lists built by a page's own scripts: the static HTML then undercounts (or shows nothing of) them.

Signals, read from the parsed page's inline scripts:

- *empty targets*: an empty list container (``ul``, ``ol``, ``tbody``, ``table``, ``div``, ``dl``
  without children or text) whose id a script names (``getElementById('list')``, ``$('#list')``);
- *DOM building with dates*: code writing markup (``innerHTML``, ``appendChild``, ``document.write``,
  ``.append(``) that holds dates;
- *data calls*: ``fetch``, ``XMLHttpRequest``, ``$.ajax`` / ``$.get`` / ``.load(``.

A homepage without dated items is suspect on any signal (:func:`script_rendered_suspect`). A column
page is only when the signal is about its list (:func:`column_list_scripted`): a script filling an
empty container, or fetching data and building markup — a visitor counter's ``$.ajax`` beside an
empty ``<ul>`` does not make a blank column unreadable.
"""

from __future__ import annotations

import re
from datetime import date

from inspector.core.extract.dates import find_dates
from inspector.core.extract.lists import children, folded_text
from inspector.core.web.html import Document

_DOM_BUILDERS = re.compile(r"document\.write|innerHTML|appendChild|createElement|insertAdjacentHTML|\.html\(|\.append\(")
_DATA_CALLS = re.compile(r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|getJSON|post)\s*\(|\baxios\b|\.load\s*\(")
_LIST_CONTAINERS = ("ul", "ol", "tbody", "table", "div", "dl")


def empty_script_targets(doc: Document) -> bool:
    """Is there an empty list container (no children, no text) whose id a script names?"""
    code = doc.inline_scripts
    root = doc.root
    if not code or root is None:
        return False
    for el in root.iter(*_LIST_CONTAINERS):
        ident = el.get("id")
        if ident and not children(el) and not folded_text(el.text) and re.search(r"['\"#]" + re.escape(ident) + r"['\"]", code):
            return True
    return False


def script_rendered_suspect(doc: Document, as_of: date, has_dated_items: bool) -> bool:
    """Do inline scripts build the homepage's lists (so the static HTML undercounts them)?

    Without dated items any signal is enough; with some, only empty containers filled by
    scripts are (the static list is then partial).
    """
    if doc.root is None:
        return False
    if has_dated_items:
        return empty_script_targets(doc)
    code = doc.inline_scripts
    builds = bool(_DOM_BUILDERS.search(code)) and bool(find_dates(code, as_of))
    return builds or bool(_DATA_CALLS.search(code)) or empty_script_targets(doc)


def column_list_scripted(doc: Document, as_of: date, has_dated_items: bool) -> bool:
    """Is a column page's list filled in by its scripts (read it with a browser, never call it stale or blank)?"""
    if doc.root is None:
        return False
    if empty_script_targets(doc):
        return True
    if has_dated_items:
        return False
    code = doc.inline_scripts
    builds = bool(_DOM_BUILDERS.search(code))
    return builds and (bool(_DATA_CALLS.search(code)) or bool(find_dates(code, as_of)))
