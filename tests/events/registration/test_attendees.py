"""Attendees' e-mail addresses: checked, and linked to a colleague's account when they match one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.enums import NotificationKind
from app.core.errors import ValidationFailed
from app.events.models import Registration
from app.events.registration.services import AttendeeInput, register_for_event, update_registration
from tests.events.registration.helpers import kinds_for
from tests.factories import EventFactory, UserFactory


def test_a_malformed_attendee_e_mail_is_refused_and_nothing_is_saved(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    with pytest.raises(ValidationFailed) as refused:
        register_for_event(event.id, user, [AttendeeInput("王工", "13912340001", "", email="wang@")])
    assert "第 1 位参会人（王工）：电子邮箱格式不正确" in str(refused.value.errors)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_an_attendee_given_a_colleagues_e_mail_is_linked_to_that_account(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    colleague = UserFactory(org=user.org, email="Colleague@Example.cn")
    outsider = UserFactory(email="outsider@example.cn")  # another organisation: never linked
    reg, _ = register_for_event(
        event.id,
        user,
        [
            AttendeeInput(user.name, "13912340000"),
            AttendeeInput("同事", "13912340001", email="colleague@example.cn"),
            AttendeeInput("外人", "13912340002", email="outsider@example.cn"),
        ],
    )
    assert [a.user_id for a in reg.attendees] == [user.id, colleague.id, None]
    assert set(kinds_for(db, colleague.id)) == {NotificationKind.EVENT_CONFIRMED}
    assert kinds_for(db, outsider.id) == []


def test_changing_an_attendees_e_mail_moves_the_link_to_what_is_written_now(db):
    event = EventFactory(capacity=5)
    user = UserFactory()
    colleague = UserFactory(org=user.org, email="colleague@example.cn")
    reg, _ = register_for_event(
        event.id,
        user,
        [AttendeeInput(user.name, "13912340000"), AttendeeInput("同事", "13912340001", email=colleague.email)],
    )
    me, them = reg.attendees
    assert them.user_id == colleague.id
    update_registration(
        reg,
        user,
        [
            AttendeeInput(user.name, "13912340000", id=me.id),
            AttendeeInput("同事", "13912340001", id=them.id, email="someone@else.cn"),
        ],
    )
    assert (me.user_id, them.user_id, them.email) == (user.id, None, "someone@else.cn")
