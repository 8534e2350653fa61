"""Exports in the import contract, so an export re-imports onto the same postings."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.core.enums import CooperationMode, OrgType, PostingKind, PostingStatus, Tier
from app.core.exports import export_rows
from app.core.regions import region_name
from app.extensions import db
from app.postings.importing.reading import UnreadableFile, format_of
from app.postings.importing.validation import platform_ref
from app.postings.models import Posting
from app.postings.schema import COMMON_FIELDS, KIND_FIELDS


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
        "ref": posting.ref or platform_ref(posting.id),
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
