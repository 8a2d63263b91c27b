"""Campus single sign-on: identities map to accounts whose role comes from the database."""
from __future__ import annotations

import pytest

from contest import accounts, settings, sso
from contest.errors import AuthError, ValidationError
from tests.helpers import make_user

ISS = "https://cas.example.edu.cn"


def claims(sub, **extra):
    return {"iss": ISS, "sub": sub, **extra}


def set_sso(db, organizer, **changes):
    settings.update(db, organizer, **changes)


@pytest.fixture
def organizer(fresh_db):
    return make_user(fresh_db, "organizer", "organizer")


def test_first_sign_in_of_a_student_creates_a_participant(fresh_db, organizer):
    user = sso.sign_in(fresh_db, claims("u1", student_no="2024001", name="张三", email="zs@stu.edu.cn"))
    assert (user.role, user.student_no, user.name, user.email) == ("participant", "2024001", "张三", "zs@stu.edu.cn")
    again = sso.sign_in(fresh_db, claims("u1", student_no="2024001", name="张三"))
    assert again.id == user.id
    assert fresh_db["users"].count == 2  # the organizer and the one student


def test_a_numeric_student_number_claim_is_kept_as_text(fresh_db, organizer):
    user = sso.sign_in(fresh_db, claims("u2", student_no=2024002.0, name="李四"))
    assert user.student_no == "2024002"


def test_existing_student_is_linked_by_student_number_not_duplicated(fresh_db, organizer):
    alice = make_user(fresh_db, "alice", "participant", student_no="2023001", college="管理学院")
    user = sso.sign_in(fresh_db, claims("alice-cas", student_no="2023001", name="某人"))
    assert user.id == alice.id and user.name == alice.name  # the stored name is not overwritten
    assert fresh_db["users"].get(alice.id)["sso_subject"] == f"{ISS}|alice-cas"


def test_judge_identity_maps_to_the_account_the_organizer_created(fresh_db, organizer):
    judge = make_user(fresh_db, "judge-wang", "judge", staff_no="T1001")
    user = sso.sign_in(fresh_db, claims("t1001", employee_no="T1001", name="王老师"))
    assert (user.id, user.role) == (judge.id, "judge")


def test_role_never_comes_from_claims(fresh_db, organizer):
    user = sso.sign_in(fresh_db, claims("x", student_no="2024009", role="organizer", groups=["organizer"]))
    assert user.role == "participant"


def test_unknown_staff_identity_is_refused_with_a_chinese_message(fresh_db, organizer):
    with pytest.raises(AuthError, match="联系组织者"):
        sso.sign_in(fresh_db, claims("t9", employee_no="T9999"))
    with pytest.raises(AuthError, match="联系组织者"):
        sso.sign_in(fresh_db, claims("nobody"))  # neither 学号 nor 工号
    assert fresh_db["users"].count == 1


def test_a_staff_number_never_links_a_participant(fresh_db, organizer):
    make_user(fresh_db, "bob", "participant", student_no="2023002", staff_no="T2")
    with pytest.raises(AuthError):
        sso.sign_in(fresh_db, claims("t2", employee_no="T2"))


def test_an_account_tied_to_another_identity_is_not_taken_over(fresh_db, organizer):
    sso.sign_in(fresh_db, claims("first", student_no="2024003"))
    with pytest.raises(AuthError):
        sso.sign_in(fresh_db, {"iss": "https://evil.example", "sub": "first", "student_no": "2024003"})


def test_organizer_can_turn_off_self_signup(fresh_db, organizer):
    set_sso(fresh_db, organizer, sso_create_students=False)
    with pytest.raises(AuthError, match="未开放"):
        sso.sign_in(fresh_db, claims("u5", student_no="2024005"))
    assert fresh_db["users"].count == 1


def test_disabled_account_cannot_sign_in(fresh_db, organizer):
    alice = make_user(fresh_db, "alice", "participant", student_no="2023001")
    fresh_db["users"].update(alice.id, {"active": 0})
    with pytest.raises(AuthError, match="停用"):
        sso.sign_in(fresh_db, claims("a", student_no="2023001"))


def test_claim_names_are_a_setting(fresh_db, organizer):
    set_sso(fresh_db, organizer, sso_claims={"student_no": "uid"})
    user = sso.sign_in(fresh_db, claims("u6", uid="2024006"))
    assert user.student_no == "2024006"


def test_required_sso_refuses_password_login_for_that_role(fresh_db, organizer):
    make_user(fresh_db, "judge-li", "judge")
    set_sso(fresh_db, organizer, sso_required_roles=["judge"])
    with pytest.raises(AuthError, match="统一身份认证"):
        accounts.login(fresh_db, "judge-li", "Passw0rd!")
    assert accounts.login(fresh_db, "organizer", "Passw0rd!").role == "organizer"


def test_sign_in_is_audited(fresh_db, organizer):
    user = sso.sign_in(fresh_db, claims("u7", student_no="2024007"))
    entry = fresh_db.execute("select actor_id, action from audit_log order by id desc limit 1").fetchone()
    assert entry == (user.id, "sso_login")


def test_organizer_records_a_staff_number_when_creating_or_importing_accounts(fresh_db, organizer):
    import pandas as pd

    judge, _ = accounts.create_account(fresh_db, organizer, "judge", username="judge-zhao", name="赵老师",
                                       staff_no=" T3001 ")
    assert sso.sign_in(fresh_db, claims("t3001", employee_no="T3001")).id == judge.id
    with pytest.raises(ValidationError, match="工号 T3001 已属于"):
        accounts.create_account(fresh_db, organizer, "judge", username="judge-x", name="某", staff_no="T3001")
    with pytest.raises(ValidationError, match="工号"):
        accounts.create_account(fresh_db, organizer, "judge", username="judge-y", name="某", staff_no="<b>1</b>")
    sheet = pd.DataFrame([{"用户名": "judge-q", "姓名": "钱老师", "角色": "评委", "工号": 3002.0},
                          {"用户名": "judge-s", "姓名": "孙老师", "角色": "评委", "工号": "3002"}])
    with pytest.raises(ValidationError, match="第 3 行：工号 3002"):
        accounts.import_accounts(fresh_db, organizer, sheet)
    accounts.import_accounts(fresh_db, organizer, sheet.iloc[:1])
    assert fresh_db["users"].count_where("staff_no = '3002'") == 1
