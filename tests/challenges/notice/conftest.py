"""公示 fixtures: an authority's item under review with three screened applications, outsiders and an admin."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from werkzeug.security import generate_password_hash

from app.challenges.applications.models import ChallengeApplication
from app.core.challenge_enums import ApplicationStatus, ChallengeMode, ItemStatus
from app.core.enums import OrgRole, OrgType
from tests.challenges.helpers import make_item
from tests.factories import AdminFactory, OrgFactory, UserFactory

TEAMS = (
    ("包头稀土研究院", "晶界扩散高矫顽力钕铁硼中试"),
    ("内蒙古科技大学", "高丰度稀土永磁体制备新工艺"),
    ("宁城磁材有限公司", "低重稀土烧结磁体量产方案"),
)


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """scrypt costs ~70 ms a user; these tests are about the 公示, not password storage."""
    monkeypatch.setattr(
        "app.auth.models.generate_password_hash", lambda pw, method=None: generate_password_hash(pw, "pbkdf2:sha256:1")
    )


def add_application(db, item, org, title, status=ApplicationStatus.SCREENED) -> ChallengeApplication:
    app = ChallengeApplication(item_id=item.id, org_id=org.id, status=status, project_title=title, summary="方案摘要")
    db.session.add(app)
    db.session.flush()
    return app


def build_world(db, mode=ChallengeMode.SINGLE, teams_stage1=1, teams_kept=1):
    issuer = OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY, contact_phone="0471-6945678")
    item = make_item(
        db,
        issuer,
        mode=mode,
        teams_stage1=teams_stage1,
        teams_kept=teams_kept,
        status=ItemStatus.REVIEWING,
        opens_on=date(2026, 11, 1),
        closes_on=date(2026, 12, 1),
    )
    orgs = [OrgFactory(name=name) for name, _ in TEAMS]
    w = SimpleNamespace(
        issuer=issuer,
        issuer_user=UserFactory(org=issuer, name="刘处长"),
        item=item,
        orgs=orgs,
        users=[UserFactory(org=org, name=f"{org.name[:2]}联系人") for org in orgs],
        apps=[add_application(db, item, org, title) for org, (_, title) in zip(orgs, TEAMS, strict=True)],
        objector_org=OrgFactory(name="鄂尔多斯市异议科技有限公司"),
        outsider_org=OrgFactory(name="赤峰市旁观者有限公司"),
        admin=AdminFactory(),
        loner=UserFactory(org=None, name="无机构用户"),
    )
    w.objector = UserFactory(org=w.objector_org, name="赵举报", org_role=OrgRole.MEMBER)
    w.outsider = UserFactory(org=w.outsider_org, name="钱路人")
    db.session.commit()
    return w


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def race_world(db):
    """赛马制: three screened applications, two teams funded in stage 1, one kept at the gate."""
    return build_world(db, ChallengeMode.HORSE_RACE, teams_stage1=2, teams_kept=1)
