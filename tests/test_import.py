"""Rules of bulk import and export (`flask catalog import|export`)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.enums import OrgType, PostingKind, PostingStatus, VerificationStatus
from app.core.models import StatusChange
from app.matching.models import SearchOutbox
from app.organizations.models import Organization
from app.postings.importing.exporting import contract_fields
from app.postings.models import Posting
from tests.factories import OrgFactory, PostingFactory, make_credit_code

DATA = Path(__file__).parent / "data"
SAMPLES = ["sample_import.jsonl", "sample_import.csv", "sample_import.xlsx"]
IMU_CODE = "11150849Q7CA0N4RTK"  # 内蒙古大学 in sample_import.jsonl


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


@pytest.mark.parametrize("name", SAMPLES)
def test_each_format_imports(runner, db, name):
    result = run_import(runner, DATA / name)

    assert result.exit_code == 0, result.output
    postings = db.session.scalars(sa.select(Posting)).all()
    assert {p.kind for p in postings} == set(PostingKind)
    assert len(postings) == 5
    assert all(p.status == PostingStatus.DRAFT and p.version == 1 for p in postings)
    assert state(db)["outbox"] == 5


def test_list_fields_accept_every_separator(runner, db):
    run_import(runner, DATA / "sample_import.csv")

    by_ref = {p.ref: p for p in db.session.scalars(sa.select(Posting))}
    assert by_ref["NDU-2026-011"].keywords == ["遥感", "草原", "生态监测"]
    assert by_ref["NDU-2026-012"].keywords == ["肉羊", "繁育"]
    assert by_ref["CF-NEED-05"].keywords == ["尾矿", "资源化"]
    assert [m.label for m in by_ref["NDU-2026-011"].cooperation] == ["专利许可", "合作开发"]


def test_spreadsheet_headers_may_be_the_chinese_field_names(runner, db, tmp_path):
    path = tmp_path / "中文表头.csv"
    path.write_text(
        "类别,外部编号,机构名称,机构类型,标题,关键词,所属行业,所在地区,成果简介,技术成熟度(TRL)\n"
        "科技成果,CN-1,内蒙古师范大学,高校,蒙古语语音识别,语音识别、蒙古语,I65,呼和浩特市,蒙古语语音识别引擎。,6\n",
        encoding="utf-8",
    )

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    posting = db.session.scalar(sa.select(Posting))
    assert (posting.kind, posting.ref, posting.trl, posting.keywords) == (
        PostingKind.ACHIEVEMENT,
        "CN-1",
        6,
        ["语音识别", "蒙古语"],
    )


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


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_line_and_field(runner, db):
    result = run_import(runner, DATA / "bad_import.csv")

    assert result.exit_code == 1
    for line, field in [
        (3, "trl"),
        (4, "title"),
        (4, "industry"),
        (5, "credit_code"),
        (6, "ref"),
        (7, "org_type"),
        (8, "region"),
        (8, "deadline"),
    ]:
        assert f"第{line}行 {field}" in result.output
    assert "错误 第2行" not in result.output and "错误 第9行" not in result.output
    assert "未导入任何数据" in result.output
    assert state(db) == {"postings": 0, "versions": 0, "outbox": 0, "changes": 0, "orgs": 0}


def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(runner, db):
    result = run_import(runner, DATA / "bad_import.csv", "--skip-invalid")

    assert result.exit_code == 0, result.output
    assert set(db.session.scalars(sa.select(Posting.ref))) == {"BAD-1", "BAD-8"}
    assert "第3行 trl" in result.output
    assert "跳过有错误的 6 行" in result.output


def test_dry_run_reports_but_writes_nothing(runner, db):
    result = run_import(runner, DATA / "sample_import.jsonl", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "试运行" in result.output and "新建 5 条" in result.output
    assert state(db)["postings"] == 0


def test_wrong_credit_code_is_an_error(runner, db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [achievement(credit_code="91150100701463622X")])

    result = run_import(runner, path)

    assert result.exit_code == 1
    assert "第1行 credit_code" in result.output and "校验位" in result.output


def test_unknown_field_is_warned_once_and_ignored(runner, db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [achievement(remark="备注一"), achievement("A-2", remark="备注二")])

    result = run_import(runner, path)

    assert result.exit_code == 0, result.output
    assert result.output.count("警告") == 1
    assert "警告 第1行 remark" in result.output
    assert state(db)["postings"] == 2


def test_a_field_of_another_kind_is_warned(runner, db, tmp_path):
    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [achievement(budget_wan=10)]))

    assert result.exit_code == 0
    assert "警告 第1行 budget_wan" in result.output


@pytest.mark.parametrize(
    "fields, field, fragment",
    [
        ({"trl": "six"}, "trl", "1到9的整数"),
        ({"trl": [6]}, "trl", "应为整数"),
        ({"keywords": {"main": "钢渣"}}, "keywords", "应为列表"),
        ({"keywords": [["钢渣"]]}, "keywords", "应为列表"),
        ({"title": {"zh": "钢渣"}}, "title", "应为文本"),
        ({"challenge": [True]}, "challenge", "true/false"),
    ],
)
def test_wrong_json_types_are_errors_of_that_line_and_field(runner, db, tmp_path, fields, field, fragment):
    path = write_jsonl(tmp_path / "a.jsonl", [achievement("A-1"), achievement("A-2", **fields)])

    result = run_import(runner, path)

    assert result.exit_code == 1
    assert f"第2行 {field}" in result.output and fragment in result.output
    assert state(db)["postings"] == 0


def test_a_line_that_is_not_json_is_an_error(runner, db, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(achievement(), ensure_ascii=False) + "\n{not json\n", encoding="utf-8")

    result = run_import(runner, path)

    assert result.exit_code == 1
    assert "第2行" in result.output and "不是有效的 JSON" in result.output


@pytest.mark.parametrize(
    "missing, message",
    [("kind", "请填写类别"), ("ref", "请填写外部编号"), ("org", "请填写机构名称"), ("org_type", "请填写机构类型")],
)
def test_file_columns_are_required(runner, db, tmp_path, missing, message):
    record = achievement()
    del record[missing]

    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [record]))

    assert result.exit_code == 1
    assert f"第1行 {missing}" in result.output and message in result.output


def test_duplicate_ref_within_a_file_is_an_error(runner, db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [achievement("A-1"), achievement("A-2"), achievement("A-1")])

    result = run_import(runner, path)

    assert result.exit_code == 1
    assert "第3行 ref" in result.output and "与第1行重复" in result.output


def test_the_same_ref_in_another_kind_is_not_a_duplicate(runner, db, tmp_path):
    need = {**achievement(), "kind": "need", "description": "需求", "org_type": "sme"}
    del need["summary"], need["trl"]

    result = run_import(runner, write_jsonl(tmp_path / "a.jsonl", [achievement("X-1"), {**need, "ref": "X-1"}]))

    assert result.exit_code == 0, result.output
    assert state(db)["postings"] == 2


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
