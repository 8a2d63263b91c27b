"""Follow-up: forwarding proposals to departments (转办), replies (答复), ratings.

A *case* (办理件) is one forwarded proposal, or a merged same-issue group
forwarded as one: a lead proposal plus member proposals, all listed in
``case_members``. It has a lead department (主办), optional co-handling
departments (协办), a due date for the first reply and a history of
(re-)forwardings in ``case_forwards``.

Life of a case (``cases.status``):

- ``pending``   forwarded, no reply yet (overdue once ``due_at`` has passed);
- ``declined``  the lead department returned it with a reason; only an
  organizer may act (re-forward to another department);
- ``replied``   at least one reply; the latest entry gives ``cases.state``
  (正在办理 / 列入计划 / 暂不具备条件); the departments keep adding dated
  progress updates, which may change the state;
- ``resolved``  the latest entry says 已解决: the case is closed. No further
  replies or updates are accepted, with one exception: when an author rated
  不满意 and asked for a further reply (once per proposal), the departments
  may answer that request (kind ``further``) and the author may rate again.

Rules of visibility: organizers see everything; department staff only the
cases whose lead or co-handling department is theirs (never unforwarded
proposals); students only the cases of proposals they wrote or co-wrote; the
public page gets topic, title, department, state and the published replies,
never a name, 学号, college or rating comment.

The rates (移交率, 回复率, 解决率, 满意率) and the dashboard figures are in
``contest.followup_stats``.
"""
from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from . import attachments, audit, clock, validation
from .db import get_row, like_pattern
from .errors import PermissionDenied, ValidationError
from .permissions import require_role


DEFAULT_DUE_DAYS = 30
STATES = {
    "resolved": "已解决",
    "in_progress": "正在办理",
    "planned": "列入计划",
    "not_feasible": "暂不具备条件",
}
CASE_STATUS = {
    "pending": "待答复",
    "declined": "部门退回，待重新转办",
    "replied": "已答复",
    "resolved": "已解决",
}
RATINGS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
ENTRY_KINDS = {"reply": "答复", "update": "进展更新", "further": "再次答复"}
REPLY_LEN = (10, 3000)


# --- helpers --------------------------------------------------------------------


def _now(now):
    return (now or clock.now()).replace(microsecond=0)


def _case_row(db: Database, case_id) -> dict:
    return get_row(db, "cases", case_id, PermissionDenied("办理件不存在或无权查看。"),
                   ValidationError("办理编号必须是数字。"))


def _departments_of(db: Database, case_id: int) -> dict[str, str]:
    return {r["department"]: r["role"] for r in db["case_departments"].rows_where("case_id = ?", [case_id])}


def _member_ids(db: Database, case_id: int) -> list[int]:
    return [r["proposal_id"] for r in db["case_members"].rows_where("case_id = ?", [case_id],
                                                                   order_by="proposal_id")]


def _is_author(db: Database, user_id: int, proposal_id: int) -> bool:
    return bool(db.execute(
        """select 1 from proposals where id = ? and submitter_id = ?
           union select 1 from coauthors where proposal_id = ? and user_id = ?""",
        [proposal_id, user_id, proposal_id, user_id]).fetchone())


def _can_see(db: Database, user, case: dict) -> bool:
    if user.role == "organizer":
        return True
    if user.role == "department":
        return bool(user.department) and user.department in _departments_of(db, case["id"])
    if user.role == "participant":
        return any(_is_author(db, user.id, pid) for pid in _member_ids(db, case["id"]))
    return False


def _visible_case(db: Database, user, case_id) -> dict:
    require_role(user, "organizer", "department", "participant")
    case = _case_row(db, case_id)
    if not _can_see(db, user, case):
        raise PermissionDenied("办理件不存在或无权查看。")
    return case


def _department_code(db: Database, code, label: str = "承办部门") -> str:
    code = str(code or "").strip()
    if not code:
        raise ValidationError(f"请选择{label}。")
    if not db["departments"].count_where("code = ? and active = 1", [code]):
        raise ValidationError(f"{label}“{code}”不在职能部门列表中。")
    return code


def _co_codes(db: Database, lead: str, co) -> list[str]:
    codes = [c for c in dict.fromkeys(str(x).strip() for x in (co or [])) if c]
    if lead in codes:
        raise ValidationError("协办部门不能与主办部门相同。")
    return [_department_code(db, c, "协办部门") for c in codes]


def _due_days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationError("答复期限必须是天数。") from None
    if not 1 <= days <= 365:
        raise ValidationError("答复期限应为 1–365 天。")
    return days


