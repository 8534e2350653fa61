"""The admin-editable analysis data: synonym groups, domain dictionary words, the zero-result log.

The tables are seeded once from search/data/ (`seed_dictionary`: on an admin's first visit or by
`flask search seed-dictionary`); until then the files themselves are used, so search behaves the
same before and after seeding. The analyzer the app uses is built from these tables and cached by
a cheap fingerprint query, so an admin's edit reaches every worker's next search: synonyms apply
to queries at once, dictionary words only to text indexed after the change (hence `reindex_needed`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, has_request_context

from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.models import utcnow
from app.extensions import db
from app.search.models import DictionaryWord, SearchQueryLog, SearchState, SynonymGroup
from search.analysis import (
    Analyzer,
    load_dictionary,
    load_stopwords,
    load_synonyms,
    normalize_text,
    parse_synonym_line,
    word_tokens,
)

SEEDED = "dictionary_seeded"
INDEXED_WORDS = "dictionary_indexed"
MAX_TERMS = 20
MAX_TERM_CHARS = 30
NOTE_MAX = 200
MAX_FREQUENCY = 1_000_000
ZERO_RESULT_DAYS = 30

_analyzers: OrderedDict[tuple, Analyzer] = OrderedDict()
_analyzers_lock = threading.Lock()


# --- state ------------------------------------------------------------------------------------


def _state(key: str) -> str | None:
    row = db.session.get(SearchState, key)
    return row.value if row else None


def _set_state(key: str, value: str) -> None:
    row = db.session.get(SearchState, key)
    if row is None:
        db.session.add(SearchState(key=key, value=value))
    else:
        row.value = value
    db.session.flush()


def _require_admin(actor) -> None:
    if actor is not None and not getattr(actor, "is_platform_admin", False):
        raise Forbidden("只有平台管理员可以维护搜索词典")


# --- what the analyzer is built from ------------------------------------------------------------


def seed_dictionary() -> bool:
    """Copy the default words and synonym groups into the tables, once; True if it did.

    Runs only while the "seeded" mark is absent, so a default an admin deleted stays deleted.
    """
    if _state(SEEDED):
        return False
    have = set(db.session.scalars(sa.select(DictionaryWord.word)))
    for entry in load_dictionary():
        word, freq = (entry, None) if isinstance(entry, str) else entry
        if word not in have and _word_problem(word) is None:
            have.add(word)
            db.session.add(DictionaryWord(word=word, frequency=freq))
    for group in load_synonyms():
        db.session.add(SynonymGroup(terms=", ".join(group)))
    _set_state(SEEDED, utcnow().isoformat())
    return True


def dictionary_data() -> tuple[list[tuple[str, int | None]], list[list[str]]]:
    """(words, synonym groups) from the tables, or from search/data/ before the first seeding."""
    if not _state(SEEDED):
        words = [(e, None) if isinstance(e, str) else e for e in load_dictionary()]
        return words, load_synonyms()
    words = db.session.execute(sa.select(DictionaryWord.word, DictionaryWord.frequency).order_by(DictionaryWord.id))
    groups = db.session.scalars(sa.select(SynonymGroup).order_by(SynonymGroup.id))
    return [(w, f) for w, f in words], [g.term_list for g in groups]


def _fingerprint() -> tuple:
    """Changes whenever a word or group is added, edited or deleted, or the tables are seeded. One statement:
    every search asks."""
    parts = [sa.select(SearchState.value).where(SearchState.key == SEEDED).scalar_subquery()]
    for model in (DictionaryWord, SynonymGroup):
        parts += [
            sa.select(aggregate).scalar_subquery()
            for aggregate in (sa.func.count(model.id), sa.func.max(model.id), sa.func.max(model.updated_at))
        ]
    return tuple(db.session.execute(sa.select(*parts)).one())


def current_analyzer(cache: dict) -> Analyzer:
    """The analyzer for the tables' current content; `cache` is per app, analyzers are shared per process."""
    fingerprint = _fingerprint()
    if cache.get("fingerprint") == fingerprint:
        return cache["analyzer"]
    words, groups = dictionary_data()
    key = (tuple(words), tuple(tuple(g) for g in groups))
    with _analyzers_lock:
        analyzer = _analyzers.get(key)
        if analyzer is None:
            analyzer = Analyzer(words, groups, load_stopwords())
            _analyzers[key] = analyzer
            while len(_analyzers) > 4:
                _analyzers.popitem(last=False)
        _analyzers.move_to_end(key)
    cache.update(fingerprint=fingerprint, analyzer=analyzer)
    return analyzer


