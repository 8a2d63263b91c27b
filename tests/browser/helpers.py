"""Browser test helpers: waiting for a script run, logging in, navigating, screenshots, widgets.

The fixtures (server, browser, page) are in conftest.py; these are plain functions imported by name.
"""
from __future__ import annotations

import socket
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
