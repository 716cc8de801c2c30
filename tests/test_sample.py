"""The sample generator: deterministic, valid, and with the structure the analyses need."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from cxreport import validate
from cxreport.cli import main
from cxreport.data import load, sample


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert (
        main(["sample", "--customers", "300", "--months", "4", "--seed", "7", "--out", str(a)]) == 0
    )
    main(["sample", "--customers", "300", "--months", "4", "--seed", "7", "--out", str(b)])
    main(["sample", "--customers", "300", "--months", "4", "--seed", "8", "--out", str(c)])
    assert _digest(a) == _digest(b)
    assert _digest(a)["transactions.csv"] != _digest(c)["transactions.csv"]
    assert validate(a).ok, validate(a).format()


def test_committed_sample_matches_the_defaults(tmp_path, sample_dir):
    sample.write(tmp_path)
    assert _digest(tmp_path) == _digest(sample_dir), "data/sample is stale: regenerate it"


def test_planted_structure_is_there():
    t = sample.generate(customers=3000, months=18, seed=42)
    cust, truth = t["customers"], t["_truth"].set_index("customer_id")["group"]
    churn = cust.set_index("customer_id")["churned"].groupby(truth).mean()
    assert churn["drifting"] > 2 * churn["premium loyal"]  # churn differs by group
    spend = t["transactions"].groupby("customer_id")["amount"].sum().groupby(truth).median()
    assert spend["premium loyal"] > 3 * spend["bargain occasional"]
    tp = t["touchpoints"]
    fail = (tp["outcome"] != "ok").groupby(tp["touchpoint"]).mean()
    assert fail["repair"] > 2 * fail["website"]  # failures vary by touchpoint
    sv = t["survey"]
    gap = {d: (sv[f"{d}1"] - sv[f"{d}1_exp"]).mean() for d in ("T", "R")}
    assert gap["T"] > gap["R"] + 0.5  # SERVQUAL gaps differ by dimension
    sa = t["self_assessment"]
    assert sa["score"].between(1, 5).all() and sa["department"].nunique() == 5


def test_bad_sizes_are_refused(capsys):
    assert main(["sample", "--customers", "10", "--out", "/tmp/never"]) == 2
    assert "'customers' parameter must be at least 50" in capsys.readouterr().err


def test_churn_is_plausible():
    cust = sample.generate(customers=2000, months=12, seed=1)["customers"]
    rate = cust["churned"].mean()
    assert 0.05 < rate < 0.4
    assert (cust.loc[cust.churned, "churn_date"] >= cust.loc[cust.churned, "signup_date"]).all()
    assert cust.loc[~cust.churned, "churn_date"].isna().all()
    assert np.isfinite(cust["monthly_fee"]).all() and pd.api.types.is_bool_dtype(cust.churned)


def test_a_parquet_sample_is_written_in_chunks(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    args = ["sample", "--customers", "300", "--months", "3", "--format", "parquet"]
    assert main([*args, "--chunk", "100", "--out", str(a)]) == 0
    main([*args, "--chunk", "100", "--out", str(b)])
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*.parquet"))
    assert "transactions/month=2026-10/part-00002.parquet" in files
    assert "touchpoints/month=2026-08/part-00000.parquet" in files
    assert {"customers/part-00001.parquet", "survey/part-00002.parquet"} <= set(files)
    assert "self_assessment.parquet" in files and "customers/part-00003.parquet" not in files
    digest = {f: hashlib.sha256((a / f).read_bytes()).hexdigest() for f in files}
    assert digest == {f: hashlib.sha256((b / f).read_bytes()).hexdigest() for f in files}
    report = validate(a)
    assert report.ok, report.format()
    data = load(a, month="2026-10")
    ids = data.customers["customer_id"]
    assert ids.is_unique and set(ids) == {f"C{i:06d}" for i in range(1, 301)}
    for table, key in (("transactions", "order_id"), ("complaints", "complaint_id")):
        assert data.table(table)[key].is_unique
    assert set(data.transactions["customer_id"]) <= set(ids)
    assert pd.api.types.is_datetime64_any_dtype(data.touchpoints["date"])


def test_the_first_chunk_is_the_sample_of_its_size():
    first = next(sample.chunks(300, 3, chunk=100))
    alone = sample.generate(100, 3)
    for name in ("customers", "transactions", "survey", "self_assessment"):
        pd.testing.assert_frame_equal(first[name], alone[name])
    second = next(iter(list(sample.chunks(300, 3, chunk=100))[1:]))
    assert second["customers"]["customer_id"].iloc[0] == "C000101"
    assert "self_assessment" not in second
