"""The organiser's event form: creating and editing an event, who may, and hostile input on the event pages."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.core.enums import EventStatus, RegistrationStatus, TicketType
from app.core.models import history_for
from app.events.models import Event, Registration
from app.events.registration.services import AttendeeInput, register_for_event
from tests.events.helpers import count
from tests.factories import AdminFactory, EventFactory, OrganiserFactory, RegistrationFactory, UserFactory

S = EventStatus


def form_data(**changes) -> dict:
    data = {
        "event_type": "docking",
        "title": "稀土新材料产学研对接会",
        "description": "成果发布与一对一洽谈",
        "starts_at": "2027-01-15T09:00",
        "ends_at": "2027-01-15T17:30",
        "venue": "包头稀土高新区科技创新中心",
        "region": "150200",
        "registration_closes_at": "2027-01-14T18:00",
        "capacity": "120",
        "audience": ["university", "sme"],
        "requires_approval": "y",
        "sessions-0-title": "成果发布",
        "sessions-0-room": "报告厅",
        "sessions-0-starts_at": "2027-01-15T09:00",
        "sessions-0-ends_at": "2027-01-15T11:30",
        "sessions-0-capacity": "80",
        "sessions-1-title": "",
        "tickets-0-enabled": "y",  # rows follow TicketType order: 0 观众, 1 参展商, …
        "tickets-0-quota": "100",
        "tickets-1-quota": "5",
    }
    data.update(changes)
    return data


def test_organiser_creates_a_draft_event_with_beijing_times_sessions_and_ticket_categories(db, client, login):
    organiser = OrganiserFactory()
    db.session.commit()
    login(organiser)
    assert client.get("/events/new").status_code == 200
    resp = client.post("/events/new", data=form_data())
    assert resp.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.status == S.DRAFT and event.organiser_id == organiser.id
    assert event.starts_at == datetime(2027, 1, 15, 1, 0)  # 09:00 Beijing is 01:00 UTC
    assert event.audience == ["university", "sme"] and event.requires_approval and event.capacity == 120
    assert [(s.title, s.room, s.capacity) for s in event.sessions] == [("成果发布", "报告厅", 80)]
    assert [(c.ticket_type, c.quota) for c in event.ticket_categories] == [(TicketType.VISITOR, 100)]
    assert history_for("event", event.id)[0].to_status == "draft"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2027-01-15T08:00"}, "结束时间不能早于开始时间"),
        ({"registration_closes_at": "2027-01-15T10:00"}, "报名截止时间不能晚于活动开始时间"),
        ({"capacity": "-5"}, "人数上限应为 0 到 100000"),
        ({"capacity": "99999999999999999999"}, "人数上限应为 0 到 100000"),
        ({"capacity": "很多"}, "不是有效的整数"),
        ({"starts_at": "明天上午"}, "时间格式不正确"),
        ({"title": "   "}, "请填写活动名称"),
        ({"event_type": "party"}, "请选择活动类型"),
        ({"venue": "", "online_url": ""}, "请填写举办地点"),
        ({"online_url": "javascript:alert(1)"}, "http:// 或 https://"),
        ({"sessions-0-ends_at": "2027-01-15T08:00"}, "结束时间不能早于开始时间"),
        ({"sessions-0-starts_at": "2027-01-16T09:00", "sessions-0-ends_at": "2027-01-16T10:00"}, "活动起止时间之内"),
        ({"tickets-0-quota": "-1"}, "观众名额应为 0 到 100000"),
        ({"tickets-0-name": "票" * 101}, "观众的显示名称不超过 100 字"),
    ],
)
def test_event_form_bad_input_gets_a_chinese_message_and_saves_nothing(db, client, login, changes, message):
    organiser = OrganiserFactory()
    db.session.commit()
    login(organiser)
    resp = client.post("/events/new", data=form_data(**changes))
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert count(db, Event) == 0


def test_only_organisers_and_platform_admins_may_create_events(db, client, login):
    member = UserFactory()
    db.session.commit()
    login(member)
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=form_data()).status_code == 403
    assert count(db, Event) == 0


def test_another_organisers_draft_is_not_found(db, client, login):
    draft = EventFactory(status=S.DRAFT)
    other = OrganiserFactory()
    db.session.commit()
    login(other)
    for path in ("", "/manage", "/edit", ".ics"):
        assert client.get(f"/events/{draft.id}{path}").status_code == 404, path
    assert client.post(f"/events/{draft.id}/publish").status_code == 404
    db.session.expire_all()
    assert db.session.get(Event, draft.id).status == S.DRAFT


def test_another_organisers_published_event_is_public_but_not_manageable(db, client, login):
    event = EventFactory()
    other = OrganiserFactory()
    db.session.commit()
    login(other)
    assert client.get(f"/events/{event.id}").status_code == 200
    assert client.get(f"/events/{event.id}/manage").status_code == 404
    assert client.post(f"/events/{event.id}/capacity", data={"capacity": "1"}).status_code == 404


def test_platform_admin_manages_every_event(db, client, login):
    draft = EventFactory(status=S.DRAFT)
    admin = AdminFactory()
    db.session.commit()
    login(admin)
    assert client.get(f"/events/{draft.id}/manage").status_code == 200
    assert client.post(f"/events/{draft.id}/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, draft.id).status == S.PUBLISHED


def test_editing_keeps_session_ids_and_a_raised_ticket_quota_promotes_the_waitlist(db, client, login):
    organiser = OrganiserFactory()
    db.session.commit()
    login(organiser)
    client.post("/events/new", data=form_data(requires_approval="", **{"tickets-0-quota": "1"}))
    event = db.session.scalar(sa.select(Event))
    session_id = event.sessions[0].id
    client.post(f"/events/{event.id}/publish")
    visitor = event.ticket_categories[0]
    regs = [register_for_event(event.id, UserFactory(), [AttendeeInput("王强", "13912345678")])[0] for _ in range(2)]
    db.session.commit()
    assert [r.status for r in regs] == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    resp = client.post(
        f"/events/{event.id}/edit",
        data=form_data(requires_approval="", **{"sessions-0-id": str(session_id), "tickets-0-quota": "2"}),
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert [s.id for s in db.session.get(Event, event.id).sessions] == [session_id]
    assert regs[1].status == RegistrationStatus.CONFIRMED and visitor.taken == 2


def test_capacity_below_confirmed_seats_is_refused_on_the_form(db, client, login):
    event = EventFactory(capacity=5)
    RegistrationFactory(event=event, seats=3)
    db.session.commit()
    login(event.organiser)
    resp = client.post(f"/events/{event.id}/capacity", data={"capacity": "abc"}, follow_redirects=True)
    assert "人数上限应为 0 到 100000 之间的整数" in resp.get_data(as_text=True)
    resp = client.post(f"/events/{event.id}/capacity", data={"capacity": "2"}, follow_redirects=True)
    assert "已确认 3 人" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 5


HUGE = "长" * 5000


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/events/{e}/capacity", {"capacity": "9" * 40}),
        ("/events/{e}/cancel", {"reason": HUGE}),
        ("/events/{e}/approvals", {"ids": ["x", "-1", "9" * 30], "action": "reject", "reason": HUGE}),
        ("/events/{e}/edit", {**form_data(), "title": HUGE, "venue": HUGE, "contact": HUGE}),
        ("/events/{e}/edit", {**form_data(), "sessions-0-title": HUGE, "tickets-9-enabled": "y"}),
        ("/events/{e}/register", {"form_token": HUGE, "attendees-0-name": HUGE, "attendees-0-phone": HUGE}),
        ("/events/{e}/register", {"attendees-0-name": "王强", "attendees-0-phone": "13912345678", "note": HUGE}),
        ("/events/{e}/register", {f"attendees-{i}-name": f"人{i}" for i in range(25)} | {"ticket_category": "abc"}),
    ],
)
def test_hostile_input_on_event_pages_gets_a_message_and_changes_nothing(db, client, login, path, data):
    event = EventFactory(capacity=5, title="原标题")
    user = UserFactory()
    db.session.commit()
    login(event.organiser if "register" not in path else user)
    resp = client.post(path.format(e=event.id), data=data)
    assert resp.status_code in (302, 422)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title, event.capacity, event.status) == ("原标题", 5, S.PUBLISHED)
    assert count(db, Registration) == 0


def test_a_finished_or_cancelled_event_cannot_be_edited(db, client, login):
    event = EventFactory(status=S.CANCELLED)
    db.session.commit()
    login(event.organiser)
    resp = client.post(f"/events/{event.id}/edit", data=form_data(title="改了"), follow_redirects=True)
    assert "活动已取消，不能再修改" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).title != "改了"
