"""Follow-up: forwarding, permissions, state transitions, rates, summary sentence, import validation."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from contest import attachments, exports, followup_stats, forwarding, public_followup, ratings, replies, settings, timeline
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import NOW, REPLY, add_followup_proposal as add_proposal


@pytest.fixture
def setup(fresh_db, people):
    db = fresh_db
    p1 = add_proposal(db, people["alice"], department="jwc", title="关于增加自习室的建议", coauthors=[people["carol"]])
    p2 = add_proposal(db, people["bob"], department="hqc", title="关于食堂延时供应的建议")
    p3 = add_proposal(db, people["bob"], department="hqc", title="关于热水供应的建议")
    draft = add_proposal(db, people["alice"], status="submitted", title="尚未立案的提案")
    return db, people, {"p1": p1, "p2": p2, "p3": p3, "submitted": draft}


def test_forward_only_valid_and_only_once(setup):
    db, people, p = setup
    org = people["organizer"]
    with pytest.raises(ValidationError, match="尚未立案"):
        forwarding.forward(db, org, p["submitted"], "jwc", now=NOW)
    case_id = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    with pytest.raises(ValidationError, match="已经转办"):
        forwarding.forward(db, org, p["p1"], "hqc", now=NOW)
    case = db["cases"].get(case_id)
    assert case["due_at"] == "2026-04-09 12:00:00"  # default 30 days
    assert case["status"] == "pending"
    remaining = forwarding.forwardable(db, org)
    assert set(remaining["id"]) == {p["p2"], p["p3"]}
    assert remaining.set_index("id").loc[p["p2"], "department"] == "hqc"  # suggested department pre-fills


def test_only_organizers_forward(setup):
    db, people, p = setup
    for who in ("alice", "dept", "judge"):
        with pytest.raises(PermissionDenied):
            forwarding.forward(db, people[who], p["p1"], "jwc", now=NOW)
    with pytest.raises(PermissionDenied):
        forwarding.forwardable(db, people["dept"])


def test_bulk_forward_is_all_or_nothing(setup):
    db, people, p = setup
    with pytest.raises(ValidationError, match="尚未立案"):
        forwarding.forward_many(db, people["organizer"], [(p["p2"], "hqc"), (p["submitted"], "jwc")], now=NOW)
    assert db["cases"].count == 0
    ids = forwarding.forward_many(db, people["organizer"], [(p["p2"], "hqc"), (p["p3"], "hqc")], now=NOW)
    assert len(ids) == 2


def test_merged_group_is_one_case_and_counts_each_proposal(setup):
    db, people, p = setup
    case_id = forwarding.forward(db, people["organizer"], p["p2"], "hqc", member_ids=[p["p3"]], now=NOW)
    assert sorted(m["id"] for m in forwarding.get_case(db, people["organizer"], case_id)["members"]) == [p["p2"], p["p3"]]
    h = followup_stats.stats(db, people["organizer"], now=NOW)["headline"]
    assert (h["valid"], h["forwarded"]) == (3, 2)
    with pytest.raises(ValidationError, match="已经转办"):
        forwarding.forward(db, people["organizer"], p["p3"], "hqc", now=NOW)


def test_department_sees_only_its_cases(setup):
    db, people, p = setup
    org = people["organizer"]
    c1 = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    c2 = forwarding.forward(db, org, p["p2"], "hqc", now=NOW)
    assert list(forwarding.cases(db, people["dept"])["id"]) == [c1]
    assert list(forwarding.cases(db, people["dept2"])["id"]) == [c2]
    with pytest.raises(PermissionDenied):
        forwarding.get_case(db, people["dept"], c2)
    with pytest.raises(PermissionDenied):
        replies.reply(db, people["dept"], c2, "resolved", REPLY, now=NOW)
    # p3 is not forwarded: no department sees it anywhere
    assert p["p3"] not in set(forwarding.cases(db, people["dept2"])["proposal_id"])
    with pytest.raises(PermissionDenied):
        forwarding.forwardable(db, people["dept2"])
    # a judge sees nothing of follow-up
    with pytest.raises(PermissionDenied):
        forwarding.cases(db, people["judge"])


def test_co_handling_department_sees_and_can_update(setup):
    db, people, p = setup
    c2 = forwarding.forward(db, people["organizer"], p["p2"], "hqc", co_departments=["jwc"], now=NOW)
    frame = forwarding.cases(db, people["dept"])
    assert list(frame["id"]) == [c2] and frame.iloc[0]["my_role"] == "协办"
    replies.reply(db, people["dept"], c2, "planned", REPLY, now=NOW)
    assert forwarding.replies(db, people["dept"], c2)[0]["department"] == "jwc"


def test_co_handling_department_declines_its_part_and_the_case_stays_with_the_lead(setup):
    db, people, p = setup
    c2 = forwarding.forward(db, people["organizer"], p["p2"], "hqc", co_departments=["jwc"], now=NOW)
    with pytest.raises(ValidationError):
        forwarding.decline(db, people["dept"], c2, "", now=NOW)  # a reason is needed
    forwarding.decline(db, people["dept"], c2, "不属于本部门职责范围", now=NOW)
    assert forwarding.cases(db, people["dept"]).empty  # out of the co-department's queue
    case = forwarding.get_case(db, people["organizer"], c2)
    assert case["status"] == "pending" and case["departments"] == {"hqc": "lead"}
    assert case["history"][-1]["kind"] == "co_decline"
    steps = [s["step"] for s in timeline.timeline(db, people["bob"], p["p2"])]
    assert "协办部门退出" in steps
    with pytest.raises(PermissionDenied):
        forwarding.decline(db, people["dept"], c2, "不属于本部门职责范围", now=NOW)  # no longer its case


def test_department_reads_investigation_and_proposers_as_the_organizer_allows(setup):
    db, people, p = setup
    c1 = forwarding.forward(db, people["organizer"], p["p1"], "jwc", now=NOW)
    member = forwarding.get_case(db, people["dept"], c1)["members"][0]
    assert member["investigation"]
    assert member["proposers"] == []  # by default departments see no proposer
    settings.update(db, people["organizer"], department_sees_proposers="name")
    member = forwarding.get_case(db, people["dept"], c1)["members"][0]
    assert [x["name"] for x in member["proposers"]] == [people["alice"].name, people["carol"].name]
    assert "email" not in member["proposers"][0]  # names and colleges only
    settings.update(db, people["organizer"], department_sees_proposers="contact")
    member = forwarding.get_case(db, people["dept"], c1)["members"][0]
    assert "email" in member["proposers"][0] and "phone" in member["proposers"][0]
    settings.update(db, people["organizer"], department_sees_proposers="none")
    assert forwarding.get_case(db, people["dept"], c1)["members"][0]["proposers"] == []
    assert "proposers" not in forwarding.get_case(db, people["alice"], c1)["members"][0]
    with pytest.raises(ValidationError):
        settings.update(db, people["organizer"], department_sees_proposers="everything")


def test_students_see_only_their_own_cases(setup):
    db, people, p = setup
    org = people["organizer"]
    c1 = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    c2 = forwarding.forward(db, org, p["p2"], "hqc", now=NOW)
    assert list(forwarding.cases(db, people["alice"])["id"]) == [c1]
    assert list(forwarding.cases(db, people["carol"])["id"]) == [c1]  # co-author
    assert list(forwarding.cases(db, people["bob"])["id"]) == [c2]
    with pytest.raises(PermissionDenied):
        forwarding.get_case(db, people["alice"], c2)
    assert forwarding.case_for_proposal(db, people["bob"], p["p3"]) is None
    # the organizer sees author names; the department does not
    assert "authors" in forwarding.get_case(db, org, c1)["members"][0]
    assert "authors" not in forwarding.get_case(db, people["dept"], c1)["members"][0]


def test_state_transitions(setup):
    db, people, p = setup
    org, dept, alice = people["organizer"], people["dept"], people["alice"]
    with pytest.raises(ValidationError, match="尚未转办"):
        ratings.rate(db, alice, p["p1"], "满意", now=NOW)
    with pytest.raises(PermissionDenied):
        replies.reply(db, dept, 999, "resolved", REPLY, now=NOW)  # no case for an unforwarded proposal
    case_id = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    with pytest.raises(ValidationError, match="尚未答复"):
        ratings.rate(db, alice, p["p1"], "满意", now=NOW)
    with pytest.raises(ValidationError, match="办理计划和预计完成日期"):
        replies.reply(db, dept, case_id, "in_progress", REPLY, now=NOW)
    with pytest.raises(ValidationError, match="原因"):
        replies.reply(db, dept, case_id, "not_feasible", REPLY, now=NOW)
    with pytest.raises(ValidationError, match="至少需要 10 个字"):
        replies.reply(db, dept, case_id, "planned", "太短", now=NOW)
    replies.reply(db, dept, case_id, "in_progress", REPLY, plan="下月完成改造", expected_date="2026-05-01",
                   now=NOW + dt.timedelta(days=3))
    assert db["cases"].get(case_id)["status"] == "replied"
    replies.reply(db, dept, case_id, "resolved", REPLY, now=NOW + dt.timedelta(days=10))
    entries = forwarding.replies(db, dept, case_id)
    assert [e["kind"] for e in entries] == ["reply", "update"]
    assert db["cases"].get(case_id)["status"] == "resolved"
    with pytest.raises(ValidationError, match="已办结"):
        replies.reply(db, dept, case_id, "in_progress", REPLY, plan="x计划", expected_date="2026-06-01",
                       now=NOW + dt.timedelta(days=11))
    with pytest.raises(ValidationError, match="不能重新转办"):
        forwarding.reforward(db, org, case_id, "hqc", reason="转给后勤", now=NOW)


def test_rating_once_and_one_further_reply(setup):
    db, people, p = setup
    org, dept, alice, carol, bob = (people[k] for k in ("organizer", "dept", "alice", "carol", "bob"))
    case_id = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    replies.reply(db, dept, case_id, "resolved", REPLY, now=NOW + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        ratings.rate(db, bob, p["p1"], "满意", now=NOW)  # not an author
    with pytest.raises(PermissionDenied):
        ratings.rate(db, dept, p["p1"], "满意", now=NOW)
    with pytest.raises(ValidationError, match="只有评价为“不满意”"):
        ratings.request_further_reply(db, alice, p["p1"], "请再答复一次", now=NOW)
    ratings.rate(db, alice, p["p1"], "不满意", "没有回应主要问题", now=NOW + dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="已评价过"):
        ratings.rate(db, carol, p["p1"], "满意", now=NOW + dt.timedelta(days=2))  # once per proposal
    ratings.request_further_reply(db, carol, p["p1"], "请说明自习室开放时间", now=NOW + dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="已申请过"):
        ratings.request_further_reply(db, alice, p["p1"], "再申请一次", now=NOW + dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="等待部门答复"):
        ratings.rate(db, alice, p["p1"], "满意", now=NOW + dt.timedelta(days=3))
    assert forwarding.cases(db, dept).iloc[0]["further_open"] == 1
    # the closed case accepts exactly the requested further reply
    replies.reply(db, dept, case_id, "resolved", REPLY + "自习室开放至23点。", now=NOW + dt.timedelta(days=5))
    assert forwarding.replies(db, dept, case_id)[-1]["kind"] == "further"
    with pytest.raises(ValidationError, match="已办结"):
        replies.reply(db, dept, case_id, "resolved", REPLY, now=NOW + dt.timedelta(days=6))
    ratings.rate(db, alice, p["p1"], "基本满意", now=NOW + dt.timedelta(days=6))
    with pytest.raises(ValidationError):
        ratings.rate(db, alice, p["p1"], "满意", now=NOW + dt.timedelta(days=7))
    h = followup_stats.stats(db, org, now=NOW + dt.timedelta(days=7))["headline"]
    assert (h["rated"], h["basic"], h["unsatisfied"], h["satisfaction"]) == (1, 1, 0, 1.0)  # latest rating counts
    steps = [e["step"] for e in timeline.timeline_events(db, p["p1"])]
    assert steps == ["已转办", "已答复", "已解决", "评价", "申请再次答复", "再次答复", "评价"]


def test_decline_and_reforward_history(setup):
    db, people, p = setup
    org, dept, dept2 = people["organizer"], people["dept"], people["dept2"]
    case_id = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    forwarding.decline(db, dept, case_id, "自习室由图书馆管理，不属于教务处职责", now=NOW + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="等待重新转办"):
        replies.reply(db, dept, case_id, "resolved", REPLY, now=NOW + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="理由"):
        forwarding.reforward(db, org, case_id, "hqc", reason="", now=NOW)
    forwarding.reforward(db, org, case_id, "hqc", reason="改由后勤保障处办理", due_days=10,
                       now=NOW + dt.timedelta(days=2))
    case = db["cases"].get(case_id)
    assert (case["department"], case["status"], case["due_at"]) == ("hqc", "pending", "2026-03-22 12:00:00")
    assert forwarding.cases(db, dept).empty  # the old department no longer sees it
    assert list(forwarding.cases(db, dept2)["id"]) == [case_id]
    history = forwarding.get_case(db, org, case_id)["history"]
    assert [h["kind"] for h in history] == ["forward", "decline", "reforward"]
    assert history[1]["reason"].startswith("自习室")
    assert [e["step"] for e in timeline.timeline_events(db, p["p1"])] == ["已转办", "部门退回", "重新转办"]


def test_rates_on_hand_made_cases(fresh_db, people):
    """10 valid proposals; 8 forwarded; 5 replied (2 resolved, 2 in progress/planned, 1 not feasible);
    3 awaiting of which 2 are past due; 4 rated: 满意, 基本满意, 不满意, 不满意 -> 50%."""
    db, org = fresh_db, people["organizer"]
    alice = people["alice"]
    ids = [add_proposal(db, alice, topic="life" if i < 6 else "teaching") for i in range(10)]
    add_proposal(db, alice, status="invalid")  # not counted
    t0 = NOW - dt.timedelta(days=40)
    cases = [forwarding.forward(db, org, pid, "jwc" if i < 4 else "hqc", due_days=30 if i != 7 else 60, now=t0)
             for i, pid in enumerate(ids[:8])]
    dept = {"jwc": people["dept"], "hqc": people["dept2"]}
    plan = {"plan": "分两期实施", "expected_date": "2026-06-30"}
    steps = [(0, "resolved", 5, {}), (1, "resolved", 10, {}), (2, "in_progress", 20, plan), (3, "planned", 15, {}),
             (4, "not_feasible", 30, {"reason": "经费不足"})]
    for i, state, days, extra in steps:
        code = "jwc" if i < 4 else "hqc"
        replies.reply(db, dept[code], cases[i], state, REPLY, now=t0 + dt.timedelta(days=days), **extra)
    for i, level in [(0, "满意"), (1, "基本满意"), (2, "不满意"), (4, "不满意")]:
        ratings.rate(db, alice, ids[i], level, now=NOW - dt.timedelta(days=1))
    s = followup_stats.stats(db, org, now=NOW)
    h = s["headline"]
    assert h["valid"] == 10 and h["forwarded"] == 8 and h["forward_rate"] == 0.8
    assert h["replied"] == 5 and h["reply_rate"] == 5 / 8
    assert h["resolved"] == 2 and h["resolve_rate"] == 2 / 8
    assert h["in_progress"] == 2 and h["not_feasible"] == 1
    assert h["awaiting"] == 3 and h["overdue"] == 2  # case 7 has 60 days
    assert h["rated"] == 4 and h["satisfaction"] == 0.5
    by_dept = s["by_department"].set_index("department")
    assert by_dept.loc["jwc", "forwarded"] == 4 and by_dept.loc["jwc", "resolved"] == 2
    assert by_dept.loc["jwc", "reply_rate"] == 1.0 and by_dept.loc["jwc", "mean_reply_days"] == 12.5
    assert by_dept.loc["hqc", "forwarded"] == 4 and by_dept.loc["hqc", "overdue"] == 2
    assert by_dept.loc["hqc", "replied"] == 1
    by_topic = s["by_topic"].set_index("topic")
    assert by_topic.loc["life", "valid"] == 6 and by_topic.loc["teaching", "valid"] == 4
    assert by_topic.loc["teaching", "forwarded"] == 2 and by_topic.loc["teaching", "forward_rate"] == 0.5
    assert sorted(s["reply_days"]) == [5, 10, 15, 20, 30]
    dist = followup_stats.reply_day_distribution(s["reply_days"]).set_index("答复用时")["提案数"]
    assert (dist["7天内"], dist["7–14天"], dist["15–29天"], dist["30–59天"]) == (1, 1, 2, 1)
    assert list(s["cumulative"]["累计答复"])[-1] == 5 and list(s["cumulative"]["累计转办"])[-1] == 8


def test_summary_sentence_in_the_report_style():
    stats = {"headline": {"forwarded": 127, "forward_rate": 1.0, "replied": 39, "resolved": 29, "awaiting": 88,
                          "rated": 0, "satisfaction": None}}
    assert followup_stats.summary_sentence(stats, dt.date(2026, 12, 1)) == (
        "截至2026年12月1日，向职能部门对接提案127件，移交率100%；其中39件提案得到回复，已解决29件，88件正在回复中。")
    stats["headline"] |= {"forward_rate": 2 / 3, "rated": 4, "satisfaction": 0.75}
    sentence = followup_stats.summary_sentence(stats, dt.datetime(2026, 3, 9, 10, 0))
    assert sentence.startswith("截至2026年3月9日") and "移交率66.7%" in sentence and sentence.endswith("满意率为75%。")


def test_empty_contest_rates_are_undefined(fresh_db, people):
    s = followup_stats.stats(fresh_db, people["organizer"], now=NOW)
    assert s["headline"]["forward_rate"] is None and followup_stats.percent(None) == "—"
    assert "移交率—" in followup_stats.summary_sentence(s, NOW)


def sheet(rows):
    return exports.to_csv(pd.DataFrame(rows))


def test_import_replies_all_or_nothing_with_row_errors(setup):
    db, people, p = setup
    org, dept = people["organizer"], people["dept"]
    c1 = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    c2 = forwarding.forward(db, org, p["p2"], "hqc", now=NOW)
    bad = sheet([
        {"办理编号": c1, "办理状态": "已解决", "答复内容": REPLY},
        {"办理编号": c2, "办理状态": "已解决", "答复内容": REPLY},  # another department's case
        {"办理编号": c1, "办理状态": "完成了", "答复内容": REPLY},  # duplicate and bad state
        {"办理编号": "abc", "办理状态": "已解决", "答复内容": REPLY},
        {"办理编号": c1, "办理状态": "正在办理", "答复内容": "短"},
    ])
    with pytest.raises(ValidationError) as error:
        replies.import_replies(db, dept, bad, "replies.csv", now=NOW)
    message = str(error.value)
    assert "第 3 行" in message and "第 4 行：办理编号重复" in message and "第 5 行：办理编号必须是数字" in message
    assert "第 2 行" not in message and "第 6 行" in message
    assert db["replies"].count == 0  # nothing written
    with pytest.raises(ValidationError, match="缺少列"):
        replies.import_replies(db, dept, sheet([{"编号": c1, "答复内容": REPLY}]), "x.csv", now=NOW)
    good = sheet([{"办理编号": c1, "办理状态": "正在办理", "答复内容": REPLY, "办理计划": "分两期",
                   "预计完成日期": "2026/06/30", "原因": ""}])
    assert replies.import_replies(db, dept, good, "replies.csv", now=NOW) == 1
    entry = forwarding.replies(db, dept, c1)[0]
    assert (entry["state"], entry["expected_date"]) == ("in_progress", "2026-06-30")
    # the template parses as it is, and an organizer may import for any department
    template = exports.to_excel({"答复": replies.reply_template().assign(办理编号=[c1, c2])})
    with pytest.raises(ValidationError):  # the department may not answer c2 (another department)
        replies.import_replies(db, dept, template, "t.xlsx", now=NOW)
    assert replies.import_replies(db, org, template, "t.xlsx", now=NOW) == 2


def test_attachment_checked_by_bytes_and_stored_next_to_db(setup, db_path):
    db, people, p = setup
    dept = people["dept"]
    case_id = forwarding.forward(db, people["organizer"], p["p1"], "jwc", now=NOW)
    with pytest.raises(ValidationError, match="不是允许的文件类型"):
        replies.reply(db, dept, case_id, "resolved", REPLY, file=("reply.pdf", b"MZ\x90\x00not a pdf"), now=NOW)
    assert db["replies"].count == 0
    entry = replies.reply(db, dept, case_id, "resolved", REPLY, file=("答复函.pdf", b"%PDF-1.4 hello"), now=NOW)
    stored = db["replies"].get(entry)["file_stored"]
    assert stored.endswith(".pdf") and "答复函" not in stored
    assert (db_path.parent / "attachments" / stored).exists()
    assert replies.attachment(db, people["alice"], entry) == ("答复函.pdf", b"%PDF-1.4 hello")
    with pytest.raises(PermissionDenied):
        replies.attachment(db, people["bob"], entry)


def test_departments_may_open_attachments_of_forwarded_proposals_only(setup):
    db, people, p = setup
    assert not attachments.can_download(db, people["dept"], p["p1"])
    forwarding.forward(db, people["organizer"], p["p1"], "jwc", co_departments=["hqc"], now=NOW)
    assert attachments.can_download(db, people["dept"], p["p1"])
    assert attachments.can_download(db, people["dept2"], p["p1"])  # co-handling
    assert not attachments.can_download(db, people["dept"], p["p2"])


def test_public_view_has_no_personal_data(setup):
    db, people, p = setup
    org, dept = people["organizer"], people["dept"]
    case_id = forwarding.forward(db, org, p["p1"], "jwc", now=NOW)
    r1 = replies.reply(db, dept, case_id, "planned", REPLY, now=NOW)
    replies.reply(db, dept, case_id, "resolved", REPLY + "（内部）", published=False, now=NOW)
    ratings.rate(db, people["alice"], p["p1"], "不满意", "私人意见文字", now=NOW)
    frame = public_followup.public_cases(db)
    assert list(frame["id"]) == [case_id]
    flat = frame.to_string() + str(public_followup.public_replies(db, case_id)) + str(followup_stats.public_stats(db, now=NOW))
    for secret in ("艾丽", "卡罗", "2023001", "管理学院", "私人意见文字", "alice", "（内部）"):
        assert secret not in flat
    assert len(public_followup.public_replies(db, case_id)) == 1
    replies.set_published(db, org, r1, False)
    assert public_followup.public_replies(db, case_id) == []
    assert public_followup.public_cases(db, department="hqc").empty
    assert list(public_followup.public_cases(db, text="自习")["id"]) == [case_id]
    assert public_followup.public_cases(db, topic="teaching").empty


def test_excel_export_has_every_sheet(setup):
    db, people, p = setup
    case_id = forwarding.forward(db, people["organizer"], p["p1"], "jwc", now=NOW)
    replies.reply(db, people["dept"], case_id, "resolved", REPLY, now=NOW)
    data = followup_stats.export_excel(db, people["organizer"], now=NOW)
    book = pd.read_excel(__import__("io").BytesIO(data), sheet_name=None)
    assert {"汇总", "总体指标", "指标定义", "按部门", "按议题", "答复用时分布", "累计答复", "办理明细", "答复记录",
            "评价"} <= set(book)
    assert book["办理明细"].iloc[0]["提案人"] == "艾丽"
    assert book["汇总"].iloc[0]["汇总"].startswith("截至2026年3月10日")
    with pytest.raises(PermissionDenied):
        followup_stats.export_excel(db, people["dept"], now=NOW)


def test_student_timeline_shows_follow_up_milestones(setup):
    from contest import timeline

    db, people, p = setup
    case_id = forwarding.forward(db, people["organizer"], p["p1"], "jwc", now=NOW)
    replies.reply(db, people["dept"], case_id, "in_progress", REPLY, plan="分两期", expected_date="2026-06-30",
                   now=NOW + dt.timedelta(days=2))
    steps = {s["step"]: s for s in timeline.timeline(db, people["alice"], p["p1"])}
    assert steps["已转办"]["state"] == "done" and "教务处" in steps["已转办"]["detail"]
    assert steps["已答复"]["state"] == "done" and "正在办理" in steps["已答复"]["detail"]
    assert steps["已解决"]["state"] != "done"
