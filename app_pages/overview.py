"""Organizer home: where the contest stands, one row of figures per stage, links to act."""
import datetime as dt

import pandas as pd
import streamlit as st

from contest import audit, clock, followup_stats, proposals, review_progress, settings
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
now = clock.now().replace(second=0, microsecond=0)


@st.cache_data(max_entries=4, show_spinner=False)
def figures(_db, _user, user_id: int, version: int, minute: str) -> dict:
    """Recomputed after any write (the audit log grows) or when the minute turns (deadlines)."""
    moment = dt.datetime.fromisoformat(minute)
    return {"counts": proposals.counts(_db, _user), "by_topic": proposals.counts_by_topic(_db, _user),
            "judging": review_progress.progress(_db, _user, now=moment)["summary"],
            "followup": followup_stats.stats(_db, _user, now=moment)}


# Keyed on the user too: a cached result is only ever shown to the user whose checks computed it.
data = figures(db, user, user.id, audit.last_id(db), now.isoformat())

st.title(ui.escape_md(contest.contest_name))
st.caption(f"当前阶段：{contest.current_phase(now)}")
st.dataframe(pd.DataFrame([{"阶段": label, "时间": contest.phases.get(key, "")}
                           for key, label in settings.PHASES.items()]), hide_index=True)

st.subheader("征集与立案")
counts = data["counts"]
cols = st.columns(5)
cols[0].metric("收到提案", counts["received"])
cols[1].metric("确立有效提案", counts["valid"])
cols[2].metric("不予立案", counts["invalid"])
cols[3].metric("待审查", counts["pending"])
cols[4].metric("草稿（未提交）", counts["drafts"])
st.page_link("app_pages/screening.py", label="去立案审查", icon=":material/fact_check:")

st.subheader("评审")
summary = data["judging"]
assigned, submitted = summary["reviews_assigned"], summary["reviews_submitted"]
cols = st.columns(4)
cols[0].metric("已分配评审", assigned)
cols[1].metric("已提交评分", submitted, f"{submitted / assigned:.0%}" if assigned else None, delta_color="off")
cols[2].metric("评分分歧较大的提案", summary["disagree"])
cols[3].metric("需提醒的评委", summary["late_judges"])
if assigned:
    st.progress(submitted / assigned, text=f"评分完成 {submitted}/{assigned}")
st.page_link("app_pages/judging_progress.py", label="查看评审进度", icon=":material/monitoring:")

st.subheader("转办与答复")
followup = data["followup"]
head = followup["headline"]
cols = st.columns(5)
cols[0].metric("已转办", head["forwarded"], f"移交率 {followup_stats.percent(head['forward_rate'])}", delta_color="off")
cols[1].metric("已答复", head["replied"], f"回复率 {followup_stats.percent(head['reply_rate'])}", delta_color="off")
cols[2].metric("已解决", head["resolved"], f"解决率 {followup_stats.percent(head['resolve_rate'])}", delta_color="off")
cols[3].metric("逾期未答复", head["overdue"])
cols[4].metric("满意率", followup_stats.percent(head["satisfaction"]))
st.code(followup_stats.summary_sentence(followup, now), language=None, wrap_lines=True)
st.page_link("app_pages/followup_dashboard.py", label="查看办理追踪", icon=":material/insights:")

st.subheader("各议题提案数")
by_topic = pd.DataFrame([{"议题": contest.topic_name(code), "提案数": n}
                         for code, n in data["by_topic"].items()])
if len(by_topic):
    st.bar_chart(by_topic, x="议题", y="提案数", horizontal=True)
