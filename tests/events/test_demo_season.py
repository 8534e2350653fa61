"""The demo season: six events with registrations made through the real services, whenever it is loaded."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from app.core.enums import EventStatus, EventType, RegistrationStatus
from app.events.models import Event

S = EventStatus


def test_demo_seed_adds_the_six_season_events_with_registrations(db):
    from app.demo.services import seed_demo

    with time_machine.travel(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), tick=False):
        counts = seed_demo()
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    assert counts["events"] == 6 and {e.event_type for e in events} == set(EventType)
    assert all(e.status == S.PUBLISHED for e in events)
    assert counts["event_registrations"] >= 20
    for event in events:
        confirmed = [r for r in event.registrations if r.status == RegistrationStatus.CONFIRMED]
        assert event.seats_taken == sum(r.seats for r in confirmed)


def test_a_demo_loaded_months_later_still_has_its_season_ahead_and_open(db):
    from app.demo.services import seed_demo

    later = datetime(2027, 8, 3, 2, 0, tzinfo=UTC)  # after every date written into the demo season
    with time_machine.travel(later, tick=False):
        counts = seed_demo()
    events = db.session.scalars(sa.select(Event)).all()
    assert counts["events"] == 6 and all(e.status == S.PUBLISHED for e in events)
    assert all(e.starts_at > later.replace(tzinfo=None) for e in events)
    assert counts["event_registrations"] >= 20
