"""Unit tests for contest.topics on small hand-written proposals."""
from __future__ import annotations

import pickle
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse import csgraph

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
    assert not result["needs_review"][:3].any()


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


def test_few_corrected_labels_seed_keyword_profiles():
    text = join_text("宿舍校园网晚上网速太慢", "晚上宿舍校园网网速很慢，经常断线")
    before = TopicClassifier().fit(CORPUS + [text]).predict([text])[0]
    assert before == "life"  # 校园网 and 网速 are life keywords
    corrected = TopicClassifier().fit([text], ["development"])  # the organizer files it under 信息化
    assert corrected.mode_ == "keywords"
    assert corrected.predict([join_text("校园网网速慢", "校园网经常断线")])[0] == "development"


def test_unlabelled_texts_marked_none_only_weigh_idf():
    text = join_text("宿舍校园网晚上网速太慢", "晚上宿舍校园网网速很慢，经常断线")
    clf = TopicClassifier().fit(CORPUS + [text], [None] * len(CORPUS) + ["development"])
    assert clf.mode_ == "keywords" and "" not in set(clf.classes_)
    assert clf.predict([join_text("校园网网速慢", "校园网经常断线")])[0] == "development"
    many = TopicClassifier(min_labels=3).fit(CORPUS, ["transport"] * 3 + [None] * 6)
    assert many.mode_ == "keywords"  # three labels but one class: not enough to train
    trained = TopicClassifier(min_labels=3).fit(CORPUS, ["transport"] * 3 + ["life", "life"] + [""] * 4)
    assert trained.mode_ == "trained" and set(trained.classes_) == {"transport", "life"}


def test_enough_labels_train_linear_model_with_any_topic_names():
    texts, labels = [], []
    for i in range(20):
        texts += [f"校车第{i}班太挤 早高峰 班次 加车", f"食堂第{i}号窗口 饭菜 价格 太贵"]
        labels += ["出行", "吃饭"]
    clf = TopicClassifier(min_labels=30).fit(texts, labels)
    assert clf.mode_ == "trained"
    assert set(clf.classes_) == {"出行", "吃饭"}
    assert list(clf.predict(["校车太挤", "窗口饭菜贵"])) == ["出行", "吃饭"]
    proba = clf.predict_proba(["校车太挤"])
    assert proba.shape == (1, 2) and np.isclose(proba.sum(), 1)
    # below min_labels the same labels only seed the keyword profiles
    assert TopicClassifier(min_labels=100).fit(texts, labels).mode_ == "keywords"


def test_classifier_follows_sklearn_conventions():
    clf = TopicClassifier(min_labels=5, review_below=0.3)
    assert clf.get_params()["min_labels"] == 5
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


def test_group_same_issue_components_of_the_plain_graph():
    texts = _mixed_texts(200, seed=1)
    codes, unique = pd.factorize(pd.Series(texts))
    X = topics._word_tfidf(list(unique))
    _, component = csgraph.connected_components(topics._similarity_graph_exact(X, 0.4), directed=False)
    groups = group_same_issue(texts, threshold=0.4)
    component = component[codes]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            assert (groups[i] is not None and groups[i] == groups[j]) == (component[i] == component[j])


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
    assert not out["needs_review"][:3].any()
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
