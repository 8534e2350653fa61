"""Capacity is never exceeded when many organisations press 报名 at the same moment (SQLite and PostgreSQL:
DATABASE_URL selects). Each thread has its own app context, session and connection, and commits for real."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.enums import RegistrationStatus
from app.events.models import Event, Registration
from app.events.registration import services as registration_module
from app.events.registration.services import AttendeeInput, register_for_event
from app.extensions import db
from tests.factories import EventFactory, OrgFactory

R = RegistrationStatus
THREADS = 50


@pytest.fixture
def pooled_app(make_app):
    # Enough connections that most threads really wait on the event lock, not on the pool.
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 0, "pool_timeout": 120})
    with app.app_context():
        yield app


def _users(count: int) -> list[int]:
    orgs = [OrgFactory() for _ in range(count)]
    users = [
        User(email=f"c{i}@example.cn", name=f"报名人{i}", org_id=org.id, password_hash="-")
        for i, org in enumerate(orgs)
    ]
    db.session.add_all(users)
    db.session.flush()
    return [u.id for u in users]


def _race(app, monkeypatch, event_id: int, user_ids: list[int], seats_of) -> list[int]:
    """Every user registers at once; returns the user ids in the order they obtained the event lock."""
    lock_order: list[int] = []
    order_guard = threading.Lock()
    real_lock = registration_module.lock_event
    errors: list[BaseException] = []
    start = threading.Barrier(len(user_ids))

    def recording_lock(eid):
        event = real_lock(eid)
        with order_guard:  # still holding the database lock: nobody else can be here now
            lock_order.append(threading.current_thread().user_id)
        return event

    monkeypatch.setattr(registration_module, "lock_event", recording_lock)

    def run(user_id: int) -> None:
        threading.current_thread().user_id = user_id
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                people = [AttendeeInput(f"参会人{user_id}-{k}", "13800000000") for k in range(seats_of(user_id))]
                db.session.commit()  # give the connection back: threads must not wait at the barrier holding one
                start.wait()
                register_for_event(event_id, user, people, form_token=f"t{user_id}")
                db.session.commit()
                db.session.remove()
        except BaseException as err:  # noqa: BLE001  (reported by the main thread)
            errors.append(err)

    threads = [threading.Thread(target=run, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    return lock_order


def _registrations(event_id: int) -> list[Registration]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event_id).order_by(Registration.queue_no)
    ).all()


def test_fifty_concurrent_registrations_confirm_exactly_capacity_and_waitlist_in_arrival_order(pooled_app, monkeypatch):
    event = EventFactory(capacity=10)
    user_ids = _users(THREADS)
    db.session.commit()

    lock_order = _race(pooled_app, monkeypatch, event.id, user_ids, lambda _uid: 1)

    regs = _registrations(event.id)
    assert len(regs) == THREADS and len(lock_order) == THREADS
    assert [r.user_id for r in regs] == lock_order  # queue_no follows the order the lock was obtained
    assert [r.queue_no for r in regs] == list(range(1, THREADS + 1))
    assert [r.status for r in regs] == [R.CONFIRMED] * 10 + [R.WAITLISTED] * (THREADS - 10)
    assert db.session.get(Event, event.id).seats_taken == 10


def test_concurrent_group_registrations_never_exceed_capacity(pooled_app, monkeypatch):
    event = EventFactory(capacity=10)
    user_ids = _users(30)
    db.session.commit()
    group_size = {uid: 1 + i % 3 for i, uid in enumerate(user_ids)}  # groups of 1, 2 and 3

    _race(pooled_app, monkeypatch, event.id, user_ids, group_size.__getitem__)

    regs = _registrations(event.id)
    event = db.session.get(Event, event.id)
    confirmed = [r for r in regs if r.status == R.CONFIRMED]
    assert event.seats_taken == sum(r.seats for r in confirmed) <= 10
    assert all(len(r.attendees) == r.seats for r in regs)
    # Whoever was waitlisted did not fit the seats left, even at the end.
    assert all(r.seats > event.seats_left for r in regs if r.status == R.WAITLISTED)
    assert {r.status for r in regs} == {R.CONFIRMED, R.WAITLISTED}
