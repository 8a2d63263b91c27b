"""AppTest: judge queue, score sheet, bulk entry; organizer assignment and progress pages."""
from __future__ import annotations

import pytest

from contest import review_assignments, rubric_lock, score_sheets, settings
from tests.helpers import FULL, add_judging_proposal as add_proposal, texts


@pytest.fixture
def assigned(fresh_db, people):
    """Three valid proposals (by alice, bob, carol) assigned to judge1 and judge2 and published."""
    db = fresh_db
    pids = [add_proposal(db, people[a], topic=t, title=f"{name}的问题与建议")
            for a, t, name in [("alice", "teaching", "教室投影"), ("bob", "life", "食堂排队"),
                               ("carol", "environment", "校园绿化")]]
    review_assignments.auto_assign_drafts(db, people["organizer"], 2)
    review_assignments.publish_assignments(db, people["organizer"])
    return pids


def flashed(at, message: str) -> bool:
    """The success message of ``ui.flash``, shown by the rerun (run it if AppTest did not follow it)."""
    if message in texts(at):
        return True
    at.run()
    return message in texts(at)


def sheet_of(db, judge, pid):
    return next(db["sheets"].rows_where("proposal_id = ? and judge_id = ?", [pid, judge.id]), None)


def test_queue_shows_progress_filters_and_opens_a_sheet(app_as, fresh_db, people, assigned):
    judge = people["judge"]
    score_sheets.submit_sheet(fresh_db, judge, assigned[0], FULL)
    at = app_as("judge", "app_pages/judge_queue.py")
    page = texts(at)
    bar = at.get("progress")[0].proto
    assert bar.text == "已提交 1 / 3 件（33%）" and bar.value == 33
    assert [m.value for m in at.metric] == ["3", "2", "0", "1"]
    table = at.dataframe[0].value
    assert list(table["proposal_id"]) == assigned and list(table["status_name"]) == ["已提交", "未开始", "未开始"]
    assert "艾丽" not in page and "2023001" not in page  # blind: no author names anywhere
    at.selectbox(key="queue_status").select("submitted").run()
    assert list(at.dataframe[0].value["proposal_id"]) == [assigned[0]]
    at.selectbox(key="queue_status").select("").run()
    at.text_input(key="queue_text").input("食堂").run()
    assert list(at.dataframe[0].value["proposal_id"]) == [assigned[1]]
    next(b for b in at.button if b.label == "打开评分表").click().run()
    assert at.selectbox(key="score_pick").value == assigned[1]  # the score sheet page, on that proposal
    assert "食堂排队的问题与建议" in texts(at)


def test_queue_without_published_assignments(app_as, fresh_db, people):
    at = app_as("judge", "app_pages/judge_queue.py")
    assert "尚未向您发布评审任务" in texts(at)


def test_score_sheet_blind_draft_then_submit(app_as, fresh_db, people, assigned):
    judge, pid = people["judge"], assigned[1]
    at = app_as("judge")
    at.session_state["score_proposal"] = pid
    at.switch_page("app_pages/score_sheet.py").run()
    assert not at.exception
    page = texts(at)
    assert "食堂排队的问题与建议" in page and "鲍勃" not in page and "2023002" not in page and "医学部" not in page
    at.number_input(key=f"score_{pid}_value").set_value(8.0)
    at.text_area(key=f"comment_{pid}").input("选题好")
    at.button(key="FormSubmitter:sheet_%d-保存草稿" % pid).click().run()
    assert sheet_of(fresh_db, judge, pid)["status"] == "draft"
    assert flashed(at, "已保存为草稿")
    # submitting with missing criteria is refused with the list of what is missing
    at.button(key="FormSubmitter:sheet_%d-提交" % pid).click().run()
    assert "尚未填写" in texts(at) and sheet_of(fresh_db, judge, pid)["status"] == "draft"
    for code, value in FULL.items():
        at.number_input(key=f"score_{pid}_{code}").set_value(float(value))
    at.text_area(key=f"note_{pid}").input("仅供组委会参考")
    at.button(key="FormSubmitter:sheet_%d-提交" % pid).click().run()
    sheet = sheet_of(fresh_db, judge, pid)
    assert sheet["status"] == "submitted" and sheet["comment"] == "选题好" and sheet["note"] == "仅供组委会参考"
    scores = {r["criterion"]: r["score"] for r in fresh_db["scores"].rows_where("sheet_id = ?", [sheet["id"]])}
    assert scores == {k: float(v) for k, v in FULL.items()}
    assert flashed(at, f"提案 {pid} 的评分已提交")


