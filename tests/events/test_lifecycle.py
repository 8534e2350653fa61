"""An event's lifecycle: publish, close, reopen, finish, cancel, and the close_registrations job."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import EventStatus, NotificationKind, RegistrationStatus
from app.core.errors import DomainError, InvalidTransition, ValidationFailed
from app.core.models import history_for
from app.events.jobs import close_registrations
from app.events.services import (
    cancel_event,
    close_event_registration,
    finish_event,
    publish_event,
    reopen_event_registration,
)
from app.notifications.models import Notification
from tests.factories import EventFactory, RegistrationFactory

S = EventStatus


def test_lifecycle_draft_published_closed_reopened_finished(db):
    event = EventFactory(status=S.DRAFT)
    actor = event.organiser
    publish_event(event, actor)
    assert event.status == S.PUBLISHED and event.published_at is not None
    close_event_registration(event, actor)
    assert event.status == S.CLOSED
    reopen_event_registration(event, actor)
    assert event.status == S.PUBLISHED
    with pytest.raises(DomainError, match="尚未开始"):
        finish_event(event, actor)
    finish_event(event, actor, now=event.starts_at + timedelta(hours=1))
    assert event.status == S.FINISHED
    with pytest.raises(InvalidTransition, match="不能取消"):
        cancel_event(event, actor, "天气原因")
    assert [h.to_status for h in history_for("event", event.id)] == ["published", "closed", "published", "finished"]


def test_a_draft_whose_start_has_passed_cannot_be_published(db):
    event = EventFactory(status=S.DRAFT)
    with pytest.raises(DomainError, match="开始时间已过"):
        publish_event(event, event.organiser, now=event.starts_at + timedelta(minutes=1))
    assert event.status == S.DRAFT


def test_reopening_after_the_registration_deadline_is_refused(db):
    event = EventFactory(status=S.CLOSED)
    with pytest.raises(DomainError, match="报名截止时间已过"):
        reopen_event_registration(event, event.organiser, now=event.registration_closes_at + timedelta(minutes=1))


def test_cancelling_an_event_needs_a_reason_and_notifies_every_live_registrant(db):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    waitlisted = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    gone = RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    with pytest.raises(ValidationFailed, match="请填写取消原因"):
        cancel_event(event, event.organiser, "")
    assert cancel_event(event, event.organiser, "因暴雪延期举办") == 2
    assert event.status == S.CANCELLED and event.cancel_reason == "因暴雪延期举办"
    told = set(
        db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == NotificationKind.EVENT_CANCELLED))
    )
    assert told == {confirmed.user_id, waitlisted.user_id} and gone.user_id not in told
    assert history_for("event", event.id)[-1].reason == "因暴雪延期举办"


def test_close_registrations_job_closes_events_past_their_deadline_once(db):
    deadline = datetime(2026, 12, 10, 10, 0)
    with time_machine.travel(deadline - timedelta(days=3), tick=False):
        due = EventFactory(registration_closes_at=deadline, starts_at=deadline + timedelta(days=2))
        later = EventFactory(
            registration_closes_at=deadline + timedelta(days=1), starts_at=deadline + timedelta(days=2)
        )
        db.session.commit()
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert close_registrations(deadline - timedelta(minutes=1)) == 0
    for _ in range(2):
        with time_machine.travel(deadline + timedelta(minutes=2), tick=False):
            close_registrations(deadline + timedelta(minutes=2))
            db.session.commit()
    assert (due.status, later.status) == (S.CLOSED, S.PUBLISHED)
    assert [h.to_status for h in history_for("event", due.id)] == ["closed"]
