"""The scale demo (python -m contest demo --scale N): a contest that obeys the domain's rules."""
from __future__ import annotations

import datetime as dt

import pytest

from contest import __main__ as cli, accounts, db as database, review_progress, scale_demo, settings, validation
from contest.proposals import TEXT_LEN, TITLE_LEN
from tests.helpers import NOW

N = 2000


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "scale.db"
    db = database.connect(path)
    summary = scale_demo.build(db, N, now=NOW, source="project")
    return db, summary


def one(db, sql, args=()):
    return db.execute(sql, args).fetchone()[0]


def test_sizes(big):
    db, summary = big
    assert one(db, "select count(*) from proposals") == N == summary.proposals
    assert one(db, "select count(*) from users where role = 'judge'") == N // scale_demo.PROPOSALS_PER_JUDGE
    assert one(db, "select count(*) from users where role = 'department'") == db["departments"].count
    assert {r["status"] for r in db.query("select distinct status from proposals")} == {
        "draft", "submitted", "valid", "invalid", "withdrawn"}
    assert summary.cases > 0 and summary.replies > 0 and summary.sheets > 0
    assert one(db, "select count(*) from ratings") > 0 and one(db, "select count(*) from coauthors") > 0
    assert one(db, "select count(*) from cases where status = 'declined'") > 0


def test_every_valid_proposal_has_three_judges_none_of_an_authors_college(big):
    db, _ = big
    counts = {r["id"]: r["n"] for r in db.query(
        "select p.id, count(a.judge_id) as n from proposals p left join assignments a on a.proposal_id = p.id "
        "where p.status = 'valid' group by p.id")}
    assert set(counts.values()) == {scale_demo.REVIEWS}
    assert one(db, "select count(*) from assignments a join proposals p on p.id = a.proposal_id "
                   "where p.status != 'valid'") == 0
    clashes = one(db, """select count(*) from assignments a join users j on j.id = a.judge_id
                         join proposals p on p.id = a.proposal_id
                         where j.college = p.college or j.college in (
                             select u.college from coauthors c join users u on u.id = c.user_id
                             where c.proposal_id = p.id)""")
    assert clashes == 0
    assert 0 < one(db, "select count(*) from assignments where published = 0") < one(
        db, "select count(*) from assignments where published = 1")


def test_sheets_belong_to_published_assignments_and_scores_fit_the_rubric(big):
    db, _ = big
    assert one(db, """select count(*) from sheets s left join assignments a
                      on a.proposal_id = s.proposal_id and a.judge_id = s.judge_id
                      where a.published is not 1""") == 0
    rubric = {c.code: c for c in settings.get(db).rubric}
    for row in db.query("select criterion, min(score) as lo, max(score) as hi from scores group by criterion"):
        c = rubric[row["criterion"]]
        assert c.min <= row["lo"] <= row["hi"] <= c.max
    incomplete = one(db, f"""select count(*) from sheets s where s.status = 'submitted'
                             and (select count(*) from scores where sheet_id = s.id) != {len(rubric)}""")
    assert incomplete == 0
    assert one(db, "select count(*) from sheets where status = 'draft'") > 0


def test_followup_follows_the_forwarding_rules(big):
    db, _ = big
    assert one(db, "select count(*) from case_members m join proposals p on p.id = m.proposal_id "
                   "where p.status != 'valid'") == 0
    assert one(db, "select count(*) from cases c where not exists (select 1 from case_departments d "
                   "where d.case_id = c.id and d.department = c.department and d.role = 'lead')") == 0
    # merged members go with their lead; a case's lead proposal is among its members
    assert one(db, "select count(*) from cases c where not exists (select 1 from case_members m "
                   "where m.case_id = c.id and m.proposal_id = c.proposal_id)") == 0
    assert one(db, """select count(*) from proposals p join case_members m on m.proposal_id = p.id
                      where p.lead_id is not null and p.lead_id != p.id and m.case_id !=
                          (select case_id from case_members where proposal_id = p.lead_id)""") == 0
    assert one(db, "select count(*) from replies r join cases c on c.id = r.case_id "
                   "where r.department != c.department or c.status in ('pending', 'declined')") == 0
    assert one(db, "select count(*) from ratings g join cases c on c.id = g.case_id "
                   "where c.first_reply_at is null or g.at < c.first_reply_at") == 0
    assert one(db, "select count(*) from ratings g join proposals p on p.id = g.proposal_id "
                   "where g.user_id != p.submitter_id") == 0
    assert one(db, "select count(*) from cases where status in ('replied', 'resolved') "
                   "and last_reply_at is null") == 0


def test_rows_are_what_the_domain_would_accept(big):
    db, _ = big
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for p in db.query("select * from proposals where status != 'draft' order by id limit 300"):
        assert validation.text(p["title"], "标题", min_len=TITLE_LEN[0], max_len=TITLE_LEN[1]) == p["title"]
        for key in ("problem", "investigation", "suggestions"):
            assert validation.text(p[key], key, min_len=TEXT_LEN[0], max_len=TEXT_LEN[1], multiline=True)
    assert one(db, "select count(distinct username) from users") == one(db, "select count(*) from users")


def test_the_domain_reads_it(big, monkeypatch):
    db, _ = big
    monkeypatch.setattr(accounts, "_hasher", accounts._hasher)  # the real hash of the demo password
    organizer = accounts.login(db, "organizer", scale_demo.PASSWORD, now=NOW)
    assert accounts.login(db, "judge1", scale_demo.PASSWORD, now=NOW).role == "judge"
    progress = review_progress.progress(db, organizer, now=NOW)
    assert progress["summary"]["reviews_assigned"] == one(db, "select count(*) from assignments where published = 1")
    assert progress["summary"]["reviews_submitted"] == one(db, "select count(*) from sheets where status = 'submitted'")
    assert settings.get(db).submission_open(NOW) and settings.get(db).judging_open(NOW)


def test_the_planner_has_statistics(big):
    db, _ = big
    tables = {r["tbl"] for r in db.query("select distinct tbl from sqlite_stat1")}
    assert {"proposals", "assignments", "sheets", "cases"} <= tables


def test_the_command_line_builds_a_scale_contest(tmp_path, capsys):
    path = tmp_path / "cli.db"
    assert cli.main(["--db", str(path), "demo", "--scale", "120", "--texts", "project"]) == 0
    assert "120 件提案" in capsys.readouterr().out
    assert one(database.connect(path), "select count(*) from proposals") == 120
    assert cli.main(["--db", str(path), "demo", "--scale", "0"]) == 2


def test_a_contest_is_never_built_over_another(big):
    db, _ = big
    with pytest.raises(ValueError):
        scale_demo.build(db, 10)


@pytest.mark.skipif(not scale_demo.CORPUS.exists(), reason="the shared corpus is not here")
def test_corpus_texts_pass_validation(tmp_path):
    db = database.connect(tmp_path / "corpus.db")
    summary = scale_demo.build(db, 300, now=NOW - dt.timedelta(days=1), source="corpus")
    assert summary.source == "corpus"
    for p in db.query("select * from proposals where status != 'draft'"):
        validation.text(p["title"], "标题", min_len=TITLE_LEN[0], max_len=TITLE_LEN[1])
        for key in ("problem", "investigation", "suggestions"):
            validation.text(p[key], key, min_len=TEXT_LEN[0], max_len=TEXT_LEN[1], multiline=True)
