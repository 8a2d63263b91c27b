"""AppTest helpers: run the real app on the test database as a given user."""
from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from contest import accounts, clock, forwarding, ratings, replies
from tests.helpers import APP, FAST_HASHER, NOW, REPLY, add_followup_proposal


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


@pytest.fixture
def cases(fresh_db, people):
    """p1 (alice, co-author carol) forwarded to jwc long ago (overdue); p2 (bob) to hqc and answered; p3 waits."""
    db, org = fresh_db, people["organizer"]
    now = clock.now()
    p1 = add_followup_proposal(db, people["alice"], department="jwc", title="关于增加自习室座位的建议",
                      coauthors=[people["carol"]])
    p2 = add_followup_proposal(db, people["bob"], department="hqc", title="关于食堂延时供应的建议")
    p3 = add_followup_proposal(db, people["bob"], department="hqc", title="关于热水全天供应的建议")
    c1 = forwarding.forward(db, org, p1, "jwc", due_days=7, now=now - dt.timedelta(days=10))
    c2 = forwarding.forward(db, org, p2, "hqc", now=now - dt.timedelta(days=5))
    replies.reply(db, people["dept2"], c2, "planned", REPLY, plan="下学期起延长至21点", now=now - dt.timedelta(days=2))
    ratings.rate(db, people["bob"], p2, "不满意", "希望说明具体时间表", now=now - dt.timedelta(days=1))
    return {"db": db, "p1": p1, "p2": p2, "p3": p3, "c1": c1, "c2": c2}
