"""Text analytics of complaint texts and survey comments, in English and Chinese, offline.

- :mod:`.tokens`: cleaning, language, words (jieba for Chinese, a regular expression and stop
  words for English; ``text.user_words`` and ``text.stop_words`` of ``cxreport.yaml``);
- :mod:`.topics`: known topics from the rule file (``text.topics``, the shipped
  ``resources/text_topics.yaml`` by default) and topics discovered by NMF on TF-IDF;
- :mod:`.sentiment`: lexicon sentiment (VADER; cxreport's Chinese lexicon; service
  overrides) and its agreement with the NPS group;
- :mod:`.impact`: what each topic costs in NPS, and topic shares month on month.

Nothing is downloaded: jieba's dictionary, VADER's lexicon and cxreport's own files ship in
their packages. Every function returns frames or small result objects; nothing is drawn.
"""

from __future__ import annotations

import pandas as pd

from ..errors import NotApplicable
from ..settings import Setting, check
from .impact import share_change, shares_by_month, topic_impact
from .sentiment import Agreement, SentimentScorer, agreement, polarity, scorer
from .tokens import MAX_CHARS, Tokenizer, as_text, language, tokenizer
from .topics import NO_TOPIC, Discovered, discover, known_topics, main_topic, tag

__all__ = [
    "MAX_CHARS",
    "NO_TOPIC",
    "SETTINGS",
    "Agreement",
    "Discovered",
    "SentimentScorer",
    "Tokenizer",
    "agreement",
    "as_text",
    "check_settings",
    "discover",
    "has_comments",
    "known_topics",
    "language",
    "main_topic",
    "polarity",
    "rules",
    "scorer",
    "share_change",
    "shares_by_month",
    "survey_comments",
    "tag",
    "tokenizer",
    "topic_impact",
]

SETTINGS = (
    Setting("discovered_topics", int, 12, "topics to discover in the texts (NMF)", low=2, high=30),
    Setting(
        "topic_min_mentions",
        int,
        30,
        "known topics with fewer mentions are flagged, not read as precise",
        low=1,
    ),
)


def check_settings(**values) -> None:
    """Check the text settings (:data:`SETTINGS`) up front; a
    :class:`~cxreport.errors.ParameterError` names every bad one.

    Parameters
    ----------
    **values
        Setting values by name; names that are not text settings are ignored.
    """
    check(SETTINGS, values, owner="text")


def rules(data):
    """The topic rules of a data folder (its ``text.topics`` file, else the shipped one).

    Parameters
    ----------
    data : Dataset
        Loaded data set (:func:`cxreport.data.load`); its ``config.text`` is read.

    Returns
    -------
    TopicRules
        ``data.config.text.topic_rules``.
    """
    return data.config.text.topic_rules


def has_comments(data) -> bool:
    """Does the survey hold any written comment?

    Parameters
    ----------
    data : Dataset
        Loaded data set; uses ``survey.comment``.

    Returns
    -------
    bool
        True when the survey has a ``comment`` column with at least one non-blank text.
    """
    if not data.has("survey") or "comment" not in data.columns("survey"):
        return False
    return bool(as_text(data.table("survey", ["comment"])["comment"]).ne("").any())


def survey_comments(data, *, months: int = 3) -> pd.DataFrame:
    """The survey answers with a written comment in the last ``months`` months up to the
    reporting month: ``response_id``, ``customer_id``, ``date``, ``nps`` and
    ``overall_satisfaction`` (where the survey has them) and ``comment``.

    Parameters
    ----------
    data : Dataset
        Loaded data set; uses ``survey`` and ``data.month`` (no month: every answer).
    months : int, default=3
        Calendar months up to and including the reporting month that are kept (when the
        survey has ``date``).

    Returns
    -------
    pandas.DataFrame
        One row per answer with a non-blank comment (stripped text), index reset.

    Raises
    ------
    NotApplicable
        When the survey holds no written comment.
    """
    if not has_comments(data):
        raise NotApplicable(
            "The comment analysis needs survey comments (survey.comment, free text); this "
            "survey has none. Map your comment column in cxreport.yaml "
            "(tables.survey.columns.comment: <your column>)."
        )
    cols = [c for c in ("response_id", "customer_id", "date", "nps", "overall_satisfaction",
                        "comment") if c in data.columns("survey")]  # fmt: skip
    sv = data.table("survey", cols)
    if "date" in sv and data.month is not None:
        start = (data.month - months + 1).start_time
        sv = sv[(sv["date"] >= start) & (sv["date"] < data.month_end)]
    sv = sv.assign(comment=as_text(sv["comment"]).to_numpy())
    return sv[sv["comment"] != ""].reset_index(drop=True)
