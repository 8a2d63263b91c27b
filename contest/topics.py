"""Topic classification, same-issue groups and similar-proposal search (TF-IDF, scikit-learn).

Pure Python, no streamlit. Everything is built from scikit-learn parts:

* Words: ``rjieba`` (the Rust port of jieba, ~20x faster) with a campus user dictionary
  (``data/campus_dict.txt`` plus every taxonomy keyword, added with ``Jieba.add_word``),
  lower case, stop words (``data/stopwords.txt``) and punctuation removed, and a small
  synonym map (校车/班车/通勤车 ...) folded to one word. See :class:`WordAnalyzer`.
* Topic classification (:class:`TopicClassifier`):
  - without enough labels, each topic is a TF-IDF vector of its keywords (plus any labelled
    examples given as seeds); a text gets the topic with the highest cosine similarity and
    ``score`` = that topic's share of the similarities (uniform, i.e. low, when no keyword
    occurs), ``needs_review`` when the score is below ``review_below``;
  - with at least ``min_labels`` labels in two or more classes, a LinearSVC on the union of
    word TF-IDF and character 1-2-gram TF-IDF (both ``sublinear_tf``) takes over;
    ``score`` is a softmax of the SVM margins.
  Feature choice, measured by ``benchmarks/topics_quality.py`` on the shared corpus titles
  (train+dev -> test, macro-F1, see benchmarks/RESULTS.md): words alone 0.889, char 1-3
  alone 0.895, words + char 1-3 0.899-0.903, words + char 1-2 0.909-0.911 over C 0.3-1
  (and the fastest union) -- kept, with C=0.5. Word bigrams, char 1-4, class weights,
  LogisticRegression and ComplementNB were no better.
* Same-issue groups (:func:`group_same_issue`): word TF-IDF only (stop words removed did
  better than character n-grams for paraphrases), title repeated ``TITLE_WEIGHT`` times,
  identical texts vectorised once, the sparse graph of the pairs with cosine >= threshold
  and its connected components. The graph is exact but computed with prefix filtering
  (:func:`_similarity_graph`): products of frequent words with frequent words, most of
  the work for long texts, are bounded instead of computed, the rest goes through
  ``sparse_dot_topn`` (threaded C++, values below a bound never stored; scipy blocks
  when it is not installed). Memory linear in n, never an n x n matrix; 100,000 distinct
  proposals in ~20 s instead of ~4 min for plain X @ X.T blocks
  (:func:`_similarity_graph_exact`, kept as the reference).
* :class:`SimilarityIndex` / :func:`similar_proposals`: cosine top-k over a fitted TF-IDF.
* :func:`topic_map_coordinates`: TruncatedSVD of the word TF-IDF to two dimensions.
* :func:`topics_file`: the file entry point used by the command line.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import rjieba
from scipy import sparse
from scipy.sparse import csgraph
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
TOPICS_PATH = DATA_DIR / "topics.csv"
USER_DICT_PATH = DATA_DIR / "campus_dict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

#: Cosine similarity above which two proposals are taken to raise the same issue.
GROUP_THRESHOLD = 0.4
#: Minimum cosine similarity for :func:`similar_proposals`.
SIMILAR_THRESHOLD = 0.2
#: How many times the title is repeated before the body when texts are joined.
TITLE_WEIGHT = 2

#: Words folded into one before counting, so paraphrases meet.
SYNONYMS = {
    "班车": "校车", "通勤车": "校车", "摆渡车": "校车",
    "抢座": "占座", "抢座位": "占座", "占座位": "占座",
    "一卡通": "校园卡", "饭卡": "校园卡",
    "寝室": "宿舍", "澡堂": "浴室", "噪声": "噪音",
    "饭价": "菜价", "饭菜价格": "菜价",
    "wifi": "校园网",
    "兴庆校区": "兴庆", "雁塔校区": "雁塔", "曲江校区": "曲江", "创新港校区": "创新港",
    "早高峰": "高峰", "晚高峰": "高峰", "上下班": "通勤",
    "公寓": "宿舍", "学生公寓": "宿舍", "餐厅": "食堂", "淋浴": "洗澡",
    "早饭": "早餐", "午饭": "午餐", "晚饭": "晚餐", "电瓶车": "电动车", "电单车": "电动车",
}

_HAS_WORD = re.compile(r"\w")


# --------------------------------------------------------------------------- files

def _read_word_file(path: Path) -> list[str]:
    """Whitespace-separated words of a text file, ignoring lines starting with '#'."""
    words: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            words.extend(line.split())
    return words


def load_topics(source: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """The topic taxonomy as a DataFrame with columns code, name, keywords (strings)."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    else:
        df = read_table(source or TOPICS_PATH)
    missing = [c for c in ("code", "name") if c not in df.columns]
    if missing:
        raise ValueError(f"主题表缺少列：{'、'.join(missing)}（需要 code、name，可选 keywords）")
    if "keywords" not in df.columns:
        df["keywords"] = ""
    df = df[["code", "name", "keywords"]].fillna("").astype(str)
    return df[df["code"].str.strip() != ""].reset_index(drop=True)


