"""Docking fixtures: cheap password hashing and the world of two organisations that dock with each other."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.security import generate_password_hash

from app.core.enums import OrgRole, OrgType, PostingKind
from tests.docking.helpers import POSTING_EMAIL, POSTING_PHONE, SME_EMAIL, SME_PHONE, UNI_EMAIL, UNI_PHONE
from tests.factories import AdminFactory, OrgFactory, PostingFactory, UserFactory


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """scrypt costs ~70 ms a user; these tests are about docking, not password storage."""
    monkeypatch.setattr(
        "app.auth.models.generate_password_hash", lambda pw, method=None: generate_password_hash(pw, "pbkdf2:sha256:1")
    )


@pytest.fixture
def world(db):
    """A university with a published achievement, an SME with a published need, an outsider and an admin."""
    uni = OrgFactory(
        name="内蒙古科技大学", org_type=OrgType.UNIVERSITY, contact_phone=UNI_PHONE, contact_email=UNI_EMAIL
    )
    sme = OrgFactory(name="包头市稀宝永磁有限公司", contact_phone=SME_PHONE, contact_email=SME_EMAIL)
    w = SimpleNamespace(
        uni=uni,
        sme=sme,
        uni_user=UserFactory(org=uni, name="李教授"),
        uni_colleague=UserFactory(org=uni, org_role=OrgRole.MEMBER),
        sme_user=UserFactory(org=sme, name="王总"),
        outsider=UserFactory(),
        admin=AdminFactory(),
        achievement=PostingFactory(
            org=uni, title="高矫顽力钕铁硼制备技术", contact_phone=POSTING_PHONE, contact_email=POSTING_EMAIL
        ),
        need=PostingFactory(org=sme, kind=PostingKind.NEED, title="永磁电机磁钢降本需求", contact_phone=SME_PHONE),
    )
    db.session.commit()
    return w
