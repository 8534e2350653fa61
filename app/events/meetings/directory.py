"""参会机构名录: every other organisation with a confirmed registration at a docking event, filtered by
type, 门类, 盟市, what they offer or seek and a keyword over their postings' titles, plus a search on the
name; each shown with one or two of its published postings. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.core.enums import OrgType, PostingKind, PostingStatus
from app.events.event_roles import participant_org_ids
from app.extensions import db
from app.organizations.models import Organization
from app.postings.models import Posting

PER_PAGE = 12
PREVIEW = 2
TEXT_MAX = 50

K = PostingKind
# What an organisation offers or seeks, as the kinds of posting it has published.
SIDES: dict[str, tuple[str, tuple[PostingKind, ...]]] = {
    "offer": ("提供成果或能力", (K.ACHIEVEMENT, K.CAPABILITY)),
    "seek": ("寻求技术或采购", (K.NEED, K.PROCUREMENT)),
    **{k.value: (f"有{k.label}", (k,)) for k in PostingKind},
}


@dataclass(frozen=True)
class DirectoryFilters:
    name: str = ""
    org_type: OrgType | None = None
    section: str | None = None  # GB/T 4754 门类 letter
    region: str | None = None
    side: str | None = None  # a key of SIDES
    topic: str = ""  # words that must appear in the title of one of their published postings


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _words(text: str) -> list[str]:
    return [w[:TEXT_MAX] for w in (text or "").split()[:5]]


def _published(*conditions) -> sa.Exists:
    return sa.exists().where(Posting.org_id == Organization.id, Posting.status == PostingStatus.PUBLISHED, *conditions)


def _title_has(word: str):
    return Posting.title.ilike(_like(word), escape="\\")


def directory_select(event_id: int, org_id: int, f: DirectoryFilters) -> sa.Select:
    """The other participating organisations matching every filter given, by name. An industry matches
    the organisation's own 门类 or that of one of its published postings."""
    stmt = sa.select(Organization).where(Organization.id.in_(participant_org_ids(event_id) - {org_id}))
    for word in _words(f.name):
        stmt = stmt.where(Organization.name.ilike(_like(word), escape="\\"))
    if f.org_type is not None:
        stmt = stmt.where(Organization.org_type == f.org_type)
    if f.region is not None:
        stmt = stmt.where(Organization.region == f.region)
    if f.section is not None:
        prefix = f"{f.section}%"
        stmt = stmt.where(sa.or_(Organization.industry.like(prefix), _published(Posting.industry.like(prefix))))
    if f.side is not None:
        stmt = stmt.where(_published(Posting.kind.in_(SIDES[f.side][1])))
    for word in _words(f.topic):
        stmt = stmt.where(_published(_title_has(word)))
    return stmt.order_by(Organization.name, Organization.id)


def posting_previews(org_ids: list[int], f: DirectoryFilters) -> dict[int, list[Posting]]:
    """Up to two published postings per organisation: those whose title has the topic words first (then
    those of the wanted side), newest first."""
    if not org_ids:
        return {}
    relevance = [sa.case((sa.and_(*map(_title_has, _words(f.topic))), 0), else_=1)] if f.topic.split() else []
    if f.side is not None:
        relevance.append(sa.case((Posting.kind.in_(SIDES[f.side][1]), 0), else_=1))
    rank = (
        sa.func.row_number()
        .over(partition_by=Posting.org_id, order_by=[*relevance, Posting.published_at.desc(), Posting.id.desc()])
        .label("rank")
    )
    ranked = (
        sa.select(Posting.id, rank)
        .where(Posting.org_id.in_(org_ids), Posting.status == PostingStatus.PUBLISHED)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(Posting)
        .join(ranked, ranked.c.id == Posting.id)
        .where(ranked.c.rank <= PREVIEW)
        .order_by(Posting.org_id, ranked.c.rank)
    )
    previews: dict[int, list[Posting]] = {}
    for posting in rows:
        previews.setdefault(posting.org_id, []).append(posting)
    return previews
