"""A rule that cannot be read is refused on save with a Chinese message naming the condition; nothing is saved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.policy_enums import BenefitType, PolicyScope
from app.policies.models import Policy, PolicyItem
from app.policies.rules import MAX_CONDITIONS, RuleError, validate_rule

RD = {"field": "rd_ratio", "op": ">=", "value": 3}

# (rule, words the message must contain)
BAD = [
    ({"field": "turnover", "op": ">=", "value": 3}, ["条件 1", "未知的字段“turnover”", "rd_ratio（研发投入占比）"]),
    (
        {"all": [RD, {"field": "rd_ratio", "op": "in", "value": [3]}]},
        ["条件 2", "研发投入占比", "不支持运算符“in”", ">=、<=、between"],
    ),
    (
        {"all": [RD, {"any": [{"field": "employees", "op": ">=", "value": "五十"}]}]},
        ["条件 2.1", "从业人数", "取值应为数字", "五十"],
    ),
    ({"field": "employees", "op": ">=", "value": 10.5}, ["取值应为整数"]),
    ({"field": "employees", "op": ">=", "value": True}, ["取值应为数字"]),
    ({"field": "rd_ratio", "op": ">=", "value": 120}, ["取值应在 0 至 100"]),
    ({"field": "rd_ratio", "op": "between", "value": [5, 3]}, ["下限不能大于上限"]),
    ({"field": "rd_ratio", "op": "between", "value": 3}, ["[下限, 上限]"]),
    ({"field": "region", "op": "within", "value": ["火星市"]}, ["盟市或旗县区"]),
    ({"field": "industry", "op": "in", "value": ["C99"]}, ["门类字母"]),
    ({"field": "industry", "op": "prefix", "value": ["Z1"]}, ["行业代码的开头"]),
    ({"field": "tier", "op": "at_least", "value": "金牌企业"}, ["梯度培育层级", "创新型中小企业"]),
    ({"field": "tier", "op": "at_least", "value": ["innovative"]}, ["一个层级"]),
    ({"field": "org_type", "op": "in", "value": ["farm"]}, ["机构类型"]),
    ({"field": "certificates", "op": "has", "value": "高企"}, ["证书名称应为以下之一"]),
    ({"field": "certificates", "op": "has", "value": {"name": "ISO9001", "valid_on": "2027-13-01"}}, ["YYYY-MM-DD"]),
    ({"field": "above_scale", "op": "is", "value": "是"}, ["true 或 false"]),
    ({"field": "listed", "op": "is"}, ["缺少 value"]),
    ({"field": "listed", "op": "is", "value": True, "note": "x"}, ["多余的键 note"]),
    ({"all": []}, ["规则", "非空的条件列表"]),
    ({"all": [RD], "any": [RD]}, ["只能有一个键"]),
    ({"all": [[RD]]}, ["条件 1", "应为"]),
    ({"all": [{"all": [{"all": [{"all": [{"all": [RD]}]}]}]}]}, ["嵌套"]),
    ({"all": [RD] * (MAX_CONDITIONS + 1)}, [f"最多 {MAX_CONDITIONS} 个条件"]),
    ("{'all': []}", ["不是有效的 JSON"]),
]


@pytest.mark.parametrize(("rule", "words"), BAD)
def test_unreadable_rule_is_refused_with_a_message_naming_the_condition(rule, words):
    with pytest.raises(RuleError) as caught:
        validate_rule(rule)
    for word in words:
        assert word in caught.value.message


def test_labels_and_single_values_are_stored_as_codes_and_lists():
    rule = validate_rule(
        '{"all": [{"field": "tier", "op": "in", "value": "专精特新中小企业"},'
        ' {"field": "region", "op": "within", "value": "包头"}, {"field": "industry", "op": "in", "value": "39"}]}'
    )
    assert rule == {
        "all": [
            {"field": "tier", "op": "in", "value": ["specialized"]},
            {"field": "region", "op": "within", "value": ["150200"]},
            {"field": "industry", "op": "in", "value": ["C39"]},
        ]
    }


def test_an_item_with_a_bad_rule_is_never_saved(db):
    with pytest.raises(RuleError, match="条件 1.*未知的字段"):
        PolicyItem(
            title="研发补助", benefit_type=BenefitType.SUBSIDY, rules={"all": [{"field": "x", "op": "is", "value": 1}]}
        )
    policy = Policy(
        title="稀土产业扶持办法", issuer="包头市工业和信息化局", scope=PolicyScope.LEAGUE_CITY, region="150200"
    )
    item = PolicyItem(policy=policy, title="研发补助", benefit_type=BenefitType.SUBSIDY, rules=RD)
    db.session.add(policy)
    db.session.commit()
    with pytest.raises(RuleError, match="条件 1（研发投入占比 rd_ratio >=）：取值应为数字"):
        item.rules = {"field": "rd_ratio", "op": ">=", "value": "3%"}
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalars(sa.select(PolicyItem.rules)).all() == [RD]


def test_a_saved_rule_is_the_normalised_one(db):
    policy = Policy(
        title="稀土产业扶持办法", issuer="包头市工业和信息化局", scope=PolicyScope.LEAGUE_CITY, region="150200"
    )
    item = PolicyItem(
        policy=policy,
        title="研发补助",
        benefit_type=BenefitType.SUBSIDY,
        rules={"field": "region", "op": "within", "value": "包头市"},
    )
    db.session.add(policy)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(PolicyItem, item.id).rules == {"field": "region", "op": "within", "value": ["150200"]}
    assert db.session.get(PolicyItem, item.id).rule_text == "注册地在包头市"
