"""Audit log: who changed what and when. Readable by organizers only."""
from __future__ import annotations

import datetime as dt
import json

from sqlite_utils import Database

from . import clock, policy, validation
from .db import like_pattern, writes
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


PAGE_SIZE = 200


def search(db: Database, actor, *, text: str = "", action: str | None = None, since: dt.date | None = None,
           until: dt.date | None = None, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[dict], int]:
    """One page of the whole log, newest first, and the number of matching entries.

    ``text`` is found in the operator's name, the action (its id or Chinese label), the target or the
    detail; ``since``/``until`` are dates, both included."""
    policy.require(actor, "read_audit_log")
    text = validation.search_text(text, "筛选内容")
    where, args = [], []
    if text:
        like = like_pattern(text)
        named = [value for value, label in labels(AuditAction).items() if text in label]
        parts = [f"{f} like ? escape '\\'" for f in ("actor", "action", "target", "detail")]
        args += [like] * 4
        if named:
            parts.append(f"action in ({','.join('?' * len(named))})")
            args += named
        where.append("(" + " or ".join(parts) + ")")
    if action:
        where.append("action = ?")
        args.append(str(action))
    if since:
        where.append("at >= ?")
        args.append(since.isoformat())
    if until:
        where.append("at < ?")
        args.append((until + dt.timedelta(days=1)).isoformat())
    clause = f"where {' and '.join(where)}" if where else ""
    total = db.execute(f"select count(*) from audit_log {clause}", args).fetchone()[0]
    page, per_page = max(1, int(page)), max(1, int(per_page))
    cursor = db.execute(f"select * from audit_log {clause} order by id desc limit ? offset ?",
                        args + [per_page, (page - 1) * per_page])
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()], total


def last_id(db: Database) -> int:
    """The newest entry's id. Every domain write records an entry, so this changes on every write:
    pages use it (with the minute, for deadlines) as the key of cached figures."""
    return db.execute("select coalesce(max(id), 0) from audit_log").fetchone()[0]