def load_user_words(path: str | Path = USER_DICT_PATH) -> list[tuple[str, int | None]]:
    """(word, frequency or None) pairs of a jieba-style user dictionary."""
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            pairs.append((parts[0].lower(), freq))
    return pairs


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a .csv or .xlsx file with every cell as a string ('' for empty cells)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    elif suffix in (".xlsx", ".xlsm"):
        df = pd.read_excel(path, dtype=str).fillna("")
    else:
        raise ValueError(f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx 文件")
    df.columns = [str(c).strip() for c in df.columns]
    return df


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame to .csv (UTF-8 with BOM, opens cleanly in Excel) or .xlsx."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        df.to_excel(path, index=False)
    elif path.suffix.lower() == ".csv":
        df.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        raise ValueError(f"不支持的输出文件类型“{path.suffix}”：请使用 .csv 或 .xlsx")


# --------------------------------------------------------------------------- words

class WordAnalyzer:
    """Text -> list of words, usable as ``TfidfVectorizer(analyzer=WordAnalyzer(...))``.

    rjieba segmentation with extra dictionary words (``for_search``: long words also give
    their dictionary sub-words, 社团活动 -> 社团 活动 社团活动, so keywords and paraphrases
    meet more often; it measured better for both grouping and keywords), lower case, tokens without a letter or
    digit, pure numbers and stop words dropped, synonyms mapped to one word.
    """

    def __init__(self, user_words: Iterable[tuple[str, int | None]] = (),
                 stopwords: Iterable[str] = (), synonyms: dict[str, str] | None = None,
                 for_search: bool = True):
        self.for_search = for_search
        self.user_words = tuple(user_words)
        self.stopwords = frozenset(stopwords)
        self.synonyms = dict(synonyms or {})
        self._jieba = None

    def _segmenter(self):
        if self._jieba is None:
            jieba = rjieba.Jieba()
            for word, freq in self.user_words:
                jieba.add_word(word, freq, None)
            self._jieba = jieba
        return self._jieba

    def __call__(self, text: str) -> list[str]:
        stop, syn = self.stopwords, self.synonyms
        jieba = self._segmenter()
        cut = jieba.cut_for_search if self.for_search else jieba.cut
        return [syn.get(w, w) for w in cut(str(text).lower())
                if w not in stop and not w.isdigit() and _HAS_WORD.search(w)]

    def __getstate__(self):  # the Rust segmenter cannot be pickled; rebuilt on first use
        return {**self.__dict__, "_jieba": None}


def default_analyzer(topics: pd.DataFrame | None = None) -> WordAnalyzer:
    """Campus analyzer: user dictionary + taxonomy keywords, stop words, synonyms."""
    words = load_user_words()
    if topics is not None:
        words += [(w.lower(), None) for kws in topics["keywords"] for w in kws.split()]
    return WordAnalyzer(words, _read_word_file(STOPWORDS_PATH), SYNONYMS)


def _word_vectorizer(analyzer=None) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=analyzer or default_analyzer(), sublinear_tf=True)


def _word_tfidf(texts: Sequence[str], analyzer=None):
    """Fitted word TF-IDF matrix of texts, or None when no text has a usable word."""
    try:
        return _word_vectorizer(analyzer).fit_transform(texts)
    except ValueError:  # empty vocabulary: nothing but stop words / punctuation
        return None


