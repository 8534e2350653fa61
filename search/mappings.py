"""Index names and explicit mappings: one index per posting kind, always reached through an alias.

`lianqiao-achievement` (alias) → `lianqiao-achievement-20260101120000123456` (index). A full
reindex builds a new index, points `<alias>-building` at it so live updates reach it too, then
swaps the alias in one atomic call and drops the old index.

Text is analysed twice, and neither way needs an engine plugin:
- `*_seg`: jieba-segmented text from Python, split on whitespace by the engine;
- `title.cjk`, `body.cjk`: the raw text through the built-in `standard` tokenizer and
  `cjk_bigram` filter, for partial words and for highlighting on the original text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from search.documents import INDEX_KINDS

DEFAULT_PREFIX = "lianqiao"
WHITESPACE_ANALYZER = "lq_whitespace"
BIGRAM_ANALYZER = "lq_cjk_bigram"
VECTOR_FIELD = "vector"


def alias_name(prefix: str, kind: str) -> str:
    if kind not in INDEX_KINDS:
        raise ValueError(f"unknown posting kind {kind!r}")
    return f"{prefix}-{kind}"


def building_alias(prefix: str, kind: str) -> str:
    return alias_name(prefix, kind) + "-building"


def new_index_name(prefix: str, kind: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S%f")
    return f"{alias_name(prefix, kind)}-{stamp}"


def index_settings(replicas: int = 0, knn: bool = False) -> dict:
    settings: dict = {
        "number_of_shards": 1,
        "number_of_replicas": replicas,
        "analysis": {
            "analyzer": {
                WHITESPACE_ANALYZER: {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
                BIGRAM_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["cjk_width", "lowercase", "cjk_bigram"],
                },
            }
        },
    }
    if knn:
        settings["knn"] = True
    return settings


def _raw_text() -> dict:
    # The raw text is only reached through its bigram subfield (search and highlighting).
    return {"type": "text", "index": False, "fields": {"cjk": {"type": "text", "analyzer": BIGRAM_ANALYZER}}}


def _segmented() -> dict:
    return {"type": "text", "analyzer": WHITESPACE_ANALYZER}


def vector_mapping(dims: int, flavor: str) -> dict:
    """The reserved dense-vector field: `knn_vector` needs OpenSearch's k-NN plugin."""
    if flavor == "elasticsearch":
        return {"type": "dense_vector", "dims": dims, "index": True, "similarity": "cosine"}
    return {
        "type": "knn_vector",
        "dimension": dims,
        "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"},
    }


def index_mappings(vector_dims: int | None = None, flavor: str = "opensearch") -> dict:
    keyword = {"type": "keyword"}
    properties = {
        "id": {"type": "long"},
        "kind": keyword,
        "version": {"type": "long"},
        "status": keyword,
        "title": _raw_text(),
        "body": _raw_text(),
        "keywords": keyword,
        "title_seg": _segmented(),
        "keywords_seg": _segmented(),
        "body_seg": _segmented(),
        "industry": keyword,
        "industry_section": keyword,
        "region": keyword,
        "trl": {"type": "integer"},
        "cooperation": keyword,
        "tier": keyword,
        "deadline": {"type": "date", "format": "strict_date"},
        "published_at": {"type": "date", "format": "strict_date_optional_time"},
        "org_id": {"type": "long"},
        "group_id": {"type": "long"},
        "challenge": {"type": "boolean"},
        "budget_wan": {"type": "double"},
        # policy items only (search.documents.POLICY_KIND)
        "issuer": keyword,
        "benefit": keyword,
        "opens_on": {"type": "date", "format": "strict_date"},
        "closes_on": {"type": "date", "format": "strict_date"},
        "display": {"type": "object", "enabled": False},
    }
    if vector_dims:
        properties[VECTOR_FIELD] = vector_mapping(vector_dims, flavor)
    return {"dynamic": "strict", "properties": properties}


def index_body(vector_dims: int | None = None, flavor: str = "opensearch", replicas: int = 0) -> dict:
    """The create-index request body for one kind's index."""
    knn = bool(vector_dims) and flavor == "opensearch"
    return {"settings": index_settings(replicas, knn), "mappings": index_mappings(vector_dims, flavor)}
