"""Follow-up pages through the real app: forwarding, department queue and reply form, dashboard, public page."""
from __future__ import annotations

import datetime as dt

import pytest

from contest import forwarding, replies
from tests.helpers import REPLY, texts


def shown_after_flash(at, message: str) -> str:
    """The page text once the flash message of ``ui.flash`` has been shown (one more run if AppTest did not
    follow the st.rerun() itself)."""
    if message not in texts(at):
        at.run()
    return texts(at)


def test_department_queue_shows_only_own_cases_with_overdue_mark(app_as, cases):
    at = app_as("dept", "app_pages/department_queue.py")
    table = at.dataframe[0].value
    assert list(table["办理编号"]) == [cases["c1"]]
    assert table.iloc[0]["期限提示"].startswith("逾期")
    shown = texts(at)
    assert "增加自习室" in shown or "增加自习室" in str(at.selectbox[0].options)
    assert "食堂延时" not in shown and "热水全天" not in shown
    assert "食堂延时" not in str(at.selectbox[0].options)


def test_reply_form_answers_and_then_offers_progress_update(app_as, cases):
    at = app_as("dept", "app_pages/department_queue.py")
    at.radio(key="reply_state").set_value("in_progress")
    at.text_area(key="reply_text").input("太短")
    at.button(key="FormSubmitter:reply_form-提交答复").click()
    at.run()
    assert "至少需要 10 个字" in texts(at)
    at.radio(key="reply_state").set_value("in_progress")
    at.text_area(key="reply_text").input(REPLY)
    at.text_area(key="reply_plan").input("本月完成选址，下月开放")
    at.date_input(key="reply_date").set_value(dt.date(2026, 12, 31))
    at.button(key="FormSubmitter:reply_form-提交答复").click()
    at.run()
    assert not at.exception
    assert "答复已提交" in shown_after_flash(at, "答复已提交")
    entry = forwarding.replies(cases["db"], at.session_state["user"], cases["c1"])[0]
    assert (entry["state"], entry["plan"], entry["expected_date"]) == ("in_progress", "本月完成选址，下月开放",
                                                                      "2026-12-31")
    assert "更新办理进展" in texts(at)
    assert at.dataframe[0].value.iloc[0]["办理状态"] == "已答复"


def test_department_bulk_import_shows_row_errors(app_as, cases):
    at = app_as("dept", "app_pages/department_queue.py")
    assert at.tabs[1].label == "批量导入答复"
    # file_uploader is not scriptable in AppTest; the validation itself is covered in the unit tests
    assert any("模板" in b.label for b in at.get("download_button"))


