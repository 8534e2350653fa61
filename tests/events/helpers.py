"""Event tests' shared pieces: counting rows, sweeping a feature's routes with hostile input, rendering the
event page's feature links as one user sees them, and reading back what a rendered form would submit."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from html.parser import HTMLParser

import sqlalchemy as sa
from flask import render_template_string, url_for
from flask_login import login_user

from app.core.enums import TicketType
from app.core.models import utcnow
from app.events.checkin.services import CheckinRefused, check_in_ticket
from app.events.checkin.tickets import sign_ticket
from app.events.models import Event, EventSession
from app.events.registration.services import AttendeeInput, register_for_event
from tests.factories import EventFactory, TicketCategoryFactory, UserFactory


def event_under_way(**fields):
    """An event that began an hour ago and ends in eight hours: today is an event day (Beijing time)."""
    now = utcnow().replace(microsecond=0)
    return EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8), **fields)


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


HOSTILE = ["", " ", "-1", "abc", "99999999999999999999", "x" * 5000, "稀" * 300, "' OR 1=1 --", "%_\\", "🎉"]
HOSTILE += ["0001-01-01 00:00-01:00", "9999-12-31 23:00-23:59", "0001-01-01T00:00"]


FINAL_STEPS = re.compile(r"close|publish|remove|withdraw|cancel")


def _rule_urls(rule, ids: dict) -> list[str]:
    """The rule's URL for each combination of the ids; a list in `ids` (e.g. the choices of an
    <any(…)> part) gives one URL per value."""
    keys = sorted(rule.arguments)
    values = [ids[k] if isinstance(ids[k], list) else [ids[k]] for k in keys]
    return [url_for(rule.endpoint, **dict(zip(keys, combo, strict=True))) for combo in itertools.product(*values)]


def sweep_blueprint(app, client, login, blueprint: str, ids: dict, users, fields) -> list[str]:
    """Every route of the blueprint, as each user, with each hostile value in every field and query."""
    with app.test_request_context():
        urls = [
            (rule, url)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(f"{blueprint}.")
            for url in _rule_urls(rule, ids)
        ]
    urls.sort(key=lambda item: bool(FINAL_STEPS.search(item[0].endpoint)))  # what ends the game goes last
    failures = []
    for (rule, url), user, value in itertools.product(urls, users, HOSTILE):
        login(user)
        responses = []
        if "GET" in rule.methods:
            responses.append(client.get(url, query_string={"q": value, "format": value}))
        if "POST" in rule.methods:
            responses.append(client.post(url, data={**dict.fromkeys(fields, value), "name": [value, "团队"]}))
        failures += [f"{rule.endpoint} {value[:20]!r} {r.status_code}" for r in responses if r.status_code >= 500]
    return failures


def render_event_links(app, user, event) -> str:
    """The event page's partial as `user` sees it."""
    with app.test_request_context():
        login_user(user)
        return render_template_string('{% include "events/meetings_and_judging_links.html" %}', event=event)


class _FormValues(HTMLParser):
    """What a browser would submit from the page's own form (a POST form without an action: it posts back
    to the page) with nothing changed: text and hidden inputs, ticked boxes, textareas and the selected
    option of each select, as (name, value) pairs."""

    def __init__(self):
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.inside = self.done = False
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done:
            self.inside = (attrs.get("method") or "").lower() == "post" and not attrs.get("action")
        name = attrs.get("name")
        if not self.inside or (not name and tag != "option"):
            return
        if tag == "input" and (attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs):
            self.pairs.append((name, attrs.get("value") or ("y" if attrs.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self.textarea = [name, ""]
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.pairs.append((self.select, attrs.get("value") or ""))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.pairs.append((name, text.removeprefix("\r\n").removeprefix("\n")))  # as browsers read it
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_values(html: str) -> dict[str, list[str]]:
    """The page's own form as it would be submitted unchanged (the test client's `data`)."""
    parser = _FormValues()
    parser.feed(html)
    values: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        values.setdefault(name, []).append(value)
    return values


def booked_event(db):
    """An event with two agenda items (the second with its own capacity), two ticket types, and a confirmed
    registration of two attendees on the visitor ticket who signed up for the limited session."""
    event = EventFactory()
    for title, capacity, hours in (("成果发布", None, 0), ("稀土分会场", 30, 2)):
        starts = event.starts_at + timedelta(hours=hours)
        ends = starts + timedelta(hours=1)
        event.sessions.append(EventSession(title=title, starts_at=starts, ends_at=ends, capacity=capacity, taken=0))
    visitor = TicketCategoryFactory(event=event, quota=50)
    TicketCategoryFactory(event=event, ticket_type=TicketType.EXHIBITOR, name="参展企业")
    db.session.flush()
    people = [
        AttendeeInput("王强", "13912345678", "经理"),
        AttendeeInput("李娜", "13912345679", "工程师", None, "ln@x.cn"),
    ]
    reg, _ = register_for_event(event.id, UserFactory(), people, visitor.id, session_ids=[event.sessions[1].id])
    db.session.commit()
    return reg


def rows_of(db, event_id: int) -> dict:
    """Every row an event edit or a registration edit may touch, with the ids and tickets they carry."""
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    return {
        "sessions": [(s.id, s.title, s.capacity, s.taken) for s in event.sessions],
        "categories": [(c.id, c.ticket_type, c.name, c.quota, c.taken) for c in event.ticket_categories],
        "registrations": [
            (r.id, r.status, r.seats, r.ticket_category_id, [s.id for s in r.sessions])
            for r in sorted(event.registrations, key=lambda r: r.id)
        ],
        "attendees": [
            (a.id, a.name, a.ticket_token, a.short_code)
            for r in sorted(event.registrations, key=lambda r: r.id)
            for a in r.attendees
        ],
    }


def admitted(event, attendee, actor) -> bool:
    """Whether the desk admits the attendee's signed ticket (the QR code they carry), on any day."""
    try:
        check_in_ticket(event, sign_ticket(attendee.ticket_token), actor, confirm=True)
    except CheckinRefused:
        return False
    return True
