"""Campus single sign-on against a real OpenID Connect provider on loopback.

The provider is panva/oidc-provider (npm, tests/browser/oidc/), started by the test; the portal
is configured through a secrets file the way a campus deployment is (README 统一身份认证). The
browser goes through the real redirect, the provider's login form, the code exchange and the
callback: nothing is mocked.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import pytest

from tests.browser.helpers import ROOT, demo_server, free_port, login, shot, wait_http, wait_idle

OIDC_DIR = ROOT / "tests" / "browser" / "oidc"
IDENTITIES = {
    "cas-2025999": {"name": "新同学", "student_no": "2025999", "email": "new@stu.example.edu.cn"},
    "cas-t1001": {"name": "王老师", "employee_no": "T1001", "email": "wang@example.edu.cn"},
}


def _node_ok() -> bool:
    node = shutil.which("node")
    if not node or not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        return False
    major = subprocess.run([node, "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True)
    return major.returncode == 0 and int(major.stdout.strip() or 0) >= 20


pytestmark = pytest.mark.skipif(not _node_ok(), reason="needs Node.js ≥ 20 and `npm ci` in tests/browser/oidc "
                                                        "(tests/run.sh does both)")


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sso")
    app_port, idp_port = free_port(), free_port()
    redirect = f"http://localhost:{app_port}/oauth2callback"
    log_path = tmp / "provider.log"
    with open(log_path, "w") as log:
        idp = subprocess.Popen(["node", "provider.mjs", str(idp_port), redirect, json.dumps(IDENTITIES)],
                               cwd=OIDC_DIR, stdout=log, stderr=subprocess.STDOUT)
    try:
        issuer = f"http://127.0.0.1:{idp_port}"
        wait_http(issuer + "/.well-known/openid-configuration", idp, log_path)
        secrets = tmp / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "{redirect}"\n'
            'cookie_secret = "test-cookie-secret-0123456789abcdef"\n'
            'client_id = "portal"\n'
            'client_secret = "portal-test-secret"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
            'client_kwargs = { scope = "openid profile email", prompt = "login" }\n', encoding="utf-8")

        def give_judge_a_staff_number(db_path):
            with sqlite3.connect(db_path) as conn:
                conn.execute("update users set staff_no = 'T1001' where username = 'judge1'")

        with demo_server(tmp / "contest.db", "--secrets.files", str(secrets), port=app_port,
                         prepare=give_judge_a_staff_number) as url:
            yield url.replace("127.0.0.1", "localhost"), tmp / "contest.db"
    finally:
        idp.terminate()
        idp.wait(timeout=10)


def sign_in_at_provider(page, base, login_name):
    page.goto(base)
    wait_idle(page)
    page.get_by_role("button", name="统一身份认证登录").click()
    page.wait_for_url("**/interaction/**")
    page.fill("input[name=login]", login_name)
    page.fill("input[name=password]", "any-password")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if "/interaction/" in page.url:  # the provider asks for consent the first time
        page.locator("button[type=submit]").click()
    page.wait_for_url(base + "/**")
    wait_idle(page)
    page.get_by_role("button", name="退出登录").wait_for()


def sidebar_text(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def test_new_student_signs_in_through_the_campus_provider_and_lands_on_my_proposals(page, sso_server):
    base, db_path = sso_server
    sign_in_at_provider(page, base, "cas-2025999")
    assert "新同学（参赛学生）" in sidebar_text(page)
    page.get_by_role("heading", name="我的提案").wait_for()
    shot(page, "sso_student_first_sign_in")
    with sqlite3.connect(db_path) as conn:
        row = conn.execute("select role, student_no, sso_subject from users where student_no = '2025999'").fetchone()
    assert row[0] == "participant" and row[1] == "2025999" and row[2].endswith("|cas-2025999")

    # signing out ends the portal login and the campus sign-in: the provider asks for the login again
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/session/end**")  # the provider's own sign-out, which it asks to confirm
    page.locator("button[value=yes]").click()
    page.wait_for_url(base + "/**")
    wait_idle(page)
    page.get_by_role("button", name="统一身份认证登录").wait_for()
    page.get_by_role("button", name="统一身份认证登录").click()
    page.wait_for_url("**/interaction/**")
    assert page.locator("input[name=login]").count() == 1


def test_judge_identity_maps_to_the_existing_judge_account(page, sso_server):
    base, db_path = sso_server
    sign_in_at_provider(page, base, "cas-t1001")
    text = sidebar_text(page)
    assert "（评委）" in text and "评审任务" in text and "我的提案" not in text
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from users where staff_no = 'T1001'").fetchone()[0] == 1


def test_local_organizer_login_still_works_beside_sso(page, sso_server):
    base, _ = sso_server
    login(page, base, "organizer")
    assert "（组织者）" in sidebar_text(page)
