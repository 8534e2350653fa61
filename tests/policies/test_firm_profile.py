"""企业画像: each fact with its source and date; unknown stays unknown; the facts the rules read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from app.core.enums import OrgType, Tier
from app.core.errors import FieldError
from app.core.policy_enums import ProfileSource, RevenueBand
from app.organizations.models import TierRecord
from app.organizations.profile import profile_of, set_certificates, update_profile
from app.policies.evaluation import facts_of
from tests.factories import OrgFactory


def test_each_fact_keeps_its_source_and_beijing_date(db):
    firm = OrgFactory()
    with time_machine.travel(datetime(2026, 12, 4, 16, 30, tzinfo=UTC), tick=False):  # 5 December in Beijing
        update_profile(firm, {"employees": 120, "rd_ratio": 3}, ProfileSource.SELF)
    update_profile(firm, {"above_scale": True}, ProfileSource.PLATFORM, today=date(2026, 12, 6))
    db.session.commit()
    profile = profile_of(firm)
    assert (profile.employees, profile.rd_ratio, profile.above_scale) == (120, Decimal("3"), True)
    assert profile.source_of("employees") == ProfileSource.SELF and profile.updated_on("employees") == date(2026, 12, 5)
    assert profile.source_of("above_scale") == ProfileSource.PLATFORM and profile.updated_on("above_scale") == date(
        2026, 12, 6
    )
    assert profile.listed is None and profile.source_of("listed") is None  # never said: unknown, not "no"


def test_revenue_is_a_figure_or_a_band_never_both(db):
    firm = OrgFactory()
    update_profile(firm, {"revenue": RevenueBand.FROM_500}, ProfileSource.IMPORT)
    assert (profile_of(firm).revenue, profile_of(firm).revenue_band) == (None, RevenueBand.FROM_500)
    update_profile(firm, {"revenue": "1234.5"}, ProfileSource.SELF)
    assert (profile_of(firm).revenue, profile_of(firm).revenue_band) == (Decimal("1234.5"), None)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"employees": -1}, "从业人数应在 0 以上"),
        ({"employees": 10.5}, "从业人数应为整数"),
        ({"rd_ratio": "三"}, "研发投入占比应为数字"),
        ({"rd_ratio": 101}, "研发投入占比应在 0 至 100"),
        ({"established_on": date(2027, 1, 1)}, "成立日期不能晚于今天"),
        ({"listed": "是"}, "上市企业应为“是”或“否”"),
        ({"turnover": 1}, "企业画像没有“turnover”这一项"),
    ],
)
def test_a_bad_value_changes_nothing(db, values, message):
    firm = OrgFactory()
    update_profile(firm, {"employees": 50}, ProfileSource.SELF)
    with pytest.raises(FieldError, match=message):
        update_profile(firm, {"above_scale": True, **values}, ProfileSource.SELF)
    assert (profile_of(firm).employees, profile_of(firm).above_scale) == (50, None)


def test_declaring_no_certificates_turns_unknown_into_no(db):
    firm = OrgFactory()
    update_profile(firm, {"employees": 5}, ProfileSource.SELF)
    today = date(2026, 12, 4)
    assert facts_of(firm, profile_of(firm), today).certificates is None
    set_certificates(firm, [("高新技术企业", date(2027, 10, 1)), ("ISO9001", None)], ProfileSource.SELF)
    assert facts_of(firm, profile_of(firm), today).certificates == (
        ("ISO9001", None),
        ("高新技术企业", date(2027, 10, 1)),
    )
    set_certificates(firm, [], ProfileSource.SELF)
    assert facts_of(firm, profile_of(firm), today).certificates == ()
    with pytest.raises(FieldError, match="同一证书只能登记一次"):
        set_certificates(firm, [("ISO9001", None), ("ISO9001", None)], ProfileSource.SELF)


def test_the_tier_is_the_highest_still_valid_with_its_latest_year(db):
    firm = OrgFactory(org_type=OrgType.SME)
    firm.tiers.extend(
        [
            TierRecord(tier=Tier.LITTLE_GIANT, year=2022, expires_on=date(2025, 12, 31)),  # expired
            TierRecord(tier=Tier.SPECIALIZED, year=2023, expires_on=date(2026, 12, 4)),  # valid through today
            TierRecord(tier=Tier.SPECIALIZED, year=2026, expires_on=None),
            TierRecord(tier=Tier.INNOVATIVE, year=2026, expires_on=None),
        ]
    )
    db.session.flush()
    facts = facts_of(firm, None, date(2026, 12, 4))
    assert (facts.tier, facts.tier_year) == (Tier.SPECIALIZED, 2026)
    assert facts.employees is None  # no profile at all: every fact unknown
