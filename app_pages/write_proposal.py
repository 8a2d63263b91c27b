"""撰写提案: write a new proposal or edit one of one's own; 保存草稿 and 提交; what is typed is autosaved."""
import uuid

import streamlit as st

from contest import attachments, autosave, clock, proposals, settings
from contest.errors import ContestError, ValidationError
from app_pages import _proposal_view as view
from app_pages import _ui as ui
from app_pages._archive_widgets import earlier_answers
from app_pages._topic_widgets import similar_hint

db, user = ui.db(), ui.user()
contest = settings.get(db)
now = clock.now()
NEW = autosave.NEW

st.title("撰写提案")
deadline = contest.phases.get("submission_closes")
grace = f"（宽限期至 {contest.grace_until}）" if contest.grace_until else ""
when = "截止前可随时修改或撤回" if contest.submission_open(now) else "征集已截止，提案只读"
st.caption(f"一事一案：每件提案只谈一个问题。征集截止：{deadline}{grace}。{when}；"
           "标题 5–40 字，问题描述、调研情况、建议措施各 20–3000 字。")

if problem := st.session_state.pop("wp_problem", None):
    st.error(ui.escape_md(problem))

own = [p for p in proposals.mine(db, user) if p["submitter_id"] == user.id]
labels = {p["id"]: f"#{p['id']} {p['title'] or '（无标题）'} · {view.status_label(p['status'])}" for p in own}
choices = [NEW] + [p["id"] for p in own]
# The chosen proposal is kept in wp_selected, apart from the chooser widget: a chooser's label
# changes when its draft is saved with a new title (or submitted), and the browser then sends back
# the old label, which matches no option any more -- the form used to fall back to 新建提案 then.
pending = st.session_state.pop("wp_pending_choice", None)
if pending in choices:
    st.session_state["wp_selected"] = pending
if st.session_state.get("wp_selected") not in choices:
    # A new visit (after navigation, a reload or a new login): where the student left off typing.
    last = autosave.latest(db, user)
    st.session_state["wp_selected"] = last if last in choices else NEW
if st.session_state.get("wp_choice") != st.session_state["wp_selected"]:
    st.session_state["wp_choice"] = st.session_state["wp_selected"]


def _chosen(options=tuple(choices)) -> None:
    if st.session_state.get("wp_choice") in options:
        st.session_state["wp_selected"] = st.session_state["wp_choice"]


choice = st.selectbox("选择提案（新建或继续编辑自己的提案）", choices, key="wp_choice", on_change=_chosen,
                      persist_state="session",
                      format_func=lambda i: "（新建提案）" if i == NEW else labels.get(i, f"#{i}"))

proposal = proposals.get(db, user, choice) if choice else None
if proposal:
    editable, reason = proposals.can_edit(db, user, proposal, now)
else:
    editable = contest.submission_open(now)
    opens = contest.at("submission_opens")
    reason = "" if editable else (f"提案征集将于 {contest.phases.get('submission_opens')} 开始。"
                                  if opens and now < opens else f"提案征集已于 {deadline} 截止，不能再新建提案。")

if not editable:
    st.info(reason, icon=":material/lock:")
    # Text typed before the deadline passed (or before the proposal was locked) is not thrown away:
    # it is shown for copying when it differs from what was saved.
    saved = proposal or {}
    kept = (autosave.restore(db, user, choice) or {}).get("fields", {})
    typed = {key: st.session_state.get(f"wp{choice}_{key}", kept.get(key)) for key in ("title", *dict(view.FIELDS))}
    unsaved = [(label, typed[key]) for key, label in [("title", "标题"), *view.FIELDS]
               if str(typed[key] or "").strip() and typed[key] != (saved.get(key) or "")]
    if unsaved:
        st.warning("以下是你输入但未能保存的内容，可点右上角按钮复制留存：", icon=":material/content_copy:")
        for label, text in unsaved:
            st.caption(label)
            st.code(text, language=None, wrap_lines=True)
    if proposal:
        view.show_fields(db, proposal)
        view.show_attachments(db, user, proposal["id"], key="wp_ro")
    st.stop()

prefix = f"wp{choice}_"
topic_codes = [""] + contest.topic_codes
departments = {d["code"]: d["name"] for d in settings.departments(db)}
department_codes = [""] + list(departments)

