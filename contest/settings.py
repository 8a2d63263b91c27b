"""Contest settings: name, phases, topics, rubric, colleges, departments.

Settings live in the ``settings`` table as one JSON value per key; the
departments have a table of their own because accounts and cases point at
them. Every change is validated as a whole and written to the audit log.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from sqlite_utils import Database

from . import audit, clock, policy, validation
from .db import writes
from .errors import ValidationError
from .vocabulary import Role, labels
from .rubric import KINDS, Criterion, criteria, ensure_editable

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PHASES = {
    "submission_opens": "提案征集开始",
    "submission_closes": "提案征集截止",
    "judging_closes": "评审截止",
    "results_published": "结果公布",
}
DATE_FORMAT = "%Y-%m-%d %H:%M"


def _data_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _number_text(value: str) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


# Defaults for a new contest, written by the project in data/ (the organizer edits them in 比赛设置).
DEFAULT_RUBRIC = [Criterion.from_dict({**row, **{k: _number_text(row[k]) for k in ("weight", "min", "max")}})
                  for row in _data_csv("rubric.csv")]
DEFAULT_COLLEGES = [row["name"] for row in _data_csv("colleges.csv")]
# kind "share": value is a percentage of complete proposals; "count": a number of awards
DEFAULT_AWARD_TIERS = [{**row, "value": _number_text(row["value"])} for row in _data_csv("award_tiers.csv")]
RANKING_METHODS = ("mean", "median", "trimmed", "zscore")  # see contest.ranking.METHODS


def default_topics() -> list[dict]:
    """The topics of data/topics.csv with their keywords and one-line descriptions (used by the topic map)."""
    return [{"code": r["code"], "name": r["name"], "keywords": r.get("keywords") or "",
             "descriptions": r.get("descriptions") or ""} for r in _data_csv("topics.csv")]


@dataclass(frozen=True)
class Settings:
    contest_name: str = "集智思源学生提案大赛"
    year: int = 2026
    phases: dict = field(default_factory=dict)  # phase key -> "YYYY-MM-DD HH:MM"
    grace_until: str | None = None  # late edits allowed until then
    topics: list = field(default_factory=default_topics)
    rubric: list[Criterion] = field(default_factory=lambda: list(DEFAULT_RUBRIC))
    colleges: list = field(default_factory=lambda: list(DEFAULT_COLLEGES))
    reviews_per_proposal: int = 3
    college_conflict: bool = False
    demo_mode: bool = False
    # results (contest/results.py)
    ranking_method: str = "zscore"
    tie_break: list = field(default_factory=list)  # "sheets" and/or rubric criterion codes, in order
    award_tiers: list = field(default_factory=lambda: [dict(t) for t in DEFAULT_AWARD_TIERS])
    results_published: bool = False
    published_at: str | None = None
    # campus single sign-on (contest/sso.py)
    sso_create_students: bool = True  # a student's first campus sign-in creates the participant account
    sso_required_roles: list = field(default_factory=list)  # roles that may not log in with a password
    sso_claims: dict = field(default_factory=dict)  # claim names, e.g. {"student_no": "uid"}
    # login sessions (contest/sessions.py): a login lasts session_days, or until session_idle_days unused
    session_days: int = 30
    session_idle_days: int = 7
    # e-mail copies of the notices (contest.notices, contest.mailer); the SMTP password only in the
    # environment variable CONTEST_SMTP_PASSWORD, never in the database
    email_enabled: bool = False
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_sender: str = ""  # From: address
    portal_url: str = ""  # the portal's address, in the e-mails
    # reminders (contest.reminders)
    reminder_interval_hours: int = 24  # no second reminder to the same judge or department within this
    reminder_days_before: int = 3  # automatic reminders this many days before a deadline
    # what a department handling a case sees of the proposers (contest.forwarding.get_case)
    department_sees_proposers: str = "none"  # none | name | contact (PROPOSER_VISIBILITY)

    def at(self, phase: str) -> dt.datetime | None:
        value = self.phases.get(phase)
        return dt.datetime.strptime(value, DATE_FORMAT) if value else None

    def topic_name(self, code: str | None) -> str:
        return next((t["name"] for t in self.topics if t["code"] == code), code or "未分类")

    @property
    def topic_codes(self) -> list[str]:
        return [t["code"] for t in self.topics]

    def submission_open(self, now: dt.datetime) -> bool:
        """Students may create, edit, submit and withdraw proposals."""
        opens, closes = self.at("submission_opens"), self.at("submission_closes")
        grace = dt.datetime.strptime(self.grace_until, DATE_FORMAT) if self.grace_until else None
        end = max(d for d in (closes, grace) if d) if (closes or grace) else None
        return (opens is None or now >= opens) and (end is None or now <= end)

    def judging_open(self, now: dt.datetime) -> bool:
        closes = self.at("judging_closes")
        return closes is None or now <= closes

    def current_phase(self, now: dt.datetime) -> str:
        """A Chinese label of where the contest stands now."""
        opens = self.at("submission_opens")
        judging, results = self.at("judging_closes"), self.at("results_published")
        if opens and now < opens:
            return "提案征集尚未开始"
        if self.submission_open(now):
            return "提案征集中"
        if judging and now <= judging:
            return "评审中"
        if results and now < results:
            return "评审结束，等待结果公布"
        return "结果已公布，提案办理中"


def get(db: Database) -> Settings:
    values = {row["key"]: json.loads(row["value"]) for row in db["settings"].rows}
    known = {k: v for k, v in values.items() if k in Settings.__dataclass_fields__}
    if "rubric" in known:
        known["rubric"] = criteria(known["rubric"])
    return Settings(**known)


def default_phases(now: dt.datetime) -> dict:
    """Phases for a new contest: open now, 30 days to submit, 15 to judge, results 7 days later."""
    start = now.replace(hour=8, minute=0, second=0)
    steps = {"submission_opens": 0, "submission_closes": 30, "judging_closes": 45, "results_published": 52}
    return {k: (start + dt.timedelta(days=d)).strftime(DATE_FORMAT) for k, d in steps.items()}


@writes
def initialise(db: Database, *, contest_name: str | None = None, year: int | None = None,
               demo_mode: bool = False, now: dt.datetime | None = None) -> Settings:
    """Write a full, valid set of settings and the default departments."""
    now = now or clock.now()
    settings = Settings(phases=default_phases(now), year=year or now.year, demo_mode=demo_mode)
    if contest_name:
        settings = replace(settings, contest_name=contest_name)
    _write(db, validate(settings))
    return settings


def _write(db: Database, settings: Settings) -> None:
    rows = [{"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in asdict(settings).items()]
    db["settings"].upsert_all(rows, pk="key")


@writes
def update(db: Database, actor, **changes) -> Settings:
    """Organizer changes settings; the whole result is validated before anything is written."""
    policy.require(actor, "manage_settings")
    old = get(db)
    unknown = set(changes) - set(Settings.__dataclass_fields__)
    if unknown:
        raise ValidationError("未知的设置项：" + "、".join(sorted(unknown)))
    if "rubric" in changes and criteria(changes["rubric"]) != old.rubric:
        ensure_editable(db, old.rubric, changes["rubric"])
    new = validate(replace(old, **changes))
    before, after = asdict(old), asdict(new)  # plain values (a Criterion becomes its dict) for the audit log
    diff = {k: {"old": before[k], "new": after[k]} for k in changes if before[k] != after[k]}
    if diff:
        with db.atomic():
            _write(db, new)
            audit.record(db, actor, "update_settings", "settings", diff)
    return new


# --- validation (pure) ------------------------------------------------------


def validate(settings: Settings) -> Settings:
    """Return a cleaned copy or raise ValidationError with a Chinese message."""
    name = validation.text(settings.contest_name, "比赛名称", max_len=60)
    try:
        year = int(settings.year)
    except (TypeError, ValueError):
        raise ValidationError("年份必须是数字。") from None
    if not 2000 <= year <= 2100:
        raise ValidationError("年份应在 2000–2100 之间。")
    return replace(
        settings,
        contest_name=name,
        year=year,
        phases=_validate_phases(settings.phases),
        grace_until=_validate_grace(settings.grace_until, settings.phases),
        topics=_validate_topics(settings.topics),
        rubric=validate_rubric(settings.rubric),
        colleges=_validate_colleges(settings.colleges),
        reviews_per_proposal=_validate_reviews(settings.reviews_per_proposal),
        college_conflict=bool(settings.college_conflict),
        ranking_method=_validate_method(settings.ranking_method),
        tie_break=_validate_tie_break(settings.tie_break, settings.rubric),
        award_tiers=validate_award_tiers(settings.award_tiers),
        results_published=bool(settings.results_published),
        published_at=(parse_date(settings.published_at, "结果公布时间").strftime(DATE_FORMAT)
                      if settings.published_at else None),
        sso_create_students=bool(settings.sso_create_students),
        sso_required_roles=_validate_sso_roles(settings.sso_required_roles),
        sso_claims=_validate_sso_claims(settings.sso_claims),
        session_days=_validate_days(settings.session_days, "登录有效期（天）", 1, 365),
        session_idle_days=_validate_days(settings.session_idle_days, "登录闲置失效（天）", 1,
                                         min(365, int(_number(settings.session_days, "登录有效期（天）")))),
        department_sees_proposers=_validate_choice(settings.department_sees_proposers, PROPOSER_VISIBILITY,
                                                   "职能部门可见的提案人信息"),
        **_validate_mail(settings),
    )


#: What a department handling a case sees of its proposers.
PROPOSER_VISIBILITY = {"none": "不显示提案人", "name": "提案人姓名和学院",
                       "contact": "提案人姓名、学院和联系方式（邮箱、手机）"}


def _validate_choice(value, choices: dict, label: str) -> str:
    if value not in choices:
        raise ValidationError(f"{label}：请从列表中选择。")
    return value


SSO_CLAIM_KEYS = {"student_no": "学号", "staff_no": "工号", "name": "姓名", "email": "邮箱"}


def _validate_sso_roles(roles) -> list[str]:
    roles = list(roles or [])
    unknown = [r for r in roles if r not in labels(Role)]
    if unknown:
        raise ValidationError("未知的角色：" + "、".join(map(str, unknown)))
    return sorted(set(roles))


def _validate_sso_claims(claims) -> dict:
    claims = dict(claims or {})
    unknown = set(claims) - set(SSO_CLAIM_KEYS)
    if unknown:
        raise ValidationError("未知的统一身份认证字段：" + "、".join(sorted(map(str, unknown))))
    cleaned = {}
    for key, value in claims.items():
        value = str(value or "").strip()
        if value and not re.fullmatch(r"[A-Za-z0-9_:.\-]{1,64}", value):
            raise ValidationError(f"{SSO_CLAIM_KEYS[key]}对应的声明名只能包含字母、数字和 _ : . -。")
        if value:
            cleaned[key] = value
    return cleaned


def parse_date(value, label: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(second=0, microsecond=0)
    try:
        return dt.datetime.strptime(str(value).strip(), DATE_FORMAT)
    except ValueError:
        raise ValidationError(f"{label}的时间格式应为 YYYY-MM-DD HH:MM。") from None


def _validate_phases(phases: dict) -> dict:
    missing = [label for key, label in PHASES.items() if not phases.get(key)]
    if missing:
        raise ValidationError("请设置时间：" + "、".join(missing) + "。")
    dates = {key: parse_date(phases[key], PHASES[key]) for key in PHASES}
    keys = list(PHASES)
    for earlier, later in zip(keys, keys[1:]):
        if dates[later] < dates[earlier]:
            raise ValidationError(f"{PHASES[later]}不能早于{PHASES[earlier]}。")
    if dates["submission_closes"] == dates["submission_opens"]:
        raise ValidationError("提案征集截止必须晚于提案征集开始。")
    return {key: d.strftime(DATE_FORMAT) for key, d in dates.items()}


def _validate_grace(grace, phases: dict) -> str | None:
    if not grace:
        return None
    grace_at = parse_date(grace, "宽限期")
    if grace_at < parse_date(phases["submission_closes"], PHASES["submission_closes"]):
        raise ValidationError("宽限期截止不能早于提案征集截止。")
    if grace_at > parse_date(phases["judging_closes"], PHASES["judging_closes"]):
        raise ValidationError("宽限期截止不能晚于评审截止。")
    return grace_at.strftime(DATE_FORMAT)


def _code(value, label: str) -> str:
    code = validation.text(value, label, max_len=30)
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", code):
        raise ValidationError(f"{label}“{code}”只能包含小写字母、数字、下划线和连字符，且以字母开头。")
    return code


def _unique(items: list[str], label: str) -> None:
    dupes = sorted({x for x in items if items.count(x) > 1})
    if dupes:
        raise ValidationError(f"{label}重复：" + "、".join(dupes))


def _optional_text(value, label: str, max_len: int) -> str:
    if value is None or value != value or not str(value).strip():  # None, NaN or blank
        return ""
    return validation.text(value, label, max_len=max_len)


def _validate_topics(topics: list) -> list[dict]:
    """Code, name, and optional keywords (space-separated) and descriptions (；-separated lines)."""
    cleaned = [{"code": _code(t.get("code"), "议题代码"), "name": validation.text(t.get("name"), "议题名称", max_len=20),
                "keywords": _optional_text(t.get("keywords"), "议题关键词", 2000),
                "descriptions": _optional_text(t.get("descriptions"), "议题说明", 2000)}
               for t in topics or []]
    if not cleaned:
        raise ValidationError("至少需要一个议题。")
    _unique([t["code"] for t in cleaned], "议题代码")
    _unique([t["name"] for t in cleaned], "议题名称")
    return cleaned


def _number(value, label: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label}必须是数字。") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(f"{label}必须是有限的数字。")
    return int(number) if number == int(number) else number


def validate_rubric(rubric: list) -> list[Criterion]:
    """Criteria with a code, name, positive weight, a known kind and a score range min < max."""
    cleaned = []
    for c in rubric or []:
        name = validation.text(c.get("name"), "评分项名称", max_len=20)
        kind = c.get("kind") or "number"
        if kind not in KINDS:
            raise ValidationError(f"评分项“{name}”的评分方式应为：" + "、".join(k.label for k in KINDS.values()) + "。")
        item = Criterion(
            code=_code(c.get("code"), f"评分项“{name}”的代码"),
            name=name,
            weight=_number(c.get("weight"), f"评分项“{name}”的权重"),
            min=KINDS[kind].fixed[0] if KINDS[kind].fixed else _number(c.get("min"), f"评分项“{name}”的最低分"),
            max=KINDS[kind].fixed[1] if KINDS[kind].fixed else _number(c.get("max"), f"评分项“{name}”的最高分"),
            description=validation.optional_text(c.get("description"), "评分说明", max_len=200),
            kind=kind,
        )
        if item.weight <= 0:
            raise ValidationError(f"评分项“{name}”的权重必须大于 0。")
        if item.min >= item.max:
            raise ValidationError(f"评分项“{name}”的最高分必须大于最低分。")
        cleaned.append(item)
    if not cleaned:
        raise ValidationError("评分标准至少需要一项。")
    _unique([c.code for c in cleaned], "评分项代码")
    _unique([c.name for c in cleaned], "评分项名称")
    return cleaned


def _validate_colleges(colleges: list) -> list[str]:
    cleaned = [validation.text(c, "学院名称", max_len=50) for c in colleges or []]
    if not cleaned:
        raise ValidationError("至少需要一个学院。")
    _unique(cleaned, "学院名称")
    return cleaned


def _validate_days(value, label: str, low: int, high: int) -> int:
    number = _number(value, label)
    if number != int(number) or not low <= number <= high:
        raise ValidationError(f"{label}应为 {low}–{high} 的整数。")
    return int(number)


def _validate_reviews(value) -> int:
    number = _number(value, "每件提案的评审人数")
    if number != int(number) or not 1 <= number <= 10:
        raise ValidationError("每件提案的评审人数应为 1–10 的整数。")
    return int(number)


def _validate_method(value) -> str:
    if value not in RANKING_METHODS:
        raise ValidationError(f"未知的汇总方法“{value}”，可选：{'、'.join(RANKING_METHODS)}。")
    return value


def _validate_tie_break(keys, rubric: list) -> list[str]:
    """Tie-break keys in order: "sheets" (more sheets first) or a rubric criterion code."""
    codes = {c.get("code") for c in rubric or []}
    cleaned = [str(k).strip() for k in keys or [] if str(k).strip()]
    for key in cleaned:
        if key != "sheets" and key not in codes:
            raise ValidationError(f"并列排序依据“{key}”无效：应为评审表份数或评分标准中的评分项。")
    _unique(cleaned, "并列排序依据")
    return cleaned


def validate_award_tiers(tiers: list) -> list[dict]:
    """Award tiers, best first: a name and either a share (0–100 %) or a count of awards."""
    cleaned = []
    for t in tiers or []:
        name = validation.text(t.get("name"), "奖项名称", max_len=20)
        kind = t.get("kind")
        if kind not in ("share", "count"):
            raise ValidationError(f"奖项“{name}”的名额方式应为按比例（share）或按名额（count）。")
        value = _number(t.get("value"), f"奖项“{name}”的名额")
        if kind == "share" and not 0 <= value < 100:
            raise ValidationError(f"奖项“{name}”的比例应在 0–100%（不含 100%）之间。")
        if kind == "count" and (value != int(value) or value < 0):
            raise ValidationError(f"奖项“{name}”的名额应为不小于 0 的整数。")
        cleaned.append({"name": name, "kind": kind, "value": int(value) if kind == "count" else value})
    if not cleaned:
        raise ValidationError("至少需要设置一个奖项。")
    _unique([t["name"] for t in cleaned], "奖项名称")
    if sum(t["value"] for t in cleaned if t["kind"] == "share") > 100:
        raise ValidationError("各奖项比例之和不能超过 100%。")
    return cleaned


# --- departments ------------------------------------------------------------


def departments(db: Database, *, include_inactive: bool = False) -> list[dict]:
    where = None if include_inactive else "active = 1"
    return list(db["departments"].rows_where(where, order_by="code"))


def department_names(db: Database) -> dict[str, str]:
    """Code → name of every department, inactive ones too (old proposals and cases still name them)."""
    return {d["code"]: d["name"] for d in departments(db, include_inactive=True)}


def department_name(db: Database, code: str | None) -> str:
    row = next(db["departments"].rows_where("code = ?", [code]), None) if code else None
    return row["name"] if row else (code or "")


@writes
def save_departments(db: Database, actor, rows: list[dict]) -> None:
    """Replace the department list; departments left out are deactivated, never deleted."""
    policy.require(actor, "manage_settings")
    cleaned = [
        {
            "code": _code(r.get("code"), "部门代码"),
            "name": validation.text(r.get("name"), "部门名称", max_len=40),
            "description": validation.optional_text(r.get("description"), "部门职责", max_len=200),
            "active": 1,
        }
        for r in rows
        if any(str(r.get(k) or "").strip() for k in ("code", "name"))
    ]
    if not cleaned:
        raise ValidationError("至少需要一个职能部门。")
    _unique([d["code"] for d in cleaned], "部门代码")
    _unique([d["name"] for d in cleaned], "部门名称")
    old = {d["code"]: d for d in departments(db, include_inactive=True)}
    with db.atomic():
        db.execute("update departments set active = 0")
        db["departments"].upsert_all(cleaned, pk="code")
        audit.record(db, actor, "update_departments", "departments",
                     {"old": sorted(c for c, d in old.items() if d["active"]), "new": [d["code"] for d in cleaned]})


def _validate_mail(settings: Settings) -> dict:
    """E-mail and reminder settings (contest.mailer, contest.reminders)."""
    def whole(value, label, lo, hi):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{label}必须是整数。") from None
        if not lo <= number <= hi:
            raise ValidationError(f"{label}应在 {lo}–{hi} 之间。")
        return number

    sender = validation.email(settings.smtp_sender) if settings.smtp_sender else ""
    host = validation.optional_text(settings.smtp_host, "SMTP 服务器", max_len=200)
    if settings.email_enabled and not (host and sender):
        raise ValidationError("开启邮件通知前，请填写 SMTP 服务器和发件地址。")
    return {"email_enabled": bool(settings.email_enabled), "smtp_host": host,
            "smtp_port": whole(settings.smtp_port, "SMTP 端口", 1, 65535), "smtp_starttls": bool(settings.smtp_starttls),
            "smtp_username": validation.optional_text(settings.smtp_username, "SMTP 用户名", max_len=200),
            "smtp_sender": sender, "portal_url": validation.optional_text(settings.portal_url, "平台网址", max_len=200),
            "reminder_interval_hours": whole(settings.reminder_interval_hours, "催办间隔（小时）", 1, 24 * 14),
            "reminder_days_before": whole(settings.reminder_days_before, "提前提醒天数", 1, 30)}
