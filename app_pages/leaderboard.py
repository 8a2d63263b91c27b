"""Organizer: 排名与奖项 — leaderboard (method switch live), judges' score distributions, award
tiers and overrides, publication, exports.

Heavy work is cached on ``results.data_version`` (it changes with every sheet, award, proposal
or settings change), so a rerun only re-renders.
"""
import altair as alt
import pandas as pd
import streamlit as st

from contest import clock, ranking, results
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
st.title("排名与奖项")
version = ui.attempt(lambda: results.data_version(db, user))
if version is None:
    st.stop()


@st.cache_resource(max_entries=1, show_spinner="正在读取评分…")
def _data(_db, _user, version):  # shared, read-only: the functions below never modify it
    return results.load(_db, _user)


@st.cache_data(max_entries=8, show_spinner="正在计算排名…")
def _board(_db, _user, version, method):
    return results.leaderboard(_data(_db, _user, version), method)


@st.cache_data(max_entries=2, show_spinner="正在计算评委一致性…")
def _alpha(_db, _user, version):
    return results.agreement(_data(_db, _user, version))


@st.cache_data(max_entries=2, show_spinner=False)
def _judges(_db, _user, version):
    return results.judge_summary(_data(_db, _user, version))


data = _data(db, user, version)
contest = data.contest
published = contest.results_published
if published:
    st.success(f"结果已于 {contest.published_at} 公布：参赛学生可查看自己的奖项、名次段和评语，获奖名单已公开。奖项已锁定。")
else:
    scheduled = contest.phases.get("results_published")
    st.info(results.NOT_PUBLISHED + (f"计划公布时间：{scheduled}。" if scheduled else ""))

method = st.segmented_control("汇总方法", list(ranking.METHODS), format_func=ranking.METHODS.get,
                              default=contest.ranking_method, required=True, key="lb_method")
board = _board(db, user, version, method)
st.caption(ranking.METHOD_EXPLANATIONS[method]
           + ("" if method == contest.ranking_method else
              f" 当前仅为查看；正式评奖方法为“{ranking.METHODS[contest.ranking_method]}”，可在“奖项设置”中更改。"))

alpha = _alpha(db, user, version)
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("已立案提案", board.counts["proposals"])
c2.metric("评审完整", board.counts["complete"], help=f"提交的评审表不少于 {board.required} 份")
c3.metric("评审表不足", board.counts["incomplete"])
c4.metric("已提交评审表", board.counts["sheets"])
c5.metric("评委一致性 α", "—" if alpha is None else f"{alpha:.3f}",
          help="至少两位评委评过同一件提案时才能计算。")
st.caption(ranking.ALPHA_EXPLANATION)

RANK_COLUMNS = {  # in display order
    "rank": st.column_config.NumberColumn("名次", format="%d"),
    "proposal": st.column_config.NumberColumn("编号", format="%d"),
    "title": st.column_config.TextColumn("标题", width="medium"),
    "score": st.column_config.NumberColumn("得分", format="%.2f"),
    "rank_change": st.column_config.NumberColumn(
        "名次变化", format="%+d", help="平均分名次 − 标准分名次：正数表示经评委宽严校正后名次上升"),
    "rank_mean": st.column_config.NumberColumn("平均分名次", format="%d"),
    "rank_zscore": st.column_config.NumberColumn("标准分名次", format="%d"),
    "sheets": st.column_config.NumberColumn("评审表", format="%d"),
    "spread": st.column_config.NumberColumn("分差", format="%.1f", help="各评审表总分的最高分减最低分（0–100 分制）"),
    "disagreement": st.column_config.CheckboxColumn("分歧大", help=f"分差不小于 {results.DISAGREEMENT:g} 分"),
    "award": "奖项" + ("" if published else "（预览）"),
    "topic_name": "议题",
    "author": "提交人",
    "college": "学院",
}


def _show(frame: pd.DataFrame, topic: bool) -> None:
    if topic:
        frame = frame.drop(columns=["rank", "rank_mean", "rank_zscore", "rank_change"]).rename(columns={
            "topic_rank": "rank", "topic_rank_mean": "rank_mean", "topic_rank_zscore": "rank_zscore",
            "topic_rank_change": "rank_change"}).sort_values(["rank", "proposal"], kind="mergesort")
    order = [c for c in RANK_COLUMNS if not (topic and c == "topic_name")]
    frame = frame.assign(award=frame["award"].fillna(""))
    complete, incomplete = frame.loc[~frame["incomplete"], order], frame.loc[frame["incomplete"], order]
    if complete.empty:
        st.info("还没有评审完整的提案。")
    else:
        st.dataframe(complete, column_order=order, column_config=RANK_COLUMNS, hide_index=True, placeholder="—",
                     height=min(38 + 35 * len(complete), 560))
    if len(incomplete):
        st.markdown(f"**评审表不足的提案**（{len(incomplete)} 件，少于 {board.required} 份评审表，排在完整提案之后，不参与评奖）")
        st.dataframe(incomplete, column_order=order, column_config=RANK_COLUMNS, hide_index=True, placeholder="—",
                     height=min(38 + 35 * len(incomplete), 300))


