"""Registering for an event: seats or waitlist, editing, cancelling, and the organisation's registrations.

Every change to seats runs under the event's lock (app.events.locking), so capacity and ticket quotas are
never exceeded however many people press 报名 at once. Who may register is app.events.event_roles
.registration_refusal; the organiser's approval queue is app/events/registration/approvals.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.enums import EventStatus, NotificationKind, RegistrationStatus
from app.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.core.validators import email_error, normalize_phone, phone_error
from app.events.event_roles import registration_open, registration_refusal
from app.events.locking import lock_event
from app.events.models import (
    LIVE_STATUSES,
    Attendee,
    Event,
    EventSession,
    Registration,
    TicketCategory,
    new_ticket_codes,
)
from app.events.services import edited_rows
from app.events.waitlist import (
    MAX_GROUP,
    confirm,
    full_session,
    move_seats,
    next_queue_no,
    promote_waitlist,
    release,
    room_for,
    seats_fit,
    set_status,
    tell,
)
from app.extensions import db

R = RegistrationStatus
MAX_ATTENDEES = MAX_GROUP
NAME_MAX, POSITION_MAX, NOTE_MAX = 50, 50, 500
SESSION_UNKNOWN = "所选分会场不存在或无需单独报名"


class AlreadyRegistered(DomainError):
    """The organisation already has a live registration: `registration` is it (edit that one instead)."""

    code = "already_registered"
    status = 409

    def __init__(self, registration: Registration, message: str = "本机构已报名该活动，可修改已有报名"):
        super().__init__(message)
        self.registration = registration


@dataclass
class AttendeeInput:
    name: str
    phone: str
    position: str = ""
    id: int | None = None  # an attendee already on the registration (keeps its ticket)
    email: str = ""  # optional: the reminders reach attendees without an account here, with their 签到码


def clean_attendees(rows: Iterable[AttendeeInput]) -> list[AttendeeInput]:
    """Rows with a name are attendees (blank rows are ignored); each needs a valid phone; 1 to 20 people."""
    people, errors = [], []
    for i, row in enumerate(rows, 1):
        name, position, email = (row.name or "").strip(), (row.position or "").strip(), (row.email or "").strip()
        if not name and not (row.phone or "").strip():
            continue
        if not name:
            errors.append(f"第 {i} 位参会人：请填写姓名")
        elif len(name) > NAME_MAX or len(position) > POSITION_MAX:
            errors.append(f"第 {i} 位参会人：姓名和职务各不超过 {NAME_MAX} 字")
        elif message := phone_error(row.phone) or (email and email_error(email)):
            errors.append(f"第 {i} 位参会人（{name}）：{message}")
        people.append(AttendeeInput(name, normalize_phone(row.phone), position, row.id, email))
    if errors:
        raise ValidationFailed(errors[0], errors={"attendees": "；".join(errors)})
    if not people:
        raise ValidationFailed("请至少填写一位参会人", errors={"attendees": "请至少填写一位参会人"})
    if len(people) > MAX_ATTENDEES:
        raise ValidationFailed(
            f"每个机构一次最多报名 {MAX_ATTENDEES} 人", errors={"attendees": f"最多 {MAX_ATTENDEES} 人"}
        )
    return people


# --- registering -----------------------------------------------------------------------------------


def _require_may_register(event: Event, user, now: datetime) -> None:
    if reason := registration_refusal(event, user, now):
        raise DomainError(reason, "registration_refused")


def _ticket_category(event: Event, category_id: int | None) -> TicketCategory | None:
    if category_id is None:
        if event.ticket_categories and len(event.ticket_categories) > 1:
            raise ValidationFailed("请选择票种", errors={"ticket_category": "请选择票种"})
        return event.ticket_categories[0] if event.ticket_categories else None
    category = next((c for c in event.ticket_categories if c.id == category_id), None)
    if category is None:
        raise ValidationFailed("所选票种不存在", errors={"ticket_category": "所选票种不存在"})
    return category


def _chosen_sessions(event: Event, session_ids: Iterable[int]) -> list[EventSession]:
    """Only sessions with their own capacity are signed up for; the others are open to every attendee."""
    limited = {s.id: s for s in event.sessions if s.capacity is not None}
    ids = list(dict.fromkeys(session_ids))
    if any(i not in limited for i in ids):
        raise ValidationFailed(SESSION_UNKNOWN, errors={"sessions": SESSION_UNKNOWN})
    return [limited[i] for i in ids]


def _require_session_room(reg: Registration) -> None:
    if (session := full_session(reg, reg.seats)) is not None:
        message = (
            f"分会场“{session.title}”仅剩 {session.left} 个名额，不够 {reg.seats} 人，请取消勾选该分会场或减少人数"
        )
        raise ValidationFailed(message, errors={"sessions": message})


def live_registration(event: Event, org_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.org_id == org_id, Registration.status.in_(LIVE_STATUSES)
        )
    )


def _account_of(reg: Registration, person: AttendeeInput, user) -> int | None:
    """The attendee's own account, so reminders and changes reach them as notifications: the registrant
    when the name is theirs, else an active colleague (same organisation) with the e-mail given."""
    if person.name == user.name:
        return user.id
    if not person.email or reg.org_id is None:
        return None
    return db.session.scalar(
        sa.select(User.id).where(
            User.org_id == reg.org_id, User.active.is_(True), sa.func.lower(User.email) == person.email.lower()
        )
    )


def _attendee(reg: Registration, person: AttendeeInput, user) -> Attendee:
    token, short_code = new_ticket_codes()
    attendee = Attendee(
        event_id=reg.event_id,
        user_id=_account_of(reg, person, user),
        name=person.name,
        phone=person.phone,
        position=person.position or None,
        email=person.email or None,
        ticket_token=token,
        short_code=short_code,
    )
    reg.attendees.append(attendee)
    return attendee


def _announce(event: Event, reg: Registration) -> None:
    """Tell the registrant where their new registration stands."""
    if reg.status == R.CONFIRMED:
        tell(
            reg,
            NotificationKind.EVENT_CONFIRMED,
            "confirmed",
            f"报名成功：{event.title}",
            f"共 {reg.seats} 人，请凭电子票入场。",
        )
    elif reg.status == R.WAITLISTED:
        tell(
            reg,
            NotificationKind.EVENT_WAITLISTED,
            "waitlisted",
            f"已进入候补：{event.title}",
            "名额已满，您的报名已进入候补名单，有空位时将按顺序自动转正并通知您。",
        )


def register_for_event(
    event_id: int,
    user,
    attendees: Iterable[AttendeeInput],
    ticket_category_id: int | None = None,
    note: str | None = None,
    form_token: str | None = None,
    now: datetime | None = None,
    session_ids: Iterable[int] = (),
) -> tuple[Registration, bool]:
    """Register the user's organisation: confirmed if seats (and the ticket quota) are left, waitlisted if
    not, pending when the event requires approval. A chosen session (分会场) that is already full is refused
    with a message instead. One live registration per organisation; the same form token submitted again
    returns the first registration. Returns (registration, created)."""
    now = now or utcnow()
    people = clean_attendees(attendees)
    if note and len(note) > NOTE_MAX:
        raise ValidationFailed(f"备注不超过 {NOTE_MAX} 字", errors={"note": f"备注不超过 {NOTE_MAX} 字"})
    event = lock_event(event_id)
    _require_may_register(event, user, now)
    if form_token:
        same = db.session.scalar(
            sa.select(Registration).where(Registration.event_id == event.id, Registration.form_token == form_token)
        )
        if same is not None:
            return same, False
    if (existing := live_registration(event, user.org_id)) is not None:
        raise AlreadyRegistered(existing)
    reg = Registration(
        event_id=event.id,
        org_id=user.org_id,
        user_id=user.id,
        ticket_category=_ticket_category(event, ticket_category_id),
        status=R.PENDING,
        seats=len(people),
        queue_no=next_queue_no(event),
        form_token=form_token or None,
        note=(note or "").strip() or None,
    )
    db.session.add(reg)
    reg.sessions = _chosen_sessions(event, session_ids)
    for person in people:
        _attendee(reg, person, user)
    _require_session_room(reg)
    db.session.flush()
    if event.requires_approval:
        record_change("registration", reg.id, None, R.PENDING, user)
    elif seats_fit(event, reg, reg.seats):
        confirm(event, reg, user)
    else:
        set_status(reg, R.WAITLISTED, user)
    _announce(event, reg)
    return reg, True


# --- the registrant's own registration --------------------------------------------------------------


def get_own_registration(registration_id: int, user) -> Registration:
    """A registration of the user's organisation; anyone else's is a 404."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or not user.is_authenticated or not user.belongs_to(reg.org_id):
        raise NotFound()
    return reg


