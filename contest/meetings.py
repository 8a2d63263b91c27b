"""Feedback meetings (提案对接会 / 职能部门面对面): students and departments discuss proposals face to face.

The organizer plans a meeting (title, theme such as 教学专题, date, place), invites departments and
students (by default the authors of the proposals on the agenda) and puts proposals on its agenda.
After the meeting the organizer records, per proposal, what a department committed to and by when,
and attaches the minutes (text, optionally a PDF / image / sheet checked like any attachment).
A meeting with an outcome or minutes counts as held (``status = held``); the report counts held
meetings.

Who sees what: organizers everything; department staff the meetings their department is invited
to (agenda, outcomes, minutes; never the invited students' names); students the outcomes of their
own proposals in the proposal's timeline; the public page the outcomes of held meetings without any
name, 学号 or college (``contest.public_followup.public_meetings``).
"""
from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from . import attachments, audit, clock, db as database, notices, policy, validation
from .db import get_row
from .errors import PermissionDenied, ValidationError
from .vocabulary import MeetingStatus, labels

THEMES = ["教学专题", "后勤专题", "学生发展专题", "综合专题"]  # suggestions; any theme may be typed


def _date(value, label: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    if not text:
        raise ValidationError(f"请填写{label}。")
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(f"{label}“{text}”格式不正确，应为 YYYY-MM-DD。")


def _meeting(db: Database, meeting_id) -> dict:
    return get_row(db, "meetings", meeting_id, PermissionDenied("对接会不存在或无权查看。"),
                   ValidationError("对接会编号必须是数字。"))


def _departments(db: Database, codes) -> list[str]:
    codes = [c for c in dict.fromkeys(str(c).strip() for c in (codes or [])) if c]
    if not codes:
        raise ValidationError("请至少邀请一个职能部门。")
    for code in codes:
        if not db["departments"].count_where("code = ? and active = 1", [code]):
            raise ValidationError(f"职能部门“{code}”不在职能部门列表中。")
    return codes


def _proposals(db: Database, ids) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(i) for i in (ids or [])))
    except (TypeError, ValueError):
        raise ValidationError("提案编号必须是数字。") from None
    if not ids:
        raise ValidationError("请至少选择一件提案列入议程。")
    for pid in ids:
        if not db["proposals"].count_where("id = ? and status = 'valid'", [pid]):
            raise ValidationError(f"提案 #{pid} 不存在或未立案，不能列入议程。")
    return ids


def _authors(db: Database, proposal_ids: list[int]) -> list[int]:
    marks = ",".join("?" * len(proposal_ids))
    rows = db.execute(f"""select submitter_id from proposals where id in ({marks})
                          union select user_id from coauthors where proposal_id in ({marks})""",
                      proposal_ids + proposal_ids).fetchall()
    return sorted({r[0] for r in rows})


def _students(db: Database, ids) -> list[int]:
    ids = sorted({int(i) for i in ids or []})
    for uid in ids:
        if not db["users"].count_where("id = ? and role = 'participant' and active = 1", [uid]):
            raise ValidationError(f"被邀请的学生 #{uid} 不存在。")
    return ids


def plan(db: Database, user, *, title: str, held_on, place: str = "", theme: str = "", departments=(),
         proposal_ids=(), student_ids=None, now: dt.datetime | None = None) -> int:
    """The organizer plans a meeting; returns its id. ``student_ids`` None invites the agenda's authors."""
    policy.require(user, "manage_meetings")
    now = clock.given_or_now(now)
    record = {
        "title": validation.text(title, "会议名称", max_len=60),
        "theme": validation.optional_text(theme, "会议主题", max_len=30),
        "held_on": _date(held_on, "会议日期"),
        "place": validation.optional_text(place, "会议地点", max_len=60),
    }
    with database.transaction(db):
        codes = _departments(db, departments)
        pids = _proposals(db, proposal_ids)
        students = _authors(db, pids) if student_ids is None else _students(db, student_ids)
        stamp = clock.iso(now)
        meeting_id = db["meetings"].insert(record | {"status": MeetingStatus.PLANNED, "created_by": user.id,
                                                     "created_at": stamp, "updated_at": stamp}).last_pk
        db["meeting_departments"].insert_all([{"meeting_id": meeting_id, "department": c} for c in codes])
        db["meeting_items"].insert_all([{"meeting_id": meeting_id, "proposal_id": p, "department": "",
                                         "commitment": "", "due_date": ""} for p in pids])
        db["meeting_invitees"].insert_all([{"meeting_id": meeting_id, "user_id": u} for u in students])
        audit.record(db, user, "plan_meeting", f"meeting:{meeting_id}",
                     record | {"departments": codes, "proposals": pids, "students": len(students)})
    notices.meeting_invitation(db, meeting_id)
    return meeting_id


