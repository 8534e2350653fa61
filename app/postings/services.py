"""Posting rules: create, edit, submit, moderate, close, expire.

Services flush, never commit: the view or CLI command commits once. Every change to a posting bumps
`posting.version` and writes a search-outbox row in the same transaction; every status change also writes a
StatusChange row. Field rules live in app/postings/schema.py (clean_posting), shared with the importer; who may
see or act on a posting, and the read-side lists, live in app/postings/queries.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.clock import local_today
from app.core.enums import NotificationKind, PostingKind, PostingStatus
from app.core.errors import DomainError, Forbidden, InvalidTransition, ValidationFailed
from app.core.models import record_change, utcnow
from app.core.outbox import enqueue_index
from app.core.validators import email_error, normalize_phone, phone_error
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids
from app.organizations.services import require_verified
from app.postings.models import Posting
from app.postings.queries import is_platform_admin, is_signed_in, load_posting, require_admin, require_owner
from app.postings.schema import clean_posting, parse_date

S = PostingStatus
REASON_MAX = 1000

COMMON_ATTRS = ("title", "body", "keywords", "industry", "region", "contact_name", "contact_phone", "contact_email")
KIND_ATTRS: dict[PostingKind, tuple[str, ...]] = {
    PostingKind.ACHIEVEMENT: ("trl", "year", "patents", "cooperation"),
    PostingKind.NEED: ("budget_wan", "deadline", "challenge", "reward_wan", "ip_terms", "cooperation"),
    PostingKind.PROCUREMENT: ("quantity", "deadline", "qualifications"),
    PostingKind.CAPABILITY: ("certifications", "tier"),
}
_EMPTY = {"keywords": [], "patents": [], "cooperation": [], "certifications": [], "challenge": False}
CONTACT_ATTRS = ("contact_name", "contact_phone", "contact_email")


class DuplicateSubmission(DomainError):
    """The same "new posting" form arrived twice; `posting` is what the first one created."""

    code = "duplicate_submission"
    status = 409

    def __init__(self, posting: Posting):
        super().__init__("该信息已经保存过了，请勿重复提交")
        self.posting = posting


# --- the transition table -----------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    verb: str  # for messages: “…不能{verb}”
    sources: frozenset[PostingStatus]
    target: PostingStatus


SUBMIT = Move("提交审核", frozenset({S.DRAFT, S.REJECTED}), S.SUBMITTED)
WITHDRAW = Move("撤回", frozenset({S.SUBMITTED}), S.DRAFT)
APPROVE = Move("审核通过", frozenset({S.SUBMITTED}), S.PUBLISHED)
REJECT = Move("退回", frozenset({S.SUBMITTED}), S.REJECTED)
CLOSE = Move("关闭", frozenset({S.PUBLISHED}), S.CLOSED)
REOPEN = Move("重新编辑", frozenset({S.CLOSED, S.EXPIRED}), S.DRAFT)
EXPIRE = Move("过期下架", frozenset({S.PUBLISHED}), S.EXPIRED)
MOVES = (SUBMIT, WITHDRAW, APPROVE, REJECT, CLOSE, REOPEN, EXPIRE)


def _check(posting: Posting, move: Move) -> None:
    if posting.status not in move.sources:
        raise InvalidTransition(f"该信息当前状态为“{posting.status.label}”，不能{move.verb}")


def touch_posting(posting: Posting) -> None:
    """Any change: a new version, announced to the search index in this same transaction."""
    posting.version = (posting.version or 0) + 1
    enqueue_index("posting", posting.id, posting.version)


def _tell_owner(posting: Posting, kind: NotificationKind, title: str, body: str = "") -> None:
    """Notify the owner organisation's users; the version in the key names this one review."""
    link = link_to("postings.detail", kind=posting.kind.value, posting_id=posting.id)
    key = f"posting:{posting.id}:{kind.value}:{posting.version}"
    notify(org_user_ids(posting.org_id), kind, key, title, body, link)