tab_rank, tab_judges, tab_awards, tab_publish = st.tabs(
    ["排名", "评委打分分布", "奖项设置与调整", "公布与导出"], key="lb_tab", on_change="rerun")

if tab_rank.open:
    with tab_rank:
        st.caption("并列规则：" + board.tie_break)
        labels = ["全部"] + [ui.escape_md(t["name"]) for t in contest.topics]
        codes = [None] + [t["code"] for t in contest.topics]
        topic_tabs = st.tabs(labels, key="lb_topic", on_change="rerun")
        for code, topic_tab in zip(codes, topic_tabs):
            if topic_tab.open:
                with topic_tab:
                    table = board.table if code is None else board.table[board.table["topic"] == code]
                    if table.empty:
                        st.info("该议题下没有已立案的提案。")
                    else:
                        _show(table, topic=code is not None)

if tab_judges.open:
    with tab_judges:
        summary = _judges(db, user, version)
        if summary.empty:
            st.info("还没有提交的评审表。")
        else:
            st.caption("每位评委所给评审表总分（0–100）的分布：线为最低到最高，方框为中间一半（四分位），黑色竖线为中位数，"
                       "颜色为平均分。越靠左的评委越严格；“标准分校正”正是为抵消这种差异。")
            chart_data = summary.assign(judge_name=summary["judge_name"].astype(str))
            y = alt.Y("judge_name:N", sort=list(chart_data["judge_name"]), title="评委（从严到宽）")
            base = alt.Chart(chart_data).encode(y=y, tooltip=[
                alt.Tooltip("judge_name:N", title="评委"), alt.Tooltip("sheets:Q", title="评审表"),
                alt.Tooltip("mean:Q", title="平均分", format=".1f"), alt.Tooltip("median:Q", title="中位数", format=".1f"),
                alt.Tooltip("std:Q", title="标准差", format=".1f")])
            x = alt.X("min:Q", title="评审表总分", scale=alt.Scale(domain=[0, 100]))
            chart = (base.mark_rule().encode(x=x, x2="max:Q")
                     + base.mark_bar(size=14).encode(x="q1:Q", x2="q3:Q", color=alt.Color(
                         "mean:Q", title="平均分", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 100])))
                     + base.mark_tick(color="black", size=14, thickness=2).encode(x="median:Q"))
            height = max(160, 26 * len(chart_data) + 60)
            st.altair_chart(chart.properties(height=height - 60), width="stretch", height=height)
            st.dataframe(summary, hide_index=True, column_order=["judge_name", "sheets", "mean", "std", "min",
                                                                  "median", "max"],
                         column_config={"judge_name": "评委", "sheets": "评审表",
                                        "mean": st.column_config.NumberColumn("平均分", format="%.1f"),
                                        "std": st.column_config.NumberColumn("标准差", format="%.1f"),
                                        "min": st.column_config.NumberColumn("最低分", format="%.1f"),
                                        "median": st.column_config.NumberColumn("中位数", format="%.1f"),
                                        "max": st.column_config.NumberColumn("最高分", format="%.1f")})

