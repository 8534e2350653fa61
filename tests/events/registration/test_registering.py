"""Registering: who may, seats or waitlist, one live registration per organisation, attendees and tickets."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.enums import NotificationKind, OrgType, TicketType, VerificationStatus
from app.core.errors import DomainError, ValidationFailed
from app.events.models import Registration, TicketCategory
from app.events.registration.services import AlreadyRegistered, AttendeeInput, cancel_registration, register_for_event
from tests.events.registration.helpers import R, kinds_for, people, register
from tests.factories import EventFactory, OrgFactory, UserFactory


def test_registration_with_seats_left_is_confirmed_and_takes_seats(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    reg = register(event, user, n=2)
    assert reg.status == R.CONFIRMED and reg.seats == 2 and event.seats_taken == 2
    assert len(reg.attendees) == 2 and all(a.ticket_token and a.short_code for a in reg.attendees)
    assert kinds_for(db, user.id) == [NotificationKind.EVENT_CONFIRMED]


def test_registration_when_full_is_waitlisted_and_told_so(db):
    event = EventFactory(capacity=1)
    register(event)
    user = UserFactory()
    reg = register(event, user)
    assert reg.status == R.WAITLISTED and event.seats_taken == 1
    assert kinds_for(db, user.id) == [NotificationKind.EVENT_WAITLISTED]


def test_only_organisations_in_the_audience_may_register(db):
    event = EventFactory(audience=[OrgType.UNIVERSITY.value])
    sme = UserFactory(org=OrgFactory(org_type=OrgType.SME))
    with pytest.raises(DomainError, match="不在报名范围"):
        register(event, sme)
    university = UserFactory(org=OrgFactory(org_type=OrgType.UNIVERSITY))
    assert register(event, university).status == R.CONFIRMED


def test_only_verified_organisations_may_register(db):
    event = EventFactory()
    pending = UserFactory(org=OrgFactory(verification=VerificationStatus.PENDING))
    with pytest.raises(DomainError, match="尚未通过平台认证"):
        register(event, pending)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_user_without_an_organisation_cannot_register(db):
    with pytest.raises(DomainError, match="以机构名义"):
        register(EventFactory(), UserFactory(org=None))


def test_registration_is_refused_before_it_opens_after_it_closes_and_for_drafts(db):
    now = datetime(2026, 12, 4, 8, 0)
    not_yet = EventFactory(registration_opens_at=now + timedelta(days=1))
    closed = EventFactory(registration_closes_at=now - timedelta(minutes=1), starts_at=now + timedelta(days=2))
    draft = EventFactory(status="draft")
    for event, message in ((not_yet, "报名尚未开始"), (closed, "报名已截止"), (draft, "活动尚未发布")):
        with pytest.raises(DomainError, match=message):
            register_for_event(event.id, UserFactory(), people(1), now=now)


def test_one_live_registration_per_organisation(db):
    event = EventFactory()
    org = OrgFactory()
    first = register(event, UserFactory(org=org))
    with pytest.raises(AlreadyRegistered) as caught:
        register(event, UserFactory(org=org))
    assert caught.value.registration == first
    cancel_registration(first, first.user)
    assert register(event, UserFactory(org=org)).status == R.CONFIRMED  # after cancelling, again


def test_double_submit_with_the_same_form_token_creates_one_registration(db):
    event = EventFactory()
    user = UserFactory()
    first, created = register_for_event(event.id, user, people(2), form_token="tok-1")
    again, created_again = register_for_event(event.id, user, people(2), form_token="tok-1")
    assert created and not created_again and again.id == first.id
    assert event.seats_taken == 2


def test_attendees_need_a_name_and_a_valid_phone(db):
    event = EventFactory()
    with pytest.raises(ValidationFailed, match="联系电话格式不正确"):
        register_for_event(event.id, UserFactory(), [AttendeeInput("张三", "12345")])
    with pytest.raises(ValidationFailed, match="请填写姓名"):
        register_for_event(event.id, UserFactory(), [AttendeeInput("", "13912345678")])
    with pytest.raises(ValidationFailed, match="至少填写一位"):
        register_for_event(event.id, UserFactory(), [AttendeeInput("", "")])
    assert event.seats_taken == 0


def test_ticket_category_quota_is_respected(db):
    event = EventFactory(capacity=10)
    media = TicketCategory(event=event, ticket_type=TicketType.MEDIA, quota=1, taken=0)
    db.session.add(media)
    db.session.flush()
    assert register(event, ticket_category_id=media.id).status == R.CONFIRMED
    assert register(event, ticket_category_id=media.id).status == R.WAITLISTED
    assert media.taken == 1 and event.seats_taken == 1


def test_a_ticket_category_of_another_event_is_refused(db):
    other = TicketCategory(event=EventFactory(), ticket_type=TicketType.VISITOR, taken=0)
    db.session.add(other)
    db.session.flush()
    with pytest.raises(ValidationFailed, match="票种不存在"):
        register(EventFactory(), ticket_category_id=other.id)
