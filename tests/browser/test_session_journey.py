"""A login that survives a reload, a new tab and a bookmark (issue 12), and ends when it should:
logout, logout on every device, a disabled account. On the desktop and at 375 × 812."""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from contest import accounts, db as database
from tests.browser.helpers import demo_server, goto_page, login, shot, wait_idle

STUDENT = "student7"


def heading(page, text: str):
    return page.get_by_role("heading", name=text, exact=True)


def logged_out(page):
    expect(page.get_by_label("用户名或学号")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)


def reload(page) -> None:
    page.reload()
    page.wait_for_selector("[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl']",
                           state="attached")
    wait_idle(page)


def no_english_modal(page) -> None:
    expect(page.get_by_text("Page not found")).to_have_count(0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = tmp_path_factory.mktemp("session") / "contest.db"
    with demo_server(db) as url:
        yield url, db


@pytest.fixture(scope="module")
def server(demo):
    return demo[0]


def log_in_here(page, username: str) -> None:
    """The login form of the page already open (the login helper opens the home page first)."""
    page.get_by_label("用户名或学号").fill(username)
    page.get_by_label("密码", exact=True).fill("demo1234")
    with page.expect_navigation(url=lambda url: "/session/" not in url):  # via /session/start
        page.get_by_role("button", name="登录", exact=True).click()
    wait_idle(page)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def second(browser):
    """Another browser (another device): its own cookies."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_reload_new_tab_and_logout(page, server):
    login(page, server, STUDENT)
    cookie = next(c for c in page.context.cookies() if c["name"] == "contest_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    days = (cookie["expires"] - time.time()) / 86400
    assert 29 < days <= 30  # Settings.session_days
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    goto_page(page, "撰写提案")
    assert urlsplit(page.url).path == "/write_proposal"
    reload(page)
    expect(heading(page, "撰写提案")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    no_english_modal(page)

    tab = page.context.new_page()  # a new tab with the page's URL (a bookmark) opens that page
    tab.goto(server + "/my_proposals")
    wait_idle(tab)
    expect(heading(tab, "我的提案")).to_be_visible()
    expect(tab.get_by_role("button", name="退出登录")).to_be_visible()
    tab.close()

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(lambda url: "/session/" not in url)
    wait_idle(page)
    logged_out(page)
    assert all(c["name"] != "contest_session" for c in page.context.cookies())
    reload(page)
    logged_out(page)


def test_a_bookmark_opened_logged_out_shows_the_login_then_the_page(page, server):
    page.goto(server + "/write_proposal")
    wait_idle(page)
    logged_out(page)
    no_english_modal(page)
    log_in_here(page, STUDENT)
    expect(heading(page, "撰写提案")).to_be_visible()
    assert urlsplit(page.url).path == "/write_proposal"
    # a page of another role goes to the user's own first page, without an English modal
    page.goto(server + "/user_admin")
    wait_idle(page)
    expect(heading(page, "我的提案")).to_be_visible()
    no_english_modal(page)


def test_a_used_or_made_up_login_code_sets_no_cookie(server):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(server + "/session/start?code=made-up&next=/account")
    assert answer.value.code == 303 and answer.value.headers["Location"] == "/"
    assert "contest_session" not in (answer.value.headers.get("Set-Cookie") or "")
    with pytest.raises(urllib.error.HTTPError) as answer:  # never sends the browser to another site
        opener.open(server + "/session/start?code=x&next=//evil.example.com")
    assert answer.value.headers["Location"] == "/"


def test_log_out_on_every_device_ends_the_other_browsers_login(page, second, server):
    login(page, server, "judge2")
    login(second, server, "judge2")
    goto_page(page, "我的账号")
    expect(page.get_by_text("目前在 2 个浏览器中保持登录")).to_be_visible()
    shot(page, "session_account_devices")
    page.get_by_role("button", name="在所有设备上退出登录").click()
    page.wait_for_url(lambda url: "/session/" not in url)
    wait_idle(page)
    logged_out(page)
    # the other browser is logged out at its next step, without a reload
    goto_page(second, "批量评分")
    logged_out(second)
    reload(second)
    logged_out(second)


def test_a_disabled_account_is_logged_out(second, demo):
    server, path = demo
    login(second, server, "student12")
    goto_page(second, "撰写提案")
    db = database.connect(path)
    organizer = accounts.get_user(db, db.execute("select id from users where username = 'organizer'").fetchone()[0])
    target = db.execute("select id from users where username = 'student12'").fetchone()[0]
    accounts.set_active(db, organizer, target, False)
    goto_page(second, "我的提案")
    logged_out(second)
    assert db.execute("select count(*) from sessions where user_id = ? and revoked_at is null",
                      [target]).fetchone()[0] == 0
    accounts.set_active(db, organizer, target, True)  # enabling again does not bring a session back
    reload(second)
    logged_out(second)


def test_the_participant_stays_logged_in_on_a_phone(phone, server):
    phone.goto(server + "/write_proposal")  # a bookmark on the phone's home screen
    wait_idle(phone)
    log_in_here(phone, "student9")
    expect(heading(phone, "撰写提案")).to_be_visible()
    reload(phone)
    expect(heading(phone, "撰写提案")).to_be_visible()
    no_english_modal(phone)
    shot(phone, "session_phone_after_reload")
