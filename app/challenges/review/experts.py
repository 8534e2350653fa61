"""The expert pool (专家库), kept by platform admins: registered users with a title, an affiliation as printed,
fields of expertise and industries (GB/T 4754 门类). Services flush, never commit.

- An expert is found by the e-mail of an active account; one pool entry per user. Adding someone already in
  the pool updates the entry (and reactivates it).
- Fields: free words separated by commas or 、 (at most 20, each up to 30 characters).
- Deactivated experts get no new assignments and can no longer open their open ones; their saved scores stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.challenges.review.models import ChallengeExpert, ReviewAssignment
from app.core.enums import HistoryAction
from app.core.errors import FieldError, InvalidTransition, NotFound
from app.core.industries import SECTIONS
from app.core.models import record_action
from app.extensions import db

FIELDS_MAX, FIELD_LEN = 20, 30
TITLE_MAX, AFFILIATION_MAX = 50, 200
_SEPARATORS = re.compile(r"[,，、;；\n]+")


@dataclass(frozen=True)
class ExpertInput:
    email: str
    title: str
    affiliation: str
    fields: str
    industries: list[str]


def split_fields(text: str | None) -> list[str]:
    """ "稀土永磁, 电机控制、 储能" → ["稀土永磁", "电机控制", "储能"], without repeats."""
    words = [w.strip() for w in _SEPARATORS.split(text or "")]
    return list(dict.fromkeys(w for w in words if w))


def pool(include_inactive: bool = True) -> list[ChallengeExpert]:
    query = sa.select(ChallengeExpert).options(selectinload(ChallengeExpert.user).selectinload(User.org))
    if not include_inactive:
        query = query.where(ChallengeExpert.active.is_(True))
    return list(db.session.scalars(query.order_by(ChallengeExpert.active.desc(), ChallengeExpert.id)))


def open_load() -> dict[int, int]:
    """Standing assignments not yet scored in full, by expert id (the pool page shows it; assignment balances
    on it)."""
    rows = db.session.execute(
        sa.select(ReviewAssignment.expert_id, sa.func.count())
        .where(ReviewAssignment.conflict_note.is_(None), ReviewAssignment.submitted_at.is_(None))
        .group_by(ReviewAssignment.expert_id)
    )
    return dict(rows.all())


def _checked(data: ExpertInput) -> tuple[User, dict]:
    email = (data.email or "").strip().lower()
    if not email:
        raise FieldError("email", "请填写专家的注册邮箱")
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    if user is None or not user.active:
        raise FieldError("email", "没有使用该邮箱的有效账号：专家须先在平台注册")
    title, affiliation = (data.title or "").strip(), (data.affiliation or "").strip()
    if len(title) > TITLE_MAX:
        raise FieldError("title", f"职称不能超过 {TITLE_MAX} 字")
    if len(affiliation) > AFFILIATION_MAX:
        raise FieldError("affiliation", f"工作单位不能超过 {AFFILIATION_MAX} 字")
    fields = split_fields(data.fields)
    if len(fields) > FIELDS_MAX or any(len(f) > FIELD_LEN for f in fields):
        raise FieldError("fields", f"专业领域最多 {FIELDS_MAX} 个，每个不超过 {FIELD_LEN} 字")
    industries = list(dict.fromkeys(data.industries or []))
    if any(code not in SECTIONS for code in industries):
        raise FieldError("industries", "请从列表中选择行业门类")
    values = {
        "title": title or None,
        "affiliation": affiliation or (user.org.name if user.org else None),
        "fields": fields,
        "industries": industries,
    }
    return user, values


def _entry(user: User) -> ChallengeExpert | None:
    return db.session.scalar(sa.select(ChallengeExpert).where(ChallengeExpert.user_id == user.id))


def save_expert(data: ExpertInput, actor) -> ChallengeExpert:
    """Add the user with this e-mail to the pool, or update (and reactivate) their entry."""
    user, values = _checked(data)
    expert = _entry(user) or ChallengeExpert(user_id=user.id, added_by_id=getattr(actor, "id", None))
    if expert.id is None:
        try:
            with db.session.begin_nested():  # the same form sent twice at once: one entry
                db.session.add(expert)
                db.session.flush()
        except IntegrityError:
            expert = _entry(user)
    for name, value in values.items():
        setattr(expert, name, value)
    expert.active = True
    db.session.flush()
    record_action("challenge_expert", expert.id, HistoryAction.EXPERT_ADDED, actor, user.email)
    return expert


def get_expert(expert_id: int) -> ChallengeExpert:
    expert = db.session.get(ChallengeExpert, expert_id)
    if expert is None:
        raise NotFound()
    return expert


def deactivate_expert(expert: ChallengeExpert, actor) -> None:
    if not expert.active:
        raise InvalidTransition("该专家已停用")
    expert.active = False
    db.session.flush()
    record_action("challenge_expert", expert.id, HistoryAction.EXPERT_DEACTIVATED, actor)
