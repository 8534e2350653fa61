"""The expert's side: only one's own assignments exist; the declaration comes before the file; scores within
the rubric's bounds in half points, revisable until the issuer closes the stage; applicants never reach it."""

from __future__ import annotations

import sqlalchemy as sa

from app.challenges.review.assignment import assign_experts
from app.challenges.review.models import ReviewScore
from app.challenges.review.services import criteria
from app.core.challenge_enums import ReviewStage
from tests.challenges.review.helpers import screened, world
from tests.conftest import as_user
from tests.factories import UserFactory

REVIEW = ReviewStage.REVIEW
PLAN = "分三阶段完成中试与批量验证。"


def _assigned(db, blind=False):
    w = world(db, blind=blind, experts=3)
    screened(db, w.application, w.other_application)
    report = assign_experts(w.item, REVIEW, [w.application], w.issuer_user, n=1)
    db.session.commit()
    return w, report.made[0]


def _fields(w, values, comment=""):
    rubric = criteria(w.item, REVIEW)
    return {**{f"c{c.id}": v for c, v in zip(rubric, values, strict=True)}, "comment": comment}


def test_the_application_opens_only_after_the_no_conflict_declaration(db, client):
    w, row = _assigned(db)
    as_user(client, row.expert.user)
    page = client.get(f"/challenges/reviews/{row.id}").text
    assert "无利益冲突声明" in page and PLAN not in page
    assert client.post(f"/challenges/reviews/{row.id}/scores", data=_fields(w, ["20", "10"])).status_code == 404
    assert client.get(f"/challenges/reviews/{row.id}/files/1").status_code == 404
    page = client.post(f"/challenges/reviews/{row.id}/declare", data={}, follow_redirects=True).text
    assert "请勾选无利益冲突声明" in page and PLAN not in page
    page = client.post(f"/challenges/reviews/{row.id}/declare", data={"confirm": "y"}, follow_redirects=True).text
    assert PLAN in page and "保存评分" in page


def test_an_expert_sees_only_assigned_applications(db, client):
    w, row = _assigned(db)
    others = [e for e in w.experts if e.id != row.expert_id]
    as_user(client, others[0].user)
    assert client.get(f"/challenges/reviews/{row.id}").status_code == 404
    assert client.post(f"/challenges/reviews/{row.id}/declare", data={"confirm": "y"}).status_code == 404
    assert "包头稀土永磁" not in client.get("/challenges/reviews").text
    as_user(client, row.expert.user)
    listing = client.get("/challenges/reviews").text
    assert f"/challenges/reviews/{row.id}" in listing and "鄂尔多斯新材料" not in listing


def test_applicants_and_strangers_cannot_reach_review_pages(db, client):
    w, row = _assigned(db)
    applicant = UserFactory(org=w.lead)
    db.session.commit()
    as_user(client, applicant)
    item = w.item.id
    for url in (
        f"/challenges/reviews/{row.id}",
        f"/challenges/manage/items/{item}/review",
        f"/challenges/manage/items/{item}/results",
        f"/challenges/manage/items/{item}/export/scores",
        f"/challenges/manage/items/{item}/export/applications",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/challenges/experts").status_code == 403
    assert "您还不在揭榜挂帅专家库中" in client.get("/challenges/reviews").text


def test_scores_are_kept_in_half_points_within_the_rubric_and_revisable(db, client):
    w, row = _assigned(db)
    as_user(client, row.expert.user)
    client.post(f"/challenges/reviews/{row.id}/declare", data={"confirm": "y"})
    for values, message in (
        (["31", "10"], "0 到 30 之间"),
        (["20", "-1"], "0 到 20 之间"),
        (["20.3", "10"], "0.5 的整数倍"),
        (["abc", "10"], "请填写数字"),
    ):
        response = client.post(f"/challenges/reviews/{row.id}/scores", data=_fields(w, values))
        assert response.status_code == 422 and message in response.text
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore)) == 0
    client.post(f"/challenges/reviews/{row.id}/scores", data=_fields(w, ["22.5", "15"], "方案可行"))
    db.session.expire_all()
    assert sorted(s.half_points for s in row.scores) == [30, 45] and row.comment == "方案可行"
    assert row.submitted_at is not None
    client.post(f"/challenges/reviews/{row.id}/scores", data=_fields(w, ["25", ""]))
    db.session.expire_all()
    assert sorted(s.half_points for s in row.scores) == [50] and row.submitted_at is None


def test_scores_are_frozen_once_the_issuer_closes_the_stage(db, client):
    w, row = _assigned(db)
    as_user(client, row.expert.user)
    client.post(f"/challenges/reviews/{row.id}/declare", data={"confirm": "y"})
    client.post(f"/challenges/reviews/{row.id}/scores", data=_fields(w, ["20", "10"]))
    as_user(client, w.issuer_user)
    client.post(f"/challenges/manage/items/{w.item.id}/review/review/close")
    as_user(client, row.expert.user)
    page = client.post(
        f"/challenges/reviews/{row.id}/scores", data=_fields(w, ["30", "20"]), follow_redirects=True
    ).text
    assert "已截止评分" in page
    db.session.expire_all()
    assert sorted(s.half_points for s in row.scores) == [20, 40]
    assert "评分已截止，不能再修改" in client.get(f"/challenges/reviews/{row.id}").text


def test_a_deactivated_expert_can_no_longer_open_their_assignment(db, client):
    w, row = _assigned(db)
    row.expert.active = False
    db.session.commit()
    assert as_user(client, row.expert.user).get(f"/challenges/reviews/{row.id}").status_code == 404


def test_the_user_menu_leads_experts_to_their_reviews(db, client):
    w, row = _assigned(db)
    assert "我的评审任务" in as_user(client, row.expert.user).get("/challenges/reviews").text
    assert 'href="/challenges/reviews"' in client.get("/notifications/").text
    assert 'href="/challenges/reviews"' not in as_user(client, w.issuer_user).get("/notifications/").text
