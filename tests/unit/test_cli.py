"""The command line: init (no default passwords), demo, topics."""
import io

import pandas as pd
import pytest

from contest import accounts, db as database, settings
from contest.__main__ import main
from contest.errors import AuthError


def run(monkeypatch, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_init_creates_an_empty_contest_with_only_the_organizer(db_path, monkeypatch, capsys):
    assert run(monkeypatch, ["init", "--password-stdin", "--name", "第九届集智思源"], "weak\n") == 2
    assert "密码至少 8 位" in capsys.readouterr().err
    assert run(monkeypatch, ["init", "--password-stdin", "--name", "第九届集智思源"], "Str0ngpass\n") == 0
    db = database.connect(db_path)
    contest = settings.get(db)
    assert contest.contest_name == "第九届集智思源" and not contest.demo_mode
    assert [u["username"] for u in db["users"].rows] == ["organizer"]
    assert db["proposals"].count == 0
    assert accounts.login(db, "organizer", "Str0ngpass").role == "organizer"
    with pytest.raises(AuthError):
        accounts.login(db, "organizer", "demo1234")
    assert run(monkeypatch, ["init", "--password-stdin"], "Str0ngpass\n") == 1  # never overwrites a contest
    assert "已有比赛" in capsys.readouterr().err


def test_demo_replaces_the_database_with_the_demo_contest(db_path, monkeypatch):
    run(monkeypatch, ["init", "--password-stdin"], "Str0ngpass\n")
    assert run(monkeypatch, ["demo"]) == 0
    db = database.connect(db_path)
    assert settings.get(db).demo_mode
    assert db["proposals"].count == 60 and db["users"].count_where("role = 'judge'") == 6
    assert accounts.login(db, "student1", "demo1234").role == "participant"


def test_topics_command_names_a_missing_column(tmp_path, monkeypatch, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"title": ["食堂晚餐供应时间太短"]}).to_csv(source, index=False)
    assert run(monkeypatch, ["topics", str(source)]) == 2
    assert "body" in capsys.readouterr().err
    out = tmp_path / "out.csv"
    assert run(monkeypatch, ["topics", str(source), "--text-columns", "title", "--out", str(out)]) == 0
    result = pd.read_csv(out)
    assert {"topic", "topic_name", "topic_score", "group", "group_keywords"} <= set(result.columns)
    assert result.loc[0, "topic"] == "life"
