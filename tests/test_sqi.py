"""Service-quality index: hand-built touchpoint tables with FedEx weights, config overrides,
control limits by hand, Pareto order, reopened complaints, bad input."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest

from cxreport import sqi
from cxreport.data import load
from cxreport.errors import CxReportError, DataError, MissingTableError


def _folder(tmp: Path, tables: dict[str, pd.DataFrame], yaml: str | None = None) -> Path:
    for name, frame in tables.items():
        frame.to_csv(tmp / f"{name}.csv", index=False)
    if yaml is not None:
        (tmp / "cxreport.yaml").write_text(yaml, encoding="utf-8")
    return tmp


def _contacts(day: str, outcomes: list[str], touchpoint: str = "delivery") -> list[dict]:
    return [
        {
            "customer_id": f"C{day[-2:]}{i}",
            "date": f"{day} {9 + i:02d}:00:00",
            "touchpoint": touchpoint,
            "stage": "do",
            "outcome": o,
        }
        for i, o in enumerate(outcomes)
    ]


def _touchpoints() -> pd.DataFrame:
    """Sep: 10 contacts, 1 late_within_day (w 1) + 1 lost (w 10).
    Oct: 1st 4 contacts (1 + 5 + 10 = 16), 2nd 2 contacts (pickup_missed 10), 3rd 5 contacts
    (3 lost = 30): 11 contacts, 7 failures, weighted 56."""
    rows = (
        _contacts("2026-09-01", ["ok"] * 4 + ["late_within_day"])
        + _contacts("2026-09-02", ["ok"] * 4 + ["lost"])
        + _contacts("2026-10-01", ["ok", "late_within_day", "late_over_day", "lost"])
        + _contacts("2026-10-02", ["ok", "pickup_missed"], touchpoint="pickup")
        + _contacts("2026-10-03", ["lost"] * 3 + ["ok"] * 2)
    )
    return pd.DataFrame(rows)


@pytest.fixture
def data(tmp_path):
    return load(_folder(tmp_path, {"touchpoints": _touchpoints()}), "2026-10")


def _day(frame: pd.DataFrame, day: str) -> pd.Series:
    return frame.set_index("start").loc[pd.Timestamp(day)]


def test_daily_weighted_counts_with_fedex_weights(data):
    assert data.config.sqi_version == "FedEx SQI, 12 failure types (1990)"
    s = sqi.sqi_series(data, freq="D", per_contacts=0)
    assert s["period"].iloc[0] == pd.Period("2026-09-01", "D")
    assert s["period"].iloc[-1] == pd.Period("2026-10-31", "D")  # every day listed
    expected = {  # day: (contacts, failures, weighted)
        "2026-09-01": (5, 1, 1.0),
        "2026-09-02": (5, 1, 10.0),
        "2026-09-03": (0, 0, 0.0),
        "2026-10-01": (4, 3, 16.0),
        "2026-10-02": (2, 1, 10.0),
        "2026-10-03": (5, 3, 30.0),
    }
    for day, (c, k, w) in expected.items():
        row = _day(s, day)
        assert (row["contacts"], row["failures"], row["weighted"], row["sqi"]) == (c, k, w, w)
    oct1 = _day(s, "2026-10-01")
    assert (oct1["n_late_within_day"], oct1["n_late_over_day"], oct1["n_lost"]) == (1, 1, 1)


def test_per_contacts_normalisation(data):
    per1000 = sqi.sqi_series(data, freq="D", per_contacts=1000)
    assert _day(per1000, "2026-10-01")["sqi"] == pytest.approx(16 / 4 * 1000)
    assert _day(per1000, "2026-10-03")["sqi"] == pytest.approx(30 / 5 * 1000)
    assert math.isnan(_day(per1000, "2026-09-03")["sqi"])  # no contacts: no rate
    per100 = sqi.sqi_series(data, freq="D", per_contacts=100)
    assert _day(per100, "2026-10-02")["sqi"] == pytest.approx(10 / 2 * 100)


def test_sqi_by_month(data):
    m = sqi.sqi_by_month(data, per_contacts=1000).set_index("month")
    sep, oct_ = m.loc[pd.Period("2026-09", "M")], m.loc[pd.Period("2026-10", "M")]
    assert (sep["days"], sep["contacts"], sep["failures"], sep["weighted"]) == (30, 10, 2, 11.0)
    assert sep["daily_mean"] == pytest.approx(11 / 30)
    assert sep["sqi"] == pytest.approx(1100.0)
    assert (oct_["contacts"], oct_["failures"], oct_["weighted"]) == (11, 7, 56.0)
    assert oct_["sqi"] == pytest.approx(56 / 11 * 1000)
    assert oct_["failure_rate"] == pytest.approx(7 / 11)
    # Sep: sum w^2 = 1 + 100 over 10 contacts -> half-width 1.96 * sqrt(101) / 10 * 1000 = 1969.7
    assert (sep["ci_low"], sep["ci_high"]) == pytest.approx((0.0, 1100 + 1969.72), abs=0.05)
    absolute = sqi.sqi_by_month(data, per_contacts=0)
    assert absolute["sqi"].tolist() == [11.0, 56.0]
    assert absolute["ci_low"].isna().all()


def test_month_summary_interval_by_hand(data):
    s = sqi.month_summary(data, per_contacts=1000)
    # Oct weights 1, 5, 10, 10, 10, 10, 10: sum w^2 = 526; SE = sqrt(526)/11 per contact
    half = 1.959963985 * math.sqrt(526) / 11 * 1000  # 4085.7
    assert s["sqi"] == pytest.approx(5090.909, abs=1e-3)
    assert s["previous"] == pytest.approx(1100.0)
    assert s["daily_mean"] == pytest.approx(56 / 31)
    assert s["ci"] == pytest.approx((5090.909 - half, 5090.909 + half), abs=1.0)
    assert s["unit"] == "weighted failures per 1,000 contacts"
    assert "FedEx SQI, 12 failure types (1990)" in sqi.describe_month(s)
    assert sqi.month_summary(data, per_contacts=0)["ci"] is None


def test_control_limits_u_chart_by_hand(data):
    chart = sqi.control_chart(data, freq="D", per_contacts=1000, baseline_months=12)
    f = chart.frame
    # baseline = September: 10 contacts, 1 late_within_day (w 1), 1 lost (w 10)
    # u = 0.1 per contact for each -> centre 1*0.1 + 10*0.1 = 1.1 per contact = 1100 per 1000
    # Var(u) for n contacts = (1^2*0.1 + 10^2*0.1)/n = 10.1/n
    assert chart.centre == pytest.approx(1100.0)
    assert f["in_baseline"].sum() == 30
    for day, n, signal in (
        ("2026-10-01", 4, False),
        ("2026-10-02", 2, False),
        ("2026-10-03", 5, True),
    ):
        row = _day(f, day)
        sigma = math.sqrt(10.1 / n) * 1000
        assert row["sigma"] == pytest.approx(sigma)
        assert row["ucl"] == pytest.approx(1100 + 3 * sigma)  # 5867.0, 7841.7, 5363.8
        assert row["lcl"] == 0.0  # 1100 - 3 sigma < 0 is clipped
        assert bool(row["signal"]) is signal
    assert chart.version == "FedEx SQI, 12 failure types (1990)"


def test_control_limits_absolute_c_chart_and_runs(data):
    chart = sqi.control_chart(data, freq="D", per_contacts=0, baseline_months=12)
    f = chart.frame
    # 30 baseline days with 1 late_within_day and 1 lost: c = 1/30 each
    centre = 11 / 30
    sigma = math.sqrt((1 + 100) / 30)
    assert chart.centre == pytest.approx(centre)
    assert f["ucl"].iloc[0] == pytest.approx(centre + 3 * sigma)  # 5.871
    assert _day(f, "2026-10-01")["signal"] and _day(f, "2026-10-02")["signal"]
    assert not _day(f, "2026-09-01")["signal"]  # weighted 1 < 5.87
    # Sep 3 ... Sep 30 are 28 days at 0 < centre: a run of >= 8 below the centre
    assert _day(f, "2026-09-10")["run"] and not _day(f, "2026-09-01")["run"]


def test_pareto_order_share_and_previous_period(data):
    top = sqi.top_contributors(data, by="failure_type")
    assert top["failure_type"].tolist() == [
        "lost",
        "pickup_missed",
        "late_over_day",
        "late_within_day",
    ]
    assert top["weight"].tolist() == [10.0, 10.0, 5.0, 1.0]
    assert top["failures"].tolist() == [4, 1, 1, 1]
    assert top["weighted"].tolist() == [40.0, 10.0, 5.0, 1.0]
    assert top["share"].tolist() == pytest.approx([100 * w / 56 for w in (40, 10, 5, 1)])
    assert top["cum_share"].iloc[-1] == pytest.approx(100.0)
    assert top["previous_weighted"].tolist() == [10.0, 0.0, 0.0, 1.0]
    assert top["change"].tolist() == [30.0, 10.0, 5.0, 0.0]
    by_tp = sqi.top_contributors(data, by="touchpoint")
    assert by_tp["touchpoint"].tolist() == ["delivery", "pickup"]
    assert by_tp["weighted"].tolist() == [46.0, 10.0]


def test_config_weights_override_and_version(tmp_path):
    # Evans & Lindsay's 10-item textbook variant (cx-methods.md §8), declared in cxreport.yaml
    yaml = (
        "sqi:\n"
        '  version: "Evans & Lindsay textbook SQI (10 items)"\n'
        "  weights:\n"
        "    complaints_reopened: 3\n    damaged: 10\n    international: 1\n"
        "    invoice_adjustments: 1\n    late_pickup: 3\n    lost: 10\n    missing_pod: 1\n"
        "    right_day_late: 1\n    traces: 3\n    wrong_day_late: 5\n"
    )
    tp = pd.DataFrame(
        _contacts("2026-10-01", ["ok", "right_day_late", "wrong_day_late", "traces"])
        + _contacts("2026-10-02", ["late_pickup", "ok"])
    )
    data = load(_folder(tmp_path, {"touchpoints": tp}, yaml), "2026-10")
    assert data.config.sqi_version == "Evans & Lindsay textbook SQI (10 items)"
    m = sqi.sqi_by_month(data, per_contacts=0)
    assert m["weighted"].tolist() == [1 + 5 + 3 + 3]
    s = sqi.month_summary(data, per_contacts=1000)
    assert s["sqi"] == pytest.approx(12 / 6 * 1000)
    assert s["version"] == "Evans & Lindsay textbook SQI (10 items)"
    # a FedEx type that the custom table does not list is refused, naming the line
    bad = pd.concat([tp, pd.DataFrame(_contacts("2026-10-03", ["late_over_day"]))])
    (tmp_path / "touchpoints.csv").unlink()
    with pytest.raises(DataError, match=r"(?s)outcome.*late_over_day"):
        load(_folder(tmp_path, {"touchpoints": bad}, yaml), "2026-10")


def test_extra_weights_keep_fedex_and_extend_version(tmp_path):
    yaml = "sqi:\n  extra_weights:\n    website_error: 2\n"
    tp = pd.DataFrame(_contacts("2026-10-01", ["website_error", "lost"]))
    data = load(_folder(tmp_path, {"touchpoints": tp}, yaml), "2026-10")
    assert data.config.sqi_version == "FedEx SQI, 12 failure types (1990) + local failure types"
    assert sqi.sqi_by_month(data, per_contacts=0)["weighted"].tolist() == [12.0]


def _with_complaints(tmp_path, extra_tp=()) -> Path:
    tp = _touchpoints()
    if extra_tp:
        tp = pd.concat([tp, pd.DataFrame(list(extra_tp))], ignore_index=True)
    ids = sorted(set(tp["customer_id"]) | {"K1", "K2", "K3"})
    complaints = pd.DataFrame(
        {
            "complaint_id": ["Q1", "Q2", "Q3", "Q4"],
            "customer_id": ["K1", "K2", "K3", "K1"],
            "opened": ["2026-10-01", "2026-10-02", "2026-10-20", "2026-10-10"],
            "resolved": ["2026-10-05", "2026-10-03", "2026-11-02", ""],
            "reopened": [True, False, True, True],
        }
    )
    return _folder(
        tmp_path,
        {
            "touchpoints": tp,
            "customers": pd.DataFrame({"customer_id": ids}),
            "complaints": complaints,
        },
    )


def test_reopened_complaints_count_once(tmp_path):
    data = load(_with_complaints(tmp_path), "2026-10")
    days = sqi.sqi_series(data, freq="D").set_index("start")[f"n_{sqi.REOPENED}"]
    # Q1 (resolved Oct 5) and Q4 (still open: dated when opened, Oct 10); Q3 resolved in
    # November is after the reporting month; Q2 was not reopened
    assert days[days > 0].to_dict() == {
        pd.Timestamp("2026-10-05"): 1,
        pd.Timestamp("2026-10-10"): 1,
    }
    for by, where in (("touchpoint", "complaint_handling"), ("stage", "confirm")):
        top = sqi.top_contributors(data, by=by).set_index(by)
        assert top.loc[where, "failures"] == 2 and top.loc[where, "weighted"] == 10
    m = sqi.sqi_by_month(data, per_contacts=0).set_index("month")
    assert m.loc[pd.Period("2026-10", "M"), "weighted"] == 56 + 2 * 5
    assert m.loc[pd.Period("2026-10", "M"), "contacts"] == 11  # complaints add no contacts
    assert sqi.sqi_by_month(data, per_contacts=0, complaints="never")["weighted"].iloc[-1] == 56


def test_reopened_already_in_touchpoints_is_not_counted_twice(tmp_path):
    extra = _contacts("2026-10-04", ["complaint_reopened"], touchpoint="call_centre")
    data = load(_with_complaints(tmp_path, extra), "2026-10")
    assert not sqi.include_complaints(data)
    assert sqi.sqi_by_month(data, per_contacts=0)["weighted"].iloc[-1] == 56 + 5
    assert sqi.include_complaints(data, "always")


# --- bad input ---------------------------------------------------------------------------


def test_unknown_failure_type_in_code_names_rows(data):
    tp = data.touchpoints.copy()
    tp.loc[3, "outcome"] = "teleported"
    tp.loc[7, "outcome"] = None
    bad = dataclasses.replace(data, tables={**data.tables, "touchpoints": tp})
    with pytest.raises(
        CxReportError,
        match=r"'teleported' \(1 rows\), blank \(1 rows\) not in the SQI weight table "
        r"\(e.g. row 3: 'teleported'; row 7: blank\).*sqi.extra_weights",
    ):
        sqi.sqi_by_month(bad)


def test_unknown_failure_type_in_file_names_lines(tmp_path):
    tp = _touchpoints()
    tp.loc[2, "outcome"] = "teleported"
    with pytest.raises(DataError, match=r"(?s)'outcome'.*line 4: 'teleported'"):
        load(_folder(tmp_path, {"touchpoints": tp}), "2026-10")


def test_no_touchpoints_table(tmp_path):
    data = load(_folder(tmp_path, {"survey": pd.DataFrame({"nps": [9]})}), "2026-10")
    with pytest.raises(
        MissingTableError, match="service-quality index needs the table.*touchpoints"
    ):
        sqi.sqi_by_month(data)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda d: sqi.sqi_by_month(d, per_contacts=-1),
            r"'per_contacts' parameter must be an int in the range \[0, inf\)",
        ),
        (lambda d: sqi.sqi_by_month(d, per_contacts=1.5), "'per_contacts' parameter"),
        (
            lambda d: sqi.sqi_series(d, freq="Q"),
            "'freq' parameter must be 'D', 'W' or 'M'; got 'Q'",
        ),
        (lambda d: sqi.control_chart(d, freq="M"), "'freq' parameter must be one of 'W', 'D'"),
        (lambda d: sqi.control_chart(d, baseline_months=0), "'baseline_months' parameter"),
        (lambda d: sqi.control_chart(d, sigmas=0), "'sigmas' parameter"),
        (lambda d: sqi.top_contributors(d, by="region"), "'by' parameter must be"),
        (lambda d: sqi.top_contributors(d, months=0), "'months' parameter"),
        (
            lambda d: sqi.sqi_by_month(d, complaints="sometimes"),
            "'complaints' parameter must be one of 'auto', 'always', 'never'",
        ),
    ],
)
def test_bad_parameters(data, call, message):
    with pytest.raises(CxReportError, match=message):
        call(data)


def test_always_needs_the_reopened_weight(tmp_path):
    yaml = 'sqi:\n  version: "two types"\n  weights:\n    lost: 10\n    late_within_day: 1\n'
    folder = _with_complaints(tmp_path)
    (folder / "touchpoints.csv").write_text(
        _touchpoints()[_touchpoints()["outcome"].isin(["ok", "lost", "late_within_day"])].to_csv(
            index=False
        )
    )
    (folder / "cxreport.yaml").write_text(yaml)
    data = load(folder, "2026-10")
    assert not sqi.include_complaints(data)  # auto: silently off without the weight
    with pytest.raises(CxReportError, match="complaints='always' needs 'complaint_reopened'"):
        sqi.include_complaints(data, "always")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "M"}, "'freq' parameter must be one of 'W', 'D'; got 'M'"),
        ({"per_contacts": -5}, "'per_contacts' parameter"),
        ({"baseline_months": 0}, "'baseline_months' parameter"),
        ({"complaints": "yes"}, "'complaints' parameter"),
    ],
)
def test_check_settings_up_front(kwargs, message):
    sqi.check_settings()  # the defaults pass
    with pytest.raises(CxReportError, match=message):
        sqi.check_settings(**kwargs)


def test_pareto_of_a_period_without_failures_is_drawn():
    from cxreport.viz import sqi as sqi_viz

    empty = pd.DataFrame({"failure_type": ["late"], "weighted": [0.0], "weight": [1.0],
                          "cum_share": [0.0]})  # fmt: skip
    fig = sqi_viz.sqi_pareto(empty, "failure_type")
    assert "no failures in the period" in [t.get_text() for t in fig.axes[0].texts]
