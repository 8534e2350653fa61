"""Why a target was suggested ("为什么推荐"): the distinctive words both postings use, the field signals
that applied (signals.py), and how close the two are in meaning, said in words. Stored as JSON on the
Match and rendered as short Chinese lines by render_reasons.

A shared word is shown only when it is
- a whole word of both postings as jieba cuts them in precise mode. The index's search mode also emits
  the dictionary words inside a compound (马铃 and 马铃薯 for 马铃薯): those pieces are never shown;
- not boilerplate: not in search/data/reason_stopwords.txt (主要、从事、合作、客户、完成 …), not a lone
  character, not a number;
- distinctive in the catalogue: used by at most a tenth of the eligible postings of every kind
  (idf = ln(N / df) ≥ ln 10), or by no more than COMMON_MIN_DF of them, too few to call it common
  (WordFrequencies, counted once per run by MatchContext.frequencies).
At most MAX_TERMS, the strongest first: found in more of the target's fields, then the rarer.

The semantic side is a level, never the cosine: e5 cosines of any two postings sit in a narrow high band
(0.81–0.97), and "0.92" reads as 92 % for unrelated pairs (cutoffs: search.fusion.semantic_level).

JSON shape: {"terms": [{"term", "source_term", "fields": ["keywords"|"title"|"body", …]}],
"signals": [{"code", "text", "weight"}], "cautions": [{"code", "text", "weight"}],
"semantic": "high" | "close" | null, "feedback": [text, …]}.
Rows stored before held the raw cosine in "semantic" and any matched token in "terms": render_reasons
turns the cosine into the same words (or nothing) and leaves out their stoplisted terms.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from search.analysis import DATA_DIR, Analyzer, normalize_text
from search.fusion import SEMANTIC_LEVELS, semantic_level

MAX_TERMS = 5
FIELD_LABELS = {"keywords": "关键词", "title": "标题", "body": "正文"}
STOPWORDS_FILE = DATA_DIR / "reason_stopwords.txt"
# On the demo catalogue (443 postings) a tenth keeps 稀土 (8 %), 羊绒 and 光伏 (8 %) and drops 设备 (11 %),
# 检测 (19 %), 采用 (48 %) and 合作 (58 %); on the labelled set (275) it keeps 检测 (9 %) and drops 生产 (12 %).
MIN_IDF = math.log(10)
COMMON_MIN_DF = 5


@lru_cache(maxsize=1)
def reason_stopwords() -> frozenset[str]:
    """search/data/reason_stopwords.txt: one word a line, `#` starts a comment line."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(normalize_text(line) for line in lines if not line.lstrip().startswith("#")) - {""}


@dataclass(frozen=True)
class Signal:
    code: str
    text: str
    weight: float

    def as_dict(self) -> dict:
        # What dataclasses.asdict gives, without its deep copy: 240,000 calls in a full run.
        return {"code": self.code, "text": self.text, "weight": self.weight}


def _meaningful(token: str, stopwords: frozenset[str]) -> bool:
    """A lone character, a bare number or boilerplate says nothing to a reader."""
    return len(token) > 1 and not token.isdigit() and token not in stopwords


@dataclass(frozen=True)
class WordFrequencies:
    """Of `total` postings, how many use each word (document frequency), and the words never shown as a
    shared word: the boilerplate list and the words too many postings use (see the module doc)."""

    total: int = 0
    df: dict[str, int] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()

    @classmethod
    def count(cls, postings: Iterable[tuple[tuple[str, ...], ...]]) -> WordFrequencies:
        """From each posting's words per field (posting_tokens)."""
        df: Counter[str] = Counter()
        total = 0
        for tokens in postings:
            total += 1
            df.update(set().union(*tokens))
        common = {word for word, n in df.items() if n > COMMON_MIN_DF and math.log(total / n) < MIN_IDF}
        return cls(total, dict(df), reason_stopwords() | common)

    def idf(self, word: str) -> float:
        """ln((N + 1) / (df + 1)): the rarer, the higher (defined for a word no posting uses too)."""
        return math.log((self.total + 1) / (self.df.get(word, 0) + 1))


@dataclass(frozen=True)
class SourceTerms:
    """The source's meaningful words, keywords first, then title, then body, each once, with the
    alternatives (the word, then its synonyms) looked for in a target. Most words have no synonym:
    those (`plain`, word → place) are looked up in a target with set operations."""

    terms: list[tuple[str, tuple[str, ...]]]
    plain: dict[str, int]
    plain_set: frozenset[str]
    with_synonyms: list[int]


@dataclass(frozen=True)
class TargetWords:
    """A target's words that may be shown as shared ones, per field (FIELD_LABELS) and in any field."""

    fields: dict[str, frozenset[str]]
    anywhere: frozenset[str]
    frequencies: WordFrequencies


def posting_tokens(analyzer: Analyzer, posting) -> tuple[tuple[str, ...], ...]:
    """The whole words of a posting's keywords, title and body (FIELD_LABELS order): jieba's precise
    mode, never the pieces of a compound that the index's search mode adds."""
    texts = (" ".join(posting.keywords or []), posting.title, posting.body)
    return tuple(analyzer.whole_words(text) for text in texts)


