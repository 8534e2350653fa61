"""Editing a registration keeps its attendees' identity: each attendee kept keeps the ticket they were sent
(the desk still admits it), only an attendee the registrant removes loses theirs, and an attendee id the form
did not render (another registration's attendee, a non-number) changes nothing."""

from __future__ import annotations

import pytest

from app.events.checkin.services import CheckinRefused, find_ticket
from app.events.models import Event
from tests.events.helpers import admitted, booked_event, form_values, rows_of


@pytest.fixture
def booked(db):
    return booked_event(db)


def _edit_form(client, reg) -> dict[str, list[str]]:
    page = client.get(f"/events/registrations/{reg.id}/edit")
    assert page.status_code == 200
    return form_values(page.text)


def test_resaving_the_registration_form_unchanged_keeps_every_attendee_and_ticket(db, client, login, booked):
    event_id, attendees = booked.event_id, list(booked.attendees)
    before = rows_of(db, event_id)
    data = _edit_form(login(booked.user), booked)
    assert [data["attendees-0-id"], data["attendees-1-id"]] == [[str(a.id)] for a in attendees]
    for _ in range(2):
        assert client.post(f"/events/registrations/{booked.id}/edit", data=data).status_code == 302
        assert rows_of(db, event_id) == before
        data = _edit_form(client, booked)
    event = db.session.get(Event, event_id)
    assert all(admitted(event, a, event.organiser) for a in event.registrations[0].attendees)


def test_removing_one_attendee_voids_only_that_attendees_ticket(db, client, login, booked):
    event_id = booked.event_id
    kept, removed = booked.attendees
    kept_ticket, removed_code = (kept.id, kept.ticket_token), removed.short_code
    data = _edit_form(login(booked.user), booked)
    data |= {f"attendees-1-{name}": [""] for name in ("name", "phone", "position", "email")}
    assert client.post(f"/events/registrations/{booked.id}/edit", data=data).status_code == 302
    event = db.session.get(Event, event_id)
    (attendee,) = event.registrations[0].attendees
    assert (attendee.id, attendee.ticket_token) == kept_ticket
    assert event.registrations[0].seats == 1 and event.seats_taken == 1
    with pytest.raises(CheckinRefused, match="没有这个签到码"):
        find_ticket(event, removed_code)
    assert not admitted(event, removed, event.organiser)
    assert admitted(event, attendee, event.organiser)


@pytest.mark.parametrize(
    ("forged", "message"),
    [
        ("another registration's", "参会人已被修改或不属于这里"),
        ("the first row's", "参会人已被修改或不属于这里"),
        ("abc", "表单内容已失效"),
        ("1e3", "表单内容已失效"),
        ("99999999999", "表单内容已失效"),
    ],
)
def test_a_forged_attendee_id_is_refused_with_a_message_and_changes_nothing(db, client, login, booked, forged, message):
    other = booked_event(db)
    before, others_before = rows_of(db, booked.event_id), rows_of(db, other.event_id)
    data = _edit_form(login(booked.user), booked)
    ids = {"another registration's": str(other.attendees[0].id), "the first row's": data["attendees-0-id"][0]}
    data |= {"attendees-1-id": [ids.get(forged, forged)], "attendees-1-name": ["冒名者"], "note": ["改过的备注"]}
    resp = client.post(f"/events/registrations/{booked.id}/edit", data=data)
    assert resp.status_code == 422
    assert message in resp.text
    assert (rows_of(db, booked.event_id), rows_of(db, other.event_id)) == (before, others_before)
