"""Feedback meetings (contest.meetings): planning, permissions, outcomes into timelines, department queue,
public page without personal data, and the counts and sentence of the report (contest.report)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from contest import audit, forwarding, meetings, public_followup, ratings, replies, report, timeline
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import NOW, PDF, REPLY, add_followup_proposal, make_user


@pytest.fixture
def agenda(fresh_db, people):
    """Three valid proposals: two forwarded (jwc, hqc), one not; alice wrote p1 with carol."""
    db, org = fresh_db, people["organizer"]
    p1 = add_followup_proposal(db, people["alice"], topic="teaching", department="jwc", title="关于增加自习室座位的建议",
                               coauthors=[people["carol"]])
    p2 = add_followup_proposal(db, people["bob"], topic="teaching", department="hqc", title="关于教室空调维修的建议")
    p3 = add_followup_proposal(db, people["bob"], topic="life", department="jwc", title="关于选课系统卡顿的建议")
    forwarding.forward(db, org, p1, "jwc", now=NOW - dt.timedelta(days=20))
    forwarding.forward(db, org, p2, "hqc", now=NOW - dt.timedelta(days=20))
    return {"db": db, "p1": p1, "p2": p2, "p3": p3}


def _plan(db, org, agenda, **extra):
    return meetings.plan(db, org, **({"title": "首场提案工作反馈会", "theme": "教学专题", "held_on": "2026-04-13",
                                      "place": "学生活动中心 201", "departments": ["jwc", "hqc"],
                                      "proposal_ids": [agenda["p1"], agenda["p2"], agenda["p3"]], "now": NOW}
                                     | extra))


def test_only_organizers_plan_and_record(agenda, people):
    db = agenda["db"]
    for who in ("alice", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            _plan(db, people[who], agenda)
    mid = _plan(db, people["organizer"], agenda)
    for who in ("alice", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            meetings.record_outcome(db, people[who], mid, agenda["p1"], department="jwc", commitment="下月增加座位")
        with pytest.raises(PermissionDenied):
            meetings.save_minutes(db, people[who], mid, "会议纪要：各部门逐一回应了同学们的提案。")
    # a student or judge cannot read meetings; a department not invited cannot open this one
    for who in ("alice", "judge"):
        with pytest.raises(PermissionDenied):
            meetings.meetings(db, people[who])
    outsider = make_user(db, "dept-xsc", "department", department="xsc")
    db["departments"].insert({"code": "xsc", "name": "学生处", "description": "", "active": 1})
    with pytest.raises(PermissionDenied):
        meetings.get(db, outsider, mid)
    assert meetings.meetings(db, outsider).empty


def test_plan_invites_the_agenda_authors_and_is_audited(agenda, people):
    db, org = agenda["db"], people["organizer"]
    mid = _plan(db, org, agenda)
    meeting = meetings.get(db, org, mid)
    assert meeting["status"] == "planned" and meeting["theme"] == "教学专题"
    assert meeting["departments"] == ["hqc", "jwc"]
    assert [i["proposal_id"] for i in meeting["items"]] == [agenda["p1"], agenda["p2"], agenda["p3"]]
    assert {s["id"] for s in meeting["students"]} == {people["alice"].id, people["carol"].id, people["bob"].id}
    assert audit.entries(db, org, action="plan_meeting")[0]["target"] == f"meeting:{mid}"
    # the invited department sees the meeting, but not who the students are
    seen = meetings.get(db, people["dept"], mid)
    assert "students" not in seen and "艾丽" not in str(seen)
    assert list(meetings.meetings(db, people["dept"])["id"]) == [mid]


def test_plan_refuses_bad_input(agenda, people):
    db, org = agenda["db"], people["organizer"]
    with pytest.raises(ValidationError, match="职能部门"):
        _plan(db, org, agenda, departments=[])
    with pytest.raises(ValidationError, match="议程"):
        _plan(db, org, agenda, proposal_ids=[])
    draft = add_followup_proposal(db, people["alice"], status="draft")
    with pytest.raises(ValidationError, match="未立案"):
        _plan(db, org, agenda, proposal_ids=[draft])
    with pytest.raises(ValidationError, match="格式"):
        _plan(db, org, agenda, held_on="4月13日")
    assert db["meetings"].count == 0


def test_outcomes_reach_the_timeline_the_department_and_the_public_page(agenda, people):
    db, org = agenda["db"], people["organizer"]
    mid = _plan(db, org, agenda)
    meetings.record_outcome(db, org, mid, agenda["p1"], department="jwc", commitment="下学期起图书馆增设200个座位",
                            due_date="2026-09-01", now=NOW)
    meetings.save_minutes(db, org, mid, "会议纪要：教务处、后勤保障处逐一回应了三件提案。艾丽同学发言。",
                          file=("纪要.pdf", PDF), now=NOW)
    assert meetings.get(db, org, mid)["status"] == "held"
    # the authors (submitter and co-author) see the meeting and the commitment in the timeline
    for who in ("alice", "carol"):
        steps = {s["step"]: s for s in timeline.timeline(db, people[who], agenda["p1"])}
        assert "首场提案工作反馈会（教学专题）" in steps["列入对接会"]["detail"]
        assert "教务处承诺：下学期起图书馆增设200个座位" in steps["对接会结果"]["detail"]
        assert "2026-09-01" in steps["对接会结果"]["detail"]
    # bob's proposal on the same agenda has no outcome yet
    assert "对接会结果" not in {s["step"] for s in timeline.timeline(db, people["bob"], agenda["p2"])}
    # the department's queue lists its commitment; the other department has none
    mine = meetings.department_outcomes(db, people["dept"])
    assert list(mine["proposal_id"]) == [agenda["p1"]] and mine["due_date"][0] == "2026-09-01"
    assert meetings.department_outcomes(db, people["dept2"]).empty
    assert meetings.minutes_file(db, people["dept2"], mid) == ("纪要.pdf", PDF)
    # the public page: the commitment, no names, no minutes
    public = public_followup.public_meetings(db)
    assert list(public["title"]) == ["关于增加自习室座位的建议"]
    assert public["department_name"][0] == "教务处"
    text = public.to_string()
    for secret in ("艾丽", "卡罗", "2023001", "管理学院", "会议纪要"):
        assert secret not in text


def test_outcome_rules(agenda, people):
    db, org = agenda["db"], people["organizer"]
    mid = _plan(db, org, agenda, proposal_ids=[agenda["p1"]])
    with pytest.raises(ValidationError, match="议程"):
        meetings.record_outcome(db, org, mid, agenda["p2"], department="jwc", commitment="下月增加座位")
    with pytest.raises(ValidationError, match="受邀"):
        meetings.record_outcome(db, org, mid, agenda["p1"], department="nope", commitment="下月增加座位")
    meetings.cancel(db, org, mid)
    with pytest.raises(ValidationError, match="已取消"):
        meetings.record_outcome(db, org, mid, agenda["p1"], department="jwc", commitment="下月增加座位")
    assert "列入对接会" not in {s["step"] for s in timeline.timeline(db, people["alice"], agenda["p1"])}


def test_the_report_counts_held_meetings_in_its_cut(agenda, people):
    db, org = agenda["db"], people["organizer"]
    held = _plan(db, org, agenda)
    meetings.record_outcome(db, org, held, agenda["p2"], department="hqc", commitment="暑期检修全部空调")
    _plan(db, org, agenda, title="第二场", held_on="2026-05-20", departments=["jwc"])  # planned, not held
    fig = report.figures(db, org, end="2026-06-30", now=NOW)
    assert fig["headline"]["meetings"] == 1
    assert fig["headline"]["valid"] == 3 and fig["headline"]["forwarded"] == 2
    assert fig["headline"]["departments"] == 2
    assert "首场提案对接会（教学专题）于4月13日召开" in report.sentence(fig)
    # cut by date: a range that ends before the meeting counts none
    assert report.figures(db, org, end="2026-04-01", now=NOW)["headline"]["meetings"] == 0
    # cut by department: hqc was invited to the held meeting, and handles one proposal
    hqc = report.figures(db, org, department="hqc", end="2026-06-30", now=NOW)
    assert hqc["headline"]["meetings"] == 1 and hqc["headline"]["valid"] == 1
    assert hqc["headline"]["departments"] == 1
    # cut by topic: 'life' has p3 on the agenda of the held meeting; 'development' has nothing
    assert report.figures(db, org, topic="life", end="2026-06-30", now=NOW)["headline"]["meetings"] == 1
    assert report.figures(db, org, topic="life", end="2026-06-30", now=NOW)["headline"]["valid"] == 1
    assert report.figures(db, org, topic="development", end="2026-06-30", now=NOW)["headline"]["meetings"] == 0
    with pytest.raises(PermissionDenied):
        report.figures(db, people["dept"], now=NOW)


def test_report_as_of_the_end_date(agenda, people):
    """A reply after the end date is not counted; before it, it is."""
    db, org = agenda["db"], people["organizer"]
    case = db["case_members"].get(agenda["p1"])["case_id"]
    replies.reply(db, people["dept"], case, "resolved", REPLY, now=dt.datetime(2026, 3, 5, 9, 0))
    ratings.rate(db, people["alice"], agenda["p1"], "满意", now=dt.datetime(2026, 3, 8, 9, 0))
    before = report.figures(db, org, end="2026-03-04", now=NOW)["headline"]
    after = report.figures(db, org, end="2026-03-06", now=NOW)["headline"]
    assert (before["replied"], before["resolved"], before["awaiting"]) == (0, 0, 2)
    assert (after["replied"], after["resolved"], after["awaiting"], after["rated"]) == (1, 1, 1, 0)
    assert report.figures(db, org, now=NOW)["headline"]["satisfaction"] == 1.0
    # proposals screened before a start date are outside the cut
    assert report.figures(db, org, start="2026-03-03", now=NOW)["headline"]["valid"] == 0


def _article_db(db, people):
    """127 valid proposals over 15 departments, all forwarded; 39 replied, 29 of them resolved; 5 meetings held."""
    org = people["organizer"]
    codes = ["jwc", "hqc"] + [f"d{n:02d}" for n in range(3, 16)]
    db["departments"].insert_all([{"code": c, "name": f"部门{c}", "description": "", "active": 1}
                                  for c in codes[2:]])
    staff = {c: make_user(db, f"staff-{c}", "department", department=c) for c in codes}
    pids = []
    for n in range(127):
        pid = add_followup_proposal(db, people["alice"], title=f"提案{n}", department=codes[n % 15],
                                    topic=["teaching", "life"][n % 2])
        case = forwarding.forward(db, org, pid, codes[n % 15], now=dt.datetime(2026, 3, 20, 10, 0))
        pids.append(pid)
        if n < 39:
            replies.reply(db, staff[codes[n % 15]], case, "resolved" if n < 29 else "planned", REPLY,
                          plan="下学期实施", now=dt.datetime(2026, 5, 1, 10, 0))
    for n, day in enumerate(["2026-04-13", "2026-05-11", "2026-06-08", "2026-07-06", "2026-09-14"]):
        mid = meetings.plan(db, org, title=f"职能部门面对面（第{n + 1}场）", theme="教学专题" if n == 0 else "综合专题",
                            held_on=day, departments=codes[3 * n:3 * n + 3], proposal_ids=pids[n::5][:3], now=NOW)
        meetings.save_minutes(db, org, mid, "会议纪要：各部门对议程中的提案逐一作出回应。", now=NOW)
    cancelled = meetings.plan(db, org, title="取消的会", held_on="2026-08-01", departments=["jwc"],
                              proposal_ids=pids[:1], now=NOW)
    meetings.cancel(db, org, cancelled)
    return pids


def test_the_article_sentence(fresh_db, people):
    db, org = fresh_db, people["organizer"]
    _article_db(db, people)
    fig = report.figures(db, org, end="2026-09-30", now=NOW)
    text = report.sentence(fig)
    assert "确立有效提案127件，涉及15个校内单位和部门" in text
    assert ("组织提案对接会5场，向职能部门对接提案127件，移交率100%；其中39件提案得到回复，已解决29件，88件正在回复中"
            in text)
    assert text.index("涉及15个校内单位和部门") < text.index("组织提案对接会5场")
    assert "首场提案对接会（教学专题）于4月13日召开" in text and "截至2026年9月30日" in text
    # the same figures in the workbook and the Word report
    book = load_workbook(io.BytesIO(report.export_excel(db, org, end="2026-09-30", now=NOW)))
    assert book["汇总"]["A2"].value == text
    assert book["提案对接会"].max_row == 6  # header + 5 meetings (the cancelled one is left out)
    doc = Document(io.BytesIO(report.export_docx(db, org, end="2026-09-30", now=NOW)))
    assert text in [p.text for p in doc.paragraphs]
    # the 提案汇编 lists every valid proposal with its replies
    doc = Document(io.BytesIO(report.compilation_docx(db, org, end="2026-09-30", now=NOW)))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 127 and headings[0] == "1. 提案0"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert body.count(REPLY) == 39 and "艾丽" in body
