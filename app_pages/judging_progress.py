"""Organizer: judging progress per judge and per proposal, disagreement, late judges, rubric lock."""
import streamlit as st

import datetime as dt

from contest import audit, clock, exports, reminders, review_progress, rubric_lock, settings
from contest.vocabulary import SheetStatus, labels
from app_pages import _judging_ui as jui
from app_pages import _ui as ui
from app_pages._reminder_ui import remind_block

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("评审进度")


@st.cache_data(max_entries=4, show_spinner=False)
def cached_progress(_db, _user, user_id: int, version: int, minute: str) -> dict:
    """Recomputed after any write (the audit log grows) or when the minute turns (who is late)."""
    return review_progress.progress(_db, _user, now=dt.datetime.fromisoformat(minute))


report = cached_progress(db, user, user.id, audit.last_id(db),
                         clock.now().replace(second=0, microsecond=0).isoformat())
summary = report["summary"]
st.caption(f"评审截止：{contest.phases.get('judging_closes')}"
           + ("（已截止）" if summary["closed"] else
              f" · 按时间进度（从征集截止到评审截止），评委此刻应完成约 {summary['expected_fraction']:.0%} 的评审"
              if summary["expected_fraction"] > 0 else " · 提案征集尚未截止，暂不按时间进度提醒评委")
           + f"。总分为各评分项按分值范围折算到 0–100 后的加权平均；同一提案各评委总分相差 ≥ {review_progress.SPREAD_FLAG:g} 分标记为分歧较大。")

assigned, submitted = summary["reviews_assigned"], summary["reviews_submitted"]
if not assigned:
    st.info("尚未发布评审分配。请先在“评审分配”中分配并发布。")
else:
    st.progress(submitted / assigned, text=f"已提交评审 {submitted} / {assigned}（{submitted / assigned:.0%}）")
c1, c2, c3, c4 = st.columns(4)
c1.metric("已提交评审", f"{submitted} / {assigned}")
c2.metric("评审完成的提案", f"{summary['fully_reviewed']} / {summary['proposals']}")
c3.metric("分歧较大的提案", summary["disagree"])
c4.metric("需提醒的评委", summary["late_judges"])

st.download_button("导出评分明细（Excel：各评分项得分与评语）", lambda: review_progress.score_details_excel(db, user),
                   "评分明细.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/download:", key="export_score_details")

by_judge, by_proposal, late, rubric = st.tabs(["按评委", "按提案", "需提醒的评委", "评分标准锁定"])

with by_judge:
    judges = report["judges"]
    if not judges.empty:
        chart = judges.set_index("name")[["submitted", "draft", "todo"]].rename(
            columns={"submitted": "已提交", "draft": "草稿", "todo": "未开始"})
        st.bar_chart(chart, horizontal=True, height=80 + 36 * len(judges),
                     color=["#2e7d32", "#f9a825", "#bdbdbd"])
    st.dataframe(
        judges[["judge", "name", "assigned", "submitted", "draft", "todo", "expected", "overdue", "done", "late"]]
        .assign(done=judges["done"] * 100),
        hide_index=True, width="stretch",
        column_config={"judge": "用户名", "name": "姓名", "assigned": "已分配", "submitted": "已提交",
                       "draft": "草稿", "todo": "未开始", "expected": "按进度应完成", "overdue": "逾期未交",
                       "done": st.column_config.ProgressColumn("完成度", min_value=0.0, max_value=100.0,
                                                               format="%.0f%%"),
                       "late": st.column_config.CheckboxColumn("需提醒")})

with by_proposal:
    props = report["proposals"]
    only = st.toggle("只看分歧较大的提案", key="only_disagree")
    shown = props[props["disagree"]] if only else props
    st.dataframe(
        shown.assign(topic=shown["topic"].map(contest.topic_name)),
        hide_index=True, width="stretch",
        column_config={"proposal_id": st.column_config.NumberColumn("编号", format="%d"), "title": "标题",
                       "topic": "议题", "assigned": "已发布评委", "draft_assigned": "草案评委",
                       "submitted": "已提交评审", "mean": st.column_config.NumberColumn("平均总分", format="%.1f"),
                       "spread": st.column_config.NumberColumn("分差（最高−最低）", format="%.1f"),
                       "disagree": st.column_config.CheckboxColumn("分歧较大")})
    if not props.empty:
        picks = dict(zip(props["proposal_id"], (jui.pick_label(p, t) for p, t in
                                                zip(props["proposal_id"], props["title"]))))
        pick = ui.search_select("查看一件提案的评分表", {int(k): v for k, v in picks.items()}, key="progress_pick")
        sheets = review_progress.sheets_of_proposal(db, user, int(pick)) if pick is not None else None
        if sheets is None:
            pass
        elif sheets.empty:
            st.caption("这件提案还没有评分表。")
        else:
            st.dataframe(sheets.drop(columns=["sheet_id"]).assign(
                status=sheets["status"].map(labels(SheetStatus))), hide_index=True, width="stretch",
                column_config={"judge": "用户名", "judge_name": "评委", "status": "状态", "comment": "给作者的评语",
                               "note": "仅组织者可见的备注", "updated_at": "最后保存", "submitted_at": "提交时间",
                               "total": st.column_config.NumberColumn("总分", format="%.1f")})

with late:
    people = report["late"]
    if people.empty:
        st.success("目前没有落后于进度的评委。")
    else:
        st.caption("落后于时间进度（或评审截止后仍有未提交评审）的评委，可导出名单后提醒。")
        frame = people.drop(columns=["judge_id"]).rename(columns={
            "judge": "用户名", "name": "姓名", "email": "邮箱", "assigned": "已分配", "submitted": "已提交",
            "expected": "按进度应完成"})
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button("导出提醒名单（CSV）", exports.to_csv(frame), "需提醒的评委.csv", "text/csv",
                           icon=":material/download:")
        st.subheader("催办")
        remind_block(reminders.late_judges(db, user), {"name": "评委", "remaining": "未提交", "last_reminder": "上次催办"},
                     lambda: reminders.remind_judges(db, user), key="remind_judges", noun="评委")

with rubric:
    state = rubric_lock.rubric_lock_state(db)
    if not state["submitted"]:
        st.info("尚无评委提交评分，评分标准可以在“比赛设置”中直接修改。")
    elif state["locked"]:
        st.warning(f"已有 {state['submitted']} 份评分表提交，评分标准已锁定。")
        st.caption("解锁后只能修改评分项的名称、权重和说明，不能增删评分项或改变分值范围，"
                   "因此已提交的评分仍然完整有效，总分按新权重重新计算。解锁操作和理由记入审计日志。")
        with st.form("unlock"):
            reason = st.text_area("解锁理由", max_chars=200)
            if st.form_submit_button("解锁评分标准", icon=":material/lock_open:"):
                if ui.attempt(lambda: rubric_lock.unlock_rubric(db, user, reason) or True):
                    ui.flash("评分标准已解锁：现在可以在“比赛设置”中修改名称、权重和说明。")
    else:
        st.info(f"评分标准已于 {state['unlocked_at']} 解锁（只允许修改名称、权重和说明）。")
        st.text(f"理由：{state['reason']}")
        if st.button("重新锁定", icon=":material/lock:"):
            if ui.attempt(lambda: rubric_lock.lock_rubric(db, user) or True):
                ui.flash("评分标准已重新锁定。")