def test_score_sheet_is_read_only_after_judging_closes(app_as, fresh_db, people, assigned):
    score_sheets.submit_sheet(fresh_db, people["judge"], assigned[0], FULL)
    contest = settings.get(fresh_db)
    closed = {**contest.phases, "judging_closes": "2026-03-09 08:00", "submission_closes": "2026-03-08 08:00",
              "results_published": "2026-03-09 09:00"}
    settings.update(fresh_db, people["organizer"], phases=closed)
    at = app_as("judge")
    at.session_state["score_proposal"] = assigned[0]
    at.switch_page("app_pages/score_sheet.py").run()
    assert "评分表只读" in texts(at)
    assert all(n.disabled for n in at.number_input)
    assert at.number_input(key=f"score_{assigned[0]}_value").value == 8.0


def test_bulk_entry_saves_all_or_reports_each_bad_row(app_as, fresh_db, people, assigned):
    judge = people["judge"]
    at = app_as("judge", "app_pages/bulk_scores.py")
    assert not at.exception
    edits = {"edited_rows": {"0": FULL, "1": {**FULL, "research": None}}, "added_rows": [], "deleted_rows": []}
    at.session_state["bulk_editor"] = edits
    at.button(key="FormSubmitter:bulk-提交已打分的行").click().run()
    assert "第 2 行" in texts(at) and "尚未填写" in texts(at)
    assert not fresh_db["sheets"].count  # all or nothing
    at.session_state["bulk_editor"] = edits
    at.button(key="FormSubmitter:bulk-保存草稿").click().run()
    assert flashed(at, "已保存 2 行")
    assert {r["status"] for r in fresh_db["sheets"].rows} == {"draft"}
    at.session_state["bulk_editor"] = {"edited_rows": {"1": {"research": 6}}, "added_rows": [], "deleted_rows": []}
    at.button(key="FormSubmitter:bulk-提交已打分的行").click().run()
    at.run()
    assert [r["status"] for r in fresh_db["sheets"].rows] == ["submitted", "submitted"]
    assert sheet_of(fresh_db, judge, assigned[1]) is not None


def test_assignment_page_auto_assign_then_publish(app_as, fresh_db, people):
    pids = [add_proposal(fresh_db, people[a]) for a in ("alice", "bob", "carol")]
    at = app_as("organizer", "app_pages/assignment.py")
    assert not at.exception
    at.number_input[0].set_value(2)
    at.button(key="FormSubmitter:auto-运行自动分配（生成草案）").click().run()
    assert flashed(at, "已生成 6 条分配草案")
    assert fresh_db["assignments"].count_where("published = 0") == 6
    publish = next(b for b in at.button if b.label.startswith("发布"))
    publish.click().run()
    assert flashed(at, "已发布 6 条分配")
    assert fresh_db["assignments"].count_where("published = 1") == 6
    # a conflict declared by hand removes the pair and shows in the list
    pid, jid = next((r["proposal_id"], r["judge_id"]) for r in fresh_db["assignments"].rows)
    at.selectbox(key="conflict_pid").select(pid)
    at.selectbox(key="conflict_jid").select(jid)
    at.text_input[0].input("导师与学生关系")
    at.button(key="FormSubmitter:declare_conflict-声明利益冲突").click().run()
    at.run()
    assert not fresh_db["assignments"].count_where("proposal_id = ? and judge_id = ?", [pid, jid])
    assert any("导师与学生关系" in list(df.value.get("reason", [])) for df in at.dataframe)
    assert pids


