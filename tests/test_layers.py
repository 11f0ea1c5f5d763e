"""The core is headless: importing any core module never loads Textual (checked in a fresh interpreter)."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import inspector
import inspector.core


def core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(inspector.core.__path__, "inspector.core."))


def test_no_core_module_imports_textual():
    mods = core_modules()
    assert "inspector.core.runner" in mods and "inspector.core.store" in mods
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "    assert 'textual' not in sys.modules, m\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def _cycles(package: str, within: str = "") -> list[list[str]]:
    """Import cycles among the modules of ``package`` (or of its subpackage ``within``): strongly connected
    components of the import graph, imports inside functions included."""
    import grimp

    graph = grimp.build_graph(package)
    modules = sorted(m for m in graph.modules if m == (within or package) or m.startswith((within or package) + "."))
    edges = {m: sorted(set(graph.find_modules_directly_imported_by(m)) & set(modules)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan, recursive: the package is a few dozen modules deep at most
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges[v]:
                cycles.append(sorted(component))

    for m in modules:
        if m not in index:
            visit(m)
    return cycles


def test_the_core_has_no_import_cycle():
    assert _cycles("inspector", within="inspector.core") == []


def test_the_whole_package_has_no_import_cycle():
    """The TUI, the CLI and the demo too (tui/columns ↔ tui/inspection was one: the verdict bar is shared now)."""
    assert _cycles("inspector") == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "cyc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from cyc import b\n")
    (pkg / "b.py").write_text("def f():\n    from cyc import a\n")
    (pkg / "c.py").write_text("from cyc import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles("cyc") == [["cyc.a", "cyc.b"]]


GET_CHAIN = re.compile(r"\.get\([^()]*\)\s*(?:or\s*\{\}\s*\)\s*)?\.get\(|\.get\([^()]*\)\s*or\s*\{\}\)\s*\.get\(")


def test_the_tui_reads_records_through_the_cores_accessors_not_get_chains():
    """``(x.get("prefill") or {}).get("indicators")`` and the like: the TUI uses core/model.py's accessors."""
    offenders = [f"{path.name}:{n}: {line.strip()}"
                 for path in sorted((Path(inspector.__file__).parent / "tui").glob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if GET_CHAIN.search(line)]
    assert offenders == []
    assert GET_CHAIN.search('((self.record.get("prefill") or {}).get("indicators") or {}).get(iid)')
    assert GET_CHAIN.search('str((r.doc.get("verdict") or {}).get("result"))')
    assert GET_CHAIN.search('doc.get("verdict").get("result")')
    assert not GET_CHAIN.search('(site or {}).get("name")')


DOC_KEYS = "prefill|indicators|run|verdict|recheck|doc|decisions|measures|findings|columns|scope|corrections"
DOC_CHAIN = re.compile(rf'\.get\(\s*"(?:{DOC_KEYS})"[^()]*\)\s*(?:or\s*\{{\}}\s*\)\s*)?\.get\(')


def test_no_module_walks_a_check_document_through_get_chains():
    """Outside the serialisation boundary (core/model.py's readers) nobody chains ``.get`` through a stored
    check document or inspection record."""
    package = Path(inspector.__file__).parent
    offenders = [f"{path.relative_to(package)}:{n}: {line.strip()}"
                 for path in sorted(package.rglob("*.py")) if path != package / "core" / "model.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if DOC_CHAIN.search(line)]
    assert offenders == []
    assert DOC_CHAIN.search('((record.get("prefill") or {}).get("run") or {}).get("id")')
    assert DOC_CHAIN.search('recheck.get("doc", {}).get("verdict", {}).get("result")')
    assert not DOC_CHAIN.search('sites.get(c, {}).get("name")')  # a registry row, not a check document


def test_no_module_but_the_store_names_a_table():
    """A closed workspace: TinyDB tables are the store's (Workspace methods), and TABLES lists them all."""
    from inspector.core.store import REQUIRED_FIELDS, TABLES

    package = Path(inspector.__file__).parent
    table_call = re.compile(r"\.table\(")
    offenders = [f"{path.relative_to(package)}:{n}" for path in sorted(package.rglob("*.py"))
                 if path != package / "core" / "store.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if table_call.search(line)]
    assert offenders == []
    store = (package / "core" / "store.py").read_text(encoding="utf-8")
    named = set(re.findall(r'\.table\("(\w+)"\)', store))
    assert named <= set(TABLES) and set(REQUIRED_FIELDS) <= set(TABLES)
