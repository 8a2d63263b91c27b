"""消息 through the real app: the unread count in the sidebar page title, marking read, the e-mail switch."""
from __future__ import annotations

from contest import notices
from tests.helpers import texts


def inbox_title(at) -> str:
    """The title of the inbox page in the sidebar navigation."""
    pages = at._registered_pages.values()  # what st.navigation registered on the last run
    return next(p["page_name"] for p in pages if str(p.get("script_path", "")).endswith("app_pages/inbox.py"))


def test_unread_count_in_the_sidebar_and_mark_read(app_as, people, fresh_db):
    db, alice = fresh_db, people["alice"]
    notices.notify(db, [alice.id], "reminder", "你的提案已转交教务处", "第一条内容")
    notices.notify(db, [alice.id], "reminder", "第二条消息", "第二条内容")
    notices.notify(db, [people["bob"].id], "reminder", "鲍勃的消息", "别人的")
    at = app_as("alice", "app_pages/inbox.py")
    assert inbox_title(at) == "消息 · 2"
    shown = texts(at)
    assert "你的提案已转交教务处" in shown and "第二条内容" in shown and "鲍勃的消息" not in shown
    at.button(key="inbox_all_read").click()
    at.run()
    assert not at.exception, at.exception
    if inbox_title(at) != "消息":
        at.run()
    assert inbox_title(at) == "消息"
    assert notices.unread_count(db, alice) == 0 and notices.unread_count(db, people["bob"]) == 1


def test_every_role_has_the_inbox(app_as):
    for who in ("alice", "judge", "organizer", "dept"):
        at = app_as(who, "app_pages/inbox.py")
        assert "还没有消息" in texts(at), who


def test_account_page_turns_email_off(app_as, people, fresh_db):
    db = fresh_db
    db["users"].update(people["alice"].id, {"email": "alice@example.edu.cn"})
    at = app_as("alice", "app_pages/account.py")
    assert at.toggle(key="email_notices").value is True
    assert "尚未开启邮件发送" in texts(at)
    at.toggle(key="email_notices").set_value(False)
    at.run()
    assert not at.exception, at.exception
    assert notices.email_enabled(db, people["alice"]) is False
    assert db["audit_log"].count_where("action = 'set_email_notices'") == 1


def test_organizer_turns_email_on_in_the_settings(app_as, fresh_db):
    from contest import settings

    at = app_as("organizer", "app_pages/contest_settings.py")
    at.toggle(key="mail_enabled").set_value(True)
    at.button(key="FormSubmitter:mail_settings-保存邮件与催办设置").click()
    at.run()
    assert "请填写 SMTP 服务器和发件地址" in texts(at)
    assert settings.get(fresh_db).email_enabled is False
    at.toggle(key="mail_enabled").set_value(True)
    at.text_input(key="mail_host").input("smtp.example.edu.cn")
    at.text_input(key="mail_sender").input("noreply@example.edu.cn")
    at.number_input(key="mail_interval").set_value(48)
    at.button(key="FormSubmitter:mail_settings-保存邮件与催办设置").click()
    at.run()
    assert not at.exception, at.exception
    saved = settings.get(fresh_db)
    assert (saved.email_enabled, saved.smtp_host, saved.smtp_sender, saved.reminder_interval_hours) == (
        True, "smtp.example.edu.cn", "noreply@example.edu.cn", 48)
