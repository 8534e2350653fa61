"""How every event download is built: each table is a list of columns (Chinese header + how to read the
value from one item), handed to app.core.exports. The tables themselves are the features' own (the attendee
list and check-in report in app/events/checkin/exports.py, the booth list in app/events/booths/exports.py,
the meetings' in app/events/meetings/agenda.py). Times are Beijing time; phone numbers stay text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from app.core.web import local_time
from app.events.models import Event

Column = tuple[str, Callable[[Any], Any]]
Table = tuple[str, list[str], list[list]]


def table(title: str, columns: Sequence[Column], items: Iterable) -> Table:
    """A titled table for export_sheets / export_rows: headers and one row per item."""
    return title, [header for header, _ in columns], [[read(item) for _, read in columns] for item in items]


def export_name(event: Event, what: str) -> str:
    """A download's file name: the event's title, what the file holds, the event's day (Beijing)."""
    return f"{event.title[:40]}_{what}_{local_time(event.starts_at, '%Y%m%d')}"
