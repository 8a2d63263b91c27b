"""Organizer: 话题地图 -- proposals per topic, 2-D map, topic keywords, same-issue groups,
confirming or correcting topics, merging a group into a lead proposal (合并办理) or splitting it."""
import altair as alt
import pandas as pd
import streamlit as st

from contest import proposals, settings, topic_map
from contest.vocabulary import ProposalStatus
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
names = {t["code"]: t["name"] for t in contest.topics}
codes = {n: c for c, n in names.items()}


@st.cache_data(show_spinner="正在计算话题地图…", max_entries=16)
def cached_map(version: str, user_id: int, statuses: tuple, colleges: tuple, threshold: float | None,
               _db, _user) -> topic_map.TopicMap:
    """Recomputed only when the data version (or a filter) changes; reruns reuse it."""
    return topic_map.compute_map(_db, _user, status=list(statuses), college=list(colleges), threshold=threshold)


st.title("话题地图")
st.caption("同学们在关心什么：按议题分布、同一问题的提案分组（可合并办理），以及需要人工确认的议题。")

f1, f2, f3 = st.columns([2, 2, 1])
statuses = f1.multiselect("提案状态", list(topic_map.FILTER_STATUSES), default=list(topic_map.MAP_STATUSES),
                          format_func=lambda s: ProposalStatus(s).label, key="tm_status", placeholder="请选择（可多选）")
colleges = f2.multiselect("学院", contest.colleges, placeholder="全部学院", key="tm_college")
auto = f3.toggle("自动同题阈值", value=True, key="tm_auto",
                 help="两件提案的文本相似度不低于阈值才算同一问题。自动阈值由本届提案之间的相似度分布得出；"
                      "关闭后可手动调整：调低会找到更多、但更松散的分组。")
if not statuses:
    st.info("请至少选择一种提案状态。")
    st.stop()

version = topic_map.data_version(db)  # widget keys below follow it too, so choices never go stale
result = ui.attempt(lambda: cached_map(version, user.id, tuple(statuses), tuple(colleges), None, db, user))
if result is None:
    st.stop()
derived = result.derived_threshold
if not auto:
    threshold = f3.slider("同题相似度阈值", 0.05, 0.90, round(float(derived), 2), 0.01, key=f"tm_threshold_{derived:.3f}")
    result = ui.attempt(lambda: cached_map(version, user.id, tuple(statuses), tuple(colleges),
                                           float(threshold), db, user))
    if result is None:
        st.stop()
frame = result.proposals
if frame.empty:
    st.info("当前筛选条件下没有提案。")
    st.stop()

m1, m2, m3, m4 = st.columns(4)
m1.metric("提案", len(frame))
m2.metric("同题分组", len(result.groups))
m3.metric("待复核议题", int(frame["needs_review"].sum()), help="预测置信度低，请人工确认")
m4.metric("与预测不一致", int(frame["disagrees"].sum()), help="学生所选议题与模型预测不同且尚未确认")
st.caption(f"同题相似度阈值 {result.threshold:.2f}"
           + ("（自动：由本届提案之间的相似度分布得出）" if auto else f"（手动；自动值为 {derived:.2f}）")
           + ("；相似度按句向量（语义）计算" if result.group_method == "sentence" else "；相似度按词语 TF-IDF 计算"))
if result.mode == "trained":
    st.caption(f"议题预测：从组织者已确认的 {result.labels} 个议题学习（线性分类器，交叉验证优于关键词时才启用）。")
elif result.labels:
    st.caption(f"议题预测：按议题关键词和说明，并参考组织者已确认的 {result.labels} 个议题（按交叉验证确定权重）。")
else:
    st.caption("议题预测：按议题关键词和说明（可在比赛设置中编辑）。确认议题后会参考确认结果，越用越准。")

SECTIONS = ["议题分布", "同题分组与合并办理", "确认议题"]
section = st.segmented_control("查看", SECTIONS, default=SECTIONS[0], key="tm_section",
                               label_visibility="collapsed") or SECTIONS[0]

