"""The rubric lock: the rubric cannot change once a judge has submitted a score sheet.

Once a sheet is submitted the rubric is locked. ``unlock_rubric`` (organizer, with a
reason, audited, stores a snapshot of the rubric) allows later changes of names,
weights and descriptions only: the criterion codes and score ranges stay as they
were, so every stored score stays complete and in range and totals are simply
recomputed with the new weights. ``settings.update`` calls ``ensure_rubric_editable``.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from . import audit, clock, policy, settings, validation
from .accounts import User
from .errors import ValidationError
from .rubric import criterion_range


def _submitted_count(db: Database) -> int:
    return db["sheets"].count_where("status = 'submitted'")


def _active_unlock(db: Database) -> dict | None:
    return next(db["rubric_unlocks"].rows_where("active = 1", order_by="id desc", limit=1), None)


def rubric_lock_state(db: Database) -> dict:
    """``locked`` (bool), ``submitted`` sheets, and the active unlock (reason, when) if any."""
    submitted = _submitted_count(db)
    unlock = _active_unlock(db) if submitted else None
    return {"locked": bool(submitted) and unlock is None, "submitted": submitted,
            "unlocked": unlock is not None, "reason": unlock["reason"] if unlock else "",
            "unlocked_at": unlock["unlocked_at"] if unlock else ""}


def ensure_rubric_editable(db: Database, new_rubric: list | None = None) -> None:
    """The rubric is locked once the first score sheet has been submitted.

    After ``unlock_rubric`` a new rubric is accepted when it keeps every criterion
    code and score range (names, weights and descriptions may change), so no
    submitted sheet becomes incomplete or out of range.
    """
    if not _submitted_count(db):
        return
    if _active_unlock(db) is None:
        raise ValidationError("已有评委提交评分，评分标准已锁定，不能再修改。如确需调整权重或说明，"
                              "请组织者在“评审进度”页执行“解锁评分标准”并填写理由。")
    if new_rubric is None:
        raise ValidationError("评分标准已解锁，但只允许修改名称、权重和说明。")
    old = {c["code"]: c for c in settings.get(db).rubric}
    new = {}
    for c in new_rubric:
        code = str(c.get("code") or "").strip()
        try:
            new[code] = (float(c.get("min")), float(c.get("max")))
        except (TypeError, ValueError):
            raise ValidationError("评分项的最低分和最高分必须是数字。") from None
    if set(new) != set(old):
        raise ValidationError("已有评委提交评分：解锁后也不能增加、删除评分项或修改其代码，"
                              "只允许修改名称、权重和说明。")
    for code, (lo, hi) in new.items():
        if (lo, hi) != (float(old[code]["min"]), float(old[code]["max"])):
            raise ValidationError(f"已有评委提交评分：评分项“{old[code]['name']}”的分值范围"
                                  f"（{criterion_range(old[code])}）不能修改，只允许修改名称、权重和说明。")


def unlock_rubric(db: Database, actor: User, reason: str, *, now: dt.datetime | None = None) -> None:
    """Organizer allows changing names / weights / descriptions after the first submitted sheet.

    The rubric at this moment is kept as a snapshot with the reason; the change
    itself then goes through ``settings.update`` (audited old -> new)."""
    policy.require(actor, "manage_judging")
    now = now or clock.now()
    reason = validation.text(reason, "解锁理由", min_len=4, max_len=200, multiline=True)
    if not _submitted_count(db):
        raise ValidationError("尚无评委提交评分，评分标准未锁定，可直接在“比赛设置”中修改。")
    if _active_unlock(db):
        raise ValidationError("评分标准已处于解锁状态。")
    rubric = settings.get(db).rubric
    with db.atomic():
        db["rubric_unlocks"].insert({"actor_id": actor.id, "reason": reason, "active": 1,
                                     "rubric": json.dumps(rubric, ensure_ascii=False),
                                     "unlocked_at": clock.iso(now)})
        audit.record(db, actor, "unlock_rubric", "rubric", {"reason": reason, "rubric": rubric})


def lock_rubric(db: Database, actor: User) -> None:
    """Organizer closes an unlock again (the rubric stays locked while sheets are submitted)."""
    policy.require(actor, "manage_judging")
    if _active_unlock(db) is None:
        raise ValidationError("评分标准没有处于解锁状态。")
    db.execute("update rubric_unlocks set active = 0 where active = 1")
    audit.record(db, actor, "lock_rubric", "rubric")
