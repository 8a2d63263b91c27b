"""Proposals: validation, deadlines and grace period, ownership, double submits, bad input."""
import datetime as dt

import pytest

from contest import audit, proposals, settings, timeline
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import GOOD, NOW, accept_invitations

CLOSES = dt.datetime(2026, 4, 4, 8, 0)  # fresh_db: opens 2026-03-05 08:00, +30 days


def draft(db, who, **changes):
    return proposals.save_draft(db, who, GOOD | changes, now=NOW)


def submitted(db, who, **changes):
    pid = draft(db, who, **changes)
    proposals.submit(db, who, pid, now=NOW)
    return pid


# --- drafts and submission --------------------------------------------------------


def test_draft_may_be_incomplete_and_is_kept(fresh_db, people):
    alice = people["alice"]
    pid = proposals.save_draft(fresh_db, alice, {"title": "食堂"}, now=NOW)
    row = proposals.get(fresh_db, alice, pid)
    assert row["status"] == "draft" and row["title"] == "食堂" and row["problem"] == ""
    assert row["college"] == "管理学院" and row["source"] == "portal"


def test_submit_incomplete_draft_refused_with_chinese_message(fresh_db, people):
    alice = people["alice"]
    pid = proposals.save_draft(fresh_db, alice, {"title": "食堂"}, now=NOW)
    with pytest.raises(ValidationError, match="标题至少需要 5 个字"):
        proposals.submit(fresh_db, alice, pid, now=NOW)
    assert proposals.get(fresh_db, alice, pid)["status"] == "draft"


def test_submit_complete_draft(fresh_db, people):
    pid = submitted(fresh_db, people["alice"])
    row = proposals.get(fresh_db, people["alice"], pid)
    assert row["status"] == "submitted" and row["submitted_at"] == "2026-03-10 12:00:00"
    assert any(e["action"] == "submit_proposal" for e in audit.entries(fresh_db, people["organizer"]))


def test_missing_topic_refused_on_submit(fresh_db, people):
    pid = draft(fresh_db, people["alice"], topic="")
    with pytest.raises(ValidationError, match="请选择议题"):
        proposals.submit(fresh_db, people["alice"], pid, now=NOW)


def test_unknown_topic_and_department_refused(fresh_db, people):
    with pytest.raises(ValidationError, match="议题"):
        draft(fresh_db, people["alice"], topic="nope")
    with pytest.raises(ValidationError, match="建议承办部门"):
        draft(fresh_db, people["alice"], department="xyz")


def test_same_client_token_gives_one_proposal(fresh_db, people):
    alice = people["alice"]
    first = proposals.save_draft(fresh_db, alice, GOOD, client_token="tok-1", now=NOW)
    proposals.submit(fresh_db, alice, first, now=NOW)
    second = proposals.save_draft(fresh_db, alice, GOOD, client_token="tok-1", now=NOW)
    proposals.submit(fresh_db, alice, second, now=NOW)
    assert first == second
    assert fresh_db["proposals"].count == 1
    assert fresh_db["audit_log"].count_where("action = 'submit_proposal'") == 1


def test_client_token_is_per_student(fresh_db, people):
    a = proposals.save_draft(fresh_db, people["alice"], GOOD, client_token="same", now=NOW)
    b = proposals.save_draft(fresh_db, people["bob"], GOOD, client_token="same", now=NOW)
    assert a != b
    assert proposals.get(fresh_db, people["bob"], b)["submitter_id"] == people["bob"].id


def test_double_submit_is_a_no_op(fresh_db, people):
    pid = submitted(fresh_db, people["alice"])
    proposals.submit(fresh_db, people["alice"], pid, now=NOW + dt.timedelta(hours=1))
    assert proposals.get(fresh_db, people["alice"], pid)["submitted_at"] == "2026-03-10 12:00:00"


# --- bad input on every field -----------------------------------------------------

FIELDS = ["title", "problem", "investigation", "suggestions"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value, message", [
    ("", "请填写"),
    ("   \n\t ", "请填写"),
    ("x" * 3001, "最多"),
    ("好" * 10 + "\u200b" + "好" * 20, "零宽"),
    ("好" * 10 + "\x07" + "好" * 20, "控制字符"),
    ("好" * 10 + "\u202e" + "好" * 20, "控制字符"),
])
def test_bad_values_refused_and_saved_text_kept(fresh_db, people, field, value, message):
    alice = people["alice"]
    pid = submitted(fresh_db, alice)
    before = proposals.get(fresh_db, alice, pid)
    with pytest.raises(ValidationError, match=message):
        proposals.update_submitted(fresh_db, alice, pid, GOOD | {field: value}, now=NOW)
    after = proposals.get(fresh_db, alice, pid)
    assert after == before


