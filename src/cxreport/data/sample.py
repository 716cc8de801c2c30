"""A realistic, deterministic sample data folder (``cxreport sample``).

Generating assumptions (documented in the README):

* Five planted customer groups with distinct buying patterns: *premium loyal* (frequent, high
  spend), *regular*, *bargain occasional*, *new* (joined in the last six months) and *drifting*
  (rare purchases, low satisfaction). The group is never written to the data folder.
* Month by month, each active customer makes purchases (Poisson, group rate, December peak),
  has contacts at six touchpoints (Moments of Truth) in the four EODC stages, and each contact
  fails with a touchpoint-specific probability that drifts by month (delivery peaks in
  November-December; a billing incident in one month). Failures are typed with the FedEx SQI
  list plus three local failure types declared in the folder's ``cxreport.yaml``.
* A failure leads to a complaint with probability 0.2-0.6 by severity; 12 % are reopened.
* Complaint texts and survey comments (English, or Chinese for 60 % of East and South
  customers) name planted topics: a complaint's follows its touchpoint, a comment's the NPS
  group, plan and month. They, and the cases' status, first-contact resolution and due day,
  come from a second random stream so that every other table stays as it was.
* About 8 % of active customers answer the survey each month: the 22 SERVQUAL-style items
  (perception, expectation, importance on 1-7), overall satisfaction (1-10) and NPS (0-10).
  Perceptions differ by dimension and group, fall after failures (delivery failures hit
  reliability, call-centre failures responsiveness); overall satisfaction is driven mostly by
  reliability and responsiveness; NPS follows overall satisfaction with noise.
* Monthly churn hazard rises with a basic plan, short tenure, last month's failures and
  complaints and low latent satisfaction, plus noise, so a model reaches a believable AUC.
* The staff self-assessment has strong ("approaching customers") and weak ("competence and
  empowerment") categories and department effects; the SWOT factors are a fixed workshop list.

Same arguments → byte-identical files (the RNG is seeded and every number is formatted).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError

GROUPS = ("premium loyal", "regular", "bargain occasional", "new", "drifting")
G_SHARE = np.array([0.15, 0.30, 0.25, 0.15, 0.15])
G_FREQ = np.array([2.6, 1.1, 0.35, 0.8, 0.15])  # purchases per month
G_SPEND = np.array([95.0, 55.0, 22.0, 40.0, 30.0])  # median basket
G_SAT = np.array([0.8, 0.2, 0.0, 0.3, -0.9])  # latent satisfaction
G_CONTACT = np.array([1.0, 0.7, 0.4, 0.9, 0.35])  # contacts per month
G_PLAN = np.array(
    [
        [0.10, 0.35, 0.55],
        [0.35, 0.45, 0.20],
        [0.75, 0.20, 0.05],
        [0.45, 0.40, 0.15],
        [0.55, 0.35, 0.10],
    ]
)
PLANS = ("basic", "standard", "premium")
PLAN_FEE = np.array([19.0, 39.0, 69.0])
REGIONS = ("North", "South", "East", "West", "Central")
CHANNELS = ("online", "store", "call centre", "partner")

TOUCHPOINTS = ("website", "call_centre", "delivery", "billing", "store", "repair")
TP_SHARE = np.array([0.30, 0.20, 0.22, 0.12, 0.10, 0.06])
TP_FAIL = np.array([0.04, 0.10, 0.08, 0.05, 0.06, 0.12])
TP_STAGES = {
    "website": (("explore", "offer"), (0.6, 0.4)),
    "call_centre": (("explore", "confirm", "do"), (0.4, 0.4, 0.2)),
    "delivery": (("do",), (1.0,)),
    "billing": (("do", "confirm"), (0.7, 0.3)),
    "store": (("explore", "offer", "do"), (0.3, 0.4, 0.3)),
    "repair": (("do", "confirm"), (0.8, 0.2)),
}
TP_FAILURES = {
    "website": (("website_error", "trace_unanswered"), (0.7, 0.3)),
    "call_centre": (("call_abandoned", "trace_unanswered"), (0.7, 0.3)),
    "delivery": (
        ("late_within_day", "late_over_day", "pickup_missed", "damaged", "lost", "pod_missing"),
        (0.45, 0.25, 0.08, 0.1, 0.04, 0.08),
    ),
    "billing": (("invoice_corrected",), (1.0,)),
    "store": (("store_wait_over_4min",), (1.0,)),
    "repair": (("repair_not_fixed_first_time",), (1.0,)),
}
LOCAL_FAILURES = {"website_error": 1, "store_wait_over_4min": 1, "repair_not_fixed_first_time": 5}
SEVERE = {
    "late_over_day": 0.35,
    "pickup_missed": 0.4,
    "damaged": 0.45,
    "lost": 0.6,
    "repair_not_fixed_first_time": 0.4,
}

# SERVQUAL dimensions: expectation, perception base, stated importance (1-7)
DIMS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
D_EXP = np.array([5.0, 6.3, 6.0, 5.8, 5.5])
D_PERC = np.array([5.5, 4.9, 4.8, 5.5, 5.1])
D_IMP = np.array([4.4, 6.5, 6.0, 5.7, 5.2])
D_DRIVER = np.array([0.10, 0.38, 0.27, 0.15, 0.10])  # true drivers of overall satisfaction
G_DIM = np.array(
    [
        [0.3, 0.5, 0.4, 0.4, 0.5],
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [-0.2, 0.1, -0.1, 0.0, -0.3],
        [0.2, -0.1, 0.1, 0.1, 0.0],
        [-0.3, -0.8, -0.6, -0.4, -0.6],
    ]
)

CO_MEAN = {
    "philosophy": 3.5,
    "being_with": 3.4,
    "problems": 3.6,
    "information": 3.1,
    "approaching": 3.9,
    "empowerment": 2.6,
    "improvement": 3.0,
}
DEPARTMENTS = {
    "Sales": (14, {"being_with": 0.3, "problems": -0.2}),
    "Customer Service": (16, {"approaching": 0.3, "problems": 0.3}),
    "Logistics": (12, {"information": -0.4, "empowerment": -0.2}),
    "Finance": (8, {"being_with": -0.4, "approaching": -0.3}),
    "IT": (10, {"improvement": 0.3, "information": -0.2}),
}

SWOT = [
    ("S", "Nationwide same-day delivery network", 0.20, 4),
    ("S", "Knowledgeable repair technicians", 0.15, 4),
    ("S", "Loyal premium customer base", 0.12, 3),
    ("S", "Strong brand in the North and Central regions", 0.08, 3),
    ("W", "Call-centre waiting times at peak hours", 0.18, 1),
    ("W", "Billing errors after system migration", 0.15, 1),
    ("W", "Little use of customer data across departments", 0.12, 2),
    ("O", "Customers ask for self-service repair booking", 0.25, 3),
    ("O", "Competitor exits the South region", 0.15, 2),
    ("O", "Demand for bundled premium plans", 0.20, 3),
    ("T", "Price-led online entrants", 0.25, 2),
    ("T", "Rising delivery costs", 0.15, 2),
    ("T", "Stricter consumer-protection rules on contracts", 0.20, 3),
]

#: Planted topics of complaint texts and survey comments, English and Chinese. A complaint's
#: topic follows its touchpoint; a comment's topic follows the respondent's NPS, plan and month
#: (the network outage is a three-month incident, billing errors hit the basic plan harder).
TOPIC_TEXT = {
    "billing_error": (
        ("My invoice was wrong again ({x}).", "I was charged twice for {x}."),
        ("账单又错了({x})。", "{x}被重复扣费了。"),
    ),
    "slow_repair": (
        ("The repair of {x} took far too long.", "Still waiting for the technician for {x}."),
        ("{x}的维修太慢了。", "等了好几天维修人员还没来修{x}。"),
    ),
    "rude_staff": (
        ("The staff were rude when I asked about {x}.", "Nobody listened to me about {x}."),
        ("问{x}的时候客服态度很差。", "工作人员对{x}的问题很不耐烦。"),
    ),
    "network_outage": (
        ("No signal / the network was down, so {x} did not work.", "Internet outage again."),
        ("网络又断了,{x}用不了。", "信号很差,经常断网。"),
    ),
    "late_delivery": (
        ("My order arrived late / damaged - I needed it for {x}.", "Delivery of {x} was late."),
        ("{x}送货太晚了。", "快递迟到,{x}还坏了。"),
    ),
    "praise": (
        ("Friendly staff, they sorted out {x} quickly.", "Good service, thank you."),
        ("服务很好,{x}很快就解决了。", "客服很热情,谢谢。"),
    ),
}
#: What a text is about besides its topic: many things, each rare (as in real texts), so that
#: the topic's words, not these, are what the texts share.
TEXT_FILL = (
    ("my new phone", "新手机"),
    ("a family birthday", "家里的生日"),
    ("the monthly fee", "月费"),
    ("my router", "路由器"),
    ("a contract change", "合同变更"),
    ("the accessories I ordered", "订的配件"),
    ("my daughter's tablet", "女儿的平板"),
    ("the set-top box", "机顶盒"),
    ("my landline", "座机"),
    ("the holiday trip", "假期旅行"),
    ("my work laptop", "工作电脑"),
    ("the smart watch", "智能手表"),
    ("my parents' account", "父母的账户"),
    ("the modem", "调制解调器"),
    ("a SIM card swap", "换卡"),
    ("the shop visit", "门店办理"),
    ("my home office", "家庭办公"),
    ("the game console", "游戏机"),
    ("the TV channels", "电视频道"),
    ("my small business line", "小店的线路"),
    ("the headphones", "耳机"),
    ("a roaming trip", "出国漫游"),
    ("the wifi extender", "无线扩展器"),
    ("my son's school laptop", "儿子上学的电脑"),
)
#: complaint topic by touchpoint
TP_TOPIC = {
    "website": "network_outage",
    "call_centre": "rude_staff",
    "delivery": "late_delivery",
    "billing": "billing_error",
    "store": "rude_staff",
    "repair": "slow_repair",
}
#: complaint category → days allowed (the sample's complaints.sla_days)
SAMPLE_SLA = {"billing": 5, "repair": 3, "*": 7}
ZH_REGIONS = ("East", "South")  # customers there write Chinese in 60 % of texts


def _touchpoint_names(codes: pd.Series) -> np.ndarray:
    """Touchpoint codes (float, NaN = no contact this month) as names, None where absent."""
    names = np.array(TOUCHPOINTS, object)[codes.fillna(0).astype(int).to_numpy()]
    return np.where(codes.notna().to_numpy(), names, None)


def _month_days(rng, m: pd.Period, n: int) -> np.ndarray:
    return m.start_time.value + rng.integers(0, m.days_in_month, n) * 86_400_000_000_000


#: Customers generated at once: a bigger sample is made (and written) chunk by chunk, so that
#: memory stays bounded whatever its size (about 1.5 GB for a chunk).
CHUNK = 250_000
#: Customer tables written month-partitioned in a Parquet sample (the others as parts).
PARTITIONED = {"transactions": "date", "touchpoints": "date"}
#: The tables that grow with the customers (the others are written once, from the first chunk).
CUSTOMER_TABLES = ("customers", "transactions", "touchpoints", "complaints", "survey")


def _check_sizes(customers: int, months: int) -> None:
    if customers < 50:
        raise ParameterError(f"The 'customers' parameter must be at least 50; got {customers}.")
    if months < 2:
        raise ParameterError(f"The 'months' parameter must be at least 2; got {months}.")


def generate(
    customers: int = 3000, months: int = 18, seed: int = 42, end: str = "2026-10"
) -> dict[str, pd.DataFrame]:
    """The sample tables as frames, every customer at once (one chunk of :func:`chunks`);
    ``"_truth"`` holds the planted group of each customer.

    Parameters
    ----------
    customers : int, default=3000
        Number of customers (at least 50).
    months : int, default=18
        Number of months of history (at least 2), ending with ``end``.
    seed : int, default=42
        Seed of the random streams.
    end : str, default="2026-10"
        The last month, ``"YYYY-MM"``.

    Returns
    -------
    dict of str to pandas.DataFrame
        The frames by table name, plus ``"_truth"`` (columns ``customer_id`` and ``group``).
    """
    _check_sizes(customers, months)
    return next(chunks(customers, months, seed, end, chunk=customers))


def chunks(
    customers: int = 3000,
    months: int = 18,
    seed: int = 42,
    end: str = "2026-10",
    *,
    chunk: int = CHUNK,
):
    """The sample's tables chunk of customers by chunk (each at most ``chunk`` customers,
    the chunks of equal size): the first holds every table, the next ones the tables of
    :data:`CUSTOMER_TABLES` and ``"_truth"`` for their customers, whose ids, order, complaint
    and response numbers continue the previous chunk's.

    The first chunk draws from the streams of a one-chunk sample (so a sample of at most
    ``chunk`` customers is the same whatever ``chunk``), chunk ``k`` from streams spawned
    from the seed with key ``k``: the same arguments give the same tables.

    Parameters
    ----------
    customers : int, default=3000
        Number of customers (at least 50).
    months : int, default=18
        Number of months of history (at least 2), ending with ``end``.
    seed : int, default=42
        Seed of the random streams.
    end : str, default="2026-10"
        The last month, ``"YYYY-MM"``.
    chunk : int, default=CHUNK
        Largest number of customers in a chunk (250 000; values below 1 count as 1).

    Yields
    ------
    dict of str to pandas.DataFrame
        One chunk's frames by table name, ``"_truth"`` included.
    """
    _check_sizes(customers, months)
    n_chunks = -(-customers // max(int(chunk), 1))
    sizes = np.full(n_chunks, customers // n_chunks)
    sizes[: customers % n_chunks] += 1
    first, counters = 0, [0, 0, 0]
    for k, n in enumerate(sizes):
        if k == 0:
            rng, texts = np.random.default_rng(seed), np.random.default_rng([seed, 15])
        else:
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
            texts = np.random.default_rng(np.random.SeedSequence([seed, 15], spawn_key=(k,)))
        tables = _customers(rng, texts, int(n), first, counters, months, end)
        if k == 0:
            periods = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
            tables = {
                **{t: tables[t] for t in CUSTOMER_TABLES},
                "self_assessment": _self_assessment(rng, periods[-1]),
                "swot_factors": pd.DataFrame(SWOT, columns=["kind", "factor", "weight", "rating"]),
                "swot_pairwise": _pairwise(),
                "targets": _targets(),
                "_truth": tables["_truth"],
            }
        first += int(n)
        yield tables


@dataclass(frozen=True)
class _People:
    """The drawn customers: planted group, plan and fee, signup, region, channel, and the
    unobserved satisfaction and churn propensity (arrays over the ``n`` customers)."""

    group: np.ndarray
    plan: np.ndarray
    fee: np.ndarray
    signup: np.ndarray
    region: np.ndarray
    channel: np.ndarray
    sat: np.ndarray
    frail: np.ndarray


@dataclass(frozen=True)
class _Contacts:
    """One month's contacts (Moments of Truth): who, where, whether and how it failed, when."""

    who: np.ndarray
    tp: np.ndarray
    failed: np.ndarray
    outcome: np.ndarray
    when: np.ndarray
    table: pd.DataFrame


