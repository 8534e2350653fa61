"""Demo events: the season of app/demo/season.py created, published and registered for through the real
event services, each step on the day the story says (so an event that started yesterday was published and
filled weeks ago, when that was still allowed)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import local_date
from app.core.enums import PlatformRole, RegistrationStatus, TicketType, VerificationStatus
from app.demo.data import phrases
from app.demo.dating import dated
from app.demo.season import Days, DemoEvent, season
from app.events.event_roles import registration_refusal
from app.events.jobs import close_registrations
from app.events.models import Event, Registration
from app.events.registration.approvals import approve_registrations
from app.events.registration.services import AttendeeInput, register_for_event
from app.events.services import create_event, publish_event
from app.extensions import db
from app.organizations.models import Organization


def organiser() -> User:
    return db.session.scalar(sa.select(User).where(User.platform_role == PlatformRole.ORGANISER).order_by(User.id))


def _registrants() -> list[User]:
    return db.session.scalars(
        sa.select(User)
        .join(Organization, User.org_id == Organization.id)
        .where(Organization.verification == VerificationStatus.VERIFIED)
        .order_by(User.id)
    ).all()


def _colleague(rng: random.Random) -> AttendeeInput:
    name = rng.choice(phrases.SURNAMES) + rng.choice(("建国", "海燕", "志强", "丽娜", "晓东", "文博", "雪梅", "宏伟"))
    phone = rng.choice(("139", "138", "150", "186", "151")) + f"{rng.randint(0, 99999999):08d}"
    return AttendeeInput(name, phone, rng.choice(("技术总监", "研发工程师", "市场经理", "财务总监", "副总经理")))


def _register(rng: random.Random, event: Event, user: User, ticket: TicketType | None, when: datetime):
    me = AttendeeInput(user.name, user.phone or "13800000000", user.position or "")
    people = [me, *(_colleague(rng) for _ in range(rng.randint(0, 2)))]
    by_type = {c.ticket_type: c.id for c in event.ticket_categories}
    category = by_type.get(ticket) if ticket else (event.ticket_categories[0].id if event.ticket_categories else None)
    registration, _ = register_for_event(event.id, user, people, category, now=when)
    registration.created_at = registration.updated_at = when
    if registration.confirmed_at is not None:
        registration.confirmed_at = when
    return registration


def _fill(rng: random.Random, spec: DemoEvent, event: Event, people: dict[str, User], now: datetime) -> int:
    """The named organisations, then random others; approval where the event requires it."""
    when = now - timedelta(days=spec.registered_days_ago, hours=rng.randint(0, 6))
    organiser_user = db.session.get(User, event.organiser_id)
    named = [_register(rng, event, people[key], ticket, when) for key, ticket in spec.named]
    taken = {r.org_id for r in named}
    pool = [u for u in _registrants() if u.org_id not in taken and registration_refusal(event, u, when) is None]
    chosen = [_register(rng, event, u, None, when) for u in rng.sample(pool, min(spec.registrants, len(pool)))]
    if event.requires_approval:
        pending = sorted(chosen, key=lambda r: r.queue_no)[: spec.approve]
        approved, _ = approve_registrations(event, [r.id for r in named + pending], organiser_user)
        for registration in approved:
            registration.confirmed_at = min(when + timedelta(days=1), now)
    return len(named) + len(chosen)


def seed_events(rng: random.Random, now: datetime, people: dict[str, User]) -> dict[str, int]:
    """Create, publish and fill the season's events; registration closes where its deadline has passed."""
    days = Days(local_date(now))
    by = organiser()
    registrations = 0
    specs = season(days)
    for spec in specs:
        published = now - timedelta(days=spec.published_days_ago)
        with dated(published, now):
            event = create_event(by, spec.data)
            publish_event(event, by, published)
        event.created_at = event.updated_at = published - timedelta(days=2)
        with dated(now - timedelta(days=spec.registered_days_ago), now):
            registrations += _fill(rng, spec, event, people, now)
    close_registrations(now)
    return {"events": len(specs), "event_registrations": registrations}


def event_of(event_type) -> Event:
    return db.session.scalar(sa.select(Event).where(Event.event_type == event_type).order_by(Event.id))


def confirmed(event: Event) -> dict[int, Registration]:
    """The event's confirmed registrations by organisation id."""
    rows = db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    )
    return {r.org_id: r for r in rows}
