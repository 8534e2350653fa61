"""对接洽谈 at docking events: recommendations, requests, booking without double booking, expiry,
agenda and iCal, outcomes, and the organiser's settings, grid and export."""

from __future__ import annotations

import io
import itertools
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import render_template_string, url_for
from flask_login import login_user
from icalendar import Calendar
from openpyxl import load_workbook

import app.events.meetings as meetings_service
from app.core.enums import (
    DockingOrigin,
    DockingStage,
    EventType,
    MeetingOutcome,
    MeetingRequestStatus,
    NotificationKind,
    OrgType,
    PostingKind,
    RegistrationStatus,
)
from app.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from app.core.models import StatusChange
from app.docking.models import DockingRequest
from app.docking.services import accept_docking_request
from app.docking.services import send_docking_request as send_docking_request_for_test
from app.events.jobs import expire_meeting_requests
from app.events.meeting_agenda import agenda_ical
from app.events.meeting_models import Meeting, MeetingHold, MeetingRequest, MeetingSlot
from app.events.meeting_recommendations import recommend_counterparts, search_participants
from app.events.meeting_setup import save_meeting_settings
from app.events.meetings import (
    NoFreeSlot,
    accept_meeting_request,
    block_slot,
    cancel_meeting,
    decline_meeting_request,
    record_meeting_outcome,
    send_meeting_request,
    withdraw_meeting_request,
)
from app.extensions import db as database
from app.matching.models import Match
from app.notifications.models import Notification
from tests.factories import EventFactory, OrganiserFactory, PostingFactory, RegistrationFactory, UserFactory

NOW = datetime(2026, 12, 4, 2, 0)  # 10:00 Beijing
DAY = "2026-12-20"
# The event: 2026-12-20 08:00–18:00 Beijing (00:00–10:00 UTC). 14:00 Beijing = 06:00 UTC.
T14 = datetime(2026, 12, 20, 6, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW.replace(tzinfo=UTC), tick=True):
        yield


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


# --- recommendations and search -----------------------------------------------------------------


def test_recommendations_come_from_match_rows_both_ways_and_exclude_non_participants_and_own_org(db):
    event = docking_event()
    me, achiever, needer, quiet = (participant(event) for _ in range(4))
    outsider_org = UserFactory().org  # not registered
    my_need = PostingFactory(org=me.org, kind=PostingKind.NEED, title="电机用永磁材料攻关")
    my_other = PostingFactory(org=me.org, kind=PostingKind.ACHIEVEMENT, title="稀土分离新工艺")
    their_achievement = PostingFactory(org=achiever.org, kind=PostingKind.ACHIEVEMENT, title="高矫顽力钕铁硼")
    their_need = PostingFactory(org=needer.org, kind=PostingKind.NEED, title="稀土分离提纯需求")
    outsider_posting = PostingFactory(org=outsider_org, kind=PostingKind.ACHIEVEMENT, title="外部成果")
    own_posting = PostingFactory(org=me.org, kind=PostingKind.ACHIEVEMENT, title="自家成果")
    match(my_need, their_achievement, 0.6)
    match(their_need, my_other, 0.9, term="稀土分离")
    match(my_need, outsider_posting, 0.99)
    match(my_need, own_posting, 0.95)

    recs = recommend_counterparts(event.id, me.org_id)

    assert [r.org.id for r in recs] == [needer.org_id, achiever.org_id]
    assert recs[0].lines[0].mine.id == my_other.id and recs[0].lines[0].theirs.id == their_need.id
    assert any("稀土分离" in line for line in recs[0].lines[0].reasons)
    assert quiet.org_id not in [r.org.id for r in recs]


def test_recommendations_ignore_organisations_whose_registration_is_not_confirmed(db):
    event = docking_event()
    me = participant(event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED).user
    match(PostingFactory(org=me.org, kind=PostingKind.NEED), PostingFactory(org=waiting.org))
    assert recommend_counterparts(event.id, me.org_id) == []


