"""待办提案: a department's queue of forwarded cases, reply form, progress updates, bulk import."""
import datetime as dt

import pandas as pd
import streamlit as st

from contest import archive, attachments, exports, forwarding, meetings, replies, settings
from contest.errors import ContestError
from contest.vocabulary import AnswerState, EntryKind, labels
from app_pages import _ui as ui
from app_pages._archive_widgets import earlier_answers
from app_pages._followup_widgets import show_reply_details

db, user = ui.db(), ui.user()
contest = settings.get(db)
departments = settings.department_names(db)

st.title("待办提案")
st.caption(f"{ui.escape_md(departments.get(user.department, user.department))} · 这里只列出转办给本部门（主办或协办）的提案。"
           "请在答复期限内答复，之后可随时更新办理进展。")

frame = ui.attempt(lambda: forwarding.cases(db, user))
if frame is None:
    st.stop()

pending = frame[frame["status"] == "pending"]
cols = st.columns(4)
cols[0].metric("待答复", len(pending))
cols[1].metric("已逾期", int(frame["overdue"].sum()), help="尚未答复且已过答复期限")
cols[2].metric("已答复（办理中）", int((frame["status"] == "replied").sum()))
cols[3].metric("已解决", int((frame["status"] == "resolved").sum()))

outcomes = meetings.department_outcomes(db, user)
if not outcomes.empty:
    with st.expander(f"提案对接会上的承诺（{len(outcomes)} 件）", expanded=True, icon=":material/groups:"):
        st.dataframe(pd.DataFrame({
            "会议日期": outcomes["held_on"], "对接会": outcomes["meeting"], "提案编号": outcomes["proposal_id"],
            "标题": outcomes["title"], "本部门承诺": outcomes["commitment"], "承诺完成日期": outcomes["due_date"],
        }), hide_index=True, width="stretch", key="meeting_outcomes")

# Keyed tabs: the chosen tab is kept across reruns (a click in 批量导入答复 used to jump back to the queue).
tab_queue, tab_import = st.tabs(["办理队列", "批量导入答复"], key="dq_tab", on_change="rerun")

