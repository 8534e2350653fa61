"""What users search and how the index is kept in step with the database.

- backend.py: the search service (configured engine + embedded fallback), get_search(); setup.py wires it
- documents.py, embeddings.py: a posting as the document (and vector) the engine indexes
- sync.py: the outbox drain (also right after a request), full reindex, status
- dictionary.py, models.py, forms.py: synonyms, domain words and the zero-result log, edited by admins
- searching.py, views.py, cli.py: the search page (/search), the dictionary admin, `flask search …`

Matches (scoring, reasons, runs) are the matching package's, one layer up: it reads the index through
get_search(); nothing here imports it.
"""
