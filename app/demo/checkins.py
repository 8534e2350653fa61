"""The check-in desk of the two events under way (the 对接会 and the 大赛 final, both opened yesterday): most
attendees were admitted at the door yesterday morning through the desk's service, a few never came, so the
desk, its counts and the no-show list have something real to show on the day."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.clock import local_date
from app.core.enums import EventType
from app.demo.dating import dated
from app.demo.events import confirmed, event_of, organiser
from app.demo.season import Days
from app.events.checkin.services import admit

UNDER_WAY = (EventType.DOCKING, EventType.COMPETITION)
NO_SHOW_EVERY = 4  # the last attendee of every fourth registration stayed away


def seed_checkins(now: datetime) -> dict[str, int]:
    """Admit the attendees of the events under way, a minute apart from 08:30 yesterday (Beijing)."""
    desk, days = organiser(), Days(local_date(now))
    admitted = 0
    for event_type in UNDER_WAY:
        event = event_of(event_type)
        when = days.at(-1, "08:30")
        for n, registration in enumerate(sorted(confirmed(event).values(), key=lambda r: r.id)):
            attendees = sorted(registration.attendees, key=lambda a: a.id)
            if n % NO_SHOW_EVERY == NO_SHOW_EVERY - 1:
                attendees = attendees[:-1]
            for attendee in attendees:
                with dated(when, now):
                    admit(event, attendee, desk, now=when)
                when += timedelta(minutes=1)
                admitted += 1
    return {"check_ins": admitted}
