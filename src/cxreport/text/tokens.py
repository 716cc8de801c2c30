"""Texts as the analyses read them: cleaned, bounded, split into words, language told.

English (any Latin-script text) is split by a regular expression and loses the stop words of
scikit-learn's list; Chinese runs go through jieba (its dictionary ships in the package; it is
initialised quietly, once per set of user words). A text mixing both is split part by part.
Texts are read as plain text: HTML, Markdown or ``$…$`` are characters like any other, and a
text longer than :data:`MAX_CHARS` is read up to there (the pages show that it was cut).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import pandas as pd

from ..data.topics import normalise

#: Characters of one text that are analysed (a 100,000-character paste is read up to here).
MAX_CHARS = 5_000

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9']*[a-z0-9]|[a-z]")

#: Chinese function words left out of the discovered topics (jieba keeps them as words).
ZH_STOP_WORDS = frozenset(
    "的 了 是 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 就 都 也 还 又 在 和 与 及 或 "
    "被 把 给 对 从 到 让 很 太 非常 已经 一直 一下 一个 什么 怎么 为什么 因为 所以 但是 "
    "可是 而且 然后 如果 没有 不是 就是 还是 可以 现在 时候 问题 一些 这样 那样 自己 "
    "每次 今天 昨天 之前 之后 多次 一次 两次 好几天 几天 吗 呢 吧 啊 呀 哦 嗯".split()
)


def english_stop_words() -> frozenset[str]:
    """English words left out of the discovered topics: scikit-learn's stop words and a few
    contractions written without their apostrophe ("dont", "im", ...).

    Returns
    -------
    frozenset of str
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS | {"im", "ive", "dont", "didnt", "cant", "wont", "got", "get"}


def as_text(values) -> pd.Series:
    """Texts as strings, missing and blank ones as "" (never "nan").

    Parameters
    ----------
    values : array-like
        The texts; missing values (None, NaN) become "".

    Returns
    -------
    pandas.Series
        The texts as ``str`` with surrounding whitespace stripped (object dtype; a Series
        passed in keeps its index).
    """
    s = pd.Series(values, dtype=object)
    return s.where(s.notna(), "").astype(str).str.strip()


def distinct_texts(texts):
    """``as_text(texts)``, each text's code and the distinct texts, for a step that reads each
    distinct text once and gives every row its text's result (``results[codes]``): answers
    and complaints repeat their short texts thousands of times.

    Parameters
    ----------
    texts : array-like
        The texts, read as by :func:`as_text`.

    Returns
    -------
    s : pandas.Series
        ``as_text(texts)``.
    codes : numpy.ndarray of int
        Position of each text of ``s`` in ``distinct``.
    distinct : pandas.Index
        The distinct texts, in order of first appearance.
    """
    s = as_text(texts)
    codes, distinct = pd.factorize(s)
    return s, codes, distinct


def cut(text: str) -> str:
    """The part of a text that is analysed: its first :data:`MAX_CHARS` characters.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
    """
    return text[:MAX_CHARS]


def language(text: str) -> str:
    """``"zh"``, ``"en"``, ``"mixed"`` (both, each at least a quarter of the words, a Chinese
    character counted as a word) or ``""`` (no words).

    Parameters
    ----------
    text : str
        The text; only its first :data:`MAX_CHARS` characters are read.

    Returns
    -------
    str
        ``"zh"``, ``"en"``, ``"mixed"`` or ``""``.
    """
    t = cut(text)
    zh = sum(len(run) for run in _CJK_RUN.findall(t))
    en = len(_LATIN_WORD.findall(_CJK_RUN.sub(" ", t.lower())))
    if zh + en == 0:
        return ""
    if min(zh, en) >= 0.25 * (zh + en):
        return "mixed"
    return "zh" if zh > en else "en"


def split_scripts(text: str) -> tuple[str, str]:
    """``(Chinese part, the rest)`` of a text: the Chinese runs joined by "，", and the text
    with them replaced by spaces.

    Parameters
    ----------
    text : str
        The text; only its first :data:`MAX_CHARS` characters are read.

    Returns
    -------
    tuple of (str, str)
        The Chinese part and the rest.
    """
    t = cut(text)
    return "，".join(_CJK_RUN.findall(t)), _CJK_RUN.sub(" ", t)


@lru_cache(maxsize=4)
def _jieba(user_words: tuple[str, ...]):
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it logs "Building prefix dict ..." otherwise
    tk = jieba.Tokenizer()
    tk.initialize()
    for w in user_words:
        tk.add_word(w)
    return tk


class Tokenizer:
    """Words of texts for the discovered topics.

    Parameters
    ----------
    user_words : sequence of str, default=()
        Words jieba keeps whole (``text.user_words`` of ``cxreport.yaml``).
    stop_words : sequence of str, default=()
        Further words left out (``text.stop_words``), besides the shipped lists.
    """

    def __init__(self, *, user_words=(), stop_words=()):
        self.user_words = tuple(normalise(w) for w in user_words)
        extra = {normalise(w) for w in stop_words}
        self.stop = english_stop_words() | ZH_STOP_WORDS | extra
        self._keep = set(self.user_words)

    def __call__(self, text: str) -> list[str]:
        t = normalise(cut(text))
        out: list[str] = []
        runs = _CJK_RUN.findall(t)
        if runs:
            tk = _jieba(self.user_words)
            for run in runs:
                out += [
                    w
                    for w in tk.lcut(run)
                    if (len(w) > 1 or w in self._keep) and w not in self.stop
                ]
            t = _CJK_RUN.sub(" ", t)
        for w in _LATIN_WORD.findall(t):
            w = w.removesuffix("'s").replace("'", "")
            if len(w) > 1 and w not in self.stop and not w.isdigit():
                out.append(w)
        return out

    def many(self, texts) -> list[list[str]]:
        """The words of each of several texts.

        Parameters
        ----------
        texts : array-like
            The texts, read as by :func:`as_text`.

        Returns
        -------
        list of list of str
            One list of words per text, in order.
        """
        return [self(t) for t in as_text(texts)]


def tokenizer(config) -> Tokenizer:
    """The tokenizer of a data folder's config (``data.config``).

    Parameters
    ----------
    config : Config
        The data folder's config; its ``text.user_words`` and ``text.stop_words`` are used.

    Returns
    -------
    Tokenizer
    """
    return Tokenizer(user_words=config.text.user_words, stop_words=config.text.stop_words)
