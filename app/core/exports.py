"""Turn rows into .xlsx or .csv downloads. Every list page uses this for its export buttons."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response, abort
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

EXPORT_FORMATS = {"xlsx", "csv"}
# Characters Excel refuses in a sheet name ("企业能力/产品" has one).
_UNSAFE_SHEET_TITLE = re.compile(r"[\\/*?:\[\]]")


# What makes a spreadsheet read a cell as a formula (or a DDE call) when it comes first (OWASP, CSV Injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Every cell of every download passes here (headers, titles, scalars and lists alike): lists are joined,
    times formatted, and text that starts like a formula gets a leading ' (OWASP) so it stays text, e.g. a
    keyword =HYPERLINK(…) or "-1+2". Numbers stay numbers: a spreadsheet reads them as values, never formulas."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "；".join(str(v) for v in value)
    elif isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        return value.isoformat()
    elif isinstance(value, (bool, int, float, Decimal)):
        return value
    value = str(value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def unquote_cell(text: str) -> str:
    """safe_cell undone, for importers reading an export back: the ' before a formula character goes."""
    return text[1:] if text[:1] == "'" and text[1:].startswith(FORMULA_TRIGGERS) else text


def export_rows(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """Render rows as an attachment; `filename` has no extension and may be Chinese."""
    return export_sheets(fmt, filename, [(filename, headers, rows)])


def export_sheets(fmt: str, filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> Response:
    """Several tables (title, headers, rows) in one download: one worksheet each in .xlsx; in .csv one
    after another, each under its title and a blank line apart (a single table has no title row)."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    tables = [
        (title, [safe_cell(h) for h in headers], [[safe_cell(v) for v in row] for row in rows])
        for title, headers, rows in sheets
    ]
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.writer(buf)
        for i, (title, headers, data) in enumerate(tables):
            if len(tables) > 1:
                writer.writerows([[]] * bool(i) + [[safe_cell(title)]])
            writer.writerow(headers)
            writer.writerows(data)
        body = buf.getvalue().encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        wb = Workbook()
        wb.remove(wb.active)
        for title, headers, data in tables:
            _write_sheet(wb.create_sheet(_sheet_title(title)), headers, data)
        out = io.BytesIO()
        wb.save(out)
        body = out.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    full = f"{filename}.{fmt}"
    disposition = f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(full, safe='')}"
    # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to any text/* mimetype, so a mimetype that
    # already names its charset would be sent with it twice.
    return Response(body, content_type=content_type, headers={"Content-Disposition": disposition})


def _sheet_title(title: str) -> str:
    # Excel also refuses a sheet name that starts or ends with an apostrophe.
    return _UNSAFE_SHEET_TITLE.sub("-", title)[:31].strip("'") or "导出"


def _write_sheet(ws, headers: list, data: list[list]) -> None:
    for row in [headers, *data]:
        ws.append(row)
        for cell in ws[ws.max_row][: len(row)]:
            # openpyxl makes any text starting with "=" a formula; text is only ever written as text.
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(50, len(str(header)) * 2 + 4))
    ws.freeze_panes = "A2"