def test_hub_page_shows_recommended_org_with_reasons(db, login):
    event = docking_event()
    me, other = participant(event), participant(event, name="包头稀土研究院")
    match(PostingFactory(org=me.org, kind=PostingKind.NEED), PostingFactory(org=other.org), term="钕铁硼")
    db.session.commit()
    page = login(me).get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert "包头稀土研究院" in page and "钕铁硼" in page and "发送洽谈邀请" in page


def test_search_finds_participants_by_name_or_posting_title_within_the_event(db):
    event = docking_event()
    me = participant(event)
    by_name = participant(event, name="内蒙古稀土功能材料公司")
    by_title = participant(event, name="包头某研究院")
    PostingFactory(org=by_title.org, title="稀土抛光粉新配方")
    participant(event, name="鄂尔多斯羊绒集团")
    UserFactory(org__name="外部稀土公司")
    found = {o.id for o in search_participants(event.id, me.org_id, "稀土")}
    assert found == {by_name.org_id, by_title.org_id}
    assert search_participants(event.id, me.org_id, "100%_") == []


def test_non_participant_cannot_open_the_meeting_pages(db, login):
    event = docking_event()
    participant(event)
    stranger = UserFactory()
    db.session.commit()
    client = login(stranger)
    assert client.get(f"/events/{event.id}/meetings").status_code == 404
    assert client.get(f"/events/{event.id}/meetings/agenda").status_code == 404


# --- requests ------------------------------------------------------------------------------------


def test_request_to_own_organisation_is_refused(db):
    event = docking_event()
    me = participant(event)
    with pytest.raises(ValidationFailed, match="本机构"):
        ask(event, me, me)
    assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 0


def test_request_to_non_participant_is_not_found(db):
    event = docking_event()
    me = participant(event)
    with pytest.raises(NotFound):
        ask(event, me, UserFactory())


