"""Policies with their items and rules as files: .jsonl (importing.py's format) and a two-sheet .xlsx.

The workbook has a sheet “政策” (one row per policy) and a sheet “申报事项” (one row per item, tied to its policy by
政策编号 = the policy's 编号). An 编号 starting with # is a key inside the file only (an exported policy without
one); any other 编号 is stored as the policy's ref. Rules are JSON in their cell, with the plain-Chinese sentence
beside them for people (ignored on import). Reading a workbook ends in importing.check_records: the same checks
as a .jsonl file, the whole file before anything is written, problems named by sheet and row.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.core.exports import unquote_cell
from app.policies.importing import LineError, ParsedPolicy, check_file, check_records
from app.policies.models import Policy
from app.policies.rules import render_rule

POLICY_SHEET, ITEM_SHEET = "政策", "申报事项"
POLICY_COLUMNS = {
    "ref": "编号",
    "title": "标题",
    "issuer": "发文部门",
    "doc_number": "文号",
    "scope": "适用层级",
    "region": "适用地区",
    "published_on": "发布日期",
    "effective_on": "生效日期",
    "expires_on": "失效日期",
    "status": "状态",
    "issuing_org": "发文机构",
    "source_url": "原文链接",
    "body": "全文",
    "interpretation": "政策解读",
}
ITEM_COLUMNS = {
    "policy": "政策编号",
    "title": "事项名称",
    "benefit_type": "支持方式",
    "amount_min": "最低金额（万元）",
    "amount_max": "最高金额（万元）",
    "opens_on": "申报开始日期",
    "closes_on": "申报截止日期",
    "materials": "申报材料",
    "how_to_apply": "申报方式",
    "contact": "联系方式",
    "rules": "申报条件（JSON）",
    "rule_text": "申报条件说明（导入时忽略）",
}
MAX_ROWS = 20_000
_ITEM_PROBLEM = re.compile(r"^“政策”表第 (\d+) 行：事项 (\d+)(?:（[^：]*?）)?：")


# ── writing ──────────────────────────────────────────────────────────────────────────────────────


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _amount(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def policy_record(policy: Policy) -> dict:
    """One policy as a .jsonl line (importing.py reads it back)."""
    record = {
        "ref": policy.ref,
        "title": policy.title,
        "issuer": policy.issuer,
        "doc_number": policy.doc_number,
        "scope": policy.scope.label,
        "region": policy.region,
        "published_on": _day(policy.published_on),
        "effective_on": _day(policy.effective_on),
        "expires_on": _day(policy.expires_on),
        "status": policy.status.value,
        "issuing_org": policy.issuing_org.credit_code if policy.issuing_org else None,
        "source_url": policy.source_url,
        "body": policy.body,
        "interpretation": policy.interpretation,
        "items": [
            {
                "title": item.title,
                "benefit_type": item.benefit_type.label,
                "amount_min": _amount(item.amount_min_wan),
                "amount_max": _amount(item.amount_max_wan),
                "opens_on": _day(item.opens_on),
                "closes_on": _day(item.closes_on),
                "materials": item.materials,
                "how_to_apply": item.how_to_apply,
                "contact": item.contact,
                "rules": item.rules,
            }
            for item in policy.items
        ],
    }
    return {key: value for key, value in record.items() if value is not None}


def jsonl_text(policies: list[Policy]) -> str:
    return "".join(json.dumps(policy_record(p), ensure_ascii=False) + "\n" for p in policies)


def workbook_sheets(policies: list[Policy]) -> list[tuple[str, list[str], list[list]]]:
    """The two sheets as (title, headers, rows) for app.core.exports.export_sheets."""
    policy_rows, item_rows = [], []
    for policy in policies:
        record = policy_record(policy)
        key = policy.ref or f"#{policy.id}"
        policy_rows.append([key if name == "ref" else record.get(name) for name in POLICY_COLUMNS])
        for item in record.get("items", []):
            values = {**item, "policy": key, "rule_text": render_rule(item.get("rules"))}
            if item.get("rules") is not None:
                values["rules"] = json.dumps(item["rules"], ensure_ascii=False)
            item_rows.append([values.get(name) for name in ITEM_COLUMNS])
    return [
        (POLICY_SHEET, list(POLICY_COLUMNS.values()), policy_rows),
        (ITEM_SHEET, list(ITEM_COLUMNS.values()), item_rows),
    ]


# ── reading ──────────────────────────────────────────────────────────────────────────────────────


def _cell(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        value = unquote_cell(value.strip())
        return value or None
    return value


def _rows(sheet, columns: dict[str, str]):
    """(row number, {key: value}) for each non-blank row under a header row naming the columns (Chinese or key)."""
    by_header = {label: key for key, label in columns.items()} | {key: key for key in columns}
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    keys = [by_header.get(str(h).strip()) if h is not None else None for h in header]
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise LineError([f"“{sheet.title}”表超过 {MAX_ROWS} 行"])
        values = {key: _cell(v) for key, v in zip(keys, row, strict=False) if key}
        if any(v is not None for v in values.values()):
            yield number, {k: v for k, v in values.items() if v is not None}


def _number(value):
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return value
    return value


def read_workbook(source) -> tuple[list[tuple[int, dict]], dict[tuple[int, int], int]]:
    """The policies of a workbook as (policies-sheet row, record with items) and, for messages, the items
    sheet's row of (policy row, item number). LineError when the file cannot be read as the layout above."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise LineError(["文件不是有效的 .xlsx 工作簿"]) from None
    if POLICY_SHEET not in book.sheetnames or ITEM_SHEET not in book.sheetnames:
        raise LineError([f"工作簿应有“{POLICY_SHEET}”与“{ITEM_SHEET}”两个工作表（可先导出一份作为模板）"])
    records: list[tuple[int, dict]] = []
    by_key: dict[str, tuple[int, dict]] = {}
    problems: list[str] = []
    for number, record in _rows(book[POLICY_SHEET], POLICY_COLUMNS):
        key = str(record.get("ref", "")).strip()
        if key.startswith("#") or not key:
            record.pop("ref", None)
        if key:
            by_key.setdefault(key, (number, record))
        record["items"] = []
        records.append((number, record))
    item_rows: dict[tuple[int, int], int] = {}
    for number, item in _rows(book[ITEM_SHEET], ITEM_COLUMNS):
        owner = by_key.get(str(item.pop("policy", "")).strip())
        item.pop("rule_text", None)
        if owner is None:
            problems.append(f"“{ITEM_SHEET}”表第 {number} 行：政策编号应为“{POLICY_SHEET}”表中某一行的编号")
            continue
        for key in ("amount_min", "amount_max"):
            if key in item:
                item[key] = _number(item[key])
        owner[1]["items"].append(item)
        item_rows[(owner[0], len(owner[1]["items"]))] = number
    book.close()
    if problems:
        raise LineError(problems)
    return records, item_rows


def check_workbook(source) -> tuple[list[ParsedPolicy], list[str]]:
    """check_file for a workbook: every row checked, problems as "“政策”表第 n 行：…" / "“申报事项”表第 n 行：…"."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        records, item_rows = read_workbook(source)
    except LineError as err:
        return [], err.problems
    parsed, errors = check_records(records, where=lambda number: f"“{POLICY_SHEET}”表第 {number} 行")
    return parsed, [_item_row(problem, item_rows) for problem in errors]


def _item_row(problem: str, item_rows: dict[tuple[int, int], int]) -> str:
    match = _ITEM_PROBLEM.match(problem)
    row = item_rows.get((int(match.group(1)), int(match.group(2)))) if match else None
    return f"“{ITEM_SHEET}”表第 {row} 行：{problem[match.end() :]}" if row else problem


def check_path(path: Path) -> tuple[list[ParsedPolicy], list[str]]:
    """A file by its suffix: .xlsx through check_workbook, .jsonl through importing.check_file."""
    if path.suffix.lower() == ".xlsx":
        return check_workbook(path)
    return check_file(path)
