"""Docking requests (对接请求): send, accept, decline, withdraw, expire, and who may see which.

Services flush, never commit. Each status change writes its StatusChange row and its notification rows in
the same transaction. Another organisation's request is a 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.enums import (
    DeclineReason,
    DockingEventKind,
    DockingOrigin,
    DockingRequestStatus,
    DockingStage,
    NotificationKind,
    PostingStatus,
)
from app.core.errors import DomainError, FieldError, Forbidden, InvalidTransition, NotFound
from app.core.models import record_change, utcnow
from app.docking.models import DockingEvent, DockingRecord, DockingRequest
from app.extensions import db
from app.matching.models import Match
from app.notifications.services import link_to, notify, org_user_ids
from app.organizations.models import Organization
from app.postings.models import Posting

R = DockingRequestStatus
MESSAGE_MAX = 1000
NOTE_MAX = 500


class DuplicateRequest(DomainError):
    """The same "发起对接" form arrived twice, or a request for this posting is still open: `request` is it."""

    code = "duplicate_request"
    status = 409

    def __init__(self, request: DockingRequest, message: str):
        super().__init__(message)
        self.request = request


def request_link(req: DockingRequest) -> str:
    return link_to("docking.request_detail", request_id=req.id)


def record_link(record: DockingRecord) -> str:
    return link_to("docking.record_detail", record_id=record.id)


# --- who may see what ---------------------------------------------------------------------------


def is_party(user, req: DockingRequest) -> bool:
    return bool(user and user.is_authenticated and user.org_id in req.party_org_ids())


def answer_contact_shared(org_a: int, other: int) -> bool:
    """The receiver of app.organizations.contact.contact_shared: docked organisations see each other's contact."""
    return orgs_have_docked(org_a, other)


def orgs_have_docked(org_a: int | None, org_b: int | None) -> bool:
    """True when the two organisations share an accepted docking request, in either direction: the moment each
    may see the other's contact details."""
    if org_a is None or org_b is None:
        return False
    pair = sa.or_(
        sa.and_(DockingRequest.from_org_id == org_a, DockingRequest.to_org_id == org_b),
        sa.and_(DockingRequest.from_org_id == org_b, DockingRequest.to_org_id == org_a),
    )
    stmt = sa.select(DockingRequest.id).where(pair, DockingRequest.status == R.ACCEPTED).limit(1)
    return db.session.scalar(stmt) is not None


def _load(request_id: int, *, lock: bool) -> DockingRequest | None:
    stmt = sa.select(DockingRequest).where(DockingRequest.id == request_id)
    if lock:  # two colleagues answering at once, or the expiry job: only one moves it
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def get_visible_request(request_id: int, user) -> DockingRequest:
    """Readable by members of the two organisations and platform admins; a 404 for everyone else."""
    req = _load(request_id, lock=False)
    if req is None or not (is_party(user, req) or user.is_platform_admin):
        raise NotFound()
    return req


def get_received_request(request_id: int, user) -> DockingRequest:
    """For answering: a request exists only for members of the organisation it is addressed to."""
    req = _load(request_id, lock=True)
    if req is None or not user.belongs_to(req.to_org_id):
        raise NotFound()
    return req


def get_sent_request(request_id: int, user) -> DockingRequest:
    req = _load(request_id, lock=True)
    if req is None or not user.belongs_to(req.from_org_id):
        raise NotFound()
    return req


# --- sending ------------------------------------------------------------------------------------


def docking_refusal(org: Organization | None, target: Posting) -> str | None:
    """Why this organisation may not request a docking on this posting, or None when it may."""
    if org is None:
        return "请先加入机构后再发起对接"
    if target.org_id == org.id:
        return "不能向本机构发布的信息发起对接"
    if org.group_id is not None and target.org.group_id == org.group_id:
        return "同一集团内的机构之间不能发起对接"
    if not org.is_verified:
        return "机构尚未通过平台认证，暂不能发起对接。认证通过后即可发起。"
    return None


def open_request(org_id: int, target_posting_id: int) -> DockingRequest | None:
    """The organisation's pending request for this posting, if it has one."""
    stmt = sa.select(DockingRequest).where(
        DockingRequest.from_org_id == org_id,
        DockingRequest.target_posting_id == target_posting_id,
        DockingRequest.status == R.PENDING,
    )
    return db.session.scalar(stmt)


def _clean_message(message: str | None) -> str:
    message = (message or "").strip()
    if not message:
        raise FieldError("message", "请填写对接留言，说明合作意向")
    if len(message) > MESSAGE_MAX:
        raise FieldError("message", f"留言不能超过{MESSAGE_MAX}个字")
    return message


