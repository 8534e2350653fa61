"""揭榜: save an application (draft), submit it, withdraw it, and its files.

One application per organisation per item: a second visit edits the one there is. Saving checks the input
(nothing changes when any of it is wrong); submitting also checks eligibility, completeness and that every
consortium partner has confirmed, and names every problem. A form's token is kept on the application after each
save, so the same form sent twice (a double tap, a retried request) is recognised and applied once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.challenges.applications.eligibility import eligibility_problems, partner_problems
from app.challenges.applications.inputs import ApplicationInput, CleanInput, budget_total, clean_input, wan
from app.challenges.applications.models import ApplicationAttachment, ChallengeApplication
from app.challenges.applications.partners import ask_partners, sync_partners
from app.challenges.applications.rules import edit_refusal, window_refusal
from app.challenges.items.models import ChallengeItem
from app.core.challenge_enums import ApplicationStatus, PartnerStatus
from app.core.clock import local_today
from app.core.enums import NotificationKind
from app.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from app.core.models import record_change, utcnow
from app.core.uploads import check_upload, save_upload, upload_root
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids
from app.organizations.models import Organization

S = ApplicationStatus
FOLDER = "challenges"
MAX_FILES = 10
COMMITMENT = "本单位承诺：申报材料真实有效；如揭榜成功，立军令状，按期完成全部考核指标，未完成的承担相应责任。"


class DuplicateSubmission(DomainError):
    """The same form arrived twice; the first one was applied."""

    code = "duplicate_submission"

    def __init__(self, application: ChallengeApplication):
        super().__init__("该申报已保存，无需重复提交")
        self.application = application


class Incomplete(ValidationFailed):
    """A submitted application may only be changed into another complete one: these problems kept it as it was."""

    def __init__(self, problems: list[str]):
        super().__init__("修改未保存：已提交的申报修改后须仍然完整。" + "；".join(problems))
        self.problems = problems


def application_of(item: ChallengeItem, org_id: int) -> ChallengeApplication | None:
    return db.session.scalar(
        sa.select(ChallengeApplication).where(
            ChallengeApplication.item_id == item.id, ChallengeApplication.org_id == org_id
        )
    )


def _by_token(form_token: str) -> ChallengeApplication | None:
    return db.session.scalar(sa.select(ChallengeApplication).where(ChallengeApplication.form_token == form_token))


def _check_files(application: ChallengeApplication | None, uploads: list) -> list:
    present = len(application.attachments) if application else 0
    if present + len(uploads) > MAX_FILES:
        message = f"每份申报最多 {MAX_FILES} 个附件，请先删除不需要的附件"
        raise ValidationFailed(message, errors={"attachments": message})
    return [check_upload(u, noun="附件", field="attachments") for u in uploads]


def _fill(application: ChallengeApplication, data: CleanInput) -> None:
    application.project_title = data.project_title
    application.summary = data.summary or None
    application.technical_plan = data.technical_plan or None
    application.team = data.team
    application.indicator_plans = data.indicator_plans
    application.budget = data.budget
    application.milestones = data.milestones
    application.linked_posting_ids = data.linked_posting_ids
    if not data.commitment:
        application.commitment_at = None
    elif application.commitment_at is None:
        application.commitment_at = utcnow()


def _create(item: ChallengeItem, org: Organization, actor, form_token: str | None) -> ChallengeApplication:
    application = ChallengeApplication(
        item=item, org=org, created_by_id=actor.id, status=S.DRAFT, project_title="", form_token=form_token
    )
    db.session.add(application)
    item_id, org_id = item.id, org.id
    try:
        db.session.flush()
    except IntegrityError:
        # The same form sent twice at the same moment: the unique (item, org) pair and token let one through.
        db.session.rollback()
        existing = db.session.scalar(
            sa.select(ChallengeApplication).where(
                ChallengeApplication.item_id == item_id, ChallengeApplication.org_id == org_id
            )
        )
        if existing is None:
            raise
        raise DuplicateSubmission(existing) from None
    record_change("challenge_application", application.id, None, S.DRAFT, actor, "创建揭榜申报草稿")
    return application


def save_application(
    item: ChallengeItem,
    org: Organization,
    actor,
    data: ApplicationInput,
    *,
    submit: bool = False,
    form_token: str | None = None,
    today: date | None = None,
) -> tuple[ChallengeApplication, list[str]]:
    """Create or update the organisation's application for the item; with `submit`, also submit it.

    Returns the application and the problems that keep it from being submitted (empty when it was). A submitted
    application can only be changed into another complete one: when the new version has problems, nothing
    changes (ValidationFailed listing them). Bad input raises ValidationFailed before anything is stored.
    """
    today = today or local_today()
    if org.id == item.batch.issuer_org_id:
        raise InvalidTransition("发榜单位不能揭本单位发布的榜")
    application = application_of(item, org.id)
    if form_token and (seen := _by_token(form_token)) is not None:
        raise DuplicateSubmission(seen)
    refusal = edit_refusal(application, today) if application else window_refusal(item, today)
    if refusal:
        raise InvalidTransition(refusal)
    clean = clean_input(data, item, org)
    if problems := partner_problems(item, org, [o for o, _, _ in clean.partners]):
        raise ValidationFailed(problems[0], errors={"partners": "；".join(problems)})
    files = _check_files(application, data.uploads)
    was_submitted = application is not None and application.status == S.SUBMITTED
    if application is None:
        application = _create(item, org, actor, form_token)
    elif form_token:
        application.form_token = form_token
    _fill(application, clean)
    asked = sync_partners(application, clean.partners)
    if was_submitted and asked:
        message = "已提交的申报不能直接增加或调整合作单位：请先撤回申报，修改后待合作单位确认，再重新提交"
        raise ValidationFailed(message, errors={"partners": message})
    if application.status == S.WITHDRAWN:
        application.status, application.withdrawn_at = S.DRAFT, None
        record_change("challenge_application", application.id, S.WITHDRAWN, S.DRAFT, actor, "撤回后重新编辑")
    problems = submission_problems(application, today) if submit or was_submitted else []
    if was_submitted and problems:
        raise Incomplete(problems)
    ask_partners(application, asked)
    for checked in files:
        db.session.add(ApplicationAttachment(application=application, **save_upload(checked, FOLDER).columns(actor)))
    if submit and not problems and not was_submitted:
        _mark_submitted(application, actor)
    db.session.flush()
    return application, problems


def submission_problems(application: ChallengeApplication, today: date | None = None) -> list[str]:
    """Everything that keeps the application from being submitted, in Chinese, in the order of the form."""
    item, org = application.item, application.org
    problems = list(eligibility_problems(org, item, today))
    problems += partner_problems(item, org, [p.org for p in application.partners])
    for partner in application.partners:
        if partner.status == PartnerStatus.INVITED:
            problems.append(f"合作单位“{partner.org.name}”尚未确认参与（已通知对方，确认后即可提交）")
        elif partner.status == PartnerStatus.DECLINED:
            problems.append(f"合作单位“{partner.org.name}”已拒绝参与，请删除或更换后再提交")
    for value, message in (
        (application.summary, "请填写项目摘要"),
        (application.technical_plan, "请填写技术方案"),
        (application.team, "请至少填写一名团队成员"),
    ):
        if not value:
            problems.append(message)
    for indicator in item.indicators:
        if not application.indicator_plans.get(str(indicator.id)):
            problems.append(f"请说明如何达到考核指标“{indicator.name}”")
    problems += _budget_problems(application)
    if not application.milestones:
        problems.append("请至少填写一个进度节点")
    if application.commitment_at is None:
        problems.append("请阅读并勾选承诺书")
    return problems


def _budget_problems(application: ChallengeApplication) -> list[str]:
    if not application.budget:
        return ["请填写经费预算"]
    total = budget_total(application.budget)
    shares = sum((Decimal(p.budget_share_wan or 0) for p in application.partners), Decimal(0))
    if shares > total:
        return [f"合作单位经费份额合计 {wan(shares)} 万元，超过了经费预算合计 {wan(total)} 万元"]
    return []


def _mark_submitted(application: ChallengeApplication, actor) -> None:
    old = application.status
    application.status, application.submitted_at = S.SUBMITTED, utcnow()
    record_change("challenge_application", application.id, old, S.SUBMITTED, actor, "提交揭榜申报")
    item = application.item
    again = "重新提交了补正后的" if old == S.RETURNED else "提交了"
    notify(
        org_user_ids(item.batch.issuer_org_id),
        NotificationKind.CHALLENGE_APPLICATION,
        f"challenge:application:{application.id}:submitted:{application.submitted_at:%Y%m%d%H%M%S}",
        f"{application.org.name}{again}揭榜申报",
        f"揭榜项目：{item.title}\n申报名称：{application.project_title}",
        link_to("challenge_applications.view", application_id=application.id),
    )


def withdraw_application(application: ChallengeApplication, actor, today: date | None = None) -> None:
    """The applicant withdraws; allowed whenever it could still change the application."""
    if application.status == S.WITHDRAWN:
        return
    if refusal := edit_refusal(application, today):
        raise InvalidTransition(refusal)
    old = application.status
    application.status, application.withdrawn_at = S.WITHDRAWN, utcnow()
    record_change("challenge_application", application.id, old, S.WITHDRAWN, actor, "申报单位撤回")
    if application.submitted_at is not None:
        notify(
            org_user_ids(application.item.batch.issuer_org_id),
            NotificationKind.CHALLENGE_APPLICATION,
            f"challenge:application:{application.id}:withdrawn:{application.withdrawn_at:%Y%m%d%H%M%S}",
            f"{application.org.name}撤回了揭榜申报",
            f"揭榜项目：{application.item.title}",
            link_to("challenge_applications.view", application_id=application.id),
        )
    db.session.flush()


# --- files ---------------------------------------------------------------------------------------------


def attachment_path(attachment: ApplicationAttachment) -> Path:
    return upload_root(FOLDER) / attachment.stored_name


def remove_attachment(application: ChallengeApplication, attachment_id: int, today: date | None = None) -> Path:
    """Delete a file while the application can be changed; the caller removes the returned path after commit."""
    if refusal := edit_refusal(application, today):
        raise InvalidTransition(refusal)
    attachment = next((a for a in application.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound()
    path = attachment_path(attachment)
    application.attachments.remove(attachment)
    db.session.flush()
    return path
