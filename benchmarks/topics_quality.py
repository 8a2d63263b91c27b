"""Quality of contest.topics on the project's development set and the shared corpus.

0. data/dev_proposals (204 hand-written campus proposals, labels never shown to the code):
   topic macro-F1 without labels, same-issue pair precision / recall / F1 at the threshold
   derived from the data (and at fixed ones, for comparison), needs_review hit rate, and
   macro-F1 on a held-back half when the other half is labelled.
1. Topic classification: macro-F1 on titles_9210.csv, train+dev -> test, for several
   feature sets and LinearSVC C values; the TopicClassifier default is reported last.
2. Same-issue groups on att3_messages_4326.csv against the two published teams' hot
   issues (silver_groups_*.csv): for each published issue, the best-matching group of ours
   by Jaccard, with its precision and recall; plus recall of identical-title pairs.
3. Default campus taxonomy without labels: macro-F1 on data/demo/proposals.json if present.
4. Same-issue groups on the demo contest's submitted proposals (whole proposals, as the
   话题地图 page compares them) against its four deliberate same-issue sets, per threshold.

Run: python benchmarks/topics_quality.py [dev classification grouping taxonomy demo]
(the parts named, all by default; the others keep their figures in RESULTS.md)
"""
from __future__ import annotations

import json
import os
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _results import record  # noqa: E402
from contest import topics  # noqa: E402