with tab_queue:
    if frame.empty:
        st.info("目前没有转办给本部门的提案。")
        st.stop()
    today = dt.date.today()

    def due_text(row) -> str:
        if row["status"] in ("replied", "resolved"):
            return ""
        days = (dt.date.fromisoformat(row["due_at"][:10]) - today).days
        return f"逾期 {-days} 天" if row["overdue"] else f"剩 {days} 天"

    ordered = frame.assign(_rank=frame["status"].map({"pending": 0, "replied": 1, "declined": 2, "resolved": 3}))
    ordered = ordered.assign(_further=-ordered["further_open"]).sort_values(["_further", "_rank", "due_at"])
    # The key columns first (状态, 期限, 标题): on a phone only the first ones fit on the screen.
    st.dataframe(pd.DataFrame({
        "办理状态": ordered["status_name"], "期限提示": ordered.apply(due_text, axis=1), "标题": ordered["title"],
        "办理编号": ordered["id"], "再次答复申请": ordered["further_open"].map(lambda n: "待再次答复" if n else ""),
        "最新答复": ordered["state_name"], "角色": ordered["my_role"], "议题": ordered["topic"].map(contest.topic_name),
        "答复期限": ordered["due_at"].str[:10],
    }), hide_index=True, width="stretch", key="queue_table")

    ids = [int(i) for i in ordered["id"]]
    info = frame.set_index("id")
    ui.forget_stale("queue_case", ids)
    # the label stays the same while the case moves on (a changed label does not refresh in the open box)
    titles = dict(zip(frame["id"].tolist(), frame["title"].tolist()))
    case_id = ui.search_select("选择办理件", {i: f"#{i} {titles.get(i, '')}" for i in ids}, key="queue_case")
    if case_id is None:
        st.stop()
    if info.loc[case_id, "overdue"]:
        st.warning(f"本件已超过答复期限（{info.loc[case_id, 'due_at'][:10]}），请尽快答复。")
    case = ui.attempt(lambda: forwarding.get_case(db, user, int(case_id)))
    if case is None:
        st.stop()

    st.subheader("提案内容")
    for member in case["members"]:
        with st.expander(f"#{member['id']} {ui.escape_md(member['title'])}", expanded=len(case["members"]) == 1):
            st.caption(f"议题：{ui.escape_md(contest.topic_name(member['topic']))}")
            if "proposers" in member:
                st.caption("提案人")
                st.text("\n".join("　".join(v for v in (p["name"], p["college"], p.get("email", ""), p.get("phone", ""))
                                            if v) for p in member["proposers"]) or "（组织者设置为不显示提案人）")
            for key, label in (("problem", "问题描述"), ("investigation", "调研情况"), ("suggestions", "建议措施")):
                st.caption(label)
                st.text(member[key] or "")
            for f in ui.attempt(lambda: attachments.list_for(db, user, member["id"])) or []:
                name, mime, data = attachments.read(db, user, f["id"])
                # button labels are markdown: the student's file name is escaped
                st.download_button(f"提案附件：{ui.escape_md(name)}", data, file_name=name, mime=mime,
                                   key=f"pfile_{f['id']}")
            if member["further_requested_at"]:
                st.warning(f"提案人于 {member['further_requested_at'][:16]} 申请再次答复，理由：")
                st.text(member["further_reason"] or "")
    lead_member = next((m for m in case["members"] if m["id"] == case["proposal_id"]), case["members"][0])
    earlier_answers(db, user, archive.proposal_text(lead_member),
                    intro="往年同一问题的提案及当年的答复，答复时可参考并说明今年的新进展。")
    co = [departments.get(c, c) for c, role in case["departments"].items() if role == "co"]
    st.caption(f"主办：{ui.escape_md(departments.get(case['department'], case['department']))}"
               + (f"；协办：{ui.escape_md('、'.join(co))}" if co else "")
               + f"；转办时间：{case['assigned_at'][:16]}；答复期限：{case['due_at'][:10]}")
    if case["note"]:
        st.caption("组织者的转办说明：")
        st.text(case["note"])

    st.subheader("答复与进展")
    if not case["replies"]:
        st.info("尚未答复。")
    for r in case["replies"]:
        with st.container(border=True):
            st.caption(f"{r['at'][:16]} · {ui.escape_md(r['department_name'])} · {EntryKind(r['kind']).label} · "
                       f"{AnswerState(r['state']).label}" + ("" if r["published"] else " · 未公开"))
            st.text(r["text"])
            show_reply_details(r)
            if r["file_name"]:
                name, data = replies.attachment(db, user, r["id"])
                st.download_button(f"下载附件：{ui.escape_md(name)}", data, file_name=name, key=f"file_{r['id']}")
    if case["ratings"]:
        st.caption("提案人评价")
        for r in case["ratings"]:
            st.text(r["level_name"] + (f"：{r['comment']}" if r["comment"] else ""))

    further = bool(info.loc[case_id, "further_open"])
    if case["status"] == "declined":
        st.info("本件已退回组织者，等待重新转办。")
    elif case["status"] == "resolved" and not further:
        st.success("本件已办结（已解决）。如提案人不满意并申请再次答复，这里会重新出现答复表单。")
    else:
        first = not case["replies"]
        st.subheader("答复" if first else ("再次答复" if further else "更新办理进展"))
        # Not clear_on_submit: a refused reply (too short, missing date…) keeps everything typed.
        # After a successful reply, or when another case is chosen, the fields start empty.
        if st.session_state.pop("reply_sent", False) or st.session_state.get("reply_case") != case_id:
            for key in ("reply_state", "reply_text", "reply_plan", "reply_date", "reply_reason", "reply_file",
                        "reply_public"):
                st.session_state.pop(key, None)
        st.session_state["reply_case"] = case_id
        with st.form("reply_form"):
            state = st.radio("办理状态", list(labels(AnswerState)), format_func=labels(AnswerState).get, horizontal=True,
                             key="reply_state")
            text = st.text_area("答复内容", height=180, max_chars=replies.REPLY_LEN[1], key="reply_text",
                                placeholder="写明核实情况、采取的措施和结果（至少 10 个字）。")
            left, right = st.columns(2)
            plan = left.text_area("办理计划（正在办理 / 列入计划时填写）", max_chars=1000, key="reply_plan")
            expected = right.date_input("预计完成日期（正在办理时必填）", value=None, key="reply_date", format="YYYY-MM-DD")
            reason = st.text_area("暂不具备条件的原因（选择“暂不具备条件”时必填）", max_chars=1000, key="reply_reason")
            upload = st.file_uploader(f"附件（可选：{attachments.ACCEPTED}，10 MB 以内）",
                                      type=attachments.UPLOAD_TYPES, key="reply_file")
            published = st.checkbox("在“提案办理公开”页面公开本条答复", value=True, key="reply_public")
            if st.form_submit_button("提交答复" if first else "提交", type="primary"):
                file = (upload.name, upload.getvalue()) if upload else None
                if ui.attempt(lambda: replies.reply(db, user, int(case_id), state, text, plan=plan,
                                                     expected_date=expected, reason=reason, file=file,
                                                     published=published)):
                    st.session_state["reply_sent"] = True
                    ui.flash("答复已提交。" if first else "已提交。")
    if case["departments"].get(user.department) == "co" and case["status"] not in ("resolved",):
        with st.expander("本部门无法协办？退出协办"):
            with st.form("co_decline_form"):
                why = st.text_area("退出协办的理由（主办部门和组织者可见）", max_chars=500, key="co_decline_reason")
                if st.form_submit_button("退出协办"):
                    if ui.attempt(lambda: forwarding.decline(db, user, int(case_id), why) or True):
                        st.session_state.pop("queue_case", None)
                        ui.flash("已退出协办，本件不再出现在本部门的队列中。")
    if case["status"] == "pending" and case["department"] == user.department:
        with st.expander("不属于本部门职责？退回组织者"):
            with st.form("decline_form"):
                why = st.text_area("退回理由（将转给组织者重新转办）", max_chars=500, key="decline_reason")
                if st.form_submit_button("退回"):
                    if ui.attempt(lambda: forwarding.decline(db, user, int(case_id), why) or True):
                        ui.flash("已退回组织者。")

