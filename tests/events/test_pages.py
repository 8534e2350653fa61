"""The public list and detail, the .ics download and the organiser's dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from app.core.enums import EventStatus, EventType, RegistrationStatus, TicketType
from app.events.models import EventSession
from tests.factories import EventFactory, RegistrationFactory, TicketCategoryFactory, UserFactory

S = EventStatus


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


def test_a_visitor_is_not_offered_to_register_for_an_event_under_way(db, client):
    now = datetime.now(UTC).replace(tzinfo=None)
    under_way = EventFactory(
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(hours=5),
        registration_closes_at=now - timedelta(days=1),
        requires_approval=True,
    )
    db.session.commit()
    page = client.get(f"/events/{under_way.id}").get_data(as_text=True)
    assert "活动已开始，报名已截止" in page and "登录后报名" not in page and "报名需审核" not in page
    assert "已报名的机构请登录，查看电子票" in page


def test_a_ticket_type_without_its_own_quota_says_so_instead_of_standing_bare(db, client):
    event = EventFactory()
    TicketCategoryFactory(event=event, ticket_type=TicketType.PRESENTER, quota=40)
    TicketCategoryFactory(event=event)  # 观众, no quota of its own
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "路演企业：剩余 40 / 40" in page and "观众：不单独限额（占活动总名额）" in page