def join_text(title: str, body: str = "", title_weight: int = TITLE_WEIGHT) -> str:
    """One text of a proposal, the title repeated to weigh more than the body."""
    return "。".join([str(title)] * title_weight + [str(body)])


# --------------------------------------------------------------------------- topics

class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Assign a topic code to each text, from taxonomy keywords or from labelled examples.

    Parameters
    ----------
    topics : path or DataFrame (code, name, keywords), default ``data/topics.csv``.
    min_labels : number of labels (in >= 2 classes) from which a LinearSVC is trained;
        below it, labelled examples only add to the keyword profile of their topic.
    review_below : score under which ``needs_review`` is set.
    C : LinearSVC regularisation.
    char_ngrams : character n-gram range added to words in the trained model (None: words only).
    analyzer : word analyzer (default: :func:`default_analyzer` of the taxonomy).
    """

    def __init__(self, topics=None, min_labels: int = 30, review_below: float = 0.5,
                 C: float = 0.5, char_ngrams: tuple[int, int] | None = (1, 2), analyzer=None):
        self.topics = topics
        self.min_labels = min_labels
        self.review_below = review_below
        self.C = C
        self.char_ngrams = char_ngrams
        self.analyzer = analyzer

    def fit(self, X: Sequence[str], y: Sequence[str | None] | None = None):
        """Fit on texts X (used for IDF weights) and optional topic codes y (same length).

        An entry of y that is None or "" marks an unlabelled text (as -1 does in
        ``sklearn.semi_supervised``): it only contributes to the IDF weights of the
        keyword model and is left out of the trained model.
        """
        X = [str(t) for t in X]
        taxonomy = load_topics(self.topics)
        analyzer = self.analyzer or default_analyzer(taxonomy)
        self.names_ = dict(zip(taxonomy["code"], taxonomy["name"]))
        labels = None if y is None else ["" if v is None or v != v else str(v) for v in y]
        if labels is not None and len(labels) != len(X):
            raise ValueError("文本与标签数量不一致")
        unlabelled = []
        if labels is not None and "" in labels:
            unlabelled = [t for t, v in zip(X, labels) if not v]
            X, labels = [t for t, v in zip(X, labels) if v], [v for v in labels if v]
        if labels and len(labels) >= self.min_labels and len(set(labels)) >= 2:
            self.mode_ = "trained"
            features = [("word", TfidfVectorizer(analyzer=analyzer, sublinear_tf=True))]
            if self.char_ngrams:
                features.append(("char", TfidfVectorizer(
                    analyzer="char", ngram_range=tuple(self.char_ngrams), sublinear_tf=True)))
            self.model_ = make_pipeline(FeatureUnion(features), LinearSVC(C=self.C))
            self.model_.fit(X, labels)
            self.classes_ = self.model_.classes_
        else:
            self.mode_ = "keywords"
            codes = list(taxonomy["code"]) + sorted(set(labels or ()) - set(taxonomy["code"]))
            keyword_docs = list(taxonomy["keywords"]) + [""] * (len(codes) - len(taxonomy))
            self.vectorizer_ = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
            self.vectorizer_.fit(X + unlabelled + keyword_docs + [" ".join(codes)])
            profiles = normalize(self._keyword_profiles(keyword_docs, analyzer))
            if labels:  # seed examples: each counts as much as the keyword list
                seeds = normalize(self.vectorizer_.transform(X))
                index = {c: i for i, c in enumerate(codes)}
                onehot = sparse.csr_matrix((np.ones(len(labels)), ([index[v] for v in labels],
                                            np.arange(len(labels)))), shape=(len(codes), len(labels)))
                profiles = profiles + onehot @ seeds
            self.profiles_ = normalize(profiles)
            self.classes_ = np.array(codes, dtype=object)
        return self

    def _keyword_profiles(self, keyword_docs, analyzer):
        """Topic x word matrix with the IDF of each keyword taken as a whole word.

        A keyword counts as its longest analyzed token (环境卫生, not its sub-word 卫生),
        after synonym mapping; keywords made only of stop words are ignored.
        """
        vocab, idf = self.vectorizer_.vocabulary_, self.vectorizer_.idf_
        rows, cols = [], []
        for row, keywords in enumerate(keyword_docs):
            for keyword in keywords.split():
                word = max(analyzer(keyword), key=len, default=None)
                if word in vocab:
                    rows.append(row)
                    cols.append(vocab[word])
        cells = sorted(set(zip(rows, cols)))
        return sparse.csr_matrix((idf[[c for _, c in cells]], tuple(zip(*cells)) or ([], [])),
                                 shape=(len(keyword_docs), len(vocab)))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Scores per class (columns in ``classes_`` order), rows summing to 1."""
        X = [str(t) for t in X]
        if not X:
            return np.zeros((0, len(self.classes_)))
        if self.mode_ == "trained":
            margins = self.model_.decision_function(X)
            if margins.ndim == 1:  # binary LinearSVC: one margin for classes_[1]
                margins = np.column_stack([-margins, margins])
            return softmax(2 * margins, axis=1)
        sims = (self.vectorizer_.transform(X) @ self.profiles_.T).toarray()
        total = sims.sum(axis=1, keepdims=True)
        uniform = np.full_like(sims, 1 / sims.shape[1])
        return np.divide(sims, total, out=uniform, where=total > 0)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)] if len(proba) else np.array([], dtype=object)

    def assign(self, X: Sequence[str]) -> pd.DataFrame:
        """DataFrame with topic, topic_name, topic_score in [0, 1] and needs_review per text."""
        proba = self.predict_proba(X)
        best = proba.argmax(axis=1) if len(proba) else np.array([], dtype=int)
        codes = [str(c) for c in self.classes_[best]]
        scores = proba[np.arange(len(best)), best]
        return pd.DataFrame({
            "topic": codes,
            "topic_name": [self.names_.get(c, c) for c in codes],
            "topic_score": scores.round(3),
            "needs_review": scores < self.review_below,
        })


