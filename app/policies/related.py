"""相关政策: on a posting page and on the organisation page, for the organisation's own members, the policy items
that fit both the firm's rules and what the firm posts.

An item is shown when it is
- open today (Beijing): its policy published and in force, the day inside the item's window;
- not 不符合 for the firm (evaluation.py; 可能符合 is shown, with its verdict);
- related to the posting by meaning: the cosine of the posting's stored e5 passage vector and the item's
  (app/policies/vectors.py: the 事项 title) at least SEMANTIC_FLOOR, calibrated on hand-labelled demo pairs
  (tests/data/policy_related.tsv) for precision: a 数字化转型 subsidy is related to a need for an MES by
  meaning, not by shared words. Reason: 语义相近, plus the shared distinctive words if there are any.
- without vectors (EMBEDDINGS off, a posting or the items not embedded yet) the lexical rule: found by the
  search index's any-term ranking among those items AND sharing distinctive whole words with the posting
  (matching's reason words: not boilerplate, not a place name, not GENERIC_WORDS, not used by many of the open
  items nor by more than a tenth of the searchable postings). The floor: shared words worth at least
  MIN_WEIGHT, a word in the item's title or its policy's title counting 1, a word only in its body
  RELATED_BODY_WEIGHT: one shared word is never enough.
At most LIMIT, best ranked first, each with its verdict and a one-line reason (the shared words).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from flask import Flask, current_app, g
from flask_login import current_user

from app.core.clock import local_today
from app.core.enums import PostingStatus
from app.core.policy_enums import Verdict
from app.matching.reasons import (
    COMMON_MIN_DF,
    MAX_TERMS,
    MIN_IDF,
    WordFrequencies,
    pick_terms,
    posting_tokens,
    source_terms,
    target_fields,
)
from app.matching.scoring import lexical_text
from app.organizations.models import Organization
from app.policies.indexing import SOURCE, init_item_index, item_document
from app.policies.models import PolicyItem
from app.policies.places import AUTONOMOUS_REGION_NAME, COUNTIES, LEAGUES
from app.policies.services import evaluate_org
from app.policies.vectors import embed_outdated, item_vectors, searchable_vectors
from app.postings.models import Posting
from app.postings.queries import org_public_postings
from app.search.backend import get_search
from app.search.documents import current_vectors
from app.search.policy_search import policy_url
from app.search.sources import register_source
from search import SearchRequest
from search.documents import POLICY_KIND
from search.vectors import from_bytes

log = logging.getLogger(__name__)
LIMIT = 3
CANDIDATES = 20
MIN_WEIGHT = 1.5
RELATED_BODY_WEIGHT = 0.5
# Cosine of a posting's and an item's stored e5 passage vectors from which they count as related, chosen for
# precision on the labelled demo pairs (tests/data/policy_related.tsv, 87 pairs, 35 related): the 4 pairs at or
# above it are all related (precision 1.00, recall 0.11). Just under it: 准备申报高企 → 小微企业价格评审优惠
# (0.8931, unrelated) next to → 科技创新券 (0.8930, related); 0.890 shows 12 pairs, 10 related (0.83 / 0.29).
SEMANTIC_FLOOR = 0.8935
# Words too general to explain a relation, whatever their frequency says.
GENERIC_WORDS = frozenset(
    ("建设", "在线", "服务", "系统", "项目", "企业", "技术", "开发", "研究", "平台", "应用", "管理")
)
ORG_POSTINGS = 10  # the organisation page looks at its latest published postings


@dataclass
class RelatedItem:
    item: PolicyItem
    verdict: Verdict
    words: list[str]
    score: float
    semantic: bool = False

    @property
    def url(self) -> str:
        return policy_url(self.item.policy_id)

    @property
    def reason(self) -> str:
        if self.semantic:
            return "语义相近" + ("；共同词语：" + "、".join(self.words) if self.words else "")
        return "共同词语：" + "、".join(self.words)


def _item_tokens(analyzer, item: PolicyItem, doc: dict) -> tuple[tuple[str, ...], ...]:
    """The item's whole words per field, in reasons.FIELD_LABELS order: its policy's title (as keywords; not
    the issuer or the place, which say where a policy applies, not what it is about), its title, its body."""
    return tuple(analyzer.whole_words(text) for text in (item.policy.title, doc["title"], doc["body"]))


@lru_cache(maxsize=4)
def _place_words(analyzer) -> frozenset[str]:
    """Place names (内蒙古自治区, 包头市, 昆都仑区 …) as the analyser cuts them: sharing one is no relation."""
    names = [AUTONOMOUS_REGION_NAME, *LEAGUES.values(), *COUNTIES.values()]
    return frozenset(word for name in names for word in (name, *analyzer.whole_words(name)) if len(word) > 1)


def _weight(terms: list[dict]) -> float:
    return sum(1.0 if {"title", "keywords"} & set(t["fields"]) else RELATED_BODY_WEIGHT for t in terms)


def _common_in_catalogue(word: str, today: date) -> bool:
    """Whether the searchable postings use the word too widely to tell anything (the matching's rule: in more
    than a tenth of them, and more than COMMON_MIN_DF): 科技, 装备, 中小企业, 采购 relate everything to everything.
    Counted by the index (the word as a search), remembered for the request."""
    counts = g.setdefault("related_policy_df", {})
    service = get_search()
    if None not in counts:
        counts[None] = service.read(lambda backend: backend.count(searchable=True, today=today))[0]
    if word not in counts:
        request = SearchRequest(text=word, per_page=1, today=today, facets=False, highlight=False)
        counts[word] = service.read(lambda backend: backend.execute(backend.plan(request)))[0].total
    n, total = counts[word], counts[None]
    return n > COMMON_MIN_DF and math.log(total / n) < MIN_IDF


def _ranked_ids(text: str, ids: tuple[int, ...], today: date) -> list[int]:
    """The items among `ids` the index ranks for the text (any term), best first."""
    request = SearchRequest(
        text=text, kinds=(POLICY_KIND,), ids=ids, per_page=CANDIDATES, today=today, facets=False, highlight=False
    )
    service = get_search()
    result, _ = service.read(lambda backend: backend.execute(backend.plan(request).candidates()))
    return [hit.id for hit in result.hits]


def related_items(org: Organization, postings: list[Posting], today: date | None = None) -> list[RelatedItem]:
    """The items related to these postings of `org` (see the module doc), at most LIMIT."""
    today = today or local_today()
    postings = [p for p in postings if p.status == PostingStatus.PUBLISHED]
    if not postings:
        return []
    fitting = {item.id: (item, ev.verdict) for item, ev in evaluate_org(org, today) if ev.verdict != Verdict.INELIGIBLE}
    if not fitting:
        return []
    words = _Words(fitting, today)
    semantic = _Semantic(fitting, postings)
    best: dict[int, RelatedItem] = {}
    for posting in postings:
        found = semantic.related(posting, words) if semantic.covers(posting) else _lexical(posting, fitting, words)
        for entry in found:
            if entry.item.id not in best or entry.score > best[entry.item.id].score:
                best[entry.item.id] = entry
    return sorted(best.values(), key=lambda r: (-r.score, r.item.closes_on or date.max, r.item.id))[:LIMIT]


class _Words:
    """The shared distinctive words of a posting and an item (matching's reason words, without the catalogue's
    common words, place names and GENERIC_WORDS)."""

    def __init__(self, fitting: dict[int, tuple[PolicyItem, Verdict]], today: date) -> None:
        self.analyzer, self.today = get_search().primary.analyzer, today
        self.tokens = {
            item_id: _item_tokens(self.analyzer, item, item_document(item, today))
            for item_id, (item, _) in fitting.items()
        }
        counted = WordFrequencies.count(self.tokens.values())
        self.frequencies = replace(counted, hidden=counted.hidden | _place_words(self.analyzer))
        self._sources: dict[int, object] = {}

    def shared(self, posting: Posting, item_id: int) -> list[dict]:
        if posting.id not in self._sources:
            self._sources[posting.id] = source_terms(self.analyzer, posting_tokens(self.analyzer, posting))
        source = self._sources[posting.id]
        terms = pick_terms(source, target_fields(self.tokens[item_id], self.frequencies), limit=len(source.terms))
        terms = [t for t in terms if t["term"] not in GENERIC_WORDS]
        return [t for t in terms if not _common_in_catalogue(t["term"], self.today)][:MAX_TERMS]

    @staticmethod
    def written(posting: Posting, terms: list[dict]) -> list[str]:
        text = " ".join(_texts(posting))
        return [_as_written(t["source_term"], text) for t in terms]


def _lexical(posting: Posting, fitting: dict, words: _Words) -> list[RelatedItem]:
    """Without vectors: the index's any-term ranking, kept when the shared words weigh MIN_WEIGHT."""
    found = []
    for rank, item_id in enumerate(_ranked_ids(lexical_text(posting), tuple(sorted(fitting)), words.today)):
        if item_id not in fitting:
            continue
        terms = words.shared(posting, item_id)
        if _weight(terms) >= MIN_WEIGHT:
            found.append(RelatedItem(*fitting[item_id], words.written(posting, terms), -rank))
    return found


