"""Benchmark contest.assignment.auto_assign on a synthetic, seeded contest.

Scenario "full": 10,000 proposals x 3 reviews -> 200 judges, college_rule on,
~5% of proposals have a judge among their authors, 25 colleges, ~2% of all
(proposal, judge) pairs declared as conflicts.
Scenario "incremental": after "full", 500 more proposals and 10 new judges
arrive; the first run's pairs are passed as `existing`.
Scenario "skewed existing": 3,000 fixed pairs all on 20 judges, then the full
assignment must even the totals out (exercises the repair pass).

Time is measured without tracemalloc (best of 3); peak memory in a separate
traced run.  Records the figures in benchmarks/RESULTS.md, section "Assignment".

Run: python benchmarks/assign.py
"""
from __future__ import annotations

import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _results import record  # noqa: E402

from contest.assignment import Judge, Proposal, auto_assign, conflict_reason, loads  # noqa: E402

SEED = 20240601
N_PROPS, N_JUDGES, K = 10_000, 200, 3
TOPICS = [f"主题{i:02d}" for i in range(20)]
COLLEGES = [f"学院{i:02d}" for i in range(25)]


def make(seed: int, n_props: int, n_judges: int, pid0: int = 1, jid0: int = 1):
    rng = random.Random(seed)
    judges = [
        Judge(jid0 + i, rng.choice(COLLEGES), frozenset(rng.sample(TOPICS, rng.randint(1, 4))))
        for i in range(n_judges)
    ]
    props = []
    for i in range(n_props):
        n_auth = rng.randint(1, 3)
        aids = {100_000 + rng.randrange(10**6) for _ in range(n_auth)}
        if rng.random() < 0.05:
            aids.add(rng.choice(judges).id)
        cols = frozenset(rng.choice(COLLEGES) for _ in range(n_auth))
        props.append(Proposal(pid0 + i, rng.choice(TOPICS), frozenset(aids), cols))
    n_declared = int(0.02 * n_props * n_judges)
    conflicts = frozenset(
        (pid0 + rng.randrange(n_props), jid0 + rng.randrange(n_judges)) for _ in range(n_declared)
    )
    return props, judges, conflicts


