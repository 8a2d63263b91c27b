"""Every page of every role renders without an exception on the scale demo at 2,000 proposals."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from contest import db as database, scale_demo
from contest.navigation import ACCOUNT, LOGGED_OUT, PUBLIC, ROLE_PAGES
from tests.helpers import APP, NOW

N = 2000
PAGES = [(role.value, path) for role, sections in ROLE_PAGES.items()
         for entries in sections.values() for path, _, _ in entries + PUBLIC + ACCOUNT]
PAGES = list(dict.fromkeys(PAGES)) + [(None, path) for path, _, _ in LOGGED_OUT + PUBLIC]


@pytest.fixture(scope="module")
def scale_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale-pages") / "scale.db"
    db = database.connect(path)
    scale_demo.build(db, N, now=NOW, source="project")
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    users = {"organizer": 1,
             "judge": one("select judge_id from assignments where published = 1 limit 1"),
             "participant": one("select p.submitter_id from proposals p join cases c on c.proposal_id = p.id "
                                "where c.first_reply_at is not null limit 1"),
             "department": one("select id from users where role = 'department' and department = "
                               "(select department from cases group by department order by count(*) desc limit 1)")}
    return path, users


@pytest.fixture
def scale_app(scale_db, monkeypatch):
    path, users = scale_db
    monkeypatch.setenv("CONTEST_DB", str(path))
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")

    def start(role: str | None, page: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        if role is not None:
            at.session_state["user_id"] = users[role]
        at.run()
        at.switch_page(page)
        at.run()
        return at

    return start


@pytest.mark.parametrize(("role", "page"), PAGES, ids=[f"{r or 'visitor'}-{p.split('/')[-1][:-3]}" for r, p in PAGES])
def test_page_renders_at_scale(scale_app, role, page):
    at = scale_app(role, page)
    assert not at.exception, at.exception[0].stack_trace if at.exception else ""
    assert not [e.value for e in at.error], [e.value for e in at.error]
    assert at.title or at.header or at.subheader, "the page drew no heading"
