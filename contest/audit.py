"""Audit log: who changed what and when. Readable by organizers only."""
from __future__ import annotations

import json

from sqlite_utils import Database

from . import clock, policy
from .db import writes
from .vocabulary import AuditAction, labels


@writes
def record(db: Database, actor, action: str, target: str = "", detail: dict | None = None) -> None:
    """Append one entry; ``actor`` is a User or None for the system itself.

    ``action`` must be an ``AuditAction`` (or its value), so every entry has a Chinese label."""
    if action not in labels(AuditAction):
        raise ValueError(f"audit action {action!r} is not in contest.vocabulary.AuditAction (add it with its label)")
    db["audit_log"].insert(
        {
            "at": clock.iso(clock.now()),
            "actor_id": getattr(actor, "id", None),
            "actor": getattr(actor, "username", "system"),
            "action": str(action),
            "target": target,
            "detail": json.dumps(detail or {}, ensure_ascii=False, default=str),
        }
    )


def entries(db: Database, actor, *, limit: int = 500, action: str | None = None) -> list[dict]:
    """The newest entries first, optionally of one action."""
    policy.require(actor, "read_audit_log")
    where, args = ("action = ?", [action]) if action else (None, None)
    return list(db["audit_log"].rows_where(where, args, order_by="id desc", limit=limit))


def last_id(db: Database) -> int:
    """The newest entry's id. Every domain write records an entry, so this changes on every write:
    pages use it (with the minute, for deadlines) as the key of cached figures."""
    return db.execute("select coalesce(max(id), 0) from audit_log").fetchone()[0]
