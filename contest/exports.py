"""Spreadsheets out: CSV / Excel with Chinese headers (reading: contest/spreadsheets.py).

Every exported cell is safe to open in Excel, LibreOffice or WPS: text beginning with ``= + - @``,
a tab or a carriage return would be taken as a formula (CSV injection), so

- in CSV such text gets a leading apostrophe (``'=1+1``), which spreadsheet programs show as text;
- in XLSX it is written as an explicit string cell (``data_type 's'``) with Excel's quote prefix,
  so the value reads exactly as typed (``=1+1``) and is never evaluated, not even after editing.

Plain numbers (``-3``, ``+1.5``) stay as they are: they are not formulas.
"""
from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl.styles import Font

from . import spreadsheets

# Reading lives in contest/spreadsheets.py (size-checked before parsing); kept here for old callers.
read_table = spreadsheets.read_table


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(value: object) -> bool:
    """Text that a spreadsheet program would evaluate when it opens the file."""
    return (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value))


def neutralise(value: object) -> object:
    """The CSV form of one cell: formula-like text gets a leading apostrophe, anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header neutralised (for CSV)."""
    out = frame.copy()
    out.columns = [neutralise(c) for c in out.columns]
    for column in out.columns[[not pd.api.types.is_numeric_dtype(t) for t in out.dtypes]]:
        out[column] = out[column].map(neutralise)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """Formula-safe CSV text. Lines end in CRLF (RFC 4180), so a cell holding a lone CR is quoted
    and cannot start a new row in Excel (where an unquoted CR would begin an unneutralised cell)."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n")


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark so Excel opens Chinese text correctly; formula-safe."""
    return csv_text(frame).encode("utf-8-sig")


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    return (_SHEET_NAME_BAD.sub("_", str(name)).strip("'") or "Sheet")[:31]


def to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one formatted sheet per frame: bold frozen header, fitted widths; formula-safe."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            name = sheet_name(name)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            _neutralise_sheet(sheet)
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for i, column in enumerate(frame.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) * 2 + 2
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width, 60)
    return buffer.getvalue()


def _neutralise_sheet(sheet) -> None:
    """Text that openpyxl took for a formula (or Excel would) becomes a quoted string cell."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or is_formula_like(cell.value):
                cell.value = str(cell.value)
                cell.data_type = "s"
                cell.quotePrefix = True


def write(frame: pd.DataFrame, path, sheet: str = "Sheet1") -> None:
    """Write one frame to a .csv or .xlsx file on disk (the CLI), formula-safe like the downloads."""
    from pathlib import Path

    path = Path(path)
    data = to_excel({sheet: frame}) if path.suffix.lower() == ".xlsx" else to_csv(frame)
    path.write_bytes(data)
