"""Contests year after year: the live contest in the database, earlier ones archived beside it.

Design (docs/ARCHITECTURE.md, "Contests year after year"): the configured database always holds
the live contest; every earlier contest is an **archive**, a frozen SQLite copy of the database
taken when the next one started (``VACUUM INTO``, in the same folder, so its attachments and
reply files resolve to the same ``attachments/`` folder). No table of the contest carries a
contest id and no query changes: a page reads whichever database the router gives it.

* :func:`start_new_year` -- archives the live contest and empties its per-contest tables in one
  write transaction (writers wait; nothing written in between is lost). Accounts (students keep
  theirs, judges, departments' staff, organizers, campus sign-in links), the settings (topics with
  keywords, rubric, colleges, award tiers, sign-in rules) and the departments are carried over
  (``CARRIED_OVER``); everything else, including any table added later, starts empty. The new
  contest gets its name and year, fresh phases, and unpublished results.
* :func:`archives` lists the earlier contests; :func:`open_archive` opens one **read-only**:
  SQLite refuses every write on that connection, and :func:`contest.db.transaction` -- the gate
  every domain write goes through -- refuses it first with a Chinese message
  (:class:`contest.errors.ArchivedContest`). So an old contest cannot be changed from any page.
* Accounts live in the live database only: a user signs in there, and the same id is theirs in
  every archive (an archive is a copy, and nothing is written to it afterwards).
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import asdict, replace
from pathlib import Path

from sqlite_utils import Database

from . import audit, clock, db as database, policy, settings, validation
from .accounts import User
from .errors import ValidationError

#: Tables kept when a new contest starts; every other table belongs to the contest and starts empty.
CARRIED_OVER = {"_sqlite_migrations", "users", "login_attempts", "login_throttle", "sessions", "session_codes",
                "settings", "departments",
                "contest_archives", "sqlite_sequence"}
#: Settings that start anew each contest (the rest is copied).
RESET_SETTINGS = ("phases", "grace_until", "results_published", "published_at", "demo_mode")


def _live_path(db: Database) -> Path:
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise ValidationError("内存数据库不能归档。")


def archives(db: Database) -> list[dict]:
    """Earlier contests, newest first: id, contest_name, year, file, archived_at, proposals, cases."""
    return list(db.query("select * from contest_archives order by id desc"))


def contest_names(db: Database) -> dict:
    """0 (the live contest) and each archive id -> '名称 · 年份' for a contest switcher."""
    live = settings.get(db)
    names = {0: f"{live.contest_name} · {live.year}（本届）"}
    for a in archives(db):
        names[a["id"]] = f"{a['contest_name']} · {a['year']}（往届，只读）"
    return names


def open_archive(db: Database, archive_id: int) -> Database:
    """The archived contest ``archive_id``, opened read-only (``db.archived`` is True).

    Its schema is first brought up to date if the code gained migrations since it was archived
    (a schema upgrade, not a change of its data)."""
    row = next(db["contest_archives"].rows_where("id = ?", [int(archive_id)]), None)
    if row is None:
        raise ValidationError("没有这一届比赛。")
    path = _live_path(db).parent / row["file"]
    if not path.is_file():
        raise ValidationError(f"往届比赛的数据库文件 {row['file']} 不见了，请从备份中恢复。")
    upgrade = sqlite3.connect(path)
    try:
        if any(m.pending(Database(upgrade)) for m in database.MIGRATION_SETS):
            database.connect(path).conn.close()
    finally:
        upgrade.close()
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False,
                           timeout=database.BUSY_TIMEOUT_S)
    archived = Database(conn)
    archived.archived = True
    archived.archive = dict(row)
    archived.live_path = _live_path(db)
    return archived


def each_archive(db: Database):
    """(archive row, read-only Database) of every earlier contest, newest first; a missing file is skipped."""
    for row in archives(db):
        try:
            yield row, open_archive(db, row["id"])
        except ValidationError:
            continue


def _file_name(live: Path, year: int, taken: set[str]) -> str:
    base = f"{live.stem}-{year}"
    name, n = f"{base}.sqlite", 1
    while name in taken or (live.parent / name).exists():
        n += 1
        name = f"{base}-{n}.sqlite"
    return name


def _contest_tables(db: Database) -> list[str]:
    """Tables emptied for a new contest: not carried over, not SQLite's own, not a virtual
    table's shadow tables (emptying the virtual table empties those)."""
    rows = db.execute("select name, sql from sqlite_master where type = 'table'").fetchall()
    virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [n for n, _ in rows
            if n not in CARRIED_OVER and not n.startswith("sqlite_")
            and not any(n.startswith(v + "_") for v in virtual if n != v)]


@database.writes
def start_new_year(db: Database, actor: User, *, contest_name: str, year: int,
                   now: dt.datetime | None = None) -> dict:
    """Archive the live contest and start the next one; returns the archive row.

    Organizers only. The year (or round) must differ from the live contest's, since the archive is
    named by it; a second round of one year is named by its contest name (e.g. 2026 春季 / 秋季)
    and gets a numbered file."""
    policy.require(actor, "start_new_contest")
    now = now or clock.now()
    name = validation.text(contest_name, "新一届比赛名称", min_len=2, max_len=60)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError("年份应为数字，例如 2027。") from None
    if not 2000 <= year <= 2100:
        raise ValidationError("年份应在 2000–2100 之间。")
    old = settings.get(db)
    if name == old.contest_name and year == old.year:
        raise ValidationError("新一届比赛的名称或年份应与本届不同。")
    live = _live_path(db)
    taken = {a["file"] for a in archives(db)}
    file = _file_name(live, old.year, taken)
    target = live.parent / file
    counts = {"proposals": db["proposals"].count_where("status != 'draft'"), "cases": db["cases"].count}
    # The write lock is ours (transaction above): a second connection copies exactly what is committed.
    reader = sqlite3.connect(live, timeout=database.BUSY_TIMEOUT_S)
    try:
        reader.execute("VACUUM INTO ?", [str(target)])
    finally:
        reader.close()
    try:
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in _contest_tables(db):
            db.execute(f"DELETE FROM [{table}]")
        fresh = settings.Settings()
        new = replace(old, contest_name=name, year=year, phases=settings.default_phases(now),
                      **{k: getattr(fresh, k) for k in RESET_SETTINGS if k != "phases"})
        db["settings"].upsert_all([{"key": k, "value": json.dumps(v, ensure_ascii=False)}
                                   for k, v in asdict(settings.validate(new)).items()], pk="key")
        row = {"contest_name": old.contest_name, "year": old.year, "file": file,
               "archived_at": clock.iso(now), "archived_by": actor.id,
               "proposals": counts["proposals"], "cases": counts["cases"]}
        row["id"] = db["contest_archives"].insert(row).last_pk
        audit.record(db, actor, "start_new_contest", f"archive:{row['id']}",
                     {"archived": f"{old.contest_name} {old.year}", "file": file, "new": f"{name} {year}"})
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return row



def reopen(db: Database) -> Database:
    """A new connection to the same contest as ``db`` (live, or the same archive, read-only), for
    work done outside this script run (a download button's callable runs in another thread)."""
    if getattr(db, "archived", False):
        return open_archive(database.connect(db.live_path), db.archive["id"])
    return database.connect(_live_path(db))


def live_summary(db: Database, actor: User) -> dict:
    """proposals, cases and open cases (pending or replied, not resolved) of the live contest."""
    policy.require(actor, "start_new_contest")
    return {"proposals": db["proposals"].count_where("status != 'draft'"), "cases": db["cases"].count,
            "open_cases": db["cases"].count_where("status in ('pending', 'replied')")}
