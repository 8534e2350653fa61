"""The rule builder: a rule as rows of a form staff fill in without writing code, and back.

The form has a top group (全部满足 / 满足任一) with rows of conditions, and sub-groups (each its own 全部满足 /
满足任一) with their rows: one level of nesting, which covers "A 且 B 且（C 或 D）". Posted names:
  rule_op                      the top group's all | any
  g<k>_op                      sub-group k's all | any
  <s>_<i>_field, <s>_<i>_op    row i of section s (s = "t" for the top group, "g<k>" for sub-group k)
  <s>_<i>_<kind>               the value widget for the field's kind (choice, tier, code, place: lists;
                               n1, n2: numbers; cert, date: certificate and valid-on day; flag: true | false)
Rows are read in the order the rule is composed (top rows, then sub-groups), so the "条件 2.1" validate_rule
names is the row the page shows as 条件 2.1. A rule nested deeper than the builder shows is edited as JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field

from app.core.enums import OrgType, Tier
from app.core.industries import industry_choices
from app.organizations.profile import CERTIFICATE_NAMES
from app.policies.fields import FIELDS, certificate_value
from app.policies.places import AUTONOMOUS_REGION, COUNTIES, LEAGUES, place_name
from app.policies.rules import GROUPS, RuleError

OP_LABELS = {
    "in": "属于（任一）",
    "at_least": "不低于",
    ">=": "≥",
    "<=": "≤",
    "between": "介于",
    "prefix": "代码开头为",
    "within": "位于",
    "has": "持有",
    "is": "为",
}
GROUP_LABELS = {"all": "全部满足", "any": "满足任一"}
LIST_KINDS = ("choice", "tier", "code", "place")
BLANK_TOP_ROWS = 3
BLANK_GROUP_ROWS = 2
_ROW = re.compile(r"^(t|g\d{1,2})_(\d{1,3})_field$")
_GROUP = re.compile(r"^g(\d{1,2})_op$")


def value_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of each list widget, and of the certificate and yes/no selects."""
    places = [AUTONOMOUS_REGION, *LEAGUES, *COUNTIES]
    return {
        "choice": [(t.value, t.label) for t in OrgType],
        "tier": [(t.value, t.label) for t in Tier],
        "code": industry_choices(),
        "place": [(code, place_name(code)) for code in places],
        "cert": [(name, name) for name in CERTIFICATE_NAMES],
        "flag": [("true", "是"), ("false", "否")],
    }


@dataclass
class Row:
    field: str = ""
    op: str = ""
    values: list[str] = dc_field(default_factory=list)
    n1: str = ""
    n2: str = ""
    cert: str = ""
    date: str = ""
    flag: str = ""
    number: str = ""  # "1", "3.2" as shown on the page; "" for a blank row

    @property
    def kind(self) -> str:
        return FIELDS[self.field].kind if self.field in FIELDS else ""


@dataclass
class Section:
    key: str  # "t" or "g<k>"
    op: str = "all"
    rows: list[Row] = dc_field(default_factory=list)
    number: str = ""  # a sub-group's own number in the rule ("3")


# ── rule → rows ──────────────────────────────────────────────────────────────────────────────────


def _row(condition: dict) -> Row:
    kind, value = FIELDS[condition["field"]].kind, condition["value"]
    row = Row(field=condition["field"], op=condition["op"])
    if kind in LIST_KINDS:
        row.values = value if isinstance(value, list) else [value]
    elif kind == "number":
        row.n1, row.n2 = (str(value[0]), str(value[1])) if isinstance(value, list) else (str(value), "")
    elif kind == "certificate":
        name, valid_on = certificate_value(value)
        row.cert, row.date = name, valid_on.isoformat() if valid_on else ""
    elif kind == "flag":
        row.flag = "true" if value else "false"
    return row


def sections_from_rule(rule: dict | None) -> tuple[str, list[Section]] | None:
    """The top group's operator and the sections showing a validated rule; None when it nests too deep."""
    if rule is None:
        return "all", [Section("t")]
    key = next((k for k in GROUPS if k in rule), None)
    members = rule[key] if key else [rule]
    top = Section("t", key or "all")
    groups: list[Section] = []
    for member in members:
        inner = next((k for k in GROUPS if k in member), None)
        if inner is None:
            top.rows.append(_row(member))
            continue
        if any(next((k for k in GROUPS if k in m), None) for m in member[inner]):
            return None
        groups.append(Section(f"g{len(groups) + 1}", inner, [_row(m) for m in member[inner]]))
    return top.op, [top, *groups]


