"""Writes that hold under load: storms of submissions, score sheets and replies from 50 threads and
50 processes against one WAL database file, writers killed at random moments, a backup taken while
others write. Nothing may fail, every acknowledged write must be there, the counts must add up.

Also the rule that makes this hold: every domain function that writes runs in ``db.transaction``
(BEGIN IMMEDIATE), checked on the source."""
from __future__ import annotations

import ast
import multiprocessing
import os
import random
import re
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from contest import backup
from tests import write_storm

WORKERS, ROUNDS = 50, 3
CONTEST = Path(__file__).resolve().parents[2] / "contest"


@pytest.fixture
def storm_db(tmp_path):
    path = tmp_path / "storm.db"
    write_storm.build(path, WORKERS, ROUNDS)
    return path


@pytest.mark.slow
def test_50_threads_submit_score_and_reply_at_once_and_nothing_fails(storm_db):
    lines = write_storm.run_threads(storm_db, WORKERS, ROUNDS)
    counts = write_storm.check(storm_db, lines, WORKERS, ROUNDS)
    assert counts["proposals"] == counts["sheets"] == counts["replies"] == WORKERS * ROUNDS


def _fork_writers(path: Path, out: Path, workers: range, rounds: int, pause: float = 0.0):
    """Writer processes (forked, so they start in milliseconds), released together by one pipe."""
    ctx = multiprocessing.get_context("fork")
    go_read, go_write = os.pipe()
    procs = []
    for w in workers:
        fd = os.open(out / f"writer{w}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        procs.append(ctx.Process(target=write_storm.process_worker, args=(str(path), w, rounds, fd, go_read, pause)))
        procs[-1].start()
        os.close(fd)
    os.close(go_read)
    return procs, go_write


def _lines(out: Path) -> list[str]:
    return [line for p in sorted(out.glob("writer*.log")) for line in p.read_text().splitlines()]


@pytest.mark.slow
def test_50_processes_submit_score_and_reply_at_once_and_nothing_fails(storm_db, tmp_path):
    procs, go = _fork_writers(storm_db, tmp_path, range(WORKERS), ROUNDS)
    os.write(go, b"x" * WORKERS)
    os.close(go)
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    write_storm.check(storm_db, _lines(tmp_path), WORKERS, ROUNDS)


@pytest.mark.slow
def test_a_writer_killed_at_random_moments_loses_no_acknowledged_write(tmp_path):
    trials = 12
    path = tmp_path / "killed.db"
    write_storm.build(path, trials, ROUNDS)
    rng = random.Random(11)
    for trial in range(trials):
        procs, go = _fork_writers(path, tmp_path, range(trial, trial + 1), rounds=10_000)
        os.write(go, b"x")
        os.close(go)
        log = tmp_path / f"writer{trial}.log"
        deadline = time.monotonic() + 60
        while not log.read_text() and time.monotonic() < deadline:  # the previous kill left it writable
            time.sleep(0.01)
        assert log.read_text(), "the writer got no write through"
        time.sleep(rng.uniform(0, 0.4))  # then somewhere in its stream of writes
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].join(10)
        assert procs[0].exitcode == -signal.SIGKILL, "the writer ended before it was killed"
        write_storm.check(path, _lines(tmp_path), trials, ROUNDS, complete=False)  # integrity_check included


