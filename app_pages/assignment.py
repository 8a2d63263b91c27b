"""Organizer: automatic assignment as a draft, load per judge, hand adjustments, publishing,
assignment by uploaded sheet, declared conflicts."""
import pandas as pd
import streamlit as st

from contest import accounts, audit, conflicts, exports, proposals, review_assignments, settings, spreadsheets
from contest.vocabulary import AssignmentSource, SheetStatus, labels
from app_pages import _judging_ui as jui
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
TABLE_ROWS = 1000
contest = settings.get(db)
st.title("评审分配")
st.caption("自动分配让每位评委的任务量相差不超过 1，避开利益冲突（作者本人、手工声明的冲突"
           + ("、同一学院" if contest.college_conflict else "，学院回避未开启") +
           "），并优先匹配评委声明的议题。结果先作为草案保存，只有组织者可见；检查、调整后点击“发布”，评委才能看到。")

summary = review_assignments.assignment_summary(db, user)
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("已立案提案", summary["proposals"])
c2.metric("评委", summary["judges"])
c3.metric("每件评审人数", summary["k"])
c4.metric("分配总数（含草案）", summary["pairs"], delta=f"草案 {summary['drafts']}" if summary["drafts"] else None,
          delta_color="off")
c5.metric(f"不足 {summary['k']} 位评委的提案", len(summary["short"]))
if notes := st.session_state.pop("assign_shortfalls", None):
    st.warning("以下提案没有足够的无冲突评委：  \n" + "  \n".join(ui.escape_md(n) for n in notes))

# Assignments made before a rule was turned on (学院回避) or a conflict was declared are flagged here.
breaking = review_assignments.rule_breaking_assignments(db, user)
if not breaking.empty:
    with st.container(border=True):
        st.warning(f"{len(breaking)} 条已有分配违反当前的回避规则（例如开启学院回避之前做的分配）。"
                   "移除后可用“自动分配”补齐；已提交的评审保留。", icon=":material/warning:")
        st.dataframe(pd.DataFrame({"编号": breaking["proposal_id"], "标题": breaking["title"],
                                   "评委": breaking["judge"], "原因": breaking["reason"],
                                   "评审": breaking["submitted"].map({True: "已提交（保留）", False: "未提交"})}),
                     hide_index=True, width="stretch")
        if st.button("移除这些分配（已提交的评审保留）", disabled=bool(breaking["submitted"].all())):
            dropped = ui.attempt(lambda: review_assignments.drop_rule_breaking_assignments(db, user))
            if dropped is not None:
                ui.flash(f"已移除 {dropped} 条违反回避规则的分配，可用“自动分配”补齐。")

auto, manual, upload, conflicts_tab = st.tabs(["自动分配与发布", "手工调整", "表格导入", "利益冲突"])



@st.cache_data(max_entries=4, show_spinner=False)
def assignment_data(_db, _user, user_id: int, version: int) -> dict:
    """Every pair, the judges' loads and the valid proposals: read again after any write (the audit
    log grows), not on every click. Keyed on the user: shown only to the user whose checks computed it."""
    valid = proposals.search(_db, _user, status="valid")[["id", "title"]]
    return {"table": review_assignments.assignment_table(_db, _user),
            "loads": review_assignments.judge_loads(_db, _user), "valid": valid,
            "proposal_label": dict(zip(valid["id"].tolist(),
                                       (jui.pick_label(p, t) for p, t in zip(valid["id"], valid["title"]))))}


data = assignment_data(db, user, user.id, audit.last_id(db))
table = data["table"]
drafts = table[~table["published"]]
judges = accounts.judges(db)
judge_label = {j.id: f"{j.name}（{j.username}，{j.college or '未填学院'}）" for j in judges}
valid = data["valid"]
proposal_label = data["proposal_label"]