def _move(posting: Posting, move: Move, actor, reason: str | None = None) -> None:
    _check(posting, move)
    before = posting.status
    posting.status = move.target
    record_change("posting", posting.id, before, move.target, actor, reason)
    touch_posting(posting)
    db.session.flush()


# --- creating and editing -----------------------------------------------------------------


def _clean(kind: PostingKind, raw: dict, *, keep_deadline: date | None = None) -> dict:
    """clean_posting plus the contact phone and e-mail the web form adds; all errors at once."""
    unchanged_deadline = keep_deadline is not None and parse_date(raw.get("deadline")) == keep_deadline
    cleaned = clean_posting(kind, raw, today=local_today(), check_deadline=not unchanged_deadline)
    errors, data = dict(cleaned.errors), cleaned.data
    phone = normalize_phone(raw.get("contact_phone"))
    if phone:
        if message := phone_error(phone):
            errors["contact_phone"] = message
        data["contact_phone"] = phone
    email = str(raw.get("contact_email") or "").strip()
    if email:
        if message := email_error(email):
            errors["contact_email"] = message
        data["contact_email"] = email
    if errors:
        raise ValidationFailed(errors=errors)
    return data


def _apply(posting: Posting, data: dict, org) -> None:
    """Copy cleaned data; a field left empty is cleared, then contact and tier take their defaults."""
    for attr in COMMON_ATTRS + KIND_ATTRS[posting.kind]:
        setattr(posting, attr, data.get(attr, _EMPTY.get(attr)))
    if data.get("ref"):
        posting.ref = data["ref"]
    for attr in CONTACT_ATTRS:
        if not getattr(posting, attr):
            setattr(posting, attr, getattr(org, attr))
    if posting.kind == PostingKind.CAPABILITY and posting.tier is None:
        posting.tier = org.current_tier(local_today())


def _by_token(org_id: int, form_token: str) -> Posting | None:
    return db.session.scalar(sa.select(Posting).where(Posting.org_id == org_id, Posting.form_token == form_token))


def create_posting(kind, org, actor, raw: dict, *, form_token: str | None = None) -> Posting:
    """A new draft owned by `org`, written by a member of it (or by the platform: an admin, or None for the CLI).

    Every field problem is raised at once as ValidationFailed(errors={field: message}). Empty contact fields
    come from the organisation; a capability's tier defaults to the organisation's current 梯度培育 tier.
    A form_token seen before (a double tap, a retried request) raises DuplicateSubmission with the first posting.
    """
    kind = PostingKind(kind)
    if actor is not None and not (is_signed_in(actor) and actor.belongs_to(org.id)) and not is_platform_admin(actor):
        raise Forbidden("只能以本机构的名义发布信息")
    if form_token and (existing := _by_token(org.id, form_token)):
        raise DuplicateSubmission(existing)
    data = _clean(kind, raw)
    posting = Posting(
        kind=kind,
        org=org,
        created_by_id=getattr(actor, "id", None),
        status=S.DRAFT,
        version=1,
        form_token=form_token,
    )
    _apply(posting, data, org)
    db.session.add(posting)
    org_id = org.id
    try:
        db.session.flush()
    except IntegrityError:
        # Two copies of one form at the same moment: the unique (org_id, form_token) index lets one through.
        db.session.rollback()
        existing = _by_token(org_id, form_token) if form_token else None
        if existing is None:
            raise
        raise DuplicateSubmission(existing) from None
    record_change("posting", posting.id, None, S.DRAFT, actor, "创建草稿")
    enqueue_index("posting", posting.id, posting.version)
    db.session.flush()
    return posting


def ensure_editable(posting: Posting) -> None:
    """Drafts, rejected and published postings can be edited; under review or closed, they cannot."""
    if posting.is_editable:
        return
    hint = "如需修改，请先撤回审核。" if posting.status == S.SUBMITTED else "如需修改，请先点击“重新编辑”转为草稿。"
    raise InvalidTransition(f"“{posting.status.label}”状态的信息不能修改。{hint}")


