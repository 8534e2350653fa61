"""The organiser's event downloads: attendee list, check-in report, booth list.

Each table is a list of columns (Chinese header + how to read the value from one item), so every event
export, the meetings' too, is built the same way and handed to app.core.exports. Times are Beijing time;
phone numbers stay text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from app.core.web import local_time
from app.events.booth_models import Booth
from app.events.booths import event_booths, visible_showcase
from app.events.checkin import checkin_counts, event_attendees, no_shows
from app.events.models import Attendee, Event
from app.events.tickets import format_short_code, ticket_label

Column = tuple[str, Callable[[Any], Any]]
Table = tuple[str, list[str], list[list]]


def table(title: str, columns: Sequence[Column], items: Iterable) -> Table:
    """A titled table for export_sheets / export_rows: headers and one row per item."""
    return title, [header for header, _ in columns], [[read(item) for _, read in columns] for item in items]


def _org_name(attendee: Attendee) -> str:
    org = attendee.registration.org
    return org.name if org else ""


ATTENDEE_COLUMNS: list[Column] = [
    ("单位", _org_name),
    ("参会人", lambda a: a.name),
    ("手机号", lambda a: a.phone or ""),
    ("职务", lambda a: a.position or ""),
    ("电子邮箱", lambda a: a.email or ""),
    ("票种", lambda a: ticket_label(a.registration)),
    ("报名状态", lambda a: a.registration.status.label),
    ("报名序号", lambda a: a.registration.queue_no),
    ("报名时间", lambda a: local_time(a.registration.created_at)),
    ("签到码", lambda a: format_short_code(a.short_code)),
    ("签到时间", lambda a: local_time(a.checked_in_at)),
]

NO_SHOW_COLUMNS: list[Column] = [c for c in ATTENDEE_COLUMNS if c[0] in ("单位", "参会人", "手机号", "职务", "票种")]

COUNT_COLUMNS: list[Column] = [
    ("票种", lambda c: c.label),
    ("已报名（人）", lambda c: c.registered),
    ("已签到（人）", lambda c: c.checked_in),
    ("签到率", lambda c: f"{c.rate:.0%}"),
]


def attendee_table(event: Event) -> Table:
    return table("参会人名单", ATTENDEE_COLUMNS, event_attendees(event))


def checkin_report(event: Event) -> list[Table]:
    """Per ticket type registered / checked in / rate, then everyone confirmed who did not come."""
    return [
        table("签到统计", COUNT_COLUMNS, checkin_counts(event)),
        table("未到场名单", NO_SHOW_COLUMNS, no_shows(event)),
    ]


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
    return table("展位清单", BOOTH_COLUMNS, event_booths(event))


# What the organiser can download: URL name → (file name part, the tables).
EVENT_EXPORTS: dict[str, tuple[str, Callable[[Event], list[Table]]]] = {
    "attendees": ("参会人名单", lambda event: [attendee_table(event)]),
    "checkin": ("签到报告", checkin_report),
    "booths": ("展位清单", lambda event: [booth_table(event)]),
}
