"""Export (`flask catalog export`): what it writes imports back unchanged, filtered by kind and status."""

from __future__ import annotations

import csv

import pytest

from app.core.enums import OrgType, PostingKind, PostingStatus
from app.postings.importing.exporting import contract_fields
from tests.factories import OrgFactory, PostingFactory
from tests.postings.importing.helpers import DATA, run_import, state


def _site_postings(db):
    """Postings as the web makes them (no ref), next to imported ones."""
    org = OrgFactory(org_type=OrgType.UNIVERSITY)
    PostingFactory(org=org, title="=SUM(A1) 以等号开头的标题", keywords=["稀土", "永磁"])
    PostingFactory(org=org, kind=PostingKind.NEED, budget_wan=12.5, challenge=True, reward_wan=3)
    PostingFactory(org=org, kind=PostingKind.PROCUREMENT, status=PostingStatus.CLOSED, quantity="3台")
    db.session.commit()


@pytest.mark.parametrize("ext", ["jsonl", "csv", "xlsx"])
def test_export_then_import_changes_nothing(runner, db, tmp_path, ext):
    run_import(runner, DATA / "sample_import.jsonl", "--publish")
    _site_postings(db)
    before = state(db)
    path = tmp_path / f"export.{ext}"

    exported = runner.invoke(args=["catalog", "export", str(path)])
    result = run_import(runner, path)

    assert exported.exit_code == 0 and "已导出 8 条" in exported.output
    assert result.exit_code == 0, result.output
    assert "未变 8 条" in result.output
    assert state(db) == before


def test_export_filters_by_kind_and_status(runner, db, tmp_path):
    run_import(runner, DATA / "sample_import.jsonl", "--publish")
    _site_postings(db)
    path = tmp_path / "needs.csv"

    runner.invoke(args=["catalog", "export", str(path), "--kind", "procurement", "--status", "published"])

    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["ref"] for r in rows] == ["NHI-PROC-3"]
    assert list(rows[0]) == contract_fields(PostingKind.PROCUREMENT)
