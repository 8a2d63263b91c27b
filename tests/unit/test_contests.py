"""Contests year after year: a new year from the live one, earlier ones archived read-only."""
import datetime as dt

import pytest

from contest import audit, contests, db as database, proposals, settings, topic_map
from contest.errors import ArchivedContest, PermissionDenied, ValidationError
from tests.helpers import GOOD, NOW, make_user


def submit(db, user, **extra):
    pid = proposals.save_draft(db, user, GOOD | extra, now=NOW)
    proposals.submit(db, user, pid, now=NOW)
    return pid


def test_a_new_year_copies_settings_accounts_and_departments_and_starts_empty(fresh_db, people):
    db, org = fresh_db, people["organizer"]
    custom = [dict(t) for t in settings.get(db).topics] + [{"code": "sports", "name": "体育运动"}]
    settings.update(db, org, topics=custom, reviews_per_proposal=2)
    pid = submit(db, people["alice"])
    proposals.screen(db, org, [pid], valid=True, now=NOW)
    before = settings.get(db)

    row = contests.start_new_year(db, org, contest_name="测试提案大赛（第二届）", year=2027, now=NOW)

    assert (row["contest_name"], row["year"], row["proposals"]) == ("测试提案大赛", before.year, 1)
    new = settings.get(db)
    assert (new.contest_name, new.year) == ("测试提案大赛（第二届）", 2027)
    assert new.topics == before.topics and new.rubric == before.rubric and new.reviews_per_proposal == 2
    assert new.colleges == before.colleges and not new.results_published
    assert [d["code"] for d in settings.departments(db)] == ["hqc", "jwc"]
    # every contest table starts empty; accounts stay, the same student signs in with the same id
    for table in ("proposals", "coauthors", "assignments", "sheets", "cases", "replies", "proposal_words"):
        assert db[table].count == 0, table
    assert db["users"].count == len(people)
    assert proposals.mine(db, people["alice"]) == []
    assert [r["action"] for r in db["audit_log"].rows] == ["start_new_contest"]

    old = contests.open_archive(db, row["id"])
    assert settings.get(old).contest_name == "测试提案大赛" and old["proposals"].count == 1
    assert [p["id"] for p in proposals.mine(old, people["alice"])] == [pid]
    assert contests.contest_names(db) == {0: "测试提案大赛（第二届） · 2027（本届）",
                                          row["id"]: f"测试提案大赛 · {before.year}（往届，只读）"}


def test_an_archived_contest_is_read_only_in_the_domain(fresh_db, people):
    db, org = fresh_db, people["organizer"]
    pid = submit(db, people["alice"])
    row = contests.start_new_year(db, org, contest_name="第二届", year=2027, now=NOW)
    old = contests.open_archive(db, row["id"])
    with pytest.raises(ArchivedContest, match="往届比赛"):
        proposals.screen(old, org, [pid], valid=True, now=NOW)
    with pytest.raises(ArchivedContest):
        settings.update(old, org, reviews_per_proposal=5)
    with pytest.raises(ArchivedContest):
        proposals.save_draft(old, people["alice"], GOOD, now=NOW)
    with pytest.raises(Exception, match="readonly"):  # even a raw write, past the domain
        old.execute("update proposals set title = 'x'")
    assert old["proposals"].get(pid)["status"] == "submitted"
    # reading works, the topic map of last year too (its words are not stored)
    assert len(topic_map.compute_map(old, org).proposals) == 1
    # the live contest is writable as before
    assert submit(db, people["bob"], title="关于新一届第一件提案的建议")


