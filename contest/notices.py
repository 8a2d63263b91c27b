"""Notices (消息): an in-portal inbox for every role, with an e-mail copy when e-mail is on.

``notify(db, user_ids, event, title, body, page)`` writes one notice per (active) user and, once no
transaction is open any more, e-mails those who have an address and did not turn e-mail off
(``users.email_notices``). The in-portal notice is committed first; the e-mail is sent after the outermost transaction
commits (``db.after_commit``), and a failing SMTP server is caught and logged (the notice stays,
marked ``failed``): it neither blocks the action nor loses the notice. What is left pending (a
transaction opened some other way) goes with the next delivery or ``python -m contest remind``.

The event functions below say who is told what, from the ids a domain function already has; each
is called with one line after the domain function's write. What each role learns follows the
portal's rules: a judge never learns who wrote a proposal, a department never who wrote or rated it,
a student only about their own proposals.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlite_utils import Database

from . import audit, clock, db as database, mailer, policy, settings
from .vocabulary import AnswerState, NoticeEvent, label_of

log = logging.getLogger("contest.notices")

MY_PROPOSALS = "app_pages/my_proposals.py"
JUDGE_QUEUE = "app_pages/judge_queue.py"
DEPARTMENT_QUEUE = "app_pages/department_queue.py"
INBOX = "app_pages/inbox.py"


def notify(db: Database, user_ids, event: str, title: str, body: str = "", *, page: str = "",
           now: dt.datetime | None = None) -> list[int]:
    """One notice for each of ``user_ids`` (each user once; inactive accounts skipped); returns their ids."""
    event = NoticeEvent(event)
    ids = sorted({int(u) for u in user_ids or []})
    if not ids:
        return []
    stamp = clock.iso(clock.given_or_now(now))
    mail_on = _mail_on(db)
    marks = ",".join("?" * len(ids))
    with database.transaction(db):
        users = list(db.query(f"select id, email, email_notices from users where id in ({marks}) and active = 1",
                              ids))
        notice_ids = [db["notices"].insert({
            "user_id": u["id"], "event": str(event), "title": title, "body": body, "page": page,
            "created_at": stamp, "email": "pending" if mail_on and u["email"] and u["email_notices"] else ""}).last_pk
            for u in users]
    if mail_on:
        database.after_commit(db, deliver)
    return notice_ids


def _mail_on(db: Database) -> bool:
    """E-mail is on for the contest (read cheaply: notify runs inside many domain writes)."""
    row = next(db.query("select value from settings where key = 'email_enabled'"), None)
    return bool(row and row["value"] == "true") and mailer.config(settings.get(db)) is not None


def deliver(db: Database, limit: int = 200) -> dict:
    """E-mail the pending notices (after they are committed); returns {'sent': n, 'failed': n}.

    Never raises: the action that wrote the notices is already committed. A server that cannot be
    reached marks them ``failed`` and logs; a busy database leaves them pending for the next delivery."""
    try:
        return send_pending(db, limit)
    except Exception:
        log.exception("e-mail delivery stopped; the notices stay in the inbox")
        return {"sent": 0, "failed": 0}


def send_pending(db: Database, limit: int = 200) -> dict:
    """The work of ``deliver``, which may raise (a busy database)."""
    counts = {"sent": 0, "failed": 0}
    if not db["notices"].count_where("email = 'pending'"):
        return counts
    cfg = mailer.config(settings.get(db))
    with database.transaction(db):  # claim them, so a second delivery running at once skips them
        pending = list(db.query("""select n.id, n.title, n.body, n.event, u.email from notices n
                                   join users u on u.id = n.user_id
                                   where n.email = 'pending' order by n.id limit ?""", [limit]))
        marks = ",".join("?" * len(pending))
        if pending:
            db.execute(f"update notices set email = ? where id in ({marks})",
                       ["sending" if cfg else "", *[n["id"] for n in pending]])
    if not pending or cfg is None:  # nothing to send, or e-mail was turned off meanwhile
        return counts
    contest = settings.get(db)
    messages = [(n["email"], f"【{contest.contest_name}】{n['title']}", _mail_body(n, contest)) for n in pending]
    try:
        results = mailer.send(cfg, messages)
    except Exception as error:  # the server is down, refuses us, times out...: the notices stay in the inbox
        log.warning("e-mail not sent (%d notices kept in the inbox): %s", len(pending), error)
        results = [str(error)] * len(pending)
    stamp = clock.iso(clock.now())
    with database.transaction(db):
        for notice, error in zip(pending, results):
            if error:
                log.warning("e-mail for notice %s failed: %s", notice["id"], error)
            db["notices"].update(notice["id"], {"email": "failed" if error else "sent", "emailed_at": stamp})
            counts["failed" if error else "sent"] += 1
    return counts


def _mail_body(notice: dict, contest) -> str:
    text = f"{notice['title']}\n\n{notice['body']}".rstrip() + "\n\n"
    text += f"请登录{contest.contest_name}平台查看" + (f"：{contest.portal_url}" if contest.portal_url else "。")
    return text + "\n如不希望再收到邮件，可在平台“我的账号”中关闭邮件通知。\n"


# --- the inbox ----------------------------------------------------------------------------------------------


def inbox(db: Database, user, *, limit: int = 200) -> list[dict]:
    """The user's notices, newest first."""
    policy.require(user, "read_own_notices")
    return list(db.query("""select id, event, title, body, page, created_at, read_at from notices
                            where user_id = ? order by id desc limit ?""", [user.id, limit]))


