"""Docking jobs: requests expire (with a reminder first) and records are followed up until answered."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
import time_machine

from app.core.enums import NotificationKind
from app.docking.jobs import expire_requests, send_follow_ups
from app.docking.records import add_docking_note, move_docking_stage
from app.extensions import db as _db
from app.notifications.models import Notification
from tests.docking.helpers import NOW, ST, R, accepted_record, notifications, pending_request
from tests.factories import DockingRequestFactory


def test_the_expiry_job_expires_an_overdue_request_once_and_tells_the_sender_once(world):
    with time_machine.travel(NOW - timedelta(days=14, minutes=1), tick=False):
        overdue = pending_request(world)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        fresh = DockingRequestFactory(sender=world.uni_user, target=world.need)
        _db.session.commit()

    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            expire_requests(NOW)
            _db.session.commit()

    assert (overdue.status, fresh.status) == (R.EXPIRED, R.PENDING)
    assert [n.user_id for n in notifications(NotificationKind.DOCKING_EXPIRED)] == [world.sme_user.id]
    changes = _db.session.execute(sa.text("SELECT count(*) FROM status_changes WHERE to_status = 'expired'")).scalar()
    assert changes == 1


def test_the_recipient_is_reminded_once_two_days_before_a_request_expires(world):
    with time_machine.travel(NOW - timedelta(days=11), tick=False):
        early = pending_request(world)  # expires in 3 days: not yet
    with time_machine.travel(NOW - timedelta(days=12, hours=1), tick=False):
        due = DockingRequestFactory(sender=world.uni_user, target=world.need)  # expires in 1 day 23 h
        _db.session.commit()

    for _ in range(2):
        expire_requests(NOW)
        _db.session.commit()

    reminded = notifications(NotificationKind.DOCKING_EXPIRING)
    assert [n.user_id for n in reminded] == [world.sme_user.id] and f"/docking/requests/{due.id}" == reminded[0].link
    assert early.status == R.PENDING


def follow_ups(record=None) -> list[Notification]:
    rows = notifications(NotificationKind.DOCKING_FOLLOW_UP)
    return [n for n in rows if record is None or n.link.endswith(f"/{record.id}")]


def run_follow_ups(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        send_follow_ups(at)
        _db.session.commit()


def test_both_sides_are_asked_for_an_update_14_days_after_acceptance_once(world):
    with time_machine.travel(NOW, tick=False):
        record = accepted_record(world)
    run_follow_ups(NOW + timedelta(days=13))
    assert follow_ups() == []

    for _ in range(2):
        run_follow_ups(NOW + timedelta(days=14))

    asked = {n.user_id for n in follow_ups(record)}
    assert asked == {world.sme_user.id, world.uni_user.id, world.uni_colleague.id}
    assert len(follow_ups(record)) == 3


def test_a_follow_up_is_asked_again_every_week_until_answered(world):
    with time_machine.travel(NOW, tick=False):
        record = accepted_record(world)
    run_follow_ups(NOW + timedelta(days=14))
    run_follow_ups(NOW + timedelta(days=20))  # same week: nothing new
    assert len(follow_ups(record)) == 3
    run_follow_ups(NOW + timedelta(days=21))
    assert len(follow_ups(record)) == 6

    with time_machine.travel(NOW + timedelta(days=22), tick=False):
        add_docking_note(record, world.uni_user, "已完成第一轮技术交流")
        _db.session.commit()
    run_follow_ups(NOW + timedelta(days=28))
    run_follow_ups(NOW + timedelta(days=35))
    assert len(follow_ups(record)) == 6


def test_both_sides_are_asked_again_six_months_after_signing(world):
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        record = accepted_record(world)
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        move_docking_stage(
            record, world.sme_user, ST.SIGNED, contract_type="license", amount="30", signed_on=date(2026, 5, 18)
        )
        _db.session.commit()
    run_follow_ups(NOW - timedelta(days=20))  # 180 days after signing: not yet
    signed_keys = [n.key for n in follow_ups(record) if ":signed:" in n.key]
    assert signed_keys == []

    for _ in range(2):
        run_follow_ups(NOW)

    signed_keys = {n.key for n in follow_ups(record) if ":signed:" in n.key}
    assert signed_keys == {f"docking_record:{record.id}:follow_up:signed:0"}
    assert len([n for n in follow_ups(record) if ":signed:" in n.key]) == 3


def test_closed_records_are_not_followed_up(world):
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        accepted_record(world, stage=ST.TERMINATED, peak_stage=ST.NEGOTIATING)
    run_follow_ups(NOW)
    assert follow_ups() == []
