"""Regressions found by trying the portal in a real browser as each kind of user (QA pass)."""
import pytest

from contest import audit, forwarding, join_requests, proposals, replies, review_assignments, score_sheets
from tests.helpers import GOOD, NOW, REPLY, WRITE, click, fill, texts

EMOJI = "程序员👩‍💻与🏳️‍🌈"  # emoji sequences joined by U+200D (zero-width joiner)


def test_emoji_sequences_with_zero_width_joiner_are_stored_verbatim(app_as, fresh_db):
    at = app_as("alice", WRITE)
    fill(at, **(GOOD | {"title": "关于食堂的建议" + EMOJI, "problem": GOOD["problem"] + EMOJI}))
    click(at, "提交")
    assert "零宽字符" not in texts(at)
    row = next(fresh_db["proposals"].rows)
    assert row["status"] == "submitted"
    assert row["title"] == "关于食堂的建议" + EMOJI and row["problem"].endswith(EMOJI)


def test_a_lone_zero_width_character_is_still_refused(app_as, fresh_db):
    at = app_as("alice", WRITE)
    fill(at, **(GOOD | {"title": "关于食堂\u200d的建议"}))
    click(at, "保存草稿")
    assert "标题包含不可见的控制字符或零宽字符" in texts(at)
    assert fresh_db["proposals"].count == 0


def test_saving_an_empty_new_draft_creates_nothing(app_as, fresh_db):
    at = app_as("alice", WRITE)
    fill(at, title="   ", problem="  \n ")
    click(at, "保存草稿")
    assert "草稿还是空的" in texts(at)
    assert fresh_db["proposals"].count == 0
    assert at.session_state["wp_choice"] == 0  # still on 新建提案, what was typed kept
    assert at.text_area(key="wp0_problem").value == "  \n "


# --- 比赛设置 -------------------------------------------------------------------------

SETTINGS = "app_pages/contest_settings.py"


