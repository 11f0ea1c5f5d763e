"""The quarterly stratified sample: reproducible with any tool, not just this one.

Method ``stratified-sha256/1``:
  population = registry sites that are running;
  stratum    = 级别/网站类型 (or 地区 when the registry has no level at all);
  n          = max(1, ceil(ratio × stratum size)) for every non-empty stratum;
  pick       = within each stratum, the n sites with the smallest
               SHA-256(f"{quarter}|{seed}|{code}") hex digest;
  then ``--include`` sites are added on top.
Same registry + quarter + seed -> same sample; adding one site to the registry moves at
most that stratum's boundary, and the province can re-run it from the manifest alone.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from typing import Any, Iterable

METHOD = "stratified-sha256/1"
QUARTER_RE = re.compile(r"^(20\d{2})Q([1-4])$")


class SamplingError(ValueError):
    pass


def check_quarter(quarter: str) -> str:
    q = quarter.strip().upper()
    if not QUARTER_RE.match(q):
        raise SamplingError(f"季度格式应为 2026Q4，而不是 {quarter!r}")
    return q


def current_quarter(today: Any = None) -> str:
    from datetime import date

    d = today or date.today()
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def _rank(quarter: str, seed: int, code: str) -> str:
    return hashlib.sha256(f"{quarter}|{seed}|{code}".encode("utf-8")).hexdigest()


def stratum_key(sites: list[dict[str, Any]]) -> str:
    """Stratify by level when the registry has levels, else by region."""
    return "level" if any((s.get("level") or "").strip() for s in sites) else "region"


def draw(
    sites: Iterable[dict[str, Any]],
    quarter: str,
    *,
    ratio: float = 0.2,
    seed: int | None = None,
    include: Iterable[str] = (),
) -> dict[str, Any]:
    """Draw the quarter's sample from registry sites (dicts with code, running, level, region)."""
    quarter = check_quarter(quarter)
    if not (0 < ratio <= 1):
        raise SamplingError(f"--ratio 须大于 0 且不超过 1，而不是 {ratio}")
    if seed is None:
        seed = secrets.randbelow(10**9)
    all_sites = {s["code"]: s for s in sites}
    population = sorted(code for code, s in all_sites.items() if s.get("running", True))
    if not population:
        raise SamplingError("网站名录中没有正常运行的网站可抽样（请先导入网站名录）")
    pop_sites = [all_sites[c] for c in population]
    key = stratum_key(pop_sites)
    strata: dict[str, list[str]] = {}
    for s in pop_sites:
        strata.setdefault((s.get(key) or "").strip() or "(未分类)", []).append(s["code"])
    chosen: list[str] = []
    strata_info: dict[str, dict[str, int]] = {}
    for name in sorted(strata):
        codes = strata[name]
        n = max(1, math.ceil(ratio * len(codes) - 1e-9))
        picked = sorted(codes, key=lambda c: _rank(quarter, seed, c))[:n]
        chosen.extend(picked)
        strata_info[name] = {"size": len(codes), "drawn": n}
    included: list[str] = []
    for code in include:
        if code not in all_sites:
            raise SamplingError(f"--include {code}：网站名录中没有这个网站")
        if code not in chosen and code not in included:
            included.append(code)
    frame = [
        {"code": c, "level": all_sites[c].get("level", ""), "region": all_sites[c].get("region", ""),
         "running": bool(all_sites[c].get("running", True))}
        for c in population + [c for c in included if c not in population]
    ]
    return {
        "quarter": quarter,
        "method": METHOD,
        "seed": seed,
        "ratio": ratio,
        "stratified_by": key,
        "population": population,
        "population_size": len(population),
        "population_sites": frame,  # the sampling frame: enough to re-run the draw anywhere
        "strata": strata_info,
        "included": included,
        "codes": sorted(chosen) + included,
        "size": len(chosen) + len(included),
    }


def redraw(sample: dict[str, Any], sites: Iterable[dict[str, Any]] | None = None) -> list[str]:
    """Re-run a stored draw from its own parameters (and frame, unless ``sites`` is given)."""
    return draw(
        sites if sites is not None else sample["population_sites"],
        sample["quarter"],
        ratio=sample["ratio"],
        seed=sample["seed"],
        include=sample.get("included", ()),
    )["codes"]


def redraw_matches(sample: dict[str, Any], sites: Iterable[dict[str, Any]] | None = None) -> bool:
    """Does re-running the draw give the stored sample?"""
    return redraw(sample, sites) == sample["codes"]
