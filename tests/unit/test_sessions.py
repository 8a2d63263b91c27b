"""Login sessions (contest.sessions): tokens stored as hashes, one-time codes, expiry, ending."""
from __future__ import annotations

import datetime as dt

import pytest

from contest import accounts, audit, sessions, settings
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import NOW

DAY = dt.timedelta(days=1)


def test_a_code_is_exchanged_once_for_a_session_whose_token_is_not_stored(fresh_db, people):
    alice = people["alice"]
    code = sessions.issue_code(fresh_db, alice.id, now=NOW)
    token = sessions.redeem_code(fresh_db, code, now=NOW)
    assert token and sessions.resume(fresh_db, token, now=NOW) == alice.id
    assert sessions.redeem_code(fresh_db, code, now=NOW) is None  # used
    stored = " ".join(str(v) for row in fresh_db["sessions"].rows for v in row.values())
    assert token not in stored and code not in stored
    assert sessions.resume(fresh_db, "made-up", now=NOW) is None
    assert sessions.resume(fresh_db, None, now=NOW) is None


def test_an_old_code_or_one_of_a_disabled_account_gives_no_session(fresh_db, people):
    late = sessions.issue_code(fresh_db, people["alice"].id, now=NOW)
    assert sessions.redeem_code(fresh_db, late, now=NOW + dt.timedelta(seconds=sessions.CODE_SECONDS + 1)) is None
    code = sessions.issue_code(fresh_db, people["bob"].id, now=NOW)
    accounts.set_active(fresh_db, people["organizer"], people["bob"].id, False)
    assert sessions.redeem_code(fresh_db, code, now=NOW) is None


def test_a_session_ends_after_the_absolute_and_the_idle_lifetime(fresh_db, people):
    alice = people["alice"].id
    token = sessions.start(fresh_db, alice, now=NOW)
    for day in range(1, 30, 6):  # used every 6 days: idle never reaches 7 days
        assert sessions.resume(fresh_db, token, now=NOW + day * DAY) == alice
    assert sessions.resume(fresh_db, token, now=NOW + 30 * DAY) is None  # 30 days after the login
    idle = sessions.start(fresh_db, alice, now=NOW)
    assert sessions.resume(fresh_db, idle, now=NOW + 6 * DAY) == alice
    assert sessions.resume(fresh_db, idle, now=NOW + 13 * DAY - dt.timedelta(minutes=1)) == alice
    assert sessions.resume(fresh_db, idle, now=NOW + 20 * DAY) is None  # 7 days unused


def test_the_lifetimes_are_settings(fresh_db, people):
    org = people["organizer"]
    settings.update(fresh_db, org, session_days=2, session_idle_days=1)
    token = sessions.start(fresh_db, people["alice"].id, now=NOW)
    assert sessions.resume(fresh_db, token, now=NOW + dt.timedelta(hours=23)) is not None
    assert sessions.resume(fresh_db, token, now=NOW + 2 * DAY + dt.timedelta(hours=1)) is None
    with pytest.raises(ValidationError, match="登录闲置失效"):
        settings.update(fresh_db, org, session_days=2, session_idle_days=3)
    with pytest.raises(ValidationError, match="登录有效期"):
        settings.update(fresh_db, org, session_days=0)


def test_logout_ends_one_session_and_everywhere_ends_all(fresh_db, people):
    alice, bob = people["alice"], people["bob"]
    here, there, bobs = (sessions.start(fresh_db, u.id, now=NOW) for u in (alice, alice, bob))
    assert sessions.open_count(fresh_db, alice.id, now=NOW) == 2
    sessions.end(fresh_db, here, now=NOW)
    assert sessions.resume(fresh_db, here, now=NOW) is None
    assert sessions.resume(fresh_db, there, now=NOW) == alice.id
    assert sessions.log_out_everywhere(fresh_db, alice) == 1
    assert sessions.resume(fresh_db, there, now=NOW) is None
    assert sessions.resume(fresh_db, bobs, now=NOW) == bob.id  # someone else's login stays
    assert [e["action"] for e in audit.entries(fresh_db, people["organizer"])][:1] == ["end_sessions"]
    with pytest.raises(PermissionDenied):
        sessions.log_out_everywhere(fresh_db, None)


def test_password_change_reset_and_disabling_end_the_accounts_sessions(fresh_db, people):
    alice, org = people["alice"], people["organizer"]
    token = sessions.start(fresh_db, alice.id)
    accounts.change_password(fresh_db, alice, "Passw0rd!", "NewPassw0rd", "NewPassw0rd")
    assert sessions.resume(fresh_db, token) is None
    token = sessions.start(fresh_db, alice.id)
    accounts.reset_password(fresh_db, org, alice.id)
    assert sessions.resume(fresh_db, token) is None
    token = sessions.start(fresh_db, alice.id)
    accounts.set_active(fresh_db, org, alice.id, False)
    assert sessions.resume(fresh_db, token) is None
    accounts.set_active(fresh_db, org, alice.id, True)
    assert sessions.resume(fresh_db, token) is None  # enabling again brings no old login back


def test_a_campus_sign_in_before_the_end_no_longer_counts(fresh_db, people):
    alice = people["alice"].id
    assert sessions.signed_in_after_end(fresh_db, alice, NOW.timestamp())  # never ended
    sessions.end_all(fresh_db, alice, now=NOW)
    assert not sessions.signed_in_after_end(fresh_db, alice, (NOW - DAY).timestamp())
    assert sessions.signed_in_after_end(fresh_db, alice, (NOW + dt.timedelta(seconds=5)).timestamp())
    assert sessions.signed_in_after_end(fresh_db, alice, None)  # a provider without iat
