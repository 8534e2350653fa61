"""Reading the embedded index: a QueryPlan run as SQL over one kind's FTS5 and docs tables (fts.py
compiles the plan), counted, ranked by bm25() with the engines' field weights, faceted, highlighted; and
the matching's candidate queries.

Searching materialises the matching rows once into a temporary table, inside one read transaction (a
consistent snapshot even while a reindex swaps generations); count, page and facets are SQL over it.
Nothing loops over rows in Python except the page of hits being returned.

EmbeddedSearch is mixed into EmbeddedBackend (embedded.py), which owns the connections
(`_conn`, `_transaction`, the per-thread `_local`) and the tables (`_stems`).
"""

from __future__ import annotations

import json
import sqlite3

from search.backends.base import Hit, SearchResult
from search.backends.fts import (
    CHAR_SET,
    FTS_COLUMNS,
    MARK_CLOSE,
    MARK_OPEN,
    WEIGHTS,
    Weightless,
    char_phrase,
    filter_sql,
    fts_expression,
    marked,
)
from search.policy_filters import WINDOW_FACET, WINDOWS, window_sql
from search.query import FACET_SIZE, QueryPlan

_SNIPPET_TOKENS = 64
_ORDER = {
    "relevance": "score DESC, published_at IS NULL, published_at DESC, id DESC",
    "date": "published_at IS NULL, published_at DESC, id DESC",
}


