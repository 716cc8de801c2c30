"""The topic rule file of the text analytics: read, checked and compiled.

The shipped file is ``resources/text_topics.yaml`` (its header says the format); a data
folder's ``cxreport.yaml`` may point ``text.topics`` at its own. A topic's English keywords
match whole words (``*`` at the end: any ending), phrases with any spacing, Chinese keywords
anywhere; ``patterns`` are Python regular expressions. Every problem of a file (a topic
without keywords, a pattern that is no regular expression) is reported at once, naming the
file and the topic (:class:`TopicRuleError`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from ..errors import ConfigError
from ..i18n import language

DEFAULT_RULES = "resources/text_topics.yaml"


class TopicRuleError(ConfigError):
    """A topic rule file cannot be used: not YAML, a topic without keywords, a bad pattern."""


@dataclass(frozen=True)
class TopicRule:
    """One known topic: its name, label (and its Chinese label) and the compiled expression
    of its keywords.

    Attributes
    ----------
    name : str
        The topic's name in the rule file.
    label : str
        Its label (the name when the file gives none).
    regex : re.Pattern
        The compiled expression of its keywords and patterns.
    stems : tuple of str or None, default=None
        Texts holding none of these cannot match (a fast first look); None: always search.
    label_zh : str, default=""
        Its Chinese label, if any.
    """

    name: str
    label: str
    regex: re.Pattern
    #: texts holding none of these cannot match (a fast first look; None: always search)
    stems: tuple[str, ...] | None = None
    label_zh: str = ""

    def search(self, text: str) -> bool:
        """Does a normalised text mention the topic?

        Parameters
        ----------
        text : str
            A text as :func:`normalise` gives it.

        Returns
        -------
        bool
            True when the topic's expression matches somewhere in ``text``.
        """
        if self.stems is not None and not any(st in text for st in self.stems):
            return False
        return self.regex.search(text) is not None


@dataclass(frozen=True)
class TopicRules:
    """The topics of one rule file, in the file's order.

    Attributes
    ----------
    version : str
        The file's ``version`` (``"unversioned"`` without one).
    source : str
        The file's name, as used in messages.
    rules : tuple of TopicRule
        The topics.
    """

    version: str
    source: str  # the file's name (shipped: "cxreport default")
    rules: tuple[TopicRule, ...]

    @property
    def names(self) -> list[str]:
        """The topics' names, in the file's order.

        Returns
        -------
        list of str
        """
        return [r.name for r in self.rules]

    def label(self, name: str) -> str:
        """A topic's label in the report's language (``label_zh`` in a Chinese report, when
        the rule file has one; else ``label``); the name for an unknown topic.

        Parameters
        ----------
        name : str
            A topic's name.

        Returns
        -------
        str
        """
        rule = next((r for r in self.rules if r.name == name), None)
        if rule is None:
            return name
        return rule.label_zh if language() == "zh" and rule.label_zh else rule.label


def normalise(text: str) -> str:
    """Text as the rules see it: NFKC (full-width letters and punctuation as half-width)
    and lower case.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
    """
    return unicodedata.normalize("NFKC", text).lower()


def keyword_regex(keyword: str) -> str:
    """The regular expression of one keyword (see the module docstring).

    Parameters
    ----------
    keyword : str
        An ``en:`` or ``zh:`` keyword of a rule file (other values are taken as text).

    Returns
    -------
    str
        The expression's source, to be compiled with ``re.IGNORECASE``.
    """
    kw = normalise(str(keyword)).strip()
    star = kw.endswith("*")
    kw = kw.rstrip("*").strip()
    body = r"\s+".join(re.escape(w) for w in kw.split())
    if star:
        body += r"\w*"
    # whole words where the keyword starts / ends with a Latin letter or a digit
    # (a Latin letter: "用app登录" mentions the app, "billion" no bill)
    if kw[:1].isascii() and kw[:1].isalnum():
        body = (r"(?<![a-z])" if kw[0].isalpha() else r"(?<![0-9])") + body
    if not star and kw[-1:].isascii() and kw[-1:].isalnum():
        body += r"(?![a-z])" if kw[-1].isalpha() else r"(?![0-9])"
    return body


def parse_rules(doc, source: str) -> TopicRules:
    """A rule file's YAML document as :class:`TopicRules`; every problem in one error.

    Parameters
    ----------
    doc : object
        The parsed YAML document; a mapping with a non-empty ``topics:`` mapping is expected.
    source : str
        The file's name, used in the messages and kept as :attr:`TopicRules.source`.

    Returns
    -------
    TopicRules

    Raises
    ------
    TopicRuleError
        ``doc`` has no topics, or some topic has unknown keys, no keywords or a bad pattern.
    """
    problems: list[str] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("topics"), dict) or not doc["topics"]:
        raise TopicRuleError(
            f"{source}: a topic rule file needs a mapping 'topics:' of topic names, each with "
            f"en:/zh: keyword lists (see the shipped text_topics.yaml)."
        )
    rules = []
    for name, spec in doc["topics"].items():
        where = f"{source}, topic '{name}'"
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected label, label_zh, en, zh or patterns; got {spec!r}.")
            continue
        unknown = sorted(set(spec) - {"label", "label_zh", "en", "zh", "patterns"})
        if unknown:
            problems.append(
                f"{where}: unknown key(s) {', '.join(map(str, unknown))}; a topic has label, "
                f"label_zh, en, zh and patterns."
            )
        parts, stems = [], []
        for key in ("en", "zh"):
            words = spec.get(key) or []
            if not isinstance(words, list):
                problems.append(f"{where}: {key} must be a list of keywords; got {words!r}.")
                continue
            kept = [w for w in words if str(w).strip().rstrip("*").strip()]
            parts += [keyword_regex(w) for w in kept]
            stems += [normalise(str(w)).rstrip("*").split()[0] for w in kept]
        if spec.get("patterns"):
            stems = None  # a regular expression has no literal to look for first
        for pattern in spec.get("patterns") or []:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                problems.append(
                    f"{where}: the pattern {str(pattern)!r} is not a valid regular expression "
                    f"({exc}). Fix it, or write it as a keyword under en: or zh:."
                )
                continue
            parts.append(f"(?:{pattern})")
        if not parts and not problems:
            problems.append(f"{where}: no keywords; give en: or zh: keywords or patterns.")
        if parts:
            regex = re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
            label = str(spec.get("label") or name)
            rules.append(
                TopicRule(
                    str(name),
                    label,
                    regex,
                    None if stems is None else tuple(stems),
                    str(spec.get("label_zh") or ""),
                )
            )
    if problems:
        text = "\n".join(f"  ✗ {p}" for p in problems)
        raise TopicRuleError(f"{source}: {len(problems)} problem(s)\n{text}", problems)
    return TopicRules(str(doc.get("version") or "unversioned"), source, tuple(rules))


def read_rules(path: Path | None) -> TopicRules:
    """The rule file at ``path`` (``None``: the shipped default).

    Parameters
    ----------
    path : pathlib.Path or None
        The rule file, or None for the shipped ``resources/text_topics.yaml``.

    Returns
    -------
    TopicRules

    Raises
    ------
    TopicRuleError
        The file does not exist, is not UTF-8 YAML, or its rules have problems.
    """
    if path is None:
        text = resources.files("cxreport").joinpath(DEFAULT_RULES).read_text("utf-8")
        source = "cxreport default topics (text_topics.yaml)"
    else:
        if not path.is_file():
            raise TopicRuleError(
                f"text.topics: the topic rule file {path} does not exist; give its name "
                f"relative to the data folder, or remove the key to use the shipped topics."
            )
        from .config import read_yaml  # YAML 1.2: a keyword "no" stays text

        try:
            return parse_rules(read_yaml(path), str(path))
        except TopicRuleError:
            raise
        except ConfigError as exc:  # not YAML, not UTF-8
            raise TopicRuleError(str(exc)) from None
    return parse_rules(yaml.safe_load(text), source)
