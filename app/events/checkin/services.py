"""The check-in desk: admit each ticket once, undo a mistaken check-in, and the desk's live counts.

A refusal is a CheckinRefused carrying a reason code (like pretix's check-in errors), so the desk can show
why and an export or a test can tell the reasons apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.core.clock import local_date
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
BAD_FORMAT = "签到码格式不对：应为 8 位字母和数字"
NO_SUCH_CODE = "没有这个签到码，请核对后重新输入"


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
        raise CheckinRefused("bad_format", "无法识别的签到码")
    if looks_signed(text):
        token = unsign_ticket(text)
        if token is None:
            raise CheckinRefused("forged", "无效的二维码：签名不符，可能是伪造或被篡改的票")
        attendee = _attendee_where(Attendee.ticket_token == token)
    else:
        code = normalise_short_code(text)
        if code is None:
            raise CheckinRefused("bad_format", BAD_FORMAT)
        attendee = _attendee_where(Attendee.event_id == event.id, Attendee.short_code == code) or _attendee_where(
            Attendee.short_code == code
        )
    if attendee is None:
        raise CheckinRefused("unknown", NO_SUCH_CODE)
    if attendee.event_id != event.id:
        raise CheckinRefused("other_event", f"另一场活动的票（{attendee.event.title}）", attendee)
    return attendee


def _when(at: datetime, now: datetime) -> str:
    """ "09:12" today, "12-05 09:12" on another day (multi-day expos)."""
    same_day = local_time(at, "%Y-%m-%d") == local_time(now, "%Y-%m-%d")
    return local_time(at, "%H:%M" if same_day else "%m-%d %H:%M")


def event_days(event: Event) -> str:
    """The event's day, or its first and last day, in Beijing time."""
    first, last = local_date(event.starts_at), local_date(event.ends_at)
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"


def off_day_warning(event: Event, now: datetime) -> str | None:
    """The question the desk asks before admitting anyone on a day the event does not take place (Beijing
    days): usually a wrong event's desk or a test scan. None on an event day."""
    if local_date(event.starts_at) <= local_date(now) <= local_date(event.ends_at):
        return None
    return f"活动日期是 {event_days(event)}，今天不是活动日，确定要签到吗？"


def admit(event: Event, attendee: Attendee, actor, now: datetime | None = None, confirm: bool = False) -> Attendee:
    """Admit a ticket holder once: only a confirmed registration of this (not cancelled) event, never twice,
    and on a day that is not an event day only when the desk confirms (`confirm`).

    The check-in is one conditional UPDATE (… WHERE checked_in_at IS NULL) whose row count decides, so
    simultaneous scans of one ticket at several desks admit it exactly once; the others hear 已签到.
    """
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        raise CheckinRefused("event_cancelled", "活动已取消，不能签到", attendee)
    status = attendee.registration.status
    if status == RegistrationStatus.CANCELLED:
        raise CheckinRefused("cancelled", "报名已取消，此票无效", attendee)
    if status != RegistrationStatus.CONFIRMED:
        raise CheckinRefused("not_confirmed", f"报名未确认（{status.label}），不能签到", attendee)
    if attendee.checked_in_at is None and not confirm and (warning := off_day_warning(event, now)):
        raise CheckinRefused("not_event_day", warning, attendee)
    done = db.session.execute(
        sa.update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attendee)
    if done.rowcount != 1:
        raise CheckinRefused("already", f"已于 {_when(attendee.checked_in_at, now)} 签到", attendee)
    record_change("attendee", attendee.id, NOT_CHECKED_IN, CHECKED_IN, actor)
    db.session.flush()
    return attendee


def check_in_ticket(event: Event, text: str, actor, now: datetime | None = None, confirm: bool = False) -> Attendee:
    """Admit the holder of a scanned or typed ticket (see admit)."""
    return admit(event, find_ticket(event, text), actor, now, confirm)


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


def _desk_state(attendee: Attendee) -> tuple[str, bool]:
    """(what the desk's list says about the holder, whether the desk may admit them now)."""
    status = attendee.registration.status
    if attendee.event.status == EventStatus.CANCELLED:
        return "活动已取消", False
    if attendee.checked_in_at is not None:
        return f"已签到 {local_time(attendee.checked_in_at, '%m-%d %H:%M')}", False
    if status != RegistrationStatus.CONFIRMED:
        return ("已取消" if status == RegistrationStatus.CANCELLED else status.label), False
    return "未签到", True


def attendee_summary(attendee: Attendee) -> dict:
    """What the desk shows about a ticket holder."""
    registration = attendee.registration
    state, admissible = _desk_state(attendee)
    return {
        "id": attendee.id,
        "name": attendee.name,
        "org": registration.org.name if registration.org else "",
        "ticket": ticket_label(registration),
        "phone_tail": (attendee.phone or "")[-4:],
        # "09:12" today, "12-05 09:12" yesterday: on a fair's second day yesterday's check-ins say so.
        "checked_in_at": _when(attendee.checked_in_at, utcnow()) if attendee.checked_in_at else None,
        "state": state,
        "admissible": admissible,
    }
