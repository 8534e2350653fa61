"""Booking an accepted request: the earliest free slot and table, blocked slots, and never a double booking."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

import app.events.meetings.booking as booking
from app.core.enums import MeetingRequestStatus, NotificationKind
from app.core.errors import DomainError, InvalidTransition
from app.events.meetings.booking import NoFreeSlot
from app.events.meetings.models import Meeting, MeetingRequest, MeetingSlot
from app.events.meetings.services import accept_meeting_request, block_slot, decline_meeting_request
from app.extensions import db as database
from app.notifications.models import Notification
from tests.events.meetings.helpers import DAY, T14, ask, booked, docking_event, participant


def test_accept_assigns_earliest_free_slot_and_first_table_and_notifies_both(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    assert booked(meeting) == (T14, "1")
    assert meeting.request.status == MeetingRequestStatus.ACCEPTED
    told = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == NotificationKind.MEETING_ACCEPTED)
    )
    assert sorted(told) == sorted([a.id, b.id])


def test_second_meeting_at_same_time_takes_the_next_table(db):
    event = docking_event(tables="A区、B区")
    a, b, c, d = (participant(event) for _ in range(4))
    accept_meeting_request(ask(event, a, b), b)
    assert booked(accept_meeting_request(ask(event, c, d), d)) == (T14, "B区")


def test_party_with_a_meeting_at_1400_gets_1420(db):
    event = docking_event(tables="5")
    a, b, c = (participant(event) for _ in range(3))
    accept_meeting_request(ask(event, a, b), b)
    assert booked(accept_meeting_request(ask(event, c, a), a)) == (T14 + timedelta(minutes=20), "1")


def test_table_exhaustion_moves_to_the_next_slot(db):
    event = docking_event(tables="1")
    a, b, c, d = (participant(event) for _ in range(4))
    accept_meeting_request(ask(event, a, b), b)
    assert booked(accept_meeting_request(ask(event, c, d), d)) == (T14 + timedelta(minutes=20), "1")


def test_blocked_slots_are_skipped(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    slots = db.session.scalars(sa.select(MeetingSlot).order_by(MeetingSlot.starts_at)).all()
    block_slot(event, a, slots[0].id)
    block_slot(event, b, slots[1].id)
    assert booked(accept_meeting_request(ask(event, a, b), b)) == (T14 + timedelta(minutes=40), "1")


def test_slot_with_a_meeting_cannot_be_blocked(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    with pytest.raises(InvalidTransition, match="已被占用"):
        block_slot(event, a, meeting.slot_id)


def test_no_free_slot_gives_a_clear_message_and_the_request_stays_pending(db, login):
    event = docking_event(windows=f"{DAY} 14:00-14:20")
    a, b, c = (participant(event) for _ in range(3))
    accept_meeting_request(ask(event, a, b), b)
    req = ask(event, c, a)
    db.session.commit()
    resp = login(a).post(f"/events/{event.id}/meetings/requests/{req.id}/accept", follow_redirects=True)
    assert "没有共同的空闲时段" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def test_accept_without_meeting_settings_is_refused_and_stays_pending(db):
    event = docking_event(tables="")
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    with pytest.raises(NoFreeSlot):
        accept_meeting_request(req, b)
    db.session.rollback()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.PENDING


def test_answering_twice_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    accept_meeting_request(req, b)
    with pytest.raises(InvalidTransition, match="已处理"):
        decline_meeting_request(req, b)


def test_a_booking_refused_by_the_database_retries_the_next_free_pair(db, monkeypatch):
    """What a lost race looks like: the free-slot read is stale, the unique index refuses the pair, the
    savepoint is rolled back and the next pair is booked in the same transaction."""
    event = docking_event()
    a, b, c, d = (participant(event) for _ in range(4))
    first = accept_meeting_request(ask(event, a, b), b)
    taken = (first.slot_id, first.table_id)
    real = booking._first_free

    def stale_once(req, candidates, tried):
        return taken if not tried else real(req, candidates, tried)

    monkeypatch.setattr(booking, "_first_free", stale_once)
    assert booked(accept_meeting_request(ask(event, c, d), d)) == (T14, "2")
    assert database.session.scalar(sa.select(sa.func.count(Meeting.id))) == 2


def _accept_in_thread(app, request_id: int, user_id: int, barrier, outcomes: list) -> None:
    from app.auth.models import User
    from app.extensions import db as _db

    with app.app_context():
        req, user = _db.session.get(MeetingRequest, request_id), _db.session.get(User, user_id)
        barrier.wait()
        try:
            accept_meeting_request(req, user)
            _db.session.commit()
            outcomes.append("ok")
        except DomainError as err:
            _db.session.rollback()
            outcomes.append(err.code)
        finally:
            _db.session.remove()


def _race(app, pairs) -> list[str]:
    barrier, outcomes = threading.Barrier(len(pairs)), []
    threads = [threading.Thread(target=_accept_in_thread, args=(app, r, u, barrier, outcomes)) for r, u in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_concurrent_accepts_never_double_book_a_table(app, db):
    event = docking_event(tables="1", windows=f"{DAY} 14:00-15:00")  # 3 slots, 1 table
    people = [participant(event) for _ in range(8)]
    pairs = [(ask(event, people[i], people[i + 1]).id, people[i + 1].id) for i in range(0, 8, 2)]
    db.session.commit()

    assert _race(app, pairs) == ["no_free_slot", "ok", "ok", "ok"]
    db.session.expire_all()
    cells = db.session.execute(sa.select(Meeting.slot_id, Meeting.table_id)).all()
    assert len(cells) == 3 and len(set(cells)) == 3


def test_concurrent_accepts_never_double_book_a_party(app, db):
    event = docking_event(tables="5", windows=f"{DAY} 14:00-14:40")  # 2 slots, plenty of tables
    host, *guests = (participant(event) for _ in range(4))
    pairs = [(ask(event, guest, host).id, host.id) for guest in guests]
    db.session.commit()

    assert _race(app, pairs) == ["no_free_slot", "ok", "ok"]
    db.session.expire_all()
    slots = db.session.scalars(sa.select(Meeting.slot_id)).all()
    assert len(slots) == 2 and len(set(slots)) == 2
