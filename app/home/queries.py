"""What the home page reads about events, meetings and organisations that their packages had no query for yet:
each one query, with the rows the page shows joined in, so the page stays a handful of queries (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from app.core.enums import EventStatus, MeetingRequestStatus, RegistrationStatus
from app.core.models import utcnow
from app.events.judging.models import Judge, JudgingState
from app.events.listing import organised_events
from app.events.meetings.models import MeetingRequest
from app.events.models import LIVE_STATUSES, Event, Registration
from app.extensions import db


def upcoming_registrations(org_id: int, limit: int = 5) -> list[Registration]:
    """The organisation's live registrations (待审核 / 已确认 / 候补) for events not over yet, soonest first."""
    stmt = (
        sa.select(Registration)
        .join(Registration.event)
        .where(
            Registration.org_id == org_id,
            Registration.status.in_(LIVE_STATUSES),
            Event.status != EventStatus.CANCELLED,
            Event.ends_at >= utcnow(),
        )
        .options(contains_eager(Registration.event))
        .order_by(Event.starts_at, Registration.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def meeting_invitations_awaiting(org_id: int, limit: int = 5) -> list[tuple[MeetingRequest, Event]]:
    """1:1 meeting invitations addressed to the organisation that it can still answer, the soonest to expire
    first, each with its event."""
    stmt = (
        sa.select(MeetingRequest, Event)
        .join(Event, Event.id == MeetingRequest.event_id)
        .where(
            MeetingRequest.recipient_org_id == org_id,
            MeetingRequest.status == MeetingRequestStatus.PENDING,
            MeetingRequest.expires_at > utcnow(),
        )
        .options(joinedload(MeetingRequest.sender_org))
        .order_by(MeetingRequest.expires_at, MeetingRequest.id)
        .limit(limit)
    )
    return [(req, event) for req, event in db.session.execute(stmt)]


def current_organised_events(user, limit: int = 5) -> list[Event]:
    """The organiser's events not over yet (every event for a platform admin), drafts included, soonest first."""
    stmt = (
        organised_events(user)
        .where(Event.ends_at >= utcnow(), Event.status.not_in([EventStatus.CANCELLED, EventStatus.FINISHED]))
        .order_by(None)
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def registration_counts(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per event: live registered organisations, their attendees, and registrations waiting for approval."""
    counts = {event_id: {"orgs": 0, "attendees": 0, "pending": 0} for event_id in event_ids}
    if not event_ids:
        return counts
    stmt = (
        sa.select(Registration.event_id, Registration.status, sa.func.count(), sa.func.sum(Registration.seats))
        .where(Registration.event_id.in_(event_ids), Registration.status.in_(LIVE_STATUSES))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, orgs, seats in db.session.execute(stmt):
        row = counts[event_id]
        row["orgs"] += orgs
        row["attendees"] += seats or 0
        if status == RegistrationStatus.PENDING:
            row["pending"] += orgs
    return counts


# A judge still finds the event for a week after it ended (results, late corrections before closing).
JUDGED_AFTER_END = timedelta(days=7)


def judged_events(user_id: int, limit: int = 5) -> list[tuple[Event, bool]]:
    """The events the user judges, not cancelled and not long over, soonest first, each with whether its
    scoring is closed (then the judge may read the results)."""
    stmt = (
        sa.select(Event, JudgingState.scoring_closed_at.is_not(None))
        .join(Judge, Judge.event_id == Event.id)
        .outerjoin(JudgingState, JudgingState.event_id == Event.id)
        .where(
            Judge.user_id == user_id,
            Event.status != EventStatus.CANCELLED,
            Event.ends_at >= utcnow() - JUDGED_AFTER_END,
        )
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return [(event, bool(closed)) for event, closed in db.session.execute(stmt)]
