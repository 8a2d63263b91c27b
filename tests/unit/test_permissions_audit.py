"""Adversarial audit of who may see or change what, at the domain level.

Every public function of contest/ that takes an acting user is called as each wrong role,
as a wrong owner, as nobody (None), and with ids that are someone else's, do not exist or
are not integers. A refusal must be a ContestError (PermissionDenied / ValidationError with
a Chinese message), never a crash (TypeError, ValueError, sqlite_utils.NotFoundError) and
never the data itself.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from contest import (accounts, attachments, audit, clock, conflicts, followup_stats, forwarding, join_requests, policy,
                     proposals, public_followup, ratings, replies, results, review_assignments,
                     review_progress, rubric_lock, score_sheets, settings, timeline, topic_map)
from contest.errors import AuthError, ContestError, PermissionDenied, ValidationError
from contest.vocabulary import Role
from tests.helpers import NOW, accept_invitations

PDF = b"%PDF-1.4\n% audit test\n"
AFTER_SUBMISSION = NOW + dt.timedelta(days=40)  # submission closed (+30 d from 03-05), judging open
AFTER_JUDGING = NOW + dt.timedelta(days=60)  # judging closed (+45 d)
NOTE = "机密备注：与往届提案雷同"
COMMENT = "给作者的评语：调研扎实"
BAD_IDS = ["abc", None, 10**9, -1, "1 or 1=1"]
EVERYONE = ["organizer", "alice", "bob", "carol", "judge", "judge2", "dept", "dept2", None]
PERSON_OF_ROLE = {Role.PARTICIPANT: "alice", Role.JUDGE: "judge", Role.ORGANIZER: "organizer", Role.DEPARTMENT: "dept"}


def allowed(action: str) -> list[str]:
    """One person of every role the policy allows ``action``."""
    return [PERSON_OF_ROLE[role] for role in policy.roles_for(action)]


def refused(action: str, *also: str) -> list:
    """One person of every role the policy does not allow ``action``, nobody (None), and ``also``."""
    return [PERSON_OF_ROLE[role] for role in Role if role not in policy.roles_for(action)] + [None, *also]


def _fields(title, **extra):
    return {"title": title, "topic": "life", "problem": "食堂晚餐时段排队时间过长，影响同学上晚自习。" * 2,
            "investigation": "问卷调查 120 人，平均排队 18 分钟，七成同学表示影响学习。" * 2,
            "suggestions": "增开两个窗口，错峰供应，并在高峰时段增加自助取餐点。" * 2} | extra


def _as(people, who):
    return None if who is None else people[who]


@pytest.fixture
def w(fresh_db, people, monkeypatch):
    """A small contest with one object of every kind, owned by different people."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    db, p = fresh_db, people
    ids = {}
    # alice: a draft (carol as co-author), a submitted one with an attachment, a draft she withdrew
    ids["a_draft"] = proposals.save_draft(db, p["alice"], _fields("艾丽的草稿提案", coauthors="2023003"), now=NOW)
    ids["a_sub"] = proposals.save_draft(db, p["alice"], _fields("艾丽已提交的提案", coauthors="2023003"), now=NOW)
    ids["a_att"] = attachments.add(db, p["alice"], ids["a_sub"], "艾丽-2023001-调研.pdf", PDF, now=NOW)
    proposals.submit(db, p["alice"], ids["a_sub"], now=NOW)
    ids["a_wd"] = proposals.save_draft(db, p["alice"], _fields("艾丽撤回的草稿", coauthors="2023003"), now=NOW)
    accept_invitations(db, p["carol"])  # carol accepts alice's invitation to a_sub (contest/coauthors.py)
    # and was co-author of the two drafts when they were submitted once (accepted, then reopened)
    db["coauthors"].insert_all([{"proposal_id": ids[k], "user_id": p["carol"].id} for k in ("a_draft", "a_wd")])
    proposals.withdraw(db, p["alice"], ids["a_wd"], now=NOW)
    ids["b_draft"] = proposals.save_draft(db, p["bob"], _fields("鲍勃的草稿提案"), now=NOW)
    # two valid proposals: v1 (alice + carol) judged by judge and forwarded to jwc; v2 (bob) not forwarded
    ids["v1"] = proposals.save_draft(db, p["alice"], _fields("关于食堂增开窗口的建议", coauthors="2023003"), now=NOW)
    ids["v1_att"] = attachments.add(db, p["alice"], ids["v1"], "艾丽的问卷.pdf", PDF, now=NOW)
    proposals.submit(db, p["alice"], ids["v1"], now=NOW)
    accept_invitations(db, p["carol"])
    ids["v2"] = proposals.save_draft(db, p["bob"], _fields("关于图书馆延长开放的建议"), now=NOW)
    ids["v2_att"] = attachments.add(db, p["bob"], ids["v2"], "鲍勃的数据.pdf", PDF, now=NOW)
    proposals.submit(db, p["bob"], ids["v2"], now=NOW)
    proposals.screen(db, p["organizer"], [ids["v1"], ids["v2"]], True, now=NOW)
    settings.update(db, p["organizer"], reviews_per_proposal=1)
    review_assignments.add_assignment(db, p["organizer"], ids["v1"], p["judge"].id, now=NOW)
    review_assignments.add_assignment(db, p["organizer"], ids["v2"], p["judge2"].id, now=NOW)
    review_assignments.publish_assignments(db, p["organizer"])
    review_assignments.add_assignment(db, p["organizer"], ids["v2"], p["judge"].id, now=NOW)  # unpublished draft
    scores = {c["code"]: 8 for c in settings.get(db).rubric}
    score_sheets.submit_sheet(db, p["judge"], ids["v1"], scores, COMMENT, NOTE, now=NOW)
    score_sheets.submit_sheet(db, p["judge2"], ids["v2"], scores, "鲍勃提案的评语", "鲍勃提案的机密备注", now=NOW)
    ids["case"] = forwarding.forward(db, p["organizer"], ids["v1"], "jwc", note="组织者给部门的转办说明", now=NOW)
    ids["reply"] = replies.reply(db, p["dept"], ids["case"], "planned", "已列入下学期食堂改造计划，届时增开窗口。",
                                  now=NOW)
    ids["hidden_reply"] = replies.reply(db, p["dept"], ids["case"], "planned", "内部进展：预算尚在审批中，暂不公开。",
                                         published=False, now=NOW)
    return db, p, ids


