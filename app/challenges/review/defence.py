"""The optional 答辩: an item's review may add a defence session, run as a roadshow event of the issuer
(app/events, with its own judging if the issuer wants scores there). The item only keeps the link."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.challenges.items.models import ChallengeItem
from app.core.enums import EventStatus, EventType
from app.core.errors import FieldError
from app.core.models import record_change
from app.core.web import parse_id
from app.events.models import Event
from app.extensions import db


def defence_candidates(item: ChallengeItem) -> list[Event]:
    """The issuer's roadshows (hosted by the issuing organisation or organised by one of its members), not
    cancelled, latest first."""
    issuer_id = item.batch.issuer_org_id
    members = sa.select(User.id).where(User.org_id == issuer_id)
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(
                Event.event_type == EventType.ROADSHOW,
                Event.status != EventStatus.CANCELLED,
                sa.or_(Event.host_org_id == issuer_id, Event.organiser_id.in_(members)),
            )
            .order_by(Event.starts_at.desc())
        )
    )


def set_defence_event(item: ChallengeItem, event_text: str | None, actor) -> Event | None:
    """Link one of the issuer's roadshows as the 答辩 (blank unlinks)."""
    text = (event_text or "").strip()
    event = None
    if text:
        event_id = parse_id(text)
        event = next((e for e in defence_candidates(item) if e.id == event_id), None)
        if event is None:
            raise FieldError("event_id", "请从本单位的路演活动中选择答辩活动")
    before = item.defence_event_id
    item.defence_event_id = event.id if event else None
    db.session.flush()
    record_change("challenge_item_defence", item.id, before or "none", item.defence_event_id or "none", actor)
    return event


def defence_event(item: ChallengeItem) -> Event | None:
    return db.session.get(Event, item.defence_event_id) if item.defence_event_id else None