@dataclass(frozen=True)
class _History:
    """The months simulated: who is still a customer, when the others left, and each month's
    parts of the transactions, touchpoints, complaints and survey."""

    alive: np.ndarray
    churn_date: np.ndarray
    tx_parts: list
    tp_parts: list
    co_parts: list
    sv_parts: list


def _draw_people(rng, n: int, periods: pd.PeriodIndex) -> _People:
    """Draw ``n`` customers' group, plan, fee, signup, region, channel and latent traits."""
    start, stop = periods[0].start_time, periods[-1].end_time
    months = len(periods)
    group = rng.choice(len(GROUPS), n, p=G_SHARE)
    u = rng.random(n)
    plan = (u[:, None] > np.cumsum(G_PLAN[group], axis=1)).sum(axis=1)
    fee = np.round(PLAN_FEE[plan] * rng.choice([1.0, 0.9, 0.8], n, p=[0.7, 0.2, 0.1]), 2)
    # signup: "new" joined in the last six months; others over five years before the end
    recent_start = periods[-min(6, months)].start_time
    span_old = (stop - (start - pd.DateOffset(years=4))).days
    old = (start - pd.DateOffset(years=4)).value + rng.integers(0, span_old, n) * 86_400 * 10**9
    new = recent_start.value + rng.integers(0, (stop - recent_start).days, n) * 86_400 * 10**9
    signup = np.where(group == 3, new, old).astype("datetime64[ns]")
    signup = np.minimum(signup, np.datetime64(stop.normalize()))
    region = rng.choice(len(REGIONS), n, p=[0.25, 0.2, 0.2, 0.15, 0.2])
    channel = rng.choice(len(CHANNELS), n, p=[0.45, 0.3, 0.15, 0.1])
    sat = G_SAT[group] + rng.normal(0, 0.6, n)  # latent satisfaction
    frail = rng.normal(0, 0.5, n)  # unobserved churn propensity
    return _People(group, plan, fee, signup, region, channel, sat, frail)


