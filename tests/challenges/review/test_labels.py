"""applicant_label and can_open, the services the other challenge areas call."""

from __future__ import annotations

from app.challenges.review.assignment import assign_experts, declare_no_conflict
from app.challenges.review.services import applicant_label, can_open
from app.core.challenge_enums import ReviewStage
from tests.challenges.review.helpers import screened, world
from tests.factories import AdminFactory, UserFactory


def test_a_blind_review_names_applications_by_stable_codes_except_on_the_issuers_desk(db):
    w = world(db, blind=True)
    assert applicant_label(w.application, None) == "申报单位A"
    assert applicant_label(w.other_application, w.experts[0].user) == "申报单位B"
    assert applicant_label(w.application, w.issuer_user) == "包头稀土永磁科技有限公司（牵头）、内蒙古科技大学材料学院"
    assert applicant_label(w.other_application, AdminFactory()) == "鄂尔多斯新材料有限公司"


def test_without_blind_review_everyone_reads_the_names(db):
    w = world(db)
    assert applicant_label(w.other_application, None) == "鄂尔多斯新材料有限公司"
    assert applicant_label(w.other_application, UserFactory()) == "鄂尔多斯新材料有限公司"


def test_can_open_needs_a_standing_assignment_at_that_stage_and_the_declaration(db):
    w = world(db, experts=1)
    screened(db, w.application)
    row = assign_experts(w.item, ReviewStage.REVIEW, [w.application], w.issuer_user).made[0]
    user = row.expert.user
    assert not can_open(user, w.application, ReviewStage.REVIEW)
    declare_no_conflict(row, user, True)
    assert can_open(user, w.application, ReviewStage.REVIEW)
    assert not can_open(user, w.application, ReviewStage.GATE)
    assert not can_open(user, w.other_application, ReviewStage.REVIEW)
    assert not can_open(w.issuer_user, w.application, ReviewStage.REVIEW)
