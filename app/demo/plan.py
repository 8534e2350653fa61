"""Decide who publishes what: the matched pairs first, then the topics spread over the organisations that fit."""

from __future__ import annotations

from app.core.enums import OrgSize, OrgType, PostingKind
from app.demo.compose import (
    ACH,
    ACHIEVEMENT_WEIGHT,
    CAP,
    CHALLENGE_COUNT,
    NEED,
    PROC,
    PUBLISHED_COUNT,
    REF_PREFIX,
    UNPUBLISHED,
    Composer,
    Planned,
    verified,
)
from app.demo.data import TOPICS, phrases
from app.demo.data.orgs import ORGS
from app.demo.data.pairs import PAIRS
from app.demo.data.types import OrgSeed, Topic

ENTERPRISES = (OrgType.SME, OrgType.LARGE)


def plan_postings(c: Composer) -> list[Planned]:
    """Every demo posting, each kind numbered from DEMO-XXX-0001; the last few of each kind are not public."""
    by_key = {o.key: o for o in ORGS}
    plans = {kind: [] for kind in PostingKind}
    for pair in PAIRS:
        for item in pair:
            raw = dict(item)
            kind, org = raw.pop("kind"), by_key[raw.pop("org")]
            c.titles.add(raw["title"])
            c.load[(kind, org.key)] = c.load.get((kind, org.key), 0) + 1
            contact = c.person(phrases.ACADEMIC_TITLES) if kind == ACH else None  # researchers sign achievements
            plans[kind].append(c.meta(kind, org, raw, contact=contact))

    wanted = {kind: PUBLISHED_COUNT[kind] + len(UNPUBLISHED[kind]) - len(plans[kind]) for kind in PostingKind}
    pair_challenges = sum(1 for p in plans[NEED] if p.raw.get("challenge"))
    generated = {
        ACH: _achievements(c, wanted[ACH]),
        NEED: _needs(c, wanted[NEED], CHALLENGE_COUNT - pair_challenges, len(UNPUBLISHED[NEED])),
        PROC: _procurements(c, by_key, wanted[PROC]),
        CAP: _capabilities(c, wanted[CAP]),
    }
    result = []
    for kind in PostingKind:
        for planned, status in zip(reversed(generated[kind]), UNPUBLISHED[kind], strict=False):
            planned.status = status
        for number, planned in enumerate(plans[kind] + generated[kind], start=1):
            planned.raw["ref"] = f"{REF_PREFIX[kind]}-{number:04d}"
            result.append(planned)
    return result


def _working_on(types: tuple[OrgType, ...], topic: Topic, *, as_client: bool = False) -> list[OrgSeed]:
    """Organisations that work on the topic (or, with as_client, buy in that area), else anywhere in its sector."""
    orgs = verified(types)
    fits = [o for o in orgs if topic.key in o.topics or (as_client and topic.key in o.client_of)]
    return fits or [o for o in orgs if topic.sector in o.sectors]


def _achievements(c: Composer, count: int) -> list[Planned]:
    producers = verified(tuple(ACHIEVEMENT_WEIGHT))
    out = []
    for _ in range(count):
        org = c.pick(ACH, producers, weight=lambda o: ACHIEVEMENT_WEIGHT[o.org_type])
        topics = [t for t in TOPICS if t.key in org.topics] or [t for t in TOPICS if t.sector in org.sectors]
        topic = min(topics, key=lambda t: (c.topic_use.get(t.key, 0), c.rng.random()))
        c.topic_use[topic.key] = c.topic_use.get(topic.key, 0) + 1
        out.append(c.achievement(org, topic))
    return out


def _needs(c: Composer, count: int, challenges: int, unpublished: int) -> list[Planned]:
    seeds: list[tuple[Topic | None, str, str, list[str]]] = [
        (topic, title, situation, []) for topic in TOPICS for title, situation in topic.needs
    ]
    c.rng.shuffle(seeds)
    generic = [(None, title, situation, list(keywords)) for title, situation, keywords in phrases.GENERIC_NEEDS]
    seeds = generic + seeds[: count - len(generic)]
    c.rng.shuffle(seeds)
    assigned = []
    for topic, title, situation, keywords in seeds:
        candidates = _working_on(ENTERPRISES, topic, as_client=True) if topic else verified(OrgType.SME)
        assigned.append((c.pick(NEED, candidates), topic, title, situation, keywords))
    # 揭榜挂帅 is for bigger problems: large firms first, then medium-sized SMEs; never on a posting left unpublished.
    public = list(range(len(assigned) - unpublished))
    c.rng.shuffle(public)
    public.sort(key=lambda i: (assigned[i][0].org_type != OrgType.LARGE, assigned[i][0].size != OrgSize.MEDIUM))
    chosen = set(public[:challenges])
    out = []
    for i, (org, topic, title, situation, keywords) in enumerate(assigned):
        c.titles.add(title)
        keywords = c.keywords(topic) if topic else list(keywords)
        industry = topic.industry if topic else org.industry
        out.append(c.need(org, title, situation, keywords, industry, challenge=i in chosen))
    return out


def _procurements(c: Composer, by_key: dict[str, OrgSeed], count: int) -> list[Planned]:
    seeds = [(topic, buy) for topic in TOPICS for buy in topic.buys]
    c.rng.shuffle(seeds)
    out = []
    for topic, (title, quantity, body) in seeds[:count]:
        candidates = [by_key[k] for k in topic.buyers if not by_key[k].pending]
        candidates = (
            candidates
            or _working_on((OrgType.LARGE,), topic, as_client=True)
            or _working_on(ENTERPRISES, topic, as_client=True)
        )
        c.titles.add(title)
        out.append(c.procurement(c.pick(PROC, candidates), topic, title, quantity, body))
    return out


def _capabilities(c: Composer, count: int) -> list[Planned]:
    own = [
        (org, None, title, body, list(keywords))
        for org in verified((OrgType.SERVICE, *ENTERPRISES))
        for title, body, keywords in org.offers
    ]
    seeds = [(None, topic, title, body, []) for topic in TOPICS for title, body in topic.offers]
    c.rng.shuffle(seeds)
    seeds = own + seeds[: count - len(own)]
    c.rng.shuffle(seeds)
    out = []
    for org, topic, title, body, keywords in seeds:
        if topic:
            org = c.pick(CAP, _working_on(ENTERPRISES, topic))
            keywords, industry, certs = c.keywords(topic), topic.industry, topic.certs
        else:
            industry, certs = org.industry, org.certs
        c.titles.add(title)
        out.append(c.capability(org, title, body, keywords, industry, certs or phrases.GENERIC_CERTS))
    return out
