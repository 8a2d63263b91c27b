"""AppTest: write, follow, screen, browse and import proposals through the real app."""
import datetime as dt

import pytest

from contest import attachments, exports, proposals, settings
from tests.helpers import GOOD, NOW, ROW, WRITE, accept_invitations, click, fill, texts

IMAGE = "![x](http://example.com/t.png)"


def no_images(at):
    """User text never reaches markdown (where an image would be fetched, a URL become a link)."""
    for element in list(at.markdown) + list(at.caption) + list(at.get("expandable")):
        value = str(getattr(element, "value", "")) + str(getattr(element, "label", ""))
        assert "example.com" not in value, value


@pytest.fixture(autouse=True)
def open_now(monkeypatch):
    """The pages use the real clock: move it to the fixture's NOW (submission open)."""
    from contest import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


# --- 撰写提案 ----------------------------------------------------------------------


def test_new_draft_then_submit(app_as, fresh_db, people):
    at = app_as("alice", WRITE)
    fill(at, title="食堂", problem="只写了一半")
    click(at, "保存草稿")  # this AppTest follows the st.rerun() of ui.flash by itself
    pid = next(fresh_db["proposals"].rows)["id"]
    assert "草稿已保存" in texts(at)
    assert at.session_state["wp_choice"] == pid
    prefix = fill(at, **GOOD)
    assert at.text_input(key=prefix + "title").value == GOOD["title"]
    click(at, "提交")
    row = fresh_db["proposals"].get(pid)
    assert row["status"] == "submitted" and row["title"] == GOOD["title"]
    assert fresh_db["proposals"].count == 1
    assert "提案已提交" in texts(at)
    assert any(b.label == "保存修改" for b in at.button)  # a submitted proposal is edited in place


def test_typed_text_is_autosaved_and_restored_in_a_new_session(app_as, fresh_db, people):
    at = app_as("alice", WRITE)
    fill(at, title="食堂", problem="只写了一半")
    click(at, "保存草稿")
    pid = at.session_state["wp_choice"]
    fill(at, title="食堂排队太久", suggestions="还没想好")
    at.run()  # each change of a field is kept at once, no button pressed
    assert proposals.get(fresh_db, people["alice"], pid)["title"] == "食堂"

    again = app_as("alice", WRITE)  # a new session (reload, new login): back on that draft, text restored
    assert again.session_state["wp_choice"] == pid
    assert again.text_input(key=f"wp{pid}_title").value == "食堂排队太久"
    assert again.text_area(key=f"wp{pid}_suggestions").value == "还没想好"
    assert "自动保存" in texts(again)
    click(again, "放弃这些修改")
    assert again.text_input(key=f"wp{pid}_title").value == "食堂"
    assert "自动保存" not in texts(again)


def test_validation_error_keeps_everything_typed(app_as, fresh_db):
    at = app_as("alice", WRITE)
    prefix = fill(at, **(GOOD | {"problem": "太短了"}))
    click(at, "提交")  # saved as a draft, but cannot be submitted
    assert "问题描述至少需要 20 个字" in texts(at)
    pid = at.session_state["wp_choice"]
    prefix = f"wp{pid}_"
    assert at.text_input(key=prefix + "title").value == GOOD["title"]
    assert at.text_area(key=prefix + "problem").value == "太短了"
    assert at.text_area(key=prefix + "suggestions").value == GOOD["suggestions"]
    assert fresh_db["proposals"].get(pid)["status"] == "draft"


