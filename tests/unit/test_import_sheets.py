"""Organizers' own summary sheets imported as they are: title row, header variants, numbers, merges."""
import io

import openpyxl
import pytest

from contest import proposals, sheet_import
from contest.errors import ValidationError
from tests.helpers import GOOD, NOW

CANTEEN = {
    "problem": "二食堂午餐高峰排队超过二十分钟，窗口开放不足，很多同学下午第一节课迟到。",
    "investigation": "我们连续两周在午餐高峰统计排队时间，平均二十三分钟，问卷中七成同学希望增加窗口。",
    "suggestions": "建议二食堂在十一点半到十二点半增开三个窗口，并在食堂门口公示各窗口的排队人数和菜价。",
}


def summary_sheet(rows=None, *, title="某某大学第十次学代会提案汇总表") -> bytes:
    """A sheet as a student congress keeps it: merged title row, a note, header variants, merged
    承办单位 cells, 学号 stored as numbers, a blank row and a 填表人 line at the end."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([title])
    ws.merge_cells("A1:J1")
    ws.append(["填表日期：2026年3月", None, None, None, None, None, None, None, None, "单位：学生会"])
    ws.append(["序号", "提案题目", "提案人", "学号", "所在学院", "提案类别", "问题描述", "调研情况",
               "具体建议", "承办单位（部门）"])
    rows = rows if rows is not None else [
        [1, GOOD["title"], "王小明", None, "医学部", "课堂学习", GOOD["problem"], GOOD["investigation"],
         GOOD["suggestions"], "教务处"],
        [2, "关于二食堂增开午餐窗口的建议", None, 2023002, None, None, CANTEEN["problem"],
         CANTEEN["investigation"], CANTEEN["suggestions"], "后勤保障处"],
        [None] * 10,
        [3, "关于食堂菜价公示的建议", "李四", 2023012345.0, "管理学院", "后勤生活", CANTEEN["problem"],
         CANTEEN["investigation"], CANTEEN["suggestions"], None],
        ["填表人：张三"],
    ]
    for row in rows:
        ws.append(row)
    if len(rows) >= 4:
        ws.merge_cells("J5:J7")  # 后勤保障处 merged down over the second, blank and third proposal
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_summary_sheet_with_title_row_is_read_as_it_is(fresh_db, people):
    sheet = proposals.read_import_sheet(summary_sheet(), "提案汇总表.xlsx")
    assert sheet.header_row == 3
    assert sheet.unused == ["序号"]
    frame = sheet.frame
    assert list(frame.index + 2) == [4, 5, 7]  # spreadsheet rows; the blank row and 填表人 line dropped
    assert list(frame["title"]) == [GOOD["title"], "关于二食堂增开午餐窗口的建议", "关于食堂菜价公示的建议"]
    assert list(frame["department"]) == ["教务处", "后勤保障处", "后勤保障处"]  # merged down
    assert list(frame["student_no"]) == ["", "2023002", "2023012345"]

    rows, errors = proposals.check_import(fresh_db, people["organizer"], frame)
    assert errors == []
    first, second, third = rows
    assert (first["row"], first["topic"], first["topic_predicted"]) == (4, "teaching", False)
    assert second["submitter_id"] == people["bob"].id and second["college"] == "医学部"
    # no 提案类别 given: the classifier fills it, left unconfirmed for review
    assert second["topic"] == "life" and second["topic_predicted"] is True
    assert third["author_name"] == "李四" and third["department"] == "hqc" and third["topic"] == "life"

    assert proposals.import_proposals(fresh_db, people["organizer"], frame, NOW) == 3
    stored = {r["title"]: r for r in fresh_db["proposals"].rows}
    assert stored["关于二食堂增开午餐窗口的建议"]["topic_confirmed"] == 0
    assert stored["关于食堂菜价公示的建议"]["topic_confirmed"] == 1
    assert stored["关于二食堂增开午餐窗口的建议"]["submitter_id"] == people["bob"].id


def test_header_variants_and_a_two_row_header(fresh_db, people):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["第十次学代会提案汇总"])
    ws.append(["案由", "提案人", None, "提案类型", "情况说明", "调研情况", "解决办法", "承办部门"])
    ws.append([None, "姓名", "学号"])
    ws.merge_cells("B2:C2")
    ws.append(["关于延长图书馆开放时间的提案", "王小明", "20230099", "课堂学习", GOOD["problem"],
               GOOD["investigation"], GOOD["suggestions"], "jwc"])
    out = io.BytesIO()
    book.save(out)
    sheet = proposals.read_import_sheet(out.getvalue(), "a.xlsx")
    assert sheet.header_row == 2
    assert set(sheet.frame.columns) == {"title", "author_name", "student_no", "topic", "problem", "investigation",
                                        "suggestions", "department"}
    rows, errors = proposals.check_import(fresh_db, people["organizer"], sheet.frame)
    assert errors == [] and rows[0]["row"] == 4 and rows[0]["department"] == "jwc"
    assert rows[0]["author_name"] == "王小明"  # 20230099 is not registered: kept as the author's name


def test_every_problem_of_every_row_at_once(fresh_db, people):
    data = summary_sheet([
        [1, "短", None, None, "火星学院", "不存在", "太短", GOOD["investigation"], GOOD["suggestions"], "宣传部"],
        [2, GOOD["title"], "王小明", "2.02301E+09", None, None, GOOD["problem"], GOOD["investigation"],
         GOOD["suggestions"], None],
    ])
    sheet = proposals.read_import_sheet(data, "a.xlsx")
    rows, errors = proposals.check_import(fresh_db, people["organizer"], sheet.frame)
    assert rows == []
    assert errors == [
        "第 4 行：标题至少需要 5 个字，当前 1 个字。",
        "第 4 行：问题描述至少需要 20 个字，当前 2 个字。",
        "第 4 行：议题“不存在”不在议题列表中（可填：课堂学习、校园环境、交通出行、后勤生活、学校发展、其他；留空则自动分类）。",
        "第 4 行：建议承办部门“宣传部”不在部门列表中。",
        "第 4 行：请填写提案人或学号。",
        "第 4 行：学院“火星学院”不在学院列表中。",
        "第 5 行：学号“2.02301E+09”是科学计数法，末几位已经丢失。请在 Excel 中把学号列设为“文本”，重新填写后上传。",
    ]
    with pytest.raises(ValidationError, match="未导入任何提案"):
        proposals.import_proposals(fresh_db, people["organizer"], sheet.frame, NOW)
    assert fresh_db["proposals"].count == 0


def test_csv_with_title_row_and_float_student_numbers(fresh_db, people):
    text = ("某某大学提案汇总表,,,,,,\n"
            "提案名称,学号,问题描述,调研情况,解决办法,提案类别,承办单位\n"
            f"关于二食堂增开午餐窗口的建议,2023002.0,{CANTEEN['problem']},{CANTEEN['investigation']},"
            f"{CANTEEN['suggestions']},后勤生活,后勤保障处\n")
    sheet = proposals.read_import_sheet(text.encode("gb18030"), "汇总.csv")
    rows, errors = proposals.check_import(fresh_db, people["organizer"], sheet.frame)
    assert errors == [] and rows[0]["submitter_id"] == people["bob"].id and rows[0]["row"] == 3


def test_no_header_found_is_explained():
    with pytest.raises(ValidationError, match="找不到表头"):
        proposals.read_import_sheet("甲,乙\n1,2\n".encode(), "a.csv")


@pytest.mark.parametrize("value, expected", [
    (2023012345, "2023012345"), (2023012345.0, "2023012345"), ("2023012345.0", "2023012345"),
    ("2.023012345E+09", "2023012345"), (" 2023A012 ", "2023A012"), (None, ""), ("", ""), ("0012", "0012"),
])
def test_clean_number(value, expected):
    assert sheet_import.clean_number(value) == expected


def test_header_key_ignores_spaces_stars_and_remarks():
    assert sheet_import.header_key(" 承办单位（部门）") == sheet_import.header_key("承办单位")
    assert sheet_import.header_key("*提案\n题目：") == "提案题目"
