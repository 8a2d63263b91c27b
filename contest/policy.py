"""Who may do what: the permission table and the row rules every domain function uses.

``PERMISSIONS`` maps an action name to the roles allowed to do it and a Chinese description;
a domain function starts with ``policy.require(user, "action")`` (PermissionDenied otherwise)
and branches with ``policy.allows(user, "action")`` where roles see different things (an
organizer every case, a department its own). The row rules answer the questions that depend on
the data, not only on the role: is this user an author of the proposal, a judge with a
published assignment to it, a department it was forwarded to?

The table is plain data, iterable for documentation and tests::

    for action, permission in PERMISSIONS.items():
        print(action, sorted(permission.roles), permission.description)

Adding a role: add it to ``vocabulary.Role`` and to the actions below it may do (and its pages
to ``contest/navigation.py``). Nothing registers itself at import time.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from .errors import PermissionDenied
from .vocabulary import Role

PARTICIPANT, JUDGE, ORGANIZER, DEPARTMENT = Role.PARTICIPANT, Role.JUDGE, Role.ORGANIZER, Role.DEPARTMENT


@dataclass(frozen=True)
class Permission:
    roles: tuple[Role, ...]
    description: str


PERMISSIONS: dict[str, Permission] = {
    # accounts and settings
    "change_own_password": Permission((PARTICIPANT, JUDGE, ORGANIZER, DEPARTMENT), "修改自己的密码"),
    "end_own_sessions": Permission((PARTICIPANT, JUDGE, ORGANIZER, DEPARTMENT), "退出自己在所有设备上的登录"),
    "manage_accounts": Permission((ORGANIZER,), "管理账号：新建、导入、停用、重置密码、查看账号名单"),
    "manage_settings": Permission((ORGANIZER,), "修改比赛设置、评分标准和职能部门"),
    "read_audit_log": Permission((ORGANIZER,), "查看审计日志"),
    # proposals
    "write_proposals": Permission((PARTICIPANT,), "撰写、提交、修改、撤回自己的提案，管理附件，查看相似提案"),
    "join_proposals": Permission((PARTICIPANT,), "申请加入他人的提案，答复加入申请"),
    "answer_coauthor_invitations": Permission((PARTICIPANT,), "查看并接受或婉拒别人邀请自己成为合作者"),
    "leave_proposals": Permission((PARTICIPANT,), "退出自己作为合作者的提案"),
    "read_own_proposals": Permission((PARTICIPANT,), "查看自己（含合作）的提案及其附件、评审结果"),
    "read_all_proposals": Permission((ORGANIZER,), "查看、检索、导出全部提案及附件"),
    "screen_proposals": Permission((ORGANIZER,), "立案审查、修改议题、导入提案"),
    "manage_topics": Permission((ORGANIZER,), "话题地图：自动归类议题、合并与拆分同题提案"),
    # judging and results
    "manage_judging": Permission((ORGANIZER,), "分配评委、发布分配、管理利益冲突、查看评审进度、锁定与解锁评分标准"),
    "review_proposals": Permission((JUDGE,), "评审分配给自己的提案（匿名）：评分、保存草稿、批量录入"),
    "declare_conflict": Permission((ORGANIZER, JUDGE), "声明利益冲突（评委只能为自己声明）"),
    "manage_results": Permission((ORGANIZER,), "查看排名、调整奖项、设置排名方法、公布或撤回结果"),
    # follow-up
    "forward_proposals": Permission((ORGANIZER,), "转办提案、改派、决定答复是否公开、查看办理统计"),
    "read_all_cases": Permission((ORGANIZER,), "查看全部办理件（含提案人和评价人）"),
    "read_department_cases": Permission((DEPARTMENT,), "查看转给本部门（主办或协办）的办理件"),
    "read_own_cases": Permission((PARTICIPANT,), "查看自己提案的办理件，不含内部说明"),
    "answer_cases": Permission((DEPARTMENT, ORGANIZER), "答复办理件、更新进展、导入答复（组织者可代部门录入）"),
    "decline_cases": Permission((DEPARTMENT,), "主办部门退回无法办理的办理件，协办部门退出协办"),
    "rate_replies": Permission((PARTICIPANT,), "评价部门答复，申请再次答复"),
    "manage_meetings": Permission((ORGANIZER,), "筹备提案对接会（职能部门面对面）、记录对接结果和会议纪要"),
    # contests year after year
    "start_new_contest": Permission((ORGANIZER,), "开始新一届比赛（本届归档为只读的往届比赛），切换查看往届比赛"),
    # notices and reminders
    "read_own_notices": Permission((PARTICIPANT, JUDGE, ORGANIZER, DEPARTMENT), "查看自己的消息，设置是否接收邮件通知"),
    "send_reminders": Permission((ORGANIZER,), "催办：提醒未完成评分的评委和逾期未答复的部门"),
}

def permission_table() -> str:
    """PERMISSIONS as a markdown table (one row per action, one column per role); docs/SECURITY.md
    publishes exactly this table (tests/unit/test_authorization_matrix.py checks it is current)."""
    roles = list(Role)
    lines = ["| 操作 | 说明 | " + " | ".join(r.label for r in roles) + " |",
             "|---|---|" + "---|" * len(roles)]
    for action, permission in PERMISSIONS.items():
        marks = " | ".join("✓" if r in permission.roles else "—" for r in roles)
        lines.append(f"| `{action}` | {permission.description} | {marks} |")
    return "\n".join(lines)


#: Roles an organizer creates accounts for (students register themselves).
STAFF_ROLES = (JUDGE, DEPARTMENT, ORGANIZER)


def roles_for(action: str) -> tuple[Role, ...]:
    return PERMISSIONS[action].roles


def allows(user, action: str) -> bool:
    """Whether a logged-in ``user`` has a role allowed to do ``action``."""
    return user is not None and user.role in PERMISSIONS[action].roles


def require(user, *actions: str) -> None:
    """PermissionDenied (in Chinese) unless ``user`` is logged in and may do one of ``actions``."""
    if user is None:
        raise PermissionDenied("请先登录。")
    if not any(allows(user, action) for action in actions):
        roles = dict.fromkeys(role for action in actions for role in PERMISSIONS[action].roles)
        raise PermissionDenied(f"无权限：此操作仅限{'、'.join(role.label for role in roles)}。")


# --- row rules ------------------------------------------------------------------------------


def is_author(db: Database, user, proposal_id: int) -> bool:
    """The user submitted the proposal or is one of its co-authors."""
    if user is None:
        return False
    return bool(db.execute(
        """select 1 from proposals where id = ? and submitter_id = ?
           union select 1 from coauthors where proposal_id = ? and user_id = ?""",
        [proposal_id, user.id, proposal_id, user.id]).fetchone())


def is_assigned_judge(db: Database, user, proposal_id: int) -> bool:
    """A judge with a *published* assignment to a proposal that is still 立案 (one re-screened as
    不予立案 leaves the judges' queues)."""
    if not allows(user, "review_proposals"):
        return False
    return bool(db["assignments"].count_where(
        "proposal_id = ? and judge_id = ? and published = 1 "
        "and proposal_id in (select id from proposals where status = 'valid')", [proposal_id, user.id]))


def handles_case(db: Database, user, case_id: int) -> bool:
    """The user's department is the case's lead or a co-handling department."""
    if not allows(user, "read_department_cases") or not user.department:
        return False
    return bool(db["case_departments"].count_where("case_id = ? and department = ?", [case_id, user.department]))


def handles_proposal(db: Database, user, proposal_id: int) -> bool:
    """The proposal was forwarded (alone or in a merged case) to the user's department."""
    if not allows(user, "read_department_cases") or not user.department:
        return False
    return bool(db.execute("""select 1 from case_members m join case_departments d on d.case_id = m.case_id
                              where m.proposal_id = ? and d.department = ?""",
                           [proposal_id, user.department]).fetchone())