def _apply_attendees(reg: Registration, people: list[AttendeeInput], user) -> None:
    """Attendees kept (by id) keep their ticket; only those left out lose theirs, unless already checked in."""
    current = edited_rows(reg.attendees, (p.id for p in people), "attendees", "参会人")
    keep = {p.id for p in people if p.id is not None}
    for attendee_id, attendee in current.items():
        if attendee_id not in keep:
            if attendee.checked_in_at is not None:
                raise DomainError(f"{attendee.name} 已签到，不能从报名中移除")
            reg.attendees.remove(attendee)
    for person in people:
        if person.id in keep:
            attendee = current[person.id]
            if (attendee.name, attendee.email) != (person.name, person.email or None):
                # Another person, or another address: the account follows what is written now.
                attendee.user_id = _account_of(reg, person, user)
            attendee.name, attendee.phone, attendee.position = person.name, person.phone, person.position or None
            attendee.email = person.email or None
        else:
            _attendee(reg, person, user)
    reg.seats = len(people)


def update_registration(
    reg: Registration,
    user,
    attendees: Iterable[AttendeeInput],
    ticket_category_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
    session_ids: Iterable[int] = (),
) -> list[Registration]:
    """Change attendees, ticket category and note while registration is open. A confirmed registration that
    grows needs the extra seats (otherwise nothing changes and the message says how many are left); one
    that shrinks gives seats back, which promotes the waitlist. Returns the registrations promoted."""
    now = now or utcnow()
    people = clean_attendees(attendees)
    event = lock_event(reg.event_id)
    db.session.refresh(reg)
    if reg.status not in LIVE_STATUSES:
        raise InvalidTransition(f"该报名当前状态为“{reg.status.label}”，不能修改")
    if not registration_open(event, now):
        raise DomainError("报名已截止，不能再修改报名信息")
    was_confirmed = reg.status == R.CONFIRMED
    release(event, reg)
    reg.ticket_category = _ticket_category(event, ticket_category_id)
    reg.sessions = _chosen_sessions(event, session_ids)
    _apply_attendees(reg, people, user)
    reg.note = (note or "").strip()[:NOTE_MAX] or None
    _require_session_room(reg)
    if was_confirmed:
        if not seats_fit(event, reg, reg.seats):
            raise DomainError(
                f"名额不足：修改后需要 {reg.seats} 个名额，目前最多可保留 {room_for(event, reg)} 人。"
                "请减少参会人数后再保存（原报名保持不变）。",
                "not_enough_seats",
            )
        move_seats(event, reg, reg.seats)
    db.session.flush()
    return promote_waitlist(event, user)


def cancel_registration(reg: Registration, user, now: datetime | None = None) -> list[Registration]:
    """The registrant withdraws before the event starts; confirmed seats go to the waitlist at once."""
    now = now or utcnow()
    event = lock_event(reg.event_id)
    db.session.refresh(reg)
    if reg.status not in LIVE_STATUSES:
        raise InvalidTransition(f"该报名当前状态为“{reg.status.label}”，无需取消")
    if event.status in (EventStatus.FINISHED, EventStatus.CANCELLED) or now >= event.starts_at:
        raise DomainError("活动已开始或已结束，不能取消报名")
    release(event, reg)
    reg.cancelled_at = now
    set_status(reg, R.CANCELLED, user, "报名单位取消")
    return promote_waitlist(event, user)


def org_registrations(org_id: int) -> list[Registration]:
    """The organisation's registrations: events still to come first (soonest first), then past ones."""
    past = sa.case((Event.ends_at < utcnow(), 1), else_=0)
    return db.session.scalars(
        sa.select(Registration)
        .where(Registration.org_id == org_id)
        .join(Event, Registration.event_id == Event.id)
        .options(selectinload(Registration.event), selectinload(Registration.attendees))
        .order_by(past, Event.starts_at, Registration.id.desc())
    ).all()
