"""Policy items as a searchable kind: one search document per item (申报事项), indexed through the search outbox
like postings, into both backends.

Every change to a policy or an item (created, edited, published, withdrawn, expired, deleted — by whichever
service: import, staff forms, the expiry job) writes one outbox row per affected item in the same transaction,
through the session hook installed by `init_item_index`: nothing has to remember to call it, and a crash
between commit and indexing loses nothing (the row waits for the next drain). The drain (app/search/sync.py)
loads the items as they are then, through the IndexSource registered here.

The document's version is the latest change of the item or its policy (updated_at, in microseconds), so an
older state never overwrites a newer one. Every item is indexed whatever its policy's status; only
"published" is searchable. Ranking is by the postings' analysis; the items' dense vectors (vectors.py) are
not in the index documents: the search page compares them in numpy (app/search/semantic.py), so does 相关政策.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, selectinload

from app.core.outbox import enqueue_index
from app.core.policy_enums import PolicyStatus
from app.extensions import db
from app.policies.models import Policy, PolicyItem
from app.policies.places import AUTONOMOUS_REGION, place_name
from app.search.sources import IndexKind, IndexSource, register_source
from search.documents import POLICY_KIND

ENTITY = "policy_item"
KIND = IndexKind(POLICY_KIND, "惠企政策")
BATCH = 500
_PENDING = "policy_items_to_index"


# --- the document ---------------------------------------------------------------------------------------


def _micros(moment: datetime | None) -> int:
    """A stored (naive UTC) time in microseconds: whatever the server's zone, the same number."""
    return int(moment.replace(tzinfo=UTC).timestamp() * 1_000_000) if moment else 0


def _wan(value: Decimal) -> str:
    return f"{value.normalize():f}"


def amount_text(item: PolicyItem) -> str:
    """10–50万元 / 最高100万元 / 50万元 / "" (no amount)."""
    low, high = item.amount_min_wan, item.amount_max_wan
    if low is not None and high is not None:
        return f"{_wan(low)}万元" if low == high else f"{_wan(low)}–{_wan(high)}万元"
    if high is not None:
        return f"最高{_wan(high)}万元"
    return f"{_wan(low)}万元起" if low is not None else ""


def window_text(item: PolicyItem) -> str:
    if item.opens_on and item.closes_on:
        return f"{item.opens_on:%Y-%m-%d} 至 {item.closes_on:%Y-%m-%d}"
    if item.closes_on:
        return f"截至 {item.closes_on:%Y-%m-%d}"
    return f"{item.opens_on:%Y-%m-%d} 起" if item.opens_on else "常年受理"


def league_of(code: str) -> str:
    """The 盟市 a place lies in (a 旗县区 → its 盟市); the 自治区 itself stays 150000 (自治区本级)."""
    return code if code == AUTONOMOUS_REGION or code.endswith("00") else code[:4] + "00"


def item_document(item: PolicyItem, today: date | None = None) -> dict:
    """The search document of one item: its words are the item's and its policy's (title, issuer, 文号, place,
    解读), its facets issuer / region (盟市) / benefit, its window the item's."""
    policy = item.policy
    amount = amount_text(item)
    body = "\n".join(
        part for part in (policy.interpretation, f"支持方式：{item.benefit_type.label} {amount}".strip()) if part
    )
    return {
        "id": item.id,
        "kind": POLICY_KIND,
        "version": max(_micros(item.updated_at), _micros(policy.updated_at)),
        "status": policy.status.value,
        "title": item.title,
        "body": body,
        "keywords": [w for w in (policy.title, policy.issuer, policy.doc_number, place_name(policy.region)) if w],
        "region": league_of(policy.region),
        "published_at": policy.published_on,
        "org_id": policy.issuing_org_id,
        "issuer": policy.issuer,
        "benefit": item.benefit_type.value,
        "opens_on": item.opens_on,
        "closes_on": item.closes_on,
        "display": {
            "policy_id": policy.id,
            "policy_title": policy.title,
            "doc_number": policy.doc_number or "",
            "amount": amount,
            "window": window_text(item),
            "region_name": place_name(policy.region),
        },
    }


# --- reading items for the drain and the rebuild ---------------------------------------------------------


def _items(stmt) -> sa.Select:
    return stmt.options(selectinload(PolicyItem.policy))


def load_items(ids: Iterable[int]) -> dict[int, PolicyItem]:
    wanted = list(ids)
    if not wanted:
        return {}
    stmt = _items(sa.select(PolicyItem).where(PolicyItem.id.in_(wanted))).execution_options(populate_existing=True)
    return {item.id: item for item in db.session.scalars(stmt)}


def count_items(_kind=None) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PolicyItem)) or 0


def iter_documents(_kind, today: date) -> Iterator[dict]:
    last_id = 0
    while True:
        stmt = _items(sa.select(PolicyItem).where(PolicyItem.id > last_id).order_by(PolicyItem.id).limit(BATCH))
        batch = db.session.scalars(stmt).all()
        if not batch:
            return
        yield from (item_document(item, today) for item in batch)
        last_id = batch[-1].id


def db_counts(_today: date) -> dict:
    total, live = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Policy.status == PolicyStatus.PUBLISHED)).select_from(
            sa.join(PolicyItem, Policy)
        )
    ).one()
    return {KIND: (total, live)}


SOURCE = IndexSource(
    entity_type=ENTITY,
    kinds=(KIND,),
    load=load_items,
    document=item_document,
    count=count_items,
    iter_documents=iter_documents,
    db_counts=db_counts,
)


# --- the outbox rows, written with every change ----------------------------------------------------------


def _collect(session: Session, _context, _instances) -> None:
    """Before a flush: remember the items whose document changes (new ones get their id in the flush)."""
    pending = session.info[_PENDING] = []  # what a failed flush left behind is not carried over
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, PolicyItem):
            pending.append(obj)
        elif isinstance(obj, Policy) and (obj in session.new or session.is_modified(obj) or obj in session.deleted):
            pending.extend(obj.items)


def _enqueue(session: Session, _context) -> None:
    """After the flush, in the same transaction: one outbox row per changed item (the commit flushes them)."""
    items = session.info.pop(_PENDING, None)
    for item_id in sorted({item.id for item in items or () if item.id is not None}):
        enqueue_index(ENTITY, item_id, 0)


def enqueue_policy(policy: Policy) -> None:
    """Queue a policy's items by hand (what the session hook does on every change)."""
    for item in policy.items:
        enqueue_index(ENTITY, item.id, 0)


def init_item_index(app: Flask) -> None:
    """Register policy items with the search layer (drain, reindex, status) and hook the outbox rows."""
    register_source(app, SOURCE)
    for name, listener in (("before_flush", _collect), ("after_flush_postexec", _enqueue)):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)
