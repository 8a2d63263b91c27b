"""Importing proposals from a sheet: preview, per-row errors, all or nothing."""
import datetime as dt
import io

import pandas as pd
import pytest

from contest import exports, proposals, spreadsheets
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import NOW, ROW


def sheet(*rows) -> pd.DataFrame:
    return pd.DataFrame([ROW | r for r in rows])


def test_import_creates_submitted_proposals_with_source_import(fresh_db, people):
    org = people["organizer"]
    frame = sheet({}, {"标题": "关于食堂夜宵窗口的建议", "议题": "life", "学号": "2023002", "提案人": "鲍勃",
                       "学院": "", "建议承办部门": "hqc"})
    assert proposals.import_proposals(fresh_db, org, frame, NOW) == 2
    rows = list(fresh_db["proposals"].rows_where(order_by="id"))
    first, second = rows
    assert first["status"] == second["status"] == "submitted"
    assert first["source"] == "import" and first["author_name"] == "王小明" and first["college"] == "医学部"
    assert first["submitter_id"] == org.id and first["department"] == "jwc" and first["topic"] == "teaching"
    # a registered student's 学号 makes them the submitter: they see it under 我的提案
    assert second["submitter_id"] == people["bob"].id and second["author_name"] is None
    assert second["college"] == "医学部" and second["department"] == "hqc"
    assert [p["id"] for p in proposals.mine(fresh_db, people["bob"])] == [second["id"]]
    found = proposals.search(fresh_db, org, text="王小明")
    assert list(found["author"]) == ["王小明"]


def test_import_as_valid(fresh_db, people):
    proposals.import_proposals(fresh_db, people["organizer"], sheet({}), NOW, status="valid")
    row = next(fresh_db["proposals"].rows)
    assert row["status"] == "valid" and row["screened_at"] == "2026-03-10 12:00:00"
    with pytest.raises(ValidationError):
        proposals.import_proposals(fresh_db, people["organizer"], sheet({"标题": "另一条提案的标题"}), NOW,
                                   status="draft")


def test_errors_name_spreadsheet_rows_and_nothing_is_imported(fresh_db, people):
    frame = sheet({}, {"标题": "短"}, {"议题": "不存在", "标题": "关于议题不存在的建议"},
                  {"学号": "2023001", "提案人": "别人"},
                  {"问题描述": "含零宽\u200b字符" * 5, "标题": "关于零宽字符的建议"}, {"提案人": "", "学号": ""},
                  {"学院": "火星学院", "标题": "关于火星学院的建议"})
    rows, errors = proposals.check_import(fresh_db, people["organizer"], frame)
    assert len(rows) == 1
    assert errors[0].startswith("第 3 行：标题至少需要 5 个字")
    assert errors[1].startswith("第 4 行：议题“不存在”")
    assert errors[2].startswith("第 5 行：学号 2023001 的注册学生是“艾丽”")
    assert errors[3].startswith("第 6 行：问题描述包含不可见")
    assert errors[4].startswith("第 7 行：请填写提案人或学号")
    assert errors[5].startswith("第 8 行：学院“火星学院”")
    with pytest.raises(ValidationError, match="未导入任何提案"):
        proposals.import_proposals(fresh_db, people["organizer"], frame, NOW)
    assert fresh_db["proposals"].count == 0


def test_duplicates_in_sheet_and_reimport_refused(fresh_db, people):
    org = people["organizer"]
    _, errors = proposals.check_import(fresh_db, org, sheet({}, {}))
    assert errors == ["第 3 行：与表中前面的一行重复（标题和提案人相同）。"]
    proposals.import_proposals(fresh_db, org, sheet({}), NOW)
    with pytest.raises(ValidationError, match="已经导入过"):
        proposals.import_proposals(fresh_db, org, sheet({}), NOW)
    assert fresh_db["proposals"].count == 1


def test_missing_columns(fresh_db, people):
    _, errors = proposals.check_import(fresh_db, people["organizer"], pd.DataFrame([{"标题": "x"}]))
    assert "缺少列" in errors[0] and "问题描述" in errors[0]
    _, errors = proposals.check_import(fresh_db, people["organizer"], pd.DataFrame(columns=list(ROW)))
    assert errors == ["表格中没有提案。"]


def test_unregistered_student_number_falls_back_to_organizer(fresh_db, people):
    rows, errors = proposals.check_import(fresh_db, people["organizer"], sheet({"学号": "20990001"}))
    assert errors == [] and rows[0]["submitter_id"] == people["organizer"].id
    assert rows[0]["author_name"] == "王小明" and rows[0]["submitter"] == "组织者代录"


def test_only_organizers_import(fresh_db, people):
    with pytest.raises(PermissionDenied):
        proposals.import_proposals(fresh_db, people["alice"], sheet({}), NOW)
    with pytest.raises(PermissionDenied):
        proposals.check_import(fresh_db, people["judge"], sheet({}))


def test_round_trip_through_excel_and_csv_bytes(fresh_db, people):
    org = people["organizer"]
    xlsx = exports.to_excel({"提案": sheet({}, {"标题": "关于食堂夜宵窗口的建议"})})
    frame = spreadsheets.read_table(xlsx, "提案.xlsx")
    rows, errors = proposals.check_import(fresh_db, org, frame)
    assert errors == [] and [r["row"] for r in rows] == [2, 3]
    csv = exports.to_csv(sheet({"标题": "短"}))
    _, errors = proposals.check_import(fresh_db, org, spreadsheets.read_table(csv, "a.csv"))
    assert errors[0].startswith("第 2 行")


def test_markdown_and_html_imported_verbatim(fresh_db, people):
    title = "![x](http://example.com/t.png)<b>食堂</b>"
    proposals.import_proposals(fresh_db, people["organizer"], sheet({"标题": title}), NOW)
    assert next(fresh_db["proposals"].rows)["title"] == title
