"""Accounts: registration, login with lock-out, passwords, accounts made by organizers."""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from . import audit, clock, policy, settings, validation
from .db import get_row, writes
from .errors import AuthError, PermissionDenied, ValidationError
from .vocabulary import Role, from_label

MAX_FAILURES = 5
LOCK_MINUTES = 15
LOGIN_FAILED = "用户名或密码错误。"
LOCKED = f"登录失败次数过多，请 {LOCK_MINUTES} 分钟后再试。"
_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    name: str
    student_no: str | None = None
    college: str | None = None
    email: str | None = None
    phone: str | None = None
    department: str | None = None
    topics: str = ""
    must_change_password: bool = False

    @property
    def role_name(self) -> str:
        return Role(self.role).label

    @property
    def topic_codes(self) -> frozenset[str]:
        return frozenset((self.topics or "").split())


def _user(row: dict) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        name=row["name"],
        student_no=row["student_no"],
        college=row["college"],
        email=row["email"],
        phone=row["phone"],
        department=row["department"],
        topics=row["topics"] or "",
        must_change_password=bool(row["must_change_password"]),
    )


def get_user(db: Database, user_id: int | None) -> User | None:
    """The active account with this id, or None."""
    if user_id is None:
        return None
    rows = list(db["users"].rows_where("id = ? and active = 1", [user_id]))
    return _user(rows[0]) if rows else None


def find_by_student_no(db: Database, student_no: str) -> User | None:
    rows = list(db["users"].rows_where("student_no = ? and active = 1", [student_no.strip()]))
    return _user(rows[0]) if rows else None


# --- passwords ------------------------------------------------------------


def check_password_strength(password: str, username: str = "") -> None:
    """At least 8 characters with letters and digits, not the user name."""
    if not password or len(password) < 8:
        raise ValidationError("密码至少 8 位。")
    if len(password) > 128:
        raise ValidationError("密码最多 128 位。")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationError("密码需同时包含字母和数字。")
    if username and password.lower() == username.lower():
        raise ValidationError("密码不能与用户名相同。")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def temporary_password() -> str:
    """A random first password for accounts made by an organizer."""
    return "Tmp" + secrets.token_urlsafe(6).replace("-", "x").replace("_", "y") + str(secrets.randbelow(10))


# --- login ----------------------------------------------------------------


def login(db: Database, username: str, password: str, now: dt.datetime | None = None) -> User:
    """Return the user or raise AuthError; lock a name for 15 minutes after 5 failures."""
    now = now or clock.now()
    name = (username or "").strip()
    if not name or not password:
        raise AuthError("请输入用户名和密码。")
    attempt = next(db["login_attempts"].rows_where("username = ?", [name]), None)
    locked_until = clock.parse(attempt["locked_until"]) if attempt else None
    if locked_until and locked_until > now:
        raise AuthError(LOCKED)
    rows = list(db["users"].rows_where("(username = ? or student_no = ?) and active = 1", [name, name]))
    if rows:
        ok = _verify(rows[0]["password_hash"], password)
    else:
        _verify(_DUMMY_HASH, password)  # same cost as a real check
        ok = False
    if not ok:
        failures = (attempt["failures"] if attempt and not locked_until else 0) + 1
        lock = clock.iso(now + dt.timedelta(minutes=LOCK_MINUTES)) if failures >= MAX_FAILURES else None
        db["login_attempts"].upsert({"username": name, "failures": failures, "locked_until": lock}, pk="username")
        raise AuthError(LOCKED if lock else LOGIN_FAILED)
    db["login_attempts"].delete_where("username = ?", [name])
    row = rows[0]
    if _hasher.check_needs_rehash(row["password_hash"]):
        db["users"].update(row["id"], {"password_hash": hash_password(password)})
    user = _user(row)
    _refuse_if_sso_required(db, user)
    return user


SSO_REQUIRED = "您的账号须通过统一身份认证登录，请点击“统一身份认证登录”。"


def _refuse_if_sso_required(db: Database, user: User) -> None:
    """Roles the organizer requires to use the campus identity may not log in with a password."""
    if user.role in set(settings.get(db).sso_required_roles or []):
        raise AuthError(SSO_REQUIRED)


