"""Why a target was suggested: matched terms and the fields they matched in, the field signals that
applied, and the semantic similarity when the dense side contributed. Stored as JSON on the Match
and rendered as a short Chinese list ("为什么推荐").

JSON shape: {"terms": [{"term", "source_term", "fields": ["keywords"|"title"|"body", …]}],
"signals": [{"code", "text", "weight"}], "cautions": [{"code", "text", "weight"}],
"semantic": cosine | null, "feedback": [text, …]}.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

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
        return asdict(self)


def _meaningful(token: str) -> bool:
    """A lone character or a bare number says nothing to a reader."""
    return len(token) > 1 and not token.isdigit()


def _source_tokens(analyzer: Analyzer, posting) -> list[str]:
    """Source tokens, keywords first, then title, then body; each once."""
    ordered: dict[str, None] = {}
    for text in (" ".join(posting.keywords or []), posting.title, posting.body):
        for token in analyzer.tokens(text):
            if _meaningful(token):
                ordered.setdefault(token, None)
    return list(ordered)


def _target_fields(analyzer: Analyzer, posting) -> dict[str, set[str]]:
    return {
        "keywords": set(analyzer.tokens(" ".join(posting.keywords or []))),
        "title": set(analyzer.tokens(posting.title)),
        "body": set(analyzer.tokens(posting.body)),
    }


def matched_terms(analyzer: Analyzer, source, target, limit: int = MAX_TERMS) -> list[dict]:
    """Source tokens (or their synonyms) found in the target's fields, most telling first.

    A term inside an already chosen longer term (稀土 in 稀土永磁) is left out.
    """
    fields = _target_fields(analyzer, target)
    found = []
    for position, token in enumerate(_source_tokens(analyzer, source)):
        for alt in analyzer.expand(token):
            where = [name for name in FIELD_LABELS if alt in fields[name]]
            if where:
                found.append((-len(where), "keywords" not in where, position, alt, token, where))
                break
    found.sort(key=lambda item: item[:3])
    chosen: list[dict] = []
    for *_, term, source_term, where in found:
        if any(term in c["term"] for c in chosen):
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
