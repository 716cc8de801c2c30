"""Segmentation without transactions: a customers table's own numeric attributes.

The generated table is wholesale-like (annual spend in six product categories, as the UCI
"Wholesale customers" file) with four planted buyer groups and the distractor columns a real
export has: an id, a channel flag, a region code, a constant, a date, a mostly-empty column,
a near-copy of another column and text.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from cxreport import segments
from cxreport.data import Dataset, load
from cxreport.errors import CxReportError, MissingTableError

ROOT = Path(__file__).resolve().parents[1]
SPEND = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]
#: planted groups: log-spend shifts (natural log) over a common base, within-group SD 0.5
GROUPS = {
    "hotel": {"Fresh": 1.6, "Frozen": 1.4},
    "retail": {"Grocery": 1.6, "Detergents_Paper": 1.8, "Milk": 1.0},
    "deli": {"Delicassen": 1.8, "Milk": 0.6},
    "small": {},
}
BASE = {"Fresh": 8000, "Milk": 3000, "Grocery": 4000, "Frozen": 1500}
BASE |= {"Detergents_Paper": 800, "Delicassen": 800}


def wholesale(n_per_group: int = 100, seed: int = 7) -> tuple[pd.DataFrame, pd.Series]:
    """A customers table (spend per category plus distractors) and the planted group."""
    rng = np.random.default_rng(seed)
    blocks, truth = [], []
    for name, shift in GROUPS.items():
        mu = np.log([BASE[c] for c in SPEND]) + np.array([shift.get(c, 0.0) for c in SPEND])
        blocks.append(np.exp(rng.normal(mu, 0.5, size=(n_per_group, len(SPEND)))).round())
        truth += [name] * n_per_group
    n = len(truth)
    order = rng.permutation(n)  # groups interleaved, as in a real file
    df = pd.DataFrame(np.vstack(blocks)[order], columns=SPEND)
    truth = pd.Series(np.array(truth)[order])
    df.insert(0, "customer_id", [f"W{i:04d}" for i in range(n)])
    df["client_no"] = np.arange(n) + 1000  # an id numbered in sequence
    df["Channel"] = rng.integers(1, 3, n)  # 1 = Horeca, 2 = Retail
    df["Region"] = rng.integers(1, 4, n)  # 1 Lisbon, 2 Oporto, 3 other
    df["currency_unit"] = 1.0
    df["first_order"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D")
    df["credit_limit"] = np.where(rng.random(n) < 0.7, np.nan, rng.normal(5e3, 1e3, n).round())
    df["Grocery_gross"] = (df["Grocery"] * 1.2 * rng.normal(1, 0.01, n)).round(2)
    df["city_name"] = rng.choice(["Lisboa", "Porto", "Faro"], n)
    truth.index = pd.Index(df["customer_id"], name="customer_id")
    return df, truth


def _dataset(customers: pd.DataFrame, month: str = "2026-10", config=None) -> Dataset:
    return Dataset(
        Path("/nowhere"), config, {"customers": customers}, {}, month=pd.Period(month, "M")
    )


@pytest.fixture(scope="module")
def planted():
    df, truth = wholesale()
    return df, truth, segments.segment(_dataset(df), seed=42)


def test_planted_groups_are_recovered(planted):
    df, truth, res = planted
    assert res.by_attributes and res.k == 4
    ari = adjusted_rand_score(truth, res.clusters.reindex(truth.index))
    # The threshold: a partition that misses one planted group (two of them merged, the
    # rest exact) scores at most the ARI computed here (about 0.70 for four equal groups),
    # so 0.8 fails any such recovery, while the planted groups (shifts of 1.4-1.8 log-SD
    # against a within-group SD of 0.5) overlap little: k-means reaches about 0.9.
    merged = max(
        adjusted_rand_score(truth, truth.replace({b: a}))
        for a, b in itertools.combinations(GROUPS, 2)
    )
    assert merged < 0.8 < ari, (merged, ari)
    ct = pd.crosstab(truth, res.segments.reindex(truth.index), normalize="index")
    owner = ct.idxmax(axis=1)
    assert owner.is_unique and (ct.max(axis=1) > 0.9).all(), ct
    # the names say what sets each group apart
    assert {"high Fresh", "high Frozen"} <= set(owner["hotel"].split(", "))
    assert "high Grocery" in owner["retail"] and "high Detergents Paper" in owner["retail"]
    assert owner["deli"].startswith("high Delicassen")
    assert owner["small"].startswith("low ")
    assert len(set(res.names.values())) == res.k


def test_features_used_and_left_out_with_reasons(planted):
    df, _, res = planted
    sel = res.features.selection
    assert sel.used == tuple(SPEND) and set(sel.logged) == set(SPEND)
    assert res.design.features == tuple(SPEND)
    why = sel.table.set_index("column")["reason"]
    assert "identifier" in why["client_no"]
    assert "two values only" in why["Channel"]
    assert "category code (3 whole-number values)" in why["Region"]
    assert "constant" in why["currency_unit"]
    assert "a date" in why["first_order"]
    assert why["credit_limit"].startswith(f"{df['credit_limit'].isna().mean():.0%} missing")
    assert "near-duplicate of Grocery" in why["Grocery_gross"]
    assert "text or categories" in why["city_name"]
    text = " ".join(res.summary())
    assert "Clustered on 6 customer attribute(s), detected" in text
    assert "Fresh (log1p)" in text and "client_no: an identifier" in text
    assert "No value column" in text


def test_label_customers_and_kpis_without_transactions(planted):
    df, _, res = planted
    data = _dataset(df)
    lab = segments.label_customers(data, seed=42)
    assert lab.name == "segment" and lab.index.name == "customer_id"
    assert set(lab.index) == set(df["customer_id"])
    pd.testing.assert_series_equal(lab.loc[res.segments.index], res.segments)
    assert segments.segmentable(data)
    k = {r["name"]: r["value"] for r in segments.kpis(res)}
    assert k["segments_k"] == 4
    assert sum(v for n, v in k.items() if n.startswith("segment_share_")) == pytest.approx(100)
    assert not any(n.startswith("segment_revenue_share_") for n in k)  # no value column
    exp = segments.assignment_table(res)
    assert list(exp.columns) == ["customer_id", "segment", "cluster", *SPEND]
    assert segments.previous_assignments(data, res) is None  # a snapshot: no migration


def test_declared_attributes_and_value_in_cxreport_yaml(tmp_path):
    df, _ = wholesale(n_per_group=40)
    df.drop(columns="first_order").to_csv(tmp_path / "customers.csv", index=False)
    (tmp_path / "cxreport.yaml").write_text(
        "segments:\n  attributes: [Fresh, Grocery, Channel]\n  value: [Fresh, Milk, Grocery]\n"
    )
    data = load(tmp_path, "2026-10")
    res = segments.segment(data, seed=1, n_boot=3, k_max=4)
    sel = res.features.selection
    assert sel.declared and sel.used == ("Fresh", "Grocery", "Channel")
    why = sel.table.set_index("column")["reason"]
    assert why["Milk"] == "not declared in segments.attributes"
    assert "Channel" not in sel.logged and "Fresh" in sel.logged
    p = res.profile
    value = df[["Fresh", "Milk", "Grocery"]].sum(axis=1).to_numpy()
    assert p["value"].sum() == pytest.approx(value.sum())
    assert p["revenue_share"].sum() == pytest.approx(1.0)
    med = res.features.table.groupby(res.clusters)[segments.VALUE].median()
    assert med.idxmax() == 0  # segment 0 is the most valuable
    k = {r["name"]: r for r in segments.kpis(res)}
    shares = [r for n, r in k.items() if n.startswith("segment_revenue_share_")]
    assert len(shares) == res.k and "Fresh + Milk + Grocery" in shares[0]["label"]
    assert "Value shares use Fresh + Milk + Grocery" in " ".join(res.summary())


def test_declared_columns_are_checked():
    df, _ = wholesale(n_per_group=10)
    with pytest.raises(CxReportError, match=r"not have: Frsh \(did you mean Fresh\?\)"):
        segments.select_attributes(df, declared=["Frsh"])
    with pytest.raises(CxReportError, match="city_name, which holds text"):
        segments.select_attributes(df, declared=["Fresh", "city_name"])
    with pytest.raises(CxReportError, match="segments.value .* city_name, which does not hold"):
        segments.select_attributes(df, value=["city_name"])
    # a declaration may use the file's name of a column the config renamed
    t = df.rename(columns={"Milk": "monthly_fee"})
    sel = segments.select_attributes(t, declared=["Milk"], renamed={"Milk": "monthly_fee"})
    assert sel.used == ("monthly_fee",) and sel.value == ("monthly_fee",)
    assert sel.value_label == "monthly fees"


def test_nothing_to_cluster_is_a_clear_error():
    with pytest.raises(MissingTableError, match="needs the table transactions"):
        segments.segment(Dataset(Path("/x"), None, {}, {}, month=pd.Period("2026-10", "M")))
    text_only = pd.DataFrame({"customer_id": list("abcd"), "plan": list("xyxy")})
    data = _dataset(text_only)
    assert not segments.segmentable(data)
    with pytest.raises(MissingTableError, match=r"no customer column can be clustered on \(plan"):
        segments.require(data)
    few = pd.DataFrame({"customer_id": ["a", "b"], "spend": [1.0, 5.0], "x": [2.0, 3.0]})
    with pytest.raises(CxReportError, match="Only 2 active customers in the customers table"):
        segments.segment(_dataset(few), attributes=["spend", "x"])


def test_active_customers_and_churn_by_segment():
    df, _ = wholesale(n_per_group=30, seed=3)
    n = len(df)
    df["signup_date"] = pd.Timestamp("2024-01-01")
    df["churn_date"] = pd.NaT
    df.loc[:4, "churn_date"] = pd.Timestamp("2026-05-10")  # left before the month
    df.loc[5:14, "churn_date"] = pd.Timestamp("2026-10-10")  # left during the month
    df.loc[15:19, "signup_date"] = pd.Timestamp("2026-11-02")  # joined after it
    res = segments.segment(_dataset(df), seed=42, n_boot=3, k_max=5)
    t = res.features.table
    assert len(t) == n - 10 and not set(df["customer_id"][:5]) & set(t.index)
    assert any("10 customers who had left before 2026-10 or joined after" in x for x in res.notes)
    sel = res.features.selection.table.set_index("column")["reason"]
    assert "a date" in sel["signup_date"] and "a date" in sel["churn_date"]
    p = res.profile
    assert (p["churn_rate"] * p["customers"]).sum() == pytest.approx(10)


def test_names_from_attribute_deviations_known_answer():
    dev = pd.DataFrame(
        {
            "Fresh": [1.2, -0.1, 0.1, 0.9, 0.9],
            "Grocery": [-0.8, 0.1, 0.3, 0.0, 0.05],
            "Milk": [0.1, 0.2, -0.4, 0.0, -0.3],
        }
    )
    names = segments.name_by_attributes(dev)
    assert names[0] == "high Fresh, low Grocery"  # 0.8 >= 0.5 and >= 1.2 / 2
    assert names[1] == "typical"  # nothing differs by 0.25 SD
    assert names[2] == "slightly low Milk"  # 0.3 < 0.4: one attribute only
    # 3 and 4 are both "high Fresh": each gets its next attribute, "average" when small
    assert names[3] == "high Fresh, average Grocery"
    assert names[4] == "high Fresh, slightly low Milk"
    assert len(set(names.values())) == 5
    assert names == segments.name_by_attributes(dev)
    twins = segments.name_by_attributes(pd.DataFrame({"a": [1.0, 1.0], "b": [-1.0, -1.0]}))
    assert twins == {0: "high a, low b (1)", 1: "high a, low b (2)"}
    assert segments.plain("Detergents_Paper") == "Detergents Paper"
    assert segments.plain("MonthlyCharges") == "Monthly Charges"


# ------------------------------------------------------------------ real data: IBM Telco


def test_telco_customers_only_file(shared_data):
    data = load(ROOT / "examples" / "telco_csv", "2026-10")
    assert not data.has("transactions")
    res = segments.segment(data, seed=42, n_boot=5)
    sel = res.features.selection
    assert sel.used == ("tenure", "TotalCharges", "monthly_fee") and sel.logged == ()
    why = sel.table.set_index("column")["reason"]
    assert why["SeniorCitizen"].startswith("two values only") and "churn flag" in why["churned"]
    assert sel.value == ("monthly_fee",)
    assert any("TotalCharges: 11 missing values" in x for x in res.notes)
    p = res.profile.set_index("segment")
    # the file's 1,869 churners (26.5 %) are all counted, and the segments differ sharply
    assert (p["churn_flag_rate"] * p["customers"]).sum() == pytest.approx(1869)
    assert p["churn_flag_rate"].max() > 3 * p["churn_flag_rate"].min()
    assert p["revenue_share"].sum() == pytest.approx(1.0)


# ------------------------------------------------------------------ the notebook


def test_notebook_runs_on_a_folder_with_only_customers(tmp_path):
    import papermill
    from test_segments import _kpis, _text

    df, truth = wholesale()
    folder = tmp_path / "wholesale"
    folder.mkdir()
    df.to_csv(folder / "customers.csv", index=False)
    nb = papermill.execute_notebook(
        str(ROOT / "notebooks" / "02_segments.ipynb"),
        str(tmp_path / "out.ipynb"),
        kernel_name="cxreport",
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
        parameters={
            "data_dir": str(folder),
            "k_max": 5,
            "n_boot": 5,
            "export_dir": str(tmp_path / "export"),
        },
    )
    k = _kpis(nb)
    assert k["segments_k"] == 4
    shares = {n: v for n, v in k.items() if n.startswith("segment_share_")}
    assert len(shares) == 4 and sum(shares.values()) == pytest.approx(100)
    assert "segment_share_high_delicassen" in shares
    assert not any(n.startswith(("rfm_", "segment_revenue_share_")) for n in k)
    text = _text(nb)
    assert "Clustered on 6 customer attribute(s), detected" in text
    assert "client_no: an identifier" in text
    assert "RFM scores need purchase dates and amounts, so this section is skipped" in text
    assert "no purchase history to compare, so this section is skipped" in text
    exp = pd.read_csv(tmp_path / "export" / "segments.csv")
    assert list(exp.columns) == ["customer_id", "segment", "cluster", *SPEND]
    ari = adjusted_rand_score(truth, exp.set_index("customer_id")["cluster"].reindex(truth.index))
    assert ari > 0.8
    assert not (tmp_path / "export" / "rfm_segments.csv").exists()