# Seed the form the first time it is shown: from what was typed and autosaved but not saved yet
# (after leaving the page, a reload or a new login), else from the saved proposal. From then on the
# widget keys keep what the student typed across reruns, so nothing is lost when a save is refused.
if prefix + "title" not in st.session_state:
    saved = proposal or {}
    seed = {"title": saved.get("title") or "", **{key: saved.get(key) or "" for key, _ in view.FIELDS},
            "topic": saved.get("topic") or "", "department": saved.get("department") or "",
            # accepted co-authors and the numbers still invited (contest/coauthors.py): deleting one withdraws it
            "coauthors": " ".join([c["student_no"] for c in saved.get("coauthors", [])]
                                  + [i["student_no"] for i in saved.get("invitations", []) if i["status"] == "pending"])}
    kept = autosave.restore(db, user, choice)
    if kept and kept["fields"] != seed:
        seed |= kept["fields"]
        st.session_state[prefix + "restored"] = kept["updated_at"]
    elif kept:
        autosave.discard(db, user, choice)
    seed["topic"] = seed["topic"] if seed["topic"] in topic_codes else ""
    seed["department"] = seed["department"] if seed["department"] in department_codes else ""
    for key in autosave.FIELDS:
        st.session_state[prefix + key] = seed[key]


def _keep(proposal_id: int, prefix: str) -> None:
    """Autosave (on every change of a field): what is typed goes to the database at once."""
    ui.attempt(lambda: autosave.keep(ui.db(), ui.user(), proposal_id,
                                     {key: st.session_state.get(prefix + key) for key in autosave.FIELDS}))


if restored := st.session_state.get(prefix + "restored"):
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.info(f"已恢复你在 {restored} 自动保存、还没有保存为草稿的内容。", icon=":material/restore:")
    if right.button("放弃这些修改", key=prefix + "discard", icon=":material/undo:"):
        autosave.discard(db, user, choice)
        for key in [*autosave.FIELDS, "restored"]:
            st.session_state.pop(prefix + key, None)
        st.rerun()
files_key = f"{prefix}files{st.session_state.get(prefix + 'files_round', 0)}"

if proposal:
    st.caption(f"状态：{view.status_label(proposal['status'])} · 最后保存：{proposal['updated_at']}")
    if proposal["status"] == "withdrawn":
        st.warning("这件提案已撤回。修改后可以重新保存为草稿并提交。")
    view.show_attachments(db, user, proposal["id"], key=prefix, removable=True)

submitted = bool(proposal and proposal["status"] == "submitted")
# No st.form: a field inside a form reaches the server only with a button, so it could not be
# autosaved; here every change of a field (leaving it) is kept in the database by _keep.
autosaved = {"on_change": _keep, "args": (choice, prefix), "persist_state": "session"}
with st.container(border=True):
    st.text_input("标题 *", key=prefix + "title", max_chars=proposals.TITLE_LEN[1], **autosaved,
                  placeholder="关于……的建议（5–40 字）")
    left, right = st.columns(2)
    left.selectbox("议题 *", topic_codes, key=prefix + "topic", **autosaved,
                   format_func=lambda c: contest.topic_name(c) if c else "请选择议题")
    right.selectbox("建议承办部门", department_codes, key=prefix + "department", **autosaved,
                    format_func=lambda c: departments[c] if c else "（不指定）")
    st.text_area("问题描述 *", key=prefix + "problem", height=150, max_chars=proposals.TEXT_LEN[1], **autosaved,
                 placeholder="发现了什么问题？在哪里、影响了谁、有多严重？")
    st.text_area("调研情况 *", key=prefix + "investigation", height=150, max_chars=proposals.TEXT_LEN[1], **autosaved,
                 placeholder="怎样调研的：方法（问卷、访谈、实地观察）、样本量、关键数据。")
    st.text_area("建议措施 *", key=prefix + "suggestions", height=150, max_chars=proposals.TEXT_LEN[1], **autosaved,
                 placeholder="具体、可操作的建议，最好写明由谁、在什么时间、怎样做。")
    st.text_input(f"合作者学号（最多 {proposals.MAX_COAUTHORS} 人，用逗号或空格分隔；合作者需先注册，"
                  "对方在“我的提案”接受邀请后才成为合作者）", key=prefix + "coauthors", **autosaved)
    if proposal and proposal.get("invitations"):
        st.caption("合作邀请：" + "；".join(f"{i['student_no']} {i['status_label']}" for i in proposal["invitations"]))
    uploads = st.file_uploader(
        f"附件（可选，最多 {attachments.MAX_FILES} 个，每个不超过 10 MB：{attachments.ACCEPTED}）",
        type=attachments.UPLOAD_TYPES, accept_multiple_files=True, key=files_key)
    b1, b2, b3, _ = st.columns([1, 1, 1.3, 1.7])
    save_clicked = b1.button("保存修改" if submitted else "保存草稿", key=prefix + "save", icon=":material/save:")
    submit_clicked = False if submitted else b2.button("提交", type="primary", key=prefix + "submit",
                                                       icon=":material/send:")
    # Saves nothing: the rerun shows the similar proposals below for what has been typed so far.
    b3.button("查找相似提案", key=prefix + "similar", icon=":material/search:")

