"""Consortium partners: the lead names them, each partner organisation confirms or declines its part.

A partner's confirmation holds for the part and budget share it saw: a change to either, or a newly named partner,
asks that organisation again (status back to 待确认, a new notification). Only the partner's own members answer,
and only while the application can still be changed.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from app.challenges.applications.models import ChallengeApplication, ConsortiumPartner
from app.challenges.applications.rules import edit_refusal
from app.core.challenge_enums import PartnerStatus
from app.core.enums import NotificationKind
from app.core.errors import InvalidTransition, NotFound
from app.core.models import record_change, utcnow
from app.extensions import db
from app.notifications.services import link_to, notify, org_user_ids
from app.organizations.models import Organization


def _share_text(share: Decimal | None) -> str | None:
    if share is None:
        return None
    text = f"{share:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ask(application: ChallengeApplication, partner: ConsortiumPartner) -> None:
    """Tell the partner organisation what it is asked to do; the key holds the terms, so asking again for the
    same terms (a retried save) adds nothing, and changed terms are asked anew."""
    terms = hashlib.sha1(f"{partner.part}|{partner.budget_share_wan}".encode()).hexdigest()[:12]
    notify(
        org_user_ids(partner.org_id),
        NotificationKind.CHALLENGE_PARTNER,
        f"challenge:partner:{application.id}:{partner.org_id}:{terms}",
        f"{application.org.name}邀请贵单位作为合作单位参与揭榜",
        f"揭榜项目：{application.item.title}\n承担任务：{partner.part}\n请确认是否参与。",
        link_to("challenge_applications.partner", application_id=application.id),
    )


def sync_partners(
    application: ChallengeApplication, rows: list[tuple[Organization, str, Decimal | None]]
) -> list[ConsortiumPartner]:
    """Make the application's partners these rows; return the partners asked (again) to confirm."""
    by_org = {p.org_id: p for p in application.partners}
    wanted = {org.id for org, _, _ in rows}
    for partner in list(application.partners):
        if partner.org_id not in wanted:
            application.partners.remove(partner)
    asked = []
    for org, part, share in rows:
        share_text = _share_text(share)
        partner = by_org.get(org.id)
        if partner is None:
            partner = ConsortiumPartner(org_id=org.id, org=org, part=part, budget_share_wan=share_text)
            application.partners.append(partner)
        elif (partner.part, partner.budget_share_wan) == (part, share_text):
            continue
        else:
            partner.part, partner.budget_share_wan = part, share_text
        partner.status, partner.answered_at, partner.answered_by_id = PartnerStatus.INVITED, None, None
        asked.append(partner)
    db.session.flush()
    return asked


def ask_partners(application: ChallengeApplication, partners: list[ConsortiumPartner]) -> None:
    for partner in partners:
        _ask(application, partner)


def partner_of(application: ChallengeApplication, user) -> ConsortiumPartner:
    """The user's organisation's place in this consortium; anyone else gets a 404."""
    org_id = getattr(user, "org_id", None)
    partner = next((p for p in application.partners if org_id and p.org_id == org_id), None)
    if partner is None:
        raise NotFound()
    return partner


def answer_partner(application: ChallengeApplication, user, accept: bool) -> ConsortiumPartner:
    """The partner organisation confirms (or declines) its part; the lead's members are told either way."""
    partner = partner_of(application, user)
    if refusal := edit_refusal(application):
        raise InvalidTransition(f"该申报已不能调整联合体：{refusal}")
    new = PartnerStatus.CONFIRMED if accept else PartnerStatus.DECLINED
    if partner.status == new:
        return partner
    old, partner.status = partner.status, new
    partner.answered_at, partner.answered_by_id = utcnow(), user.id
    record_change("challenge_partner", partner.id, old, new, user, partner.org.name)
    verb = "确认参与" if accept else "拒绝参与"
    notify(
        org_user_ids(application.org_id),
        NotificationKind.CHALLENGE_PARTNER,
        f"challenge:partner-answer:{partner.id}:{new.value}:{partner.answered_at:%Y%m%d%H%M%S}",
        f"{partner.org.name}已{verb}您的揭榜联合体",
        f"揭榜项目：{application.item.title}",
        link_to("challenge_applications.apply", item_id=application.item_id),
    )
    db.session.flush()
    return partner
