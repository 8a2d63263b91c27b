"""Backup and restore of a whole contest: the database and its attachments folder.

A backup is a folder holding ``contest.db``, ``attachments/`` and the files of the earlier contests
(:mod:`contest.contests` archives, frozen copies listed in the database). The database is copied with
SQLite's online backup API, which reads one consistent snapshot while the portal keeps writing
(a plain file copy during writes can miss committed transactions that still sit in the WAL file).
Attachment files never change once written, so they are copied before and after the snapshot:
a file the snapshot refers to existed either at the first pass (even if deleted since) or at the
second. Restore writes the backup into the database through the same API, so the live
``-wal``/``-shm`` files stay consistent, and brings the schema up to date.
"""
from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from . import db as database
from .errors import ValidationError

DB_NAME = "contest.db"
FILES = "attachments"  # next to the database file, as contest.attachments stores them


@dataclass(frozen=True)
class Summary:
    database: Path
    proposals: int
    files: int


def files_dir(db_file: Path) -> Path:
    return Path(db_file).parent / FILES


def _copy_files(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and not (target / path.name).exists():
            shutil.copy2(path, target / path.name)


def _sqlite_copy(source: Path, target: sqlite3.Connection) -> None:
    """Copy the database file ``source`` into the open connection ``target`` in one step (one snapshot)."""
    src = sqlite3.connect(source, timeout=database.BUSY_TIMEOUT_S)
    try:
        src.backup(target)
    finally:
        src.close()


def _check(path: Path) -> int:
    """The number of proposals in a sound contest database; ValidationError otherwise."""
    try:
        conn = sqlite3.connect(path)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise ValidationError(f"{path} 已损坏（integrity_check 未通过）。")
            return conn.execute("select count(*) from proposals").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise ValidationError(f"{path} 不是比赛数据库：{error}") from None


def _archive_files(path: Path) -> list[str]:
    """The files of the earlier contests listed in a contest database (contest.contests)."""
    conn = sqlite3.connect(path)
    try:
        if not conn.execute("select 1 from sqlite_master where name = 'contest_archives'").fetchone():
            return []
        return [Path(r[0]).name for r in conn.execute("select file from contest_archives")]
    finally:
        conn.close()


def _copy_archives(listed_in: Path, source_dir: Path, target_dir: Path) -> None:
    """Earlier contests are frozen files beside the database: copied as they are."""
    for name in _archive_files(listed_in):
        if (source_dir / name).is_file():
            shutil.copy2(source_dir / name, target_dir / name)


def backup(db_file: Path, dest: Path) -> Summary:
    """Write a backup of the database ``db_file`` (and its attachments) into the folder ``dest``;
    safe while the portal runs. An existing backup in ``dest`` is replaced."""
    db_file, dest = Path(db_file), Path(dest)
    if not db_file.exists():
        raise ValidationError(f"数据库 {db_file} 不存在。")
    dest.mkdir(parents=True, exist_ok=True)
    _copy_files(files_dir(db_file), dest / FILES)
    partial = dest / (DB_NAME + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        _sqlite_copy(db_file, target)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        target.close()
    proposals = _check(partial)
    partial.replace(dest / DB_NAME)
    _copy_files(files_dir(db_file), dest / FILES)
    _copy_archives(dest / DB_NAME, db_file.parent, dest)
    return Summary(dest / DB_NAME, proposals, _count_files(dest / FILES))


def restore(src: Path, db_file: Path, *, force: bool = False) -> Summary:
    """Replace the contest in ``db_file`` by the backup in the folder ``src`` (its database and
    attachments). A database that already holds a contest is replaced only with ``force``."""
    src, db_file = Path(src), Path(db_file)
    source = src / DB_NAME if src.is_dir() else src
    if not source.exists():
        raise ValidationError(f"{src} 中没有备份（缺少 {DB_NAME}）。")
    proposals = _check(source)
    db = database.connect(db_file)
    try:
        if database.is_initialised(db) and not force:
            raise ValidationError(f"数据库 {db_file} 中已有比赛；确定用备份覆盖它，请加 --force。")
        _sqlite_copy(source, db.conn)
        db.enable_wal()  # the copy brought the backup's journal mode along
    finally:
        db.close()
    database.connect(db_file).close()  # any migration newer than the backup
    _copy_files(source.parent / FILES, files_dir(db_file))
    _copy_archives(source, source.parent, db_file.parent)
    return Summary(db_file, proposals, _count_files(files_dir(db_file)))


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0
