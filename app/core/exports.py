"""Turn rows into .xlsx or .csv downloads. Every list page uses this for its export buttons."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from urllib.parse import quote

from flask import Response, abort
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

EXPORT_FORMATS = {"xlsx", "csv"}
# Characters Excel refuses in a sheet name ("企业能力/产品" has one).
_UNSAFE_SHEET_TITLE = re.compile(r"[\\/*?:\[\]]")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Keep user text from being read as a formula by spreadsheet programs.
        return "'" + value
    return value


def export_rows(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """Render rows as an attachment; `filename` has no extension and may be Chinese."""
    return export_sheets(fmt, filename, [(filename, headers, rows)])


def export_sheets(fmt: str, filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> Response:
    """Several tables (title, headers, rows) in one download: one worksheet each in .xlsx; in .csv one
    after another, each under its title and a blank line apart (a single table has no title row)."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    tables = [(title, list(headers), [[_cell(v) for v in row] for row in rows]) for title, headers, rows in sheets]
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.writer(buf)
        for i, (title, headers, data) in enumerate(tables):
            if len(tables) > 1:
                writer.writerows([[]] * bool(i) + [[title]])
            writer.writerow(headers)
            writer.writerows(data)
        body = buf.getvalue().encode("utf-8")
        mimetype = "text/csv; charset=utf-8"
    else:
        wb = Workbook()
        wb.remove(wb.active)
        for title, headers, data in tables:
            _write_sheet(wb.create_sheet(_UNSAFE_SHEET_TITLE.sub("-", title)[:31] or "导出"), headers, data)
        out = io.BytesIO()
        wb.save(out)
        body = out.getvalue()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    full = f"{filename}.{fmt}"
    disposition = f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(full, safe='')}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _write_sheet(ws, headers: list[str], data: list[list]) -> None:
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in data:
        ws.append(row)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(50, len(str(header)) * 2 + 4))
    ws.freeze_panes = "A2"