@pytest.mark.slow
def test_backup_while_others_write_holds_every_write_acknowledged_before_it(tmp_path):
    workers, rounds = 8, 6
    path = tmp_path / "live" / "contest.db"
    path.parent.mkdir()
    write_storm.build(path, workers, rounds)
    lines, lock = [], threading.Lock()

    def report(line):
        with lock:
            lines.append(line)

    threads = [threading.Thread(target=write_storm.work, args=(path, w, rounds, report), kwargs={"pause": 0.01})
               for w in range(workers)]
    for t in threads:
        t.start()
    copies = []
    while any(t.is_alive() for t in threads) or len(copies) < 2:
        with lock:
            before = list(lines)
        dest = tmp_path / f"backup{len(copies)}"
        backup.backup(path, dest)
        copies.append((dest, before))
    for t in threads:
        t.join()
    assert len(copies) >= 3, "the writers finished before a backup could run beside them"
    for dest, before in copies:
        # A consistent snapshot: what was acknowledged before it began is in it, and each write is whole
        # (a submitted proposal has its audit entry, a reply its case update).
        counts = write_storm.check(dest / backup.DB_NAME, before, workers, rounds, complete=False)
        assert counts["proposals"] == counts["audit_submit"] and counts["replies"] == counts["audit_reply"]
    # Round trip: the last backup restored into a new database holds exactly what the backup holds.
    restored = tmp_path / "restored" / "contest.db"
    backup.restore(copies[-1][0], restored)
    assert _counts(restored) == _counts(copies[-1][0] / backup.DB_NAME)
    write_storm.check(path, lines, workers, rounds)  # and the live database got everything


def _counts(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("proposals", "sheets", "scores", "replies", "cases", "audit_log")}
    finally:
        conn.close()


# --- the rule on the source: every domain write runs in a transaction -------------------------------

WRITE_METHODS = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where"}
WRITE_SQL = re.compile(r"^\s*(insert|update|delete|replace)\b", re.I)
# Not domain writes, with the reason: they may write without the decorator.
EXEMPT = {
    "db": "connect runs the migrations in transaction() itself",
    "migrations": "schema changes, applied by db.connect inside a transaction",
    "backup": "copies whole databases through SQLite's backup API",
    "__main__": "the command line calls domain functions (cmd_init uses transaction())",
    "ranking": "pure algorithm: its .update calls are on pandas objects",
}
CACHE_FILLS = {("topic_map", "stored_words"), ("topic_map", "stored_vectors")}  # blind `insert or replace` of derived data, safe from a read-only page


def _writes_directly(fn: ast.FunctionDef) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            on_table = isinstance(f.value, ast.Subscript)  # db["table"].insert(...)
            if f.attr in WRITE_METHODS and on_table:
                return True
            if f.attr in ("execute", "executemany") and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and WRITE_SQL.match(node.args[0].value):
                return True
    return False


def _guarded(fn: ast.FunctionDef) -> bool:
    decorated = any(ast.unparse(d) in ("writes", "database.writes") for d in fn.decorator_list)
    return decorated or "transaction(" in ast.unparse(fn)


def test_every_domain_function_that_writes_runs_in_a_transaction():
    """A public function of contest/ that writes (itself or through the module's private helpers, or
    through another module's private helper) carries @writes or opens transaction() itself."""
    modules = {p.stem: {n.name: n for n in ast.parse(p.read_text()).body if isinstance(n, ast.FunctionDef)}
               for p in CONTEST.glob("*.py") if p.stem not in EXEMPT}
    writers = {(m, name) for m, fns in modules.items() for name, fn in fns.items()
               if _writes_directly(fn) and (m, name) not in CACHE_FILLS}
    changed = True
    while changed:  # a function calling a private writer writes too
        changed = False
        for m, fns in modules.items():
            for name, fn in fns.items():
                if (m, name) in writers:
                    continue
                for node in ast.walk(fn):
                    if not isinstance(node, ast.Call):
                        continue
                    f = node.func
                    callee = ((m, f.id) if isinstance(f, ast.Name) else
                              (f.value.id, f.attr) if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                              else None)
                    if callee in writers and callee[1].startswith("_"):
                        writers.add((m, name))
                        changed = True
                        break
    public = sorted((m, n) for m, n in writers if not n.startswith("_"))
    assert len(public) > 50  # the scan sees the domain's writes
    unguarded = [f"contest/{m}.py: {n}" for m, n in public if not _guarded(modules[m][n])]
    assert not unguarded, "these write without @writes / transaction(): " + ", ".join(unguarded)
