"""Database access: one connection per script run, schema through migrations.

The path comes from one setting, the environment variable ``CONTEST_DB``
(default ``var/contest.db`` under the project folder, which git ignores).
Every schema change is a new function registered on ``migrations`` at the end
of this file; an old database upgrades itself the next time it is opened.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database, Migrations

from .errors import Busy

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PATH = PROJECT_DIR / "var" / "contest.db"
# How long one attempt waits for another connection's write to finish (SQLite's busy timeout),
# and how many attempts a write makes before it tells the user to try again.
BUSY_TIMEOUT_S = 5
LOCK_ATTEMPTS = 4

migrations = Migrations("contest")


def db_path() -> Path:
    """The database file named by ``CONTEST_DB``, or the default."""
    return Path(os.environ.get("CONTEST_DB") or DEFAULT_PATH)


def connect(path: str | Path | None = None) -> Database:
    """Open the database (creating its folder), foreign keys on, schema up to date."""
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    db = Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL loses no committed write when the process dies (only on power loss,
    # the last commits may roll back) and saves an fsync per commit.
    db.execute("PRAGMA synchronous = NORMAL")
    sets = migration_sets()
    if any(m.pending(db) for m in sets):
        db.enable_wal()
        for m in sets:
            m.apply(db)
    return db


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """Every domain write that reads first runs in this: ``with database.transaction(db): ...``.

    It starts with ``BEGIN IMMEDIATE``, taking the write lock before the first read. A plain
    (deferred) ``BEGIN`` reads first and asks for the lock at the first write; in WAL mode SQLite
    refuses that upgrade at once when another connection wrote in between, without waiting for
    the busy timeout, so concurrent saves failed with ``database is locked``. Here the wait for
    the lock is where the busy timeout applies; after ``LOCK_ATTEMPTS`` waits the write gives up
    with ``Busy``, a Chinese message. Inside an open transaction it is a savepoint (as
    ``db.atomic()``), so domain functions can call each other.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(db)
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


def _begin_immediate(db: Database) -> None:
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            if attempt == LOCK_ATTEMPTS:
                raise Busy() from error
            time.sleep(0.05 * attempt)


def is_busy(error: BaseException) -> bool:
    """True for SQLite's "database is locked / busy" errors (any extended code)."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.OperationalError) and (
        (code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))
        or "database is locked" in str(error))


def migration_sets() -> list[Migrations]:
    """Core schema first, then each later module's own tables, in dependency order."""
    from . import followup, judging, topic_map

    return [migrations, judging.migrations, followup.migrations, topic_map.migrations]


def int_id(value, error: Exception) -> int:
    """An id typed or passed from a widget, as an int; ``error`` when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise error from None


def get_row(db: Database, table: str, row_id, error: Exception, not_a_number: Exception | None = None) -> dict:
    """The row of ``table`` with this id; ``error`` when it is missing (or the id is not a number,
    unless ``not_a_number`` says that differently)."""
    row_id = int_id(row_id, not_a_number or error)
    row = next(db[table].rows_where("id = ?", [row_id]), None)
    if row is None:
        raise error
    return row


def like_pattern(text: str) -> str:
    """A LIKE pattern (used with ``escape '\\'``) matching ``text`` anywhere, wildcards taken literally."""
    return "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def is_initialised(db: Database) -> bool:
    """True once a contest (demo or real) has been created in this database."""
    return db["settings"].count > 0


# --- schema ---------------------------------------------------------------


@migrations()
def m001_accounts(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "username": str,
            "password_hash": str,
            "role": str,  # participant | judge | organizer | department
            "name": str,
            "student_no": str,
            "college": str,
            "email": str,
            "phone": str,
            "department": str,  # department code for department staff
            "topics": str,  # space-separated topic codes a judge declares
            "must_change_password": int,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "password_hash", "role", "name"},
        defaults={"must_change_password": 0, "active": 1, "topics": ""},
    )
    db["users"].create_index(["username"], unique=True)
    db.execute("CREATE UNIQUE INDEX idx_users_student_no ON users(student_no) WHERE student_no IS NOT NULL")
    # Failed logins are counted per typed name, whether or not the account
    # exists, so the lock-out itself reveals nothing.
    db["login_attempts"].create({"username": str, "failures": int, "locked_until": str}, pk="username")


@migrations()
def m002_settings_and_audit(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["departments"].create(
        {"code": str, "name": str, "description": str, "active": int},
        pk="code",
        not_null={"name"},
        defaults={"active": 1, "description": ""},
    )
    db["audit_log"].create(
        {"id": int, "at": str, "actor_id": int, "actor": str, "action": str, "target": str, "detail": str},
        pk="id",
    )
    db["audit_log"].create_index(["at"])


@migrations()
def m003_proposals(db: Database) -> None:
    db["proposals"].create(
        {
            "id": int,
            "submitter_id": int,
            "title": str,
            "topic": str,
            "problem": str,
            "investigation": str,
            "suggestions": str,
            "department": str,  # suggested department code
            "college": str,  # the submitter's college, or the one given on import
            "author_name": str,  # set for imported proposals without a portal account
            "source": str,  # portal | import
            "client_token": str,  # one per form, so a double click saves one draft
            "status": str,  # draft | submitted | valid | invalid | withdrawn
            "invalid_reason": str,
            "topic_confirmed": int,
            "created_at": str,
            "updated_at": str,
            "submitted_at": str,
            "screened_at": str,
        },
        pk="id",
        not_null={"submitter_id", "status"},
        defaults={"title": "", "problem": "", "investigation": "", "suggestions": "", "topic_confirmed": 0,
                  "source": "portal"},
        foreign_keys=[("submitter_id", "users", "id")],
    )
    db["proposals"].create_index(["status"])
    db["proposals"].create_index(["submitter_id"])
    db["proposals"].create_index(["submitter_id", "client_token"], unique=True)
    db["coauthors"].create(
        {"proposal_id": int, "user_id": int},
        pk=("proposal_id", "user_id"),
        foreign_keys=[("proposal_id", "proposals", "id"), ("user_id", "users", "id")],
    )
    db["coauthors"].create_index(["user_id"])
    db["attachments"].create(
        {
            "id": int,
            "proposal_id": int,
            "filename": str,
            "stored_name": str,
            "kind": str,
            "size": int,
            "uploaded_by": int,
            "uploaded_at": str,
        },
        pk="id",
        foreign_keys=[("proposal_id", "proposals", "id"), ("uploaded_by", "users", "id")],
    )


@migrations()
def m004_merged_proposals(db: Database) -> None:
    # Same-issue proposals merged for forwarding (合并办理) point at their lead proposal.
    db["proposals"].add_column("lead_id", int)
    db.execute("CREATE INDEX idx_proposals_lead_id ON proposals(lead_id)")