def _flat(value) -> str:
    """Everything a return value holds, as one string (to look for leaked personal data)."""
    if isinstance(value, pd.DataFrame):
        return value.to_csv()
    return repr(value)


# --- proposals: reading ----------------------------------------------------------------------


@pytest.mark.parametrize("who, which", [
    ("bob", "a_draft"), ("bob", "a_sub"), ("bob", "v1"), ("bob", "a_wd"),
    ("carol", "a_draft"),  # co-author of a draft: drafts are the submitter's only
    ("carol", "a_wd"),  # co-author of a draft that was withdrawn without ever being submitted
    ("alice", "b_draft"),
    ("judge", "a_sub"), ("judge", "v1"), ("dept", "v1"), ("dept", "a_sub"), (None, "a_sub"),
])
def test_nobody_reads_a_proposal_that_is_not_theirs(w, who, which):
    db, p, ids = w
    user = _as(p, who)
    with pytest.raises(PermissionDenied):
        proposals.get(db, user, ids[which])
    with pytest.raises(PermissionDenied):
        timeline.timeline(db, user, ids[which])
    if (who, which) in (("judge", "v1"), ("dept", "v1")):
        return  # the assigned judge and the department it was forwarded to may open its attachments
    assert not attachments.can_download(db, user, ids[which])
    with pytest.raises(PermissionDenied):
        attachments.list_for(db, user, ids[which])


@pytest.mark.parametrize("who, which", [("alice", "a_draft"), ("alice", "a_wd"), ("carol", "a_sub"),
                                        ("carol", "v1"), ("organizer", "a_sub")])
def test_authors_and_organizers_read(w, who, which):
    db, p, ids = w
    assert proposals.get(db, p[who], ids[which])["id"] == ids[which]
    assert timeline.timeline(db, p[who], ids[which])


def test_my_proposals_lists_only_own_and_submitted_co_authored(w):
    db, p, ids = w
    carol = {r["id"] for r in proposals.mine(db, p["carol"])}
    assert carol == {ids["a_sub"], ids["v1"]}
    bob = {r["id"] for r in proposals.mine(db, p["bob"])}
    assert bob == {ids["b_draft"], ids["v2"]}


@pytest.mark.parametrize("who", refused("read_all_proposals", "bob"))
def test_organizer_tables_refuse_everyone_else(w, who):
    db, p, _ = w
    user = _as(p, who)
    for call in (lambda: proposals.search(db, user), lambda: proposals.export_table(db, user),
                 lambda: proposals.check_import(db, user, pd.DataFrame()),
                 lambda: accounts.list_users(db, user), lambda: audit.entries(db, user),
                 lambda: topic_map.compute_map(db, user), lambda: topic_map.merges(db, user)):
        with pytest.raises(PermissionDenied):
            call()


def test_organizer_tables_never_list_drafts(w):
    db, p, ids = w
    listed = set(proposals.search(db, p["organizer"])["id"])
    assert ids["a_draft"] not in listed and ids["b_draft"] not in listed
    assert "艾丽的草稿提案" not in _flat(proposals.export_table(db, p["organizer"]))


# --- proposals: changing ---------------------------------------------------------------------


def _change_calls(db, user, pid):
    return {
        "save_draft": lambda: proposals.save_draft(db, user, _fields("改成我的标题"), proposal_id=pid, now=NOW),
        "update_submitted": lambda: proposals.update_submitted(db, user, pid, _fields("改成我的标题"), now=NOW),
        "submit": lambda: proposals.submit(db, user, pid, now=NOW),
        "withdraw": lambda: proposals.withdraw(db, user, pid, now=NOW),
        "add_attachment": lambda: attachments.add(db, user, pid, "x.pdf", PDF, now=NOW),
    }


