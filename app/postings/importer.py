"""Bulk import and export of postings: the file contract shared by `flask catalog` and the admin pages.

Three steps, so the web preview can validate without writing: read_records → validate_records →
import_records. Posting fields are checked by app.postings.schema.clean_posting; this module adds what
only files have: the kind/ref/organisation columns, JSON types, duplicates within a file, and the upsert.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy.orm import joinedload

from app.core.enums import CooperationMode, OrgType, PostingKind, PostingStatus, Tier, VerificationStatus
from app.core.errors import ValidationFailed
from app.core.exports import export_rows
from app.core.models import record_change, utcnow
from app.core.regions import region_name
from app.core.validators import credit_code_error, normalize_credit_code
from app.extensions import db
from app.matching.models import enqueue_index
from app.organizations.models import Organization
from app.postings.models import Posting
from app.postings.schema import COMMON_FIELDS, FIELD_LABELS, KIND_FIELDS, clean_posting, known_fields
from app.postings.services import local_today, touch_posting

FORMATS = {"jsonl": "jsonl", "ndjson": "jsonl", "csv": "csv", "xlsx": "xlsx"}
IMPORT_REASON = "批量导入"
# Postings created on the site have no ref; export names them lq:<id> so an export re-imports onto them.
PLATFORM_REF = re.compile(r"^lq:(\d+)$")
CHUNK = 1000
REF_MAX = 100
ORG_NAME_MAX = 200
ALL_FIELDS = set(COMMON_FIELDS).union(*KIND_FIELDS.values())
_FIELD_BY_LABEL = {label: name for name, label in FIELD_LABELS.items()}


class UnreadableFile(ValidationFailed):
    """The file as a whole cannot be read: wrong encoding, not a workbook, unknown extension."""


class Unreadable(str):
    """A line that could not be parsed at all (bad JSON, too many columns); reported as an error."""


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


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    orgs_created: int = 0
    published: int = 0

    def __str__(self) -> str:
        return (
            f"新建 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条，"
            f"其中发布 {self.published} 条；新建机构 {self.orgs_created} 个"
        )


# ---------------------------------------------------------------- reading


def format_of(filename) -> str | None:
    return FORMATS.get(Path(str(filename)).suffix.lower().lstrip("."))


def read_records(source, fmt: str | None = None) -> Iterator[tuple[int, dict | Unreadable]]:
    """Yield (line number, record) from a path or a binary file object.

    Line numbers are what a person sees: the spreadsheet row (header = row 1) or the JSONL line.
    """
    fmt = fmt or format_of(source)
    if fmt not in _READERS:
        raise UnreadableFile("只支持 .jsonl、.csv、.xlsx 文件")
    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            yield from _READERS[fmt](fh)
    else:
        yield from _READERS[fmt](source)


def content_error(fmt: str, head: bytes) -> str | None:
    """A cheap look at the first bytes, so a renamed file is refused before it is stored."""
    if fmt == "xlsx":
        return None if head.startswith(b"PK\x03\x04") else "文件内容不是 Excel (.xlsx) 格式"
    if b"\x00" in head:
        return "文件内容不是文本，请上传 UTF-8 编码的 .csv 或 .jsonl 文件"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再上传"
    if fmt == "jsonl" and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "文件内容不是 JSON Lines（每行一个 {…} 对象）"
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableFile("文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入") from err


def _read_jsonl(fh) -> Iterator[tuple[int, dict | Unreadable]]:
    # split on \n only: JSON strings may legally hold U+2028, which str.splitlines would cut.
    for number, line in enumerate(_decode(fh.read()).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, Unreadable(f"不是有效的 JSON（第{err.colno}个字符：{err.msg}）")
            continue
        yield number, value if isinstance(value, dict) else Unreadable("每行应是一个 JSON 对象 {…}")


def _read_csv(fh) -> Iterator[tuple[int, dict | Unreadable]]:
    rows = csv.reader(io.StringIO(_decode(fh.read()), newline=""))
    try:
        yield from _tabular_records(rows)
    except csv.Error as err:
        raise UnreadableFile(f"CSV 文件格式有误：{err}") from err


def _read_xlsx(fh) -> Iterator[tuple[int, dict | Unreadable]]:
    try:
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise UnreadableFile("无法读取 Excel 文件，请确认是 .xlsx 格式（不支持旧版 .xls）") from err
    try:
        yield from _tabular_records(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


_READERS = {"jsonl": _read_jsonl, "csv": _read_csv, "xlsx": _read_xlsx}


def _tabular_records(rows: Iterable) -> Iterator[tuple[int, dict | Unreadable]]:
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return
    names = [_header_name(cell) for cell in header]
    for number, cells in enumerate(rows, start=2):
        values = [_cell_value(cell) for cell in cells]
        if all(v is None for v in values):
            continue
        if any(v is not None for v in values[len(names) :]):
            yield number, Unreadable("本行的列数多于表头")
            continue
        yield number, {name: v for name, v in zip(names, values, strict=False) if name and v is not None}


def _header_name(cell) -> str:
    text = str(cell).strip() if cell is not None else ""
    return _FIELD_BY_LABEL.get(text) or text.lower()


def _cell_value(value):
    if isinstance(value, str):
        value = value.strip()
        # exports quote text that starts like a formula ('=…); take the quote off again.
        if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
            value = value[1:]
        return value or None
    return value


# ---------------------------------------------------------------- validating

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


def _read_head(line: int, raw: dict) -> _Record:
    """The columns only files have: kind, ref, organisation; plus JSON types of every field."""
    record = _Record(line, raw, {})
    errors = record.errors
    for name, value in raw.items():
        if name in ALL_FIELDS and (message := _type_error(name, value)):
            errors[name] = message

    if "kind" not in errors:
        record.kind = PostingKind.from_any(raw.get("kind"))
        if not _text(raw.get("kind")):
            errors["kind"] = "请填写类别"
        elif record.kind is None:
            errors["kind"] = f"类别“{raw['kind']}”无效，可选：" + "、".join(
                f"{k.value}（{k.label}）" for k in PostingKind
            )
    if "ref" not in errors:
        record.ref = _text(raw.get("ref"))
        if not record.ref:
            errors["ref"] = "请填写外部编号（再次导入时用它识别同一条信息）"
        elif len(record.ref) > REF_MAX:
            errors["ref"] = f"外部编号不能超过{REF_MAX}个字符"
    if "org" not in errors:
        record.org_name = _text(raw.get("org"))
        if not record.org_name:
            errors["org"] = "请填写机构名称"
        elif len(record.org_name) > ORG_NAME_MAX:
            errors["org"] = f"机构名称不能超过{ORG_NAME_MAX}个字"
    if "org_type" not in errors:
        record.org_type = OrgType.from_any(raw.get("org_type"))
        if not _text(raw.get("org_type")):
            errors["org_type"] = "请填写机构类型"
        elif record.org_type is None:
            errors["org_type"] = f"机构类型“{raw['org_type']}”无效，可选：" + "、".join(t.label for t in OrgType)
    if "credit_code" not in errors and _text(raw.get("credit_code")):
        record.credit_code = normalize_credit_code(_text(raw.get("credit_code")))
        if message := credit_code_error(record.credit_code):
            errors["credit_code"] = message
            record.credit_code = None
    return record


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
                found[(kind, f"lq:{posting.id}")] = posting
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
    return cleaned.data, posting


# ---------------------------------------------------------------- writing

_COMMON_ATTRS = {"title": "", "body": "", "keywords": [], "industry": None, "region": None, "contact_name": None}
_KIND_ATTRS = {
    PostingKind.ACHIEVEMENT: {"trl": None, "year": None, "cooperation": [], "patents": []},
    PostingKind.NEED: {
        "budget_wan": None,
        "deadline": None,
        "challenge": False,
        "reward_wan": None,
        "ip_terms": None,
        "cooperation": [],
    },
    PostingKind.PROCUREMENT: {"quantity": None, "deadline": None, "qualifications": None},
    PostingKind.CAPABILITY: {"certifications": [], "tier": None},
}
_PUBLISHABLE = {PostingStatus.DRAFT, PostingStatus.SUBMITTED, PostingStatus.REJECTED}


def _values(row: ImportRow) -> dict:
    """Every attribute the file controls for this kind; a blank cell clears the attribute."""
    defaults = {**_COMMON_ATTRS, **_KIND_ATTRS[row.kind]}
    values = {name: row.data.get(name, default) for name, default in defaults.items()}
    return {name: list(v) if isinstance(v, list) else v for name, v in values.items()}


def _differs(posting: Posting, name: str, value) -> bool:
    current = getattr(posting, name)
    if name == "cooperation":
        return set(current) != set(value)
    return current != value


def import_records(
    good: list[ImportRow],
    *,
    publish: bool = False,
    verified: bool = False,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Upsert validated rows by (kind, ref). Flushes, never commits.

    A row equal to what is stored changes nothing: no version bump, no outbox row. Every created or
    changed posting gets a version bump and an outbox row; every status change an audit row.
    """
    summary = ImportSummary()
    created_orgs = _create_orgs(good, verified, actor, summary)
    now = utcnow()
    fresh: list[Posting] = []
    with db.session.no_autoflush:
        for row in good:
            org_id = row.org.id if isinstance(row.org, Organization) else created_orgs[id(row.org)].id
            if row.existing is None:
                fresh.append(_new_posting(row, org_id, publish, actor, now))
                if len(fresh) >= CHUNK:
                    _flush_new(fresh, actor, summary)
                    fresh = []
            else:
                _update_posting(row.existing, org_id, _values(row), publish, actor, now, summary)
            if progress:
                progress(1)
    _flush_new(fresh, actor, summary)
    db.session.flush()
    return summary