def _date_text(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD。")


# --- forwarding (organizers) -------------------------------------------------------


def forwardable(db: Database, user) -> pd.DataFrame:
    """Valid proposals not yet in a case, with the suggested department (members of a merged group excluded)."""
    require_role(user, "organizer")
    rows = db.query("""select p.id, p.title, p.topic, p.department, p.college, p.screened_at,
                              (select count(*) from proposals m
                               where m.lead_id = p.id and m.id != p.id and m.status = 'valid') as merged
                       from proposals p
                       where p.status = 'valid' and p.id not in (select proposal_id from case_members)
                             and (p.lead_id is null or p.lead_id = p.id)
                       order by p.id""")
    return pd.DataFrame(rows, columns=["id", "title", "topic", "department", "college", "screened_at", "merged"])


def forward(db: Database, user, proposal_id: int, department: str, *, co_departments=(), due_days=DEFAULT_DUE_DAYS,
            note: str = "", member_ids=None, now: dt.datetime | None = None) -> int:
    """Forward a valid proposal (and the members of its merged group) to a lead department; returns the case id.

    ``member_ids`` None takes the proposals merged into this one (``proposals.lead_id``)."""
    require_role(user, "organizer")
    now = _now(now)
    department = _department_code(db, department)
    co = _co_codes(db, department, co_departments)
    days = _due_days(due_days)
    note = validation.optional_text(note, "转办说明", max_len=500, multiline=True)
    with db.atomic():
        proposal = next(db["proposals"].rows_where("id = ?", [proposal_id]), None)
        if proposal is None:
            raise ValidationError(f"提案 {proposal_id} 不存在。")
        if member_ids is None:
            member_ids = [r["id"] for r in db["proposals"].rows_where("lead_id = ? and id != ? and status = 'valid'",
                                                                     [proposal_id, proposal_id])]
        ids = list(dict.fromkeys([int(proposal_id), *(int(i) for i in member_ids)]))
        for pid in ids:
            row = next(db["proposals"].rows_where("id = ?", [pid]), None)
            if row is None:
                raise ValidationError(f"提案 {pid} 不存在。")
            if row["status"] != "valid":
                raise ValidationError(f"提案 {pid} 尚未立案（只有已立案的提案才能转办）。")
            if db["case_members"].count_where("proposal_id = ?", [pid]):
                raise ValidationError(f"提案 {pid} 已经转办，不能重复转办。")
        stamp = clock.iso(now)
        case_id = db["cases"].insert({
            "proposal_id": ids[0], "department": department, "status": "pending", "state": None, "note": note,
            "due_at": clock.iso(now + dt.timedelta(days=days)), "forwarded_by": user.id, "forwarded_at": stamp,
            "assigned_at": stamp}).last_pk
        db["case_members"].insert_all([{"proposal_id": pid, "case_id": case_id} for pid in ids])
        _set_departments(db, case_id, department, co)
        db["case_forwards"].insert({"case_id": case_id, "kind": "forward", "department": department,
                                    "co_departments": " ".join(co), "reason": note, "by_id": user.id, "at": stamp})
        audit.record(db, user, "forward_proposal", f"case:{case_id}",
                     {"proposals": ids, "department": department, "co": co, "due_days": days})
    return case_id


def _set_departments(db: Database, case_id: int, lead: str, co: list[str]) -> None:
    db["case_departments"].delete_where("case_id = ?", [case_id])
    db["case_departments"].insert_all([{"case_id": case_id, "department": lead, "role": "lead"}]
                                      + [{"case_id": case_id, "department": c, "role": "co"} for c in co])


def forward_many(db: Database, user, items: list[tuple[int, str]], *, due_days=DEFAULT_DUE_DAYS, note: str = "",
                 now: dt.datetime | None = None) -> list[int]:
    """Forward several proposals, each to its own lead department, all or nothing."""
    require_role(user, "organizer")
    if not items:
        raise ValidationError("请至少选择一件提案。")
    with db.atomic():
        ids = []
        for proposal_id, department in items:
            if not department:
                raise ValidationError(f"提案 {proposal_id} 没有选择承办部门。")
            ids.append(forward(db, user, proposal_id, department, due_days=due_days, note=note, now=now))
    return ids


def decline(db: Database, user, case_id: int, reason: str, *, now: dt.datetime | None = None) -> None:
    """The lead department returns a case it cannot handle, with a reason; an organizer re-forwards it."""
    require_role(user, "department")
    now = _now(now)
    case = _visible_case(db, user, case_id)
    reason = validation.text(reason, "退回理由", min_len=4, max_len=500, multiline=True)
    if case["department"] != user.department:
        raise PermissionDenied("只有主办部门可以退回办理件。")
    if case["status"] != "pending":
        raise ValidationError("已答复或已退回的办理件不能再退回。")
    with db.atomic():
        db["cases"].update(case["id"], {"status": "declined"})
        db["case_forwards"].insert({"case_id": case["id"], "kind": "decline", "department": user.department,
                                    "co_departments": "", "reason": reason, "by_id": user.id, "at": clock.iso(now)})
        audit.record(db, user, "decline_case", f"case:{case['id']}", {"reason": reason})


def reforward(db: Database, user, case_id: int, department: str, *, reason: str, co_departments=(),
              due_days=DEFAULT_DUE_DAYS, now: dt.datetime | None = None) -> None:
    """Organizer sends a case to another lead department (typically after a decline), with a reason."""
    require_role(user, "organizer")
    now = _now(now)
    case = _case_row(db, case_id)
    department = _department_code(db, department)
    co = _co_codes(db, department, co_departments)
    days = _due_days(due_days)
    reason = validation.text(reason, "重新转办的理由", min_len=2, max_len=500, multiline=True)
    if case["status"] == "resolved":
        raise ValidationError("该提案已办结（已解决），不能重新转办。")
    stamp = clock.iso(now)
    with db.atomic():
        db["cases"].update(case["id"], {
            "department": department, "assigned_at": stamp, "due_at": clock.iso(now + dt.timedelta(days=days)),
            "status": "pending" if case["status"] in ("pending", "declined") else case["status"]})
        _set_departments(db, case["id"], department, co)
        db["case_forwards"].insert({"case_id": case["id"], "kind": "reforward", "department": department,
                                    "co_departments": " ".join(co), "reason": reason, "by_id": user.id, "at": stamp})
        audit.record(db, user, "reforward_case", f"case:{case['id']}",
                     {"old": case["department"], "new": department, "co": co, "reason": reason})


# --- reading cases ---------------------------------------------------------------


def cases(db: Database, user, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """The cases the user may see, one row per case, with due dates and an overdue mark."""
    require_role(user, "organizer", "department", "participant")
    now = _now(now)
    where, args = "1 = 1", {}
    if user.role == "department":
        where = "c.id in (select case_id from case_departments where department = :dept)"
        args["dept"] = user.department or ""
    elif user.role == "participant":
        where = """c.id in (select m.case_id from case_members m join proposals p on p.id = m.proposal_id
                            where p.submitter_id = :me
                               or p.id in (select proposal_id from coauthors where user_id = :me))"""
        args["me"] = user.id
    args["dept"] = args.get("dept", user.department or "")
    rows = db.query(f"""select c.id, c.proposal_id, p.title, p.topic, c.department, d.name as department_name,
                               (select group_concat(cd.department, ' ') from case_departments cd
                                 where cd.case_id = c.id and cd.role = 'co') as co_departments,
                               (select count(*) from case_members m where m.case_id = c.id) as proposals,
                               case when c.department = :dept then '主办'
                                    when exists (select 1 from case_departments cd where cd.case_id = c.id
                                                 and cd.department = :dept) then '协办' else '' end as my_role,
                               c.status, c.state, c.note, c.forwarded_at, c.assigned_at, c.due_at,
                               c.first_reply_at, c.last_reply_at,
                               (select count(*) from replies r where r.case_id = c.id) as entries,
                               (select count(*) from case_members m where m.case_id = c.id
                                 and m.further_requested_at is not null
                                 and not exists (select 1 from replies r where r.case_id = c.id
                                                 and r.at >= m.further_requested_at)) as further_open
                        from cases c join proposals p on p.id = c.proposal_id
                             left join departments d on d.code = c.department
                        where {where} order by c.id""", args)
    columns = ["id", "proposal_id", "title", "topic", "department", "department_name", "co_departments", "proposals",
               "my_role", "status", "state", "note", "forwarded_at", "assigned_at", "due_at", "first_reply_at",
               "last_reply_at", "entries", "further_open"]
    frame = pd.DataFrame(rows, columns=columns)
    if user.role == "participant":
        frame["note"] = ""  # the organizer's note is for the departments
    stamp = clock.iso(now)
    frame["overdue"] = (frame["status"] == "pending") & (frame["due_at"] < stamp)
    frame["status_name"] = frame["status"].map(CASE_STATUS)
    frame["state_name"] = frame["state"].map(STATES).fillna("")
    return frame


def get_case(db: Database, user, case_id: int) -> dict:
    """One case with its proposals, departments, forwarding history, replies and ratings, as the user may see it."""
    case = _visible_case(db, user, case_id)
    members = list(db.query("""select p.id, p.title, p.topic, p.problem, p.suggestions, p.department,
                                      m.further_requested_at, m.further_reason
                               from case_members m join proposals p on p.id = m.proposal_id
                               where m.case_id = ? order by p.id""", [case["id"]]))
    if user.role == "organizer":
        for m in members:
            m["authors"] = "、".join(r["name"] for r in db.query(
                """select u.name from users u where u.id = (select submitter_id from proposals where id = :p)
                   union all select u.name from coauthors c join users u on u.id = c.user_id where c.proposal_id = :p""",
                {"p": m["id"]}))
    history = list(db.query("""select f.kind, f.department, d.name as department_name, f.co_departments, f.reason, f.at
                               from case_forwards f left join departments d on d.code = f.department
                               where f.case_id = ? order by f.id""", [case["id"]]))
    ratings = _ratings(db, case["id"], with_rater=user.role == "organizer")
    if user.role == "participant":
        # In a merged case a student sees the other proposals, but only their own ratings and
        # further-reply requests; the organizer's note is for the departments.
        own = {m["id"] for m in members if _is_author(db, user.id, m["id"])}
        ratings = [r for r in ratings if r["proposal_id"] in own]
        members = [m if m["id"] in own else m | {"further_reason": None} for m in members]
        case = case | {"note": ""}
        history = [h | {"reason": ""} if h["kind"] == "forward" else h for h in history]  # as in the timeline
    return case | {
        "members": members,
        "departments": _departments_of(db, case["id"]),
        "history": history,
        "replies": replies(db, user, case["id"]),
        "ratings": ratings,
    }


def replies(db: Database, user, case_id: int) -> list[dict]:
    """Every entry of a case, oldest first (the case's viewers see unpublished ones too)."""
    case = _visible_case(db, user, case_id)
    return list(db.query("""select r.id, r.kind, r.department, d.name as department_name, r.state, r.text, r.plan,
                                   r.expected_date, r.reason, r.published, r.at, r.file_name, r.file_size
                            from replies r left join departments d on d.code = r.department
                            where r.case_id = ? order by r.at, r.id""", [case["id"]]))


def _ratings(db: Database, case_id: int, with_rater: bool) -> list[dict]:
    rows = list(db.query("""select r.proposal_id, r.round, r.level, r.comment, r.at, u.name as rater
                            from ratings r left join users u on u.id = r.user_id
                            where r.case_id = ? order by r.proposal_id, r.round""", [case_id]))
    for row in rows:
        row["level_name"] = RATINGS[row["level"]]
        if not with_rater:
            row.pop("rater")
    return rows


def case_for_proposal(db: Database, user, proposal_id: int) -> dict | None:
    """The case a proposal belongs to, if the user may see it; None when it has not been forwarded."""
    member = next(db["case_members"].rows_where("proposal_id = ?", [proposal_id]), None)
    if member is None:
        require_role(user, "organizer", "department", "participant")
        return None
    return get_case(db, user, member["case_id"])


# --- replies (department staff) -----------------------------------------------------


def _store_file(db: Database, data: bytes, filename: str) -> dict:
    """Check an attachment by its bytes (contest.attachments rules: PDF, PNG/JPEG, XLSX/CSV, 10 MB) and store
    it under a generated name in the attachments folder next to the database."""
    kind = attachments.check_file(filename, data)
    stored = f"reply-{secrets.token_hex(16)}{attachments.KINDS[kind][1][0]}"
    (attachments.storage_dir(db) / stored).write_bytes(data)
    return {"file_name": attachments._clean_name(filename), "file_stored": stored, "file_kind": kind,
            "file_size": len(data)}


def attachment(db: Database, user, reply_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of a reply's attachment, for those who may see the case."""
    row = next(db["replies"].rows_where("id = ?", [reply_id]), None)
    if row is None or not row["file_stored"]:
        raise PermissionDenied("附件不存在或无权查看。")
    _visible_case(db, user, row["case_id"])
    path = attachments.storage_dir(db) / Path(row["file_stored"]).name
    if not path.is_file():
        raise ValidationError("附件文件已丢失，请联系组织者。")
    return row["file_name"], path.read_bytes()


def _open_further(db: Database, case_id: int) -> bool:
    return bool(db.execute(
        """select 1 from case_members m where m.case_id = ? and m.further_requested_at is not null
           and not exists (select 1 from replies r where r.case_id = m.case_id and r.at >= m.further_requested_at)""",
        [case_id]).fetchone())


def _clean_reply(state, text, plan, expected_date, reason) -> dict:
    if state not in STATES:
        state = {v: k for k, v in STATES.items()}.get(str(state or "").strip(), state)
    if state not in STATES:
        raise ValidationError("办理状态应为：" + "、".join(STATES.values()) + "。")
    record = {
        "state": state,
        "text": validation.text(text, "答复内容", min_len=REPLY_LEN[0], max_len=REPLY_LEN[1], multiline=True),
        "plan": validation.optional_text(plan, "办理计划", max_len=1000, multiline=True),
        "expected_date": _date_text(expected_date),
        "reason": validation.optional_text(reason, "暂不具备条件的原因", max_len=1000, multiline=True),
    }
    if state == "in_progress" and not (record["plan"] and record["expected_date"]):
        raise ValidationError("状态为“正在办理”时，请填写办理计划和预计完成日期。")
    if state == "not_feasible" and not record["reason"]:
        raise ValidationError("状态为“暂不具备条件”时，请说明原因。")
    if state != "in_progress" and state != "planned":
        record["expected_date"] = ""
        record["plan"] = record["plan"] if state == "planned" else ""
    if state != "not_feasible":
        record["reason"] = ""
    return record


def _check_can_reply(db: Database, user, case: dict) -> str:
    """The department the entry is recorded for; raises when the case does not accept one."""
    if user.role == "department":
        if user.department not in _departments_of(db, case["id"]):
            raise PermissionDenied("办理件不存在或无权查看。")
        department = user.department
    else:
        department = case["department"]
    if case["status"] == "declined":
        raise ValidationError("该提案已退回组织者，等待重新转办，暂不能答复。")
    if case["status"] == "resolved" and not _open_further(db, case["id"]):
        raise ValidationError("该提案已办结（已解决），不再接受答复；如提案人申请再次答复，可再答复一次。")
    return department


def reply(db: Database, user, case_id: int, state: str, text: str, *, plan: str = "", expected_date=None,
          reason: str = "", file: tuple[str, bytes] | None = None, published: bool = True,
          now: dt.datetime | None = None) -> int:
    """A department answers a case (or adds a dated progress update); returns the entry id.

    Organizers may record a reply on behalf of the lead department (e.g. received on paper)."""
    require_role(user, "department", "organizer")
    now = _now(now)
    case = _case_row(db, case_id) if user.role == "organizer" else _visible_case(db, user, case_id)
    record = _clean_reply(state, text, plan, expected_date, reason)
    with db.atomic():
        case = _case_row(db, case["id"])  # re-read inside the transaction
        department = _check_can_reply(db, user, case)
        return _insert_reply(db, user, case, department, record, file, published, now)


def _insert_reply(db, user, case, department, record, file, published, now) -> int:
    kind = ("further" if _open_further(db, case["id"]) else "update" if case["first_reply_at"] else "reply")
    stored = _store_file(db, file[1], file[0]) if file and file[1] else {}
    stamp = clock.iso(now)
    entry_id = db["replies"].insert(record | stored | {
        "case_id": case["id"], "department": department, "author_id": user.id, "kind": kind,
        "published": int(bool(published)), "at": stamp}).last_pk
    db["cases"].update(case["id"], {
        "status": "resolved" if record["state"] == "resolved" else "replied", "state": record["state"],
        "first_reply_at": case["first_reply_at"] or stamp, "last_reply_at": stamp})
    audit.record(db, user, "reply_case", f"case:{case['id']}", {"kind": kind, "state": record["state"],
                                                                "entry": entry_id})
    return entry_id


def set_published(db: Database, user, reply_id: int, published: bool) -> None:
    """Organizer decides whether a reply appears on the public page."""
    require_role(user, "organizer")
    row = next(db["replies"].rows_where("id = ?", [reply_id]), None)
    if row is None:
        raise ValidationError("答复不存在。")
    db["replies"].update(reply_id, {"published": int(bool(published))})
    audit.record(db, user, "publish_reply" if published else "unpublish_reply", f"reply:{reply_id}")


IMPORT_COLUMNS = {"办理编号": "case_id", "办理状态": "state", "答复内容": "text", "办理计划": "plan",
                  "预计完成日期": "expected_date", "原因": "reason"}


def reply_template() -> pd.DataFrame:
    """An example sheet for the bulk import of replies."""
    return pd.DataFrame([
        {"办理编号": 1, "办理状态": "正在办理", "答复内容": "已安排专人核实情况，正在制定改进方案。",
         "办理计划": "本月内完成调研，下月实施", "预计完成日期": "2026-12-31", "原因": ""},
        {"办理编号": 2, "办理状态": "暂不具备条件", "答复内容": "感谢提案，经研究目前暂无法实施，说明如下。",
         "办理计划": "", "预计完成日期": "", "原因": "场地改造需纳入明年预算"},
    ])


def import_replies(db: Database, user, data: bytes, filename: str = "", *, now: dt.datetime | None = None) -> int:
    """Bulk replies from a .csv / .xlsx sheet (办理编号, 办理状态, 答复内容[, 办理计划, 预计完成日期, 原因]).

    Every row is checked first; one bad row rejects the whole file with the list of row errors."""
    from .exports import read_table

    require_role(user, "department", "organizer")
    now = _now(now)
    frame = read_table(data, filename)
    missing = [c for c in ("办理编号", "办理状态", "答复内容") if c not in frame.columns]
    if missing:
        raise ValidationError("表格缺少列：" + "、".join(missing) + "（第一行应为列名）。")
    if frame.empty:
        raise ValidationError("表格没有数据行。")
    frame = frame.rename(columns=IMPORT_COLUMNS).fillna("")
    errors, rows = [], []
    seen = set()
    for n, row in enumerate(frame.to_dict("records"), start=2):
        try:
            case = _visible_case(db, user, str(row["case_id"]).strip().removesuffix(".0"))
            if case["id"] in seen:
                raise ValidationError("办理编号重复。")
            seen.add(case["id"])
            department = _check_can_reply(db, user, case)
            record = _clean_reply(str(row["state"]).strip(), row["text"], row.get("plan", ""),
                                  row.get("expected_date") or None, row.get("reason", ""))
            rows.append((case, department, record))
        except (ValidationError, PermissionDenied) as error:
            errors.append(f"第 {n} 行：{error}")
    if errors:
        more = f"（另有 {len(errors) - 20} 行错误）" if len(errors) > 20 else ""
        raise ValidationError("导入未执行，请修改后重新上传：\n" + "\n".join(errors[:20]) + more)
    with db.atomic():
        for case, department, record in rows:
            _insert_reply(db, user, _case_row(db, case["id"]), department, record, None, True, now)
        audit.record(db, user, "import_replies", "replies", {"rows": len(rows), "file": filename})
    return len(rows)


# --- students: rating and further reply ------------------------------------------------


def _own_member(db: Database, user, proposal_id: int) -> dict:
    require_role(user, "participant")
    member = next(db["case_members"].rows_where("proposal_id = ?", [proposal_id]), None)
    if not _is_author(db, user.id, proposal_id):
        raise PermissionDenied("只有提案人可以评价答复。")
    if member is None:
        raise ValidationError("该提案尚未转办，不能评价。")
    return member


def rating_status(db: Database, user, proposal_id: int) -> dict:
    """What the author may do now: {'can_rate', 'can_request', 'ratings', 'replied', 'reason'}."""
    member = _own_member(db, user, proposal_id)
    case = _case_row(db, member["case_id"])
    rated = list(db["ratings"].rows_where("proposal_id = ?", [proposal_id], order_by="round"))
    for r in rated:
        r["level_name"] = RATINGS[r["level"]]
    replied_after_request = bool(member["further_requested_at"]) and bool(db.execute(
        "select 1 from replies where case_id = ? and at >= ?", [case["id"], member["further_requested_at"]]).fetchone())
    can_rate = bool(case["first_reply_at"]) and (not rated or (len(rated) == 1 and replied_after_request))
    can_request = (len(rated) == 1 and rated[0]["level"] == "unsatisfied" and not member["further_requested_at"])
    reason = ("" if can_rate else "部门答复后才能评价。" if not case["first_reply_at"]
              else "已申请再次答复，等待部门答复后可再次评价。" if member["further_requested_at"] and not replied_after_request
              else "已评价。")
    return {"can_rate": can_rate, "can_request": can_request, "ratings": rated, "replied": bool(case["first_reply_at"]),
            "further_requested_at": member["further_requested_at"], "reason": reason}


def rate(db: Database, user, proposal_id: int, level: str, comment: str = "", *, now: dt.datetime | None = None) -> None:
    """An author rates the reply once (满意 / 基本满意 / 不满意); once more only after a requested further reply."""
    now = _now(now)
    if level not in RATINGS:
        level = {v: k for k, v in RATINGS.items()}.get(level, level)
    if level not in RATINGS:
        raise ValidationError("请选择：满意、基本满意或不满意。")
    comment = validation.optional_text(comment, "评价意见", max_len=500, multiline=True)
    with db.atomic():
        status = rating_status(db, user, proposal_id)
        if not status["can_rate"]:
            raise ValidationError("部门尚未答复，暂不能评价。" if not status["replied"] else
                                  "已评价过，不能重复评价。" if not status["further_requested_at"] else status["reason"])
        member = _own_member(db, user, proposal_id)
        db["ratings"].insert({"proposal_id": proposal_id, "round": len(status["ratings"]) + 1,
                              "case_id": member["case_id"], "user_id": user.id, "level": level, "comment": comment,
                              "at": clock.iso(now)})
        audit.record(db, user, "rate_reply", f"proposal:{proposal_id}", {"level": level})


def request_further_reply(db: Database, user, proposal_id: int, reason: str, *, now: dt.datetime | None = None) -> None:
    """Once per proposal, after rating 不满意, the author asks the department for a further reply."""
    now = _now(now)
    reason = validation.text(reason, "申请再次答复的理由", min_len=4, max_len=500, multiline=True)
    with db.atomic():
        status = rating_status(db, user, proposal_id)
        if not status["can_request"]:
            raise ValidationError("已申请过再次答复。" if status["further_requested_at"]
                                  else "只有评价为“不满意”后才能申请再次答复（每件提案限一次）。")
        db["case_members"].update(proposal_id, {"further_requested_at": clock.iso(now), "further_reason": reason,
                                                "further_by": user.id})
        audit.record(db, user, "request_further_reply", f"proposal:{proposal_id}")


# --- timeline --------------------------------------------------------------------------


def timeline_events(db: Database, proposal_id: int) -> list[dict]:
    """Follow-up steps of one proposal, oldest first: dict(at, step, detail).

    The milestones are named as contest/timeline.py expects them (已转办, 已答复 for the first reply,
    已解决 for the first reply or update saying so); the other steps are 重新转办, 部门退回, 进展更新,
    申请再次答复, 再次答复 and 评价.

    The caller (the student's timeline) has already checked that the user may see the proposal.
    Rating comments are the author's own; no person's name appears."""
    member = next(db["case_members"].rows_where("proposal_id = ?", [proposal_id]), None)
    if member is None:
        return []
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    events = []
    for f in db["case_forwards"].rows_where("case_id = ?", [member["case_id"]], order_by="id"):
        co = "、".join(names.get(c, c) for c in (f["co_departments"] or "").split())
        dept = names.get(f["department"], f["department"])
        if f["kind"] == "decline":
            events.append({"at": f["at"], "step": "部门退回", "detail": f"{dept}退回：{f['reason']}"})
        else:
            step = "已转办" if f["kind"] == "forward" else "重新转办"
            detail = f"主办：{dept}" + (f"；协办：{co}" if co else "")
            if f["kind"] == "reforward" and f["reason"]:
                detail += f"；理由：{f['reason']}"
            events.append({"at": f["at"], "step": step, "detail": detail})
    resolved_seen = False
    for r in db["replies"].rows_where("case_id = ?", [member["case_id"]], order_by="at, id"):
        dept = names.get(r["department"], r["department"])
        detail = f"{dept}（{STATES[r['state']]}）：{r['text']}"
        if r["plan"]:
            detail += f"\n办理计划：{r['plan']}"
        if r["expected_date"]:
            detail += f"\n预计完成：{r['expected_date']}"
        if r["reason"]:
            detail += f"\n原因：{r['reason']}"
        step = "已答复" if r["kind"] == "reply" else ENTRY_KINDS[r["kind"]]
        events.append({"at": r["at"], "step": step, "detail": detail})
        if r["state"] == "resolved" and not resolved_seen:
            resolved_seen = True
            events.append({"at": r["at"], "step": "已解决", "detail": f"{dept}答复已解决"})
    if member["further_requested_at"]:
        events.append({"at": member["further_requested_at"], "step": "申请再次答复",
                       "detail": member["further_reason"] or ""})
    for r in db["ratings"].rows_where("proposal_id = ?", [proposal_id], order_by="round"):
        events.append({"at": r["at"], "step": "评价",
                       "detail": RATINGS[r["level"]] + (f"：{r['comment']}" if r["comment"] else "")})
    return sorted(events, key=lambda e: e["at"])


# --- public page ---------------------------------------------------------------------


def public_cases(db: Database, *, topic: str | None = None, department: str | None = None,
                 text: str | None = None) -> pd.DataFrame:
    """Forwarded proposals for everyone, logged in or not: no names, 学号, colleges or ratings."""
    where, args = ["1 = 1"], []
    if topic:
        where.append("p.topic = ?")
        args.append(topic)
    if department:
        where.append("c.id in (select case_id from case_departments where department = ?)")
        args.append(department)
    if text and text.strip():
        where.append("p.title like ? escape '\\'")
        args.append(like_pattern(text))
    rows = db.query(f"""select c.id, p.title, p.topic, c.department, d.name as department_name, c.status, c.state,
                               substr(c.forwarded_at, 1, 10) as forwarded_on,
                               substr(c.last_reply_at, 1, 10) as replied_on,
                               (select count(*) from case_members m where m.case_id = c.id) as proposals
                        from cases c join proposals p on p.id = c.proposal_id
                             left join departments d on d.code = c.department
                        where {' and '.join(where)} order by c.id desc""", args)
    frame = pd.DataFrame(rows, columns=["id", "title", "topic", "department", "department_name", "status", "state",
                                        "forwarded_on", "replied_on", "proposals"])
    frame["status_name"] = frame["status"].map(CASE_STATUS)
    frame["state_name"] = frame["state"].map(STATES).fillna("")
    return frame


def public_replies(db: Database, case_id: int) -> list[dict]:
    """The published replies of a case, for everyone (department, state, text, date)."""
    return list(db.query("""select r.kind, d.name as department_name, r.state, r.text, r.plan, r.expected_date,
                                   r.reason, substr(r.at, 1, 10) as on_date
                            from replies r left join departments d on d.code = r.department
                            where r.case_id = ? and r.published = 1 order by r.at, r.id""", [case_id]))


# --- demo ----------------------------------------------------------------------------


def build_demo(db: Database, users: dict[str, int], now, items: list[tuple[int, dict]]) -> None:
    """Demo contest: forward the proposals marked forwarded/replied/resolved in data/demo, answer the
    replied/resolved ones, and add a few ratings. Forwarding follows screening; some short due dates
    have passed, so the dashboard shows overdue cases."""
    from .accounts import get_user

    now = _now(now)
    organizer = get_user(db, users["organizer"])
    chosen = [(pid, item) for pid, item in items if item.get("status") in ("forwarded", "replied", "resolved")]
    departments = {d["code"] for d in db["departments"].rows_where("active = 1")}
    n_forwarded = 0
    rated = 0
    for n, (pid, item) in enumerate(chosen):
        proposal = db["proposals"].get(pid)
        department = item.get("department") if item.get("department") in departments else "tw"
        screened = clock.parse(proposal["screened_at"]) or now - dt.timedelta(days=10)
        forwarded_at = min(screened + dt.timedelta(days=1, hours=2), now - dt.timedelta(days=1))
        due_days = DEFAULT_DUE_DAYS
        if item["status"] == "forwarded":
            n_forwarded += 1
            due_days = 7 if n_forwarded % 2 else DEFAULT_DUE_DAYS  # about half are overdue by now
        co = ["hqc"] if n == 0 and department != "hqc" and "hqc" in departments else []
        case_id = forward(db, organizer, pid, department, co_departments=co, due_days=due_days,
                          note="请按期答复并在系统中更新办理进展。", member_ids=[], now=forwarded_at)
        reply_data = item.get("reply") or {}
        if item["status"] == "forwarded" or not reply_data:
            continue
        staff = get_user(db, users.get(f"dept-{department}") or users["organizer"])
        elapsed = (now - forwarded_at).total_seconds()
        share = min(int(reply_data.get("days_after_forward") or 10), 40) / 41
        replied_at = forwarded_at + dt.timedelta(seconds=int(elapsed * share))
        state = reply_data.get("state") if reply_data.get("state") in STATES else "planned"
        extra = {}
        if state == "in_progress":
            extra = {"plan": "按答复所述步骤推进，完成后在系统中更新进展。",
                     "expected_date": (now + dt.timedelta(days=45)).date()}
        if state == "not_feasible":
            extra = {"reason": "受场地、经费等条件限制，近期难以实施，已提出过渡措施。"}
        if state == "planned":
            extra = {"plan": "已列入下一年度工作计划。", "expected_date": (now + dt.timedelta(days=120)).date()}
        reply(db, staff, case_id, state, reply_data["text"], now=replied_at, **extra)
        author = get_user(db, proposal["submitter_id"])
        if rated < 4 and author is not None:
            level = ["satisfied", "basic", "satisfied", "unsatisfied"][rated]
            comment = "答复具体，希望持续跟进。" if level != "unsatisfied" else "答复没有回应调研中提出的主要问题。"
            rate(db, author, pid, level, comment, now=replied_at + dt.timedelta(hours=6))
            rated += 1
