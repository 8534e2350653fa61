"""Tickets: signed QR payloads, short codes, and the ticket pages (state, print, privacy, no caching)."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.core.enums import EventStatus, RegistrationStatus, TicketType
from app.events.checkin.services import CheckinRefused, find_ticket
from app.events.checkin.tickets import normalise_short_code, sign_ticket, unsign_ticket
from tests.factories import RegistrationFactory, TicketCategoryFactory, UserFactory


def test_signed_payload_round_trips_to_the_ticket_token(app):
    assert unsign_ticket(sign_ticket("abc-DEF_123")) == "abc-DEF_123"


@pytest.mark.parametrize(
    "tamper",
    [
        # altered signature: its first character (the last one of base64 may carry unused bits only)
        lambda p: (lambda head, sig: f"{head}.{'B' if sig[0] == 'A' else 'A'}{sig[1:]}")(*p.rsplit(".", 1)),
        lambda p: "X" + p,  # altered token
        lambda p: p.split(".")[0] + ".forged",
        lambda p: "不是票.签名",
    ],
)
def test_forged_or_altered_payload_is_refused_without_a_database_query(app, db, event, attendee, tamper):
    payload = tamper(sign_ticket(attendee.ticket_token))
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with pytest.raises(CheckinRefused) as refused:
            find_ticket(event, payload)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert refused.value.code == "forged"
    assert statements == []


def test_payload_signed_with_another_secret_is_refused(app, db, event, attendee):
    app.config["SECRET_KEY"], real = "another-site", app.config["SECRET_KEY"]
    payload = sign_ticket(attendee.ticket_token)
    app.config["SECRET_KEY"] = real
    assert unsign_ticket(payload) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("abcd-efgh", "ABCDEFGH"), (" AB CD EF GH ", "ABCDEFGH"), ("abcd—efgh", "ABCDEFGH"), ("k7m2p9qx", "K7M2P9QX")],
)
def test_short_code_ignores_case_spaces_and_dashes(typed, expected):
    assert normalise_short_code(typed) == expected


@pytest.mark.parametrize("typed", ["", "ABCDEFG", "ABCDEFGHJ", "短码短码短码短码", "ABCD.EFGH", "AB!DEFGH"])
def test_text_that_cannot_be_a_short_code_is_not_one(typed):
    assert normalise_short_code(typed) is None


@pytest.mark.parametrize("typed", ["ABCD1234", "abcd-0fgh", "ABCDIFGH"])
def test_eight_letters_and_digits_are_a_code_that_does_not_exist_not_a_malformed_one(db, event, typed):
    """Codes never use 0/O or 1/I/L, but such a code is still a code in form: the desk says it does not exist."""
    assert normalise_short_code(typed) == typed.replace("-", "").upper()
    with pytest.raises(CheckinRefused) as refused:
        find_ticket(event, typed)
    assert (refused.value.code, refused.value.message) == ("unknown", "没有这个签到码，请核对后重新输入")


def test_ticket_page_shows_the_event_the_holder_the_code_and_a_signed_qr(client, db, event, attendee):
    category = TicketCategoryFactory(event=event, ticket_type=TicketType.EXHIBITOR)
    attendee.registration.ticket_category = category
    db.session.commit()
    html = client.get(f"/events/tickets/{attendee.ticket_token}").get_data(as_text=True)
    for text in (event.title, attendee.name, attendee.registration.org.name, "参展商", event.venue):
        assert text in html
    assert f"{attendee.short_code[:4]}-{attendee.short_code[4:]}" in html
    assert '<svg role="img" aria-label="入场二维码"' in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")


def test_ticket_page_shows_the_time_in_beijing(client, db, event, attendee):
    event.starts_at, event.ends_at = datetime(2026, 12, 20, 1, 30), datetime(2026, 12, 20, 9, 0)
    db.session.commit()
    assert "2026-12-20 09:30 — 17:00" in client.get(f"/events/tickets/{attendee.ticket_token}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (RegistrationStatus.WAITLISTED, "候补中"),
        (RegistrationStatus.PENDING, "待审核"),
        (RegistrationStatus.CANCELLED, "已取消"),
    ],
)
def test_ticket_of_an_unconfirmed_registration_shows_its_state_and_no_qr(client, db, event, status, text):
    held = RegistrationFactory(event=event, status=status).attendees[0]
    db.session.commit()
    html = client.get(f"/events/tickets/{held.ticket_token}").get_data(as_text=True)
    assert text in html
    assert "<svg" not in html and held.short_code[:4] not in html


def test_ticket_of_a_cancelled_event_says_so_and_shows_no_qr(client, db, event, attendee):
    event.status = EventStatus.CANCELLED
    db.session.commit()
    html = client.get(f"/events/tickets/{attendee.ticket_token}").get_data(as_text=True)
    assert "活动已取消" in html and "<svg" not in html


@pytest.mark.parametrize("token", ["nope", "x" * 65, "%00"])
def test_unknown_ticket_token_is_404(client, token):
    assert client.get(f"/events/tickets/{token}").status_code in (400, 404)


def test_print_view_lists_every_ticket_of_the_registration(client, login, db, event):
    registration = RegistrationFactory(event=event, seats=2)
    db.session.commit()
    login(registration.user)
    html = client.get(f"/events/registrations/{registration.id}/tickets/print").get_data(as_text=True)
    assert html.count('aria-label="入场二维码"') == 2 and "@media print" not in html
    assert "tickets.css" in html


def test_registration_tickets_are_for_its_organisation_only(client, login, db, event):
    registration = RegistrationFactory(event=event, seats=2)
    colleague = UserFactory(org=registration.org)
    stranger = UserFactory()
    db.session.commit()
    url = f"/events/registrations/{registration.id}/tickets"
    login(colleague)
    html = client.get(url).get_data(as_text=True)
    assert all(a.name in html for a in registration.attendees)
    login(stranger)
    assert client.get(url).status_code == 404
    login(event.organiser)
    assert client.get(url).status_code == 404
    assert client.get("/events/registrations/999999/tickets").status_code == 404


def test_ticket_pages_are_not_cached(client, db, attendee):
    resp = client.get(f"/events/tickets/{attendee.ticket_token}")
    assert "no-store" in resp.headers["Cache-Control"]