def _create_orgs(good: list[ImportRow], verified: bool, actor, summary: ImportSummary) -> dict[int, Organization]:
    wanted = {id(row.org): row.org for row in good if isinstance(row.org, NewOrg)}
    status = VerificationStatus.VERIFIED if verified else VerificationStatus.PENDING
    created = {}
    for key, spec in wanted.items():
        created[key] = Organization(
            name=spec.name,
            org_type=spec.org_type,
            credit_code=spec.credit_code,
            region=spec.region,
            industry=spec.industry,
            verification=status,
            verified_at=utcnow() if verified else None,
            verified_by_id=getattr(actor, "id", None) if verified else None,
        )
    db.session.add_all(created.values())
    db.session.flush()
    for org in created.values():
        record_change("organization", org.id, None, status, actor, IMPORT_REASON)
    summary.orgs_created = len(created)
    return created


def _new_posting(row: ImportRow, org_id: int, publish: bool, actor, now) -> Posting:
    posting = Posting(
        kind=row.kind,
        ref=row.ref,
        org_id=org_id,
        created_by_id=getattr(actor, "id", None),
        status=PostingStatus.PUBLISHED if publish else PostingStatus.DRAFT,
        published_at=now if publish else None,
        version=1,
    )
    for name, value in _values(row).items():
        setattr(posting, name, value)
    db.session.add(posting)
    return posting


