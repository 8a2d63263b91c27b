"""Organizer export of per-criterion scores and judges' comments, read back with openpyxl."""
import io

import openpyxl
import pytest

from contest import review_assignments, review_progress, score_sheets
from contest.errors import PermissionDenied
from tests.helpers import FULL, NOW, add_judging_proposal


def test_export_has_one_row_per_sheet_with_scores_total_and_comment(fresh_db, people):
    db, org = fresh_db, people["organizer"]
    pid = add_judging_proposal(db, people["alice"], topic="life")
    review_assignments.add_assignment(db, org, pid, people["judge"].id, now=NOW)
    review_assignments.publish_assignments(db, org)
    score_sheets.submit_sheet(db, people["judge"], pid, FULL, "=HYPERLINK(\"x\") 论证扎实", now=NOW)
    book = openpyxl.load_workbook(io.BytesIO(review_progress.score_details_excel(db, org)))
    sheet = book["评分明细"]
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    row = dict(zip(header, data[0]))
    assert row["提案编号"] == pid and row["评委账号"] == people["judge"].username and row["状态"] == "已提交"
    criteria = [h for h in header if "（" in h and h.split("（")[0] not in ("总分", "评语")]
    assert len(criteria) == len(FULL) and sorted(row[h] for h in criteria) == sorted(float(v) for v in FULL.values())
    assert 0 < row["总分（0–100）"] <= 100
    assert row["评语（给作者）"] == "=HYPERLINK(\"x\") 论证扎实"
    cell = sheet.cell(row=2, column=header.index("评语（给作者）") + 1)
    assert cell.data_type == "s"  # written as text, never evaluated


def test_only_organizers_export_scores(fresh_db, people):
    for who in ("judge", "alice"):
        with pytest.raises(PermissionDenied):
            review_progress.score_details(fresh_db, people[who])
