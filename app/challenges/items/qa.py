"""Questions on a challenge item (答疑): signed-in organisations ask while it collects applications, the issuer
answers on its desk, and every answer is published to all without the asker's name."""

from __future__ import annotations

import sqlalchemy as sa

from app.challenges.items.models import ChallengeItem, ChallengeQuestion
from app.challenges.items.status import current_status, is_public
from app.core.challenge_enums import ItemStatus
from app.core.enums import NotificationKind
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.models import add_once, utcnow
from app.extensions import db
from app.notifications.services import link_to, notify

QUESTION_MAX = 500
ANSWER_MAX = 2000
OPEN_PER_ORG = 10  # unanswered questions one organisation may have on one item


def _by_token(form_token: str) -> ChallengeQuestion | None:
    return db.session.scalar(sa.select(ChallengeQuestion).where(ChallengeQuestion.form_token == form_token))


def ask_question(item: ChallengeItem, user, body: str, form_token: str | None = None) -> ChallengeQuestion:
    """A member of an organisation asks while the item collects applications. The same form_token twice (a double
    tap, a retried request) returns the first question instead of making another."""
    if form_token and (first := _by_token(form_token)):
        return first
    if not getattr(user, "is_authenticated", False) or user.org_id is None:
        raise Forbidden("请以机构成员身份登录后提问")
    if not is_public(item):
        raise NotFound()
    if current_status(item) != ItemStatus.COLLECTING:
        raise InvalidTransition("该项目已停止征集，不再接受提问")
    if user.org_id == item.batch.issuer_org_id:
        raise InvalidTransition("发榜方不能对本单位的项目提问，可直接修改项目说明")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(errors={"body": "请填写问题"})
    if len(body) > QUESTION_MAX:
        raise ValidationFailed(errors={"body": f"问题不能超过 {QUESTION_MAX} 个字"})
    open_count = db.session.scalar(
        sa.select(sa.func.count()).where(
            ChallengeQuestion.item_id == item.id,
            ChallengeQuestion.org_id == user.org_id,
            ChallengeQuestion.answer.is_(None),
        )
    )
    if open_count >= OPEN_PER_ORG:
        raise ValidationFailed(errors={"body": f"本单位已有 {OPEN_PER_ORG} 个问题待答复，请等发榜方答复后再提问"})
    question = ChallengeQuestion(
        item_id=item.id, org_id=user.org_id, asked_by_id=user.id, body=body, form_token=form_token or None
    )
    return add_once(question, form_token) or question


def answer_question(question: ChallengeQuestion, actor, answer: str) -> None:
    """The issuer answers (or corrects its answer); the asking organisation is told."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed(errors={"answer": "请填写答复"})
    if len(answer) > ANSWER_MAX:
        raise ValidationFailed(errors={"answer": f"答复不能超过 {ANSWER_MAX} 个字"})
    first_answer = question.answer is None
    question.answer = answer
    question.answered_at = utcnow()
    question.answered_by_id = getattr(actor, "id", None)
    db.session.flush()
    if first_answer and question.asked_by_id is not None:
        item = db.session.get(ChallengeItem, question.item_id)
        notify(
            question.asked_by_id,
            NotificationKind.CHALLENGE_APPLICATION,
            f"challenge:question:{question.id}:answered",
            f"您对揭榜项目《{item.title}》的提问已答复",
            answer[:200],
            link_to("challenges.item", item_id=item.id, _anchor="qa"),
        )


def answered_questions(item: ChallengeItem) -> list[ChallengeQuestion]:
    return db.session.scalars(
        sa.select(ChallengeQuestion)
        .where(ChallengeQuestion.item_id == item.id, ChallengeQuestion.answer.is_not(None))
        .order_by(ChallengeQuestion.answered_at, ChallengeQuestion.id)
    ).all()


def all_questions(item: ChallengeItem) -> list[ChallengeQuestion]:
    """For the issuer's desk: unanswered first, oldest first."""
    return db.session.scalars(
        sa.select(ChallengeQuestion)
        .where(ChallengeQuestion.item_id == item.id)
        .order_by(ChallengeQuestion.answer.is_not(None), ChallengeQuestion.asked_at, ChallengeQuestion.id)
    ).all()


def own_open_questions(item: ChallengeItem, user) -> list[ChallengeQuestion]:
    """The viewer's organisation's questions still waiting for an answer (only they see them)."""
    if not getattr(user, "is_authenticated", False) or user.org_id is None:
        return []
    return db.session.scalars(
        sa.select(ChallengeQuestion)
        .where(
            ChallengeQuestion.item_id == item.id,
            ChallengeQuestion.org_id == user.org_id,
            ChallengeQuestion.answer.is_(None),
        )
        .order_by(ChallengeQuestion.asked_at)
    ).all()


def question_for_item(item: ChallengeItem, question_id: int) -> ChallengeQuestion:
    question = db.session.get(ChallengeQuestion, question_id)
    if question is None or question.item_id != item.id:
        raise NotFound()
    return question