@pytest.mark.parametrize("call", ["save_draft", "update_submitted", "submit", "withdraw", "add_attachment"])
@pytest.mark.parametrize("who, which", [("bob", "a_draft"), ("bob", "a_sub"), ("carol", "a_draft"),
                                        ("carol", "a_sub"), ("alice", "b_draft"), ("organizer", "a_sub"),
                                        ("judge", "a_sub"), ("dept", "a_sub"), (None, "a_sub")])
def test_only_the_submitter_changes_a_proposal(w, call, who, which):
    db, p, ids = w
    before = dict(db["proposals"].get(ids[which]))
    with pytest.raises(PermissionDenied):
        _change_calls(db, _as(p, who), ids[which])[call]()
    assert dict(db["proposals"].get(ids[which])) == before
    assert db["attachments"].count_where("proposal_id = ?", [ids[which]]) == (1 if which == "a_sub" else 0)


@pytest.mark.parametrize("who", ["bob", "carol", "organizer", "judge", "dept", None])
def test_only_the_submitter_removes_an_attachment(w, who):
    db, p, ids = w
    with pytest.raises(PermissionDenied):
        attachments.remove(db, _as(p, who), ids["a_att"], now=NOW)
    assert db["attachments"].count_where("id = ?", [ids["a_att"]]) == 1


@pytest.mark.parametrize("call", ["save_draft", "update_submitted", "submit", "withdraw", "add_attachment"])
@pytest.mark.parametrize("bad", BAD_IDS[:1] + BAD_IDS[2:])  # None means "new draft" for save_draft
def test_proposal_changes_with_bad_ids_are_refused_cleanly(w, call, bad):
    db, p, _ = w
    with pytest.raises(ContestError):
        _change_calls(db, p["alice"], bad)[call]()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_proposal_reads_with_bad_ids_are_refused_cleanly(w, bad):
    db, p, _ = w
    for who in ("alice", "organizer"):
        with pytest.raises(ContestError):
            proposals.get(db, p[who], bad)
        with pytest.raises(ContestError):
            timeline.timeline(db, p[who], bad)
    assert not attachments.can_download(db, p["alice"], bad)
    for call in (lambda: attachments.read(db, p["organizer"], bad),
                 lambda: attachments.remove(db, p["alice"], bad, now=NOW),
                 lambda: attachments.list_for(db, p["alice"], bad)):
        with pytest.raises(ContestError):
            call()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_organizer_actions_with_bad_ids_are_refused_cleanly(w, bad):
    db, p, _ = w
    org = p["organizer"]
    for call in (lambda: proposals.screen(db, org, [bad], True),
                 lambda: proposals.set_topic(db, org, [bad], "life"),
                 lambda: results.override_award(db, org, bad, None, "理由充分"),
                 lambda: results.clear_override(db, org, bad),
                 lambda: forwarding.forward(db, org, bad, "jwc"),
                 lambda: forwarding.reforward(db, org, bad, "hqc", reason="改派"),
                 lambda: replies.set_published(db, org, bad, False),
                 lambda: topic_map.merge_group(db, org, 1, [bad]),
                 lambda: topic_map.split(db, org, [bad]),
                 lambda: review_assignments.add_assignment(db, org, bad, p["judge"].id),
                 lambda: review_assignments.remove_assignment(db, org, bad, p["judge"].id),
                 lambda: accounts.reset_password(db, org, bad),
                 lambda: accounts.set_active(db, org, bad, False)):
        with pytest.raises(ContestError):
            call()


@pytest.mark.parametrize("who", refused("screen_proposals", "bob"))
def test_screening_and_topics_are_for_organizers(w, who):
    db, p, ids = w
    with pytest.raises(PermissionDenied):
        proposals.screen(db, _as(p, who), [ids["a_sub"]], True)
    with pytest.raises(PermissionDenied):
        proposals.set_topic(db, _as(p, who), [ids["a_sub"]], "teaching")
    with pytest.raises(PermissionDenied):
        topic_map.merge_group(db, _as(p, who), ids["v1"], [ids["v2"]])
    assert db["proposals"].get(ids["a_sub"])["status"] == "submitted"


# --- deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["save_draft", "update_submitted", "submit", "withdraw", "add_attachment",
                                  "new_draft", "remove_attachment", "join"])