def test_duplicate_open_request_is_refused_in_either_direction(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    ask(event, a, b)
    with pytest.raises(InvalidTransition, match="重复"):
        ask(event, a, b)
    with pytest.raises(InvalidTransition, match="重复"):
        ask(event, b, a)
    assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 1


def test_declined_request_can_be_sent_again(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    decline_meeting_request(ask(event, a, b), b)
    assert ask(event, a, b).status == MeetingRequestStatus.PENDING


def test_request_notifies_the_recipient_organisation(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    colleague = UserFactory(org=b.org)
    ask(event, a, b)
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_REQUEST))
    assert sorted(n.user_id for n in rows) == sorted([b.id, colleague.id])


def test_overlong_message_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    with pytest.raises(ValidationFailed, match="500"):
        ask(event, a, b, "长" * 501)


def test_only_the_recipient_can_answer(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    assert login(a).post(f"/events/{event.id}/meetings/requests/{req.id}/accept").status_code == 404
    db.session.refresh(req)
    assert req.status == MeetingRequestStatus.PENDING


# --- booking -------------------------------------------------------------------------------------


def test_accept_assigns_earliest_free_slot_and_first_table_and_notifies_both(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    assert booked(meeting) == (T14, "1")
    assert meeting.request.status == MeetingRequestStatus.ACCEPTED
    told = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == NotificationKind.MEETING_ACCEPTED)
    )
    assert sorted(told) == sorted([a.id, b.id])


def test_second_meeting_at_same_time_takes_the_next_table(db):
    event = docking_event(tables="A区、B区")
    a, b, c, d = (participant(event) for _ in range(4))
    accept_meeting_request(ask(event, a, b), b)
    assert booked(accept_meeting_request(ask(event, c, d), d)) == (T14, "B区")


def test_party_with_a_meeting_at_1400_gets_1420(db):
    event = docking_event(tables="5")
    a, b, c = (participant(event) for _ in range(3))
    accept_meeting_request(ask(event, a, b), b)
    assert booked(accept_meeting_request(ask(event, c, a), a)) == (T14 + timedelta(minutes=20), "1")


def test_table_exhaustion_moves_to_the_next_slot(db):
    event = docking_event(tables="1")
    a, b, c, d = (participant(event) for _ in range(4))
    accept_meeting_request(ask(event, a, b), b)
    assert booked(accept_meeting_request(ask(event, c, d), d)) == (T14 + timedelta(minutes=20), "1")


def test_blocked_slots_are_skipped(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    slots = db.session.scalars(sa.select(MeetingSlot).order_by(MeetingSlot.starts_at)).all()
    block_slot(event, a, slots[0].id)
    block_slot(event, b, slots[1].id)
    assert booked(accept_meeting_request(ask(event, a, b), b)) == (T14 + timedelta(minutes=40), "1")


def test_slot_with_a_meeting_cannot_be_blocked(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    with pytest.raises(InvalidTransition, match="已被占用"):
        block_slot(event, a, meeting.slot_id)


def test_no_free_slot_gives_a_clear_message_and_the_request_stays_pending(db, login):
    event = docking_event(windows=f"{DAY} 14:00-14:20")
    a, b, c = (participant(event) for _ in range(3))
    accept_meeting_request(ask(event, a, b), b)
    req = ask(event, c, a)
    db.session.commit()
    resp = login(a).post(f"/events/{event.id}/meetings/requests/{req.id}/accept", follow_redirects=True)
    assert "没有共同的空闲时段" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def test_accept_without_meeting_settings_is_refused_and_stays_pending(db):
    event = docking_event(tables="")
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    with pytest.raises(NoFreeSlot):
        accept_meeting_request(req, b)
    db.session.rollback()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.PENDING


def test_answering_twice_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    accept_meeting_request(req, b)
    with pytest.raises(InvalidTransition, match="已处理"):
        decline_meeting_request(req, b)


def test_a_booking_refused_by_the_database_retries_the_next_free_pair(db, monkeypatch):
    """What a lost race looks like: the free-slot read is stale, the unique index refuses the pair, the
    savepoint is rolled back and the next pair is booked in the same transaction."""
    event = docking_event()
    a, b, c, d = (participant(event) for _ in range(4))
    first = accept_meeting_request(ask(event, a, b), b)
    taken = (first.slot_id, first.table_id)
    real = meetings_service._first_free

    def stale_once(event_id, org_ids, tried, now):
        return taken if not tried else real(event_id, org_ids, tried, now)

    monkeypatch.setattr(meetings_service, "_first_free", stale_once)
    assert booked(accept_meeting_request(ask(event, c, d), d)) == (T14, "2")
    assert database.session.scalar(sa.select(sa.func.count(Meeting.id))) == 2


def _accept_in_thread(app, request_id: int, user_id: int, barrier, outcomes: list) -> None:
    from app.auth.models import User
    from app.extensions import db as _db

    with app.app_context():
        req, user = _db.session.get(MeetingRequest, request_id), _db.session.get(User, user_id)
        barrier.wait()
        try:
            accept_meeting_request(req, user)
            _db.session.commit()
            outcomes.append("ok")
        except DomainError as err:
            _db.session.rollback()
            outcomes.append(err.code)
        finally:
            _db.session.remove()


def _race(app, pairs) -> list[str]:
    barrier, outcomes = threading.Barrier(len(pairs)), []
    threads = [threading.Thread(target=_accept_in_thread, args=(app, r, u, barrier, outcomes)) for r, u in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_concurrent_accepts_never_double_book_a_table(app, db):
    event = docking_event(tables="1", windows=f"{DAY} 14:00-15:00")  # 3 slots, 1 table
    people = [participant(event) for _ in range(8)]
    pairs = [(ask(event, people[i], people[i + 1]).id, people[i + 1].id) for i in range(0, 8, 2)]
    db.session.commit()

    assert _race(app, pairs) == ["no_free_slot", "ok", "ok", "ok"]
    db.session.expire_all()
    cells = db.session.execute(sa.select(Meeting.slot_id, Meeting.table_id)).all()
    assert len(cells) == 3 and len(set(cells)) == 3


def test_concurrent_accepts_never_double_book_a_party(app, db):
    event = docking_event(tables="5", windows=f"{DAY} 14:00-14:40")  # 2 slots, plenty of tables
    host, *guests = (participant(event) for _ in range(4))
    pairs = [(ask(event, guest, host).id, host.id) for guest in guests]
    db.session.commit()

    assert _race(app, pairs) == ["no_free_slot", "ok", "ok"]
    db.session.expire_all()
    slots = db.session.scalars(sa.select(Meeting.slot_id)).all()
    assert len(slots) == 2 and len(set(slots)) == 2


# --- expiry --------------------------------------------------------------------------------------


def test_expiry_job_run_twice_expires_once_and_notifies_the_sender_once(db):
    event = docking_event()  # answer deadline: 24 hours after sending
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    fresh = ask(event, participant(event), b)
    db.session.commit()
    fresh.created_at = fresh.expires_at = NOW + timedelta(hours=30)
    db.session.commit()

    later = NOW + timedelta(hours=25)
    with time_machine.travel(later.replace(tzinfo=UTC), tick=False):
        assert expire_meeting_requests(later) == 1
        db.session.commit()
        assert expire_meeting_requests(later) == 0
        db.session.commit()

    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.EXPIRED
    assert db.session.get(MeetingRequest, fresh.id).status == MeetingRequestStatus.PENDING
    expired = db.session.scalars(sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_EXPIRED))
    assert [n.user_id for n in expired] == [a.id]
    assert ask(event, a, b).status == MeetingRequestStatus.PENDING  # the pair may try again


def test_expired_request_cannot_be_accepted(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    later = (NOW + timedelta(hours=25)).replace(tzinfo=UTC)
    with time_machine.travel(later, tick=False), pytest.raises(InvalidTransition, match="答复期限"):
        accept_meeting_request(req, b)


# --- withdrawing and cancelling ----------------------------------------------------------------


def cancellations() -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_CANCELLED)
    return list(database.session.scalars(stmt))


def test_sender_can_withdraw_a_pending_request_and_ask_again(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    login(a).post(f"/events/{event.id}/meetings/requests/{req.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.WITHDRAWN
    assert ask(event, b, a).status == MeetingRequestStatus.PENDING


def test_hub_offers_withdraw_only_on_own_pending_requests(db, login):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    pending, answered = ask(event, a, b), ask(event, a, c)
    accept_meeting_request(answered, c)
    db.session.commit()
    page = login(a).get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert f"/requests/{pending.id}/withdraw" in page and f"/requests/{answered.id}/withdraw" not in page
    assert "/withdraw" not in login(b).get(f"/events/{event.id}/meetings").get_data(as_text=True)


def test_only_the_sender_can_withdraw(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    db.session.commit()
    assert login(b).post(f"/events/{event.id}/meetings/requests/{req.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert db.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.PENDING


def test_an_answered_request_cannot_be_withdrawn(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    accept_meeting_request(req, b)
    with pytest.raises(InvalidTransition, match="无法撤回"):
        withdraw_meeting_request(req, a)
    assert req.status == MeetingRequestStatus.ACCEPTED


def test_a_withdrawn_request_cannot_be_accepted(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    withdraw_meeting_request(req, a)
    with pytest.raises(InvalidTransition, match="已处理"):
        accept_meeting_request(req, b)
    assert database.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


@pytest.mark.parametrize("side", ["sender", "recipient"])
def test_either_party_can_cancel_and_the_other_side_is_told_the_reason(db, login, side):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    canceller, other = (a, b) if side == "sender" else (b, a)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/cancel"
    page = login(canceller).post(url, data={"reason": "临时出差"}, follow_redirects=True).get_data(as_text=True)
    assert "洽谈已取消" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id) is None
    told = cancellations()
    assert [n.user_id for n in told] == [other.id] and "临时出差" in told[0].body
    change = db.session.scalars(sa.select(StatusChange).where(StatusChange.to_status == "cancelled")).one()
    assert change.actor_id == canceller.id and change.reason == "临时出差"


def test_cancelling_frees_both_parties_slots_and_the_pair_may_ask_again(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    cancel_meeting(meeting, a)
    assert database.session.scalar(sa.select(sa.func.count(MeetingHold.id))) == 0
    assert "对方未填写原因" in cancellations()[0].body
    assert booked(accept_meeting_request(ask(event, b, a), a)) == (T14, "1")


def test_a_cancelled_meetings_slot_can_be_booked_by_another_accepted_request(db):
    event = docking_event(tables="1", windows=f"{DAY} 14:00-14:20")  # one slot, one table
    a, b, c, d = (participant(event) for _ in range(4))
    meeting = accept_meeting_request(ask(event, a, b), b)
    waiting = ask(event, c, d)
    database.session.commit()
    with pytest.raises(NoFreeSlot):
        accept_meeting_request(waiting, d)
    database.session.rollback()
    cancel_meeting(meeting, b, "另有安排")
    assert booked(accept_meeting_request(waiting, d)) == (T14, "1")
    assert database.session.scalar(sa.select(sa.func.count(Meeting.id))) == 1


def test_cannot_cancel_after_the_slot_started(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/cancel"
    with time_machine.travel((T14 + timedelta(minutes=1)).replace(tzinfo=UTC), tick=False):
        page = login(a).post(url, follow_redirects=True).get_data(as_text=True)
    assert "不能再取消" in page
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id) is not None
    assert db.session.get(MeetingRequest, meeting.request_id).status == MeetingRequestStatus.ACCEPTED
    assert cancellations() == []


def test_agenda_offers_cancel_only_before_the_slot_starts(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    cancel_url = f"/meetings/{meeting.id}/cancel"
    assert cancel_url in login(b).get(f"/events/{event.id}/meetings/agenda").get_data(as_text=True)
    with time_machine.travel((T14 + timedelta(minutes=5)).replace(tzinfo=UTC), tick=False):
        assert cancel_url not in login(b).get(f"/events/{event.id}/meetings/agenda").get_data(as_text=True)


def test_only_the_two_parties_can_cancel(db, login):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    meeting = accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    url = f"/events/{event.id}/meetings/{meeting.id}/cancel"
    assert login(c).post(url).status_code == 404
    assert login(event.organiser).post(url).status_code == 404
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id) is not None


def test_cancelling_twice_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    cancel_meeting(meeting, a)
    with pytest.raises(InvalidTransition, match="已取消"):
        cancel_meeting(meeting, b)  # the other side, from a page read before the first cancel
    assert len(cancellations()) == 1


def test_overlong_cancel_reason_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    meeting = accept_meeting_request(ask(event, a, b), b)
    with pytest.raises(ValidationFailed, match="500"):
        cancel_meeting(meeting, a, "长" * 501)
    assert database.session.get(Meeting, meeting.id) is not None


# --- agenda --------------------------------------------------------------------------------------


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


# --- outcomes ------------------------------------------------------------------------------------


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


# --- organiser -----------------------------------------------------------------------------------


def test_settings_generate_slots_from_several_windows(db):
    docking_event(tables="3", windows=f"{DAY} 09:00-10:00\n{DAY} 14:00～14:40", minutes=30)
    starts = db.session.scalars(sa.select(MeetingSlot.starts_at).order_by(MeetingSlot.starts_at)).all()
    assert starts == [datetime(2026, 12, 20, 1, 0), datetime(2026, 12, 20, 1, 30), datetime(2026, 12, 20, 6, 0)]


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("windows", {"windows": "明天下午"}, "格式不对"),
        ("windows", {"windows": f"{DAY} 15:00-14:00"}, "晚于开始"),
        ("windows", {"windows": f"{DAY} 14:00-16:00\n{DAY} 15:00-17:00"}, "重叠"),
        ("windows", {"windows": "2026-12-25 14:00-16:00"}, "活动时间之内"),
        ("tables", {"tables": "0"}, "1 到 200"),
        ("tables", {"tables": "A、A"}, "不能重复"),
        ("slot_minutes", {"slot_minutes": "99999999999999"}, "5 到 240"),
    ],
)
def test_bad_settings_get_a_chinese_message_and_change_nothing(db, login, field, data, message):
    event = docking_event(tables="")
    organiser = event.organiser
    db.session.commit()
    form = {"slot_minutes": "20", "answer_hours": "24", "tables": "3", "windows": f"{DAY} 14:00-15:00", **data}
    resp = login(organiser).post(f"/events/{event.id}/meetings/settings", data=form)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(MeetingSlot.id))) == 0


def test_layout_is_fixed_once_a_meeting_is_booked(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    accept_meeting_request(ask(event, a, b), b)
    with pytest.raises(InvalidTransition, match="不能再修改"):
        save_meeting_settings(event, 30, 24, "2", f"{DAY} 14:00-15:00")
    assert save_meeting_settings(event, 20, 72, "2", f"{DAY} 14:00-15:00").answer_hours == 72


def test_only_the_organiser_sees_settings_grid_and_export(db, login):
    event = docking_event()
    member = participant(event)
    other_organiser = OrganiserFactory()
    db.session.commit()
    for user in (member, other_organiser):
        client = login(user)
        for path in ("settings", "grid", "export?format=csv"):
            assert client.get(f"/events/{event.id}/meetings/{path}").status_code == 404


def test_grid_and_export_list_every_meeting(db, login):
    event = docking_event()
    a, b = participant(event, name="甲方科技公司"), participant(event, name="乙方研究院", org_type=OrgType.INSTITUTE)
    accept_meeting_request(ask(event, a, b), b)
    db.session.commit()
    client = login(event.organiser)
    grid = client.get(f"/events/{event.id}/meetings/grid").get_data(as_text=True)
    assert "甲方科技公司" in grid and "乙方研究院" in grid
    csv_text = client.get(f"/events/{event.id}/meetings/export?format=csv").data.decode("utf-8-sig")
    assert "甲方科技公司" in csv_text and "2026-12-20 14:00" in csv_text
    sheet = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/meetings/export?format=xlsx").data)).active
    assert [c.value for c in sheet[2]][:4] == ["2026-12-20 14:00", "14:20", "1", "甲方科技公司"]
    assert client.get(f"/events/{event.id}/meetings/export?format=pdf").status_code == 404


def test_meeting_pages_exist_only_for_docking_events(db, login):
    event = EventFactory(event_type=EventType.ROADSHOW)
    member = participant(event)
    db.session.commit()
    assert login(member).get(f"/events/{event.id}/meetings").status_code == 404
    assert login(event.organiser).get(f"/events/{event.id}/meetings/settings").status_code == 404


def test_send_page_flow_and_double_submit(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    db.session.commit()
    client = login(a)
    first = client.post(
        f"/events/{event.id}/meetings/request/{b.org_id}", data={"message": "你好"}, follow_redirects=True
    )
    assert "洽谈邀请已发送" in first.get_data(as_text=True)
    again = client.post(
        f"/events/{event.id}/meetings/request/{b.org_id}", data={"message": "你好"}, follow_redirects=True
    )
    assert "无需重复发送" in again.get_data(as_text=True)
    assert client.post(f"/events/{event.id}/meetings/request/99999999999").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(MeetingRequest.id))) == 1


# --- 有合作意向 carries on in docking -----------------------------------------------------------------


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


# --- more pages ----------------------------------------------------------------------------------


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


def test_settings_page_shows_the_saved_settings_in_beijing_time(db, login):
    event = docking_event(tables="A区、B区", windows=f"{DAY} 14:00-15:00\n{DAY} 16:00-17:00")
    database.session.commit()
    page = login(event.organiser).get(f"/events/{event.id}/meetings/settings").get_data(as_text=True)
    assert f"{DAY} 14:00-15:00\n{DAY} 16:00-17:00" in page and 'value="A区、B区"' in page


def test_no_requests_once_the_event_is_over(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    after = datetime(2026, 12, 20, 11, 0, tzinfo=UTC)
    with time_machine.travel(after, tick=False), pytest.raises(InvalidTransition, match="活动已结束"):
        ask(event, a, b)


def test_decline_tells_the_sender(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    req = ask(event, a, b)
    database.session.commit()
    login(b).post(f"/events/{event.id}/meetings/requests/{req.id}/decline")
    told = database.session.scalars(
        sa.select(Notification).where(Notification.kind == NotificationKind.MEETING_DECLINED)
    )
    assert [n.user_id for n in told] == [a.id]


def test_search_box_on_the_hub_lists_matching_participants(db, login):
    event = docking_event()
    a = participant(event)
    participant(event, name="赤峰市黄金冶炼有限公司")
    participant(event, name="通辽市玉米深加工公司")
    database.session.commit()
    page = login(a).get(f"/events/{event.id}/meetings?q=黄金").get_data(as_text=True)
    assert "赤峰市黄金冶炼有限公司" in page and "通辽市玉米深加工公司" not in page


# --- no 500 for anything a user can type ---------------------------------------------------------

HOSTILE = ["", " ", "-1", "abc", "99999999999999999999", "x" * 5000, "稀" * 300, "' OR 1=1 --", "%_\\", "🎉"]
HOSTILE += ["0001-01-01 00:00-01:00", "9999-12-31 23:00-23:59", "0001-01-01T00:00"]


FINAL_STEPS = re.compile(r"close|publish|remove|withdraw|cancel")


def _rule_urls(rule, ids: dict) -> list[str]:
    """The rule's URL for each combination of the ids; a list in `ids` (e.g. the choices of an
    <any(…)> part) gives one URL per value."""
    keys = sorted(rule.arguments)
    values = [ids[k] if isinstance(ids[k], list) else [ids[k]] for k in keys]
    return [url_for(rule.endpoint, **dict(zip(keys, combo, strict=True))) for combo in itertools.product(*values)]


def sweep_blueprint(app, client, login, blueprint: str, ids: dict, users, fields) -> list[str]:
    """Every route of the blueprint, as each user, with each hostile value in every field and query."""
    with app.test_request_context():
        urls = [
            (rule, url)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(f"{blueprint}.")
            for url in _rule_urls(rule, ids)
        ]
    urls.sort(key=lambda item: bool(FINAL_STEPS.search(item[0].endpoint)))  # what ends the game goes last
    failures = []
    for (rule, url), user, value in itertools.product(urls, users, HOSTILE):
        login(user)
        responses = []
        if "GET" in rule.methods:
            responses.append(client.get(url, query_string={"q": value, "format": value}))
        if "POST" in rule.methods:
            responses.append(client.post(url, data={**dict.fromkeys(fields, value), "name": [value, "团队"]}))
        failures += [f"{rule.endpoint} {value[:20]!r} {r.status_code}" for r in responses if r.status_code >= 500]
    return failures


def test_no_meeting_route_fails_on_hostile_input(app, db, client, login):
    event = docking_event()
    a, b, c, d = (participant(event) for _ in range(4))
    req = ask(event, a, b)
    meeting = accept_meeting_request(ask(event, c, d), d)
    ids = {"event_id": event.id, "org_id": b.org_id, "request_id": req.id, "slot_id": meeting.slot_id}
    ids |= {"meeting_id": meeting.id, "action": ["block", "unblock"]}
    users = (a, b, c, event.organiser, UserFactory())
    database.session.commit()
    fields = ("message", "outcome", "note", "reason", "slot_minutes", "answer_hours", "tables", "windows")
    with time_machine.travel((T14 + timedelta(minutes=25)).replace(tzinfo=UTC), tick=True):
        assert sweep_blueprint(app, client, login, "meetings", ids, users, fields) == []


def render_event_links(app, user, event) -> str:
    """The event page's partial as `user` sees it."""
    with app.test_request_context():
        login_user(user)
        return render_template_string('{% include "events/meetings_and_judging_links.html" %}', event=event)


def test_event_page_links_lead_participants_and_the_organiser_to_their_meeting_pages(app, db):
    event = docking_event()
    member = participant(event)
    assert f"/events/{event.id}/meetings/agenda" in render_event_links(app, member, event)
    assert f"/events/{event.id}/meetings/grid" in render_event_links(app, event.organiser, event)
    assert "/meetings" not in render_event_links(app, UserFactory(), event)
