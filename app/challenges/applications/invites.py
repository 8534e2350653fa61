"""推荐揭榜方 and invitations: the organisations whose published 科技成果 / 企业能力 match the item's backing need
(the stored matches, with their reasons), and the issuer's invitation to one of them (or to any registered
organisation found by name), which notifies that organisation's members."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from werkzeug.routing import BuildError

from app.challenges.applications.eligibility import eligibility_problems
from app.challenges.applications.models import ChallengeInvite
from app.challenges.applications.queries import lodged_org_ids
from app.challenges.applications.rules import window_refusal
from app.challenges.items.models import ChallengeItem
from app.core.enums import NotificationKind
from app.core.errors import InvalidTransition, ValidationFailed
from app.core.models import utcnow
from app.extensions import db
from app.matching.reasons import render_reasons
from app.matching.services import matches_for_posting
from app.notifications.services import link_to, notify, org_user_ids
from app.organizations.models import Organization
from app.postings.models import Posting

MATCHES_PER_KIND = 20
MESSAGE_MAX = 500
REASON_MAX = 500


@dataclass
class Suggestion:
    """One likely 揭榜方: its matching postings with their reasons, and where it stands for this item."""

    org: Organization
    score: float
    postings: list[tuple[Posting, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    applied: bool = False
    invite: ChallengeInvite | None = None

    @property
    def reason(self) -> str:
        posting, reasons = self.postings[0]
        return f"{posting.kind.label}“{posting.title}”：{'；'.join(reasons)}"[:REASON_MAX]


def invites_of(item: ChallengeItem) -> dict[int, ChallengeInvite]:
    rows = db.session.scalars(sa.select(ChallengeInvite).where(ChallengeInvite.item_id == item.id))
    return {i.org_id: i for i in rows}


def suggestions(item: ChallengeItem, today: date | None = None) -> list[Suggestion]:
    """Organisations matching the item's backing need, best first, without the issuer itself."""
    if item.posting is None:
        return []
    issuer_id = item.batch.issuer_org_id
    by_org: dict[int, Suggestion] = {}
    for match in sorted(matches_for_posting(item.posting, MATCHES_PER_KIND), key=lambda m: -m.score):
        target = match.target
        if target.org_id == issuer_id:
            continue
        entry = by_org.setdefault(target.org_id, Suggestion(org=target.org, score=match.score))
        entry.postings.append((target, render_reasons(match.reasons)))
    applied, invited = lodged_org_ids(item), invites_of(item)
    for entry in by_org.values():
        entry.problems = eligibility_problems(entry.org, item, today)
        entry.applied = entry.org.id in applied
        entry.invite = invited.get(entry.org.id)
    return list(by_org.values())


def invite_org(
    item: ChallengeItem, org: Organization, actor, message: str = "", reason: str = "", today: date | None = None
) -> ChallengeInvite:
    """Invite an eligible organisation to apply; each organisation once per item."""
    if refusal := window_refusal(item, today):
        raise InvalidTransition(f"不能发出邀请：{refusal}")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(errors={"message": f"邀请留言不能超过 {MESSAGE_MAX} 个字"})
    if problems := eligibility_problems(org, item, today):
        raise ValidationFailed(f"“{org.name}”不符合揭榜条件：{'；'.join(problems)}")
    if org.id in invites_of(item):
        raise InvalidTransition(f"已邀请过“{org.name}”，无需重复邀请")
    invite = ChallengeInvite(
        item_id=item.id,
        org_id=org.id,
        org=org,
        invited_by_id=actor.id,
        reason=(reason or "")[:REASON_MAX] or None,
        message=message or None,
        created_at=utcnow(),
    )
    db.session.add(invite)
    db.session.flush()
    body = f"{item.batch.issuer.name}邀请贵单位揭榜“{item.title}”，截止日期 {item.batch.closes_on:%Y-%m-%d}。"
    notify(
        org_user_ids(org.id),
        NotificationKind.CHALLENGE_INVITE,
        f"challenge:invite:{invite.id}",
        f"揭榜邀请：{item.title}",
        f"{body}\n{message}" if message else body,
        item_path(item),
    )
    return invite


def item_path(item: ChallengeItem) -> str:
    """The item's public page (helper A's `challenges.item`); the apply page until that page exists."""
    try:
        return link_to("challenges.item", item_id=item.id)
    except BuildError:
        return link_to("challenge_applications.apply", item_id=item.id)
