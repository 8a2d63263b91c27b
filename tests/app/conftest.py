"""AppTest helpers: run the real app on the test database as a given user."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from contest import accounts, clock
from tests.conftest import FAST_HASHER, NOW

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Pages see the same "now" as the test contest (submission open, judging open)."""
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def app_as(fresh_db, people, monkeypatch):
    """``app_as("alice")`` -> an AppTest already run once as that user (None: logged out)."""
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")  # tests want the real traceback

    def start(who: str | None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if who is not None:
            at.session_state["user_id"] = people[who].id
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return start


def texts(at: AppTest) -> str:
    """Everything the page shows as text, markdown, messages or captions, in one string."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "success", "error",
                 "warning", "info", "metric", "code"):
        parts += [str(getattr(e, "value", "")) + str(getattr(e, "label", "")) for e in getattr(at, kind)]
    return "\n".join(parts)