def test_new_topic_row_without_a_name_is_refused_not_saved_as_nan(app_as, fresh_db):
    from contest import settings

    at = app_as("organizer", SETTINGS)
    at.session_state["topics_editor"] = {"edited_rows": {}, "added_rows": [{"code": "newtopic"}],
                                         "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "保存议题").click()
    at.run()
    assert "请填写议题名称" in texts(at)
    assert "newtopic" not in settings.get(fresh_db).topic_codes


# --- 审计日志 -------------------------------------------------------------------------


def test_audit_log_shows_actions_and_targets_in_chinese(app_as, fresh_db, people):

    from contest import settings

    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    settings.update(fresh_db, people["organizer"], contest_name="第九届提案大赛")
    at = app_as("organizer", "app_pages/audit_log.py")
    frame = at.dataframe[0].value
    row = frame[frame["target"] == f"提案 #{pid}"].iloc[0]
    assert row["action"] == "新建提案"
    assert not frame["action"].str.contains("_").any()  # no raw action ids such as create_proposal
    assert "比赛设置" in set(frame["target"]) and "settings" not in set(frame["target"])
    at.text_input[0].input("新建提案").run()
    assert len(at.dataframe[0].value) == 1


def test_every_audited_action_has_a_chinese_name(app_as, fresh_db, people, cases):
    """Run the actions that used to show raw ids (save_sheet, decline_join, unpublish_reply) and
    open the audit log: every action is shown with its Chinese label. An action without a label
    cannot be recorded at all."""
    db, org = fresh_db, people["organizer"]
    review_assignments.add_assignment(db, org, cases["p2"], people["judge"].id)
    review_assignments.publish_assignments(db, org)
    score_sheets.save_draft(db, people["judge"], cases["p2"], {"value": 5})
    pid = proposals.save_draft(db, people["alice"], GOOD)
    proposals.submit(db, people["alice"], pid)
    request = join_requests.request_to_join(db, people["bob"], pid, "想一起写")
    join_requests.answer_join_request(db, people["alice"], request, False)
    entry = forwarding.replies(db, org, cases["c2"])[0]
    replies.set_published(db, org, entry["id"], False)
    at = app_as("organizer", "app_pages/audit_log.py")
    shown = set(at.dataframe[0].value["action"])
    assert {"保存评分草稿", "婉拒加入合作", "撤回答复公开"} <= shown
    assert not any("_" in a for a in shown), shown
    with pytest.raises(ValueError):
        audit.record(db, org, "no_such_action")


# --- 导入提案: files that are not what their name says ----------------------------------

IMPORT = "app_pages/import_proposals.py"


def test_import_explains_a_broken_csv_and_a_fake_xlsx_in_chinese(app_as, fresh_db):
    at = app_as("organizer", IMPORT)
    at.file_uploader(key="ip_file").upload("提案.csv", b'\xe6\xa0\x87\xe9\xa2\x98,"x\n1,2\n', "text/csv")
    at.run()
    assert not at.exception
    assert "无法读取该 CSV 文件" in texts(at)
    at.file_uploader(key="ip_file").upload("提案.xlsx", b"MZ\x90\x00" + bytes(range(256)),
                                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    assert "内容不是 Excel 表格" in texts(at)
    assert fresh_db["proposals"].count == 0


def test_text_typed_when_the_deadline_passes_is_shown_for_copying(app_as, fresh_db, monkeypatch):
    import datetime as dt

    from contest import clock

    at = app_as("alice", WRITE)
    fill(at, title="关于截止时刻仍在编辑的提案", problem="截止前开始写、截止后才点保存的文字<b>![x](http://example.com/t.png)")
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 4, 5, 9, 0))  # submission closed 2026-04-04 08:00
    click(at, "保存草稿")
    shown = texts(at)
    assert "截止，不能再新建提案" in shown
    assert "未能保存的内容" in shown
    assert "关于截止时刻仍在编辑的提案" in [c.value for c in at.code]
    assert "截止前开始写、截止后才点保存的文字<b>![x](http://example.com/t.png)" in [c.value for c in at.code]
    assert fresh_db["proposals"].count == 0


# --- 待办提案: the reply form -----------------------------------------------------------


def test_refused_reply_keeps_what_the_department_typed_and_a_sent_one_empties_the_form(app_as, cases):
    import datetime as dt


    at = app_as("dept", "app_pages/department_queue.py")
    at.radio(key="reply_state").set_value("in_progress")
    at.text_area(key="reply_text").input(REPLY)
    at.text_area(key="reply_plan").input("本月完成选址")
    at.button(key="FormSubmitter:reply_form-提交答复").click()
    at.run()  # refused: 正在办理 needs an expected date
    assert at.error, texts(at)
    assert at.text_area(key="reply_text").value == REPLY
    assert at.text_area(key="reply_plan").value == "本月完成选址"
    assert at.radio(key="reply_state").value == "in_progress"
    at.date_input(key="reply_date").set_value(dt.date(2026, 12, 31))
    at.button(key="FormSubmitter:reply_form-提交答复").click()
    at.run()
    if "答复已提交" not in texts(at):
        at.run()
    assert "答复已提交" in texts(at)
    assert at.text_area(key="reply_text").value == ""  # the next update starts from an empty form


def test_switching_case_starts_an_empty_reply_form(app_as, cases, people):
    from contest import forwarding

    c3 = forwarding.forward(cases["db"], people["organizer"], cases["p3"], "hqc")
    at = app_as("dept2", "app_pages/department_queue.py")
    first = at.selectbox(key="queue_case").value
    at.text_area(key="reply_text").input("太短")
    next(b for b in at.button if b.key.startswith("FormSubmitter:reply_form")).click().run()  # refused, kept
    assert at.text_area(key="reply_text").value == "太短"
    other = cases["c2"] if first == c3 else c3
    at.selectbox(key="queue_case").set_value(other).run()
    assert at.selectbox(key="queue_case").value == other
    assert at.text_area(key="reply_text").value == ""
