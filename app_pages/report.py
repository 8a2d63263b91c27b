"""提案工作报告: the summary sentence and figures for a cut (topic, department, dates), Excel / Word, 提案汇编."""
import streamlit as st

from contest import clock, contests, followup_stats, policy, report, settings
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
departments = settings.department_names(db)
today = clock.now().date()

st.title("提案工作报告")
if ui.attempt(lambda: policy.require(user, "forward_proposals") or True) is None:
    st.stop()
st.caption("按议题、部门和时间段统计有效提案、涉及部门、对接会、转办、答复、解决和满意率；"
           "“截至”日期之后的转办、答复和评价不计入。")

cols = st.columns(4)
topic = cols[0].selectbox("议题", [None] + contest.topic_codes, key="rp_topic",
                          format_func=lambda c: "全部议题" if c is None else contest.topic_name(c))
dept = cols[1].selectbox("部门", [None] + list(departments), key="rp_dept",
                         format_func=lambda c: "全部部门" if c is None else departments[c])
start = cols[2].date_input("立案起始日期（可选）", value=None, key="rp_start", format="YYYY-MM-DD")
end = cols[3].date_input("截至", value=today, key="rp_end", format="YYYY-MM-DD")
cut = {"topic": topic, "department": dept, "start": start, "end": end}

fig = ui.attempt(lambda: report.figures(db, user, **cut))
if fig is None:
    st.stop()
h = fig["headline"]
pct = followup_stats.percent
row = st.columns(5)
row[0].metric("有效提案", h["valid"], border=True)
row[1].metric("涉及单位和部门", h["departments"], help=report.DEFINITIONS["departments"], border=True)
row[2].metric("提案对接会", f"{h['meetings']} 场", help=report.DEFINITIONS["meetings"], border=True)
row[3].metric("移交率", pct(h["forward_rate"]), border=True)
row[4].metric("满意率", pct(h["satisfaction"]), border=True)
row = st.columns(4)
row[0].metric("已转办", h["forwarded"], border=True)
row[1].metric("已答复", h["replied"], border=True)
row[2].metric("已解决", h["resolved"], border=True)
row[3].metric("正在回复中", h["awaiting"], border=True)

st.subheader("汇总（可直接复制到报告）")
st.code(report.sentence(fig), language=None, wrap_lines=True)

st.subheader("导出")
stamp = f"{fig['end']:%Y%m%d}"
left, middle, right = st.columns(3)
left.download_button("报告 Excel", icon=":material/download:", key="rp_xlsx",
                     data=lambda: report.export_excel(contests.reopen(db), user, **cut),
                     file_name=f"提案工作报告_{stamp}.xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
middle.download_button("报告 Word", icon=":material/description:", key="rp_docx",
                       data=lambda: report.export_docx(contests.reopen(db), user, **cut),
                       file_name=f"提案工作报告_{stamp}.docx",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
right.download_button("提案汇编 Word（全部有效提案及答复）", icon=":material/menu_book:", key="rp_compilation",
                      type="primary", data=lambda: report.compilation_docx(contests.reopen(db), user, **cut),
                      file_name=f"提案汇编_{stamp}.docx",
                      mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
