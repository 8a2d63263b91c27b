"""Accounts: registration, login with throttling, passwords, accounts made by organizers."""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from . import audit, clock, policy, sessions, settings, validation
from .db import get_row, transaction, writes
from .errors import AuthError, PermissionDenied, ValidationError
from .vocabulary import Role, from_label


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

# Argon2id with bounded memory: 19 MiB and 2 passes per check (the OWASP minimum for argon2id), and at
# most PASSWORD_CHECKS checks (or hashings) at once, so a login storm holds at most 4 x 19 MiB = 76 MiB
# for password checks, however many arrive; the others queue for a few tens of milliseconds each.
# Hashes made with other parameters (older: 64 MiB) still verify and are re-hashed at the next login.
PASSWORD_CHECKS = 4
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_checks = threading.BoundedSemaphore(PASSWORD_CHECKS)
# Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
_EDGES = "0123456789!@#$%^&*()-_=+.,;:?~ "


@functools.cache
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password_strength(password: str, *names: str | None) -> None:
    """Refuse a password that is easy to guess, with a Chinese message.

    At least 8 characters; below 16 it must mix letters and digits (a long passphrase need not);
    at least 4 different characters; not a common password, nor a common word with digits or
    symbols around it (data/common_passwords.txt: ``Password1!``, ``qwerty123``, ``demo1234``);
    not the account's user name or 学号 (``names``), nor one of them with a few characters added."""
    if not password or len(password) < 8:
        raise ValidationError("密码至少 8 位。")
    if len(password) > 128:
        raise ValidationError("密码最多 128 位。")
    if len(password) < 16 and not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationError("密码需同时包含字母和数字（16 位及以上的长密码不限）。")
    if len(set(password)) < 4:
        raise ValidationError("密码过于简单：请使用至少 4 个不同的字符。")
    lower = password.lower()
    if lower in _common() or lower.strip(_EDGES) in _common():
        raise ValidationError("这个密码太常见，很容易被猜中，请换一个。")
    for name in names:
        name = (name or "").strip().lower()
        if name and name in lower and len(lower) - len(name) < 4:
            raise ValidationError("密码不能是用户名或学号（也不能只在它前后加几个字符）。")


def hash_password(password: str) -> str:
    with _checks:
        return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    with _checks:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def temporary_password() -> str:
    """A random first password for accounts made by an organizer (passes check_password_strength)."""
    while True:
        password = "Tmp" + secrets.token_urlsafe(6).replace("-", "x").replace("_", "y") + str(secrets.randbelow(10))
        try:
            check_password_strength(password)
            return password
        except ValidationError:  # practically never: four equal characters and so on
            continue


# --- login ----------------------------------------------------------------

LOGIN_FAILED = "用户名或密码错误。"
# Throttling (see login): wrong passwords checked without waiting, per account and per client address;
# then each further check waits 2^k seconds (k = failures beyond the free ones), at most MAX_DELAY.
FREE_FAILURES = 5
CLIENT_FREE_FAILURES = 20
MAX_DELAY = dt.timedelta(minutes=15)
# One failure is forgotten per this long without a new one: an account's typos are gone in hours, and a
# campus address shared by many students (NAT) is slowed only by more than one failure a minute.
ACCOUNT_FORGIVE = dt.timedelta(hours=1)
CLIENT_FORGIVE = dt.timedelta(minutes=1)


def _delay(failures: int, free: int) -> dt.timedelta:
    if failures < free:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - free, 20)), MAX_DELAY)


