"""Benchmark contest.ranking on a synthetic, seeded contest.

10,000 proposals x 3 sheets x 5 criteria (150,000 score rows), 200 judges,
each proposal reviewed by 3 distinct random judges; integer scores 0–10 with a
per-judge leniency offset.  For each aggregation method, times
sheet_totals + aggregate + rank (best of 3; target < 1 s each), plus the
diagnostics (judge_statistics, krippendorff_alpha, assign_awards) once.
Records the figures in benchmarks/RESULTS.md, section "Ranking".

Run: python benchmarks/rank.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _results import best_of, record  # noqa: E402

from contest import ranking as R  # noqa: E402

N_PROPOSALS, N_SHEETS, N_CRITERIA, N_JUDGES, SEED, TARGET = 10_000, 3, 5, 200, 20240601, 1.0


def synthetic(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    criteria = [f"C{i + 1}" for i in range(N_CRITERIA)]
    rubric = pd.DataFrame({"criterion": criteria, "weight": rng.integers(1, 4, N_CRITERIA),
                           "min": 0, "max": 10})
    judges = np.argsort(rng.random((N_PROPOSALS, N_JUDGES)), axis=1)[:, :N_SHEETS]  # distinct per proposal
    quality = rng.normal(6, 1.5, N_PROPOSALS)
    leniency = rng.normal(0, 1, N_JUDGES)
    sheet_proposal = np.repeat(np.arange(N_PROPOSALS), N_SHEETS)
    sheet_judge = judges.ravel()
    base = quality[sheet_proposal] + leniency[sheet_judge]
    raw = base[:, None] + rng.normal(0, 1, (len(base), N_CRITERIA))
    scores = pd.DataFrame({
        "proposal": np.repeat([f"P{p:05d}" for p in sheet_proposal], N_CRITERIA),
        "judge": np.repeat([f"J{j:03d}" for j in sheet_judge], N_CRITERIA),
        "criterion": np.tile(criteria, len(base)),
        "score": np.clip(np.rint(raw), 0, 10).ravel(),
    })
    return scores, rubric


def _time_all(steps) -> list[tuple[str, float]]:
    timed = []
    for label, fn in steps:
        seconds, _ = best_of(fn)
        timed.append((label, seconds))
        print(f"{label}: {seconds:.3f} s")
    return timed


def main() -> None:
    scores, rubric = synthetic()
    rows = []
    for method in R.METHODS:
        seconds, ranked = best_of(lambda m=method: R.rank(R.aggregate(R.sheet_totals(scores, rubric), m)))
        rows.append((method, seconds, ranked))
        print(f"{method:8s} sheet_totals+aggregate+rank: {seconds:.3f} s  (top: {ranked['proposal'].iloc[0]})")
    totals = R.sheet_totals(scores, rubric)
    extras = [
        ("sheet_totals alone", lambda: R.sheet_totals(scores, rubric)),
        ("rank with tie_break=['sheets','C1']",
         lambda: R.rank(R.aggregate(totals, "zscore"), 3, ["sheets", "C1"], R.criterion_mean_table(scores, rubric))),
        ("judge_statistics", lambda: R.judge_statistics(totals)),
        ("krippendorff_alpha", lambda: R.krippendorff_alpha(totals)),
        ("compare_methods mean vs zscore", lambda: R.compare_methods(totals)),
        ("assign_awards (default tiers)", lambda: R.assign_awards(rows[-1][2])),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "scores.csv"
        scores.to_csv(csv_path, index=False)
        extras.append(("rank_file (150k-row csv, inferred rubric, zscore)", lambda: R.rank_file(csv_path)))
        extra_rows = _time_all(extras)

    alpha = R.krippendorff_alpha(totals)
    change = R.compare_methods(totals)["rank_change"].abs()
    moved, mean_move = (change != 0).mean(), change.mean()
    print(f"alpha = {alpha:.3f}; mean vs zscore: {moved:.1%} change rank, mean |change| = {mean_move:.0f} places")

    body = [f"{N_PROPOSALS:,} proposals × {N_SHEETS} sheets × {N_CRITERIA} criteria "
            f"({len(scores):,} score rows), {N_JUDGES} judges, seed {SEED}, best of 3.", "",
            "| method | sheet_totals + aggregate + rank | target < 1 s |", "|---|---|---|"]
    body += [f"| {m} ({R.METHODS[m]}) | {s:.3f} s | {'ok' if s < TARGET else 'MISSED'} |" for m, s, _ in rows]
    body += ["", "| other step | time |", "|---|---|"]
    body += [f"| {label} | {s:.3f} s |" for label, s in extra_rows]
    body += ["", f"Krippendorff α (interval) on the synthetic totals: {alpha:.3f}; "
                 f"mean vs zscore: {moved:.1%} of proposals change rank, by {mean_move:.0f} places on average "
                 f"(judge leniency σ = 1 point on a 0–10 scale)."]
    record("Ranking", "\n".join(body))


if __name__ == "__main__":
    main()