def update_posting(posting: Posting, actor, raw: dict) -> Posting:
    """Owner edits. The status stays as it is (a published posting stays published); the version moves on.

    A deadline that has already passed may be kept unchanged, but not newly set in the past.
    """
    require_owner(posting, actor)
    ensure_editable(posting)
    data = _clean(posting.kind, raw, keep_deadline=posting.deadline)
    _apply(posting, data, posting.org)
    touch_posting(posting)
    db.session.flush()
    return posting


# --- the lifecycle ------------------------------------------------------------------------


def _require_open_deadline(posting: Posting, message: str) -> None:
    if posting.deadline is not None and posting.deadline < local_today():
        raise ValidationFailed(message, errors={"deadline": "截止日期已过，请修改"})


def submit_posting(posting: Posting, actor) -> bool:
    """Draft or rejected → submitted, by a member of a verified organisation.

    Idempotent: submitting a posting that is already under review changes nothing and returns False.
    """
    require_owner(posting, actor)
    if posting.status == S.SUBMITTED:
        return False
    _check(posting, SUBMIT)
    require_verified(posting.org)
    _require_open_deadline(posting, "截止日期已过，请修改截止日期后再提交审核")
    posting.submitted_at = utcnow()
    posting.reject_reason = None
    _move(posting, SUBMIT, actor)
    return True


def withdraw_posting(posting: Posting, actor) -> None:
    """The owner takes a posting back from review to edit it: submitted → draft."""
    require_owner(posting, actor)
    _move(posting, WITHDRAW, actor)


def approve_posting(posting: Posting, actor) -> None:
    """Platform admin: submitted → published. A posting whose deadline has passed cannot be published."""
    require_admin(actor)
    _check(posting, APPROVE)
    _require_open_deadline(posting, "截止日期已过，不能发布。请退回并请发布方修改截止日期。")
    posting.published_at = utcnow()
    posting.reject_reason = None
    _move(posting, APPROVE, actor)
    _tell_owner(posting, NotificationKind.POSTING_APPROVED, f"您发布的《{posting.title}》已审核通过并公开发布")


def approve_postings(posting_ids, actor) -> tuple[list[Posting], list[str]]:
    """Bulk approval: approves what can be approved and says why the rest could not."""
    require_admin(actor)
    approved, problems = [], []
    for posting_id in posting_ids:
        posting = load_posting(posting_id, None, lock=True)
        if posting is None:
            continue
        try:
            approve_posting(posting, actor)
        except DomainError as err:
            problems.append(f"《{posting.title}》：{err.message}")
        else:
            approved.append(posting)
    return approved, problems


def reject_posting(posting: Posting, actor, reason: str | None) -> None:
    """Platform admin: submitted → rejected, with a reason the owner will read."""
    require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写退回原因，发布方会看到它并据此修改", errors={"reason": "请填写退回原因"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"退回原因不能超过{REASON_MAX}个字", errors={"reason": f"不能超过{REASON_MAX}个字"})
    _check(posting, REJECT)
    posting.reject_reason = reason
    _move(posting, REJECT, actor, reason)
    _tell_owner(posting, NotificationKind.POSTING_REJECTED, f"您提交的《{posting.title}》被退回", f"退回原因：{reason}")


def close_posting(posting: Posting, actor) -> None:
    """The owner takes a published posting down (found a partner, no longer needed): published → closed."""
    require_owner(posting, actor)
    _move(posting, CLOSE, actor)


def reopen_posting(posting: Posting, actor) -> None:
    """A closed or expired posting goes back to draft; it is reviewed again before it is public."""
    require_owner(posting, actor)
    _move(posting, REOPEN, actor)


def expire_postings(today: date | None = None) -> int:
    """Published postings whose deadline is before `today` become expired. Idempotent; returns how many moved.

    Rows another transaction holds are skipped (PostgreSQL) and caught by the next run.
    """
    today = today or local_today()
    stmt = (
        sa.select(Posting)
        .where(Posting.status == S.PUBLISHED, Posting.deadline < today)
        .order_by(Posting.id)
        .with_for_update(skip_locked=True)
    )
    postings = db.session.scalars(stmt).all()
    for posting in postings:
        _move(posting, EXPIRE, None, "截止日期已过，自动下架")
    return len(postings)