@pytest.mark.parametrize("field", FIELDS)
def test_draft_refuses_invisible_characters_but_keeps_old_draft(fresh_db, people, field):
    alice = people["alice"]
    pid = draft(fresh_db, alice)
    with pytest.raises(ValidationError, match="零宽"):
        proposals.save_draft(fresh_db, alice, GOOD | {field: "abc\u200dxyz"}, proposal_id=pid, now=NOW)
    assert proposals.get(fresh_db, alice, pid)[field] == GOOD[field]


def test_overlong_title_refused_even_in_a_draft(fresh_db, people):
    with pytest.raises(ValidationError, match="标题最多 40 个字"):
        draft(fresh_db, people["alice"], title="长" * 41)
    assert fresh_db["proposals"].count == 0


def test_title_cannot_contain_a_line_break(fresh_db, people):
    with pytest.raises(ValidationError, match="不能换行"):
        draft(fresh_db, people["alice"], title="第一行标题\n第二行")


@pytest.mark.parametrize("value", [
    "<script>alert('x')</script>关于食堂的建议",
    "![x](http://example.com/t.png) 食堂排队",
    "食堂排队太长了 🍜🍚 怎么办",
    "<b>粗体</b> & 'quotes' \"双引号\"",
])
def test_html_markdown_and_emoji_stored_verbatim(fresh_db, people, value):
    alice = people["alice"]
    pid = submitted(fresh_db, alice, title=value, problem=value + "。" * 20)
    row = proposals.get(fresh_db, alice, pid)
    assert row["title"] == value and row["problem"] == value + "。" * 20


def test_surrounding_whitespace_is_trimmed_and_windows_newlines_normalised(fresh_db, people):
    pid = submitted(fresh_db, people["alice"], title="  关于食堂排队的建议  ",
                    problem="第一段：食堂排队太长。\r\n第二段：高峰时段等待超过二十分钟。")
    row = proposals.get(fresh_db, people["alice"], pid)
    assert row["title"] == "关于食堂排队的建议" and "\r" not in row["problem"]


def test_length_limits_at_the_edges(fresh_db, people):
    alice = people["alice"]
    pid = submitted(fresh_db, alice, title="五个字标题", problem="字" * 20, suggestions="字" * 3000)
    assert proposals.get(fresh_db, alice, pid)["status"] == "submitted"
    with pytest.raises(ValidationError, match="问题描述至少需要 20 个字，当前 19 个字"):
        proposals.update_submitted(fresh_db, alice, pid, GOOD | {"problem": "字" * 19}, now=NOW)


# --- co-authors -------------------------------------------------------------------


def test_coauthors_by_student_number(fresh_db, people):
    pid = submitted(fresh_db, people["alice"], coauthors="2023002，2023003")
    row = proposals.get(fresh_db, people["alice"], pid)
    assert row["coauthors"] == []  # invited, not yet co-authors: no names shown
    assert [(i["student_no"], i["status"]) for i in row["invitations"]] == [("2023002", "pending"), ("2023003", "pending")]
    accept_invitations(fresh_db, people["bob"], people["carol"])
    row = proposals.get(fresh_db, people["alice"], pid)
    assert [c["student_no"] for c in row["coauthors"]] == ["2023002", "2023003"] and row["invitations"] == []


@pytest.mark.parametrize("numbers, message", [
    (["9999999"], "尚未注册"),
    (["2023001"], "不需要把自己"),
    (["a1", "a2", "a3", "a4", "a5"], "最多 4 人"),
])
def test_bad_coauthors_refused(fresh_db, people, numbers, message):
    with pytest.raises(ValidationError, match=message):
        draft(fresh_db, people["alice"], coauthors=numbers)
    assert fresh_db["proposals"].count == 0


