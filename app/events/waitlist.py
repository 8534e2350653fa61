"""Seats and the waitlist. Every function here runs under the event's lock (app.events.locking.lock_event).

A confirmed registration holds `seats` seats of the event and of its ticket category; pending, waitlisted,
rejected and cancelled ones hold none. The waitlist is served in queue order, but a group that does not fit
is passed over for a smaller one behind it that does, so free seats never sit idle.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.enums import NotificationKind, RegistrationStatus
from app.core.models import record_change, utcnow
from app.events.models import Event, EventSession, Registration
from app.extensions import db
from app.notifications.services import notify

R = RegistrationStatus
MINE_LINK = "/events/mine"
MAX_GROUP = 20  # the most attendees one registration may have


def registrant_ids(reg: Registration) -> list[int]:
    """Who hears about a registration: the user who made it and the attendees who have accounts."""
    ids = [reg.user_id, *(a.user_id for a in reg.attendees)]
    return list(dict.fromkeys(i for i in ids if i is not None))


def tell(reg: Registration, kind: NotificationKind, what: str, title: str, body: str = "") -> None:
    notify(registrant_ids(reg), kind, f"event_registration:{reg.id}:{what}", title, body, MINE_LINK)


def _limited(reg: Registration) -> list:
    """What else the registration's seats count against: its ticket category and its chosen sessions."""
    return [c for c in (reg.ticket_category, *reg.sessions) if c is not None]


def full_session(reg: Registration, seats: int) -> EventSession | None:
    """The first chosen session without room for `seats` more people, if any."""
    return next((s for s in reg.sessions if s.left is not None and seats > s.left), None)


def seats_fit(event: Event, reg: Registration, seats: int) -> bool:
    """`seats` more seats for this registration fit the event's capacity, its ticket category's quota and
    every chosen session's capacity."""
    if event.seats_left is not None and seats > event.seats_left:
        return False
    return all(limit.left is None or seats <= limit.left for limit in _limited(reg))


def room_for(event: Event, reg: Registration) -> int:
    """How many people this registration could have now (its own seats given back first)."""
    lefts = [event.seats_left, *(limit.left for limit in _limited(reg))]
    return min((v for v in lefts if v is not None), default=MAX_GROUP)


def move_seats(event: Event, reg: Registration, delta: int) -> None:
    """Take (delta > 0) or give back (delta < 0) seats of the event, the category and the sessions."""
    event.seats_taken += delta
    for limit in _limited(reg):
        limit.taken += delta


def set_status(reg: Registration, status: RegistrationStatus, actor=None, reason: str | None = None) -> None:
    before = reg.status
    reg.status = status
    if status == R.CONFIRMED:
        reg.confirmed_at = utcnow()
    db.session.flush()
    record_change("registration", reg.id, before, status, actor, reason)


def confirm(event: Event, reg: Registration, actor=None, reason: str | None = None) -> None:
    move_seats(event, reg, reg.seats)
    set_status(reg, R.CONFIRMED, actor, reason)


def release(event: Event, reg: Registration) -> None:
    """A confirmed registration leaves: its seats go back."""
    if reg.status == R.CONFIRMED:
        move_seats(event, reg, -reg.seats)


def next_queue_no(event: Event) -> int:
    last = db.session.scalar(sa.select(sa.func.max(Registration.queue_no)).where(Registration.event_id == event.id))
    return (last or 0) + 1


def waitlisted(event: Event) -> list[Registration]:
    return db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == R.WAITLISTED)
        .order_by(Registration.queue_no)
        .execution_options(populate_existing=True)
    ).all()


def promote_waitlist(event: Event, actor=None) -> list[Registration]:
    """Confirm the earliest waitlisted registrations that fit, in queue order, skipping groups too big for
    the seats left; each promoted registrant is notified (EVENT_PROMOTED). Returns the promoted ones."""
    promoted = []
    for reg in waitlisted(event):
        if event.seats_left == 0:
            break
        if seats_fit(event, reg, reg.seats):
            confirm(event, reg, actor, "候补转正")
            tell(
                reg,
                NotificationKind.EVENT_PROMOTED,
                "promoted",
                f"候补转正：{event.title}",
                f"有名额空出，您机构的报名（{reg.seats} 人）已由候补转为正式报名。",
            )
            promoted.append(reg)
    return promoted


def queue_position(reg: Registration) -> int | None:
    """1 for the first in the waitlist; None when the registration is not waitlisted."""
    if reg.status != R.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == reg.event_id,
            Registration.status == R.WAITLISTED,
            Registration.queue_no < reg.queue_no,
        )
    )
    return ahead + 1
