"""Follow-up figures: handoff, reply, resolution and satisfaction rates, as a student union reports them.

Pure computation over one frame per proposal (``compute_stats``) plus the database readers around it;
the workflow itself lives in ``contest.forwarding``, ``contest.replies`` and ``contest.ratings``. All counts and
rates are per *proposal* (a merged case of three proposals counts three).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlite_utils import Database

from . import clock, policy, settings
from .vocabulary import AnswerState, CaseStatus, EntryKind, Rating, labels

DEFINITIONS = {
    "valid": "有效提案：已立案（含合并办理的成员提案）的提案件数。",
    "forwarded": "移交率 = 已转办提案 ÷ 有效提案。",
    "replied": "回复率 = 已得到部门答复的提案 ÷ 已转办提案。",
    "resolved": "解决率 = 最新答复为“已解决”的提案 ÷ 已转办提案。",
    "in_progress": "办理中：已答复，最新状态为“正在办理”或“列入计划”的提案。",
    "awaiting": "正在回复中：已转办、尚未得到答复的提案（含部门退回待重新转办的）。",
    "overdue": "逾期：尚未答复且已过答复期限的提案（部门退回的不计）。",
    "satisfaction": "满意率 = （满意 + 基本满意）÷ 已评价的提案，以提案人最近一次评价为准。",
    "reply_days": "答复用时 = 首次答复日期 − 转办日期（天）。",
}


def _proposal_frame(db: Database) -> pd.DataFrame:
    """One row per valid or forwarded proposal with its case's figures."""
    rows = db.query("""select p.id, p.topic, c.id as case_id, c.department, c.status, c.state, c.forwarded_at,
                              c.due_at, c.first_reply_at,
                              (select level from ratings r where r.proposal_id = p.id
                                order by r.round desc limit 1) as rating
                       from proposals p left join case_members m on m.proposal_id = p.id
                            left join cases c on c.id = m.case_id
                       where p.status = 'valid' or m.case_id is not null""")
    return pd.DataFrame(rows, columns=["id", "topic", "case_id", "department", "status", "state", "forwarded_at",
                                       "due_at", "first_reply_at", "rating"])


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


COUNTS = ["valid", "forwarded", "replied", "resolved", "in_progress", "not_feasible", "awaiting", "overdue", "rated",
          "satisfied", "basic", "unsatisfied"]


def _flags(frame: pd.DataFrame, now_iso: str) -> pd.DataFrame:
    """0/1 columns per proposal, one per count: summed for the headline, grouped for the tables."""
    status = frame["status"].fillna("").to_numpy(dtype=object)
    state = frame["state"].fillna("").to_numpy(dtype=object)
    rating = frame["rating"].fillna("").to_numpy(dtype=object)
    due = frame["due_at"].fillna("").to_numpy(dtype=object)
    forwarded = frame["case_id"].notna().to_numpy()
    replied = frame["first_reply_at"].notna().to_numpy()
    flags = pd.DataFrame({
        "valid": 1,
        "forwarded": forwarded,
        "replied": replied,
        "resolved": status == "resolved",
        "in_progress": replied & ((state == "in_progress") | (state == "planned")),
        "not_feasible": replied & (state == "not_feasible"),
        "awaiting": forwarded & ~replied,
        "overdue": (status == "pending") & (due < now_iso) & (due != ""),
        "rated": rating != "",
        "satisfied": rating == "satisfied",
        "basic": rating == "basic",
        "unsatisfied": rating == "unsatisfied",
    }, index=frame.index).astype(int)
    return flags


def _with_rates(counts: dict) -> dict:
    counts = {k: int(v) for k, v in counts.items()}
    counts["forward_rate"] = _rate(counts["forwarded"], counts["valid"])
    counts["reply_rate"] = _rate(counts["replied"], counts["forwarded"])
    counts["resolve_rate"] = _rate(counts["resolved"], counts["forwarded"])
    counts["satisfaction"] = _rate(counts["satisfied"] + counts["basic"], counts["rated"])
    return counts


def _reply_days(frame: pd.DataFrame) -> pd.Series:
    first = pd.to_datetime(frame["first_reply_at"], errors="coerce")
    forwarded = pd.to_datetime(frame["forwarded_at"], errors="coerce")
    return ((first - forwarded).dt.total_seconds() / 86400).round(1)


