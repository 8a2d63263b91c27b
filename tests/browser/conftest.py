"""Real-browser tests: a Streamlit server on a fresh demo database, driven by Debian's chromium.

Each test module gets its own server and database, so journeys never see each other's changes.
Screenshots land in tests/browser/screenshots/ (printed at the end of the run) to be looked at.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of a streamlit server on a fresh demo contest."""
    db = tmp_path_factory.mktemp("browser") / "contest.db"
    env = dict(os.environ, CONTEST_DB=str(db))
    subprocess.run([sys.executable, "-m", "contest", "demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = _free_port()
    log = open(db.with_suffix(".log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("streamlit did not start: " + db.with_suffix(".log").read_text())
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("需要 Debian 的 chromium：apt-get install -y chromium fonts-noto-cjk（.ci/run 会安装）")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    print(f"\nscreenshots: {SCREENSHOTS}")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(20_000)
    pg = context.new_page()
    yield pg
    context.close()


def wait_idle(page, settle: float = 0.3) -> None:
    """Wait until the script run triggered by the last action has finished."""
    time.sleep(settle)
    page.wait_for_selector(IDLE, timeout=30_000)


def open_app(page, server) -> None:
    page.goto(server)
    page.wait_for_selector("[data-testid='stSidebar']")
    wait_idle(page)


def login(page, server, username: str, password: str = "demo1234") -> None:
    """Open the portal fresh (a reload logs out) and log in."""
    open_app(page, server)
    page.get_by_label("用户名或学号").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    wait_idle(page)
    page.get_by_role("button", name="退出登录").wait_for()


def goto_page(page, title: str) -> None:
    """Click the sidebar navigation link with this title."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    wait_idle(page)


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def alert(page, text: str):
    """The message box (success / error / info) containing ``text``."""
    return page.get_by_test_id("stAlert").filter(has_text=text)


def choose(page, key: str, text: str) -> None:
    """Pick the option containing ``text`` in the select box with widget key ``key``."""
    page.locator(f".st-key-{key}").click()
    page.keyboard.type(text)  # the option list is virtualised: filter it first
    page.get_by_role("option").filter(has_text=text).first.click()
    wait_idle(page)


def metric(page, label: str) -> str:
    """The value shown by the st.metric with this label."""
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text()