def _own_posting(posting_id: int | None, org_id: int) -> Posting | None:
    if posting_id is None:
        return None
    posting = db.session.get(Posting, posting_id)
    if posting is None or posting.org_id != org_id:
        raise FieldError("own_posting_id", "请选择本机构发布的信息")
    return posting


def _source_match(match_id: int | None, own: Posting | None, target: Posting) -> Match | None:
    """The match the request came from, kept only when it really pairs the two postings."""
    if match_id is None or own is None:
        return None
    match = db.session.get(Match, match_id)
    if match is None or match.source_id != own.id or match.target_id != target.id:
        return None
    return match


def awaiting_answer(org_id: int, target_posting_id: int) -> DockingRequest | None:
    """The organisation's request for this posting that the owner can still answer, if any."""
    req = open_request(org_id, target_posting_id)
    return req if req is not None and req.is_open else None


def _by_token(org_id: int, form_token: str) -> DockingRequest | None:
    return db.session.scalar(
        sa.select(DockingRequest).where(DockingRequest.from_org_id == org_id, DockingRequest.form_token == form_token)
    )


def _refuse_duplicate(org_id: int, target_id: int, form_token: str | None) -> None:
    """A request past its deadline that the hourly job has not expired yet no longer blocks a new one."""
    if form_token and (first := _by_token(org_id, form_token)):
        raise DuplicateRequest(first, "对接请求已经发出，请勿重复提交")
    if pending := open_request(org_id, target_id):
        if pending.is_open:
            raise DuplicateRequest(pending, "本机构已就该信息发出对接请求，正在等待对方答复，请勿重复发起")
        _expire(pending)


def send_docking_request(
    actor,
    target_posting_id: int,
    message: str | None,
    *,
    own_posting_id: int | None = None,
    match_id: int | None = None,
    origin: DockingOrigin = DockingOrigin.POSTING,
    event_id: int | None = None,
    form_token: str | None = None,
) -> DockingRequest:
    """A member of a verified organisation asks the owner of a published posting to dock.

    Refused: the actor's own organisation's posting or a same-group organisation's; a posting that is not
    published; a second open request of the same organisation for the same posting, and a second POST of
    the same form (both raise DuplicateRequest naming the first). The recipient organisation is notified.
    """
    target = db.session.get(Posting, target_posting_id)
    if target is None or target.status != PostingStatus.PUBLISHED:
        raise NotFound("该信息不存在或已下线，不能发起对接")
    org = actor.org
    if refusal := docking_refusal(org, target):
        raise Forbidden(refusal)
    _refuse_duplicate(org.id, target.id, form_token)
    text = _clean_message(message)
    own = _own_posting(own_posting_id, org.id)
    match = _source_match(match_id, own, target)
    now = utcnow()
    req = DockingRequest(
        from_org_id=org.id,
        from_user_id=actor.id,
        to_org_id=target.org_id,
        target_posting_id=target.id,
        own_posting_id=own.id if own else None,
        match_id=match.id if match else None,
        origin=DockingOrigin.MATCH if match else DockingOrigin(origin),
        event_id=event_id,
        message=text,
        status=R.PENDING,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["DOCKING_REQUEST_EXPIRY_DAYS"]),
        form_token=form_token,
    )
    _add_request(req, form_token)
    record_change("docking_request", req.id, None, R.PENDING, actor)
    _tell_recipient(req, target)
    return req


def _add_request(req: DockingRequest, form_token: str | None) -> None:
    db.session.add(req)
    org_id, target_id = req.from_org_id, req.target_posting_id
    try:
        db.session.flush()
    except IntegrityError:
        # The same form twice at the same moment, or two colleagues at once: the unique indexes let one through.
        db.session.rollback()
        _refuse_duplicate(org_id, target_id, form_token)
        raise


def _tell_recipient(req: DockingRequest, target: Posting) -> None:
    notify(
        org_user_ids(req.to_org_id),
        NotificationKind.DOCKING_REQUEST,
        f"docking_request:{req.id}:received",
        f"{req.from_org.name} 希望就《{target.title}》与您对接",
        req.message[:200],
        request_link(req),
    )


# --- answering ----------------------------------------------------------------------------------


def _require_pending(req: DockingRequest, now: datetime) -> None:
    if req.status != R.PENDING:
        raise InvalidTransition(f"该对接请求当前状态为“{req.status.label}”，不能再操作")
    if req.expires_at <= now:
        raise InvalidTransition("该对接请求已过期，不能再答复。如仍有意向，可请对方重新发起。")


