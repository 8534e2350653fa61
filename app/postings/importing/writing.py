"""Writing validated rows: the upsert by (kind, ref), with audit and search-outbox rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.enums import PostingKind, PostingStatus, VerificationStatus
from app.core.models import record_change, utcnow
from app.core.outbox import enqueue_index
from app.extensions import db
from app.organizations.models import Organization
from app.postings.importing.validation import ImportRow, NewOrg
from app.postings.models import Posting
from app.postings.services import touch_posting

IMPORT_REASON = "批量导入"
CHUNK = 1000


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    orgs_created: int = 0
    published: int = 0

    def __str__(self) -> str:
        return (
            f"新建 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条，"
            f"其中发布 {self.published} 条；新建机构 {self.orgs_created} 个"
        )


_COMMON_ATTRS = {"title": "", "body": "", "keywords": [], "industry": None, "region": None, "contact_name": None}
_KIND_ATTRS = {
    PostingKind.ACHIEVEMENT: {"trl": None, "year": None, "cooperation": [], "patents": []},
    PostingKind.NEED: {
        "budget_wan": None,
        "deadline": None,
        "challenge": False,
        "reward_wan": None,
        "ip_terms": None,
        "cooperation": [],
    },
    PostingKind.PROCUREMENT: {"quantity": None, "deadline": None, "qualifications": None},
    PostingKind.CAPABILITY: {"certifications": [], "tier": None},
}
_PUBLISHABLE = {PostingStatus.DRAFT, PostingStatus.SUBMITTED, PostingStatus.REJECTED}


def _values(row: ImportRow) -> dict:
    """Every attribute the file controls for this kind; a blank cell clears the attribute."""
    defaults = {**_COMMON_ATTRS, **_KIND_ATTRS[row.kind]}
    values = {name: row.data.get(name, default) for name, default in defaults.items()}
    return {name: list(v) if isinstance(v, list) else v for name, v in values.items()}


def _differs(posting: Posting, name: str, value) -> bool:
    current = getattr(posting, name)
    if name == "cooperation":
        return set(current) != set(value)
    return current != value


def import_records(
    good: list[ImportRow],
    *,
    publish: bool = False,
    verified: bool = False,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Upsert validated rows by (kind, ref). Flushes, never commits.

    A row equal to what is stored changes nothing: no version bump, no outbox row. Every created or
    changed posting gets a version bump and an outbox row; every status change an audit row.
    """
    summary = ImportSummary()
    created_orgs = _create_orgs(good, verified, actor, summary)
    now = utcnow()
    fresh: list[Posting] = []
    with db.session.no_autoflush:
        for row in good:
            org_id = row.org.id if isinstance(row.org, Organization) else created_orgs[id(row.org)].id
            if row.existing is None:
                fresh.append(_new_posting(row, org_id, publish, actor, now))
                if len(fresh) >= CHUNK:
                    _flush_new(fresh, actor, summary)
                    fresh = []
            else:
                _update_posting(row.existing, org_id, _values(row), publish, actor, now, summary)
            if progress:
                progress(1)
    _flush_new(fresh, actor, summary)
    db.session.flush()
    return summary


def _create_orgs(good: list[ImportRow], verified: bool, actor, summary: ImportSummary) -> dict[int, Organization]:
    wanted = {id(row.org): row.org for row in good if isinstance(row.org, NewOrg)}
    status = VerificationStatus.VERIFIED if verified else VerificationStatus.PENDING
    created = {}
    for key, spec in wanted.items():
        created[key] = Organization(
            name=spec.name,
            org_type=spec.org_type,
            credit_code=spec.credit_code,
            region=spec.region,
            industry=spec.industry,
            verification=status,
            verified_at=utcnow() if verified else None,
            verified_by_id=getattr(actor, "id", None) if verified else None,
        )
    db.session.add_all(created.values())
    db.session.flush()
    for org in created.values():
        record_change("organization", org.id, None, status, actor, IMPORT_REASON)
    summary.orgs_created = len(created)
    return created


def _new_posting(row: ImportRow, org_id: int, publish: bool, actor, now) -> Posting:
    posting = Posting(
        kind=row.kind,
        ref=row.ref,
        org_id=org_id,
        created_by_id=getattr(actor, "id", None),
        status=PostingStatus.PUBLISHED if publish else PostingStatus.DRAFT,
        published_at=now if publish else None,
        version=1,
    )
    for name, value in _values(row).items():
        setattr(posting, name, value)
    db.session.add(posting)
    return posting


def _flush_new(fresh: list[Posting], actor, summary: ImportSummary) -> None:
    if not fresh:
        return
    db.session.flush()  # ids for the audit and outbox rows
    for posting in fresh:
        record_change("posting", posting.id, None, posting.status, actor, IMPORT_REASON)
        enqueue_index("posting", posting.id, posting.version)
    summary.created += len(fresh)
    summary.published += sum(1 for p in fresh if p.status == PostingStatus.PUBLISHED)


def _update_posting(posting: Posting, org_id: int, values: dict, publish: bool, actor, now, summary) -> None:
    changed = posting.org_id != org_id
    if changed:
        posting.org_id = org_id
    for name, value in values.items():
        if _differs(posting, name, value):
            setattr(posting, name, value)
            changed = True
    if publish and posting.status in _PUBLISHABLE:
        record_change("posting", posting.id, posting.status, PostingStatus.PUBLISHED, actor, IMPORT_REASON)
        posting.status = PostingStatus.PUBLISHED
        posting.published_at = now
        posting.reject_reason = None
        summary.published += 1
        changed = True
    if changed:
        touch_posting(posting)
        summary.updated += 1
    else:
        summary.unchanged += 1
