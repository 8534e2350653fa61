"""The desk's one box: a name, a phone number (whole or last 4 digits), an organisation or a 签到码; a short
list to pick from; the not-an-event-day confirmation; and the same with and without the desk's script."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine

from app.core.clock import to_utc
from app.core.enums import RegistrationStatus
from app.core.models import history_for, utcnow
from app.events.checkin.desk import MAX_MATCHES
from app.events.checkin.services import off_day_warning
from app.events.models import Attendee
from tests.events.helpers import sweep_blueprint
from tests.factories import EventFactory, OrganiserFactory, OrgFactory, RegistrationFactory, UserFactory


def press(client, event, **body):
    """The desk's button as its script presses it (JSON)."""
    return client.post(f"/events/{event.id}/checkin/scan", json=body)


def person(db, event, name, phone="13900000000", org=None, status=RegistrationStatus.CONFIRMED) -> Attendee:
    registration = RegistrationFactory(event=event, status=status, **({"org": org} if org else {}))
    attendee = registration.attendees[0]
    attendee.name, attendee.phone = name, phone
    db.session.commit()
    return attendee


def checked_in_at(db, attendee):
    db.session.expire_all()
    return db.session.get(Attendee, attendee.id).checked_in_at


@pytest.fixture
def hao(db, event):
    return person(db, event, "郝建军", "13847710298", OrgFactory(name="包头晶研抛光材料有限公司"))


def test_part_of_a_name_lists_the_people_to_pick_from_and_admits_no_one(client, login, db, event, hao):
    person(db, event, "郝丽娜")
    person(db, event, "王强")
    login(event.organiser)
    resp = press(client, event, code="郝")
    assert resp.status_code == 200 and resp.json["code"] == "choose"
    assert sorted(m["name"] for m in resp.json["matches"]) == ["郝丽娜", "郝建军"]
    mine = next(m for m in resp.json["matches"] if m["name"] == "郝建军")
    assert mine["org"] == "包头晶研抛光材料有限公司" and mine["ticket"] == "普通票"
    assert (mine["state"], mine["admissible"], mine["phone_tail"]) == ("未签到", True, "0298")
    assert checked_in_at(db, hao) is None


@pytest.mark.parametrize("typed", ["13847710298", "0298", "138-4771-0298", "晶研抛光", "包头晶研"])
def test_a_phone_its_last_four_digits_or_the_organisation_finds_the_person(client, login, db, event, hao, typed):
    person(db, event, "王强", "13900001111")
    login(event.organiser)
    resp = press(client, event, code=typed)
    assert [m["name"] for m in resp.json["matches"]] == ["郝建军"]


def test_at_most_ten_are_listed_and_the_desk_says_how_many_more(client, login, db, event):
    for i in range(MAX_MATCHES + 3):
        person(db, event, f"张{i:02d}")
    login(event.organiser)
    resp = press(client, event, code="张")
    assert len(resp.json["matches"]) == MAX_MATCHES and resp.json["more"] == 3
    assert "找到 13 位参会人" in resp.json["message"] and "缩小范围" in resp.json["message"]


def test_picking_a_person_checks_them_in(client, login, db, event, hao):
    login(event.organiser)
    resp = press(client, event, attendee_id=hao.id)
    assert resp.status_code == 200 and resp.json["ok"] is True
    assert resp.json["attendee"]["name"] == "郝建军" and resp.json["message"].startswith("签到成功")
    assert checked_in_at(db, hao) is not None
    listed = press(client, event, code="郝建军").json["matches"][0]
    assert listed["state"].startswith("已签到") and listed["admissible"] is False


def test_a_second_check_in_says_when_the_first_was_and_changes_nothing(client, login, db, event, hao):
    login(event.organiser)
    press(client, event, attendee_id=hao.id)
    first = checked_in_at(db, hao)
    again = press(client, event, attendee_id=str(hao.id), confirm=1)
    assert again.status_code == 409 and again.json["code"] == "already"
    assert re.fullmatch(r"已于 \d\d:\d\d 签到", again.json["message"])
    assert checked_in_at(db, hao) == first
    assert len([c for c in history_for("attendee", hao.id) if c.to_status == "checked_in"]) == 1


