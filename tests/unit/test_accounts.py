import datetime as dt

import pandas as pd
import pytest

from contest import accounts, audit
from contest.errors import AuthError, PermissionDenied, ValidationError
from tests.helpers import NOW


def register(db, **overrides):
    fields = dict(student_no="2024100", name="王小明", college="管理学院", email="wxm@example.edu.cn",
                  phone="", password="abc12345", password_confirm="abc12345")
    return accounts.register_participant(db, **(fields | overrides))


def test_register_then_login_with_student_number(fresh_db):
    user = register(fresh_db)
    assert user.role == "participant" and user.username == "2024100"
    assert accounts.login(fresh_db, "2024100", "abc12345").id == user.id
    assert fresh_db["users"].get(user.id)["password_hash"].startswith("$argon2")


@pytest.mark.parametrize("overrides, message", [
    ({"student_no": ""}, "请填写学号"),
    ({"student_no": "   "}, "请填写学号"),
    ({"student_no": "<b>1</b>"}, "学号只能包含字母和数字"),
    ({"name": ""}, "请填写姓名"),
    ({"name": "王" * 31}, "姓名最多 30 个字"),
    ({"name": "王\u200b小明"}, "不可见"),
    ({"email": "", "phone": ""}, "至少一项"),
    ({"email": "not-an-email"}, "邮箱格式不正确"),
    ({"phone": "12345"}, "手机号格式不正确"),
    ({"password": "short1", "password_confirm": "short1"}, "至少 8 位"),
    ({"password": "onlyletters", "password_confirm": "onlyletters"}, "字母和数字"),
    ({"password_confirm": "different1"}, "不一致"),
    ({"college": "不存在学院"}, "请从列表中选择学院"),
])
def test_registration_refuses_bad_input_and_saves_nothing(fresh_db, overrides, message):
    with pytest.raises(ValidationError, match=message):
        register(fresh_db, colleges=["管理学院"], **overrides)
    assert fresh_db["users"].count == 0


def test_html_and_markdown_in_name_are_stored_verbatim(fresh_db):
    user = register(fresh_db, name="<script>x</script>")
    assert user.name == "<script>x</script>"
    assert register(fresh_db, student_no="2024101", name="![x](http://e.com/t.png)").name.startswith("![x]")


def test_duplicate_student_number_is_refused(fresh_db):
    register(fresh_db)
    with pytest.raises(ValidationError, match="该学号已注册"):
        register(fresh_db, name="另一个人")
    assert fresh_db["users"].count == 1


def test_wrong_password_and_unknown_user_get_the_same_message(fresh_db):
    register(fresh_db)
    with pytest.raises(AuthError) as wrong:
        accounts.login(fresh_db, "2024100", "wrongpass1", now=NOW)
    with pytest.raises(AuthError) as unknown:
        accounts.login(fresh_db, "nobody", "wrongpass1", now=NOW)
    assert str(wrong.value) == str(unknown.value) == accounts.LOGIN_FAILED


@pytest.mark.parametrize("name", ["2024100", "nobody"])
def test_after_five_failures_the_next_try_waits_whether_or_not_the_account_exists(fresh_db, name):
    """No lock-out: a growing delay (tests/unit/test_login_throttle.py has the rest)."""
    register(fresh_db)
    for _ in range(4):
        with pytest.raises(AuthError, match="^用户名或密码错误。$"):
            accounts.login(fresh_db, name, "wrongpass1", now=NOW)
    with pytest.raises(AuthError, match="请 1 秒后再试"):
        accounts.login(fresh_db, name, "wrongpass1", now=NOW)
    with pytest.raises(AuthError, match="登录尝试过于频繁"):  # even the right password waits
        accounts.login(fresh_db, name, "abc12345", now=NOW)
    if name == "2024100":
        assert accounts.login(fresh_db, name, "abc12345", now=NOW + dt.timedelta(seconds=1)).username == name


