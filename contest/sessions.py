"""Login sessions that survive a reload, a new tab or a bookmark: tokens issued by the server.

A successful login gets a session: a random token (256 bits) of which the database keeps only the
SHA-256 hash, with the account, when it was created and last seen, when it expires and whether
it was ended. The browser keeps the token in an HttpOnly, SameSite=Lax cookie (:data:`COOKIE`).
A cookie can only be set by an HTTP response, not from a script run over the websocket, so the
login page stores a one-time code (:func:`issue_code`, valid :data:`CODE_SECONDS`) and sends the
browser to serve.py's ``/session/start`` route, which redeems it (:func:`redeem_code`) and sets
the cookie. Each script run resumes the session from the cookie (:func:`resume`).

Lifetime (``Settings.session_days``, ``Settings.session_idle_days``): a session ends
``session_days`` (default 30) after the login, or after ``session_idle_days`` (default 7) without
use, whichever comes first. It ends at once on logout, on "log out on every device", when the
password is changed or reset, and when the account is disabled (:func:`end_all`); a campus
sign-in (st.user) issued before such an end is refused too (:func:`signed_in_after_end`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlite_utils import Database

from . import audit, clock, policy, settings
from .db import transaction, writes

COOKIE = "contest_session"
CODE_SECONDS = 120  # the one-time code only travels from the login page to /session/start
TOUCH_SECONDS = 300  # last_seen_at is written at most this often (not on every script run)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    return clock.given_or_now(now)


def lifetime(db: Database) -> tuple[dt.timedelta, dt.timedelta]:
    """(absolute, idle) lifetime of a session, from the contest settings."""
    contest = settings.get(db)
    return dt.timedelta(days=contest.session_days), dt.timedelta(days=contest.session_idle_days)


def start(db: Database, user_id: int, how: str = "password", *, now: dt.datetime | None = None) -> str:
    """A new session for this account; returns its token (only its hash is stored)."""
    now = _now(now)
    absolute, _ = lifetime(db)
    token = secrets.token_urlsafe(32)
    with transaction(db):
        db.execute("delete from sessions where expires_at < ?", [clock.iso(now - dt.timedelta(days=1))])
        db["sessions"].insert({
            "token_hash": _hash(token), "user_id": user_id, "how": how, "created_at": clock.iso(now),
            "last_seen_at": clock.iso(now), "expires_at": clock.iso(now + absolute), "revoked_at": None,
        })
    return token


def issue_code(db: Database, user_id: int, how: str = "password", *, now: dt.datetime | None = None) -> str:
    """A one-time code that /session/start exchanges for a session (see :func:`redeem_code`)."""
    now = _now(now)
    code = secrets.token_urlsafe(32)
    with transaction(db):
        db.execute("delete from session_codes where expires_at < ?", [clock.iso(now)])
        db["session_codes"].insert({"code_hash": _hash(code), "user_id": user_id, "how": how,
                                    "expires_at": clock.iso(now + dt.timedelta(seconds=CODE_SECONDS))})
    return code


def redeem_code(db: Database, code: str, *, now: dt.datetime | None = None) -> str | None:
    """The token of a new session for the code's account; None when the code is unknown, already
    used or expired, or the account is no longer active. A code works once."""
    now = _now(now)
    if not code:
        return None
    with transaction(db):
        row = next(db["session_codes"].rows_where("code_hash = ?", [_hash(code)]), None)
        if row is None:
            return None
        db["session_codes"].delete(row["code_hash"])
        if clock.parse(row["expires_at"]) < now or not _active(db, row["user_id"]):
            return None
        return start(db, row["user_id"], row["how"], now=now)


def _active(db: Database, user_id: int) -> bool:
    return bool(db["users"].count_where("id = ? and active = 1", [user_id]))


def resume(db: Database, token: str | None, *, now: dt.datetime | None = None) -> int | None:
    """The account id of a valid session (not ended, not expired, not idle too long, account
    active), or None. Notes the use (at most every TOUCH_SECONDS)."""
    if not token:
        return None
    now = _now(now)
    row = db.execute(
        "select s.id, s.user_id, s.last_seen_at, s.expires_at from sessions s join users u on u.id = s.user_id "
        "where s.token_hash = ? and s.revoked_at is null and u.active = 1", [_hash(token)]).fetchone()
    if row is None:
        return None
    session_id, user_id, last_seen, expires = row[0], row[1], clock.parse(row[2]), clock.parse(row[3])
    _, idle = lifetime(db)
    if now >= expires or now >= last_seen + idle:
        return None
    if (now - last_seen).total_seconds() >= TOUCH_SECONDS:
        with transaction(db):  # only then: most script runs only read
            db["sessions"].update(session_id, {"last_seen_at": clock.iso(now)})
    return user_id


@writes
def end(db: Database, token: str | None, *, now: dt.datetime | None = None) -> None:
    """End one session (logout in this browser)."""
    if token:
        db.execute("update sessions set revoked_at = ? where token_hash = ? and revoked_at is null",
                   [clock.iso(_now(now)), _hash(token)])


def end_all(db: Database, user_id: int, *, now: dt.datetime | None = None) -> int:
    """End every session of the account (every device) and refuse campus sign-ins made before
    now; returns how many sessions were open."""
    now = clock.iso(_now(now))
    with transaction(db):
        ended = db.execute("update sessions set revoked_at = ? where user_id = ? and revoked_at is null",
                           [now, user_id]).rowcount
        db["users"].update(user_id, {"sessions_ended_at": now})
    return ended


@writes
def log_out_everywhere(db: Database, user) -> int:
    """The user ends their own sessions on every device (我的账号); returns how many were open."""
    policy.require(user, "end_own_sessions")
    ended = end_all(db, user.id)
    audit.record(db, user, "end_sessions", f"user:{user.id}", {"sessions": ended})
    return ended


def open_count(db: Database, user_id: int, *, now: dt.datetime | None = None) -> int:
    """How many sessions of the account are still valid (the devices it is logged in on)."""
    now = _now(now)
    _, idle = lifetime(db)
    return db.execute(
        "select count(*) from sessions where user_id = ? and revoked_at is null and expires_at > ? "
        "and last_seen_at > ?", [user_id, clock.iso(now), clock.iso(now - idle)]).fetchone()[0]


def signed_in_after_end(db: Database, user_id: int, issued_at) -> bool:
    """A campus sign-in (its ID token's ``iat``, seconds since the epoch) still counts: it was made
    after the account's sessions were last ended. Without ``iat`` it counts."""
    row = db.execute("select sessions_ended_at from users where id = ?", [user_id]).fetchone()
    ended = clock.parse(row[0]) if row else None
    if ended is None or issued_at in (None, ""):
        return True
    try:
        issued = dt.datetime.fromtimestamp(float(issued_at))
    except (TypeError, ValueError, OverflowError):
        return True
    return issued > ended
