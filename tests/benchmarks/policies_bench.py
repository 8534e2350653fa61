"""Policies: the staff preview's SQL pushdown, 10,000 firms × 500 items (target < 5 s on 2 cores).

Firms and rules come from tests/policies/generate.py (fixed seeds, facts missing at random). The figure is
`count_verdicts` over all items: (符合, 可能符合) for each item in one pass over the firms per 100 items. Beside it,
one item's per-firm verdict list (what a precise push would read) and the Python evaluation of a few items, for
scale. Knobs: BENCH_POLICY_FIRMS (10000), BENCH_POLICY_ITEMS (500), BENCH_DATABASE_URL (PostgreSQL, emptied).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date

from tests.benchmarks.common import check, env_int, fmt, load_average, make_app, say, stopwatch, table

TARGET_SECONDS = 5.0
PYTHON_SAMPLE = 5


def run() -> dict:
    firms, items = env_int("BENCH_POLICY_FIRMS", 10_000), env_int("BENCH_POLICY_ITEMS", 500)
    pg = bool(os.environ.get("BENCH_DATABASE_URL"))
    # PostgreSQL is migrated to head by make_app; a fresh SQLite file gets the models' tables directly.
    url = None if pg else f"sqlite:///{tempfile.mkdtemp(prefix='lianqiao-policies-db-')}/bench.db"
    app, _, _ = make_app("lianqiao-policies-", url=url)
    with app.app_context():
        return _measure(app, firms, items, "PostgreSQL" if pg else "SQLite")


def _measure(app, firms: int, items: int, database: str) -> dict:
    import sqlalchemy as sa

    from app.extensions import db
    from app.policies.pushdown import count_verdicts, verdicts
    from app.policies.rules import validate_rule
    from tests.policies.generate import insert_firms, random_rule
    from tests.policies.test_pushdown import all_facts, python_verdicts

    today = date(2026, 12, 4)
    if database == "SQLite":
        db.create_all()
    say(f"\nPolicies · {firms:,} firms × {items:,} items · {database} · {load_average()}")
    with stopwatch() as load:
        insert_firms(firms, seed=20261205, today=today)
        db.session.commit()
    rng = random.Random(500)
    rules = [validate_rule(random_rule(rng)) for _ in range(items)]
    db.session.execute(sa.text("ANALYZE"))
    cpu = time.process_time()
    with stopwatch() as preview:
        counts = count_verdicts(rules, today)
    cpu = time.process_time() - cpu
    with stopwatch() as one:
        verdicts(rules[0], today)
    with stopwatch() as python:
        firms_facts = all_facts(db, today)
        for rule in rules[:PYTHON_SAMPLE]:
            python_verdicts(firms_facts, rule, today)
    reach = sum(e + m for e, m in counts) / max(1, len(counts))
    rows = [
        ["load the firms (not timed against a target)", fmt(load(), 1), "", ""],
        [f"count_verdicts, all {items:,} items", fmt(preview(), 2), fmt(cpu, 2), check(preview(), TARGET_SECONDS)],
        ["verdicts of one item, per firm", fmt(one(), 3), "", ""],
        [f"Python: load every firm, evaluate {PYTHON_SAMPLE} items", fmt(python(), 2), "", ""],
    ]
    note = f"average reach {reach:,.0f} firms per item (符合 + 可能符合); cpu = this process's CPU seconds"
    say(table("seconds", ["step", "wall s", "cpu s", f"< {TARGET_SECONDS:g} s"], rows, note))
    return {"firms": firms, "items": items, "seconds": preview(), "database": database}
