"""The check-in desk: each ticket admitted once, the refusals, the organiser-only desk, its counts and the undo."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.auth.sessions import SESSION_VERSION_KEY
from app.core.enums import EventStatus, RegistrationStatus, TicketType
from app.core.models import history_for, utcnow
from app.core.web import local_time
from app.events.checkin.services import CheckinRefused, check_in_ticket, checkin_counts
from app.events.checkin.tickets import sign_ticket
from app.events.models import Attendee, Event
from tests.events.helpers import event_under_way
from tests.factories import (
    AdminFactory,
    EventFactory,
    OrganiserFactory,
    RegistrationFactory,
    TicketCategoryFactory,
    UserFactory,
)

NINE_TWELVE_BEIJING = datetime(2026, 12, 5, 1, 12, tzinfo=UTC)


def scan(client, event, code):
    return client.post(f"/events/{event.id}/checkin/scan", json={"code": code})


def desk(login, event):
    return login(event.organiser)


def test_qr_payload_checks_the_attendee_in(client, login, db, event, attendee):
    desk(login, event)
    resp = scan(client, event, sign_ticket(attendee.ticket_token))
    assert resp.status_code == 200
    assert resp.json["ok"] is True
    assert resp.json["attendee"]["name"] == attendee.name
    assert resp.json["attendee"]["org"] == attendee.registration.org.name
    db.session.expire_all()
    assert attendee.checked_in_at is not None
    assert attendee.checked_in_by_id == event.organiser_id


def test_typed_short_code_checks_in_whatever_its_case_and_dashes(client, login, db, event, attendee):
    desk(login, event)
    typed = f" {attendee.short_code[:4].lower()}-{attendee.short_code[4:].lower()} "
    assert scan(client, event, typed).json["ok"] is True


def test_second_scan_says_already_checked_in_with_the_time_of_the_first(client, login, db, event, attendee):
    event.starts_at, event.ends_at = datetime(2026, 12, 5, 0, 30), datetime(2026, 12, 5, 9, 0)
    db.session.commit()
    with time_machine.travel(NINE_TWELVE_BEIJING, tick=False):
        desk(login, event)  # signed in at the moment travelled to: a session cookie from "later" is refused
        assert scan(client, event, attendee.short_code).json["ok"] is True
    with time_machine.travel(NINE_TWELVE_BEIJING.replace(minute=40), tick=False):
        again = scan(client, event, sign_ticket(attendee.ticket_token))
    assert again.status_code == 409
    assert again.json["code"] == "already"
    assert again.json["message"] == "已于 09:12 签到"
    db.session.expire_all()
    assert attendee.checked_in_at == NINE_TWELVE_BEIJING.replace(tzinfo=None)


def test_ticket_of_another_event_is_refused(client, login, db, event):
    other = RegistrationFactory().attendees[0]
    db.session.commit()
    desk(login, event)
    for code in (sign_ticket(other.ticket_token), other.short_code):
        resp = scan(client, event, code)
        assert resp.json["code"] == "other_event"
        assert "另一场活动的票" in resp.json["message"]
    db.session.expire_all()
    assert other.checked_in_at is None


@pytest.mark.parametrize(
    ("status", "code", "text"),
    [
        (RegistrationStatus.CANCELLED, "cancelled", "报名已取消"),
        (RegistrationStatus.WAITLISTED, "not_confirmed", "候补中"),
        (RegistrationStatus.PENDING, "not_confirmed", "待审核"),
    ],
)
def test_ticket_of_a_registration_that_is_not_confirmed_is_refused(client, login, db, event, status, code, text):
    held = RegistrationFactory(event=event, status=status).attendees[0]
    db.session.commit()
    desk(login, event)
    resp = scan(client, event, held.short_code)
    assert (resp.json["ok"], resp.json["code"]) == (False, code)
    assert text in resp.json["message"]
    db.session.expire_all()
    assert held.checked_in_at is None


def test_tickets_of_a_cancelled_event_are_refused(client, login, db, event, attendee):
    event.status = EventStatus.CANCELLED
    db.session.commit()
    desk(login, event)
    resp = scan(client, event, attendee.short_code)
    assert resp.json["code"] == "event_cancelled"
    assert resp.json["message"] == "活动已取消，不能签到"


@pytest.mark.parametrize("typed", ["", "ZZZZZZZZ", "hello world", "x" * 5000])
def test_unknown_or_malformed_code_is_refused_with_a_message(client, login, db, event, attendee, typed):
    desk(login, event)
    resp = scan(client, event, typed)
    assert resp.status_code == 409
    assert resp.json["ok"] is False and resp.json["message"]


def test_scan_without_json_body_is_refused_not_a_crash(client, login, event, attendee):
    desk(login, event)
    resp = client.post(f"/events/{event.id}/checkin/scan", data="garbage", content_type="application/json")
    assert resp.status_code == 409
    assert resp.json["code"] == "empty"


@pytest.mark.slow
def test_ten_simultaneous_scans_of_one_ticket_admit_it_exactly_once(app, db, event, attendee):
    payload = sign_ticket(attendee.ticket_token)
    event_id, organiser_id = event.id, event.organiser_id
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def scan_once():
        with app.app_context():
            from app.auth.models import User

            desk_event, actor = db.session.get(Event, event_id), db.session.get(User, organiser_id)
            barrier.wait()
            try:
                check_in_ticket(desk_event, payload, actor)
                db.session.commit()
                outcomes.append("ok")
            except CheckinRefused as refused:
                db.session.rollback()
                outcomes.append(refused.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan_once) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["already"] * 9 + ["ok"]
    assert len([c for c in history_for("attendee", attendee.id) if c.to_status == "checked_in"]) == 1


@pytest.mark.parametrize("who", ["another organiser", "a user", "the registrant"])
def test_only_the_organiser_or_an_admin_reaches_the_desk(client, login, db, event, attendee, who):
    user = {
        "another organiser": OrganiserFactory,
        "a user": UserFactory,
        "the registrant": lambda: attendee.registration.user,
    }[who]()
    db.session.commit()
    login(user)
    base = f"/events/{event.id}"
    for url in (f"{base}/checkin", f"{base}/checkin/stats", f"{base}/exports/attendees.xlsx"):
        assert client.get(url).status_code == 404, url
    assert scan(client, event, attendee.short_code).status_code == 404
    assert client.post(f"{base}/checkin/{attendee.id}/undo").status_code == 404
    db.session.expire_all()
    assert attendee.checked_in_at is None


def test_platform_admin_runs_any_desk(client, login, db, event, attendee):
    admin = AdminFactory()
    db.session.commit()
    login(admin)
    assert client.get(f"/events/{event.id}/checkin").status_code == 200
    assert scan(client, event, attendee.short_code).json["ok"] is True


def test_anonymous_visitor_is_sent_to_log_in(client, event):
    resp = client.get(f"/events/{event.id}/checkin")
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


def test_desk_page_loads_its_scripts_from_this_site_only(client, login, event):
    desk(login, event)
    html = client.get(f"/events/{event.id}/checkin").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r'data-jsqr-url="([^"]+)"', html)
    assert "/static/vendor/jsqr/jsQR.js" in sources
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []
    assert client.get("/static/vendor/jsqr/jsQR.js").status_code == 200


def test_desk_of_a_missing_event_is_404(client, login, event):
    desk(login, event)
    assert client.get("/events/999999/checkin").status_code == 404
    assert client.get(f"/events/{2**40}/checkin").status_code == 404


def csrf_desk(make_app, **config):
    """A client of an app with CSRF checks on, signed in as an event's organiser: (client, event id, a
    ticket's short code)."""
    app = make_app(WTF_CSRF_ENABLED=True, **config)
    client = app.test_client()
    with app.app_context():
        from app.extensions import db

        event = event_under_way()
        attendee = RegistrationFactory(event=event).attendees[0]
        db.session.commit()
        event_id, organiser_id, code = event.id, event.organiser_id, attendee.short_code
    with client.session_transaction() as sess:
        sess["_user_id"], sess[SESSION_VERSION_KEY] = str(organiser_id), 0
    return client, event_id, code


