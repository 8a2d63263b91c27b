"""The contest's words, in one place: each stored value with its Chinese label.

Every vocabulary is an ``enum.StrEnum``: a member *is* the string stored in the database
(``Role.JUDGE == "judge"``), so existing data keeps its values, and ``member.label`` is what
the pages, exports and messages show. ``labels(Vocabulary)`` gives the ``{value: label}``
mapping for tables (``frame["status"].map(labels(CaseStatus))``) and select boxes;
``label_of(Vocabulary, value)`` the label of one stored value (the value itself if unknown).

This module imports nothing from ``contest``: every other module may use it.
To add a role, a status or an audit action, add a member here with its label.
"""
from __future__ import annotations

from enum import StrEnum
from functools import cache


class Vocabulary(StrEnum):
    """A stored string with its Chinese ``label``: ``MEMBER = "value", "标签"``."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


@cache
def labels(vocabulary: type[Vocabulary]) -> dict[str, str]:
    """``{stored value: Chinese label}`` in the order the members are defined."""
    return {member.value: member.label for member in vocabulary}


def label_of(vocabulary: type[Vocabulary], value) -> str:
    """The label of a stored value; the value itself (as text) when it is not a member."""
    return labels(vocabulary).get(value, "" if value is None else str(value))


def from_label(vocabulary: type[Vocabulary], text) -> str | None:
    """The stored value typed as itself or as its Chinese label (imports, radio buttons); None if neither."""
    text = str(text or "").strip()
    if text in labels(vocabulary):
        return text
    return next((value for value, name in labels(vocabulary).items() if name == text), None)


class Role(Vocabulary):
    PARTICIPANT = "participant", "参赛学生"
    JUDGE = "judge", "评委"
    ORGANIZER = "organizer", "组织者"
    DEPARTMENT = "department", "职能部门"


class ProposalStatus(Vocabulary):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    VALID = "valid", "已立案"
    INVALID = "invalid", "不予立案"
    WITHDRAWN = "withdrawn", "已撤回"


class JoinStatus(Vocabulary):
    """A request to join a proposal as co-author."""

    PENDING = "pending", "等待答复"
    ACCEPTED = "accepted", "已同意"
    DECLINED = "declined", "已婉拒"
    CANCELLED = "cancelled", "已撤回"


class InvitationStatus(Vocabulary):
    """An invitation to co-author a proposal (contest/coauthors.py)."""

    PENDING = "pending", "等待对方确认"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已婉拒"
    WITHDRAWN = "withdrawn", "已撤回邀请"
    LEFT = "left", "已退出合作"


class SheetStatus(Vocabulary):
    """A judge's score sheet (``todo``: not started, no row yet)."""

    TODO = "todo", "未开始"
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


class AssignmentSource(Vocabulary):
    AUTO = "auto", "自动分配"
    MANUAL = "manual", "手工调整"
    SHEET = "sheet", "表格导入"


class CaseStatus(Vocabulary):
    """A forwarded case (办理件); see contest.forwarding for its life."""

    PENDING = "pending", "待答复"
    DECLINED = "declined", "部门退回，待重新转办"
    REPLIED = "replied", "已答复"
    RESOLVED = "resolved", "已解决"


class AnswerState(Vocabulary):
    """The state a department's reply or update gives a case."""

    RESOLVED = "resolved", "已解决"
    IN_PROGRESS = "in_progress", "正在办理"
    PLANNED = "planned", "列入计划"
    NOT_FEASIBLE = "not_feasible", "暂不具备条件"


class EntryKind(Vocabulary):
    """An entry of a case: the first reply, a progress update, the answer to a further-reply request."""

    REPLY = "reply", "答复"
    UPDATE = "update", "进展更新"
    FURTHER = "further", "再次答复"


class Rating(Vocabulary):
    """An author's rating of the reply."""

    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class StepState(Vocabulary):
    """A step of a proposal's timeline."""

    DONE = "done", "已完成"
    CURRENT = "current", "进行中"
    TODO = "todo", "未开始"


class MeetingStatus(Vocabulary):
    """A feedback meeting (提案对接会); see contest.meetings."""

    PLANNED = "planned", "筹备中"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class NoticeEvent(Vocabulary):
    """What a notice (contest.notices) is about; the label is its heading in the inbox and the e-mail."""

    SUBMISSION_RECEIVED = "submission_received", "提案已提交"
    SCREENED_VALID = "screened_valid", "提案已立案"
    SCREENED_INVALID = "screened_invalid", "提案不予立案"
    COAUTHOR_INVITATION = "coauthor_invitation", "合作邀请"
    ASSIGNMENT_PUBLISHED = "assignment_published", "新的评审任务"
    SCORES_DUE = "scores_due", "评分即将截止"
    RESULTS_PUBLISHED = "results_published", "评审结果已公布"
    CASE_FORWARDED = "case_forwarded", "提案已转办"
    REPLY_RECEIVED = "reply_received", "部门已答复"
    FURTHER_REQUESTED = "further_requested", "提案人申请再次答复"
    MEETING_INVITATION = "meeting_invitation", "提案对接会邀请"
    REMINDER = "reminder", "催办提醒"


