"""The check-in desk: admit each ticket once, undo a mistaken check-in, and the desk's live counts.

A refusal is a CheckinRefused carrying a reason code (like pretix's check-in errors), so the desk can show
why and an export or a test can tell the reasons apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.core.enums import EventStatus, RegistrationStatus
from app.core.errors import DomainError, InvalidTransition
from app.core.models import record_change, utcnow
from app.core.web import local_time
from app.events.checkin.tickets import (
    DEFAULT_TICKET_LABEL,
    looks_signed,
    normalise_short_code,
    ticket_label,
    unsign_ticket,
)
from app.events.event_roles import get_event_row
from app.events.models import Attendee, Event, Registration
from app.extensions import db

CHECKED_IN = "checked_in"
NOT_CHECKED_IN = "not_checked_in"
MAX_INPUT = 300


class CheckinRefused(DomainError):
    """The desk must not admit this ticket; `code` says why, `attendee` is set when the ticket is known."""

    status = 409

    def __init__(self, code: str, message: str, attendee: Attendee | None = None):
        super().__init__(message, code)
        self.attendee = attendee


def _attendee_where(*conditions) -> Attendee | None:
    stmt = (
        sa.select(Attendee)
        .where(*conditions)
        .options(joinedload(Attendee.registration).joinedload(Registration.org))
        .order_by(Attendee.id)
        .limit(1)
    )
    return db.session.scalar(stmt.execution_options(populate_existing=True))


def find_ticket(event: Event, text: str) -> Attendee:
    """The attendee a scanned payload or typed short code names, for this event.

    A payload whose signature does not match is refused before any database lookup; a short code is
    matched without regard to case, spaces or dashes.
    """
    text = (text or "").strip()
    if not text:
        raise CheckinRefused("empty", "请扫描二维码或输入签到码")
    if len(text) > MAX_INPUT:
        raise CheckinRefused("unknown", "无法识别的签到码")
    if looks_signed(text):
        token = unsign_ticket(text)
        if token is None:
            raise CheckinRefused("forged", "无效的二维码：签名不符，可能是伪造或被篡改的票")
        attendee = _attendee_where(Attendee.ticket_token == token)
    else:
        code = normalise_short_code(text)
        if code is None:
            raise CheckinRefused("unknown", "签到码格式不对：应为 8 位字母和数字")
        attendee = _attendee_where(Attendee.event_id == event.id, Attendee.short_code == code) or _attendee_where(
            Attendee.short_code == code
        )
    if attendee is None:
        raise CheckinRefused("unknown", "查无此票，请核对签到码")
    if attendee.event_id != event.id:
        raise CheckinRefused("other_event", f"另一场活动的票（{attendee.event.title}）", attendee)
    return attendee


def _when(at: datetime, now: datetime) -> str:
    """ "09:12" today, "12-05 09:12" on another day (multi-day expos)."""
    same_day = local_time(at, "%Y-%m-%d") == local_time(now, "%Y-%m-%d")
    return local_time(at, "%H:%M" if same_day else "%m-%d %H:%M")


def check_in_ticket(event: Event, text: str, actor, now: datetime | None = None) -> Attendee:
    """Admit a ticket once: only a confirmed registration of this (not cancelled) event, and never twice.

    The check-in is one conditional UPDATE (… WHERE checked_in_at IS NULL) whose row count decides, so
    simultaneous scans of one ticket at several desks admit it exactly once; the others hear 已签到.
    """
    now = now or utcnow()
    attendee = find_ticket(event, text)
    if event.status == EventStatus.CANCELLED:
        raise CheckinRefused("event_cancelled", "活动已取消，不能签到", attendee)
    status = attendee.registration.status
    if status == RegistrationStatus.CANCELLED:
        raise CheckinRefused("cancelled", "报名已取消，此票无效", attendee)
    if status != RegistrationStatus.CONFIRMED:
        raise CheckinRefused("not_confirmed", f"报名未确认（{status.label}），不能签到", attendee)
    done = db.session.execute(
        sa.update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attendee)
    if done.rowcount != 1:
        raise CheckinRefused("already", f"已签到 于 {_when(attendee.checked_in_at, now)}", attendee)
    record_change("attendee", attendee.id, NOT_CHECKED_IN, CHECKED_IN, actor)
    db.session.flush()
    return attendee


def undo_check_in(event: Event, attendee_id: int, actor, reason: str | None = None) -> Attendee:
    """Take back a mistaken check-in (the organiser's call), leaving an audit row of who did it."""
    attendee = get_event_row(Attendee, attendee_id, event)
    done = db.session.execute(
        sa.update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.checked_in_at.is_not(None))
        .values(checked_in_at=None, checked_in_by_id=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise InvalidTransition("此人尚未签到，无需撤销")
    db.session.refresh(attendee)
    record_change("attendee", attendee.id, CHECKED_IN, NOT_CHECKED_IN, actor, reason or "撤销误签到")
    db.session.flush()
    return attendee


@dataclass(frozen=True)
class TicketCount:
    label: str
    registered: int
    checked_in: int

    @property
    def rate(self) -> float:
        return self.checked_in / self.registered if self.registered else 0.0


def checkin_counts(event: Event) -> list[TicketCount]:
    """Attendees of confirmed registrations and how many of them have checked in, per ticket type, in
    the event's category order; ends with the total ("合计")."""
    rows = db.session.execute(
        sa.select(
            Registration.ticket_category_id,
            sa.func.count(Attendee.id),
            sa.func.count(Attendee.checked_in_at),
        )
        .join(Attendee.registration)
        .where(Attendee.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.ticket_category_id)
    ).all()
    by_category = {category_id: (registered, checked) for category_id, registered, checked in rows}
    counts = [TicketCount(c.label, *by_category.pop(c.id, (0, 0))) for c in event.ticket_categories]
    if by_category:  # registrations without a category (or whose category was removed)
        registered, checked = (sum(v) for v in zip(*by_category.values(), strict=True))
        counts.append(TicketCount(DEFAULT_TICKET_LABEL, registered, checked))
    counts.append(TicketCount("合计", sum(c.registered for c in counts), sum(c.checked_in for c in counts)))
    return counts


def _attendees(event: Event, *conditions):
    return (
        sa.select(Attendee)
        .join(Attendee.registration)
        .where(Attendee.event_id == event.id, *conditions)
        .options(
            joinedload(Attendee.registration).joinedload(Registration.org),
            joinedload(Attendee.registration).joinedload(Registration.ticket_category),
        )
    )


def recent_check_ins(event: Event, limit: int = 10) -> list[Attendee]:
    stmt = _attendees(event, Attendee.checked_in_at.is_not(None))
    return list(db.session.scalars(stmt.order_by(Attendee.checked_in_at.desc(), Attendee.id.desc()).limit(limit)))


def event_attendees(event: Event) -> list[Attendee]:
    """Every attendee of every registration (any status), in registration order."""
    return list(db.session.scalars(_attendees(event).order_by(Registration.queue_no, Attendee.id)))


def no_shows(event: Event) -> list[Attendee]:
    """Attendees of confirmed registrations who have not checked in."""
    stmt = _attendees(event, Registration.status == RegistrationStatus.CONFIRMED, Attendee.checked_in_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Registration.queue_no, Attendee.id)))


def attendee_summary(attendee: Attendee) -> dict:
    """What the desk shows about a ticket holder."""
    registration = attendee.registration
    return {
        "id": attendee.id,
        "name": attendee.name,
        "org": registration.org.name if registration.org else "",
        "ticket": ticket_label(registration),
        "checked_in_at": local_time(attendee.checked_in_at, "%H:%M") if attendee.checked_in_at else None,
    }
