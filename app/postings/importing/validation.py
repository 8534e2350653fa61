"""Checking a whole file before anything is written: the columns only files have, JSON types,
duplicates within the file, organisations, and clean_posting for the posting fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from app.core.clock import local_today
from app.core.enums import OrgType, PostingKind
from app.core.validators import credit_code_error, normalize_credit_code
from app.extensions import db
from app.organizations.models import Organization
from app.postings.importing.reading import Unreadable
from app.postings.models import Posting
from app.postings.schema import COMMON_FIELDS, FIELD_LABELS, KIND_FIELDS, clean_posting, known_fields

# Postings created on the site have no ref; export names them lq:<id> so an export re-imports onto them.
PLATFORM_REF = re.compile(r"^lq:(\d+)$")
REF_MAX = 100
ORG_NAME_MAX = 200
ALL_FIELDS = set(COMMON_FIELDS).union(*KIND_FIELDS.values())


def platform_ref(posting_id: int) -> str:
    return f"lq:{posting_id}"


@dataclass(frozen=True)
class Issue:
    line: int  # 0 = the file as a whole
    field: str | None
    message: str

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field or "", self.field or "")

    def __str__(self) -> str:
        where = f"第{self.line}行" if self.line else "文件"
        if self.field and self.field_label != self.field:
            where += f" {self.field}（{self.field_label}）"
        elif self.field:
            where += f" {self.field}"
        return f"{where}：{self.message}"


@dataclass(eq=False)
class NewOrg:
    """An organisation the file names that does not exist yet; shared by every row that names it."""

    name: str
    org_type: OrgType
    credit_code: str | None
    region: str | None
    industry: str | None


@dataclass
class ImportRow:
    line: int
    kind: PostingKind
    ref: str
    org: Organization | NewOrg
    data: dict  # clean_posting's output: model attribute names
    existing: Posting | None


class Validation(NamedTuple):
    good: list[ImportRow]
    errors: list[Issue]
    warnings: list[Issue]

    def counts(self) -> dict[PostingKind, int]:
        return {kind: sum(1 for row in self.good if row.kind == kind) for kind in PostingKind}

    @property
    def bad_lines(self) -> int:
        return len({issue.line for issue in self.errors})


_LIST, _INT, _NUMBER, _BOOL, _DATE, _TEXT = "list", "int", "number", "bool", "date", "text"
_FIELD_TYPES = {
    "keywords": _LIST,
    "cooperation": _LIST,
    "certifications": _LIST,
    "patents": _LIST,
    "trl": _INT,
    "year": _INT,
    "budget_wan": _NUMBER,
    "reward_wan": _NUMBER,
    "challenge": _BOOL,
    "deadline": _DATE,
}
_TYPE_TEXT = {
    _LIST: "应为列表（JSON 数组）或以；分隔的文本",
    _INT: "应为整数",
    _NUMBER: "应为数字",
    _BOOL: "应为 true/false 或 是/否",
    _DATE: "应为 YYYY-MM-DD 格式的日期",
    _TEXT: "应为文本",
}


def _is_scalar(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _type_error(name: str, value) -> str | None:
    """Structural type checks for JSON values; clean_posting then parses the text and numbers."""
    expected = _FIELD_TYPES.get(name, _TEXT)
    if expected == _LIST:
        ok = _is_scalar(value) or (isinstance(value, list) and all(_is_scalar(v) for v in value))
    elif expected == _BOOL:
        ok = _is_scalar(value) or isinstance(value, bool)
    elif expected == _DATE:
        ok = isinstance(value, (str, date))
    else:
        ok = _is_scalar(value)
    if ok:
        return None
    return f"{FIELD_LABELS[name]}{_TYPE_TEXT[expected]}，实际是{_json_type(value)}"


def _json_type(value) -> str:
    for kind, label in (
        (bool, "布尔值"),
        (dict, "对象 {…}"),
        (list, "列表 […]"),
        (str, "文本"),
        ((int, float), "数字"),
    ):
        if isinstance(value, kind):
            return label
    return type(value).__name__


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet turns the ref 1001 into 1001.0
    return str(value).strip() if value is not None else ""


@dataclass
class _Record:
    """One line on its way through validation; `errors` maps a field to its first message."""

    line: int
    raw: dict
    errors: dict
    kind: PostingKind | None = None
    ref: str = ""
    org_name: str = ""
    org_type: OrgType | None = None
    credit_code: str | None = None
    notes: dict = field(default_factory=dict)  # accepted, reported as warnings when the row is good


def _read_head(line: int, raw: dict) -> _Record:
    """The columns only files have: kind, ref, organisation; plus JSON types of every field."""
    record = _Record(line, raw, {})
    errors = record.errors
    for name, value in raw.items():
        # JSON null is a value left out, as an empty cell is in a spreadsheet.
        if name in ALL_FIELDS and value is not None and (message := _type_error(name, value)):
            errors[name] = message

    if "kind" not in errors:
        record.kind = _choice(record, "kind", PostingKind, [f"{k.value}（{k.label}）" for k in PostingKind])
    if "ref" not in errors:
        record.ref = _required_text(record, "ref", REF_MAX, "个字符", hint="（再次导入时用它识别同一条信息）")
    if "org" not in errors:
        record.org_name = _required_text(record, "org", ORG_NAME_MAX, "个字")
    if "org_type" not in errors:
        record.org_type = _choice(record, "org_type", OrgType, [t.label for t in OrgType])
    if "credit_code" not in errors and _text(raw.get("credit_code")):
        record.credit_code = normalize_credit_code(_text(raw.get("credit_code")))
        if message := credit_code_error(record.credit_code):
            errors["credit_code"] = message
            record.credit_code = None
    return record


def _choice(record: _Record, name: str, enum, options: list[str]):
    """A required enum column: its member, or None with the message naming the choices."""
    value = enum.from_any(record.raw.get(name))
    if not _text(record.raw.get(name)):
        record.errors[name] = f"请填写{FIELD_LABELS[name]}"
    elif value is None:
        record.errors[name] = f"{FIELD_LABELS[name]}“{record.raw[name]}”无效，可选：" + "、".join(options)
    return value


def _required_text(record: _Record, name: str, limit: int, unit: str, hint: str = "") -> str:
    text = _text(record.raw.get(name))
    if not text:
        record.errors[name] = f"请填写{FIELD_LABELS[name]}{hint}"
    elif len(text) > limit:
        record.errors[name] = f"{FIELD_LABELS[name]}不能超过{limit}{unit}"
    return text


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_orgs(codes: set[str], names: set[str]) -> tuple[dict[str, Organization], dict[str, Organization]]:
    by_code: dict[str, Organization] = {}
    by_name: dict[str, Organization] = {}
    for column, wanted in ((Organization.credit_code, codes), (Organization.name, names)):
        for chunk in _chunks(sorted(wanted)):
            for org in db.session.scalars(sa.select(Organization).where(column.in_(chunk))):
                by_name[org.name] = org
                if org.credit_code:
                    by_code[org.credit_code] = org
    return by_code, by_name


def _load_existing(refs: dict[PostingKind, set[str]]) -> dict[tuple[PostingKind, str], Posting]:
    found: dict[tuple[PostingKind, str], Posting] = {}
    for kind, wanted in refs.items():
        ids = {int(m.group(1)) for ref in wanted if (m := PLATFORM_REF.match(ref))}
        plain = sorted(ref for ref in wanted if not PLATFORM_REF.match(ref))
        for chunk in _chunks(plain):
            for posting in db.session.scalars(sa.select(Posting).where(Posting.kind == kind, Posting.ref.in_(chunk))):
                found[(kind, posting.ref)] = posting
        for chunk in _chunks(sorted(ids)):
            query = sa.select(Posting).where(Posting.kind == kind, Posting.ref.is_(None), Posting.id.in_(chunk))
            for posting in db.session.scalars(query):
                found[(kind, platform_ref(posting.id))] = posting
    return found


class _OrgResolver:
    """Credit code first, exact name otherwise; names the file introduces become one NewOrg each."""

    def __init__(self, by_code: dict, by_name: dict):
        self.by_code: dict[str, Organization | NewOrg] = dict(by_code)
        self.by_name: dict[str, Organization | NewOrg] = dict(by_name)

    def resolve(self, record: _Record, data: dict) -> Organization | NewOrg | str:
        """The organisation for a record, or a Chinese message when the file contradicts itself."""
        code, name = record.credit_code, record.org_name
        if code and code in self.by_code:
            return self.by_code[code]
        org = self.by_name.get(name)
        if org is None:
            org = NewOrg(name, record.org_type, code, data.get("region"), data.get("industry"))
            self.by_name[name] = org
        elif code and org.credit_code and org.credit_code != code:
            return f"机构“{name}”已登记的统一社会信用代码是 {org.credit_code}，与本行不一致"
        elif code and isinstance(org, NewOrg):
            org.credit_code = code
        if code:
            self.by_code[code] = org
        return org


def validate_records(records: Iterable[tuple[int, dict | Unreadable]], *, today: date | None = None) -> Validation:
    """Check the whole file before anything is written; every problem is reported with its line and field.

    Organisations and existing postings are looked up in batches up front, never per row.
    """
    today = today or local_today()
    records = [(line, raw if isinstance(raw, Unreadable) else _read_head(line, raw)) for line, raw in records]
    heads = [record for _, record in records if isinstance(record, _Record)]
    refs: dict[PostingKind, set[str]] = {}
    for head in heads:
        if head.kind and head.ref:
            refs.setdefault(head.kind, set()).add(head.ref)
    existing = _load_existing(refs)
    orgs = _OrgResolver(
        *_load_orgs({h.credit_code for h in heads if h.credit_code}, {h.org_name for h in heads if h.org_name})
    )

    good: list[ImportRow] = []
    errors: list[Issue] = []
    warnings: list[Issue] = []
    warned: set[str] = set()
    seen: dict[tuple[PostingKind, str], int] = {}
    for line, record in records:
        if isinstance(record, Unreadable):
            errors.append(Issue(line, None, str(record)))
            continue
        data, posting = _check_posting(record, existing, seen, today)
        for name in sorted(record.raw.keys() - known_fields(record.kind) if record.kind else ()):
            if name not in warned:
                warned.add(name)
                warnings.append(
                    Issue(line, name, f"{record.kind.label}没有“{name}”这一字段，已忽略（同名字段只提示一次）")
                )
        org = None
        if not record.errors.keys() & {"org", "org_type", "credit_code"}:
            org = orgs.resolve(record, data)
            if isinstance(org, str):
                record.errors["org"] = org
        if record.errors:
            errors.extend(Issue(line, name, message) for name, message in record.errors.items())
        else:
            warnings.extend(Issue(line, name, message) for name, message in record.notes.items())
            good.append(ImportRow(line, record.kind, record.ref, org, data, posting))
    if not records:
        errors.append(Issue(0, None, "文件中没有数据行"))
    return Validation(good, errors, warnings)


def _check_posting(record: _Record, existing: dict, seen: dict, today: date | None) -> tuple[dict, Posting | None]:
    """Duplicates within the file, platform refs, and clean_posting for the posting fields."""
    if record.kind is None:
        return {}, None
    key = (record.kind, record.ref)
    posting = existing.get(key)
    if record.ref:
        if key in seen:
            record.errors.setdefault("ref", f"外部编号“{record.ref}”与第{seen[key]}行重复")
        else:
            seen[key] = record.line
        if PLATFORM_REF.match(record.ref) and posting is None:
            record.errors.setdefault(
                "ref", f"lq: 开头的是平台编号，平台上没有编号为 {record.ref} 的{record.kind.label}"
            )
    raw = {name: value for name, value in record.raw.items() if name not in record.errors and name != "ref"}
    # an existing posting may keep a deadline that has passed since it was first imported
    cleaned = clean_posting(record.kind, raw, today=today, check_deadline=posting is None)
    for name, message in cleaned.errors.items():
        record.errors.setdefault(name, message)
    record.notes.update(cleaned.notes)
    return cleaned.data, posting
