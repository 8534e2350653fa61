"""Matching: field signals, the reasons shown, and owners' feedback."""

from __future__ import annotations

import pytest

from app.core.enums import FeedbackReason, MatchVerdict, Tier
from app.core.errors import NotFound, ValidationFailed
from app.matching.reasons import render_reasons
from app.matching.services import record_feedback
from tests.factories import OrgFactory, TierFactory, UserFactory
from tests.matching.helpers import (
    MAGNET,
    WOOL,
    K,
    match_between,
    posting,
    publish,
    run_all,
    targets_of,
)

# --- signals and reasons -------------------------------------------------------------------------


def test_reasons_name_the_matched_terms_and_the_fields_they_matched_in(app, db):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    achievement = posting(K.ACHIEVEMENT, "晶界扩散技术", keywords=["钕铁硼"], body="用于风电电机的磁体。")
    publish(db, need, achievement)
    run_all(db)
    reasons = match_between(db, need, achievement).reasons
    terms = {t["term"]: t["fields"] for t in reasons["terms"]}
    assert terms["钕铁硼"] == ["keywords"]
    assert "电机" in terms and "body" in terms["电机"]
    assert reasons["semantic"] is None  # no model in tests: no semantic reason is claimed
    lines = render_reasons(reasons)
    assert lines[0].startswith("共同词语：") and "钕铁硼（关键词）" in lines[0]


def test_same_industry_division_ranks_higher_and_is_a_reason(app, db):
    need = posting(K.NEED, "钕铁硼磁钢需求", industry="C38", **MAGNET)
    same = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", industry="C38", **MAGNET)
    other = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", industry="C32", **MAGNET)
    publish(db, need, same, other)
    run_all(db)
    assert targets_of(db, need) == [same.id, other.id]
    assert any(s["code"] == "same_division" for s in match_between(db, need, same).reasons["signals"])
    assert any(s["code"] == "same_section" for s in match_between(db, need, other).reasons["signals"])


def test_a_capability_carries_its_organisations_tier_when_the_posting_names_none(app, db):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    capability = posting(K.CAPABILITY, "钕铁硼磁钢加工能力", tier=None, **MAGNET)
    TierFactory(org=capability.org, tier=Tier.LITTLE_GIANT)
    TierFactory(org=capability.org, tier=Tier.INNOVATIVE)
    publish(db, need, capability)
    run_all(db)
    signals = match_between(db, need, capability).reasons["signals"]
    assert {"code": "tier", "text": f"梯度培育：{Tier.LITTLE_GIANT.label}", "weight": pytest.approx(0.06)} in signals


def test_a_need_with_a_budget_prefers_an_achievement_ready_to_deploy(app, db):
    need = posting(K.NEED, "钕铁硼磁钢需求", budget_wan=200, **MAGNET)
    ready = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", trl=7, **MAGNET)
    early = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", trl=3, **MAGNET)
    publish(db, need, ready, early)
    run_all(db)
    assert targets_of(db, need) == [ready.id, early.id]
    assert [s["code"] for s in match_between(db, need, early).reasons["cautions"]] == ["trl_early"]


def test_procurement_prefers_a_supplier_in_the_same_city_then_inside_the_region(app, db):
    procurement = posting(K.PROCUREMENT, "采购羊绒分梳加工", region="150600", **WOOL)
    far = posting(K.CAPABILITY, "羊绒分梳加工能力", region="999999", **WOOL)
    near = posting(K.CAPABILITY, "羊绒分梳加工服务", region="150600", **WOOL)
    inside = posting(K.CAPABILITY, "羊绒分梳加工业务", region="150100", **WOOL)
    publish(db, procurement, far, near, inside)
    run_all(db)
    assert targets_of(db, procurement) == [near.id, inside.id, far.id]
    assert "同在鄂尔多斯市，供货便利" in render_reasons(match_between(db, procurement, near).reasons)


# --- feedback ------------------------------------------------------------------------------------


def test_irrelevant_removes_the_pair_and_lowers_the_same_organisations_suggestions(app, db):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", org=owner.org, **MAGNET)
    supplier, rival = OrgFactory(), OrgFactory()
    rejected = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", org=supplier, **MAGNET)
    sibling = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", org=supplier, **MAGNET)
    competitor = posting(K.ACHIEVEMENT, "钕铁硼磁钢方法", org=rival, **MAGNET)
    publish(db, need, rejected, sibling, competitor)
    run_all(db)
    before = match_between(db, need, sibling).score
    record_feedback(match_between(db, need, rejected), owner, "irrelevant", "other")
    db.session.commit()
    assert match_between(db, need, rejected) is None
    run_all(db)
    assert rejected.id not in targets_of(db, need)
    assert match_between(db, need, sibling).score == pytest.approx(before * 0.7, rel=1e-3)
    assert targets_of(db, need) == [competitor.id, sibling.id]


def test_irrelevant_for_distance_lowers_suppliers_in_that_city(app, db):
    owner = UserFactory()
    procurement = posting(K.PROCUREMENT, "采购羊绒分梳加工", org=owner.org, region="150600", **WOOL)
    rejected = posting(K.CAPABILITY, "羊绒分梳加工能力", region="150700", **WOOL)
    same_city = posting(K.CAPABILITY, "羊绒分梳加工服务", region="150700", **WOOL)
    elsewhere = posting(K.CAPABILITY, "羊绒分梳加工业务", region="150100", **WOOL)
    publish(db, procurement, rejected, same_city, elsewhere)
    run_all(db)
    before = match_between(db, procurement, same_city).score
    record_feedback(match_between(db, procurement, rejected), owner, "irrelevant", FeedbackReason.DISTANCE.label)
    db.session.commit()
    run_all(db)
    assert match_between(db, procurement, same_city).score == pytest.approx(before - 0.10, abs=1e-3)


def test_irrelevant_needs_a_reason_from_the_list(app, db):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", org=owner.org, **MAGNET)
    target = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", **MAGNET)
    publish(db, need, target)
    run_all(db)
    match = match_between(db, need, target)
    with pytest.raises(ValidationFailed):
        record_feedback(match, owner, "irrelevant", None)
    with pytest.raises(ValidationFailed):
        record_feedback(match, owner, "irrelevant", "太贵了")
    with pytest.raises(ValidationFailed):
        record_feedback(match, owner, "maybe", None)
    done = record_feedback(match, owner, "interested", None, note="请联系")
    assert (done.verdict, done.match_id) == (MatchVerdict.INTERESTED, match.id)


def test_another_organisations_match_cannot_be_judged(app, db):
    need = posting(K.NEED, "钕铁硼磁钢需求", **MAGNET)
    target = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", **MAGNET)
    publish(db, need, target)
    run_all(db)
    with pytest.raises(NotFound):
        record_feedback(match_between(db, need, target), UserFactory(), "interested", None)