def _purchases(
    rng, m: pd.Period, idx: np.ndarray, group: np.ndarray, season: float, tx_id: int
) -> pd.DataFrame:
    """One month's purchases of the active customers ``idx``, orders numbered from ``tx_id``."""
    cnt = rng.poisson(G_FREQ[group[idx]] * season)
    who = np.repeat(idx, cnt)
    amt = np.round(G_SPEND[group[who]] * rng.lognormal(0, 0.45, len(who)), 2)
    ret = rng.random(len(who)) < 0.02
    amt[ret] = -amt[ret]
    return pd.DataFrame(
        {
            "customer_id": who,
            "date": _month_days(rng, m, len(who)),
            "amount": amt,
            "order_id": np.arange(tx_id, tx_id + len(who)),
            "category": rng.choice(4, len(who), p=[0.35, 0.3, 0.2, 0.15]),
        }
    )


def _contacts(
    rng,
    m: pd.Period,
    idx: np.ndarray,
    group: np.ndarray,
    season: float,
    billing_incident: pd.Period,
) -> _Contacts:
    """One month's contacts of the active customers ``idx``: touchpoint, stage, outcome."""
    ccount = rng.poisson(G_CONTACT[group[idx]] * season)
    cw = np.repeat(idx, ccount)
    tp = rng.choice(len(TOUCHPOINTS), len(cw), p=TP_SHARE)
    pfail = TP_FAIL[tp] * np.where((tp == 2) & (m.month in (11, 12)), 1.9, 1.0)
    pfail = pfail * np.where((tp == 3) & (m == billing_incident), 3.0, 1.0)
    pfail = pfail * (1 + 0.15 * np.sin(m.ordinal))  # month-to-month drift
    failed = rng.random(len(cw)) < pfail
    stage = np.empty(len(cw), object)
    outcome = np.full(len(cw), "ok", object)
    for t, name in enumerate(TOUCHPOINTS):
        sel = tp == t
        st, sp = TP_STAGES[name]
        stage[sel] = rng.choice(st, sel.sum(), p=sp)
        fsel = sel & failed
        ft, fp = TP_FAILURES[name]
        outcome[fsel] = rng.choice(ft, fsel.sum(), p=fp)
    when = _month_days(rng, m, len(cw)) + rng.integers(8 * 3600, 20 * 3600, len(cw)) * 10**9
    table = pd.DataFrame(
        {"customer_id": cw, "date": when, "tp": tp, "stage": stage, "outcome": outcome}
    )
    return _Contacts(cw, tp, failed, outcome, when, table)