def test_after_submission_closes_nothing_changes(w, call):
    db, p, ids = w
    alice, later = p["alice"], AFTER_SUBMISSION
    calls = {
        "save_draft": lambda: proposals.save_draft(db, alice, _fields("截止后修改"), proposal_id=ids["a_draft"],
                                                   now=later),
        "update_submitted": lambda: proposals.update_submitted(db, alice, ids["a_sub"], _fields("截止后修改"),
                                                               now=later),
        "submit": lambda: proposals.submit(db, alice, ids["a_draft"], now=later),
        "withdraw": lambda: proposals.withdraw(db, alice, ids["a_sub"], now=later),
        "add_attachment": lambda: attachments.add(db, alice, ids["a_sub"], "late.pdf", PDF, now=later),
        "new_draft": lambda: proposals.save_draft(db, alice, _fields("截止后新建"), now=later),
        "remove_attachment": lambda: attachments.remove(db, alice, ids["a_att"], now=later),
        "join": lambda: join_requests.request_to_join(db, p["bob"], ids["a_sub"], now=later),
    }
    before = (db["proposals"].count, db["attachments"].count, db["proposals"].get(ids["a_sub"])["title"])
    with pytest.raises(ValidationError, match="截止"):
        calls[call]()
    assert (db["proposals"].count, db["attachments"].count, db["proposals"].get(ids["a_sub"])["title"]) == before


@pytest.mark.parametrize("call", ["save", "submit", "bulk", "conflict"])
def test_after_judging_closes_sheets_are_read_only(w, call):
    db, p, ids = w
    judge, later = p["judge"], AFTER_JUDGING
    scores = {c["code"]: 3 for c in settings.get(db).rubric}
    review_assignments.publish_assignments(db, p["organizer"])  # the v2 draft assignment becomes visible
    calls = {
        "save": lambda: score_sheets.save_draft(db, judge, ids["v2"], scores, now=later),
        "submit": lambda: score_sheets.submit_sheet(db, judge, ids["v1"], scores, now=later),
        "bulk": lambda: score_sheets.save_bulk(db, judge, [{"proposal_id": ids["v1"], **scores}], submit=True, now=later),
        "conflict": lambda: conflicts.declare_conflict(db, judge, ids["v2"], reason="亲属关系", now=later),
    }
    before = (db["sheets"].count, db["assignments"].count, list(db["scores"].rows))
    with pytest.raises(ValidationError, match="截止"):
        calls[call]()
    assert (db["sheets"].count, db["assignments"].count, list(db["scores"].rows)) == before
    assert score_sheets.get_sheet(db, judge, ids["v1"], now=later)["editable"] is False


# --- judging: only assigned, published, blind ------------------------------------------------------


def _judge_calls(db, user, pid):
    scores = {c["code"]: 5 for c in settings.get(db).rubric}
    return [lambda: score_sheets.blind_proposal(db, user, pid), lambda: score_sheets.get_sheet(db, user, pid, now=NOW),
            lambda: score_sheets.blind_attachment_ids(db, user, pid),
            lambda: score_sheets.save_draft(db, user, pid, scores, now=NOW),
            lambda: score_sheets.submit_sheet(db, user, pid, scores, now=NOW),
            lambda: conflicts.declare_conflict(db, user, pid, reason="亲属关系", now=NOW)]


@pytest.mark.parametrize("who, which", [("judge2", "v1"),  # not assigned
                                        ("judge", "v2"),  # assigned, but the assignment is not published
                                        ("judge", "a_sub"), ("judge", "a_draft")])
def test_judge_sees_only_published_assignments(w, who, which):
    db, p, ids = w
    before = (db["sheets"].count, db["conflicts"].count)
    for call in _judge_calls(db, p[who], ids[which]):
        with pytest.raises(PermissionDenied):
            call()
    assert (db["sheets"].count, db["conflicts"].count) == before
    assert not attachments.can_download(db, p[who], ids[which])
    assert ids[which] not in set(score_sheets.judge_queue(db, p[who])["proposal_id"])


@pytest.mark.parametrize("who", refused("review_proposals"))
def test_judging_functions_are_for_judges(w, who):
    db, p, ids = w
    for call in _judge_calls(db, _as(p, who), ids["v1"])[:5]:
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(PermissionDenied):
        score_sheets.judge_queue(db, _as(p, who))
    with pytest.raises(PermissionDenied):
        score_sheets.bulk_frame(db, _as(p, who))


@pytest.mark.parametrize("bad", BAD_IDS)
def test_judging_with_bad_ids_is_refused_cleanly(w, bad):
    db, p, _ = w
    for call in _judge_calls(db, p["judge"], bad):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(ValidationError, match="第 1 行"):
        score_sheets.save_bulk(db, p["judge"], [{"proposal_id": bad}], submit=False, now=NOW)


def test_bulk_entry_cannot_write_into_someone_elses_proposal(w):
    db, p, ids = w
    scores = {c["code"]: 2 for c in settings.get(db).rubric}
    with pytest.raises(ValidationError):
        score_sheets.save_bulk(db, p["judge2"], [{"proposal_id": ids["v1"], **scores}], submit=True, now=NOW)
    result = score_sheets.save_bulk(db, p["judge2"], [{"proposal_id": ids["v1"], **scores}], submit=True,
                               all_or_nothing=False, now=NOW)
    assert result["saved"] == 0 and result["errors"]
    assert not db["sheets"].count_where("judge_id = ? and proposal_id = ?", [p["judge2"].id, ids["v1"]])


