"""Matching: which kinds are matched with which, and what is never matched (the model is off here:
EMBEDDINGS=False ranks by the words and the lexical model)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from app.core.enums import PostingStatus
from app.matching.models import MatchFeedback
from app.matching.services import record_feedback
from app.organizations.models import OrgGroup
from tests.factories import OrgFactory, UserFactory
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

# --- directions ----------------------------------------------------------------------------------


def test_a_need_is_matched_with_achievements_and_capabilities(app, db):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    achievement = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    capability = posting(K.CAPABILITY, "钕铁硼磁钢加工能力", **MAGNET)
    off_topic = posting(K.ACHIEVEMENT, "羊绒分梳技术", **WOOL)
    publish(db, need, achievement, capability, off_topic)
    run_all(db)
    assert targets_of(db, need, K.ACHIEVEMENT) == [achievement.id]
    assert targets_of(db, need, K.CAPABILITY) == [capability.id]


def test_an_achievement_is_matched_with_needs(app, db):
    achievement = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    publish(db, achievement, need)
    run_all(db)
    assert targets_of(db, achievement) == [need.id]


def test_procurement_and_capability_are_matched_both_ways(app, db):
    procurement = posting(K.PROCUREMENT, "采购羊绒分梳加工服务", **WOOL)
    capability = posting(K.CAPABILITY, "羊绒分梳加工能力", **WOOL)
    need = posting(K.NEED, "羊绒分梳工艺改进需求", **WOOL)
    publish(db, procurement, capability, need)
    run_all(db)
    assert targets_of(db, procurement) == [capability.id]
    assert targets_of(db, capability) == [procurement.id]  # capability → procurement only, never → need


# --- exclusions ----------------------------------------------------------------------------------


def test_postings_of_the_same_organisation_are_never_matched(app, db):
    org = OrgFactory()
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", org=org, **MAGNET)
    own = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", org=org, **MAGNET)
    publish(db, need, own)
    run_all(db)
    assert targets_of(db, need) == []


def test_postings_of_the_same_group_are_never_matched(app, db):
    group = OrgGroup(name="包钢集团")
    db.session.add(group)
    sister_a, sister_b, outsider = OrgFactory(group=group), OrgFactory(group=group), OrgFactory()
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", org=sister_a, **MAGNET)
    sister = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", org=sister_b, **MAGNET)
    other = posting(K.ACHIEVEMENT, "钕铁硼磁钢表面防护", org=outsider, **MAGNET)
    publish(db, need, sister, other)
    run_all(db)
    assert targets_of(db, need) == [other.id]


@pytest.mark.parametrize("status", [PostingStatus.DRAFT, PostingStatus.SUBMITTED, PostingStatus.CLOSED])
def test_an_unpublished_posting_never_becomes_a_match_target(app, db, status):
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", **MAGNET)
    hidden = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", status=status, **MAGNET)
    live = posting(K.ACHIEVEMENT, "钕铁硼磁钢表面防护", **MAGNET)
    publish(db, need, hidden, live)
    run_all(db)
    assert targets_of(db, need) == [live.id]
    assert targets_of(db, hidden) == []


def test_an_expired_need_is_neither_source_nor_target(app, db):
    achievement = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    expired = posting(K.NEED, "驱动电机钕铁硼磁钢需求", deadline=date.today() - timedelta(days=1), **MAGNET)
    publish(db, achievement, expired)
    run_all(db)
    assert targets_of(db, achievement) == [] and targets_of(db, expired) == []


def test_a_recompute_keeps_the_row_of_a_pair_that_stays_and_drops_a_pair_that_left(app, db):
    owner = UserFactory()
    need = posting(K.NEED, "驱动电机钕铁硼磁钢需求", org=owner.org, **MAGNET)
    kept = posting(K.ACHIEVEMENT, "钕铁硼晶界扩散技术", **MAGNET)
    leaving = posting(K.ACHIEVEMENT, "钕铁硼磁钢工艺", **MAGNET)
    publish(db, need, kept, leaving)
    run_all(db)
    match_id = match_between(db, need, kept).id
    feedback = record_feedback(match_between(db, need, kept), owner, "interested", None)
    db.session.commit()
    leaving.status = PostingStatus.CLOSED
    db.session.commit()
    first = match_between(db, need, kept).first_matched_at
    with time_machine.travel(datetime.now(UTC) + timedelta(days=40)):
        run_all(db)
    kept_match = match_between(db, need, kept)
    assert kept_match.id == match_id
    assert kept_match.first_matched_at == first and kept_match.computed_at > first + timedelta(days=39)
    assert db.session.get(MatchFeedback, feedback.id).match_id == match_id
    assert targets_of(db, need) == [kept.id]