# --------------------------------------------------------------------------- same issue

def _similarity_graph_exact(X, threshold: float, block: int = 2_000_000):
    """Sparse graph of the pairs of rows of X (L2-normalised) with cosine >= threshold.

    The plain way, kept as the reference for :func:`_similarity_graph`: row blocks of
    X @ X.T, each holding at most ``block`` cells and filtered before the next one (memory
    linear in n). It computes every pair sharing a word, which is almost every pair of
    long texts: ~4 minutes and 2.9 GB for 100,000 distinct proposals.
    """
    n = X.shape[0]
    XT = X.T.tocsr()
    step = max(1, block // n)
    parts = []
    for start in range(0, n, step):
        sims = (X[start:start + step] @ XT).tocsr()
        sims.data[sims.data < threshold] = 0
        sims.eliminate_zeros()
        parts.append(sims)
    return sparse.vstack(parts, format="csr")


def _prefix_matrices(X, beta: float):
    """The matrices of prefix filtering for :func:`_similarity_graph`.

    Columns are renumbered by decreasing document frequency; each row of X is split into
    U, the longest run of its most frequent words whose squared norm stays below ``beta``
    (so ``norm(U[i]) < sqrt(beta)``), and I, its other words: X = U + I. Returns
    A = [U I] (n x 2V), BT = [I X].T (2V x n), so that A @ BT = U @ I.T + I @ X.T, plus U
    and the norms of its rows. Built from index arrays (no hstack/COO copies) to keep
    the peak memory low.
    """
    X = sparse.csr_matrix(X, dtype=np.float64)
    n, n_words = X.shape
    df = np.bincount(X.indices, minlength=n_words)
    rank = np.empty(n_words, dtype=np.int32)
    rank[np.argsort(-df, kind="stable")] = np.arange(n_words, dtype=np.int32)
    X = sparse.csr_matrix((X.data.copy(), rank[X.indices], X.indptr.astype(np.int32)), shape=X.shape)
    X.has_sorted_indices = False
    X.sort_indices()
    row = np.repeat(np.arange(n, dtype=np.int32), np.diff(X.indptr))
    cum = np.cumsum(np.square(X.data))
    cum -= np.concatenate([[0.0], cum])[X.indptr[:-1]][row]  # running squared norm in each row
    frequent = cum < beta
    del cum

    def part(mask, row=row):
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(row[mask], minlength=n), out=indptr[1:])
        return sparse.csr_matrix((X.data[mask], X.indices[mask], indptr), shape=X.shape)

    U, I = part(frequent), part(~frequent)
    del row
    u_norm = np.sqrt(np.asarray(U.multiply(U).sum(axis=1)).ravel())
    # [U I]: the frequent words of a row come first and keep their columns, the others
    # move right by V, so the indices stay sorted
    shifted = X.indices.copy()
    shifted[~frequent] += n_words
    A = sparse.csr_matrix((X.data, shifted, X.indptr), shape=(n, 2 * n_words))
    del frequent, shifted
    # [I X].T row by row: the columns of I, then those of X (CSC arrays are the rows of .T)
    nnz = I.nnz + X.nnz
    data, indices = np.empty(nnz), np.empty(nnz, dtype=np.int32)
    indptr = np.empty(2 * n_words + 1, dtype=np.int32)
    for k, M in enumerate((I, X)):
        M = M.tocsc()
        at = 0 if k == 0 else I.nnz
        data[at:at + M.nnz], indices[at:at + M.nnz] = M.data, M.indices
        indptr[k * n_words:(k + 1) * n_words + 1] = M.indptr + at
        del M
    BT = sparse.csr_matrix((data, indices, indptr), shape=(2 * n_words, n))
    return A, BT, U, u_norm