def _flush_new(fresh: list[Posting], actor, summary: ImportSummary) -> None:
    if not fresh:
        return
    db.session.flush()  # ids for the audit and outbox rows
    for posting in fresh:
        record_change("posting", posting.id, None, posting.status, actor, IMPORT_REASON)
        enqueue_index("posting", posting.id, posting.version)
    summary.created += len(fresh)
    summary.published += sum(1 for p in fresh if p.status == PostingStatus.PUBLISHED)


def _update_posting(posting: Posting, org_id: int, values: dict, publish: bool, actor, now, summary) -> None:
    changed = posting.org_id != org_id
    if changed:
        posting.org_id = org_id
    for name, value in values.items():
        if _differs(posting, name, value):
            setattr(posting, name, value)
            changed = True
    if publish and posting.status in _PUBLISHABLE:
        record_change("posting", posting.id, posting.status, PostingStatus.PUBLISHED, actor, IMPORT_REASON)
        posting.status = PostingStatus.PUBLISHED
        posting.published_at = now
        posting.reject_reason = None
        summary.published += 1
        changed = True
    if changed:
        touch_posting(posting)
        summary.updated += 1
    else:
        summary.unchanged += 1


# ---------------------------------------------------------------- exporting


def contract_fields(kind: PostingKind | None = None) -> list[str]:
    """The column order of an export: the common fields, then each kind's own."""
    names = list(COMMON_FIELDS)
    for k in [kind] if kind else list(PostingKind):
        names += [name for name in KIND_FIELDS[k] if name not in names]
    return names


