"""Forwarding (转办): proposals become cases (办理件) of departments; who may see a case; reading cases.

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

Follow-up modules: this one,
``contest.replies`` (the departments' replies and updates), ``contest.ratings`` (the authors'
ratings and further-reply requests), ``contest.public_followup`` (the public page) and
``contest.followup_stats`` (the rates 移交率, 回复率, 解决率, 满意率 and the dashboard figures).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlite_utils import Database

from . import audit, clock, notices, policy, settings, validation
from .db import get_row, writes
from .errors import PermissionDenied, ValidationError
from .vocabulary import AnswerState, CaseStatus, Rating, labels


DEFAULT_DUE_DAYS = 30


def case_row(db: Database, case_id) -> dict:
    return get_row(db, "cases", case_id, PermissionDenied("办理件不存在或无权查看。"),
                   ValidationError("办理编号必须是数字。"))


def departments_of(db: Database, case_id: int) -> dict[str, str]:
    return {r["department"]: r["role"] for r in db["case_departments"].rows_where("case_id = ?", [case_id])}


def _member_ids(db: Database, case_id: int) -> list[int]:
    return [r["proposal_id"] for r in db["case_members"].rows_where("case_id = ?", [case_id],
                                                                   order_by="proposal_id")]


def _can_see(db: Database, user, case: dict) -> bool:
    if policy.allows(user, "read_all_cases") or policy.handles_case(db, user, case["id"]):
        return True
    return policy.allows(user, "read_own_cases") and any(
        policy.is_author(db, user, pid) for pid in _member_ids(db, case["id"]))


def _reads_own_cases_only(user) -> bool:
    """Authors see their cases without the organizer's note to the departments or others' ratings."""
    return not (policy.allows(user, "read_all_cases") or policy.allows(user, "read_department_cases"))


def visible_case(db: Database, user, case_id) -> dict:
    policy.require(user, "read_all_cases", "read_department_cases", "read_own_cases")
    case = case_row(db, case_id)
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


def forwardable(db: Database, user) -> pd.DataFrame:
    """Valid proposals not yet in a case, with the suggested department (members of a merged group excluded)."""
    policy.require(user, "forward_proposals")
    rows = db.query("""select p.id, p.title, p.topic, p.department, p.college, p.screened_at,
                              (select count(*) from proposals m
                               where m.lead_id = p.id and m.id != p.id and m.status = 'valid') as merged
                       from proposals p
                       where p.status = 'valid' and p.id not in (select proposal_id from case_members)
                             and (p.lead_id is null or p.lead_id = p.id)
                       order by p.id""")
    return pd.DataFrame(rows, columns=["id", "title", "topic", "department", "college", "screened_at", "merged"])


@writes
def forward(db: Database, user, proposal_id: int, department: str, *, co_departments=(), due_days=DEFAULT_DUE_DAYS,
            note: str = "", member_ids=None, now: dt.datetime | None = None) -> int:
    """Forward a valid proposal (and the members of its merged group) to a lead department; returns the case id.

    ``member_ids`` None takes the proposals merged into this one (``proposals.lead_id``)."""
    policy.require(user, "forward_proposals")
    now = clock.given_or_now(now)
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
    notices.case_forwarded(db, case_id)
    return case_id


def _set_departments(db: Database, case_id: int, lead: str, co: list[str]) -> None:
    db["case_departments"].delete_where("case_id = ?", [case_id])
    db["case_departments"].insert_all([{"case_id": case_id, "department": lead, "role": "lead"}]
                                      + [{"case_id": case_id, "department": c, "role": "co"} for c in co])


@writes
def forward_many(db: Database, user, items: list[tuple[int, str]], *, due_days=DEFAULT_DUE_DAYS, note: str = "",
                 now: dt.datetime | None = None) -> list[int]:
    """Forward several proposals, each to its own lead department, all or nothing."""
    policy.require(user, "forward_proposals")
    if not items:
        raise ValidationError("请至少选择一件提案。")
    with db.atomic():
        ids = []
        for proposal_id, department in items:
            if not department:
                raise ValidationError(f"提案 {proposal_id} 没有选择承办部门。")
            ids.append(forward(db, user, proposal_id, department, due_days=due_days, note=note, now=now))
    return ids


@writes
def decline(db: Database, user, case_id: int, reason: str, *, now: dt.datetime | None = None) -> None:
    """The lead department returns a case it cannot handle, with a reason; an organizer re-forwards it.
    A co-handling department declines its part instead: it leaves the case (with a reason, in the
    case's history), which stays with the lead department."""
    policy.require(user, "decline_cases")
    now = clock.given_or_now(now)
    case = visible_case(db, user, case_id)
    reason = validation.text(reason, "退回理由", min_len=4, max_len=500, multiline=True)
    if case["department"] != user.department and departments_of(db, case["id"]).get(user.department) == "co":
        if case["status"] == "resolved":
            raise ValidationError("已办结的办理件不能再退出协办。")
        with db.atomic():
            db["case_departments"].delete_where("case_id = ? and department = ?", [case["id"], user.department])
            db["case_forwards"].insert({"case_id": case["id"], "kind": "co_decline", "department": user.department,
                                        "co_departments": "", "reason": reason, "by_id": user.id,
                                        "at": clock.iso(now)})
            audit.record(db, user, "decline_case", f"case:{case['id']}", {"reason": reason, "role": "co"})
        return
    if case["department"] != user.department:
        raise PermissionDenied("只有主办部门可以退回办理件。")
    if case["status"] != "pending":
        raise ValidationError("已答复或已退回的办理件不能再退回。")
    with db.atomic():
        db["cases"].update(case["id"], {"status": "declined"})
        db["case_forwards"].insert({"case_id": case["id"], "kind": "decline", "department": user.department,
                                    "co_departments": "", "reason": reason, "by_id": user.id, "at": clock.iso(now)})
        audit.record(db, user, "decline_case", f"case:{case['id']}", {"reason": reason})


@writes
def reforward(db: Database, user, case_id: int, department: str, *, reason: str, co_departments=(),
              due_days=DEFAULT_DUE_DAYS, now: dt.datetime | None = None) -> None:
    """Organizer sends a case to another lead department (typically after a decline), with a reason."""
    policy.require(user, "forward_proposals")
    now = clock.given_or_now(now)
    case = case_row(db, case_id)
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
    notices.case_forwarded(db, case["id"])


def cases(db: Database, user, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """The cases the user may see, one row per case, with due dates and an overdue mark."""
    policy.require(user, "read_all_cases", "read_department_cases", "read_own_cases")
    now = clock.given_or_now(now)
    where, args = "1 = 1", {}
    if policy.allows(user, "read_all_cases"):
        pass
    elif policy.allows(user, "read_department_cases"):
        where = "c.id in (select case_id from case_departments where department = :dept)"
        args["dept"] = user.department or ""
    else:  # read_own_cases
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
    if _reads_own_cases_only(user):
        frame["note"] = ""  # the organizer's note is for the departments
    stamp = clock.iso(now)
    frame["overdue"] = (frame["status"] == "pending") & (frame["due_at"] < stamp)
    frame["status_name"] = frame["status"].map(labels(CaseStatus))
    frame["state_name"] = frame["state"].map(labels(AnswerState)).fillna("")
    return frame


def get_case(db: Database, user, case_id: int) -> dict:
    """One case with its proposals, departments, forwarding history, replies and ratings, as the user may see it."""
    case = visible_case(db, user, case_id)
    members = list(db.query("""select p.id, p.title, p.topic, p.problem, p.investigation, p.suggestions, p.department,
                                      m.further_requested_at, m.further_reason
                               from case_members m join proposals p on p.id = m.proposal_id
                               where m.case_id = ? order by p.id""", [case["id"]]))
    if policy.allows(user, "read_all_cases"):  # who wrote it and who rated
        for m in members:
            m["authors"] = "、".join(r["name"] for r in db.query(
                """select u.name from users u where u.id = (select submitter_id from proposals where id = :p)
                   union all select u.name from coauthors c join users u on u.id = c.user_id where c.proposal_id = :p""",
                {"p": m["id"]}))
    if policy.allows(user, "read_department_cases"):  # the proposers, as far as the organizer allows
        shown = settings.get(db).department_sees_proposers
        for m in members:
            m["proposers"] = [] if shown == "none" else [
                {"name": r["name"], "college": r["college"] or "",
                 **({"email": r["email"] or "", "phone": r["phone"] or ""} if shown == "contact" else {})}
                for r in db.query("""select u.name, u.college, u.email, u.phone, 0 as n from proposals p
                                     join users u on u.id = p.submitter_id where p.id = :p
                                     union all select u.name, u.college, u.email, u.phone, 1 from coauthors c
                                     join users u on u.id = c.user_id where c.proposal_id = :p order by n""",
                                  {"p": m["id"]})]
    history = list(db.query("""select f.kind, f.department, d.name as department_name, f.co_departments, f.reason, f.at
                               from case_forwards f left join departments d on d.code = f.department
                               where f.case_id = ? order by f.id""", [case["id"]]))
    ratings = _ratings(db, case["id"], with_rater=policy.allows(user, "read_all_cases"))
    if _reads_own_cases_only(user):
        # In a merged case a student sees the other proposals, but only their own ratings and
        # further-reply requests; the organizer's note is for the departments.
        own = {m["id"] for m in members if policy.is_author(db, user, m["id"])}
        ratings = [r for r in ratings if r["proposal_id"] in own]
        members = [m if m["id"] in own else m | {"further_reason": None} for m in members]
        case = case | {"note": ""}
        history = [h | {"reason": ""} if h["kind"] == "forward" else h for h in history]  # as in the timeline
    return case | {
        "members": members,
        "departments": departments_of(db, case["id"]),
        "history": history,
        "replies": replies(db, user, case["id"]),
        "ratings": ratings,
    }


def replies(db: Database, user, case_id: int) -> list[dict]:
    """Every entry of a case, oldest first (the case's viewers see unpublished ones too)."""
    case = visible_case(db, user, case_id)
    return list(db.query("""select r.id, r.kind, r.department, d.name as department_name, r.state, r.text, r.plan,
                                   r.expected_date, r.reason, r.published, r.at, r.file_name, r.file_size
                            from replies r left join departments d on d.code = r.department
                            where r.case_id = ? order by r.at, r.id""", [case["id"]]))


def _ratings(db: Database, case_id: int, with_rater: bool) -> list[dict]:
    rows = list(db.query("""select r.proposal_id, r.round, r.level, r.comment, r.at, u.name as rater
                            from ratings r left join users u on u.id = r.user_id
                            where r.case_id = ? order by r.proposal_id, r.round""", [case_id]))
    for row in rows:
        row["level_name"] = Rating(row["level"]).label
        if not with_rater:
            row.pop("rater")
    return rows


def case_for_proposal(db: Database, user, proposal_id: int) -> dict | None:
    """The case a proposal belongs to, if the user may see it; None when it has not been forwarded."""
    member = next(db["case_members"].rows_where("proposal_id = ?", [proposal_id]), None)
    if member is None:
        policy.require(user, "read_all_cases", "read_department_cases", "read_own_cases")
        return None
    return get_case(db, user, member["case_id"])
