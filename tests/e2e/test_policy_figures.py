"""政策兑现统计 in headless Chromium: an authority's staff member opens the figures of its policy at phone and
desktop width; the table shows the counts, the item page draws its chart, and no CSP violation is reported.
Screenshots in /tmp/shots/policy-figures/ (or SCREENSHOT_DIR)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.enums import OrgType, Tier
from app.core.models import utcnow
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus, ProfileSource
from app.extensions import db
from app.organizations.profile import update_profile
from app.policies.marks import PolicyMark
from app.policies.models import Policy, PolicyItem
from app.policies.services import change_policy_status
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journey_foundation import log_in
from tests.factories import OrgFactory, TierFactory, UserFactory

pytestmark = pytest.mark.browser
SHOTS = "/tmp/shots/policy-figures"


@pytest.fixture
def setup(live_server):
    with live_server.app_context():
        authority = OrgFactory(org_type=OrgType.AUTHORITY, name="包头市工业和信息化局")
        staff = UserFactory(org=authority)
        policy = Policy(
            title="包头市支持稀土新材料企业研发投入若干措施",
            issuer=authority.name,
            doc_number="包工信发〔2026〕8号",
            scope=PolicyScope.LEAGUE_CITY,
            region="150200",
            issuing_org=authority,
        )
        policy.items = [
            PolicyItem(
                title="稀土新材料企业研发投入后补助",
                benefit_type=BenefitType.SUBSIDY,
                rules={"field": "rd_ratio", "op": ">=", "value": 3},
                closes_on=date(2099, 12, 31),
            )
        ]
        db.session.add(policy)
        db.session.flush()
        for i, (rd, tier, amount, rating) in enumerate(
            [(5, Tier.SPECIALIZED, 30, 5), (4, None, None, None), (6, None, 12, 4)]
        ):
            org = UserFactory(org=OrgFactory(region="150200")).org
            if tier:
                TierFactory(org=org, tier=tier)
            update_profile(org, {"rd_ratio": rd}, ProfileSource.SELF)
            now = utcnow()
            db.session.add(
                PolicyMark(
                    org_id=org.id,
                    item_id=policy.items[0].id,
                    first_viewed_at=now,
                    watched_at=now if i != 1 else None,
                    applied_at=now if amount else None,
                    approved_at=now if amount else None,
                    approved_amount_wan=Decimal(amount) if amount else None,
                    rating=rating,
                )
            )
        change_policy_status(policy, PolicyStatus.PUBLISHED)
        db.session.commit()
        return {"staff": staff.email, "item_id": policy.items[0].id}


@pytest.fixture(autouse=True)
def _shots(monkeypatch):
    monkeypatch.setattr("tests.e2e.conftest.SCREENSHOT_DIR", Path(os.environ.get("SCREENSHOT_DIR", SHOTS)))


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_authority_staff_read_the_figures_of_their_policy(live_server, new_page, setup, viewport, name):
    page = new_page(viewport)
    base = live_server.live_url
    log_in(page, base, setup["staff"])
    page.goto(f"{base}/policies/figures")
    row = page.locator("tbody tr").first
    assert "稀土新材料企业研发投入后补助" in row.inner_text()
    assert "66.7%" in row.inner_text()  # 惠及率: 2 of 3 qualifying firms approved
    screenshot(page, f"policy-figures-{name}")

    page.click("text=稀土新材料企业研发投入后补助")
    page.locator(".lq-chart[data-chart-drawn] canvas").first.wait_for()
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    for words in ("按盟市", "包头市", "按梯度培育层级", "专精特新中小企业", "未入库", "42.00"):
        assert words in text
    screenshot(page, f"policy-figures-item-{name}")
