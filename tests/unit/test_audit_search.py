"""The audit log is searched in SQL over every entry, one page at a time."""
import datetime as dt

import pytest

from contest import audit, clock, validation
from contest.errors import PermissionDenied
from contest.vocabulary import AuditAction


def _fill(db, actor, n, action=AuditAction.UPDATE_SETTINGS):
    for i in range(n):
        audit.record(db, actor, action, "settings", {"n": i})


def test_an_entry_older_than_the_newest_500_is_found(fresh_db, people):
    org = people["organizer"]
    audit.record(fresh_db, org, AuditAction.UPDATE_SETTINGS, "settings", {"contest_name": "很早的独特名称"})
    _fill(fresh_db, org, 600)
    assert not any("很早的独特名称" in e["detail"] for e in audit.entries(fresh_db, org))
    rows, total = audit.search(fresh_db, org, text="很早的独特名称")
    assert total == 1 and "很早的独特名称" in rows[0]["detail"]


def test_pages_and_total(fresh_db, people):
    org = people["organizer"]
    before = audit.last_id(fresh_db)
    _fill(fresh_db, org, 450)
    everything = fresh_db["audit_log"].count
    first, total = audit.search(fresh_db, org)
    third, _ = audit.search(fresh_db, org, page=3)
    assert total == everything and len(first) == 200 and len(third) == everything - 400
    assert first[0]["id"] == audit.last_id(fresh_db) and first[0]["id"] > before
    assert third[-1]["id"] == 1 and audit.search(fresh_db, org, page=9)[0] == []


def test_action_label_and_date_filters(fresh_db, people, monkeypatch):
    org = people["organizer"]
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2020, 1, 5, 10))
    audit.record(fresh_db, org, AuditAction.UPDATE_SETTINGS, "settings", {"x": "旧的"})
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2020, 2, 5, 10))
    audit.record(fresh_db, org, AuditAction.UPDATE_SETTINGS, "settings", {"x": "新的"})
    rows, total = audit.search(fresh_db, org, since=dt.date(2020, 1, 5), until=dt.date(2020, 1, 5))
    assert total == 1 and "旧的" in rows[0]["detail"]
    assert audit.search(fresh_db, org, since=dt.date(2020, 2, 1), action=AuditAction.UPDATE_SETTINGS)[1] >= 1
    label = AuditAction.UPDATE_SETTINGS.label
    assert all(r["action"] == "update_settings" for r in audit.search(fresh_db, org, text=label)[0])
    assert audit.search(fresh_db, org, text=label)[1] >= 2


def test_wildcards_are_literal_and_search_is_bounded(fresh_db, people):
    org = people["organizer"]
    audit.record(fresh_db, org, AuditAction.UPDATE_SETTINGS, "settings", {"x": "100%_完成"})
    assert audit.search(fresh_db, org, text="%_")[1] == 1
    with pytest.raises(validation.ValidationError):
        audit.search(fresh_db, org, text="长" * (validation.SEARCH_MAX + 1))


def test_only_organizers_search(fresh_db, people):
    with pytest.raises(PermissionDenied):
        audit.search(fresh_db, people["alice"], text="x")
