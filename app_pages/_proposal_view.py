"""Showing a proposal, its attachments and its timeline; shared by the proposal pages.

All user text goes through st.text / st.dataframe or ui.escape_md, never raw markdown.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from contest import attachments, settings, timeline
from contest.errors import ContestError
from contest.vocabulary import ProposalStatus, StepState, label_of
from app_pages import _ui as ui

FIELDS = [("problem", "问题描述"), ("investigation", "调研情况"), ("suggestions", "建议措施")]


def status_label(status: str) -> str:
    return label_of(ProposalStatus, status)


def author_line(db, proposal: dict) -> str:
    submitter = proposal.get("submitter") or {}
    name = proposal.get("author_name") or submitter.get("name") or ""
    people = [f"{name}（{submitter.get('student_no')}）" if submitter.get("student_no") and not proposal.get(
        "author_name") else name]
    people += [f"{c['name']}（{c['student_no']}）" for c in proposal.get("coauthors") or []]
    return "、".join(p for p in people if p)


def show_fields(db, proposal: dict, *, header: bool = True) -> None:
    """Title, facts and the three text sections, all as plain text."""
    contest = settings.get(db)
    if header:
        st.text(proposal["title"] or "（无标题）")
    facts = {
        "编号": str(proposal["id"]),
        "状态": status_label(proposal["status"]),
        "议题": contest.topic_name(proposal["topic"]) if proposal["topic"] else "未选择",
        "建议承办部门": settings.department_name(db, proposal["department"]) or "未指定",
        "提案人": author_line(db, proposal),
        "学院": proposal.get("college") or "",
    }
    st.dataframe(pd.DataFrame([facts]), hide_index=True)
    if proposal["status"] == "invalid" and proposal.get("invalid_reason"):
        st.error("不予立案的理由：")
        st.text(proposal["invalid_reason"])
    for key, label in FIELDS:
        st.markdown(f"**{label}**")
        st.text(proposal[key] or "（未填写）")


def show_attachments(db, user, proposal_id: int, *, key: str, removable: bool = False) -> None:
    try:
        files = attachments.list_for(db, user, proposal_id)
    except ContestError:
        return
    if not files:
        st.caption("没有附件。")
        return
    st.markdown("**附件**")
    for n, item in enumerate(files, start=1):
        # The file name is user text: shown with st.text, never inside a (markdown) button label.
        left, middle, right = st.columns([4, 1, 1], vertical_alignment="center")
        try:
            name, mime, data = attachments.read(db, user, item["id"])
        except ContestError as error:
            left.text(f"{item['filename']}：{error}")
            continue
        left.text(f"{n}. {name}（{attachments.KINDS[item['kind']][0]}，{attachments.size_label(item['size'])}）")
        middle.download_button("下载", data, file_name=name, mime=mime, key=f"{key}_dl_{item['id']}",
                               on_click="ignore", icon=":material/download:")
        if removable and right.button("删除", key=f"{key}_rm_{item['id']}", icon=":material/delete:"):
            if ui.attempt(lambda: attachments.remove(db, user, item["id"]) or True):
                ui.flash("附件已删除。")


def show_timeline(db, user, proposal_id: int) -> None:
    steps = timeline.timeline(db, user, proposal_id)
    st.markdown("**进度**：" + " → ".join(
        (f"**{ui.escape_md(s['step'])}**" if s["state"] == "done" else ui.escape_md(s["step"]))
        for s in steps))
    frame = pd.DataFrame([{"步骤": s["step"], "状态": label_of(StepState, s["state"]),
                           "时间": s["at"] or "", "说明": s["detail"] or ""} for s in steps])
    st.dataframe(frame, hide_index=True)
