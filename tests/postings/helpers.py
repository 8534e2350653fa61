"""Postings tests' shared pieces: a valid form per kind and short ways to act as a user and make postings."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import g

from app.core.enums import PostingKind, PostingStatus
from app.postings.models import Posting
from app.postings.services import approve_posting, create_posting, submit_posting
from tests.conftest import login_as
from tests.factories import PostingFactory

K = PostingKind
S = PostingStatus
FUTURE = (date.today() + timedelta(days=60)).isoformat()

VALID = {
    K.ACHIEVEMENT: {
        "title": "稀土永磁同步电机高效控制技术",
        "keywords": "稀土；永磁、电机",
        "industry": "C38",
        "region": "150200",
        "summary": "基于无位置传感器的永磁同步电机矢量控制方法。",
        "trl": "6",
        "cooperation": ["transfer", "license"],
        "year": "2023",
        "patents": "ZL201910123456.7",
    },
    K.NEED: {
        "title": "羊绒分梳设备降耗技术攻关",
        "keywords": "羊绒，分梳",
        "industry": "C17",
        "region": "150600",
        "description": "现有分梳设备能耗高，希望降低 20% 能耗。",
        "budget_wan": "80",
        "deadline": FUTURE,
        "challenge": True,
        "reward_wan": "50",
        "cooperation": ["joint_dev"],
    },
    K.PROCUREMENT: {
        "title": "采购高纯氧化镨钕",
        "keywords": "氧化镨钕",
        "industry": "C32",
        "region": "150200",
        "description": "纯度 99.5% 以上，分批交付。",
        "quantity": "500 吨/年",
        "deadline": FUTURE,
        "qualifications": "具备危化品经营许可",
    },
    K.CAPABILITY: {
        "title": "精密数控加工能力",
        "keywords": "数控加工；五轴",
        "industry": "C34",
        "region": "150100",
        "description": "五轴联动加工中心 12 台，可承接航空零部件加工。",
        "certifications": "ISO 9001；高新技术企业",
    },
}
BODY = {K.ACHIEVEMENT: "summary"}


def valid(kind: PostingKind, **changes) -> dict:
    return {**VALID[kind], **changes}


def act_as(client, user):
    """Switch the test client's user (Flask-Login caches the user on `g`, which the test's app context keeps)."""
    g.pop("_login_user", None)
    if user is None:
        with client.session_transaction() as sess:
            sess.clear()
    else:
        login_as(client, user)
    return client


def page_text(resp) -> str:
    return resp.get_data(as_text=True)


def count_postings(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Posting.id)))


def draft(org, kind=K.ACHIEVEMENT, **kw):
    return PostingFactory(org=org, kind=kind, status=S.DRAFT, published_at=None, **kw)


def published(owner, admin, kind=K.NEED, **changes) -> Posting:
    posting = create_posting(kind, owner.org, owner, valid(kind, **changes))
    submit_posting(posting, owner)
    approve_posting(posting, admin)
    return posting
