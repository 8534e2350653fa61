"""Check-in fixtures: an event and one attendee of a confirmed registration."""

from __future__ import annotations

import pytest

from tests.factories import EventFactory, RegistrationFactory


@pytest.fixture
def event(db):
    event = EventFactory()
    db.session.commit()
    return event


@pytest.fixture
def attendee(db, event):
    registration = RegistrationFactory(event=event)
    db.session.commit()
    return registration.attendees[0]