def _complaints(rng, contacts: _Contacts, co_id: int) -> pd.DataFrame:
    """The complaints that some failed contacts lead to, numbered from ``co_id``."""
    cw, tp, failed, when = contacts.who, contacts.tp, contacts.failed, contacts.when
    outcome = contacts.outcome
    pc = np.array([SEVERE.get(o, 0.2) for o in outcome[failed]]) if failed.any() else []
    comp = rng.random(failed.sum()) < pc
    c_who = cw[failed][comp]
    c_tp = tp[failed][comp]
    c_open = (
        when[failed][comp] // 86_400_000_000_000 + rng.integers(0, 3, comp.sum())
    ) * 86_400_000_000_000
    days = rng.gamma(2.0, 3.0, comp.sum()).round()
    still_open = rng.random(comp.sum()) < 0.05
    reopened = rng.random(comp.sum()) < 0.12
    sat_after = np.clip(
        np.round(4.3 - 0.12 * days - 1.2 * reopened + rng.normal(0, 0.8, comp.sum())), 1, 5
    )
    fill = rng.choice(len(TEXT_FILL), comp.sum())
    return pd.DataFrame(
        {
            "complaint_id": np.arange(co_id, co_id + comp.sum()),
            "customer_id": c_who,
            "opened": c_open,
            "days": np.where(still_open, np.nan, days),
            "tp": c_tp,
            "channel": rng.choice(
                ["phone", "email", "store", "web form"],
                comp.sum(),
                p=[0.45, 0.25, 0.15, 0.15],
            ),
            "reopened": reopened,
            "satisfaction_after": np.where(still_open, np.nan, sat_after),
            "fill": fill,
        }
    )