def source_terms(analyzer: Analyzer, tokens: tuple[tuple[str, ...], ...]) -> SourceTerms:
    """Once per source (tokens: posting_tokens): the same terms serve every candidate."""
    stopwords = reason_stopwords()
    ordered: dict[str, None] = {}
    for field_tokens in tokens:
        for token in field_tokens:
            if _meaningful(token, stopwords):
                ordered.setdefault(token, None)
    terms = [(token, analyzer.expand(token)) for token in ordered]
    plain = {token: place for place, (token, alts) in enumerate(terms) if len(alts) == 1}
    with_synonyms = [place for place, (_, alts) in enumerate(terms) if len(alts) > 1]
    return SourceTerms(terms, plain, frozenset(plain), with_synonyms)


def target_fields(tokens: tuple[tuple[str, ...], ...], frequencies: WordFrequencies | None = None) -> TargetWords:
    """A target's showable words (posting_tokens less the hidden ones) per field and anywhere. Once per
    target in a run: see MatchContext.fields. Without frequencies only the boilerplate list applies."""
    frequencies = frequencies or WordFrequencies(hidden=reason_stopwords())
    hidden = frequencies.hidden
    fields = {
        name: frozenset(t for t in field_tokens if _meaningful(t, hidden))
        for name, field_tokens in zip(FIELD_LABELS, tokens, strict=True)
    }
    return TargetWords(fields, frozenset().union(*fields.values()), frequencies)


def _where(term: str, fields: dict[str, frozenset[str]]) -> list[str]:
    return [name for name in FIELD_LABELS if term in fields[name]]


def pick_terms(source: SourceTerms, target: TargetWords, limit: int = MAX_TERMS) -> list[dict]:
    """Source words (or their synonyms) that are showable words of the target, strongest first: found
    in more of the target's fields, then rarer in the catalogue, then in the source's order.

    For each source word the first alternative found counts. A word overlapping an already chosen one
    (稀土 and 稀土永磁, both whole words on both sides) is left out.
    """
    found = [(source.plain[token], token, token) for token in source.plain_set & target.anywhere]
    for place in source.with_synonyms:
        token, alts = source.terms[place]
        alt = next((alt for alt in alts if alt in target.anywhere), None)
        if alt is not None:
            found.append((place, alt, token))
    idf = target.frequencies.idf
    ranked = []
    for place, term, source_term in found:
        where = _where(term, target.fields)
        ranked.append(((-len(where), -idf(term), place), term, source_term, where))
    ranked.sort(key=lambda item: item[0])
    chosen: list[dict] = []
    for _, term, source_term, where in ranked:
        if any(term in c["term"] or c["term"] in term for c in chosen):
            continue
        chosen.append({"term": term, "source_term": source_term, "fields": where})
        if len(chosen) == limit:
            break
    return chosen


def build_reasons(
    terms: list[dict],
    signals: list[Signal],
    semantic: float | None,
    feedback: list[str] = (),
) -> dict:
    """The JSON stored on a Match (shape in the module doc); `semantic` is the pair's cosine."""
    return {
        "terms": terms,
        "signals": [s.as_dict() for s in signals if s.weight > 0],
        "cautions": [s.as_dict() for s in signals if s.weight < 0],
        "semantic": semantic_level(semantic),
        "feedback": list(feedback),
    }


def _term_text(item: dict) -> str:
    fields = "、".join(FIELD_LABELS[f] for f in item.get("fields") or () if f in FIELD_LABELS)
    source_term = item.get("source_term") or item["term"]
    word = item["term"] if source_term == item["term"] else f"{item['term']}（即“{source_term}”）"
    return f"{word}（{fields}）" if fields else word


def _shown_terms(terms: list[dict] | None) -> list[dict]:
    """The stored terms still worth showing: a row computed before the boilerplate list may hold some."""
    stopwords = reason_stopwords()
    kept = [t for t in terms or () if isinstance(t, dict) and t.get("term") and t["term"] not in stopwords]
    return [t for t in kept if t.get("source_term") not in stopwords][:MAX_TERMS]


def _semantic_text(value) -> str | None:
    """A level ("high"/"close"), or the raw cosine an older row stored, in words; else nothing."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = semantic_level(float(value))
    return SEMANTIC_LEVELS.get(value) if isinstance(value, str) else None


def render_reasons(reasons: dict | None) -> list[str]:
    """The stored reasons as short Chinese lines, most telling first."""
    reasons = reasons or {}
    lines = []
    terms = _shown_terms(reasons.get("terms"))
    if terms:
        lines.append("共同词语：" + "；".join(_term_text(t) for t in terms))
    semantic = _semantic_text(reasons.get("semantic"))
    if semantic:
        lines.append(semantic)
    lines += [s["text"] for s in reasons.get("signals") or () if isinstance(s, dict) and s.get("text")]
    lines += [f"注意：{s['text']}" for s in reasons.get("cautions") or () if isinstance(s, dict) and s.get("text")]
    return lines
