"""Preferred slots: the inviter proposes one to three slots both sides have free; the invitee accepts one
of them (or lets the system arrange a time); booking honours the proposed slots first. Bad slots are
refused with a Chinese message and nothing changes."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import MeetingRequestStatus, NotificationKind
from app.core.errors import ValidationFailed
from app.events.meetings.booking import NoFreeSlot
from app.events.meetings.models import Meeting, MeetingRequest, MeetingRequestSlot, MeetingSlot
from app.events.meetings.services import accept_meeting_request, block_slot, send_meeting_request
from app.events.meetings.setup import save_meeting_settings
from app.extensions import db as database
from app.notifications.models import Notification
from tests.events.meetings.helpers import DAY, T14, ask, booked, docking_event, participant

S20, S40 = T14 + timedelta(minutes=20), T14 + timedelta(minutes=40)


def slots_of(event) -> list[MeetingSlot]:
    return list(
        database.session.scalars(
            sa.select(MeetingSlot).where(MeetingSlot.event_id == event.id).order_by(MeetingSlot.starts_at)
        )
    )


def invite(event, sender, recipient, *slots, message="希望洽谈合作"):
    return send_meeting_request(event, sender, recipient.org_id, message, [s.id for s in slots])


def count(model) -> int:
    return database.session.scalar(sa.select(sa.func.count()).select_from(model))


def invite_url(event, user) -> str:
    return f"/events/{event.id}/meetings/request/{user.org_id}"


# --- proposing -----------------------------------------------------------------------------------


def test_the_proposed_slots_are_kept_in_time_order_and_told_to_the_invitee(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    first, _, last = slots_of(event)
    req = invite(event, a, b, last, first)
    assert [s.id for s in req.preferred_slots] == [first.id, last.id]
    body = database.session.scalar(
        sa.select(Notification.body).where(Notification.kind == NotificationKind.MEETING_REQUEST)
    )
    assert "希望的时段：12-20 14:00、12-20 14:40" in body


def test_the_invite_page_offers_only_slots_both_sides_have_free(db, login):
    event = docking_event()
    a, b, c, d = (participant(event) for _ in range(4))
    first, second, third = slots_of(event)
    accept_meeting_request(ask(event, a, c), c)  # the inviter meets c at 14:00
    block_slot(event, b, third.id)  # the invitee is busy at 14:40
    accept_meeting_request(invite(event, c, d, second), d, second.id)  # one of the two tables at 14:20
    database.session.commit()
    page = login(a).get(invite_url(event, b)).get_data(as_text=True)
    assert f'name="slots" id="slot-{second.id}"' in page
    assert f'id="slot-{first.id}"' not in page and f'id="slot-{third.id}"' not in page


@pytest.mark.parametrize(
    ("why", "message"),
    [("other_event", "不属于本次活动"), ("blocked", "已被占用"), ("full", "已被占用"), ("past", "已经过去")],
)
def test_a_bad_proposed_slot_is_refused_and_nothing_is_sent(db, why, message):
    event = docking_event(tables="1")
    a, b, c, d = (participant(event) for _ in range(4))
    first, second, _ = slots_of(event)
    slot, now = second, None
    if why == "other_event":
        slot = slots_of(docking_event())[1]
    elif why == "blocked":
        block_slot(event, b, second.id)
    elif why == "full":
        accept_meeting_request(invite(event, c, d, second), d, second.id)  # the only table at 14:20
    elif why == "past":
        slot, now = first, T14 + timedelta(minutes=5)
    requests_before = count(MeetingRequest)
    with pytest.raises(ValidationFailed, match=message):
        send_meeting_request(event, a, b.org_id, "", [slot.id], now=now)
    assert count(MeetingRequest) == requests_before and count(MeetingRequestSlot) == requests_before


def test_more_than_three_proposed_slots_are_refused(db):
    event = docking_event(windows=f"{DAY} 14:00-15:20")
    a, b = participant(event), participant(event)
    with pytest.raises(ValidationFailed, match="最多选择 3 个"):
        invite(event, a, b, *slots_of(event))
    assert count(MeetingRequest) == 0


def test_the_page_refuses_no_slot_a_bad_value_and_another_events_slot_with_a_message(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    foreign = slots_of(docking_event())[0]
    database.session.commit()
    client = login(a)
    for slots, message in (
        ([], "请至少选择一个希望的洽谈时段"),
        (["abc"], "所选时段无效"),
        ([foreign.id], "不属于本次活动"),
    ):
        resp = client.post(invite_url(event, b), data={"slots": slots, "message": "你好"})
        assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert count(MeetingRequest) == 0


def test_a_double_submit_creates_one_invitation(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    second = slots_of(event)[1]
    database.session.commit()
    client = login(a)
    form = {"slots": [second.id], "message": "你好"}
    first = client.post(invite_url(event, b), data=form, follow_redirects=True)
    assert "洽谈邀请已发送" in first.get_data(as_text=True)
    again = client.post(invite_url(event, b), data=form, follow_redirects=True)
    assert "无需重复发送" in again.get_data(as_text=True)
    assert count(MeetingRequest) == 1 and count(MeetingRequestSlot) == 1
    assert "已有待答复或已确认的洽谈邀请" in client.get(invite_url(event, b)).get_data(as_text=True)


def test_inviting_oneself_or_an_organisation_outside_the_event_is_not_found(db, login):
    event = docking_event()
    a = participant(event)
    outsider = participant(docking_event())
    database.session.commit()
    client = login(a)
    for user in (a, outsider):
        assert client.get(invite_url(event, user)).status_code == 404
        assert client.post(invite_url(event, user), data={"slots": [1]}).status_code == 404
    assert count(MeetingRequest) == 0


# --- accepting -------------------------------------------------------------------------------------


def test_the_invitee_sees_the_proposed_slots_and_accepts_one_of_them(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    _, second, third = slots_of(event)
    req = invite(event, a, b, second, third)
    database.session.commit()
    client = login(b)
    hub = client.get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert "对方希望的时段" in hub and "12-20 14:20" in hub and "12-20 14:40" in hub
    resp = client.post(f"/events/{event.id}/meetings/requests/{req.id}/accept", data={"slot": str(third.id)})
    assert resp.status_code == 302
    assert booked(database.session.scalar(sa.select(Meeting))) == (S40, "1")


def test_accepting_a_slot_that_was_not_proposed_is_refused_and_the_request_stays_pending(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    first, second, _ = slots_of(event)
    req = invite(event, a, b, second)
    database.session.commit()
    client = login(b)
    for value, message in ((str(first.id), "请选择对方建议的时段之一"), ("x1", "所选时段无效")):
        page = client.post(
            f"/events/{event.id}/meetings/requests/{req.id}/accept", data={"slot": value}, follow_redirects=True
        ).get_data(as_text=True)
        assert message in page
    database.session.refresh(req)
    assert req.status == MeetingRequestStatus.PENDING and count(Meeting) == 0


def test_accepting_a_proposed_slot_taken_meanwhile_is_refused_and_nothing_changes(db):
    event = docking_event()
    a, b, c, d = (participant(event) for _ in range(4))
    second = slots_of(event)[1]
    req = invite(event, a, b, second)
    block_slot(event, a, second.id)  # the inviter has since become busy then
    database.session.commit()
    with pytest.raises(NoFreeSlot, match="12-20 14:20 已被占用"):
        accept_meeting_request(req, b, second.id)
    database.session.rollback()
    assert database.session.get(MeetingRequest, req.id).status == MeetingRequestStatus.PENDING
    assert count(Meeting) == 0


def test_a_proposed_slot_that_has_passed_cannot_be_accepted(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    first, second, _ = slots_of(event)
    req = invite(event, a, b, first, second)
    with pytest.raises(ValidationFailed, match="已经过去"):
        accept_meeting_request(req, b, first.id, now=T14 + timedelta(minutes=5))


def test_accepting_another_organisations_invitation_is_not_found(db, login):
    event = docking_event()
    a, b, c = (participant(event) for _ in range(3))
    second = slots_of(event)[1]
    req = invite(event, a, b, second)
    database.session.commit()
    resp = login(c).post(f"/events/{event.id}/meetings/requests/{req.id}/accept", data={"slot": str(second.id)})
    assert resp.status_code == 404 and count(Meeting) == 0


# --- the booking honours the proposals ---------------------------------------------------------


def test_without_a_pick_the_booking_takes_the_earliest_proposed_slot_still_free(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    _, second, third = slots_of(event)
    req = invite(event, a, b, third, second)
    block_slot(event, b, second.id)
    assert booked(accept_meeting_request(req, b)) == (S40, "1")  # 14:00 is free but was not proposed


def test_when_no_proposed_slot_is_free_the_booking_falls_back_to_the_earliest_common_slot(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    _, _, third = slots_of(event)
    req = invite(event, a, b, third)
    block_slot(event, a, third.id)
    assert booked(accept_meeting_request(req, b)) == (T14, "1")


def test_the_hub_marks_a_proposed_slot_taken_since_and_preselects_the_first_free_one(db, login):
    event = docking_event()
    a, b = participant(event), participant(event)
    _, second, third = slots_of(event)
    req = invite(event, a, b, second, third)
    block_slot(event, a, second.id)
    database.session.commit()
    hub = login(b).get(f"/events/{event.id}/meetings").get_data(as_text=True)

    def choice(slot):
        return re.search(rf'<input[^>]*id="pick-{req.id}-{slot.id}"[^>]*>\s*<label[^>]*>([^<]*)</label>', hub)

    taken, free = choice(second), choice(third)
    assert "disabled" in taken.group(0) and "已占用" in taken.group(1)
    assert "checked" in free.group(0) and "disabled" not in free.group(0) and "已占用" not in free.group(1)


def test_a_slot_that_has_passed_since_the_page_was_opened_is_refused(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    later = (T14 + timedelta(hours=2)).replace(tzinfo=UTC)
    with time_machine.travel(later, tick=False), pytest.raises(ValidationFailed, match="已经过去"):
        invite(event, a, b, slots_of(event)[2])
    assert count(MeetingRequest) == 0


def test_a_proposed_slot_the_organiser_removes_is_dropped_from_the_request_and_booking_still_works(db):
    event = docking_event()
    a, b = participant(event), participant(event)
    _, _, third = slots_of(event)
    req = invite(event, a, b, third)
    save_meeting_settings(event, 20, 24, "2", f"{DAY} 14:00-14:40")  # 14:40 is gone
    database.session.expire_all()
    assert req.preferred_slots == [] and count(MeetingRequestSlot) == 0
    assert booked(accept_meeting_request(req, b)) == (T14, "1")