def export_query(kind: PostingKind | None = None, status: PostingStatus | None = None):
    query = sa.select(Posting).options(joinedload(Posting.org)).order_by(Posting.kind, Posting.id)
    if kind:
        query = query.where(Posting.kind == kind)
    if status:
        query = query.where(Posting.status == status)
    return query


def posting_record(posting: Posting) -> dict:
    """A posting in the import contract with JSON types (codes, not labels); blanks left out."""
    org = posting.org
    values = {
        "kind": posting.kind.value,
        "ref": posting.ref or f"lq:{posting.id}",
        "org": org.name,
        "org_type": org.org_type.value,
        "title": posting.title,
        "keywords": list(posting.keywords),
        "industry": posting.industry,
        "region": posting.region,
        "credit_code": org.credit_code,
        "contact": posting.contact_name,
        "summary": posting.body,
        "description": posting.body,
        "trl": posting.trl,
        "cooperation": [mode.value for mode in posting.cooperation],
        "year": posting.year,
        "patents": list(posting.patents),
        "budget_wan": _number(posting.budget_wan),
        "deadline": posting.deadline.isoformat() if posting.deadline else None,
        "challenge": posting.challenge,
        "reward_wan": _number(posting.reward_wan),
        "ip_terms": posting.ip_terms,
        "quantity": posting.quantity,
        "qualifications": posting.qualifications,
        "certifications": list(posting.certifications),
        "tier": posting.tier.value if posting.tier else None,
    }
    fields = (*COMMON_FIELDS, *KIND_FIELDS[posting.kind])
    return {name: values[name] for name in fields if values[name] not in (None, "", [])}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _for_people(record: dict) -> dict:
    """Spreadsheet cells read by people: Chinese labels where the importer accepts them back."""
    out = dict(record)
    out["org_type"] = OrgType(record["org_type"]).label
    if record.get("region"):
        out["region"] = region_name(record["region"]) or record["region"]
    if "cooperation" in record:
        out["cooperation"] = [CooperationMode(mode).label for mode in record["cooperation"]]
    if "challenge" in record:
        out["challenge"] = "是" if record["challenge"] else "否"
    if "tier" in record:
        out["tier"] = Tier(record["tier"]).label
    return out


def export_table(kind: PostingKind | None = None, status: PostingStatus | None = None) -> tuple[list, list]:
    headers = contract_fields(kind)
    rows = []
    for posting in db.session.scalars(export_query(kind, status)).unique():
        record = _for_people(posting_record(posting))
        rows.append([record.get(name) for name in headers])
    return headers, rows


def write_export(path: Path, kind: PostingKind | None = None, status: PostingStatus | None = None) -> int:
    """Write an export file whose format follows the extension; returns the number of postings."""
    fmt = format_of(path)
    if fmt == "jsonl":
        count = 0
        with open(path, "w", encoding="utf-8") as fh:
            for posting in db.session.scalars(export_query(kind, status)).unique():
                fh.write(json.dumps(posting_record(posting), ensure_ascii=False) + "\n")
                count += 1
        return count
    if fmt not in ("csv", "xlsx"):
        raise UnreadableFile("只能导出为 .jsonl、.csv、.xlsx 文件")
    headers, rows = export_table(kind, status)
    Path(path).write_bytes(export_rows(fmt, "导出", headers, rows).get_data())
    return len(rows)
