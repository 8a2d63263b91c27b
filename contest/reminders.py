"""Reminders (催办): tell late judges and departments with overdue cases, by hand or before deadlines.

From the 评审进度 and 办理追踪 pages the organizer reminds, with one click, every judge behind on their
scores (``review_progress``: behind the expected pace, or judging has closed) and every department
with overdue cases (pending past their due date). ``automatic`` (``python -m contest remind``, for
cron) reminds judges with unfinished sheets when judging closes within ``reminder_days_before`` days,
and departments whose pending cases fall due within that many days, then retries pending e-mails.

Each reminder is a notice (contest.notices) and a row in ``reminders``; nobody gets a second one
within ``reminder_interval_hours`` (settings), whoever sent the first, by hand or by cron.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlite_utils import Database

from . import audit, clock, db as database, notices, policy, review_progress, settings
from .vocabulary import NoticeEvent, ReminderKind


def _target(kind: str, key) -> str:
    """Judges and departments each share one interval, manual or automatic."""
    return f"{'judge' if kind in (ReminderKind.JUDGE, ReminderKind.SCORES_DUE) else 'department'}:{key}"


def last_sent(db: Database) -> dict[str, str]:
    """{target: when the latest reminder went}, targets as ``judge:<id>`` / ``department:<code>``."""
    return {r["target"]: r["at"] for r in db.query("select target, max(sent_at) as at from reminders group by target")}


def _recent(db: Database, target: str, now: dt.datetime, hours: int) -> bool:
    since = clock.iso(now - dt.timedelta(hours=hours))
    return bool(db["reminders"].count_where("target = ? and sent_at > ?", [target, since]))


def late_judges(db: Database, user, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """Judges behind on their scores (as on the progress page), with how many remain and the last reminder."""
    policy.require(user, "send_reminders")
    now = clock.given_or_now(now)
    judges = review_progress.progress(db, user, now=now)["judges"]
    late = judges[judges["late"]].copy()
    late["remaining"] = late["assigned"] - late["submitted"]
    sent = last_sent(db)
    late["last_reminder"] = [sent.get(_target(ReminderKind.JUDGE, j), "") for j in late["judge_id"]]
    return late[["judge_id", "judge", "name", "assigned", "submitted", "remaining", "last_reminder"]].reset_index(
        drop=True)


def _overdue(db: Database, stamp: str, *, until: str | None = None) -> pd.DataFrame:
    """Pending cases per department (lead or co): overdue at ``stamp``, or falling due between it and ``until``."""
    where, args = ("c.due_at < ?", [stamp]) if until is None else ("c.due_at >= ? and c.due_at <= ?", [stamp, until])
    rows = db.query(f"""select cd.department, d.name, c.id as case_id, p.title, c.due_at
                        from cases c join case_departments cd on cd.case_id = c.id
                             join proposals p on p.id = c.proposal_id
                             left join departments d on d.code = cd.department
                        where c.status = 'pending' and {where} order by cd.department, c.due_at""", args)
    return pd.DataFrame(rows, columns=["department", "name", "case_id", "title", "due_at"])


def overdue_departments(db: Database, user, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """Departments with overdue cases: how many, the oldest due date, the last reminder."""
    policy.require(user, "send_reminders")
    now = clock.given_or_now(now)
    cases = _overdue(db, clock.iso(now))
    sent = last_sent(db)
    if cases.empty:
        return pd.DataFrame(columns=["department", "name", "overdue", "oldest_due", "last_reminder"])
    grouped = cases.groupby(["department", "name"], dropna=False).agg(overdue=("case_id", "count"),
                                                                      oldest_due=("due_at", "min")).reset_index()
    grouped["oldest_due"] = grouped["oldest_due"].str[:10]
    grouped["last_reminder"] = [sent.get(_target(ReminderKind.DEPARTMENT, c), "") for c in grouped["department"]]
    return grouped


def _send(db: Database, actor, kind: str, key, user_ids, event: str, title: str, body: str, page: str, count: int,
          now: dt.datetime, hours: int) -> bool:
    """One reminder unless the target had one within the interval; True when sent."""
    target = _target(kind, key)
    with database.transaction(db):
        if _recent(db, target, now, hours) or not user_ids:
            return False
        notices.notify(db, user_ids, event, title, body, page=page, now=now)
        db["reminders"].insert({"kind": str(kind), "target": target, "count": count,
                                "sent_by": getattr(actor, "id", None), "auto": int(actor is None),
                                "sent_at": clock.iso(now)})
    return True


def remind_judges(db: Database, user, judge_ids=None, *, now: dt.datetime | None = None) -> dict:
    """Remind the late judges (all, or those of ``judge_ids``); returns {'sent': [...], 'skipped': [...]}
    (skipped: reminded within the interval)."""
    policy.require(user, "send_reminders")
    now = clock.given_or_now(now)
    contest = settings.get(db)
    closes = contest.phases.get("judging_closes")
    late = late_judges(db, user, now=now)
    if judge_ids is not None:
        late = late[late["judge_id"].isin([int(j) for j in judge_ids])]
    out = {"sent": [], "skipped": []}
    for row in late.to_dict("records"):
        body = f"你还有 {row['remaining']} 件提案未提交评分" + (f"，评审截止时间：{closes}。" if closes else "。") + "请尽快完成。"
        sent = _send(db, user, ReminderKind.JUDGE, row["judge_id"], [row["judge_id"]], NoticeEvent.REMINDER,
                     "评分催办", body, notices.JUDGE_QUEUE, row["remaining"], now, contest.reminder_interval_hours)
        out["sent" if sent else "skipped"].append(int(row["judge_id"]))
    with database.transaction(db):
        audit.record(db, user, "send_reminders", "judges", out)
    return out


def _department_body(cases: pd.DataFrame, head: str) -> str:
    lines = [f"办理件 {r['case_id']}《{r['title']}》，答复期限 {r['due_at'][:10]}" for r in cases.to_dict("records")[:20]]
    more = f"\n……另有 {len(cases) - 20} 件" if len(cases) > 20 else ""
    return head + "\n" + "\n".join(lines) + more


def remind_departments(db: Database, user, codes=None, *, now: dt.datetime | None = None) -> dict:
    """Remind every department with overdue cases (or those of ``codes``): the list of its overdue cases."""
    policy.require(user, "send_reminders")
    now = clock.given_or_now(now)
    hours = settings.get(db).reminder_interval_hours
    cases = _overdue(db, clock.iso(now))
    if codes is not None:
        cases = cases[cases["department"].isin(list(codes))]
    out = {"sent": [], "skipped": []}
    for code, group in cases.groupby("department"):
        body = _department_body(group, f"本部门有 {len(group)} 件转办提案已超过答复期限，请尽快答复：")
        sent = _send(db, user, ReminderKind.DEPARTMENT, code, notices.department_staff(db, [code]),
                     NoticeEvent.REMINDER, f"催办：{len(group)} 件提案逾期未答复", body, notices.DEPARTMENT_QUEUE,
                     len(group), now, hours)
        out["sent" if sent else "skipped"].append(code)
    with database.transaction(db):
        audit.record(db, user, "send_reminders", "departments", out)
    return out


def automatic(db: Database, *, now: dt.datetime | None = None) -> dict:
    """Reminders before deadlines, for cron (no user: the system sends them); then pending e-mails go out.

    Judges with unfinished sheets when judging closes within ``reminder_days_before`` days; departments
    whose pending cases fall due within that many days. Returns how many of each were sent."""
    now = clock.given_or_now(now)
    contest = settings.get(db)
    days, hours = contest.reminder_days_before, contest.reminder_interval_hours
    out = {"judges": 0, "departments": 0}
    closes = contest.at("judging_closes")
    if closes and now <= closes <= now + dt.timedelta(days=days):
        left = max((closes.date() - now.date()).days, 0)
        for row in db.query("""select a.judge_id, count(*) as remaining from assignments a
                               join users u on u.id = a.judge_id and u.active = 1
                               join proposals p on p.id = a.proposal_id and p.status = 'valid'
                               where a.published = 1 and not exists (select 1 from sheets s
                                     where s.proposal_id = a.proposal_id and s.judge_id = a.judge_id
                                     and s.status = 'submitted')
                               group by a.judge_id"""):
            body = (f"评审将于 {contest.phases['judging_closes']} 截止（还有 {left} 天），"
                    f"你还有 {row['remaining']} 件提案未提交评分。")
            out["judges"] += _send(db, None, ReminderKind.SCORES_DUE, row["judge_id"], [row["judge_id"]],
                                   NoticeEvent.SCORES_DUE, "评分即将截止", body, notices.JUDGE_QUEUE,
                                   row["remaining"], now, hours)
    soon = _overdue(db, clock.iso(now), until=clock.iso(now + dt.timedelta(days=days)))
    for code, group in soon.groupby("department"):
        body = _department_body(group, f"本部门有 {len(group)} 件转办提案将在 {days} 天内到达答复期限：")
        out["departments"] += _send(db, None, ReminderKind.DUE_SOON, code, notices.department_staff(db, [code]),
                                    NoticeEvent.REMINDER, f"提醒：{len(group)} 件提案即将到达答复期限", body,
                                    notices.DEPARTMENT_QUEUE, len(group), now, hours)
    if out["judges"] or out["departments"]:
        with database.transaction(db):
            audit.record(db, None, "send_reminders", "automatic", out)
    out |= notices.deliver(db)
    return out
