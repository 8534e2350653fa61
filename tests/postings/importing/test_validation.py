"""Import validation: every bad line and field is reported, nothing is imported unless --skip-invalid."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.postings.models import Posting
from tests.postings.importing.helpers import DATA, achievement, run_import, state, write_jsonl


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


def test_a_json_null_is_a_field_left_out_not_a_type_error(runner, db, tmp_path):
    """Exports from other systems write null for what they do not know, as a spreadsheet leaves a cell empty."""
    path = write_jsonl(tmp_path / "nulls.jsonl", [achievement(year=None, patents=None, contact=None)])
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Posting).where(Posting.ref == "A-1")) is not None


def test_a_json_null_in_a_required_field_is_reported_as_missing(runner, db, tmp_path):
    result = run_import(runner, write_jsonl(tmp_path / "null-title.jsonl", [achievement(title=None)]))
    assert result.exit_code == 1 and "title" in result.output and "NoneType" not in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posting)) == 0
