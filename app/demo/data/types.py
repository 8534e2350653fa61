"""The shapes of the hand-written demo content.

Numbers inside text may be written as ranges, "[15-30]" or "[1.5-3.0]": the composer picks a value,
so the same base sentence reads differently from one posting to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.enums import OrgSize, OrgType, PlatformRole, Tier


@dataclass(frozen=True)
class Topic:
    """One technical problem area, seen from every side: who researches it, who needs it, who sells it."""

    key: str
    sector: str
    industry: str  # GB/T 4754-2017, e.g. "C32"
    keywords: tuple[str, ...]  # the first is always used
    background: str  # why it matters, in an academic voice
    # (method, object, uses, findings): "基于{method}的{object}及其在{use}中的应用", the object reading after
    # "一种…"; findings are the results measured for that object, with number ranges.
    ideas: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]
    needs: tuple[tuple[str, str], ...]  # (title, situation) as an enterprise would write them
    offers: tuple[tuple[str, str], ...]  # (title, description) of a capability or product
    buys: tuple[tuple[str, str, str], ...] = ()  # (title, quantity, description) of a procurement
    buyers: tuple[str, ...] = ()  # org keys that would buy it; default: large firms of the sector
    certs: tuple[str, ...] = ()  # certifications typical for suppliers in this area


@dataclass(frozen=True)
class OrgSeed:
    key: str  # also the local part of the org admin's e-mail
    name: str
    org_type: OrgType
    region: str
    industry: str
    sectors: tuple[str, ...]  # where its researchers work (universities, institutes) or it is active
    business: str  # what it does, reads after "主要从事"
    size: OrgSize | None = None
    founded: int | None = None
    group: str | None = None
    pending: bool = False  # waits in the verification queue
    tiers: tuple[tuple[Tier, int], ...] = ()  # (tier, years before this year)
    contact: str = ""  # the admin's name
    topics: tuple[str, ...] = ()  # Topic keys an enterprise works on: it has needs and offers there
    client_of: tuple[str, ...] = ()  # Topic keys where it is only a customer: needs, never offers
    offers: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # its own capabilities: title, description, keywords
    certs: tuple[str, ...] = ()  # certifications it holds, shown on its own capabilities


@dataclass(frozen=True)
class DemoAccount:
    role: str  # shown in the accounts table
    email: str
    name: str
    org_key: str | None = None  # None for platform staff
    platform_role: PlatformRole = PlatformRole.NONE