typed = "。".join(str(st.session_state.get(prefix + k) or "") for k in ("title", *dict(view.FIELDS)))
similar_hint(db, user, typed)
earlier_answers(db, user, typed, intro="往年同一问题的提案和部门的答复，可作参考，写出新情况、新建议。")


def _check_uploads(files) -> None:
    existing = len(attachments.list_for(db, user, proposal["id"])) if proposal else 0
    if existing + len(files) > attachments.MAX_FILES:
        raise ValidationError(f"每件提案最多 {attachments.MAX_FILES} 个附件，当前已有 {existing} 个。")
    for f in files:
        attachments.check_file(f.name, f.getvalue())


if save_clicked or submit_clicked:
    fields = {"title": st.session_state[prefix + "title"], "topic": st.session_state[prefix + "topic"],
              "department": st.session_state[prefix + "department"],
              "coauthors": st.session_state[prefix + "coauthors"]}
    fields |= {key: st.session_state[prefix + key] for key, _ in view.FIELDS}
    # One token per new-proposal form: a double click or a resubmit finds the same draft.
    token = st.session_state.setdefault("wp_new_token", uuid.uuid4().hex) if not proposal else None
    files = uploads or []
    ok = ui.attempt(lambda: _check_uploads(files) or True)
    pid = ok and ui.attempt(lambda: proposals.save_draft(db, user, fields, proposal_id=choice or None,
                                                         client_token=token, now=now))
    if pid:
        autosave.discard(db, user, choice)  # saved: the proposal itself holds what was typed now
        st.session_state.pop(prefix + "restored", None)
        problem = None
        for f in files:
            try:
                attachments.add(db, user, pid, f.name, f.getvalue(), now=now)
            except ContestError as error:
                problem = "草稿已保存，但附件未能保存：" + str(error)
        st.session_state[prefix + "files_round"] = st.session_state.get(prefix + "files_round", 0) + 1
        if problem is None and submit_clicked:
            try:
                proposals.submit(db, user, pid, now=now)
            except ContestError as error:
                problem = "草稿已保存，但还不能提交：" + str(error)
        if not proposal:
            # The new draft exists now: show it (seeded from what was just saved) from the next run on.
            st.session_state.pop("wp_new_token", None)
            st.session_state["wp_pending_choice"] = pid
        if problem:
            st.session_state["wp_problem"] = problem
            st.rerun()
        ui.flash("提案已提交。截止前仍可修改或撤回，进度见“我的提案”。" if submit_clicked
                 else ("修改已保存。" if submitted else "草稿已保存，可以随时回来继续编辑。"))

if proposal and proposal["status"] in ("draft", "submitted"):
    with st.expander("撤回提案"):
        st.caption("撤回后提案不再参加立案审查和评审；截止前可以重新编辑并再次提交。合作者不能撤回。")
        confirm = st.checkbox("我确认撤回这件提案", key=prefix + "confirm_withdraw")
        if st.button("撤回提案", disabled=not confirm, key=prefix + "withdraw", icon=":material/undo:"):
            if ui.attempt(lambda: proposals.withdraw(db, user, proposal["id"], now=now) or True):
                ui.flash("提案已撤回。")
