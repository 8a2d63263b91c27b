"""Each role gets exactly its pages; another role's page cannot be reached."""
import pytest

from contest.navigation import ROLE_PAGES
from tests.helpers import texts

ALL_PAGES = {path for sections in ROLE_PAGES.values() for entries in sections.values()
             for path, _, _ in entries}


def role_pages(role):
    return {path for entries in ROLE_PAGES[role].values() for path, _, _ in entries}


@pytest.mark.parametrize("who, role", [("alice", "participant"), ("judge", "judge"),
                                       ("organizer", "organizer"), ("dept", "department")])
def test_each_role_reaches_its_pages_and_no_other(app_as, who, role):
    at = app_as(who)
    for page in sorted(ALL_PAGES - role_pages(role)):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    for page in sorted(role_pages(role)) + ["app_pages/account.py", "app_pages/public_followup.py"]:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)


def test_logged_out_visitor_sees_login_and_registration_only(app_as):
    at = app_as(None)
    assert "登录" in texts(at) or at.button
    for page in sorted(ALL_PAGES | {"app_pages/account.py"}):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    at.switch_page("app_pages/register.py")
    at.run()
    assert not at.exception


def test_login_with_wrong_password_shows_generic_error(app_as):
    at = app_as(None)
    at.text_input[0].input("alice")
    at.text_input[1].input("wrong-password1")
    at.button[0].click()
    at.run()
    assert "用户名或密码错误" in texts(at)
    assert at.session_state["user"] is None


def test_login_then_logout(app_as):
    at = app_as(None)
    at.text_input[0].input("alice")
    at.text_input[1].input("Passw0rd!")
    at.button[0].click()
    at.run()
    assert at.session_state["user"].username == "alice"
    at.sidebar.button[0].click()
    at.run()
    assert at.session_state["user"] is None


def test_forbidden_pages_stay_unreachable_after_visiting_allowed_ones(app_as):
    at = app_as("alice", "app_pages/write_proposal.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/contest_settings.py")


def test_judge_must_set_a_new_password_first(app_as, fresh_db, people):
    fresh_db["users"].update(people["judge"].id, {"must_change_password": 1})
    at = app_as("judge")
    assert "设置新密码" in texts(at)
    with pytest.raises(ValueError):
        at.switch_page("app_pages/judge_queue.py")


def test_a_chosen_empty_database_is_not_filled_with_demo_accounts(db_path):
    from streamlit.testing.v1 import AppTest

    from contest import db as database
    from tests.helpers import APP

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "python -m contest init" in texts(at)
    assert not database.is_initialised(database.connect(db_path))
