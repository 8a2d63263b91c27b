"""Topic-map widgets used on the students' pages.

* :func:`similar_hint` -- below the writing form: up to 3 similar submitted proposals, each
  with a "申请加入为合作者" button (the submitter has to consent).
* :func:`join_requests_panel` -- on 我的提案: requests the student has to answer as submitter,
  and the state of the requests the student sent.
"""
from __future__ import annotations

import streamlit as st

from contest import join_requests, topic_map
from app_pages import _ui as ui


def similar_hint(db, user, text: str, *, exclude_id: int | None = None) -> list[dict]:
    """Show up to 3 existing proposals similar to ``text``; returns them (for tests and callers)."""
    hits = ui.attempt(lambda: topic_map.similar_to_draft(db, user, text)) or []
    hits = [h for h in hits if h["id"] != exclude_id]
    if not hits:
        return []
    with st.container(border=True):
        st.markdown("**已有相似提案**：可以申请加入为合作者（需提交人同意），或突出你的提案的不同之处，避免重复。")
        for hit in hits:
            left, right = st.columns([5, 1])
            with left:
                st.text(f"#{hit['id']} {hit['title']}")
                st.caption(f"{ui.escape_md(hit['topic_name'] or '未分类')} · 相似度 {hit['similarity']:.0%}")
            with right:
                if hit["joinable"]:
                    if st.button("申请加入为合作者", key=f"join_{hit['id']}"):
                        if ui.attempt(lambda: join_requests.request_to_join(db, user, hit["id"])) is not None:
                            ui.flash("已发送加入申请，提交人同意后你将成为合作者。")
                else:
                    st.caption("该提案暂不接受加入申请")
    return hits


def join_requests_panel(db, user) -> None:
    """Join requests to answer (as submitter) and those sent (as requester); nothing when there are none."""
    incoming = ui.attempt(lambda: join_requests.requests_to_answer(db, user)) or []
    sent = ui.attempt(lambda: join_requests.my_join_requests(db, user)) or []
    if not incoming and not sent:
        return
    if incoming:
        st.subheader("合作者加入申请")
    for request in incoming:
        with st.container(border=True):
            st.text(f"{request['requester']}（{request['college'] or ''} {request['student_no'] or ''}）"
                    f"申请加入你的提案 #{request['proposal_id']} {request['title']}")
            if request["message"]:
                st.text(f"附言：{request['message']}")
            yes, no, _ = st.columns([1, 1, 4])
            if yes.button("同意", key=f"join_accept_{request['id']}", type="primary"):
                if ui.attempt(lambda: join_requests.answer_join_request(db, user, request["id"], True) or True):
                    ui.flash("已同意，对方已成为该提案的合作者。")
            if no.button("婉拒", key=f"join_decline_{request['id']}"):
                if ui.attempt(lambda: join_requests.answer_join_request(db, user, request["id"], False) or True):
                    ui.flash("已婉拒该申请。")
    if not sent:
        return
    with st.expander(f"我发出的加入申请（{len(sent)}）"):
        st.dataframe([{"提案": f"#{r['proposal_id']} {r['title']}", "状态": r["status_name"],
                       "申请时间": r["created_at"]} for r in sent], hide_index=True, width="stretch")
        pending = [r for r in sent if r["status"] == "pending"]
        if pending:
            with st.form("cancel_join"):
                chosen = st.selectbox("撤回申请", [r["id"] for r in pending],
                                      format_func=lambda i: next(f"#{r['proposal_id']} {r['title']}"
                                                                 for r in pending if r["id"] == i))
                if st.form_submit_button("撤回"):
                    if ui.attempt(lambda: join_requests.cancel_join_request(db, user, chosen) or True):
                        ui.flash("申请已撤回。")
