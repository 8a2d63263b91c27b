"""提案办理公开: forwarded proposals with department, state and published replies; headline figures. No personal data."""
import datetime as dt

import pandas as pd
import streamlit as st

from contest import audit, clock, followup_stats, public_followup, settings, validation
from contest.vocabulary import AnswerState, EntryKind
from app_pages import _ui as ui
from app_pages._followup_widgets import show_reply_details

db = ui.db()
contest = settings.get(db)
now = clock.now()
departments = settings.department_names(db)
pct = followup_stats.percent
D = followup_stats.DEFINITIONS

st.title("提案办理公开")
st.caption("学生提案转交职能部门后的办理情况与部门答复。本页不显示提案人姓名、学号、学院和评价意见。")

@st.cache_data(max_entries=4, show_spinner=False)
def public_figures(_db, version: int, minute: str) -> dict:
    """Counts only (nothing personal): recomputed after any write or when the minute turns."""
    return followup_stats.public_stats(_db, now=dt.datetime.fromisoformat(minute))


figures = public_figures(db, audit.last_id(db), now.replace(second=0, microsecond=0).isoformat())
h = figures["headline"]
cols = st.columns(5)
cols[0].metric("已转办提案", h["forwarded"], help=D["valid"] + " " + D["forwarded"], border=True)
cols[1].metric("移交率", pct(h["forward_rate"]), help=D["forwarded"], border=True)
cols[2].metric("回复率", pct(h["reply_rate"]), help=D["replied"], border=True)
cols[3].metric("解决率", pct(h["resolve_rate"]), help=D["resolved"], border=True)
cols[4].metric("满意率", pct(h["satisfaction"]), help=D["satisfaction"], border=True)
st.caption(followup_stats.summary_sentence(figures, now.date()))
with st.expander("指标口径"):
    st.markdown("\n".join(f"- {text}" for text in D.values()))

held = public_followup.public_meetings(db)
if not held.empty:
    st.subheader("提案对接会")
    st.caption("职能部门在提案对接会（职能部门面对面）上对提案作出的承诺。")
    st.dataframe(pd.DataFrame({
        "会议日期": held["held_on"], "对接会": held["meeting"], "主题": held["theme"], "提案标题": held["title"],
        "承诺部门": held["department_name"], "部门承诺": held["commitment"], "承诺完成日期": held["due_date"],
    }), hide_index=True, width="stretch", key="public_meetings")

st.subheader("办理情况")
left, middle, right = st.columns([1, 1, 2])
topic = left.selectbox("议题", [None] + contest.topic_codes, format_func=lambda c: "全部议题" if c is None else contest.topic_name(c))
dept = middle.selectbox("承办部门", [None] + list(departments), format_func=lambda c: "全部部门" if c is None else departments[c])
text = right.text_input("搜索标题", placeholder="例如：食堂、自习室、校车", max_chars=validation.SEARCH_MAX)


@st.cache_data(max_entries=16, show_spinner=False)
def cases(_db, version: int, topic, dept, text) -> pd.DataFrame:
    """Public rows only (no names): read again after any write."""
    return public_followup.public_cases(_db, topic=topic, department=dept, text=text)


# a search longer than validation.SEARCH_MAX (a paste past max_chars) is refused in Chinese, not a crash
frame = ui.attempt(lambda: cases(db, audit.last_id(db), topic, dept, text))
if frame is None:
    st.stop()
if frame.empty:
    st.info("没有符合条件的提案。")
    st.stop()
st.dataframe(pd.DataFrame({
    "编号": frame["id"], "提案标题": frame["title"], "议题": frame["topic"].map(contest.topic_name),
    "承办部门": frame["department_name"], "办理状态": frame["status_name"], "最新答复": frame["state_name"],
    "转办日期": frame["forwarded_on"], "答复日期": frame["replied_on"].fillna(""),
}), hide_index=True, width="stretch")

titles = dict(zip(frame["id"], frame["title"]))
ui.forget_stale("public_case", frame["id"])
case_id = ui.search_select("查看部门答复", {int(i): f"#{i} {t}" for i, t in titles.items()}, key="public_case")
entries = public_followup.public_replies(db, int(case_id))
if not entries:
    st.info("部门尚未公开答复。")
for r in entries:
    with st.container(border=True):
        st.caption(f"{r['on_date']} · {ui.escape_md(r['department_name'])} · {EntryKind(r['kind']).label} · "
                   f"{AnswerState(r['state']).label}")
        st.text(r["text"])
        show_reply_details(r)
