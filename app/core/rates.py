"""Conversion rates and percentages as the statistics pages and their exports show them."""

from __future__ import annotations


def ratio(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when there is nothing to divide by (an empty stage has no rate, not 0 %)."""
    return part / whole if whole else None


def percent(value: float | None) -> str:
    """66.7% for 2/3; — when there is no rate."""
    return "—" if value is None else f"{value:.1%}"