def test_coauthor_reads_but_cannot_change_or_withdraw(fresh_db, people):
    alice, bob = people["alice"], people["bob"]
    pid = submitted(fresh_db, alice, coauthors=["2023002"])
    accept_invitations(fresh_db, bob)
    assert proposals.get(fresh_db, bob, pid)["title"] == GOOD["title"]
    assert [p["id"] for p in proposals.mine(fresh_db, bob)] == [pid]
    assert proposals.mine(fresh_db, bob)[0]["my_role"] == "合作者"
    with pytest.raises(PermissionDenied, match="只有提交人"):
        proposals.withdraw(fresh_db, bob, pid, now=NOW)
    with pytest.raises(PermissionDenied, match="只有提交人"):
        proposals.update_submitted(fresh_db, bob, pid, GOOD | {"title": "合作者改的标题"}, now=NOW)
    with pytest.raises(PermissionDenied):
        proposals.save_draft(fresh_db, bob, GOOD, proposal_id=pid, now=NOW)
    assert proposals.can_edit(fresh_db, bob, proposals.get(fresh_db, bob, pid), NOW)[0] is False
    proposals.withdraw(fresh_db, alice, pid, now=NOW)
    assert proposals.get(fresh_db, alice, pid)["status"] == "withdrawn"


def test_coauthor_does_not_see_a_draft(fresh_db, people):
    pid = submitted(fresh_db, people["alice"], coauthors=["2023002"])
    accept_invitations(fresh_db, people["bob"])
    proposals.withdraw(fresh_db, people["alice"], pid, now=NOW)  # then reopened as a draft
    proposals.save_draft(fresh_db, people["alice"], GOOD | {"coauthors": "2023002"}, proposal_id=pid, now=NOW)
    assert proposals.get(fresh_db, people["alice"], pid)["status"] == "draft"
    assert proposals.mine(fresh_db, people["bob"]) == []
    with pytest.raises(PermissionDenied, match="草稿"):
        proposals.get(fresh_db, people["bob"], pid)


# --- ownership --------------------------------------------------------------------


def test_student_never_reads_or_changes_another_students_draft(fresh_db, people):
    alice, carol = people["alice"], people["carol"]
    pid = draft(fresh_db, alice)
    with pytest.raises(PermissionDenied):
        proposals.get(fresh_db, carol, pid)
    with pytest.raises(PermissionDenied):
        proposals.save_draft(fresh_db, carol, GOOD | {"title": "卡罗改掉的标题"}, proposal_id=pid, now=NOW)
    with pytest.raises(PermissionDenied):
        proposals.submit(fresh_db, carol, pid, now=NOW)
    with pytest.raises(PermissionDenied):
        proposals.withdraw(fresh_db, carol, pid, now=NOW)
    assert proposals.mine(fresh_db, carol) == []
    row = proposals.get(fresh_db, alice, pid)
    assert row["title"] == GOOD["title"] and row["status"] == "draft"


def test_other_students_client_token_does_not_reach_a_draft(fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, client_token="t", now=NOW)
    other = proposals.save_draft(fresh_db, people["carol"], {"title": "卡罗自己的"}, client_token="t", now=NOW)
    assert other != pid and proposals.get(fresh_db, people["alice"], pid)["title"] == GOOD["title"]


@pytest.mark.parametrize("who", ["judge", "dept"])
def test_judges_and_departments_cannot_use_the_participant_functions(fresh_db, people, who):
    pid = submitted(fresh_db, people["alice"])
    with pytest.raises(PermissionDenied):
        proposals.get(fresh_db, people[who], pid)
    with pytest.raises(PermissionDenied):
        proposals.save_draft(fresh_db, people[who], GOOD, now=NOW)
    with pytest.raises(PermissionDenied):
        proposals.search(fresh_db, people[who])


def test_organizer_cannot_write_as_a_student_but_reads_and_screens(fresh_db, people):
    pid = submitted(fresh_db, people["alice"])
    with pytest.raises(PermissionDenied):
        proposals.save_draft(fresh_db, people["organizer"], GOOD, proposal_id=pid, now=NOW)
    assert proposals.get(fresh_db, people["organizer"], pid)["title"] == GOOD["title"]


def test_unknown_proposal_id_looks_like_forbidden(fresh_db, people):
    with pytest.raises(PermissionDenied, match="不存在或无权查看"):
        proposals.get(fresh_db, people["alice"], 999)


# --- deadlines --------------------------------------------------------------------