@writes
def change_password(db: Database, user: User, old_password: str, new_password: str, confirm: str) -> None:
    """Change one's own password (also used for the forced change at first login)."""
    policy.require(user, "change_own_password")
    row = db["users"].get(user.id)
    if not _verify(row["password_hash"], old_password or ""):
        raise ValidationError("原密码不正确。")
    if new_password != confirm:
        raise ValidationError("两次输入的新密码不一致。")
    if new_password == old_password:
        raise ValidationError("新密码不能与原密码相同。")
    check_password_strength(new_password, user.username)
    db["users"].update(user.id, {"password_hash": hash_password(new_password), "must_change_password": 0})
    audit.record(db, user, "change_password", f"user:{user.id}")


# --- registration and accounts made by organizers --------------------------


def _college(value: object, colleges: list[str] | None) -> str:
    college = validation.text(value, "学院", max_len=50)
    if colleges and college not in colleges:
        raise ValidationError("请从列表中选择学院。")
    return college


@writes
def register_participant(
    db: Database,
    *,
    student_no: str,
    name: str,
    college: str,
    email: str = "",
    phone: str = "",
    password: str,
    password_confirm: str,
    colleges: list[str] | None = None,
) -> User:
    """A student registers; the 学号 is also the login name."""
    record = {
        "student_no": validation.student_no(student_no),
        "name": validation.text(name, "姓名", max_len=30),
        "college": _college(college, colleges),
        "email": validation.email(email),
        "phone": validation.phone(phone),
    }
    if not record["email"] and not record["phone"]:
        raise ValidationError("请填写邮箱或手机号，至少一项。")
    if password != password_confirm:
        raise ValidationError("两次输入的密码不一致。")
    check_password_strength(password, record["student_no"])
    if db["users"].count_where("student_no = ? or username = ?", [record["student_no"]] * 2):
        raise ValidationError("该学号已注册。如忘记密码，请联系组织者重置。")
    user_id = db["users"].insert(
        {
            **record,
            "username": record["student_no"],
            "password_hash": hash_password(password),
            "role": Role.PARTICIPANT,
            "must_change_password": 0,
            "active": 1,
            "created_at": clock.iso(clock.now()),
        }
    ).last_pk
    user = get_user(db, user_id)
    audit.record(db, user, "register", f"user:{user_id}")
    return user


def _staff_record(db: Database, role: str, fields: dict) -> dict:
    if role not in policy.STAFF_ROLES:
        raise ValidationError("组织者只能创建评委、职能部门或组织者账号。")
    record = {
        "username": validation.username(fields.get("username")),
        "name": validation.text(fields.get("name"), "姓名", max_len=30),
        "college": validation.optional_text(fields.get("college"), "学院", max_len=50),
        "email": validation.email(fields.get("email")),
        "phone": validation.phone(fields.get("phone")),
        "staff_no": staff_number(fields.get("staff_no")),
        "department": None,
        "topics": " ".join(str(fields.get("topics") or "").replace(",", " ").split()),
        "role": role,
    }
    if role == Role.DEPARTMENT:
        code = str(fields.get("department") or "").strip()
        if not db["departments"].count_where("code = ?", [code]):
            raise ValidationError("请为职能部门账号选择一个已有的部门。")
        record["department"] = code
    return record


def staff_number(value) -> str | None:
    """工号 (optional): how a campus sign-in finds a judge's, department's or organizer's account."""
    text = str(value if value is not None else "").strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a 工号 typed as a number in a spreadsheet
        text = text[:-2]
    if not text:
        return None
    if not re.fullmatch(r"[0-9A-Za-z\-]{1,32}", text):
        raise ValidationError("工号只能包含字母、数字和连字符，最多 32 位。")
    return text


@writes
def create_account(db: Database, actor: User, role: str, **fields) -> tuple[User, str]:
    """Organizer creates a judge / department / organizer account; returns it and its first password."""
    policy.require(actor, "manage_accounts")
    record = _staff_record(db, role, fields)
    if _name_taken(db, record["username"]):
        raise ValidationError(f"用户名 {record['username']} 已存在。")
    if record["staff_no"] and db["users"].count_where("staff_no = ?", [record["staff_no"]]):
        raise ValidationError(f"工号 {record['staff_no']} 已属于另一个账号。")
    password = temporary_password()
    user_id = _insert_staff(db, record, password)
    audit.record(db, actor, "create_account", f"user:{user_id}", {"username": record["username"], "role": role})
    return get_user(db, user_id), password


def _name_taken(db: Database, name: str) -> bool:
    """Login accepts a user name or a 学号, so a new name may clash with either."""
    return bool(db["users"].count_where("username = ? or student_no = ?", [name, name]))


def _insert_staff(db: Database, record: dict, password: str) -> int:
    return db["users"].insert(
        {
            **record,
            "password_hash": hash_password(password),
            "must_change_password": 1,
            "active": 1,
            "created_at": clock.iso(clock.now()),
        }
    ).last_pk


