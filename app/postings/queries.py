"""The read side of postings: who may see or act on one, loading it for them, and the lists and counts pages show.

Nothing here changes a posting; the rules that do live in app/postings/services.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from app.core.enums import PostingKind, PostingStatus
from app.core.errors import Forbidden, NotFound
from app.extensions import db
from app.organizations.contact import orgs_share_contact
from app.postings.models import Posting

# --- who may do what ----------------------------------------------------------------------


def is_signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_platform_admin(user) -> bool:
    return is_signed_in(user) and user.is_platform_admin


def is_owner(user, posting: Posting) -> bool:
    """A member of the organisation that owns the posting."""
    return is_signed_in(user) and user.belongs_to(posting.org_id)


def can_view(user, posting: Posting) -> bool:
    return posting.is_public or is_owner(user, posting) or is_platform_admin(user)


def can_see_contact(user, posting: Posting) -> bool:
    """Contact phone and e-mail are never public: only the owner organisation's members, platform admins, and
    members of an organisation that has an accepted docking request with the owner (either direction)."""
    if is_owner(user, posting) or is_platform_admin(user):
        return True
    return is_signed_in(user) and orgs_share_contact(user.org_id, posting.org_id)


def require_owner(posting: Posting, actor) -> None:
    if not is_owner(actor, posting):
        raise NotFound()


def require_admin(actor) -> None:
    if not is_platform_admin(actor):
        raise Forbidden("只有平台管理员可以审核信息")


# --- loading one posting ------------------------------------------------------------------


def load_posting(posting_id, kind: PostingKind | None, *, lock: bool) -> Posting | None:
    stmt = sa.select(Posting).where(Posting.id == posting_id)
    if kind is not None:
        stmt = stmt.where(Posting.kind == kind)
    if lock:  # FOR UPDATE on PostgreSQL, so two admins or an admin and the expiry job cannot both move it
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    else:  # one query for what a page shows with it: its organisation, cooperation modes and attachments
        stmt = stmt.options(
            joinedload(Posting.org, innerjoin=True), joinedload(Posting.modes), joinedload(Posting.attachments)
        )
    return db.session.scalars(stmt).unique().one_or_none()


def get_visible_posting(posting_id: int, user, kind: PostingKind | None = None) -> Posting:
    """Published postings are public; any other status exists only for its organisation and admins."""
    posting = load_posting(posting_id, kind, lock=False)
    if posting is None or not can_view(user, posting):
        raise NotFound()
    return posting


def get_own_posting(posting_id: int, user, kind: PostingKind | None = None) -> Posting:
    """For editing and owner actions: to anyone outside the owner organisation it does not exist."""
    posting = load_posting(posting_id, kind, lock=True)
    if posting is None or not is_owner(user, posting):
        raise NotFound()
    return posting


def get_posting_for_moderation(posting_id: int, actor, kind: PostingKind | None = None) -> Posting:
    require_admin(actor)
    posting = load_posting(posting_id, kind, lock=True)
    if posting is None:
        raise NotFound()
    return posting


# --- lists and counts ---------------------------------------------------------------------


def moderation_queue():
    """Submitted postings, the longest-waiting first."""
    return (
        sa.select(Posting).where(Posting.status == PostingStatus.SUBMITTED).order_by(Posting.submitted_at, Posting.id)
    )


def org_postings_by_status(org_id: int) -> dict[PostingStatus, list[Posting]]:
    """All of an organisation's postings grouped by status (every status present), latest change first."""
    grouped: dict[PostingStatus, list[Posting]] = {status: [] for status in PostingStatus}
    stmt = sa.select(Posting).where(Posting.org_id == org_id).order_by(Posting.updated_at.desc(), Posting.id.desc())
    for posting in db.session.scalars(stmt):
        grouped[posting.status].append(posting)
    return grouped


def public_postings():
    return sa.select(Posting).where(Posting.status == PostingStatus.PUBLISHED)


def org_public_postings(org_id: int, limit: int = 50) -> list[Posting]:
    """An organisation's published postings for its public page, latest first."""
    stmt = public_postings().where(Posting.org_id == org_id).order_by(Posting.published_at.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def published_counts() -> dict[PostingKind, int]:
    """How many postings of each kind are public (every kind present)."""
    counts = dict(
        db.session.execute(
            sa.select(Posting.kind, sa.func.count())
            .where(Posting.status == PostingStatus.PUBLISHED)
            .group_by(Posting.kind)
        ).all()
    )
    return {kind: counts.get(kind, 0) for kind in PostingKind}


def latest_public_by_kind(per_kind: int = 5) -> dict[PostingKind, list[Posting]]:
    """The newest published postings of every kind (every kind present), with their organisations, in one query."""
    rank = (
        sa.func.row_number()
        .over(partition_by=Posting.kind, order_by=(Posting.published_at.desc(), Posting.id.desc()))
        .label("rank")
    )
    ranked = sa.select(Posting.id, rank).where(Posting.status == PostingStatus.PUBLISHED).subquery()
    stmt = (
        sa.select(Posting)
        .join(ranked, ranked.c.id == Posting.id)
        .where(ranked.c.rank <= per_kind)
        .options(joinedload(Posting.org), lazyload(Posting.modes))
        .order_by(ranked.c.rank)
    )
    latest: dict[PostingKind, list[Posting]] = {kind: [] for kind in PostingKind}
    for posting in db.session.scalars(stmt):
        latest[posting.kind].append(posting)
    return latest


def home_summary() -> dict:
    return {"counts": published_counts(), "latest": latest_public_by_kind()}


def submitted_count() -> int:
    """How many postings wait in the moderation queue."""
    return db.session.scalar(sa.select(sa.func.count()).where(Posting.status == PostingStatus.SUBMITTED)) or 0


def org_postings_to_finish(org_id: int, limit: int = 5) -> list[Posting]:
    """The organisation's drafts and postings returned by moderation, latest change first."""
    stmt = (
        sa.select(Posting)
        .where(Posting.org_id == org_id, Posting.status.in_([PostingStatus.DRAFT, PostingStatus.REJECTED]))
        .options(lazyload(Posting.modes))
        .order_by(Posting.updated_at.desc(), Posting.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
