"""Chinese analysis done in Python, the same for every engine.

Index side: jieba search mode (`cut_for_search`) over NFKC-normalised, lower-cased text, so a
compound like 稀土永磁材料 is indexed as 稀土 永磁 稀土永磁 材料; tokens are joined by spaces and
the engines only split on whitespace. Query side: jieba precise mode gives one token per concept,
and each concept is expanded with its synonyms. Synonyms are applied at query time only, so an
admin's edit to the synonym table works at once; an edit to the dictionary needs a reindex.

An `Analyzer` is built from plain data (dictionary words, synonym groups, stop-words): the app
loads them from the database; `default_analyzer()` uses the files in search/data/. Each analyzer
owns a private `jieba.Tokenizer`, created lazily from one shared copy of jieba's base dictionary,
so words added for one analyzer never leak into another or into the global `jieba.cut`.
"""

from __future__ import annotations

import copy
import logging
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

DATA_DIR = Path(__file__).parent / "data"

# A token is a run of letters/digits (any script); punctuation, symbols and "_" separate tokens.
# SQLite's unicode61 tokenizer and the engines' whitespace analyzer then see the same tokens.
_WORD = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
# Texts whose index-side tokens an analyzer remembers. `flask matching run` asks for the same texts
# again and again (the source's fields once per candidate, a popular target's fields once per source
# that finds it): without the cache jieba took 60 % of the run. Tokens are interned and long texts are
# not kept, so the cache stays near 10 MB (≈2 KB per 300-character body, 40 MB at the very worst).
TOKEN_CACHE = 4096
TOKEN_CACHE_MAX_CHARS = 1000
# Texts whose whole words (precise mode) an analyzer remembers: the matching reasons count the words of
# every eligible posting (three texts each) once per run and once per recompute after a drain, so the
# cache holds a catalogue of about 4,000 postings (≈1 KB per text, 12 MB).
WORD_CACHE = 3 * 4096

_base_lock = threading.Lock()
_base_tokenizer: jieba.Tokenizer | None = None


def normalize_text(text: str | None) -> str:
    """NFKC (full-width → half-width, compatibility forms), lower case, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return " ".join(text.split())


def is_han(char: str) -> bool:
    return bool(_HAN.fullmatch(char))


def word_tokens(text: str) -> list[str]:
    """Letter/digit runs of normalised text: the token shape every backend agrees on."""
    return _WORD.findall(normalize_text(text))


def cjk_bigrams(text: str) -> list[str]:
    """What the engines' `standard` tokenizer + `cjk_bigram` filter make of a text.

    Runs of Han characters become overlapping bigrams (a lone character stays a unigram); other
    letter/digit runs stay whole. The embedded backend indexes this; both sides query it as a
    phrase, which matches any substring of two or more characters: partial words still hit.
    """
    out: list[str] = []
    for word in word_tokens(text):
        pos = 0
        for run in _HAN_RUN.finditer(word):
            if run.start() > pos:
                out.append(word[pos : run.start()])
            han = run.group()
            out.extend([han] if len(han) == 1 else [han[i : i + 2] for i in range(len(han) - 1)])
            pos = run.end()
        if pos < len(word):
            out.append(word[pos:])
    return out


def _base() -> jieba.Tokenizer:
    """jieba's main dictionary, loaded once per process (≈0.4 s) and copied per analyzer."""
    global _base_tokenizer
    with _base_lock:
        if _base_tokenizer is None:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _base_tokenizer = tokenizer
        return _base_tokenizer


def _private_tokenizer(words: Iterable[tuple[str, int | None]]) -> jieba.Tokenizer:
    base = _base()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.user_word_tag_tab = copy.copy(base.user_word_tag_tab)
    tokenizer.initialized = True
    for word, freq in words:
        tokenizer.add_word(word, freq)
    return tokenizer


