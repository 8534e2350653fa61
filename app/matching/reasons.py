"""Why a target was suggested: matched terms and the fields they matched in, the field signals that
applied, and the semantic similarity when the dense side contributed. Stored as JSON on the Match
and rendered as a short Chinese list ("为什么推荐").

JSON shape: {"terms": [{"term", "source_term", "fields": ["keywords"|"title"|"body", …]}],
"signals": [{"code", "text", "weight"}], "cautions": [{"code", "text", "weight"}],
"semantic": cosine | null, "feedback": [text, …]}.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.analysis import Analyzer
from search.fusion import semantic_reason

MAX_TERMS = 6
FIELD_LABELS = {"keywords": "关键词", "title": "标题", "body": "正文"}


@dataclass(frozen=True)
class Signal:
    code: str
    text: str
    weight: float

    def as_dict(self) -> dict:
        # What dataclasses.asdict gives, without its deep copy: 240,000 calls in a full run.
        return {"code": self.code, "text": self.text, "weight": self.weight}


def _meaningful(token: str) -> bool:
    """A lone character or a bare number says nothing to a reader."""
    return len(token) > 1 and not token.isdigit()


@dataclass(frozen=True)
class SourceTerms:
    """The source's meaningful tokens, keywords first, then title, then body, each once, with the
    alternatives (the token, then its synonyms) looked for in a target. Most tokens have no synonym:
    those (`plain`, token → place) are looked up in a target with set operations."""

    terms: list[tuple[str, tuple[str, ...]]]
    plain: dict[str, int]
    plain_set: frozenset[str]
    with_synonyms: list[int]


def posting_tokens(analyzer: Analyzer, posting) -> tuple[tuple[str, ...], ...]:
    """The tokens of a posting's keywords, title and body (FIELD_LABELS order)."""
    texts = (" ".join(posting.keywords or []), posting.title, posting.body)
    return tuple(tuple(analyzer.tokens(text)) for text in texts)


def source_terms(analyzer: Analyzer, tokens: tuple[tuple[str, ...], ...]) -> SourceTerms:
    """Once per source (tokens: posting_tokens): the same terms serve every candidate."""
    ordered: dict[str, None] = {}
    for field_tokens in tokens:
        for token in field_tokens:
            if _meaningful(token):
                ordered.setdefault(token, None)
    terms = [(token, analyzer.expand(token)) for token in ordered]
    plain = {token: place for place, (token, alts) in enumerate(terms) if len(alts) == 1}
    with_synonyms = [place for place, (_, alts) in enumerate(terms) if len(alts) > 1]
    return SourceTerms(terms, plain, frozenset(plain), with_synonyms)


def target_fields(tokens: tuple[tuple[str, ...], ...]) -> dict[str, frozenset[str]]:
    """A target's tokens (posting_tokens) per field, and in any field ("anywhere").
    Once per target in a run: see MatchContext.fields."""
    fields = {name: frozenset(field_tokens) for name, field_tokens in zip(FIELD_LABELS, tokens, strict=True)}
    fields["anywhere"] = frozenset().union(*fields.values())
    return fields


def _where(term: str, fields: dict[str, frozenset[str]]) -> list[str]:
    return [name for name in FIELD_LABELS if term in fields[name]]


def pick_terms(source: SourceTerms, fields: dict[str, frozenset[str]], limit: int = MAX_TERMS) -> list[dict]:
    """Source terms (or their synonyms) found in the target's fields, most telling first: found in
    more fields first, then found in the keywords, then in the source's order.

    For each source token the first alternative found in any field counts. A term inside an already
    chosen longer term (稀土 in 稀土永磁) is left out.
    """
    anywhere = fields["anywhere"]
    # The tokens without synonyms, by how telling they are, in five sets (C-speed set operations);
    # only as many are looked at one by one as it takes to choose `limit`.
    present = source.plain_set & anywhere
    keywords, title, body = (present & fields[name] for name in FIELD_LABELS)
    everywhere = keywords & title & body
    both = title & body
    groups = {
        (-3, False): everywhere,
        (-2, False): (keywords & (title | body)) - everywhere,
        (-2, True): both - keywords,
        (-1, False): keywords - title - body,
        (-1, True): (title ^ body) - keywords,
    }
    synonyms: dict[tuple[int, bool], list[tuple[int, str, str]]] = {key: [] for key in groups}
    for place in source.with_synonyms:
        token, alts = source.terms[place]
        for alt in alts:
            if alt in anywhere:
                where = _where(alt, fields)
                synonyms[(-len(where), "keywords" not in where)].append((place, alt, token))
                break
    chosen: list[dict] = []
    for key, tokens in groups.items():
        items = [(source.plain[token], token, token) for token in tokens] + synonyms[key]
        for _, term, source_term in sorted(items):
            if any(term in c["term"] for c in chosen):
                continue
            chosen.append({"term": term, "source_term": source_term, "fields": _where(term, fields)})
            if len(chosen) == limit:
                return chosen
    return chosen


def build_reasons(
    terms: list[dict],
    signals: list[Signal],
    semantic: float | None,
    feedback: list[str] = (),
) -> dict:
    return {
        "terms": terms,
        "signals": [s.as_dict() for s in signals if s.weight > 0],
        "cautions": [s.as_dict() for s in signals if s.weight < 0],
        "semantic": round(semantic, 4) if semantic is not None else None,
        "feedback": list(feedback),
    }


def _term_text(item: dict) -> str:
    fields = "、".join(FIELD_LABELS[f] for f in item["fields"])
    same = item["source_term"] == item["term"]
    word = item["term"] if same else f"{item['term']}（即“{item['source_term']}”）"
    return f"{word}（{fields}）"


def render_reasons(reasons: dict | None) -> list[str]:
    """The stored reasons as short Chinese lines, most telling first."""
    reasons = reasons or {}
    lines = []
    if reasons.get("terms"):
        lines.append("共同词语：" + "；".join(_term_text(t) for t in reasons["terms"]))
    if reasons.get("semantic") is not None:
        lines.append(semantic_reason(reasons["semantic"]))
    lines += [s["text"] for s in reasons.get("signals", [])]
    lines += [f"注意：{s['text']}" for s in reasons.get("cautions", [])]
    return lines