def words_signature(words) -> str:
    lines = sorted(f"{normalize_text(w)} {f or ''}" for w, f in words)
    return hashlib.sha1("\n".join(lines).encode()).hexdigest()


def _default_signature() -> str:
    return words_signature([(e, None) if isinstance(e, str) else e for e in load_dictionary()])


def mark_index_built() -> None:
    """Record the dictionary the index was just rebuilt with."""
    _set_state(INDEXED_WORDS, words_signature(dictionary_data()[0]))


def reindex_needed() -> bool:
    """True when dictionary words changed after the last rebuild: indexed text is cut the old way."""
    built = _state(INDEXED_WORDS) or _default_signature()
    return built != words_signature(dictionary_data()[0])


# --- synonym groups -----------------------------------------------------------------------------


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(errors={"note": f"备注不能超过{NOTE_MAX}个字"})
    return note or None


def _term_problem(term: str) -> str | None:
    if len(term) > MAX_TERM_CHARS:
        return f"“{term[:10]}…”太长了，每个词最多{MAX_TERM_CHARS}个字"
    if not word_tokens(term):
        return f"“{term}”不含汉字、字母或数字"
    return None


def clean_terms(raw: str | None, group_id: int | None = None) -> list[str]:
    """Admin input "甲, 乙，丙、丁" → distinct terms; ValidationFailed(errors={"terms": …}) if unusable."""
    terms: list[str] = []
    seen: set[str] = set()
    for term in parse_synonym_line(raw or ""):
        key = normalize_text(term)
        if key not in seen:
            seen.add(key)
            terms.append(term)
    problem = None
    if not terms:
        problem = "请填写同义词，用逗号或顿号分隔，如：钕铁硼，稀土永磁，NdFeB"
    elif len(terms) < 2:
        problem = "一组同义词至少要有两个不同的词"
    elif len(terms) > MAX_TERMS:
        problem = f"一组最多{MAX_TERMS}个词，请拆成几组"
    else:
        problem = next((p for p in map(_term_problem, terms) if p), None)
    if problem is None:
        problem = _overlap(seen, group_id)
    if problem:
        raise ValidationFailed(errors={"terms": problem})
    return terms


def _overlap(keys: set[str], group_id: int | None) -> str | None:
    """One word in two groups would make the groups silently merge for that word only."""
    for group in db.session.scalars(sa.select(SynonymGroup).where(SynonymGroup.id != (group_id or 0))):
        for term in group.term_list:
            if normalize_text(term) in keys:
                return f"“{term}”已在另一组同义词中（{group.terms}），请修改那一组"
    return None


def get_synonym_group(group_id: int) -> SynonymGroup:
    group = db.session.get(SynonymGroup, group_id)
    if group is None:
        raise NotFound("这组同义词不存在或已被删除")
    return group


def create_synonym_group(raw_terms: str, note: str | None, actor) -> SynonymGroup:
    """A new group; it applies to the next search (queries are expanded, the index is not touched)."""
    _require_admin(actor)
    group = SynonymGroup(terms=", ".join(clean_terms(raw_terms)), note=_note(note))
    db.session.add(group)
    db.session.flush()
    return group


