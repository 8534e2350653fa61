"""Editing an event keeps the identity of its rows: agenda items and ticket categories are updated in place,
so the registrations that chose them and the tickets of their attendees stay valid; only rows the organiser
removed go, and an id the form did not render (another event's row, a non-number) changes nothing."""

from __future__ import annotations

import pytest

from app.core.enums import TicketType
from app.events.models import Event
from tests.events.helpers import admitted, booked_event, form_values, rows_of
from tests.factories import EventFactory


@pytest.fixture
def booked(db):
    return booked_event(db)


def _edit_form(client, event) -> dict[str, list[str]]:
    page = client.get(f"/events/{event.id}/edit")
    assert page.status_code == 200
    return form_values(page.text)


def test_resaving_the_event_form_unchanged_keeps_sessions_ticket_categories_and_tickets(db, client, login, booked):
    event, organiser = booked.event, booked.event.organiser
    before = rows_of(db, event.id)
    data = _edit_form(login(organiser), event)
    assert [data["sessions-0-id"], data["sessions-1-id"]] == [[str(s.id)] for s in event.sessions]
    for _ in range(2):
        assert client.post(f"/events/{event.id}/edit", data=data).status_code == 302
        assert rows_of(db, event.id) == before
        data = _edit_form(client, event)
    event = db.session.get(Event, event.id)
    assert all(admitted(event, a, organiser) for a in event.registrations[0].attendees)


def test_editing_a_session_updates_it_in_place_and_a_filled_blank_row_adds_one(db, client, login, booked):
    event = booked.event
    before = rows_of(db, event.id)
    data = _edit_form(login(event.organiser), event)
    data |= {"sessions-1-title": ["稀土永磁分会场"], "sessions-1-capacity": ["40"]}
    data |= {"sessions-2-title": ["闭幕"], "sessions-2-starts_at": data["sessions-1-starts_at"]}
    data |= {"sessions-2-ends_at": data["sessions-1-ends_at"], "tickets-1-quota": ["8"]}
    assert client.post(f"/events/{event.id}/edit", data=data).status_code == 302
    after = rows_of(db, event.id)
    (open_id, *_), (limited_id, _, _, taken) = before["sessions"]
    assert [row for row in after["sessions"] if row[0] in (open_id, limited_id)] == [
        before["sessions"][0],
        (limited_id, "稀土永磁分会场", 40, taken),
    ]
    assert [row[1] for row in after["sessions"] if row[0] not in (open_id, limited_id)] == ["闭幕"]
    assert [(c[0], c[1], c[3]) for c in after["categories"]] == [
        (before["categories"][0][0], TicketType.VISITOR, 50),
        (before["categories"][1][0], TicketType.EXHIBITOR, 8),
    ]
    assert (after["registrations"], after["attendees"]) == (before["registrations"], before["attendees"])


def test_a_session_the_organiser_clears_is_removed_and_only_that_one(db, client, login, booked):
    event = booked.event
    before = rows_of(db, event.id)
    data = _edit_form(login(event.organiser), event)
    for name in ("title", "speaker", "room", "starts_at", "ends_at", "capacity"):
        data[f"sessions-0-{name}"] = [""]
    assert client.post(f"/events/{event.id}/edit", data=data).status_code == 302
    after = rows_of(db, event.id)
    assert after["sessions"] == before["sessions"][1:]
    assert after["registrations"] == before["registrations"]


@pytest.mark.parametrize(
    ("forged", "message"),
    [
        ("another event's", "议程已被修改或不属于这里"),
        ("the first row's", "议程已被修改或不属于这里"),
        ("123456789", "议程已被修改或不属于这里"),
        ("abc", "表单内容已失效"),
        ("²", "表单内容已失效"),
        ("-1", "表单内容已失效"),
        ("99999999999", "表单内容已失效"),
    ],
)
def test_a_forged_session_id_is_refused_with_a_message_and_changes_nothing(db, client, login, booked, forged, message):
    event = booked.event
    other = booked_event(db).event
    before, others_before = rows_of(db, event.id), rows_of(db, other.id)
    data = _edit_form(login(event.organiser), event)
    ids = {"another event's": str(other.sessions[1].id), "the first row's": data["sessions-0-id"][0]}
    data |= {"sessions-1-id": [ids.get(forged, forged)], "sessions-1-title": ["改过的分会场"], "title": ["改过的标题"]}
    resp = client.post(f"/events/{event.id}/edit", data=data)
    assert resp.status_code == 422
    assert message in resp.text
    assert (rows_of(db, event.id), rows_of(db, other.id)) == (before, others_before)
    assert db.session.get(Event, event.id).title != "改过的标题"


def test_an_event_without_rows_is_saved_again_unchanged(db, client, login):
    event = EventFactory()
    db.session.commit()
    before = rows_of(db, event.id)
    data = _edit_form(login(event.organiser), event)
    assert client.post(f"/events/{event.id}/edit", data=data).status_code == 302
    assert rows_of(db, event.id) == before