class ReminderKind(Vocabulary):
    """Whom a reminder (催办, contest.reminders) is for."""

    JUDGE = "judge", "评委：评分未完成"
    DEPARTMENT = "department", "部门：办理件逾期未答复"
    SCORES_DUE = "scores_due", "评委：评审截止前自动提醒"
    DUE_SOON = "due_soon", "部门：答复期限前自动提醒"


class AuditAction(Vocabulary):
    """Every action written to the audit log (``audit.record`` accepts nothing else)."""

    ACCEPT_JOIN = "accept_join", "同意加入合作"
    ADD_ASSIGNMENT = "add_assignment", "添加评审分配"
    ADD_ATTACHMENT = "add_attachment", "上传附件"
    AUTO_ASSIGN = "auto_assign", "自动分配评审"
    CANCEL_JOIN = "cancel_join", "取消加入申请"
    CHANGE_PASSWORD = "change_password", "修改密码"
    CLEAR_AWARD_OVERRIDE = "clear_award_override", "取消奖项调整"
    CREATE_ACCOUNT = "create_account", "新建账号"
    CREATE_PROPOSAL = "create_proposal", "新建提案"
    DECLARE_CONFLICT = "declare_conflict", "声明回避"
    DECLINE_CASE = "decline_case", "部门退回转办"
    DECLINE_JOIN = "decline_join", "婉拒加入合作"
    DISABLE_ACCOUNT = "disable_account", "停用账号"
    DISCARD_ASSIGNMENTS = "discard_assignments", "放弃分配草案"
    EDIT_PROPOSAL = "edit_proposal", "修改提案"
    ENABLE_ACCOUNT = "enable_account", "启用账号"
    END_SESSIONS = "end_sessions", "退出所有设备"
    FORWARD_PROPOSAL = "forward_proposal", "转办提案"
    IMPORT_ACCOUNTS = "import_accounts", "导入账号"
    IMPORT_ASSIGNMENTS = "import_assignments", "导入评审分配"
    IMPORT_PROPOSALS = "import_proposals", "导入提案"
    IMPORT_REPLIES = "import_replies", "导入答复"
    LOCK_RUBRIC = "lock_rubric", "锁定评分标准"
    MERGE_PROPOSALS = "merge_proposals", "合并提案"
    OVERRIDE_AWARD = "override_award", "调整奖项"
    PREDICT_TOPIC = "predict_topic", "自动归类议题"
    PUBLISH_ASSIGNMENTS = "publish_assignments", "发布评审分配"
    PUBLISH_REPLY = "publish_reply", "发布答复"
    PUBLISH_RESULTS = "publish_results", "公布结果"
    RATE_REPLY = "rate_reply", "评价答复"
    REFORWARD_CASE = "reforward_case", "重新转办"
    REGISTER = "register", "学生注册"
    REMOVE_ASSIGNMENT = "remove_assignment", "移除评审分配"
    REMOVE_ATTACHMENT = "remove_attachment", "删除附件"
    REMOVE_CONFLICT = "remove_conflict", "取消回避"
    REPLY_CASE = "reply_case", "部门答复"
    REQUEST_FURTHER_REPLY = "request_further_reply", "要求再次答复"
    REQUEST_JOIN = "request_join", "申请加入合作"
    RESET_PASSWORD = "reset_password", "重置密码"
    SAVE_SHEET = "save_sheet", "保存评分草稿"
    SCREEN_PROPOSAL = "screen_proposal", "立案审查"
    SET_TOPIC = "set_topic", "调整议题"
    START_NEW_CONTEST = "start_new_contest", "开始新一届比赛"
    SPLIT_PROPOSALS = "split_proposals", "拆分提案"
    KEEP_APART = "keep_apart", "同题建议：不是同一问题"
    SSO_LOGIN = "sso_login", "统一身份认证登录"
    SUBMIT_PROPOSAL = "submit_proposal", "提交提案"
    SUBMIT_SHEET = "submit_sheet", "提交评分"
    UNLOCK_RUBRIC = "unlock_rubric", "解锁评分标准"
    UNPUBLISH_REPLY = "unpublish_reply", "撤回答复公开"
    UNPUBLISH_RESULTS = "unpublish_results", "撤回结果公布"
    UPDATE_DEPARTMENTS = "update_departments", "修改职能部门"
    UPDATE_SETTINGS = "update_settings", "修改比赛设置"
    WITHDRAW_PROPOSAL = "withdraw_proposal", "撤回提案"
    PLAN_MEETING = "plan_meeting", "筹备提案对接会"
    RECORD_MEETING_OUTCOME = "record_meeting_outcome", "记录对接会结果"
    SAVE_MINUTES = "save_minutes", "保存会议纪要"
    CANCEL_MEETING = "cancel_meeting", "取消提案对接会"
    SET_EMAIL_NOTICES = "set_email_notices", "修改邮件通知设置"
    SEND_REMINDERS = "send_reminders", "催办"
    INVITE_COAUTHOR = "invite_coauthor", "邀请合作者"
    WITHDRAW_COAUTHOR_INVITATION = "withdraw_coauthor_invitation", "撤回合作邀请"
    ACCEPT_COAUTHOR_INVITATION = "accept_coauthor_invitation", "接受合作邀请"
    DECLINE_COAUTHOR_INVITATION = "decline_coauthor_invitation", "婉拒合作邀请"
    REMOVE_COAUTHOR = "remove_coauthor", "移除合作者"
    LEAVE_PROPOSAL = "leave_proposal", "退出合作"