def test_two_rounds_and_the_rules(fresh_db, people):
    db, org = fresh_db, people["organizer"]
    with pytest.raises(PermissionDenied):
        contests.start_new_year(db, people["alice"], contest_name="第二届", year=2027)
    year = settings.get(db).year
    with pytest.raises(ValidationError, match="不同"):
        contests.start_new_year(db, org, contest_name="测试提案大赛", year=year)
    with pytest.raises(ValidationError, match="年份"):
        contests.start_new_year(db, org, contest_name="第二届", year="明年")
    first = contests.start_new_year(db, org, contest_name="秋季赛", year=year, now=NOW)
    second = contests.start_new_year(db, org, contest_name="第二届", year=year + 1, now=NOW)
    assert first["file"] != second["file"]
    assert [a["contest_name"] for a in contests.archives(db)] == ["秋季赛", "测试提案大赛"]
    assert settings.get(contests.open_archive(db, second["id"])).contest_name == "秋季赛"


def test_an_archive_of_an_older_schema_is_upgraded_when_opened(fresh_db, people):
    row = contests.start_new_year(fresh_db, people["organizer"], contest_name="第二届", year=2027, now=NOW)
    path = contests._live_path(fresh_db).parent / row["file"]
    raw = database.Database(path)
    raw.execute("delete from _sqlite_migrations where name = 'm_contest_archives'")
    raw.execute("drop table contest_archives")
    raw.conn.commit()
    raw.conn.close()
    old = contests.open_archive(fresh_db, row["id"])
    assert "contest_archives" in old.table_names()


def test_reopen_gives_the_same_contest(fresh_db, people):
    pid = submit(fresh_db, people["alice"])
    row = contests.start_new_year(fresh_db, people["organizer"], contest_name="第二届", year=2027, now=NOW)
    old = contests.reopen(contests.open_archive(fresh_db, row["id"]))
    assert old.archived and old["proposals"].get(pid)["title"] == GOOD["title"]
    live = contests.reopen(fresh_db)
    assert not getattr(live, "archived", False) and settings.get(live).contest_name == "第二届"


def test_backup_and_restore_carry_the_earlier_contests(fresh_db, people, tmp_path):
    from contest import backup

    pid = submit(fresh_db, people["alice"])
    row = contests.start_new_year(fresh_db, people["organizer"], contest_name="第二届", year=2027, now=NOW)
    live = contests._live_path(fresh_db)
    backup.backup(live, tmp_path / "b")
    assert (tmp_path / "b" / row["file"]).is_file()
    target = tmp_path / "restored" / "contest.db"
    backup.restore(tmp_path / "b", target)
    restored = database.connect(target)
    assert contests.open_archive(restored, row["id"])["proposals"].get(pid)["title"] == GOOD["title"]


def test_cache_fills_skip_an_archive(fresh_db, people, monkeypatch):
    """The topic map of last year computes words and sentence vectors it did not keep, and keeps none."""
    import numpy as np

    from contest import topics

    for title in (GOOD["title"], "关于图书馆夜间增开自习室的建议"):
        submit(fresh_db, people["alice"], title=title)
    row = contests.start_new_year(fresh_db, people["organizer"], contest_name="第二届", year=2027, now=NOW)
    old = contests.open_archive(fresh_db, row["id"])
    monkeypatch.setattr(topics, "sentence_encoder", lambda: object())
    monkeypatch.setattr(topics, "sentence_vectors", lambda texts: np.ones((len(texts), 512), dtype=np.float32))
    rows = list(old["proposals"].rows)
    assert topic_map.stored_vectors(old, rows).shape == (2, 512)
    assert len(topic_map.stored_words(old, rows, topic_map.analyzer_for(topic_map.taxonomy(old)))) == 2
    assert old["proposal_vectors"].count == 0


def test_a_new_year_keeps_everyone_signed_in(fresh_db, people):
    """Sign-in state belongs to the accounts: the organizer who starts the new year (and every other
    signed-in user) stays signed in, instead of landing on the login page."""
    from contest import sessions

    db, org = fresh_db, people["organizer"]
    token = sessions.start(db, org.id)
    other = sessions.start(db, people["alice"].id)
    contests.start_new_year(db, org, contest_name="测试提案大赛（第二届）", year=2027, now=NOW)
    assert sessions.resume(db, token) == org.id and sessions.resume(db, other) == people["alice"].id