def compute_stats(frame: pd.DataFrame, now: dt.datetime, department_names: dict | None = None,
                  topic_names: dict | None = None) -> dict:
    """The dashboard from the per-proposal frame (pure; ``stats`` reads the frame from the database)."""
    flags = _flags(frame, clock.iso(now))
    headline = _with_rates(flags.sum().to_dict())
    reply_days = _reply_days(frame)

    def grouped(key: str, names: dict, rows) -> pd.DataFrame:
        keys = frame.loc[rows, key].fillna("").astype(str)
        if keys.empty:
            return pd.DataFrame(columns=[key, "name", *COUNTS, "forward_rate", "reply_rate", "resolve_rate",
                                         "satisfaction", "mean_reply_days"])
        sums = flags.loc[rows].groupby(keys).sum()
        days = reply_days.loc[rows].groupby(keys).mean()
        out = []
        for value, counts in zip(sums.index, sums.to_dict("records")):
            mean = days.get(value)
            out.append({key: value, "name": names.get(value, value or "未分类"), **_with_rates(counts),
                        "mean_reply_days": None if mean is None or pd.isna(mean) else round(float(mean), 1)})
        return pd.DataFrame(out)

    forwarded_rows = frame["case_id"].notna()
    days = reply_days.dropna()
    replies_by_day = pd.to_datetime(frame["first_reply_at"].dropna()).dt.normalize().value_counts().sort_index()
    forwards_by_day = pd.to_datetime(frame["forwarded_at"].dropna()).dt.normalize().value_counts().sort_index()
    cumulative = pd.DataFrame({"累计转办": forwards_by_day, "累计答复": replies_by_day}).fillna(0).cumsum()
    cumulative.index.name = "日期"
    return {
        "headline": headline,
        "by_department": grouped("department", department_names or {}, forwarded_rows),
        "by_topic": grouped("topic", topic_names or {}, frame.index == frame.index),
        "reply_days": days,
        "cumulative": cumulative.astype(int),
        "today": now.date(),
    }


def stats(db: Database, user, *, now: dt.datetime | None = None) -> dict:
    """Organizer's dashboard: headline figures, by department (lead), by topic, reply times, cumulative replies."""
    policy.require(user, "forward_proposals")
    return _stats(db, (now or clock.now()).replace(microsecond=0))


def _stats(db: Database, now: dt.datetime) -> dict:
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    topics = {t["code"]: t["name"] for t in settings.get(db).topics}
    return compute_stats(_proposal_frame(db), now, names, topics)


def data_version(db: Database) -> int:
    """Changes on every traced write (each change goes to the audit log): a cache key for the dashboard."""
    return db.execute("select coalesce(max(id), 0) from audit_log").fetchone()[0]


def public_stats(db: Database, *, now: dt.datetime | None = None) -> dict:
    """The headline figures and the per-department table for the public page (counts only, nothing personal)."""
    full = _stats(db, (now or clock.now()).replace(microsecond=0))
    return {"headline": full["headline"], "by_department": full["by_department"], "today": full["today"]}


def percent(value: float | None) -> str:
    """0.5 -> '50%', 1 -> '100%', 0.333 -> '33.3%', None -> '—'."""
    if value is None or value != value:  # None or NaN: no denominator
        return "—"
    text = f"{value * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def summary_sentence(stats: dict, today: dt.date | dt.datetime | None = None) -> str:
    """One sentence for a report, in the student union's style, with today's numbers."""
    h = stats.get("headline", stats)
    today = today or stats.get("today") or clock.now().date()
    if isinstance(today, dt.datetime):
        today = today.date()
    sentence = (f"截至{today.year}年{today.month}月{today.day}日，向职能部门对接提案{h['forwarded']}件，"
                f"移交率{percent(h['forward_rate'])}；其中{h['replied']}件提案得到回复，已解决{h['resolved']}件，"
                f"{h['awaiting']}件正在回复中。")
    if h.get("rated"):
        sentence += f"提案人对答复的满意率为{percent(h['satisfaction'])}。"
    return sentence


HEADLINE_LABELS = {
    "valid": "有效提案", "forwarded": "已转办", "forward_rate": "移交率", "replied": "已答复", "reply_rate": "回复率",
    "resolved": "已解决", "resolve_rate": "解决率", "in_progress": "办理中", "not_feasible": "暂不具备条件",
    "awaiting": "正在回复中", "overdue": "逾期未答复", "rated": "已评价", "satisfied": "满意", "basic": "基本满意",
    "unsatisfied": "不满意", "satisfaction": "满意率",
}
GROUP_COLUMNS = {"name": "名称", "forwarded": "已转办", "replied": "已答复", "reply_rate": "回复率",
                 "resolved": "已解决", "resolve_rate": "解决率", "in_progress": "办理中", "not_feasible": "暂不具备条件",
                 "awaiting": "正在回复中", "overdue": "逾期", "rated": "已评价", "satisfaction": "满意率",
                 "mean_reply_days": "平均用时（天）"}


