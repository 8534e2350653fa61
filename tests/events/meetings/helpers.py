"""Meeting tests' shared pieces: the clock, a docking event with its meeting settings, participants,
requests, bookings and Match rows."""

from __future__ import annotations

from datetime import datetime

from app.core.enums import EventType
from app.events.meetings.models import Meeting
from app.events.meetings.services import send_meeting_request
from app.events.meetings.setup import save_meeting_settings
from app.extensions import db as database
from app.matching.models import Match
from tests.factories import EventFactory, RegistrationFactory

NOW = datetime(2026, 12, 4, 2, 0)  # 10:00 Beijing
DAY = "2026-12-20"


# The event: 2026-12-20 08:00–18:00 Beijing (00:00–10:00 UTC). 14:00 Beijing = 06:00 UTC.
T14 = datetime(2026, 12, 20, 6, 0)


def docking_event(tables: str = "2", windows: str = f"{DAY} 14:00-15:00", minutes: int = 20, **kw):
    event = EventFactory(
        event_type=EventType.DOCKING,
        starts_at=datetime(2026, 12, 20, 0, 0),
        ends_at=datetime(2026, 12, 20, 10, 0),
        **kw,
    )
    if tables:
        save_meeting_settings(event, minutes, 24, tables, windows)
    return event


def participant(event, **org):
    """A user of a newly registered (confirmed) organisation."""
    reg = RegistrationFactory(event=event, **({"org__" + k: v for k, v in org.items()}))
    return reg.user


def ask(event, sender, recipient, message="希望洽谈合作"):
    return send_meeting_request(event, sender, recipient.org_id, message)


def booked(meeting: Meeting) -> tuple[datetime, str]:
    return meeting.slot.starts_at, meeting.table.name


def match(source, target, score=0.8, term="永磁"):
    reasons = {"terms": [{"term": term, "source_term": term, "fields": ["title"]}], "signals": [], "cautions": []}
    m = Match(source_id=source.id, target_id=target.id, target_kind=target.kind, rank=1, score=score, reasons=reasons)
    database.session.add(m)
    database.session.flush()
    return m