def _product_above(A, BT, low: float, top: int = 200):
    """(rows, cols, values) of the entries of A @ BT with row < col and value > low.

    ``sparse_dot_topn`` (C++, all cores, nothing at or below ``low`` is ever stored) when
    installed, else scipy row blocks filtered one by one. sparse_dot_topn keeps at most
    ``top`` values per row: a row that reaches ``top`` may have lost some and is computed
    again without the cap, so nothing above ``low`` is missed.
    """
    try:
        from sparse_dot_topn import sp_matmul_topn
    except ImportError:  # pragma: no cover - only without the optional package
        sp_matmul_topn = None
    n = A.shape[0]
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    block = 10_000 if sp_matmul_topn else max(1, 2_000_000 // n)
    rows, cols, vals = [], [], []
    for start in range(0, n, block):
        a = A[start:start + block]
        bt = BT[:, start:] if start else BT  # columns >= start: each pair once
        if sp_matmul_topn is None:
            part = (a @ bt).tocoo()
            r, c, v = part.row, part.col, part.data
        else:
            part = sp_matmul_topn(a, bt, top_n=top, threshold=low, n_threads=threads)
            full = np.flatnonzero(np.diff(part.indptr) >= top)
            part = part.tocoo()
            r, c, v = part.row, part.col, part.data
            if len(full):
                again = sp_matmul_topn(a[full], bt, top_n=bt.shape[1], threshold=low,
                                       n_threads=threads).tocoo()
                kept = ~np.isin(r, full)
                r = np.concatenate([r[kept], full[again.row]])
                c = np.concatenate([c[kept], again.col])
                v = np.concatenate([v[kept], again.data])
        del bt
        r, c = r + start, c + start
        keep = (c > r) & (v > low)
        rows.append(r[keep])
        cols.append(c[keep])
        vals.append(v[keep])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _similarity_graph(X, threshold: float, prefix_share: float = 0.55, top: int = 200):
    """The graph of :func:`_similarity_graph_exact` (same pairs), computed far faster.

    Prefix filtering (the "all pairs" similarity join): each row of X is split into its most
    frequent words U (squared norm below beta = ``prefix_share`` * threshold) and the rest I
    (:func:`_prefix_matrices`). For a pair (i, j),
    cos = P + U[i].U[j] with P = U[i].I[j] + I[i].X[j] and 0 <= U[i].U[j] < beta, so
    a pair with P <= threshold - max(norm(U[i]))^2 cannot reach the threshold and P is all that is
    computed for every pair: one sparse product [U I] @ [I X].T that skips the products of
    frequent words with frequent words (most of the work for long texts), keeping only
    values above that bound. Pairs with P >= threshold are linked; the rest are
    linked when P + U[i].U[j] >= threshold, computed exactly for them. No approximation:
    the same pairs as the exact graph, up to floating point rounding at the threshold.
    ``prefix_share`` 0.55 measured fastest at thresholds 0.24 and 0.4 on 100,000 texts.
    """
    n = X.shape[0]
    beta = prefix_share * threshold
    A, BT, U, u_norm = _prefix_matrices(X, beta)
    bound = float(u_norm.max(initial=0.0)) ** 2  # < beta: U[i].U[j] <= bound for every pair
    rows, cols, p = _product_above(A, BT, threshold - bound - 1e-12, top)
    del A, BT
    sure = p >= threshold
    maybe = np.flatnonzero(~sure & (p + u_norm[rows] * u_norm[cols] >= threshold))
    linked = [np.flatnonzero(sure)]
    for start in range(0, len(maybe), 200_000):
        chunk = maybe[start:start + 200_000]
        uu = np.asarray(U[rows[chunk]].multiply(U[cols[chunk]]).sum(axis=1)).ravel()
        linked.append(chunk[p[chunk] + uu >= threshold])
    linked = np.concatenate(linked)
    return sparse.csr_matrix((np.ones(len(linked)), (rows[linked], cols[linked])), shape=(n, n))


def group_same_issue(texts: Sequence[str], threshold: float = GROUP_THRESHOLD,
                     analyzer=None) -> list[int | None]:
    """Group id per text (1 = largest group), None for a text with no near twin.

    Two texts are linked when the cosine similarity of their word TF-IDF vectors is at
    least ``threshold``; groups are the connected components of that sparse graph.
    Identical texts are vectorised once (and always share a group).
    """
    if len(texts) == 0:
        return []
    first_index: dict[str, int] = {}  # plain dict: a pandas str Series would copy every text
    codes = np.fromiter((first_index.setdefault(t, len(first_index)) for t in map(str, texts)),
                        dtype=np.intp, count=len(texts))
    unique = list(first_index)
    X = _word_tfidf(unique, analyzer) if len(texts) > 1 else None
    if X is None:
        component = np.arange(len(unique))
    else:
        _, component = csgraph.connected_components(_similarity_graph(X, threshold),
                                                    directed=False)
    component = component[codes]
    sizes = np.bincount(component)
    # number groups of two or more by decreasing size, ties by first appearance
    first = {}
    for i, c in enumerate(component):
        first.setdefault(c, i)
    ranked = sorted((c for c in first if sizes[c] > 1), key=lambda c: (-sizes[c], first[c]))
    ids = {c: k + 1 for k, c in enumerate(ranked)}
    return [ids.get(c) for c in component]


def group_keywords(texts: Sequence[str], groups: Sequence[int | None], top: int = 5,
                   analyzer=None) -> dict[int, list[str]]:
    """Class-based TF-IDF: the `top` most distinctive words of each group.

    Each group's texts form one document; ungrouped texts form one more document so that
    words common to everything get a low weight. The word counts of the documents are the
    sums of their texts' counts (what TfidfVectorizer would count on the joined texts,
    without building one huge string per group), then TF-IDF with scikit-learn defaults.
    """
    ids = sorted({g for g in groups if g is not None})
    if not ids:
        return {}
    counter = CountVectorizer(analyzer=analyzer or default_analyzer())
    try:
        counts = counter.fit_transform([str(t) for t in texts])
    except ValueError:
        return {g: [] for g in ids}
    row_of = {g: k for k, g in enumerate(ids)}
    doc = np.array([row_of[g] if g is not None else len(ids) for g in groups])
    members = sparse.csr_matrix((np.ones(len(doc)), (doc, np.arange(len(doc)))),
                                shape=(len(ids) + 1, len(doc)))
    weights = TfidfTransformer().fit_transform(members @ counts).tocsr()
    vocab = counter.get_feature_names_out()
    result = {}
    for row, g in enumerate(ids):
        w = weights.getrow(row)
        order = np.lexsort((vocab[w.indices], -w.data))[:top]  # ties broken alphabetically
        result[g] = [str(vocab[w.indices[i]]) for i in order]
    return result


# --------------------------------------------------------------------------- search & map

class SimilarityIndex:
    """Fitted TF-IDF index of a corpus, queried repeatedly for the most similar texts."""

    def __init__(self, texts: Sequence[str], analyzer=None):
        self.vectorizer = _word_vectorizer(analyzer)
        try:
            self.matrix = self.vectorizer.fit_transform([str(t) for t in texts])
        except ValueError:
            self.matrix = None

    def query(self, text: str, k: int = 3,
              threshold: float = SIMILAR_THRESHOLD) -> list[tuple[int, float]]:
        """Up to k (index, cosine similarity) pairs, best first, similarity >= threshold."""
        if self.matrix is None or k <= 0:
            return []
        sims = (self.matrix @ self.vectorizer.transform([str(text)]).T).toarray().ravel()
        best = np.argsort(-sims, kind="stable")[:k]
        return [(int(i), round(float(sims[i]), 4)) for i in best if sims[i] >= threshold]


def similar_proposals(corpus_texts: Sequence[str], query_text: str, k: int = 3,
                      threshold: float = SIMILAR_THRESHOLD) -> list[tuple[int, float]]:
    """Indices of the k corpus texts most similar to query_text, with cosine similarity."""
    return SimilarityIndex(corpus_texts).query(query_text, k=k, threshold=threshold)


def topic_map_coordinates(texts: Sequence[str], random_state: int = 0) -> np.ndarray:
    """(n, 2) coordinates for a scatter plot: TruncatedSVD of the word TF-IDF."""
    coords = np.zeros((len(texts), 2))
    X = _word_tfidf(texts) if len(texts) > 1 else None
    if X is not None and X.shape[1] > 2:
        coords[:] = TruncatedSVD(n_components=2, random_state=random_state).fit_transform(X)
    return coords


# --------------------------------------------------------------------------- file entry

def _texts_of(df: pd.DataFrame, text_columns: Sequence[str], path, extra: Sequence[str] = ()):
    missing = [c for c in list(text_columns) + list(extra) if c not in df.columns]
    if missing:
        raise ValueError(f"文件 {Path(path).name} 缺少列：{'、'.join(missing)}"
                         f"（现有列：{'、'.join(map(str, df.columns))}）")
    cols = [df[c].fillna("").astype(str) for c in text_columns]
    if len(cols) == 1:
        return list(cols[0])
    return [join_text(first, "。".join(rest)) for first, *rest in zip(*cols)]


def topics_file(input_path, text_columns=("title", "body"), train_path=None, topics_path=None,
                threshold=None, out_path=None) -> pd.DataFrame:
    """Classify and group the proposals of a .csv/.xlsx file.

    Returns the input columns plus ``topic``, ``topic_name``, ``topic_score``, ``group``
    (same-issue group id, empty when the proposal has no near twin), ``group_keywords``
    and ``needs_review`` (True when the topic score is low: check it by hand).
    ``train_path``: labelled examples (the same text columns plus ``topic``, any names);
    ``topics_path``: taxonomy (code, name, keywords) replacing ``data/topics.csv``;
    ``threshold``: cosine similarity for same-issue groups (default ``GROUP_THRESHOLD``).
    Written to ``out_path`` (.csv or .xlsx) when given.
    """
    text_columns = [text_columns] if isinstance(text_columns, str) else list(text_columns)
    df = read_table(input_path)
    texts = _texts_of(df, text_columns, input_path)
    clf = TopicClassifier(topics=load_topics(topics_path))
    if train_path is not None:
        train = read_table(train_path)
        clf.fit(_texts_of(train, text_columns, train_path, extra=["topic"]), train["topic"])
    else:
        clf.fit(texts)
    out = df.copy()
    assigned = clf.assign(texts)
    out[["topic", "topic_name", "topic_score"]] = assigned[["topic", "topic_name", "topic_score"]].to_numpy()
    out["topic_score"] = out["topic_score"].astype(float)
    groups = group_same_issue(texts, GROUP_THRESHOLD if threshold is None else threshold)
    keywords = group_keywords(texts, groups)
    out["group"] = pd.array(groups, dtype="Int64")
    out["group_keywords"] = [" ".join(keywords[g]) if g is not None else "" for g in groups]
    out["needs_review"] = assigned["needs_review"].to_numpy()
    if out_path is not None:
        write_table(out, out_path)
    return out
