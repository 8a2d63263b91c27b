"""Autosave of 撰写提案: what a student types is kept in the database before any button is pressed.

One buffer per user and proposal (``NEW`` = 0 for a proposal not saved yet) holds the form's fields
as typed (nothing is validated: half a sentence is kept as it is). The page writes it on every
change of a field and clears it once the proposal is saved; on the next visit, after a reload or in
a new session, the page shows the buffer instead of the saved proposal, so typed text survives
leaving the page. The buffer never changes the proposal itself: saving and submitting stay explicit.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from . import clock, policy
from .db import writes
from .errors import PermissionDenied

NEW = 0
FIELDS = ("title", "topic", "department", "problem", "investigation", "suggestions", "coauthors")
MAX_CHARS = 20_000  # per field: far above the form's own limits, a guard against abuse


def _check(db: Database, user, proposal_id: int) -> int:
    policy.require(user, "write_proposals")
    proposal_id = int(proposal_id or NEW)
    if proposal_id != NEW and not db["proposals"].count_where(
            "id = ? and submitter_id = ?", [proposal_id, user.id]):
        raise PermissionDenied("只能自动保存自己提交的提案。")
    return proposal_id


@writes
def keep(db: Database, user, proposal_id: int, fields: dict, *, now: dt.datetime | None = None) -> None:
    """Store what is typed for ``proposal_id`` (``NEW`` for a new proposal), replacing the last buffer."""
    proposal_id = _check(db, user, proposal_id)
    typed = {key: str(fields.get(key) or "")[:MAX_CHARS] for key in FIELDS}
    db["draft_buffers"].upsert({"user_id": user.id, "proposal_id": proposal_id,
                                "fields": json.dumps(typed, ensure_ascii=False),
                                "updated_at": clock.iso(now or clock.now())},
                               pk=("user_id", "proposal_id"))


def restore(db: Database, user, proposal_id: int) -> dict | None:
    """``{"fields": {...}, "updated_at": ...}`` of the buffer kept for ``proposal_id``, or None."""
    proposal_id = _check(db, user, proposal_id)
    row = db.execute("select fields, updated_at from draft_buffers where user_id = ? and proposal_id = ?",
                     [user.id, proposal_id]).fetchone()
    if row is None:
        return None
    return {"fields": {key: str(value) for key, value in json.loads(row[0]).items() if key in FIELDS},
            "updated_at": row[1]}


def latest(db: Database, user) -> int | None:
    """The proposal (``NEW`` for a new one) whose buffer was written last: where the student left off."""
    policy.require(user, "write_proposals")
    row = db.execute("""select b.proposal_id from draft_buffers b
                        where b.user_id = ? and (b.proposal_id = 0 or b.proposal_id in
                              (select id from proposals where submitter_id = ?))
                        order by b.updated_at desc limit 1""", [user.id, user.id]).fetchone()
    return None if row is None else row[0]


@writes
def discard(db: Database, user, proposal_id: int) -> None:
    """Forget the buffer (after a save, or when the student throws the unsaved text away)."""
    proposal_id = _check(db, user, proposal_id)
    db["draft_buffers"].delete_where("user_id = ? and proposal_id = ?", [user.id, proposal_id])
