"""Follow-up dashboard at real size: 2,816 real messages with official replies and dates
(../shared/corpus/att4_messages_replies_2816.csv, read at run time) loaded as forwarded cases with replies.

Times the dashboard computation (followup_stats.stats), the summary sentence, the Excel export and an AppTest
rerun of the dashboard page and of the public page. Target: each dashboard rerun under 300 ms.

    python benchmarks/followup.py
"""
from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "att4_messages_replies_2816.csv"
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
STATES = ["resolved", "in_progress", "planned", "resolved", "not_feasible", "resolved", "planned"]


def clean(value, limit: int) -> str:
    text = INVISIBLE.sub("", str(value or "")).replace("\r\n", "\n").replace("\t", " ").strip()
    return text[:limit]


def load(db, frame):
    """Users, departments and one valid proposal + case + reply per message, through the domain functions."""
    from contest import accounts, forwarding, ratings, replies, settings

    now = dt.datetime(2020, 1, 31, 12, 0)
    settings.initialise(db, contest_name="基准测试", now=dt.datetime(2019, 1, 1, 8, 0))
    codes = ["jwc", "hqc", "bwc", "xgc", "tsg", "wlzx", "zcc", "jjc", "tw", "xxb", "cwc", "yjsy"]
    db["departments"].insert_all([{"code": c, "name": f"部门{c}", "description": "", "active": 1} for c in codes])
    base = {"password_hash": "x", "must_change_password": 0, "active": 1}
    db["users"].insert_all([base | {"username": "organizer", "role": "organizer", "name": "组织者"}]
                           + [base | {"username": f"dept-{c}", "role": "department", "name": c, "department": c}
                              for c in codes]
                           + [base | {"username": f"s{i}", "role": "participant", "name": f"学生{i}",
                                      "student_no": f"S{i:05d}", "college": "管理学院"} for i in range(200)])
    ids = {r["username"]: r["id"] for r in db["users"].rows}
    organizer = accounts.get_user(db, ids["organizer"])
    staff = {c: accounts.get_user(db, ids[f"dept-{c}"]) for c in codes}
    topics = settings.get(db).topic_codes
    frame = frame.assign(asked=pd.to_datetime(frame["留言时间"], errors="coerce", format="mixed"),
                         answered=pd.to_datetime(frame["答复时间"], errors="coerce", format="mixed"))
    frame = frame.dropna(subset=["asked", "answered"])
    rows = []
    for n, r in enumerate(frame.itertuples(index=False)):
        rows.append({"submitter_id": ids[f"s{n % 200}"], "title": clean(r.留言主题, 40) or "无题",
                     "topic": topics[n % len(topics)], "problem": clean(r.留言详情, 3000),
                     "department": codes[n % len(codes)], "college": "管理学院", "status": "valid", "source": "import",
                     "created_at": str(r.asked), "screened_at": str(r.asked)})
    with db.atomic():
        db["proposals"].insert_all(rows, batch_size=500)
    pids = [r["id"] for r in db.query("select id from proposals order by id")]
    cases = 0
    for n, (pid, r) in enumerate(zip(pids, frame.itertuples(index=False))):
        code = codes[n % len(codes)]
        asked = r.asked.to_pydatetime().replace(microsecond=0)
        answered = max(r.answered.to_pydatetime().replace(microsecond=0), asked)
        case = forwarding.forward(db, organizer, pid, code, now=asked)
        cases += 1
        if n % 10 == 9:
            continue  # one in ten still waits for its reply
        state = STATES[n % len(STATES)]
        text = clean(r.答复意见, 3000)
        if len(text) < 10:
            text = (text + "（答复内容见附件。）").ljust(10, "。")
        extra = {"plan": "按答复推进", "expected_date": (answered + dt.timedelta(days=60)).date()} \
            if state == "in_progress" else {"reason": "条件暂不具备"} if state == "not_feasible" else {}
        replies.reply(db, staff[code], case, state, text, now=answered, **extra)
        if n % 4 == 0:
            author = accounts.get_user(db, rows[n]["submitter_id"])
            ratings.rate(db, author, pid, ["satisfied", "basic", "unsatisfied"][n % 3], now=answered)
    return organizer, now, cases


def timed(fn, repeat: int = 7) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def app_rerun_ms(user_id: int, page: str, repeat: int = 7, before=None) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    if user_id is not None:
        at.session_state["user_id"] = user_id
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    ms, _ = timed(lambda: (before and before(), at.run()), repeat)
    assert not at.exception, at.exception
    return ms


def main() -> None:
    if not CORPUS.exists():
        print(f"跳过：找不到语料 {CORPUS}")
        return
    from _results import record

    from contest import audit, db as database, followup_stats

    frame = pd.read_csv(CORPUS, dtype=str)
    folder = tempfile.mkdtemp(prefix="followup-bench-")
    os.environ["CONTEST_DB"] = str(Path(folder) / "contest.db")
    db = database.connect()
    start = time.perf_counter()
    organizer, now, cases = load(db, frame)
    load_s = time.perf_counter() - start
    stats_ms, stats = timed(lambda: followup_stats.stats(db, organizer, now=now))
    public_ms, _ = timed(lambda: followup_stats.public_stats(db, now=now))
    sentence = followup_stats.summary_sentence(stats, now.date())
    export_ms, data = timed(lambda: followup_stats.export_excel(db, organizer, now=now), repeat=3)
    dashboard_ms = app_rerun_ms(organizer.id, "app_pages/followup_dashboard.py")
    # a write in between (as after a reply) changes the data version: the figures are recomputed
    touch = lambda: audit.record(db, organizer, "benchmark_touch")  # noqa: E731
    dashboard_miss_ms = app_rerun_ms(organizer.id, "app_pages/followup_dashboard.py", before=touch)
    public_page_ms = app_rerun_ms(None, "app_pages/public_followup.py")
    h = stats["headline"]
    verdict = lambda ms: "✅" if ms < 300 else "❌"  # noqa: E731
    body = f"""Corpus: `att4_messages_replies_2816.csv` ({len(frame)} messages, read at run time); loaded as
{cases} forwarded cases (one proposal each, 12 departments, 6 topics) through `forwarding.forward` / `reply` /
`rate`, one in ten left without a reply, a quarter rated. Load time {load_s:.1f} s.

| measure | median | target |
|---|---|---|
| `followup_stats.stats` (headline, by department, by topic, reply days, cumulative) | {stats_ms:.0f} ms | {verdict(stats_ms)} < 300 ms |
| `followup_stats.public_stats` | {public_ms:.0f} ms | |
| AppTest rerun of 办理追踪 (dashboard page, organizer), figures cached on the data version | {dashboard_ms:.0f} ms | {verdict(dashboard_ms)} < 300 ms |
| AppTest rerun of 办理追踪 after a write (cache miss: figures recomputed) | {dashboard_miss_ms:.0f} ms | {verdict(dashboard_miss_ms)} < 300 ms |
| AppTest rerun of 提案办理公开 (public page, logged out) | {public_page_ms:.0f} ms | {verdict(public_page_ms)} < 300 ms |
| `followup_stats.export_excel` (10 sheets, {len(data) / 1024:.0f} KB; only on the download click) | {export_ms:.0f} ms | |

Headline: valid {h['valid']}, forwarded {h['forwarded']}, replied {h['replied']}, resolved {h['resolved']},
overdue {h['overdue']}, satisfaction {followup_stats.percent(h['satisfaction'])}; reply days median
{stats['reply_days'].median():.1f}.

Summary sentence: {sentence}
"""
    print(body)
    record("Follow-up dashboard", body)


if __name__ == "__main__":
    main()
