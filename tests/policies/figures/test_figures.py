"""政策兑现统计: the figures equal what one counts by hand on a small world, in total, by 盟市 and by tier; only the
issuing authority's staff and platform admins see them; the download carries the same figures."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.enums import OrgType, Tier
from app.core.models import utcnow
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus, ProfileSource
from app.organizations.profile import update_profile
from app.policies.figures import compute_figures
from app.policies.marks import PolicyMark
from app.policies.models import Policy, PolicyItem
from app.policies.services import change_policy_status
from tests.conftest import as_user
from tests.factories import AdminFactory, OrgFactory, TierFactory, UserFactory

RD = {"field": "rd_ratio", "op": ">=", "value": 3}


def firm(db, region, rd=None, tier=None):
    user = UserFactory(org=OrgFactory(region=region))
    if tier:
        TierFactory(org=user.org, tier=tier, year=2025, expires_on=date(2028, 12, 31))
    if rd is not None:
        update_profile(user.org, {"rd_ratio": rd}, ProfileSource.SELF)
    return user.org


def policy(db, issuer_org, title, rules=RD) -> Policy:
    p = Policy(
        title=title,
        issuer=issuer_org.name,
        doc_number="包工信发〔2026〕8号",
        scope=PolicyScope.LEAGUE_CITY,
        region="150200",
        status=PolicyStatus.DRAFT,
        issuing_org=issuer_org,
    )
    p.items = [PolicyItem(title=f"{title}·研发补助", benefit_type=BenefitType.SUBSIDY, rules=rules)]
    db.session.add(p)
    db.session.flush()
    return p


def mark(db, org, item, viewed=False, watched=False, applied=False, amount=None, rating=None):
    now = utcnow()
    db.session.add(
        PolicyMark(
            org_id=org.id,
            item_id=item.id,
            first_viewed_at=now if viewed else None,
            watched_at=now if watched else None,
            applied_at=now if applied else None,
            approved_at=now if amount is not None else None,
            approved_amount_wan=amount,
            rating=rating,
        )
    )
    db.session.flush()


@pytest.fixture
def world(db):
    """Two authorities with one policy each. Under authority A's (包头市, 研发投入占比 ≥ 3 %):
    f1 包头 5 % 专精特新 and f2 包头 4 % qualify (and are told on publication); f3 in 呼和浩特 does not, yet it
    applied and was approved; f4 包头 1 % does not qualify; f5 包头 without the fact is only 可能符合."""
    a, b = OrgFactory(org_type=OrgType.AUTHORITY), OrgFactory(org_type=OrgType.AUTHORITY)
    staff_a, staff_b = UserFactory(org=a), UserFactory(org=b)
    f1 = firm(db, "150200", rd=5, tier=Tier.SPECIALIZED)
    f2 = firm(db, "150200", rd=4)
    f3 = firm(db, "150100", rd=9)
    firm(db, "150200", rd=1)
    firm(db, "150200")
    mine, theirs = policy(db, a, "包头市研发投入后补助办法"), policy(db, b, "兴安盟稳岗返还实施细则")
    for p in (mine, theirs):
        change_policy_status(p, PolicyStatus.PUBLISHED)
    item = mine.items[0]
    mark(db, f1, item, viewed=True, watched=True, applied=True, amount=Decimal(30), rating=5)
    mark(db, f2, item, viewed=True)
    mark(db, f3, item, viewed=True, applied=True, amount=Decimal(10), rating=3)
    db.session.commit()
    return {"item": item, "other": theirs.items[0], "staff_a": staff_a, "staff_b": staff_b}


# (符合, 已推送, 已查看, 已关注, 已申报, 已获批, 金额, 知晓率, 惠及率, 满意率, 平均评分)
TOTAL = [2, 2, 3, 1, 2, 2, Decimal(40), "100.0%", "50.0%", "50.0%", "4.0"]
BY_REGION = [
    ["呼和浩特市", 0, 0, 1, 0, 1, 1, Decimal(10), "—", "—", "0.0%", "3.0"],
    ["包头市", 2, 2, 2, 1, 1, 1, Decimal(30), "100.0%", "50.0%", "100.0%", "5.0"],
]
BY_TIER = [
    ["专精特新中小企业", 1, 1, 1, 1, 1, 1, Decimal(30), "100.0%", "100.0%", "100.0%", "5.0"],
    ["未入库", 1, 1, 2, 0, 1, 1, Decimal(10), "100.0%", "0.0%", "0.0%", "3.0"],
]


def test_figures_equal_the_hand_counts_in_total_by_region_and_by_tier(world):
    [one] = compute_figures([world["item"]])
    assert one.total.cells() == TOTAL
    assert one.region_rows() == BY_REGION
    assert one.tier_rows() == BY_TIER


def test_an_item_nobody_qualifies_for_has_no_rates_rather_than_zero(world, db):
    [one] = compute_figures([world["other"]])  # the same two firms qualify, nobody has looked at it yet
    assert one.total.cells() == [2, 2, 0, 0, 0, 0, Decimal(0), "0.0%", "0.0%", "—", "—"]
    nobody = policy(
        db, world["item"].policy.issuing_org, "高门槛", rules={"field": "rd_ratio", "op": ">=", "value": 50}
    )
    [empty] = compute_figures(nobody.items)
    assert empty.total.cells() == [0, 0, 0, 0, 0, 0, Decimal(0), "—", "—", "—", "—"]


def test_authority_staff_see_only_their_own_policies_and_admins_see_all(client, db, world):
    item, other = world["item"], world["other"]
    page = as_user(client, world["staff_a"]).get("/policies/figures").get_data(as_text=True)
    assert item.title in page and other.title not in page
    assert client.get(f"/policies/figures/{item.id}").status_code == 200
    assert client.get(f"/policies/figures/{other.id}").status_code == 404
    assert as_user(client, world["staff_b"]).get(f"/policies/figures/{item.id}").status_code == 404
    admin = AdminFactory()
    db.session.commit()
    page = as_user(client, admin).get("/policies/figures").get_data(as_text=True)
    assert item.title in page and other.title in page


@pytest.mark.parametrize("who", ["sme", "university"])
def test_anyone_else_gets_404_and_visitors_are_asked_to_log_in(client, db, world, who):
    user = UserFactory() if who == "sme" else UserFactory(org=OrgFactory(org_type=OrgType.UNIVERSITY))
    db.session.commit()
    for url in ("/policies/figures", f"/policies/figures/{world['item'].id}"):
        assert as_user(client, user).get(url).status_code == 404
        resp = as_user(client, None).get(url)
        assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


def test_the_item_page_shows_each_breakdown(client, world):
    page = as_user(client, world["staff_a"]).get(f"/policies/figures/{world['item'].id}").get_data(as_text=True)
    for text in ("按盟市", "按梯度培育层级", "呼和浩特市", "专精特新中小企业", "未入库", "data-chart"):
        assert text in page


def test_the_downloads_carry_the_same_figures(client, world):
    as_user(client, world["staff_a"])
    resp = client.get("/policies/figures?format=csv")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["政策", "文号", "状态", "申报事项", "申报时间", "符合企业"]
    assert rows[1][3] == world["item"].title and rows[1][5:] == [
        f"{v:.2f}" if isinstance(v, Decimal) else str(v) for v in TOTAL
    ]
    assert len(rows) == 2  # the other authority's item is not in it

    resp = client.get(f"/policies/figures/{world['item'].id}?format=xlsx")
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["总体", "按盟市", "按梯度层级"]
    regions = [list(r) for r in book["按盟市"].iter_rows(min_row=2, values_only=True)]
    assert regions == [[r[0], *r[1:7], int(r[7]), *r[8:]] for r in BY_REGION]
