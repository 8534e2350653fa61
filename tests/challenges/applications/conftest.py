"""揭榜 fixtures: an issuer (主管部门) with a collecting item, an applicant SME, a partner institute, an outsider."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.security import generate_password_hash

from app.core.enums import OrgRole, OrgType
from tests.challenges.helpers import make_item
from tests.factories import OrgFactory, UserFactory


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """scrypt costs ~70 ms a user; these tests are about 揭榜, not password storage."""
    monkeypatch.setattr(
        "app.auth.models.generate_password_hash", lambda pw, method=None: generate_password_hash(pw, "pbkdf2:sha256:1")
    )


@pytest.fixture
def world(db):
    issuer = OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY)
    sme = OrgFactory(name="包头市稀宝永磁有限公司", region="150200")
    institute = OrgFactory(name="包头稀土研究院", org_type=OrgType.INSTITUTE, region="150200")
    outsider = OrgFactory(name="赤峰市无关科技有限公司", region="150400")
    w = SimpleNamespace(
        issuer=issuer,
        sme=sme,
        institute=institute,
        outsider=outsider,
        issuer_user=UserFactory(org=issuer, name="厅里处长"),
        sme_user=UserFactory(org=sme, name="王总"),
        sme_colleague=UserFactory(org=sme, org_role=OrgRole.MEMBER),
        institute_user=UserFactory(org=institute, name="赵研究员"),
        outsider_user=UserFactory(org=outsider),
    )
    w.item = make_item(db, issuer)
    db.session.commit()
    return w
