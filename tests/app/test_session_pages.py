"""The login of a browser session under a bare `streamlit run streamlit_app.py` (no cookie routes):
the session is kept in the database all the same, so logging out everywhere and disabling end it."""
from contest import accounts, sessions
from tests.helpers import texts


def log_in(at, username="alice", password="Passw0rd!"):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()


def test_login_starts_a_database_session_that_ending_everywhere_ends(app_as, fresh_db, people):
    at = app_as(None)
    log_in(at)
    assert at.session_state["user"].username == "alice"
    token = at.session_state["session_token"]
    assert sessions.resume(fresh_db, token) == people["alice"].id
    sessions.end_all(fresh_db, people["alice"].id)  # e.g. from another browser
    at.run()
    assert at.session_state["user"] is None and "用户名或学号" in [t.label for t in at.text_input]


def test_account_page_logs_out_on_every_device(app_as, fresh_db, people):
    other = sessions.start(fresh_db, people["alice"].id)
    at = app_as(None)
    log_in(at)
    at.switch_page("app_pages/account.py")
    at.run()
    assert "目前在 2 个浏览器中保持登录" in texts(at)
    next(b for b in at.button if b.label == "在所有设备上退出登录").click()
    at.run()
    assert at.session_state["user"] is None
    assert sessions.resume(fresh_db, other) is None and sessions.open_count(fresh_db, people["alice"].id) == 0


def test_changing_the_password_keeps_this_browser_logged_in_and_ends_the_others(app_as, fresh_db, people):
    other = sessions.start(fresh_db, people["alice"].id)
    at = app_as(None)
    log_in(at)
    at.switch_page("app_pages/account.py")
    at.run()
    form = [t for t in at.text_input if t.label in ("原密码", "新密码", "确认新密码")]
    for box, value in zip(form, ("Passw0rd!", "NewPassw0rd1", "NewPassw0rd1")):
        box.input(value)
    next(b for b in at.button if b.label == "修改密码").click()
    at.run()
    assert at.session_state["user"].username == "alice"
    assert sessions.resume(fresh_db, other) is None
    assert accounts.login(fresh_db, "alice", "NewPassw0rd1").id == people["alice"].id


def test_a_disabled_account_is_logged_out_at_its_next_step(app_as, fresh_db, people):
    at = app_as(None)
    log_in(at)
    accounts.set_active(fresh_db, people["organizer"], people["alice"].id, False)
    at.run()
    assert at.session_state["user"] is None
