"""历届比赛 (organizer): earlier contests, and starting the next one from the live contest."""
import pandas as pd
import streamlit as st

from contest import clock, contests, settings
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
st.title("历届比赛")
if getattr(db, "archived", False):
    st.info("正在查看往届比赛。请在侧栏“查看比赛”中切换回本届，再开始新一届。")
    st.stop()
contest = settings.get(db)
st.caption("每一届比赛的提案、评审、排名、转办和答复各自独立；往届比赛归档后只能查看。"
           "在侧栏“查看比赛”中切换到往届，即可查看当年的提案、排名、办理情况和报告。")

earlier = contests.archives(db)
summary = ui.attempt(lambda: contests.live_summary(db, user))
if summary is None:
    st.stop()
rows = [{"比赛": contest.contest_name, "年份": contest.year, "状态": "本届", "提案数": summary["proposals"],
         "转办件数": summary["cases"], "归档时间": ""}]
rows += [{"比赛": a["contest_name"], "年份": a["year"], "状态": "往届（只读）", "提案数": a["proposals"],
          "转办件数": a["cases"], "归档时间": a["archived_at"]} for a in earlier]
st.dataframe(pd.DataFrame(rows), hide_index=True)

st.subheader("开始新一届")
st.markdown("本届比赛将归档为**只读的往届比赛**，然后以本届为模板开始新一届：")
st.markdown("- **沿用**：全部账号（学生、评委、职能部门、组织者，含统一身份认证的绑定）、议题及关键词、评分标准、"
            "学院、职能部门、奖项设置、排名方法、评审人数等比赛设置。\n"
            "- **重新开始**：提案、合作者、附件记录、评审分配与评分、奖项、转办与答复、评价、对接会、审计日志；"
            "各阶段时间重置为从今天开始（请到“比赛设置”中调整），结果未公布。")
if summary["open_cases"]:
    st.warning(f"本届还有 {summary['open_cases']} 件转办件未办结。归档后它们只能查看，部门不能再答复；建议办理基本完成后再开始新一届。")
with st.form("new_contest"):
    name = st.text_input("新一届比赛名称", value=contest.contest_name, max_chars=60)
    year = st.number_input("年份", min_value=2000, max_value=2100, value=int(contest.year) + 1, step=1)
    sure = st.checkbox("我确认：本届比赛归档后不能再修改")
    if st.form_submit_button("归档本届并开始新一届", type="primary", icon=":material/add_circle:"):
        if not sure:
            st.warning("请先勾选确认。")
        else:
            row = ui.attempt(lambda: contests.start_new_year(db, user, contest_name=name, year=int(year),
                                                             now=clock.now()))
            if row:
                ui.flash(f"已归档“{ui.escape_md(row['contest_name'])} · {row['year']}”，新一届比赛已开始。")
