"""The 惠企政策 journey of the issue on a 390 px phone: a visitor uses 政策计算器; an SME sees 可能符合 for lack
of its R&D ratio, fills it in 企业画像, sees 符合 and marks 关注; a policy published for it reaches its
notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.enums import OrgType
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus, ProfileSource
from app.extensions import db
from app.organizations.profile import update_profile
from app.policies.models import Policy, PolicyItem
from app.policies.services import change_policy_status
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_journey_foundation import log_in
from tests.factories import OrgFactory, TierFactory, UserFactory

pytestmark = pytest.mark.browser

RD_ITEM = "研发投入后补助"
NEW_ITEM = "绿色工厂创建奖励"


def baotou_policy(title: str, item: str, rules: dict, status: PolicyStatus) -> Policy:
    policy = Policy(
        title=title,
        issuer="包头市工业和信息化局",
        doc_number="包工信发〔2026〕8号",
        scope=PolicyScope.LEAGUE_CITY,
        region="150200",
        status=status,
        published_on=date.today(),
        interpretation="支持专精特新中小企业加大研发投入。",
    )
    policy.items = [
        PolicyItem(
            title=item,
            benefit_type=BenefitType.SUBSIDY,
            amount_min_wan=10,
            amount_max_wan=50,
            closes_on=date.today() + timedelta(days=30),
            materials="申报书、研发费用专项审计报告",
            how_to_apply="登录政务服务网在线申报",
            contact="包头市工业和信息化局 0472-0000000",
            rules=rules,
        )
    ]
    db.session.add(policy)
    db.session.flush()
    return policy


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_visitor_calculator_then_sme_fills_its_profile_watches_and_is_told(live_server, new_page, size):
    app, base = live_server, live_server.live_url
    viewport = PHONE if size == "phone" else DESKTOP
    with app.app_context():
        baotou_policy(
            "包头市支持专精特新企业高质量发展若干措施",
            RD_ITEM,
            {
                "all": [
                    {"field": "org_type", "op": "in", "value": ["中小企业"]},
                    {"field": "rd_ratio", "op": ">=", "value": 3},
                ]
            },
            PolicyStatus.PUBLISHED,
        )
        org = OrgFactory(org_type=OrgType.SME, region="150200", industry="C39", name="包头稀宝永磁科技有限公司")
        TierFactory(org=org)
        update_profile(org, {"employees": 86}, ProfileSource.SELF)
        email = UserFactory(org=org, name="王经理").email
        db.session.commit()

    # An anonymous visitor: home page → 政策计算器 → an item they would qualify for.
    visitor = new_page(viewport)
    visitor.goto(base + "/policies/")
    assert RD_ITEM in visitor.inner_text("main")
    screenshot(visitor, f"policies-library-{size}")
    visitor.goto(base + "/")
    visitor.click("#calculator-cta a")
    visitor.select_option("#org_type", "sme")
    visitor.select_option("#region", "150200")
    visitor.fill("#rd_ratio", "4")
    visitor.click("#calculator-form button[type=submit]")
    visitor.wait_for_load_state("networkidle")
    result = visitor.locator("[data-result]", has_text=RD_ITEM)
    assert result.locator("[data-verdict]").inner_text() == "符合"
    screenshot(visitor, f"policies-calculator-{size}")

    # The SME: 可能符合 for lack of 研发投入占比 → fill it in 企业画像 → back to 符合 → 关注.
    sme = new_page(viewport)
    log_in(sme, base, email)
    sme.goto(base + "/policies/mine")
    card = sme.locator("article[data-item]", has_text=RD_ITEM)
    assert card.locator("[data-verdict]").inner_text() == "可能符合"
    assert "研发投入占比未填写" in card.inner_text()
    screenshot(sme, f"policies-mine-maybe-{size}")
    card.locator("a[data-fill=rd_ratio]").click()
    sme.wait_for_load_state("networkidle")
    assert sme.url.split("#")[0].startswith(base + "/orgs/mine/profile")
    assert "研发投入后补助" in sme.inner_text("[data-blocks=rd_ratio]")
    sme.fill("#rd_ratio", "4.5")
    screenshot(sme, f"policies-profile-{size}")
    sme.click("main form button[type=submit]")
    sme.wait_for_load_state("networkidle")
    assert sme.url.split("#")[0] == base + "/policies/mine"
    card = sme.locator("article[data-item]", has_text=RD_ITEM)
    assert card.locator("[data-verdict]").inner_text() == "符合"
    card.get_by_role("button", name="☆ 关注").click()
    sme.wait_for_load_state("networkidle")
    card = sme.locator("article[data-item]", has_text=RD_ITEM)
    assert card.get_by_role("button", name="★ 已关注").is_visible()
    screenshot(sme, f"policies-mine-watched-{size}")

    # Staff publish a new policy the SME qualifies for: it reaches the SME's notifications.
    with app.app_context():
        draft = baotou_policy(
            "包头市绿色制造体系建设奖励办法",
            NEW_ITEM,
            {"field": "org_type", "op": "in", "value": ["中小企业"]},
            PolicyStatus.DRAFT,
        )
        change_policy_status(draft, PolicyStatus.PUBLISHED)
        db.session.commit()
    sme.goto(base + "/notifications/")
    sme.wait_for_load_state("networkidle")
    assert f"可申报政策：{NEW_ITEM}" in sme.inner_text("main")
    screenshot(sme, f"policies-notification-{size}")
    sme.get_by_text(f"可申报政策：{NEW_ITEM}").first.click()
    sme.wait_for_load_state("networkidle")
    item = sme.locator("section[data-item]", has_text=NEW_ITEM)
    assert item.locator("[data-verdict]").inner_text() == "符合"
    screenshot(sme, f"policies-detail-{size}")
