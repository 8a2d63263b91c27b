"""Audit log: who changed what and when. Readable by organizers only."""
from __future__ import annotations

import json

from sqlite_utils import Database

from . import clock
from .permissions import require_role


def record(db: Database, actor, action: str, target: str = "", detail: dict | None = None) -> None:
    """Append one entry; ``actor`` is a User or None for the system itself."""
    db["audit_log"].insert(
        {
            "at": clock.iso(clock.now()),
            "actor_id": getattr(actor, "id", None),
            "actor": getattr(actor, "username", "system"),
            "action": action,
            "target": target,
            "detail": json.dumps(detail or {}, ensure_ascii=False, default=str),
        }
    )


def entries(db: Database, actor, *, limit: int = 500, action: str | None = None) -> list[dict]:
    """The newest entries first, optionally of one action."""
    require_role(actor, "organizer")
    where, args = ("action = ?", [action]) if action else (None, None)
    return list(db["audit_log"].rows_where(where, args, order_by="id desc", limit=limit))
