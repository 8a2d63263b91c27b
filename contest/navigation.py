"""Which pages each role may open: (file, title, icon). A page not listed for a role cannot be reached."""
from .vocabulary import Role


PUBLIC = [
    ("app_pages/public_followup.py", "提案办理公开", ":material/campaign:"),
    ("app_pages/honour_roll.py", "获奖名单", ":material/emoji_events:"),
]
ACCOUNT = [("app_pages/account.py", "我的账号", ":material/person:"),
           ("app_pages/inbox.py", "消息", ":material/notifications:")]
INBOX = "app_pages/inbox.py"  # its title carries the number of unread notices (streamlit_app.py)
ROLE_PAGES = {
    Role.PARTICIPANT: {
        "提案": [
            ("app_pages/my_proposals.py", "我的提案", ":material/description:"),
            ("app_pages/write_proposal.py", "撰写提案", ":material/edit_note:"),
        ],
    },
    Role.JUDGE: {
        "评审": [
            ("app_pages/judge_queue.py", "评审任务", ":material/checklist:"),
            ("app_pages/score_sheet.py", "评分", ":material/grading:"),
            ("app_pages/bulk_scores.py", "批量评分", ":material/table_edit:"),
        ],
    },
    Role.ORGANIZER: {
        "总览": [("app_pages/overview.py", "概览", ":material/dashboard:")],
        "提案": [
            ("app_pages/all_proposals.py", "全部提案", ":material/table_view:"),
            ("app_pages/screening.py", "立案审查", ":material/fact_check:"),
            ("app_pages/import_proposals.py", "导入提案", ":material/upload_file:"),
            ("app_pages/topic_map.py", "话题地图", ":material/hub:"),
        ],
        "评审": [
            ("app_pages/assignment.py", "评审分配", ":material/assignment_ind:"),
            ("app_pages/judging_progress.py", "评审进度", ":material/monitoring:"),
            ("app_pages/leaderboard.py", "排名与奖项", ":material/leaderboard:"),
        ],
        "办理": [
            ("app_pages/forwarding.py", "提案转办", ":material/forward_to_inbox:"),
            ("app_pages/followup_dashboard.py", "办理追踪", ":material/insights:"),
            ("app_pages/meetings.py", "提案对接会", ":material/groups:"),
            ("app_pages/report.py", "提案工作报告", ":material/summarize:"),
        ],
        "管理": [
            ("app_pages/contest_settings.py", "比赛设置", ":material/settings:"),
            ("app_pages/user_admin.py", "账号管理", ":material/group:"),
            ("app_pages/audit_log.py", "审计日志", ":material/history:"),
            ("app_pages/contests.py", "历届比赛", ":material/calendar_month:"),
        ],
    },
    Role.DEPARTMENT: {
        "办理": [("app_pages/department_queue.py", "待办提案", ":material/inbox:")],
    },
}
LOGGED_OUT = [
    ("app_pages/login.py", "登录", ":material/login:"),
    ("app_pages/register.py", "学生注册", ":material/how_to_reg:"),
]
FIRST_LOGIN = [("app_pages/first_login.py", "设置新密码", ":material/key:")]
# Every page of the portal, once: a URL of a page the user may not open still leads somewhere.
EVERY_PAGE = list(dict.fromkeys(LOGGED_OUT + FIRST_LOGIN + PUBLIC + ACCOUNT + [
    entry for sections in ROLE_PAGES.values() for entries in sections.values() for entry in entries]))