def number_rows(sections: list[Section]) -> None:
    """The numbers validate_rule uses for the filled rows; blank rows stay unnumbered."""
    top = sections[0]
    count = 0
    for row in top.rows:
        if row.field:
            count += 1
            row.number = str(count)
    for group in sections[1:]:
        filled = [row for row in group.rows if row.field]
        if not filled:
            continue
        count += 1
        group.number = str(count)
        for i, row in enumerate(filled, 1):
            row.number = f"{count}.{i}"


def with_blank_rows(sections: list[Section]) -> list[Section]:
    """Sections as the page shows them: a few blank rows in each, and one empty sub-group to start."""
    number_rows(sections)
    for section in sections:
        blank = BLANK_TOP_ROWS if section.key == "t" else BLANK_GROUP_ROWS
        section.rows = [row for row in section.rows if row.field] + [Row() for _ in range(blank)]
    groups = [s for s in sections[1:] if any(r.field for r in s.rows)]
    empty = Section(f"g{len(groups) + 1}", "any", [Row() for _ in range(BLANK_GROUP_ROWS)])
    return [sections[0], *groups, empty]


# ── posted form → rule ───────────────────────────────────────────────────────────────────────────


def sections_from_form(form) -> tuple[str, list[Section]]:
    """The rows as posted (blank rows dropped), in the order the rule is composed."""
    top_op = form.get("rule_op") if form.get("rule_op") in GROUPS else "all"
    keys: dict[str, list[int]] = {}
    for name in form:
        match = _ROW.match(name)
        if match:
            keys.setdefault(match.group(1), []).append(int(match.group(2)))
    group_ids = sorted(
        {int(m.group(1)) for name in form if (m := _GROUP.match(name))} | {int(key[1:]) for key in keys if key != "t"}
    )
    sections = [Section("t", top_op, _rows(form, "t", keys.get("t", [])))]
    for k in group_ids:
        op = form.get(f"g{k}_op") if form.get(f"g{k}_op") in GROUPS else "all"
        rows = _rows(form, f"g{k}", keys.get(f"g{k}", []))
        if rows:
            sections.append(Section(f"g{len(sections)}", op, rows))
    number_rows(sections)
    return top_op, sections


def _rows(form, section: str, indexes: list[int]) -> list[Row]:
    rows = []
    for i in sorted(indexes):
        prefix = f"{section}_{i}_"
        name = (form.get(prefix + "field") or "").strip()
        if not name:
            continue
        rows.append(
            Row(
                field=name,
                op=(form.get(prefix + "op") or "").strip(),
                values=[v for v in form.getlist(prefix + FIELDS[name].kind) if v] if name in FIELDS else [],
                n1=(form.get(prefix + "n1") or "").strip(),
                n2=(form.get(prefix + "n2") or "").strip(),
                cert=(form.get(prefix + "cert") or "").strip(),
                date=(form.get(prefix + "date") or "").strip(),
                flag=(form.get(prefix + "flag") or "").strip(),
            )
        )
    return rows


def rule_from_sections(top_op: str, sections: list[Section]) -> dict | None:
    """The rule the rows say, not yet validated (validate_rule names any problem); None for no rows."""
    members: list[dict] = [_condition(row) for row in sections[0].rows]
    for group in sections[1:]:
        members.append({group.op: [_condition(row) for row in group.rows]})
    return {top_op: members} if members else None


def _number(text: str):
    cleaned = text.replace("，", "").replace(",", "").removesuffix("%").strip()
    try:
        number = float(cleaned)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _condition(row: Row) -> dict:
    spec = FIELDS.get(row.field)
    if spec is None:
        raise RuleError(f"条件 {row.number}：未知的字段“{row.field}”")
    op = row.op if row.op in spec.ops or len(spec.ops) > 1 else spec.ops[0]
    where = f"条件 {row.number}（{spec.label}）"
    if spec.kind in LIST_KINDS:
        if not row.values:
            raise RuleError(f"{where}：请至少选择一个取值")
        value = row.values[0] if op == "at_least" else row.values
    elif spec.kind == "number":
        if not row.n1 or (op == "between" and not row.n2):
            raise RuleError(f"{where}：请填写数值" + ("（介于需要下限和上限）" if op == "between" else ""))
        value = [_number(row.n1), _number(row.n2)] if op == "between" else _number(row.n1)
    elif spec.kind == "certificate":
        if not row.cert:
            raise RuleError(f"{where}：请选择证书")
        value = {"name": row.cert, "valid_on": row.date} if row.date else row.cert
    else:
        if row.flag not in ("true", "false"):
            raise RuleError(f"{where}：请选择“是”或“否”")
        value = row.flag == "true"
    return {"field": row.field, "op": op, "value": value}