def _open(db: Database, meeting_id) -> dict:
    meeting = _meeting(db, meeting_id)
    if meeting["status"] == MeetingStatus.CANCELLED:
        raise ValidationError("该对接会已取消。")
    return meeting


def record_outcome(db: Database, user, meeting_id, proposal_id, *, department: str, commitment: str,
                   due_date=None, now: dt.datetime | None = None) -> None:
    """What a department committed to for one proposal on the agenda, and by when; the meeting is then held."""
    policy.require(user, "manage_meetings")
    now = clock.given_or_now(now)
    commitment = validation.text(commitment, "部门承诺", min_len=4, max_len=1000, multiline=True)
    due = _date(due_date, "承诺完成日期") if due_date not in (None, "") else ""
    with database.transaction(db):
        meeting = _open(db, meeting_id)
        try:
            proposal_id = int(proposal_id)
        except (TypeError, ValueError):
            raise ValidationError("提案编号必须是数字。") from None
        if not db["meeting_items"].count_where("meeting_id = ? and proposal_id = ?", [meeting["id"], proposal_id]):
            raise ValidationError(f"提案 #{proposal_id} 不在本次对接会的议程中。")
        if not db["meeting_departments"].count_where("meeting_id = ? and department = ?",
                                                     [meeting["id"], str(department or "")]):
            raise ValidationError("作出承诺的部门应是受邀参会的部门。")
        db["meeting_items"].update((meeting["id"], proposal_id), {
            "department": department, "commitment": commitment, "due_date": due, "recorded_by": user.id,
            "recorded_at": clock.iso(now)})
        db["meetings"].update(meeting["id"], {"status": MeetingStatus.HELD, "updated_at": clock.iso(now)})
        audit.record(db, user, "record_meeting_outcome", f"meeting:{meeting['id']}",
                     {"proposal": proposal_id, "department": department, "due_date": due})


def save_minutes(db: Database, user, meeting_id, text: str, *, file: tuple[str, bytes] | None = None,
                 now: dt.datetime | None = None) -> None:
    """The meeting's minutes (text, optionally one file checked by its bytes); the meeting is then held."""
    policy.require(user, "manage_meetings")
    now = clock.given_or_now(now)
    text = validation.text(text, "会议纪要", min_len=10, max_len=20000, multiline=True)
    stored = {}
    if file and file[1]:
        kind = attachments.check_file(file[0], file[1])
        name = f"minutes-{secrets.token_hex(16)}{attachments.KINDS[kind][1][0]}"
        (attachments.storage_dir(db) / name).write_bytes(file[1])
        stored = {"minutes_file_name": attachments._clean_name(file[0]), "minutes_file_stored": name,
                  "minutes_file_kind": kind, "minutes_file_size": len(file[1])}
    with database.transaction(db):
        meeting = _open(db, meeting_id)
        db["meetings"].update(meeting["id"], {"minutes": text, "status": MeetingStatus.HELD,
                                              "updated_at": clock.iso(now)} | stored)
        audit.record(db, user, "save_minutes", f"meeting:{meeting['id']}",
                     {"length": len(text), "file": stored.get("minutes_file_name", "")})


