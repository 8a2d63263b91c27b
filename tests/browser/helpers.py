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
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 375, "height": 812}  # the phone size the journeys are checked at
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def new_context(browser, device: str = "desktop"):
    """A browser context of a desktop window or (``"phone"``) a 375 × 812 phone screen. The phone
    keeps a desktop browser's user agent, as a narrow window or a tablet browser does."""
    context = browser.new_context(viewport=PHONE if device == "phone" else DESKTOP, locale="zh-CN",
                                  has_touch=device == "phone")
    context.set_default_timeout(20_000)
    return context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def demo_server(db: Path, *streamlit_args: str, port: int | None = None, prepare=None):
    """A streamlit server on a fresh demo contest in ``db``, started the way start.sh starts it
    (``streamlit run serve.py``: the session cookie routes, lang="zh-CN"); yields its base URL.
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
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
             "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *streamlit_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(url + "/_stcore/health", proc, log_path)
            yield url
        finally:
            stop(proc)


def stop(proc, grace: float = 20) -> None:
    """Stop a server: SIGTERM, and SIGKILL if it has not exited within ``grace`` seconds (a loaded
    machine can take longer than that to shut Streamlit's sessions down; the test is over anyway)."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)


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
    """Wait until the script runs triggered by the last action have finished: the app stays idle for
    ``settle`` seconds with no element of an earlier run left. (A click right after typing into a
    field outside a form sends two reruns, the field's and the button's; between them the app
    reports idle for a moment.)"""
    time.sleep(settle)
    deadline = time.time() + 30
    while True:
        page.wait_for_selector(IDLE, timeout=30_000)
        time.sleep(settle)
        if page.evaluate(_SETTLED):
            return
        if time.time() > deadline:
            raise TimeoutError("the app did not settle within 30 s")


# Idle, no element of an earlier run faded out, and no widget key shown twice (after a run that
# moved the elements down, the old copies can stay a moment, unfaded).
_SETTLED = f"""() => {{
    if (!document.querySelector("{IDLE}")
        || document.querySelector("[data-testid='stElementContainer'][data-stale='true']")) return false;
    const keys = [...document.querySelectorAll("[data-testid='stElementContainer'][class*='st-key-']")]
        .map(e => [...e.classList].find(c => c.startsWith("st-key-")));
    return new Set(keys).size === keys.length;
}}"""


def open_app(page, server) -> None:
    page.goto(server)
    page.wait_for_selector("[data-testid='stSidebar']", state="attached")  # collapsed on a phone
    wait_idle(page)


def login(page, server, username: str, password: str = "demo1234") -> None:
    """Open the portal logged out (the browser context's cookies cleared) and log in; the login
    reloads the page (the session cookie is set by /session/start)."""
    page.context.clear_cookies()
    open_app(page, server)
    page.get_by_label("用户名或学号").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    with page.expect_navigation(url=lambda url: "/session/" not in url):  # /session/start, then the page
        page.get_by_role("button", name="登录", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="退出登录").wait_for(state="attached")  # in the collapsed sidebar on a phone


def goto_page(page, title: str) -> None:
    """Click the sidebar navigation link with this title (opening the sidebar first on a phone)."""
    open_sidebar(page)
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    wait_idle(page)


def sidebar_open(page) -> bool:
    return page.get_by_test_id("stSidebar").get_attribute("data-collapsed") != "true"


def open_sidebar(page) -> None:
    """Open the sidebar where it starts collapsed (a phone-sized window)."""
    if not sidebar_open(page):
        page.get_by_test_id("stExpandSidebarButton").click()
        page.wait_for_selector("[data-testid='stSidebar'][data-collapsed='false']")
        time.sleep(0.4)  # the slide-in animation


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
