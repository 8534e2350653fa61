"""Eligibility rules as data (the way OpenFisca keeps legislation as parameters): checked, normalised, read aloud.

A rule is JSON: a group `{"all": [...]}` or `{"any": [...]}` whose members are conditions
`{"field": ..., "op": ..., "value": ...}` or further groups; a bare condition is a rule too, and no rule (None)
means "open to every firm". The fields and their operators are in app.policies.fields.

`validate_rule` runs whenever a rule is saved (PolicyItem.rules) or imported: anything it cannot read raises
RuleError with a Chinese message naming the condition ("条件 2.1"), and nothing is saved.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import date

from app.core.enums import OrgType, Tier
from app.core.errors import ValidationFailed
from app.core.industries import DIVISIONS, SECTIONS
from app.organizations.profile import CERTIFICATE_NAMES
from app.policies.fields import FIELDS, Field, certificate_value, number_text
from app.policies.places import parse_place, place_name

GROUPS = {"all": "，且", "any": "，或"}
MAX_DEPTH = 4
MAX_CONDITIONS = 50
_PREFIX = re.compile(r"^[A-T]\d{0,2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RuleError(ValidationFailed):
    """A rule that cannot be read; the message names the condition and says what is wrong, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message, code="invalid_rule", errors={"rules": message})


def validate_rule(rule) -> dict | None:
    """The rule checked and normalised (codes for labels, lists for single values); None for "no conditions"."""
    if rule is None or rule == "" or rule == {}:
        return None
    if isinstance(rule, str):
        try:
            rule = json.loads(rule)
        except ValueError as err:
            raise RuleError(f"规则不是有效的 JSON：{err.msg}（第 {err.lineno} 行第 {err.colno} 列）") from err
    count = [0]
    return _node(rule, "", 1, count)


def _where(path: str) -> str:
    return f"条件 {path}" if path else "规则"


def _node(node, path: str, depth: int, count: list[int]) -> dict:
    if not isinstance(node, dict):
        raise RuleError(f'{_where(path)}：应为 {{"field": …, "op": …, "value": …}} 或 {{"all": […]}} / {{"any": […]}}')
    groups = [key for key in node if key in GROUPS]
    if not groups:
        count[0] += 1
        if count[0] > MAX_CONDITIONS:
            raise RuleError(f"规则最多 {MAX_CONDITIONS} 个条件")
        return _condition(node, path or "1")
    if len(node) != 1:
        raise RuleError(f"{_where(path)}：条件组只能有一个键 all 或 any，收到 {'、'.join(map(str, node))}")
    if depth > MAX_DEPTH:
        raise RuleError(f"{_where(path)}：条件组最多嵌套 {MAX_DEPTH} 层")
    key = groups[0]
    members = node[key]
    if not isinstance(members, list) or not members:
        raise RuleError(f"{_where(path)}：{key} 后应为非空的条件列表")
    prefix = f"{path}." if path else ""
    return {key: [_node(member, f"{prefix}{i}", depth + 1, count) for i, member in enumerate(members, 1)]}


def _condition(node: dict, path: str) -> dict:
    field_name, op = node.get("field"), node.get("op")
    extra = set(node) - {"field", "op", "value"}
    if extra:
        raise RuleError(f"条件 {path}：多余的键 {'、'.join(sorted(map(str, extra)))}（只能有 field、op、value）")
    field = FIELDS.get(field_name) if isinstance(field_name, str) else None
    if field is None:
        known = "、".join(f"{f.name}（{f.label}）" for f in FIELDS.values())
        raise RuleError(f"条件 {path}：未知的字段“{field_name}”，可用字段：{known}")
    if op not in field.ops:
        raise RuleError(f"条件 {path}（{field.label} {field.name}）：不支持运算符“{op}”，可用：{'、'.join(field.ops)}")
    if "value" not in node:
        raise RuleError(f"条件 {path}（{field.label} {field.name} {op}）：缺少 value")
    try:
        value = _VALUES[field.kind](field, op, node["value"])
    except ValueError as err:
        shown = json.dumps(node["value"], ensure_ascii=False)
        shown = shown if len(shown) <= 60 else shown[:60] + "…"
        raise RuleError(f"条件 {path}（{field.label} {field.name} {op}）：{err}，收到 {shown}") from None
    return {"field": field.name, "op": op, "value": value}


def _as_list(value) -> list:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("取值不能为空列表")
    return items


def _enum_codes(enum, value, what: str) -> list[str]:
    codes = []
    for item in _as_list(value):
        member = enum.from_any(item) if isinstance(item, str) else None
        if member is None:
            raise ValueError(f"取值应为{what}（{'、'.join(m.label for m in enum)}）")
        codes.append(member.value)
    return list(dict.fromkeys(codes))


def _choice(field: Field, op: str, value) -> list[str]:
    return _enum_codes(OrgType, value, "机构类型")


def _tier(field: Field, op: str, value):
    if op == "at_least":
        if isinstance(value, list):
            raise ValueError("at_least 的取值应为一个层级")
        return _enum_codes(Tier, value, "梯度培育层级")[0]
    return _enum_codes(Tier, value, "梯度培育层级")


def _industry(field: Field, op: str, value) -> list[str]:
    codes = []
    for item in _as_list(value):
        code = item.strip().upper() if isinstance(item, str) else ""
        if op == "in" and code.isdigit() and code in DIVISIONS:
            code = DIVISIONS[code][0] + code
        complete = code in SECTIONS or (code[1:] in DIVISIONS and DIVISIONS[code[1:]][0] == code[:1])
        if op == "in" and not complete:
            raise ValueError("取值应为国民经济行业分类的门类字母（如 C）或大类代码（如 C39）")
        if op == "prefix" and not (_PREFIX.match(code) and code[0] in SECTIONS):
            raise ValueError("取值应为行业代码的开头（如 C、C3、C39）")
        codes.append(code)
    return list(dict.fromkeys(codes))


