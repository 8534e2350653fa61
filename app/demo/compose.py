"""Turn the hand-written demo content into postings, as plain import-shaped dicts.

Pure: no database, no clock beyond the `today` it is given, every choice drawn from one seeded Random, so the
same seed gives the same titles. The output goes through clean_posting like any user's input would.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.core.enums import ACHIEVEMENT_MODES, NEED_MODES, CooperationMode, OrgType, PostingKind, PostingStatus, Tier
from app.core.regions import region_name
from app.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from app.demo.data import phrases
from app.demo.data.orgs import ACCOUNTS, ORGS
from app.demo.data.types import OrgSeed, Topic

ACH, NEED, PROC, CAP = PostingKind.ACHIEVEMENT, PostingKind.NEED, PostingKind.PROCUREMENT, PostingKind.CAPABILITY
REF_PREFIX = {ACH: "DEMO-ACH", NEED: "DEMO-NEED", PROC: "DEMO-PROC", CAP: "DEMO-CAP"}
PUBLISHED_COUNT = {ACH: 200, NEED: 100, PROC: 30, CAP: 100}
# A few postings that are not public yet, so the moderation queue and the "my drafts" page have work.
UNPUBLISHED = {
    ACH: (PostingStatus.SUBMITTED,) * 4 + (PostingStatus.DRAFT,) * 2,
    NEED: (PostingStatus.SUBMITTED, PostingStatus.SUBMITTED, PostingStatus.DRAFT, PostingStatus.REJECTED),
    PROC: (PostingStatus.SUBMITTED,),
    CAP: (PostingStatus.SUBMITTED, PostingStatus.DRAFT),
}
CHALLENGE_COUNT = 10
# How many achievements each kind of organisation publishes, relative to one another.
ACHIEVEMENT_WEIGHT = {OrgType.UNIVERSITY: 1.6, OrgType.INSTITUTE: 1.0, OrgType.LARGE: 0.1}
TIER_VALID_YEARS = 3
TIER_CODE = {Tier.INNOVATIVE: "CX", Tier.SPECIALIZED: "ZJTX", Tier.LITTLE_GIANT: "XJR"}
TITLE_CONNECTIVES = ("及其", "面向", "基于", "适用于")
_RANGE_RE = re.compile(r"\[(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)\]")
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


@dataclass
class Planned:
    """One posting to create: its import-shaped fields plus what the import contract leaves out."""

    kind: PostingKind
    org_key: str
    raw: dict
    status: PostingStatus = PostingStatus.PUBLISHED
    contact_phone: str = ""


@dataclass
class TierSeed:
    tier: Tier
    year: int
    expires_on: date
    certificate_no: str


@dataclass
class Composer:
    """Draws every choice from one Random and remembers what it handed out, to spread and not repeat."""

    rng: random.Random
    today: date
    load: dict[tuple[PostingKind, str], float] = field(default_factory=dict)
    topic_use: dict[str, int] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)
    credit_codes: set[str] = field(default_factory=set)

    # ---- small pieces -------------------------------------------------------------------------------------------

    def fill(self, text: str) -> str:
        """Replace every "[a-b]" range with a number drawn from it."""

        def draw(match: re.Match) -> str:
            low, high = match.group(1), match.group(2)
            if "." in low or "." in high:
                places = max(len(x.partition(".")[2]) for x in (low, high))
                return f"{self.rng.uniform(float(low), float(high)):.{places}f}"
            return str(self.rng.randint(int(low), int(high)))

        return _RANGE_RE.sub(draw, text)

    def person(self, titles: tuple[str, ...]) -> str:
        """How people sign a posting: 王老师, 李工; Mongolian names are written in full."""
        if self.rng.random() < 0.15:
            return self.rng.choice(phrases.MONGOLIAN_NAMES)
        return self.rng.choice(phrases.SURNAMES) + self.rng.choice(titles)

    def mobile(self) -> str:
        return (
            self.rng.choice(("139", "138", "150", "151", "186", "189", "133", "177"))
            + f"{self.rng.randint(0, 99999999):08d}"
        )

    def landline(self, region: str) -> str:
        return f"{phrases.AREA_CODES[region]}-{self.rng.randint(2000000, 8999999)}"

    def keywords(self, topic: Topic) -> list[str]:
        rest = list(topic.keywords[1:])
        return [topic.keywords[0], *self.rng.sample(rest, k=min(len(rest), self.rng.randint(2, 4)))]

    def modes(self, allowed: list[CooperationMode], low: int, high: int) -> list[str]:
        chosen = self.rng.sample(allowed, k=self.rng.randint(low, high))
        return [m.label for m in sorted(chosen, key=allowed.index)]

    def deadline(self) -> str:
        return (self.today + timedelta(days=self.rng.randint(30, 400))).isoformat()

    def pick(self, kind: PostingKind, candidates: list[OrgSeed], weight=lambda org: 1.0) -> OrgSeed:
        """The least-loaded candidate, so every organisation gets its share; ties broken at random."""
        best = min(candidates, key=lambda org: (self.load.get((kind, org.key), 0) / weight(org), self.rng.random()))
        self.load[(kind, best.key)] = self.load.get((kind, best.key), 0) + 1
        return best

    def unique(self, make):
        """Call make() until its title (the first item) is new; after many tries accept a repeat."""
        for _ in range(30):
            made = make()
            if made[0] not in self.titles:
                break
        self.titles.add(made[0])
        return made

    def _achievement_title(self, org: OrgSeed, method: str, obj: str, use: str) -> str:
        # "基于…的面向…的…" reads badly: an object that carries its own connective takes no second one.
        plain = not any(w in obj for w in TITLE_CONNECTIVES)
        patterns = [p for p in phrases.ACH_TITLES if plain or p == phrases.ACH_TITLE_PLAIN]
        applied = not obj.endswith(("方法", "技术", "工艺", "系统", "模型", "平台", "方案"))
        if org.org_type != OrgType.UNIVERSITY and applied:
            patterns += phrases.ACH_TITLES_APPLIED  # institutes and firms also name results by their stage
        return self.rng.choice(patterns).format(method=method, object=obj, use=use)

    # ---- organisations ------------------------------------------------------------------------------------------

    def credit_code(self, org: OrgSeed) -> str:
        """A valid 统一社会信用代码: registration type, the 盟市 code, a GB 11714 organisation code, the check char."""
        registrar = {OrgType.UNIVERSITY: "12", OrgType.INSTITUTE: "12", OrgType.AUTHORITY: "12"}.get(org.org_type, "91")
        while True:
            if registrar == "91" and (org.founded or 2000) >= 2015:
                body = "MA" + "".join(self.rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
            else:
                body = f"{self.rng.randint(10000000, 99999999)}"
            code17 = registrar + org.region + body + _org_code_check(body)
            code = code17 + credit_code_check_char(code17)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def tiers(self, org: OrgSeed) -> list[TierSeed]:
        return [
            TierSeed(tier, expires.year - TIER_VALID_YEARS, expires, self._certificate_no(tier, expires))
            for tier, expires in _tier_expiries(org, self.today)
        ]

    def _certificate_no(self, tier: Tier, expires: date) -> str:
        return f"NM-{TIER_CODE[tier]}-{expires.year - TIER_VALID_YEARS}-{self.rng.randint(1, 2999):04d}"

    def current_tier(self, org: OrgSeed) -> Tier | None:
        valid = [tier for tier, expires in _tier_expiries(org, self.today) if expires >= self.today]
        return max(valid, key=lambda t: t.rank) if valid else None

    # ---- postings -----------------------------------------------------------------------------------------------

    def meta(self, kind: PostingKind, org: OrgSeed, raw: dict, contact: str | None = None) -> Planned:
        raw.setdefault("region", org.region)
        raw.setdefault("industry", org.industry)
        raw["contact"] = contact or org.contact
        if kind in (NEED, PROC):
            raw.setdefault("deadline", self.deadline())
        if kind == CAP:
            tier = self.current_tier(org)
            if tier:
                raw["tier"] = tier.label
        phone = self.landline(org.region) if self.rng.random() < 0.6 else self.mobile()
        return Planned(kind, org.key, raw, contact_phone=phone)

    def achievement(self, org: OrgSeed, topic: Topic) -> Planned:
        def make_title() -> tuple[str, tuple, str]:
            idea = self.rng.choice(topic.ideas)
            use = self.rng.choice(idea[2])
            return self._achievement_title(org, idea[0], idea[1], use), idea, use

        title, (method, obj, all_uses, findings), use = self.unique(make_title)
        others = [u for u in all_uses if u != use]
        uses = [use, *self.rng.sample(others, k=min(len(others), self.rng.randint(1, 2)))]
        low, high = {OrgType.UNIVERSITY: (3, 6), OrgType.INSTITUTE: (4, 7)}.get(org.org_type, (6, 9))
        trl = self.rng.randint(low, high)
        year = self.rng.randint(self.today.year - 6, self.today.year)
        modes = self.modes(ACHIEVEMENT_MODES, 1, 3)
        patents = [_patent_number(self.rng, year) for _ in range(self.rng.randint(0, 3))] if trl <= 8 else []
        findings = self.rng.sample(list(findings), k=len(findings))
        summary = "".join(
            [
                topic.background,
                self.rng.choice(phrases.ACH_CORE).format(method=method, object=obj, use=uses[0]),
                self.rng.choice(phrases.ACH_RESULT_LEADS),
                "，".join(self.fill(f) for f in findings),
                "。",
                phrases.TRL_STAGES[trl].format(n=self.rng.randint(2, 6)),
                self.rng.choice(phrases.ACH_CLOSINGS).format(uses="、".join(uses)),
                f"已申请或授权专利{len(patents)}项。" if patents else "",
                f"可采用{'、'.join(modes)}等方式合作。",
            ]
        )
        raw = {
            "title": title,
            "keywords": self.keywords(topic),
            "industry": topic.industry,
            "summary": summary,
            "trl": trl,
            "year": year,
            "cooperation": modes,
            "patents": patents,
        }
        titles = phrases.ACADEMIC_TITLES if org.org_type != OrgType.LARGE else phrases.ENGINEER_TITLES
        return self.meta(ACH, org, raw, contact=self.person(titles))

    def need(
        self, org: OrgSeed, title: str, situation: str, keywords: list[str], industry: str, challenge: bool
    ) -> Planned:
        large = org.org_type == OrgType.LARGE
        budgets = (50, 80, 100, 150, 200, 300, 500, 800) if large else (5, 8, 10, 15, 20, 30, 40, 50, 80, 100, 150)
        budget = self.rng.choice(budgets)
        raw = {"title": title, "keywords": keywords, "industry": industry}
        intro = self.rng.choice(phrases.NEED_INTROS_LARGE if large else phrases.NEED_INTROS_SME)
        parts = [
            intro.format(name=org.name, business=org.business, place=_place(org.region)),
            self.fill(situation),
            self.rng.choice(phrases.NEED_ASKS_LARGE if large else phrases.NEED_ASKS_SME),
        ]
        if challenge:
            reward = self.rng.choice((50, 100, 150, 200, 300))
            budget = max(budget, reward)
            raw.update(challenge=True, reward_wan=reward, ip_terms=self.rng.choice(phrases.IP_TERMS))
            parts.append(phrases.CHALLENGE_LINE.format(reward=reward))
        if challenge or self.rng.random() > 0.1:
            raw["budget_wan"] = budget
            parts.append(self.rng.choice(phrases.BUDGET_LINES).format(budget=budget))
        else:
            parts.append(self.rng.choice(phrases.NO_BUDGET_LINES))
        parts.append(self.rng.choice(phrases.TIMELINES).format(months=self.rng.choice((3, 6, 6, 9, 12, 18))))
        raw["description"] = "".join(parts)
        raw["cooperation"] = self.modes(NEED_MODES, 1, 2)
        contact = org.contact if self.rng.random() < 0.6 else self.person(phrases.ENGINEER_TITLES)
        return self.meta(NEED, org, raw, contact=contact)

    def procurement(self, org: OrgSeed, topic: Topic, title: str, quantity: str, body: str) -> Planned:
        thing = title.removeprefix("采购")
        intro = self.rng.choice(phrases.PROC_INTROS).format(name=org.name, thing=thing)
        quals = self.rng.sample(list(phrases.QUALIFICATIONS), k=self.rng.randint(2, 3))
        raw = {
            "title": title,
            "keywords": self.keywords(topic),
            "industry": topic.industry,
            "quantity": self.fill(quantity),
            "qualifications": "；".join(self.fill(q) for q in quals),
            "description": intro + self.fill(body) + self.rng.choice(phrases.PROC_CLOSINGS),
        }
        return self.meta(PROC, org, raw, contact=self.person(phrases.ENGINEER_TITLES))

    def capability(self, org: OrgSeed, title: str, body: str, keywords: list[str], industry: str, certs) -> Planned:
        intro = self.rng.choice(phrases.CAP_INTROS).format(
            name=org.name, founded=org.founded or 2010, business=org.business, place=_place(org.region)
        )
        chosen = self.rng.sample(list(certs), k=min(len(certs), self.rng.randint(1, 2)))
        chosen.append(self.rng.choice(phrases.GENERIC_CERTS))
        chosen.append(self.rng.choice(phrases.LARGE_CERTS if org.org_type == OrgType.LARGE else phrases.SME_CERTS))
        raw = {
            "title": title,
            "keywords": keywords,
            "industry": industry,
            "certifications": list(dict.fromkeys(chosen)),
            "description": intro + self.fill(body) + self.rng.choice(phrases.CAP_CLOSINGS),
        }
        return self.meta(CAP, org, raw)


def _org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _patent_number(rng: random.Random, year: int) -> str:
    """A CNIPA application number (ZL + year + type + serial) with its check digit."""
    digits = f"{rng.randint(year - 3, year)}{rng.choice('112')}{rng.randint(1, 9999999):07d}"
    total = sum(int(d) * w for d, w in zip(digits, _PATENT_WEIGHTS, strict=True)) % 11
    return f"ZL{digits}.{'X' if total == 10 else total}"


def _tier_expiries(org: OrgSeed, today: date) -> list[tuple[Tier, date]]:
    """Each recognition is valid until the end of its third year after the year it was granted."""
    return [(tier, date(today.year - ago + TIER_VALID_YEARS, 12, 31)) for tier, ago in org.tiers]


def _place(region: str) -> str:
    """包头市 → 包头, the way people name their city in a sentence; 兴安盟 stays 兴安盟."""
    return region_name(region).removesuffix("市")


def verified(org_type: OrgType | tuple[OrgType, ...]) -> list[OrgSeed]:
    types = org_type if isinstance(org_type, tuple) else (org_type,)
    return [o for o in ORGS if o.org_type in types and not o.pending]


def account_email(org: OrgSeed) -> str:
    for account in ACCOUNTS:
        if account.org_key == org.key:
            return account.email
    return f"{org.key}@lianqiao.demo"
