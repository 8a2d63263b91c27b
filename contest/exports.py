"""Spreadsheets out: CSV / Excel with Chinese headers (reading: contest/spreadsheets.py)."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl.styles import Font

from . import spreadsheets

# Reading lives in contest/spreadsheets.py (size-checked before parsing); kept here for old callers.
read_table = spreadsheets.read_table


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV with a byte-order mark so Excel opens Chinese text correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one formatted sheet per frame: bold frozen header, fitted widths."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for i, column in enumerate(frame.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) * 2 + 2
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width, 60)
    return buffer.getvalue()