def test_successful_login_resets_the_failure_count(fresh_db):
    register(fresh_db)
    for _ in range(4):
        with pytest.raises(AuthError):
            accounts.login(fresh_db, "2024100", "wrongpass1", now=NOW)
    accounts.login(fresh_db, "2024100", "abc12345", now=NOW)
    with pytest.raises(AuthError, match="用户名或密码错误"):
        accounts.login(fresh_db, "2024100", "wrongpass1", now=NOW)


def test_disabled_account_cannot_log_in(fresh_db, people):
    accounts.set_active(fresh_db, people["organizer"], people["alice"].id, False)
    with pytest.raises(AuthError):
        accounts.login(fresh_db, "alice", "Passw0rd!")
    with pytest.raises(PermissionDenied):
        accounts.set_active(fresh_db, people["organizer"], people["organizer"].id, False)


def test_organizer_creates_judge_who_must_change_password(fresh_db, people):
    judge, first_password = accounts.create_account(fresh_db, people["organizer"], "judge", username="judge9",
                                                    name="李老师", topics="teaching")
    assert judge.must_change_password
    logged_in = accounts.login(fresh_db, "judge9", first_password)
    with pytest.raises(ValidationError, match="原密码不正确"):
        accounts.change_password(fresh_db, logged_in, "wrong", "newpass123", "newpass123")
    accounts.change_password(fresh_db, logged_in, first_password, "newpass123", "newpass123")
    assert not accounts.get_user(fresh_db, judge.id).must_change_password
    assert accounts.login(fresh_db, "judge9", "newpass123").id == judge.id
    assert [e["action"] for e in audit.entries(fresh_db, people["organizer"])][:2] == [
        "change_password", "create_account"]


def test_only_organizers_create_accounts(fresh_db, people):
    for role in ("alice", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            accounts.create_account(fresh_db, people[role], "judge", username="x123", name="x")
    with pytest.raises(PermissionDenied):
        accounts.create_account(fresh_db, None, "judge", username="x123", name="x")


def test_department_account_needs_a_known_department(fresh_db, people):
    with pytest.raises(ValidationError, match="部门"):
        accounts.create_account(fresh_db, people["organizer"], "department", username="dept-x", name="x",
                                department="nope")
    user, _ = accounts.create_account(fresh_db, people["organizer"], "department", username="dept-y",
                                      name="y", department="jwc")
    assert user.department == "jwc"


def test_bulk_import_is_all_or_nothing(fresh_db, people):
    before = fresh_db["users"].count
    bad = pd.DataFrame([{"用户名": "j10", "姓名": "甲", "角色": "评委"},
                        {"用户名": "j11", "姓名": "", "角色": "评委"},
                        {"用户名": "d10", "姓名": "丙", "角色": "职能部门", "部门代码": "zzz"}])
    with pytest.raises(ValidationError) as error:
        accounts.import_accounts(fresh_db, people["organizer"], bad)
    assert "第 3 行" in str(error.value) and "第 4 行" in str(error.value)
    assert fresh_db["users"].count == before
    good = pd.DataFrame([{"用户名": "j10", "姓名": "甲", "角色": "评委"},
                         {"用户名": "d10", "姓名": "丙", "角色": "职能部门", "部门代码": "jwc"}])
    created = accounts.import_accounts(fresh_db, people["organizer"], good)
    assert [c["username"] for c in created] == ["j10", "d10"]
    assert accounts.login(fresh_db, "d10", created[1]["password"]).must_change_password


def test_reset_password_unlocks_and_forces_change(fresh_db, people):
    for _ in range(5):
        with pytest.raises(AuthError):
            accounts.login(fresh_db, "alice", "wrongpass1")
    password = accounts.reset_password(fresh_db, people["organizer"], people["alice"].id)
    assert accounts.login(fresh_db, "alice", password).must_change_password


def test_user_list_never_contains_password_hashes(fresh_db, people):
    table = accounts.list_users(fresh_db, people["organizer"])
    assert "password_hash" not in table.columns and len(table) == len(people)
    with pytest.raises(PermissionDenied):
        accounts.list_users(fresh_db, people["judge"])
