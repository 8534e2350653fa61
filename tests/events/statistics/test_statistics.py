"""活动统计: an organiser reads an event's registrations by day, status, organisation type and region, the
check-in rate and the 1:1 meetings funnel, as charts and tables, and downloads them; nobody else sees the page."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from app.core.enums import EventType, MeetingOutcome, MeetingRequestStatus, OrgType, RegistrationStatus
from app.events.meetings.models import Meeting, MeetingRequest, MeetingSlot, MeetingTable
from tests.conftest import login_as
from tests.factories import AdminFactory, EventFactory, OrganiserFactory, OrgFactory, RegistrationFactory, UserFactory

RS = RegistrationStatus
MRS = MeetingRequestStatus


def register(event, *, status=RS.CONFIRMED, at=datetime(2026, 11, 2, 2, 0), seats=1, **org):
    org = OrgFactory(**{"org_type": OrgType.SME, "region": "150100", **org})
    return RegistrationFactory(event=event, org=org, status=status, seats=seats, created_at=at)


def sheets(client, event) -> dict[str, list[list]]:
    """The statistics download: {sheet title: rows (header first)}."""
    resp = client.get(f"/events/{event.id}/statistics?format=xlsx")
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def table(client, event, title) -> dict:
    """A sheet as {first cell: the rest of its row}."""
    return {row[0]: tuple(row[1:]) for row in sheets(client, event)[title][1:]}


def charts(page: str) -> list[dict]:
    return [json.loads(html.unescape(m)) for m in re.findall(r'data-chart="([^"]+)"', page)]


@pytest.fixture
def event(db):
    event = EventFactory(event_type=EventType.DOCKING)
    db.session.commit()
    return event


@pytest.fixture
def organiser(client, event):
    login_as(client, event.organiser)
    return event.organiser


def test_registrations_by_status_count_organisations_and_seats(client, db, event, organiser):
    register(event, seats=1)
    register(event, seats=3)
    register(event, status=RS.WAITLISTED, seats=2)
    register(event, status=RS.CANCELLED)
    db.session.commit()
    got = table(client, event, "报名状态")
    assert got["已确认"] == (2, 4)
    assert got["候补中"] == (1, 2)
    assert got["已取消"] == (1, 1)
    assert got["待审核"] == got["未通过"] == (0, 0)


def test_registrations_by_day_are_by_beijing_date_with_empty_days_and_a_running_total(client, db, event, organiser):
    register(event, at=datetime(2026, 11, 1, 15, 30))  # 11-01 23:30 Beijing
    register(event, at=datetime(2026, 11, 1, 16, 30))  # 11-02 00:30 Beijing
    register(event, at=datetime(2026, 11, 4, 1, 0), status=RS.CANCELLED)  # counted on the day it was made
    db.session.commit()
    rows = sheets(client, event)["按日报名"][1:]
    assert rows == [
        ["2026-11-01", 1, 1],
        ["2026-11-02", 1, 2],
        ["2026-11-03", 0, 2],
        ["2026-11-04", 1, 3],
    ]
    line = next(c for c in charts(client.get(f"/events/{event.id}/statistics").text) if c["kind"] == "line")
    assert line["labels"] == ["11月1日", "11月2日", "11月3日", "11月4日"]
    assert [s["values"] for s in line["series"]] == [[1, 1, 0, 1], [1, 2, 2, 3]]


def test_organisation_types_and_regions_count_live_registrations_only(client, db, event, organiser):
    register(event, org_type=OrgType.UNIVERSITY, region="150100")
    register(event, org_type=OrgType.SME, region="150200", status=RS.WAITLISTED)
    register(event, org_type=OrgType.SME, region="150200", status=RS.PENDING)
    register(event, org_type=OrgType.LARGE, region="150600", status=RS.CANCELLED)
    register(event, org_type=OrgType.LARGE, region="150600", status=RS.REJECTED)
    db.session.commit()
    assert table(client, event, "报名机构类型") == {"高校": (1,), "中小企业": (2,)}
    assert table(client, event, "报名机构盟市") == {"包头市": (2,), "呼和浩特市": (1,)}


def test_the_check_in_rate_is_checked_in_attendees_of_confirmed_registrations(client, db, event, organiser):
    confirmed = register(event, seats=4)
    confirmed.attendees[0].checked_in_at = datetime(2026, 12, 1, 2, 0)
    waiting = register(event, status=RS.WAITLISTED, seats=2)
    waiting.attendees[0].checked_in_at = datetime(2026, 12, 1, 2, 0)  # not one of the expected: not counted
    db.session.commit()
    got = table(client, event, "签到")
    assert got["已确认参会人"][0] == 4
    assert got["已签到"] == (1, "25.0%")


def test_no_attendee_means_no_check_in_rate_rather_than_an_error(client, event, organiser):
    assert table(client, event, "签到")["已签到"] == (0, "—")
    assert client.get(f"/events/{event.id}/statistics").status_code == 200


@pytest.fixture
def meetings(db, event):
    """Five requests: pending, declined, accepted and met, accepted with intent, accepted then cancelled."""
    orgs = [OrgFactory() for _ in range(6)]
    slot = MeetingSlot(event_id=event.id, starts_at=event.starts_at, ends_at=event.starts_at + timedelta(minutes=20))
    tables = [MeetingTable(event_id=event.id, name=f"{i}号桌", position=i) for i in range(2)]
    db.session.add_all([slot, *tables])
    db.session.flush()
    plan = [(MRS.PENDING, None), (MRS.DECLINED, None), (MRS.ACCEPTED, MeetingOutcome.MET)]
    plan += [(MRS.ACCEPTED, MeetingOutcome.INTENT), (MRS.CANCELLED, None)]
    for i, (status, outcome) in enumerate(plan):
        req = MeetingRequest(
            event_id=event.id,
            sender_org_id=orgs[0].id,
            recipient_org_id=orgs[i + 1].id,
            status=status,
            expires_at=event.starts_at,
        )
        db.session.add(req)
        db.session.flush()
        if outcome:
            db.session.add(
                Meeting(
                    event_id=event.id, request_id=req.id, slot_id=slot.id, table_id=tables[i % 2].id, outcome=outcome
                )
            )
    db.session.commit()


def test_meetings_requested_accepted_held_with_their_rates(client, event, organiser, meetings):
    got = table(client, event, "一对一洽谈")
    assert got["洽谈申请"] == (5, "—")
    assert got["已接受"] == (3, "60.0%")
    assert got["已洽谈"] == (2, "66.7%")
    assert got["总体（洽谈申请→已洽谈）"] == (None, "40.0%")
    funnel = next(c for c in charts(client.get(f"/events/{event.id}/statistics").text) if c["kind"] == "funnel")
    assert funnel["values"] == [5, 3, 2] and funnel["rates"] == [None, "60.0%", "66.7%"]


def test_an_event_without_meeting_requests_shows_dashes_not_a_division_by_zero(client, event, organiser):
    got = table(client, event, "一对一洽谈")
    assert got["已接受"] == (0, "—") and got["总体（洽谈申请→已洽谈）"] == (None, "—")
    page = client.get(f"/events/{event.id}/statistics").text
    assert all(c["kind"] != "funnel" for c in charts(page))


def test_an_event_without_meetings_has_no_meetings_section(client, db):
    training = EventFactory(event_type=EventType.TRAINING)
    db.session.commit()
    login_as(client, training.organiser)
    assert "一对一洽谈" not in sheets(client, training)


def test_the_page_has_every_table_without_javascript_and_loads_the_chart_scripts(client, db, event, organiser):
    register(event, org_type=OrgType.UNIVERSITY)
    db.session.commit()
    page = client.get(f"/events/{event.id}/statistics").text
    for title in ("按日报名", "报名状态", "报名机构类型", "报名机构盟市", "签到", "一对一洽谈"):
        assert f">{title}</h2>" in page
    assert '<th scope="row" class="fw-normal">高校</th><td class="text-end">1</td>' in page
    assert "vendor/echarts/echarts.min.js" in page and "<script>" not in page


def test_the_manage_page_links_to_the_statistics(client, event, organiser):
    assert f'href="/events/{event.id}/statistics"' in client.get(f"/events/{event.id}/manage").text


@pytest.fixture
def others(db):
    users = SimpleNamespace(member=UserFactory(), organiser=OrganiserFactory(), admin=AdminFactory())
    db.session.commit()
    return users


def test_only_the_events_organiser_and_platform_admins_see_the_statistics(client, db, event, others):
    url = f"/events/{event.id}/statistics"
    for user in (others.member, others.organiser):
        login_as(client, user)
        assert client.get(url).status_code == 404
        assert client.get(url + "?format=csv").status_code == 404
    login_as(client, others.admin)
    assert client.get(url).status_code == 200
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get(url).status_code in (302, 404)
    assert client.get("/events/999999/statistics").status_code in (302, 404)


def test_the_csv_download_has_every_section(client, db, event, organiser):
    register(event)
    db.session.commit()
    resp = client.get(f"/events/{event.id}/statistics?format=csv")
    text = resp.data.decode("utf-8-sig")
    for title in ("按日报名", "报名状态", "报名机构类型", "报名机构盟市", "签到", "一对一洽谈"):
        assert f"\r\n{title}\r\n" in "\r\n" + text
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
