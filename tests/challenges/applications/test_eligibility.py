"""揭榜条件: each rule refuses with its own Chinese reason, and an eligible organisation gets none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.challenges.applications.eligibility import eligibility_problems, league_of, partner_problems
from app.core.enums import OrgType, Tier, VerificationStatus
from app.organizations.profile import OrganizationCertificate
from tests.challenges.applications.helpers import application_of, complete_form, post_apply
from tests.conftest import as_user
from tests.factories import OrgFactory, TierFactory

TODAY = date(2026, 12, 4)


def test_an_organisation_meeting_every_condition_is_eligible(world):
    item = world.item
    item.eligible_org_types = ["sme", "institute"]
    item.eligible_regions = ["150200"]
    assert eligibility_problems(world.sme, item, TODAY) == []


def test_the_issuer_cannot_apply_for_its_own_item(world):
    assert eligibility_problems(world.issuer, world.item, TODAY) == ["发榜单位不能揭本单位发布的榜"]


@pytest.mark.parametrize("status", [VerificationStatus.PENDING, VerificationStatus.REJECTED])
def test_an_unverified_organisation_is_refused(world, status):
    world.sme.verification = status
    [problem] = eligibility_problems(world.sme, world.item, TODAY)
    assert "尚未通过平台机构认证" in problem and status.label in problem


def test_an_organisation_type_outside_the_list_is_refused(world):
    world.item.eligible_org_types = [OrgType.UNIVERSITY.value, OrgType.INSTITUTE.value]
    [problem] = eligibility_problems(world.sme, world.item, TODAY)
    assert problem == "本榜仅限高校、科研院所揭榜，本机构类型为中小企业"
    assert eligibility_problems(world.institute, world.item, TODAY) == []


def test_region_is_compared_by_league_so_a_county_code_counts_for_its_league(world):
    world.item.eligible_regions = ["150200"]
    world.sme.region = "150203"  # 昆都仑区, 包头市
    assert league_of("150203") == "150200"
    assert eligibility_problems(world.sme, world.item, TODAY) == []
    world.sme.region = "150402"  # 红山区, 赤峰市
    [problem] = eligibility_problems(world.sme, world.item, TODAY)
    assert problem == "本榜仅限包头市的机构揭榜，本机构所在地为赤峰市"


def test_an_organisation_without_a_region_is_refused_when_regions_are_set(world):
    world.item.eligible_regions = ["150100"]
    world.sme.region = None
    assert "本机构所在地为未填写" in eligibility_problems(world.sme, world.item, TODAY)[0]


def test_a_tier_below_the_minimum_is_refused_and_an_expired_one_does_not_count(db, world):
    world.item.min_tier = Tier.SPECIALIZED
    [problem] = eligibility_problems(world.sme, world.item, TODAY)
    assert problem == "本榜要求梯度培育等级不低于专精特新中小企业，本机构为无有效认定"
    TierFactory(org=world.sme, tier=Tier.INNOVATIVE, expires_on=TODAY + timedelta(days=300))
    db.session.refresh(world.sme)
    assert "本机构为创新型中小企业" in eligibility_problems(world.sme, world.item, TODAY)[0]
    TierFactory(org=world.sme, tier=Tier.LITTLE_GIANT, year=2022, expires_on=TODAY - timedelta(days=1))
    db.session.refresh(world.sme)
    assert eligibility_problems(world.sme, world.item, TODAY) != []
    TierFactory(org=world.sme, tier=Tier.SPECIALIZED, year=2024, expires_on=TODAY)
    db.session.refresh(world.sme)
    assert eligibility_problems(world.sme, world.item, TODAY) == []


def test_a_missing_or_expired_certificate_is_refused(db, world):
    world.item.required_certificates = ["高新技术企业", "ISO9001"]
    db.session.add(OrganizationCertificate(org_id=world.sme.id, name="高新技术企业", expires_on=TODAY))
    db.session.add(OrganizationCertificate(org_id=world.sme.id, name="ISO9001", expires_on=TODAY - timedelta(days=1)))
    db.session.flush()
    [problem] = eligibility_problems(world.sme, world.item, TODAY)
    assert problem.startswith("缺少有效的资质证书：ISO9001")
    assert eligibility_problems(world.sme, world.item, TODAY - timedelta(days=1)) == []


def test_every_problem_is_listed_at_once(world):
    world.item.eligible_org_types = ["university"]
    world.item.eligible_regions = ["150100"]
    world.item.min_tier = Tier.INNOVATIVE
    world.sme.verification = VerificationStatus.PENDING
    assert len(eligibility_problems(world.sme, world.item, TODAY)) == 4


def test_partners_must_be_verified_and_neither_the_issuer_nor_the_lead(world):
    pending = OrgFactory(name="待认证合作单位", verification=VerificationStatus.PENDING)
    problems = partner_problems(world.item, world.sme, [pending, world.issuer, world.sme])
    assert problems == [
        "合作单位“待认证合作单位”尚未通过平台机构认证（当前：待认证），认证通过后方可揭榜",
        "发榜单位“内蒙古自治区工业和信息化厅”不能作为合作单位",
        "牵头单位不能同时作为合作单位",
    ]
    assert partner_problems(world.item, world.sme, [world.institute]) == []


def test_consortium_rules_on_the_item(world):
    world.item.max_partners = 1
    extra = OrgFactory()
    assert partner_problems(world.item, world.sme, [world.institute, extra]) == [
        "本榜联合体最多 1 家合作单位，当前为 2 家"
    ]
    world.item.consortium_allowed = False
    assert partner_problems(world.item, world.sme, [world.institute]) == [
        "本榜不接受联合体申报，请删除合作单位后以本机构名义单独揭榜"
    ]


def test_an_ineligible_organisation_may_save_a_draft_but_not_submit(client, db, world):
    world.item.eligible_org_types = ["institute"]
    db.session.commit()
    page = as_user(client, world.sme_user).get(f"/challenges/items/{world.item.id}/apply")
    assert "本榜仅限科研院所揭榜" in page.text
    resp = post_apply(client, world.sme_user, world.item, complete_form(world.item))
    assert "本榜仅限科研院所揭榜，本机构类型为中小企业" in resp.text
    application = application_of(world.item, world.sme)
    assert application.status.value == "draft" and application.submitted_at is None


def test_the_issuer_is_sent_back_from_the_apply_page(client, world):
    resp = as_user(client, world.issuer_user).get(f"/challenges/items/{world.item.id}/apply")
    assert resp.status_code == 302
    resp = post_apply(client, world.issuer_user, world.item, complete_form(world.item))
    assert resp.status_code == 302 and application_of(world.item, world.issuer) is None
