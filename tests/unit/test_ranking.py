"""Unit tests for contest.ranking; expected values are computed by hand in the comments."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from contest import ranking as R

RUBRIC = pd.DataFrame({"criterion": ["创新性", "可行性"], "weight": [3, 1], "min": [0, 1], "max": [10, 5]})


def totals(rows):
    return pd.DataFrame(rows, columns=["proposal", "judge", "total"])


def by_proposal(frame, col):
    return dict(zip(frame["proposal"], frame[col]))


def agg(proposal_scores):
    """Aggregated frame from {proposal: (score, sheets)}."""
    return pd.DataFrame([(p, s, n, 0.0) for p, (s, n) in proposal_scores.items()],
                        columns=["proposal", "score", "sheets", "spread"])


# --------------------------------------------------------------------------- sheet_totals

def test_sheet_totals_weighted_mean_of_scaled_scores():
    scores = pd.DataFrame([
        ("P1", "J1", "创新性", 8), ("P1", "J1", "可行性", 5),  # 80, (5-1)/4=100 -> (3*80+1*100)/4 = 85
        ("P1", "J2", "创新性", 5), ("P1", "J2", "可行性", 3),  # 50, (3-1)/4=50  -> (150+50)/4    = 50
        ("P2", "J1", "创新性", 6), ("P2", "J1", "可行性", 2),  # 60, (2-1)/4=25  -> (180+25)/4    = 51.25
    ], columns=R.SCORE_COLUMNS)
    out = R.sheet_totals(scores, RUBRIC)
    assert list(out.columns) == ["proposal", "judge", "total"]
    got = {(p, j): t for p, j, t in out.itertuples(index=False)}
    assert got == pytest.approx({("P1", "J1"): 85.0, ("P1", "J2"): 50.0, ("P2", "J1"): 51.25})


def test_sheet_totals_partial_sheet_renormalises_weights():
    scores = pd.DataFrame([("P1", "J1", "可行性", 4)], columns=R.SCORE_COLUMNS)  # only 可行性: (4-1)/4 = 75
    assert R.sheet_totals(scores, RUBRIC)["total"].tolist() == pytest.approx([75.0])


def test_sheet_totals_unknown_criterion():
    scores = pd.DataFrame([("P1", "J1", "美观", 4)], columns=R.SCORE_COLUMNS)
    with pytest.raises(ValueError, match="美观"):
        R.sheet_totals(scores, RUBRIC)


# --------------------------------------------------------------------------- aggregate

# P: 5 sheets 40, 60, 70, 90, 100 ; Q: 3 sheets 60, 70, 95 ; S: 4 sheets 10, 20, 30, 100
BASIC = totals([("P", f"J{i}", t) for i, t in enumerate([40, 60, 70, 90, 100])]
               + [("Q", f"J{i}", t) for i, t in enumerate([60, 70, 95])]
               + [("S", f"J{i}", t) for i, t in enumerate([10, 20, 30, 100])])


def test_aggregate_mean():
    out = R.aggregate(BASIC, "mean")
    assert list(out.columns) == ["proposal", "score", "sheets", "spread"]
    # P: 360/5 = 72 ; Q: 225/3 = 75 ; S: 160/4 = 40
    assert by_proposal(out, "score") == pytest.approx({"P": 72.0, "Q": 75.0, "S": 40.0})
    assert by_proposal(out, "sheets") == {"P": 5, "Q": 3, "S": 4}
    # spread = max - min: P 100-40 = 60 ; Q 95-60 = 35 ; S 100-10 = 90
    assert by_proposal(out, "spread") == pytest.approx({"P": 60.0, "Q": 35.0, "S": 90.0})


def test_aggregate_median():
    # P: middle of 40,60,70,90,100 = 70 ; Q: 70 ; S: (20+30)/2 = 25
    out = R.aggregate(BASIC, "median")
    assert by_proposal(out, "score") == pytest.approx({"P": 70.0, "Q": 70.0, "S": 25.0})


def test_aggregate_trimmed():
    # P (5 sheets): drop 100 and 40 -> (60+70+90)/3 = 73.333.. ; S (4 sheets): drop 100, 10 -> (20+30)/2 = 25
    # Q (3 sheets < 4): plain mean 75
    out = R.aggregate(BASIC, "trimmed")
    assert by_proposal(out, "score") == pytest.approx({"P": 220 / 3, "Q": 75.0, "S": 25.0})


def test_aggregate_trimmed_drops_only_one_copy_of_duplicated_extremes():
    # 50, 50, 80, 80: drop one 80 and one 50 -> (50+80)/2 = 65
    out = R.aggregate(totals([("P", f"J{i}", t) for i, t in enumerate([50, 50, 80, 80])]), "trimmed")
    assert out["score"].tolist() == pytest.approx([65.0])


def test_aggregate_unknown_method():
    with pytest.raises(ValueError, match="未知的汇总方法"):
        R.aggregate(BASIC, "max")


# Harsh judge H, lenient judge L, constant judge Z (σ_j = 0), single-sheet judge S.
# H: A=63, B=69 -> μ_H = 66, σ_H = 3 (population) ; L: C=71, D=77 -> μ_L = 74, σ_L = 3
# Z: E=65, F=65 -> σ_Z = 0 -> contributes μ ; S: G=80 (single sheet) -> contributes μ
# all totals: 63+69+71+77+65+65+80 = 490 -> μ = 70
# deviations -7,-1,1,7,-5,-5,10 -> squares 49+1+1+49+25+25+100 = 250 -> σ = sqrt(250/7) ≈ 5.9761
JUDGES = totals([("A", "H", 63), ("B", "H", 69), ("C", "L", 71), ("D", "L", 77),
                 ("E", "Z", 65), ("F", "Z", 65), ("G", "S", 80)])
SIGMA = math.sqrt(250 / 7)


def test_zscore_normalises_each_judge():
    out = R.aggregate(JUDGES, "zscore")
    # A: 70 + σ(63-66)/3 = 70-σ ; B: 70+σ ; C: 70 + σ(71-74)/3 = 70-σ ; D: 70+σ ; E, F, G: μ = 70
    assert by_proposal(out, "score") == pytest.approx(
        {"A": 70 - SIGMA, "B": 70 + SIGMA, "C": 70 - SIGMA, "D": 70 + SIGMA, "E": 70.0, "F": 70.0, "G": 70.0})
    assert by_proposal(out, "spread") == pytest.approx(dict.fromkeys("ABCDEFG", 0.0))


def test_zscore_reorders_harsh_and_lenient_judges():
    mean_rank = by_proposal(R.rank(R.aggregate(JUDGES, "mean")), "rank")
    z_rank = by_proposal(R.rank(R.aggregate(JUDGES, "zscore")), "rank")
    # mean: G80 D77 C71 B69 E65 F65 A63 -> 1 2 3 4 5 5 7
    assert mean_rank == {"G": 1, "D": 2, "C": 3, "B": 4, "E": 5, "F": 5, "A": 7}
    # zscore: B=D=75.98 -> 1,1 ; E=F=G=70 -> 3,3,3 ; A=C=64.02 -> 6,6
    assert z_rank == {"B": 1, "D": 1, "E": 3, "F": 3, "G": 3, "A": 6, "C": 6}
    assert mean_rank["B"] > mean_rank["C"] and z_rank["B"] < z_rank["C"]  # harsh judge's best now beats lenient's worst


def test_zscore_with_several_sheets_per_proposal():
    # J1: P=60, Q=80 -> μ1 = 70, σ1 = 10 ; J2: P=90, Q=100 -> μ2 = 95, σ2 = 5
    # all: 60, 80, 90, 100 -> μ = 82.5 ; devs -22.5, -2.5, 7.5, 17.5 -> squares 506.25+6.25+56.25+306.25 = 875
    # σ = sqrt(875/4) = sqrt(218.75) ; z: P -> -1, -1 ; Q -> +1, +1 ; P = 82.5 - σ, Q = 82.5 + σ
    t = totals([("P", "J1", 60), ("Q", "J1", 80), ("P", "J2", 90), ("Q", "J2", 100)])
    sigma = math.sqrt(218.75)
    out = R.aggregate(t, "zscore")
    assert by_proposal(out, "score") == pytest.approx({"P": 82.5 - sigma, "Q": 82.5 + sigma})
    assert by_proposal(out, "spread") == pytest.approx({"P": 30.0, "Q": 20.0})  # 90-60, 100-80


def test_zscore_all_totals_equal_gives_mu():
    t = totals([("P", "J1", 50), ("Q", "J2", 50), ("P", "J2", 50)])  # σ = 0, every σ_j = 0 -> all 50
    assert R.aggregate(t, "zscore")["score"].tolist() == pytest.approx([50.0, 50.0])


# --------------------------------------------------------------------------- rank

def test_rank_competition_style_with_tolerance():
    # 80 and 80 + 1e-12 are equal (within 1e-9); 70 + 1e-6 is not equal to 70
    a = agg({"W": (70.0, 3), "X": (80.0, 3), "Y": (90.0, 3), "Z": (80.0 + 1e-12, 3), "V": (70 + 1e-6, 3)})
    out = R.rank(a)
    assert out["proposal"].tolist()[:1] == ["Y"]
    assert by_proposal(out, "rank") == {"Y": 1, "X": 2, "Z": 2, "V": 4, "W": 5}
    assert out["rank"].tolist() == [1, 2, 2, 4, 5]  # sorted by rank
    assert not out["incomplete"].any()


def test_rank_tie_break_sheets_then_criterion():
    a = agg({"A": (80.0, 2), "B": (80.0, 3), "C": (80.0, 3), "D": (80.0, 3), "E": (90.0, 1)})
    means = pd.DataFrame({"创新性": [50.0, 70.0, 70.0, 60.0]}, index=["A", "B", "C", "D"])
    # sheets only: B, C, D (3 sheets) share 2 ; A (2 sheets) -> 5
    assert by_proposal(R.rank(a, tie_break="sheets"), "rank") == {"E": 1, "B": 2, "C": 2, "D": 2, "A": 5}
    # sheets, then 创新性: B = C (70) -> 2, 2 ; D (60) -> 4 ; A -> 5
    out = R.rank(a, tie_break=["sheets", "创新性"], criterion_means=means)
    assert by_proposal(out, "rank") == {"E": 1, "B": 2, "C": 2, "D": 4, "A": 5}
    # criterion first: B = C (70) -> 2 ; D (60) -> 4 ; A (50) -> 5
    out = R.rank(a, tie_break=["创新性"], criterion_means=means)
    assert by_proposal(out, "rank") == {"E": 1, "B": 2, "C": 2, "D": 4, "A": 5}


def test_rank_tie_break_needs_criterion_means():
    with pytest.raises(ValueError, match="创新性"):
        R.rank(agg({"A": (1.0, 1)}), tie_break="创新性")


def test_describe_tie_break_mentions_keys():
    assert "1、2、2、4" in R.describe_tie_break()
    text = R.describe_tie_break(["sheets", "创新性"])
    assert text.index("评审表份数多者在前") < text.index("“创新性”平均分高者在前")


def test_rank_incomplete_after_complete():
    # required 3 sheets: T (2 sheets, best score) and U (1 sheet) are incomplete -> ranked after P, Q, R
    a = agg({"P": (70.0, 3), "Q": (60.0, 4), "R": (60.0, 3), "T": (99.0, 2), "U": (10.0, 1)})
    out = R.rank(a, required_sheets=3)
    assert out["proposal"].tolist() == ["P", "Q", "R", "T", "U"]
    assert out["rank"].tolist() == [1, 2, 2, 4, 5]
    assert by_proposal(out, "incomplete") == {"P": False, "Q": False, "R": False, "T": True, "U": True}


def test_criterion_mean_table_scales_and_averages():
    scores = pd.DataFrame([("P1", "J1", "创新性", 8), ("P1", "J2", "创新性", 5), ("P1", "J1", "可行性", 5)],
                          columns=R.SCORE_COLUMNS)
    table = R.criterion_mean_table(scores, RUBRIC)
    assert table.loc["P1", "创新性"] == pytest.approx(65.0)  # (80 + 50) / 2
    assert table.loc["P1", "可行性"] == pytest.approx(100.0)  # (5-1)/4


# --------------------------------------------------------------------------- diagnostics

def test_methods_have_labels_and_explanations():
    assert set(R.METHODS) == {"mean", "median", "trimmed", "zscore"} == set(R.METHOD_EXPLANATIONS)
    assert all(text.endswith("。") for text in R.METHOD_EXPLANATIONS.values())
    assert R.ALPHA_EXPLANATION.endswith("。")


def test_judge_statistics_harsh_first():
    out = R.judge_statistics(JUDGES)
    assert list(out.columns) == ["judge", "sheets", "mean", "std", "min", "max"]
    assert out["judge"].tolist() == ["Z", "H", "L", "S"]  # means 65, 66, 74, 80
    h = out.set_index("judge").loc["H"]
    assert (h["sheets"], h["mean"], h["std"], h["min"], h["max"]) == (2, 66.0, pytest.approx(3.0), 63.0, 69.0)


def test_krippendorff_alpha_perfect_and_hand_computed():
    perfect = totals([("P", "J1", 10), ("P", "J2", 10), ("Q", "J1", 20), ("Q", "J2", 20)])
    assert R.krippendorff_alpha(perfect) == pytest.approx(1.0)
    # units P=(1,2), Q=(3,4): pairable values n = 4, all values 1,2,3,4
    # D_o = within-unit squared diffs: each unit 2 ordered pairs * 1 / (m-1=1) -> (2+2)/4 = 1
    # D_e = sum over ordered pairs of all values (c-k)^2 / (n(n-1)) = 2*(1+4+9+1+4+1)/12 = 40/12
    # α = 1 - D_o/D_e = 1 - 12/40 = 0.7
    t = totals([("P", "J1", 1), ("P", "J2", 2), ("Q", "J1", 3), ("Q", "J2", 4)])
    assert R.krippendorff_alpha(t) == pytest.approx(0.7)


def test_krippendorff_alpha_none_when_not_computable():
    assert R.krippendorff_alpha(totals([("P", "J1", 1), ("Q", "J1", 2)])) is None  # one judge
    assert R.krippendorff_alpha(totals([("P", "J1", 1), ("Q", "J2", 2)])) is None  # no shared proposal
    assert R.krippendorff_alpha(totals([("P", "J1", 5), ("P", "J2", 5)])) is None  # one value only


def test_compare_methods_rank_change():
    out = R.compare_methods(JUDGES, "mean", "zscore").set_index("proposal")
    # B: 4 -> 1 (+3) ; C: 3 -> 6 (-3) ; G: 1 -> 3 (-2)
    assert out.loc["B", "rank_change"] == 3 and out.loc["C", "rank_change"] == -3
    assert out.loc["G", ["rank_mean", "rank_zscore", "rank_change"]].tolist() == [1, 3, -2]
    assert (out["rank_change"] == out["rank_mean"] - out["rank_zscore"]).all()


# --------------------------------------------------------------------------- awards

def ranked_with_ranks(ranks, incomplete=()):
    names = [f"P{i + 1}" for i in range(len(ranks))]
    return pd.DataFrame({"proposal": names, "rank": ranks, "incomplete": [n in incomplete for n in names]})


def awards(frame):
    return {p: a for p, a in zip(frame["proposal"], frame["award"])}


def test_quotas_shares_round_half_up_and_counts():
    # n = 10: 0.05*10 = 0.5 -> 1 ; 0.10*10 = 1 ; 0.15*10 = 1.5 -> 2 ; 0.20*10 = 2
    assert R.tier_quotas(R.DEFAULT_TIERS, 10) == [1, 1, 2, 2]
    # n = 3: 0.05*3 = 0.15 -> 0 -> at least 1 ; 0.2*3 = 0.6 -> 1 ; counts kept ; share 0 -> 0
    assert R.tier_quotas([("a", 0.05), ("b", 0.2), ("c", 4), ("d", 0.0)], 3) == [1, 1, 4, 0]
    assert R.tier_quotas([("a", 0.05)], 0) == [0]
    with pytest.raises(ValueError, match="a"):
        R.tier_quotas([("a", 1.5)], 10)


def test_awards_tie_at_boundary_gets_higher_award_and_next_tier_shrinks():
    # ranks 1,2,3,3,5,...,10 ; quotas: 1 ; 2 ; 0.3*10 = 3 -> cumulative cut positions 1, 3, 6
    # tier 1: rank at position 1 = 1 -> P1
    # tier 2: rank at position 3 = 3 -> ranks <= 3 -> P2, P3, P4 (P4 ties P3: 3 instead of 2)
    # tier 3: rank at position 6 = 6 -> unawarded ranks <= 6 -> P5, P6 (2 instead of 3)
    out = R.assign_awards(ranked_with_ranks([1, 2, 3, 3, 5, 6, 7, 8, 9, 10]),
                          [("一等奖", 1), ("二等奖", 2), ("三等奖", 0.3)])
    assert awards(out) == {"P1": "一等奖", "P2": "二等奖", "P3": "二等奖", "P4": "二等奖", "P5": "三等奖",
                           "P6": "三等奖", "P7": None, "P8": None, "P9": None, "P10": None}


def test_awards_tie_can_swallow_next_tier():
    # three proposals tied at rank 1, quotas 1 and 1: tier 1 line = rank 1 -> all three ; tier 2 line at
    # position 2 is still rank 1 -> nothing left ; tier 3 line at position 3 -> rank 1 -> nothing ; P4 none
    out = R.assign_awards(ranked_with_ranks([1, 1, 1, 4]), [("金", 1), ("银", 1), ("铜", 1)])
    assert awards(out) == {"P1": "金", "P2": "金", "P3": "金", "P4": None}


def test_awards_default_tiers_skip_incomplete():
    # 12 rows, P11 and P12 incomplete -> n = 10 complete -> quotas 1, 1, 2, 2 -> cut positions 1, 2, 4, 6
    out = R.assign_awards(ranked_with_ranks(list(range(1, 13)), incomplete={"P11", "P12"}))
    assert awards(out) == {"P1": "一等奖", "P2": "二等奖", "P3": "三等奖", "P4": "三等奖", "P5": "优秀奖",
                           "P6": "优秀奖", "P7": None, "P8": None, "P9": None, "P10": None,
                           "P11": None, "P12": None}


def test_awards_incomplete_never_awarded_even_if_ranked_high():
    # hand-built frame: P1 ranked 1 but incomplete -> complete ranks [2, 3] -> tier line at position 1 = rank 2
    out = R.assign_awards(ranked_with_ranks([1, 2, 3], incomplete={"P1"}), [("一等奖", 1)])
    assert awards(out) == {"P1": None, "P2": "一等奖", "P3": None}


def test_awards_overrides_applied_last():
    out = R.assign_awards(ranked_with_ranks([1, 2, 3], incomplete={"P3"}), [("一等奖", 1), ("二等奖", 1)],
                          overrides={"P1": None, "P3": "特别奖"})
    # computed: P1 一等奖, P2 二等奖, P3 none (incomplete) ; then overrides
    assert awards(out) == {"P1": None, "P2": "二等奖", "P3": "特别奖"}
    with pytest.raises(ValueError, match="P9"):
        R.assign_awards(ranked_with_ranks([1]), overrides={"P9": "一等奖"})


# --------------------------------------------------------------------------- rank_file

HEADER = "proposal,judge,criterion,score\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def rubric_file(tmp_path):
    return write(tmp_path, "rubric.csv", "criterion,weight,min,max\n创新性,3,0,10\n可行性,1,1,5\n")


GOOD = HEADER + "P1,J1,创新性,8\nP1,J1,可行性,5\nP1,J2,创新性,5\nP1,J2,可行性,3\nP2,J1,创新性,6\nP2,J1,可行性,2\n"


def test_rank_file_with_rubric_file_and_output(tmp_path):
    # totals: P1/J1 85, P1/J2 50, P2/J1 51.25 (see test_sheet_totals) ; mean: P1 67.5, P2 51.25
    out_path = tmp_path / "out.csv"
    out = R.rank_file(write(tmp_path, "s.csv", GOOD), "mean", rubric_file(tmp_path), out_path)
    assert list(out.columns) == ["rank", "proposal", "score", "sheets", "spread"]
    assert out["proposal"].tolist() == ["P1", "P2"] and out["rank"].tolist() == [1, 2]
    assert out["score"].tolist() == pytest.approx([67.5, 51.25])
    assert out["spread"].tolist() == pytest.approx([35.0, 0.0])
    written = pd.read_csv(out_path, encoding="utf-8-sig")
    assert written["proposal"].tolist() == ["P1", "P2"]


def test_rank_file_rubric_frame_and_xlsx(tmp_path):
    scores = pd.read_csv(write(tmp_path, "s.csv", GOOD))
    xlsx = tmp_path / "s.xlsx"
    scores.to_excel(xlsx, index=False)
    out = R.rank_file(xlsx, "mean", rubric=RUBRIC, out_path=tmp_path / "out.xlsx")
    assert out["score"].tolist() == pytest.approx([67.5, 51.25])
    assert pd.read_excel(tmp_path / "out.xlsx")["proposal"].tolist() == ["P1", "P2"]


def test_rank_file_default_rubric_equal_weights_observed_range(tmp_path):
    # a observed 2..6, b observed 0..10, equal weights
    # P1/J1: a=6 -> 100, b=0 -> 0 -> 50 ; P2/J1: a=2 -> 0, b=10 -> 100 -> 50 ; P3/J1: a=4 -> 50, b=10 -> 100 -> 75
    text = HEADER + "P1,J1,a,6\nP1,J1,b,0\nP2,J1,a,2\nP2,J1,b,10\nP3,J1,a,4\nP3,J1,b,10\n"
    out = R.rank_file(write(tmp_path, "s.csv", text), "mean")
    assert by_proposal(out, "score") == pytest.approx({"P1": 50.0, "P2": 50.0, "P3": 75.0})
    assert by_proposal(out, "rank") == {"P3": 1, "P1": 2, "P2": 2}


def test_rank_file_gbk_csv(tmp_path):
    out = R.rank_file(write(tmp_path, "s.csv", GOOD, encoding="gbk"), "mean", rubric_file(tmp_path))
    assert out["score"].tolist() == pytest.approx([67.5, 51.25])


@pytest.mark.parametrize(("body", "pattern"), [
    # data rows start at spreadsheet row 2 (header = row 1)
    ("P1,J1,创新性,8\nP1,J1,可行性,abc\n", r"第 3 行.*score.*abc.*不是有效数字"),
    ("P1,J1,创新性,8\nP1,J1,可行性,\n", r"第 3 行.*score.*为空"),
    ("P1,J1,创新性,8\nP1,J1,可行性,5\nP2,J1,创新性,11\n", r"第 4 行.*创新性.*11.*超出范围 \[0, 10\]"),
    ("P1,J1,创新性,8\nP1,J1,可行性,0\n", r"第 3 行.*可行性.*0.*超出范围 \[1, 5\]"),
    ("P1,J1,创新性,8\nP1,J1,可行性,5\nP1,J1,创新性,7\n", r"第 4 行：与第 2 行重复.*J1.*P1.*创新性"),
    ("P1,J1,创新性,8\n\nP1,J1,美观,5\n", r"第 4 行.*美观.*不在评分细则中"),  # blank row 3 still counted
])
def test_rank_file_errors_name_the_row(tmp_path, body, pattern):
    with pytest.raises(ValueError, match=pattern):
        R.rank_file(write(tmp_path, "s.csv", HEADER + body), "mean", rubric_file(tmp_path))


def test_rank_file_missing_columns(tmp_path):
    with pytest.raises(ValueError, match=r"第 1 行（表头）缺少列：score"):
        R.rank_file(write(tmp_path, "s.csv", "proposal,judge,criterion\nP1,J1,a\n"))


def test_rank_file_no_data_rows(tmp_path):
    with pytest.raises(ValueError, match="没有数据行"):
        R.rank_file(write(tmp_path, "s.csv", HEADER + "\n"))


def test_rank_file_bad_rubric_row(tmp_path):
    rubric = write(tmp_path, "r.csv", "criterion,weight,min,max\n创新性,3,0,10\n可行性,1,5,5\n")
    with pytest.raises(ValueError, match=r"评分细则文件.*第 3 行.*可行性.*最高分必须大于最低分"):
        R.rank_file(write(tmp_path, "s.csv", GOOD), "mean", rubric)


def test_rank_file_xlsx_error_row(tmp_path):
    frame = pd.DataFrame([("P1", "J1", "创新性", 8), ("P1", "J1", "可行性", "x")], columns=R.SCORE_COLUMNS)
    path = tmp_path / "s.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(ValueError, match=r"第 3 行.*不是有效数字"):
        R.rank_file(path, rubric=RUBRIC)


@pytest.mark.parametrize("name", ["s.txt", "s.xls", "s"])
def test_rank_file_unsupported_type(tmp_path, name):
    with pytest.raises(ValueError, match="不支持的文件类型"):
        R.rank_file(write(tmp_path, name, GOOD))


def test_rank_file_unsupported_output_type(tmp_path):
    with pytest.raises(ValueError, match="不支持的文件类型"):
        R.rank_file(write(tmp_path, "s.csv", GOOD), out_path=tmp_path / "out.json")


def test_krippendorff_alpha_matches_the_reference_package():
    import krippendorff
    import numpy as np

    rng = np.random.default_rng(7)
    for _ in range(25):
        rows = [(p, j, float(rng.integers(0, 101))) for p in range(int(rng.integers(2, 25)))
                for j in range(6) if rng.random() < 0.5]
        t = totals(rows)
        matrix = t.pivot_table(index="proposal", columns="judge", values="total")
        try:
            expected = krippendorff.alpha(reliability_data=matrix.T.to_numpy(float),
                                          level_of_measurement="interval")
        except (ValueError, ZeroDivisionError):
            expected = None
        got = R.krippendorff_alpha(t)
        if expected is None or not np.isfinite(expected):
            assert got is None
        else:
            assert got == pytest.approx(expected, abs=1e-9)