class Analyzer:
    """Segmentation, stop-words and synonyms from plain data.

    words: dictionary entries, each a word or (word, frequency); synonyms: groups of equivalent
    words (every member of a group is also added to the dictionary, so it is cut out whole);
    stopwords: dropped at index and query time (default: search/data/stopwords.txt).
    """

    def __init__(
        self,
        words: Iterable[str | tuple[str, int | None]] = (),
        synonyms: Iterable[Iterable[str]] = (),
        stopwords: Iterable[str] | None = None,
    ) -> None:
        entries: dict[str, int | None] = {}
        for item in words:
            word, freq = (item, None) if isinstance(item, str) else (item[0], item[1])
            word = normalize_text(word)
            if word and word not in entries:
                entries[word] = int(freq) if freq else None
        groups: dict[str, set[str]] = {}
        for group in synonyms:
            # A member is kept in token form ("CO2-capture" → "co2 capture"), the shape both the
            # engines and FTS5 see; single-token members also join the dictionary.
            members = {" ".join(word_tokens(w)) for w in group} - {""}
            if len(members) < 2:
                continue
            for member in members:
                groups.setdefault(member, set()).update(members)
                if " " not in member:
                    entries.setdefault(member, None)
        self.words: tuple[tuple[str, int | None], ...] = tuple(entries.items())
        self.synonyms: dict[str, tuple[str, ...]] = {
            word: tuple(sorted(members - {word})) for word, members in groups.items()
        }
        self.stopwords = frozenset(
            normalize_text(w) for w in (load_stopwords() if stopwords is None else stopwords)
        ) - {""}
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()
        # Per analyzer: another dictionary segments the same text differently.
        self._cached_tokens = lru_cache(maxsize=TOKEN_CACHE)(self._search_tokens)
        self._cached_whole_words = lru_cache(maxsize=WORD_CACHE)(self._whole_words)

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = _private_tokenizer(self.words)
        return self._tokenizer

    def _keep(self, pieces: Iterable[str]) -> list[str]:
        tokens = []
        for piece in pieces:
            for token in _WORD.findall(piece):
                if token not in self.stopwords:
                    tokens.append(token)
        return tokens

    def _search_tokens(self, text: str) -> tuple[str, ...]:
        text = normalize_text(text)
        return tuple(map(sys.intern, self._keep(self.tokenizer.cut_for_search(text)))) if text else ()

    def tokens(self, text: str | None) -> list[str]:
        """Index-side tokens: search mode, so compounds also yield their dictionary sub-words."""
        text = text or ""
        if len(text) > TOKEN_CACHE_MAX_CHARS:
            return list(self._search_tokens(text))
        return list(self._cached_tokens(text))

    def segment(self, text: str | None) -> str:
        """The segmented string stored in the *_seg fields."""
        return " ".join(self.tokens(text))

    def query_tokens(self, text: str | None) -> list[str]:
        """Query-side tokens: precise mode, one token per concept the user typed."""
        text = normalize_text(text)
        return self._keep(self.tokenizer.cut(text)) if text else []

    def _whole_words(self, text: str) -> tuple[str, ...]:
        return tuple(map(sys.intern, self.query_tokens(text)))

    def whole_words(self, text: str | None) -> tuple[str, ...]:
        """A text's words as precise mode cuts them (query_tokens), never the pieces of a compound that
        search mode adds; remembered per text like `tokens`."""
        text = text or ""
        if len(text) > TOKEN_CACHE_MAX_CHARS:
            return self._whole_words(text)
        return self._cached_whole_words(text)

    def expand(self, token: str) -> tuple[str, ...]:
        """A token and its synonyms, the token first."""
        return (token, *self.synonyms.get(token, ()))

    def expand_query(self, text: str | None) -> list[tuple[str, ...]]:
        """Query-side expansion: one tuple of alternatives per concept, duplicates dropped."""
        seen: set[str] = set()
        concepts = []
        for token in self.query_tokens(text):
            if token not in seen:
                seen.add(token)
                concepts.append(self.expand(token))
        return concepts


def _data_lines(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def load_dictionary() -> list[str | tuple[str, int]]:
    """search/data/dictionary.txt: `word` or `word frequency` per line."""
    entries: list[str | tuple[str, int]] = []
    for line in _data_lines("dictionary.txt"):
        parts = line.split()
        entries.append((parts[0], int(parts[1])) if len(parts) > 1 and parts[1].isdigit() else parts[0])
    return entries


def parse_synonym_line(line: str) -> list[str]:
    """One synonym group written as `甲, 乙，丙、丁` (the same format admins type)."""
    return [w for w in _LIST_SPLIT.split(line.strip()) if w]


def load_synonyms() -> list[list[str]]:
    return [parse_synonym_line(line) for line in _data_lines("synonyms.txt")]


def load_stopwords() -> list[str]:
    return _data_lines("stopwords.txt")


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The analyzer built from search/data/ (cached; its tokenizer still loads lazily)."""
    return Analyzer(load_dictionary(), load_synonyms(), load_stopwords())
