"""Customer ids out of everything a reader of the report sees: the scrub and the final scan.

:class:`IdGuard` replaces every known ``customer_id`` by its pseudonym (the one
:meth:`.context.Run.ids` shows), in text, HTML and JSON (executed notebooks, the manifest,
``metrics.json``). :meth:`IdGuard.sweep` does so for every file of a report folder but the
exports meant for the analyst, and, with ``write=False``, only counts what is left: the final
scan, whose result the manifest records.

What counts as an id:

- a whole token (letters, digits, ``_`` and ``-``; any other character ends a token) equal to
  a known id; ids with other characters (spaces, ``&``) are matched as they are, and
  HTML-escaped;
- an id of digits only (a phone or CRM number) likewise, by exact match against the known ids,
  never by pattern, and only where it is not part of a larger number: ``12347`` in ``123470``,
  ``1.12347``, ``12347.5`` or in the thousands groups of ``1,234`` is no id. Any other number
  equal to an id (a count, a year) is replaced too: the guard cannot tell them apart;
- in HTML, digit-only ids are looked for in the text, not inside markup (tags and their
  attributes, style sheets, comments) nor in character references (``&#39;``); other ids are
  replaced in markup too;
- never inside embedded images (``data:`` URIs, a notebook's base64 image outputs) nor in
  terminal colour codes, which are no text.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from .context import pseudonymise

_TOKEN = re.compile(r"(?<![\w-])[\w-]+(?![\w-])")
# left untouched: embedded images and terminal colour codes (a notebook's tracebacks)
_OPAQUE = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+|\x1b\[[0-9;?]*[A-Za-z]")
# markup of an HTML text: digit-only ids are not looked for inside
_MARKUP = re.compile(
    r"<(style|script)\b.*?</\1\s*>|<!--.*?-->|<![^<>]*>|</?[A-Za-z][^<>]*>", re.S | re.I
)
_THOUSANDS = re.compile(r",\d{3}(?!\d)")
# base64 values of a notebook (image outputs, attachments): not text
_BINARY_MIME = re.compile(r"image/(?!svg)|application/pdf|audio/|video/")
_MARKUP_MIME = ("text/html", "image/svg+xml")


def _split(pattern: re.Pattern, text: str):
    """``(piece, matched)`` for the stretches of ``text`` between matches of ``pattern`` and
    for the matches themselves, in order."""
    pos = 0
    for m in pattern.finditer(text):
        yield text[pos : m.start()], False
        yield m.group(0), True
        pos = m.end()
    yield text[pos:], False


def _part_of_a_number(text: str, start: int, end: int) -> bool:
    """Is the digits token ``text[start:end]`` part of a larger number or a character
    reference: ``1.2345``, ``2345.6``, ``1,234`` (thousands groups), ``&#39;``?"""
    before = text[max(0, start - 2) : start]
    if before == "&#":
        return True
    if len(before) == 2 and before[0].isdigit():
        if before[1] == "." or (before[1] == "," and end - start == 3):
            return True
    return (text[end : end + 1] == "." and text[end + 1 : end + 2].isdigit()) or bool(
        _THOUSANDS.match(text, end)
    )


