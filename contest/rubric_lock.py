"""The rubric lock: the rubric cannot change once a judge has submitted a score sheet.

Once a sheet is submitted the rubric is locked. ``unlock_rubric`` (organizer, with a
reason, audited, stores a snapshot of the rubric) allows later changes of names,
weights and descriptions only: the criterion codes and score ranges stay as they
were, so every stored score stays complete and in range and totals are simply
recomputed with the new weights. The check itself is ``rubric.ensure_editable`` (called by
``settings.update``).
"""
from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from . import audit, clock, policy, settings, validation
from .accounts import User
from .errors import ValidationError
from .rubric import active_unlock, submitted_sheets
from .db import writes


def rubric_lock_state(db: Database) -> dict:
    """``locked`` (bool), ``submitted`` sheets, and the active unlock (reason, when) if any."""
    submitted = submitted_sheets(db)
    unlock = active_unlock(db) if submitted else None
    return {"locked": bool(submitted) and unlock is None, "submitted": submitted,
            "unlocked": unlock is not None, "reason": unlock["reason"] if unlock else "",
            "unlocked_at": unlock["unlocked_at"] if unlock else ""}


@writes
def unlock_rubric(db: Database, actor: User, reason: str, *, now: dt.datetime | None = None) -> None:
    """Organizer allows changing names / weights / descriptions after the first submitted sheet.

    The rubric at this moment is kept as a snapshot with the reason; the change
    itself then goes through ``settings.update`` (audited old -> new)."""
    policy.require(actor, "manage_judging")
    now = now or clock.now()
    reason = validation.text(reason, "解锁理由", min_len=4, max_len=200, multiline=True)
    if not submitted_sheets(db):
        raise ValidationError("尚无评委提交评分，评分标准未锁定，可直接在“比赛设置”中修改。")
    if active_unlock(db):
        raise ValidationError("评分标准已处于解锁状态。")
    rubric = settings.get(db).rubric
    with db.atomic():
        db["rubric_unlocks"].insert({"actor_id": actor.id, "reason": reason, "active": 1,
                                     "rubric": json.dumps([c.to_dict() for c in rubric], ensure_ascii=False),
                                     "unlocked_at": clock.iso(now)})
        audit.record(db, actor, "unlock_rubric", "rubric", {"reason": reason, "rubric": [c.to_dict() for c in rubric]})


@writes
def lock_rubric(db: Database, actor: User) -> None:
    """Organizer closes an unlock again (the rubric stays locked while sheets are submitted)."""
    policy.require(actor, "manage_judging")
    if active_unlock(db) is None:
        raise ValidationError("评分标准没有处于解锁状态。")
    db.execute("update rubric_unlocks set active = 0 where active = 1")
    audit.record(db, actor, "lock_rubric", "rubric")
