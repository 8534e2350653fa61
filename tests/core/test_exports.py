"""The one sanitiser every download cell passes (app/core/exports.py): text a spreadsheet would read as a
formula gets a leading ' (OWASP CSV injection), lists too; numbers and dates stay what they are; .xlsx text is
written as text; importers take the quote off again."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.exports import export_sheets, safe_cell, unquote_cell


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        (['=HYPERLINK("http://x")', "稀土"], '\'=HYPERLINK("http://x")；稀土'),
        (("-1", "永磁"), "'-1；永磁"),
        (["稀土", "=1+1"], "稀土；=1+1"),  # only the first character counts
        ("稀土 = 永磁", "稀土 = 永磁"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_and_lists_that_start_like_a_formula_get_a_leading_quote(value, cell):
    assert safe_cell(value) == cell


def test_numbers_dates_and_times_keep_their_type():
    assert safe_cell(-5) == -5 and safe_cell(Decimal("-1.5")) == Decimal("-1.5") and safe_cell(True) is True
    assert safe_cell(date(2026, 12, 4)) == "2026-12-04"
    assert safe_cell(datetime(2026, 12, 4, 9, 12)) == "2026-12-04 09:12"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@x", "\tx", "\rx", "'plain", "plain"])
def test_importers_get_back_what_was_exported(text):
    assert unquote_cell(safe_cell(text)) == text


def test_xlsx_cells_are_text_never_formulas_even_in_headers_and_titles():
    sheets = [("=title", ["=header", "数量"], [["=1+1", 3], [["@a", "b"], None]])]
    workbook = load_workbook(io.BytesIO(export_sheets("xlsx", "导出", sheets).data))
    rows = list(workbook.active.iter_rows())
    assert [[c.value for c in row] for row in rows] == [["'=header", "数量"], ["'=1+1", 3], ["'@a；b", None]]
    assert "f" not in {c.data_type for row in rows for c in row}


def test_csv_cells_never_start_like_a_formula_even_the_table_titles():
    sheets = [("=first", ["名称"], [["+1"]]), ("second", ["名称"], [["\t-2"]])]
    text = export_sheets("csv", "导出", sheets).data.decode("utf-8-sig")
    cells = [v for row in csv.reader(io.StringIO(text, newline="")) for v in row]
    assert cells == ["'=first", "名称", "'+1", "second", "名称", "'\t-2"]
