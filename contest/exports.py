"""Spreadsheets in and out: CSV / Excel, checked by their bytes, Chinese headers."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl.styles import Font

from .errors import ValidationError

XLSX_MAGIC = b"PK\x03\x04"
MAX_SHEET_BYTES = 10 * 1024 * 1024


def read_table(data: bytes, filename: str = "") -> pd.DataFrame:
    """Read an uploaded .csv or .xlsx; the content, not the name, decides the format."""
    if len(data) > MAX_SHEET_BYTES:
        raise ValidationError("文件超过 10 MB。")
    if not data.strip():
        raise ValidationError("文件是空的。")
    suffix = Path(filename).suffix.lower()
    if data.startswith(XLSX_MAGIC):
        if suffix not in ("", ".xlsx"):
            raise ValidationError("文件内容是 Excel 表格，但扩展名不是 .xlsx。")
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str)
        except Exception:  # openpyxl raises many kinds for a damaged zip
            raise ValidationError("无法读取该 Excel 文件，请确认是 .xlsx 格式。") from None
    elif suffix in ("", ".csv", ".txt"):
        try:
            frame = pd.read_csv(io.StringIO(_decode(data)), dtype=str)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            raise ValidationError("无法读取该 CSV 文件：表格格式有误（例如引号没有成对出现），"
                                  "请用 Excel 另存为 .xlsx 或 UTF-8 CSV 后重新上传。") from None
    elif suffix == ".xlsx":
        raise ValidationError("文件扩展名是 .xlsx，但内容不是 Excel 表格（旧版 .xls 也不支持），"
                              "请用 Excel 另存为 .xlsx 后重新上传。")
    else:
        raise ValidationError("只支持 .csv 或 .xlsx 文件。")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.dropna(how="all")


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError("文件不是文本表格（CSV），请上传 .csv 或 .xlsx 文件。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别 CSV 文件的编码，请另存为 UTF-8。")


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