class _Semantic:
    """Cosines of the postings' stored vectors with the items' (app/policies/vectors.py): used for a posting
    when EMBEDDINGS is on and both it and the items have current vectors; else the lexical rule applies."""

    def __init__(self, fitting: dict[int, tuple[PolicyItem, Verdict]], postings: list[Posting]) -> None:
        self.fitting = fitting
        on = bool(current_app.config.get("EMBEDDINGS", True))
        self.items = item_vectors(item for item, _ in fitting.values()) if on else {}
        self.postings = current_vectors(p.id for p in postings) if self.items else {}

    def covers(self, posting: Posting) -> bool:
        return posting.id in self.postings

    def related(self, posting: Posting, words: _Words) -> list[RelatedItem]:
        vector = from_bytes(self.postings[posting.id])
        floor = float(current_app.config.get("POLICY_RELATED_FLOOR", SEMANTIC_FLOOR))
        found = []
        for item_id, item_vector in self.items.items():
            cosine = float(vector @ item_vector)
            if cosine >= floor:
                shared = words.written(posting, words.shared(posting, item_id))
                found.append(RelatedItem(*self.fitting[item_id], shared, cosine, semantic=True))
        return found


def _texts(posting: Posting) -> tuple[str, ...]:
    return (" ".join(posting.keywords or []), posting.title, posting.body or "")


def _as_written(word: str, text: str) -> str:
    """A shared word as the posting writes it (the analyser lower-cases: mes → MES)."""
    at = text.lower().find(word)
    return text[at : at + len(word)] if at >= 0 else word


def related_policies(posting: Posting | None = None, org: Organization | None = None) -> list[RelatedItem]:
    """Template global: 相关政策 for a posting page or an organisation page; only the organisation's own
    members see it (a verdict tells about the firm's profile). Empty for anyone else."""
    org = posting.org if posting is not None else org
    if org is None or not current_user.is_authenticated or not current_user.belongs_to(org.id):
        return []
    postings = [posting] if posting is not None else org_public_postings(org.id)[:ORG_POSTINGS]
    try:
        return related_items(org, postings)
    except Exception:  # noqa: BLE001 - a side box must never cost the firm its page
        log.exception("相关政策 failed for organisation %s", org.id)
        return []


def init_policy_search(app: Flask) -> None:
    """Wire policies into search (called once by create_app): the items' outbox hook and drain source
    (indexing.py), and the 相关政策 template global."""
    init_item_index(app)
    register_source(app, replace(SOURCE, embed_outdated=embed_outdated, vectors=searchable_vectors))
    app.add_template_global(related_policies, "related_policies")
