"""立案审查 (organizer): mark submitted proposals 立案 or 不予立案, reclassify topics, in bulk."""
import pandas as pd
import streamlit as st

from contest import proposals, settings
from app_pages import _proposal_view as view
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("立案审查")

counts = proposals.counts(db, user)
m1, m2, m3, m4 = st.columns(4)
m1.metric("收到提案", f"{counts['received']} 件")
m2.metric("确立有效提案", f"{counts['valid']} 件")
m3.metric("不予立案", f"{counts['invalid']} 件")
m4.metric("待审查", f"{counts['pending']} 件")
st.caption(f"本届共收到提案 {counts['received']} 件，经立案审查，确立有效提案 {counts['valid']} 件，"
           f"不予立案 {counts['invalid']} 件，尚有 {counts['pending']} 件待审查。只有立案的提案进入评审。")

include_done = st.toggle("也显示已审查的提案（可更改审查结论）", key="sc_all")
queue = proposals.search(db, user, status=["submitted", "valid", "invalid"] if include_done else "submitted")
if queue.empty:
    st.success("没有待审查的提案。")
    st.stop()

titles = dict(zip(queue["id"], queue["title"]))
table = pd.DataFrame({
    "编号": queue["id"], "标题": queue["title"],
    "议题": queue["topic"].map(lambda c: contest.topic_name(c) if c else "未分类"),
    "状态": queue["status"].map(view.status_label), "提案人": queue["author"], "学院": queue["college"],
    "提交时间": queue["submitted_at"].fillna("").str[:16], "不予立案理由": queue["invalid_reason"].fillna(""),
})
st.dataframe(table, hide_index=True, column_config={"标题": st.column_config.TextColumn(width="large")})

decisions = {"valid": "立案", "invalid": "不予立案", "topic": "只修改议题"}
with st.form("sc_bulk"):
    st.markdown("**批量审查**")
    selected = st.multiselect("选择提案", list(titles), key="sc_selected",
                              format_func=lambda i: f"#{i} {titles[i]}", placeholder="请选择（可多选）")
    decision = st.radio("审查结论", list(decisions), format_func=decisions.get, horizontal=True, key="sc_decision")
    reason = st.text_area("不予立案的理由（学生会看到；选择“不予立案”时必填）", key="sc_reason", max_chars=300)
    topic = st.selectbox("同时改为议题（可选）", [""] + contest.topic_codes, key="sc_topic",
                         format_func=lambda c: contest.topic_name(c) if c else "（不改）")
    apply = st.form_submit_button("执行", type="primary")

if apply:
    def act():
        if decision == "topic" and not topic:
            raise proposals.ValidationError("请选择要改成的议题。")
        if not selected:
            raise proposals.ValidationError("请至少选择一件提案。")
        if decision == "topic":
            proposals.set_topic(db, user, selected, topic)
        else:  # the topic change and the decision in one transaction: a refused one changes nothing
            proposals.screen(db, user, selected, decision == "valid", reason, topic=topic or None)
        return True

    if ui.attempt(act):
        done = {"valid": "已立案", "invalid": "已标记为不予立案", "topic": "已修改议题"}[decision]
        st.session_state.pop("sc_selected", None)
        ui.flash(f"{len(selected)} 件提案{done}。")

st.subheader("逐件阅读")
pid = ui.search_select("要阅读和审查的提案", {int(i): f"#{i} {t}" for i, t in titles.items()}, key="sc_detail")
if pid is None:
    st.stop()
proposal = proposals.get(db, user, pid)
view.show_fields(db, proposal)
view.show_attachments(db, user, pid, key="sc")

with st.form("sc_one"):
    st.markdown(f"**审查提案 #{pid}**（当前：{view.status_label(proposal['status'])}）")
    one_reason = st.text_area("不予立案的理由（学生会看到）", key=f"sc_one_reason_{pid}", max_chars=300)
    one_topic = st.selectbox("改为议题", [""] + contest.topic_codes, key=f"sc_one_topic_{pid}",
                             format_func=lambda c: contest.topic_name(c) if c else "（不改）")
    b1, b2, _ = st.columns([1, 1, 3])
    accept = b1.form_submit_button("立案", type="primary", icon=":material/check:")
    reject = b2.form_submit_button("不予立案", icon=":material/close:")

if accept or reject:
    def act_one():
        proposals.screen(db, user, [pid], bool(accept), one_reason, topic=one_topic or None)
        return True

    if ui.attempt(act_one):
        ui.flash(f"提案 #{pid} {'已立案' if accept else '已标记为不予立案'}。")