def _wait_text(wait: dt.timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return f"{seconds} 秒" if seconds < 120 else f"{math.ceil(seconds / 60)} 分钟"


def _failures(row: dict | None, forgive: dt.timedelta, now: dt.datetime) -> int:
    """The failures still counted for a throttle row, after forgiving the quiet time since the last."""
    if row is None:
        return 0
    quiet = now - clock.parse(row["last_at"])
    return max(0, row["failures"] - max(0, int(quiet / forgive)))


def _throttle_keys(db: Database, name: str, account: dict | None, client: str | None) -> list[tuple[str, int, dt.timedelta]]:
    """(key, free failures, forgive period) of every counter this attempt counts against."""
    keys = []
    if account is None:
        keys.append((f"name:{name}", FREE_FAILURES, ACCOUNT_FORGIVE))  # the same limit: nothing tells them apart
    elif client and db["login_throttle"].count_where("key = ?", [f"trusted:{account['id']}@{client}"]):
        keys.append((f"account:{account['id']}@{client}", FREE_FAILURES, ACCOUNT_FORGIVE))
    else:
        keys.append((f"account:{account['id']}", FREE_FAILURES, ACCOUNT_FORGIVE))
    if client:
        keys.append((f"client:{client}", CLIENT_FREE_FAILURES, CLIENT_FORGIVE))
    return keys


def _reserve(db: Database, name: str, client: str | None, now: dt.datetime) -> tuple[dict | None, list, str]:
    """Inside one transaction: refuse while any counter asks to wait, else count this attempt as a failure
    in advance (so parallel attempts see it at once). Returns the account row (or None), the counters'
    keys and what the user is told if the password turns out wrong."""
    with transaction(db):
        account = next(db["users"].rows_where("(username = ? or student_no = ?) and active = 1", [name, name]), None)
        keys = _throttle_keys(db, name, account, client)
        rows = {r["key"]: r for r in db["login_throttle"].rows_where(
            f"key in ({', '.join('?' * len(keys))})", [k for k, _, _ in keys])}
        wait = dt.timedelta(0)
        counts = []
        for key, free, forgive in keys:
            failures = _failures(rows.get(key), forgive, now)
            if key in rows:
                wait = max(wait, clock.parse(rows[key]["last_at"]) + _delay(failures, free) - now)
            counts.append(failures + 1)
        if wait > dt.timedelta(0):
            raise AuthError(f"登录尝试过于频繁，请 {_wait_text(wait)}后再试。")
        db["login_throttle"].upsert_all([{"key": key, "failures": n, "last_at": clock.iso(now)}
                                         for (key, _, _), n in zip(keys, counts)], pk="key")
        next_wait = max(_delay(n, free) for (_, free, _), n in zip(keys, counts))
    failed = LOGIN_FAILED + (f"请 {_wait_text(next_wait)}后再试。" if next_wait else "")
    return account, [k for k, _, _ in keys], failed


def login(db: Database, username: str, password: str, now: dt.datetime | None = None, *,
          client: str | None = None) -> User:
    """Return the user or raise AuthError. ``client`` is the address the attempt comes from (None when
    unknown, e.g. through localhost).

    Throttling, chosen to hold under parallel attempts without letting anyone lock someone else out:

    - Counters, in ``login_throttle``: one per **account** (its user name and its 学号 are one account;
      a name that is no account is counted by the typed name, with the same limits, so the answers
      never tell whether an account exists) and one per **client address**.
    - Each attempt is counted *before* its password is checked, atomically (``transaction``, BEGIN
      IMMEDIATE): a burst of parallel guesses sees every earlier one, so at most ``FREE_FAILURES`` (5)
      wrong passwords are checked for an account before waiting applies. A right password clears the
      account's counter and gives back the client's count for this attempt.
    - No lock: after 5 failures of an account (20 of a client) each further check must wait 2^k s
      (1, 2, 4 … s), at most 15 minutes. Attempts refused while waiting are not checked and do not
      count, so hammering does not push the wait further; quiet time forgets failures (one per hour
      for an account, one per minute for an address, since a campus NAT shares one).
    - Someone else's failures do not keep the owner out: an address the account has logged in from
      before is *trusted* for it and has a counter of its own for that account, so an attacker at any
      other address never delays the owner there. From a new address the owner waits at most the
      current delay, 15 minutes at worst, and a right password then clears the account's counter.
    - Password checks are expensive on purpose and bounded (``PASSWORD_CHECKS`` at once): the check
      runs outside the transaction, so a storm of logins never holds up other writes.
    """
    now = now or clock.now()
    name = (username or "").strip()
    if not name or not password:
        raise AuthError("请输入用户名和密码。")
    client = (client or "").strip()[:64] or None
    account, keys, failed = _reserve(db, name, client, now)
    if not _verify(account["password_hash"] if account else _DUMMY_HASH, password) or account is None:
        raise AuthError(failed)
    rehashed = hash_password(password) if _hasher.check_needs_rehash(account["password_hash"]) else None
    with transaction(db):
        db["login_throttle"].delete_where("key = ?", [keys[0]])
        if client:
            db.execute("update login_throttle set failures = max(failures - 1, 0) where key = ?", [keys[1]])
            db["login_throttle"].upsert({"key": f"trusted:{account['id']}@{client}", "failures": 0,
                                         "last_at": clock.iso(now)}, pk="key")
        if rehashed:
            db["users"].update(account["id"], {"password_hash": rehashed})
    user = _user(account)
    _refuse_if_sso_required(db, user)
    return user


SSO_REQUIRED = "您的账号须通过统一身份认证登录，请点击“统一身份认证登录”。"


def _refuse_if_sso_required(db: Database, user: User) -> None:
    """Roles the organizer requires to use the campus identity may not log in with a password."""
    if user.role in set(settings.get(db).sso_required_roles or []):
        raise AuthError(SSO_REQUIRED)


def change_password(db: Database, user: User, old_password: str, new_password: str, confirm: str) -> None:
    """Change one's own password (also used for the forced change at first login).

    Like every function here that checks or hashes a password, the argon2 work runs before the
    transaction: it is slow on purpose and must not hold up other writes."""
    policy.require(user, "change_own_password")
    row = db["users"].get(user.id)
    if not _verify(row["password_hash"], old_password or ""):
        raise ValidationError("原密码不正确。")
    if new_password != confirm:
        raise ValidationError("两次输入的新密码不一致。")
    if new_password == old_password:
        raise ValidationError("新密码不能与原密码相同。")
    check_password_strength(new_password, user.username, user.student_no)
    password_hash = hash_password(new_password)
    with transaction(db):
        db["users"].update(user.id, {"password_hash": password_hash, "must_change_password": 0})
        sessions.end_all(db, user.id)  # every device logs in again with the new password (this one too)
        audit.record(db, user, "change_password", f"user:{user.id}")


# --- registration and accounts made by organizers --------------------------


def _college(value: object, colleges: list[str] | None) -> str:
    college = validation.text(value, "学院", max_len=50)
    if colleges and college not in colleges:
        raise ValidationError("请从列表中选择学院。")
    return college


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
    password_hash = hash_password(password)
    with transaction(db):
        if db["users"].count_where("student_no = ? or username = ?", [record["student_no"]] * 2):
            raise ValidationError("该学号已注册。如忘记密码，请联系组织者重置。")
        user_id = db["users"].insert(
            {
                **record,
                "username": record["student_no"],
                "password_hash": password_hash,
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


def create_account(db: Database, actor: User, role: str, **fields) -> tuple[User, str]:
    """Organizer creates a judge / department / organizer account; returns it and its first password."""
    policy.require(actor, "manage_accounts")
    _staff_record(db, role, fields)  # a bad form costs no password hashing
    [(password, password_hash)] = _first_passwords(1)
    with transaction(db):
        record = _staff_record(db, role, fields)
        if _name_taken(db, record["username"]):
            raise ValidationError(f"用户名 {record['username']} 已存在。")
        if record["staff_no"] and db["users"].count_where("staff_no = ?", [record["staff_no"]]):
            raise ValidationError(f"工号 {record['staff_no']} 已属于另一个账号。")
        user_id = _insert_staff(db, record, password_hash)
        audit.record(db, actor, "create_account", f"user:{user_id}", {"username": record["username"], "role": role})
        return get_user(db, user_id), password


def _first_passwords(count: int) -> list[tuple[str, str]]:
    """(password, hash) of ``count`` new first passwords, made before any transaction (argon2 is slow)."""
    return [(password, hash_password(password)) for password in (temporary_password() for _ in range(count))]


def _name_taken(db: Database, name: str) -> bool:
    """Login accepts a user name or a 学号, so a new name may clash with either."""
    return bool(db["users"].count_where("username = ? or student_no = ?", [name, name]))


def _insert_staff(db: Database, record: dict, password_hash: str) -> int:
    return db["users"].insert(
        {
            **record,
            "password_hash": password_hash,
            "must_change_password": 1,
            "active": 1,
            "created_at": clock.iso(clock.now()),
        }
    ).last_pk


IMPORT_COLUMNS = {"用户名": "username", "姓名": "name", "角色": "role", "学院": "college",
                  "邮箱": "email", "手机号": "phone", "部门代码": "department", "评审议题": "topics",
                  "工号": "staff_no"}


def import_accounts(db: Database, actor: User, frame: pd.DataFrame) -> list[dict]:
    """Create many judge/department accounts from a sheet; all or nothing.

    Columns (Chinese or English): 用户名/username, 姓名/name, 角色/role, and
    optionally 学院, 邮箱, 手机号, 部门代码, 评审议题. Returns one dict per
    account with its first password; raises ValidationError listing every bad row.
    The sheet is checked, the first passwords are hashed (outside the write lock: a few hundred
    argon2 hashes take seconds), then the sheet is checked again and stored in one transaction.
    """
    policy.require(actor, "manage_accounts")
    firsts = _first_passwords(len(_import_records(db, frame)))
    with transaction(db):
        created = []
        for record, (password, password_hash) in zip(_import_records(db, frame), firsts, strict=True):
            user_id = _insert_staff(db, record, password_hash)
            created.append({"id": user_id, "username": record["username"], "name": record["name"],
                            "role": Role(record["role"]).label, "password": password})
        audit.record(db, actor, "import_accounts", "users", {"count": len(created)})
    return created


def _import_records(db: Database, frame: pd.DataFrame) -> list[dict]:
    """The checked account records of an import sheet; ValidationError listing every bad row."""
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
    return records


def _account(db: Database, user_id) -> dict:
    return get_row(db, "users", user_id, ValidationError("账号不存在。"))


def reset_password(db: Database, actor: User, user_id: int) -> str:
    """Organizer gives an account a new first password; it must be changed at next login."""
    policy.require(actor, "manage_accounts")
    _account(db, user_id)
    [(password, password_hash)] = _first_passwords(1)
    with transaction(db):
        target = _account(db, user_id)
        user_id = target["id"]
        db["users"].update(user_id, {"password_hash": password_hash, "must_change_password": 1})
        db["login_throttle"].delete_where("key = ? or key like ?", [f"account:{user_id}", f"account:{user_id}@%"])
        sessions.end_all(db, user_id)
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
    if not active:
        sessions.end_all(db, user_id)  # a disabled account is logged out everywhere
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
