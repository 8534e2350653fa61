"""The demo exercises every event tool, dated from the day it is loaded: the 对接会 half-way through with
meetings held (outcomes recorded), booked and waiting; the 大赛 being scored; the 博览会's floor assigned;
and the year's 清单 published."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from app.auth.models import User
from app.core.clock import local_date, to_local
from app.core.enums import (
    BoothApplicationStatus,
    DockingStage,
    EventStatus,
    EventType,
    MeetingOutcome,
    MeetingRequestStatus,
    RegistrationStatus,
)
from app.demo.data.orgs import DEMO_PASSWORD, JUDGES
from app.demo.services import seed_demo
from app.docking.models import DockingRecord
from app.events.booths.models import Booth, BoothApplication
from app.events.event_roles import participant_org_ids, registration_open
from app.events.judging.models import Criterion
from app.events.judging.scores import compute_results
from app.events.judging.services import is_closed, judges, presenters
from app.events.meetings.models import Meeting, MeetingRequest, MeetingSlot, MeetingTable
from app.events.models import Event
from app.extensions import db as _db
from app.lists.models import CatalogList
from tests.conftest import as_user

# Two load days: a spring morning, and one minute past midnight in Beijing (the day boundary).
LOAD_DAYS = [datetime(2027, 4, 14, 1, 30, tzinfo=UTC), datetime(2026, 12, 4, 16, 1, tzinfo=UTC)]


@pytest.fixture(params=LOAD_DAYS, ids=["spring-morning", "beijing-midnight"])
def loaded(request, db):
    """The demo seeded with the clock frozen on the load day; the test runs on that clock too."""
    with time_machine.travel(request.param, tick=False):
        seed_demo(2026)
        db.session.commit()
        yield request.param.replace(tzinfo=None)


def _event(event_type: EventType) -> Event:
    return _one(sa.select(Event).where(Event.event_type == event_type))


def _one(stmt):
    return _db.session.scalars(stmt).one()


def _all(stmt) -> list:
    return _db.session.scalars(stmt).all()


def _user(email: str) -> User:
    return _one(sa.select(User).where(User.email == email))


def _days_from(now: datetime, moment: datetime) -> int:
    return (to_local(moment).date() - local_date(now)).days


def test_every_event_date_follows_the_day_the_demo_is_loaded(loaded):
    now = loaded
    assert _days_from(now, _event(EventType.DOCKING).starts_at) == -1
    assert _days_from(now, _event(EventType.DOCKING).ends_at) == 1
    assert _days_from(now, _event(EventType.COMPETITION).starts_at) == -1
    assert _days_from(now, _event(EventType.COMPETITION).ends_at) == 0
    for event_type in (EventType.DOCKING, EventType.COMPETITION):
        assert _event(event_type).status == EventStatus.CLOSED  # under way: registration is over
    ahead = [_event(t) for t in (EventType.EXPO, EventType.ROADSHOW, EventType.TRAINING, EventType.SERVICE_MONTH)]
    assert all(e.starts_at > now and registration_open(e, now) for e in ahead)
    events = _all(sa.select(Event))
    assert {e.event_type for e in events} == set(EventType) and all(e.published_at < now for e in events)
    assert sum(len(e.registrations) for e in events) >= 20
    for event in events:
        confirmed = [r for r in event.registrations if r.status == RegistrationStatus.CONFIRMED]
        assert event.seats_taken == sum(r.seats for r in confirmed)


def test_the_docking_event_has_slots_tables_and_meetings_held_booked_and_waiting(loaded):
    now, event = loaded, _event(EventType.DOCKING)
    slots = _all(sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id))
    assert {_days_from(now, s.starts_at) for s in slots} == {-1, 1}
    assert len(_all(sa.select(MeetingTable).where(MeetingTable.event_id == event.id))) >= 4
    meetings = _all(sa.select(Meeting).where(Meeting.event_id == event.id))
    held = [m for m in meetings if m.slot.starts_at < now]
    ahead = [m for m in meetings if m.slot.starts_at > now]
    assert len(held) >= 4 and len(ahead) >= 2
    assert {m.outcome for m in held} >= {MeetingOutcome.INTENT, MeetingOutcome.MET, MeetingOutcome.NO_SHOW}
    assert any(m.outcome is None for m in held)  # one still to record: the demo user can do it
    assert all(m.outcome is None for m in ahead)
    assert all(m.outcome_at is None or m.outcome_at >= m.slot.ends_at for m in held)
    parties = {org for m in meetings for org in m.org_ids}
    assert parties <= participant_org_ids(event.id)
    requests = _all(sa.select(MeetingRequest).where(MeetingRequest.event_id == event.id))
    waiting = [r for r in requests if r.status == MeetingRequestStatus.PENDING]
    assert len(waiting) >= 2 and all(now < r.expires_at for r in waiting)
    assert any(r.status == MeetingRequestStatus.DECLINED for r in requests)
    assert all(r.created_at < now for r in requests)
    # The 有合作意向 outcome moved the two organisations' docking record on to 达成意向.
    intent = next(m for m in held if m.outcome == MeetingOutcome.INTENT)
    records = _all(sa.select(DockingRecord))
    assert any(
        {r.request.from_org_id, r.request.to_org_id} == set(intent.org_ids) and r.stage == DockingStage.INTENT
        for r in records
    )


def test_the_institute_demo_user_sees_its_meetings_and_an_invitation_to_answer(loaded, client):
    event = _event(EventType.DOCKING)
    me = _user("institute@lianqiao.demo")
    received = _all(
        sa.select(MeetingRequest).where(
            MeetingRequest.recipient_org_id == me.org_id, MeetingRequest.status == MeetingRequestStatus.PENDING
        )
    )
    assert received
    as_user(client, me)
    agenda = client.get(f"/events/{event.id}/meetings/agenda")
    assert agenda.status_code == 200
    others = {m.other_org(me.org_id).name for m in _all(sa.select(Meeting)) if me.org_id in m.org_ids}
    assert others and all(name in agenda.text for name in others)
    hub = client.get(f"/events/{event.id}/meetings")
    assert hub.status_code == 200 and received[0].sender_org.name in hub.text


def test_the_competition_has_a_rubric_judges_a_lineup_and_partial_scores(loaded, client):
    event = _event(EventType.COMPETITION)
    rubric = _all(sa.select(Criterion).where(Criterion.event_id == event.id))
    assert len(rubric) >= 3 and sum(c.weight for c in rubric) == 100
    panel = judges(event)
    assert [j.user.email for j in panel] == [a.email for a in JUDGES]
    assert all(j.user.check_password(DEMO_PASSWORD) for j in panel)
    lineup = presenters(event)
    assert len(lineup) >= 5 and all(p.starts_at and p.registration.org for p in lineup)
    rows = compute_results(event)
    complete = {r.presenter.id: r.complete for r in rows}
    assert max(complete.values()) >= 2 and min(complete.values()) >= 1  # every entrant scored, not by all
    assert any(r.rank is not None for r in rows) and not is_closed(event)
    per_judge = [sum(1 for r in rows if r.per_judge[j.id] is not None) for j in panel]
    assert per_judge[0] == len(lineup) and 0 < per_judge[1] < len(lineup) and per_judge[2] == 0

    as_user(client, _user("organiser@lianqiao.demo"))
    page = client.get(f"/events/{event.id}/judging/results")
    assert page.status_code == 200 and all(p.name in page.text for p in lineup)
    as_user(client, panel[2].user)
    assert client.get(f"/events/{event.id}/judging/score").status_code == 200


def test_the_expo_floor_has_booths_assigned_and_applications_waiting(loaded, client):
    event = _event(EventType.EXPO)
    booths = _all(sa.select(Booth).where(Booth.event_id == event.id))
    assert len(booths) >= 20 and len({b.zone for b in booths}) >= 3
    applications = _all(sa.select(BoothApplication).where(BoothApplication.event_id == event.id))
    by_status = {s: [a for a in applications if a.status == s] for s in BoothApplicationStatus}
    assert len(by_status[BoothApplicationStatus.ASSIGNED]) >= 4 and len(by_status[BoothApplicationStatus.PENDING]) >= 1
    assert all(a.booth_id for a in by_status[BoothApplicationStatus.ASSIGNED])
    assert all(a.reject_reason for a in by_status[BoothApplicationStatus.REJECTED])
    assert any(a.showcase for a in applications)
    floor = as_user(client, None).get(f"/events/{event.id}/floor")
    assert floor.status_code == 200
    assert all(a.org.name in floor.text for a in by_status[BoothApplicationStatus.ASSIGNED])


def test_this_years_list_is_published_for_everyone_and_a_draft_only_for_admins(loaded, client):
    lists = _all(sa.select(CatalogList))
    published = [c for c in lists if c.published_at is not None]
    drafts = [c for c in lists if c.published_at is None]
    assert published and drafts
    catalog = published[0]
    assert catalog.year == local_date(loaded).year and str(catalog.year) in catalog.title
    assert len(catalog.items) >= 5
    anonymous = as_user(client, None)
    page = anonymous.get(f"/lists/{catalog.id}")
    assert page.status_code == 200 and catalog.items[0].posting.title in page.text
    assert anonymous.get(f"/lists/{drafts[0].id}").status_code == 404
    as_user(client, _user("admin@lianqiao.demo"))
    assert client.get(f"/lists/{drafts[0].id}").status_code == 200


def test_the_events_under_way_were_checked_in_yesterday_morning_with_a_few_no_shows(loaded):
    now = loaded
    for event_type in (EventType.DOCKING, EventType.COMPETITION):
        event = _event(event_type)
        attendees = [a for r in event.registrations if r.status == RegistrationStatus.CONFIRMED for a in r.attendees]
        admitted = [a for a in attendees if a.checked_in_at is not None]
        assert len(attendees) * 2 // 3 <= len(admitted) < len(attendees), event_type
        assert all(_days_from(now, a.checked_in_at) == -1 and a.checked_in_at < now for a in admitted)
    ahead = _event(EventType.EXPO)
    assert not any(a.checked_in_at for r in ahead.registrations for a in r.attendees)
