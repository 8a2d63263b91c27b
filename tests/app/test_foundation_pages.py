"""AppTest: registration, account, contest settings, account admin and audit log pages."""
import pandas as pd

from contest import accounts, settings
from tests.helpers import texts


def test_registration_refuses_bad_input_then_registers(app_as, fresh_db):
    at = app_as(None, "app_pages/register.py")
    fields = {"学号": "2025001", "姓名": "![x](http://example.com/t.png)", "邮箱": "a@b.cn",
              "密码": "abc12345", "确认密码": "abc12345"}
    for box in at.text_input:
        if box.label in fields:
            box.input(fields[box.label])
    at.button[0].click()
    at.run()
    assert "请选择学院" in texts(at) or "请填写学院" in texts(at)
    assert fresh_db["users"].count_where("student_no = '2025001'") == 0
    at.selectbox[0].select(settings.get(fresh_db).colleges[0])
    at.button[0].click()
    at.run()
    user = accounts.find_by_student_no(fresh_db, "2025001")
    assert user and user.name == "![x](http://example.com/t.png)"
    assert at.session_state["user"].id == user.id
    assert not at.get("imgs")  # the markdown image in the name is never rendered as an image


def test_duplicate_student_number_message(app_as, people):
    at = app_as(None, "app_pages/register.py")
    values = {"学号": "2023001", "姓名": "重复", "邮箱": "a@b.cn", "密码": "abc12345", "确认密码": "abc12345"}
    for box in at.text_input:
        if box.label in values:
            box.input(values[box.label])
    at.selectbox[0].select(at.selectbox[0].options[0])
    at.button[0].click()
    at.run()
    assert "该学号已注册" in texts(at)


def test_organizer_saves_settings_and_bad_rubric_is_refused(app_as, fresh_db):
    at = app_as("organizer", "app_pages/contest_settings.py")
    at.text_input(key=None) if False else None
    name_box = next(b for b in at.text_input if b.label == "比赛名称")
    name_box.input("")
    next(b for b in at.button if b.label == "保存基本信息").click()
    at.run()
    assert "请填写比赛名称" in texts(at)
    assert settings.get(fresh_db).contest_name == "测试提案大赛"
    name_box = next(b for b in at.text_input if b.label == "比赛名称")
    name_box.input("新名称<script>")
    next(b for b in at.button if b.label == "保存基本信息").click()
    at.run()
    assert settings.get(fresh_db).contest_name == "新名称<script>"
    assert "基本信息已保存" in texts(at)
    at.session_state["rubric_editor"] = {"edited_rows": {0: {"weight": -5}}, "added_rows": [], "deleted_rows": []}
    next(b for b in at.button if b.label == "保存评分标准").click()
    at.run()
    assert not at.exception, at.exception
    assert "权重必须大于 0" in texts(at)
    assert settings.get(fresh_db).rubric[0]["weight"] == 25


def test_organizer_creates_a_judge_and_sees_first_password(app_as, fresh_db):
    at = app_as("organizer", "app_pages/user_admin.py")
    for box in at.text_input:
        if box.label == "用户名":
            box.input("judge42")
        if box.label == "姓名":
            box.input("新评委")
    next(b for b in at.button if b.label == "创建账号").click()
    at.run()
    assert "已创建账号 judge42" in texts(at)
    assert fresh_db["users"].count_where("username = 'judge42' and must_change_password = 1") == 1
    # the initial password stays on screen across further clicks until it is dismissed
    at.run()
    table = at.dataframe[0].value
    assert list(table["用户名"]) == ["judge42"] and len(table["初始密码"][0]) >= 8
    next(b for b in at.button if b.label == "已妥善保存，关闭此表").click()
    at.run()
    assert "初始密码只在这里显示一次" not in texts(at)


def test_non_organizer_cannot_read_the_user_list(fresh_db, people):
    import pytest

    from contest.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        accounts.list_users(fresh_db, people["dept"])


def test_account_page_changes_password(app_as, fresh_db, people):
    at = app_as("alice", "app_pages/account.py")
    boxes = {b.label: b for b in at.text_input}
    boxes["原密码"].input("Passw0rd!")
    boxes["新密码"].input("Another123")
    boxes["确认新密码"].input("Another123")
    at.button(key="FormSubmitter:change_password-修改密码").click() if False else next(
        b for b in at.button if b.label == "修改密码").click()
    at.run()
    assert accounts.login(fresh_db, "alice", "Another123").id == people["alice"].id


def test_audit_log_page_lists_changes(app_as, fresh_db, people):
    settings.update(fresh_db, people["organizer"], contest_name="审计测试名称")
    at = app_as("organizer", "app_pages/audit_log.py")
    frame = at.dataframe[0].value
    assert isinstance(frame, pd.DataFrame) and "修改比赛设置" in set(frame["action"])


def test_audit_log_shows_old_and_new_values_readably(app_as, fresh_db, people):
    settings.update(fresh_db, people["organizer"], reviews_per_proposal=4)
    at = app_as("organizer", "app_pages/audit_log.py")
    frame = at.dataframe[0].value
    assert "reviews_per_proposal：3 → 4" in set(frame["detail"])


def test_organizer_finds_one_account_among_many_and_disables_it(app_as, fresh_db, people):
    from app_pages import _ui
    from tests.helpers import make_user

    for i in range(_ui.SEARCH_LIMIT + 10):
        make_user(fresh_db, f"s{i:04d}", "participant", student_no=f"S{i:05d}", name=f"学生{i}")
    at = app_as("organizer", "app_pages/user_admin.py")
    assert len(at.selectbox(key="account_target").options) == _ui.SEARCH_LIMIT
    at.text_input(key="account_target_search").input("s0077").run()
    assert at.selectbox(key="account_target").options == ["s0077 · 学生77 · 参赛学生"]
    at.radio[0].set_value("停用")
    at.button(key="FormSubmitter:account_action-执行").click().run()
    assert fresh_db["users"].count_where("username = 's0077' and active = 0") == 1
    assert fresh_db["users"].count_where("active = 0") == 1