def test_edit_until_the_deadline_then_read_only(fresh_db, people):
    alice = people["alice"]
    pid = submitted(fresh_db, alice)
    proposals.update_submitted(fresh_db, alice, pid, GOOD | {"title": "截止前一刻修改的标题"}, now=CLOSES)
    late = CLOSES + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="已于 2026-04-04 08:00 截止"):
        proposals.update_submitted(fresh_db, alice, pid, GOOD | {"title": "截止后修改的标题"}, now=late)
    with pytest.raises(ValidationError, match="截止"):
        proposals.withdraw(fresh_db, alice, pid, now=late)
    with pytest.raises(ValidationError, match="截止"):
        proposals.save_draft(fresh_db, alice, GOOD, now=late)
    allowed, reason = proposals.can_edit(fresh_db, alice, proposals.get(fresh_db, alice, pid), late)
    assert not allowed and "截止" in reason
    assert proposals.get(fresh_db, alice, pid)["title"] == "截止前一刻修改的标题"


def test_draft_cannot_be_submitted_after_the_deadline(fresh_db, people):
    pid = draft(fresh_db, people["alice"])
    with pytest.raises(ValidationError, match="截止"):
        proposals.submit(fresh_db, people["alice"], pid, now=CLOSES + dt.timedelta(days=1))


def test_before_opening_nothing_can_be_written(fresh_db, people):
    with pytest.raises(ValidationError, match="将于 2026-03-05 08:00 开始"):
        proposals.save_draft(fresh_db, people["alice"], GOOD, now=dt.datetime(2026, 3, 1))


def test_grace_period_allows_late_edits_until_it_ends(fresh_db, people):
    alice = people["alice"]
    pid = draft(fresh_db, alice)
    settings.update(fresh_db, people["organizer"], grace_until="2026-04-06 20:00")
    proposals.submit(fresh_db, alice, pid, now=dt.datetime(2026, 4, 6, 19, 59))
    assert proposals.get(fresh_db, alice, pid)["status"] == "submitted"
    with pytest.raises(ValidationError, match="截止"):
        proposals.withdraw(fresh_db, alice, pid, now=dt.datetime(2026, 4, 6, 20, 1))


# --- withdraw and reopen ---------------------------------------------------------


def test_withdraw_then_reopen_as_draft_and_submit_again(fresh_db, people):
    alice = people["alice"]
    pid = submitted(fresh_db, alice)
    proposals.withdraw(fresh_db, alice, pid, now=NOW)
    proposals.withdraw(fresh_db, alice, pid, now=NOW)  # twice: no error
    assert proposals.search(fresh_db, people["organizer"], status="submitted").empty
    proposals.save_draft(fresh_db, alice, GOOD, proposal_id=pid, now=NOW)
    proposals.submit(fresh_db, alice, pid, now=NOW)
    assert proposals.get(fresh_db, alice, pid)["status"] == "submitted"


# --- screening -------------------------------------------------------------------


def test_screening_valid_and_invalid_with_reason_seen_by_author(fresh_db, people):
    org, alice = people["organizer"], people["alice"]
    a, b = submitted(fresh_db, alice), submitted(fresh_db, alice, title="关于增加自习室座位的建议")
    import numpy as np  # ids from a dataframe selection are numpy integers

    assert proposals.screen(fresh_db, org, [np.int64(a)], True, now=NOW) == 1
    proposals.screen(fresh_db, org, [b], False, "与往届已办结提案重复。", now=NOW)
    assert proposals.get(fresh_db, alice, a)["status"] == "valid"
    row = proposals.get(fresh_db, alice, b)
    assert row["status"] == "invalid" and row["invalid_reason"] == "与往届已办结提案重复。"
    assert proposals.counts(fresh_db, people["organizer"]) | {} == {"received": 2, "valid": 1, "invalid": 1, "pending": 0,
                                                "drafts": 0, "withdrawn": 0}
    with pytest.raises(ValidationError, match="已完成立案审查"):
        proposals.update_submitted(fresh_db, alice, a, GOOD, now=NOW)
    with pytest.raises(ValidationError, match="不能撤回"):
        proposals.withdraw(fresh_db, alice, a, now=NOW)
    assert "立案审查" in proposals.can_edit(fresh_db, alice, row, NOW)[1]


def test_invalid_needs_a_reason_and_only_organizers_screen(fresh_db, people):
    pid = submitted(fresh_db, people["alice"])
    with pytest.raises(ValidationError, match="理由"):
        proposals.screen(fresh_db, people["organizer"], [pid], False, "  ", now=NOW)
    with pytest.raises(PermissionDenied):
        proposals.screen(fresh_db, people["alice"], [pid], True, now=NOW)
    with pytest.raises(PermissionDenied):
        proposals.screen(fresh_db, people["judge"], [pid], True, now=NOW)
    assert proposals.get(fresh_db, people["alice"], pid)["status"] == "submitted"


