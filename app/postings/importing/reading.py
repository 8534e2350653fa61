"""Reading import files (.jsonl, .csv, .xlsx) into (line number, record) pairs; nothing is checked here."""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.core.errors import ValidationFailed
from app.core.exports import unquote_cell
from app.postings.schema import FIELD_LABELS

FORMATS = {"jsonl": "jsonl", "ndjson": "jsonl", "csv": "csv", "xlsx": "xlsx"}
_FIELD_BY_LABEL = {label: name for name, label in FIELD_LABELS.items()}


class UnreadableFile(ValidationFailed):
    """The file as a whole cannot be read: wrong encoding, not a workbook, unknown extension."""


class Unreadable(str):
    """A line that could not be parsed at all (bad JSON, too many columns); reported as an error."""


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
            yield from _refuse_nul(_READERS[fmt](fh))
    else:
        yield from _refuse_nul(_READERS[fmt](source))


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return isinstance(value, (list, tuple)) and any(_has_nul(v) for v in value)


def _refuse_nul(records: Iterator[tuple[int, dict | Unreadable]]) -> Iterator[tuple[int, dict | Unreadable]]:
    """PostgreSQL cannot store NUL (0x00): a line holding one (a JSON "\\u0000", a stray byte) is an error."""
    for number, record in records:
        yield number, Unreadable("本行含有无效的空字符（\\0），请删除后重新导入") if _has_nul(record) else record


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


# What a damaged workbook raises; SyntaxError covers the XML parser's ParseError.
_BROKEN_XLSX = (zipfile.BadZipFile, zlib.error, InvalidFileException, LookupError, OSError, ValueError, SyntaxError)
_XLSX_UNREADABLE = "无法读取 Excel 文件，请确认是 .xlsx 格式（不支持旧版 .xls）"


def _read_xlsx(fh) -> Iterator[tuple[int, dict | Unreadable]]:
    try:
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except _BROKEN_XLSX as err:
        raise UnreadableFile(_XLSX_UNREADABLE) from err
    try:
        yield from _tabular_records(workbook.worksheets[0].iter_rows(values_only=True))
    except _BROKEN_XLSX as err:  # a damaged sheet only shows while its rows are read
        raise UnreadableFile(_XLSX_UNREADABLE) from err
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
        # exports quote text that starts like a formula ('=…); take the quote off again.
        value = unquote_cell(value.strip()).strip()
        return value or None
    return value
