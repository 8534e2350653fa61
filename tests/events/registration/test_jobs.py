"""The registration jobs: the waitlist filling free seats and the reminders a day and an hour before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from app.core.mail import MailOutbox
from app.events.jobs import promote_waitlists, send_reminders
from app.events.models import Event
from app.events.registration.services import AttendeeInput, register_for_event
from app.notifications.models import Notification
from tests.events.registration.helpers import R, register
from tests.factories import EventFactory, UserFactory


def test_promote_waitlists_job_fills_free_seats_once(db):
    event = EventFactory(capacity=1)
    register(event)
    waiting = register(event)
    event.capacity = 2  # changed behind the services' back: the job catches it
    db.session.commit()
    assert promote_waitlists(datetime.now(UTC).replace(tzinfo=None)) == 1
    db.session.commit()
    assert promote_waitlists(datetime.now(UTC).replace(tzinfo=None)) == 0
    db.session.expire_all()
    assert waiting.status == R.CONFIRMED and db.session.get(Event, event.id).seats_taken == 2


START = datetime(2026, 12, 20, 1, 0)  # 09:00 Beijing


def _reminder_keys(db) -> list[str]:
    return sorted(db.session.scalars(sa.select(Notification.key).where(Notification.kind == "event_reminder")))


def test_reminders_go_a_day_and_an_hour_before_once_each(db):
    with time_machine.travel(START - timedelta(days=5), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=START - timedelta(hours=2))
        reg = register(event)
        db.session.commit()
    for moment, expected in (
        (START - timedelta(days=1, minutes=5), []),
        (START - timedelta(hours=23, minutes=58), [f"event_registration:{reg.id}:reminder:1d"]),
        (START - timedelta(hours=23, minutes=53), [f"event_registration:{reg.id}:reminder:1d"]),
        (
            START - timedelta(minutes=58),
            [f"event_registration:{reg.id}:reminder:1d", f"event_registration:{reg.id}:reminder:1h"],
        ),
        (
            START - timedelta(minutes=53),
            [f"event_registration:{reg.id}:reminder:1d", f"event_registration:{reg.id}:reminder:1h"],
        ),
    ):
        with time_machine.travel(moment, tick=False):
            send_reminders(moment)
            db.session.commit()
        assert _reminder_keys(db) == expected, moment


def test_no_day_before_reminder_for_a_registration_made_within_the_last_day(db):
    with time_machine.travel(START - timedelta(hours=10), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=None)
        reg = register(event)
        assert send_reminders(START - timedelta(hours=10)) == 0
    moment = START - timedelta(minutes=30)
    send_reminders(moment)
    assert _reminder_keys(db) == [f"event_registration:{reg.id}:reminder:1h"]


def test_reminders_skip_waitlisted_and_cancelled_events(db):
    with time_machine.travel(START - timedelta(days=5), tick=False):
        full = EventFactory(starts_at=START, capacity=1)
        register(full)
        register(full)  # waitlisted
        cancelled = EventFactory(starts_at=START)
        register(cancelled)
        cancelled.status = "cancelled"
    assert send_reminders(START - timedelta(hours=12)) == 1


def test_attendees_with_an_e_mail_and_no_account_get_the_reminders_with_their_own_code(db):
    with time_machine.travel(START - timedelta(days=5), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=None)
        user = UserFactory()
        me = AttendeeInput(user.name, "13912340000", "经理", email="me@example.cn")
        guest = AttendeeInput("王工", "13912340001", "工程师", email="wang@example.cn")
        quiet = AttendeeInput("李工", "13912340002", "工程师")
        reg, _ = register_for_event(event.id, user, [me, guest, quiet])
        db.session.commit()
    for moment in (START - timedelta(hours=23), START - timedelta(hours=22), START - timedelta(minutes=50)):
        with time_machine.travel(moment, tick=False):
            send_reminders(moment)
            db.session.commit()
    mails = db.session.scalars(sa.select(MailOutbox).order_by(MailOutbox.id)).all()
    wang = next(a for a in reg.attendees if a.name == "王工")
    assert [(m.to, m.key) for m in mails] == [
        ("wang@example.cn", f"event_attendee:{wang.id}:reminder:1d"),
        ("wang@example.cn", f"event_attendee:{wang.id}:reminder:1h"),
    ]  # the registrant hears through the notification; 李工 gave no address; once per reminder
    assert f"您的签到码：{wang.short_code}" in mails[0].body and event.title in mails[0].subject


def test_an_attendee_registered_inside_the_last_hour_still_gets_the_mail_with_the_code(db):
    with time_machine.travel(START - timedelta(minutes=40), tick=False):
        event = EventFactory(starts_at=START, registration_closes_at=None)
        user = UserFactory()
        reg, _ = register_for_event(
            event.id,
            user,
            [AttendeeInput(user.name, "13912340000"), AttendeeInput("王工", "13912340001", email="w@x.cn")],
        )
        db.session.commit()
        send_reminders(START - timedelta(minutes=40))
        db.session.commit()
    assert _reminder_keys(db) == []  # the registrant was told on confirmation a moment ago
    mails = db.session.scalars(sa.select(MailOutbox)).all()
    assert [m.to for m in mails] == ["w@x.cn"] and reg.attendees[1].short_code in mails[0].body