def _answer(req: DockingRequest, actor, status: DockingRequestStatus, reason: str | None = None) -> None:
    now = utcnow()
    _require_pending(req, now)
    req.status, req.answered_at, req.answered_by_id = status, now, actor.id
    record_change("docking_request", req.id, R.PENDING, status, actor, reason)


def _tell_sender(req: DockingRequest, what: str, body: str = "") -> None:
    notify(
        org_user_ids(req.from_org_id),
        NotificationKind.DOCKING_ANSWERED,
        f"docking_request:{req.id}:answered",
        f"{req.to_org.name} {what}您就《{req.target.title}》的对接请求",
        body,
        request_link(req),
    )


def accept_docking_request(req: DockingRequest, actor) -> DockingRecord:
    """Any member of the receiving organisation accepts a pending, unexpired request: a docking record starts
    at 初步接洽, the two sides may now see each other's contact details, and the sender is told."""
    _answer(req, actor, R.ACCEPTED)
    record = DockingRecord(request=req, stage=DockingStage.CONTACT, peak_stage=DockingStage.CONTACT)
    db.session.add(record)
    db.session.flush()
    db.session.add(
        DockingEvent(
            record_id=record.id,
            kind=DockingEventKind.ACCEPTED,
            actor_id=actor.id,
            org_id=actor.org_id,
            to_stage=DockingStage.CONTACT,
            at=req.answered_at,
        )
    )
    _tell_sender(req, "已接受", "对方联系方式已向您开放，请尽快联系推进合作。")
    db.session.flush()
    return record


def decline_docking_request(req: DockingRequest, actor, reason: str | None, note: str | None = None) -> None:
    """The receiving organisation declines a pending, unexpired request with a reason (and an optional note)."""
    declined = DeclineReason.from_any(reason) if reason else None
    if declined is None:
        raise FieldError("reason", "请选择婉拒原因")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise FieldError("note", f"补充说明不能超过{NOTE_MAX}个字")
    _answer(req, actor, R.DECLINED, declined.label)
    req.decline_reason, req.decline_note = declined, note or None
    _tell_sender(req, "婉拒了", f"原因：{declined.label}" + (f"。{note}" if note else ""))
    db.session.flush()


def withdraw_docking_request(req: DockingRequest, actor) -> None:
    """The sending organisation takes back a request that has not been answered yet."""
    if req.status != R.PENDING:
        raise InvalidTransition(f"该对接请求当前状态为“{req.status.label}”，不能撤回")
    req.status = R.WITHDRAWN
    record_change("docking_request", req.id, R.PENDING, R.WITHDRAWN, actor)
    db.session.flush()


# --- expiry (the job) ---------------------------------------------------------------------------


def expire_docking_requests(now: datetime) -> int:
    """Pending requests past expires_at become expired and their sender is told. Idempotent: an expired
    request is not pending any more. Rows another transaction holds are left for the next run."""
    stmt = (
        sa.select(DockingRequest)
        .where(DockingRequest.status == R.PENDING, DockingRequest.expires_at <= now)
        .order_by(DockingRequest.id)
        .with_for_update(skip_locked=True)
    )
    expired = db.session.scalars(stmt).all()
    for req in expired:
        _expire(req)
    return len(expired)


def _expire(req: DockingRequest) -> None:
    req.status = R.EXPIRED
    record_change("docking_request", req.id, R.PENDING, R.EXPIRED, None, "超过答复期限")
    notify(
        org_user_ids(req.from_org_id),
        NotificationKind.DOCKING_EXPIRED,
        f"docking_request:{req.id}:expired",
        f"您就《{req.target.title}》发出的对接请求已过期",
        f"{req.to_org.name} 未在期限内答复。",
        request_link(req),
    )
    db.session.flush()


def remind_expiring_requests(now: datetime) -> int:
    """Pending requests that expire within DOCKING_EXPIRY_REMINDER_DAYS: remind the recipient, once each
    (the notification key makes a second run a no-op). Returns how many reminders were new."""
    soon = now + timedelta(days=current_app.config["DOCKING_EXPIRY_REMINDER_DAYS"])
    stmt = sa.select(DockingRequest).where(
        DockingRequest.status == R.PENDING, DockingRequest.expires_at > now, DockingRequest.expires_at <= soon
    )
    reminded = 0
    for req in db.session.scalars(stmt):
        created = notify(
            org_user_ids(req.to_org_id),
            NotificationKind.DOCKING_EXPIRING,
            f"docking_request:{req.id}:expiring",
            f"{req.from_org.name} 的对接请求即将过期，请尽快答复",
            f"关于《{req.target.title}》。",
            request_link(req),
        )
        reminded += bool(created)
    return reminded
