"""Speed and memory of contest.topics end to end on 10,000 and 100,000 proposals.

Proposals are title + body pairs sampled with replacement from the shared corpus
(att3, att4 and valid921 messages, read at run time). Each size runs in its own
subprocess so that peak memory (ru_maxrss) belongs to that size alone. Measured per size:
keyword topic classification (fit + assign), same-issue grouping with group keywords,
the total, and a bare ``TfidfVectorizer().fit_transform`` of the same texts for scale.

Run: python benchmarks/topics_speed.py [sizes...]
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FILES = ("att3_messages_4326.csv", "att4_messages_replies_2816.csv", "valid921_with_svm_pred.csv")


def measure(n: int) -> dict:
    """Run in a child process: time each stage on n sampled proposals."""
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer

    from contest import topics

    frames = [pd.read_csv(CORPUS / f, dtype=str, keep_default_na=False)[["留言主题", "留言详情"]]
              for f in FILES]
    pool = pd.concat(frames, ignore_index=True)
    # n = 0: every corpus message once (no duplicates), the hardest case for grouping
    sample = pool if n == 0 else pool.iloc[np.random.default_rng(0).integers(0, len(pool), n)]
    texts = [topics.join_text(t, b) for t, b in zip(sample["留言主题"], sample["留言详情"])]
    n = len(texts)
    out = {"n": n, "distinct": len(set(texts)), "chars": int(sum(map(len, texts)) / n)}

    t = time.perf_counter()
    TfidfVectorizer().fit_transform(texts)
    out["bare_tfidf"] = time.perf_counter() - t

    t = time.perf_counter()
    result = topics.TopicClassifier().fit(texts).assign(texts)
    out["classify"] = time.perf_counter() - t
    t = time.perf_counter()
    groups = topics.group_same_issue(texts)
    out["group"] = time.perf_counter() - t
    t = time.perf_counter()
    topics.group_keywords(texts, groups)
    out["keywords"] = time.perf_counter() - t
    out["total"] = out["classify"] + out["group"] + out["keywords"]
    out["groups"] = len({g for g in groups if g is not None})
    out["review"] = float(result["needs_review"].mean())
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return out


def main(sizes=(0, 10_000, 100_000)) -> None:
    if not CORPUS.exists():
        print(f"corpus folder {CORPUS} not found: nothing to measure")
        return
    rows = []
    for n in sizes:
        code = f"import sys, json; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); " \
               f"import topics_speed as s; print(json.dumps(s.measure({n})))"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(r, flush=True)
    target = {10_000: "< 10 s", 100_000: "< 120 s"}
    lines = ["Keyword topic classification + same-issue groups + group keywords, title x2 + body "
             "sampled with replacement from att3/att4/valid921; the first row is every message once. "
             "Sampled sets hold exact duplicates: they are vectorised once for grouping and always "
             "share a group, so grouping cost follows the distinct count. Each size in its own process; peak = ru_maxrss.", "",
             "| proposals (distinct) | avg chars | classify s | group s | keywords s | total s | target | "
             "peak MB | bare TfidfVectorizer s | total / bare | groups |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['n']:,} ({r['distinct']:,}) | {r['chars']} | {r['classify']:.1f} | {r['group']:.1f} | "
                     f"{r['keywords']:.1f} | **{r['total']:.1f}** | {target.get(r['n'], '')} | "
                     f"{r['peak_mb']:.0f} (target < 2048) | {r['bare_tfidf']:.1f} | "
                     f"{r['total'] / r['bare_tfidf']:.1f}x | {r['groups']:,} |")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _results import record
    record("Topics speed", "\n".join(lines))


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (0, 10_000, 100_000))
