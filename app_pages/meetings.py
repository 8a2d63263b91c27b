"""提案对接会: plan a feedback meeting (职能部门面对面), record each proposal's outcome, attach the minutes."""
import datetime as dt

import pandas as pd
import streamlit as st

from contest import attachments, clock, meetings, policy, settings
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
departments = settings.department_names(db)

st.title("提案对接会")
st.caption("分批次组织“职能部门面对面”：邀请职能部门和提案学生，逐件对接议程中的提案，记录部门承诺和完成时间。"
           "对接结果会出现在提案进度、部门的待办页和提案办理公开页（不显示个人信息）。")
if ui.attempt(lambda: policy.require(user, "manage_meetings") or True) is None:
    st.stop()

frame = meetings.meetings(db, user)
tab_list, tab_plan, tab_record = st.tabs(["对接会列表", "筹备对接会", "记录结果与纪要"])

with tab_list:
    if frame.empty:
        st.info("还没有对接会。在“筹备对接会”中新建。")
    else:
        st.dataframe(pd.DataFrame({
            "编号": frame["id"], "日期": frame["held_on"], "会议": frame["title"], "主题": frame["theme"],
            "地点": frame["place"], "状态": frame["status_name"], "参会部门": frame["departments"],
            "议程提案": frame["proposals"], "已记录结果": frame["outcomes"], "邀请学生": frame["students"],
        }), hide_index=True, width="stretch", key="meetings_table")

with tab_plan:
    candidates = meetings.candidates(db, user)
    titles = dict(zip(candidates["id"], candidates["title"]))
    with st.form("plan_meeting"):
        title = st.text_input("会议名称", max_chars=60, key="mt_title", placeholder="例如：首场提案工作反馈会")
        left, middle, right = st.columns(3)
        theme = left.selectbox("主题", meetings.THEMES, index=None, accept_new_options=True, key="mt_theme",
                               placeholder="选择或输入主题")
        held_on = middle.date_input("会议日期", value=clock.now().date(), key="mt_date", format="YYYY-MM-DD")
        place = right.text_input("会议地点", max_chars=60, key="mt_place")
        invited = st.multiselect("邀请的职能部门", list(departments), format_func=departments.get, key="mt_depts",
                                 placeholder="请选择（可多选）")
        agenda = st.multiselect("议程中的提案", list(titles), format_func=lambda i: f"#{i} {titles[i]}",
                                key="mt_agenda", placeholder="选择已立案的提案")
        st.caption("议程中提案的作者（提交人和合作者）会收到参会邀请。")
        if st.form_submit_button("创建对接会", type="primary"):
            made = ui.attempt(lambda: meetings.plan(db, user, title=title, theme=theme or "", held_on=held_on,
                                                    place=place, departments=invited, proposal_ids=agenda))
            if made:
                st.session_state["mt_choice"] = made
                ui.flash(f"对接会 #{made} 已创建。")

with tab_record:
    active = frame[frame["status"] != "cancelled"]
    if active.empty:
        st.info("还没有可记录的对接会。")
        st.stop()
    labels = {int(r["id"]): f"#{r['id']} {r['held_on']} {r['title']}（{r['status_name']}）"
              for r in active.to_dict("records")}
    ui.forget_stale("mt_choice", labels)
    meeting_id = st.selectbox("对接会", list(labels), format_func=lambda i: labels[i], key="mt_choice")
    meeting = ui.attempt(lambda: meetings.get(db, user, meeting_id))
    if meeting is None:
        st.stop()
    st.caption(f"主题：{ui.escape_md(meeting['theme'] or '—')}；日期：{meeting['held_on']}；"
               f"地点：{ui.escape_md(meeting['place'] or '—')}；参会部门：{ui.escape_md('、'.join(meeting['department_names']))}")
    st.dataframe(pd.DataFrame({
        "提案编号": [i["proposal_id"] for i in meeting["items"]], "标题": [i["title"] for i in meeting["items"]],
        "承诺部门": [i["department_name"] for i in meeting["items"]],
        "部门承诺": [i["commitment"] for i in meeting["items"]],
        "承诺完成日期": [i["due_date"] for i in meeting["items"]],
    }), hide_index=True, width="stretch", key="agenda_table")
    with st.expander(f"邀请的学生（{len(meeting['students'])} 人）"):
        st.dataframe(pd.DataFrame(meeting["students"], columns=["name", "student_no", "college"]).rename(
            columns={"name": "姓名", "student_no": "学号", "college": "学院"}), hide_index=True)

    st.subheader("记录对接结果")
    items = {i["proposal_id"]: i for i in meeting["items"]}
    with st.form("outcome_form", clear_on_submit=False):
        pid = st.selectbox("提案", list(items), format_func=lambda i: f"#{i} {items[i]['title']}", key="mt_item")
        dept = st.selectbox("作出承诺的部门", meeting["departments"], format_func=departments.get, key="mt_item_dept")
        commitment = st.text_area("部门承诺（将公开在提案办理公开页）", max_chars=1000, key="mt_commitment")
        due = st.date_input("承诺完成日期（可选）", value=None, key="mt_due", format="YYYY-MM-DD")
        if st.form_submit_button("保存对接结果", type="primary"):
            if ui.attempt(lambda: meetings.record_outcome(db, user, meeting_id, pid, department=dept,
                                                          commitment=commitment, due_date=due) or True):
                for key in ("mt_commitment", "mt_due"):
                    st.session_state.pop(key, None)
                ui.flash("对接结果已保存，会议记为已召开。")

    st.subheader("会议纪要")
    if meeting["minutes"]:
        st.text(meeting["minutes"])
    if meeting["minutes_file_name"]:
        name, data = meetings.minutes_file(db, user, meeting_id)
        st.download_button("下载纪要附件", data, file_name=name, key="minutes_dl", icon=":material/download:")
    with st.form("minutes_form"):
        text = st.text_area("纪要（仅组织者和参会部门可见）", value=meeting["minutes"] or "", height=160,
                            max_chars=20000, key=f"mt_minutes_{meeting_id}")
        upload = st.file_uploader(f"纪要附件（可选：{attachments.ACCEPTED}）", type=attachments.UPLOAD_TYPES,
                                  key="mt_minutes_file")
        if st.form_submit_button("保存纪要"):
            file = (upload.name, upload.getvalue()) if upload else None
            if ui.attempt(lambda: meetings.save_minutes(db, user, meeting_id, text, file=file) or True):
                ui.flash("纪要已保存。")
    if meeting["status"] == "planned" and st.button("取消本次对接会", key="mt_cancel"):
        if ui.attempt(lambda: meetings.cancel(db, user, meeting_id) or True):
            ui.flash("对接会已取消。")
