"""`flask policy import`: the whole file is checked first; one bad line and nothing is imported."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.enums import OrgType
from app.core.models import StatusChange
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.policies.models import Policy, PolicyItem
from tests.factories import OrgFactory
from tests.policies.helpers import RD_ITEM, policy, write_jsonl


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_good_file_imports_every_policy_with_its_items_and_rules(db, runner, tmp_path):
    authority = OrgFactory(org_type=OrgType.AUTHORITY, name="包头市工业和信息化局")
    db.session.commit()
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [policy(issuing_org=authority.credit_code), policy(ref="NM-1", scope="自治区", region=None, status=None)],
    )
    result = runner.invoke(args=["policy", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "导入完成：2 条政策，4 个申报事项" in result.output
    first = db.session.scalar(sa.select(Policy).where(Policy.ref == "BT-2026-01"))
    assert (first.scope, first.region, first.status, first.issuing_org_id) == (
        PolicyScope.LEAGUE_CITY,
        "150200",
        PolicyStatus.PUBLISHED,
        authority.id,
    )
    assert (
        first.items[0].benefit_type == BenefitType.SUBSIDY
        and first.items[0].rule_text == "注册地在包头市，且为专精特新中小企业或更高层级，且研发投入占比不低于 3%"
    )
    second = db.session.scalar(sa.select(Policy).where(Policy.ref == "NM-1"))
    assert (second.region, second.status) == ("150000", PolicyStatus.DRAFT)  # no status: a draft without --publish
    assert count(db, StatusChange) == 2


def test_publish_flag_publishes_lines_without_a_status(db, runner, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [policy(status=None)])
    assert runner.invoke(args=["policy", "import", str(path), "--publish"]).exit_code == 0
    assert db.session.scalar(sa.select(Policy.status)) == PolicyStatus.PUBLISHED


def test_one_bad_rule_and_nothing_is_imported(db, runner, tmp_path):
    bad_item = dict(RD_ITEM, rules={"all": [{"field": "rd_ratio", "op": ">=", "value": "3%"}]})
    path = write_jsonl(tmp_path / "p.jsonl", [policy(ref="A"), policy(ref="B", items=[bad_item]), policy(ref="C")])
    result = runner.invoke(args=["policy", "import", str(path)])
    assert result.exit_code == 1
    assert (
        "第 2 行：事项 1（研发费用后补助）：申报条件（rules）条件 1（研发投入占比 rd_ratio >=）：取值应为数字"
        in result.output
    )
    assert "未导入任何数据" in result.output
    assert count(db, Policy) == 0 and count(db, PolicyItem) == 0


BAD_LINES = [
    ("{not json", "第 1 行：不是有效的 JSON"),
    ('["a list"]', "第 1 行：每行应是一个 JSON 对象"),
    (policy(title=""), "缺少标题（title）"),
    (policy(title="标题\n换行"), "标题不能包含换行"),
    (policy(scope="乡镇"), "适用层级（scope）应为"),
    (policy(scope="旗县区", region="包头市"), "与适用层级“旗县区”不一致"),
    (policy(published_on="2026/10/20"), "发布日期应为 YYYY-MM-DD"),
    (policy(effective_on="2027-01-01", expires_on="2026-01-01"), "失效日期不能早于生效日期"),
    (policy(status="上线"), "状态（status）应为"),
    (policy(source_url="javascript:alert(1)"), "原文链接应以 http"),
    (policy(items=[]), "申报事项（items）应为"),
    (policy(items=[dict(RD_ITEM, benefit_type="现金")]), "支持方式（benefit_type）应为"),
    (policy(items=[dict(RD_ITEM, amount_min=80, amount_max=50)]), "最低金额不能高于最高金额"),
    (policy(items=[dict(RD_ITEM, opens_on="2026-12-31", closes_on="2026-12-01")]), "申报截止日期不能早于开始日期"),
    (policy(items=[dict(RD_ITEM, deadline="2026-12-31")]), "未知的键：deadline"),
    (policy(issuing_org="91150000MA0000000X"), "不在平台上"),
]


def test_each_kind_of_bad_line_is_reported_in_chinese_with_its_line_number(db, runner, tmp_path):
    for record, message in BAD_LINES:
        path = write_jsonl(tmp_path / "p.jsonl", [record])
        result = runner.invoke(args=["policy", "import", str(path)])
        assert result.exit_code == 1, record
        assert message in result.output and "第 1 行" in result.output, (message, result.output)
    assert count(db, Policy) == 0


def test_an_issuing_org_must_be_a_competent_authority(db, runner, tmp_path):
    firm = OrgFactory(org_type=OrgType.SME, name="某某科技有限公司")
    db.session.commit()
    result = runner.invoke(
        args=["policy", "import", str(write_jsonl(tmp_path / "p.jsonl", [policy(issuing_org=firm.credit_code)]))]
    )
    assert result.exit_code == 1 and "“某某科技有限公司”不是主管部门" in result.output


def test_a_ref_seen_twice_or_already_imported_is_refused(db, runner, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [policy(), policy()])
    result = runner.invoke(args=["policy", "import", str(path)])
    assert result.exit_code == 1 and "第 2 行：编号 BT-2026-01 与第 1 行重复" in result.output
    assert runner.invoke(args=["policy", "import", str(write_jsonl(path, [policy()]))]).exit_code == 0
    again = runner.invoke(args=["policy", "import", str(path)])
    assert again.exit_code == 1 and "编号 BT-2026-01 的政策已在平台上" in again.output
    assert count(db, Policy) == 1


def test_only_jsonl_and_xlsx_are_read(runner, tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK\x03\x04")
    result = runner.invoke(args=["policy", "import", str(path)])
    assert result.exit_code != 0 and "文件不是有效的 .xlsx 工作簿" in result.output
    csv = tmp_path / "p.csv"
    csv.write_text("title\n", encoding="utf-8")
    result = runner.invoke(args=["policy", "import", str(csv)])
    assert result.exit_code != 0 and "只支持 .jsonl 或 .xlsx 文件" in result.output
