"""contest.vocabulary: stored values stay the same strings, every value has a Chinese label."""
from __future__ import annotations

import json

import pytest

from contest import audit, demo, vocabulary
from contest.vocabulary import (AnswerState, AuditAction, CaseStatus, ProposalStatus, Rating, Role, SheetStatus,
                                Vocabulary, from_label, label_of, labels)

VOCABULARIES = [v for v in vars(vocabulary).values()
                if isinstance(v, type) and issubclass(v, Vocabulary) and v is not Vocabulary]


def test_members_are_the_stored_strings():
    assert Role.JUDGE == "judge" and json.dumps(Role.JUDGE) == '"judge"'
    assert list(labels(Role)) == ["participant", "judge", "organizer", "department"]
    assert list(labels(ProposalStatus)) == ["draft", "submitted", "valid", "invalid", "withdrawn"]
    assert list(labels(CaseStatus)) == ["pending", "declined", "replied", "resolved"]
    assert list(labels(AnswerState)) == ["resolved", "in_progress", "planned", "not_feasible"]
    assert list(labels(SheetStatus)) == ["todo", "draft", "submitted"]
    assert list(labels(Rating)) == ["satisfied", "basic", "unsatisfied"]


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.__name__)
def test_every_value_has_its_own_chinese_label(vocab):
    names = list(labels(vocab).values())
    assert all(names) and len(set(names)) == len(names)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)


def test_lookups():
    assert label_of(Rating, "basic") == "基本满意" and label_of(Rating, "nope") == "nope" and label_of(Rating, None) == ""
    assert from_label(Rating, "不满意") == "unsatisfied" and from_label(Rating, " satisfied ") == "satisfied"
    assert from_label(Rating, "很好") is None


def test_every_action_the_demo_contest_records_has_a_label(fresh_db):
    """The demo goes through registration, drafting, screening, assignment, scoring, forwarding,
    replies and ratings with the real domain functions; all its audit entries are known actions."""
    db = fresh_db
    db["settings"].delete_where()
    db["departments"].delete_where()
    demo.build(db)
    recorded = {r["action"] for r in db.query("select distinct action from audit_log")}
    assert len(recorded) >= 8
    assert all(label_of(AuditAction, a) != a for a in recorded), recorded


def test_an_action_without_a_label_cannot_be_recorded(fresh_db):
    with pytest.raises(ValueError, match="AuditAction"):
        audit.record(fresh_db, None, "frobnicate")
    audit.record(fresh_db, None, AuditAction.UPDATE_SETTINGS)
    assert fresh_db["audit_log"].count == 1
