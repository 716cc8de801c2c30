"""Text analytics (cxreport.text): planted topics recovered from the sample, sentiment on a
labelled set in each language, topic impact on a hand-built case, configuration, bad input,
the follow-up list's commenting detractors, and the Comcast log's topics."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxreport import complaints as cp
from cxreport import text
from cxreport.data import load
from cxreport.data.config import load_config
from cxreport.data.sample import TOPIC_TEXT, TP_TOPIC, generate
from cxreport.data.topics import TopicRuleError, read_rules
from cxreport.errors import DataError
from cxreport.nps import nps
from cxreport.stats import two_proportion_z

FIXTURES = Path(__file__).parent / "fixtures" / "text"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RULES = read_rules(None)

#: bars the tests hold the analyses to (README, "Text analytics")
RULE_PRECISION = RULE_RECALL = 0.95
DISCOVERED_PURITY = 0.8  # a planted topic is found when a discovered one is this pure in it
EN_ACCURACY, ZH_ACCURACY = 0.85, 0.9


@pytest.fixture(scope="module")
def sample():
    return generate(customers=3000, months=18, seed=42)


def _planted(texts: pd.Series) -> pd.Series:
    """The planted topic of each sample text, read back from the templates."""
    patterns = [
        (name, re.compile(re.escape(t).replace(re.escape("{x}"), ".*")))
        for name, langs in TOPIC_TEXT.items()
        for variants in langs
        for t in variants
    ]
    return texts.map(lambda s: next(n for n, p in patterns if p.fullmatch(s)))


def _precision_recall(tags: pd.DataFrame, truth: pd.Series) -> dict:
    out = {}
    for topic in sorted(truth.unique()):
        hit, real = tags[topic], truth == topic
        out[topic] = ((hit & real).sum() / hit.sum(), (hit & real).sum() / real.sum())
    return out


def test_rule_topics_recover_the_planted_topics(sample):
    co = sample["complaints"]
    sv = sample["survey"].dropna(subset=["comment"])
    for texts, truth in (
        (co["text"], co["category"].map(TP_TOPIC)),
        (sv["comment"], _planted(sv["comment"])),
    ):
        for topic, (precision, recall) in _precision_recall(text.tag(texts, RULES), truth).items():
            assert precision >= RULE_PRECISION and recall >= RULE_RECALL, topic


def test_discovered_topics_match_the_planted_ones(sample):
    sv = sample["survey"].dropna(subset=["comment"])
    truth = _planted(sv["comment"])
    found = text.discover(sv["comment"], n_topics=12, seed=0)
    table = pd.crosstab(found.assignment, truth)
    purity = table.div(table.sum(axis=1), axis=0)
    recovered = {t for t in truth.unique() if (purity[t] >= DISCOVERED_PURITY).any()}
    assert len(recovered) >= 5, purity.round(2)
    again = text.discover(sv["comment"], n_topics=12, seed=0)
    assert again.topics["terms"].tolist() == found.topics["terms"].tolist()  # repeatable
    assert set(found.examples["topic"]) <= set(found.topics["topic"])


def test_sentiment_on_labelled_sentences():
    f = pd.read_csv(FIXTURES / "sentiment_labelled.csv")
    f["predicted"] = text.SentimentScorer().scores(f["text"])["polarity"].to_numpy()
    accuracy = (f["predicted"] == f["label"]).groupby(f["lang"]).mean()
    assert accuracy["en"] >= EN_ACCURACY and accuracy["zh"] >= ZH_ACCURACY, accuracy
    assert (f.groupby("lang").size() == 20).all()


def test_sentiment_overrides_and_negation():
    plain = text.SentimentScorer()
    assert plain.score("Customer care support") == 0  # service words are neutral here
    assert plain.score("不好") < 0 < plain.score("好")
    assert plain.score("等了好几天") <= 0  # 好几天 is "several days", not "good"
    tuned = text.SentimentScorer({"bundle": -3.0, "套餐": 3.0})
    assert tuned.score("the bundle") < 0 < tuned.score("套餐")
    assert np.isnan(plain.score("")) and np.isnan(plain.score("   !!! "))


def test_agreement_with_the_nps_group():
    pol = ["negative", "negative", "positive", "neutral", "positive", "negative"]
    a = text.agreement(pol, [-0.5, -0.4, 0.3, 0.0, 0.6, -0.2], [0, 6, 3, 8, 10, 9])
    # detractors 0, 6, 3 (2 of 3 negative), promoters 10, 9 (1 of 2 positive): 3 of 5
    assert (a.n, a.agree, a.pct) == (5, 3, 60.0)
    t = a.table.set_index("nps_group")
    assert t.loc["detractor", "comments"] == 3 and t.loc["passive", "% neutral"] == 100


def test_topic_impact_on_a_hand_built_case():
    scores = [0, 0, 3, 9, 9, 10, 10, 8, 7, 2]
    tags = pd.DataFrame({"billing_error": [True] * 4 + [False] * 6, "price": [False] * 10})
    t = text.topic_impact(tags, scores, RULES, min_mentions=5).set_index("topic")
    assert list(t.index) == ["billing_error"]  # nobody mentions price
    row = t.loc["billing_error"]
    with_, without = nps([0, 0, 3, 9]), nps([9, 10, 10, 8, 7, 2])
    assert row["with"] == pytest.approx(-50) and row["without"] == pytest.approx(100 / 3)
    assert row["with_low"] == pytest.approx(with_.ci_low)  # the project's adjusted Wald
    assert row["without_high"] == pytest.approx(without.ci_high)
    # NPS of all ten is 0: 33.3 points lost = 40 % of comments x 83.3 points of gap
    assert row["points_lost"] == pytest.approx(100 / 3 - nps(scores).nps)
    assert row["lost_low"] < row["points_lost"] < row["lost_high"]
    assert row["small"] and row["share"] == 40


def test_topic_shares_month_on_month():
    dates = ["2024-02-03"] * 40 + ["2024-03-05"] * 50
    tags = pd.DataFrame({"price": [True] * 4 + [False] * 36 + [True] * 20 + [False] * 30})
    monthly = text.shares_by_month(tags, dates, RULES)
    assert monthly["share"].tolist() == [10.0, 40.0]
    ch = text.share_change(monthly, "2024-03").iloc[0]
    z, p = two_proportion_z(4, 40, 20, 50)
    assert ch["change"] == pytest.approx(30) and ch["z"] == pytest.approx(z)
    assert ch["p"] == pytest.approx(p) and ch["significant"]


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "bill " * 20_000,  # 100,000 characters
        "账单错了 and the bill is wrong too",
        "<script>alert('x')</script><b>rude</b> staff",
        "**bold** _rude_ [link](http://example.com) `code`",
        r"$\frac{1}{0}$ price went from $5 to $10",
    ],
)
def test_bad_texts_are_read_as_text(value):
    texts = pd.Series([value, "The staff were rude", "账单又错了"], dtype=object)
    tags = text.tag(texts, RULES)
    assert tags.shape == (3, len(RULES.rules))
    scores = text.SentimentScorer().scores(texts)
    assert scores["score"].dropna().between(-1, 1).all()
    assert text.Tokenizer()(value or "") is not None
    from cxreport.viz.text import SHOWN_CHARS, verbatims

    html = verbatims(pd.DataFrame({"text": texts})).to_html()
    assert "<script>" not in html and "tex2jax_ignore" in html
    assert max(len(x) for x in texts.fillna("").map(lambda v: " ".join(v.split()))) <= 100_000
    assert all(len(line) < SHOWN_CHARS + 200 for line in html.splitlines())


def test_mixed_and_long_texts_keep_both_languages():
    assert text.language("网络又断了") == "zh" and text.language("outage again") == "en"
    assert text.language("网络断了 the internet is down") == "mixed"
    assert text.language("") == "" and text.language("!!!") == ""
    tags = text.tag(pd.Series(["x " * 60_000 + " bill"]), RULES)  # past MAX_CHARS: not read
    assert not tags.iloc[0].any()


def _folder(tmp_path: Path, config: str, rules: str | None = None) -> Path:
    (tmp_path / "customers.csv").write_text("customer_id\nC1\n", encoding="utf-8")
    (tmp_path / "cxreport.yaml").write_text(config, encoding="utf-8")
    if rules is not None:
        (tmp_path / "topics.yaml").write_text(rules, encoding="utf-8")
    return tmp_path


def test_a_bad_pattern_in_a_rule_file_names_the_topic_and_the_file(tmp_path):
    rules = "topics:\n  fees:\n    en: [fee]\n    patterns: ['charge(s']\n"
    folder = _folder(tmp_path, "text: {topics: topics.yaml}\n", rules)
    with pytest.raises(TopicRuleError, match=r"topics\.yaml, topic 'fees'.*charge\(s"):
        load_config(folder)
    with pytest.raises(DataError, match=r"topic 'fees': the pattern 'charge\(s' is not a valid"):
        load(folder)  # as `cxreport validate` and the run's pre-flight report it


def test_a_rule_file_of_ones_own_replaces_the_shipped_one(tmp_path):
    rules = "version: mine 2\ntopics:\n  fees:\n    label: Fees\n    en: [fee*, no]\n"
    r = load_config(_folder(tmp_path, "text: {topics: topics.yaml}\n", rules)).text.topic_rules
    assert (r.version, r.names) == ("mine 2", ["fees"])
    got = text.tag(pd.Series(["Fees again", "no way", "coffee", "nothing"]), r)["fees"]
    assert got.tolist() == [True, True, False, False]  # "no" stays text (YAML 1.2)
    with pytest.raises(TopicRuleError, match="missing.yaml does not exist"):
        load_config(_folder(tmp_path, "text: {topics: missing.yaml}\n"))


def test_user_words_and_stop_words_from_the_config(tmp_path):
    config = load_config(
        _folder(tmp_path, "text:\n  user_words: [光猫坏]\n  stop_words: [comcast]\n")
    )
    tok = text.tokenizer(config)
    assert "光猫坏" in tok("我的光猫坏了")
    assert "comcast" not in tok("Comcast billing")
    assert "billing" in tok("Comcast billing")


# --------------------------------------------------------------------------------------------
# the follow-up list: detractors who left a comment
# --------------------------------------------------------------------------------------------


def test_followup_lists_commenting_detractors_with_the_topic(tmp_path):
    (tmp_path / "customers.csv").write_text(
        "customer_id,signup_date\nC1,2023-01-01\nC2,2023-01-01\nC3,2023-01-01\n", "utf-8"
    )
    (tmp_path / "complaints.csv").write_text(
        "complaint_id,customer_id,opened,resolved,category\nK1,C1,2024-03-01,2024-03-02,billing\n",
        "utf-8",
    )
    (tmp_path / "survey.csv").write_text(
        "response_id,customer_id,date,nps,comment\n"
        "R1,C1,2024-03-05,3,My bill is wrong\n"  # complained too: one row, both reasons
        "R2,C2,2024-03-06,2,The staff were rude\n"
        "R3,C3,2024-03-07,10,The staff were rude\n",  # a promoter: no follow-up
        "utf-8",
    )
    data = load(tmp_path, "2024-03")
    follow = cp.followup(data, cp.cases(data)).set_index("customer_id")
    assert sorted(follow.index) == ["C1", "C2"]
    assert follow.loc["C1", "reason"] == (
        "detractor who complained (billing); comment: Billing errors"
    )
    assert follow.loc["C2", "reason"] == "detractor who left a comment (Rude or unhelpful staff)"
    assert follow.loc["C2", "due"] == pd.Timestamp("2024-04-08")  # month end + 7 days ("*")


# --------------------------------------------------------------------------------------------
# real data: the Comcast complaints log
# --------------------------------------------------------------------------------------------


def test_comcast_topics_against_hand_checked_keywords(shared_data):
    data = load(EXAMPLES / "comcast_complaints", "2015-06")
    titles = data.complaints["text"]
    tags = text.tag(titles, text.rules(data))
    low = titles.str.lower()
    # every title naming these words is tagged, and most tagged titles name them
    for topic, words in {
        "billing_error": r"\bbill(?:ing|ed|s)?\b",
        "data_speed": r"\b(?:speeds?|data caps?|caps?|capped|usage)\b",
        # read off the titles: what customers write when the service is gone
        "network_outage": r"\b(?:outages?|disconnect\w*|no (?:internet|service)|signal|"
        r"not working|intermittent\w*|(?:internet|service) down|dropping|reception)\b",
    }.items():
        hand = low.str.contains(words, regex=True)
        assert tags.loc[hand, topic].all(), topic
        assert (hand & tags[topic]).sum() / tags[topic].sum() >= 0.6, topic
    shares = text.known_topics(tags, text.rules(data), titles).set_index("topic")["mentions"]
    assert set(shares.index[:2]) == {"billing_error", "data_speed"}  # a fifth of titles each
    found = text.discover(titles, n_topics=12, tokenizer=text.tokenizer(data.config), seed=0)
    terms = " ".join(found.topics["terms"])
    for word in ("billing", "speed", "data", "internet"):
        assert re.search(rf"\b{word}\b", terms), word


def test_repeated_texts_score_as_each_alone():
    texts = pd.Series(
        ["great service", None, "账单又错了", "great service", ""], index=[9, 3, 5, 1, 7]
    )
    scorer = text.SentimentScorer()
    got = scorer.scores(texts)
    assert got.index.tolist() == [9, 3, 5, 1, 7]
    alone = [scorer.score(t) for t in ["great service", "", "账单又错了", "great service", ""]]
    np.testing.assert_array_equal(got["score"].to_numpy(), np.array(alone))
    assert got["score"].iloc[0] > 0 and np.isnan(got["score"].iloc[1])
