"""我的提案: every proposal the student submitted or co-authors, with its timeline and results."""
import pandas as pd
import streamlit as st

from contest import clock, coauthors, proposals, results, settings, timeline
from app_pages import _proposal_view as view
from app_pages import _ui as ui
from app_pages._followup_widgets import rating_form
from app_pages._topic_widgets import join_requests_panel

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("我的提案")



def invitations_panel() -> None:
    """Invitations to co-author someone else's proposal: accept or decline (nothing shown until then)."""
    waiting = ui.attempt(lambda: coauthors.my_invitations(db, user)) or []
    if waiting:
        st.subheader("合作邀请")
    for invitation in waiting:
        with st.container(border=True):
            st.text(f"{invitation['inviter']} 邀请你成为提案 #{invitation['proposal_id']} "
                    f"{invitation['title'] or '（无标题）'} 的合作者")
            st.caption("接受后，这件提案会出现在你的提案中，你的姓名和学院会显示在提案上；婉拒后对方只会看到“已婉拒”。")
            yes, no, _ = st.columns([1, 1, 4])
            if yes.button("接受", key=f"inv_accept_{invitation['id']}", type="primary"):
                if ui.attempt(lambda: coauthors.accept(db, user, invitation["id"]) or True):
                    ui.flash("已接受邀请，你已成为这件提案的合作者。")
            if no.button("婉拒", key=f"inv_decline_{invitation['id']}"):
                if ui.attempt(lambda: coauthors.decline(db, user, invitation["id"]) or True):
                    ui.flash("已婉拒这次合作邀请。")


invitations_panel()
join_requests_panel(db, user)
mine = proposals.mine(db, user)
if not mine:
    st.info("你还没有提案。到“撰写提案”写下你发现的问题和建议吧。")
    if st.button("撰写提案", type="primary", icon=":material/edit_note:"):
        st.switch_page("app_pages/write_proposal.py")
    st.stop()

# One status per proposal that follows it from submission to the final answer (已转办, 已答复, 已评价...),
# not the screening status alone.
status = {p["id"]: timeline.status_line(db, user, p["id"]) for p in mine}
summary = pd.DataFrame([{
    "状态": status[p["id"]], "标题": p["title"] or "（无标题）", "编号": p["id"], "我的角色": p["my_role"],
    "议题": contest.topic_name(p["topic"]) if p["topic"] else "", "最后修改": (p["updated_at"] or "")[:16],
} for p in mine])
st.dataframe(summary, hide_index=True)
st.caption("草稿只有提交人能看到；提交后合作者也能在这里看到提案。")

by_id = {p["id"]: p for p in mine}
# Proposals are picked in a selectbox (plain text) rather than expanders: expander labels are
# markdown, where a URL typed in a title would become a link.
pid = st.selectbox("查看提案", list(by_id), key="mp_choice",
                   format_func=lambda i: f"#{i} {by_id[i]['title'] or '（无标题）'} · {status[i]}")
p = by_id[pid]
with st.container(border=True):
    proposal = proposals.get(db, user, p["id"])
    view.show_timeline(db, user, p["id"])
    view.show_fields(db, proposal)
    view.show_attachments(db, user, p["id"], key=f"mp{p['id']}")

    # Results (award, rank band, judges' comments for authors), once published.
    outcome = ui.attempt(lambda: results.author_view(db, user, p["id"]))
    if outcome:
        st.markdown("**评审结果**")
        # A tier name is organizer text: shown as text (st.metric would render it as markdown).
        st.text(f"奖项：{outcome.get('award') or '未获奖'}")
        if outcome.get("rank_band"):
            st.caption(f"名次区间：{outcome['rank_band']}")
        for comment in outcome.get("comments") or []:
            st.text(f"评委意见：{comment}")

    if p["submitter_id"] == user.id:
        allowed, reason = proposals.can_edit(db, user, proposal, clock.now())
        if allowed:
            if st.button("编辑 / 提交 / 撤回", key=f"mp_edit_{p['id']}", icon=":material/edit:"):
                st.session_state["wp_pending_choice"] = p["id"]
                st.switch_page("app_pages/write_proposal.py")
        else:
            st.caption(reason)
    else:
        st.caption("你是这件提案的合作者：可以查看，只有提交人可以修改或撤回。")
        sure = st.checkbox("我要退出这件提案的合作（退出后提案不再属于你，提交人也不能再次邀请你）",
                           key=f"mp_leave_sure_{p['id']}")
        if st.button("退出合作", key=f"mp_leave_{p['id']}", icon=":material/logout:", disabled=not sure):
            if ui.attempt(lambda: coauthors.leave(db, user, p["id"]) or True):
                ui.flash("你已退出这件提案的合作。")
    rating_form(db, user, p["id"])  # follow-up: the authors rate the department's reply