if section == SECTIONS[0]:
    left, right = st.columns([2, 3])
    with left:
        st.subheader("各议题提案数")
        bars = alt.Chart(result.topic_counts).mark_bar().encode(
            x=alt.X("count:Q", title="提案数"),
            y=alt.Y("topic_name:N", title=None, sort=list(names.values())),
            color=alt.Color("topic_name:N", legend=None, sort=list(names.values())),
            tooltip=[alt.Tooltip("topic_name:N", title="议题"), alt.Tooltip("count:Q", title="提案数")])
        st.altair_chart(bars, width="stretch")
    with right:
        st.subheader("提案地图")
        points = frame.assign(group_label=frame["group"].astype("string").fillna("—"),
                              review=frame["needs_review"].map({True: "是", False: "否"}))
        scatter = alt.Chart(points).mark_circle(size=90, opacity=0.8).encode(
            x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None),
            color=alt.Color("shown_topic_name:N", title="议题", sort=list(names.values())),
            tooltip=[alt.Tooltip("id:Q", title="编号"), alt.Tooltip("title:N", title="标题"),
                     alt.Tooltip("shown_topic_name:N", title="议题"),
                     alt.Tooltip("predicted_name:N", title="预测议题"),
                     alt.Tooltip("score:Q", title="置信度", format=".2f"),
                     alt.Tooltip("group_label:N", title="同题分组"), alt.Tooltip("review:N", title="待复核")])
        st.altair_chart(scatter.interactive(), width="stretch")
        st.caption("距离越近的提案用词越相似（TF-IDF 文本降维）。悬停查看标题。")
    st.subheader("各议题关键词")
    st.dataframe(pd.DataFrame([{"议题": names.get(c, c), "提案数": int((frame["shown_topic"] == c).sum()),
                                "关键词": " ".join(result.topic_keywords.get(c, []))} for c in names]),
                 hide_index=True, width="stretch")

elif section == SECTIONS[1]:
    st.subheader("同题提案分组")
    if result.groups.empty:
        st.info("当前阈值下没有找到讨论同一问题的提案。可以调低相似度阈值再看。")
    else:
        st.dataframe(result.groups[["group", "size", "topic", "keywords", "members"]], hide_index=True,
                     width="stretch",
                     column_config={"group": "分组", "size": "件数", "topic": "议题", "keywords": "关键词",
                                    "members": st.column_config.TextColumn("提案", width="large")})
        titles = dict(zip(frame["id"], frame["title"]))
        st.markdown("**合并办理**：把一组提案并入一件牵头提案，一并转办；其他提案保留并与牵头提案关联。")
        options = list(result.groups["group"])
        group_id = st.selectbox(
            "分组", options, key=f"tm_merge_group_{version}",
            format_func=lambda g: "第 {} 组（{} 件）：{}".format(
                g, *result.groups.set_index("group").loc[g, ["size", "keywords"]]))
        member_ids = result.groups.set_index("group").loc[group_id, "member_ids"]
        with st.form("merge_form"):
            lead = st.selectbox("牵头提案", member_ids, format_func=lambda i: f"#{i} {titles.get(i, '')}",
                                key=f"tm_merge_lead_{version}_{group_id}")
            members = st.multiselect("并入的提案", member_ids, default=member_ids,
                                     key=f"tm_merge_members_{version}_{group_id}",
                                     format_func=lambda i: f"#{i} {titles.get(i, '')}", placeholder="请选择（可多选）")
            if st.form_submit_button("合并为一件办理", type="primary"):
                led = ui.attempt(lambda: topic_map.merge_group(db, user, lead, [m for m in members if m != lead]))
                if led is not None:
                    ui.flash(f"已将 {len(led)} 件提案并入提案 #{lead}。")

        with st.form("apart_form"):
            st.markdown("**不是同一问题**：分组只是建议。选出的提案之间以后不再被建议为同一组（可随时手动合并）。")
            apart = st.multiselect("不属于同一问题的提案", member_ids, default=member_ids,
                                   key=f"tm_apart_{version}_{group_id}",
                                   format_func=lambda i: f"#{i} {titles.get(i, '')}", placeholder="请选择（至少两件）")
            if st.form_submit_button("不是同一问题，不再建议"):
                pairs = ui.attempt(lambda: topic_map.keep_apart(db, user, apart))
                if pairs is not None:
                    ui.flash(f"已记录：这 {len(apart)} 件提案不再被建议为同一组。")

    st.subheader("已合并办理的提案")
    merged = ui.attempt(lambda: topic_map.merges(db, user))
    if merged is None or merged.empty:
        st.caption("还没有合并办理的提案。")
    else:
        st.dataframe(merged, hide_index=True, width="stretch",
                     column_config={"lead_id": "牵头提案", "lead_title": "牵头提案标题", "id": "编号",
                                    "title": "标题", "status": "状态", "college": "学院"})
        with st.form("split_form"):
            labels = {int(r.id): f"#{r.id} {r.title}（并入 #{r.lead_id}）" for r in merged.itertuples()}
            labels |= {int(lid): f"#{lid} {t}（牵头，拆分全部）"
                       for lid, t in merged[["lead_id", "lead_title"]].drop_duplicates().itertuples(index=False)}
            chosen = st.multiselect("要拆分的提案", list(labels), format_func=labels.get, key=f"tm_split_{version}",
                                    placeholder="选择提案（可多选）")
            if st.form_submit_button("拆分"):
                released = ui.attempt(lambda: topic_map.split(db, user, chosen))
                if released is not None:
                    ui.flash(f"已拆分 {len(released)} 件提案，它们恢复为单独办理。")

