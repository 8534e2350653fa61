"""When an application may still be changed, and which applications count as 已申报.

Drafts, submitted and withdrawn applications are open while the item accepts applications (the batch's window,
Beijing dates). An application 退回补正 at 形式审查 stays open until its `resubmit_by` date, even after the
deadline. Anything further along (screened, under review, decided) is closed to the applicant.
"""

from __future__ import annotations

from datetime import date

from app.challenges.applications.models import ChallengeApplication
from app.challenges.items.models import ChallengeItem
from app.challenges.items.status import accepting_applications
from app.core.challenge_enums import ApplicationStatus
from app.core.clock import local_today

S = ApplicationStatus
OPEN_IN_WINDOW = (S.DRAFT, S.SUBMITTED, S.WITHDRAWN)
# Submitted at least once and not withdrawn: what the public count and the issuer see.
LODGED = (S.SUBMITTED, S.RETURNED, S.SCREENED, S.SCREEN_FAILED, S.PROPOSED, S.AWARDED, S.NOT_SELECTED)


def window_refusal(item: ChallengeItem, today: date | None = None) -> str | None:
    """Why a new application cannot be started now, or None."""
    if accepting_applications(item, today):
        return None
    return "本榜当前不在揭榜征集期内（已截止或尚未开始），不能申报"


def edit_refusal(application: ChallengeApplication, today: date | None = None) -> str | None:
    """Why the applicant may not change (nor withdraw) the application now, or None when it may."""
    today = today or local_today()
    if application.status == S.RETURNED and application.resubmit_by is not None:
        if today <= application.resubmit_by:
            return None
        return f"补正期限（{application.resubmit_by:%Y-%m-%d}）已过，不能再修改"
    if application.status not in (*OPEN_IN_WINDOW, S.RETURNED):
        return f"申报已进入“{application.status.label}”阶段，不能再修改或撤回"
    return window_refusal(application.item, today) and "揭榜征集已截止，不能再修改或撤回"