def test_screening_with_a_topic_is_one_transaction(fresh_db, people):
    org = people["organizer"]
    pid = submitted(fresh_db, people["alice"])
    topic = fresh_db["proposals"].get(pid)["topic"]
    with pytest.raises(ValidationError):
        proposals.screen(fresh_db, org, [pid], False, "", topic="transport")
    row = fresh_db["proposals"].get(pid)
    assert (row["status"], row["topic"], row["topic_confirmed"]) == ("submitted", topic, 0)
    proposals.screen(fresh_db, org, [pid], True, topic="transport", now=NOW)
    row = fresh_db["proposals"].get(pid)
    assert (row["status"], row["topic"], row["topic_confirmed"]) == ("valid", "transport", 1)


def test_drafts_and_withdrawn_cannot_be_screened_and_bulk_is_all_or_nothing(fresh_db, people):
    ok = submitted(fresh_db, people["alice"])
    pending = draft(fresh_db, people["bob"])
    with pytest.raises(ValidationError, match="尚未提交"):
        proposals.screen(fresh_db, people["organizer"], [ok, pending], True, now=NOW)
    assert proposals.get(fresh_db, people["alice"], ok)["status"] == "submitted"


def test_reclassify_topic(fresh_db, people):
    pid = submitted(fresh_db, people["alice"])
    proposals.set_topic(fresh_db, people["organizer"], [pid], "life")
    row = proposals.get(fresh_db, people["organizer"], pid)
    assert row["topic"] == "life" and row["topic_confirmed"] == 1
    with pytest.raises(ValidationError):
        proposals.set_topic(fresh_db, people["organizer"], [pid], "bogus")


# --- search ----------------------------------------------------------------------


def test_search_short_chinese_words_and_filters(fresh_db, people):
    org = people["organizer"]
    a = submitted(fresh_db, people["alice"], title="关于改善食堂排队问题的建议", topic="life")
    b = submitted(fresh_db, people["bob"])
    draft(fresh_db, people["carol"], title="草稿里也有食堂")
    assert list(proposals.search(fresh_db, org, text="食堂")["id"]) == [a]
    assert list(proposals.search(fresh_db, org, text="开放时间")["id"]) == [b]
    assert list(proposals.search(fresh_db, org, college="医学部")["id"]) == [b]
    assert list(proposals.search(fresh_db, org, topic="life")["id"]) == [a]
    assert list(proposals.search(fresh_db, org, text="艾丽")["id"]) == [a]  # the author's name
    assert proposals.search(fresh_db, org, text="_").empty  # LIKE wildcards are literal
    assert len(proposals.search(fresh_db, org, text="81%")) == 2
    assert len(proposals.search(fresh_db, org, status=["submitted"])) == 2


def test_export_table_has_full_text_and_chinese_headers(fresh_db, people):
    pid = submitted(fresh_db, people["alice"], coauthors=["2023003"])
    accept_invitations(fresh_db, people["carol"])
    frame = proposals.export_table(fresh_db, people["organizer"])
    row = frame.iloc[0]
    assert row["编号"] == pid and row["议题"] == "课堂学习" and row["状态"] == "已提交"
    assert row["建议措施"] == GOOD["suggestions"] and row["合作者"] == "卡罗(2023003)"
    assert row["建议承办部门"] == "教务处"
    with pytest.raises(PermissionDenied):
        proposals.export_table(fresh_db, people["alice"])


# --- timeline --------------------------------------------------------------------


def test_timeline_follows_the_proposal(fresh_db, people):
    alice, org = people["alice"], people["organizer"]
    pid = draft(fresh_db, alice)
    steps = timeline.timeline(fresh_db, alice, pid)
    assert [s["step"] for s in steps[:3]] == ["草稿", "已提交", "已立案"]
    assert steps[1]["state"] == "current"
    proposals.submit(fresh_db, alice, pid, now=NOW)
    proposals.screen(fresh_db, org, [pid], True, now=NOW + dt.timedelta(days=1))
    steps = timeline.timeline(fresh_db, alice, pid)
    assert [(s["step"], s["state"]) for s in steps[:4]] == [
        ("草稿", "done"), ("已提交", "done"), ("已立案", "done"), ("评审中", "current")]
    assert steps[2]["at"] == "2026-03-11 12:00"
    assert [s["step"] for s in steps] == timeline.STEPS