else:
    st.subheader("确认或更正议题")
    st.caption("勾选“确认”或改选议题后保存。确认过的议题会作为训练样本，让预测越来越准。")
    empty = int((frame["topic"] == "").sum())
    if empty:
        if st.button(f"为 {empty} 件未填写议题的提案填入预测议题", help="只填空白议题，不会改动学生或组织者已选的议题；"
                                                              "置信度低的留待人工确认。"):
            filled = ui.attempt(lambda: topic_map.apply_predicted_topics(db, user, status=statuses,
                                                                         college=colleges))
            if filled is not None:
                ui.flash(f"已为 {len(filled)} 件提案填入预测议题（未确认）。")
    with st.form("bulk_topic_form"):
        st.markdown("**批量设定**：选择提案，设为同一议题并确认。")
        left, right = st.columns([3, 1])
        picked = left.multiselect("提案", list(frame["id"]), key=f"tm_bulk_ids_{version}", placeholder="选择提案（可多选）",
                                  format_func=lambda i: "#{} {}（{}）".format(
                                      i, *frame.set_index("id").loc[i, ["title", "shown_topic_name"]]))
        bulk_topic = right.selectbox("议题", list(names), format_func=names.get, key="tm_bulk_topic")
        if st.form_submit_button("设为该议题并确认"):
            if ui.attempt(lambda: proposals.set_topic(db, user, [int(i) for i in picked], bulk_topic) or True):
                ui.flash(f"已将 {len(picked)} 件提案的议题设为“{ui.escape_md(names[bulk_topic])}”。")
    view = st.radio("显示", ["待复核或不一致", "未确认", "全部"], horizontal=True, key="tm_view")
    rows = frame
    if view == "待复核或不一致":
        rows = frame[(frame["needs_review"] | frame["disagrees"] | (frame["topic"] == "")) & ~frame["topic_confirmed"]]
    elif view == "未确认":
        rows = frame[~frame["topic_confirmed"]]
    if rows.empty:
        st.success("没有需要处理的议题。")
    else:
        table = pd.DataFrame({
            "id": rows["id"].to_numpy(),
            "title": rows["title"].to_numpy(),
            "current": rows["topic_name"].replace("", "（未填写）").to_numpy(),
            "predicted": rows["predicted_name"].to_numpy(),
            "score": rows["score"].to_numpy(),
            "confirmed": rows["topic_confirmed"].map({True: "已确认", False: ""}).to_numpy(),
            "new_topic": rows["shown_topic_name"].to_numpy(),
            "confirm": False,
        })
        with st.form("confirm_form"):
            edited = st.data_editor(
                table, hide_index=True, width="stretch", key=f"topic_editor_{version}_{view}",
                disabled=["id", "title", "current", "predicted", "score", "confirmed"],
                column_config={
                    "id": "编号", "title": st.column_config.TextColumn("标题", width="medium"),
                    "current": "当前议题", "predicted": "预测议题",
                    "score": st.column_config.ProgressColumn("置信度", min_value=0.0, max_value=1.0, format="%.2f"),
                    "confirmed": "状态",
                    "new_topic": st.column_config.SelectboxColumn("确认为", options=list(names.values()),
                                                                  required=True),
                    "confirm": st.column_config.CheckboxColumn("确认"),
                })
            if st.form_submit_button("保存议题", type="primary"):
                changed = edited[edited["confirm"] | (edited["new_topic"] != table["new_topic"])]
                if changed.empty:
                    st.warning("请勾选“确认”或改选议题。")
                else:
                    done = 0
                    for topic_name, part in changed.groupby("new_topic"):
                        ids = [int(i) for i in part["id"]]
                        if ui.attempt(lambda: proposals.set_topic(db, user, ids, codes[topic_name]) or True) is None:
                            break
                        done += len(ids)
                    else:
                        ui.flash(f"已保存 {done} 件提案的议题。")
