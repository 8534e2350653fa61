"""Short ways for the 公示 tests to score applications, publish a round, object and read what happened."""

from __future__ import annotations

import io
from datetime import datetime

import sqlalchemy as sa
import time_machine

from app.challenges.notice.models import ChallengeNotice, ChallengeObjection
from app.challenges.notice.services import publish_notice
from app.challenges.review.models import ChallengeExpert, ReviewAssignment, ReviewCriterion, ReviewScore
from app.core.challenge_enums import ReviewStage
from app.core.enums import NotificationKind
from app.core.models import utcnow
from app.extensions import db as _db
from app.notifications.models import Notification
from tests.conftest import as_user
from tests.factories import UserFactory

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
REASONS = "经核实，该单位申报材料中所列检测报告并非由具备资质的第三方机构出具，与揭榜条件不符，请予核查。"
ANSWER = "经核查，相关检测报告由具备CMA资质的机构出具，异议所述情况不属实。"


def score_applications(item, results: dict) -> None:
    """Two experts give each application the same mark on a one-line rubric (weight 100, maximum 100): its
    review result is that mark. `results` maps an application to a mark in steps of 0.5."""
    criterion = ReviewCriterion(
        item_id=item.id, stage=ReviewStage.REVIEW, position=1, name="综合评价", weight=100, max_score=100
    )
    _db.session.add(criterion)
    experts = [ChallengeExpert(user=UserFactory(org=None), title="研究员") for _ in range(2)]
    _db.session.add_all(experts)
    _db.session.flush()
    for app, mark in results.items():
        for expert in experts:
            assignment = ReviewAssignment(
                application_id=app.id,
                expert_id=expert.id,
                stage=ReviewStage.REVIEW,
                declared_at=utcnow(),
                submitted_at=utcnow(),
            )
            assignment.scores.append(ReviewScore(criterion_id=criterion.id, half_points=int(mark * 2)))
            _db.session.add(assignment)
    _db.session.commit()


def publish(w, apps, days=5, reason=None, at: datetime | None = None) -> ChallengeNotice:
    """The issuer publishes a round proposing `apps` (committed)."""
    if at is not None:
        with time_machine.travel(at, tick=False):
            notice = publish_notice(w.item, [a.id for a in apps], str(days), "公示说明", reason, w.issuer_user)
    else:
        notice = publish_notice(w.item, [a.id for a in apps], str(days), "公示说明", reason, w.issuer_user)
    _db.session.commit()
    return notice


def post_objection(client, user, item, reasons=REASONS, application=None, token="tok-1", files=()):
    data = {"reasons": reasons, "application_id": str(application.id) if application else "", "form_token": token}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return as_user(client, user).post(
        f"/challenges/items/{item.id}/notice", data=data, content_type="multipart/form-data"
    )


def answer(client, user, objection, decision, text=ANSWER):
    return as_user(client, user).post(
        f"/challenges/manage/objections/{objection.id}/answer", data={"decision": decision, "answer": text}
    )


def objections() -> list[ChallengeObjection]:
    _db.session.expire_all()
    return _db.session.scalars(sa.select(ChallengeObjection).order_by(ChallengeObjection.id)).all()


def notices() -> list[ChallengeNotice]:
    _db.session.expire_all()
    return _db.session.scalars(sa.select(ChallengeNotice).order_by(ChallengeNotice.id)).all()


def told(user) -> list[Notification]:
    return _db.session.scalars(
        sa.select(Notification)
        .where(Notification.kind == NotificationKind.CHALLENGE_NOTICE, Notification.user_id == user.id)
        .order_by(Notification.id)
    ).all()
