"""Import tests' shared pieces: the sample files, a count of everything an import may touch, and a valid
record to vary."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from app.core.models import StatusChange
from app.core.outbox import SearchOutbox
from app.organizations.models import Organization
from app.postings.models import Posting

DATA = Path(__file__).parents[2] / "data"
SAMPLES = ["sample_import.jsonl", "sample_import.csv", "sample_import.xlsx"]


def state(db) -> dict:
    """Everything an import may touch, counted."""
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return {
        "postings": count(Posting),
        "versions": db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Posting.version), 0))),
        "outbox": count(SearchOutbox),
        "changes": count(StatusChange),
        "orgs": count(Organization),
    }


def run_import(runner, path, *options):
    return runner.invoke(args=["catalog", "import", str(path), *options])


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def achievement(ref: str = "A-1", **fields) -> dict:
    record = {
        "kind": "achievement",
        "ref": ref,
        "org": "内蒙古科技大学",
        "org_type": "university",
        "title": "钢渣综合利用技术",
        "keywords": ["钢渣", "固废"],
        "industry": "C30",
        "region": "包头市",
        "summary": "钢渣制备胶凝材料。",
        "trl": 6,
    }
    record.update(fields)
    return record
