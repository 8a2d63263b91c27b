"""Organizer: the audit log."""
import json

import pandas as pd
import streamlit as st

from contest import audit
from app_pages import _ui as ui

ACTIONS = {
    "accept_join": "同意加入合作", "add_assignment": "添加评审分配", "add_attachment": "上传附件",
    "auto_assign": "自动分配评审", "cancel_join": "取消加入申请", "change_password": "修改密码",
    "clear_award_override": "取消奖项调整", "create_account": "新建账号", "sso_login": "统一身份认证登录", "create_proposal": "新建提案",
    "declare_conflict": "声明回避", "decline_case": "部门退回转办", "disable_account": "停用账号",
    "discard_assignments": "放弃分配草案", "edit_proposal": "修改提案", "enable_account": "启用账号",
    "forward_proposal": "转办提案", "import_accounts": "导入账号", "import_assignments": "导入评审分配",
    "import_proposals": "导入提案", "import_replies": "导入答复", "lock_rubric": "锁定评分标准",
    "merge_proposals": "合并提案", "override_award": "调整奖项", "predict_topic": "自动归类议题",
    "publish_assignments": "发布评审分配", "publish_reply": "发布答复", "publish_results": "公布结果",
    "rate_reply": "评价答复", "reforward_case": "重新转办", "register": "学生注册",
    "remove_assignment": "移除评审分配", "remove_attachment": "删除附件", "remove_conflict": "取消回避",
    "reply_case": "部门答复", "request_further_reply": "要求再次答复", "request_join": "申请加入合作",
    "reset_password": "重置密码", "screen_proposal": "立案审查", "set_topic": "调整议题",
    "split_proposals": "拆分提案", "submit_proposal": "提交提案", "submit_sheet": "提交评分",
    "unlock_rubric": "解锁评分标准", "unpublish_results": "撤回结果公布", "update_departments": "修改职能部门",
    "update_settings": "修改比赛设置", "withdraw_proposal": "撤回提案",
}
TARGETS = {"proposal": "提案", "case": "转办", "user": "账号", "sheet": "评分表", "reply": "答复"}
WHOLE = {"assignments": "评审分配", "departments": "职能部门", "proposals": "提案", "replies": "答复",
         "results": "评审结果", "rubric": "评分标准", "settings": "比赛设置", "users": "账号"}


def target_label(target) -> str:
    kind, _, key = str(target or "").partition(":")
    if target in WHOLE:
        return WHOLE[target]
    return f"{TARGETS[kind]} #{key}" if kind in TARGETS and key else str(target or "")


def detail_text(detail: str) -> str:
    """The recorded change as one line: 'key: old → new; key: value'."""
    try:
        value = json.loads(detail or "{}")
    except ValueError:
        return str(detail)

    def show(v) -> str:
        if isinstance(v, dict) and set(v) == {"old", "new"}:
            return f"{show(v['old'])} → {show(v['new'])}"
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False)
        return "—" if v in (None, "") else str(v)

    if isinstance(value, dict) and set(value) == {"old", "new"}:
        return show(value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{show(v)}" for k, v in value.items())
    return show(value)


st.title("审计日志")
st.caption("记录设置、账号、提案状态、评分、转办等所有修改：谁、何时、改了什么。显示最近 500 条。")
rows = audit.entries(ui.db(), ui.user())
frame = pd.DataFrame(rows, columns=["id", "at", "actor_id", "actor", "action", "target", "detail"])
frame["action"] = frame["action"].map(lambda a: ACTIONS.get(a, a))
frame["target"] = frame["target"].map(target_label)
frame["detail"] = frame["detail"].map(detail_text)
query = st.text_input("筛选（操作人、操作、对象或内容）", max_chars=50)
if query:
    mask = frame[["actor", "action", "target", "detail"]].apply(lambda c: c.str.contains(query, regex=False, na=False))
    frame = frame[mask.any(axis=1)]
st.dataframe(frame.drop(columns=["actor_id"]), hide_index=True, width="stretch",
             column_config={"id": "序号", "at": "时间", "actor": "操作人", "action": "操作", "target": "对象",
                            "detail": "详情（原值 → 新值）"})
