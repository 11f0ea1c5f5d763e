"""Extraction of dates, dated list blocks, columns and the per-site update facts."""

from inspector.core.extract.dates import date_from_url, find_dates, month_from_url, parse_date
from inspector.core.extract.lists import (
    Block,
    blank_page,
    detail_date,
    extract_blocks,
    extract_items,
    next_page_url,
)
from inspector.core.extract.site import SiteAnalysis, analyze_site

__all__ = [
    "Block",
    "SiteAnalysis",
    "analyze_site",
    "blank_page",
    "date_from_url",
    "detail_date",
    "extract_blocks",
    "extract_items",
    "find_dates",
    "month_from_url",
    "next_page_url",
    "parse_date",
]
