"""Who sees a contract: the team (members of the lead organisation and of confirmed consortium partners) and
the issuer (the batch's organisation and platform admins, app.challenges.items.status.can_manage). Everyone
else gets a 404, as for any other organisation's private object."""

from __future__ import annotations

import sqlalchemy as sa

from app.challenges.applications.models import ChallengeApplication
from app.challenges.delivery.models import ChallengeContract
from app.challenges.items.status import can_manage
from app.core.challenge_enums import PartnerStatus
from app.core.errors import Forbidden, NotFound
from app.extensions import db


def team_org_ids(application: ChallengeApplication) -> list[int]:
    """The lead organisation first, then the partners that confirmed their part."""
    return [application.org_id] + [p.org_id for p in application.partners if p.status == PartnerStatus.CONFIRMED]


def is_team_member(user, contract: ChallengeContract) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.org_id in team_org_ids(contract.application))


def is_issuer(user, contract: ChallengeContract) -> bool:
    return can_manage(user, contract.item.batch)


def visible_contract(contract_id: int, user) -> ChallengeContract:
    """The contract for its team and its issuer; a 404 for everyone else."""
    contract = db.session.get(ChallengeContract, contract_id)
    if contract is None or not (is_team_member(user, contract) or is_issuer(user, contract)):
        raise NotFound()
    return contract


def issuer_contract(contract_id: int, user) -> ChallengeContract:
    """For the issuer's actions (review a report, record a payment, record 验收)."""
    contract = db.session.get(ChallengeContract, contract_id)
    if contract is None or not is_issuer(user, contract):
        raise NotFound()
    return contract


def team_contract(contract_id: int, user) -> ChallengeContract:
    """For the team's actions (submit a milestone report)."""
    contract = db.session.get(ChallengeContract, contract_id)
    if contract is None or not is_team_member(user, contract):
        raise NotFound()
    return contract


def item_contracts(item_id: int) -> list[ChallengeContract]:
    return list(
        db.session.scalars(
            sa.select(ChallengeContract).where(ChallengeContract.item_id == item_id).order_by(ChallengeContract.id)
        )
    )


def require_issuer_member(batch, actor) -> None:
    """Signing, the gate and 验收 speak for the issuing organisation (and move its docking records): a member
    of it acts, not a platform admin from outside."""
    if not actor.belongs_to(batch.issuer_org_id):
        raise Forbidden("此操作须由发榜单位的成员完成")
