"""Judging: assignment persistence and publishing, conflicts, blind view, permissions,
score validation, read-only after judging closes, rubric lock, audit old -> new."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from contest import (audit, conflicts, demo, review_assignments, review_progress, rubric_lock, score_sheets,
                     settings)
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import FULL, NOW, TEXT, add_judging_proposal as add_proposal, make_user

AFTER_CLOSE = NOW + dt.timedelta(days=60)


@pytest.fixture
def contest(fresh_db, people):
    """Two more judges (4 in all) and six valid proposals by alice, bob and carol."""
    db = fresh_db
    people = dict(people)
    people["judge3"] = make_user(db, "judge3", "judge", college="机械工程学院", topics="life")
    people["judge4"] = make_user(db, "judge4", "judge", college="外国语学院", topics="environment")
    pids = [add_proposal(db, people[a], topic=t)
            for a, t in [("alice", "teaching"), ("bob", "life"), ("carol", "environment"),
                         ("alice", "life"), ("bob", "teaching"), ("carol", "other")]]
    add_proposal(db, people["alice"], status="submitted")  # not valid: never assigned
    return db, people, pids


def publish_all(db, people):
    review_assignments.auto_assign_drafts(db, people["organizer"], now=NOW)
    review_assignments.publish_assignments(db, people["organizer"])


def assigned(db, judge_id):
    return sorted(r["proposal_id"] for r in db["assignments"].rows_where("judge_id = ?", [judge_id]))


# --- assignment ---------------------------------------------------------------------


def test_auto_assignment_is_saved_as_draft_then_published(contest):
    db, people, pids = contest
    org = people["organizer"]
    preview = review_assignments.preview_auto_assignment(db, org)
    assert db["assignments"].count == 0  # preview writes nothing
    result = review_assignments.auto_assign_drafts(db, org, now=NOW)
    assert result.pairs == preview.pairs and len(result.pairs) == 6 * 3 and not result.shortfalls
    assert {p for p, _ in result.pairs} == set(pids)
    assert db["assignments"].count_where("published = 0") == 18
    # drafts are invisible to judges
    assert score_sheets.judge_queue(db, people["judge"]).empty
    loads = review_assignments.judge_loads(db, org)
    assert loads["total"].max() - loads["total"].min() <= 1 and loads["total"].sum() == 18
    assert review_assignments.publish_assignments(db, org) == 18
    queue = score_sheets.judge_queue(db, people["judge"])
    assert len(queue) == len(assigned(db, people["judge"].id)) and set(queue["status"]) == {"todo"}
    with pytest.raises(ValidationError, match="没有待发布"):
        review_assignments.publish_assignments(db, org)
    assert [e["action"] for e in audit.entries(db, org)][:2] == ["publish_assignments", "auto_assign"]


def test_assignment_is_deterministic(contest):
    db, people, _ = contest
    first = review_assignments.preview_auto_assignment(db, people["organizer"]).pairs
    assert review_assignments.preview_auto_assignment(db, people["organizer"]).pairs == first


def test_conflicts_are_never_violated(contest):
    db, people, pids = contest
    org = people["organizer"]
    settings.update(db, org, college_conflict=True)
    conflicts.declare_conflict(db, org, pids[1], people["judge3"].id, "评委是作者的导师")
    publish_all(db, people)
    judge_college = {j: db["users"].get(j)["college"] for j in (people[k].id for k in
                                                                ("judge", "judge2", "judge3", "judge4"))}
    for row in db["assignments"].rows:
        proposal = db["proposals"].get(row["proposal_id"])
        author = db["users"].get(proposal["submitter_id"])
        assert judge_college[row["judge_id"]] != author["college"], row
    assert (pids[1], people["judge3"].id) not in {(r["proposal_id"], r["judge_id"]) for r in db["assignments"].rows}
    # judge (管理学院) never gets alice's or carol's (管理学院) proposals
    assert not set(assigned(db, people["judge"].id)) & {pids[0], pids[2], pids[3], pids[5]}


def test_an_author_judge_is_never_assigned_own_proposal(contest):
    db, people, pids = contest
    mine = add_proposal(db, people["judge2"], topic="life")  # a judge who also wrote one
    publish_all(db, people)
    assert mine not in assigned(db, people["judge2"].id)
    with pytest.raises(ValidationError, match="评委是提案作者"):
        review_assignments.add_assignment(db, people["organizer"], mine, people["judge2"].id)


def test_hand_adjustments_check_conflicts_and_duplicates(contest):
    db, people, pids = contest
    org = people["organizer"]
    review_assignments.add_assignment(db, org, pids[0], "judge2", now=NOW)
    row = db["assignments"].get((pids[0], people["judge2"].id))
    assert row["published"] == 0 and row["source"] == "manual"
    with pytest.raises(ValidationError, match="已分配"):
        review_assignments.add_assignment(db, org, pids[0], people["judge2"].id)
    conflicts.declare_conflict(db, org, pids[1], people["judge2"].id, "亲属关系")
    with pytest.raises(ValidationError, match="已声明利益冲突"):
        review_assignments.add_assignment(db, org, pids[1], people["judge2"].id)
    with pytest.raises(ValidationError, match="尚未立案"):
        review_assignments.add_assignment(db, org, pids[-1] + 1, people["judge2"].id)
    with pytest.raises(ValidationError, match="不是在用的评委"):
        review_assignments.add_assignment(db, org, pids[0], "alice")
    review_assignments.remove_assignment(db, org, pids[0], people["judge2"].id)
    assert not db["assignments"].count
    with pytest.raises(PermissionDenied):
        review_assignments.add_assignment(db, people["judge"], pids[0], people["judge2"].id)


def test_incremental_assignment_never_moves_finished_reviews(contest):
    db, people, pids = contest
    org = people["organizer"]
    publish_all(db, people)
    before = {(r["proposal_id"], r["judge_id"]) for r in db["assignments"].rows}
    judge = people["judge"]
    done = assigned(db, judge.id)[0]
    score_sheets.submit_sheet(db, judge, done, FULL, now=NOW)
    # a new proposal and a new judge arrive
    new_pid = add_proposal(db, people["bob"], topic="environment")
    make_user(db, "judge5", "judge", college="化学学院", topics="environment")
    result = review_assignments.auto_assign_drafts(db, org, now=NOW)
    assert {p for p, _ in result.pairs} == {new_pid} and len(result.pairs) == 3
    after = {(r["proposal_id"], r["judge_id"]) for r in db["assignments"].rows}
    assert before <= after
    assert score_sheets.get_sheet(db, judge, done, now=NOW)["status"] == "submitted"
    with pytest.raises(ValidationError, match="已提交评分"):
        review_assignments.remove_assignment(db, org, done, judge.id)
    # nothing missing: a second run adds nothing
    assert review_assignments.preview_auto_assignment(db, org).pairs == []


def test_assignment_sheet_is_all_or_nothing_with_row_errors(contest):
    db, people, pids = contest
    org = people["organizer"]
    bad = pd.DataFrame({"提案编号": [str(pids[0]), "9999", str(pids[0]), str(pids[1]), "abc"],
                        "评委用户名": ["judge2", "judge2", "nobody", "judge2", "judge2"]})
    with pytest.raises(ValidationError) as error:
        review_assignments.assign_from_table(db, org, bad)
    message = str(error.value)
    assert "第 3 行" in message and "第 4 行" in message and "第 6 行" in message and "第 2 行" not in message
    assert "第 5 行" not in message
    assert db["assignments"].count == 0
    settings.update(db, org, college_conflict=True)
    with pytest.raises(ValidationError, match="第 2 行.*同一学院"):
        review_assignments.assign_from_table(db, org, pd.DataFrame({"提案编号": [pids[1]], "评委用户名": ["judge2"]}))
    good = pd.DataFrame({"提案编号": [str(pids[0]), f"{pids[1]}.0"], "评委用户名": ["judge2", "judge3"]})
    assert review_assignments.assign_from_table(db, org, good, now=NOW) == {"added": 2, "skipped": 0}
    assert review_assignments.assign_from_table(db, org, good, now=NOW) == {"added": 0, "skipped": 2}
    assert {r["source"] for r in db["assignments"].rows} == {"sheet"}
    with pytest.raises(ValidationError, match="两列"):
        review_assignments.assign_from_table(db, org, pd.DataFrame({"x": [1]}))


def test_judge_declares_own_conflict_and_the_organizer_sees_it(contest):
    db, people, pids = contest
    publish_all(db, people)
    judge = people["judge"]
    pid = assigned(db, judge.id)[0]
    score_sheets.save_draft(db, judge, pid, {"value": 5}, now=NOW)
    conflicts.declare_conflict(db, judge, pid, reason="提案作者是我指导的学生", now=NOW)
    assert pid not in assigned(db, judge.id)
    assert not db["sheets"].count_where("proposal_id = ? and judge_id = ?", [pid, judge.id])
    declared = conflicts.list_conflicts(db, people["organizer"])
    assert declared.iloc[0]["judge"] == "judge1" and declared.iloc[0]["declared_by_role"] == "评委本人"
    assert pid in review_assignments.assignment_summary(db, people["organizer"])["short"]
    # refilling never picks the conflicted judge again
    refill = review_assignments.preview_auto_assignment(db, people["organizer"]).pairs
    assert len(refill) == 1 and refill[0][0] == pid and refill[0][1] != judge.id
    other = next(p for p in pids if p not in assigned(db, judge.id))
    with pytest.raises(PermissionDenied):
        conflicts.declare_conflict(db, judge, other, reason="不在我的任务里")
    with pytest.raises(PermissionDenied):
        conflicts.declare_conflict(db, judge, pid, people["judge2"].id, reason="替别人声明")
    with pytest.raises(PermissionDenied):
        conflicts.list_conflicts(db, judge)


# --- the judge's side --------------------------------------------------------------


def test_blind_view_never_includes_author_identity(contest):
    db, people, _ = contest
    alice, carol = people["alice"], people["carol"]
    pid = add_proposal(db, alice, topic="life", coauthors=[carol], title="食堂排队时间过长的问题")
    db["attachments"].insert({"proposal_id": pid, "filename": "艾丽_2023001_调研问卷.pdf", "stored_name": "x",
                              "kind": "pdf", "size": 1200, "uploaded_by": alice.id})
    review_assignments.add_assignment(db, people["organizer"], pid, people["judge2"].id)
    review_assignments.publish_assignments(db, people["organizer"])
    view = score_sheets.blind_proposal(db, people["judge2"], pid)
    assert view["title"] == "食堂排队时间过长的问题" and view["problem"] == TEXT
    forbidden_keys = {"submitter_id", "author_name", "college", "coauthors", "student_no", "name", "author"}
    assert not forbidden_keys & set(view)
    flat = json.dumps(view, ensure_ascii=False)
    for person in (alice, carol):
        for value in (person.name, person.student_no, person.college, person.username):
            assert value not in flat, value
    assert view["attachments"] == [{"id": 1, "name": "附件1.pdf", "kind": "pdf", "size": 1200}]


def test_judge_can_only_open_and_score_assigned_published_proposals(contest):
    db, people, pids = contest
    review_assignments.auto_assign_drafts(db, people["organizer"], now=NOW)
    judge = people["judge"]
    mine = assigned(db, judge.id)[0]
    with pytest.raises(PermissionDenied, match="未分配"):  # still a draft
        score_sheets.blind_proposal(db, judge, mine)
    review_assignments.publish_assignments(db, people["organizer"])
    score_sheets.blind_proposal(db, judge, mine)
    other = next(p for p in pids if p not in assigned(db, judge.id))
    for action in (lambda: score_sheets.blind_proposal(db, judge, other),
                   lambda: score_sheets.get_sheet(db, judge, other),
                   lambda: score_sheets.submit_sheet(db, judge, other, FULL, now=NOW),
                   lambda: score_sheets.blind_proposal(db, judge, "1 or 1=1")):
        with pytest.raises(PermissionDenied):
            action()
    for who in ("alice", "organizer", "dept"):
        with pytest.raises(PermissionDenied):
            score_sheets.blind_proposal(db, people[who], mine)
    with pytest.raises(PermissionDenied):
        review_progress.progress(db, judge)
    # another judge's sheet is not reachable through save_bulk either
    with pytest.raises(ValidationError, match="未分配"):
        score_sheets.save_bulk(db, judge, [{"proposal_id": other, **FULL}], now=NOW)


@pytest.mark.parametrize("scores, message", [
    ({**FULL, "value": 11}, "“问题价值”的分数应在 0–10 之间，当前为 11"),
    ({**FULL, "value": -1}, "应在 0–10 之间"),
    ({**FULL, "research": "八"}, "“调研扎实”的分数必须是数字"),
    ({**FULL, "research": True}, "必须是数字"),
    ({**FULL, "novelty": float("nan")}, "尚未填写：“创新性”"),
    ({k: v for k, v in FULL.items() if k != "writing"}, "尚未填写：“表达规范”（0–10）"),
    ({**FULL, "extra": 3}, "未知的评分项"),
])
def test_invalid_scores_are_refused_with_a_clear_message(contest, scores, message):
    db, people, _ = contest
    publish_all(db, people)
    judge = people["judge"]
    pid = assigned(db, judge.id)[0]
    with pytest.raises(ValidationError, match=message):
        score_sheets.submit_sheet(db, judge, pid, scores, now=NOW)
    assert not db["sheets"].count


def test_draft_may_be_partial_submit_needs_all_and_edits_until_close(contest):
    db, people, _ = contest
    publish_all(db, people)
    judge = people["judge"]
    pid = assigned(db, judge.id)[0]
    sheet = score_sheets.save_draft(db, judge, pid, {"value": "7", "research": ""}, "初步意见", "仅组织者可见", now=NOW)
    assert sheet["status"] == "draft" and sheet["scores"] == {"value": 7.0}
    with pytest.raises(ValidationError, match="“问题价值”的分数应在"):
        score_sheets.save_draft(db, judge, pid, {"value": 70}, now=NOW)
    sheet = score_sheets.submit_sheet(db, judge, pid, FULL, "评语", "备注", now=NOW)
    assert sheet["status"] == "submitted" and sheet["total"] == pytest.approx(
        (8 * 25 + 7 * 25 + 6 * 25 + 9 * 10 + 5 * 15) / 100 * 10)
    with pytest.raises(ValidationError, match="不能改回草稿"):
        score_sheets.save_draft(db, judge, pid, FULL, now=NOW)
    sheet = score_sheets.submit_sheet(db, judge, pid, {**FULL, "value": 10}, "评语", "备注",
                                 now=NOW + dt.timedelta(days=30))
    assert sheet["scores"]["value"] == 10
    queue = score_sheets.judge_queue(db, judge)
    assert queue.set_index("proposal_id").loc[pid, "status_name"] == "已提交"
    assert score_sheets.queue_progress(db, judge)["submitted"] == 1
    # after judging closes: read-only
    closed = score_sheets.get_sheet(db, judge, pid, now=AFTER_CLOSE)
    assert not closed["editable"] and "只读" in closed["locked_reason"]
    with pytest.raises(ValidationError, match="评审已于 .* 截止"):
        score_sheets.submit_sheet(db, judge, pid, FULL, now=AFTER_CLOSE)
    with pytest.raises(ValidationError, match="截止"):
        score_sheets.save_bulk(db, judge, [{"proposal_id": pid, **FULL}], now=AFTER_CLOSE)
    assert score_sheets.get_sheet(db, judge, pid, now=AFTER_CLOSE)["scores"]["value"] == 10


def test_every_score_change_is_audited_old_to_new(contest):
    db, people, _ = contest
    publish_all(db, people)
    judge = people["judge"]
    pid = assigned(db, judge.id)[0]
    score_sheets.save_draft(db, judge, pid, {"value": 4}, now=NOW)
    score_sheets.submit_sheet(db, judge, pid, FULL, now=NOW)
    score_sheets.submit_sheet(db, judge, pid, FULL, now=NOW)  # unchanged: no entry
    score_sheets.submit_sheet(db, judge, pid, {**FULL, "novelty": 9}, now=NOW)
    entries = [e for e in audit.entries(db, people["organizer"]) if e["action"] in ("save_sheet", "submit_sheet")]
    assert len(entries) == 3 and all(e["actor"] == "judge1" and e["at"] for e in entries)
    last, middle, first = (json.loads(e["detail"]) for e in entries)
    assert first["scores"]["value"] == {"old": None, "new": 4.0}
    assert middle["scores"]["value"] == {"old": 4.0, "new": 8.0}
    assert middle["status"] == {"old": "draft", "new": "submitted"}
    assert last["scores"] == {"novelty": {"old": 5.0, "new": 9.0}}


def test_bulk_entry_all_or_nothing_and_per_row(contest):
    db, people, _ = contest
    publish_all(db, people)
    judge = people["judge"]
    frame = score_sheets.bulk_frame(db, judge)
    mine = list(frame["proposal_id"])
    assert len(mine) >= 3 and list(frame.columns[3:8]) == ["value", "research", "feasibility", "writing", "novelty"]
    rows = frame.to_dict("records")
    rows[0].update(FULL)
    rows[1].update({**FULL, "value": 12})
    rows[2].update({"value": 3, "comment": "先存草稿"})
    with pytest.raises(ValidationError) as error:
        score_sheets.save_bulk(db, judge, rows, submit=True, now=NOW)
    assert f"第 2 行（提案 {mine[1]}）：“问题价值”的分数应在 0–10 之间" in str(error.value)
    assert f"第 3 行（提案 {mine[2]}）：提交前请为每一项打分" in str(error.value)
    assert not db["sheets"].count
    result = score_sheets.save_bulk(db, judge, rows, submit=False, all_or_nothing=False, now=NOW)
    assert result["saved"] == 2 and len(result["errors"]) == 1
    status = score_sheets.judge_queue(db, judge).set_index("proposal_id")["status"]
    assert status[mine[0]] == "draft" and status[mine[1]] == "todo" and status[mine[2]] == "draft"
    rows[1].update({"value": 7})
    rows[2].update(FULL)
    result = score_sheets.save_bulk(db, judge, rows, submit=True, now=NOW)
    assert result["saved"] == 3
    status = score_sheets.judge_queue(db, judge).set_index("proposal_id")["status"]
    assert (status[mine[:3]] == "submitted").all()
    assert score_sheets.save_bulk(db, judge, rows, submit=True, now=NOW)["unchanged"] == 3


# --- progress & rubric ----------------------------------------------------------


def test_progress_counts_spread_and_late_judges(contest):
    db, people, _ = contest
    publish_all(db, people)
    org = people["organizer"]
    # one proposal scored very differently by its judges
    pid = next(p for p in assigned(db, people["judge"].id))
    judges_of = [r["judge_id"] for r in db["assignments"].rows_where("proposal_id = ?", [pid])]
    from contest.accounts import get_user
    low, high = get_user(db, judges_of[0]), get_user(db, judges_of[1])
    score_sheets.submit_sheet(db, low, pid, {k: 2 for k in FULL}, now=NOW)
    score_sheets.submit_sheet(db, high, pid, {k: 9 for k in FULL}, now=NOW)
    mid_judging = settings.get(db).at("submission_closes") + dt.timedelta(days=10)
    report = review_progress.progress(db, org, now=mid_judging)
    row = report["proposals"].set_index("proposal_id").loc[pid]
    assert row["submitted"] == 2 and row["assigned"] == 3
    assert row["spread"] == pytest.approx(70.0) and row["disagree"]
    judges = report["judges"].set_index("judge_id")
    assert judges.loc[low.id, "submitted"] == 1 and judges["assigned"].sum() == 18
    assert (judges["overdue"] == 0).all()  # judging still open
    assert set(report["late"]["judge_id"]) == set(judges.index)  # two thirds of the time gone, nobody on pace
    after = review_progress.progress(db, org, now=AFTER_CLOSE)
    assert after["judges"].set_index("judge_id").loc[low.id, "overdue"] == judges.loc[low.id, "assigned"] - 1
    early = review_progress.progress(db, org, now=NOW)
    assert early["late"].empty and early["summary"]["reviews_submitted"] == 2


def test_rubric_lock_and_logged_unlock_keeps_sheets_valid(contest):
    db, people, _ = contest
    org = people["organizer"]
    publish_all(db, people)
    rubric = settings.get(db).rubric
    reweighted = [dict(c, weight=20) for c in rubric]
    settings.update(db, org, rubric=reweighted)  # nothing submitted yet: free to edit
    with pytest.raises(ValidationError, match="尚无评委提交评分"):
        rubric_lock.unlock_rubric(db, org, "调整权重以符合新通知")
    judge = people["judge"]
    pid = assigned(db, judge.id)[0]
    score_sheets.submit_sheet(db, judge, pid, FULL, now=NOW)
    assert rubric_lock.rubric_lock_state(db)["locked"]
    with pytest.raises(ValidationError, match="已锁定"):
        settings.update(db, org, rubric=rubric)
    with pytest.raises(PermissionDenied):
        rubric_lock.unlock_rubric(db, judge, "评委想改权重")
    with pytest.raises(ValidationError, match="解锁理由"):
        rubric_lock.unlock_rubric(db, org, "")
    rubric_lock.unlock_rubric(db, org, "组委会决定提高问题价值的权重", now=NOW)
    state = rubric_lock.rubric_lock_state(db)
    assert not state["locked"] and state["reason"] == "组委会决定提高问题价值的权重"
    entry = audit.entries(db, org, action="unlock_rubric")[0]
    assert json.loads(entry["detail"])["rubric"][0]["weight"] == 20  # snapshot
    with pytest.raises(ValidationError, match="分值范围"):
        settings.update(db, org, rubric=[dict(c, max=5) if c["code"] == "value" else c for c in reweighted])
    with pytest.raises(ValidationError, match="增加、删除"):
        settings.update(db, org, rubric=reweighted[:-1])
    settings.update(db, org, rubric=[dict(c, weight=40) if c["code"] == "value" else c for c in reweighted])
    sheet = score_sheets.get_sheet(db, judge, pid, now=NOW)
    assert sheet["total"] == pytest.approx((8 * 40 + 7 * 20 + 6 * 20 + 9 * 20 + 5 * 20) / 120 * 10)
    rubric_lock.lock_rubric(db, org)
    assert rubric_lock.rubric_lock_state(db)["locked"]


def test_demo_assigns_everything_and_scores_about_half(fresh_db, people):
    db = fresh_db
    from contest.accounts import judges as all_judges
    judges = all_judges(db)
    pids = [add_proposal(db, people[a], topic=t) for a in ("alice", "bob", "carol")
            for t in ("teaching", "life", "other", "environment")]
    extra = {f"judge{i}": make_user(db, f"judge{i}", "judge").id for i in range(3, 7)}
    users = {"organizer": people["organizer"].id, "judge1": judges[0].id, "judge2": judges[1].id, **extra}
    demo.build_judging(db, users, NOW)
    assert db["assignments"].count_where("published = 1") == len(pids) * 3
    submitted = {r["proposal_id"] for r in db["sheets"].rows_where("status = 'submitted'")}
    assert len(submitted) == len(pids) // 2
    assert db["sheets"].count_where("status = 'draft'") >= 1
    assert all(r["comment"] for r in db["sheets"].rows_where("status = 'submitted'"))
    totals = review_progress.progress(db, people["organizer"], now=NOW)["judges"].set_index("judge")
    assert totals["submitted"].sum() == len(submitted) * 3
    mean = score_sheets.weighted_totals(db, status="submitted").groupby("judge")["total"].mean()
    assert mean[users["judge1"]] < mean.drop([users["judge1"], users["judge4"]]).min()  # harsh
    assert mean[users["judge4"]] > mean.drop([users["judge1"], users["judge4"]]).max()  # lenient


def test_a_proposal_rescreened_as_invalid_leaves_the_judges_queue(contest):
    from contest import proposals

    db, people, pids = contest
    publish_all(db, people)
    judge_id = next(r["judge_id"] for r in db["assignments"].rows_where("proposal_id = ?", [pids[0]]))
    judge = next(p for p in people.values() if p.id == judge_id)
    assert pids[0] in set(score_sheets.judge_queue(db, judge)["proposal_id"])
    proposals.screen(db, people["organizer"], [pids[0]], False, "与往届提案重复。", now=NOW)
    assert pids[0] not in set(score_sheets.judge_queue(db, judge)["proposal_id"])
    with pytest.raises(PermissionDenied):
        score_sheets.blind_proposal(db, judge, pids[0])
    with pytest.raises(PermissionDenied):
        score_sheets.save_draft(db, judge, pids[0], {}, now=NOW)
    proposals.screen(db, people["organizer"], [pids[0]], True, now=NOW)  # valid again: back in the queue
    assert pids[0] in set(score_sheets.judge_queue(db, judge)["proposal_id"])


def test_turning_the_college_rule_on_flags_existing_same_college_assignments(fresh_db, people):
    from contest import review_assignments, settings
    from tests.helpers import make_user

    from contest import proposals
    from tests.helpers import GOOD, NOW

    org = people["organizer"]
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    proposals.screen(fresh_db, org, [pid], True, now=NOW)
    college = fresh_db["proposals"].get(pid)["college"]
    same = make_user(fresh_db, "judge_same", "judge", college=college, name="同院评委")
    settings.update(fresh_db, org, college_conflict=False)
    review_assignments.add_assignment(fresh_db, org, pid, same.id)
    assert review_assignments.rule_breaking_assignments(fresh_db, org).empty
    settings.update(fresh_db, org, college_conflict=True)
    flagged = review_assignments.rule_breaking_assignments(fresh_db, org)
    assert list(zip(flagged["proposal_id"], flagged["judge_id"])) == [(pid, same.id)]
    assert review_assignments.drop_rule_breaking_assignments(fresh_db, org) == 1
    assert review_assignments.rule_breaking_assignments(fresh_db, org).empty
    assert (pid, same.id) not in review_assignments.existing_pairs(fresh_db)


def test_the_demo_runs_with_the_college_rule_and_no_same_college_assignment(tmp_path):
    from contest import accounts, db as database, demo, review_assignments, settings

    db = database.connect(tmp_path / "demo.db")
    demo.build(db)
    org = accounts.get_user(db, db.execute("select id from users where username = 'organizer'").fetchone()[0])
    assert settings.get(db).college_conflict
    assert review_assignments.rule_breaking_assignments(db, org).empty
    assert len(review_assignments.existing_pairs(db)) > 0
