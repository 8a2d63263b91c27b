"""Every page for every role at 130, 10,000 and 50,000 proposals (``contest.scale_demo``), in AppTest.

For each role (contest/navigation.py ROLE_PAGES, the public pages, the account page; logged out:
login, registration and the public pages) and each page: the median of warm reruns, and the first
run after a write (a student edits a proposal and a judge saves a sheet, so the data versions the
caches depend on change). ``empty`` is a one-line Streamlit script run the same way in the same
run: the ratio page / empty says how much of a rerun is the page's own work. Also: the organizer's
login (typing the password on the login page until the first page is drawn) and saving an edited
proposal (the domain save plus the similar-proposal hint's next look-up).

Targets (issue 13): every page < 300 ms warm and < 1 s after a write at 10,000; < 1 s warm at 50,000.

    python benchmarks/pages.py                       # 130, 10000, 50000; writes benchmarks/RESULTS.md
    python benchmarks/pages.py --sizes 10000 --no-record --pages overview,judging_progress
    python benchmarks/pages.py --sizes 10000 --profile app_pages/overview.py   # cProfile of warm reruns
"""
from __future__ import annotations

import argparse
import logging
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 900


def ms(seconds: float) -> float:
    return seconds * 1000


def role_pages() -> dict[str, list[tuple[str, str]]]:
    from contest.navigation import ACCOUNT, LOGGED_OUT, PUBLIC, ROLE_PAGES
    from contest.vocabulary import Role

    out = {}
    for role, sections in ROLE_PAGES.items():
        out[Role(role).label] = [(p, t) for entries in sections.values() for p, t, _ in entries] + \
            [(p, t) for p, t, _ in PUBLIC + ACCOUNT]
    out["未登录"] = [(p, t) for p, t, _ in LOGGED_OUT + PUBLIC]
    return out


class Bench:
    def __init__(self, db, n: int, repeat: int):
        from contest import accounts

        self.db, self.n, self.repeat = db, n, repeat
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        self.ids = {
            "组织者": 1,
            "评委": one("select judge_id from assignments where published = 1 order by judge_id limit 1"),
            "参赛学生": one("select p.submitter_id from proposals p join case_members m on m.proposal_id = p.id "
                        "join cases c on c.id = m.case_id where c.first_reply_at is not null "
                        "order by p.id limit 1"),
            "职能部门": one("select id from users where role = 'department' and department = "
                        "(select department from cases group by department order by count(*) desc limit 1)"),
            "未登录": None,
        }
        self.writer = accounts.get_user(db, one("select submitter_id from proposals where status = 'submitted' "
                                                "order by id limit 1"))
        self.edited = one(f"select id from proposals where status = 'submitted' and submitter_id = {self.writer.id} "
                          "order by id limit 1")
        self.judge = accounts.get_user(db, self.ids["评委"])
        self.sheet_pid = one(f"select a.proposal_id from assignments a left join sheets s on s.proposal_id = "
                             f"a.proposal_id and s.judge_id = a.judge_id where a.published = 1 and a.judge_id = "
                             f"{self.judge.id} and coalesce(s.status, 'draft') = 'draft' order by a.proposal_id limit 1")
        self.writes = 0

    def write(self) -> None:
        """A student edits a submitted proposal, a judge saves a draft sheet."""
        from contest import proposals, score_sheets

        self.writes += 1
        row = proposals.get(self.db, self.writer, self.edited)
        fields = {k: row[k] for k in ("title", "topic", "department", "problem", "investigation", "suggestions")}
        fields["problem"] = row["problem"].rstrip("。") + "。" * (1 + self.writes % 2)
        fields["coauthors"] = " ".join(c["student_no"] for c in row.get("coauthors", []))
        proposals.save_draft(self.db, self.writer, fields, proposal_id=self.edited)
        score_sheets.save_sheet(self.db, self.judge, self.sheet_pid, {"value": 5 + self.writes % 3}, submit=False)

    def app(self, role: str):
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if self.ids[role] is not None:
            at.session_state["user_id"] = self.ids[role]
        at.run()
        return at

    def run(self, at) -> float:
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{at.exception[0].message}\n{at.exception[0].stack_trace}")
        return elapsed

    def page(self, role: str, path: str) -> dict:
        at = self.app(role)
        at.switch_page(path)
        first = self.run(at)
        warm = statistics.median(self.run(at) for _ in range(self.repeat))
        self.write()
        after = self.run(at)
        return {"first": first, "warm": warm, "after": after}

    def empty(self) -> float:
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_string("import streamlit as st\nst.write('')", default_timeout=TIMEOUT)
        at.run()
        return statistics.median(self.run(at) for _ in range(max(self.repeat, 5)))

    def login(self) -> float:
        """The organizer types the password on the login page; until the first page is drawn."""
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        at.text_input[0].input("organizer")
        at.text_input[1].input("demo1234")
        at.button[0].click()
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        assert "退出登录" in [b.label for b in at.button], "the organizer is not logged in"
        return elapsed

    def save_edit(self) -> float:
        """Saving an edited proposal: the domain save and the similar-proposal hint's next look-up."""
        from contest import topic_map

        times = []
        for _ in range(self.repeat):
            start = time.perf_counter()
            self.write_proposal_only()
            topic_map.similar_to_draft(self.db, self.writer, "宿舍热水供应时间太短，建议延长热水供应时间")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    def write_proposal_only(self) -> None:
        from contest import proposals

        self.writes += 1
        row = proposals.get(self.db, self.writer, self.edited)
        fields = {k: row[k] for k in ("title", "topic", "department", "problem", "investigation", "suggestions")}
        fields["problem"] = row["problem"].rstrip("。") + "。" * (1 + self.writes % 2)
        fields["coauthors"] = " ".join(c["student_no"] for c in row.get("coauthors", []))
        proposals.save_draft(self.db, self.writer, fields, proposal_id=self.edited)


