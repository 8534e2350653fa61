"""Reading policies from a .jsonl file (one policy per line, with its items and their rules) and checking them.

The whole file is checked before anything is written: one bad line and nothing is imported, each problem reported
with its line number in Chinese. (.xlsx files, a two-sheet layout, are read by spreadsheet.py into the same checks.)

One line, keys in English, values as people write them (codes or Chinese labels):
  {"ref": "BT-2026-01", "title": "…", "issuer": "包头市工业和信息化局", "doc_number": "包工信发〔2026〕8号",
   "scope": "盟市", "region": "包头市", "published_on": "2026-10-20", "effective_on": "…", "expires_on": "…",
   "body": "全文", "interpretation": "政策解读", "source_url": "https://…", "status": "published",
   "issuing_org": "<主管部门的统一社会信用代码或名称>",
   "items": [{"title": "研发费用后补助", "benefit_type": "资金补助", "amount_min": 10, "amount_max": 50,
              "opens_on": "2026-11-01", "closes_on": "2026-12-31", "materials": "…", "how_to_apply": "…",
              "contact": "…", "rules": {"all": [{"field": "rd_ratio", "op": ">=", "value": 3}]}}]}
Required: title, issuer, scope (region defaults to 150000 for 自治区), items with title and benefit_type. `ref`, when
given, is unique: a ref already on the platform is an error (no silent overwrite).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from app.core.enums import OrgType
from app.core.policy_enums import BenefitType, PolicyScope, PolicyStatus
from app.core.validators import normalize_credit_code, single_line_error, website_error
from app.extensions import db
from app.organizations.models import Organization
from app.policies.models import Policy
from app.policies.places import AUTONOMOUS_REGION, parse_place, place_level
from app.policies.rules import RuleError, validate_rule

# key → (label, longest length or None for long text, required, single line)
POLICY_TEXT = {
    "ref": ("编号", 64, False, True),
    "title": ("标题", 300, True, True),
    "issuer": ("发文部门", 200, True, True),
    "doc_number": ("文号", 100, False, True),
    "body": ("全文", None, False, False),
    "interpretation": ("政策解读", None, False, False),
    "source_url": ("原文链接", 500, False, True),
}
POLICY_OTHER = {"scope", "region", "published_on", "effective_on", "expires_on", "status", "issuing_org", "items"}
ITEM_TEXT = {
    "title": ("事项名称", 300, True, True),
    "materials": ("申报材料", None, False, False),
    "how_to_apply": ("申报方式", None, False, False),
    "contact": ("联系方式", 300, False, True),
}
ITEM_OTHER = {"benefit_type", "amount_min", "amount_max", "opens_on", "closes_on", "rules"}
MAX_ITEMS = 100


class LineError(Exception):
    """Everything wrong with one line, as Chinese sentences."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class ParsedPolicy:
    line: int
    fields: dict
    items: list[dict]
    explicit_status: bool


def read_lines(path: Path):
    """Yield (line number, dict or LineError) for each non-blank line of a UTF-8 JSON Lines file."""
    return read_jsonl(path.read_bytes())


def read_jsonl(data: bytes):
    """read_lines for the bytes of an upload."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield 0, LineError(["文件不是 UTF-8 编码"])
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            yield number, LineError([f"不是有效的 JSON（{getattr(err, 'msg', err)}）"])
            continue
        if not isinstance(record, dict):
            yield number, LineError(["每行应是一个 JSON 对象 {…}"])
        elif _has_nul(record):
            yield number, LineError(["本行含有无效的空字符（\\0）"])
        else:
            yield number, record


def _has_nul(value) -> bool:
    """PostgreSQL cannot store NUL (0x00) in text."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_nul(v) for v in value)


def _text(record: dict, spec: dict, problems: list[str], where: str = "") -> dict:
    values = {}
    for key, (label, longest, required, single) in spec.items():
        value = record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                problems.append(f"{where}缺少{label}（{key}）")
            values[key] = None
            continue
        if not isinstance(value, str):
            problems.append(f"{where}{label}应为文字")
            continue
        value = value.strip()
        if longest and len(value) > longest:
            problems.append(f"{where}{label}不能超过 {longest} 个字")
        elif single and single_line_error(value):
            problems.append(f"{where}{label}{single_line_error(value)}")
        values[key] = value
    return values


def _date(record: dict, key: str, label: str, problems: list[str], where: str = "") -> date | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}{label}应为 YYYY-MM-DD 格式的日期，收到 {json.dumps(value, ensure_ascii=False)}")
        return None


def _unknown_keys(record: dict, known: set, problems: list[str], where: str = "") -> None:
    extra = sorted(set(record) - known)
    if extra:
        problems.append(f"{where}未知的键：{'、'.join(map(str, extra))}")


def _scope(record: dict, problems: list[str]) -> tuple[PolicyScope | None, str | None]:
    scope = PolicyScope.from_any(record.get("scope")) if isinstance(record.get("scope"), str) else None
    if scope is None:
        problems.append("适用层级（scope）应为 自治区、盟市 或 旗县区")
        return None, None
    raw = record.get("region")
    region = AUTONOMOUS_REGION if raw in (None, "") and scope == PolicyScope.AUTONOMOUS_REGION else parse_place(raw)
    if region is None:
        problems.append(f"未知的地区（region）：{json.dumps(raw, ensure_ascii=False)}")
    elif place_level(region) != scope.value:
        problems.append(f"地区 {region} 与适用层级“{scope.label}”不一致")
    return scope, region


