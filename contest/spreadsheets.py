"""The one reader of uploaded spreadsheets (.csv / .xlsx), checked before and while parsing.

Every import (proposals, accounts, replies, assignments, the CLI's ``rank`` and ``topics``) reads
its file here, so one set of limits holds everywhere:

- the file's bytes, checked first; the content decides the format (magic bytes), not the name,
  and executables, archives, PDFs and old .xls files are refused by their first bytes;
- for .xlsx, the zip directory is inspected with ``zipfile`` BEFORE openpyxl opens anything:
  number of entries and their declared uncompressed size (``zipfile`` never inflates an entry past
  the size it declares), so a zip bomb is refused without being inflated;
- rows, columns, cells and the length of one cell, counted while streaming (csv module / openpyxl
  read-only), so a CSV of one million commas or a sheet declaring 16384 columns never becomes a
  huge table; and a time bound checked while reading.

Every refusal is a ``ValidationError`` with a Chinese message. The result is a DataFrame of text:
every cell a ``str`` or NaN (empty cell), headers stripped, blank rows left out, and the index is
the spreadsheet row number minus 2 (so ``index + 2`` is the row a user sees in Excel when the
header is in row 1).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ValidationError

XLSX_MAGIC = b"PK\x03\x04"
EXCEL_MAX_COLUMNS = 16_384
# First bytes of files that are certainly not a spreadsheet we read (checked before anything else).
_NOT_A_SHEET = {
    b"MZ": "Windows 程序（.exe/.dll）",
    b"\x7fELF": "Linux 程序",
    b"\xca\xfe\xba\xbe": "程序文件",
    b"\xcf\xfa\xed\xfe": "macOS 程序",
    b"#!": "脚本文件",
    b"%PDF": "PDF 文档",
    b"\xd0\xcf\x11\xe0": "旧版 Office 文件（.xls/.doc）",
    b"\x1f\x8b": "压缩包（.gz）",
    b"7z\xbc\xaf": "压缩包（.7z）",
    b"Rar!": "压缩包（.rar）",
    b"BZh": "压缩包（.bz2）",
    b"\xfd7zXZ": "压缩包（.xz）",
    b"\x89PNG": "图片",
    b"\xff\xd8\xff": "图片",
    b"GIF8": "图片",
    b"SQLite format 3": "数据库文件",
}


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024          # the uploaded file
    max_uncompressed: int = 64 * 1024 * 1024   # .xlsx: all zip entries together, as declared
    max_zip_entries: int = 500
    max_rows: int = 20_000                     # non-blank data rows
    max_scanned_rows: int = 100_000            # rows read including blank ones
    max_columns: int = 100
    max_cells: int = 1_000_000
    max_cell_chars: int = 32_767               # Excel's own limit for one cell
    max_seconds: float = 30.0


LIMITS = Limits()


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def read_table(data: bytes, filename: str = "", *, header: bool = True, limits: Limits = LIMITS) -> pd.DataFrame:
    """Read an uploaded .csv or .xlsx into a frame of text; raise ValidationError (Chinese) if refused.

    ``header=False`` returns every non-blank row with columns 0..n-1 and the index the 0-based sheet
    row, for callers that look for the header row themselves (title rows above the header).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValidationError("上传的内容不是文件。")
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise ValidationError(f"文件有 {_mb(len(data))}，超过 {_mb(limits.max_bytes)} 的上限，请拆分后分批导入。")
    if not data.strip():
        raise ValidationError("文件是空的。")
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ("", ".csv", ".txt", ".xlsx"):
        raise ValidationError("只支持 .csv 或 .xlsx 文件。")
    deadline = time.monotonic() + limits.max_seconds
    if data.startswith(XLSX_MAGIC):
        if suffix not in ("", ".xlsx"):
            raise ValidationError("文件内容是 Excel 表格，但扩展名不是 .xlsx。")
        rows = _xlsx_rows(data, limits, deadline)
    else:
        kind = next((k for magic, k in _NOT_A_SHEET.items() if data.startswith(magic)), None)
        if suffix == ".xlsx":
            raise ValidationError("文件扩展名是 .xlsx，但内容不是 Excel 表格（旧版 .xls 也不支持），"
                                  "请用 Excel 另存为 .xlsx 后重新上传。")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValidationError("CSV 文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV UTF-8”后重新上传。")
        if kind or b"\x00" in data[:4096]:
            raise ValidationError(f"文件不是表格（看起来是{kind or '二进制文件'}），请上传 .csv 或 .xlsx 文件。")
        rows = _csv_rows(_decode(data), limits, deadline)
    return _frame(rows, header, limits, deadline)