def build(n: int, folder: Path):
    from contest import db as database, scale_demo

    path = folder / f"scale{n}.db"
    os.environ["CONTEST_DB"] = str(path)
    start = time.perf_counter()
    summary = scale_demo.build(database.connect(path), n)
    built = time.perf_counter() - start
    print(f"N={n}: built in {built:.1f} s ({summary})", flush=True)
    return database.connect(path), built, summary


def measure(n: int, folder: Path, repeat: int, only: set[str] | None, roles: set[str] | None,
            skip: set[str] = frozenset()) -> dict:
    import streamlit as st

    from contest import clock

    st.cache_data.clear()
    st.cache_resource.clear()
    db, built, summary = build(n, folder)
    bench = Bench(db, n, repeat)
    out = {"n": n, "built": built, "summary": summary, "empty": bench.empty(), "pages": [],
           "login": bench.login(), "save": bench.save_edit()}
    print(f"  empty {ms(out['empty']):.0f} ms, login {ms(out['login']):.0f} ms, save {ms(out['save']):.0f} ms",
          flush=True)
    for role, pages in role_pages().items():
        if roles and role not in roles:
            continue
        for path, title in pages:
            if (only and Path(path).stem not in only) or Path(path).stem in skip:
                continue
            started = clock.now()
            try:
                result = bench.page(role, path)
            except Exception as error:  # a failing page is a row, not the end of the run
                result = {"error": str(error).splitlines()[0][:120]}
            out["pages"].append((role, title, path, result))
            shown = result.get("error") or " / ".join(f"{k} {ms(v):.0f} ms" for k, v in result.items())
            print(f"  {role} {title}: {shown} ({(clock.now() - started).total_seconds():.0f} s)", flush=True)
    return out


def profile(n: int, folder: Path, paths: str, role: str, repeat: int) -> None:
    """cProfile of the warm reruns and the run after a write, per page (comma-separated paths)."""
    db, _, _ = build(n, folder)
    bench = Bench(db, n, repeat)
    for path in paths.split(","):
        at = bench.app(role)
        at.switch_page(path)
        bench.run(at)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(repeat):
            bench.run(at)
        bench.write()
        bench.run(at)
        prof.disable()
        print(f"===== {path}")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(r"contest|app_pages|streamlit_app|sqlite|pandas/core/frame", 30)


