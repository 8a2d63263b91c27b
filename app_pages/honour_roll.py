"""获奖名单: public honour roll once the organizers publish the results.

Shows award, title, topic, authors' names and colleges (never 学号, scores or ranks);
see contest/results.py for why names and colleges are shown.
"""
import streamlit as st

from contest import policy, results
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
st.title("获奖名单")
status = results.publication(db)
if not status["published"]:
    when = f"，预计于 {status['scheduled']} 公布" if status["scheduled"] else ""
    st.info(f"评审结果尚未公布{when}。公布后，获奖提案将在此列出。")
    if policy.allows(user, "manage_results"):
        st.caption("组织者可在“排名与奖项”页面预览奖项并公布结果。")
    st.stop()

roll = ui.attempt(lambda: results.honour_roll(db, user))
if roll is None:
    st.stop()
st.caption(f"结果公布时间：{status['published_at']}。共 {len(roll)} 件提案获奖。")
if roll.empty:
    st.info("本届比赛没有获奖提案。")
    st.stop()
for award, group in roll.groupby("award", sort=False):
    st.subheader(f"{ui.escape_md(award)}（{len(group)} 件）")
    st.dataframe(group.drop(columns="award"), hide_index=True, width="stretch",
                 column_config={"title": st.column_config.TextColumn("提案标题", width="large"), "topic_name": "议题",
                                "authors": "作者", "colleges": "学院"})