if tab_awards.open:
    with tab_awards:
        st.caption("评奖规则：" + ranking.AWARD_RULE)
        official_board = _board(db, user, version, contest.ranking_method)
        counts = official_board.table["award"].value_counts()
        names = [t["name"] for t in contest.award_tiers]
        cols = st.columns(len(names) + 1)
        for col, name in zip(cols, names):
            col.metric(ui.escape_md(name), int(counts.get(name, 0)))
        cols[-1].metric("人工调整", int(official_board.table["overridden"].sum()))

        st.subheader("奖项设置")
        with st.form("award_settings"):
            new_method = st.selectbox("正式评奖方法", list(ranking.METHODS), format_func=ranking.METHODS.get,
                                      index=list(ranking.METHODS).index(contest.ranking_method))
            options = ["sheets"] + [c.code for c in contest.rubric]
            labels = {"sheets": "评审表份数多者在前"} | {c.code: f"“{c.name}”平均分高者在前" for c in contest.rubric}
            tie_break = st.multiselect("并列时依次比较", options, default=contest.tie_break, format_func=labels.get,
                                       placeholder="不比较：名次并列",
                                       help="不选则总分相同的提案名次并列（1、2、2、4）。")
            kinds = {"share": "按比例（%）", "count": "固定名额"}
            tiers = pd.DataFrame(contest.award_tiers, columns=["name", "kind", "value"])
            tiers["kind"] = tiers["kind"].map(kinds)
            edited = st.data_editor(
                tiers, num_rows="dynamic", hide_index=True, key="tiers_editor",
                column_config={
                    "name": st.column_config.TextColumn("奖项（从高到低）", required=True),
                    "kind": st.column_config.SelectboxColumn("名额方式", options=list(kinds.values()), required=True,
                                                             help="按比例：占评审完整提案数的百分比；固定名额：个数"),
                    "value": st.column_config.NumberColumn("数值（百分比或名额）", min_value=0, required=True)})
            if st.form_submit_button("保存奖项设置", type="primary", disabled=published):
                by_label = {v: k for k, v in kinds.items()}
                rows = [r | {"kind": by_label.get(r["kind"], r["kind"])}
                        for r in edited.dropna(how="all").to_dict("records")]
                if ui.attempt(lambda: results.save_settings(db, user, method=new_method, tie_break=tie_break,
                                                            award_tiers=rows)):
                    ui.flash("奖项设置已保存。")

        st.subheader("人工调整")
        st.caption("调整须填写理由，记入审计日志；调整在公布时一并锁定。")
        with st.form("override"):
            left, mid = st.columns([1, 1])
            pid = left.number_input("提案编号", min_value=1, step=1, value=None, placeholder="见排名表“编号”列")
            award = mid.selectbox("调整为", names + [results.NO_AWARD], index=None, placeholder="请选择奖项")
            reason = st.text_input("理由（必填）", max_chars=200)
            if st.form_submit_button("保存调整", disabled=published):
                if pid is None:
                    st.error("请填写提案编号。")
                elif award is None:
                    st.error("请选择调整后的奖项。")
                elif ui.attempt(lambda: results.override_award(
                        db, user, int(pid), None if award == results.NO_AWARD else award, reason) or True):
                    ui.flash(f"提案 {int(pid)} 的奖项已调整。")
        manual = official_board.table[official_board.table["overridden"]]
        if len(manual):
            st.dataframe(manual.assign(award=manual["award"].fillna(results.NO_AWARD))[
                             ["proposal", "title", "rank", "award", "reason"]], hide_index=True,
                         column_config={"proposal": "编号", "title": "标题", "rank": "名次", "award": "调整后奖项",
                                        "reason": "理由"})
            with st.form("clear_override"):
                choice = st.selectbox("取消调整（恢复按规则评定）", list(manual["proposal"]),
                                      format_func=lambda p: f"{p} · {manual.set_index('proposal').at[p, 'title']}")
                if st.form_submit_button("取消调整", disabled=published):
                    if ui.attempt(lambda: results.clear_override(db, user, int(choice)) or True):
                        ui.flash(f"已取消提案 {int(choice)} 的人工调整。")

        st.subheader("获奖名单" + ("" if published else "（预览）"))
        awarded = official_board.table[official_board.table["award"].notna()]
        if awarded.empty:
            st.info("目前没有获奖提案。")
        else:
            order = {n: i for i, n in enumerate(names)}
            awarded = awarded.assign(_o=awarded["award"].map(order)).sort_values(["_o", "rank"], kind="mergesort")
            st.dataframe(awarded[["award", "rank", "proposal", "title", "topic_name", "author", "college", "score"]],
                         hide_index=True, column_config=RANK_COLUMNS | {"award": "奖项"})

if tab_publish.open:
    with tab_publish:
        if not published:
            judging_closes = contest.at("judging_closes")
            if judging_closes and clock.now() < judging_closes:
                st.warning(f"评审截止时间（{contest.phases['judging_closes']}）还没到，评委可能仍在评分。")
            st.write(f"公布后：按“{ranking.METHODS[contest.ranking_method]}”排名与当前奖项设置评定的奖项将被锁定；"
                     "参赛学生可看到自己提案的奖项、名次段（如“前 10%”）和评委给作者的评语（不含评委姓名和保密备注）；"
                     "“获奖名单”页面对所有人公开。")
            with st.form("publish"):
                sure = st.checkbox(f"我已核对排名和奖项（{board.counts['complete']} 件评审完整，"
                                   f"{board.counts['incomplete']} 件评审表不足不参与评奖），确认公布")
                if st.form_submit_button("公布结果", type="primary"):
                    if not sure:
                        st.error("请先勾选确认。")
                    elif (done := ui.attempt(lambda: results.publish_results(db, user))) is not None:
                        ui.flash("结果已公布：" + ("、".join(f"{k} {v} 件" for k, v in done.items()) or "无获奖提案") + "。")
        else:
            with st.form("unpublish"):
                why = st.text_input("撤回理由", max_chars=200)
                sure = st.checkbox("确认撤回：学生将看不到奖项和评语，获奖名单下线，人工调整保留")
                if st.form_submit_button("撤回公布"):
                    if not sure:
                        st.error("请先勾选确认。")
                    elif ui.attempt(lambda: results.unpublish_results(db, user, why) or True):
                        ui.flash("已撤回公布。")

        st.subheader("导出")
        st.caption(f"获奖名单、完整排名（含各评委总分，按“{ranking.METHODS[method]}”）、评委统计。")
        stamp = clock.now().strftime("%Y%m%d")
        st.download_button(
            "下载 Excel（三个工作表）", lambda: results.export_excel(results.export_tables(data, board)),
            file_name=f"排名与奖项_{stamp}.xlsx", on_click="ignore", type="primary", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        cols = st.columns(3)
        for col, name in zip(cols, ["获奖名单", "完整排名", "评委统计"]):
            col.download_button(f"{name} CSV", lambda n=name: results.export_csv(
                results.export_tables(data, board)[n]), file_name=f"{name}_{stamp}.csv", mime="text/csv",
                on_click="ignore", icon=":material/download:")
