"""Judging tests' shared pieces: a roadshow with its rubric, a panel of judges, a line-up and scores."""

from __future__ import annotations

from datetime import datetime

from app.core.enums import EventType
from app.events.judging.scores import save_scores
from app.events.judging.services import CriterionInput, add_presenter, assign_judge, criteria, save_rubric
from tests.factories import EventFactory, RegistrationFactory, UserFactory

RUBRIC = [("创新性", "40", "10"), ("市场前景", "35", "20"), ("团队", "25", "5")]


def roadshow(event_type=EventType.ROADSHOW):
    event = EventFactory(
        event_type=event_type, starts_at=datetime(2026, 12, 20, 0, 0), ends_at=datetime(2026, 12, 20, 10, 0)
    )
    save_rubric(event, event.organiser, [CriterionInput(*row) for row in RUBRIC])
    return event


def panel(event, n: int):
    return [assign_judge(event, UserFactory(org=None), event.organiser) for _ in range(n)]


def lineup(event, n: int):
    return [add_presenter(event, event.organiser, RegistrationFactory(event=event).id) for _ in range(n)]


def fields(event, *values) -> dict[str, str]:
    return {f"c{c.id}": ("" if v is None else str(v)) for c, v in zip(criteria(event), values, strict=True)}


def score(event, judge, presenter, *values, comment=""):
    return save_scores(event, judge, presenter, fields(event, *values), comment)


def token_of(link: str) -> str:
    """The token at the end of an invitation link."""
    return link.rsplit("/", 1)[1]