with tab_import:
    st.caption("上传 Excel（.xlsx）或 CSV：必需列 办理编号、办理状态（已解决 / 正在办理 / 列入计划 / 暂不具备条件）、"
               "答复内容；可选列 办理计划、预计完成日期、原因。先整体校验，任何一行有错则全部不导入。")
    st.download_button("下载模板（Excel）", exports.to_excel({"答复": replies.reply_template()}),
                       file_name="答复导入模板.xlsx", key="template", on_click="ignore")
    with st.form("import_form", clear_on_submit=True):
        upload = st.file_uploader("答复表格", type=["xlsx", "csv"], key="import_file")
        submitted = st.form_submit_button("校验并导入", type="primary")
    if submitted:
        # The outcome is kept until the next import: it stays visible after other clicks on the page.
        if upload is None:
            st.session_state["dq_import_result"] = ("error", "请选择要导入的文件。", "")
        else:
            try:
                count = replies.import_replies(db, user, upload.getvalue(), upload.name)
            except ContestError as error:
                st.session_state["dq_import_result"] = ("error", f"导入未执行（{upload.name}），文件中有错误：",
                                                        str(error))
            else:
                st.session_state["dq_import_result"] = ("success", f"已从 {upload.name} 导入 {count} 条答复。", "")
    if outcome := st.session_state.get("dq_import_result"):
        kind, message, details = outcome
        (st.success if kind == "success" else st.error)(ui.escape_md(message))
        if details:
            st.code(details, language=None, wrap_lines=True)
