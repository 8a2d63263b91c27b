"""提案对接会 and 提案工作报告 through the real app; the outcomes on the department queue and the public page."""
from __future__ import annotations

import datetime as dt

from contest import meetings
from tests.helpers import texts


def frame_with(at, column):
    """The first table on the page with this column (None if there is none)."""
    return next((d.value for d in at.dataframe if column in d.value.columns), None)


def _after_flash(at, message):
    if message not in texts(at):
        at.run()
    return texts(at)


def test_organizer_plans_a_meeting_and_records_an_outcome(app_as, cases, people):
    db = cases["db"]
    at = app_as("organizer", "app_pages/meetings.py")
    assert "还没有对接会" in texts(at)
    at.text_input(key="mt_title").input("首场提案工作反馈会")
    at.selectbox(key="mt_theme").select("教学专题")
    at.date_input(key="mt_date").set_value(dt.date(2026, 3, 12))
    at.text_input(key="mt_place").input("学生活动中心 201")
    at.multiselect(key="mt_depts").select("jwc").select("hqc")
    at.multiselect(key="mt_agenda").select(cases["p1"]).select(cases["p2"])
    at.button(key="FormSubmitter:plan_meeting-创建对接会").click()
    at.run()
    assert not at.exception, at.exception
    assert "已创建" in _after_flash(at, "已创建")
    [mid] = [r["id"] for r in db["meetings"].rows]
    meeting = meetings.get(db, people["organizer"], mid)
    assert meeting["theme"] == "教学专题" and meeting["departments"] == ["hqc", "jwc"]
    assert frame_with(at, "议程提案").iloc[0]["状态"] == "筹备中"
    # record jwc's commitment for p1
    at.selectbox(key="mt_item").select(cases["p1"])
    at.selectbox(key="mt_item_dept").select("jwc")
    at.text_area(key="mt_commitment").input("下学期起每层增设 50 个自习座位")
    at.date_input(key="mt_due").set_value(dt.date(2026, 9, 1))
    at.button(key="FormSubmitter:outcome_form-保存对接结果").click()
    at.run()
    assert not at.exception, at.exception
    assert "会议记为已召开" in _after_flash(at, "会议记为已召开")
    agenda = frame_with(at, "部门承诺")
    assert agenda.set_index("提案编号").loc[cases["p1"], "部门承诺"] == "下学期起每层增设 50 个自习座位"
    assert meetings.get(db, people["organizer"], mid)["status"] == "held"


def test_a_refused_outcome_keeps_the_text_and_shows_why(app_as, cases, people):
    meetings.plan(cases["db"], people["organizer"], title="反馈会", held_on="2026-03-12", departments=["jwc"],
                  proposal_ids=[cases["p1"]])
    at = app_as("organizer", "app_pages/meetings.py")
    at.text_area(key="mt_commitment").input("好")
    at.button(key="FormSubmitter:outcome_form-保存对接结果").click()
    at.run()
    assert "部门承诺至少需要 4 个字" in texts(at)
    assert at.text_area(key="mt_commitment").value == "好"


def test_the_outcome_on_the_department_queue_and_the_public_page(app_as, cases, people):
    db, org = cases["db"], people["organizer"]
    mid = meetings.plan(db, org, title="首场提案工作反馈会", theme="教学专题", held_on="2026-03-09",
                        departments=["jwc", "hqc"], proposal_ids=[cases["p1"], cases["p2"]])
    meetings.record_outcome(db, org, mid, cases["p1"], department="jwc", commitment="下学期起增设自习座位",
                            due_date="2026-09-01")
    at = app_as("dept", "app_pages/department_queue.py")
    table = frame_with(at, "本部门承诺")
    assert list(table["本部门承诺"]) == ["下学期起增设自习座位"]
    at = app_as("dept2", "app_pages/department_queue.py")
    assert "提案对接会上的承诺" not in texts(at) and frame_with(at, "本部门承诺") is None
    at = app_as(None, "app_pages/public_followup.py")
    public = frame_with(at, "承诺部门")
    assert list(public["部门承诺"]) == ["下学期起增设自习座位"] and list(public["主题"]) == ["教学专题"]
    assert "艾丽" not in public.to_string()


def test_report_page_counts_meetings_in_the_cut(app_as, cases, people):
    db, org = cases["db"], people["organizer"]
    mid = meetings.plan(db, org, title="首场提案工作反馈会", theme="教学专题", held_on="2026-03-09",
                        departments=["jwc"], proposal_ids=[cases["p1"]])
    meetings.save_minutes(db, org, mid, "会议纪要：教务处回应了自习室座位的提案。")
    at = app_as("organizer", "app_pages/report.py")
    assert not at.exception, at.exception
    sentence = at.code[0].value
    assert "组织提案对接会1场，向职能部门对接提案2件" in sentence
    assert "首场提案对接会（教学专题）于3月9日召开" in sentence
    at.date_input(key="rp_end").set_value(dt.date(2026, 3, 8))
    at.run()
    assert "组织提案对接会0场" in at.code[0].value
    labels = [b.label for b in at.get("download_button")]
    assert any("提案汇编" in label for label in labels)