def _issuing_org(value, problems: list[str]) -> int | None:
    if value in (None, ""):
        return None
    code = normalize_credit_code(str(value))
    org = db.session.scalar(
        sa.select(Organization).where(sa.or_(Organization.credit_code == code, Organization.name == str(value)))
    )
    if org is None:
        problems.append(f"发文机构（issuing_org）“{value}”不在平台上")
        return None
    if org.org_type != OrgType.AUTHORITY:
        problems.append(f"发文机构“{org.name}”不是主管部门")
    return org.id


def parse_policy(number: int, record: dict) -> ParsedPolicy:
    """One line checked; LineError lists every problem found in it."""
    problems: list[str] = []
    _unknown_keys(record, set(POLICY_TEXT) | POLICY_OTHER, problems)
    fields = _text(record, POLICY_TEXT, problems)
    if fields.get("source_url") and website_error(fields["source_url"]):
        problems.append("原文链接应以 http:// 或 https:// 开头")
    fields["scope"], fields["region"] = _scope(record, problems)
    for key, label in (("published_on", "发布日期"), ("effective_on", "生效日期"), ("expires_on", "失效日期")):
        fields[key] = _date(record, key, label, problems)
    if fields["effective_on"] and fields["expires_on"] and fields["effective_on"] > fields["expires_on"]:
        problems.append("失效日期不能早于生效日期")
    status = record.get("status")
    fields["status"] = PolicyStatus.from_any(status) if isinstance(status, str) else None
    if status is not None and fields["status"] is None:
        problems.append("状态（status）应为 草稿、已发布、已失效 或 已撤回")
    fields["issuing_org_id"] = _issuing_org(record.get("issuing_org"), problems)
    items = record.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        problems.append(f"申报事项（items）应为 1 至 {MAX_ITEMS} 个事项的列表")
        items = []
    parsed_items = [_item(i, item, problems) for i, item in enumerate(items, 1)]
    if problems:
        raise LineError(problems)
    return ParsedPolicy(number, fields, parsed_items, explicit_status=status is not None)


def _amount(item: dict, key: str, where: str, problems: list[str]) -> Decimal | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10**10:
        problems.append(f"{where}金额（{key}，万元）应为不小于 0 的数字")
        return None
    return Decimal(str(value))


def _item(index: int, item, problems: list[str]) -> dict:
    where = f"事项 {index}："
    if not isinstance(item, dict):
        problems.append(f"{where}应为 JSON 对象")
        return {}
    if isinstance(item.get("title"), str) and item["title"].strip():
        where = f"事项 {index}（{item['title'].strip()[:30]}）："
    _unknown_keys(item, set(ITEM_TEXT) | ITEM_OTHER, problems, where)
    values = _text(item, ITEM_TEXT, problems, where)
    benefit = item.get("benefit_type")
    values["benefit_type"] = BenefitType.from_any(benefit) if isinstance(benefit, str) else None
    if values["benefit_type"] is None:
        labels = "、".join(b.label for b in BenefitType)
        problems.append(f"{where}支持方式（benefit_type）应为 {labels} 之一")
    values["amount_min_wan"] = _amount(item, "amount_min", where, problems)
    values["amount_max_wan"] = _amount(item, "amount_max", where, problems)
    low, high = values["amount_min_wan"], values["amount_max_wan"]
    if low is not None and high is not None and low > high:
        problems.append(f"{where}最低金额不能高于最高金额")
    values["opens_on"] = _date(item, "opens_on", "申报开始日期", problems, where)
    values["closes_on"] = _date(item, "closes_on", "申报截止日期", problems, where)
    if values["opens_on"] and values["closes_on"] and values["opens_on"] > values["closes_on"]:
        problems.append(f"{where}申报截止日期不能早于开始日期")
    try:
        values["rules"] = validate_rule(item.get("rules"))
    except RuleError as err:
        problems.append(f"{where}申报条件（rules）{err.message}")
    return values


def check_file(path: Path) -> tuple[list[ParsedPolicy], list[str]]:
    """Every line parsed; the problems as "第 n 行：…" sentences (an empty list: the file can be imported)."""
    return check_records(read_lines(path))


def check_records(records, where=lambda number: f"第 {number} 行") -> tuple[list[ParsedPolicy], list[str]]:
    """check_file for records read from any file: (number, dict or LineError) pairs; `where` names a number
    in the messages (the .xlsx reader says "“政策”表第 n 行")."""
    parsed, errors = [], []
    seen_refs: dict[str, int] = {}
    for number, record in records:
        try:
            if isinstance(record, LineError):
                raise record
            policy = parse_policy(number, record)
        except LineError as err:
            errors.extend(f"{where(number)}：{problem}" if number else problem for problem in err.problems)
            continue
        ref = policy.fields.get("ref")
        if ref and ref in seen_refs:
            errors.append(f"{where(number)}：编号 {ref} 与{where(seen_refs[ref])}重复")
        elif ref and db.session.scalar(sa.select(Policy.id).where(Policy.ref == ref)):
            errors.append(f"{where(number)}：编号 {ref} 的政策已在平台上")
        if ref:
            seen_refs.setdefault(ref, number)
        parsed.append(policy)
    if not parsed and not errors:
        errors.append("文件中没有政策")
    return parsed, errors