def test_scan_needs_the_csrf_token_in_a_header(make_app):
    client, event_id, code = csrf_desk(make_app)
    url = f"/events/{event_id}/checkin/scan"
    assert client.post(url, json={"code": code}).status_code == 400
    page = client.get(f"/events/{event_id}/checkin").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post(url, json={"code": code}, headers={"X-CSRFToken": token}).json["ok"] is True


def test_desk_polling_hands_out_a_fresh_csrf_token_so_an_all_day_desk_keeps_working(make_app):
    with time_machine.travel(NINE_TWELVE_BEIJING, tick=False):
        client, event_id, code = csrf_desk(make_app, WTF_CSRF_TIME_LIMIT=60)
        page = client.get(f"/events/{event_id}/checkin").get_data(as_text=True)
        stale = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    with time_machine.travel(NINE_TWELVE_BEIJING.replace(hour=5), tick=False):
        url = f"/events/{event_id}/checkin/scan"
        assert client.post(url, json={"code": code}, headers={"X-CSRFToken": stale}).status_code == 400
        fresh = client.get(f"/events/{event_id}/checkin/stats").json["csrf"]
        assert client.post(url, json={"code": code}, headers={"X-CSRFToken": fresh}).json["ok"] is True


def test_counts_are_per_ticket_type_of_confirmed_attendees(client, login, db, event):
    visitors = TicketCategoryFactory(event=event, ticket_type=TicketType.VISITOR)
    exhibitors = TicketCategoryFactory(event=event, ticket_type=TicketType.EXHIBITOR)
    came = RegistrationFactory(event=event, ticket_category=visitors, seats=3)
    RegistrationFactory(event=event, ticket_category=exhibitors, seats=2)
    RegistrationFactory(event=event, ticket_category=visitors, status=RegistrationStatus.CANCELLED)
    db.session.commit()
    desk(login, event)
    for a in came.attendees[:2]:
        scan(client, event, a.short_code)
    stats = client.get(f"/events/{event.id}/checkin/stats").json
    assert [(c["label"], c["registered"], c["checked_in"]) for c in stats["counts"]] == [
        ("观众", 3, 2),
        ("参展商", 2, 0),
        ("合计", 5, 2),
    ]
    assert {r["name"] for r in stats["recent"]} == {a.name for a in came.attendees[:2]}