def unread_count(db: Database, user) -> int:
    """For the sidebar badge (0 for nobody logged in)."""
    if user is None or not policy.allows(user, "read_own_notices"):
        return 0
    return db["notices"].count_where("user_id = ? and read_at is null", [user.id])


def mark_read(db: Database, user, notice_ids=None, *, now: dt.datetime | None = None) -> int:
    """Mark the user's own notices (all unread ones when ``notice_ids`` is None) as read; returns how many."""
    policy.require(user, "read_own_notices")
    stamp = clock.iso(clock.given_or_now(now))
    where, args = "user_id = ? and read_at is null", [user.id]
    if notice_ids is not None:
        ids = [int(i) for i in notice_ids]
        if not ids:
            return 0
        where += f" and id in ({','.join('?' * len(ids))})"
        args += ids
    with database.transaction(db):
        count = db["notices"].count_where(where, args)
        db.execute(f"update notices set read_at = ? where {where}", [stamp, *args])
    return count


def email_enabled(db: Database, user) -> bool:
    """Whether this user gets e-mail copies (their own choice; e-mail must also be on for the contest)."""
    policy.require(user, "read_own_notices")
    row = next(db.query("select email_notices from users where id = ?", [user.id]), None)
    return bool(row and row["email_notices"])


def set_email(db: Database, user, enabled: bool) -> None:
    """The user turns e-mail copies of their notices on or off."""
    policy.require(user, "read_own_notices")
    with database.transaction(db):
        db["users"].update(user.id, {"email_notices": int(bool(enabled))})
        audit.record(db, user, "set_email_notices", f"user:{user.id}", {"enabled": bool(enabled)})


# --- who is told what ---------------------------------------------------------------------------------------


def _authors(db: Database, proposal_ids) -> list[int]:
    ids = [int(p) for p in proposal_ids]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return sorted({r[0] for r in db.execute(
        f"""select submitter_id from proposals where id in ({marks}) and source != 'import'
            union select user_id from coauthors where proposal_id in ({marks})""", ids + ids).fetchall()})


def _title(db: Database, proposal_id: int) -> str:
    row = next(db.query("select title from proposals where id = ?", [proposal_id]), None)
    return row["title"] if row else ""


def department_staff(db: Database, codes) -> list[int]:
    codes = [c for c in codes or [] if c]
    if not codes:
        return []
    return [r[0] for r in db.execute(
        f"select id from users where role = 'department' and active = 1 and department in ({','.join('?' * len(codes))})",
        codes).fetchall()]


def _case(db: Database, case_id: int) -> dict:
    case = next(db.query("select * from cases where id = ?", [case_id]))
    members = [r[0] for r in db.execute("select proposal_id from case_members where case_id = ? order by proposal_id",
                                        [case_id]).fetchall()]
    departments = [r[0] for r in db.execute("select department from case_departments where case_id = ?",
                                            [case_id]).fetchall()]
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    return case | {"members": members, "departments": departments, "names": names}


def submission_received(db: Database, proposal_id: int) -> list[int]:
    title = _title(db, proposal_id)
    return notify(db, _authors(db, [proposal_id]), NoticeEvent.SUBMISSION_RECEIVED, f"提案已提交：{title}",
                  f"你的提案《{title}》（编号 {proposal_id}）已提交，等待组织者立案审查。", page=MY_PROPOSALS)


def screened(db: Database, proposal_ids, valid: bool, reason: str = "") -> list[int]:
    """立案 / 不予立案, one notice per proposal to its authors (the reason with 不予立案)."""
    out = []
    for pid in proposal_ids:
        title = _title(db, pid)
        if valid:
            out += notify(db, _authors(db, [pid]), NoticeEvent.SCREENED_VALID, f"提案已立案：{title}",
                          f"你的提案《{title}》（编号 {pid}）已立案，将进入评审。", page=MY_PROPOSALS)
        else:
            out += notify(db, _authors(db, [pid]), NoticeEvent.SCREENED_INVALID, f"提案不予立案：{title}",
                          f"你的提案《{title}》（编号 {pid}）不予立案。理由：{reason}", page=MY_PROPOSALS)
    return out


