"""Reading events for pages: the public list and its filters, an organiser's own events, an organisation's
latest registration for the event page, and the numbers and registrations on the organiser's dashboard."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.enums import EventStatus, EventType, RegistrationStatus
from app.core.models import utcnow
from app.core.regions import REGION_NAMES
from app.events.models import Attendee, Event, Registration
from app.extensions import db

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CLOSED, EventStatus.FINISHED)
WHEN = {"upcoming": "即将举办", "past": "往期活动", "all": "全部"}


@dataclass
class EventFilters:
    event_type: EventType | None = None
    region: str = ""
    when: str = "upcoming"

    @classmethod
    def from_args(cls, args) -> EventFilters:
        """Anything unknown in the query string is simply ignored."""
        region = args.get("region", "")
        when = args.get("when", "upcoming")
        return cls(
            event_type=EventType.from_any(args.get("type")) if args.get("type") else None,
            region=region if region in REGION_NAMES else "",
            when=when if when in WHEN else "upcoming",
        )


def public_events(filters: EventFilters) -> sa.Select:
    """Published, closed and finished events; upcoming ones soonest first, past ones latest first."""
    now = utcnow()
    stmt = sa.select(Event).where(Event.status.in_(PUBLIC_STATUSES))
    if filters.event_type:
        stmt = stmt.where(Event.event_type == filters.event_type)
    if filters.region:
        stmt = stmt.where(Event.region == filters.region)
    if filters.when == "upcoming":
        return stmt.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    if filters.when == "past":
        stmt = stmt.where(Event.ends_at < now)
    return stmt.order_by(Event.starts_at.desc(), Event.id.desc())


def organised_events(user) -> sa.Select:
    """The organiser's own events (every event for a platform admin), newest start first."""
    stmt = sa.select(Event)
    if not user.is_platform_admin:
        stmt = stmt.where(Event.organiser_id == user.id)
    return stmt.order_by(Event.starts_at.desc(), Event.id.desc())


def latest_registration_of(event: Event, org_id: int | None) -> Registration | None:
    """The organisation's most recent registration for the event, whatever its status."""
    if org_id is None:
        return None
    return db.session.scalar(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.org_id == org_id)
        .order_by(Registration.id.desc())
        .limit(1)
    )


def dashboard_counts(event: Event) -> dict[str, int]:
    """Registered organisations and attendees (live registrations), by status, and check-ins."""
    by_status = dict(
        db.session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    people = dict(
        db.session.execute(
            sa.select(Registration.status, sa.func.coalesce(sa.func.sum(Registration.seats), 0))
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    live = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    checked_in = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attendee)
        .join(Registration, Attendee.registration_id == Registration.id)
        .where(Attendee.event_id == event.id, Attendee.checked_in_at.is_not(None))
    )
    return {
        "orgs": sum(by_status.get(s, 0) for s in live),
        "attendees": sum(people.get(s, 0) for s in live),
        "confirmed": people.get(RegistrationStatus.CONFIRMED, 0),
        "waitlisted": people.get(RegistrationStatus.WAITLISTED, 0),
        "pending": by_status.get(RegistrationStatus.PENDING, 0),
        "checked_in": checked_in,
    }


def event_registrations(event: Event, status: RegistrationStatus | None = None) -> list[Registration]:
    stmt = (
        sa.select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.attendees), selectinload(Registration.org))
        .order_by(Registration.queue_no)
    )
    if status is not None:
        stmt = stmt.where(Registration.status == status)
    return db.session.scalars(stmt).all()