class EmbeddedSearch:
    """The reading half of EmbeddedBackend."""

    def _weightless(self, conn: sqlite3.Connection, stem: str) -> Weightless:
        """Whether a single-token phrase is in at least half the rows of a kind's FTS table, where
        FTS5's bm25 gives it an idf of 1e-6 (log((N − n + 0.5) / (n + 0.5)) ≤ 0). Row counts are
        kept per connection until the index changes (PRAGMA data_version, or a write of its own): a
        full matching run asks about the same few thousand terms thousands of times."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        cache = getattr(self._local, "counts", None)
        if cache is None or cache[0] != version:
            cache = self._local.counts = (version, {})
        counts = cache[1].setdefault(stem, {})
        if None not in counts:
            counts[None] = conn.execute(f"SELECT count(*) FROM {stem}_docs WHERE deleted = 0").fetchone()[0]
        rows = counts[None]

        def weightless(phrase: str) -> bool:
            if phrase not in counts:
                counts[phrase] = conn.execute(
                    f"SELECT count(*) FROM {stem}_fts WHERE {stem}_fts MATCH ?", (phrase,)
                ).fetchone()[0]
            return 2 * counts[phrase] >= rows

        return weightless

    def _select(self, stem: str, kind: str, plan: QueryPlan, match: str | None) -> tuple[str, list]:
        where, params = filter_sql(stem, plan.filters)
        columns = f"'{kind}' AS kind, d.id, d.published_at, d.industry, d.industry_section, d.region, d.trl, d.tier, d.cooperation"
        if plan.filters.policies:
            columns += ", d.issuer, d.benefit, d.opens_on, d.closes_on"
        if match is None:
            return f"SELECT {columns}, 0.0 AS score FROM {stem}_docs d WHERE {where}", params
        # CROSS JOIN keeps the FTS table as the outer loop: with a plain JOIN SQLite may walk the
        # docs table by its status index and re-run the full-text MATCH once per row (≈0.5 s at 10k).
        return (
            f"SELECT {columns}, -bm25({stem}_fts, {WEIGHTS}) AS score FROM {stem}_fts "
            f"CROSS JOIN {stem}_docs d ON d.id = {stem}_fts.rowid WHERE {stem}_fts MATCH ? AND {where}",
            [match, *params],
        )

    def execute(self, plan: QueryPlan) -> SearchResult:
        with self._transaction(write=False) as conn:
            stems = {k: s for k, s in self._stems(conn).items() if k in plan.filters.kinds}
            if not stems:
                return SearchResult.for_plan(plan, 0, [], self._no_facets(plan))
            if plan.ids_only:
                return self._candidates(conn, stems, plan)
            match = fts_expression(plan)
            selects, params = [], []
            for kind, stem in stems.items():
                sql, sql_params = self._select(stem, kind, plan, match)
                selects.append(sql)
                params += sql_params
            if not plan.facets and len(selects) == 1:
                return self._ranked(conn, stems, selects[0], params, plan)
            conn.execute("DROP TABLE IF EXISTS temp.hits")
            conn.execute(f"CREATE TEMP TABLE hits AS {' UNION ALL '.join(selects)}", params)
            try:
                total = conn.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
                rows = conn.execute(
                    f"SELECT kind, id, score FROM temp.hits ORDER BY {_ORDER[plan.sort]} LIMIT ? OFFSET ?",
                    (plan.per_page, plan.offset),
                ).fetchall()
                facets = self._facets(conn, plan) if plan.facets else {}
                hits = self._hits(conn, stems, rows, plan)
            finally:
                conn.execute("DROP TABLE temp.hits")
        return SearchResult.for_plan(plan, total, hits, facets)

    def _ranked(self, conn: sqlite3.Connection, stems: dict[str, str], sql: str, params: list, plan: QueryPlan):
        """One kind, no facets (the matching's candidate queries): one statement counts and ranks the
        hits, without the temp table, whose creation and removal also make SQLite prepare the
        connection's cached statements again. Same hits, same order, same total."""
        rows = conn.execute(
            f"SELECT kind, id, score, count(*) OVER () AS total FROM ({sql}) ORDER BY {_ORDER[plan.sort]} LIMIT ? OFFSET ?",
            [*params, plan.per_page, plan.offset],
        ).fetchall()
        if rows:
            total = rows[0]["total"]
        elif plan.offset:  # past the last hit: count them apart
            total = conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
        else:
            total = 0
        return SearchResult.for_plan(plan, total, self._hits(conn, stems, rows, plan), {})

    def _candidates(self, conn: sqlite3.Connection, stems: dict[str, str], plan: QueryPlan) -> SearchResult:
        """The matching's candidates (QueryPlan.candidates): the best ids and scores, no total, no
        stored document.

        Asked first without the weightless parts (single words in half the rows or more of a kind, whose
        bm25 idf FTS5 floors at 1e-6), which spares scoring the thousands of rows only such words match;
        a kind left with nothing but such words sits that attempt out. When the attempt fills the page,
        every row on it matches a word that carries weight, so it outranks any row matching only
        weightless ones: the page holds the same postings as the whole query's, in the same order except
        between postings whose scores differ by less than about 1e-5 (what the left-out words add), and
        with scores that much lower. Otherwise the whole query answers."""
        whole = fts_expression(plan)
        attempts: list[dict[str, str]] = []
        if plan.relaxed and whole:
            pruned = {kind: fts_expression(plan, self._weightless(conn, stem)) for kind, stem in stems.items()}
            pruned = {kind: match for kind, match in pruned.items() if match}
            if pruned and (len(pruned) < len(stems) or any(match != whole for match in pruned.values())):
                attempts.append(pruned)
        attempts.append(dict.fromkeys(stems, whole))
        rows: list = []
        for matches in attempts:
            selects, params = [], []
            for kind, match in matches.items():
                sql, sql_params = self._select(stems[kind], kind, plan, match)
                selects.append(sql)
                params += sql_params
            rows = conn.execute(
                f"SELECT kind, id, score FROM ({' UNION ALL '.join(selects)}) ORDER BY {_ORDER[plan.sort]} LIMIT ?",
                [*params, plan.per_page],
            ).fetchall()
            if len(rows) == plan.per_page:
                break
        hits = [Hit(id=r["id"], kind=r["kind"], score=float(r["score"]), highlights={}, source={}) for r in rows]
        return SearchResult.for_plan(plan, len(hits), hits, {})

    @staticmethod
    def _no_facets(plan: QueryPlan) -> dict[str, list[tuple]]:
        if not plan.facets:
            return {}
        empty = {name: [] for name in plan.filters.facet_names}
        if plan.filters.policies:
            empty[WINDOW_FACET] = [(name, 0) for name in WINDOWS]
        return empty

    @staticmethod
    def _facets(conn: sqlite3.Connection, plan: QueryPlan) -> dict[str, list[tuple]]:
        facets = {}
        if plan.filters.policies:
            counts = [window_sql(name, plan.filters.today, "h") for name in WINDOWS]
            sql = ", ".join(f"coalesce(sum({clause}), 0)" for clause, _ in counts)
            row = conn.execute(f"SELECT {sql} FROM temp.hits h", [p for _, params in counts for p in params]).fetchone()
            facets[WINDOW_FACET] = list(zip(WINDOWS, (int(n) for n in row), strict=True))
        for name in plan.filters.facet_names:
            if name == "cooperation":
                sql = (
                    "SELECT j.value AS value, count(*) AS n FROM temp.hits h, json_each(h.cooperation) j "
                    "GROUP BY j.value ORDER BY n DESC, value LIMIT ?"
                )
            else:
                sql = (
                    f"SELECT {name} AS value, count(*) AS n FROM temp.hits WHERE {name} IS NOT NULL "
                    f"GROUP BY {name} ORDER BY n DESC, value LIMIT ?"
                )
            facets[name] = [(row["value"], row["n"]) for row in conn.execute(sql, (FACET_SIZE,))]
        return facets

    def _hits(self, conn: sqlite3.Connection, stems: dict[str, str], rows: list, plan: QueryPlan) -> list[Hit]:
        by_kind: dict[str, list[int]] = {}
        for row in rows:
            by_kind.setdefault(row["kind"], []).append(row["id"])
        sources: dict[tuple[str, int], dict] = {}
        marks: dict[tuple[str, int], dict[str, list[str]]] = {}
        terms = plan.highlight_terms() if plan.highlight else []
        for kind, ids in by_kind.items():
            stem, slots = stems[kind], ", ".join("?" * len(ids))
            for row in conn.execute(f"SELECT id, source FROM {stem}_docs WHERE id IN ({slots})", ids):
                sources[(kind, row["id"])] = json.loads(row["source"])
            if terms:
                marks.update({(kind, i): m for i, m in self._highlights(conn, stem, ids, terms).items()})
        return [
            Hit(
                id=row["id"],
                kind=row["kind"],
                score=float(row["score"]),
                highlights=marks.get((row["kind"], row["id"]), {}),
                source=sources[(row["kind"], row["id"])],
            )
            for row in rows
        ]

    @staticmethod
    def _highlights(conn: sqlite3.Connection, stem: str, ids: list[int], terms: list[str]) -> dict[int, dict]:
        expression = f"{CHAR_SET} : ({' OR '.join(char_phrase(t) for t in terms)})"
        title, body = FTS_COLUMNS.index("title_ch"), FTS_COLUMNS.index("body_ch")
        sql = (
            f"SELECT rowid, highlight({stem}_fts, {title}, ?, ?) AS title, "
            f"snippet({stem}_fts, {body}, ?, ?, '…', {_SNIPPET_TOKENS}) AS body "
            f"FROM {stem}_fts WHERE {stem}_fts MATCH ? AND rowid IN ({', '.join('?' * len(ids))})"
        )
        found: dict[int, dict] = {}
        tags = (MARK_OPEN, MARK_CLOSE, MARK_OPEN, MARK_CLOSE)
        for row in conn.execute(sql, (*tags, expression, *ids)):
            fields = {name: [marked(row[name])] for name in ("title", "body") if MARK_OPEN in (row[name] or "")}
            if fields:
                found[row["rowid"]] = fields
        return found
