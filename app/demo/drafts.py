"""A draft the SME demo account (益康生物) left half-written, so its home page has a posting to finish. Written
through the posting service like any member's draft; not public, so it needs no shipped vector."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.enums import PostingKind
from app.demo.compose import PUBLISHED_COUNT, REF_PREFIX, UNPUBLISHED
from app.demo.dating import dated
from app.extensions import db
from app.postings.models import Posting
from app.postings.services import create_posting

PROC = PostingKind.PROCUREMENT
SME_DRAFT = {
    # Numbered after the planned procurements (app/demo/plan.py), so the demo's refs stay unique.
    "ref": f"{REF_PREFIX[PROC]}-{PUBLISHED_COUNT[PROC] + len(UNPUBLISHED[PROC]) + 1:04d}",
    "title": "采购中试用真空冷冻干燥机",
    "keywords": ["冻干机", "真空冷冻干燥", "益生菌", "中试设备"],
    "industry": "C14",
    "region": "150100",
    "quantity": "1台",
    "description": "新菌株投产前要做中试，现有实验室冻干机一次只能处理几公斤，想采购一台中试规模的真空冷冻干燥机，"
    "要求符合GMP车间要求、可记录冻干曲线。（待补充：单批处理量、预算和交货期）",
}


def seed_sme_draft(now: datetime, author) -> Posting:
    """益康's draft of a 采购需求, started two days ago and not submitted yet."""
    when = now - timedelta(days=2, hours=3)
    with dated(when, now):
        posting: Posting = create_posting(PROC, author.org, author, dict(SME_DRAFT))
    posting.created_at = posting.updated_at = when
    db.session.flush()
    return posting
