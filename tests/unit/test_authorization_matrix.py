"""The authorization matrix, generated from contest/policy.py PERMISSIONS (issue 11).

1. every action x every role: ``policy.allows`` / ``policy.require`` follow the table exactly;
2. every action is enforced: some domain function of contest/ starts with policy.require(...) on
   it, and every action a domain function requires is in the table (no typo, no hidden rule);
3. own / other data: the row rules on top of the role (an author, a co-author, an invited student,
   another student) for the operations on proposals and co-authorship;
4. docs/SECURITY.md publishes the table generated from PERMISSIONS (it cannot drift).
"""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from contest import coauthors, policy, proposals
from contest.errors import PermissionDenied, ValidationError
from contest.vocabulary import Role
from tests.helpers import GOOD, NOW, make_user

ROOT = Path(__file__).resolve().parents[2]
MATRIX = list(itertools.product(policy.PERMISSIONS, list(Role)))


class Someone:
    def __init__(self, role):
        self.role, self.id = role, 0


@pytest.mark.parametrize("action, role", MATRIX, ids=[f"{a}-{r.value}" for a, r in MATRIX])
def test_every_action_for_every_role_follows_the_table(action, role):
    allowed = role in policy.PERMISSIONS[action].roles
    assert policy.allows(Someone(role), action) is allowed
    if allowed:
        policy.require(Someone(role), action)
    else:
        with pytest.raises(PermissionDenied, match="无权限"):
            policy.require(Someone(role), action)
    assert not policy.allows(None, action)
    with pytest.raises(PermissionDenied, match="请先登录"):
        policy.require(None, action)


def _required_actions() -> dict[str, set[str]]:
    """action -> the contest/ modules whose functions call policy.require / policy.allows on it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "contest").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("require", "allows") and getattr(node.func.value, "id", "") == "policy"):
                for arg in node.args[1:]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, set()).add(path.stem)
    return found


def test_every_action_in_the_table_is_enforced_by_the_domain_and_nothing_else_is_required():
    used = _required_actions()
    assert set(used) - set(policy.PERMISSIONS) == set(), "required but not in PERMISSIONS"
    assert set(policy.PERMISSIONS) - set(used) == set(), "in PERMISSIONS but never checked"


# --- own / other data --------------------------------------------------------------------------------

@pytest.fixture
def world(fresh_db, people):
    """alice submits p (bob accepted, carol invited); dave is another student."""
    db = fresh_db
    dave = make_user(db, "dave", "participant", student_no="2023004", college="医学部", name="戴夫")
    pid = proposals.save_draft(db, people["alice"], GOOD | {"coauthors": "2023002 2023003"}, now=NOW)
    proposals.submit(db, people["alice"], pid, now=NOW)
    (bobs,) = coauthors.my_invitations(db, people["bob"])
    coauthors.accept(db, people["bob"], bobs["id"], now=NOW)
    return db, pid, {"submitter": people["alice"], "coauthor": people["bob"], "invited": people["carol"],
                     "other": dave, "organizer": people["organizer"], "judge": people["judge"],
                     "department": people["dept"]}


# operation -> who may (everyone else gets PermissionDenied)
ROW_RULES = {
    "read the proposal": ({"submitter", "coauthor", "organizer"},
                          lambda db, u, pid: proposals.get(db, u, pid)),
    "edit the proposal": ({"submitter"},
                          lambda db, u, pid: proposals.update_submitted(db, u, pid, GOOD | {"coauthors": "2023002"},
                                                                        now=NOW)),
    "withdraw the proposal": ({"submitter"}, lambda db, u, pid: proposals.withdraw(db, u, pid, now=NOW)),
    "leave the proposal": ({"coauthor"}, lambda db, u, pid: coauthors.leave(db, u, pid, now=NOW)),
    "see who is invited": ({"submitter"}, lambda db, u, pid: coauthors.invited(db, u, pid)),
    "answer the invitation": ({"invited"}, lambda db, u, pid: coauthors.accept(
        db, u, next(r["id"] for r in db["coauthor_invitations"].rows_where("status = 'pending'")), now=NOW)),
}
CASES = [(op, who) for op in ROW_RULES for who in
         ("submitter", "coauthor", "invited", "other", "organizer", "judge", "department")]


@pytest.mark.parametrize("operation, who", CASES, ids=[f"{o}-{w}" for o, w in CASES])
def test_own_and_other_data(world, operation, who):
    db, pid, users = world
    allowed, call = ROW_RULES[operation]
    if (operation, who) == ("leave the proposal", "submitter"):  # told to withdraw instead
        with pytest.raises(ValidationError, match="撤回"):
            call(db, users[who], pid)
    elif who in allowed:
        try:
            call(db, users[who], pid)
        except ValidationError:  # allowed, refused for a rule of the data, never for who asks
            pass
    else:
        with pytest.raises(PermissionDenied):
            call(db, users[who], pid)


# --- docs/SECURITY.md ----------------------------------------------------------------------------------

def test_security_md_publishes_the_current_table():
    text = (ROOT / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    assert policy.permission_table() in text, (
        "docs/SECURITY.md is out of date: paste `python -c \"from contest import policy; "
        "print(policy.permission_table())\"` between the markers")


def test_every_test_security_md_names_exists():
    import re

    text = (ROOT / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(tests/[\w/]+\.py)", text))
    assert named and all((ROOT / p).exists() for p in named), [p for p in named if not (ROOT / p).exists()]