CORPUS = Path(os.environ.get("CONTEST_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
DEMO = ROOT / "data" / "demo" / "proposals.json"
DEV = ROOT / "data" / "dev_proposals"


def load_dev() -> list[dict]:
    return [json.loads(line) for f in sorted(DEV.glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def pair_scores(groups, truth: set) -> tuple[float, float, float, int]:
    """(precision, recall, F1, predicted pairs) of the same-group pairs against the true pairs."""
    members: dict = {}
    for i, g in enumerate(groups):
        if g is not None:
            members.setdefault(g, []).append(i)
    pred = {p for m in members.values() for p in combinations(m, 2)}
    tp = len(pred & truth)
    p, r = tp / max(len(pred), 1), tp / max(len(truth), 1)
    return p, r, 2 * p * r / max(p + r, 1e-12), len(pred)


def dev_set() -> list[str]:
    rows = load_dev()
    texts = [topics.join_text(r["title"], r["problem"] + "。" + r["suggestions"]) for r in rows]
    truth_topic = np.array([r["topic"] for r in rows])
    five = sorted(set(truth_topic))
    clf = topics.TopicClassifier().fit(texts)
    result = clf.assign(texts)
    predicted = result["topic"].to_numpy()
    errors = predicted != truth_topic
    review = result["needs_review"].to_numpy()
    f1 = f1_score(truth_topic, predicted, labels=five, average="macro")
    lines = [f"{len(rows)} proposals, {len({r['group'] for r in rows if r['group']})} same-issue groups, "
             f"{sum(bool(r.get('trap_of')) for r in rows)} same-keyword traps.", "",
             "| measure (no labels) | value | target |", "|---|---|---|",
             f"| topic macro-F1 (five topics) | **{f1:.3f}** | >= 0.90 |",
             f"| accuracy | {1 - errors.mean():.3f} | |",
             f"| proposals sent to `other` | {(predicted == 'other').sum()} | |",
             f"| needs_review: flagged / errors caught / errors | {review.sum()} / {(review & errors).sum()} / "
             f"{errors.sum()} | |"]
    # labels on half, measured on the other half (5 random halves)
    rng = np.random.default_rng(0)
    plain, taught = [], []
    for _ in range(5):
        held = rng.permutation(len(rows))[: len(rows) // 2]
        labels = list(truth_topic)
        for i in held:
            labels[i] = None
        fitted = topics.TopicClassifier().fit(texts, labels)
        plain.append(f1_score(truth_topic[held], predicted[held], labels=five, average="macro"))
        taught.append(f1_score(truth_topic[held], fitted.predict([texts[i] for i in held]), labels=five,
                               average="macro"))
    lines.append(f"| held-back half, no labels -> other half labelled (mean of 5 splits) | "
                 f"{np.mean(plain):.3f} -> {np.mean(taught):.3f} | never lower |")
    print("\n".join(lines), flush=True)
    index = {}
    for i, r in enumerate(rows):
        if r["group"]:
            index.setdefault(r["group"], []).append(i)
    truth = {p for m in index.values() for p in combinations(m, 2)}
    traps = {(min(i, j), max(i, j)) for i, r in enumerate(rows) if r.get("trap_of") for j in index[r["trap_of"]]}
    raw = [topics.embedding_text(r["title"], r["problem"] + "。" + r["suggestions"]) for r in rows]
    t = time.perf_counter()
    vectors = topics.grouping_vectors(raw)  # the default of the page, the CLI and the API
    embed_secs = time.perf_counter() - t
    grouping = topics.find_groups(texts, embeddings=vectors)
    rows_g = ["", f"Same-issue groups ({len(truth)} true pairs, {len(traps)} trap pairs); default similarity: "
              f"**{grouping.method}**" + (f" (sentence vectors of {len(rows)} proposals computed in {embed_secs:.1f} s, "
                                          "model load included)" if vectors is not None else "") + ":", "",
              "| similarity | threshold | pairs found | precision | recall | F1 | trap pairs grouped |",
              "|---|---|---|---|---|---|---|"]
    settings = [(grouping.method, f"derived {grouping.derived_threshold:.3f} (default)", None, vectors)]
    if vectors is not None:
        settings += [("sentence", str(t), t, vectors) for t in (0.5, 0.55, 0.6, 0.65, 0.7)]
        tfidf = topics.find_groups(texts)
        settings.append(("tfidf (fallback)", f"derived {tfidf.derived_threshold:.3f}", None, None))
    settings += [("tfidf", str(t), t, None) for t in (0.15, 0.2, 0.3)]
    for method, label, th, emb in settings:
        g = topics.find_groups(texts, th, embeddings=emb).groups
        p, r, f, n = pair_scores(g, truth)
        got = {(a, b) for a, b in combinations(range(len(rows)), 2) if g[a] is not None and g[a] == g[b]}
        rows_g.append(f"| {method} | {label} | {n} | {p:.2f} | {r:.2f} | {f:.2f} | {len(got & traps)} |")
        print(rows_g[-1], flush=True)
    nearest = grouping.nearest
    grouped = [i for i, r in enumerate(rows) if r["group"]]
    X = topics._word_tfidf(texts)
    views = {"word TF-IDF": (X @ X.T).toarray()}
    if vectors is not None:
        views["sentence vectors"] = vectors @ vectors.T
    twins = []
    for name, sims in views.items():
        np.fill_diagonal(sims, -1)
        share = np.mean([rows[int(sims[i].argmax())]["group"] == rows[i]["group"] for i in grouped])
        twins.append(f"{name} {share:.0%}")
    rows_g += ["", f"Nearest neighbour is a true twin for this share of the grouped proposals: {', '.join(twins)}; "
               f"median nearest-neighbour similarity (default) {np.median(nearest):.2f}. Targets: pair F1 >= 0.85 at "
               "precision >= 0.90."]
    return ["### Development set (data/dev_proposals), no labels", ""] + lines + rows_g


def classification() -> list[str]:
    df = pd.read_csv(CORPUS / "titles_9210.csv")
    train, test = df[df["split"] != "test"], df[df["split"] == "test"]
    X, y, Xt, yt = list(train["title"]), list(train["label"]), list(test["title"]), list(test["label"])
    words = topics.default_analyzer()

    def word():
        return ("word", TfidfVectorizer(analyzer=words, sublinear_tf=True))

    def char(lo, hi, min_df=1):
        return ("char", TfidfVectorizer(analyzer="char", ngram_range=(lo, hi), sublinear_tf=True,
                                        min_df=min_df))

    configs = {
        "words (rjieba + campus dict)": [word()],
        "char 1-3": [char(1, 3)],
        "char 2-2": [char(2, 2)],
        "words + char 1-2": [word(), char(1, 2)],
        "words + char 1-3": [word(), char(1, 3)],
    }
    lines = ["| features | C | macro-F1 | fit+predict s |", "|---|---|---|---|"]
    for name, feats in configs.items():
        for C in ((0.3, 0.5, 1.0) if name.startswith("words + char") else (0.5,)):
            t = time.perf_counter()
            model = make_pipeline(FeatureUnion(feats), LinearSVC(C=C)).fit(X, y)
            f1 = f1_score(yt, model.predict(Xt), average="macro")
            lines.append(f"| {name} | {C} | {f1:.3f} | {time.perf_counter() - t:.1f} |")
            print(lines[-1], flush=True)
    t = time.perf_counter()
    clf = topics.TopicClassifier().fit(X, y)
    assigned = clf.assign(Xt)
    f1 = f1_score(yt, assigned["topic"], average="macro")
    review = assigned["needs_review"].to_numpy()
    wrong = assigned["topic"].to_numpy() != np.array(yt)
    lines.append(f"| **TopicClassifier() default** (labels of another taxonomy: mode `{clf.mode_}`) | 0.5 | "
                 f"**{f1:.3f}** | {time.perf_counter() - t:.1f} |")
    lines.append("")
    cv = ", ".join(f"{k}: {v:.3f}" for k, v in clf.cv_scores_.items())
    lines.append(f"Cross-validated macro-F1 on the labels (example weight -> score, and the trained model): {cv}. "
                 f"needs_review on test: {review.mean():.1%} flagged, catching {(review & wrong).sum()} of "
                 f"{wrong.sum()} errors. Published TF-IDF systems: 0.899-0.912; target >= 0.92 (not reached: "
                 "word vectors, Cilin concepts, NB/ridge ensembles and near-duplicate voting measured 0.89-0.911).")
    print(lines[-3], lines[-1], sep="\n")
    return ["### Topic classification, titles_9210 (train+dev 8,289 -> test 921)", ""] + lines


def grouping() -> list[str]:
    att3 = pd.read_csv(CORPUS / "att3_messages_4326.csv", dtype=str, keep_default_na=False)
    ids = att3["留言编号"].tolist()
    silvers = {f.stem: pd.read_csv(f, dtype=str) for f in sorted(CORPUS.glob("silver_groups_*.csv"))}
    same_title = [list(g.index) for _, g in att3.groupby("留言主题") if len(g) > 1]
    pairs = [p for g in same_title for p in combinations(g, 2)]
    lines = ["| text | threshold | groups | grouped msgs | largest | identical-title pair recall | "
             + " | ".join(f"{k} mean best Jaccard" for k in silvers) + " | s |",
             "|---|---|---|---|---|---|" + "---|" * len(silvers) + "---|"]
    detail: list[str] = []
    raw = [topics.embedding_text(t, b) for t, b in zip(att3["留言主题"], att3["留言详情"])]
    t = time.perf_counter()
    vectors = topics.sentence_vectors(raw)
    embed_secs = time.perf_counter() - t
    settings = [("title x1 + body", 1, None, (None, 0.3, 0.4, 0.5)), ("title x2 + body", 2, None, (None, 0.3, 0.4, 0.5))]
    best_setting = ("title x2 + body", "derived")  # the default: sentence vectors when installed
    if vectors is not None:
        best_setting = ("sentence vectors", "derived")
        settings.append(("sentence vectors (title + body; %.0f s to embed)" % embed_secs, 1, vectors, (None, 0.6, 0.7)))
    for label, weight, embeddings, thresholds in settings:
        texts = [topics.join_text(t, b, weight) for t, b in zip(att3["留言主题"], att3["留言详情"])]
        for threshold in thresholds:
            t = time.perf_counter()
            found = topics.find_groups(texts, threshold=threshold, embeddings=embeddings)
            groups = found.groups
            threshold = f"derived {found.threshold:.3f}" if threshold is None else threshold
            secs = time.perf_counter() - t
            members: dict[int, set] = {}
            for mid, g in zip(ids, groups):
                if g is not None:
                    members.setdefault(g, set()).add(mid)
            recall_pairs = np.mean([groups[a] is not None and groups[a] == groups[b] for a, b in pairs])
            cells, rows = [], []
            for name, silver in silvers.items():
                scores = []
                for issue, part in silver.groupby("问题ID"):
                    want = set(part["留言编号"])
                    g, got = max(members.items(), key=lambda kv: len(kv[1] & want) / len(kv[1] | want),
                                 default=(None, set()))
                    inter = len(got & want)
                    scores.append(inter / len(got | want) if got else 0.0)
                    rows.append(f"| {name} | {issue} | {len(want)} | {g} | {len(got)} | "
                                f"{inter / max(len(got), 1):.2f} | {inter / len(want):.2f} | {scores[-1]:.2f} |")
                cells.append(f"{np.mean(scores):.2f}")
            largest = sorted((len(m) for m in members.values()), reverse=True)[:3]
            lines.append(f"| {label} | {threshold} | {len(members)} | {sum(map(len, members.values()))} | "
                         f"{largest} | {recall_pairs:.2f} | " + " | ".join(cells) + f" | {secs:.1f} |")
            print(lines[-1], flush=True)
            if label.startswith(best_setting[0]) and str(threshold).startswith(best_setting[1]):
                detail = rows
                kw = topics.group_keywords(texts, groups, top=5)
                top_groups = [f"- group {g} ({len(members[g])} msgs): {' '.join(kw[g])}"
                              for g in sorted(members, key=lambda g: -len(members[g]))[:5]]
    return (["### Same-issue groups, att3_messages_4326 vs published hot issues", "",
             "Silver groups are two teams' outputs, not ground truth (ai04's issue 2 mixes many "
             "A7县 topics; syucryingstar's are place-based).", ""] + lines
            + ["", f"Per issue at the default ({best_setting[0]}, threshold {best_setting[1]}):", "",
               "| silver | issue | size | our group | our size | precision | recall | Jaccard |",
               "|---|---|---|---|---|---|---|---|"] + detail
            + ["", "Largest groups at the default, with class-based TF-IDF keywords:", ""] + top_groups)


def demo_taxonomy() -> list[str]:
    if not DEMO.exists():
        print("no data/demo/proposals.json: taxonomy check skipped")
        return ["### Default campus taxonomy, no labels", "", "`data/demo/proposals.json` absent: skipped."]
    items = json.loads(DEMO.read_text(encoding="utf-8"))
    texts = [topics.join_text(p.get("title", ""), "。".join(
        str(p.get(k, "")) for k in ("problem", "investigation", "suggestions"))) for p in items]
    truth = [p.get("topic", "") for p in items]
    clf = topics.TopicClassifier().fit(texts)
    result = clf.assign(texts)
    f1 = f1_score(truth, result["topic"], average="macro")
    acc = (result["topic"] == truth).mean()
    line = (f"{len(items)} demo proposals: macro-F1 {f1:.3f}, accuracy {acc:.3f}, "
            f"{result['needs_review'].mean():.0%} flagged needs_review.")
    print(line)
    note = ("History: 0.647 macro-F1 (accuracy 0.733) before the general keywords of data/topics.csv were "
            "revised (student activities 社团/志愿服务 moved from 学校发展 to 其他; 学校发展 gained "
            "internationalisation, innovation-space, research-platform and one-stop-service words; 校园环境 "
            "gained 卫生间/厕所/通风). The revision was made while reading this set's errors, so the figure "
            "is optimistic for campus proposals never seen; several demo labels are arguable (校园网 and "
            "校园卡 under 学校发展, library seat-saving under 校园环境) and were not chased with keywords.")
    return ["### Default campus taxonomy, no labels (data/demo/proposals.json)", "", line, "", note]


#: The demo contest's deliberate same-issue sets (data/demo/README.md), by title prefix.
DEMO_SAME_ISSUE = [
    ("建议增加兴庆至创新港早高峰校车班次", "关于创新港返回兴庆晚间通勤车运力不足", "两校区班车高峰期"),
    ("建议延长学生公寓热水供应时间", "宿舍洗澡只能“掐点”"),
    ("图书馆座位“早上抢、白天空”", "关于治理图书馆占座现象"),
    ("晚课结束后“无饭可吃”", "关于延长食堂晚餐供应时间"),
]


def demo_groups() -> list[str]:
    if not DEMO.exists():
        return []
    from contest import topic_map

    items = [p for p in json.loads(DEMO.read_text(encoding="utf-8")) if p.get("status") != "draft"]
    texts = [topic_map.proposal_text(p) for p in items]
    truth = {}
    for k, prefixes in enumerate(DEMO_SAME_ISSUE):
        for prefix in prefixes:
            truth[next(i for i, p in enumerate(items) if p["title"].startswith(prefix))] = k
    true_pairs = {(a, b) for a, b in combinations(sorted(truth), 2) if truth[a] == truth[b]}
    lines = ["| threshold | groups | grouped proposals | same-issue pairs found (of %d) | other pairs grouped |"
             % len(true_pairs), "|---|---|---|---|---|"]
    vectors = topics.grouping_vectors([topic_map.embedding_text(p) for p in items])
    settings = [(None, vectors)] + ([(t, vectors) for t in (0.6, 0.7, 0.75)] if vectors is not None else [])
    settings += [(None, None)] * (vectors is not None) + [(t, None) for t in (0.2, 0.24, 0.3, 0.4)]
    for k, (threshold, embeddings) in enumerate(settings):
        found = topics.find_groups(texts, threshold=threshold, embeddings=embeddings)
        groups = found.groups
        pairs = {(a, b) for a, b in combinations(range(len(items)), 2)
                 if groups[a] is not None and groups[a] == groups[b]}
        mark = (f"{found.method}, derived {found.threshold:.3f}" + (" (default)" if k == 0 else "")
                if threshold is None else f"{found.method}, {threshold}")
        lines.append(f"| {mark} | {len({g for g in groups if g})} | {sum(g is not None for g in groups)} "
                     f"| {len(pairs & true_pairs)} | {len(pairs - true_pairs)} |")
        print(lines[-1], flush=True)
    return ["### Same-issue groups on the demo contest (whole proposals, %d non-draft)" % len(items), "",
            "The demo was written with four same-issue sets (3 + 2 + 2 + 2 proposals, 6 pairs). Whole "
            "proposals are long, so cosine similarities are lower than for the short messages above; the "
            "default threshold is derived from the proposals' own nearest-neighbour similarities "
            "(`topics.same_issue_threshold`), the same on the page, the CLI and `topic_map.compute_map`.", ""] + lines


#: Sections of the report: name -> (function, heading prefix of its part in RESULTS.md).
PARTS = {"dev": (lambda: dev_set(), "### Development set"), "classification": (lambda: classification(), "### Topic classification"),
         "grouping": (lambda: grouping(), "### Same-issue groups, att3"), "taxonomy": (lambda: demo_taxonomy(), "### Default campus taxonomy"),
         "demo": (lambda: demo_groups(), "### Same-issue groups on the demo")}


def _kept_parts() -> dict:
    """The parts of the current "Topics quality" section of RESULTS.md, by heading prefix."""
    import re

    text = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- Topics quality -->(.*?)<!-- /Topics quality -->", text, re.S)
    chunks = re.split(r"(?m)^(?=### )", found.group(1)) if found else []
    return {prefix: chunk.strip().splitlines() for chunk in chunks for _, prefix in PARTS.values()
            if chunk.startswith(prefix)}


def main(names=()) -> None:
    """Run the named parts (all by default); the others keep their figures in RESULTS.md."""
    names = list(names) or list(PARTS)
    if not CORPUS.exists():
        print(f"corpus folder {CORPUS} not found (set CONTEST_CORPUS): development set only")
        names = ["dev"]
    kept = _kept_parts()
    body: list[str] = []
    for name, (run, prefix) in PARTS.items():
        part = run() if name in names else kept.get(prefix, [])
        if part:
            body += part + [""]
    record("Topics quality", "\n".join(body))


if __name__ == "__main__":
    main(sys.argv[1:])
