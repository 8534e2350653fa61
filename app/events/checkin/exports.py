"""The check-in desk's downloads: the attendee list and the check-in report (columns as in app/events/exports.py)."""

from __future__ import annotations

from collections.abc import Callable

from app.core.web import local_time
from app.events.checkin.services import checkin_counts, event_attendees, no_shows
from app.events.checkin.tickets import format_short_code, ticket_label
from app.events.exports import Column, Table, table
from app.events.models import Attendee, Event


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


# What the desk offers: URL name → (file name part, the tables).
CHECKIN_EXPORTS: dict[str, tuple[str, Callable[[Event], list[Table]]]] = {
    "attendees": ("参会人名单", lambda event: [attendee_table(event)]),
    "checkin": ("签到报告", checkin_report),
}
