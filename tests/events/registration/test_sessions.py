"""Sessions (分会场) with their own capacity: signing up, refusing a full one, giving places back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import ValidationFailed
from app.events.models import Registration
from app.events.registration.services import cancel_registration, register_for_event
from tests.events.helpers import booked_event, form_values, rows_of
from tests.events.registration.helpers import R, people, register
from tests.factories import EventFactory, UserFactory


def _limited_session(db, event, capacity: int):
    from app.events.models import EventSession

    session = EventSession(
        title="一对一洽谈",
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=2),
        capacity=capacity,
        taken=0,
    )
    event.sessions.append(session)
    db.session.flush()
    return session


def test_a_full_session_is_refused_with_a_message_and_nothing_is_saved(db):
    event = EventFactory(capacity=10)
    session = _limited_session(db, event, 2)
    register_for_event(event.id, UserFactory(), people(2), session_ids=[session.id])
    assert session.taken == 2 and event.seats_taken == 2
    db.session.commit()
    with pytest.raises(ValidationFailed, match="分会场“一对一洽谈”仅剩 0 个名额"):
        register_for_event(event.id, UserFactory(), people(1), session_ids=[session.id])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert register(event).status == R.CONFIRMED  # without the session, fine


def test_a_session_that_needs_no_sign_up_cannot_be_chosen(db):
    event = EventFactory()
    open_session = _limited_session(db, event, 5)
    open_session.capacity = None
    with pytest.raises(ValidationFailed, match="无需单独报名"):
        register_for_event(event.id, UserFactory(), people(1), session_ids=[open_session.id])


def test_cancelling_gives_session_places_back(db):
    event = EventFactory(capacity=10)
    session = _limited_session(db, event, 2)
    reg, _ = register_for_event(event.id, UserFactory(), people(2), session_ids=[session.id])
    cancel_registration(reg, reg.user)
    assert session.taken == 0 and event.seats_taken == 0


@pytest.mark.parametrize("choice", ["²", "abc", "-1", "99999999999"])
def test_a_session_choice_that_is_not_an_id_is_refused_with_a_message_and_changes_nothing(db, login, choice):
    reg = booked_event(db)
    before = rows_of(db, reg.event_id)
    data = form_values(login(reg.user).get(f"/events/registrations/{reg.id}/edit").text)
    resp = login(reg.user).post(f"/events/registrations/{reg.id}/edit", data=data | {"sessions": [choice]})
    assert resp.status_code == 422
    assert "所选分会场不存在或无需单独报名" in resp.text
    assert rows_of(db, reg.event_id) == before