def _responses(
    rng,
    m: pd.Period,
    idx: np.ndarray,
    people: _People,
    contacts: _Contacts,
    fails_now: np.ndarray,
    compl_now: np.ndarray,
    sv_id: int,
) -> pd.DataFrame:
    """One month's survey answers, numbered from ``sv_id``: about 8 % of the active
    customers ``idx``, more after a contact; perceptions fall after failures."""
    n = len(people.group)
    cw, tp, failed = contacts.who, contacts.tp, contacts.failed
    fail_rel = np.bincount(cw[failed & (tp == 2)], minlength=n)  # delivery → reliability
    fail_resp = np.bincount(cw[failed & (tp == 1)], minlength=n)  # call centre → resp.
    answer = idx[rng.random(len(idx)) < np.where(fails_now[idx] > 0, 0.14, 0.07)]
    a = len(answer)
    g = people.group[answer]
    mood = people.sat[answer] - 0.45 * fails_now[answer] - 0.3 * compl_now[answer]
    dim_lat = D_PERC + G_DIM[g] + 0.45 * mood[:, None] + rng.normal(0, 0.45, (a, 5))
    dim_lat[:, 1] -= 0.6 * fail_rel[answer]
    dim_lat[:, 2] -= 0.6 * fail_resp[answer]
    overall = np.clip(
        np.round(1 + 9 * ((dim_lat - 1) / 6 @ D_DRIVER) + rng.normal(0, 0.9, a)), 1, 10
    )
    nps = np.clip(np.round(0.95 * overall + 1.3 + rng.normal(0, 1.2, a)), 0, 10)
    last_tp = pd.Series(tp[::-1], index=cw[::-1]).groupby(level=0).first()
    row = {
        "response_id": np.arange(sv_id, sv_id + a),
        "customer_id": answer,
        "date": _month_days(rng, m, a),
        "nps": nps,
        "overall_satisfaction": overall,
        "touchpoint": _touchpoint_names(last_tp.reindex(answer)),
    }
    items = pd.read_csv(
        resources.files("cxreport").joinpath("resources/servqual_items.csv").open(encoding="utf-8")
    )
    for code, dim in zip(items["item"], items["dimension"], strict=True):
        d = DIMS.index(dim)
        row[code] = np.clip(np.round(dim_lat[:, d] + rng.normal(0, 0.55, a)), 1, 7)
        row[code + "_exp"] = np.clip(np.round(D_EXP[d] + rng.normal(0, 0.7, a)), 1, 7)
        imp = np.clip(np.round(D_IMP[d] + rng.normal(0, 0.8, a)), 1, 7)
        row[code + "_imp"] = np.where(rng.random(a) < 0.6, imp, np.nan)  # asked of 60 %
    return pd.DataFrame(row)


def _leavers(
    rng,
    m_end: np.datetime64,
    idx: np.ndarray,
    people: _People,
    fails_prev: np.ndarray,
    fails_now: np.ndarray,
    compl_prev: np.ndarray,
    compl_now: np.ndarray,
) -> np.ndarray:
    """The active customers ``idx`` who leave at the end of the month (a logistic hazard)."""
    plan, group, signup = people.plan, people.group, people.signup
    tenure = (m_end - signup[idx]).astype("timedelta64[D]").astype(float) / 30.4
    logit = (
        -3.55
        + np.array([0.55, 0.0, -0.45])[plan[idx]]
        - 0.7 * np.log1p(tenure / 6)
        + 0.45 * np.minimum(fails_prev[idx] + fails_now[idx], 3)
        + 0.55 * np.minimum(compl_now[idx] + compl_prev[idx], 2)
        - 0.55 * people.sat[idx]
        + people.frail[idx]
        + 0.6 * (group[idx] == 4)
    )
    leaves = rng.random(len(idx)) < 1 / (1 + np.exp(-logit))
    return idx[leaves]


