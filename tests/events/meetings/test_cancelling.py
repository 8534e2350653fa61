"""Withdrawing a request and cancelling a booked meeting: who may, until when, and who is told."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import MeetingRequestStatus, NotificationKind
from app.core.errors import InvalidTransition, ValidationFailed
from app.core.models import StatusChange
from app.events.meetings.booking import NoFreeSlot
from app.events.meetings.models import Meeting, MeetingHold, MeetingRequest
from app.events.meetings.services import accept_meeting_request, cancel_meeting, withdraw_meeting_request
from app.extensions import db as database
from app.notifications.models import Notification
from tests.events.meetings.helpers import DAY, T14, ask, booked, docking_event, participant


def cancellations() -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_CANCELLED)
    return list(database.session.scalars(stmt))


def test_sender_can_withdraw_a_pending_request_and_ask_again(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    login(a).post(f"/events/{event.id}/meetings/requests/{req.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.WITHDRAWN
    assert ask(event, b, a).status == MeetingRequestStatus.PENDING


def test_hub_offers_withdraw_only_on_own_pending_requests(db, login):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    pending, answered = ask(event, a, b), ask(event, a, c)
    accept_meeting_request(answered, c)
    db.session.commit()
    page = login(a).get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert f"/requests/{pending.id}/withdraw" in page and f"/requests/{answered.id}/withdraw" not in page
    assert "/withdraw" not in login(b).get(f"/events/{event.id}/meetings").get_data(as_text=True)


def test_only_the_sender_can_withdraw(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    assert login(b).post(f"/events/{event.id}/meetings/requests/{req.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.PENDING


def test_an_answered_request_cannot_be_withdrawn(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    accept_meeting_request(req, b)
    with pytest.raises(InvalidTransition, match="无法撤回"):
        withdraw_meeting_request(req, a)
    assert req.status == MeetingRequestStatus.ACCEPTED


def test_a_withdrawn_request_cannot_be_accepted(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    withdraw_meeting_request(req, a)
    with pytest.raises(InvalidTransition, match="已处理"):
        accept_meeting_request(req, b)
    assert database.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


@pytest.mark.parametrize("side", ["sender", "recipient"])
def test_either_party_can_cancel_and_the_other_side_is_told_the_reason(db, login, side):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    canceller, other = (a, b) if side == "sender" else (b, a)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/cancel"
    page = login(canceller).post(url, data={"reason": "临时出差"}, follow_redirects=True).get_data(as_text=True)
    assert "洽谈已取消" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id) is None
    told = cancellations()
    assert [n.user_id for n in told] == [other.id] and "临时出差" in told[0].body
    change = db.session.scalars(sa.select(StatusChange).where(StatusChange.to_status == "cancelled")).one()
    assert change.actor_id == canceller.id and change.reason == "临时出差"


def test_cancelling_frees_both_parties_slots_and_the_pair_may_ask_again(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    cancel_meeting(meeting, a)
    assert database.session.scalar(sa.select(sa.func.count(MeetingHold.id))) == 0
    assert "对方未填写原因" in cancellations()[0].body
    assert booked(accept_meeting_request(ask(event, b, a), a)) == (T14, "1")


def test_a_cancelled_meetings_slot_can_be_booked_by_another_accepted_request(db):
    event = docking_event(tables="1", windows=f"{DAY} 14:00-14:20")  # one slot, one table
    a, b, c, d = (participant(event) for _ in range(4))
    meeting = accept_meeting_request(ask(event, a, b), b)
    waiting = ask(event, c, d)
    database.session.commit()
    with pytest.raises(NoFreeSlot):
        accept_meeting_request(waiting, d)
    database.session.rollback()
    cancel_meeting(meeting, b, "另有安排")
    assert booked(accept_meeting_request(waiting, d)) == (T14, "1")
    assert database.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def test_cannot_cancel_after_the_slot_started(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/cancel"
    with time_machine.travel((T14 + timedelta(minutes=1)).replace(tzinfo=UTC), tick=False):
        page = login(a).post(url, follow_redirects=True).get_data(as_text=True)
    assert "不能再取消" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id) is not None
    assert db.session.get(MeetingRequest, meeting.request_id).status == MeetingRequestStatus.ACCEPTED
    assert cancellations() == []


def test_agenda_offers_cancel_only_before_the_slot_starts(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    cancel_url = f"/meetings/{meeting.id}/cancel"
    assert cancel_url in login(b).get(f"/events/{event.id}/meetings/agenda").get_data(as_text=True)
    with time_machine.travel((T14 + timedelta(minutes=5)).replace(tzinfo=UTC), tick=False):
        assert cancel_url not in login(b).get(f"/events/{event.id}/meetings/agenda").get_data(as_text=True)


def test_only_the_two_parties_can_cancel(db, login):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/cancel"
    assert login(c).post(url).status_code == 404
    assert login(event.organiser).post(url).status_code == 404
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id) is not None


def test_cancelling_twice_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    cancel_meeting(meeting, a)
    with pytest.raises(InvalidTransition, match="已取消"):
        cancel_meeting(meeting, b)  # the other side, from a page read before the first cancel
    assert len(cancellations()) == 1


def test_overlong_cancel_reason_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    with pytest.raises(ValidationFailed, match="500"):
        cancel_meeting(meeting, a, "长" * 501)
    assert database.session.get(Meeting, meeting.id) is not None
