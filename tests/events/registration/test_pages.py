"""The registrant's pages: register (once per form token), edit, cancel, 我的报名 and the queue position."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.core.enums import EventStatus, RegistrationStatus
from app.core.models import utcnow
from app.events.models import Registration
from tests.events.helpers import count
from tests.factories import EventFactory, RegistrationFactory, UserFactory

S = EventStatus


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
    assert "报名已截止" in resp.get_data(as_text=True)
    assert count(db, Registration) == 0


def test_my_registrations_offer_no_cancel_button_once_the_event_has_started(db, client, login):
    ahead = RegistrationFactory(event__title="下月的培训")
    now = utcnow()
    started = RegistrationFactory(
        org=ahead.org,
        user=ahead.user,
        event__title="正在进行的对接会",
        event__starts_at=now - timedelta(hours=2),
        event__ends_at=now + timedelta(hours=6),
        event__registration_closes_at=now - timedelta(days=1),
    )
    db.session.commit()
    login(ahead.user)

    mine = client.get("/events/mine").get_data(as_text=True)

    cards = {title: mine.split(title)[1].split('<div class="col">')[0] for title in ("下月的培训", "正在进行的对接会")}
    assert f"/events/registrations/{ahead.id}/cancel" in cards["下月的培训"]
    assert f"/events/registrations/{started.id}/cancel" not in mine  # cancel_registration would refuse it
    assert "电子票" in cards["正在进行的对接会"]
