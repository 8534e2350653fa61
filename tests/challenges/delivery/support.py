"""Building delivery scenarios straight through the models and services: an item in 实施中 with awarded
applications (the decision and 公示 areas would have made them), signed contracts, experts."""

from __future__ import annotations

from datetime import date

from app.auth.models import User
from app.challenges.applications.models import ChallengeApplication, ConsortiumPartner
from app.challenges.delivery.services import proposed_milestones, sign_contract
from app.challenges.review.models import ChallengeExpert
from app.core.challenge_enums import ApplicationStatus, ChallengeMode, ItemStatus, PartnerStatus
from app.core.clock import local_today
from app.core.enums import OrgType
from app.extensions import db
from tests.challenges.helpers import make_item
from tests.factories import OrgFactory, UserFactory


def issuer_user() -> User:
    return UserFactory(org=OrgFactory(name="内蒙古自治区工业和信息化厅", org_type=OrgType.AUTHORITY))


def item_in_delivery(issuer: User, *, mode=ChallengeMode.SINGLE, funding_wan=100, teams_stage1=1, teams_kept=1):
    return make_item(
        db,
        issuer.org,
        mode=mode,
        funding_wan=funding_wan,
        teams_stage1=teams_stage1,
        teams_kept=teams_kept,
        status=ItemStatus.IMPLEMENTING,
    )


def awarded(item, *, partners=(), rank=1) -> ChallengeApplication:
    """An awarded application of a new organisation (with one member), with partners confirmed."""
    member = UserFactory()
    application = ChallengeApplication(
        item_id=item.id,
        org_id=member.org_id,
        created_by_id=member.id,
        status=ApplicationStatus.AWARDED,
        project_title=f"{member.org.name}攻关方案",
        milestones=[{"name": "完成小批量试制", "months": 6, "deliverable": "试制样品 50 件"}],
        rank=rank,
    )
    for org in partners:
        application.partners.append(ConsortiumPartner(org_id=org.id, part="检测验证", status=PartnerStatus.CONFIRMED))
    db.session.add(application)
    db.session.flush()
    return application


def member_of(application: ChallengeApplication) -> User:
    return db.session.query(User).filter_by(org_id=application.org_id).first()


def sign(item, application, issuer: User, amount=None, signed_on: date | None = None):
    signed_on = signed_on or local_today()
    return sign_contract(
        item,
        application,
        issuer,
        signed_on=signed_on,
        amount=amount if amount is not None else item.funding_wan / max(item.teams_stage1, 1),
        milestones=proposed_milestones(item, application, signed_on),
    )


def experts(count: int) -> list[ChallengeExpert]:
    """Active pool experts, each from an organisation of their own."""
    rows = [ChallengeExpert(user=UserFactory(), title="研究员", fields=["稀土永磁"]) for _ in range(count)]
    db.session.add_all(rows)
    db.session.flush()
    return rows
