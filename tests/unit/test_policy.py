"""contest.policy: the permission table is complete, used, and its row rules hold."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from contest import policy
from contest.errors import PermissionDenied
from contest.vocabulary import Role
from tests.helpers import insert_proposal

ROOT = Path(__file__).resolve().parents[2]


def _actions_named_in_code() -> set[str]:
    names = set()
    for path in [*(ROOT / "contest").glob("*.py"), *(ROOT / "app_pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("require", "allows", "roles_for")
                    and getattr(node.func.value, "id", "") == "policy"):
                names |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return names


def test_every_action_in_the_code_is_in_the_table_and_every_entry_is_used():
    used = _actions_named_in_code()
    assert used - set(policy.PERMISSIONS) == set()
    assert set(policy.PERMISSIONS) - used == set()


def test_the_table_is_data_for_docs_and_tests():
    for action, permission in policy.PERMISSIONS.items():
        assert permission.roles and all(isinstance(r, Role) for r in permission.roles), action
        assert any("\u4e00" <= ch <= "\u9fff" for ch in permission.description), action
    assert set(policy.STAFF_ROLES) <= set(Role)


def test_require_names_the_allowed_roles_in_chinese(people):
    with pytest.raises(PermissionDenied, match="请先登录"):
        policy.require(None, "manage_accounts")
    with pytest.raises(PermissionDenied, match="仅限组织者、评委"):
        policy.require(people["alice"], "declare_conflict")
    policy.require(people["judge"], "declare_conflict")
    assert policy.allows(people["dept"], "answer_cases") and not policy.allows(None, "answer_cases")


def test_row_rules(fresh_db, people):
    db, alice, carol = fresh_db, people["alice"], people["carol"]
    pid = insert_proposal(db, alice, coauthors=[carol], status="valid")
    assert policy.is_author(db, alice, pid) and policy.is_author(db, carol, pid)
    assert not policy.is_author(db, people["bob"], pid) and not policy.is_author(db, None, pid)
    db["assignments"].insert({"proposal_id": pid, "judge_id": people["judge"].id, "published": 0})
    assert not policy.is_assigned_judge(db, people["judge"], pid)  # a draft assignment
    db["assignments"].update((pid, people["judge"].id), {"published": 1})
    assert policy.is_assigned_judge(db, people["judge"], pid)
    db["proposals"].update(pid, {"status": "invalid"})
    assert not policy.is_assigned_judge(db, people["judge"], pid)  # re-screened 不予立案
    case = db["cases"].insert({"proposal_id": pid, "department": "jwc", "status": "pending"}).last_pk
    db["case_members"].insert({"proposal_id": pid, "case_id": case})
    db["case_departments"].insert({"case_id": case, "department": "jwc", "role": "lead"})
    assert policy.handles_case(db, people["dept"], case) and policy.handles_proposal(db, people["dept"], pid)
    assert not policy.handles_case(db, people["dept2"], case) and not policy.handles_proposal(db, alice, pid)
