"""The policy items' own filters and facets, for the engines' DSL and the embedded SQL alike.

A policy item's application window gives its status on the day searched (the app passes the Beijing
date): 申报中 (open: opened, not closed), 即将截止 (open and closing within CLOSING_DAYS, a part of 申报中)
and 已截止 (closed before today). An item whose window has not opened yet is in none of them. Nothing about
the status is stored: it is computed from opens_on/closes_on at query time, so it never goes stale.
"""

from __future__ import annotations

from datetime import date, timedelta

CLOSING_DAYS = 7
WINDOWS: tuple[str, ...] = ("open", "closing", "closed")
TERM_FACETS: tuple[str, ...] = ("issuer", "region", "benefit")
WINDOW_FACET = "window"


def window_bounds(today: date) -> tuple[str, str]:
    """Today and the last day a window may close on to be 即将截止, as ISO dates (how the index stores them)."""
    return today.isoformat(), (today + timedelta(days=CLOSING_DAYS)).isoformat()


def _missing(field: str) -> dict:
    return {"bool": {"must_not": {"exists": {"field": field}}}}


def _either(*clauses: dict) -> dict:
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def window_clause(window: str, today: date) -> dict:
    """The DSL filter of one window status on `today`."""
    start, soon = window_bounds(today)
    opened = _either(_missing("opens_on"), {"range": {"opens_on": {"lte": start}}})
    if window == "closed":
        return {"range": {"closes_on": {"lt": start}}}
    if window == "closing":
        return {"bool": {"filter": [opened, {"range": {"closes_on": {"gte": start, "lte": soon}}}]}}
    return {"bool": {"filter": [opened, _either(_missing("closes_on"), {"range": {"closes_on": {"gte": start}}})]}}


def window_aggregation(today: date) -> dict:
    return {"filters": {"filters": {name: window_clause(name, today) for name in WINDOWS}}}


def window_buckets(aggregation: dict) -> list[tuple[str, int]]:
    """The engine's `filters` aggregation back as [(window, count)] in WINDOWS order."""
    buckets = (aggregation or {}).get("buckets") or {}
    return [(name, int(buckets.get(name, {}).get("doc_count", 0))) for name in WINDOWS]


def window_sql(window: str, today: date, alias: str = "d") -> tuple[str, list]:
    """The SQL twin of window_clause over a table with opens_on/closes_on ISO-date text columns."""
    start, soon = window_bounds(today)
    opened = f"({alias}.opens_on IS NULL OR {alias}.opens_on <= ?)"
    if window == "closed":
        return f"{alias}.closes_on < ?", [start]
    if window == "closing":
        return f"({opened} AND {alias}.closes_on >= ? AND {alias}.closes_on <= ?)", [start, start, soon]
    return f"({opened} AND ({alias}.closes_on IS NULL OR {alias}.closes_on >= ?))", [start, start]
