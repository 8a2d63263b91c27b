"""Database access: one connection per script run, schema through migrations.

The path comes from one setting, the environment variable ``CONTEST_DB``
(default ``var/contest.db`` under the project folder, which git ignores).
Every schema change is a migration in ``contest/migrations.py``; an old database
upgrades itself the next time it is opened.
"""
from __future__ import annotations

import contextlib
import functools
import math
import numbers
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from .errors import ArchivedContest, Busy
from .migrations import MIGRATION_SETS

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PATH = PROJECT_DIR / "var" / "contest.db"
# How long one attempt waits for another connection's write to finish (SQLite's busy timeout),
# and how many attempts a write makes before it tells the user to try again.
BUSY_TIMEOUT_S = 5
LOCK_ATTEMPTS = 4
# The writers of one process (the Streamlit server runs every session in a thread of one process)
# queue for a database file here before asking SQLite for its lock: a waiting thread sleeps until the
# lock is free instead of polling SQLite's busy handler (which sleeps up to 100 ms between polls, so
# under load some writers lost every race for 20 s), and does not compete for the GIL meanwhile.
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def db_path() -> Path:
    """The database file named by ``CONTEST_DB``, or the default."""
    return Path(os.environ.get("CONTEST_DB") or DEFAULT_PATH)


def connect(path: str | Path | None = None) -> Database:
    """Open the database (creating its folder), foreign keys on, schema up to date."""
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    db = Database(conn)
    with _WRITERS_GUARD:
        db.writer_queue = _WRITERS.setdefault(str(path.resolve()), threading.RLock())
    db.execute("PRAGMA foreign_keys = ON")
    # In WAL mode NORMAL loses no committed write when the process dies (only on power loss,
    # the last commits may roll back) and saves an fsync per commit.
    db.execute("PRAGMA synchronous = NORMAL")
    if any(m.pending(db) for m in MIGRATION_SETS):
        db.enable_wal()
        with transaction(db):  # processes starting together: each migration runs once
            for m in MIGRATION_SETS:
                m.apply(db)
    if _statistics_stale(db):
        optimize(db)
    return db


def _statistics_stale(db: Database) -> bool:
    """True when the planner's statistics are missing or from a contest less than half this size
    (a contest starts empty and grows; the check reads one index end and one small table)."""
    if not db.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone():
        return True
    row = db.execute("select stat from sqlite_stat1 where tbl = 'proposals' order by idx is null limit 1").fetchone()
    counted = int(row[0].split()[0]) if row and row[0] else 0
    now = db.execute("select coalesce(max(id), 0) from proposals").fetchone()[0]
    return now > 2 * counted + 100


def optimize(db: Database) -> None:
    """Gather the statistics SQLite's query planner uses to choose an index (``ANALYZE``).

    Without them the planner guesses, and it guessed the index over the 0/1 ``published`` column
    of ``assignments`` for a per-proposal count: a scan of every published assignment per
    proposal (21 s at 10,000 proposals). Run after migrations and bulk writes (imports, the
    scale demo); ``analysis_limit`` samples each index, so this stays well under a second at
    50,000 proposals."""
    try:
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute("ANALYZE")
    except sqlite3.OperationalError as error:  # another connection is writing: the next one analyses
        if not is_busy(error):
            raise


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """Every domain write that reads first runs in this: ``with database.transaction(db): ...``.

    It starts with ``BEGIN IMMEDIATE``, taking the write lock before the first read. A plain
    (deferred) ``BEGIN`` reads first and asks for the lock at the first write; in WAL mode SQLite
    refuses that upgrade at once when another connection wrote in between, without waiting for
    the busy timeout, so concurrent saves failed with ``database is locked``. Here the wait for
    the lock is where the busy timeout applies; after ``LOCK_ATTEMPTS`` waits the write gives up
    with ``Busy``, a Chinese message. Inside an open transaction it is a savepoint (as
    ``db.atomic()``), so domain functions can call each other. Threads of one process first queue
    for the file (``_WRITERS``); other processes meet at SQLite's lock.
    """
    if getattr(db, "archived", False):  # an earlier contest (contest.contests.open_archive)
        raise ArchivedContest()
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    queue = getattr(db, "writer_queue", None) or threading.RLock()  # a Database not opened by connect()
    if not queue.acquire(timeout=BUSY_TIMEOUT_S * LOCK_ATTEMPTS):
        raise Busy()
    try:
        _begin_immediate(db)
        try:
            yield db
        except BaseException:
            db.rollback()
            db.__dict__.pop("_after_commit", None)
            raise
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            db.rollback()
            db.__dict__.pop("_after_commit", None)
            raise
    finally:
        queue.release()
    for callback in db.__dict__.pop("_after_commit", {}).values():
        callback(db)


def after_commit(db: Database, callback) -> None:
    """Run ``callback(db)`` once the outermost ``transaction`` commits (at once when none is open);
    dropped when it rolls back. Registered twice, it runs once: e.g. ``contest.notices`` sends its
    e-mails only after the notices are committed."""
    if not db.conn.in_transaction:
        callback(db)
        return
    db.__dict__.setdefault("_after_commit", {})[callback] = callback


def writes(function):
    """Decorator for a domain function whose first argument is the database: the whole function,
    its reads included, runs in ``transaction(db)`` (a savepoint when the caller already opened
    one). Every domain function that writes carries it; ``tests/unit/test_write_storm.py`` checks."""

    @functools.wraps(function)
    def in_transaction(db, *args, **kwargs):
        with transaction(db):
            return function(db, *args, **kwargs)

    return in_transaction


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


MAX_ID = 2 ** 63 - 1  # SQLite's INTEGER: a larger number would crash the query, not miss the row
_DIGITS = re.compile(r"\+?[0-9]{1,19}")


def int_id(value, error: Exception) -> int:
    """An id typed, imported or passed from a widget, as an int in 1..2^63-1; ``error`` otherwise.

    Whole numbers only: "12", 12, 12.0 and numpy integers are 12; "1.5", 1.5, True, a list, a
    number of 40 digits or one >= 2^63 are refused (never truncated, never a crash in SQLite)."""
    if isinstance(value, bool):
        raise error
    if isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            raise error
        number = int(text)
    elif isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, numbers.Real):
        if not math.isfinite(value) or not float(value).is_integer():
            raise error
        number = int(value)
    else:
        raise error
    if not 1 <= number <= MAX_ID:
        raise error
    return number


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
