"""What the decision reads and the 公示 shows: the review standings of an item's applications, an item's notices,
and the rows of the 公示 list export.

The standings come from the expert review (app.challenges.review.services.ranked, stage REVIEW: the weighted
score of each application, its rank with ties). At publication they are written onto the applications
(`final_score`, `rank`), so a 公示 keeps showing the figures it was published with.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.challenges.applications.models import ChallengeApplication, ConsortiumPartner
from app.challenges.items.models import ChallengeItem
from app.challenges.notice.models import ChallengeNotice, ChallengeObjection
from app.challenges.review.scoring import ranked
from app.core.challenge_enums import ApplicationStatus, NoticeStatus, ObjectionStatus, PartnerStatus, ReviewStage
from app.extensions import db

A = ApplicationStatus
# Applications still in the competition when the issuer decides, and those a 公示 has named.
IN_COMPETITION = (A.SCREENED, A.PROPOSED)
NAMED = (A.PROPOSED, A.AWARDED)


@dataclass(frozen=True)
class Standing:
    application: ChallengeApplication
    result: str | None  # the review result as shown ("86.35"); None: not scored
    rank: int | None
    tied: bool = False


def standings(item: ChallengeItem) -> list[Standing]:
    """The applications still in the competition, best first as the review ranks them (unscored ones last)."""
    return [
        Standing(row.application, None if row.result is None else str(row.result), row.rank, row.tied)
        for row in ranked(item, ReviewStage.REVIEW)
        if row.application.status in IN_COMPETITION
    ]


def upheld_ids(item: ChallengeItem) -> set[int]:
    """Applications an upheld objection took out of an earlier round of this item."""
    return set(
        db.session.scalars(
            sa.select(ChallengeObjection.application_id)
            .join(ChallengeNotice, ChallengeNotice.id == ChallengeObjection.notice_id)
            .where(
                ChallengeNotice.item_id == item.id,
                ChallengeObjection.status == ObjectionStatus.UPHELD,
                ChallengeObjection.application_id.is_not(None),
            )
        )
    )


def top_ids(rows: list[Standing], n: int, skip: set[int] = frozenset()) -> list[int]:
    """The first n applications by the standings (the decision form's default), leaving out `skip`."""
    return [r.application.id for r in rows if r.application.id not in skip][:n]


def passes_over_better(rows: list[Standing], picked: set[int], skip: set[int] = frozenset()) -> bool:
    """True when an application left out (other than those in `skip`) ranks strictly better than one picked:
    such a choice needs a reason."""
    worst_picked = max(((r.rank is None, r.rank or 0) for r in rows if r.application.id in picked), default=None)
    if worst_picked is None:
        return False
    return any(
        (r.rank is None, r.rank or 0) < worst_picked
        for r in rows
        if r.application.id not in picked and r.application.id not in skip
    )


def notices_of(item: ChallengeItem) -> list[ChallengeNotice]:
    """Every 公示 round of the item, newest first."""
    return list(
        db.session.scalars(
            sa.select(ChallengeNotice).where(ChallengeNotice.item_id == item.id).order_by(ChallengeNotice.id.desc())
        )
    )


def open_notice(item: ChallengeItem) -> ChallengeNotice | None:
    return db.session.scalar(
        sa.select(ChallengeNotice).where(
            ChallengeNotice.item_id == item.id, ChallengeNotice.status == NoticeStatus.OPEN
        )
    )


def latest_notice(item: ChallengeItem) -> ChallengeNotice | None:
    """The round the public sees: the newest one, whatever became of it."""
    return db.session.scalar(
        sa.select(ChallengeNotice)
        .where(ChallengeNotice.item_id == item.id)
        .order_by(ChallengeNotice.id.desc())
        .limit(1)
    )


def notice_applications(notice: ChallengeNotice) -> list[ChallengeApplication]:
    """The applications the round named, in the order published (rank first)."""
    if not notice.application_ids:
        return []
    apps = db.session.scalars(
        sa.select(ChallengeApplication).where(ChallengeApplication.id.in_(notice.application_ids))
    )
    order = {app_id: i for i, app_id in enumerate(notice.application_ids)}
    return sorted(apps, key=lambda a: order.get(a.id, 0))


def still_named(notice: ChallengeNotice, application: ChallengeApplication) -> bool:
    """The application is still proposed (or awarded) by this round, not taken out by an upheld objection."""
    if notice.status == NoticeStatus.CANCELLED:
        return False
    return application.status in NAMED


def partner_names(application: ChallengeApplication) -> list[str]:
    return [p.org.name for p in application.partners if p.status == PartnerStatus.CONFIRMED]


def confirmed_partner_org_ids(application: ChallengeApplication) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ConsortiumPartner.org_id).where(
                ConsortiumPartner.application_id == application.id, ConsortiumPartner.status == PartnerStatus.CONFIRMED
            )
        )
    )


EXPORT_HEADERS = (
    "榜单",
    "挑战项目",
    "模式",
    "拟揭榜单位",
    "联合体成员",
    "项目名称",
    "评审得分",
    "排名",
    "公示开始",
    "公示结束",
    "工作日",
    "状态",
)


def export_rows(items: list[ChallengeItem]) -> list[list]:
    """One row per application named by each item's newest 公示 round that was not cancelled."""
    rows = []
    for item in items:
        notice = next((n for n in notices_of(item) if n.status != NoticeStatus.CANCELLED), None)
        if notice is None:
            continue
        for app in notice_applications(notice):
            if not still_named(notice, app):
                continue
            rows.append(
                [
                    item.batch.title,
                    item.title,
                    item.mode.label,
                    app.org.name,
                    partner_names(app),
                    app.project_title,
                    app.final_score or "未评分",
                    app.rank,
                    notice.starts_on,
                    notice.ends_on,
                    notice.working_days,
                    app.status.label,
                ]
            )
    return rows