def read_path(path: str | Path, *, header: bool = True, limits: Limits = LIMITS) -> pd.DataFrame:
    """``read_table`` for a file on disk (the CLI): its size is checked before it is read."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"找不到文件：{path}")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ValidationError(f"文件 {path.name} 有 {_mb(size)}，超过 {_mb(limits.max_bytes)} 的上限。")
    return read_table(path.read_bytes(), path.name, header=header, limits=limits)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别 CSV 文件的编码，请另存为 UTF-8。")


def _check_time(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise ValidationError("读取表格用时过长，已停止。请检查文件或拆分后分批导入。")


def _check_row(row: list, number: int, limits: Limits) -> None:
    """Trailing empty cells dropped in place, then the row's width and cell lengths checked."""
    while row and row[-1] == "":
        row.pop()
    if len(row) > limits.max_columns:
        raise ValidationError(f"第 {number} 行有 {len(row)} 列，超过 {limits.max_columns} 列的上限。")
    for value in row:
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise ValidationError(f"第 {number} 行有一个单元格超过 {limits.max_cell_chars} 个字符。")


def _csv_rows(text: str, limits: Limits, deadline: float):
    """(row number, cells) for every line of the CSV, checked as it is read."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for number, row in enumerate(reader, start=1):
            if number % 1000 == 0:
                _check_time(deadline)
            if len(row) > EXCEL_MAX_COLUMNS:  # a line of commas: refused before anything else
                raise ValidationError(f"第 {number} 行有 {len(row)} 列，超过 Excel 的列数，不是正常的表格。")
            _check_row(row, number, limits)
            yield number, row
    except csv.Error as error:
        if "field larger" in str(error):
            raise ValidationError(f"第 {reader.line_num} 行附近有一个单元格超过 {limits.max_cell_chars} 个字符。") from None
        raise ValidationError("无法读取该 CSV 文件：表格格式有误（例如引号没有成对出现），"
                              "请用 Excel 另存为 .xlsx 或 UTF-8 CSV 后重新上传。") from None


def _xlsx_rows(data: bytes, limits: Limits, deadline: float):
    """(row number, cells) of the first worksheet, after the zip directory has been checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValidationError("无法读取该 Excel 文件（压缩结构损坏），请确认是 .xlsx 格式。") from None
    if len(entries) > limits.max_zip_entries:
        raise ValidationError(f"Excel 文件内部有 {len(entries)} 个部件，超过 {limits.max_zip_entries} 个的上限。")
    if any(e.flag_bits & 0x1 for e in entries):
        raise ValidationError("Excel 文件设置了密码，请取消密码后重新上传。")
    total = sum(e.file_size for e in entries)
    if total > limits.max_uncompressed:
        raise ValidationError(f"Excel 文件解压后有 {_mb(total)}，超过 {_mb(limits.max_uncompressed)} 的上限"
                              "（可能是压缩炸弹），请拆分后分批导入。")
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise ValidationError("文件是压缩包，但不是 Excel 表格（.xlsx），请用 Excel 另存为 .xlsx 后重新上传。")
    archive.close()

    from openpyxl import load_workbook  # only after the checks above

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise ValidationError("无法读取该 Excel 文件，请确认是 .xlsx 格式。") from None
    try:
        if not book.worksheets:
            raise ValidationError("Excel 文件中没有工作表。")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # never trust the declared size: rows are as long as their cells
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number % 500 == 0:
                    _check_time(deadline)
                row = [_cell_text(v) for v in values]
                _check_row(row, number, limits)
                yield number, row
        except ValidationError:
            raise
        except Exception:
            raise ValidationError("无法读取该 Excel 文件的内容，请确认是 .xlsx 格式。") from None
    finally:
        book.close()


def _cell_text(value) -> str:
    """A cell as the text a user sees ('' for empty); whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return str(value)  # like pandas: '2024-03-01 00:00:00'
    return str(value)


def _frame(rows, header: bool, limits: Limits, deadline: float) -> pd.DataFrame:
    kept: list[tuple[int, list[str]]] = []
    cells = width = 0
    head: list[str] | None = None
    for scanned, (number, row) in enumerate(rows, start=1):
        if scanned > limits.max_scanned_rows:
            raise ValidationError(f"表格超过 {limits.max_scanned_rows} 行（含空行），请删除多余的行。")
        if not any(v.strip() for v in row):
            continue
        if header and head is None:
            head = row
            continue
        if len(kept) >= limits.max_rows:
            raise ValidationError(f"表格超过 {limits.max_rows} 行数据的上限，请拆分后分批导入。")
        cells += len(row)
        if cells > limits.max_cells:
            raise ValidationError(f"表格超过 {limits.max_cells} 个单元格的上限，请拆分后分批导入。")
        width = max(width, len(row))
        kept.append((number, row))
    _check_time(deadline)
    if header:
        if head is None:
            raise ValidationError("表格是空的：没有表头行。")
        columns = _column_names(head, max(width, len(head)))
        index = [number - 2 for number, _ in kept]
    else:
        columns = list(range(width))
        index = [number - 1 for number, _ in kept]
    values = np.full((len(kept), len(columns)), np.nan, dtype=object)
    for i, (_, row) in enumerate(kept):
        for j, value in enumerate(row):
            if value != "":
                values[i, j] = value
    return pd.DataFrame(values, columns=columns, index=pd.Index(index), dtype=object)


def _column_names(head: list[str], width: int) -> list[str]:
    """Stripped header names; empty ones 'Unnamed: i', duplicates 'name.1' (as pandas names them)."""
    names, seen = [], {}
    for i in range(width):
        name = head[i].strip() if i < len(head) else ""
        name = name or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names
