"""Events and docking beside the access world (tests/web/world.py): an expo with a booth, an application,
registrations and a check-in; a docking event where organisation A has a booked meeting; a roadshow with a
judge, presenters and a score; a docking record between organisations B and A. The walks over every route
(exports, security headers) build URLs with these ids."""

from __future__ import annotations

from app.core.enums import EventType, TicketType
from app.core.models import utcnow
from app.events.booths.services import BoothRequest, apply_for_booth
from app.events.meetings.services import accept_meeting_request
from tests.events.judging.helpers import lineup, panel, roadshow, score
from tests.events.meetings.helpers import ask, docking_event, participant
from tests.factories import (
    BoothFactory,
    DockingRecordFactory,
    EventFactory,
    RegistrationFactory,
    TicketCategoryFactory,
)
from tests.web.world import K, S, World, build_url, contexts

EVENT_KINDS = ("expo", "docking", "roadshow")


def _expo():
    expo = EventFactory(event_type=EventType.EXPO)
    exhibitors = TicketCategoryFactory(event=expo, ticket_type=TicketType.EXHIBITOR)
    visitors = TicketCategoryFactory(event=expo, ticket_type=TicketType.VISITOR)
    BoothFactory(event=expo)
    came = RegistrationFactory(event=expo, ticket_category=visitors, seats=2)
    came.attendees[0].checked_in_at = utcnow()
    exhibitor = RegistrationFactory(event=expo, ticket_category=exhibitors)
    apply_for_booth(expo, exhibitor.user, BoothRequest(preferred_zone="新材料展区", note="靠近入口"))
    return expo, came.attendees[1].ticket_token


def _docking(world: World):
    event = docking_event()
    RegistrationFactory(event=event, org=world.org_a, user=world.a_admin)
    other = participant(event)
    meeting = accept_meeting_request(ask(event, other, world.a_admin), world.a_admin)
    meeting.outcome_note = "达成意向"
    return event


def _roadshow():
    event = roadshow()
    (judge,) = panel(event, 1)
    presenter, _unscored = lineup(event, 2)
    presenter.project = "稀土永磁电机"
    score(event, judge, presenter, 8, 15, 4, comment="很好")
    return event


def build_events(world: World) -> dict:
    """The three events' ids (by EVENT_KINDS), an attendee's ticket token ("ticket") and the docking record's
    and its request's ids; flushed, not committed."""
    expo, ticket = _expo()
    record = DockingRecordFactory(
        request__target=world.postings[K.ACHIEVEMENT, S.PUBLISHED], request__sender=world.b_admin
    )
    ids = {"expo": expo.id, "docking": _docking(world).id, "roadshow": _roadshow().id, "ticket": ticket}
    return ids | {"record": record.id, "request": record.request_id}


def route_urls(rule, world: World, events: dict) -> set[str]:
    """The rule's URLs for each context of the world at each of the three events, and once each with every
    kind's published posting, the ticket token and the docking record."""
    values = [{**ctx, "event_id": events[kind]} for ctx in contexts(world) for kind in EVENT_KINDS]
    public = {**contexts(world)[0], "event_id": events["expo"]}
    values += [{**public, "kind": k.value, "posting_id": world.postings[k, S.PUBLISHED].id} for k in K]
    values.append({**public, "token": events["ticket"], "record_id": events["record"], "request_id": events["request"]})
    return {build_url(rule, v) for v in values}
