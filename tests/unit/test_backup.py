"""python -m contest backup / restore: database and attachments, consistent while others write."""
from __future__ import annotations

from contest import attachments, backup, db as database, proposals
from contest.__main__ import main
from tests.helpers import GOOD, NOW

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_backup_and_restore_round_trip_with_attachments(fresh_db, people, db_path, tmp_path, capsys):
    alice = people["alice"]
    kept = proposals.save_draft(fresh_db, alice, GOOD, now=NOW)
    attachments.add(fresh_db, alice, kept, "调研报告.pdf", PDF, now=NOW)
    dest = tmp_path / "backup-1"
    assert main(["backup", str(dest)]) == 0
    assert "1 件提案，1 个附件" in capsys.readouterr().out
    assert sorted(p.name for p in dest.iterdir()) == ["attachments", "contest.db"]

    # Later changes, then a restore brings back exactly the backed-up contest.
    later = proposals.save_draft(fresh_db, alice, GOOD | {"title": "备份之后写的提案标题"}, now=NOW)
    assert main(["restore", str(dest)]) == 2  # never over a contest without --force
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(dest), "--force"]) == 0
    db = database.connect(db_path)
    assert [r["id"] for r in db["proposals"].rows] == [kept] and later != kept
    [row] = attachments.list_for(db, alice, kept)
    assert attachments.read(db, alice, row["id"])[2] == PDF
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_restore_into_a_new_database_and_refuse_what_is_not_a_backup(fresh_db, people, tmp_path, capsys):
    proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    backup.backup(database.db_path(), tmp_path / "b")
    fresh = tmp_path / "elsewhere" / "new.db"
    assert main(["--db", str(fresh), "restore", str(tmp_path / "b")]) == 0
    assert database.connect(fresh)["proposals"].count == 1
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "contest.db").write_bytes(b"not a database at all" * 100)
    assert main(["--db", str(tmp_path / "x.db"), "restore", str(tmp_path / "junk")]) == 2
    assert "不是比赛数据库" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "x.db"), "restore", str(tmp_path / "nothing")]) == 2
    assert "没有备份" in capsys.readouterr().err