def test_assignment_page_refuses_a_conflicting_hand_assignment(app_as, fresh_db, people):
    settings.update(fresh_db, people["organizer"], college_conflict=True)
    pid = add_proposal(fresh_db, people["alice"])  # 管理学院, like judge1
    at = app_as("organizer", "app_pages/assignment.py")
    at.selectbox(key="add_pid").select(pid)
    at.selectbox(key="add_jid").select(people["judge"].id)
    next(b for b in at.button if b.label == "添加分配").click().run()
    assert "同一学院" in texts(at) and not fresh_db["assignments"].count


def test_progress_page_shows_judges_spread_and_unlock(app_as, fresh_db, people, assigned):
    pid = assigned[0]
    judges = [r["judge_id"] for r in fresh_db["assignments"].rows_where("proposal_id = ?", [pid])]
    from contest.accounts import get_user
    score_sheets.submit_sheet(fresh_db, get_user(fresh_db, judges[0]), pid, {k: 1 for k in FULL})
    score_sheets.submit_sheet(fresh_db, get_user(fresh_db, judges[1]), pid, {k: 9 for k in FULL})
    at = app_as("organizer", "app_pages/judging_progress.py")
    assert not at.exception
    page = texts(at)
    assert "已提交评审" in page and "2 / 6" in page
    by_proposal = at.dataframe[1].value.set_index("proposal_id")
    assert by_proposal.loc[pid, "spread"] == pytest.approx(80.0) and by_proposal.loc[pid, "disagree"]
    assert "评分标准已锁定" in page
    at.text_area[0].input("组委会决定调整权重")
    at.button(key="FormSubmitter:unlock-解锁评分标准").click().run()
    assert rubric_lock.rubric_lock_state(fresh_db)["unlocked"]
    assert flashed(at, "评分标准已解锁")


def test_judge_cannot_reach_organizer_pages(app_as, assigned):
    at = app_as("judge")
    for page in ("app_pages/assignment.py", "app_pages/judging_progress.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)


def test_score_sheet_offers_attachments_under_neutral_names(app_as, fresh_db, people, assigned):
    from contest import attachments

    pid = assigned[1]
    data = b"%PDF-1.4\n% test\n"
    (attachments.storage_dir(fresh_db) / "stored.pdf").write_bytes(data)
    fresh_db["attachments"].insert({"proposal_id": pid, "filename": "鲍勃_2023002_问卷.pdf", "stored_name": "stored.pdf",
                                    "kind": "pdf", "size": len(data), "uploaded_by": people["bob"].id})
    at = app_as("judge")
    at.session_state["score_proposal"] = pid
    at.switch_page("app_pages/score_sheet.py").run()
    assert not at.exception
    buttons = [b for b in at.get("download_button")]
    assert len(buttons) == 1 and "附件1.pdf" in buttons[0].proto.label
    assert "鲍勃" not in buttons[0].proto.label and "鲍勃" not in texts(at)


def test_assignment_page_searches_when_there_are_many_proposals(app_as, fresh_db, people):
    """Past ui.SEARCH_LIMIT options the proposal list is narrowed by a search box, never sent whole."""
    from app_pages import _ui

    pids = [add_proposal(fresh_db, people["bob"], title=f"关于第{i}号食堂窗口的建议") for i in range(_ui.SEARCH_LIMIT + 5)]
    at = app_as("organizer", "app_pages/assignment.py")
    assert len(at.selectbox(key="add_pid").options) == _ui.SEARCH_LIMIT
    at.text_input(key="add_pid_search").input("第42号").run()
    assert len(at.selectbox(key="add_pid").options) == 1 and "第42号" in at.selectbox(key="add_pid").options[0]
    at.selectbox(key="add_jid").select(people["judge2"].id)
    next(b for b in at.button if b.label == "添加分配").click().run()
    assert fresh_db["assignments"].count_where("proposal_id = ? and judge_id = ?", [pids[42], people["judge2"].id])
