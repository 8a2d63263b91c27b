"""办理追踪: headline rates with their definitions, by department and topic, reply times, summary, Excel export."""
import datetime as dt

import streamlit as st

from contest import clock, contests, followup_stats, reminders
from contest import policy
from app_pages import _ui as ui
from app_pages._archive_widgets import yearly_comparison
from app_pages._reminder_ui import remind_block

db, user = ui.db(), ui.user()
now = clock.now().replace(second=0)


@st.cache_data(max_entries=8, show_spinner=False)
def dashboard(_db, _user, version: int, minute: str) -> dict:
    """Recomputed when data changes (audit log grows) or the minute turns (overdue depends on the time)."""
    return followup_stats.stats(_db, _user, now=dt.datetime.fromisoformat(minute))


st.title("办理追踪")
if ui.attempt(lambda: policy.require(user, "forward_proposals") or True) is None:  # cached figures: check before the cache
    st.stop()
stats = ui.attempt(lambda: dashboard(db, user, followup_stats.data_version(db), now.isoformat()))
if stats is None:
    st.stop()
h = stats["headline"]
pct = followup_stats.percent
D = followup_stats.DEFINITIONS

st.caption(f"数据截至 {now:%Y-%m-%d %H:%M}，按提案件数统计（合并办理的每件提案分别计数）。")
row1 = st.columns(4)
row1[0].metric("有效提案", h["valid"], help=D["valid"], border=True)
row1[1].metric("移交率", pct(h["forward_rate"]), f"已转办 {h['forwarded']} 件", delta_color="off",
               delta_arrow="off", help=D["forwarded"], border=True)
row1[2].metric("回复率", pct(h["reply_rate"]), f"已答复 {h['replied']} 件", delta_color="off", delta_arrow="off",
               help=D["replied"], border=True)
row1[3].metric("解决率", pct(h["resolve_rate"]), f"已解决 {h['resolved']} 件", delta_color="off", delta_arrow="off",
               help=D["resolved"], border=True)
row2 = st.columns(4)
row2[0].metric("办理中", h["in_progress"], help=D["in_progress"], border=True)
row2[1].metric("正在回复中", h["awaiting"], help=D["awaiting"], border=True)
row2[2].metric("逾期未答复", h["overdue"], help=D["overdue"], border=True)
row2[3].metric("满意率", pct(h["satisfaction"]), f"已评价 {h['rated']} 件", delta_color="off", delta_arrow="off",
               help=D["satisfaction"], border=True)

with st.expander("指标口径", expanded=False, icon=":material/info:"):
    st.markdown("\n".join(f"- {text}" for text in D.values()))

st.subheader("汇总（可直接复制到报告）")
sentence = followup_stats.summary_sentence(stats, now.date())
st.code(sentence, language=None, wrap_lines=True)

st.subheader("按承办部门")
st.caption("按主办部门统计；协办部门不重复计数。")
by_dept = stats["by_department"]
if by_dept.empty:
    st.info("还没有转办的提案。")
else:
    st.dataframe(followup_stats.group_table(by_dept, "部门"), hide_index=True, width="stretch")
    chart = by_dept.set_index("name")[["resolved", "in_progress", "not_feasible", "awaiting"]].rename(
        columns={"resolved": "已解决", "in_progress": "办理中", "not_feasible": "暂不具备条件", "awaiting": "正在回复中"})
    chart.index.name = "部门"
    st.bar_chart(chart, horizontal=True, y_label="部门", x_label="提案数", stack=True)

st.subheader("按议题")
st.dataframe(followup_stats.group_table(stats["by_topic"], "议题", with_valid=True), hide_index=True, width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("答复用时分布")
    st.caption(D["reply_days"])
    distribution = followup_stats.reply_day_distribution(stats["reply_days"])
    st.bar_chart(distribution.set_index("答复用时"), x_label="答复用时", y_label="提案数")
    if len(stats["reply_days"]):
        days = stats["reply_days"]
        st.caption(f"中位数 {days.median():.1f} 天，平均 {days.mean():.1f} 天，最长 {days.max():.1f} 天。")
with right:
    st.subheader("累计转办与答复")
    if stats["cumulative"].empty:
        st.info("暂无数据。")
    else:
        st.line_chart(stats["cumulative"], x_label="日期", y_label="提案数（累计）")

yearly_comparison(db, user)

st.subheader("导出")
st.download_button(
    "导出 Excel（汇总、指标、按部门、按议题、明细、答复、评价）", icon=":material/download:", type="primary",
    data=lambda: followup_stats.export_excel(contests.reopen(db), user, now=now),
    file_name=f"提案办理追踪_{now:%Y%m%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="export_xlsx")

st.subheader("催办逾期未答复的部门")
overdue = reminders.overdue_departments(db, user)
if overdue.empty:
    st.success("目前没有逾期未答复的办理件。")
else:
    remind_block(overdue, {"name": "部门", "overdue": "逾期件数", "oldest_due": "最早期限", "last_reminder": "上次催办"},
                 lambda: reminders.remind_departments(db, user), key="remind_departments", noun="部门")
