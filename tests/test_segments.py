"""Segmentation: planted groups, RFM ties, bad input, migration, CDNOW, the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from cxreport import rfm, segments
from cxreport.data import Dataset, load
from cxreport.data.sample import generate
from cxreport.errors import CxReportError, MissingTableError

ROOT = Path(__file__).resolve().parents[1]


def _dataset(tx: pd.DataFrame | None, month: str = "2026-10", **tables) -> Dataset:
    """A Dataset built in memory (the folder is never read)."""
    t = {"transactions": tx, **tables} if tx is not None else dict(tables)
    return Dataset(Path("/nowhere"), None, t, {}, month=pd.Period(month, "M"))


def _tx(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(
        date=lambda d: pd.to_datetime(d["date"])
    )


# ------------------------------------------------------------------ planted groups (sample)


@pytest.fixture(scope="module")
def sample_result(sample_dir):
    data = load(sample_dir, "2026-10")
    return data, segments.segment(data, seed=42)


def test_planted_groups_are_found_in_the_sample(sample_result):
    _, res = sample_result
    truth = generate()["_truth"].set_index("customer_id")["group"]
    j = res.segments.to_frame().join(truth)
    ari = adjusted_rand_score(j["group"], j["segment"])
    # bargain-occasional and drifting buy alike (0.35 vs 0.15 purchases a month, small
    # baskets) and merge; the other three planted groups each own a segment
    assert ari > 0.6, ari
    ct = pd.crosstab(j["group"], j["segment"], normalize="index")
    owner = ct.idxmax(axis=1)
    assert len({owner["premium loyal"], owner["regular"], owner["new"]}) == 3
    assert ct.loc["premium loyal"].max() > 0.9
    assert owner["premium loyal"].startswith("high-value")
    assert owner["new"].startswith("new")
    assert owner["bargain occasional"] == owner["drifting"]
    # segment 0 is the most valuable, and the profile says so
    p = res.profile
    assert p["monthly_value"].is_monotonic_decreasing or p.index[0] == 0
    assert p.loc[0, "revenue_share"] == p["revenue_share"].max()
    assert abs(p["share"].sum() - 1) < 1e-9 and abs(p["revenue_share"].sum() - 1) < 1e-9


def test_chosen_k_follows_the_stated_rule(sample_result):
    _, res = sample_result
    t = res.sweep.table
    ok = t.index[t["stable"].astype(bool) & t["separated"].astype(bool)]
    assert res.k == ok.max()
    assert f"k = {res.k}" in res.choice.reason
    assert (t.loc[ok, "min_jaccard"] >= 0.75).all()


def test_label_customers_is_deterministic_and_matches_segment(sample_result):
    data, res = sample_result
    lab = segments.label_customers(data, seed=42)
    assert lab.name == "segment" and lab.index.name == "customer_id"
    assert lab.index.is_unique
    pd.testing.assert_series_equal(lab.loc[res.segments.index], res.segments)
    assert (lab.drop(res.segments.index) == segments.NO_PURCHASE).all()


def test_the_yardstick_places_customers_as_the_segmentation_did(sample_result):
    data, res = sample_result
    ruler = segments.Yardstick.from_json(res.yardstick().to_json())  # as the run's cache keeps it
    assert ruler == res.yardstick()
    now = ruler.labels_at(data, data.month)
    pd.testing.assert_series_equal(now, res.labels(), check_names=False)
    # an earlier month: last month's customers under this month's segments, as the migration
    before = ruler.labels_at(data, data.month - 1)
    prev = segments.previous_assignments(data, res).set_index("customer_id")["segment"]
    assert before.loc[prev.index].tolist() == prev.tolist()
    assert set(before) <= set(res.labels())
    # the default features use no experience column: other months are placed without them
    assert not ruler.uses_experience
    plain = segments.customer_features(data, month=data.month - 1, experience=False).table
    assert not set(segments.EXPERIENCE) & set(plain.columns)


def test_names_are_unique_and_deterministic():
    prof = pd.DataFrame(
        {
            "monthly_value": [300.0, 300.0, 5.0],
            "recency": [5.0, 5.0, 400.0],
            "purchase_rate": [3.0, 1.0, 0.1],
            "tenure": [900.0, 900.0, 900.0],
            "avg_basket": [100.0, 300.0, 50.0],
        }
    )
    overall = pd.Series({"monthly_value": 50.0, "recency": 20.0, "purchase_rate": 1.0})
    names = segments.name_clusters(prof, overall)
    assert names == segments.name_clusters(prof, overall)
    assert len(set(names.values())) == 3
    assert names[0] == "high-value loyal"
    assert names[1].startswith("high-value regular")
    assert names[2] == "lapsed"


# ------------------------------------------------------------------ RFM


def test_rfm_known_answer_with_ties():
    # frequency 1 x6, 2 x2, 3, 4: quintile cuts at 1, 1, 1, 2.2 -> three levels (1, 3, 5)
    t = pd.DataFrame(
        {
            "recency": np.arange(10.0),
            "frequency": [1, 1, 1, 1, 1, 1, 2, 2, 3, 4],
            "monetary": np.arange(1.0, 11.0),
        }
    )
    r = rfm.rfm_scores(t)
    assert r.scores["F"].tolist() == [1] * 6 + [3, 3, 5, 5]
    assert r.scores["R"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert r.scores["M"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert r.ties.loc["frequency", "levels"] == 3
    assert r.ties.loc["frequency", "top_value_share"] == pytest.approx(0.6)
    # rank(method="first") quintiles would put the six 1s into scores 1, 2 and 3
    assert r.ties.loc["frequency", "split_by_row_order"] == pytest.approx(0.6)
    fb = r.bins[r.bins["variable"] == "frequency"]
    assert fb[["score", "low", "high", "customers"]].values.tolist() == [
        [1, 1, 1, 6],
        [3, 2, 2, 2],
        [5, 3, 4, 2],
    ]
    assert any("only 3 of 5 score levels" in w for w in r.warnings)
    # customer 0: R5, F1, M1 -> FM 1 -> "New"; customer 9: R1, F5, M5 -> "Can't lose them"
    assert r.scores["segment"].iloc[0] == "New"
    assert r.scores["segment"].iloc[9] == "Can't lose them"
    assert r.summary["customers"].sum() == 10
    assert r.summary["revenue_share"].sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(1, 6), st.sampled_from([5.0, 10.0, 20.0, 99.5])),
        min_size=1,
        max_size=60,
    ),
    st.integers(2, 10),
)
def test_rfm_identical_customers_get_identical_scores(rows, bins):
    t = pd.DataFrame(rows, columns=["recency", "frequency", "monetary"])
    smap = {"all": ((1, bins), (1, bins))}
    r = rfm.rfm_scores(t, bins=bins, segment_map=smap)
    s = r.scores
    for var, letter in (("recency", "R"), ("frequency", "F"), ("monetary", "M")):
        # ties never split, scores in range, and monotone in the value
        assert (s.groupby(var)[letter].nunique() == 1).all()
        assert s[letter].between(1, bins).all()
        order = s.sort_values(var, kind="stable")[letter].to_numpy()
        if letter == "R":
            assert (np.diff(order) <= 0).all()
        else:
            assert (np.diff(order) >= 0).all()
    assert r.bins.groupby("variable")["customers"].sum().eq(len(t)).all()


def test_rfm_empty_segments_are_warned_and_bad_maps_rejected():
    t = pd.DataFrame({"recency": [1.0, 2, 3, 4], "frequency": [1.0] * 4, "monetary": [5.0] * 4})
    r = rfm.rfm_scores(t)
    assert any("RFM segments are empty" in w for w in r.warnings)
    assert (r.summary.loc[["Champions", "Lost"], "customers"] == 0).all()
    partial = {"top": ((5, 5), (4, 5))}
    r2 = rfm.rfm_scores(t, segment_map=partial)
    assert "Other" in r2.summary.index
    assert any("fall in no segment" in w for w in r2.warnings)
    with pytest.raises(CxReportError, match=r"1 <= low <= high <= 5"):
        rfm.rfm_scores(t, segment_map={"bad": ((0, 6), (1, 5))})
    with pytest.raises(CxReportError, match=r"'bins' parameter must be an int in \[2, 10\]"):
        rfm.rfm_scores(t, bins=1)
    with pytest.raises(CxReportError, match="pass your own 'segment_map'"):
        rfm.rfm_scores(t, bins=4)
    with pytest.raises(CxReportError, match="negative monetary"):
        rfm.rfm_scores(t.assign(monetary=-1.0))


# ------------------------------------------------------------------ bad input


def test_no_transactions_table_is_a_clear_error():
    with pytest.raises(MissingTableError, match="needs the table transactions"):
        segments.segment(_dataset(None))


def test_month_before_any_activity_is_a_clear_error():
    tx = _tx([("a", "2026-10-03", 5.0), ("b", "2026-10-04", 7.0)])
    with pytest.raises(CxReportError, match="No transactions dated before the end of 2026-09"):
        segments.segment(_dataset(tx, "2026-09"))


def _many(n=40, month="2026-08"):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n):
        for d in rng.choice(200, rng.integers(1, 8), replace=False):
            rows.append((f"c{i}", pd.Timestamp(month) - pd.Timedelta(days=int(d)), i + 5.0))
    return _tx(rows)


def test_month_without_activity_is_noted_and_recency_counts_from_its_end():
    tx = _many()
    res = segments.segment(_dataset(tx, "2026-10"), n_boot=2, k_max=3)
    assert any("No purchases in 2026-10 itself" in n for n in res.notes)
    assert res.features.table["recency"].min() >= 61  # 2026-08-01 .. 2026-10-31


def test_fewer_customers_than_clusters():
    tx = _tx([(c, "2026-10-0" + str(i + 1), 10.0 * (i + 1)) for i, c in enumerate("abcd")])
    with pytest.raises(CxReportError, match="asks for 6 segments but only 4 customers"):
        segments.segment(_dataset(tx), k=6)
    res = segments.segment(_dataset(tx), n_boot=2)
    assert any("the sweep stops at k = 3" in n for n in res.notes)
    with pytest.raises(CxReportError, match="at least 3 are needed"):
        segments.segment(_dataset(tx.iloc[:2]))
    with pytest.raises(CxReportError, match=r"'k' parameter must be 0 .* got 1"):
        segments.segment(_dataset(tx), k=1)


def test_constant_features_are_dropped_or_refused():
    same = _tx([(c, "2026-10-05", 10.0) for c in "abcdef"])
    with pytest.raises(CxReportError, match="Every clustering feature is constant"):
        segments.segment(_dataset(same))
    varied = _tx([(c, f"2026-10-0{i + 1}", 10.0) for i, c in enumerate("abcdef")])
    res = segments.segment(_dataset(varied), n_boot=2, k_max=3)
    assert any("Constant features left out" in n and "avg_basket" in n for n in res.notes)


def test_negative_amounts_are_netted_as_returns():
    tx = _tx(
        [
            ("a", "2026-10-01", 50.0),
            ("a", "2026-10-02", -20.0),  # return: not a purchase day
            ("b", "2026-10-03", 30.0),
            ("b", "2026-10-03", -30.0),  # same-day return cancels the purchase
            ("b", "2026-09-03", 10.0),
            ("c", "2026-10-04", -5.0),  # only a return
            ("d", "2026-10-04", 8.0),
        ]
    )
    f = segments.customer_features(_dataset(tx))
    t = f.table
    assert t.loc["a", "monetary"] == 30.0 and t.loc["a", "frequency"] == 1
    assert t.loc["a", "recency"] == 30  # last purchase 10-01, month ends 10-31
    assert t.loc["b", "monetary"] == 10.0 and t.loc["b", "frequency"] == 1
    assert "c" not in t.index
    assert any("3 transactions with a negative amount" in n for n in f.notes)
    assert any("1 customers with no day of positive net purchases" in n for n in f.notes)


# ------------------------------------------------------------------ migration


def test_migration_known_answer():
    prev = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "segment": ["X", "X", "Y", "Y"],
            "revenue_month": [10.0, 20.0, 1.0, 2.0],
        }
    )
    cur = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "e"],
            "segment": ["X", "Y", "Y", "X"],
            "revenue_month": [11.0, 5.0, 1.0, 7.0],
        }
    )
    m = segments.migration(prev, cur)
    assert m.matrix.loc["X", "X"] == 1 and m.matrix.loc["X", "Y"] == 1
    assert m.matrix.loc["Y", segments.GONE_COL] == 1
    assert m.matrix.loc[segments.NEW_ROW, "X"] == 1
    assert m.n_both == 3 and m.moved_share == pytest.approx(1 / 3)
    f = m.flows
    assert f.loc["X"].to_dict() == {
        "customers_before": 2,
        "customers_now": 2,
        "change": 0,
        "stayed": 1,
        "joined": 1,
        "left": 1,
        "value_before": 30.0,
        "value_now": 18.0,
        "value_change": -12.0,
    }
    # a missing value adds nothing to its segment's value
    prev.loc[0, "revenue_month"] = np.nan
    assert segments.migration(prev, cur).flows.loc["X", "value_before"] == 20.0
    with pytest.raises(CxReportError, match="lack the column"):
        segments.migration(prev.drop(columns="segment"), cur)


# ------------------------------------------------------------------ real data: CDNOW


def test_cdnow_matches_the_published_reference(shared_data):
    raw = pd.read_csv(
        shared_data / "cdnow" / "CDNOW_master.txt",
        sep=r"\s+",
        dtype={"customer_id": str, "date": str},
    )
    tx = pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["dollar_value"],
        }
    )
    assert tx["customer_id"].nunique() == 23_570
    data = _dataset(tx, "1998-06")
    f = segments.customer_features(data)
    # 68 customers whose purchases are all $0 have nothing to score
    assert len(f.table) == 23_502
    r = rfm.rfm_scores(f.table)
    # reference: 51.1 % bought on one day only; 74.4 % split by rank(method="first")
    assert r.ties.loc["frequency", "top_value_share"] == pytest.approx(0.511, abs=0.002)
    assert r.ties.loc["frequency", "split_by_row_order"] == pytest.approx(0.744, abs=0.003)
    assert r.ties.loc["frequency", "levels"] == 4
    assert r.summary.loc["Champions", "revenue_share"] > 0.5  # value concentration
    res = segments.segment(
        data, feature_table=f, features=("recency", "frequency", "monetary"), k_max=4, n_boot=5
    )
    t = res.sweep.table
    # reference (standardised log1p RFM, KMeans n_init=10): k=2 silhouette 0.577,
    # CH 34,208, DB 0.725; k=3 0.482 / 30,258 / 0.889; all indices prefer k=2
    assert t.loc[2, "silhouette"] == pytest.approx(0.577, abs=0.015)
    assert t.loc[2, "calinski_harabasz"] == pytest.approx(34_208, rel=0.03)
    assert t.loc[2, "davies_bouldin"] == pytest.approx(0.725, abs=0.02)
    assert t.loc[3, "silhouette"] == pytest.approx(0.482, abs=0.02)
    assert t["silhouette"].idxmax() == 2 and t["calinski_harabasz"].idxmax() == 2
    assert t["davies_bouldin"].idxmin() == 2
    assert res.k == 2
    assert t.loc[2, "stability_ari"] > 0.9


# ------------------------------------------------------------------ the notebook


NB = ROOT / "notebooks" / "02_segments.ipynb"


def _kpis(nb) -> dict:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.cxreport.metrics+json" in data:
                m = data["application/vnd.cxreport.metrics+json"]
                return {x["name"]: x["value"] for x in m["metrics"]}
    raise AssertionError("no KPI output")


def _text(nb, *, html_only: bool = False) -> str:
    outs = [o for c in nb.cells for o in c.get("outputs", [])]
    if html_only:  # what the HTML export shows (text/plain is a fallback it does not use)
        outs = [{k: v for k, v in o.get("data", {}).items() if k != "text/plain"} for o in outs]
    return json.dumps(outs)


def test_notebook_with_k_pinned_and_history(tmp_path, sample_result):
    import papermill

    data, res = sample_result
    hist = tmp_path / "hist" / "2026-09"
    hist.mkdir(parents=True)
    # last month: everyone in this month's top segment (k = 3 fits the same with any range),
    # so the call list of customers who left it is shown
    top3 = segments.segment(data, k=3, k_min=3, k_max=3, n_boot=0, seed=42)
    prev = segments.assignment_table(top3).assign(segment=top3.names[0])
    prev.to_csv(hist / "segments.csv", index=False)
    left = prev.loc[top3.clusters.reindex(prev["customer_id"]).to_numpy() != 0, "customer_id"]
    out = tmp_path / "out.ipynb"
    nb = papermill.execute_notebook(
        str(NB),
        str(out),
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        parameters={
            "k": 3,
            "k_max": 5,
            "n_boot": 5,
            "export_dir": str(tmp_path / "export"),
            "history_dir": str(tmp_path / "hist"),
        },
    )
    k = _kpis(nb)
    assert k["segments_k"] == 3
    shares = [v for n, v in k.items() if n.startswith("segment_share_")]
    assert len(shares) == 3 and sum(shares) == pytest.approx(100)
    text = _text(nb)
    assert "pinned by the analyst" in text
    assert "report (2026-09)" in text
    exp = pd.read_csv(tmp_path / "export" / "segments.csv")
    assert exp["cluster"].max() == 2 and set(exp["cluster"]) >= {0, 1, 2}
    assert exp["customer_id"].is_unique
    # ids never reach the HTML unpseudonymised
    html = _text(nb, html_only=True)
    from cxreport import pseudonymise

    shown = [x for x in pseudonymise(left, "cxreport-2026-10") if x in html]
    assert len(shown) == 10  # the call list is shown, pseudonymised
    assert not any(c in html for c in left)


def test_notebook_fails_clearly_on_a_bad_k(tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match=r"'k' parameter of 02_segments must be 0"):
        papermill.execute_notebook(
            str(NB),
            str(tmp_path / "bad.ipynb"),
            kernel_name="cxreport",
            cwd=str(ROOT / "notebooks"),
            progress_bar=False,
            parameters={"k": 1},
        )


def test_features_of_a_window_without_any_failed_contact(sample_dir):
    # a generated tiny folder found it: no failed touchpoint in the window broke the lookup
    from cxreport import load

    data = load(sample_dir, "2026-10")
    tp = data.tables["touchpoints"]
    tp["outcome"] = "ok"
    f = segments.customer_features(data)
    assert (f.table["failed_mot"] == 0).all() and f.table["contacts"].sum() > 0


def test_a_missing_feature_value_is_placed_at_the_median_as_in_the_fit(sample_result):
    data, _ = sample_result
    res = segments.segment(data, k=3, features=("recency", "monetary", "nps"), seed=1)
    ruler = segments.Yardstick.from_json(res.yardstick().to_json())
    table = res.features.table
    no_nps = table.index[table["nps"].isna()]
    assert len(no_nps)  # customers who never answered: filled with the median in the fit
    # placed again by the yardstick (as another month's customers are), NaN and all: the same
    # segments as the fit gave them, not the first centre for every NaN row
    again = ruler.assign(table.loc[no_nps])
    pd.testing.assert_series_equal(again, res.segments.loc[no_nps], check_names=False)
    filled = table.loc[no_nps].assign(nps=float(table["nps"].median()))
    pd.testing.assert_series_equal(ruler.assign(filled), again)