@pytest.mark.parametrize("typed", ["ABCD1234", "abcd-1234", "ZZZZ ZZZZ"])
def test_a_well_formed_code_that_does_not_exist_is_not_a_format_error(client, login, db, event, hao, typed):
    login(event.organiser)
    resp = press(client, event, code=typed)
    assert (resp.json["code"], resp.json["message"]) == ("unknown", "没有这个签到码，请核对后重新输入")


def test_a_name_that_matches_nobody_says_so_not_that_the_code_is_malformed(client, login, db, event, hao):
    login(event.organiser)
    resp = press(client, event, code="李建国")
    assert resp.status_code == 409 and resp.json["code"] == "nobody"
    assert "没有找到“李建国”" in resp.json["message"] and "格式" not in resp.json["message"]
    assert "没有找到" in press(client, event, code="5555").json["message"]


@pytest.mark.parametrize("typed", ["ABC12", "ABCD-12345", "hello world"])
def test_letters_and_digits_that_cannot_be_a_code_and_match_nobody_get_the_format_message(
    client, login, db, event, hao, typed
):
    login(event.organiser)
    resp = press(client, event, code=typed)
    assert resp.json["code"] == "bad_format"
    assert resp.json["message"].startswith("签到码格式不对：应为 8 位字母和数字")


def test_a_code_typed_in_the_box_still_checks_in_at_once(client, login, db, event, hao):
    login(event.organiser)
    resp = press(client, event, code=hao.short_code.lower())
    assert resp.json["ok"] is True and resp.json["attendee"]["name"] == "郝建军"


def test_search_is_only_within_this_event(client, login, db, event, hao):
    other = person(db, EventFactory(organiser=event.organiser), "郝建国")
    login(event.organiser)
    assert [m["name"] for m in press(client, event, code="郝建").json["matches"]] == ["郝建军"]
    refused = press(client, event, attendee_id=other.id, confirm=1)
    assert refused.status_code == 409 and refused.json["ok"] is False
    assert checked_in_at(db, other) is None


@pytest.mark.parametrize("picked", ["abc", "-1", "99999999", "1" * 40, "", None, ["1"]])
def test_a_forged_pick_is_refused_and_changes_nothing(client, login, db, event, hao, picked):
    login(event.organiser)
    resp = press(client, event, attendee_id=picked, code="")
    assert resp.status_code == 409 and resp.json["ok"] is False
    assert checked_in_at(db, hao) is None


def test_a_cancelled_registration_is_listed_as_cancelled_and_refused(client, login, db, event):
    gone = person(db, event, "赵敏", status=RegistrationStatus.CANCELLED)
    login(event.organiser)
    (listed,) = press(client, event, code="赵敏").json["matches"]
    assert (listed["state"], listed["admissible"]) == ("已取消", False)
    resp = press(client, event, attendee_id=gone.id, confirm=1)
    assert resp.json["code"] == "cancelled" and "报名已取消" in resp.json["message"]
    assert checked_in_at(db, gone) is None


@pytest.mark.parametrize("who", ["another organiser", "a user", "the registrant"])
def test_only_the_events_organiser_may_search(client, login, db, event, hao, who):
    user = {
        "another organiser": OrganiserFactory,
        "a user": UserFactory,
        "the registrant": lambda: hao.registration.user,
    }[who]()
    db.session.commit()
    login(user)
    assert press(client, event, code="郝").status_code == 404
    assert press(client, event, attendee_id=hao.id, confirm=1).status_code == 404
    assert checked_in_at(db, hao) is None


# --- not an event day ---------------------------------------------------------------------------------


