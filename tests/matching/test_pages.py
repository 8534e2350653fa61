"""Matching: what owners see and do on their pages (为您推荐, 我的匹配, feedback)."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.enums import FeedbackReason
from app.matching.models import MatchFeedback
from tests.conftest import login_as
from tests.factories import UserFactory
from tests.matching.helpers import (
    MAGNET,
    K,
    match_between,
    posting,
    publish,
)

# --- pages ---------------------------------------------------------------------------------------


def _owned_match(db):
    owner = UserFactory()
    need = posting(K.NEED, "钕铁硼磁钢需求", org=owner.org, **MAGNET)
    target = posting(K.ACHIEVEMENT, "钕铁硼磁钢技术", **MAGNET)
    publish(db, need, target)
    return owner, need, target, match_between(db, need, target)


def test_owners_see_recommendations_with_reasons_on_their_posting(app, db, login):
    owner, need, target, _ = _owned_match(db)
    page = login(owner).get(f"/postings/need/{need.id}").get_data(as_text=True)
    assert "为您推荐" in page and target.title in page and "为什么推荐" in page and "钕铁硼（" in page
    assert "感兴趣" in page and "领域不符" in page


def test_other_users_see_no_recommendations(app, db, login):
    _, need, _, _ = _owned_match(db)
    page = login(UserFactory()).get(f"/postings/need/{need.id}").get_data(as_text=True)
    assert "为您推荐" not in page


def test_marking_a_match_irrelevant_on_the_page_removes_it(app, db, login):
    owner, need, target, match = _owned_match(db)
    client = login(owner)
    response = client.post(f"/matches/{match.id}/feedback", data={"verdict": "irrelevant", "reason": "field"})
    assert response.status_code == 302 and response.location.endswith(f"/postings/need/{need.id}#recommendations")
    assert match_between(db, need, target) is None
    feedback = db.session.scalar(sa.select(MatchFeedback))
    assert (feedback.reason, feedback.user_id, feedback.org_id) == (FeedbackReason.FIELD, owner.id, owner.org_id)


def test_feedback_on_another_organisations_match_is_a_404(app, db, login):
    _, _, _, match = _owned_match(db)
    response = login(UserFactory()).post(f"/matches/{match.id}/feedback", data={"verdict": "interested"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(MatchFeedback.id))) == 0


def test_feedback_needs_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db

        owner, _, _, match = _owned_match(db)
        db.session.commit()
        client = app.test_client()
        login_as(client, owner)
        assert client.post(f"/matches/{match.id}/feedback", data={"verdict": "interested"}).status_code == 400


def test_my_matches_lists_matches_across_the_organisations_postings(app, db, login):
    owner, need, target, _ = _owned_match(db)
    client = login(owner)
    page = client.get("/matches/").get_data(as_text=True)
    assert need.title in page and target.title in page and "为什么推荐" in page
    assert "/matches/" in client.get("/orgs/mine").get_data(as_text=True)
    other = login(UserFactory()).get("/matches/").get_data(as_text=True)
    assert target.title not in other
