"""Reading booked meetings: a participant's agenda (page and iCal), the organiser's grid and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy.orm import selectinload

from app.core.enums import MeetingRequestStatus
from app.core.models import utcnow
from app.core.web import local_time
from app.events.exports import Table, table
from app.events.meetings.booking import free_slots
from app.events.meetings.models import Meeting, MeetingHold, MeetingRequest, MeetingSlot, MeetingTable
from app.events.models import Event
from app.extensions import db
from app.organizations.models import Organization


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.name, self.phone, self.email) if part)


def side_contact(meeting: Meeting, org: Organization) -> Contact:
    """Who to meet on `org`'s side: the user who sent or accepted the request, else the org's contact."""
    req = meeting.request
    user = req.sender_user if org.id == req.sender_org_id else req.answered_by
    if user is not None:
        return Contact(user.name, user.phone or org.contact_phone or "", user.email)
    return Contact(org.contact_name or "", org.contact_phone or "", org.contact_email or "")


def _meetings(event_id: int, org_id: int | None = None) -> list[Meeting]:
    stmt = (
        sa.select(Meeting)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .join(MeetingTable, MeetingTable.id == Meeting.table_id)
        .where(Meeting.event_id == event_id)
        .options(selectinload(Meeting.request).selectinload(MeetingRequest.sender_org))
        .options(selectinload(Meeting.request).selectinload(MeetingRequest.recipient_org))
        .order_by(MeetingSlot.starts_at, MeetingTable.position)
    )
    if org_id is not None:
        stmt = stmt.join(MeetingHold, MeetingHold.meeting_id == Meeting.id).where(MeetingHold.org_id == org_id)
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class AgendaItem:
    meeting: Meeting
    other: Organization
    contact: Contact
    started: bool


def org_agenda(event: Event, org_id: int, now: datetime | None = None) -> list[AgendaItem]:
    """The organisation's meetings in time order, each with the other side and its contact person."""
    now = now or utcnow()
    items = []
    for m in _meetings(event.id, org_id):
        other = m.other_org(org_id)
        items.append(AgendaItem(m, other, side_contact(m, other), m.slot.starts_at <= now))
    return items


def agenda_ical(event: Event, org_id: int) -> bytes:
    """One VEVENT per meeting, times in UTC, stable UIDs so a re-import updates instead of duplicating."""
    cal = Calendar()
    cal.add("prodid", "-//Lianqiao//Meetings//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{event.title} 洽谈日程")
    stamp = utcnow().replace(tzinfo=UTC)
    for item in org_agenda(event, org_id):
        m = item.meeting
        vevent = VEvent()
        vevent.add("uid", f"lianqiao-meeting-{m.id}@lianqiao")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", m.slot.starts_at.replace(tzinfo=UTC))
        vevent.add("dtend", m.slot.ends_at.replace(tzinfo=UTC))
        vevent.add("summary", f"洽谈：{item.other.name}")
        vevent.add("location", " ".join(p for p in (event.venue or "", f"{m.table.name}号洽谈桌") if p))
        vevent.add("description", f"{event.title}\n对方联系人：{item.contact}")
        cal.add_component(vevent)
    return cal.to_ical()


def event_slots(event: Event) -> list[MeetingSlot]:
    return list(
        db.session.scalars(
            sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id).order_by(MeetingSlot.starts_at)
        )
    )


def meeting_grid(event: Event) -> tuple[list[MeetingSlot], list[MeetingTable], dict[tuple[int, int], Meeting]]:
    """Slots × tables, and the meeting in each booked cell."""
    tables = db.session.scalars(
        sa.select(MeetingTable).where(MeetingTable.event_id == event.id).order_by(MeetingTable.position)
    ).all()
    cells = {(m.slot_id, m.table_id): m for m in _meetings(event.id)}
    return event_slots(event), list(tables), cells


def request_counts(event: Event) -> dict[MeetingRequestStatus, int]:
    """How many of the event's meeting requests are in each status (for the organiser's overview)."""
    rows = db.session.execute(
        sa.select(MeetingRequest.status, sa.func.count())
        .where(MeetingRequest.event_id == event.id)
        .group_by(MeetingRequest.status)
    )
    return {status: n for status, n in rows}


def _contact(m: Meeting, org: Organization) -> str:
    return str(side_contact(m, org))


MEETING_COLUMNS = [
    ("开始时间", lambda m: local_time(m.slot.starts_at)),
    ("结束时间", lambda m: local_time(m.slot.ends_at, "%H:%M")),
    ("洽谈桌", lambda m: m.table.name),
    ("邀请方", lambda m: m.request.sender_org.name),
    ("邀请方联系人", lambda m: _contact(m, m.request.sender_org)),
    ("受邀方", lambda m: m.request.recipient_org.name),
    ("受邀方联系人", lambda m: _contact(m, m.request.recipient_org)),
    ("洽谈结果", lambda m: m.outcome.label if m.outcome else "未记录"),
    ("备注", lambda m: m.outcome_note or ""),
]


def meeting_table(event: Event) -> Table:
    return table("洽谈安排", MEETING_COLUMNS, _meetings(event.id))


def request_lists(event: Event, org_id: int) -> tuple[list[MeetingRequest], list[MeetingRequest]]:
    """(received, sent) requests of the organisation at this event, newest first."""
    stmt = (
        sa.select(MeetingRequest)
        .where(MeetingRequest.event_id == event.id)
        .options(selectinload(MeetingRequest.sender_org), selectinload(MeetingRequest.recipient_org))
        .options(selectinload(MeetingRequest.preferred_slots))
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    )
    received = db.session.scalars(stmt.where(MeetingRequest.recipient_org_id == org_id)).all()
    sent = db.session.scalars(stmt.where(MeetingRequest.sender_org_id == org_id)).all()
    return list(received), list(sent)


def open_counterparts(event: Event, org_id: int) -> set[int]:
    """Organisations this one already has a pending or accepted request with (either direction)."""
    rows = db.session.execute(
        sa.select(MeetingRequest.sender_org_id, MeetingRequest.recipient_org_id).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status.in_([MeetingRequestStatus.PENDING, MeetingRequestStatus.ACCEPTED]),
            sa.or_(MeetingRequest.sender_org_id == org_id, MeetingRequest.recipient_org_id == org_id),
        )
    ).all()
    return {a if b == org_id else b for a, b in rows}


def pending_slot_states(event: Event, received: list[MeetingRequest]) -> dict[int, set[int]]:
    """For each pending request received, the ids of its proposed slots both sides still have free."""
    now = utcnow()
    states = {}
    for req in received:
        if req.status == MeetingRequestStatus.PENDING and req.preferred_slots:
            free = {s.id for s in free_slots(event, (req.sender_org_id, req.recipient_org_id), now)}
            states[req.id] = {s.id for s in req.preferred_slots} & free
    return states


def slot_states(event: Event, org_id: int) -> list[tuple[MeetingSlot, str]]:
    """Every slot with the organisation's state in it: 'meeting', 'blocked' or 'free'."""
    holds = {
        h.slot_id: h
        for h in db.session.scalars(
            sa.select(MeetingHold)
            .join(MeetingSlot, MeetingSlot.id == MeetingHold.slot_id)
            .where(MeetingSlot.event_id == event.id, MeetingHold.org_id == org_id)
        )
    }
    states = []
    for slot in event_slots(event):
        hold = holds.get(slot.id)
        states.append((slot, "free" if hold is None else ("meeting" if hold.meeting_id else "blocked")))
    return states
