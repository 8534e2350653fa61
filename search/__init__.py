"""联桥's search engine side, importable without Flask (it never imports `app`).

analysis   jieba segmentation, domain dictionary, synonyms (plain data in, analyzer out)
documents  the posting document the app hands over, and its analysed form
mappings   index names, aliases and explicit mappings
query      SearchRequest → QueryPlan → engine DSL (one builder for every backend)
backends   SearchBackend: embedded (SQLite FTS5), opensearch, elasticsearch
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
