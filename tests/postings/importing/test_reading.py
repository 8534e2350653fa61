"""Reading import files (`flask catalog import`): every format, list separators, Chinese column headers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.enums import PostingKind, PostingStatus
from app.postings.models import Posting
from tests.postings.importing.helpers import DATA, SAMPLES, run_import, state


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
