"""A QueryPlan compiled for SQLite: the FTS5 MATCH expression, the filter SQL, and the
highlighting helpers. The semantics are those of search.query (see its docstring); every term is
double-quoted, so nothing a user types can act as FTS5 syntax.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from search.analysis import cjk_bigrams, is_han, word_tokens
from search.policy_filters import window_sql
from search.query import BIGRAM_WEIGHTS, HIGHLIGHT_TAGS, SEG_WEIGHTS, Filters, QueryPlan, synonym_phrases

FTS_COLUMNS = ("title_seg", "keywords_seg", "body_seg", "title_bi", "body_bi", "title_ch", "body_ch")
_SEG_SET = "{" + " ".join(name for name, _ in SEG_WEIGHTS) + "}"
_BIGRAM_SET = "{" + " ".join(f"{name}_bi" for name, _ in BIGRAM_WEIGHTS) + "}"
CHAR_SET = "{title_ch body_ch}"
WEIGHTS = ", ".join(f"{w:g}" for w in [w for _, w in SEG_WEIGHTS] + [w for _, w in BIGRAM_WEIGHTS] + [0, 0])
SEPARATOR = "\u200b"  # unicode61 splits on it; removed again from highlighted text
MARK_OPEN, MARK_CLOSE = "\x01", "\x02"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u200b]")
_FILTER_COLUMNS = ("industry", "industry_section", "region", "tier", "issuer", "benefit")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def char_split(text: str) -> str:
    """Han characters as separate tokens, everything else unchanged (highlighting columns)."""
    text = _CONTROL.sub(" ", text or "")
    out = []
    for i, ch in enumerate(text):
        if i and (is_han(ch) or is_han(text[i - 1])):
            out.append(SEPARATOR)
        out.append(ch)
    return "".join(out)


def char_phrase(term: str) -> str:
    return _quote(" ".join(tok for word in word_tokens(term) for tok in char_split(word).split(SEPARATOR)))


def _term(alternative: str) -> str | None:
    tokens = word_tokens(alternative)
    if not tokens:
        return None
    return _quote(tokens[0]) if len(tokens) == 1 else "(" + " AND ".join(map(_quote, tokens)) + ")"


def _phrase(text: str) -> str:
    return f"{_BIGRAM_SET} : {_quote(' '.join(cjk_bigrams(text)))}"


def _single_bigram(text: str) -> bool:
    return len(cjk_bigrams(text)) == 1


# Weightless: whether one single-token FTS5 phrase (with its column set) is in at least half of the
# rows, where FTS5's bm25 floors its idf at 1e-6 — dropping it from an any-term query moves scores by
# about 1e-5 at most and spares scoring every row it matches (see EmbeddedBackend._candidates).
Weightless = Callable[[str], bool]


def _alternatives(alts: tuple[str, ...], weightless: Weightless | None = None) -> str | None:
    terms = [t for t in map(_term, alts) if t]
    if weightless:
        terms = [t for t in terms if t.startswith("(") or not weightless(f"{_SEG_SET} : {t}")]
    parts = [f"{_SEG_SET} : ({' OR '.join(terms)})"] if terms else []
    parts += [p for alt in synonym_phrases(alts) if (p := _phrase_unless(alt, weightless))]
    return _any(parts) if parts else None


def _phrase_unless(text: str, weightless: Weightless | None) -> str | None:
    phrase = _phrase(text)
    return None if weightless and _single_bigram(text) and weightless(phrase) else phrase


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _all(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def fts_expression(plan: QueryPlan, weightless: Weightless | None = None) -> str | None:
    """The plan's text semantics (see search.query) as an FTS5 MATCH expression.

    With `weightless` (any-term plans only) the single-token parts in half the rows or more are left
    out (their bm25 idf is floored at 1e-6); a plan left with nothing is None."""
    if not plan.has_text:
        return None
    if plan.relaxed:
        parts = [p for c in plan.chunks if c.phrase and (p := _phrase_unless(c.phrase, weightless))]
        parts += [p for c in plan.chunks for alts in c.concepts if (p := _alternatives(alts, weightless))]
        return _any(parts) if parts else None
    per_chunk = []
    for chunk in plan.chunks:
        options = [_phrase(chunk.phrase)] if chunk.phrase else []
        concepts = [p for alts in chunk.concepts if (p := _alternatives(alts))]
        if concepts:
            options.append(_all(concepts))
        if options:
            per_chunk.append(_any(options))
    return _all(per_chunk) if per_chunk else None


def filter_sql(stem: str, filters: Filters) -> tuple[str, list]:
    sql = ["d.deleted = 0", "d.status = 'published'", "(d.deadline IS NULL OR d.deadline >= ?)"]
    params: list = [filters.today.isoformat()]
    for name in _FILTER_COLUMNS:
        value = getattr(filters, name)
        if value is not None:
            sql.append(f"d.{name} = ?")
            params.append(value)
    if filters.window is not None:
        clause, window_params = window_sql(filters.window, filters.today)
        sql.append(clause)
        params.extend(window_params)
    if filters.trl_min is not None:
        sql.append("d.trl >= ?")
        params.append(filters.trl_min)
    if filters.challenge is not None:
        sql.append("d.challenge = ?")
        params.append(int(filters.challenge))
    if filters.cooperation is not None:
        sql.append(f"d.id IN (SELECT id FROM {stem}_coop WHERE mode = ?)")
        params.append(filters.cooperation)
    if filters.ids:
        sql.append(f"d.id IN ({', '.join('?' * len(filters.ids))})")
        params.extend(filters.ids)
    for column, ids in (("org_id", filters.exclude_org_ids), ("group_id", filters.exclude_group_ids)):
        if ids:
            sql.append(f"(d.{column} IS NULL OR d.{column} NOT IN ({', '.join('?' * len(ids))}))")
            params.extend(ids)
    return " AND ".join(sql), params


def marked(text: str) -> str:
    """SQLite's highlighted text → HTML: separators dropped, escaped, markers → <mark>."""
    escaped = html.escape(text.replace(SEPARATOR, ""), quote=False)
    return escaped.replace(MARK_OPEN, HIGHLIGHT_TAGS[0]).replace(MARK_CLOSE, HIGHLIGHT_TAGS[1])