def test_a_judge_cannot_declare_a_conflict_for_another_judge(w):
    db, p, ids = w
    with pytest.raises(PermissionDenied):
        conflicts.declare_conflict(db, p["judge"], ids["v1"], p["judge2"].id, reason="替别人声明", now=NOW)


def test_blind_view_and_attachment_downloads_carry_no_author_identity(w):
    db, p, ids = w
    judge = p["judge"]
    view = score_sheets.blind_proposal(db, judge, ids["v1"])
    text = _flat(view) + _flat(score_sheets.judge_queue(db, judge)) + _flat(score_sheets.bulk_frame(db, judge))
    for secret in ("艾丽", "alice", "2023001", "2023003", "卡罗", "管理学院", "艾丽的问卷"):
        assert secret not in text
    assert set(view) == {"id", "title", "topic", "topic_name", "problem", "investigation", "suggestions",
                         "attachments"}
    # downloading through the attachments module must not give the original (author's) file name either
    name, _, data = attachments.read(db, judge, ids["v1_att"])
    assert data == PDF and "艾丽" not in name and name.endswith(".pdf")
    assert "艾丽" not in _flat(attachments.list_for(db, judge, ids["v1"]))
    # organizers and the authors still get the real name
    assert attachments.read(db, p["alice"], ids["v1_att"])[0] == "艾丽的问卷.pdf"
    assert attachments.read(db, p["organizer"], ids["v1_att"])[0] == "艾丽的问卷.pdf"


# --- rankings, comments, confidential notes, judge names ------------------------------------------


@pytest.mark.parametrize("who", refused("manage_results", "carol", "bob"))
def test_before_publication_only_organizers_see_rankings(w, who):
    db, p, ids = w
    user = _as(p, who)
    results.override_award(db, p["organizer"], ids["v1"], "一等奖", "组织者预先调整", now=NOW)
    with pytest.raises(PermissionDenied):
        results.load(db, user)
    with pytest.raises(PermissionDenied):
        results.data_version(db, user)
    with pytest.raises(PermissionDenied):
        results.honour_roll(db, user)
    with pytest.raises(PermissionDenied):
        review_progress.progress(db, user, now=NOW)
    with pytest.raises(PermissionDenied):
        review_progress.submitted_scores(db, user)
    with pytest.raises(PermissionDenied):
        review_progress.sheets_of_proposal(db, user, ids["v1"])
    if who in ("alice", "carol"):
        assert results.author_view(db, user, ids["v1"]) is None
        steps = timeline.timeline(db, user, ids["v1"])
        assert "获奖" not in _flat(steps) and "一等奖" not in _flat(steps)


def test_honour_roll_refused_before_publication_even_for_organizers(w):
    db, p, _ = w
    with pytest.raises(PermissionDenied):
        results.honour_roll(db, p["organizer"])


@pytest.fixture
def published(w):
    db, p, ids = w
    results.publish_results(db, p["organizer"], now=NOW)
    return w


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_authors_see_comments_never_notes_or_judge_names(published, who):
    db, p, ids = published
    view = results.author_view(db, p[who], ids["v1"])
    assert view["comments"] == [COMMENT]
    shown = _flat(view) + _flat(timeline.timeline(db, p[who], ids["v1"]))
    shown += _flat(forwarding.get_case(db, p[who], ids["case"]))
    for secret in (NOTE, "judge1", "judge2", "鲍勃提案的机密备注", "鲍勃提案的评语"):
        assert secret not in shown
    assert "rank" not in view and "score" not in view


@pytest.mark.parametrize("who, which", [("bob", "v1"), ("alice", "v2"), ("judge", "v1"), ("dept", "v1"),
                                        (None, "v1")])
def test_results_of_a_proposal_only_for_its_authors(published, who, which):
    db, p, ids = published
    with pytest.raises(PermissionDenied):
        results.author_view(db, _as(p, who), ids[which])


@pytest.mark.parametrize("bad", BAD_IDS)
def test_author_view_with_bad_ids_is_refused_cleanly(published, bad):
    db, p, _ = published
    with pytest.raises(PermissionDenied):
        results.author_view(db, p["alice"], bad)


def test_public_honour_roll_has_only_documented_fields(published):
    db, p, ids = published
    roll = results.honour_roll(db, None)
    assert list(roll.columns) == ["award", "title", "topic_name", "authors", "colleges"]
    text = _flat(roll)
    for secret in ("2023001", "2023002", "2023003", "alice", "judge1", NOTE, COMMENT, "Passw0rd"):
        assert secret not in text


@pytest.mark.parametrize("who", refused("manage_results"))
def test_publication_and_awards_are_for_organizers(w, who):
    db, p, ids = w
    user = _as(p, who)
    for call in (lambda: results.publish_results(db, user, now=NOW),
                 lambda: results.override_award(db, user, ids["v1"], "一等奖", "自己给自己评奖"),
                 lambda: results.save_settings(db, user, method="mean"),
                 lambda: settings.update(db, user, contest_name="被篡改的比赛"),
                 lambda: rubric_lock.unlock_rubric(db, user, "想改评分标准")):
        with pytest.raises(PermissionDenied):
            call()
    assert not settings.get(db).results_published and settings.get(db).contest_name == "测试提案大赛"