def cancel(db: Database, user, meeting_id, *, now: dt.datetime | None = None) -> None:
    """A planned meeting that will not take place (a held one keeps its outcomes)."""
    policy.require(user, "manage_meetings")
    now = clock.given_or_now(now)
    with database.transaction(db):
        meeting = _meeting(db, meeting_id)
        if meeting["status"] != MeetingStatus.PLANNED:
            raise ValidationError("只能取消尚未召开的对接会。")
        db["meetings"].update(meeting["id"], {"status": MeetingStatus.CANCELLED, "updated_at": clock.iso(now)})
        audit.record(db, user, "cancel_meeting", f"meeting:{meeting['id']}")


# --- reading ------------------------------------------------------------------------------------------------


COLUMNS = ["id", "title", "theme", "held_on", "place", "status", "departments", "proposals", "outcomes", "students"]


def meetings(db: Database, user) -> pd.DataFrame:
    """Every meeting (organizers) or those the user's department is invited to (department staff), newest first."""
    policy.require(user, "manage_meetings", "read_department_cases")
    where, args = "1 = 1", []
    if not policy.allows(user, "manage_meetings"):
        where, args = "m.id in (select meeting_id from meeting_departments where department = ?)", [user.department]
    rows = db.query(f"""select m.id, m.title, m.theme, m.held_on, m.place, m.status,
                               (select group_concat(d.name, '、') from meeting_departments md
                                 join departments d on d.code = md.department where md.meeting_id = m.id) as departments,
                               (select count(*) from meeting_items i where i.meeting_id = m.id) as proposals,
                               (select count(*) from meeting_items i where i.meeting_id = m.id
                                 and i.commitment != '') as outcomes,
                               (select count(*) from meeting_invitees v where v.meeting_id = m.id) as students
                        from meetings m where {where} order by m.held_on desc, m.id desc""", args)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["status_name"] = frame["status"].map(labels(MeetingStatus))
    return frame


def _visible(db: Database, user, meeting_id) -> dict:
    policy.require(user, "manage_meetings", "read_department_cases")
    meeting = _meeting(db, meeting_id)
    if not policy.allows(user, "manage_meetings") and not db["meeting_departments"].count_where(
            "meeting_id = ? and department = ?", [meeting["id"], user.department or ""]):
        raise PermissionDenied("对接会不存在或无权查看。")
    return meeting


def get(db: Database, user, meeting_id) -> dict:
    """One meeting with its departments, agenda (with outcomes) and, for organizers, the invited students."""
    meeting = _visible(db, user, meeting_id)
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    departments = [r["department"] for r in db["meeting_departments"].rows_where(
        "meeting_id = ?", [meeting["id"]], order_by="department")]
    items = list(db.query("""select i.proposal_id, p.title, p.topic, i.department, i.commitment, i.due_date,
                                    i.recorded_at
                             from meeting_items i join proposals p on p.id = i.proposal_id
                             where i.meeting_id = ? order by i.proposal_id""", [meeting["id"]]))
    for item in items:
        item["department_name"] = names.get(item["department"], item["department"] or "")
    result = {k: v for k, v in meeting.items() if k != "minutes_file_stored"} | {
        "status_name": MeetingStatus(meeting["status"]).label, "departments": departments,
        "department_names": [names.get(c, c) for c in departments], "items": items}
    if policy.allows(user, "manage_meetings"):
        result["students"] = list(db.query(
            """select u.id, u.name, u.student_no, u.college from meeting_invitees v join users u on u.id = v.user_id
               where v.meeting_id = ? order by u.id""", [meeting["id"]]))
    return result


def minutes_file(db: Database, user, meeting_id) -> tuple[str, bytes]:
    """(file name, bytes) of the minutes' attachment, for organizers and the invited departments."""
    meeting = _visible(db, user, meeting_id)
    if not meeting["minutes_file_stored"]:
        raise ValidationError("本次对接会没有纪要附件。")
    path = attachments.storage_dir(db) / Path(meeting["minutes_file_stored"]).name
    if not path.is_file():
        raise ValidationError("附件文件已丢失，请联系组织者。")
    return meeting["minutes_file_name"], path.read_bytes()


