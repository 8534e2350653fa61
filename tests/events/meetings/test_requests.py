"""Meeting requests: who may ask whom, once at a time, answering, the expiry job and the send page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import MeetingRequestStatus, NotificationKind
from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.events.meetings.models import MeetingRequest
from app.events.meetings.services import accept_meeting_request, decline_meeting_request, expire_meeting_requests
from app.extensions import db as database
from app.notifications.models import Notification
from tests.events.meetings.helpers import NOW, ask, docking_event, participant
from tests.factories import UserFactory


def test_request_to_own_organisation_is_refused(db):
    event = docking_event()
    me = participant(event)
    with pytest.raises(ValidationFailed, match="本机构"):
        ask(event, me, me)
    assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 0


def test_request_to_non_participant_is_not_found(db):
    event = docking_event()
    me = participant(event)
    with pytest.raises(NotFound):
        ask(event, me, UserFactory())


def test_duplicate_open_request_is_refused_in_either_direction(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    ask(event, a, b)
    with pytest.raises(InvalidTransition, match="重复"):
        ask(event, a, b)
    with pytest.raises(InvalidTransition, match="重复"):
        ask(event, b, a)
    assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 1


def test_declined_request_can_be_sent_again(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    decline_meeting_request(ask(event, a, b), b)
    assert ask(event, a, b).status == MeetingRequestStatus.PENDING


def test_request_notifies_the_recipient_organisation(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    colleague = UserFactory(org=b.org)
    ask(event, a, b)
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_REQUEST))
    assert sorted(n.user_id for n in rows) == sorted([b.id, colleague.id])


def test_overlong_message_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    with pytest.raises(ValidationFailed, match="500"):
        ask(event, a, b, "长" * 501)


def test_only_the_recipient_can_answer(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    assert login(a).post(f"/events/{event.id}/meetings/requests/{req.id}/accept").status_code == 404
    db.session.refresh(req)
    assert req.status == MeetingRequestStatus.PENDING


def test_expiry_job_run_twice_expires_once_and_notifies_the_sender_once(db):
    event = docking_event()  # answer deadline: 24 hours after sending
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    fresh = ask(event, participant(event), b)
    db.session.commit()
    fresh.created_at = fresh.expires_at = NOW + timedelta(hours=30)
    db.session.commit()

    later = NOW + timedelta(hours=25)
    with time_machine.travel(later.replace(tzinfo=UTC), tick=False):
        assert expire_meeting_requests(later) == 1
        db.session.commit()
        assert expire_meeting_requests(later) == 0
        db.session.commit()

    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.EXPIRED
    assert db.session.get(MeetingRequest, fresh.id).status == MeetingRequestStatus.PENDING
    expired = db.session.scalars(sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_EXPIRED))
    assert [n.user_id for n in expired] == [a.id]
    assert ask(event, a, b).status == MeetingRequestStatus.PENDING  # the pair may try again


def test_expired_request_cannot_be_accepted(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    later = (NOW + timedelta(hours=25)).replace(tzinfo=UTC)
    with time_machine.travel(later, tick=False), pytest.raises(InvalidTransition, match="答复期限"):
        accept_meeting_request(req, b)


def test_no_requests_once_the_event_is_over(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    after = datetime(2026, 12, 20, 11, 0, tzinfo=UTC)
    with time_machine.travel(after, tick=False), pytest.raises(InvalidTransition, match="活动已结束"):
        ask(event, a, b)


def test_decline_tells_the_sender(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    database.session.commit()
    login(b).post(f"/events/{event.id}/meetings/requests/{req.id}/decline")
    told = database.session.scalars(
        sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_DECLINED)
    )
    assert [n.user_id for n in told] == [a.id]