def _simulate(rng, people: _People, periods: pd.PeriodIndex, counters: list) -> _History:
    """Month by month: purchases, contacts, complaints, survey answers and departures;
    ``counters`` (the next order, complaint and response numbers) are advanced in place."""
    tx_id, co_id, sv_id = counters
    n = len(people.group)
    group, signup = people.group, people.signup
    alive = np.ones(n, bool)
    churn_date = np.full(n, np.datetime64("NaT"), "datetime64[ns]")
    fails_prev = np.zeros(n)
    compl_prev = np.zeros(n)
    tx_parts, tp_parts, co_parts, sv_parts = [], [], [], []
    billing_incident = periods[len(periods) // 2]

    for m in periods:
        m_end = np.datetime64((m + 1).start_time)
        active = alive & (signup < m_end)
        idx = np.flatnonzero(active)
        season = 1.35 if m.month == 12 else (1.15 if m.month == 11 else 1.0)

        # purchases
        tx_parts.append(_purchases(rng, m, idx, group, season, tx_id))
        tx_id += len(tx_parts[-1])

        # moments of truth
        contacts = _contacts(rng, m, idx, group, season, billing_incident)
        tp_parts.append(contacts.table)
        fails_now = np.bincount(contacts.who[contacts.failed], minlength=n).astype(float)

        # complaints from failures
        co_parts.append(_complaints(rng, contacts, co_id))
        co_id += len(co_parts[-1])
        compl_now = np.bincount(co_parts[-1]["customer_id"].to_numpy(), minlength=n).astype(float)

        # survey: about 8 % of active customers, more after a contact
        sv_parts.append(_responses(rng, m, idx, people, contacts, fails_now, compl_now, sv_id))
        sv_id += len(sv_parts[-1])

        # churn at the end of the month
        gone = _leavers(rng, m_end, idx, people, fails_prev, fails_now, compl_prev, compl_now)
        churn_date[gone] = _month_days(rng, m, len(gone)).astype("datetime64[ns]")
        churn_date[gone] = np.maximum(churn_date[gone], signup[gone])
        alive[gone] = False
        fails_prev, compl_prev = fails_now, compl_now

    counters[:] = [tx_id, co_id, sv_id]
    return _History(alive, churn_date, tx_parts, tp_parts, co_parts, sv_parts)


def _customer_table(rng, ids: np.ndarray, people: _People, history: _History) -> pd.DataFrame:
    """The customers table (drawing each customer's age band)."""
    return pd.DataFrame(
        {
            "customer_id": ids,
            "signup_date": pd.to_datetime(people.signup).normalize(),
            "region": np.array(REGIONS, object)[people.region],
            "channel": np.array(CHANNELS, object)[people.channel],
            "plan": np.array(PLANS, object)[people.plan],
            "monthly_fee": people.fee,
            "churned": ~history.alive,
            "churn_date": pd.to_datetime(history.churn_date).normalize(),
            "age_band": rng.choice(
                ["18-29", "30-44", "45-59", "60+"], len(ids), p=[0.22, 0.33, 0.28, 0.17]
            ),
        }
    )


def _transaction_table(parts: list, ids: np.ndarray) -> pd.DataFrame:
    """The transactions table from the months' purchases."""
    tx = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(
        {
            "customer_id": ids[tx["customer_id"]],
            "date": pd.to_datetime(tx["date"]),
            "amount": tx["amount"],
            "order_id": [f"O{i:08d}" for i in tx["order_id"]],
            "category": np.array(["devices", "accessories", "services", "subscriptions"], object)[
                tx["category"]
            ],
        }
    )


def _touchpoint_table(parts: list, ids: np.ndarray) -> pd.DataFrame:
    """The touchpoints table from the months' contacts."""
    tp = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(
        {
            "customer_id": ids[tp["customer_id"]],
            "date": pd.to_datetime(tp["date"]),
            "touchpoint": np.array(TOUCHPOINTS, object)[tp["tp"]],
            "stage": tp["stage"],
            "outcome": tp["outcome"],
        }
    )


def _complaint_table(parts: list, ids: np.ndarray) -> pd.DataFrame:
    """The complaints table from the months' complaints (before texts and case handling)."""
    co = pd.concat(parts, ignore_index=True)
    opened = pd.to_datetime(co["opened"])
    return pd.DataFrame(
        {
            "complaint_id": [f"K{i:07d}" for i in co["complaint_id"]],
            "customer_id": ids[co["customer_id"]],
            "opened": opened,
            "resolved": opened + pd.to_timedelta(co["days"], unit="D"),
            "category": np.array(TOUCHPOINTS, object)[co["tp"]],
            "channel": co["channel"],
            "reopened": co["reopened"],
            "satisfaction_after": co["satisfaction_after"].astype("Int64"),
        }
    )


def _survey_table(rng, parts: list, ids: np.ndarray) -> pd.DataFrame:
    """The survey table from the months' answers (some respondents left anonymous)."""
    sv = pd.concat(parts, ignore_index=True)
    sv.insert(0, "response_id", [f"R{i:07d}" for i in sv.pop("response_id")])
    sv["customer_id"] = ids[sv["customer_id"]]
    sv["date"] = pd.to_datetime(sv["date"])
    anon = rng.random(len(sv)) < 0.1  # some respondents do not identify themselves
    sv.loc[anon, "customer_id"] = None
    for c in sv.columns[3:]:
        if c != "touchpoint":
            sv[c] = sv[c].astype("Int64")
    return sv


def _customers(rng, texts, n: int, first: int, counters: list, months: int, end: str) -> dict:
    """The customer tables of ``n`` customers numbered from ``first + 1``; ``counters``
    (the next order, complaint and response numbers) are advanced in place."""
    periods = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    people = _draw_people(rng, n, periods)
    history = _simulate(rng, people, periods, counters)
    ids = np.array([f"C{i:06d}" for i in range(first + 1, first + n + 1)], dtype=object)
    cust = _customer_table(rng, ids, people, history)
    tx = _transaction_table(history.tx_parts, ids)
    tp = _touchpoint_table(history.tp_parts, ids)
    co = _complaint_table(history.co_parts, ids)
    sv = _survey_table(rng, history.sv_parts, ids)
    # texts and case handling from their own stream, so the other figures stay as they were
    zh = dict(zip(ids, np.isin(cust["region"], ZH_REGIONS), strict=True))
    co = _handling(texts, co, zh)
    sv["comment"] = _comments(texts, sv, cust, zh, periods)

    return {
        "customers": cust,
        "transactions": tx,
        "touchpoints": tp,
        "complaints": co,
        "survey": sv,
        "_truth": pd.DataFrame(
            {"customer_id": ids, "group": np.array(GROUPS, object)[people.group]}
        ),
    }


def _texts(rng, topics, chinese: np.ndarray) -> list[str]:
    """One text per row: a variant of its topic, in Chinese where ``chinese``."""
    n = len(chinese)
    variant, fill = rng.integers(0, 2, n), rng.integers(0, len(TEXT_FILL), n)
    return [
        TOPIC_TEXT[t][int(z)][v].format(x=TEXT_FILL[f][int(z)])
        for t, z, v, f in zip(topics, chinese, variant, fill, strict=True)
    ]


def _handling(rng, co: pd.DataFrame, zh: dict) -> pd.DataFrame:
    """Texts, status, first-contact resolution and due day of the complaint cases."""
    n = len(co)
    chinese = co["customer_id"].map(zh).to_numpy(bool) & (rng.random(n) < 0.6)
    co["text"] = _texts(rng, co["category"].map(TP_TOPIC), chinese)
    is_open = co["resolved"].isna().to_numpy()
    co["status"] = np.where(
        is_open,
        np.where(rng.random(n) < 0.7, "open", "pending"),
        np.where(rng.random(n) < 0.55, "solved", "closed"),
    )
    days = (co["resolved"] - co["opened"]).dt.days.to_numpy()
    quick = ~is_open & (days <= 1) & ~co["reopened"].to_numpy(bool)
    co["first_contact_resolved"] = quick & (rng.random(n) < 0.85)
    sla = co["category"].map(SAMPLE_SLA).fillna(SAMPLE_SLA["*"])
    co["due"] = co["opened"] + pd.to_timedelta(sla, unit="D")
    return co


def _comments(rng, sv: pd.DataFrame, cust: pd.DataFrame, zh: dict, periods) -> list:
    """A comment from about 40 % of respondents (more of the detractors), its topic drawn by
    NPS group, plan and month; None for the others."""
    n = len(sv)
    nps = sv["nps"].astype(float).to_numpy()
    basic = sv["customer_id"].map(cust.set_index("customer_id")["plan"].eq("basic"))
    outage = sv["date"].dt.to_period("M").isin(periods[-5:-2]).to_numpy()  # 3-month incident
    writes = rng.random(n) < np.where(nps <= 6, 0.6, 0.3)
    chinese = sv["customer_id"].map(zh).fillna(False).to_numpy(bool) & (rng.random(n) < 0.6)
    # topic weights in TOPIC_TEXT's order: billing, repair, staff, outage, delivery, praise
    p = np.where(
        (nps >= 9)[:, None],
        [0.03, 0.03, 0.02, 0.04, 0.03, 0.85],
        [0.25, 0.2, 0.25, 0.1, 0.2, 0.3],
    )
    p[nps <= 6, 5] = 0.0
    p[basic.fillna(False).to_numpy(bool), 0] *= 2.0
    p[outage, 3] *= 5.0
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    pick = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), len(TOPIC_TEXT) - 1)
    texts = _texts(rng, np.array(list(TOPIC_TEXT), object)[pick], chinese)
    return [t if w else None for t, w in zip(texts, writes, strict=True)]