IMPORT_COLUMNS = {"用户名": "username", "姓名": "name", "角色": "role", "学院": "college",
                  "邮箱": "email", "手机号": "phone", "部门代码": "department", "评审议题": "topics",
                  "工号": "staff_no"}


@writes
def import_accounts(db: Database, actor: User, frame: pd.DataFrame) -> list[dict]:
    """Create many judge/department accounts from a sheet; all or nothing.

    Columns (Chinese or English): 用户名/username, 姓名/name, 角色/role, and
    optionally 学院, 邮箱, 手机号, 部门代码, 评审议题. Returns one dict per
    account with its first password; raises ValidationError listing every bad row.
    """
    policy.require(actor, "manage_accounts")
    frame = frame.rename(columns=lambda c: IMPORT_COLUMNS.get(str(c).strip(), str(c).strip()))
    missing = [c for c in ("username", "name", "role") if c not in frame.columns]
    if missing:
        raise ValidationError("表格缺少列：" + "、".join(missing) + "（需要 用户名、姓名、角色）。")
    records, errors, seen = [], [], set()
    for i, row in enumerate(frame.fillna("").to_dict("records"), start=2):
        try:
            role = from_label(Role, row["role"])
            if role is None:
                raise ValidationError(f"角色“{row['role']}”无效，应为 评委 或 职能部门。")
            record = _staff_record(db, role, row)
            if record["username"] in seen or _name_taken(db, record["username"]):
                raise ValidationError(f"用户名 {record['username']} 已存在。")
            staff_no = record["staff_no"]
            if staff_no and (("staff_no", staff_no) in seen or db["users"].count_where("staff_no = ?", [staff_no])):
                raise ValidationError(f"工号 {staff_no} 已属于另一个账号。")
            seen.update({record["username"], ("staff_no", staff_no)})
            records.append(record)
        except ValidationError as error:
            errors.append(f"第 {i} 行：{error}")
    if errors:
        raise ValidationError("导入失败，未创建任何账号。\n" + "\n".join(errors))
    if not records:
        raise ValidationError("表格中没有账号。")
    created = []
    with db.atomic():
        for record in records:
            password = temporary_password()
            user_id = _insert_staff(db, record, password)
            created.append({"id": user_id, "username": record["username"], "name": record["name"],
                            "role": Role(record["role"]).label, "password": password})
    audit.record(db, actor, "import_accounts", "users", {"count": len(created)})
    return created


def _account(db: Database, user_id) -> dict:
    return get_row(db, "users", user_id, ValidationError("账号不存在。"))


@writes
def reset_password(db: Database, actor: User, user_id: int) -> str:
    """Organizer gives an account a new first password; it must be changed at next login."""
    policy.require(actor, "manage_accounts")
    target = _account(db, user_id)
    user_id = target["id"]
    password = temporary_password()
    db["users"].update(user_id, {"password_hash": hash_password(password), "must_change_password": 1})
    db["login_attempts"].delete_where("username in (?, ?)", [target["username"], target["student_no"] or ""])
    audit.record(db, actor, "reset_password", f"user:{user_id}", {"username": target["username"]})
    return password


@writes
def set_active(db: Database, actor: User, user_id: int, active: bool) -> None:
    """Organizer disables or re-enables an account (never their own)."""
    policy.require(actor, "manage_accounts")
    user_id = _account(db, user_id)["id"]
    if user_id == actor.id:
        raise PermissionDenied("不能停用自己的账号。")
    db["users"].update(user_id, {"active": int(active)})
    audit.record(db, actor, "enable_account" if active else "disable_account", f"user:{user_id}")


def list_users(db: Database, actor: User, role: str | None = None) -> pd.DataFrame:
    """Accounts for the organizer's table (never the password hashes)."""
    policy.require(actor, "manage_accounts")
    sql = ("select id, username, name, role, student_no, college, email, phone, department, topics, "
           "active, must_change_password, created_at from users")
    rows = db.execute(sql + (" where role = ?" if role else "") + " order by id", [role] if role else []).fetchall()
    columns = ["id", "username", "name", "role", "student_no", "college", "email", "phone", "department",
               "topics", "active", "must_change_password", "created_at"]
    return pd.DataFrame(rows, columns=columns)


def judges(db: Database) -> list[User]:
    """Every active judge (used by assignment)."""
    return [_user(r) for r in db["users"].rows_where("role = 'judge' and active = 1", order_by="id")]