def table(results: list[dict]) -> str:
    sizes = [r["n"] for r in results]
    head = "| role | page | " + " | ".join(f"{n:,}: warm / after write" for n in sizes) + " |"
    lines = [head, "|---|---|" + "---|" * len(sizes)]
    keys = list(dict.fromkeys((role, title) for r in results for role, title, _, _ in r["pages"]))
    for role, title in keys:
        cells = []
        for r in results:
            found = next((res for ro, t, _, res in r["pages"] if (ro, t) == (role, title)), None)
            if found is None:
                cells.append("—")
            elif "error" in found:
                cells.append(f"error: {found['error']}")
            else:
                ratio = found["warm"] / r["empty"]
                flag = lambda v, limit: f"**{ms(v):.0f}**" if v > limit else f"{ms(v):.0f}"  # noqa: E731
                warm_limit = 1.0 if r["n"] >= 50000 else 0.3
                cells.append(f"{flag(found['warm'], warm_limit)} / {flag(found['after'], 1.0)} ms (×{ratio:.0f})")
        lines.append(f"| {role} | {title} | " + " | ".join(cells) + " |")
    lines.append("| — | empty page (one `st.write`) | " + " | ".join(f"{ms(r['empty']):.0f} ms" for r in results) + " |")
    lines.append("| 组织者 | login (password typed → first page drawn) | "
                 + " | ".join(f"{ms(r['login']):.0f} ms" for r in results) + " |")
    lines.append("| 参赛学生 | saving an edited proposal (+ next similar-proposal look-up) | "
                 + " | ".join(f"{ms(r['save']):.0f} ms" for r in results) + " |")
    lines.append("| — | building the contest (`demo --scale N`) | "
                 + " | ".join(f"{r['built']:.1f} s" for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="130,10000,50000")
    p.add_argument("--repeat", type=int, default=5, help="warm reruns per page (median)")
    p.add_argument("--pages", help="only these page files (stems, comma-separated)")
    p.add_argument("--skip", help="leave out these page files (stems, comma-separated)")
    p.add_argument("--roles", help="only these roles (Chinese labels, comma-separated)")
    p.add_argument("--section", default="Pages at scale", help="the section of RESULTS.md to write")
    p.add_argument("--no-record", action="store_true", help="print only, leave RESULTS.md alone")
    p.add_argument("--profile", metavar="PAGE", help="cProfile the warm reruns of one page (app_pages/x.py)")
    p.add_argument("--role", default="组织者", help="role for --profile")
    args = p.parse_args()
    from streamlit import config

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext" from cached functions
    config.set_option("client.showErrorDetails", "full")
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as tmp:
        if args.profile:
            profile(sizes[0], Path(tmp), args.profile, args.role, args.repeat)
            return
        only = set(args.pages.split(",")) if args.pages else None
        roles = set(args.roles.split(",")) if args.roles else None
        skip = set(args.skip.split(",")) if args.skip else set()
        results = [measure(n, Path(tmp), args.repeat, only, roles, skip) for n in sizes]
    body = table(results)
    print(body)
    if args.no_record:
        return
    from _results import record

    machine = f"{os.cpu_count()} cores, shared with other work while measured"
    skipped = f" Not measured here: {args.skip}." if args.skip else ""
    record(args.section, f"""`python benchmarks/pages.py` ({machine}; AppTest, {args.repeat} warm reruns per
page, median). Contest built by `python -m contest demo --scale N` (texts from the shared corpus when
present): N proposals, N/50 judges, 3 reviews per valid proposal, forwarded cases, replies, ratings.
Each cell: warm rerun / first run after a write (a student edits a proposal and a judge saves a
sheet), and in brackets the warm rerun as a multiple of an empty page measured in the same run.
**Bold**: over the target (warm < 300 ms at up to 10,000, < 1 s at 50,000; after a write < 1 s).
Measured on {dt.date.today().isoformat()}.{skipped}

{body}""")


if __name__ == "__main__":
    main()
