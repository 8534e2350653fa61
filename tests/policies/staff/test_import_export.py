"""Policies with items and rules out to .xlsx / .jsonl and back in: the whole workbook is checked first, one bad row
imports nothing, and an authority's upload is issued by the authority itself."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.core.policy_enums import PolicyScope, PolicyStatus
from app.policies.models import Policy, PolicyItem
from app.policies.spreadsheet import check_workbook
from tests.policies.staff.conftest import make_policy

NESTED = {
    "all": [
        {"field": "region", "op": "within", "value": ["150200"]},
        {
            "any": [
                {"field": "tier", "op": "at_least", "value": "specialized"},
                {"field": "rd_ratio", "op": ">=", "value": 3.5},
            ]
        },
    ]
}


def rules_by_title(db) -> dict[str, list]:
    policies = db.session.scalars(sa.select(Policy).order_by(Policy.title)).all()
    return {p.title: [(i.title, i.benefit_type, i.amount_max_wan, i.rules) for i in p.items] for p in policies}


def exported(client, fmt: str = "xlsx") -> bytes:
    response = client.get(f"/policies/manage/export?format={fmt}")
    assert response.status_code == 200
    return response.data


def upload(client, data: bytes, name: str = "policies.xlsx"):
    return client.post(
        "/policies/manage/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_an_xlsx_export_imports_back_to_the_same_policies_and_rules(db, login, admin, baotou_staff):
    make_policy(db, baotou_staff, title="甲政策", rules=NESTED, items=2, ref="BT-1")
    make_policy(db, baotou_staff, title="乙政策", rules=None, status=PolicyStatus.PUBLISHED)
    client = login(admin)
    before = rules_by_title(db)
    workbook = exported(client)
    db.session.execute(sa.delete(PolicyItem))
    db.session.execute(sa.delete(Policy))
    db.session.commit()
    page = upload(client, workbook).get_data(as_text=True)
    assert "导入完成：2 条政策，3 个申报事项" in page
    db.session.expire_all()
    assert rules_by_title(db) == before
    assert db.session.scalar(sa.select(Policy.ref).where(Policy.title == "乙政策")) is None  # "#id" is a file key
    assert db.session.scalar(sa.select(Policy.status).where(Policy.title == "乙政策")) == PolicyStatus.PUBLISHED


def test_the_jsonl_export_is_the_import_format(db, login, admin, baotou_staff):
    make_policy(db, baotou_staff, title="甲政策", rules=NESTED, ref="BT-1")
    lines = exported(login(admin), "jsonl").decode().splitlines()
    record = json.loads(lines[0])
    assert record["ref"] == "BT-1" and record["items"][0]["rules"] == NESTED


def test_one_bad_row_in_an_xlsx_imports_nothing_and_names_the_row(db, login, admin, baotou_staff):
    make_policy(db, baotou_staff, title="甲政策", ref="BT-1")
    make_policy(db, baotou_staff, title="乙政策", ref="BT-2")
    client = login(admin)
    book = load_workbook(io.BytesIO(exported(client)))
    items = book["申报事项"]
    header = [cell.value for cell in items[1]]
    items.cell(
        row=3, column=header.index("申报条件（JSON）") + 1, value='{"field": "rd_ratio", "op": ">=", "value": "很多"}'
    )
    book["政策"]["A2"], book["政策"]["A3"] = "NEW-1", "NEW-2"
    items["A2"], items["A3"] = "NEW-2", "NEW-1"
    out = io.BytesIO()
    book.save(out)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Policy))
    page = upload(client, out.getvalue()).get_data(as_text=True)
    assert "未导入任何数据" in page
    assert "“申报事项”表第 3 行：申报条件（rules）条件 1（研发投入占比 rd_ratio &gt;=）：取值应为数字" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Policy)) == count


def test_a_workbook_without_the_two_sheets_is_refused_in_chinese(db):
    out = io.BytesIO()
    Workbook().save(out)
    parsed, errors = check_workbook(out.getvalue())
    assert parsed == [] and "“政策”与“申报事项”两个工作表" in errors[0]
    assert check_workbook(b"not a zip")[1] == ["文件不是有效的 .xlsx 工作簿"]


def test_an_authority_upload_is_issued_by_the_authority_and_stays_in_its_place(
    db, login, admin, baotou_staff, hohhot_staff
):
    make_policy(db, hohhot_staff, title="呼市政策", region="150100", ref="HH-1")
    make_policy(db, baotou_staff, title="包头政策", ref="BT-1")
    workbook = exported(login(admin))
    db.session.execute(sa.delete(PolicyItem))
    db.session.execute(sa.delete(Policy))
    db.session.commit()
    page = upload(login(baotou_staff), workbook).get_data(as_text=True)
    assert "不能选择“呼和浩特市”" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Policy)) == 0


def test_an_authority_upload_within_its_place_is_its_own(db, login, admin, baotou_staff, hohhot_staff):
    make_policy(db, hohhot_staff, title="包头政策", ref="BT-1")  # issued by another authority in the file
    workbook = exported(login(admin))
    db.session.execute(sa.delete(PolicyItem))
    db.session.execute(sa.delete(Policy))
    db.session.commit()
    upload(login(baotou_staff), workbook)
    policy = db.session.scalar(sa.select(Policy))
    assert policy.issuing_org_id == baotou_staff.org_id and policy.scope == PolicyScope.LEAGUE_CITY


def test_flask_policy_import_reads_xlsx(db, login, admin, baotou_staff, runner, tmp_path):
    make_policy(db, baotou_staff, title="甲政策", rules=NESTED, ref="BT-1")
    path = tmp_path / "policies.xlsx"
    path.write_bytes(exported(login(admin)))
    db.session.execute(sa.delete(PolicyItem))
    db.session.execute(sa.delete(Policy))
    db.session.commit()
    result = runner.invoke(args=["policy", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "导入完成：1 条政策，1 个申报事项" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(PolicyItem.rules)) == NESTED