# --- follow-up: departments, authors, the public --------------------------------------------------


@pytest.mark.parametrize("who", ["dept2", "bob", "judge2", None])
def test_a_case_is_seen_only_by_its_departments_authors_and_organizers(w, who):
    db, p, ids = w
    user = _as(p, who)
    for call in (lambda: forwarding.get_case(db, user, ids["case"]), lambda: forwarding.replies(db, user, ids["case"]),
                 lambda: forwarding.case_for_proposal(db, user, ids["v1"])):
        with pytest.raises(PermissionDenied):
            call()
    before = db["replies"].count
    with pytest.raises(PermissionDenied):
        replies.reply(db, user, ids["case"], "resolved", "冒名答复：问题已经解决完毕。", now=NOW)
    assert db["replies"].count == before
    assert not attachments.can_download(db, user, ids["v1"])


@pytest.mark.parametrize("who", ["dept", "dept2"])
def test_departments_never_see_unforwarded_proposals(w, who):
    db, p, ids = w
    user = p[who]
    seen = set(forwarding.cases(db, user)["proposal_id"])
    assert ids["v2"] not in seen and ids["a_sub"] not in seen
    assert seen == ({ids["v1"]} if who == "dept" else set())
    for pid in ("v2", "a_sub", "a_draft"):
        assert not attachments.can_download(db, user, ids[pid])
        with pytest.raises(PermissionDenied):
            proposals.get(db, user, ids[pid])
        assert forwarding.case_for_proposal(db, user, ids[pid]) is None


def test_department_case_view_names_no_author(w):
    db, p, ids = w
    case = forwarding.get_case(db, p["dept"], ids["case"])
    text = _flat(case) + _flat(forwarding.cases(db, p["dept"]))
    for secret in ("艾丽", "卡罗", "2023001", "管理学院"):
        assert secret not in text


def test_only_the_lead_department_returns_a_case_a_co_department_leaves_its_part(w):
    db, p, ids = w
    forwarding.reforward(db, p["organizer"], ids["case"], "jwc", reason="加协办", co_departments=["hqc"], now=NOW)
    status = db["cases"].get(ids["case"])["status"]
    forwarding.decline(db, p["dept2"], ids["case"], "不归我们管，退出协办")  # the co-department leaves
    assert db["cases"].get(ids["case"])["status"] == status  # the case stays with the lead
    with pytest.raises(PermissionDenied):
        forwarding.decline(db, p["dept2"], ids["case"], "不归我们管，退回")  # no longer its case
    with pytest.raises(PermissionDenied):
        forwarding.decline(db, p["organizer"], ids["case"], "组织者冒充部门退回")


def test_department_bulk_import_cannot_answer_other_departments_cases(w):
    db, p, ids = w
    sheet = f"办理编号,办理状态,答复内容\n{ids['case']},已解决,冒名答复：问题已经解决完毕。\n".encode()
    with pytest.raises(ValidationError, match="第 2 行"):
        replies.import_replies(db, p["dept2"], sheet, "r.csv", now=NOW)
    with pytest.raises(PermissionDenied):
        replies.import_replies(db, p["alice"], sheet, "r.csv", now=NOW)
    assert db["cases"].get(ids["case"])["status"] == "replied"


@pytest.mark.parametrize("who", refused("rate_replies", "bob"))
def test_only_authors_rate_a_reply(w, who):
    db, p, ids = w
    with pytest.raises(PermissionDenied):
        ratings.rate(db, _as(p, who), ids["v1"], "satisfied", now=NOW)
    with pytest.raises(PermissionDenied):
        ratings.request_further_reply(db, _as(p, who), ids["v1"], "不满意，请再答复", now=NOW)
    assert not db["ratings"].count


@pytest.mark.parametrize("bad", BAD_IDS)
def test_follow_up_with_bad_ids_is_refused_cleanly(w, bad):
    db, p, _ = w
    for user in (p["dept"], p["alice"], p["organizer"]):
        with pytest.raises(ContestError):
            forwarding.get_case(db, user, bad)
    for call in (lambda: replies.reply(db, p["dept"], bad, "resolved", "答复内容足够长了吧。"),
                 lambda: forwarding.decline(db, p["dept"], bad, "不是我们的事"),
                 lambda: replies.attachment(db, p["dept"], bad),
                 lambda: ratings.rate(db, p["alice"], bad, "satisfied"),
                 lambda: ratings.rating_status(db, p["alice"], bad)):
        with pytest.raises(ContestError):
            call()


