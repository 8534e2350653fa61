"""Scheduled event work (declared in app/jobs.py). Each job flushes, never commits, and is idempotent.

The event's own jobs: close_registrations, promote_waitlists, send_reminders. The meetings feature's job
(expire_meeting_requests) is declared against app/events/meetings/services.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.enums import EventStatus, NotificationKind, RegistrationStatus
from app.core.mail import queue_mail, site_url
from app.core.web import local_time
from app.events.locking import lock_event
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
            if suffix == "1d" and now >= event.starts_at - REMINDERS[1][1]:
                continue  # the hour-before reminder covers it
            told = registrant_ids(reg)
            # The accounts heard of a confirmation inside the window already; e-mailed attendees did not.
            if reg.confirmed_at is None or reg.confirmed_at < event.starts_at - before:
                sent += len(
                    notify(
                        told,
                        NotificationKind.EVENT_REMINDER,
                        f"event_registration:{reg.id}:reminder:{suffix}",
                        f"活动提醒：{event.title} {when}开始",
                        _reminder_body(event),
                        f"/events/{event.id}",
                    )
                )
            sent += _mail_attendees(reg, set(told), suffix, when)
    return sent


def _reminder_body(event: Event) -> str:
    place = event.venue or event.online_url or ""
    return f"开始时间：{local_time(event.starts_at)}（北京时间）" + (f"；地点：{place}" if place else "")


def _mail_attendees(reg: Registration, told: set[int], suffix: str, when: str) -> int:
    """The reminder by e-mail to each attendee who gave an address and is not among the accounts just
    notified, with the attendee's own 签到码 (the desk takes it typed when no QR code is at hand).
    Keyed per attendee and reminder: queued once however often the job runs."""
    event, queued = reg.event, 0
    sender = f"本邮件由联桥平台代报名单位（{reg.org.name}）发送。" if reg.org else "本邮件由联桥平台发送。"
    for attendee in reg.attendees:
        if not attendee.email or attendee.user_id in told:
            continue
        body = (
            f"{attendee.name}，您好：\n\n您报名参加的活动「{event.title}」将于{when}开始。\n"
            f"{_reminder_body(event)}\n"
            f"您的签到码：{attendee.short_code}（入场时出示电子票二维码，或向签到台报出此码）。\n\n"
            f"活动详情：{site_url(f'/events/{event.id}')}\n{sender}"
        )
        key = f"event_attendee:{attendee.id}:reminder:{suffix}"
        if queue_mail(attendee.email, f"活动提醒：{event.title} {when}开始", body, key=key) is not None:
            queued += 1
    return queued
