"""Shared pieces of the 揭榜 tests: a complete apply form as posted, and reading what happened."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app.challenges.applications.models import ChallengeApplication
from app.core.enums import NotificationKind
from app.extensions import db as _db
from app.notifications.models import Notification
from tests.conftest import as_user

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def complete_form(item, **overrides) -> dict:
    """Everything the apply form needs for a submission, as the browser posts it."""
    data = {
        "project_title": "高丰度稀土永磁体晶界扩散制备技术",
        "summary": "以镧铈替代部分镨钕，结合晶界扩散，实现高性能烧结钕铁硼批量制备。",
        "technical_plan": "技术路线：成分设计 → 速凝铸片 → 氢破气流磨 → 取向成型 → 烧结 → 晶界扩散。",
        "team-0-name": "王建国",
        "team-0-title": "正高级工程师",
        "team-0-role": "项目负责人",
        "budget-0-item": "设备费",
        "budget-0-amount_wan": "40",
        "budget-1-item": "材料费",
        "budget-1-amount_wan": "30.5",
        "milestones-0-name": "中试线建成",
        "milestones-0-months": "12",
        "milestones-0-deliverable": "中试线验收报告",
        "commitment": "y",
        "action": "submit",
    }
    for n, indicator in enumerate(item.indicators):
        data[f"indicator_plans-{n}-plan"] = f"通过晶界扩散工艺达到{indicator.name}{indicator.target}"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_apply(client, user, item, data: dict, files=()):
    payload = dict(data)
    if files:
        payload["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return as_user(client, user).post(
        f"/challenges/items/{item.id}/apply", data=payload, content_type="multipart/form-data"
    )


def application_of(item, org) -> ChallengeApplication | None:
    _db.session.expire_all()
    return _db.session.scalar(
        sa.select(ChallengeApplication).where(
            ChallengeApplication.item_id == item.id, ChallengeApplication.org_id == org.id
        )
    )


def notifications(kind: NotificationKind, user=None) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.kind == kind)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return _db.session.scalars(stmt.order_by(Notification.id)).all()