def group_table(frame: pd.DataFrame, first: str = "部门", with_valid: bool = False) -> pd.DataFrame:
    """A by-department / by-topic frame with Chinese headers and rates as text."""
    columns = dict(GROUP_COLUMNS)
    if with_valid:
        columns = {"name": "名称", "valid": "有效提案", "forwarded": "已转办", "forward_rate": "移交率"} | {
            k: v for k, v in GROUP_COLUMNS.items() if k not in ("name", "forwarded")}
    if frame.empty:
        return pd.DataFrame(columns=[first] + list(columns.values())[1:])
    out = frame[list(columns)].copy()
    for key in ("reply_rate", "resolve_rate", "satisfaction", "forward_rate"):
        if key in out:
            out[key] = out[key].map(percent)
    return out.rename(columns=columns | {"name": first})


def export_excel(db: Database, user, *, now: dt.datetime | None = None) -> bytes:
    """Everything for the student congress report in one workbook."""
    from .exports import to_excel

    policy.require(user, "forward_proposals")
    now = (now or clock.now()).replace(microsecond=0)
    figures = stats(db, user, now=now)
    h = figures["headline"]
    headline = pd.DataFrame([{"指标": HEADLINE_LABELS[k], "数值": percent(h[k]) if k.endswith("rate") or k == "satisfaction"
                              else h[k]} for k in HEADLINE_LABELS])
    definitions = pd.DataFrame([{"指标": k, "定义": v} for k, v in DEFINITIONS.items()])
    summary = pd.DataFrame([{"汇总": summary_sentence(figures, now.date())}])
    topics = {t["code"]: t["name"] for t in settings.get(db).topics}
    detail = pd.DataFrame(db.query("""
        select c.id as 办理编号, p.id as 提案编号, p.title as 标题, p.topic as 议题, coalesce(p.author_name, u.name) as 提案人,
               p.college as 学院, d.name as 主办部门,
               (select group_concat(cd.department, ' ') from case_departments cd where cd.case_id = c.id
                 and cd.role = 'co') as 协办部门,
               c.status as 办理状态, c.state as 最新答复状态, c.forwarded_at as 转办时间, c.due_at as 答复期限,
               c.first_reply_at as 首次答复时间, c.last_reply_at as 最近答复时间,
               (select level from ratings r where r.proposal_id = p.id order by r.round desc limit 1) as 评价
        from case_members m join cases c on c.id = m.case_id join proposals p on p.id = m.proposal_id
             join users u on u.id = p.submitter_id left join departments d on d.code = c.department
        order by c.id, p.id"""))
    if not detail.empty:
        detail["议题"] = detail["议题"].map(lambda t: topics.get(t, t))
        detail["办理状态"] = detail["办理状态"].map(labels(CaseStatus))
        detail["最新答复状态"] = detail["最新答复状态"].map(labels(AnswerState))
        detail["评价"] = detail["评价"].map(labels(Rating))
    entries = pd.DataFrame(db.query("""
        select r.case_id as 办理编号, d.name as 部门, r.kind as 类型, r.state as 状态, r.text as 答复内容,
               r.plan as 办理计划, r.expected_date as 预计完成日期, r.reason as 原因, r.at as 时间,
               r.published as 公开
        from replies r left join departments d on d.code = r.department order by r.case_id, r.at"""))
    if not entries.empty:
        entries["类型"] = entries["类型"].map(labels(EntryKind))
        entries["状态"] = entries["状态"].map(labels(AnswerState))
        entries["公开"] = entries["公开"].map({1: "是", 0: "否"})
    ratings = pd.DataFrame(db.query("""
        select r.proposal_id as 提案编号, r.case_id as 办理编号, r.round as 轮次, r.level as 评价, r.comment as 意见,
               r.at as 时间 from ratings r order by r.proposal_id, r.round"""))
    if not ratings.empty:
        ratings["评价"] = ratings["评价"].map(labels(Rating))
    distribution = reply_day_distribution(figures["reply_days"])
    return to_excel({
        "汇总": summary, "总体指标": headline, "指标定义": definitions,
        "按部门": group_table(figures["by_department"], "部门"),
        "按议题": group_table(figures["by_topic"], "议题", with_valid=True),
        "答复用时分布": distribution, "累计答复": figures["cumulative"].reset_index(),
        "办理明细": detail, "答复记录": entries, "评价": ratings,
    })


REPLY_DAY_BINS = [0, 7, 15, 30, 60, 90, float("inf")]
REPLY_DAY_LABELS = ["7天内", "7–14天", "15–29天", "30–59天", "60–89天", "90天及以上"]


def reply_day_distribution(days: pd.Series) -> pd.DataFrame:
    """Counts of first replies by how long they took (the dashboard's histogram)."""
    counts = (pd.cut(days.clip(lower=0), bins=REPLY_DAY_BINS, labels=REPLY_DAY_LABELS, right=False).value_counts()
              .reindex(REPLY_DAY_LABELS).fillna(0).astype(int))
    return counts.rename_axis("答复用时").reset_index(name="提案数")
