"""Conflicts of interest between a judge and a proposal.

Organizers declare one for any judge; a judge declares their own, only on a proposal in
their (published) queue while judging is open. Declaring drops the assignment (and its
draft sheet); the automatic assignment never pairs them again.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlite_utils import Database

from . import audit, clock, policy, validation
from .accounts import User
from .errors import PermissionDenied, ValidationError
from .review_assignments import drop_pair, judge_for_assignment, proposal_for_assignment
from .score_sheets import ensure_judging_open, require_assigned
from .db import writes


@writes
def declare_conflict(db: Database, actor: User, proposal_id: int, judge_id: int | None = None,
                     reason: str = "", *, now: dt.datetime | None = None) -> None:
    """Record a conflict of interest and drop the assignment if there is one.

    Organizers declare for any judge; a judge declares their own, only on a
    proposal in their (published) queue and before submitting its review."""
    policy.require(actor, "declare_conflict")
    now = now or clock.now()
    if not policy.allows(actor, "manage_judging"):  # a judge, for themselves
        if judge_id not in (None, actor.id):
            raise PermissionDenied("评委只能为自己声明利益冲突。")
        judge_id = actor.id
        proposal_id = require_assigned(db, actor, proposal_id)
        ensure_judging_open(db, now)  # after judging closes a judge's queue is read-only
    elif judge_id is None:
        raise ValidationError("请选择评委。")
    reason = validation.text(reason, "冲突说明", min_len=2, max_len=200, multiline=True)
    with db.atomic():
        if policy.allows(actor, "manage_judging"):
            proposal_for_assignment(db, proposal_id)
            judge_id = judge_for_assignment(db, judge_id).id
        if db["conflicts"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]):
            raise ValidationError("该利益冲突已声明。")
        assigned = db["assignments"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id])
        if assigned:
            drop_pair(db, proposal_id, judge_id)
        db["conflicts"].insert({"proposal_id": proposal_id, "judge_id": judge_id, "reason": reason,
                                "declared_by": actor.id, "declared_at": clock.iso(now)})
        audit.record(db, actor, "declare_conflict", f"proposal:{proposal_id}",
                     {"judge_id": judge_id, "reason": reason, "assignment_removed": bool(assigned)})


@writes
def remove_conflict(db: Database, actor: User, proposal_id: int, judge_id: int) -> None:
    policy.require(actor, "manage_judging")
    if not db["conflicts"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]):
        raise ValidationError("该利益冲突不存在。")
    db["conflicts"].delete((proposal_id, judge_id))
    audit.record(db, actor, "remove_conflict", f"proposal:{proposal_id}", {"judge_id": judge_id})


def list_conflicts(db: Database, actor: User) -> pd.DataFrame:
    """Declared conflicts, newest first, with who declared them (organizer view)."""
    policy.require(actor, "manage_judging")
    rows = db.query("""select c.proposal_id, p.title, c.judge_id, u.username as judge, u.name as judge_name,
                              c.reason, d.username as declared_by,
                              case when d.role = 'judge' then '评委本人' else '组织者' end as declared_by_role,
                              c.declared_at
                       from conflicts c join proposals p on p.id = c.proposal_id
                       join users u on u.id = c.judge_id left join users d on d.id = c.declared_by
                       order by c.declared_at desc, c.proposal_id""")
    return pd.DataFrame(rows, columns=["proposal_id", "title", "judge_id", "judge", "judge_name", "reason",
                                       "declared_by", "declared_by_role", "declared_at"])