def update_synonym_group(group_id: int, raw_terms: str, note: str | None, actor) -> SynonymGroup:
    _require_admin(actor)
    group = get_synonym_group(group_id)
    group.terms = ", ".join(clean_terms(raw_terms, group_id))
    group.note = _note(note)
    db.session.flush()
    return group


def delete_synonym_group(group_id: int, actor) -> None:
    _require_admin(actor)
    db.session.delete(get_synonym_group(group_id))
    db.session.flush()


# --- dictionary words ---------------------------------------------------------------------------


def _word_problem(word: str) -> str | None:
    if not word:
        return "请填写词语"
    if len(word) > MAX_TERM_CHARS:
        return f"词语最多{MAX_TERM_CHARS}个字"
    if word_tokens(word) != [normalize_text(word)]:
        return "词语只能由汉字、字母和数字组成，不能有空格或标点"
    return None


def clean_word(raw: str | None, frequency, word_id: int | None = None) -> tuple[str, int | None]:
    word = (raw or "").strip()
    errors = {}
    if problem := _word_problem(word):
        errors["word"] = problem
    else:
        clash = db.session.scalar(
            sa.select(DictionaryWord).where(
                sa.func.lower(DictionaryWord.word) == normalize_text(word), DictionaryWord.id != (word_id or 0)
            )
        )
        if clash is not None:
            errors["word"] = f"“{clash.word}”已在词典中"
    freq = None
    if frequency not in (None, ""):
        try:
            freq = int(str(frequency).strip())
        except ValueError:
            freq = 0
        if not 1 <= freq <= MAX_FREQUENCY:
            errors["frequency"] = f"词频须为 1 到 {MAX_FREQUENCY} 之间的整数，不确定可留空"
    if errors:
        raise ValidationFailed(errors=errors)
    return word, freq


def get_word(word_id: int) -> DictionaryWord:
    word = db.session.get(DictionaryWord, word_id)
    if word is None:
        raise NotFound("这个词不存在或已被删除")
    return word


def create_word(raw: str, frequency, note: str | None, actor) -> DictionaryWord:
    """A new domain word; postings already indexed are cut the old way until a reindex."""
    _require_admin(actor)
    word, freq = clean_word(raw, frequency)
    entry = DictionaryWord(word=word, frequency=freq, note=_note(note))
    db.session.add(entry)
    db.session.flush()
    return entry


def update_word(word_id: int, raw: str, frequency, note: str | None, actor) -> DictionaryWord:
    _require_admin(actor)
    entry = get_word(word_id)
    entry.word, entry.frequency = clean_word(raw, frequency, word_id)
    entry.note = _note(note)
    db.session.flush()
    return entry


def delete_word(word_id: int, actor) -> None:
    _require_admin(actor)
    db.session.delete(get_word(word_id))
    db.session.flush()


# --- what users searched for ----------------------------------------------------------------------


def log_search(text: str, kind: str | None, results: int) -> None:
    db.session.add(SearchQueryLog(text=text[:200], kind=kind, results=results))
    db.session.flush()
    if has_request_context():
        g.page_cache_extra = (text, kind, results)  # logged again each time the page is served from memory


@dataclass(frozen=True)
class ZeroResultQuery:
    text: str
    searches: int
    last_at: datetime


def zero_result_queries(days: int = ZERO_RESULT_DAYS, limit: int = 200) -> list[ZeroResultQuery]:
    """Texts searched in the last `days` days that found nothing, the most frequent first."""
    since = utcnow() - timedelta(days=days)
    last = sa.func.max(SearchQueryLog.searched_at)
    rows = db.session.execute(
        sa.select(SearchQueryLog.text, sa.func.count(), last)
        .where(SearchQueryLog.results == 0, SearchQueryLog.searched_at >= since)
        .group_by(SearchQueryLog.text)
        .order_by(sa.func.count().desc(), last.desc())
        .limit(limit)
    ).all()
    return [ZeroResultQuery(text, n, at) for text, n, at in rows]
