"""提案转办: forward valid proposals to departments (one, merged group or bulk), re-forward, case list."""

import datetime as dt

import pandas as pd
import streamlit as st

from contest import archive, audit, clock, forwarding, proposals, replies, settings
from contest.vocabulary import AnswerState, CaseStatus, EntryKind, labels
from app_pages import _ui as ui
from app_pages._archive_widgets import earlier_answers
from app_pages._followup_widgets import show_reply_details

db, user = ui.db(), ui.user()
contest = settings.get(db)
departments = {d["code"]: d["name"] for d in settings.departments(db)}
dept_label = lambda code: departments.get(code, code or "（未选择）")  # noqa: E731
PAGE_ROWS = 200

st.title("提案转办")
st.caption("把已立案的提案转交职能部门办理（主办 + 可选协办），并设定答复期限。"
           "部门退回的提案可改派其他部门，所有转办记录和理由都会保留。")



@st.cache_data(max_entries=4, show_spinner=False)
def forwarding_data(_db, _user, user_id: int, version: int, minute: str) -> tuple:
    """Waiting proposals and cases, read again after any write (the audit log grows) or when the
    minute turns (overdue); keyed on the user, so shown only to the user whose checks computed it."""
    return forwarding.forwardable(_db, _user), forwarding.cases(_db, _user, now=dt.datetime.fromisoformat(minute))


data = ui.attempt(lambda: forwarding_data(db, user, user.id, audit.last_id(db),
                                          clock.now().replace(second=0, microsecond=0).isoformat()))
waiting, case_frame = data if data else (None, None)
if waiting is None or case_frame is None:
    st.stop()
declined = case_frame[case_frame["status"] == "declined"]

tab_bulk, tab_one, tab_cases, tab_re = st.tabs([
    f"待转办（{len(waiting)}）", "单件 / 合并转办", f"办理件（{len(case_frame)}）", f"重新转办（{len(declined)} 件被退回）"])

