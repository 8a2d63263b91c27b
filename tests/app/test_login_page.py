"""AppTest: the login page throttles guesses with a Chinese message, keeps the typed name, and passes
the client address (None through localhost, as here) to contest.accounts.login; registration refuses
a common password."""
from __future__ import annotations

from contest import accounts
from tests.helpers import texts


def log_in(at, username, password):
    boxes = {b.label: b for b in at.text_input}
    boxes["用户名或学号"].input(username)
    boxes["密码"].input(password)
    next(b for b in at.button if b.label == "登录").click()
    at.run()


def test_guesses_are_slowed_with_a_chinese_message_and_the_name_stays_typed(app_as, people, monkeypatch):
    seen = []
    real = accounts.login
    monkeypatch.setattr(accounts, "login", lambda *a, **kw: seen.append(kw) or real(*a, **kw))
    at = app_as(None)
    for _ in range(accounts.FREE_FAILURES):
        log_in(at, "alice", "wrong-guess-1")
    assert "请 1 秒后再试" in texts(at)
    log_in(at, "alice", "Passw0rd!")  # the same second: the right password waits too
    assert not at.exception and "登录尝试过于频繁" in texts(at)
    assert "user_id" not in at.session_state
    assert next(b for b in at.text_input if b.label == "用户名或学号").value == "alice"
    assert seen and all("client" in kw for kw in seen)


def test_registration_refuses_a_common_password(app_as, fresh_db):
    at = app_as(None, "app_pages/register.py")
    fields = {"学号": "2025001", "姓名": "王小明", "邮箱": "a@b.cn", "密码": "qwerty123", "确认密码": "qwerty123"}
    for box in at.text_input:
        if box.label in fields:
            box.input(fields[box.label])
    at.selectbox[0].select(at.selectbox[0].options[0])
    at.button[0].click()
    at.run()
    assert "这个密码太常见" in texts(at) and fresh_db["users"].count_where("student_no = '2025001'") == 0


def test_the_client_address_is_the_connections_or_behind_the_local_proxy_x_real_ip():
    from app_pages._ui import address_of

    assert address_of("198.51.100.7", {"X-Real-IP": "203.0.113.1"}) == "198.51.100.7"  # a direct peer: its own
    assert address_of(None, {"X-Real-IP": " 203.0.113.1 "}) == "203.0.113.1"  # from localhost: the proxy's header
    assert address_of(None, {}) is None and address_of(None, {"X-Real-IP": ""}) is None
    assert address_of(None, object()) is None  # no headers at all
