"""Check-in fixtures: an event under way (today is an event day) and one attendee of a confirmed registration."""

from __future__ import annotations

import pytest

from tests.events.helpers import event_under_way
from tests.factories import RegistrationFactory


@pytest.fixture
def event(db):
    event = event_under_way()
    db.session.commit()
    return event


@pytest.fixture
def attendee(db, event):
    registration = RegistrationFactory(event=event)
    db.session.commit()
    return registration.attendees[0]
