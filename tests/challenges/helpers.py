"""Build challenge objects straight through the models, for the tests of every challenge area.

`make_item(db, issuer_org)` gives a published 榜单 with one item (2 考核指标, payment plan 30/40/30 on signing /
mid-term / acceptance) backed by a published 揭榜挂帅 need posting of the issuer, window around TEST_CLOCK's day
(opens 2026-11-20, closes 2026-12-20). Keep these signatures stable: the other challenge areas import them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.challenges.items.models import ChallengeBatch, ChallengeIndicator, ChallengeItem, PaymentTranche
from app.core.challenge_enums import BatchStatus, ChallengeMode, ItemStatus, TrancheTrigger
from app.core.enums import PostingKind, PostingStatus
from app.core.models import utcnow
from app.postings.models import Posting

OPENS_ON = date(2026, 11, 20)
CLOSES_ON = date(2026, 12, 20)
COMPLETE_BY = date(2028, 6, 30)

INDICATORS = (
    ("稀土永磁体最大磁能积", "≥ 52", "MGOe", "第三方检测报告"),
    ("高温退磁率（150℃，2h）", "≤ 3", "%", "第三方检测报告"),
)
TRANCHES = (
    ("首付款", 30, TrancheTrigger.SIGNING),
    ("中期款", 40, TrancheTrigger.MIDTERM),
    ("验收款", 30, TrancheTrigger.ACCEPTANCE),
)


def make_batch(
    db,
    issuer_org,
    *,
    status: BatchStatus = BatchStatus.PUBLISHED,
    opens_on: date | None = None,
    closes_on: date | None = None,
    **fields,
) -> ChallengeBatch:
    """A 榜单 of `issuer_org`, published by default, open 2026-11-20 … 2026-12-20 unless told otherwise."""
    values = {
        "title": "2027年度关键核心技术攻关榜单（第一批）",
        "description": "面向稀土新材料、现代煤化工等重点产业链的关键核心技术攻关需求。",
        "published_at": utcnow() if status != BatchStatus.DRAFT else None,
    }
    values.update(fields)
    batch = ChallengeBatch(
        issuer_org_id=issuer_org.id,
        opens_on=opens_on or OPENS_ON,
        closes_on=closes_on or CLOSES_ON,
        status=status,
        **values,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def make_backing_posting(db, item: ChallengeItem, issuer_org) -> Posting:
    """The published 研发需求 with the 揭榜挂帅 flag an item stands on."""
    posting = Posting(
        kind=PostingKind.NEED,
        org_id=issuer_org.id,
        status=PostingStatus.PUBLISHED,
        title=item.title,
        body=item.goal,
        keywords=list(item.keywords),
        industry=item.industry,
        challenge=True,
        reward_wan=item.funding_wan,
        ip_terms=item.ip_terms,
        deadline=item.batch.closes_on,
        published_at=utcnow(),
        version=1,
    )
    db.session.add(posting)
    db.session.flush()
    return posting


def make_item(
    db,
    issuer_org,
    *,
    mode: ChallengeMode = ChallengeMode.SINGLE,
    funding_wan=100,
    teams_stage1: int = 1,
    teams_kept: int = 1,
    status: ItemStatus = ItemStatus.COLLECTING,
    opens_on: date | None = None,
    closes_on: date | None = None,
    batch: ChallengeBatch | None = None,
    posting: bool = True,
    **fields,
) -> ChallengeItem:
    """A complete challenge item in a new published batch (or in `batch`), with its indicators, its payment plan
    and (unless posting=False) its backing published need posting. Extra keyword arguments set item columns."""
    if batch is None:
        batch_status = BatchStatus.DRAFT if status == ItemStatus.DRAFT else BatchStatus.PUBLISHED
        batch = make_batch(db, issuer_org, status=batch_status, opens_on=opens_on, closes_on=closes_on)
    values = {
        "title": "高性能烧结钕铁硼永磁体关键制备技术攻关",
        "goal": "突破高丰度稀土替代与晶界扩散技术，实现高性能烧结钕铁硼永磁体的稳定批量制备。",
        "background": "自治区稀土资源丰富，但高端永磁材料仍依赖外部技术。",
        "industry": "C32",
        "keywords": ["稀土", "永磁", "钕铁硼"],
        "complete_by": COMPLETE_BY,
        "ip_terms": "项目形成的知识产权归揭榜方所有，发榜方享有优先实施权。",
        "position": len(batch.items) + 1,
    }
    values.update(fields)
    item = ChallengeItem(
        batch=batch,
        funding_wan=Decimal(str(funding_wan)),
        mode=mode,
        teams_stage1=teams_stage1,
        teams_kept=teams_kept,
        status=status,
        **values,
    )
    for position, (name, target, unit, verification) in enumerate(INDICATORS, start=1):
        item.indicators.append(
            ChallengeIndicator(position=position, name=name, target=target, unit=unit, verification=verification)
        )
    for position, (name, percent, trigger) in enumerate(TRANCHES, start=1):
        item.tranches.append(PaymentTranche(position=position, name=name, percent=percent, trigger=trigger))
    db.session.add(item)
    db.session.flush()
    if posting and status != ItemStatus.DRAFT:
        item.posting = make_backing_posting(db, item, issuer_org)
        db.session.flush()
    return item
