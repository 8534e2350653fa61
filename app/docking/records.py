"""Docking records (对接记录): stage moves, notes and documents, each a line of the record's timeline.

Stages move forward only (skipping is allowed). 已签约 needs the contract's type, amount and date;
已完成 needs 已签约 first plus the acceptance (验收) date and a note; 已终止 needs a reason and can be
reached from any stage that is not final. Only the two parties write; platform admins read.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app

from app.core.clock import past_day
from app.core.enums import (
    ContractType,
    DockingEventKind,
    DockingOrigin,
    DockingRequestStatus,
    DockingStage,
    NotificationKind,
)
from app.core.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.core.uploads import store_upload, upload_root
from app.docking.models import DockingEvent, DockingFile, DockingFollowUp, DockingRecord, DockingRequest
from app.docking.services import accept_docking_request, open_request, record_link
from app.extensions import db
from app.notifications.services import notify, org_user_ids

ST = DockingStage
FINAL = (ST.COMPLETED, ST.TERMINATED)
AMOUNT_MAX = Decimal("1000000")  # 万元, i.e. 100 亿元: anything larger is a typo
TEXT_MAX = 1000
FILES_MAX = 30
FILE_FOLDER = "docking"


# --- access -------------------------------------------------------------------------------------


def _load(record_id: int, *, lock: bool) -> DockingRecord | None:
    stmt = sa.select(DockingRecord).where(DockingRecord.id == record_id)
    if lock:
        stmt = stmt.with_for_update(of=DockingRecord).execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def is_record_party(user, record: DockingRecord) -> bool:
    return bool(user and user.is_authenticated and user.org_id in record.request.party_org_ids())


def get_visible_record(record_id: int, user) -> DockingRecord:
    """The two parties and platform admins read a record; everyone else gets a 404."""
    record = _load(record_id, lock=False)
    if record is None or not (is_record_party(user, record) or user.is_platform_admin):
        raise NotFound()
    return record


def get_party_record(record_id: int, user) -> DockingRecord:
    """For writing: only members of the two organisations."""
    record = _load(record_id, lock=True)
    if record is None or not is_record_party(user, record):
        raise NotFound()
    return record


def file_path(item: DockingFile):
    return upload_root(FILE_FOLDER) / item.stored_name


def get_visible_file(record_id: int, file_id: int, user) -> DockingFile:
    record = get_visible_record(record_id, user)
    item = db.session.get(DockingFile, file_id)
    if item is None or item.record_id != record.id or not file_path(item).is_file():
        raise NotFound()
    return item


# --- the timeline -------------------------------------------------------------------------------


def _log(record: DockingRecord, actor, kind: DockingEventKind, **fields) -> DockingEvent:
    """Write a timeline line. A stage change or a note by a party answers the follow-ups asked before it."""
    now = utcnow()
    event = DockingEvent(record_id=record.id, kind=kind, actor_id=actor.id, org_id=actor.org_id, at=now, **fields)
    db.session.add(event)
    if kind in (DockingEventKind.STAGE, DockingEventKind.NOTE):
        db.session.execute(
            sa.update(DockingFollowUp)
            .where(
                DockingFollowUp.record_id == record.id,
                DockingFollowUp.answered_at.is_(None),
                DockingFollowUp.asked_at <= now,
            )
            .values(answered_at=now)
        )
    record.updated_at = now
    db.session.flush()
    return event


def other_org_id(record: DockingRecord, actor) -> int:
    req: DockingRequest = record.request
    return req.to_org_id if actor.org_id == req.from_org_id else req.from_org_id


def _tell_other_side(record: DockingRecord, actor, what: str, headline: str, body: str) -> None:
    """Every member of the other party hears of a timeline line, once: `what` names the line in the key."""
    notify(
        org_user_ids(other_org_id(record, actor)),
        NotificationKind.DOCKING_UPDATE,
        f"docking_record:{record.id}:{what}",
        f"《{record.request.target.title}》对接进展：{headline}",
        body,
        record_link(record),
    )


def _clean_text(text: str | None, field: str, label: str, *, required: bool) -> str | None:
    text = (text or "").strip()
    if required and not text:
        raise FieldError(field, f"请填写{label}")
    if len(text) > TEXT_MAX:
        raise FieldError(field, f"{label}不能超过{TEXT_MAX}个字")
    return text or None


def add_docking_note(record: DockingRecord, actor, text: str | None) -> DockingEvent:
    """Either party writes a note on the record (a progress update, a meeting summary)."""
    note = _clean_text(text, "text", "备注内容", required=True)
    event = _log(record, actor, DockingEventKind.NOTE, text=note)
    _tell_other_side(record, actor, f"note:{event.id}", "新备注", f"{actor.org.name} {actor.name}：{note}")
    return event


def add_docking_file(record: DockingRecord, actor, upload) -> DockingFile:
    """Either party attaches a document: PDF, JPEG or PNG within ATTACHMENT_MAX_BYTES (the posting rules)."""
    if upload is None or not getattr(upload, "filename", None):
        raise FieldError("attachment", "请选择要上传的文件")
    if len(record.files) >= FILES_MAX:
        raise FieldError("attachment", f"每条对接记录最多上传{FILES_MAX}个文件")
    stored = store_upload(upload, FILE_FOLDER)
    item = DockingFile(record_id=record.id, **stored.columns(actor))
    db.session.add(item)
    db.session.flush()
    event = _log(record, actor, DockingEventKind.ATTACHMENT, file_id=item.id, text=item.original_name)
    _tell_other_side(
        record, actor, f"file:{event.id}", "新文件", f"{actor.org.name} {actor.name} 上传了文件“{item.original_name}”。"
    )
    return item


# --- a docking both sides agreed elsewhere ---------------------------------------------------------


def open_agreed_record(actor, from_org_id: int, target_posting_id: int, to_org_id: int, message: str) -> DockingRecord:
    """The docking record of a cooperation both sides already agreed outside a request (a 揭榜挂帅 award: the
    winner `from_org_id` with the issuer `to_org_id` on the backing need posting), so the funnel counts it.

    Reuses the winner's record on that posting when it is still open (not 已完成 / 已终止); otherwise accepts
    the winner's pending request on it, or writes one (origin 揭榜挂帅) and accepts it on behalf of the
    issuer (`actor`). The checks of a request a member sends (verification, same group, posting still
    published) do not apply: the award decided who docks. The caller then moves the record (move_docking_stage).
    """
    existing = db.session.scalar(
        sa.select(DockingRecord)
        .join(DockingRequest, DockingRecord.request_id == DockingRequest.id)
        .where(
            DockingRequest.from_org_id == from_org_id,
            DockingRequest.target_posting_id == target_posting_id,
            DockingRecord.stage.not_in(FINAL),
        )
        .order_by(DockingRecord.id.desc())
        .limit(1)
    )
    if existing is not None:
        return existing
    req = open_request(from_org_id, target_posting_id)
    if req is None:
        now = utcnow()
        req = DockingRequest(
            from_org_id=from_org_id,
            to_org_id=to_org_id,
            target_posting_id=target_posting_id,
            origin=DockingOrigin.CHALLENGE,
            message=message[:1000],
            status=DockingRequestStatus.PENDING,
            created_at=now,
            expires_at=now + timedelta(days=current_app.config["DOCKING_REQUEST_EXPIRY_DAYS"]),
        )
        db.session.add(req)
        db.session.flush()
        record_change("docking_request", req.id, None, DockingRequestStatus.PENDING, actor, message[:200])
    else:
        req.expires_at = max(req.expires_at, utcnow() + timedelta(minutes=1))
    return accept_docking_request(req, actor)


# --- stage moves --------------------------------------------------------------------------------


def parse_amount(value) -> Decimal:
    """万元, at least 0, at most AMOUNT_MAX, at most two decimals."""
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        raise FieldError("amount_wan", "请填写合同金额（万元）")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldError("amount_wan", "合同金额请填写数字，单位万元") from None
    if not amount.is_finite():
        raise FieldError("amount_wan", "合同金额请填写数字，单位万元")
    if amount < 0:
        raise FieldError("amount_wan", "合同金额不能为负数")
    if amount > AMOUNT_MAX:
        raise FieldError("amount_wan", f"合同金额不能超过{AMOUNT_MAX:,}万元，请核对单位（万元）")
    if amount.as_tuple().exponent < -2:
        raise FieldError("amount_wan", "合同金额最多保留两位小数")
    return amount.quantize(Decimal("0.01"))


def _check_move(record: DockingRecord, target: DockingStage) -> None:
    if record.stage in FINAL:
        raise InvalidTransition(f"对接已{record.stage.label}，不能再变更阶段")
    if target == ST.TERMINATED:
        return
    if target.rank <= record.stage.rank:
        raise InvalidTransition(f"对接阶段只能向前推进，不能从“{record.stage.label}”改为“{target.label}”")
    if target == ST.COMPLETED and record.stage != ST.SIGNED:
        raise InvalidTransition("请先登记签约信息（已签约），验收后再标记为已完成")


def _apply_signing(record: DockingRecord, contract_type, amount, signed_on) -> None:
    """All three signing facts are checked together, so the form shows every problem at once."""
    errors, values = {}, {}
    values["contract_type"] = ContractType.from_any(contract_type) if contract_type else None
    if values["contract_type"] is None:
        errors["contract_type"] = "请选择合同类型"
    checks = {
        "amount_wan": lambda: parse_amount(amount),
        "signed_on": lambda: past_day(signed_on, "signed_on", "签约日期"),
    }
    for field, parse in checks.items():
        try:
            values[field] = parse()
        except FieldError as err:
            errors.update(err.errors)
    if errors:
        raise ValidationFailed("签约信息不完整或有误，请按提示修改", errors=errors)
    for field, value in values.items():
        setattr(record, field, value)


def _apply_completion(record: DockingRecord, completed_on, note) -> str:
    day = past_day(completed_on, "completed_on", "验收日期")
    if record.signed_on and day < record.signed_on:
        raise FieldError("completed_on", "验收日期不能早于签约日期")
    record.completed_on = day
    record.completion_note = _clean_text(note, "note", "验收说明", required=True)
    return record.completion_note


def move_docking_stage(
    record: DockingRecord,
    actor,
    stage,
    *,
    contract_type=None,
    amount=None,
    signed_on=None,
    completed_on=None,
    note: str | None = None,
) -> DockingEvent:
    """Either party moves the record forward (or ends it with 已终止 and a reason). Every move is a timeline
    line and a StatusChange row, and the other side is notified. A refused move changes nothing."""
    target = DockingStage.from_any(stage) if stage else None
    if target is None:
        raise FieldError("stage", "请选择新的阶段")
    _check_move(record, target)
    if target == ST.SIGNED:
        _apply_signing(record, contract_type, amount, signed_on)
        text = _clean_text(note, "note", "说明", required=False)
    elif target == ST.COMPLETED:
        text = _apply_completion(record, completed_on, note)
    elif target == ST.TERMINATED:
        text = record.termination_reason = _clean_text(note, "note", "终止原因", required=True)
    else:
        text = _clean_text(note, "note", "说明", required=False)
    before = record.stage
    record.stage = target
    if target != ST.TERMINATED:
        record.peak_stage = target
    record_change("docking_record", record.id, before, target, actor, text)
    event = _log(record, actor, DockingEventKind.STAGE, from_stage=before, to_stage=target, text=text)
    _tell_other_side(
        record,
        actor,
        f"stage:{target.value}",
        target.label,
        f"{actor.org.name} 将对接阶段由“{before.label}”更新为“{target.label}”。" + (f"\n{text}" if text else ""),
    )
    return event
