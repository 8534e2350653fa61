"""Editing and cancelling a registration, and the waitlist moving up when seats come free."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from app.core.enums import NotificationKind
from app.core.errors import DomainError, ValidationFailed
from app.events.models import Event
from app.events.registration.services import AttendeeInput, cancel_registration, update_registration
from app.events.services import set_capacity
from tests.events.registration.helpers import R, kinds_for, people, register
from tests.factories import EventFactory


def test_adding_attendees_needs_free_seats_and_otherwise_changes_nothing(db):
    event = EventFactory(capacity=3)
    reg = register(event, n=2)
    db.session.commit()
    with pytest.raises(DomainError, match="名额不足"):
        update_registration(reg, reg.user, people(4))
    db.session.rollback()
    assert reg.seats == 2 and len(reg.attendees) == 2 and db.session.get(Event, event.id).seats_taken == 2
    update_registration(reg, reg.user, people(3))
    assert reg.seats == 3 and event.seats_taken == 3


def test_editing_keeps_the_tickets_of_attendees_kept(db):
    event = EventFactory()
    reg = register(event, n=2)
    kept = reg.attendees[0]
    token = kept.ticket_token
    update_registration(reg, reg.user, [AttendeeInput("改名", "13900001111", "总监", kept.id)])
    assert [a.ticket_token for a in reg.attendees] == [token] and reg.attendees[0].name == "改名"


def test_registration_can_be_edited_until_registration_closes(db):
    closes = datetime(2026, 12, 20, 10, 0)
    with time_machine.travel(closes - timedelta(days=5), tick=False):
        event = EventFactory(registration_closes_at=closes, starts_at=closes + timedelta(days=2))
        reg = register(event)
        update_registration(reg, reg.user, people(2))
        assert reg.seats == 2
    with time_machine.travel(closes + timedelta(minutes=1), tick=False), pytest.raises(DomainError, match="报名已截止"):
        update_registration(reg, reg.user, people(1))


def test_removing_attendees_frees_seats_for_the_waitlist(db):
    event = EventFactory(capacity=3)
    big = register(event, n=3)
    waiting = register(event)
    update_registration(big, big.user, people(2))
    assert waiting.status == R.CONFIRMED
    assert event.seats_taken == 3


def test_cancelling_frees_the_seat_and_promotes_the_first_waitlisted(db):
    event = EventFactory(capacity=1)
    first = register(event)
    second, third = register(event), register(event)
    cancel_registration(first, first.user)
    assert first.status == R.CANCELLED and first.cancelled_at is not None
    assert (second.status, third.status) == (R.CONFIRMED, R.WAITLISTED)
    assert event.seats_taken == 1
    assert NotificationKind.EVENT_PROMOTED in kinds_for(db, second.user_id)


def test_a_smaller_group_behind_a_big_one_is_promoted_when_the_big_one_does_not_fit(db):
    event = EventFactory(capacity=3)
    holder = register(event, n=2)
    register(event, n=1)
    big = register(event, n=3)
    small = register(event, n=2)
    cancel_registration(holder, holder.user)  # 2 seats free: the group of 3 does not fit, the 2 behind does
    assert (big.status, small.status) == (R.WAITLISTED, R.CONFIRMED)
    assert event.seats_taken == 3


def test_raising_capacity_promotes_in_queue_order(db):
    event = EventFactory(capacity=1)
    register(event)
    a, b, c = register(event), register(event), register(event)
    promoted = set_capacity(event, event.organiser, 3)
    assert promoted == [a, b] and c.status == R.WAITLISTED and event.seats_taken == 3


def test_capacity_cannot_drop_below_confirmed_seats(db):
    event = EventFactory(capacity=5)
    register(event, n=3)
    with pytest.raises(ValidationFailed, match="不能少于"):
        set_capacity(event, event.organiser, 2)
    with pytest.raises(ValidationFailed, match="0 到 100000"):
        set_capacity(event, event.organiser, -1)


def test_cancelling_after_the_start_is_refused(db):
    start = datetime(2026, 12, 20, 1, 0)
    with time_machine.travel(start - timedelta(days=3), tick=False):
        event = EventFactory(starts_at=start, registration_closes_at=start - timedelta(days=1))
        reg = register(event)
    with time_machine.travel(start + timedelta(minutes=5), tick=False), pytest.raises(DomainError, match="已开始"):
        cancel_registration(reg, reg.user)