def department_outcomes(db: Database, user) -> pd.DataFrame:
    """The commitments made for (or by) the user's department at held meetings, for its queue."""
    policy.require(user, "read_department_cases")
    rows = db.query("""select m.id as meeting_id, m.title as meeting, m.theme, m.held_on, i.proposal_id, p.title,
                              i.commitment, i.due_date
                       from meeting_items i join meetings m on m.id = i.meeting_id
                            join proposals p on p.id = i.proposal_id
                       where i.department = ? and i.commitment != '' and m.status = 'held'
                       order by m.held_on, i.proposal_id""", [user.department or ""])
    return pd.DataFrame(rows, columns=["meeting_id", "meeting", "theme", "held_on", "proposal_id", "title",
                                       "commitment", "due_date"])


def candidates(db: Database, user) -> pd.DataFrame:
    """Valid proposals that may go on an agenda, with their case's lead department if forwarded."""
    policy.require(user, "manage_meetings")
    rows = db.query("""select p.id, p.title, p.topic, coalesce(c.department, p.department) as department
                       from proposals p left join case_members m on m.proposal_id = p.id
                            left join cases c on c.id = m.case_id
                       where p.status = 'valid' order by p.id""")
    return pd.DataFrame(rows, columns=["id", "title", "topic", "department"])


def timeline_events(db: Database, proposal_id: int) -> list[dict]:
    """The proposal's meetings for its timeline: 列入对接会 (planned) and 对接会结果 (the commitment).

    No person's name appears; the caller has checked that the user may see the proposal."""
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    events = []
    for row in db.query("""select m.title, m.theme, m.held_on, m.place, m.status, m.created_at, i.department,
                                  i.commitment, i.due_date, i.recorded_at
                           from meeting_items i join meetings m on m.id = i.meeting_id
                           where i.proposal_id = ? and m.status != 'cancelled' order by m.held_on, m.id""",
                        [proposal_id]):
        theme = f"（{row['theme']}）" if row["theme"] else ""
        events.append({"at": row["created_at"], "step": "列入对接会",
                       "detail": f"{row['title']}{theme}，{row['held_on']}" + (f"，{row['place']}" if row["place"] else "")})
        if row["commitment"]:
            detail = f"{names.get(row['department'], row['department'])}承诺：{row['commitment']}"
            if row["due_date"]:
                detail += f"\n承诺完成日期：{row['due_date']}"
            events.append({"at": row["recorded_at"], "step": "对接会结果", "detail": detail})
    return events


def _held_between(start: str | None, end: str | None) -> tuple[list[str], list]:
    """The where clauses and arguments of held meetings within [start, end] (dates)."""
    where, args = ["status = 'held'"], []
    if start:
        where.append("held_on >= ?")
        args.append(start)
    if end:
        where.append("held_on <= ?")
        args.append(end)
    return where, args


def held_count(db: Database, *, start: str | None = None, end: str | None = None, topic: str | None = None,
               department: str | None = None) -> int:
    """Meetings held within [start, end] (dates), optionally with the topic on the agenda or the department invited."""
    where, args = _held_between(start, end)
    if topic:
        where.append("id in (select i.meeting_id from meeting_items i join proposals p on p.id = i.proposal_id "
                     "where p.topic = ?)")
        args.append(topic)
    if department:
        where.append("id in (select meeting_id from meeting_departments where department = ?)")
        args.append(department)
    return db["meetings"].count_where(" and ".join(where), args)


def first_held(db: Database, *, start: str | None = None, end: str | None = None) -> dict | None:
    """The first held meeting in the range (for the report's 首场…于…召开)."""
    where, args = _held_between(start, end)
    return next(db["meetings"].rows_where(" and ".join(where), args, order_by="held_on, id", limit=1), None)