with auto:
    with st.form("auto"):
        k = st.number_input("每件提案的评审人数 k", 1, 10, int(contest.reviews_per_proposal), step=1)
        st.caption("只补足缺少的评审：已有的分配（尤其是已完成的评审）不会被移动，新增的提案或评委也只分配缺少的部分。")
        if st.form_submit_button("运行自动分配（生成草案）", type="primary", icon=":material/auto_mode:"):
            result = ui.attempt(lambda: review_assignments.auto_assign_drafts(db, user, int(k)))
            if result is not None:
                if result.shortfalls:
                    st.session_state["assign_shortfalls"] = result.shortfalls
                ui.flash(f"已生成 {len(result.pairs)} 条分配草案。请检查每位评委的任务量，然后发布。"
                         if result.pairs else "没有需要补充的分配：每件提案都已有足够的评委。")

    st.subheader("每位评委的任务量")
    loads = data["loads"]
    if loads.empty:
        st.info("还没有评委账号。请先在“账号管理”中创建评委。")
    else:
        st.bar_chart(loads.rename(columns={"published": "已发布", "draft": "草案"}).set_index("name")[["已发布", "草案"]],
                     horizontal=True, height=80 + 36 * len(loads))
        st.dataframe(loads.drop(columns=["judge_id"]), hide_index=True, width="stretch",
                     column_config={"judge": "用户名", "name": "姓名", "college": "学院", "topics": "声明议题",
                                    "published": "已发布", "draft": "草案", "total": "合计",
                                    "topic_match": "议题匹配"})
    st.subheader(f"待发布的草案（{len(drafts)} 条）")
    if drafts.empty:
        st.caption("没有待发布的草案。")
    else:
        st.dataframe(drafts[["proposal_id", "title", "topic", "judge_name", "judge", "source"]]
                     .assign(topic=lambda f: f["topic"].map(contest.topic_name),
                             source=lambda f: f["source"].map(labels(AssignmentSource))),
                     hide_index=True, width="stretch",
                     column_config={"proposal_id": st.column_config.NumberColumn("提案编号", format="%d"),
                                    "title": "标题", "topic": "议题", "judge_name": "评委", "judge": "用户名",
                                    "source": "来源"})
        p1, p2 = st.columns(2)
        if p1.button(f"发布 {len(drafts)} 条分配", type="primary", icon=":material/publish:"):
            count = ui.attempt(lambda: review_assignments.publish_assignments(db, user))
            if count:
                ui.flash(f"已发布 {count} 条分配，评委现在可以在“评审任务”中看到。")
        if p2.button("放弃全部草案", icon=":material/delete:"):
            count = ui.attempt(lambda: review_assignments.discard_draft_assignments(db, user))
            if count is not None:
                ui.flash(f"已放弃 {count} 条草案。")

