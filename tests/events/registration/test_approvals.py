"""The approval queue: pending registrations hold no seat; approving and rejecting, in bulk and on the page."""

from __future__ import annotations

import pytest

from app.core.enums import NotificationKind
from app.core.errors import ValidationFailed
from app.events.registration.approvals import approve_registrations, reject_registrations
from tests.events.registration.helpers import R, kinds_for, register
from tests.factories import EventFactory


def test_pending_registrations_take_no_seat_until_approved(db):
    event = EventFactory(capacity=2, requires_approval=True)
    reg = register(event, n=2)
    assert reg.status == R.PENDING and event.seats_taken == 0
    done, problems = approve_registrations(event, [reg.id], event.organiser)
    assert done == [reg] and not problems and reg.status == R.CONFIRMED and event.seats_taken == 2
    assert kinds_for(db, reg.user_id) == [NotificationKind.EVENT_APPROVED]


def test_approval_when_full_waitlists_in_original_order(db):
    event = EventFactory(capacity=1, requires_approval=True)
    early, late = register(event), register(event)
    approve_registrations(event, [late.id, early.id], event.organiser)  # ticked in any order
    assert (early.status, late.status) == (R.CONFIRMED, R.WAITLISTED)


def test_bulk_approve_reports_registrations_that_are_not_pending(db):
    event = EventFactory(requires_approval=True)
    a, b = register(event), register(event)
    approve_registrations(event, [a.id], event.organiser)
    done, problems = approve_registrations(event, [a.id, b.id, 999999], event.organiser)
    assert done == [b] and len(problems) == 2


def test_rejection_needs_a_reason_and_tells_the_registrant(db):
    event = EventFactory(requires_approval=True)
    a, b = register(event), register(event)
    with pytest.raises(ValidationFailed, match="请填写未通过的原因"):
        reject_registrations(event, [a.id], event.organiser, "  ")
    assert a.status == R.PENDING
    reject_registrations(event, [a.id, b.id], event.organiser, "名额优先给稀土企业")
    assert a.status == b.status == R.REJECTED and a.reject_reason == "名额优先给稀土企业"
    assert kinds_for(db, a.user_id) == [NotificationKind.EVENT_REJECTED]


def test_approval_queue_page_approves_and_rejects_in_bulk(db, client, login):
    event = EventFactory(requires_approval=True, capacity=10)
    regs = [register(event) for _ in range(3)]
    db.session.commit()
    login(event.organiser)
    page = client.get(f"/events/{event.id}/approvals")
    assert all(r.org.name in page.get_data(as_text=True) for r in regs)
    resp = client.post(f"/events/{event.id}/approvals", data={"ids": [regs[0].id, regs[1].id], "action": "approve"})
    assert resp.status_code == 302
    resp = client.post(f"/events/{event.id}/approvals", data={"ids": [regs[2].id], "action": "reject", "reason": ""})
    db.session.expire_all()
    assert [r.status for r in regs] == [R.CONFIRMED, R.CONFIRMED, R.PENDING]
    client.post(f"/events/{event.id}/approvals", data={"ids": [regs[2].id], "action": "reject", "reason": "不符合"})
    db.session.expire_all()
    assert regs[2].status == R.REJECTED


def test_another_organiser_cannot_see_the_approval_queue(db, client, login):
    event = EventFactory(requires_approval=True)
    other = EventFactory().organiser
    db.session.commit()
    login(other)
    assert client.get(f"/events/{event.id}/approvals").status_code == 404
    assert client.post(f"/events/{event.id}/approvals", data={"ids": ["1"]}).status_code == 404
