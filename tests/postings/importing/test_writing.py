"""Writing an import: re-imports change nothing, changed rows bump the version, --dry-run, --publish and
--verified, organisations matched by credit code then name, and ten thousand rows in well under a minute."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.enums import OrgType, PostingKind, PostingStatus, VerificationStatus
from app.core.models import StatusChange
from app.organizations.models import Organization
from app.postings.importing.exporting import contract_fields
from app.postings.models import Posting
from tests.factories import OrgFactory, make_credit_code
from tests.postings.importing.helpers import DATA, SAMPLES, achievement, run_import, state, write_jsonl

IMU_CODE = "11150849Q7CA0N4RTK"  # 内蒙古大学 in sample_import.jsonl


@pytest.mark.parametrize("name", SAMPLES)
def test_reimporting_the_same_file_changes_nothing(runner, db, name):
    run_import(runner, DATA / name, "--publish")
    before = state(db)

    result = run_import(runner, DATA / name, "--publish")

    assert result.exit_code == 0, result.output
    assert "未变 5 条" in result.output
    assert state(db) == before


def test_a_changed_row_is_updated_with_a_version_bump_and_an_outbox_row(runner, db, tmp_path):
    run_import(runner, write_jsonl(tmp_path / "a.jsonl", [achievement(), achievement("A-2")]))
    before = state(db)

    run_import(
        runner, write_jsonl(tmp_path / "a.jsonl", [achievement(title="钢渣制备胶凝材料技术"), achievement("A-2")])
    )

    posting = db.session.scalar(sa.select(Posting).where(Posting.ref == "A-1"))
    assert posting.title == "钢渣制备胶凝材料技术"
    assert posting.version == 2
    assert state(db)["outbox"] == before["outbox"] + 1
    assert state(db)["postings"] == before["postings"]


def test_dry_run_reports_but_writes_nothing(runner, db):
    result = run_import(runner, DATA / "sample_import.jsonl", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "试运行" in result.output and "新建 5 条" in result.output
    assert state(db)["postings"] == 0


def test_without_publish_new_postings_are_drafts_and_new_orgs_pending(runner, db):
    run_import(runner, DATA / "sample_import.jsonl")

    assert set(db.session.scalars(sa.select(Posting.status))) == {PostingStatus.DRAFT}
    assert set(db.session.scalars(sa.select(Organization.verification))) == {VerificationStatus.PENDING}


def test_publish_publishes_with_an_audit_row_for_the_batch(runner, db):
    run_import(runner, DATA / "sample_import.jsonl", "--publish")

    postings = db.session.scalars(sa.select(Posting)).all()
    assert all(p.status == PostingStatus.PUBLISHED and p.published_at for p in postings)
    changes = db.session.scalars(sa.select(StatusChange).where(StatusChange.entity_type == "posting")).all()
    assert len(changes) == 5
    assert all(c.to_status == "published" and c.actor_id is None and c.reason == "批量导入" for c in changes)


def test_publish_publishes_an_existing_draft_once(runner, db):
    run_import(runner, DATA / "sample_import.jsonl")

    result = run_import(runner, DATA / "sample_import.jsonl", "--publish")
    again = run_import(runner, DATA / "sample_import.jsonl", "--publish")

    assert "更新 5 条" in result.output and "未变 5 条" in again.output
    posting = db.session.scalar(sa.select(Posting).where(Posting.ref == "IMU-2026-001"))
    assert posting.status == PostingStatus.PUBLISHED and posting.version == 2
    froms = db.session.scalars(
        sa.select(StatusChange.from_status).where(
            StatusChange.entity_id == posting.id, StatusChange.entity_type == "posting"
        )
    ).all()
    assert froms == [None, "draft"]


def test_verified_marks_new_organisations_verified(runner, db):
    run_import(runner, DATA / "sample_import.jsonl", "--verified")

    orgs = db.session.scalars(sa.select(Organization)).all()
    assert len(orgs) == 5
    assert all(o.verification == VerificationStatus.VERIFIED and o.verified_at for o in orgs)


def test_org_is_matched_by_credit_code_before_name(runner, db):
    existing = OrgFactory(name="内蒙古大学（旧称）", credit_code=IMU_CODE, org_type=OrgType.UNIVERSITY)
    db.session.commit()

    run_import(runner, DATA / "sample_import.jsonl")

    posting = db.session.scalar(sa.select(Posting).where(Posting.ref == "IMU-2026-001"))
    assert posting.org_id == existing.id
    assert db.session.scalar(sa.select(Organization).where(Organization.name == "内蒙古大学")) is None


def test_org_without_credit_code_is_matched_by_exact_name(runner, db):
    existing = OrgFactory(name="呼和浩特市云数据服务有限公司", credit_code=None)
    db.session.commit()

    run_import(runner, DATA / "sample_import.jsonl")

    posting = db.session.scalar(sa.select(Posting).where(Posting.ref == "CLOUD-CAP-1"))
    assert posting.org_id == existing.id
    assert state(db)["orgs"] == 5


def test_a_name_registered_under_another_credit_code_is_an_error(runner, db, tmp_path):
    OrgFactory(name="内蒙古科技大学", credit_code=make_credit_code(1))
    db.session.commit()

    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [achievement(credit_code=make_credit_code(2))]))

    assert result.exit_code == 1
    assert "第1行 org" in result.output and "不一致" in result.output


def test_rows_naming_one_new_org_create_it_once(runner, db, tmp_path):
    code = make_credit_code(3)
    records = [
        achievement("A-1"),
        achievement("A-2", credit_code=code),
        achievement("A-3", org="别名", credit_code=code),
    ]

    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", records))

    assert "新建机构 1 个" in result.output
    org = db.session.scalar(sa.select(Organization))
    assert (org.name, org.credit_code) == ("内蒙古科技大学", code)


def write_big_csv(path: Path, rows: int, orgs: int = 300) -> Path:
    """A realistic large file: four kinds, a few hundred organisations, some without credit codes."""
    headers = contract_fields()
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=headers)
        writer.writeheader()
        for n in range(rows):
            kind = list(PostingKind)[n % 4]
            org = n % orgs
            row = {
                "kind": kind.value,
                "ref": f"BIG-{n:05d}",
                "org": f"批量测试机构{org}",
                "org_type": "高校" if kind == PostingKind.ACHIEVEMENT else "中小企业",
                "credit_code": make_credit_code(10_000 + org) if org % 3 else "",
                "title": f"第{n}项 稀土功能材料与装备",
                "keywords": "稀土;功能材料;装备",
                "industry": "C39",
                "region": "包头市",
            }
            body = "summary" if kind == PostingKind.ACHIEVEMENT else "description"
            row[body] = "面向风电、新能源汽车的高性能材料及其装备的研发与应用。" * 3
            if kind == PostingKind.ACHIEVEMENT:
                row.update(trl=n % 9 + 1, year=2024, cooperation="技术转让;合作开发")
            elif kind == PostingKind.NEED:
                row.update(budget_wan=100 + n % 50, deadline="2035-12-31")
            elif kind == PostingKind.PROCUREMENT:
                row.update(quantity="10台")
            writer.writerow(row)
    return path


@pytest.mark.slow
def test_ten_thousand_rows_import_in_well_under_a_minute(runner, db, tmp_path):
    path = write_big_csv(tmp_path / "big.csv", 10_000)

    started = time.perf_counter()
    result = run_import(runner, path, "--publish")
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = run_import(runner, path, "--publish")
    second = time.perf_counter() - started

    print(f"\n10,000 rows: first import {first:.1f}s, unchanged re-import {second:.1f}s")
    assert result.exit_code == 0, result.output[-2000:]
    assert "新建 10000 条" in result.output and "未变 10000 条" in again.output
    assert first < 30 and second < 30
