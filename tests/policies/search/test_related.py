"""相关政策: open items that the firm is not excluded from and that share distinctive words with what it posts,
at most three, each with its verdict and the shared words; only the organisation's own members see them."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.enums import PostingKind
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus, Verdict
from app.policies.related import LIMIT, related_items
from app.search.sync import drain_outbox
from tests.conftest import login_as
from tests.factories import OrgFactory, PostingFactory, UserFactory
from tests.policies.search.helpers import DIGITAL, DIGITAL_ITEM, JOBS, JOBS_ITEM, make_policy

CHIFENG = {
    "title": "赤峰市智能制造示范工厂奖励办法",
    "issuer": "赤峰市工业和信息化局",
    "scope": PolicyScope.LEAGUE_CITY,
    "region": "150400",
    "interpretation": "对在赤峰市建成MES制造执行系统并实现车间数字化管理的企业给予奖励。",
}
CHIFENG_ITEM = {"title": "MES数字化车间奖励", "benefit_type": BenefitType.REWARD, "amount_max_wan": 30}
FIRST_SET = {
    "title": "内蒙古自治区首台（套）重大技术装备保险补偿办法",
    "issuer": "内蒙古自治区工业和信息化厅",
    "scope": PolicyScope.AUTONOMOUS_REGION,
    "region": "150000",
    "interpretation": "对首台套重大技术装备投保综合险的制造企业，按保费的80%给予补贴，支持新装备推广应用。",
}
FIRST_SET_ITEM = {"title": "首台套装备保险补贴", "benefit_type": BenefitType.SUBSIDY, "closes_on": date(2026, 12, 30)}


@pytest.fixture
def firm(db):
    """A 包头 SME that posted a need for an MES."""
    org = OrgFactory(region="150200")
    need = PostingFactory(
        org=org,
        kind=PostingKind.NEED,
        title="车间想上一套MES系统",
        body="生产过程靠纸质单据，想上MES实现车间生产数据采集和数字化管理，找有实施经验的团队。",
        keywords=["MES", "生产管理"],
    )
    return org, need


@pytest.fixture
def policies(db):
    digital = make_policy(db, DIGITAL, [DIGITAL_ITEM])
    jobs = make_policy(db, JOBS, [JOBS_ITEM])
    chifeng = make_policy(db, CHIFENG, [CHIFENG_ITEM])
    drain_outbox()
    return digital.items[0], jobs.items[0], chifeng.items[0]


def test_an_mes_need_gets_the_digital_transformation_subsidy_and_not_an_unrelated_item(db, firm, policies):
    org, need = firm
    digital, jobs, _ = policies
    [found] = related_items(org, [need])
    assert found.item == digital and found.verdict == Verdict.ELIGIBLE
    assert "MES" in found.words
    assert found.reason.startswith("共同词语：")
    assert jobs not in [r.item for r in related_items(org, [need])]


def test_an_item_the_firm_does_not_qualify_for_is_never_shown(db, firm, policies):
    """The 赤峰 MES award shares the most words with the need, but the firm is in 包头: 不符合."""
    org, need = firm
    chifeng = policies[2]
    assert chifeng not in [r.item for r in related_items(org, [need])]
    elsewhere = OrgFactory(region="150400")
    their_need = PostingFactory(org=elsewhere, kind=PostingKind.NEED, title=need.title, body=need.body)
    assert chifeng in [r.item for r in related_items(elsewhere, [their_need])]


def test_closed_and_unpublished_items_are_not_related(db, firm):
    org, need = firm
    make_policy(db, DIGITAL, [{**DIGITAL_ITEM, "closes_on": date(2026, 12, 1)}])
    make_policy(db, DIGITAL, [DIGITAL_ITEM], status=PolicyStatus.DRAFT)
    drain_outbox()
    assert related_items(org, [need]) == []


def test_a_capability_with_new_equipment_gets_the_first_set_insurance_subsidy(db, policies):
    org = OrgFactory(region="150200")
    capability = PostingFactory(
        org=org,
        kind=PostingKind.CAPABILITY,
        title="新型矿用电动轮自卸车（首台套重大技术装备）",
        body="自主研发的220吨矿用电动轮自卸车，已列入首台套重大技术装备推广目录，可提供整车及运维服务。",
        keywords=["矿用自卸车", "首台套", "重大技术装备"],
    )
    first_set = make_policy(db, FIRST_SET, [FIRST_SET_ITEM]).items[0]
    drain_outbox()
    found = related_items(org, [capability])
    assert [r.item for r in found] == [first_set]
    assert "技术装备" in found[0].words


def test_at_most_three_are_shown(db, firm):
    org, need = firm
    make_policy(db, DIGITAL, [{**DIGITAL_ITEM, "title": f"MES应用补助第{n}批"} for n in range(5)])
    drain_outbox()
    assert len(related_items(org, [need])) == LIMIT


PAGES = [lambda org, need: f"/postings/need/{need.id}", lambda org, need: f"/orgs/{org.id}"]


@pytest.mark.parametrize("page", PAGES, ids=["posting", "organisation"])
def test_the_owner_sees_related_policies_on_the_posting_and_organisation_pages(client, db, firm, policies, page):
    org, need = firm
    digital, jobs, chifeng = policies
    login_as(client, UserFactory(org=org))
    html = client.get(page(org, need)).get_data(as_text=True)
    assert 'id="related-policies"' in html
    assert digital.title in html and f'href="/policies/{digital.policy_id}"' in html
    assert 'data-verdict="eligible"' in html and "共同词语：数字化、MES" in html
    assert jobs.title not in html and chifeng.title not in html


@pytest.mark.parametrize("page", PAGES, ids=["posting", "organisation"])
def test_other_organisations_do_not_see_a_firm_s_related_policies(client, db, firm, policies, page):
    org, need = firm
    login_as(client, UserFactory())
    html = client.get(page(org, need)).get_data(as_text=True)
    assert need.title in html and 'id="related-policies"' not in html


def test_one_shared_word_is_not_enough(db):
    """A repair service shares 技术装备 with the 首台套 policy, and nothing else: no relation is claimed."""
    org = OrgFactory(region="150200")
    repair = PostingFactory(
        org=org,
        kind=PostingKind.CAPABILITY,
        title="矿山技术装备维修服务",
        body="承接矿山设备的故障诊断与大修，提供备品备件。",
        keywords=["维修"],
    )
    make_policy(db, FIRST_SET, [FIRST_SET_ITEM])
    drain_outbox()
    assert related_items(org, [repair]) == []
