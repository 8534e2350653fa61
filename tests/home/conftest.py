"""Home page fixtures: an SME with something waiting for it on every card of its start, and its counterparts."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from werkzeug.security import generate_password_hash

from app.core.enums import (
    EventStatus,
    MeetingRequestStatus,
    OrgType,
    PostingKind,
    PostingStatus,
    RegistrationStatus,
    VerificationStatus,
)
from app.core.models import utcnow
from app.docking.models import DockingFollowUp
from app.events.meetings.models import MeetingRequest
from app.events.meetings.services import open_key
from app.matching.models import Match
from tests.factories import (
    AdminFactory,
    DockingRecordFactory,
    DockingRequestFactory,
    EventFactory,
    OrganiserFactory,
    OrgFactory,
    PostingFactory,
    RegistrationFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """scrypt costs ~70 ms a user; these tests are about the home page, not password storage."""
    monkeypatch.setattr(
        "app.auth.models.generate_password_hash", lambda pw, method=None: generate_password_hash(pw, "pbkdf2:sha256:1")
    )


def match(source, target, score=0.8, age=timedelta(0)):
    return Match(
        source_id=source.id,
        target_id=target.id,
        target_kind=target.kind,
        rank=1,
        score=score,
        reasons={},
        first_matched_at=utcnow() - age,
    )


@pytest.fixture
def world(db):
    """An SME (王总) whose need matches a university's achievement; the university asks it to dock, a large firm
    invites it to a 1:1 meeting, a docking with the large firm awaits a follow-up; it has a draft, a posting
    returned by moderation and a confirmed registration for an event; another event is open to everybody."""
    uni = OrgFactory(name="内蒙古北疆理工大学", org_type=OrgType.UNIVERSITY)
    sme = OrgFactory(name="呼和浩特益康生物科技有限公司")
    large = OrgFactory(name="北疆乳业股份有限公司", org_type=OrgType.LARGE)
    w = SimpleNamespace(uni=uni, sme=sme, large=large)
    w.sme_user = UserFactory(org=sme, name="王总")
    w.uni_user = UserFactory(org=uni, name="李教授")
    w.large_user = UserFactory(org=large, name="赵经理")
    w.organiser = OrganiserFactory(name="活动处张处长")
    w.admin = AdminFactory(name="平台管理员")
    w.need = PostingFactory(org=sme, kind=PostingKind.NEED, title="益生菌冻干存活率提升需求")
    w.achievement = PostingFactory(org=uni, title="乳酸菌高密度发酵与冻干保护技术")
    w.old_achievement = PostingFactory(org=uni, title="菌种低温保藏方法")
    w.draft = PostingFactory(org=sme, kind=PostingKind.CAPABILITY, status=PostingStatus.DRAFT, title="菌粉代工草稿")
    w.rejected = PostingFactory(
        org=sme,
        kind=PostingKind.CAPABILITY,
        status=PostingStatus.REJECTED,
        title="益生菌菌粉定制生产",
        reject_reason="请补充产能和资质证明",
    )
    db.session.add_all([match(w.need, w.achievement), match(w.need, w.old_achievement, 0.5, timedelta(days=30))])
    w.incoming = DockingRequestFactory(target=w.need, sender=w.uni_user, message="我校可提供冻干保护剂配方")
    w.large_procurement = PostingFactory(org=large, kind=PostingKind.PROCUREMENT, title="采购益生菌菌粉")
    record = DockingRecordFactory(
        request__target=w.large_procurement, request__sender=w.sme_user, created_at=utcnow() - timedelta(days=20)
    )
    db.session.add(DockingFollowUp(record_id=record.id, milestone="accepted", asked_at=utcnow() - timedelta(days=6)))
    w.record = record
    w.expo = EventFactory(title="2026内蒙古中小企业博览会", organiser=w.organiser)
    RegistrationFactory(event=w.expo, org=sme, user=w.sme_user, seats=2)
    w.open_event = EventFactory(title="稀土新材料产学研对接会", organiser=w.organiser)
    RegistrationFactory(event=w.open_event, org=uni, user=w.uni_user, status=RegistrationStatus.PENDING, seats=3)
    w.draft_event = EventFactory(title="资本市场培训（筹备中）", organiser=w.organiser, status=EventStatus.DRAFT)
    now = utcnow()
    db.session.add(
        MeetingRequest(
            event_id=w.expo.id,
            sender_org_id=large.id,
            recipient_org_id=sme.id,
            sender_user_id=w.large_user.id,
            message="想聊聊菌粉供应",
            status=MeetingRequestStatus.PENDING,
            open_key=open_key(large.id, sme.id),
            created_at=now,
            expires_at=now + timedelta(hours=48),
        )
    )
    w.pending_org = OrgFactory(name="待认证的乌海科技公司", verification=VerificationStatus.PENDING)
    PostingFactory(org=uni, status=PostingStatus.SUBMITTED, title="等待审核的成果")
    db.session.commit()
    return w
