"""Conflicts of interest between an expert and an application: one rule for automatic assignment, manual
assignment and opening the file.

An expert may not review an application when the expert's own organisation (user.org) is
- the applicant (the lead), or one of its consortium partners (any partner the lead named and who has not
  declined: a partner still to confirm is already a party to the plan);
- in the same 集团 (Organization.group_id) as the applicant or any of those partners;
- the issuer of the challenge, or in the issuer's group. The issuer is a party to every application: it pays
  the award, its desk shows the applications with their names (so blind review would mean nothing), and it
  takes the decision from the scores; the experts' scores are meant as an independent opinion beside it. This
  holds at every stage (review, 赛马 gate, 验收), since the issuer is the other side of the contract there too.

Conflicts the platform cannot see (a former employer, a co-author, an unregistered affiliation) are what the
expert's own declaration is for: no application opens before the expert declares having none.
"""

from __future__ import annotations

from app.challenges.applications.models import ChallengeApplication
from app.core.challenge_enums import PartnerStatus


def parties(application: ChallengeApplication) -> list[tuple[str, object]]:
    """The organisations on the applicant's side with their role: the lead, then each partner not declined."""
    sides = [("申报单位", application.org)]
    sides += [("联合体成员单位", p.org) for p in application.partners if p.status != PartnerStatus.DECLINED]
    return [(role, org) for role, org in sides if org is not None]


def conflict_of(user, application: ChallengeApplication, *, named: bool = True) -> str | None:
    """Why `user` may not review this application (a Chinese sentence naming the conflict), or None. With
    named=False the sentence leaves the organisations' names out (for an expert of a blind review)."""
    org = getattr(user, "org", None)
    if org is None:
        return None
    issuer = application.item.batch.issuer
    sides = [*parties(application), ("发榜单位", issuer)]

    def name(other) -> str:
        return f"“{other.name}”" if named else ""

    for role, other in sides:
        if other.id == org.id:
            return f"专家 {user.name} 所在单位即{role}{name(other)}，存在利益冲突"
    for role, other in sides:
        if org.group_id is not None and other.group_id == org.group_id:
            group = f"“{org.group.name}”" if named and org.group is not None else ""
            return f"专家 {user.name} 所在单位{name(org)}与{role}{name(other)}同属集团{group}，存在利益冲突"
    return None
