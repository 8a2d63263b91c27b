"""Speed and memory of contest.topics end to end on 10,000 and 100,000 proposals.

Two ways to build the proposals from the shared corpus (read at run time, never copied):

* ``distinct`` (default): every proposal is a DIFFERENT text, built at run time as the
  title of one labelled message (titles_9210) + 4-9 sentences drawn (seeded) from the
  bodies of other messages with the SAME label (details_partial_union), so the lengths
  match real messages (~385 characters with the title twice) and the vocabulary of a
  text stays on one topic. This is the honest cost: grouping work grows with the number
  of distinct texts.
* ``sample``: title + body pairs of att3/att4/valid921 messages sampled WITH replacement
  (~8k distinct texts only; identical texts are vectorised once for grouping, so this
  hides the grouping cost -- kept as a labelled second row for comparison).

Each size runs in its own subprocess so that peak memory (ru_maxrss) belongs to that size
alone; a size that runs longer than ``TIMEOUT`` seconds is stopped and recorded as such.
Measured per size: keyword topic classification (fit + assign), same-issue grouping,
group keywords (threshold derived from the data), the total, and a bare
``TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit_transform`` of the same texts in
the same process (target: total <= half of it at 10,000).

Run: python benchmarks/topics_speed.py [distinct:10000 distinct+sentence:10000 distinct:100000 sample:100000 ...]
(``+sentence``: the sentence vectors computed once as well, and groups on them; without it, the
word TF-IDF path)
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("CONTEST_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
FILES = ("att3_messages_4326.csv", "att4_messages_replies_2816.csv", "valid921_with_svm_pred.csv")
TIMEOUT = 360  # seconds per size before the run is stopped and recorded as "> 6 min"
SENTENCES = (4, 9)  # body sentences per distinct proposal (inclusive range)


def sampled_texts(n: int, seed: int = 0) -> list[str]:
    """n title + body pairs sampled with replacement from att3/att4/valid921 (few distinct)."""
    import numpy as np
    import pandas as pd

    from contest import topics

    frames = [pd.read_csv(CORPUS / f, dtype=str, keep_default_na=False)[["留言主题", "留言详情"]]
              for f in FILES]
    pool = pd.concat(frames, ignore_index=True)
    sample = pool.iloc[np.random.default_rng(seed).integers(0, len(pool), n)]
    return [topics.join_text(t, b) for t, b in zip(sample["留言主题"], sample["留言详情"])]


def distinct_texts(n: int, seed: int = 0) -> list[str]:
    """n different proposals: a labelled title + sentences of other same-label message bodies."""
    import numpy as np
    import pandas as pd

    from contest import topics

    rng = np.random.default_rng(seed)
    titles = pd.read_csv(CORPUS / "titles_9210.csv", dtype=str, keep_default_na=False)
    details = pd.read_csv(CORPUS / "details_partial_union.csv", dtype=str, keep_default_na=False)
    details = details[details["label_conflict"] != "True"].reset_index(drop=True)
    sentences = details["detail"].str.split(r"(?<=[。！？!?；;])").explode().str.strip()
    sentences = sentences[sentences.str.len() >= 8]  # (detail row index, sentence)
    by_label = {label: (sentences[sentences.index.isin(rows.index)].to_numpy(),
                        sentences.index[sentences.index.isin(rows.index)].to_numpy())
                for label, rows in details.groupby("label")}
    pick = rng.integers(0, len(titles), n)
    counts = rng.integers(SENTENCES[0], SENTENCES[1] + 1, n)
    texts, seen = [], set()
    for i, k in zip(pick, counts):
        pool, source = by_label[titles.at[i, "label"]]
        while True:  # other messages of the same label (the title's own body is not in details)
            body = "".join(pool[rng.integers(0, len(pool), k)])
            text = topics.join_text(titles.at[i, "title"], body)
            if text not in seen:
                break
        seen.add(text)
        texts.append(text)
    return texts


def measure(n: int, mode: str = "distinct") -> dict:
    """Run in a child process: time each stage on n proposals built by `mode`."""
    sys.path.insert(0, str(ROOT))
    from sklearn.feature_extraction.text import TfidfVectorizer

    from contest import topics

    base, _, similarity = mode.partition("+")  # "distinct+sentence": sentence vectors too
    texts = distinct_texts(n) if base == "distinct" else sampled_texts(n)
    out = {"mode": mode, "n": n, "distinct": len(set(texts)), "chars": int(sum(map(len, texts)) / n)}

    t = time.perf_counter()
    TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit_transform(texts)
    out["bare_tfidf"] = time.perf_counter() - t

    # the page's pipeline: words segmented once (kept in proposal_words), sentence vectors computed
    # once per proposal (kept in proposal_vectors); classify, group and keywords reuse both
    analyzer = topics.default_analyzer(topics.load_topics())
    t = time.perf_counter()
    words = [analyzer(x) for x in texts]
    out["words"] = time.perf_counter() - t
    raw = [x.split("。", topics.TITLE_WEIGHT - 1)[-1] for x in texts]  # the title once + body
    t = time.perf_counter()
    vectors = topics.grouping_vectors(raw) if similarity == "sentence" else None
    out["vectors"] = time.perf_counter() - t
    out["method"] = "sentence" if vectors is not None else "tfidf"

    t = time.perf_counter()
    result = topics.TopicClassifier(analyzer=analyzer).fit(words).assign(words)
    out["classify"] = time.perf_counter() - t
    t = time.perf_counter()
    found = topics.find_groups(words, analyzer=analyzer, embeddings=vectors)
    groups = found.groups
    out["threshold"] = found.threshold
    out["method"] = found.method
    out["group"] = time.perf_counter() - t
    t = time.perf_counter()
    topics.group_keywords(words, groups, analyzer=analyzer)
    out["keywords"] = time.perf_counter() - t
    out["total"] = out["classify"] + out["group"] + out["keywords"]  # from stored words and vectors
    out["groups"] = len({g for g in groups if g is not None})
    out["review"] = float(result["needs_review"].mean())
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return out


def topics_max() -> str:
    sys.path.insert(0, str(ROOT))
    from contest import topics

    return f"{topics.SEMANTIC_MAX:,}"


LABELS = {"distinct": "distinct texts (title + same-label sentences)",
          "sample": "sampled with replacement from att3/att4/valid921"}


def run(n: int, mode: str) -> dict:
    """Measure one size in a child process; {"n", "mode", "timeout"} when it runs too long."""
    code = f"import sys, json; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); " \
           f"import topics_speed as s; print(json.dumps(s.measure({n}, {mode!r})))"
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"n": n, "mode": mode, "timeout": True}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(runs=(("distinct", 10_000), ("distinct", 100_000), ("sample", 100_000))) -> None:
    if not CORPUS.exists():
        print(f"corpus folder {CORPUS} not found: nothing to measure")
        return
    rows = []
    for mode, n in runs:
        rows.append(run(n, mode))
        print(rows[-1], flush=True)
    lines = ["The topic map's pipeline on proposals built from the corpus. **distinct**: every proposal a "
             "different text, built at run time as the title of one labelled message (titles_9210) + 4-9 "
             "sentences (seeded) of other messages' bodies with the same label (details_partial_union). "
             "**sample**: att3/att4/valid921 messages sampled with replacement (few distinct texts). "
             "**words** (rjieba segmentation) and **vectors** (sentence vectors, only up to "
             f"{topics_max()} proposals, else word TF-IDF) are computed once per proposal and kept "
             "(proposal_words, proposal_vectors), like the page does; **total** = keyword topic "
             "classification + same-issue groups + group keywords from the kept words and vectors, the "
             "cost of every map after the first. **bare** = `TfidfVectorizer(analyzer=\"char\", "
             "ngram_range=(1, 3)).fit_transform` of the same texts in the same process. Each size in its "
             f"own process; peak = ru_maxrss; stopped after {TIMEOUT // 60} min. Machine: 2 cores, shared "
             "with other work (timings vary with the load; the ratio is measured in one run).", "",
             "| proposals (distinct) | texts | avg chars | words s (once) | vectors s (once) | classify s | group s "
             "(similarity) | keywords s | total s | bare s | total / bare (target <= 0.5) | (words + total) / bare "
             "| peak MB | groups (threshold) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("timeout"):
            lines.append(f"| {r['n']:,} | {LABELS[r['mode'].split('+')[0]]} ({r['mode']}) | | | | | | | **> {TIMEOUT // 60} min** | | | | | |")
            continue
        lines.append(f"| {r['n']:,} ({r['distinct']:,}) | {LABELS[r['mode'].split('+')[0]]} | {r['chars']} | {r['words']:.1f} | "
                     f"{r['vectors']:.1f} | {r['classify']:.1f} | {r['group']:.1f} ({r['method']}) | "
                     f"{r['keywords']:.1f} | **{r['total']:.1f}** | {r['bare_tfidf']:.1f} | "
                     f"**{r['total'] / r['bare_tfidf']:.2f}** | {(r['words'] + r['total']) / r['bare_tfidf']:.2f} | "
                     f"{r['peak_mb']:.0f} | {r['groups']:,} ({r['threshold']:.3f}) |")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _results import record
    record("Topics speed", "\n".join(lines))


if __name__ == "__main__":
    args = [a.split(":") if ":" in a else ("distinct", a) for a in sys.argv[1:]]
    main(tuple((m, int(k)) for m, k in args) or
         (("distinct", 10_000), ("distinct", 100_000), ("sample", 100_000)))
