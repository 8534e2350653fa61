"""Milestone reports: the team reports on a milestone (text, the value achieved for each 考核指标, files), the
issuer approves (通过) or returns it (退回, with a reason); a returned milestone is reported again."""

from __future__ import annotations

import sqlalchemy as sa

from app.challenges.delivery.models import ChallengeContract, ContractMilestone, MilestoneFile, MilestoneReport
from app.core.challenge_enums import ContractStatus, MilestoneStatus
from app.core.enums import NotificationKind
from app.core.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from app.core.models import add_once, record_change, utcnow
from app.core.uploads import check_upload, save_upload, upload_root
from app.core.web import parse_id
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids

BODY_MAX = 5000
VALUE_MAX = 100
NOTE_MAX = 1000
FILES_MAX = 5
FILE_FOLDER = "challenges/milestones"


def milestone_of(contract: ChallengeContract, milestone_id) -> ContractMilestone:
    milestone = db.session.get(ContractMilestone, parse_id(milestone_id)) if parse_id(milestone_id) else None
    if milestone is None or milestone.contract_id != contract.id:
        raise NotFound()
    return milestone


def indicator_field(indicator) -> str:
    return f"ind_{indicator.id}"


def _indicator_values(contract: ChallengeContract, values: dict) -> dict[str, str]:
    found, errors = {}, {}
    for indicator in contract.item.indicators:
        text = str(values.get(indicator_field(indicator)) or "").strip()
        if len(text) > VALUE_MAX:
            errors[indicator_field(indicator)] = f"“{indicator.name}”的达成值不能超过{VALUE_MAX}个字"
        elif text:
            found[str(indicator.id)] = text
    if errors:
        raise ValidationFailed("里程碑报告有误，请按提示修改", errors=errors)
    return found


def submit_report(
    contract: ChallengeContract, milestone: ContractMilestone, actor, body, values: dict, uploads=(), form_token=None
) -> MilestoneReport:
    """The team reports on a milestone that is open (未提交 or 已退回) while the contract is active: the text
    is required, each 考核指标's achieved value optional, up to FILES_MAX files (PDF/JPG/PNG, checked before
    anything is written). The same form sent twice (form_token) creates one report."""
    if form_token and (first := db.session.scalar(sa.select(MilestoneReport).filter_by(form_token=form_token))):
        return first
    if contract.status != ContractStatus.ACTIVE:
        raise InvalidTransition(f"任务书状态为“{contract.status.label}”，不能再提交里程碑报告")
    if milestone.status not in (MilestoneStatus.PENDING, MilestoneStatus.RETURNED):
        raise InvalidTransition(f"该里程碑当前为“{milestone.status.label}”，不能重复提交")
    body = (body or "").strip()
    if not body:
        raise FieldError("body", "请填写里程碑完成情况")
    if len(body) > BODY_MAX:
        raise FieldError("body", f"完成情况不能超过{BODY_MAX}个字")
    indicator_values = _indicator_values(contract, values)
    uploads = [u for u in uploads if u is not None and getattr(u, "filename", None)]
    if len(uploads) > FILES_MAX:
        raise FieldError("files", f"每次最多上传{FILES_MAX}个文件")
    checked = [check_upload(u, field="files") for u in uploads]
    report = MilestoneReport(
        milestone_id=milestone.id,
        body=body,
        indicator_values=indicator_values,
        submitted_by_id=actor.id,
        form_token=form_token,
    )
    for c in checked:
        report.files.append(MilestoneFile(**save_upload(c, FILE_FOLDER).columns(actor)))
    before, milestone.status = milestone.status, MilestoneStatus.SUBMITTED
    if first := add_once(report, form_token):
        return first
    record_change("challenge_milestone", milestone.id, before, MilestoneStatus.SUBMITTED, actor)
    notify(
        org_user_ids(contract.item.batch.issuer_org_id),
        NotificationKind.CHALLENGE_DELIVERY,
        f"challenge_report:{report.id}:submitted",
        f"《{contract.item.title}》里程碑“{milestone.name}”已提交报告，待审核",
        f"{contract.application.org.name} 提交了里程碑报告。",
        link_to("challenge_delivery.contract", contract_id=contract.id),
    )
    return report


def review_report(contract: ChallengeContract, report_id, actor, decision: str, note: str | None) -> MilestoneReport:
    """The issuer approves (通过) or returns (退回, reason required) the latest report of a milestone awaiting
    review; the team is told either way."""
    report = db.session.get(MilestoneReport, parse_id(report_id)) if parse_id(report_id) else None
    if report is None or report.milestone.contract_id != contract.id:
        raise NotFound()
    milestone = report.milestone
    if report.review_status != MilestoneStatus.SUBMITTED or milestone.status != MilestoneStatus.SUBMITTED:
        raise InvalidTransition("该报告已经审核过了")
    if decision not in ("approve", "return"):
        raise FieldError("decision", "请选择通过或退回")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise FieldError("note", f"审核意见不能超过{NOTE_MAX}个字")
    status = MilestoneStatus.APPROVED if decision == "approve" else MilestoneStatus.RETURNED
    if status == MilestoneStatus.RETURNED and not note:
        raise FieldError("note", "退回时请写明原因")
    report.review_status, report.review_note = status, note
    report.reviewed_at, report.reviewed_by_id = utcnow(), actor.id
    milestone.status = status
    db.session.flush()
    record_change("challenge_milestone", milestone.id, MilestoneStatus.SUBMITTED, status, actor, note)
    notify(
        org_user_ids(contract.application.org_id),
        NotificationKind.CHALLENGE_DELIVERY,
        f"challenge_report:{report.id}:{status.value}",
        f"《{contract.item.title}》里程碑“{milestone.name}”{status.label}",
        note or "",
        link_to("challenge_delivery.contract", contract_id=contract.id),
    )
    return report


def report_file(contract: ChallengeContract, file_id):
    item = db.session.get(MilestoneFile, parse_id(file_id)) if parse_id(file_id) else None
    if item is None or item.report.milestone.contract_id != contract.id:
        raise NotFound()
    path = upload_root(FILE_FOLDER) / item.stored_name
    if not path.is_file():
        raise NotFound()
    return item, path
