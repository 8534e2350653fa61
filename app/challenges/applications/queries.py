"""Reading applications: who may see one, an organisation's own list (我的揭榜) with the next step of each, the
partner requests and invitations waiting for it, and the public count of an item's applications."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.challenges.applications.models import ChallengeApplication, ChallengeInvite, ConsortiumPartner
from app.challenges.applications.rules import LODGED, S, edit_refusal
from app.challenges.items.models import ChallengeBatch, ChallengeItem
from app.challenges.items.status import can_manage
from app.core.challenge_enums import PartnerStatus
from app.core.errors import NotFound
from app.extensions import db
from app.postings.models import Posting


def is_lead_member(user, application: ChallengeApplication) -> bool:
    return getattr(user, "is_authenticated", False) and user.org_id is not None and user.org_id == application.org_id


def can_view(user, application: ChallengeApplication) -> bool:
    """The lead's members, confirmed partners' members, and the issuer's desk once the application was submitted."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_lead_member(user, application):
        return True
    if any(p.org_id == user.org_id and p.status == PartnerStatus.CONFIRMED for p in application.partners):
        return True
    return application.submitted_at is not None and can_manage(user, application.item.batch)


def get_application(application_id: int) -> ChallengeApplication:
    application = db.session.get(ChallengeApplication, application_id)
    if application is None:
        raise NotFound()
    return application


def viewable_or_404(application_id: int, user) -> ChallengeApplication:
    application = get_application(application_id)
    if not can_view(user, application):
        raise NotFound()
    return application


def own_or_404(application_id: int, user) -> ChallengeApplication:
    """The application if the user belongs to its lead organisation."""
    application = get_application(application_id)
    if not is_lead_member(user, application):
        raise NotFound()
    return application


def linked_postings(application: ChallengeApplication) -> list[Posting]:
    ids = application.linked_posting_ids or []
    if not ids:
        return []
    rows = {p.id: p for p in db.session.scalars(sa.select(Posting).where(Posting.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def next_step(application: ChallengeApplication, today: date | None = None) -> str:
    """What the applicant can or should do now, in one line."""
    open_now = edit_refusal(application, today) is None
    waiting = [p for p in application.partners if p.status != PartnerStatus.CONFIRMED]
    if application.status == S.DRAFT:
        if not open_now:
            return "征集已截止，草稿未提交"
        return "等待合作单位确认后提交" if waiting else "完善内容并提交申报"
    if application.status == S.RETURNED:
        until = f"（{application.resubmit_by:%Y-%m-%d} 前）" if application.resubmit_by else ""
        return f"按退回意见补正后重新提交{until}" if open_now else "补正期限已过"
    if application.status == S.SUBMITTED:
        return "截止前可修改或撤回；等待形式审查" if open_now else "等待形式审查"
    if application.status == S.WITHDRAWN:
        return "截止前可重新编辑并提交" if open_now else "已撤回"
    return {
        S.SCREENED: "形式审查已通过，等待专家评审",
        S.SCREEN_FAILED: "未通过形式审查",
        S.PROPOSED: "拟揭榜，公示中",
        S.AWARDED: "揭榜成功，等待签订任务书",
        S.NOT_SELECTED: "本次未入选",
    }.get(application.status, "")


def org_applications(org_id: int) -> list[ChallengeApplication]:
    """The organisation's applications as lead, newest first."""
    return list(
        db.session.scalars(
            sa.select(ChallengeApplication)
            .where(ChallengeApplication.org_id == org_id)
            .options(selectinload(ChallengeApplication.partners))
            .order_by(ChallengeApplication.updated_at.desc(), ChallengeApplication.id.desc())
        )
    )


def org_partnerships(org_id: int) -> list[ConsortiumPartner]:
    """Consortia the organisation was asked to join (not withdrawn), those waiting for its answer first."""
    rows = db.session.scalars(
        sa.select(ConsortiumPartner)
        .join(ChallengeApplication, ChallengeApplication.id == ConsortiumPartner.application_id)
        .where(ConsortiumPartner.org_id == org_id, ChallengeApplication.status != S.WITHDRAWN)
        .order_by(ConsortiumPartner.id.desc())
    )
    return sorted(rows, key=lambda p: p.status != PartnerStatus.INVITED)


def org_invites(org_id: int) -> list[ChallengeInvite]:
    """Invitations to apply the organisation received, newest first."""
    return list(
        db.session.scalars(
            sa.select(ChallengeInvite)
            .where(ChallengeInvite.org_id == org_id)
            .order_by(ChallengeInvite.created_at.desc(), ChallengeInvite.id.desc())
        )
    )


def item_of(invite: ChallengeInvite) -> ChallengeItem:
    return db.session.get(ChallengeItem, invite.item_id)


def application_count(item: ChallengeItem) -> int:
    """Applications submitted at least once and not withdrawn (drafts do not count)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ChallengeApplication)
        .where(ChallengeApplication.item_id == item.id, ChallengeApplication.status.in_(LODGED))
    )


def lodged_org_ids(item: ChallengeItem) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(ChallengeApplication.org_id).where(
                ChallengeApplication.item_id == item.id, ChallengeApplication.status.in_(LODGED)
            )
        )
    )


def managed_item_or_404(item_id: int, user) -> ChallengeItem:
    item = db.session.get(ChallengeItem, item_id)
    if item is None or not can_manage(user, db.session.get(ChallengeBatch, item.batch_id)):
        raise NotFound()
    return item
