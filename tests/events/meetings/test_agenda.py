"""The participant's agenda (page and iCal), busy slots, and the outcomes recorded after a meeting,
including 有合作意向 carrying on in docking."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa
import time_machine
from icalendar import Calendar

from app.core.enums import DockingOrigin, DockingStage, MeetingOutcome, PostingKind
from app.docking.models import DockingRequest
from app.docking.services import accept_docking_request
from app.docking.services import send_docking_request as send_docking_request_for_test
from app.events.meetings.agenda import agenda_ical
from app.events.meetings.models import Meeting, MeetingHold, MeetingSlot
from app.events.meetings.services import accept_meeting_request, record_meeting_outcome
from app.extensions import db as database
from tests.events.meetings.helpers import T14, ask, docking_event, match, participant
from tests.factories import PostingFactory, UserFactory


def test_agenda_ical_parses_with_one_event_per_meeting_at_the_right_times(db):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    accept_meeting_request(ask(event, a, b), b)
    accept_meeting_request(ask(event, c, a), a)

    cal = Calendar.from_ical(agenda_ical(event, a.org_id))
    vevents = sorted(cal.walk("VEVENT"), key=lambda v: v.decoded("dtstart"))
    assert len(vevents) == 2
    assert vevents[0].decoded("dtstart") == T14.replace(tzinfo=UTC)
    assert vevents[0].decoded("dtend") == (T14 + timedelta(minutes=20)).replace(tzinfo=UTC)
    assert vevents[1].decoded("dtstart") == (T14 + timedelta(minutes=20)).replace(tzinfo=UTC)
    assert b.org.name in str(vevents[0]["summary"]) and c.org.name in str(vevents[1]["summary"])


def test_agenda_page_shows_time_table_other_org_and_contact_to_both_sides(db, login):
    event = docking_event()
    a = participant(event)
    b = participant(event)
    b.phone = "13912345678"
    accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    page = login(a).get(f"/events/{event.id}/meetings/agenda").get_data(as_text=True)
    assert "14:00" in page and "1 号桌" in page and b.org.name in page and "13912345678" in page
    page = login(b).get(f"/events/{event.id}/meetings/agenda").get_data(as_text=True)
    assert a.org.name in page and a.name in page
    ics = login(b).get(f"/events/{event.id}/meetings/agenda.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data


def test_outcome_is_recorded_by_either_party_only(db, login):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/outcome"
    with time_machine.travel((T14 + timedelta(minutes=25)).replace(tzinfo=UTC), tick=False):
        assert login(c).post(url, data={"outcome": "met"}).status_code == 404
        assert login(UserFactory()).post(url, data={"outcome": "met"}).status_code == 404
        db.session.commit()
        login(a).post(url, data={"outcome": "met"})
        db.session.expire_all()
        assert db.session.get(Meeting, meeting.id).outcome == MeetingOutcome.MET
        login(b).post(url, data={"outcome": "intent", "note": "下周到厂里看样品"})
    db.session.expire_all()
    done = db.session.get(Meeting, meeting.id)
    assert done.outcome == MeetingOutcome.INTENT and done.outcome_by_id == b.id


def test_outcome_before_the_meeting_or_unknown_is_refused(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/outcome"
    assert "尚未开始" in login(a).post(url, data={"outcome": "met"}, follow_redirects=True).get_data(as_text=True)
    with time_machine.travel((T14 + timedelta(minutes=25)).replace(tzinfo=UTC), tick=False):
        assert "请选择" in login(a).post(url, data={"outcome": "great"}, follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).outcome is None


def _met(event, a, b):
    meeting = accept_meeting_request(ask(event, a, b), b)
    return meeting, time_machine.travel((T14 + timedelta(minutes=25)).replace(tzinfo=UTC), tick=False)


def test_intent_outcome_sends_a_docking_request_on_the_best_matching_posting(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    need = PostingFactory(org=a.org, kind=PostingKind.NEED)
    weak, strong = PostingFactory(org=b.org), PostingFactory(org=b.org)
    match(need, weak, 0.3)
    match(need, strong, 0.9)
    meeting, later = _met(event, a, b)
    with later:
        said = record_meeting_outcome(meeting, a, "intent", "希望尽快试样")
    req = database.session.scalar(sa.select(DockingRequest))
    assert (req.from_org_id, req.to_org_id, req.target_posting_id) == (a.org_id, b.org_id, strong.id)
    assert (req.own_posting_id, req.event_id) == (need.id, event.id)
    assert req.origin == DockingOrigin.EVENT_MEETING and "希望尽快试样" in req.message
    assert "发起对接请求" in said and meeting.outcome == MeetingOutcome.INTENT


def test_intent_outcome_advances_an_open_docking_record_to_intent(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    docking = send_docking_request_for_test(a, PostingFactory(org=b.org).id, "想了解成果转化条件")
    record = accept_docking_request(docking, b)
    meeting, later = _met(event, a, b)
    with later:
        said = record_meeting_outcome(meeting, b, "intent")
    assert record.stage == DockingStage.INTENT and "达成意向" in said
    assert database.session.scalar(sa.select(sa.func.count(DockingRequest.id))) == 1


def test_intent_outcome_is_recorded_even_when_docking_cannot_start(db):
    event = docking_event()
    a, b = participant(event), participant(event)  # b has no published posting
    meeting, later = _met(event, a, b)
    with later:
        said = record_meeting_outcome(meeting, a, "intent")
    assert meeting.outcome == MeetingOutcome.INTENT and "未能发起对接" in said
    assert database.session.scalar(sa.select(sa.func.count(DockingRequest.id))) == 0


def test_busy_slot_pages_block_and_unblock_only_this_events_slots(db, login):
    event, other_event = docking_event(), docking_event()
    a = participant(event)
    slot = database.session.scalar(sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id).limit(1))
    foreign = database.session.scalar(sa.select(MeetingSlot).where(MeetingSlot.event_id == other_event.id).limit(1))
    database.session.commit()
    client = login(a)
    page = client.post(f"/events/{event.id}/meetings/slots/{slot.id}/block", follow_redirects=True)
    assert "已标记为忙碌" in page.get_data(as_text=True) and "取消忙碌" in page.get_data(as_text=True)
    again = client.post(f"/events/{event.id}/meetings/slots/{slot.id}/block", follow_redirects=True)
    assert "该时段已被占用" in again.get_data(as_text=True)
    assert client.post(f"/events/{event.id}/meetings/slots/{foreign.id}/block").status_code == 404
    client.post(f"/events/{event.id}/meetings/slots/{slot.id}/unblock")
    assert database.session.scalar(sa.select(sa.func.count(MeetingHold.id))) == 0
