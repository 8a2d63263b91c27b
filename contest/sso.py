"""Campus single sign-on: map an OpenID Connect identity to a portal account.

Streamlit's ``st.login`` does the redirect, the code exchange and the ID-token checks; the router
hands the identity's claims to :func:`sign_in`. The claims only say *who* someone is: the role
always comes from the database.

- An identity seen before is recognised by its issuer and subject (``users.sso_subject``).
- Otherwise a staff number claim (工号) links it to the judge, department or organizer account
  with that 工号 that the organizer created; a student number claim (学号) links it to the
  participant with that 学号, or creates the participant account on first sign-in (unless the
  organizer turned that off).
- Anything else is refused with a message that says whom to ask.

Which claim carries the 学号 or 工号 differs between campus identity providers, so the claim names
are settings (``Settings.sso_claims``).
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping

from sqlite_utils import Database

from . import audit, clock, settings
from .db import transaction
from .accounts import User, get_user, hash_password
from .errors import AuthError

DEFAULT_CLAIMS = {"student_no": "student_no", "staff_no": "employee_no", "name": "name", "email": "email"}
NOT_LINKED = "统一身份认证登录成功，但没有对应的平台账号。评委、职能部门和组织者账号由组织者创建，请联系组织者登记您的工号。"
DISABLED = "该账号已停用，请联系组织者。"
NO_SELF_SIGNUP = "本次比赛未开放通过统一身份认证自动注册，请联系组织者。"
_NUMBER = re.compile(r"^[0-9A-Za-z\-]{1,32}$")


def _claim(claims: Mapping, name: str) -> str:
    value = claims.get(name)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a 学号 sent as a JSON number
        value = int(value)
    return str(value).strip()


def _number(claims: Mapping, name: str) -> str:
    value = _claim(claims, name)
    return value if _NUMBER.match(value) else ""


def subject(claims: Mapping) -> str:
    """The identity's stable key: issuer and subject together (a subject is unique per issuer)."""
    sub = _claim(claims, "sub")
    if not sub:
        raise AuthError("统一身份认证没有返回用户标识（sub），无法登录。")
    return f"{_claim(claims, 'iss')}|{sub}"


def _one(db: Database, where: str, args: list) -> dict | None:
    return next(db["users"].rows_where(where, args, limit=1), None)


def sign_in(db: Database, claims: Mapping, *, now: dt.datetime | None = None) -> User:
    """The portal account of this identity, linking or creating it on first sign-in."""
    contest = settings.get(db)
    names = DEFAULT_CLAIMS | dict(contest.sso_claims or {})
    key = subject(claims)
    now = now or clock.now()
    with transaction(db):  # link-or-create at once, even when two tabs sign in together
        row = _one(db, "sso_subject = ?", [key])
        how = "known"
        if row is None:
            staff_no, student_no = _number(claims, names["staff_no"]), _number(claims, names["student_no"])
            if staff_no:
                row = _one(db, "staff_no = ? and role != 'participant'", [staff_no])
            if row is None and student_no:
                row = _one(db, "student_no = ? and role = 'participant'", [student_no])
            if row is not None:
                if row["sso_subject"]:  # that account is already tied to another identity
                    raise AuthError(NOT_LINKED)
                how = "linked"
                db["users"].update(row["id"], {"sso_subject": key})
            elif student_no and not staff_no:
                if not contest.sso_create_students:
                    raise AuthError(NO_SELF_SIGNUP)
                row = _create_student(db, claims, names, key, student_no, now)
                how = "created"
            else:
                raise AuthError(NOT_LINKED)
        if not row["active"]:
            raise AuthError(DISABLED)
    user = get_user(db, row["id"])
    audit.record(db, user, "sso_login", f"user:{user.id}", {"how": how})
    return user


def _create_student(db: Database, claims: Mapping, names: dict, key: str, student_no: str,
                    now: dt.datetime) -> dict:
    name = _claim(claims, names["name"])[:40] or student_no
    email = _claim(claims, names["email"])[:100]
    username = student_no if _one(db, "username = ?", [student_no]) is None else f"sso-{student_no}"
    user_id = db["users"].insert({
        "username": username, "role": "participant", "name": name, "student_no": student_no,
        "college": "", "email": email or None,
        # no usable local password: the account signs in through the campus identity only
        "password_hash": hash_password(secrets.token_urlsafe(32)),
        "must_change_password": 0, "active": 1, "created_at": clock.iso(now), "sso_subject": key,
    }).last_pk
    return db["users"].get(user_id)
