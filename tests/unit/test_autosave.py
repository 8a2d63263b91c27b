"""Autosave of 撰写提案: what is typed is kept per user and proposal, never changes the proposal."""
import datetime as dt

import pytest

from contest import autosave, proposals
from contest.errors import PermissionDenied
from tests.helpers import NOW


def test_kept_text_comes_back_for_the_same_user_and_proposal_only(fresh_db, people):
    alice, bob = people["alice"], people["bob"]
    autosave.keep(fresh_db, alice, autosave.NEW, {"title": "半句话", "problem": "还没写完"}, now=NOW)
    kept = autosave.restore(fresh_db, alice, autosave.NEW)
    assert kept["fields"]["title"] == "半句话" and kept["fields"]["problem"] == "还没写完"
    assert kept["fields"]["suggestions"] == "" and kept["updated_at"] == "2026-03-10 12:00:00"
    assert autosave.restore(fresh_db, bob, autosave.NEW) is None


def test_a_proposal_buffer_leaves_the_proposal_as_saved_and_is_discarded(fresh_db, people):
    alice = people["alice"]
    pid = proposals.save_draft(fresh_db, alice, {"title": "食堂排队太久"}, now=NOW)
    autosave.keep(fresh_db, alice, pid, {"title": "食堂排队太久了怎么办"}, now=NOW)
    assert proposals.get(fresh_db, alice, pid)["title"] == "食堂排队太久"
    assert autosave.restore(fresh_db, alice, pid)["fields"]["title"] == "食堂排队太久了怎么办"
    autosave.discard(fresh_db, alice, pid)
    assert autosave.restore(fresh_db, alice, pid) is None


def test_latest_is_where_the_student_left_off(fresh_db, people):
    alice = people["alice"]
    pid = proposals.save_draft(fresh_db, alice, {"title": "食堂排队太久"}, now=NOW)
    assert autosave.latest(fresh_db, alice) is None
    autosave.keep(fresh_db, alice, autosave.NEW, {"title": "新的"}, now=NOW)
    autosave.keep(fresh_db, alice, pid, {"title": "改过的"}, now=NOW + dt.timedelta(minutes=1))
    assert autosave.latest(fresh_db, alice) == pid
    autosave.keep(fresh_db, alice, autosave.NEW, {"title": "又新的"}, now=NOW + dt.timedelta(minutes=2))
    assert autosave.latest(fresh_db, alice) == autosave.NEW


def test_no_buffer_for_someone_elses_proposal_or_another_role(fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], {"title": "食堂排队太久"}, now=NOW)
    with pytest.raises(PermissionDenied):
        autosave.keep(fresh_db, people["bob"], pid, {"title": "偷改"}, now=NOW)
    with pytest.raises(PermissionDenied):
        autosave.restore(fresh_db, people["bob"], pid)
    with pytest.raises(PermissionDenied):
        autosave.keep(fresh_db, people["organizer"], autosave.NEW, {"title": "x"}, now=NOW)


def test_unknown_fields_are_ignored_and_long_text_is_cut(fresh_db, people):
    alice = people["alice"]
    autosave.keep(fresh_db, alice, autosave.NEW, {"title": "x" * 50_000, "status": "valid"}, now=NOW)
    fields = autosave.restore(fresh_db, alice, autosave.NEW)["fields"]
    assert "status" not in fields and len(fields["title"]) == autosave.MAX_CHARS
