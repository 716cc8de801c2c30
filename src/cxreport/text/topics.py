"""Topics of texts, two ways: the known topics of the rule file, and topics discovered in the
texts themselves (NMF on TF-IDF) to catch what the rules miss.

Known topics
    A text mentions a topic when it holds one of its keywords (:mod:`cxreport.data.topics`);
    a text may mention several topics or none.
Discovered topics
    The texts' words weighted by TF-IDF (sublinear term frequency; words in fewer than two
    texts or in more than half of them left out) are factored by non-negative matrix
    factorisation (scikit-learn's NMF, ``nndsvda`` start, so a run is repeatable; above
    ``fit_max`` texts it is fitted on a seeded sample and applied to all). Each text belongs
    to the topic of its largest weight. A discovered topic is *new* when most of its texts
    mention no known topic: that is where the rule file may need a topic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.topics import TopicRules, normalise
from ..errors import NotApplicable
from ..i18n import N_, _
from ..stats import wilson_interval
from .tokens import Tokenizer, as_text, cut, distinct_texts

NO_TOPIC = N_("no known topic")


def tag(texts, rules: TopicRules) -> pd.DataFrame:
    """Which known topics each text mentions: a bool frame, one column per topic (the rule
    file's order), on the index of ``texts``. Each distinct text is read once.

    Parameters
    ----------
    texts : array-like
        The texts (read as by :func:`~cxreport.text.tokens.as_text`; only the first
        :data:`~cxreport.text.tokens.MAX_CHARS` characters of each).
    rules : TopicRules
        The known topics (:func:`cxreport.text.rules`).

    Returns
    -------
    pandas.DataFrame
        One bool column per topic name, True where the text mentions the topic.
    """
    s, codes, unique = distinct_texts(texts)
    norm = [normalise(cut(t)) for t in unique]
    columns = {}
    for r in rules.rules:
        hit = np.fromiter((r.search(t) for t in norm), bool, len(norm))
        columns[r.name] = hit[codes] if len(codes) else np.zeros(0, bool)
    return pd.DataFrame(columns, index=s.index)


def main_topic(tags: pd.DataFrame, rules: TopicRules) -> pd.Series:
    """The label of each text's first known topic in the rule file's order, or
    :data:`NO_TOPIC` (a text that mentions several topics is listed under the first).

    Parameters
    ----------
    tags : pandas.DataFrame
        :func:`tag` of the texts.
    rules : TopicRules
        The rules ``tags`` was made with; they give the labels (in the report's language).

    Returns
    -------
    pandas.Series
        One label per text, on the index of ``tags``; :data:`NO_TOPIC` translated.
    """
    first = tags.idxmax(axis=1).where(tags.any(axis=1))
    return first.map(lambda n: _(NO_TOPIC) if pd.isna(n) else rules.label(n))


def known_topics(tags: pd.DataFrame, rules: TopicRules, texts=None) -> pd.DataFrame:
    """Mentions of each known topic: ``topic``, ``label``, ``mentions``, ``share`` (% of the
    texts that are not empty, with the Wilson 95 % interval ``ci_low`` … ``ci_high``), largest
    first, then the texts mentioning none of them.

    Parameters
    ----------
    tags : pandas.DataFrame
        :func:`tag` of the texts.
    rules : TopicRules
        The rules ``tags`` was made with; they give the labels.
    texts : array-like, optional
        The same texts, in the same order; when given, blank ones are left out of the counts.
        Default: every row of ``tags`` counts.

    Returns
    -------
    pandas.DataFrame
        One row per topic, then a :data:`NO_TOPIC` row: ``topic``, ``label``, ``mentions``,
        ``share``, ``ci_low``, ``ci_high`` (percent; NaN without texts) and ``texts`` (the
        number of texts counted).
    """
    written = as_text(texts).ne("") if texts is not None else pd.Series(True, index=tags.index)
    t = tags[written.to_numpy()]
    n = len(t)
    k = t.sum().astype(int)
    rows = pd.DataFrame({"topic": k.index, "mentions": k.to_numpy()})
    none = int((~t.any(axis=1)).sum()) if n else 0
    rows = pd.concat([rows.sort_values("mentions", ascending=False, kind="stable"),
                      pd.DataFrame({"topic": [NO_TOPIC], "mentions": [none]})])  # fmt: skip
    labels = [rules.label(x) if x != NO_TOPIC else _(NO_TOPIC) for x in rows["topic"]]
    rows.insert(1, "label", labels)
    lo, hi = wilson_interval(rows["mentions"].to_numpy(), n) if n else (np.nan, np.nan)
    rows["share"] = 100 * rows["mentions"] / n if n else np.nan
    rows["ci_low"], rows["ci_high"] = 100 * lo, 100 * hi
    rows["texts"] = n
    return rows.reset_index(drop=True)


@dataclass(frozen=True)
class Discovered:
    """Topics found in the texts.

    ``topics``: ``topic`` (1 = the largest), ``terms`` (its top words), ``texts``,
    ``share`` (% of the texts with words), ``known_topic`` (the known topic most of its texts
    mention, or :data:`NO_TOPIC`), ``known_share`` (% of its texts mentioning that one) and
    ``new`` (most of its texts mention no known topic). ``examples``: ``topic``, ``text``
    (the texts most typical of each topic, original index in ``row``). ``assignment``: each
    text's topic (0: no words to go by), on the index of the texts.

    Attributes
    ----------
    topics : pandas.DataFrame
        One row per discovered topic, largest first (columns above).
    examples : pandas.DataFrame
        ``topic``, ``row``, ``text``: the most typical texts of each topic.
    assignment : pandas.Series
        Each text's topic number (0: no words), on the index of the texts.
    """

    topics: pd.DataFrame
    examples: pd.DataFrame
    assignment: pd.Series


def discover(
    texts,
    *,
    n_topics: int = 12,
    seed: int = 0,
    tokenizer: Tokenizer | None = None,
    tags: pd.DataFrame | None = None,
    rules: TopicRules | None = None,
    n_terms: int = 8,
    n_examples: int = 3,
    fit_max: int = 50_000,
) -> Discovered:
    """Discover ``n_topics`` topics (fewer when the texts hold fewer words).

    Parameters
    ----------
    texts : Series of str
        The texts (complaints or comments); blank ones get topic 0.
    n_topics : int, default=12
        Topics to discover (at most one fewer than the distinct words or texts kept).
    seed : int, default=0
        Seed of the sample the model is fitted on (above ``fit_max`` texts).
    tokenizer : Tokenizer, optional
        Default: English and Chinese without user words.
    tags, rules : optional
        :func:`tag` of the same texts and their rules, to say which known topic each
        discovered one matches.
    n_terms : int, default=8
        Top words listed in ``terms`` per topic.
    n_examples : int, default=3
        Distinct example texts kept per topic (case ignored).
    fit_max : int, default=50_000
        Above this many texts with words, the model is fitted on a seeded sample of this size
        and applied to all.

    Returns
    -------
    Discovered
        The topics, their examples and each text's topic.

    Raises
    ------
    NotApplicable
        Fewer than 20 texts with words, or no word in at least two of them.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    s, codes, distinct = distinct_texts(texts)
    tok = tokenizer or Tokenizer()
    split = [tok(t) for t in distinct]
    words = [split[c] for c in codes]
    has = np.fromiter((bool(w) for w in words), bool, len(words))
    if has.sum() < 20:
        raise NotApplicable(
            f"Discovering topics needs at least 20 texts with words; there are {int(has.sum())}."
        )
    docs = [w for w, h in zip(words, has, strict=True) if h]
    vec = TfidfVectorizer(analyzer=_identity, min_df=2, max_df=0.5, sublinear_tf=True,
                          max_features=20_000, dtype=np.float32)  # fmt: skip
    try:
        x = vec.fit_transform(docs)
    except ValueError:  # no word left after min_df / max_df
        raise NotApplicable("Discovering topics needs words shared by several texts.") from None
    k = int(max(1, min(n_topics, x.shape[1] - 1, x.shape[0] - 1)))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    if x.shape[0] > fit_max:
        rng = np.random.default_rng(seed)
        model.fit(x[np.sort(rng.choice(x.shape[0], fit_max, replace=False))])
        w = model.transform(x)
    else:
        w = model.fit_transform(x)
    best = np.where(w.max(axis=1) > 0, w.argmax(axis=1), -1)
    sizes = np.bincount(best[best >= 0], minlength=k)
    order = np.argsort(-sizes, kind="stable")  # topic 1 is the largest
    number = np.empty(k, int)
    number[order] = np.arange(1, k + 1)
    vocab = vec.get_feature_names_out()
    index = s.index[has]
    topic_of = pd.Series(np.where(best >= 0, number[np.maximum(best, 0)], 0), index=index)
    assignment = pd.Series(0, index=s.index).astype(int)
    assignment[index] = topic_of.to_numpy()
    strength = w.max(axis=1) / np.maximum(w.sum(axis=1), 1e-12)  # how purely one topic
    rows, examples = [], []
    for j in order:
        mine = best == j
        n_j = int(mine.sum())
        row = {
            "topic": int(number[j]),
            "terms": ", ".join(vocab[np.argsort(-model.components_[j])[:n_terms]]),
            "texts": n_j,
            "share": 100 * n_j / len(docs),
        }
        if tags is not None and rules is not None:
            row.update(_known(tags.loc[index[mine]], rules))
        rows.append(row)
        top = np.flatnonzero(mine)[np.argsort(-(strength[mine] * w[mine, j]), kind="stable")]
        seen: set[str] = set()
        for i in top:
            text = s.loc[index[i]]
            if text.lower() not in seen:
                seen.add(text.lower())
                examples.append({"topic": int(number[j]), "row": index[i], "text": text})
            if len(seen) == n_examples:
                break
    return Discovered(pd.DataFrame(rows), pd.DataFrame(examples, columns=["topic", "row", "text"]),
                      assignment)  # fmt: skip


def _identity(tokens):
    return tokens


def _known(tags: pd.DataFrame, rules: TopicRules) -> dict:
    """The known topic most texts of a discovered topic mention, and whether it is new."""
    n = len(tags)
    if not n:
        return {"known_topic": _(NO_TOPIC), "known_share": np.nan, "new": False}
    counts = tags.sum()
    untagged = int((~tags.any(axis=1)).sum())
    name = counts.idxmax() if counts.max() > 0 else None
    if name is None or untagged > counts.max():
        return {"known_topic": _(NO_TOPIC), "known_share": 100 * untagged / n,
                "new": untagged > n / 2}  # fmt: skip
    return {"known_topic": rules.label(name), "known_share": 100 * counts.max() / n,
            "new": untagged > n / 2}  # fmt: skip
