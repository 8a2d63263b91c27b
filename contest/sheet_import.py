"""Organizers' own spreadsheets, read as they are: the header row is found, not assumed.

A summary sheet kept by a student congress rarely starts with the header: a merged title row
(某某大学第N次学代会提案汇总表) and a note come first, headers come in local variants
(提案题目 / 案由 for the title, 承办单位 for the department ...), a header may be split over
two rows (提案人 over 姓名 | 学号), 学号 are stored as numbers (2023012345.0), and one
category or department cell is often merged down over several proposals.

* :func:`read_grid` -- every cell as text, no header assumed; merged ranges filled down;
  the index is the spreadsheet row number (1-based).
* :func:`header_row` -- the row whose cells match the most known column names.
* :func:`table` -- the rows under the header with canonical column names (given by an
  ``aliases`` mapping), the unrecognised headers, and ``frame.index + 2`` = spreadsheet row
  (the convention of a sheet whose header is row 1).
* :func:`clean_number` -- 2023012345.0 / 2.023012345E+09 -> "2023012345".

Pure data shaping: no database, no permission rule (algorithm layer).
"""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

import pandas as pd

from . import spreadsheets
from .errors import ValidationError

#: Rows searched for the header (title rows and notes above it).
HEADER_SCAN_ROWS = 20

_REMARK = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_SPACE_AND_MARKS = re.compile(r"[\s\u3000*＊:：]+")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$")


def header_key(value) -> str:
    """A header as compared: no spaces, line breaks, stars, colons or remarks in brackets."""
    text = _REMARK.sub("", str(value or ""))
    return _SPACE_AND_MARKS.sub("", text).lower()


def clean_number(value) -> str:
    """A 学号 / 工号 as text: a number Excel stored (2023012345.0, 2.023012345E+09) loses its
    float form; text such as "2023A0012" or "  2023012345 " is kept (stripped)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if _NUMBER.match(text) and ("." in text or "e" in text.lower()):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            whole = str(int(number))
            if "e" in text.lower() and len(number.as_tuple().digits) < len(whole):  # 2.02301E+09: digits gone
                raise ValidationError(f"学号“{text}”是科学计数法，末几位已经丢失。请在 Excel 中把学号列设为“文本”，"
                                      "重新填写后上传。")
            return whole
    return text


def read_grid(data: bytes, filename: str = "") -> pd.DataFrame:
    """The first sheet of an .xlsx or a .csv as text cells without a header.

    Read by :func:`contest.spreadsheets.read_table` (its size and content checks, blank rows
    left out). Columns are 0, 1, 2 ...; the index is the spreadsheet row number (1-based). In
    an .xlsx, a merged range spanning several rows gives its value to every row of its first
    column (a 提案类别 or 承办单位 merged down over several proposals); the other columns of a
    range spanning several columns stay empty (the value is not copied into a neighbour's field)."""
    frame = spreadsheets.read_table(data, filename, header=False)
    grid = frame.astype(object).where(frame.notna(), "")
    grid.index = [int(i) + 1 for i in frame.index]
    if bytes(data[:4]) == spreadsheets.XLSX_MAGIC and len(grid):
        for top, left, bottom in _vertical_merges(bytes(data)):
            if left not in grid.columns or top not in grid.index:
                continue
            value = grid.at[top, left]
            for row in grid.index[(grid.index > top) & (grid.index <= bottom)]:
                if not grid.at[row, left]:
                    grid.at[row, left] = value
    return grid


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)"')
_FIRST_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\b(?:\w+:)?id="([^"]+)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for c in letters.decode():
        number = number * 26 + ord(c) - 64
    return number - 1


def _vertical_merges(data: bytes) -> list[tuple[int, int, int]]:
    """(top row, column, bottom row) of the merged ranges of the first worksheet spanning several
    rows, from its XML (openpyxl's streaming reader does not report merges). The file was already
    checked by :func:`contest.spreadsheets.read_table` (entries and their unpacked sizes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = archive.read("xl/workbook.xml")
            first = _FIRST_SHEET.search(book)
            rels = archive.read("xl/_rels/workbook.xml.rels")
            target = None
            if first:
                for rel in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
                    attrs = dict(re.findall(rb'(\w+)="([^"]*)"', rel.group(0)))
                    if attrs.get(b"Id") == first.group(1):
                        target = attrs.get(b"Target", b"").decode()
            if not target:
                return []
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            sheet = archive.read(path)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return []
    merges = []
    for left, top, _right, bottom in _MERGE.findall(sheet):
        if int(bottom) > int(top):
            merges.append((int(top), _column_number(left), int(bottom)))
    return merges


def _matches(cells, aliases: dict[str, str]) -> dict[int, str]:
    """column position -> canonical field for the cells that are known column names (first wins)."""
    found, used = {}, set()
    for position, cell in enumerate(cells):
        field = aliases.get(header_key(cell))
        if field and field not in used:
            found[position] = field
            used.add(field)
    return found


def header_row(grid: pd.DataFrame, aliases: dict[str, str], *, min_matches: int = 2) -> int | None:
    """The spreadsheet row (index of ``grid``) of the header: among the first
    ``HEADER_SCAN_ROWS`` rows, the first one matching the most known column names
    (at least ``min_matches``); None when no row does."""
    best, best_count = None, min_matches - 1
    for row in list(grid.index)[:HEADER_SCAN_ROWS]:
        count = len(_matches(grid.loc[row].tolist(), aliases))
        if count > best_count:
            best, best_count = row, count
    return best


def table(grid: pd.DataFrame, aliases: dict[str, str], *, required_any: tuple[str, ...] = ()
          ) -> tuple[pd.DataFrame, list[str], int | None]:
    """(frame, unused headers, header row) of the rows under the header.

    ``aliases`` maps :func:`header_key` of a header to a canonical field; the frame has
    those fields as columns (the first column of each field wins), text cells, and
    ``index + 2`` = spreadsheet row. A second header row directly below (提案人 over
    姓名 | 学号, whose cells are all known names) refines the header above it. Rows whose
    ``required_any`` fields are all blank (empty rows, a 合计 or 填表人 line) are dropped.
    No header found: an empty frame and header row None."""
    start = header_row(grid, aliases)
    if start is None:
        return pd.DataFrame(), [], None
    header = [str(c) for c in grid.loc[start].tolist()]
    rows = list(grid.index)
    below = rows.index(start) + 1
    if below < len(rows):
        sub = [str(c) for c in grid.loc[rows[below]].tolist()]
        known = _matches(sub, aliases)
        filled = [c for c in sub if c.strip()]
        if known and len(known) == len(filled):
            header = [s if s.strip() else h for h, s in zip(header, sub)]
            below += 1
    columns = _matches(header, aliases)
    unused = [h for i, h in enumerate(header) if h.strip() and i not in columns]
    body = grid.loc[rows[below:], list(columns)] if below < len(rows) else grid.iloc[0:0][list(columns)]
    frame = body.rename(columns=columns).astype(str).apply(lambda s: s.str.strip())
    keep = [f for f in required_any if f in frame.columns] or list(frame.columns)
    frame = frame[(frame[keep] != "").any(axis=1)] if len(frame) and keep else frame
    frame.index = [int(i) - 2 for i in frame.index]
    return frame, unused, int(start)
