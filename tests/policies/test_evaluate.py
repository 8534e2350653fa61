"""`flask policy evaluate ORG --json`: one JSON object per open item, and only the open ones (Beijing days)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
import time_machine

from app.core.enums import OrgType, Tier
from app.core.policy_enums import ProfileSource
from app.organizations.models import TierRecord
from app.organizations.profile import set_certificates, update_profile
from app.policies.evaluation import is_open
from app.policies.models import PolicyItem
from app.policies.services import open_items
from tests.factories import OrgFactory
from tests.policies.helpers import RD_ITEM, policy, write_jsonl


def imported(runner, tmp_path, records):
    result = runner.invoke(args=["policy", "import", str(write_jsonl(tmp_path / "p.jsonl", records))])
    assert result.exit_code == 0, result.output


def lines(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_json_output_is_one_object_per_open_item(db, runner, tmp_path):
    firm = OrgFactory(org_type=OrgType.SME, region="150200", industry="C39")
    firm.tiers.append(TierRecord(tier=Tier.SPECIALIZED, year=2025, expires_on=date(2028, 12, 31)))
    update_profile(firm, {"employees": 80}, ProfileSource.SELF)
    db.session.commit()
    closed = dict(RD_ITEM, title="已截止的事项", closes_on="2026-12-03")
    imported(
        runner, tmp_path, [policy(items=[RD_ITEM, closed, policy()["items"][1]]), policy(ref="draft", status="draft")]
    )

    by_code = lines(runner.invoke(args=["policy", "evaluate", firm.credit_code, "--json"]))
    assert lines(runner.invoke(args=["policy", "evaluate", str(firm.id), "--json"])) == by_code
    assert [set(line) for line in by_code] == [{"policy", "item", "verdict", "reasons", "missing"}] * 2
    rd, giant = by_code  # the draft policy and the closed item are not listed
    assert rd["policy"] == "包头市支持专精特新企业高质量发展若干措施" and rd["item"] == "研发费用后补助"
    assert rd["verdict"] == "可能符合"
    assert rd["reasons"] == [
        "注册地在包头市 ✓",
        "为专精特新中小企业或更高层级 ✓",
        "研发投入占比未填写，无法判断是否不低于 3% ？",
    ]
    assert rd["missing"] == ["rd_ratio"]
    assert giant["verdict"] == "不符合" and giant["missing"] == []

    update_profile(firm, {"rd_ratio": Decimal("3")}, ProfileSource.SELF)
    db.session.commit()
    rd = lines(runner.invoke(args=["policy", "evaluate", firm.credit_code, "--json"]))[0]
    assert rd["verdict"] == "符合" and rd["reasons"][-1] == "研发投入占比 3%，不低于 3% ✓"


def test_plain_output_names_missing_facts_in_chinese(db, runner, tmp_path):
    firm = OrgFactory(org_type=OrgType.SME, region="150200")
    db.session.commit()
    imported(
        runner,
        tmp_path,
        [policy(items=[dict(RD_ITEM, rules={"field": "certificates", "op": "has", "value": "高新技术企业"})])],
    )
    result = runner.invoke(args=["policy", "evaluate", firm.credit_code])
    assert "【可能符合】包头市支持专精特新企业高质量发展若干措施 · 研发费用后补助" in result.output
    assert "待补充：资质证书" in result.output
    set_certificates(firm, [], ProfileSource.SELF)
    db.session.commit()
    result = runner.invoke(args=["policy", "evaluate", firm.credit_code])
    assert "【不符合】" in result.output and "未持有“高新技术企业”证书" in result.output


def test_an_unknown_organisation_gets_a_chinese_message(db, runner):
    result = runner.invoke(args=["policy", "evaluate", "91150000XXXXXXXXXX", "--json"])
    assert result.exit_code != 0 and "没有找到机构" in result.output


def test_window_follows_beijing_days(db, runner, tmp_path):
    firm = OrgFactory(org_type=OrgType.SME)
    db.session.commit()
    items = [
        dict(RD_ITEM, title="昨天截止", opens_on=None, closes_on="2026-12-04", rules=None),
        dict(RD_ITEM, title="今天截止", opens_on=None, closes_on="2026-12-05", rules=None),
        dict(RD_ITEM, title="今天开始", opens_on="2026-12-05", closes_on=None, rules=None),
        dict(RD_ITEM, title="明天开始", opens_on="2026-12-06", closes_on=None, rules=None),
    ]
    imported(
        runner,
        tmp_path,
        [policy(items=items), policy(ref="old", expires_on="2026-12-04", items=[dict(items[1], title="政策已失效")])],
    )
    # 16:30 UTC on 4 December is 00:30 on 5 December in Beijing: "yesterday" is the 4th
    with time_machine.travel(datetime(2026, 12, 4, 16, 30, tzinfo=UTC), tick=False):
        listed = [line["item"] for line in lines(runner.invoke(args=["policy", "evaluate", str(firm.id), "--json"]))]
        assert listed == ["今天截止", "今天开始"]
        today = date(2026, 12, 5)
        assert sorted(i.title for i in open_items()) == sorted(i.title for i in open_items(today))
        every = db.session.scalars(sa.select(PolicyItem)).all()
        assert sorted(i.title for i in every if is_open(i, today)) == sorted(listed)
    with time_machine.travel(datetime(2026, 12, 4, 15, 59, tzinfo=UTC), tick=False):  # 23:59 on the 4th
        listed = [line["item"] for line in lines(runner.invoke(args=["policy", "evaluate", str(firm.id), "--json"]))]
        assert listed == ["昨天截止", "今天截止", "政策已失效"]
