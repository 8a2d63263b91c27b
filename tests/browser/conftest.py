"""Real-browser tests: a Streamlit server on a fresh demo database, driven by Debian's chromium.

Each test module gets its own server and database, so journeys never see each other's changes.
Screenshots land in tests/browser/screenshots/ (printed at the end of the run) to be looked at.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of a streamlit server on a fresh demo contest."""
    db = tmp_path_factory.mktemp("browser") / "contest.db"
    env = dict(os.environ, CONTEST_DB=str(db))
    subprocess.run([sys.executable, "-m", "contest", "demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = free_port()
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
