"""梯度培育: SMEs record their tiers; the current tier is the latest unexpired one."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.enums import OrgType, Tier
from app.organizations.models import TierRecord
from tests.factories import OrgFactory, TierFactory, UserFactory


def test_sme_admin_adds_and_removes_tier_records(client, db, login):
    admin = UserFactory()
    db.session.commit()
    login(admin)
    data = {"tier": "specialized", "year": "2024", "expires_on": (date.today() + timedelta(days=400)).isoformat()}
    assert client.post("/orgs/mine/tiers", data={**data, "certificate_no": "NM-2024-001"}).status_code == 302
    page = client.get("/orgs/mine")
    assert "当前层级" in page.text and Tier.SPECIALIZED.label in page.text
    assert "已登记" in client.post("/orgs/mine/tiers", data=data).text  # same tier, same year
    record = db.session.scalar(sa.select(TierRecord))
    client.post(f"/orgs/mine/tiers/{record.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TierRecord)) == 0


def test_only_smes_hold_tiers(client, db, login):
    admin = UserFactory(org=OrgFactory(org_type=OrgType.UNIVERSITY))
    db.session.commit()
    resp = login(admin).post("/orgs/mine/tiers", data={"tier": "innovative", "year": "2024"}, follow_redirects=True)
    assert "只有中小企业可以登记梯度培育层级" in resp.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TierRecord)) == 0


def test_tier_expiry_before_the_recognition_year_is_refused(client, db, login):
    admin = UserFactory()
    db.session.commit()
    resp = login(admin).post(
        "/orgs/mine/tiers", data={"tier": "innovative", "year": "2024", "expires_on": "2023-12-31"}
    )
    assert "有效期不能早于认定年份" in resp.text


def test_expired_tier_is_not_the_current_tier(db):
    org = OrgFactory()
    TierFactory(org=org, tier=Tier.LITTLE_GIANT, year=2019, expires_on=date.today() - timedelta(days=1))
    TierFactory(org=org, tier=Tier.INNOVATIVE, year=2024)
    assert org.current_tier() == Tier.INNOVATIVE