def test_public_follow_up_pages_carry_no_personal_data(w):
    db, p, ids = w
    ratings.rate(db, p["alice"], ids["v1"], "unsatisfied", "艾丽的私人评价意见", now=NOW)
    frame = public_followup.public_cases(db)
    assert set(frame["id"]) == {ids["case"]}
    entries = public_followup.public_replies(db, ids["case"])
    stats = followup_stats.public_stats(db, now=NOW)
    text = _flat(frame) + _flat(entries) + _flat(stats["headline"]) + _flat(stats["by_department"])
    for secret in ("艾丽", "卡罗", "2023001", "管理学院", "dept-jwc", "艾丽的私人评价意见", "组织者给部门的转办说明",
                   "内部进展"):
        assert secret not in text
    assert [e["text"] for e in entries] == ["已列入下学期食堂改造计划，届时增开窗口。"]
    assert public_followup.public_replies(db, "abc") == [] and public_followup.public_replies(db, None) == []


@pytest.mark.parametrize("who", refused("forward_proposals"))
def test_forwarding_and_dashboard_are_for_organizers(w, who):
    db, p, ids = w
    user = _as(p, who)
    for call in (lambda: forwarding.forward(db, user, ids["v2"], "hqc", now=NOW),
                 lambda: forwarding.forwardable(db, user), lambda: followup_stats.stats(db, user, now=NOW),
                 lambda: followup_stats.export_excel(db, user, now=NOW),
                 lambda: replies.set_published(db, user, ids["hidden_reply"], True),
                 lambda: forwarding.reforward(db, user, ids["case"], "hqc", reason="改派给后勤")):
        with pytest.raises(PermissionDenied):
            call()
    assert db["cases"].count == 1 and not db["replies"].get(ids["hidden_reply"])["published"]


# --- join requests ------------------------------------------------------------------------------


