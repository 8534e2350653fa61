"""Events themselves: the organiser's form, who may see and manage an event, the lifecycle, the public list
and detail, the .ics download, the dashboard and the close_registrations job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa
import time_machine

from app.core.enums import EventStatus, EventType, NotificationKind, RegistrationStatus, TicketType
from app.core.errors import DomainError, InvalidTransition, ValidationFailed
from app.core.models import history_for
from app.events.jobs import close_registrations
from app.events.models import Event, EventSession, Registration
from app.events.registration import AttendeeInput, register_for_event
from app.events.services import (
    cancel_event,
    close_event_registration,
    finish_event,
    publish_event,
    reopen_event_registration,
)
from app.notifications.models import Notification
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


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- creating and editing -----------------------------------------------------------------------------


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


# --- lifecycle ----------------------------------------------------------------------------------------


def test_lifecycle_draft_published_closed_reopened_finished(db):
    event = EventFactory(status=S.DRAFT)
    actor = event.organiser
    publish_event(event, actor)
    assert event.status == S.PUBLISHED and event.published_at is not None
    close_event_registration(event, actor)
    assert event.status == S.CLOSED
    reopen_event_registration(event, actor)
    assert event.status == S.PUBLISHED
    with pytest.raises(DomainError, match="尚未开始"):
        finish_event(event, actor)
    finish_event(event, actor, now=event.starts_at + timedelta(hours=1))
    assert event.status == S.FINISHED
    with pytest.raises(InvalidTransition, match="不能取消"):
        cancel_event(event, actor, "天气原因")
    assert [h.to_status for h in history_for("event", event.id)] == ["published", "closed", "published", "finished"]


def test_a_draft_whose_start_has_passed_cannot_be_published(db):
    event = EventFactory(status=S.DRAFT)
    with pytest.raises(DomainError, match="开始时间已过"):
        publish_event(event, event.organiser, now=event.starts_at + timedelta(minutes=1))
    assert event.status == S.DRAFT


def test_reopening_after_the_registration_deadline_is_refused(db):
    event = EventFactory(status=S.CLOSED)
    with pytest.raises(DomainError, match="报名截止时间已过"):
        reopen_event_registration(event, event.organiser, now=event.registration_closes_at + timedelta(minutes=1))


def test_cancelling_an_event_needs_a_reason_and_notifies_every_live_registrant(db):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    waitlisted = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    gone = RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    with pytest.raises(ValidationFailed, match="请填写取消原因"):
        cancel_event(event, event.organiser, "")
    assert cancel_event(event, event.organiser, "因暴雪延期举办") == 2
    assert event.status == S.CANCELLED and event.cancel_reason == "因暴雪延期举办"
    told = set(
        db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == NotificationKind.EVENT_CANCELLED))
    )
    assert told == {confirmed.user_id, waitlisted.user_id} and gone.user_id not in told
    assert history_for("event", event.id)[-1].reason == "因暴雪延期举办"


def test_close_registrations_job_closes_events_past_their_deadline_once(db):
    deadline = datetime(2026, 12, 10, 10, 0)
    with time_machine.travel(deadline - timedelta(days=3), tick=False):
        due = EventFactory(registration_closes_at=deadline, starts_at=deadline + timedelta(days=2))
        later = EventFactory(
            registration_closes_at=deadline + timedelta(days=1), starts_at=deadline + timedelta(days=2)
        )
        db.session.commit()
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert close_registrations(deadline - timedelta(minutes=1)) == 0
    for _ in range(2):
        with time_machine.travel(deadline + timedelta(minutes=2), tick=False):
            close_registrations(deadline + timedelta(minutes=2))
            db.session.commit()
    assert (due.status, later.status) == (S.CLOSED, S.PUBLISHED)
    assert [h.to_status for h in history_for("event", due.id)] == ["closed"]


# --- public pages -------------------------------------------------------------------------------------


def test_public_list_shows_published_closed_and_finished_events_only(db, client):
    shown = [EventFactory(title=f"公开活动{s.value}", status=s) for s in (S.PUBLISHED, S.CLOSED)]
    hidden = [EventFactory(title=f"隐藏活动{s.value}", status=s) for s in (S.DRAFT, S.CANCELLED)]
    db.session.commit()
    page = client.get("/events/").get_data(as_text=True)
    assert all(e.title in page for e in shown) and not any(e.title in page for e in hidden)


def test_public_list_filters_by_type_region_and_upcoming_or_past(db, client):
    now = datetime.now(UTC).replace(tzinfo=None)
    roadshow = EventFactory(title="包头路演", event_type=EventType.ROADSHOW, region="150200")
    EventFactory(title="呼市培训", event_type=EventType.TRAINING, region="150100")
    past = EventFactory(
        title="往期博览会", status=S.FINISHED, starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=29)
    )
    db.session.commit()
    by_type = client.get("/events/?type=roadshow").get_data(as_text=True)
    assert roadshow.title in by_type and "呼市培训" not in by_type
    by_region = client.get("/events/?region=150100").get_data(as_text=True)
    assert "呼市培训" in by_region and roadshow.title not in by_region
    upcoming = client.get("/events/").get_data(as_text=True)
    assert past.title not in upcoming
    assert past.title in client.get("/events/?when=past").get_data(as_text=True)
    junk = client.get("/events/?type=party&region=abc&when=zzz&page=99999999999")
    assert junk.status_code == 200 and roadshow.title in junk.get_data(as_text=True)  # unknown filters are ignored


def test_detail_page_shows_agenda_seats_left_and_the_register_button(db, client, login):
    event = EventFactory(capacity=10)
    event.sessions.append(
        EventSession(
            title="稀土永磁成果发布",
            room="报告厅",
            starts_at=event.starts_at,
            ends_at=event.starts_at + timedelta(hours=1),
        )
    )
    RegistrationFactory(event=event, seats=3)
    user = UserFactory()
    db.session.commit()
    anonymous = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "稀土永磁成果发布" in anonymous and "剩余 7 / 10" in anonymous and "登录后报名" in anonymous
    login(user)
    assert "立即报名" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_ics_has_utc_times_location_description_and_url(db, client):
    event = EventFactory(
        title="资本市场培训",
        description="北交所上市路径",
        venue="鄂尔多斯创业大厦",
        starts_at=datetime(2026, 12, 11, 1, 30),  # 09:30 Beijing
        ends_at=datetime(2026, 12, 11, 4, 0),
        registration_closes_at=None,
    )
    db.session.commit()
    resp = client.get(f"/events/{event.id}.ics")
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    item = icalendar.Calendar.from_ical(resp.data).walk("VEVENT")[0]
    assert item.decoded("dtstart") == datetime(2026, 12, 11, 1, 30, tzinfo=UTC)
    assert item.decoded("dtend") == datetime(2026, 12, 11, 4, 0, tzinfo=UTC)
    assert str(item["summary"]) == "资本市场培训" and str(item["location"]) == "鄂尔多斯创业大厦"
    assert "北交所上市路径" in str(item["description"])
    assert str(item["url"]).endswith(f"/events/{event.id}")


def test_manage_dashboard_counts_registrations_by_status_and_check_ins(db, client, login):
    event = EventFactory(capacity=4)
    first = RegistrationFactory(event=event, seats=3)
    RegistrationFactory(event=event, seats=2, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    first.attendees[0].checked_in_at = datetime(2026, 12, 1)
    db.session.commit()
    login(event.organiser)
    from app.events.listing import dashboard_counts

    assert dashboard_counts(event) == {
        "orgs": 3, "attendees": 6, "confirmed": 3, "waitlisted": 2, "pending": 1, "checked_in": 1
    }  # fmt: skip
    page = client.get(f"/events/{event.id}/manage").get_data(as_text=True)
    assert "审核报名（1）" in page and first.org.name in page


# --- registration pages -------------------------------------------------------------------------------


def test_registering_through_the_page_twice_with_one_token_creates_one_registration(db, client, login):
    event = EventFactory(capacity=5)
    user = UserFactory()
    db.session.commit()
    login(user)
    form = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert user.name in form  # the first attendee is filled in with the user
    data = {"form_token": "same-token", "attendees-0-name": "王强", "attendees-0-phone": "13912345678"}
    first = client.post(f"/events/{event.id}/register", data=data)
    second = client.post(f"/events/{event.id}/register", data=data, follow_redirects=True)
    assert first.status_code == 302 and "请勿重复提交" in second.get_data(as_text=True)
    assert count(db, Registration) == 1
    mine = client.get("/events/mine").get_data(as_text=True)
    assert event.title in mine and "已确认" in mine


def test_registration_page_shows_phone_errors_and_saves_nothing(db, client, login):
    event = EventFactory()
    user = UserFactory()
    db.session.commit()
    login(user)
    resp = client.post(
        f"/events/{event.id}/register",
        data={"form_token": "t", "attendees-0-name": "王强", "attendees-0-phone": "110"},
    )
    assert resp.status_code == 422 and "联系电话格式不正确" in resp.get_data(as_text=True)
    assert count(db, Registration) == 0


def test_registration_page_takes_an_attendees_e_mail_and_refuses_a_malformed_one(db, client, login):
    event = EventFactory()
    user = UserFactory()
    db.session.commit()
    login(user)
    person = {"attendees-0-name": "王强", "attendees-0-phone": "13912345678"}
    bad = client.post(f"/events/{event.id}/register", data={"form_token": "a", **person, "attendees-0-email": "王强@"})
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.get_data(as_text=True)
    assert count(db, Registration) == 0
    good = client.post(
        f"/events/{event.id}/register", data={"form_token": "b", **person, "attendees-0-email": "wq@nmg.cn"}
    )
    assert good.status_code == 302
    assert db.session.scalar(sa.select(Registration)).attendees[0].email == "wq@nmg.cn"


def test_waitlisted_registration_shows_its_queue_position(db, client, login):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    mine = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    login(mine.user)
    assert "候补第 2 位" in client.get("/events/mine").get_data(as_text=True)


def test_another_organisations_registration_cannot_be_edited_or_cancelled(db, client, login):
    reg = RegistrationFactory()
    stranger = UserFactory()
    db.session.commit()
    login(stranger)
    assert client.get(f"/events/registrations/{reg.id}/edit").status_code == 404
    assert client.post(f"/events/registrations/{reg.id}/cancel").status_code == 404
    assert client.get("/events/registrations/99999999999/edit").status_code == 404
    db.session.expire_all()
    assert reg.status == RegistrationStatus.CONFIRMED


def test_registrant_cancels_through_the_page_and_the_waitlist_moves_up(db, client, login):
    event = EventFactory(capacity=1)
    reg = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    db.session.commit()
    login(reg.user)
    assert client.post(f"/events/registrations/{reg.id}/cancel").status_code == 302
    db.session.expire_all()
    assert (reg.status, waiting.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED)


def test_demo_seed_adds_the_six_season_events_with_registrations(db):
    from app.demo.services import seed_demo

    with time_machine.travel(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), tick=False):
        counts = seed_demo()
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    assert counts["events"] == 6 and {e.event_type for e in events} == set(EventType)
    assert all(e.status == S.PUBLISHED for e in events)
    assert counts["event_registrations"] >= 20
    for event in events:
        confirmed = [r for r in event.registrations if r.status == RegistrationStatus.CONFIRMED]
        assert event.seats_taken == sum(r.seats for r in confirmed)


def test_a_demo_loaded_months_later_still_has_its_season_ahead_and_open(db):
    from app.demo.services import seed_demo

    later = datetime(2027, 8, 3, 2, 0, tzinfo=UTC)  # after every date written into the demo season
    with time_machine.travel(later, tick=False):
        counts = seed_demo()
    events = db.session.scalars(sa.select(Event)).all()
    assert counts["events"] == 6 and all(e.status == S.PUBLISHED for e in events)
    assert all(e.starts_at > later.replace(tzinfo=None) for e in events)
    assert counts["event_registrations"] >= 20


def test_the_edit_page_of_a_closed_registration_sends_the_registrant_back(db, client, login):
    event = EventFactory(status=S.CLOSED)
    reg = RegistrationFactory(event=event)
    db.session.commit()
    login(reg.user)
    resp = client.get(f"/events/registrations/{reg.id}/edit", follow_redirects=True)
    assert "报名已截止" in resp.get_data(as_text=True)
    resp = client.post(
        f"/events/registrations/{reg.id}/edit",
        data={"attendees-0-name": "新人", "attendees-0-phone": "13912345678"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert [a.name for a in reg.attendees] != ["新人"]


def test_the_register_page_of_an_already_registered_organisation_opens_its_registration(db, client, login):
    reg = RegistrationFactory()
    db.session.commit()
    login(reg.user)
    resp = client.get(f"/events/{reg.event_id}/register")
    assert resp.status_code == 302 and resp.location.endswith(f"/events/registrations/{reg.id}/edit")


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


def test_the_register_page_of_a_closed_event_says_registration_is_closed(db, client, login):
    event = EventFactory(status=S.CLOSED)
    user = UserFactory()
    db.session.commit()
    login(user)
    resp = client.post(
        f"/events/{event.id}/register",
        data={"attendees-0-name": "王强", "attendees-0-phone": "13912345678"},
        follow_redirects=True,
    )
    assert "该活动当前不接受报名" in resp.get_data(as_text=True)
    assert count(db, Registration) == 0
