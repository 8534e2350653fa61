"""Assigning experts: N per application from the active pool, relevant experts first, load balanced, a clear
message when the pool runs short, notifications to the experts; manual add and remove on the setup page."""

from __future__ import annotations

import sqlalchemy as sa

from app.challenges.review.assignment import assign_experts, declare_no_conflict
from app.challenges.review.models import ReviewAssignment
from app.challenges.review.scoring import save_review_scores
from app.challenges.review.services import criteria
from app.core.challenge_enums import ReviewStage
from app.core.enums import NotificationKind
from app.notifications.models import Notification
from tests.challenges.review.helpers import make_expert, screened, world
from tests.conftest import as_user

REVIEW = ReviewStage.REVIEW


def _panel(db, application):
    return sorted(
        db.session.scalars(
            sa.select(ReviewAssignment.expert_id).where(ReviewAssignment.application_id == application.id)
        ).all()
    )


def test_each_application_gets_n_experts_and_running_again_adds_nobody(db):
    w = world(db, experts=4)
    screened(db, w.application, w.other_application)
    first = assign_experts(w.item, REVIEW, [w.application, w.other_application], w.issuer_user)
    assert len(first.made) == 4 and not first.short
    assert len(_panel(db, w.application)) == 2 and len(_panel(db, w.other_application)) == 2
    again = assign_experts(w.item, REVIEW, [w.application, w.other_application], w.issuer_user)
    assert again.made == [] and again.short == []


def test_equally_relevant_experts_share_the_load(db):
    w = world(db, experts=4)
    screened(db, w.application, w.other_application)
    assign_experts(w.item, REVIEW, [w.application, w.other_application], w.issuer_user)
    # four equally relevant experts, four places: nobody gets two
    assert set(_panel(db, w.application)).isdisjoint(_panel(db, w.other_application))


def test_experts_of_the_items_industry_and_field_come_first(db):
    w = world(db, experts=0)
    screened(db, w.application)
    stranger = make_expert(db, industries=["A"], fields=["畜牧"])
    industry_only = make_expert(db, industries=["C"], fields=["纺织"])
    both = make_expert(db, industries=["C"], fields=["永磁"])
    report = assign_experts(w.item, REVIEW, [w.application], w.issuer_user, n=2)
    assert {a.expert_id for a in report.made} == {both.id, industry_only.id}
    assert stranger.id not in _panel(db, w.application)


def test_inactive_experts_are_never_assigned(db):
    w = world(db, experts=1)
    screened(db, w.application)
    make_expert(db, active=False)
    report = assign_experts(w.item, REVIEW, [w.application], w.issuer_user)
    assert len(report.made) == 1 and report.short == [(w.application, 1)]


def test_each_assigned_expert_is_notified_without_names_when_blind(db):
    w = world(db, blind=True, experts=2)
    screened(db, w.application)
    report = assign_experts(w.item, REVIEW, [w.application], w.issuer_user)
    db.session.commit()
    for assignment in report.made:
        note = db.session.scalar(sa.select(Notification).where(Notification.user_id == assignment.expert.user_id))
        assert note.kind == NotificationKind.CHALLENGE_REVIEW
        assert note.link == f"/challenges/reviews/{assignment.id}"
        assert "申报单位A" in note.body and "包头稀土永磁" not in note.body + note.title


def test_the_setup_page_assigns_automatically_and_warns_when_short(db, client):
    w = world(db, experts=1)
    screened(db, w.application, w.other_application)
    as_user(client, w.issuer_user)
    page = client.post(f"/challenges/manage/items/{w.item.id}/review/review/assign", follow_redirects=True).text
    assert "已新分配 2 人次评审专家" in page and "可用专家不足" in page
    assert "“包头稀土永磁科技有限公司（牵头）、内蒙古科技大学材料学院”还差 1 位" in page
    assert "“鄂尔多斯新材料有限公司”还差 1 位" in page
    assert _panel(db, w.application) == _panel(db, w.other_application) == [w.experts[0].id]


def test_manual_add_and_remove_on_the_setup_page(db, client):
    w = world(db, experts=1)
    screened(db, w.application)
    expert = w.experts[0]
    as_user(client, w.issuer_user)
    base = f"/challenges/manage/items/{w.item.id}/review"
    client.post(f"{base}/review/assign/manual", data={"application_id": w.application.id, "expert_id": expert.id})
    assert _panel(db, w.application) == [expert.id]
    page = client.post(
        f"{base}/review/assign/manual",
        data={"application_id": w.application.id, "expert_id": expert.id},
        follow_redirects=True,
    ).text
    assert "已分配评审该申报" in page
    row = db.session.scalar(sa.select(ReviewAssignment))
    client.post(f"{base}/assignments/{row.id}/remove")
    assert _panel(db, w.application) == []


def test_applications_not_past_screening_get_no_experts(db, client):
    w = world(db, experts=2)  # both applications only submitted
    as_user(client, w.issuer_user)
    page = client.post(f"/challenges/manage/items/{w.item.id}/review/review/assign", follow_redirects=True).text
    assert "须先通过形式审查" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewAssignment)) == 0
    response = client.post(
        f"/challenges/manage/items/{w.item.id}/review/review/assign/manual",
        data={"application_id": w.application.id, "expert_id": w.experts[0].id},
    )
    assert response.status_code == 404


def test_rubric_with_weights_not_summing_to_100_is_refused_and_default_is_offered(db, client):
    w = world(db, rubric=False)
    as_user(client, w.issuer_user)
    url = f"/challenges/manage/items/{w.item.id}/review/review/rubric"
    page = client.post(
        url, data={"name": ["技术", "团队"], "weight": ["50", "30"], "max_score": ["50", "30"]}, follow_redirects=True
    ).text
    assert "各项权重之和须为 100，现在是 80" in page
    client.post(url, data={"use_default": "1"})
    page = client.get(f"/challenges/manage/items/{w.item.id}/review").text
    for name in ("技术方案先进性与可行性", "考核指标可达性", "团队能力与基础", "经费预算合理性", "成果转化前景"):
        assert f'value="{name}"' in page


def test_an_expert_who_has_scored_cannot_be_removed(db, client):
    w = world(db, experts=1)
    screened(db, w.application)
    row = assign_experts(w.item, REVIEW, [w.application], w.issuer_user).made[0]
    declare_no_conflict(row, row.expert.user, True)
    save_review_scores(row, row.expert.user, {f"c{criteria(w.item, REVIEW)[0].id}": "10"}, "")
    db.session.commit()
    page = (
        as_user(client, w.issuer_user)
        .post(f"/challenges/manage/items/{w.item.id}/review/assignments/{row.id}/remove", follow_redirects=True)
        .text
    )
    assert "已评分，不能移除" in page
    assert _panel(db, w.application) == [row.expert_id]
