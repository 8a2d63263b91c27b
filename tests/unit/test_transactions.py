"""database.transaction: writes that read first take the lock first (BEGIN IMMEDIATE), wait for
it, roll back on error, nest as savepoints and give up with a Chinese message; connection settings."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from contest import db as database
from contest.errors import Busy

@pytest.fixture
def two(tmp_path):
    path = tmp_path / "t.db"
    first = database.connect(path)
    first.execute("create table t (n integer)")
    second = database.connect(path)
    yield first, second
    first.close()
    second.close()


def test_read_then_write_waits_for_the_lock_instead_of_failing(two):
    """The bug this helper fixes: a deferred transaction that read before another connection
    committed cannot upgrade to a write (SQLite answers at once, the busy timeout never applies)."""
    first, second = two
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        with second.atomic():
            second.execute("select count(*) from t").fetchone()
            with first.atomic():
                first.execute("insert into t values (1)")
            second.execute("insert into t values (2)")
    # With the helper the second writer takes the lock first; the other one waits for it.
    done = []

    def write_three():
        with database.transaction(first):
            first.execute("insert into t values (3)")
        done.append(True)

    with database.transaction(second):
        second.execute("select count(*) from t").fetchone()
        writer = threading.Thread(target=write_three)
        writer.start()
        writer.join(0.3)
        assert writer.is_alive()  # blocked on BEGIN IMMEDIATE, not failed
        second.execute("insert into t values (2)")
    writer.join(5)
    assert done and sorted(r[0] for r in first.execute("select n from t")) == [1, 2, 3]


def test_transaction_rolls_back_on_error_and_nests_as_a_savepoint(two):
    db, _ = two
    with pytest.raises(ZeroDivisionError):
        with database.transaction(db):
            db.execute("insert into t values (1)")
            1 / 0
    assert db.execute("select count(*) from t").fetchone()[0] == 0 and not db.conn.in_transaction
    with database.transaction(db):
        db.execute("insert into t values (1)")
        with pytest.raises(ValueError):
            with database.transaction(db):
                db.execute("insert into t values (2)")
                raise ValueError
    assert [r[0] for r in db.execute("select n from t")] == [1]


def test_a_lock_held_too_long_gives_up_with_a_chinese_message(two, monkeypatch):
    holder, waiter = two
    waiter.execute("PRAGMA busy_timeout = 50")
    monkeypatch.setattr(database, "LOCK_ATTEMPTS", 3)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Busy, match="系统繁忙"):
            with database.transaction(waiter):
                pytest.fail("ran without the lock")
    finally:
        holder.execute("ROLLBACK")
    assert not waiter.conn.in_transaction
    with database.transaction(waiter):  # free again: works
        waiter.execute("insert into t values (1)")


def test_connections_wait_for_locks_and_sync_normally(two):
    db, _ = two
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_S * 1000
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_threads_of_one_process_queue_for_the_file_and_never_race_at_sqlites_lock(tmp_path, monkeypatch):
    """The Streamlit server is one process: its writers wait in turn (db._WRITERS) before BEGIN
    IMMEDIATE. With SQLite's own wait turned off, any race there would fail at once; none does."""
    path = tmp_path / "q.db"
    setup = database.connect(path)
    setup.execute("create table t (n integer)")
    connections = [database.connect(path) for _ in range(20)]
    for c in connections:
        c.execute("PRAGMA busy_timeout = 0")
    monkeypatch.setattr(database, "LOCK_ATTEMPTS", 1)  # no second try either
    failures, start = [], threading.Barrier(len(connections))

    def write(c, i):
        start.wait()
        try:
            for k in range(5):
                with database.transaction(c):
                    n = c.execute("select count(*) from t").fetchone()[0]  # read, then write
                    time.sleep(0.002)  # the others run meanwhile
                    c.execute("insert into t values (?)", [n])
        except Exception as error:  # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=write, args=(c, i)) for i, c in enumerate(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failures
    # Each write saw every earlier one: the counts read are 0, 1, 2 … 99, each once.
    assert sorted(r[0] for r in setup.execute("select n from t")) == list(range(100))