def _place(field: Field, op: str, value) -> list[str]:
    codes = []
    for item in _as_list(value):
        code = parse_place(item)
        if code is None:
            raise ValueError("取值应为内蒙古自治区、盟市或旗县区的名称或代码（如 包头市、150200）")
        codes.append(code)
    return list(dict.fromkeys(codes))


def _one_number(field: Field, value):
    finite = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    if isinstance(value, bool) or not finite:
        raise ValueError("取值应为数字")
    if field.integer and value != int(value):
        raise ValueError("取值应为整数")
    if value < field.low or (field.high is not None and value > field.high):
        upper = f"至 {field.high}" if field.high is not None else "以上"
        raise ValueError(f"取值应在 {field.low} {upper}")
    return int(value) if field.integer or value == int(value) else value


def _number(field: Field, op: str, value):
    if op != "between":
        return _one_number(field, value)
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("between 的取值应为 [下限, 上限] 两个数")
    low, high = (_one_number(field, v) for v in value)
    if low > high:
        raise ValueError("between 的下限不能大于上限")
    return [low, high]


def _certificate(field: Field, op: str, value):
    name, valid_on = value, None
    if isinstance(value, dict):
        if set(value) - {"name", "valid_on"}:
            raise ValueError("证书条件只能有 name 与 valid_on")
        name, valid_on = value.get("name"), value.get("valid_on")
    if name not in CERTIFICATE_NAMES:
        raise ValueError(f"证书名称应为以下之一：{'、'.join(CERTIFICATE_NAMES)}")
    if valid_on is None:
        return name
    if not _is_iso_date(valid_on):
        raise ValueError("valid_on 应为 YYYY-MM-DD 格式的日期")
    return {"name": name, "valid_on": valid_on}


def _is_iso_date(text) -> bool:
    if not isinstance(text, str) or not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _flag(field: Field, op: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("取值应为 true 或 false")
    return value


_VALUES = {
    "choice": _choice,
    "tier": _tier,
    "code": _industry,
    "place": _place,
    "number": _number,
    "certificate": _certificate,
    "flag": _flag,
}


def conditions(rule: dict | None) -> Iterator[dict]:
    """Every condition of a (validated) rule, in reading order."""
    if rule is None:
        return
    key = next((k for k in GROUPS if k in rule), None)
    if key is None:
        yield rule
        return
    for member in rule[key]:
        yield from conditions(member)


def scoped_rule(rule: dict | None, region: str) -> dict:
    """The rule a firm is judged by: the item's own rule within its policy's place (a 包头市 policy serves firms
    in 包头市, a 自治区 policy firms in the 自治区), unless the rule already says where at its top level."""
    place = {"field": "region", "op": "within", "value": [region]}
    if rule is None:
        return place
    members = rule.get("all", [rule])
    if any(member.get("field") == "region" for member in members):
        return rule
    return {"all": [place, *members]}


# ── reading a rule aloud ─────────────────────────────────────────────────────────────────────────


def industry_name(code: str) -> str:
    """制造业（C）, 食品制造业（C14）; the code alone when it is not in GB/T 4754."""
    if code in SECTIONS:
        return f"{SECTIONS[code]}（{code}）"
    division = DIVISIONS.get(code[1:])
    return f"{division[1]}（{code}）" if division and division[0] == code[:1] else code


def describe(condition: dict) -> str:
    """One validated condition as the requirement it states: "研发投入占比不低于 3%"."""
    subject, predicate = requirement(condition)
    return subject + predicate


def requirement(condition: dict) -> tuple[str, str]:
    """The requirement split in two, so a reason can say "研发投入占比未填写，无法判断是否不低于 3%":
    ("研发投入占比", "不低于 3%"), ("注册地", "在包头市"), ("", "为中小企业")."""
    field, op, value = FIELDS[condition["field"]], condition["op"], condition["value"]
    if field.kind == "choice":
        return "", "为" + "或".join(OrgType(v).label for v in value)
    if field.kind == "tier":
        if op == "in":
            return "", "为" + "或".join(Tier(v).label for v in value)
        tier = Tier(value)
        return "", f"为{tier.label}" if tier.rank == len(Tier) else f"为{tier.label}或更高层级"
    if field.kind == "code":
        if op == "prefix":
            return field.label, f"的代码以 {'或'.join(value)} 开头"
        return "", "属于" + "或".join(industry_name(v) for v in value)
    if field.kind == "place":
        return field.label, "在" + "或".join(place_name(v) for v in value)
    if field.kind == "number":
        return field.label, number_predicate(field, op, value)
    if field.kind == "certificate":
        name, valid_on = certificate_value(value)
        return "", f"持有有效的“{name}”证书" if valid_on is None else f"持有“{name}”证书且有效期至 {valid_on} 或以后"
    return "", ("为" if value else "不是") + field.label


def number_predicate(field: Field, op: str, value) -> str:
    if op == ">=":
        return f"{field.words[0]} {number_text(value, field.unit)}"
    if op == "<=":
        return f"{field.words[1]} {number_text(value, field.unit)}"
    return f"在 {number_text(value[0], field.unit)}至 {number_text(value[1], field.unit)}之间"


def render_rule(rule: dict | None) -> str:
    """The whole (validated) rule as one Chinese sentence."""
    if rule is None:
        return "不限条件"
    return _render(rule, top=True)


def _render(node: dict, top: bool = False) -> str:
    key = next((k for k in GROUPS if k in node), None)
    if key is None:
        return describe(node)
    text = GROUPS[key].join(_render(member) for member in node[key])
    return text if top or len(node[key]) == 1 else f"（{text}）"
