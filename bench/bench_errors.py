"""Serious-error scan: the one-pass matcher against the old per-character scan, same pages, same run.

Takes the visible text of every real government page in shared/realpages (14 pages, 22-420 KB
of HTML), scans each with the checklist's lists both ways, checks the hits are identical and
prints the CPU time of each and the ratio (goal: at least 20x less CPU); then the same with
three hits planted in every page (real pages rarely have any), so the hit path is measured too.

    .venv/bin/python bench/bench_errors.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.core.checklist import load_checklist  # noqa: E402
from inspector.core.checks.errors import scan_texts, visible_text  # noqa: E402
from tests import scan_reference  # noqa: E402
from tests.realpages import realpages_dir  # noqa: E402


def before(texts: list[str], params) -> list:
    return [hit for text in texts for hit in scan_reference.scan_text("u", text, params)]


def now(texts: list[str], params) -> list:
    return scan_texts((("u", text) for text in texts), params)  # as check_errors calls it


def cpu(scan, texts: list[str], params, rounds: int) -> tuple[float, list]:
    best, hits = float("inf"), []
    for _ in range(rounds):
        started = time.process_time()
        hits = scan(texts, params)
        best = min(best, time.process_time() - started)
    return best, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="best of N (default 5)")
    args = parser.parse_args()
    params = dict(load_checklist().params("serious-errors"))
    pages = sorted(realpages_dir().rglob("*.html"))
    real = [visible_text(p.read_text(encoding="utf-8", errors="replace")) for p in pages]
    # the same pages with one hit of each kind planted in every page: the hit path measured too
    planted = [t[: len(t) // 2] + " 习进平\n总书记 中华人民共合国 台独 " + t[len(t) // 2 :] for t in real]
    for label, texts in (("real pages as they are", real), ("every page with 3 planted hits", planted)):
        chars = sum(map(len, texts))
        old, old_hits = cpu(before, texts, params, args.rounds)
        new, new_hits = cpu(now, texts, params, args.rounds)
        assert new_hits == old_hits, "hits differ"
        print(f"{label}: {len(texts)} pages, {chars:,} characters of visible text, {len(new_hits)} hits (identical)")
        print(f"  per-character scan (before)  {old * 1000:8.1f} ms CPU  ({old / chars * 1e9:6.0f} ns/char)")
        print(f"  one-pass matcher (now)       {new * 1000:8.1f} ms CPU  ({new / chars * 1e9:6.0f} ns/char)")
        print(f"  ratio before / now: {old / new:.1f}x less CPU (goal >= 20x on the real pages)")


if __name__ == "__main__":
    main()
