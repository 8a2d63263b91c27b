"""Browser test helpers: waiting for a script run, logging in, navigating, screenshots, widgets.

The fixtures (server, browser, page) are in conftest.py; these are plain functions imported by name.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
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


@contextlib.contextmanager
def demo_server(db: Path, *streamlit_args: str, port: int | None = None, prepare=None):
    """A streamlit server on a fresh demo contest in ``db``; yields its base URL.
    ``prepare(db_path)`` runs after the demo is built and before the server starts."""
    env = dict(os.environ, CONTEST_DB=str(db))
    subprocess.run([sys.executable, "-m", "contest", "demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    if prepare:
        prepare(db)
    port = port or free_port()
    log_path = db.with_suffix(".log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
             "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *streamlit_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(url + "/_stcore/health", proc, log_path)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def wait_http(url: str, proc, log_path: Path, timeout: float = 60) -> None:
    """Poll ``url`` until it answers 200, failing early when ``proc`` has died."""
    deadline = time.time() + timeout
    while True:
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(f"{url} did not answer: " + log_path.read_text())
        time.sleep(0.3)


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
    page.get_by_role("button", name="登录", exact=True).click()
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