class IdGuard:
    """Replace real customer ids by their pseudonyms; count those left.

    Parameters
    ----------
    ids : iterable
        The ``customer_id`` values of the customers table.
    key : str
        The pseudonym key of the report (the notebooks' ``id_key``).

    Notes
    -----
    See the module docstring for what counts as an id. :attr:`simple_ids` holds the ids
    matched as one token, :attr:`numeric` how many of them are digits only; the others (with
    spaces or punctuation) go through one regular expression.
    """

    def __init__(self, ids, *, key: str):
        self.key = key
        values = {str(v) for v in ids if v is not None and str(v) not in ("", "nan")}
        self._size = len(values)
        self.simple_ids = {v for v in values if _TOKEN.fullmatch(v)}
        self.numeric = sum(v.isdigit() for v in self.simple_ids)
        other = values - self.simple_ids
        variants = sorted({x for v in other for x in (v, html.escape(v))}, key=len, reverse=True)
        self._other = (
            re.compile("(?<![\\w-])(" + "|".join(map(re.escape, variants)) + ")(?![\\w-])")
            if variants
            else None
        )
        self._cache: dict[str, str] = {}

    def __len__(self) -> int:
        """The number of distinct ids known."""
        return self._size

    def _pseudo(self, value: str) -> str:
        if value not in self._cache:
            self._cache[value] = str(pseudonymise([html.unescape(value)], self.key).iloc[0])
        return self._cache[value]

    # ------------------------------------------------------------------------ strings

    def _plain(self, text: str, numeric: bool) -> tuple[str, int]:
        """Replace the ids of a stretch of text holding no image or colour code."""
        count = 0

        def simple(m: re.Match) -> str:
            nonlocal count
            tok = m.group(0)
            if tok not in self.simple_ids:
                return tok
            if tok.isdigit() and (not numeric or _part_of_a_number(m.string, *m.span())):
                return tok
            count += 1
            return self._pseudo(tok)

        def other(m: re.Match) -> str:
            nonlocal count
            count += 1
            return html.escape(self._pseudo(m.group(1)))

        if self.simple_ids:
            text = _TOKEN.sub(simple, text)
        if self._other is not None:
            text = self._other.sub(other, text)
        return text, count

    def _text(self, text: str, numeric: bool = True) -> tuple[str, int]:
        out, count = [], 0
        for piece, opaque in _split(_OPAQUE, text):
            if not opaque:
                piece, n = self._plain(piece, numeric)
                count += n
            out.append(piece)
        return "".join(out), count

    def scrub(self, text: str, *, markup: bool = True) -> tuple[str, int]:
        """Return ``(text with ids replaced, number of replacements)``; ``markup``: ``text``
        is HTML (digit-only ids are then looked for outside the markup only).

        Parameters
        ----------
        text : str
            The text to scrub.
        markup : bool, default=True
            Whether ``text`` is HTML.

        Returns
        -------
        tuple of (str, int)
            The scrubbed text and the number of ids replaced.
        """
        if not markup:
            return self._text(text)
        out, count = [], 0
        for piece, is_markup in _split(_MARKUP, text):
            piece, n = self._text(piece, numeric=not is_markup)
            out.append(piece)
            count += n
        return "".join(out), count

    def scrub_json(self, value, *, _key: str = ""):
        """``(value with ids replaced in every string, replacements)`` for a parsed JSON
        document (an executed notebook: its base64 images are left alone, its HTML outputs
        are read as HTML).

        Parameters
        ----------
        value : object
            A parsed JSON value (str, list, dict or any other value, which is returned as it is).
        _key : str, default=""
            The key under which ``value`` sits in its parent (a MIME type in a notebook's outputs):
            base64 images are skipped, ``text/html`` and ``image/svg+xml`` read as HTML; set by the
            recursion, not by callers.

        Returns
        -------
        tuple of (object, int)
            The value with ids replaced (keys of dicts too) and the number of replacements.
        """
        if isinstance(value, str):
            if _BINARY_MIME.match(_key):
                return value, 0
            return self.scrub(value, markup=_key in _MARKUP_MIME)
        if isinstance(value, list):
            items = [self.scrub_json(v, _key=_key) for v in value]
            return [v for v, _ in items], sum(n for _, n in items)
        if isinstance(value, dict):
            out, count = {}, 0
            for k, v in value.items():
                new_key, n = self.scrub(k, markup=False) if isinstance(k, str) else (k, 0)
                out[new_key], m = self.scrub_json(v, _key=k if isinstance(k, str) else "")
                count += n + m
            return out, count
        return value, 0

    # ------------------------------------------------------------------------ files

    def scrub_file(self, path: str | Path, *, write: bool = True) -> int | None:
        """Scrub one file in place (``write=False``: only count); return the number of ids
        replaced (or found), ``None`` for a binary file, which is left alone.

        ``.html`` is read as HTML, ``.ipynb`` and ``.json`` as JSON (written back with the
        layout nbformat and cxreport give them), anything else as text.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to scrub.
        write : bool, default=True
            Whether to write the scrubbed text back (only when an id was replaced).

        Returns
        -------
        int or None
            The number of ids replaced (or found), None for a binary file.
        """
        path = Path(path)
        raw = path.read_bytes()
        try:
            text = None if b"\0" in raw else raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None:
            return None
        new, n = self._scrubbed(text, path.suffix.lower())
        if n and write:
            path.write_text(new, encoding="utf-8")
        return n

    def _scrubbed(self, text: str, suffix: str) -> tuple[str, int]:
        if suffix in (".ipynb", ".json"):
            try:
                doc = json.loads(text)
            except ValueError:
                pass  # not JSON after all: read as text
            else:
                doc, n = self.scrub_json(doc)
                if not n:
                    return text, 0
                notebook = suffix == ".ipynb"
                dumped = json.dumps(doc, indent=1 if notebook else 2, sort_keys=notebook,
                                    ensure_ascii=False)  # fmt: skip
                return dumped + "\n", n
        return self.scrub(text, markup=suffix in (".html", ".htm"))

    def sweep(self, folder: str | Path, *, exclude=(), write: bool = True) -> dict:
        """Scrub (``write=False``: scan) every file under ``folder`` but those named in
        ``exclude`` (paths relative to ``folder``: the exports for the analyst).

        Returns ``{"files": scanned, "ids": replaced or found, "by_file": {file: n} (those
        with n > 0), "binary": [files not read], "excluded": [...]}``.

        Parameters
        ----------
        folder : str or pathlib.Path
            The report folder, searched recursively.
        exclude : iterable of str, default=()
            Files to leave alone, as POSIX paths relative to ``folder``.
        write : bool, default=True
            Whether to write the scrubbed files back; False only counts (the final scan).

        Returns
        -------
        dict
            ``files``, ``ids``, ``by_file``, ``binary`` and ``excluded``, as above.
        """
        folder = Path(folder)
        excluded = set(exclude)
        result = {"files": 0, "ids": 0, "by_file": {}, "binary": [], "excluded": []}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            if name in excluded:
                result["excluded"].append(name)
                continue
            n = self.scrub_file(path, write=write)
            if n is None:
                result["binary"].append(name)
                continue
            result["files"] += 1
            result["ids"] += n
            if n:
                result["by_file"][name] = n
        return result
