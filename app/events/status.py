"""Where an event stands right now, in one place: the badge on the list, the event page and the organiser's
pages, and the registration box all read event_status, so they can never say different things.

The stored status (草稿 / 报名中 / 报名已截止 / 已结束 / 已取消) is what the organiser set; the phase adds the clock:
registration not yet open, seats gone (waitlist), under way, over. Times are naive UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from app.core.enums import EventStatus
from app.core.models import utcnow
from app.core.web import local_time
from app.events.models import Event


class Phase(enum.Enum):
    """(label, Bootstrap badge classes)"""

    DRAFT = ("草稿", "bg-secondary")
    NOT_YET_OPEN = ("报名未开始", "bg-info text-dark")
    OPEN = ("报名中", "bg-success")
    WAITLIST = ("名额已满·可候补", "bg-warning text-dark")
    CLOSED = ("报名已截止", "bg-warning text-dark")
    IN_PROGRESS = ("进行中", "bg-primary")
    ENDED = ("已结束", "bg-dark")
    CANCELLED = ("已取消", "bg-danger")

    def __init__(self, label: str, badge: str):
        self.label = label
        self.badge = badge


@dataclass(frozen=True)
class EventState:
    phase: Phase
    # Why nobody can register now (a Chinese sentence for the registration box); None while registration is open.
    refusal: str | None = None

    @property
    def label(self) -> str:
        return self.phase.label

    @property
    def badge(self) -> str:
        return self.phase.badge

    @property
    def registration_open(self) -> bool:
        return self.refusal is None

    @property
    def ended(self) -> bool:
        return self.phase in (Phase.ENDED, Phase.CANCELLED)


def event_status(event: Event, now: datetime | None = None) -> EventState:
    """The event's phase and whether registration is open (a waitlist counts as open), else why not."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return EventState(Phase.CANCELLED, "活动已取消，不接受报名")
    if event.status == EventStatus.DRAFT:
        return EventState(Phase.DRAFT, "活动尚未发布，不接受报名")
    if event.status == EventStatus.FINISHED or now >= event.ends_at:
        return EventState(Phase.ENDED, "活动已结束，不接受报名")
    if now >= event.starts_at:
        return EventState(Phase.IN_PROGRESS, "活动已开始，报名已截止")
    closes = event.registration_closes_at
    if event.status == EventStatus.CLOSED or (closes is not None and now >= closes):
        return EventState(Phase.CLOSED, "报名已截止")
    opens = event.registration_opens_at
    if opens is not None and now < opens:
        return EventState(Phase.NOT_YET_OPEN, f"报名尚未开始，{local_time(opens)}（北京时间）开放报名")
    if event.seats_left == 0:
        return EventState(Phase.WAITLIST)
    return EventState(Phase.OPEN)