def _beijing(text: str) -> datetime:
    return to_utc(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def test_an_event_day_is_a_beijing_day():
    event = EventFactory.build(starts_at=_beijing("2026-12-18 09:00"), ends_at=_beijing("2026-12-18 17:30"))
    assert off_day_warning(event, _beijing("2026-12-18 00:01")) is None  # 16:01 UTC the day before
    assert off_day_warning(event, _beijing("2026-12-18 23:59")) is None
    message = "活动日期是 2026-12-18，今天不是活动日，确定要签到吗？"
    assert off_day_warning(event, _beijing("2026-12-17 23:59")) == message
    assert off_day_warning(event, _beijing("2026-12-19 00:00")) == message
    expo = EventFactory.build(starts_at=_beijing("2027-01-15 09:00"), ends_at=_beijing("2027-01-17 17:00"))
    assert off_day_warning(expo, _beijing("2027-01-16 12:00")) is None
    assert "活动日期是 2027-01-15 至 2027-01-17" in off_day_warning(expo, _beijing("2027-01-14 12:00"))


def test_checking_in_on_another_day_needs_a_confirmation(client, login, db):
    ahead = utcnow() + timedelta(days=30)
    event = EventFactory(starts_at=ahead, ends_at=ahead + timedelta(hours=8))
    hao = person(db, event, "郝建军")
    login(event.organiser)
    for body in ({"attendee_id": hao.id}, {"code": hao.short_code}):
        warned = press(client, event, **body)
        assert warned.status_code == 409 and warned.json["code"] == "not_event_day"
        assert warned.json["message"].startswith("活动日期是 ") and warned.json["message"].endswith(
            "今天不是活动日，确定要签到吗？"
        )
        assert warned.json["attendee"]["id"] == hao.id
        assert checked_in_at(db, hao) is None and history_for("attendee", hao.id) == []
    assert press(client, event, attendee_id=hao.id, confirm="1").json["ok"] is True
    assert checked_in_at(db, hao) is not None


def test_a_refused_ticket_is_refused_before_any_confirmation_is_asked(client, login, db):
    ahead = utcnow() + timedelta(days=30)
    event = EventFactory(starts_at=ahead, ends_at=ahead + timedelta(hours=8))
    waiting = person(db, event, "钱多多", status=RegistrationStatus.WAITLISTED)
    login(event.organiser)
    assert press(client, event, attendee_id=waiting.id).json["code"] == "not_confirmed"


# --- without the desk's script ------------------------------------------------------------------------


def test_without_script_the_form_post_renders_the_list_and_each_pick_is_a_form(client, login, db, event, hao):
    login(event.organiser)
    page = client.post(f"/events/{event.id}/checkin/scan", data={"code": "郝"}).get_data(as_text=True)
    assert "找到 1 位参会人" in page and "包头晶研抛光材料有限公司" in page
    assert f'name="attendee_id" value="{hao.id}"' in page and 'value="郝"' in page
    done = client.post(f"/events/{event.id}/checkin/scan", data={"attendee_id": str(hao.id)})
    assert done.status_code == 200 and "签到成功" in done.get_data(as_text=True)
    assert checked_in_at(db, hao) is not None
    again = client.post(f"/events/{event.id}/checkin/scan", data={"attendee_id": str(hao.id)})
    assert again.status_code == 409 and "签到" in again.get_data(as_text=True)


def test_without_script_the_not_an_event_day_question_is_a_form_with_confirm(client, login, db):
    with time_machine.travel(datetime(2026, 12, 10, 2, 0), tick=False):
        event = EventFactory(starts_at=_beijing("2026-12-18 09:00"), ends_at=_beijing("2026-12-18 17:30"))
        hao = person(db, event, "郝建军")
        login(event.organiser)
        url = f"/events/{event.id}/checkin/scan"
        page = client.post(url, data={"attendee_id": str(hao.id)}).get_data(as_text=True)
        assert "活动日期是 2026-12-18，今天不是活动日，确定要签到吗？" in page
        assert 'name="confirm" value="1"' in page and checked_in_at(db, hao) is None
        done = client.post(url, data={"attendee_id": str(hao.id), "confirm": "1"})
        assert "签到成功" in done.get_data(as_text=True)
        assert checked_in_at(db, hao) == datetime(2026, 12, 10, 2, 0)


def test_no_desk_or_ticket_route_fails_on_hostile_input(app, db, client, login, event, hao):
    ids = {
        "event_id": event.id,
        "attendee_id": hao.id,
        "registration_id": hao.registration_id,
        "token": hao.ticket_token,
        "what": ["attendees", "checkin"],
        "fmt": ["xlsx", "csv"],
    }
    users = (event.organiser, hao.registration.user, UserFactory())
    db.session.commit()
    assert sweep_blueprint(app, client, login, "checkin", ids, users, ["code", "attendee_id", "confirm"]) == []
