"""The booth list download (columns as in app/events/exports.py)."""

from __future__ import annotations

from app.events.booths.models import Booth
from app.events.booths.services import event_booths, visible_showcase
from app.events.exports import Column, Table, table
from app.events.models import Event

BOOTH_EXPORT_NAME = "展位清单"


def _exhibitor(booth: Booth) -> str:
    return booth.application.org.name if booth.application else ""


BOOTH_COLUMNS: list[Column] = [
    ("展区", lambda b: b.zone),
    ("展位号", lambda b: b.number),
    ("规格", lambda b: b.size.label),
    ("面积（m²）", lambda b: float(b.area_m2) if b.area_m2 is not None else ""),
    ("展商", _exhibitor),
    ("展示内容", lambda b: [p.title for p in visible_showcase(b.application)]),
    ("备注", lambda b: b.note or ""),
]


def booth_table(event: Event) -> Table:
    return table(BOOTH_EXPORT_NAME, BOOTH_COLUMNS, event_booths(event))