def test_refused_save_keeps_typed_text_and_saved_text(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    at = app_as("alice", WRITE)
    at.selectbox(key="wp_choice").select(pid)
    at.run()
    prefix = fill(at, title="标题里有零宽\u200b字符的提案")
    click(at, "保存草稿")
    assert "零宽" in texts(at)
    assert at.text_input(key=prefix + "title").value == "标题里有零宽\u200b字符的提案"
    assert fresh_db["proposals"].get(pid)["title"] == GOOD["title"]


def test_double_click_creates_one_proposal(app_as, fresh_db, monkeypatch):
    """A second click arrives while the first run is still going: Streamlit interrupts the first
    run (here: right after it submitted) and reruns with the same session and the same form."""
    import streamlit as st

    real_submit = proposals.submit

    def submit_then_interrupted(*args, **kwargs):
        real_submit(*args, **kwargs)
        st.stop()

    at = app_as("alice", WRITE)
    fill(at, **GOOD)
    monkeypatch.setattr(proposals, "submit", submit_then_interrupted)
    click(at, "提交")
    assert fresh_db["proposals"].count == 1
    monkeypatch.setattr(proposals, "submit", real_submit)
    click(at, "提交")  # the same form, sent again
    assert fresh_db["proposals"].count == 1
    assert next(fresh_db["proposals"].rows)["status"] == "submitted"
    assert fresh_db["audit_log"].count_where("action = 'submit_proposal'") == 1


def test_markdown_image_in_title_shown_as_text(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD | {"title": IMAGE + "食堂"}, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    at = app_as("alice", "app_pages/my_proposals.py")
    assert any(t.value == IMAGE + "食堂" for t in at.text)
    no_images(at)
    assert not at.get("imgs")


def test_read_only_after_deadline_says_why(app_as, fresh_db, people, monkeypatch):
    from contest import clock

    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 4, 5, 9, 0))
    at = app_as("alice", WRITE)
    assert "截止" in texts(at) and not at.text_input
    at.selectbox(key="wp_choice").select(pid)
    at.run()
    assert "截止" in texts(at) and not any(b.label in ("保存草稿", "提交") for b in at.button)
    assert any(t.value == GOOD["problem"] for t in at.text)


