"""形式审查: the issuer checks each submitted application for completeness and the stated conditions before
any expert sees it. Services flush, never commit.

- Only once the item's application period is over (current_status is 评审中): before that, applicants may
  still edit and withdraw.
- 通过 (SCREENED) goes on to expert review; 不通过 (SCREEN_FAILED) needs a reason; 退回补正 (RETURNED) needs the
  reasons and a resubmission date after today: the applicant may then fix and resubmit until that date (the
  applications area turns it back to SUBMITTED), and screening looks at it again.
- A returned application not resubmitted by its date may be failed.
- Each outcome is audited and the lead organisation's users are notified (CHALLENGE_APPLICATION).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.challenges.applications.models import ChallengeApplication, ConsortiumPartner
from app.challenges.items.models import ChallengeItem
from app.challenges.items.status import current_status
from app.challenges.review.services import application_link
from app.core.challenge_enums import ApplicationStatus, ItemStatus
from app.core.clock import local_today
from app.core.enums import NotificationKind
from app.core.errors import FieldError, InvalidTransition, NotFound
from app.core.models import record_change, utcnow
from app.extensions import db
from app.notifications.services import notify, org_user_ids

REASON_MAX = 2000
# Applications the screening list shows: everything that was ever submitted.
SCREENING_LIST = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.RETURNED,
    ApplicationStatus.SCREENED,
    ApplicationStatus.SCREEN_FAILED,
    ApplicationStatus.PROPOSED,
    ApplicationStatus.AWARDED,
    ApplicationStatus.NOT_SELECTED,
)


def screening_open(item: ChallengeItem, today: date | None = None) -> bool:
    return current_status(item, today) == ItemStatus.REVIEWING


def screening_list(item: ChallengeItem) -> list[ChallengeApplication]:
    return list(
        db.session.scalars(
            sa.select(ChallengeApplication)
            .where(ChallengeApplication.item_id == item.id, ChallengeApplication.status.in_(SCREENING_LIST))
            .options(
                selectinload(ChallengeApplication.org),
                selectinload(ChallengeApplication.partners).selectinload(ConsortiumPartner.org),
            )
            .order_by(ChallengeApplication.submitted_at, ChallengeApplication.id)
        )
    )


def item_application(item: ChallengeItem, application_id: int) -> ChallengeApplication:
    """A submitted application of this item, or a 404 (drafts and withdrawn ones are not the desk's)."""
    application = db.session.get(ChallengeApplication, application_id)
    if application is None or application.item_id != item.id or application.status not in SCREENING_LIST:
        raise NotFound()
    return application


def _ensure_screening(application: ChallengeApplication, allowed: tuple[ApplicationStatus, ...]) -> None:
    if not screening_open(application.item):
        raise InvalidTransition("申报截止后才能进行形式审查")
    if application.status not in allowed:
        raise InvalidTransition(f"该申报当前为“{application.status.label}”，不能进行此项审查")


def _reason(text: str | None, field: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise FieldError(field, f"请填写{what}")
    if len(text) > REASON_MAX:
        raise FieldError(field, f"{what}不能超过 {REASON_MAX} 字")
    return text


def _decide(application: ChallengeApplication, to: ApplicationStatus, actor, reason: str | None) -> None:
    before = application.status
    application.status = to
    application.screened_at = utcnow()
    application.screened_by_id = getattr(actor, "id", None)
    db.session.flush()
    record_change("challenge_application", application.id, before, to, actor, reason)


def _tell(application: ChallengeApplication, outcome: str, body: str) -> None:
    item = application.item
    notify(
        org_user_ids(application.org_id),
        NotificationKind.CHALLENGE_APPLICATION,
        f"challenge_screening:{application.id}:{outcome}:{application.screened_at:%Y%m%d%H%M%S}",
        f"形式审查：{item.title}",
        body,
        application_link(application),
    )


def pass_screening(application: ChallengeApplication, actor) -> None:
    """通过: the application goes on to expert review."""
    _ensure_screening(application, (ApplicationStatus.SUBMITTED,))
    _decide(application, ApplicationStatus.SCREENED, actor, None)
    _tell(application, "passed", f"您的申报“{application.project_title}”已通过形式审查，进入专家评审。")


def fail_screening(application: ChallengeApplication, actor, reason: str | None) -> None:
    """不通过, with the reason. A returned application qualifies only once its resubmission date has passed."""
    allowed = (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)
    _ensure_screening(application, allowed)
    if application.status == ApplicationStatus.RETURNED and local_today() <= application.resubmit_by:
        raise InvalidTransition(f"该申报已退回补正，补正截止日 {application.resubmit_by:%Y-%m-%d} 之前不能判为不通过")
    text = _reason(reason, "reason", "不通过的理由")
    application.return_reason = None
    _decide(application, ApplicationStatus.SCREEN_FAILED, actor, text)
    _tell(application, "failed", f"您的申报“{application.project_title}”未通过形式审查。理由：{text}")


def return_for_correction(application: ChallengeApplication, actor, reasons: str | None, resubmit_by) -> None:
    """退回补正 with the reasons and a resubmission date after today (Beijing)."""
    _ensure_screening(application, (ApplicationStatus.SUBMITTED,))
    text = _reason(reasons, "reasons", "退回补正的理由")
    if not isinstance(resubmit_by, date):
        raise FieldError("resubmit_by", "请填写补正截止日期")
    if resubmit_by <= local_today():
        raise FieldError("resubmit_by", "补正截止日期须晚于今天")
    application.return_reason = text
    application.resubmit_by = resubmit_by
    _decide(application, ApplicationStatus.RETURNED, actor, f"{text}（{resubmit_by:%Y-%m-%d} 前补正）")
    _tell(
        application,
        "returned",
        f"您的申报“{application.project_title}”被退回补正，请于 {resubmit_by:%Y-%m-%d} 前修改后重新提交。理由：{text}",
    )