def coauthor_invitation(db: Database, proposal_id: int, user_ids, inviter_name: str = "") -> list[int]:
    """A student is invited to co-author a proposal (contest.coauthors)."""
    title = _title(db, proposal_id)
    who = f"{inviter_name}邀请你" if inviter_name else "有同学邀请你"
    return notify(db, user_ids, NoticeEvent.COAUTHOR_INVITATION, f"合作邀请：{title}",
                  f"{who}作为合作者加入提案《{title}》，请在“我的提案”中答复。", page=MY_PROPOSALS)


def assignments_published(db: Database, judge_ids) -> list[int]:
    """Judges with newly published assignments: how many, and the deadline (never a title's author)."""
    contest = settings.get(db)
    closes = contest.phases.get("judging_closes")
    out = []
    for judge in sorted(set(judge_ids)):
        n = db["assignments"].count_where("judge_id = ? and published = 1", [judge])
        out += notify(db, [judge], NoticeEvent.ASSIGNMENT_PUBLISHED, "新的评审任务",
                      f"你现在共有 {n} 件提案待评审" + (f"，评审截止时间：{closes}。" if closes else "。"),
                      page=JUDGE_QUEUE)
    return out


def results_published(db: Database) -> list[int]:
    """Every author of a valid proposal."""
    ids = [r[0] for r in db.execute("select id from proposals where status = 'valid'").fetchall()]
    return notify(db, _authors(db, ids), NoticeEvent.RESULTS_PUBLISHED, "评审结果已公布",
                  "比赛评审结果已公布，请在“我的提案”中查看你的提案的评审结果和评委意见。", page=MY_PROPOSALS)


def case_forwarded(db: Database, case_id: int) -> list[int]:
    """The staff of the lead and co-handling departments (no author names), and the authors (the department)."""
    case = _case(db, case_id)
    title = _title(db, case["proposal_id"])
    lead = case["names"].get(case["department"], case["department"])
    due = (case["due_at"] or "")[:10]
    out = notify(db, department_staff(db, case["departments"]), NoticeEvent.CASE_FORWARDED,
                 f"新的转办提案：{title}",
                 f"办理件 {case_id}《{title}》已转交{lead}主办" + (f"，请于 {due} 前答复。" if due else "。"),
                 page=DEPARTMENT_QUEUE)
    out += notify(db, _authors(db, case["members"]), NoticeEvent.CASE_FORWARDED, f"提案已转办：{title}",
                  f"你的提案已转交{lead}办理，部门答复后会再通知你。", page=MY_PROPOSALS)
    return out


def reply_received(db: Database, case_id: int, state: str) -> list[int]:
    """The authors of the case's proposals."""
    case = _case(db, case_id)
    title = _title(db, case["proposal_id"])
    return notify(db, _authors(db, case["members"]), NoticeEvent.REPLY_RECEIVED, f"部门已答复：{title}",
                  f"承办部门答复了你的提案《{title}》（{label_of(AnswerState, state)}），请查看并评价。",
                  page=MY_PROPOSALS)


def further_requested(db: Database, proposal_id: int) -> list[int]:
    """The case's departments (the request's reason, never who asked)."""
    member = next(db["case_members"].rows_where("proposal_id = ?", [proposal_id]), None)
    if member is None:
        return []
    case = _case(db, member["case_id"])
    title = _title(db, proposal_id)
    return notify(db, department_staff(db, case["departments"]), NoticeEvent.FURTHER_REQUESTED,
                  f"提案人申请再次答复：{title}",
                  f"办理件 {case['id']}《{title}》的提案人对答复不满意，申请再次答复。理由：{member['further_reason'] or ''}",
                  page=DEPARTMENT_QUEUE)


def meeting_invitation(db: Database, meeting_id: int) -> list[int]:
    """The invited students and the staff of the invited departments."""
    meeting = next(db.query("select * from meetings where id = ?", [meeting_id]))
    students = [r[0] for r in db.execute("select user_id from meeting_invitees where meeting_id = ?",
                                         [meeting_id]).fetchall()]
    codes = [r[0] for r in db.execute("select department from meeting_departments where meeting_id = ?",
                                      [meeting_id]).fetchall()]
    theme = f"（{meeting['theme']}）" if meeting["theme"] else ""
    where = f"，地点：{meeting['place']}" if meeting["place"] else ""
    text = f"邀请你参加提案对接会“{meeting['title']}”{theme}，时间：{meeting['held_on']}{where}。"
    out = notify(db, students, NoticeEvent.MEETING_INVITATION, f"提案对接会邀请：{meeting['title']}",
                 text + "你的提案在本次会议的议程中，欢迎到场与职能部门面对面交流。", page=MY_PROPOSALS)
    out += notify(db, department_staff(db, codes), NoticeEvent.MEETING_INVITATION,
                  f"提案对接会邀请：{meeting['title']}", text + "请在“待办提案”中查看议程中的提案。",
                  page=DEPARTMENT_QUEUE)
    return out