def test_organizer_forwards_with_suggested_department(app_as, cases):
    at = app_as("organizer", "app_pages/forwarding.py")
    table = at.dataframe  # data_editor shows as an arrow data frame
    editor = table[0].value
    row = editor[editor["编号"] == cases["p3"]].iloc[0]
    assert row["承办部门"] == "后勤保障处"  # pre-filled from the proposal
    index = int(editor.index[editor["编号"] == cases["p3"]][0])
    at.session_state["forward_editor"] = {"edited_rows": {index: {"选择": True}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    at.button(key="FormSubmitter:bulk_forward-转办所选提案").click()
    at.run()
    assert not at.exception
    assert "已转办 1 件提案" in shown_after_flash(at, "已转办 1 件提案")
    case = forwarding.case_for_proposal(cases["db"], at.session_state["user"], cases["p3"])
    assert case["department"] == "hqc"


def test_organizer_reforwards_a_declined_case(app_as, cases, people):
    forwarding.decline(cases["db"], people["dept"], cases["c1"], "自习室归图书馆管理")
    at = app_as("organizer", "app_pages/forwarding.py")
    assert "自习室归图书馆管理" in texts(at)
    at.selectbox(key="re_case").set_value(cases["c1"])
    at.text_area[-1].input("改由后勤保障处办理")
    form_selects = [s for s in at.selectbox if s.label == "新的主办部门"]
    form_selects[0].set_value("hqc")
    at.button(key="FormSubmitter:reforward-重新转办").click()
    at.run()
    assert "已重新转办" in shown_after_flash(at, "已重新转办")
    assert cases["db"]["cases"].get(cases["c1"])["department"] == "hqc"


def test_dashboard_shows_rates_definitions_and_summary(app_as, cases):
    at = app_as("organizer", "app_pages/followup_dashboard.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["有效提案"] == "3"
    assert metrics["移交率"] == "66.7%"
    assert metrics["回复率"] == "50%"
    assert metrics["逾期未答复"] == "1"
    assert metrics["满意率"] == "0%"
    assert "移交率 = 已转办提案 ÷ 有效提案" in texts(at)
    summary = at.code[0].value
    assert "向职能部门对接提案2件，移交率66.7%；其中1件提案得到回复，已解决0件，1件正在回复中。" in summary
    by_dept = at.dataframe[0].value
    assert set(by_dept["部门"]) == {"教务处", "后勤保障处"}


def test_department_and_student_cannot_open_dashboard(app_as, cases):
    for who in ("dept", "alice"):
        at = app_as(who)
        with pytest.raises(ValueError):
            at.switch_page("app_pages/followup_dashboard.py")
        with pytest.raises(ValueError):
            at.switch_page("app_pages/forwarding.py")


@pytest.mark.parametrize("who", [None, "alice", "dept"])
def test_public_page_shows_no_personal_data(app_as, cases, who):
    at = app_as(who, "app_pages/public_followup.py")
    table = at.dataframe[0].value
    assert set(table["提案标题"]) == {"关于增加自习室座位的建议", "关于食堂延时供应的建议"}
    at.selectbox(key="public_case").set_value(cases["c2"])
    at.run()
    shown = texts(at) + table.to_string()
    for own in at.sidebar.text:  # the logged-in user's own name in the sidebar is not the page's content
        shown = shown.replace(own.value, "")
    assert REPLY in shown
    for secret in ("艾丽", "鲍勃", "卡罗", "2023001", "2023002", "管理学院", "医学部", "希望说明具体时间表"):
        assert secret not in shown


def test_public_page_filters_by_department(app_as, cases):
    at = app_as(None, "app_pages/public_followup.py")
    at.selectbox[1].set_value("hqc")
    at.run()
    assert list(at.dataframe[0].value["提案标题"]) == ["关于食堂延时供应的建议"]


def test_rating_widget(app_as, cases, people):
    """The widget lives in app_pages/_followup_widgets.py; run it in a tiny script as the student would see it."""
    from streamlit.testing.v1 import AppTest

    def script(pid):
        import streamlit as st

        from contest import accounts, db as database
        from app_pages._followup_widgets import rating_form

        db = database.connect()
        st.session_state["db"] = db
        user = accounts.get_user(db, st.session_state["user_id"])
        if flash := st.session_state.pop("flash", None):
            st.success(flash)
        rating_form(db, user, pid)

    at = AppTest.from_function(script, args=(cases["p2"],), default_timeout=30)
    at.session_state["user_id"] = people["bob"].id
    at.run()
    assert not at.exception
    assert "不满意" in texts(at) and not at.radio  # already rated: no second rating
    at.text_area[0].input("请给出具体的延时时间表")
    at.button[0].click()
    at.run()
    assert "已申请再次答复" in shown_after_flash(at, "已申请再次答复")
    assert cases["db"]["case_members"].get(cases["p2"])["further_reason"] == "请给出具体的延时时间表"


def test_dashboard_follows_new_replies_despite_its_cache(app_as, cases, people):
    at = app_as("organizer", "app_pages/followup_dashboard.py")
    assert {m.label: m.value for m in at.metric}["回复率"] == "50%"
    replies.reply(cases["db"], people["dept"], cases["c1"], "resolved", REPLY)
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["回复率"], metrics["解决率"], metrics["逾期未答复"]) == ("100%", "50%", "0")
    assert "其中2件提案得到回复，已解决1件，0件正在回复中。" in at.code[0].value


def test_student_rates_the_reply_on_my_proposals(app_as, cases):
    at = app_as("bob", "app_pages/my_proposals.py")
    at.selectbox(key="mp_choice").set_value(cases["p2"])
    at.run()
    assert "对部门的答复" not in texts(at) or not at.radio  # already rated by bob in the fixture
    assert "第 1 次评价：不满意" in texts(at)
    at = app_as("alice", "app_pages/my_proposals.py")
    at.selectbox(key="mp_choice").set_value(cases["p1"])
    at.run()
    assert "部门答复后才能评价" in texts(at)  # forwarded, not yet answered


def test_organizer_case_detail_shows_the_reply_plan(app_as, cases):
    at = app_as("organizer", "app_pages/forwarding.py")
    at.selectbox(key="case_detail").set_value(cases["c2"]).run()
    assert not at.exception
    assert "办理计划：下学期起延长至21点" in texts(at)