def test_attendees_without_a_ticket_type_count_as_ordinary_tickets(db, event, attendee):
    assert [(c.label, c.registered) for c in checkin_counts(event)] == [("普通票", 1), ("合计", 1)]


def test_undo_takes_back_a_check_in_and_is_audited(client, login, db, event, attendee):
    desk(login, event)
    scan(client, event, attendee.short_code)
    resp = client.post(f"/events/{event.id}/checkin/{attendee.id}/undo", headers={"Accept": "application/json"})
    assert resp.json["ok"] is True
    db.session.expire_all()
    assert attendee.checked_in_at is None and attendee.checked_in_by_id is None
    changes = [(c.from_status, c.to_status, c.actor_id) for c in history_for("attendee", attendee.id)]
    assert changes[-1] == ("checked_in", "not_checked_in", event.organiser_id)
    assert scan(client, event, attendee.short_code).json["ok"] is True


def test_undo_of_someone_not_checked_in_changes_nothing(client, login, db, event, attendee):
    desk(login, event)
    resp = client.post(f"/events/{event.id}/checkin/{attendee.id}/undo", headers={"Accept": "application/json"})
    assert resp.status_code == 409
    assert "尚未签到" in resp.json["message"]
    assert history_for("attendee", attendee.id) == []


def test_undo_of_another_events_attendee_is_404(client, login, db, event):
    other = RegistrationFactory().attendees[0]
    db.session.commit()
    desk(login, event)
    assert client.post(f"/events/{event.id}/checkin/{other.id}/undo").status_code == 404


def test_checked_in_attendee_row_is_unchanged_by_a_refused_scan(client, login, db, event, attendee):
    desk(login, event)
    scan(client, event, attendee.short_code)
    db.session.expire_all()
    first = db.session.scalar(sa.select(Attendee.checked_in_at).where(Attendee.id == attendee.id))
    scan(client, event, attendee.short_code)
    assert db.session.scalar(sa.select(Attendee.checked_in_at).where(Attendee.id == attendee.id)) == first


def test_recent_check_ins_of_an_earlier_day_of_the_fair_carry_their_date(client, login, db):
    now = utcnow().replace(microsecond=0)
    fair = EventFactory(starts_at=now - timedelta(days=1, hours=2), ends_at=now + timedelta(hours=8))
    yesterday, today = RegistrationFactory(event=fair).attendees[0], RegistrationFactory(event=fair).attendees[0]
    yesterday.checked_in_at, today.checked_in_at = now - timedelta(days=1), now - timedelta(minutes=5)
    db.session.commit()
    desk(login, fair)
    recent = {r["name"]: r["checked_in_at"] for r in client.get(f"/events/{fair.id}/checkin/stats").json["recent"]}
    assert recent[yesterday.name] == local_time(yesterday.checked_in_at, "%m-%d %H:%M")
    assert recent[today.name] == local_time(today.checked_in_at, "%H:%M")
