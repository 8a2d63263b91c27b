"""Storms of concurrent writes against one contest database file (WAL), for tests/unit/test_write_storm.py.

``build`` makes a contest where every worker has its own student, judge and case, so the writes of
different workers never refuse each other: any failure is the database's (``database is locked``),
not a rule. ``work`` is what one worker does, each worker on its own connection: submit a proposal,
submit a score sheet, reply to its case, ``rounds`` times, through the domain functions a page
calls. Every write that returned is *acknowledged* and reported (as a line, for a process); ``check``
then proves each acknowledged write is in the database and that the counts add up.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
import traceback
from pathlib import Path

from contest import accounts, db as database, forwarding, proposals, replies, score_sheets, settings
from tests.helpers import GOOD, NOW, PASSWORD_HASH

SCORES = {"value": 8, "research": 7, "feasibility": 6, "writing": 9, "novelty": 5}
REPLY = "经核实，我们已安排专人处理，相关措施将于本月落实，届时在此更新进展。"


def _user(db, username, role, **extra) -> int:
    return db["users"].insert({"username": username, "role": role, "name": extra.pop("name", username),
                               "password_hash": PASSWORD_HASH, "must_change_password": 0, "active": 1,
                               "created_at": "2026-03-01 10:00:00"} | extra).last_pk


def build(path: Path, workers: int, rounds: int) -> None:
    """A contest open for submissions and judging, with per worker: a student, a judge with ``rounds``
    published assignments, and a case forwarded to 教务处 (answered by the worker's department account)."""
    db = database.connect(path)
    settings.initialise(db, contest_name="并发写入测试", now=NOW - dt.timedelta(days=5))
    db["departments"].insert({"code": "jwc", "name": "教务处", "description": "", "active": 1}, pk="code")
    organizer = accounts.get_user(db, _user(db, "organizer", "organizer"))
    author = _user(db, "author", "participant", student_no="2023999", college="管理学院")
    for w in range(workers):
        _user(db, f"student{w}", "participant", student_no=f"2024{w:04d}", college="管理学院")
        judge = _user(db, f"judge{w}", "judge", college="医学部")
        _user(db, f"dept{w}", "department", department="jwc")
        for r in range(rounds):
            pid = _valid_proposal(db, author, f"评审提案 {w}-{r}")
            db["assignments"].insert({"proposal_id": pid, "judge_id": judge, "published": 1, "source": "manual",
                                      "created_at": "2026-03-02 10:00:00"})
        forwarding.forward(db, organizer, _valid_proposal(db, author, f"转办提案 {w}"), "jwc", now=NOW)
    db.close()


def _valid_proposal(db, author: int, title: str) -> int:
    return db["proposals"].insert({
        "submitter_id": author, "title": title, "topic": "teaching", "status": "valid", "college": "管理学院",
        "problem": GOOD["problem"], "investigation": GOOD["investigation"], "suggestions": GOOD["suggestions"],
        "source": "portal", "created_at": "2026-03-01 10:00:00", "updated_at": "2026-03-01 10:00:00"}).last_pk


def work(path: Path, worker: int, rounds: int, report, start: threading.Barrier | None = None,
         pause: float = 0.0) -> list[str]:
    """One worker's writes on its own connection; ``report(line)`` after each acknowledged one.

    Lines: ``proposal <id>``, ``sheet <proposal id> <judge id> <novelty score>``, ``reply <entry id>``,
    and ``error <text>`` for a write that failed (a storm expects none). Returns the failures."""
    db = database.connect(path)
    failures = []
    try:
        student = _by_name(db, f"student{worker}")
        judge = _by_name(db, f"judge{worker}")
        department = _by_name(db, f"dept{worker}")
        queue = [r["proposal_id"] for r in db["assignments"].rows_where("judge_id = ?", [judge.id], order_by="proposal_id")]
        case_id = db.execute("select c.id from cases c join proposals p on p.id = c.proposal_id where p.title = ?",
                             [f"转办提案 {worker}"]).fetchone()[0]
        if start is not None:
            start.wait()
        for r in range(rounds):
            steps = [
                lambda: _submit_proposal(db, student, worker, r),
                lambda: _submit_sheet(db, judge, queue[r % len(queue)], r),
                lambda: _reply(db, department, case_id, r),
            ]
            for step in steps:
                try:
                    report(step())
                except Exception as error:  # noqa: BLE001 - the storm counts every failure
                    failures.append(f"{type(error).__name__}: {error}")
                    report(f"error {type(error).__name__}: {error} {traceback.format_exc(limit=-2)!r}")
                if pause:
                    time.sleep(pause)
    finally:
        db.close()
    return failures


def _by_name(db, username):
    return accounts.get_user(db, db["users"].rows_where("username = ?", [username]).__next__()["id"])


def _submit_proposal(db, student, worker: int, r: int) -> str:
    fields = dict(GOOD, title=f"并发提案 {worker}-{r}")
    pid = proposals.save_draft(db, student, fields, now=NOW)
    proposals.submit(db, student, pid, now=NOW)
    return f"proposal {pid}"


def _submit_sheet(db, judge, proposal_id: int, r: int) -> str:
    novelty = 1 + r % 10  # each round changes the score, so the last acknowledged one must be stored
    score_sheets.submit_sheet(db, judge, proposal_id, SCORES | {"novelty": novelty}, f"评语 {r}", now=NOW)
    return f"sheet {proposal_id} {judge.id} {novelty}"


def _reply(db, department, case_id: int, r: int) -> str:
    entry = replies.reply(db, department, case_id, "列入计划", REPLY, plan=f"第 {r + 1} 步", expected_date="2026-06-30",
                          now=NOW)
    return f"reply {entry}"


def run_threads(path: Path, workers: int, rounds: int) -> list[str]:
    """``workers`` threads started together; every reported line."""
    lines, lock = [], threading.Lock()

    def report(line):
        with lock:
            lines.append(line)

    start = threading.Barrier(workers)
    threads = [threading.Thread(target=work, args=(path, w, rounds, report, start)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer thread hung"
    return lines


def process_worker(path: str, worker: int, rounds: int, out_fd: int, go_fd: int, pause: float = 0.0) -> None:
    """The body of a writer process (forked): waits for the start signal, reports lines on ``out_fd``
    (one ``os.write`` per line, so a line is either reported whole or not at all)."""
    os.read(go_fd, 1)
    work(Path(path), worker, rounds, lambda line: os.write(out_fd, (line + "\n").encode()), pause=pause)


def check(path: Path, lines: list[str], workers: int, rounds: int, *, complete: bool = True) -> dict:
    """Every acknowledged write is in the database; with ``complete`` (nothing was killed) there were no
    failures and the counts are exactly workers × rounds. Returns the counts."""
    errors = [line for line in lines if line.startswith("error")]
    assert not errors, f"{len(errors)} failed writes, e.g. {errors[:3]}"
    db = database.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        acked = {"proposal": set(), "sheet": {}, "reply": set()}
        for line in lines:
            kind, *values = line.split()
            if kind == "proposal":
                acked["proposal"].add(int(values[0]))
            elif kind == "sheet":
                acked["sheet"][(int(values[0]), int(values[1]))] = int(values[2])
            elif kind == "reply":
                acked["reply"].add(int(values[0]))
        submitted = {r[0] for r in db.execute("select id from proposals where status = 'submitted'")}
        assert acked["proposal"] <= submitted, f"lost proposals: {sorted(acked['proposal'] - submitted)}"
        sheets = {(p, j): n for p, j, n in db.execute(
            """select s.proposal_id, s.judge_id, sc.score from sheets s join scores sc on sc.sheet_id = s.id
               where s.status = 'submitted' and sc.criterion = 'novelty'""")}
        for pair, novelty in acked["sheet"].items():
            assert pair in sheets, f"lost score sheet {pair}"
            if complete:  # a killed writer may have committed a later round it could not report
                assert sheets[pair] == novelty, f"sheet {pair}: {sheets[pair]} stored, {novelty} acknowledged last"
        stored_replies = {r[0] for r in db.execute("select id from replies")}
        assert acked["reply"] <= stored_replies, f"lost replies: {sorted(acked['reply'] - stored_replies)}"
        counts = {"proposals": len(submitted), "sheets": len(sheets), "replies": len(stored_replies),
                  "audit_submit": db["audit_log"].count_where("action = 'submit_proposal'"),
                  "audit_sheet": db["audit_log"].count_where("action = 'submit_sheet'"),
                  "audit_reply": db["audit_log"].count_where("action = 'reply_case'")}
        if complete:
            total = workers * rounds
            assert counts == {"proposals": total, "sheets": total, "replies": total, "audit_submit": total,
                              "audit_sheet": total, "audit_reply": total}, counts
        return counts
    finally:
        db.close()
