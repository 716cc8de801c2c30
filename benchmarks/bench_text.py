"""Text analytics on many comments: time of each step and peak memory.

Usage::

    .venv/bin/python benchmarks/bench_text.py                    # 1,000,000 comments
    .venv/bin/python benchmarks/bench_text.py --comments 100000

Generates the comments from the sample's planted topics (English, Chinese in 30 %, a few
mixed, each made distinct by a reference number, with NPS answers and dates over 12
months), then times the steps a page runs: known topics (:func:`cxreport.text.tag`), topic
impact on NPS, topic shares by month, sentiment,
and discovered topics (NMF fitted on a 50,000-text sample, applied to all). Peak resident
memory is the process's own (``getrusage``), printed beside the memory of the comments.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd


def comments(n: int, seed: int = 0) -> pd.DataFrame:
    from cxreport.data.sample import TEXT_FILL, TOPIC_TEXT

    rng = np.random.default_rng(seed)
    topics = list(TOPIC_TEXT)
    pick = rng.integers(0, len(topics), n)
    zh = rng.random(n) < 0.3
    variant = rng.integers(0, 2, n)
    fill = rng.integers(0, len(TEXT_FILL), n)
    texts = [
        TOPIC_TEXT[topics[t]][int(z)][v].format(x=TEXT_FILL[f][int(z)])
        for t, z, v, f in zip(pick, zh, variant, fill, strict=True)
    ]
    mixed = rng.random(n) < 0.02
    texts = [t + " 网络又断了" if m else t for t, m in zip(texts, mixed, strict=True)]
    # a reference number in each: every text distinct (no text is read once for many)
    ref = rng.integers(0, 10**7, n)
    texts = [f"{t} (ref {r})" for t, r in zip(texts, ref, strict=True)]
    praise = np.array(topics)[pick] == "praise"
    nps = np.clip(np.where(praise, 9, 5) + rng.integers(-2, 3, n), 0, 10)
    dates = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    return pd.DataFrame({"comment": texts, "nps": nps, "date": dates})


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--comments", type=int, default=1_000_000)
    p.add_argument("--topics", type=int, default=12)
    a = p.parse_args(argv)

    from cxreport import text
    from cxreport.data.topics import read_rules

    t0 = time.perf_counter()
    frame = comments(a.comments)
    mb = frame.memory_usage(deep=True).sum() / 2**20
    print(f"{len(frame):,} comments generated in {time.perf_counter() - t0:.1f} s ({mb:,.0f} MB)")
    rules = read_rules(None)
    steps = {}

    def step(name, fn):
        t = time.perf_counter()
        out = fn()
        steps[name] = time.perf_counter() - t
        print(f"  {name:<28} {steps[name]:8.1f} s")
        return out

    tags = step("known topics (tag)", lambda: text.tag(frame["comment"], rules))
    step("topic impact on NPS", lambda: text.topic_impact(tags, frame["nps"], rules))
    step("topic shares by month", lambda: text.shares_by_month(tags, frame["date"], rules))
    scorer = text.SentimentScorer()
    step("sentiment", lambda: scorer.scores(frame["comment"]))
    step(
        f"discovered topics (k={a.topics})",
        lambda: text.discover(frame["comment"], n_topics=a.topics, seed=0),
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    total = sum(steps.values())
    each = 1e6 * total / len(frame)
    print(f"total {total:.1f} s ({each:.0f} µs per comment); peak {peak:,.0f} MB")


if __name__ == "__main__":
    main()