with tab_bulk:
    if waiting.empty:
        st.info("没有待转办的立案提案。")
    else:
        st.caption("勾选要转办的提案；承办部门已按提案人建议预填，可逐行修改。每件提案单独成为一个办理件。")
        pages = max(1, -(-len(waiting) // PAGE_ROWS))
        if pages > 1:  # a table of tens of thousands of editable rows is slow to send and to use
            page = st.number_input(f"页码（每页 {PAGE_ROWS} 件，共 {pages} 页）", 1, pages, 1, key="bulk_page")
            waiting_page = waiting.iloc[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
        else:
            waiting_page = waiting
        table = pd.DataFrame({
            "选择": False,
            "编号": waiting_page["id"],
            "标题": waiting_page["title"],
            "议题": waiting_page["topic"].map(contest.topic_name),
            "承办部门": waiting_page["department"].map(lambda c: departments.get(c)),
            "合并成员": waiting_page["merged"],
        })
        with st.form("bulk_forward"):
            edited = st.data_editor(
                table, hide_index=True, key="forward_editor", disabled=["编号", "标题", "议题", "合并成员"],
                column_config={
                    "选择": st.column_config.CheckboxColumn("选择", width="small"),
                    "承办部门": st.column_config.SelectboxColumn("承办部门（主办）", options=list(departments.values())),
                    "合并成员": st.column_config.NumberColumn("合并成员", help="合并到这件提案的同题提案数，随之一起转办"),
                })
            left, right = st.columns([1, 3])
            due_days = left.number_input("答复期限（天）", 1, 365, forwarding.DEFAULT_DUE_DAYS, key="bulk_due")
            note = right.text_input("转办说明（可选，部门可见）", max_chars=500, key="bulk_note")
            if st.form_submit_button("转办所选提案", type="primary"):
                by_name = {v: k for k, v in departments.items()}
                chosen = edited[edited["选择"]]
                items = [(int(r["编号"]), by_name.get(r["承办部门"])) for _, r in chosen.iterrows()]
                done = ui.attempt(lambda: forwarding.forward_many(db, user, items, due_days=due_days, note=note))
                if done:
                    ui.flash(f"已转办 {len(done)} 件提案。")

with tab_one:
    if waiting.empty:
        st.info("没有待转办的立案提案。")
    else:
        options = [int(i) for i in waiting["id"]]
        waiting_titles = {int(i): t for i, t in zip(waiting["id"], waiting["title"])}
        ui.forget_stale("one_pid", options)
        pid = ui.search_select("提案（作为主提案）", {i: f"#{i} {waiting_titles.get(i, '')}" for i in options},
                               key="one_pid")
        if pid is not None:
            row = waiting.set_index("id").loc[pid]
            chosen_proposal = ui.attempt(lambda: proposals.get(db, user, int(pid)))
            if chosen_proposal:
                earlier_answers(db, user, archive.proposal_text(chosen_proposal),
                                intro="往年同一问题由哪个部门办理、如何答复，可据此选择承办部门，并在转办说明中提示。")
            suggested = row["department"] if row["department"] in departments else None
            codes = list(departments)
            with st.form("one_forward"):
                lead = st.selectbox("主办部门", codes, index=codes.index(suggested) if suggested else 0,
                                    format_func=dept_label, help="按提案人建议的承办部门预填",
                                    key="one_lead")
                co = st.multiselect("协办部门（可选）", codes, format_func=dept_label, placeholder="请选择（可多选）")
                candidates = [i for i in options if i != pid]
                if len(candidates) > ui.SEARCH_LIMIT:  # many waiting: those of the same topic, nearest numbers first
                    topic_of = dict(zip(waiting["id"].tolist(), waiting["topic"].tolist()))
                    same = sorted((i for i in candidates if topic_of.get(i) == row["topic"]), key=lambda i: abs(i - pid))
                    candidates = sorted(same[:ui.SEARCH_LIMIT])
                members = st.multiselect(
                    "合并办理的同题提案（可选）", candidates, format_func=lambda i: f"#{i} {waiting_titles.get(i, '')}",
                    help="同一问题的多件提案合并为一个办理件，由同一部门统一答复；每件提案都计入统计。", placeholder="请选择（可多选）")
                due_days = st.number_input("答复期限（天）", 1, 365, forwarding.DEFAULT_DUE_DAYS)
                note = st.text_area("转办说明（可选，部门可见）", max_chars=500)
                if st.form_submit_button("转办", type="primary"):
                    merged = None if not members and int(row["merged"]) else members
                    case_id = ui.attempt(lambda: forwarding.forward(db, user, int(pid), lead, co_departments=co,
                                                                  due_days=due_days, note=note, member_ids=merged))
                    if case_id:
                        ui.flash(f"已转办，办理编号 {case_id}。")

with tab_cases:
    if case_frame.empty:
        st.info("还没有转办的提案。")
    else:
        status = st.segmented_control("状态", list(labels(CaseStatus).values()), selection_mode="multi",
                                      key="case_status_filter")
        shown = case_frame[case_frame["status_name"].isin(status)] if status else case_frame
        st.dataframe(pd.DataFrame({
            "办理编号": shown["id"], "提案": shown["proposal_id"], "标题": shown["title"],
            "主办部门": shown["department_name"],
            "协办": shown["co_departments"].fillna("").map(lambda s: "、".join(dept_label(c) for c in s.split())),
            "件数": shown["proposals"], "办理状态": shown["status_name"], "最新答复": shown["state_name"],
            "答复期限": shown["due_at"].str[:10], "逾期": shown["overdue"].map({True: "逾期", False: ""}),
            "转办时间": shown["forwarded_at"].str[:16], "最近答复": shown["last_reply_at"].fillna("").str[:16],
        }), hide_index=True, width="stretch")
        ids = [int(i) for i in case_frame["id"]]
        case_titles = {int(i): t for i, t in zip(case_frame["id"], case_frame["title"])}
        ui.forget_stale("case_detail", ids)
        case_id = ui.search_select("查看办理件", {i: f"#{i} {case_titles.get(i, '')}" for i in ids}, key="case_detail")
        case = ui.attempt(lambda: forwarding.get_case(db, user, int(case_id))) if case_id is not None else None
        if case:
            st.subheader("转办记录")
            st.dataframe(pd.DataFrame([{
                "时间": h["at"][:16], "类型": {"forward": "转办", "decline": "部门退回", "reforward": "重新转办", "co_decline": "协办部门退出"}.get(h["kind"], h["kind"]),
                "部门": h["department_name"], "协办": "、".join(dept_label(c) for c in (h["co_departments"] or "").split()),
                "说明/理由": h["reason"] or ""} for h in case["history"]]), hide_index=True, width="stretch")
            st.subheader("答复与进展")
            if not case["replies"]:
                st.info("部门尚未答复。")
            for r in case["replies"]:
                with st.container(border=True):
                    st.caption(f"{r['at'][:16]} · {ui.escape_md(r['department_name'])} · "
                               f"{EntryKind(r['kind']).label} · {AnswerState(r['state']).label} · "
                               + ("已公开" if r["published"] else "未公开"))
                    st.text(r["text"])
                    show_reply_details(r)
                    label = "设为不公开" if r["published"] else "设为公开"
                    if st.button(label, key=f"pub_{r['id']}"):
                        if ui.attempt(lambda: replies.set_published(db, user, r["id"], not r["published"]) or True):
                            ui.flash("已更新公开状态。")
            if case["ratings"]:
                st.subheader("提案人评价")
                st.dataframe(pd.DataFrame([{"提案": r["proposal_id"], "轮次": r["round"], "评价": r["level_name"],
                                            "意见": r["comment"], "时间": r["at"][:16]} for r in case["ratings"]]),
                             hide_index=True, width="stretch")

with tab_re:
    open_cases = case_frame[case_frame["status"] != "resolved"]
    if open_cases.empty:
        st.info("没有可以重新转办的办理件。")
    else:
        st.caption("部门退回或需要改派时，选择新的主办部门并写明理由；答复期限从重新转办之日起计算。")
        order = list(declined["id"]) + [i for i in open_cases["id"] if i not in set(declined["id"])]
        info = case_frame.set_index("id")
        ui.forget_stale("re_case", order)
        titles_by_id = dict(zip(case_frame["id"].tolist(), case_frame["title"].tolist()))
        case_id = ui.search_select("办理件", {int(i): f"#{i} {titles_by_id.get(i, '')}" for i in order}, key="re_case")
        detail = ui.attempt(lambda: forwarding.get_case(db, user, int(case_id))) if case_id is not None else None
        if detail:
            st.caption(f"当前主办：{ui.escape_md(info.loc[case_id, 'department_name'])}；"
                       f"状态：{info.loc[case_id, 'status_name']}")
            last_decline = next((h for h in reversed(detail["history"]) if h["kind"] == "decline"), None)
            if last_decline and detail["status"] == "declined":
                st.warning(f"{ui.escape_md(last_decline['department_name'])}退回理由：")
                st.text(last_decline["reason"])
        codes = list(departments)
        with st.form("reforward"):
            lead = st.selectbox("新的主办部门", codes, format_func=dept_label)
            co = st.multiselect("协办部门（可选）", codes, format_func=dept_label, key="re_co", placeholder="请选择（可多选）")
            due_days = st.number_input("答复期限（天）", 1, 365, forwarding.DEFAULT_DUE_DAYS, key="re_due")
            reason = st.text_area("重新转办的理由", max_chars=500)
            if st.form_submit_button("重新转办", type="primary") and case_id is not None:
                if ui.attempt(lambda: forwarding.reforward(db, user, int(case_id), lead, reason=reason, co_departments=co,
                                                         due_days=due_days) or True):
                    ui.flash("已重新转办。")