def timed(fn, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def check(props, judges, conflicts, pairs_all, k):
    pm = {p.id: p for p in props}
    jm = {j.id: j for j in judges}
    bad = sum(
        1 for p, j in pairs_all if p in pm and j in jm and conflict_reason(pm[p], jm[j], conflicts, True) is not None
    )
    lv = loads(pairs_all, judges).values()
    per = {}
    for p, _ in pairs_all:
        per[p] = per.get(p, 0) + 1
    short = sum(1 for p in pm if per.get(p, 0) < k)
    topic = sum(1 for p, j in pairs_all if pm[p].topic in jm[j].topics) / max(len(pairs_all), 1)
    return bad, min(lv), max(lv), short, topic


def main() -> None:
    rows = []
    props, judges, conflicts = make(SEED, N_PROPS, N_JUDGES)
    run = lambda: auto_assign(props, judges, K, conflicts, college_rule=True)  # noqa: E731
    secs, res = timed(run)
    mem = peak_mib(run)
    again = run()
    deterministic = again == res
    shuffled = auto_assign(random.Random(1).sample(props, len(props)), judges[::-1], K, conflicts, True)
    deterministic &= shuffled == res
    bad, lo, hi, short, topic = check(props, judges, conflicts, res.pairs, K)
    n_conf_pairs = sum(
        1 for p in props for j in judges if conflict_reason(p, j, conflicts, True) is not None
    )
    rows.append(("full", len(props), len(judges), len(res.pairs), secs, mem, lo, hi, bad, short, topic))
    print(f"full: {secs:.3f}s, peak {mem:.1f} MiB, loads {lo}..{hi}, conflicts violated {bad}, "
          f"shortfalls {short}, topic match {topic:.1%}, deterministic {deterministic}, "
          f"conflicting pairs in instance {n_conf_pairs} ({n_conf_pairs / (len(props) * len(judges)):.1%})")

    # incremental: more proposals and judges arrive later
    p2, j2, c2 = make(SEED + 1, 500, 10, pid0=N_PROPS + 1, jid0=N_JUDGES + 1)
    props_b, judges_b, conf_b = props + p2, judges + j2, conflicts | c2
    run_b = lambda: auto_assign(props_b, judges_b, K, conf_b, True, existing=res.pairs)  # noqa: E731
    secs_b, res_b = timed(run_b)
    mem_b = peak_mib(run_b)
    moved = len(set(res_b.pairs) & set(res.pairs))
    bad_b, lo_b, hi_b, short_b, topic_b = check(props_b, judges_b, conf_b, res.pairs + res_b.pairs, K)
    new_judge_load = min(loads(res_b.pairs, j2).values())
    rows.append(("incremental (+500 proposals, +10 judges)", len(props_b), len(judges_b), len(res_b.pairs),
                 secs_b, mem_b, lo_b, hi_b, bad_b, short_b, topic_b))
    print(f"incremental: {secs_b:.3f}s, peak {mem_b:.1f} MiB, total loads {lo_b}..{hi_b}, "
          f"violations {bad_b}, shortfalls {short_b}, new judges' min load {new_judge_load}, "
          f"existing pairs re-emitted {moved}")

    # skewed existing pairs force the repair pass to work
    rng = random.Random(SEED + 2)
    heavy = judges[:20]
    skew = []
    for p in props[:3000]:
        j = heavy[rng.randrange(20)]
        if conflict_reason(p, j, conflicts, True) is None:
            skew.append((p.id, j.id))
    run_c = lambda: auto_assign(props, judges, K, conflicts, True, existing=skew)  # noqa: E731
    secs_c, res_c = timed(run_c)
    mem_c = peak_mib(run_c)
    bad_c, lo_c, hi_c, short_c, topic_c = check(props, judges, conflicts, skew + res_c.pairs, K)
    rows.append((f"skewed existing ({len(skew)} fixed pairs on 20 judges)", len(props), len(judges),
                 len(res_c.pairs), secs_c, mem_c, lo_c, hi_c, bad_c, short_c, topic_c))
    tot_c, new_c = loads(skew + res_c.pairs, judges), loads(res_c.pairs, judges)
    movable = [tot_c[j] for j in tot_c if new_c[j] > 0]
    pinned = sorted(tot_c[j] for j in tot_c if new_c[j] == 0)
    print(f"skewed: {secs_c:.3f}s, peak {mem_c:.1f} MiB, total loads {lo_c}..{hi_c}, violations {bad_c}, "
          f"judges given new pairs {min(movable)}..{max(movable)}, judges left at their fixed load {pinned}")

    body = [
        f"Synthetic seeded contest (seed {SEED}): {N_PROPS:,} proposals, k={K}, {N_JUDGES} judges, "
        f"college_rule on, 25 colleges, ~5% proposals with a judge-author, "
        f"{len(conflicts):,} declared conflicts (~2% of pairs); {n_conf_pairs / (len(props) * len(judges)):.1%} "
        "of all (proposal, judge) pairs are conflicts in total. Time = best of 3 without tracemalloc; "
        "peak = tracemalloc peak of a separate run. Loads are totals (existing + new).",
        "",
        "| scenario | proposals | judges | new pairs | time (s) | peak (MiB) | load min..max | "
        "conflicts violated | shortfalls | topic match |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, np_, nj, npairs, s, m, lo_, hi_, b, sh, tp in rows:
        body.append(f"| {name} | {np_:,} | {nj} | {npairs:,} | {s:.3f} | {m:.1f} | {lo_}..{hi_} | {b} | {sh} | {tp:.1%} |")
    body += [
        "",
        f"Deterministic (same input twice, and shuffled input order): {'yes' if deterministic else 'NO'}. "
        f"Incremental run re-emitted {moved} existing pairs; new judges' minimum load {new_judge_load}.",
        f"Skewed scenario: the spread is not <= 1 only because {len(pinned)} judges already exceed the average "
        f"with fixed pairs ({pinned}) and receive nothing new; the judges given new pairs end at "
        f"{min(movable)}..{max(movable)}.",
    ]
    record("Assignment", "\n".join(body))


if __name__ == "__main__":
    main()
