"""Scheduled event work (declared in app/jobs.py). Each job flushes, never commits, and is idempotent.

Registration jobs: close_registrations, promote_waitlists, send_reminders. expire_meeting_requests (also
declared against this module) is the meetings feature's to add here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.enums import EventStatus, NotificationKind, RegistrationStatus
from app.core.web import local_time
from app.events.locking import lock_event
from app.events.meetings import expire_meeting_requests  # noqa: F401  (declared in app/jobs.py)
from app.events.models import Event, Registration
from app.events.services import close_event_registration
from app.events.waitlist import promote_waitlist, registrant_ids
from app.extensions import db
from app.notifications.services import notify

RUNNING = (EventStatus.PUBLISHED, EventStatus.CLOSED)
# (key suffix, how long before the start, label): a registration confirmed inside the window already knows.
REMINDERS = (("1d", timedelta(days=1), "明天"), ("1h", timedelta(hours=1), "1 小时后"))


def close_registrations(now: datetime) -> int:
    """Published events whose registration deadline has passed stop taking registrations (报名已截止)."""
    ids = db.session.scalars(
        sa.select(Event.id).where(Event.status == EventStatus.PUBLISHED, Event.registration_closes_at <= now)
    ).all()
    for event_id in ids:
        event = lock_event(event_id)
        if event.status == EventStatus.PUBLISHED:
            close_event_registration(event, None, "报名截止时间已到")
    return len(ids)


def promote_waitlists(now: datetime) -> int:
    """Catch anything missed: every running event not yet started with a waitlist fills its free seats."""
    ids = db.session.scalars(
        sa.select(Event.id)
        .where(Event.status.in_(RUNNING), Event.starts_at > now)
        .where(
            sa.exists().where(Registration.event_id == Event.id, Registration.status == RegistrationStatus.WAITLISTED)
        )
    ).all()
    return sum(len(promote_waitlist(lock_event(event_id))) for event_id in ids)


def send_reminders(now: datetime) -> int:
    """A day and an hour before the start, remind every confirmed registration's people (EVENT_REMINDER),
    once each: the key names the registration and the reminder, so a run every 5 minutes adds nothing."""
    sent = 0
    for suffix, before, when in REMINDERS:
        window = (
            sa.select(Registration)
            .join(Event, Registration.event_id == Event.id)
            .where(
                Event.status.in_(RUNNING),
                Event.starts_at > now,
                Event.starts_at <= now + before,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        for reg in db.session.scalars(window):
            event = reg.event
            due = event.starts_at - before
            if reg.confirmed_at is not None and reg.confirmed_at >= due:
                continue
            if suffix == "1d" and now >= event.starts_at - REMINDERS[1][1]:
                continue  # the hour-before reminder covers it
            sent += len(
                notify(
                    registrant_ids(reg),
                    NotificationKind.EVENT_REMINDER,
                    f"event_registration:{reg.id}:reminder:{suffix}",
                    f"活动提醒：{event.title} {when}开始",
                    _reminder_body(event),
                    f"/events/{event.id}",
                )
            )
    return sent


def _reminder_body(event: Event) -> str:
    place = event.venue or event.online_url or ""
    return f"开始时间：{local_time(event.starts_at)}（北京时间）" + (f"；地点：{place}" if place else "")