def test_timeline_invalid_shows_reason_and_stops(fresh_db, people):
    pid = submitted(fresh_db, people["alice"])
    proposals.screen(fresh_db, people["organizer"], [pid], False, "不属于学校职责范围。", now=NOW)
    steps = timeline.timeline(fresh_db, people["alice"], pid)
    assert steps[-1]["step"] == "不予立案" and steps[-1]["detail"] == "不属于学校职责范围。"


def test_timeline_reads_judging_tables_and_hides_award_until_results(fresh_db, people):
    alice, org = people["alice"], people["organizer"]
    pid = submitted(fresh_db, alice)
    proposals.screen(fresh_db, org, [pid], True, now=NOW)
    judge = people["judge"]
    fresh_db["assignments"].insert({"proposal_id": pid, "judge_id": judge.id, "published": 1,
                                    "created_at": "2026-04-05 09:00:00"})
    fresh_db["sheets"].insert({"proposal_id": pid, "judge_id": judge.id, "status": "submitted",
                               "submitted_at": "2026-04-10 10:00:00"})
    fresh_db["awards"].insert({"proposal_id": pid, "award": "一等奖", "rank": 1, "score": 91.0,
                               "decided_at": "2026-04-20 10:00:00"})
    before = {s["step"]: s for s in timeline.timeline(fresh_db, alice, pid)}
    assert before["评审中"]["at"] == "2026-04-05 09:00" and before["已评审"]["state"] == "done"
    assert "获奖" not in before
    # published: the results module sets the flag
    fresh_db["settings"].upsert({"key": "results_published", "value": "true"}, pk="key")
    after = [s["step"] for s in timeline.timeline(fresh_db, alice, pid)]
    assert "获奖" in after


def test_timeline_uses_followup_events_when_available(fresh_db, people, monkeypatch):
    pid = submitted(fresh_db, people["alice"])
    proposals.screen(fresh_db, people["organizer"], [pid], True, now=NOW)
    monkeypatch.setattr(timeline, "timeline_events", lambda db, p: [
        {"step": "已转办", "at": "2026-05-01 09:00:00", "detail": "教务处"}], raising=False)
    steps = {s["step"]: s for s in timeline.timeline(fresh_db, people["alice"], pid)}
    assert steps["已转办"]["state"] == "done" and steps["已转办"]["detail"] == "教务处"
    assert steps["已答复"]["state"] == "current"


def test_timeline_in_time_order_and_one_status_line_to_the_final_answer(fresh_db, people, monkeypatch):
    alice = people["alice"]
    pid = submitted(fresh_db, alice)
    assert timeline.status_line(fresh_db, alice, pid) == "已提交"
    proposals.screen(fresh_db, people["organizer"], [pid], True, now=NOW)
    assert timeline.status_line(fresh_db, alice, pid) == "已立案"
    events = [{"step": "已转办", "at": "2026-05-01 09:00:00", "detail": "教务处"},
              {"step": "进展更新", "at": "2026-05-03 09:00:00", "detail": "已开始调研"},
              {"step": "已答复", "at": "2026-05-10 09:00:00", "detail": "教务处（正在办理）"}]
    monkeypatch.setattr(timeline, "timeline_events", lambda db, p: events)
    steps = timeline.timeline(fresh_db, alice, pid)
    done = [s for s in steps if s["state"] == "done"]
    assert [s["at"] for s in done] == sorted(s["at"] for s in done)  # 进展更新 before 已答复, not after it
    assert [s["step"] for s in done][-3:] == ["已转办", "进展更新", "已答复"]
    assert timeline.status_line(fresh_db, alice, pid) == "已答复"
    events += [{"step": "已解决", "at": "2026-05-20 09:00:00", "detail": ""},
               {"step": "评价", "at": "2026-05-21 09:00:00", "detail": "满意"}]
    assert timeline.status_line(fresh_db, alice, pid) == "已评价"


def test_timeline_permission(fresh_db, people):
    pid = draft(fresh_db, people["alice"])
    with pytest.raises(PermissionDenied):
        timeline.timeline(fresh_db, people["carol"], pid)


def test_report_counts_are_for_organizers_only(fresh_db, people):
    from contest.errors import PermissionDenied

    for who in ("alice", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            proposals.counts(fresh_db, people[who])
        with pytest.raises(PermissionDenied):
            proposals.counts_by_topic(fresh_db, people[who])
    assert proposals.counts_by_topic(fresh_db, people["organizer"]) == {}