def _self_assessment(rng, month: pd.Period) -> pd.DataFrame:
    items = pd.read_csv(
        resources.files("cxreport")
        .joinpath("resources/self_assessment_items.csv")
        .open(encoding="utf-8")
    )
    rows, r = [], 0
    for dept, (size, effect) in DEPARTMENTS.items():
        for _ in range(size):
            r += 1
            person = rng.normal(0, 0.35)
            mean = items["category"].map(lambda c, e=effect: CO_MEAN[c] + e.get(c, 0.0))
            score = np.clip(np.round(mean + person + rng.normal(0, 0.75, len(items))), 1, 5)
            rows.append(
                pd.DataFrame(
                    {
                        "respondent_id": f"S{r:03d}",
                        "department": dept,
                        "item": items["item"],
                        "score": score.astype(int),
                    }
                )
            )
    out = pd.concat(rows, ignore_index=True)
    out["date"] = month.end_time.normalize() - pd.Timedelta(days=10)
    return out


def _pairwise() -> pd.DataFrame:
    """Workshop comparisons: the four groups, and the strengths among themselves."""
    rows = [
        ("SWOT", "S", "W", 2),
        ("SWOT", "S", "O", 1 / 2),
        ("SWOT", "S", "T", 2),
        ("SWOT", "W", "O", 1 / 4),
        ("SWOT", "W", "T", 1),
        ("SWOT", "O", "T", 3),
    ]
    s = [f for k, f, *_ in SWOT if k == "S"]
    rows += [
        ("S", s[0], s[1], 2),
        ("S", s[0], s[2], 3),
        ("S", s[0], s[3], 4),
        ("S", s[1], s[2], 2),
        ("S", s[1], s[3], 2),
        ("S", s[2], s[3], 2),
    ]
    return pd.DataFrame(rows, columns=["group", "a", "b", "value"])


