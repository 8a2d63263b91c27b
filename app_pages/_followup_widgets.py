"""Follow-up widgets shared by the pages: a reply's details, the authors' rating of a department's reply."""
from __future__ import annotations

import streamlit as st

from contest import forwarding, policy, ratings
from contest.vocabulary import AnswerState, EntryKind, Rating, label_of, labels
from app_pages import _ui as ui


def show_reply_details(reply: dict) -> None:
    """A reply's plan, expected date and reason (those given), as plain text."""
    extra = [f"办理计划：{reply['plan']}" if reply["plan"] else "",
             f"预计完成：{reply['expected_date']}" if reply["expected_date"] else "",
             f"原因：{reply['reason']}" if reply["reason"] else ""]
    if any(extra):
        st.text("\n".join(e for e in extra if e))


def rating_form(db, user, proposal_id: int) -> None:
    """Rate the reply (满意 / 基本满意 / 不满意 + comment), once; ask once for a further reply when not satisfied.

    Shows nothing for a proposal that has not been forwarded."""
    if not policy.allows(user, "rate_replies"):
        return
    case = forwarding.case_for_proposal(db, user, proposal_id)
    if case is None:
        return
    status = ui.attempt(lambda: ratings.rating_status(db, user, proposal_id))
    if status is None:
        return
    entries = case["replies"]
    if status["can_rate"] and entries:
        # The whole reply is read here, above the rating (not a cut-off cell of the timeline).
        st.markdown("**部门的答复**")
        for entry in entries:
            with st.container(border=True):
                st.caption(f"{entry['at'][:16]} · {entry['department_name'] or ''} · "
                           f"{label_of(EntryKind, entry['kind'])} · {label_of(AnswerState, entry['state'])}")
                st.text(entry["text"])
                show_reply_details(entry)
    st.markdown("**对部门答复的评价**")
    for r in status["ratings"]:
        st.caption(f"{r['at'][:16]} 第 {r['round']} 次评价：{r['level_name']}")
        if r["comment"]:
            st.text(r["comment"])
    if status["can_rate"]:
        with st.form(f"rate_{proposal_id}"):
            # No preset choice: a preset 满意 would be counted for anyone who only pressed the button.
            level = st.radio("您对部门的答复", list(labels(Rating)), format_func=labels(Rating).get, index=None,
                             horizontal=True, key=f"rate_level_{proposal_id}")
            comment = st.text_area("评价意见（可选）", max_chars=500, key=f"rate_comment_{proposal_id}")
            st.caption("每件提案只能评价一次；评价“不满意”后可申请一次再次答复。")
            if st.form_submit_button("提交评价", type="primary"):
                if ui.attempt(lambda: ratings.rate(db, user, proposal_id, level, comment) or True):
                    ui.flash("评价已提交，谢谢！")
    elif not status["ratings"] or status["further_requested_at"]:
        st.caption(status["reason"])
    if status["can_request"]:
        with st.form(f"further_{proposal_id}"):
            reason = st.text_area("对答复不满意？说明理由，申请部门再次答复（限一次）", max_chars=500,
                                  key=f"further_reason_{proposal_id}")
            if st.form_submit_button("申请再次答复"):
                if ui.attempt(lambda: ratings.request_further_reply(db, user, proposal_id, reason) or True):
                    ui.flash("已申请再次答复，部门答复后您可再次评价。")
