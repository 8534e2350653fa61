"""Which facts of a firm's 企业画像 are still unknown, and what each one holds back.

What a missing fact blocks (the policy items a firm is 可能符合 for because of it) is known only to the policy
service, which sits above organisations: the profile page asks through `profile_blocks`, and create_app
connects the policy service's receiver (as app/organizations/contact.py does for contact details).
"""

from __future__ import annotations

from blinker import Namespace

from app.organizations.profile import FACTS, OrganizationProfile

_signals = Namespace()

# sender: an Organization. A receiver returns {fact: [{"title": …, "url": …, "sole": bool}, …]}: the open items
# the firm may qualify for once the fact is known ("sole": that fact is the only one missing).
profile_blocks = _signals.signal("profile-blocks")


def fact_known(profile: OrganizationProfile | None, fact: str) -> bool:
    """Whether the profile says anything about the fact (a revenue band counts; declaring no certificates too)."""
    if profile is None:
        return False
    if fact == "revenue":
        return profile.revenue is not None or profile.revenue_band is not None
    if fact == "certificates":
        return profile.certificates_updated_on is not None
    return getattr(profile, fact) is not None


def missing_facts(profile: OrganizationProfile | None) -> list[str]:
    return [fact for fact in FACTS if not fact_known(profile, fact)]


def blocked_items(org) -> dict[str, list[dict]]:
    """Every receiver's answer merged: fact → the items it blocks."""
    merged: dict[str, list[dict]] = {}
    for _, answer in profile_blocks.send(org):
        for fact, items in (answer or {}).items():
            merged.setdefault(fact, []).extend(items)
    return merged