def test_join_requests_answered_only_by_the_submitter(w):
    db, p, ids = w
    request = join_requests.request_to_join(db, p["bob"], ids["a_sub"], "想一起做", now=NOW)
    for who in ("carol", "bob"):  # a co-author, the requester himself
        with pytest.raises(PermissionDenied):
            join_requests.answer_join_request(db, p[who], request, True, now=NOW)
    with pytest.raises(PermissionDenied):
        join_requests.cancel_join_request(db, p["alice"], request, now=NOW)
    for who in ("organizer", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            join_requests.answer_join_request(db, p[who], request, True, now=NOW)
    assert p["bob"].id not in proposals.coauthor_ids(db, ids["a_sub"])
    for target in ("a_draft", "b_draft", "a_wd"):  # drafts are never joinable (nor shown)
        with pytest.raises(PermissionDenied):
            join_requests.request_to_join(db, p["carol"], ids[target], now=NOW)
    for bad in BAD_IDS:
        with pytest.raises(PermissionDenied):
            join_requests.request_to_join(db, p["carol"], bad, now=NOW)
        with pytest.raises(PermissionDenied):
            join_requests.answer_join_request(db, p["alice"], bad, True, now=NOW)


def test_similar_proposal_hints_never_show_drafts_or_authors(w):
    db, p, ids = w
    hits = topic_map.similar_to_draft(db, p["bob"], _fields("食堂排队")["problem"] + "食堂窗口排队", k=10,
                                      threshold=0.0, now=NOW)
    assert {h["id"] for h in hits}.isdisjoint({ids["a_draft"], ids["a_wd"], ids["b_draft"]})
    assert all(set(h) == {"id", "title", "topic", "topic_name", "similarity", "joinable"} for h in hits)


# --- accounts: disabled, impersonation, organizer-only actions ------------------------------------


def test_a_disabled_account_can_do_nothing_more(w):
    db, p, ids = w
    accounts.set_active(db, p["organizer"], p["carol"].id, False)
    assert accounts.get_user(db, p["carol"].id) is None  # the router logs the session out on its next run
    with pytest.raises(AuthError, match="用户名或密码错误"):
        accounts.login(db, "carol", "Passw0rd!", now=NOW)
    with pytest.raises(AuthError, match="用户名或密码错误"):
        accounts.login(db, "2023003", "Passw0rd!", now=NOW)
    with pytest.raises(ValidationError, match="尚未注册"):  # cannot be added as a co-author any more
        proposals.save_draft(db, p["bob"], _fields("鲍勃的新提案", coauthors="2023003"), now=NOW)
    accounts.set_active(db, p["organizer"], p["judge2"].id, False)
    assert p["judge2"].id not in {j.id for j in accounts.judges(db)}
    with pytest.raises(ValidationError, match="不是在用的评委"):
        review_assignments.add_assignment(db, p["organizer"], ids["v1"], p["judge2"].id, now=NOW)


@pytest.mark.parametrize("who", refused("manage_accounts"))
def test_account_administration_is_for_organizers(w, who):
    db, p, _ = w
    user = _as(p, who)
    for call in (lambda: accounts.create_account(db, user, "organizer", username="evil-org", name="冒充组织者"),
                 lambda: accounts.import_accounts(db, user, pd.DataFrame(
                     [{"用户名": "evil-org", "姓名": "冒充", "角色": "组织者"}])),
                 lambda: accounts.reset_password(db, user, p["organizer"].id),
                 lambda: accounts.set_active(db, user, p["organizer"].id, False),
                 lambda: settings.save_departments(db, user, [{"code": "x", "name": "假部门"}])):
        with pytest.raises(PermissionDenied):
            call()
    assert not db["users"].count_where("username = 'evil-org'")
    assert accounts.get_user(db, p["organizer"].id) is not None


@pytest.mark.parametrize("student_no", ["organizer", "judge1", "dept-jwc", "2023001"])
def test_registration_cannot_take_over_an_existing_login_name(w, student_no):
    db, p, _ = w
    with pytest.raises(ValidationError):
        accounts.register_participant(db, student_no=student_no, name="冒充者", college="管理学院",
                                      email="x@example.edu.cn", password="Abcdefg123", password_confirm="Abcdefg123")
    user = accounts.login(db, "organizer", "Passw0rd!", now=NOW)
    assert user.role == "organizer" and user.id == p["organizer"].id


def test_registration_always_makes_a_participant(w):
    db, _, _ = w
    with pytest.raises(TypeError):  # there is no way to ask for a role
        accounts.register_participant(db, student_no="2023999", name="想当组织者", college="管理学院",
                                      email="y@example.edu.cn", password="Abcdefg123", password_confirm="Abcdefg123",
                                      role="organizer")
    user = accounts.register_participant(db, student_no="2023998", name="组织者", college="管理学院",
                                         email="z@example.edu.cn", password="Abcdefg123",
                                         password_confirm="Abcdefg123")
    assert user.role == "participant"
    with pytest.raises(PermissionDenied):
        proposals.search(db, user)


def test_a_staff_login_name_cannot_shadow_a_students_number(w):
    db, p, _ = w
    with pytest.raises(ValidationError, match="已存在"):
        accounts.create_account(db, p["organizer"], "judge", username="2023001", name="同号评委")
    assert accounts.login(db, "2023001", "Passw0rd!", now=NOW).id == p["alice"].id


def test_an_imported_sheet_cannot_make_a_staff_member_the_submitter(w):
    db, p, _ = w
    db["users"].update(p["judge"].id, {"student_no": "J0001"})  # a staff account that happens to carry a number
    frame = pd.DataFrame([_fields("导入的提案标题") | {"议题": "后勤生活", "学号": "J0001", "提案人": "某同学"}])
    frame = frame.rename(columns={"title": "标题", "problem": "问题描述", "investigation": "调研情况",
                                  "suggestions": "建议措施"}).drop(columns="topic")
    rows, errors = proposals.check_import(db, p["organizer"], frame)
    assert not errors and rows[0]["submitter_id"] == p["organizer"].id and rows[0]["author_name"] == "某同学"


@pytest.mark.parametrize("who", allowed("change_own_password"))
def test_change_password_needs_the_old_one(w, who):
    db, p, _ = w
    with pytest.raises(ValidationError, match="原密码不正确"):
        accounts.change_password(db, p[who], "wrong-old-1", "NewPassw0rd", "NewPassw0rd")
    with pytest.raises(PermissionDenied):
        accounts.change_password(db, None, "Passw0rd!", "NewPassw0rd", "NewPassw0rd")


def test_a_merged_case_shows_each_student_only_their_own_rating_and_no_internal_note(w):
    db, p, ids = w
    v3 = proposals.save_draft(db, p["bob"], _fields("鲍勃也要求食堂增开窗口"), now=NOW)
    proposals.submit(db, p["bob"], v3, now=NOW)
    proposals.screen(db, p["organizer"], [v3], True, now=NOW)
    case = forwarding.forward(db, p["organizer"], ids["v2"], "hqc", note="内部：请优先处理，校领导关注",
                            member_ids=[v3], now=NOW)
    replies.reply(db, p["dept2"], case, "planned", "已列入下学期计划，届时统一处理。", now=NOW)
    ratings.rate(db, p["bob"], v3, "unsatisfied", "鲍勃的私人评价意见", now=NOW)
    ratings.request_further_reply(db, p["bob"], v3, "鲍勃的再次答复理由", now=NOW)
    ratings.rate(db, p["bob"], ids["v2"], "satisfied", "鲍勃对 v2 的评价", now=NOW)
    # another student joins v2 as co-author: she may see v2's rating, not v3's (bob's other proposal)
    db["coauthors"].insert({"proposal_id": ids["v2"], "user_id": p["carol"].id})
    shown = _flat(forwarding.get_case(db, p["carol"], case)) + _flat(forwarding.cases(db, p["carol"]))
    assert "鲍勃对 v2 的评价" in shown
    for secret in ("鲍勃的私人评价意见", "鲍勃的再次答复理由", "内部：请优先处理"):
        assert secret not in shown
    # the department and the organizer still see everything
    for who in ("dept2", "organizer"):
        full = _flat(forwarding.get_case(db, p[who], case))
        assert "鲍勃的私人评价意见" in full and "内部：请优先处理" in full
