"""Judge: my queue of assigned proposals, progress, filters; open a score sheet; declare a conflict."""
import streamlit as st

from contest import conflicts, score_sheets, settings, validation
from contest.vocabulary import SheetStatus, labels
from app_pages import _judging_ui as jui
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("评审任务")
st.caption("分配给您的提案以匿名方式呈现（不显示作者姓名、学号和学院）。"
           f"评审截止：{contest.phases.get('judging_closes')}，截止前可随时修改已提交的评分。")

progress = score_sheets.queue_progress(db, user)
if not progress["assigned"]:
    st.info("组织者尚未向您发布评审任务。发布后会显示在这里。")
    st.stop()

done = progress["submitted"] / progress["assigned"]
st.progress(done, text=f"已提交 {progress['submitted']} / {progress['assigned']} 件（{done:.0%}）")
c1, c2, c3, c4 = st.columns(4)
c1.metric("分配给我", progress["assigned"])
c2.metric("未开始", progress["todo"])
c3.metric("草稿", progress["draft"])
c4.metric("已提交", progress["submitted"])

f1, f2, f3 = st.columns([1, 1, 2])
status = f1.selectbox("状态", ["", *labels(SheetStatus)], key="queue_status",
                      format_func=lambda s: labels(SheetStatus).get(s, "全部"))
topic = f2.selectbox("议题", ["", *contest.topic_codes], key="queue_topic",
                     format_func=lambda t: contest.topic_name(t) if t else "全部")
text = f3.text_input("搜索标题或编号", key="queue_text", max_chars=validation.SEARCH_MAX)
queue = ui.attempt(lambda: score_sheets.judge_queue(db, user, status=status or None, topic=topic or None, text=text))
if queue is None:
    st.stop()

st.dataframe(
    queue[["proposal_id", "title", "topic_name", "status_name", "total", "updated_at"]],
    hide_index=True, width="stretch",
    column_config={"proposal_id": st.column_config.NumberColumn("编号", format="%d"), "title": "标题",
                   "topic_name": "议题", "status_name": "状态",
                   "total": st.column_config.NumberColumn("我的总分（0–100）", format="%.1f"),
                   "updated_at": "最后保存"})
if queue.empty:
    st.info("没有符合筛选条件的提案。")
else:
    picks = {row.proposal_id: jui.pick_label(row.proposal_id, row.title, row.status_name)
             for row in queue.itertuples()}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    # the first proposal not yet submitted is offered first
    pending = [p for p, s in zip(queue["proposal_id"], queue["status"]) if s != "submitted"]
    ids = list(picks)
    pick = left.selectbox("选择提案", ids, index=ids.index(pending[0]) if pending else 0,
                          format_func=picks.get, key="queue_pick")
    if right.button("打开评分表", type="primary", icon=":material/grading:"):
        st.session_state["score_proposal"] = int(pick)
        st.switch_page("app_pages/score_sheet.py")

with st.expander("声明利益冲突"):
    st.caption("如果您与某件提案的作者存在利益关系（如亲属、导师、同一团队），请在评分前声明。"
               "声明后该提案会从您的任务中移除，组织者会另行安排评委。已提交的评审不能再声明冲突，请联系组织者。")
    all_queue = score_sheets.judge_queue(db, user)
    open_items = all_queue[all_queue["status"] != "submitted"]
    if open_items.empty:
        st.text("没有可以声明冲突的提案。")
    else:
        with st.form("own_conflict"):
            choice = st.selectbox("提案", list(open_items["proposal_id"]),
                                  format_func=dict(zip(open_items["proposal_id"],
                                                       [jui.pick_label(p, t) for p, t in
                                                        zip(open_items["proposal_id"], open_items["title"])])).get)
            reason = st.text_area("冲突说明（仅组织者可见）", max_chars=200)
            if st.form_submit_button("声明冲突并退出该提案的评审"):
                if ui.attempt(lambda: conflicts.declare_conflict(db, user, int(choice), reason=reason) or True):
                    ui.flash(f"已声明利益冲突，提案 {choice} 已从您的任务中移除。")