def test_read_only_after_screening(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    proposals.screen(fresh_db, people["organizer"], [pid], False, "与已办结提案重复。", now=NOW)
    at = app_as("alice", WRITE)
    at.selectbox(key="wp_choice").select(pid)
    at.run()
    assert "立案审查" in texts(at) and "与已办结提案重复。" in [t.value for t in at.text]
    assert not at.text_area


def test_withdraw_needs_confirmation(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    at = app_as("alice", WRITE)
    at.selectbox(key="wp_choice").select(pid)
    at.run()
    button = at.button(key=f"wp{pid}_withdraw")
    assert button.disabled
    at.checkbox(key=f"wp{pid}_confirm_withdraw").check()
    at.run()
    at.button(key=f"wp{pid}_withdraw").click()
    at.run()
    assert fresh_db["proposals"].get(pid)["status"] == "withdrawn"


def test_coauthor_sees_proposal_but_cannot_edit(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD | {"coauthors": "2023002"}, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    accept_invitations(fresh_db, people["bob"])
    at = app_as("bob", "app_pages/my_proposals.py")
    assert "合作者" in texts(at) and GOOD["title"] in [t.value for t in at.text]
    assert not any("编辑" in b.label for b in at.button)
    at.switch_page(WRITE)
    at.run()
    assert at.selectbox(key="wp_choice").options == ["（新建提案）"]


def test_other_students_draft_never_shown(app_as, fresh_db, people):
    proposals.save_draft(fresh_db, people["alice"], GOOD | {"title": "艾丽的秘密草稿"}, now=NOW)
    at = app_as("carol", "app_pages/my_proposals.py")
    assert "艾丽的秘密草稿" not in texts(at)
    at.switch_page(WRITE)
    at.run()
    assert "艾丽的秘密草稿" not in str(at.selectbox(key="wp_choice").options)
    at.session_state["wp_pending_choice"] = 1  # a forged choice is ignored
    at.run()
    assert at.session_state["wp_choice"] == 0


def test_attachments_uploaded_checked_by_bytes_and_listed(app_as, fresh_db, people):
    from tests.helpers import EXE, PDF

    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    at = app_as("alice", WRITE)
    at.selectbox(key="wp_choice").select(pid)
    at.run()
    prefix = f"wp{pid}_"
    # form widgets are sent with the form's button: upload, type and click in one run
    at.file_uploader(key=prefix + "files0").upload("调研报告.pdf", EXE, "application/pdf")
    fill(at, title="改过的标题也不会丢失")
    click(at, "保存草稿")
    assert "不是允许的文件类型" in texts(at)
    assert fresh_db["attachments"].count == 0
    assert fresh_db["proposals"].get(pid)["title"] == GOOD["title"]  # nothing saved on a refused file
    assert at.text_input(key=prefix + "title").value == "改过的标题也不会丢失"
    at.file_uploader(key=prefix + "files0").upload("调研报告.pdf", PDF, "application/pdf")
    click(at, "保存草稿")
    assert fresh_db["attachments"].count == 1
    assert fresh_db["proposals"].get(pid)["title"] == "改过的标题也不会丢失"
    assert any(t.value.startswith("1. 调研报告.pdf（PDF") for t in at.text)
    assert [b.label for b in at.get("download_button")] == ["下载"]


def test_my_proposals_timeline_and_status(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    at = app_as("alice", "app_pages/my_proposals.py")
    assert "已提交" in texts(at)
    proposals.screen(fresh_db, people["organizer"], [pid], True, now=NOW)
    at.run()
    frames = [d.value for d in at.dataframe]
    timeline = next(f for f in frames if "步骤" in f.columns)
    states = dict(zip(timeline["步骤"], timeline["状态"]))
    assert states["已立案"] == "已完成" and states["评审中"] == "进行中"


def test_my_proposals_empty(app_as):
    at = app_as("alice", "app_pages/my_proposals.py")
    assert "还没有提案" in texts(at)


# --- organizer pages -------------------------------------------------------------


@pytest.fixture
def two(fresh_db, people):
    a = proposals.save_draft(fresh_db, people["alice"], GOOD | {"title": "食堂排队 " + IMAGE,
                                                                 "topic": "life"}, now=NOW)
    b = proposals.save_draft(fresh_db, people["bob"], GOOD, now=NOW)
    for who, pid in (("alice", a), ("bob", b)):
        proposals.submit(fresh_db, people[who], pid, now=NOW)
    return a, b


def test_all_proposals_search_filter_detail_and_export(app_as, fresh_db, two):
    a, b = two
    at = app_as("organizer", "app_pages/all_proposals.py")
    assert len(at.dataframe[0].value) == 2
    at.text_input(key="ap_text").input("食堂")
    at.run()
    assert list(at.dataframe[0].value["id"]) == [a]
    assert any(t.value == "食堂排队 " + IMAGE for t in at.text)  # detail, as text
    no_images(at)
    at.text_input(key="ap_text").input("")
    at.selectbox(key="ap_college").select("医学部")
    at.run()
    assert list(at.dataframe[0].value["id"]) == [b]
    labels = [d.label for d in at.get("download_button")]
    assert "导出 CSV" in labels and "导出 Excel" in labels


def test_screening_bulk_and_counts(app_as, fresh_db, people, two):
    a, b = two
    at = app_as("organizer", "app_pages/screening.py")
    assert "确立有效提案 0 件" in texts(at)
    at.multiselect(key="sc_selected").set_value([a, b])
    at.radio(key="sc_decision").set_value("invalid")
    next(b_ for b_ in at.button if b_.label == "执行").click()
    at.run()
    assert "理由" in texts(at)  # refused without a reason
    assert fresh_db["proposals"].get(a)["status"] == "submitted"
    at.radio(key="sc_decision").set_value("valid")
    at.selectbox(key="sc_topic").select("transport")
    next(b_ for b_ in at.button if b_.label == "执行").click()
    at.run()
    assert [fresh_db["proposals"].get(i)["status"] for i in (a, b)] == ["valid", "valid"]
    assert fresh_db["proposals"].get(b)["topic"] == "transport"
    assert "确立有效提案 2 件" in texts(at)
    assert "没有待审查的提案" in texts(at)


def test_screening_one_proposal_invalid_with_reason_student_sees_it(app_as, fresh_db, people, two):
    a, _ = two
    at = app_as("organizer", "app_pages/screening.py")
    at.selectbox(key="sc_detail").select(a)
    at.run()
    at.text_area(key=f"sc_one_reason_{a}").input("属于个人事务，请通过辅导员反映。")
    next(b for b in at.button if b.label == "不予立案").click()
    at.run()
    row = fresh_db["proposals"].get(a)
    assert row["status"] == "invalid" and row["invalid_reason"] == "属于个人事务，请通过辅导员反映。"
    student = app_as("alice", "app_pages/my_proposals.py")
    assert "属于个人事务，请通过辅导员反映。" in [t.value for t in student.text]
    assert "不予立案" in texts(student)


def test_refused_screening_leaves_the_topic_unchanged_and_unconfirmed(app_as, fresh_db, people, two):
    """不予立案 without a reason is refused; the topic chosen with it must not be applied either (it
    would become a classifier training label). Bulk form and single form alike."""
    a, b = two
    before = {i: (fresh_db["proposals"].get(i)["topic"], fresh_db["proposals"].get(i)["topic_confirmed"]) for i in (a, b)}
    at = app_as("organizer", "app_pages/screening.py")
    at.multiselect(key="sc_selected").set_value([a, b])
    at.radio(key="sc_decision").set_value("invalid")
    at.selectbox(key="sc_topic").select("transport")
    next(b_ for b_ in at.button if b_.label == "执行").click()
    at.run()
    assert "理由" in texts(at)
    at.selectbox(key="sc_detail").select(a)
    at.run()
    at.selectbox(key=f"sc_one_topic_{a}").select("transport")
    next(b_ for b_ in at.button if b_.label == "不予立案").click()
    at.run()
    assert "理由" in texts(at)
    for i in (a, b):
        row = fresh_db["proposals"].get(i)
        assert row["status"] == "submitted" and (row["topic"], row["topic_confirmed"]) == before[i]
    assert not fresh_db["audit_log"].count_where("action = 'set_topic'")


def test_import_preview_errors_then_import(app_as, fresh_db, people):
    at = app_as("organizer", "app_pages/import_proposals.py")
    import pandas as pd

    bad = exports.to_csv(pd.DataFrame([ROW, ROW | {"标题": "短"}]))
    at.file_uploader(key="ip_file").upload("提案.csv", bad, "text/csv")
    at.run()
    assert [str(v) for v in at.dataframe[-1].value["错误"]] == ["第 3 行：标题至少需要 5 个字，当前 1 个字。"]
    assert not any(b.label.startswith("导入") for b in at.button)
    good = exports.to_csv(pd.DataFrame([ROW, ROW | {"标题": "关于食堂夜宵窗口的建议"}]))
    at.file_uploader(key="ip_file").upload("提案.csv", good, "text/csv")
    at.run()
    next(b for b in at.button if b.label == "导入 2 件提案").click()
    at.run()
    assert fresh_db["proposals"].count == 2
    assert {r["source"] for r in fresh_db["proposals"].rows} == {"import"}


def test_import_a_summary_sheet_with_title_row_and_no_topic_column(app_as, fresh_db, people):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["某某大学第十次学代会提案汇总表"])
    ws.merge_cells("A1:G1")
    ws.append(["序号", "提案题目", "学号", "问题描述", "调研情况", "解决办法", "承办单位"])
    ws.append([1, "关于二食堂增开午餐窗口的建议", 2023002, "二食堂午餐高峰排队超过二十分钟，窗口开放不足，很多同学迟到。",
               "连续两周统计午餐高峰排队时间，平均二十三分钟，七成同学希望增加窗口。",
               "建议二食堂在午餐高峰增开三个窗口，并在门口公示各窗口排队人数和菜价。", "后勤保障处"])
    data = io.BytesIO()
    book.save(data)
    at = app_as("organizer", "app_pages/import_proposals.py")
    at.file_uploader(key="ip_file").upload("汇总表.xlsx", data.getvalue(),
                                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    shown = texts(at)
    assert "表头在第 2 行（上方的标题行已跳过）；未导入的列：序号。" in shown
    assert "1 件提案没有填写议题" in shown
    assert list(at.dataframe[0].value["议题"]) == ["后勤生活（自动分类，待确认）"]
    next(b for b in at.button if b.label == "导入 1 件提案").click()
    at.run()
    row = next(fresh_db["proposals"].rows)
    assert (row["topic"], row["topic_confirmed"], row["submitter_id"]) == ("life", 0, people["bob"].id)
