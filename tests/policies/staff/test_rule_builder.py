"""The rule builder: rows become a validated rule, a bad rule is refused naming its condition with nothing saved,
and the stored rule is shown back in Chinese and in the rows it came from."""

from __future__ import annotations

import json
from html import unescape

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.policies.models import PolicyItem
from app.policies.rules import validate_rule
from app.policies.staff_rules import rule_from_sections, sections_from_form, sections_from_rule
from tests.policies.staff.conftest import make_policy

RD_CONDITION = {"field": "rd_ratio", "op": ">=", "value": 3}
ITEM = {"title": "研发费用后补助", "benefit_type": "subsidy", "amount_max_wan": "50"}


def rows(*pairs) -> MultiDict:
    return MultiDict([*ITEM.items(), *pairs])


BAOTOU_AND_RD = rows(
    ("rule_op", "all"),
    ("t_1_field", "region"),
    ("t_1_op", "within"),
    ("t_1_place", "150200"),
    ("t_2_field", "rd_ratio"),
    ("t_2_op", ">="),
    ("t_2_n1", "3"),
    ("t_3_field", ""),  # a blank row is ignored
)


def test_rows_become_the_rule_they_say():
    top_op, sections = sections_from_form(BAOTOU_AND_RD)
    assert validate_rule(rule_from_sections(top_op, sections)) == {
        "all": [
            {"field": "region", "op": "within", "value": ["150200"]},
            {"field": "rd_ratio", "op": ">=", "value": 3},
        ]
    }


RULES = [
    None,
    {"field": "tier", "op": "at_least", "value": "specialized"},
    {
        "any": [
            {"field": "org_type", "op": "in", "value": ["sme", "large"]},
            {
                "all": [
                    {"field": "employees", "op": "between", "value": [10, 300]},
                    {"field": "listed", "op": "is", "value": False},
                ]
            },
            {
                "any": [
                    {"field": "certificates", "op": "has", "value": {"name": "高新技术企业", "valid_on": "2027-01-01"}}
                ]
            },
        ]
    },
]


@pytest.mark.parametrize("rule", RULES)
def test_a_stored_rule_comes_back_from_its_rows(rule):
    rule = validate_rule(rule)
    top_op, sections = sections_from_rule(rule)
    form = MultiDict([("rule_op", top_op)])
    for section in sections:
        if section.key != "t":
            form.add(f"{section.key}_op", section.op)
        for i, row in enumerate(section.rows, 1):
            p = f"{section.key}_{i}_"
            form.add(p + "field", row.field)
            form.add(p + "op", row.op)
            for value in row.values:
                form.add(p + row.kind, value)
            for key in ("n1", "n2", "cert", "date", "flag"):
                form.add(p + key, getattr(row, key))
    rebuilt = validate_rule(rule_from_sections(*sections_from_form(form)))
    flat = rule if rule is None or "all" in rule or "any" in rule else {"all": [rule]}
    assert rebuilt == flat


def test_a_rule_nested_deeper_than_the_builder_is_edited_as_json():
    deep = {"all": [{"any": [{"all": [{"field": "listed", "op": "is", "value": True}]}]}]}
    assert sections_from_rule(validate_rule(deep)) is None


def test_the_item_page_saves_the_rule_and_reads_it_back(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, items=0)
    response = login(baotou_staff).post(
        f"/policies/manage/{policy.id}/items/new", data=BAOTOU_AND_RD, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "注册地在包头市，且研发投入占比不低于 3%" in page
    item = db.session.scalar(sa.select(PolicyItem))
    assert item.rules["all"][1] == {"field": "rd_ratio", "op": ">=", "value": 3}


def test_a_bad_rule_is_refused_naming_the_condition_and_nothing_is_saved(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, items=0)
    bad = rows(
        ("rule_op", "all"),
        ("t_1_field", "region"),
        ("t_1_op", "within"),
        ("t_1_place", "150200"),
        ("t_2_field", "rd_ratio"),
        ("t_2_op", ">="),
        ("t_2_n1", "很多"),
    )
    page = unescape(
        login(baotou_staff).post(f"/policies/manage/{policy.id}/items/new", data=bad).get_data(as_text=True)
    )
    assert "条件 2（研发投入占比 rd_ratio >=）：取值应为数字" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyItem)) == 0


def test_a_bad_rule_leaves_an_existing_item_as_it_was(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff)
    item = policy.items[0]
    before = dict(item.rules)
    bad = rows(
        ("rule_op", "all"),
        ("g1_op", "any"),
        ("g1_1_field", "employees"),
        ("g1_1_op", "between"),
        ("g1_1_n1", "300"),
        ("g1_1_n2", "10"),
    )
    bad["title"] = "改过的名称"
    page = login(baotou_staff).post(f"/policies/manage/{policy.id}/items/{item.id}", data=bad).get_data(as_text=True)
    assert "条件 1.1" in page and "下限不能大于上限" in page
    db.session.expire_all()
    item = db.session.get(PolicyItem, item.id)
    assert item.rules == before and item.title == "研发补助1"


def test_a_condition_without_a_value_is_named(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, items=0)
    bad = rows(("rule_op", "all"), ("t_1_field", "industry"), ("t_1_op", "in"))
    page = login(baotou_staff).post(f"/policies/manage/{policy.id}/items/new", data=bad).get_data(as_text=True)
    assert "条件 1（所属行业）：请至少选择一个取值" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyItem)) == 0


def test_the_json_mode_refuses_a_bad_rule_too(db, login, baotou_staff):
    policy = make_policy(db, baotou_staff, items=0)
    data = {**ITEM, "rule_mode": "json", "rule_json": '{"all": [{"field": "nope", "op": "in", "value": 1}]}'}
    page = login(baotou_staff).post(f"/policies/manage/{policy.id}/items/new", data=data).get_data(as_text=True)
    assert "条件 1：未知的字段“nope”" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyItem)) == 0


def test_a_rule_too_deep_for_the_rows_is_shown_as_json_and_kept_on_save(db, login, baotou_staff):
    deep = {"all": [{"any": [{"all": [{"field": "listed", "op": "is", "value": True}]}, RD_CONDITION]}]}
    policy = make_policy(db, baotou_staff, rules=deep)
    item = policy.items[0]
    client = login(baotou_staff)
    page = client.get(f"/policies/manage/{policy.id}/items/{item.id}").get_data(as_text=True)
    assert 'name="rule_json"' in page and 'name="t_1_field"' not in page
    data = {**ITEM, "rule_mode": "json", "rule_json": json.dumps(deep)}
    client.post(f"/policies/manage/{policy.id}/items/{item.id}", data=data)
    db.session.expire_all()
    assert db.session.get(PolicyItem, item.id).rules == validate_rule(deep)
