"""Real-browser tests: a Streamlit server on a fresh demo database, driven by Debian's chromium.

Each test module gets its own server and database, so journeys never see each other's changes.
Screenshots land in tests/browser/screenshots/ (printed at the end of the run) to be looked at.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, demo_server, new_context


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of a streamlit server on a fresh demo contest."""
    db = tmp_path_factory.mktemp("browser") / "contest.db"
    with demo_server(db) as url:
        yield url


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
    context = new_context(browser, "desktop")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def device_page(browser):
    """``device_page("desktop")`` or ``device_page("phone")`` (375 × 812): a fresh page of that size."""
    contexts = []

    def make(device: str):
        contexts.append(new_context(browser, device))
        return contexts[-1].new_page()
    yield make
    for context in contexts:
        context.close()
