"""Platform verification: the queue, approving and rejecting (one by one and in bulk), and what unverified
organisations may not do."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.enums import VerificationStatus
from app.core.errors import DomainError, InvalidTransition
from app.core.models import StatusChange, history_for
from app.organizations.services import require_verified
from app.organizations.verification import verify_organization
from tests.factories import AdminFactory, OrgFactory, UserFactory


def test_non_admin_gets_403_on_the_verification_queue(client, db, login):
    login(UserFactory())
    assert client.get("/orgs/admin/verification").status_code == 403
    assert client.get("/orgs/admin/").status_code == 403
    pending = OrgFactory(verification=VerificationStatus.PENDING)
    db.session.commit()
    assert client.post(f"/orgs/admin/{pending.id}/verify").status_code == 403


def test_queue_shows_pending_orgs_and_approval_is_recorded(client, db, login):
    pending = OrgFactory(verification=VerificationStatus.PENDING)
    done = OrgFactory()
    admin = AdminFactory()
    db.session.commit()
    login(admin)
    queue = client.get("/orgs/admin/verification")
    assert pending.name in queue.text and pending.credit_code in queue.text and done.name not in queue.text
    client.post(f"/orgs/admin/{pending.id}/verify")
    db.session.refresh(pending)
    assert pending.verification == VerificationStatus.VERIFIED and pending.verified_by_id == admin.id
    change = db.session.scalar(sa.select(StatusChange).where(StatusChange.entity_id == pending.id))
    assert (change.entity_type, change.from_status, change.to_status, change.actor_id) == (
        "organization",
        "pending",
        "verified",
        admin.id,
    )


def test_rejection_needs_a_reason_which_is_recorded(client, db, login):
    pending = OrgFactory(verification=VerificationStatus.PENDING)
    admin = AdminFactory()
    db.session.commit()
    login(admin)
    no_reason = client.post(f"/orgs/admin/{pending.id}/reject", data={"reason": "  "}, follow_redirects=True)
    assert "必须填写原因" in no_reason.text
    db.session.refresh(pending)
    assert pending.verification == VerificationStatus.PENDING

    client.post(f"/orgs/admin/{pending.id}/reject", data={"reason": "信用代码与名称不符"})
    db.session.refresh(pending)
    assert pending.verification == VerificationStatus.REJECTED
    assert pending.verification_note == "信用代码与名称不符"
    change = history_for("organization", pending.id)[-1]
    assert (change.to_status, change.reason, change.actor_id) == ("rejected", "信用代码与名称不符", admin.id)


def test_bulk_approval_approves_only_pending_orgs(client, db, login):
    first, second = OrgFactory.create_batch(2, verification=VerificationStatus.PENDING)
    rejected = OrgFactory(verification=VerificationStatus.REJECTED)
    db.session.commit()
    login(AdminFactory())
    resp = client.post(
        "/orgs/admin/verification/bulk", data={"org_id": [first.id, second.id, rejected.id]}, follow_redirects=True
    )
    assert "已批量通过 2 家机构" in resp.text
    for org in (first, second, rejected):
        db.session.refresh(org)
    assert first.is_verified and second.is_verified and rejected.verification == VerificationStatus.REJECTED


def test_a_decided_org_cannot_be_decided_again(app, db):
    org = OrgFactory(verification=VerificationStatus.PENDING)
    admin = AdminFactory()
    verify_organization(org.id, admin)
    with pytest.raises(InvalidTransition):
        verify_organization(org.id, admin)


def test_require_verified_refuses_unverified_orgs(db):
    with pytest.raises(DomainError, match="机构尚未通过平台认证"):
        require_verified(OrgFactory(verification=VerificationStatus.PENDING))
    require_verified(OrgFactory())
