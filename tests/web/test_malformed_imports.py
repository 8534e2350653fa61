"""A malformed import file uploaded on the admin pages gets a clear message and imports nothing bad."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from flask import current_app
from openpyxl import Workbook

from app.postings.models import Posting
from tests.web.helpers import Sweep
from tests.web.world import changed_tables, snapshot


def jsonl(*records) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records).encode()


GOOD_ROW = {"kind": "achievement", "ref": "HOSTILE-1", "org": "内蒙古测试大学", "org_type": "高校",
            "title": "稀土永磁技术", "keywords": "稀土", "industry": "C32", "region": "150200", "summary": "简介",
            "trl": 6}  # fmt: skip
CSV_HEADER = "kind,ref,org,org_type,title,keywords,industry,region,summary,trl\n"


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def broken_xlsx() -> bytes:
    """A real workbook whose sheet XML has been cut in half."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([list(GOOD_ROW), list(GOOD_ROW.values())])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    return out.getvalue()


MALFORMED_IMPORTS = {
    "nul-escape.jsonl": jsonl({**GOOD_ROW, "title": "稀土\u0000永磁"}),
    "nul-late.csv": (CSV_HEADER + "achievement,R-2,内蒙古测试大学,高校,稀土,稀土,C32,150200,简介,99\n" * 60
                     + "achievement,R-3,内蒙古测试大学,高校,稀\x00土,稀土,C32,150200,简介,6\n").encode(),
    "types.jsonl": jsonl([1, 2], 42, "null", '"text"', {**GOOD_ROW, "title": {"a": 1}, "trl": [6], "keywords": {"x": 1}},
                         {**GOOD_ROW, "ref": "H-2", "trl": "1e999"}, '{"kind": "achievement", "trl": 1e999}',
                         {**GOOD_ROW, "ref": "H-3", "deadline": 20250101, "kind": "need", "budget_wan": "NaN"}),
    "huge.csv": (CSV_HEADER + "achievement,R-4,内蒙古测试大学,高校," + "长" * 100_000 + ",稀土,C32,150200,简介,6\n").encode(),
    "wide.csv": (CSV_HEADER + ",".join(["x"] * 5000) + "\n" + "achievement\n" + '"unclosed,\n').encode(),
    "header-only.csv": CSV_HEADER.encode(),
    "no-header.csv": b"\n\n\n",
    "duplicate-columns.csv": b"title,title,kind\nA,B,achievement\n",
    "not-a-workbook.xlsx": b"PK\x03\x04" + b"\x00" * 200,
    "broken-sheet.xlsx": broken_xlsx(),
    "odd-cells.xlsx": xlsx([list(GOOD_ROW), ["achievement", "H-5", "=1+1", True, 3.5, None, date(2025, 1, 1), 150200, None, 99]]),
}  # fmt: skip


@pytest.mark.parametrize("name", MALFORMED_IMPORTS)
def test_a_malformed_import_file_gets_a_clear_message_and_imports_nothing_bad(client, db, world, name, tmp_path):
    current_app.config["IMPORT_DIR"] = str(tmp_path)
    before = snapshot(db)
    sweep = Sweep(client, db, world.platform_admin)
    data = {"file": (io.BytesIO(MALFORMED_IMPORTS[name]), name)}
    sweep.send("POST", "/admin/import", "admin.import_start", data=data, content_type="multipart/form-data")
    preview = sweep.send("GET", "/admin/import/preview", "admin.import_preview")
    sweep.send("POST", "/admin/import/confirm", "admin.import_confirm", data={"publish": "y", "skip_invalid": "y"})
    assert not sweep.failures, "\n".join(sweep.failures)
    assert preview is not None and preview.status_code in (200, 302)
    titles = db.session.scalars(sa.select(Posting.title)).all()
    assert not any("\x00" in t or len(t) > 200 for t in titles)
    assert changed_tables(before, snapshot(db)) == []