with manual:
    st.caption("逐条添加或移除分配。添加时会检查利益冲突；已提交的评审不能移除。新添加的分配是草案，需要发布。")
    if valid.empty or not judges:
        st.info("需要已立案的提案和评委账号。")
    else:
        a1, a2 = st.columns(2)
        with a1:
            pid = ui.search_select("提案", proposal_label, key="add_pid")
        with a2:
            jid = ui.search_select("评委", judge_label, key="add_jid")
        if st.button("添加分配", icon=":material/person_add:", disabled=pid is None or jid is None):
            if ui.attempt(lambda: review_assignments.add_assignment(db, user, int(pid), int(jid)) or True):
                ui.flash(f"已把提案 {pid} 分配给 {ui.escape_md(judge_label[jid])}（草案）。")
    if not table.empty:
        status_names = labels(SheetStatus)
        # Pairs of one proposal at a time: a list of every pair would hold tens of thousands of options.
        assigned = {p: proposal_label.get(p, str(p)) for p in table["proposal_id"].unique().tolist()}
        removable = ui.search_select("要移除分配的提案", assigned, key="remove_pid")
        of_proposal = table[table["proposal_id"] == removable]
        pair_label = {(r.proposal_id, r.judge_id): f"{r.proposal_id} · {r.title} — {r.judge_name}"
                      f"（{'已发布' if r.published else '草案'}，{status_names[r.sheet_status]}）"
                      for r in of_proposal.itertuples()}
        pair = st.selectbox("要移除的分配", list(pair_label), format_func=pair_label.get, key="remove_pair")
        if st.button("移除分配", icon=":material/person_remove:", disabled=pair is None):
            if ui.attempt(lambda: review_assignments.remove_assignment(db, user, int(pair[0]), int(pair[1])) or True):
                ui.flash(f"已移除提案 {pair[0]} 的一位评委。")
        st.subheader("全部分配")
        only = ui.search_select("筛选评委", {0: "全部评委"} | judge_label, key="assign_only")
        shown = table if not only else table[table["judge_id"] == only]
        if len(shown) > TABLE_ROWS:  # tens of thousands of rows: one page at a time
            pages = -(-len(shown) // TABLE_ROWS)
            page = st.number_input(f"页码（每页 {TABLE_ROWS} 条，共 {pages} 页；可按评委筛选）", 1, pages, 1,
                                   key="assign_page")
            shown = shown.iloc[(page - 1) * TABLE_ROWS: page * TABLE_ROWS]
        st.dataframe(shown.assign(published=shown["published"].map({True: "已发布", False: "草案"}),
                                  sheet_status=shown["sheet_status"].map(status_names),
                                  source=shown["source"].map(labels(AssignmentSource)))
                     .drop(columns=["judge_id", "topic"]),
                     hide_index=True, width="stretch",
                     column_config={"proposal_id": st.column_config.NumberColumn("提案编号", format="%d"),
                                    "title": "标题", "judge": "用户名", "judge_name": "评委",
                                    "published": "发布", "source": "来源", "sheet_status": "评审状态"})

with upload:
    st.caption("上传 .csv 或 .xlsx 表格，两列：提案编号、评委用户名。任一行有错则整表不导入，并列出每一行的问题；"
               "已存在的分配会跳过。导入的分配是草案，需要在“自动分配与发布”中发布。")
    examples = list(zip(list(valid["id"][:2]), [j.username for j in judges[:2]])) or [(1, "judge1")]
    template = pd.DataFrame(examples, columns=["提案编号", "评委用户名"])
    st.download_button("下载模板（CSV）", exports.to_csv(template), "评审分配模板.csv", "text/csv",
                       icon=":material/download:")
    with st.form("upload_sheet", clear_on_submit=True):
        file = st.file_uploader("分配表", type=["csv", "xlsx"])
        if st.form_submit_button("导入分配", icon=":material/upload:"):
            if file is None:
                st.error("请先选择文件。")
            else:
                result = ui.attempt(lambda: review_assignments.assign_from_table(
                    db, user, spreadsheets.read_table(file.getvalue(), file.name)))
                if result:
                    ui.flash(f"已导入 {result['added']} 条分配草案"
                             + (f"，跳过已存在的 {result['skipped']} 条" if result["skipped"] else "") + "。")

with conflicts_tab:
    st.caption("声明的利益冲突会在自动和手工分配中回避；若该评委已分配到这件提案，分配会被移除（已提交的评审除外）。"
               "评委也可以在自己的任务中声明冲突，会显示在这里。")
    if not valid.empty and judges:
        d1, d2 = st.columns(2)
        with d1:
            pid = ui.search_select("提案", proposal_label, key="conflict_pid")
        with d2:
            jid = ui.search_select("评委", judge_label, key="conflict_jid")
        with st.form("declare_conflict"):
            reason = st.text_input("冲突说明", max_chars=200)
            if st.form_submit_button("声明利益冲突", icon=":material/block:") and pid is not None and jid is not None:
                if ui.attempt(lambda: conflicts.declare_conflict(db, user, int(pid), int(jid), reason) or True):
                    ui.flash(f"已声明提案 {pid} 与评委 {ui.escape_md(judge_label[jid])} 的利益冲突。")
    listed = conflicts.list_conflicts(db, user)
    if listed.empty:
        st.caption("尚无声明的利益冲突。")
    else:
        st.dataframe(listed.drop(columns=["judge_id"]), hide_index=True, width="stretch",
                     column_config={"proposal_id": st.column_config.NumberColumn("提案编号", format="%d"),
                                    "title": "标题", "judge": "用户名", "judge_name": "评委", "reason": "说明",
                                    "declared_by": "声明人", "declared_by_role": "声明方", "declared_at": "时间"})
        conflict_label = {(r.proposal_id, r.judge_id): f"{r.proposal_id} · {r.title} — {r.judge_name}"
                          for r in listed.itertuples()}
        with st.form("remove_conflict"):
            pair = st.selectbox("撤销冲突声明", list(conflict_label), format_func=conflict_label.get)
            if st.form_submit_button("撤销"):
                if ui.attempt(lambda: conflicts.remove_conflict(db, user, int(pair[0]), int(pair[1])) or True):
                    ui.flash("已撤销该利益冲突声明。")