def _targets() -> pd.DataFrame:
    rows = [(d, t, "target 2026") for d, t in zip(DIMS, (75, 75, 72, 78, 72), strict=True)]
    rows += [(d, t, "competitor A") for d, t in zip(DIMS, (70, 68, 66, 72, 64), strict=True)]
    return pd.DataFrame(rows, columns=["dimension", "target", "label"])


CONFIG = """\
# cxreport configuration of the sample data folder (see README, "Configuration").
# The sample uses the standard table and column names, so only the SQI needs declaring
# (FedEx's 12 failure types plus three local ones, and which weight table this is) and the
# days allowed to resolve a complaint.
sqi:
  version: "FedEx SQI, 12 failure types (1990) + 3 local types"
  extra_weights:
    website_error: 1
    store_wait_over_4min: 1        # Ford-style standard: serve within 4 minutes
    repair_not_fixed_first_time: 5
complaints:
  sla_days: {billing: 5, repair: 3, "*": 7}   # days allowed to resolve a complaint
report:
  title: "Northwind Telecom - monthly CX report"
  currency: EUR
"""


def _write_csv(df: pd.DataFrame, path: Path, *, append: bool = False) -> None:
    """CSV through pyarrow: several times faster than pandas on millions of rows; ``append``
    adds the rows (no header) to the file."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, "ab" if append else "wb") as fh:
        if not append:
            head = io.StringIO()
            csv.writer(head, lineterminator="\n").writerow(df.columns)
            fh.write(head.getvalue().encode("utf-8"))
        pacsv.write_csv(
            pa.Table.from_pandas(df, preserve_index=False),
            fh,
            pacsv.WriteOptions(include_header=False, quoting_style="needed"),
        )


def _as_text(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """The dates as text (the touchpoints' with their time), for CSV."""
    df = df.copy()
    for c in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[c]):
            has_time = name == "touchpoints"
            df[c] = df[c].dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
    return df


def _write_parquet(df: pd.DataFrame, out: Path, name: str, k: int, schemas: dict) -> None:
    """One chunk of a table as typed Parquet: a customer table as ``name/part-<k>.parquet``,
    month-partitioned when it is one of :data:`PARTITIONED`
    (``transactions/month=YYYY-MM/part-<k>.parquet``); the others as ``name.parquet``. Every
    part of a table has the first part's column types."""
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    if name not in CUSTOMER_TABLES:
        df.to_parquet(out / f"{name}.parquet", index=False)
        return
    folder = out / name
    if k == 0 and folder.exists():  # a sample written before: its parts go with it
        shutil.rmtree(folder)
    if name in PARTITIONED:
        month = df[PARTITIONED[name]].dt.strftime("%Y-%m")
        parts = [(folder / f"month={m}", part) for m, part in df.groupby(month, sort=True)]
    else:
        parts = [(folder, df)]
    for where, part in parts:
        table = pa.Table.from_pandas(part, preserve_index=False, schema=schemas.get(name))
        schemas.setdefault(name, table.schema)
        where.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, where / f"part-{k:05d}.parquet")


def write(
    out: str | Path,
    *,
    customers: int = 3000,
    months: int = 18,
    seed: int = 42,
    end: str = "2026-10",
    fmt: str = "csv",
    chunk: int = CHUNK,
) -> dict[str, int]:
    """Write the sample folder, ``chunk`` customers at a time (:func:`chunks`); returns rows
    per table.

    CSV: one file per table. Parquet: typed; the customer tables as folders of one part per
    chunk, the transactions and touchpoints month-partitioned (:func:`_write_parquet`).

    Parameters
    ----------
    out : str or pathlib.Path
        The folder to write (created if missing); a ``cxreport.yaml`` is written in it too.
    customers : int, default=3000
        Number of customers (at least 50).
    months : int, default=18
        Number of months of history (at least 2), ending with ``end``.
    seed : int, default=42
        Seed of the random streams.
    end : str, default="2026-10"
        The last month, ``"YYYY-MM"``.
    fmt : str, default="csv"
        ``"parquet"`` for Parquet files; any other value writes CSV.
    chunk : int, default=CHUNK
        Largest number of customers generated at a time (250 000).

    Returns
    -------
    dict of str to int
        Number of rows written per table.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}
    schemas: dict = {}
    for k, tables in enumerate(chunks(customers, months, seed, end, chunk=chunk)):
        tables.pop("_truth")
        for name in list(tables):
            df = tables.pop(name)
            if fmt == "parquet":
                _write_parquet(df, out, name, k, schemas)
            else:
                _write_csv(_as_text(df, name), out / f"{name}.csv", append=k > 0)
            sizes[name] = sizes.get(name, 0) + len(df)
            del df
    (out / "cxreport.yaml").write_text(CONFIG, encoding="utf-8")
    return sizes
