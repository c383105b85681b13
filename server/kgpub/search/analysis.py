"""How text becomes search terms: folding, words with their offsets, Snowball stems.

The index and every query go through the same steps, so a word matches
however it is spelt: lower case (``casefold``, which also turns ``ß`` into
``ss``), umlauts and accents folded to their base letters (``Präsident`` →
``prasident``, ``Selenskyj`` stays), then the Snowball stemmer of the
language (PyStemmer's German and English), so ``Verhandlungen`` finds
``Verhandlung`` and ``negotiations`` finds ``negotiation``. Words keep their
character offsets in the original text, so a hit can be highlighted and
located in the article exactly.

A query is plain words, ``"quoted phrases"`` and a trailing ``*`` for a
prefix (matched against the stems). It is parsed here into terms, never
passed to FTS5 as syntax: a user cannot write FTS5 operators, column
filters or unbalanced quotes, and every term reaches the engine as a quoted
string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

LANGUAGES: tuple[str, ...] = ("de", "en")
"""The languages the index stems, each in a column of its own."""

_STEMMERS = {"de": "german", "en": "english"}
_WORD = re.compile(r"\w+")
# A query: quoted phrases or single words (a trailing * asks for a prefix).
_QUERY_PART = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Word:
    """A word of a text: its stem and where it stands (code points, end exclusive)."""

    stem: str
    start: int
    end: int


@dataclass(frozen=True)
class Term:
    """One part of a query: the stems of a word or phrase; ``prefix`` for ``word*``."""

    stems: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        """The term as an FTS5 string (phrase), quoted so nothing in it is syntax."""
        return '"' + " ".join(self.stems) + '"' + ("*" if self.prefix else "")


def fold(word: str) -> str:
    """Lower case with diacritics removed: ``Straße`` → ``strasse``, ``Führer`` → ``fuhrer``."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[lang])


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    """The folded word's stem in ``lang`` (``de`` or ``en``); other languages: folded only."""
    folded = fold(word)
    if lang not in _STEMMERS:
        return folded
    return str(_stemmer(lang).stemWord(folded))


def words(text: str, lang: str) -> Iterator[Word]:
    """Each word of ``text`` with its stem in ``lang`` and its offsets."""
    for match in _WORD.finditer(text):
        yield Word(stem(match.group(), lang), match.start(), match.end())


def stems(text: str, lang: str) -> str:
    """The text as the index stores it for ``lang``: its stems, space-separated."""
    return " ".join(stem(word, lang) for word in _WORD.findall(text))


def parse_query(query: str, lang: str) -> list[Term]:
    """The terms of a query in ``lang``; words without letters or digits are dropped."""
    terms: list[Term] = []
    for match in _QUERY_PART.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            found = tuple(w.stem for w in words(phrase, lang))
            if found:
                terms.append(Term(found))
            continue
        prefix = word.endswith("*")
        found = tuple(w.stem for w in words(word, lang))
        if not found:
            continue
        # A prefix is matched against the stems: "Starl*" finds "Starlink".
        terms.append(Term(found, prefix=prefix and len(found) == 1))
    return terms


def matches(term: Term, stem_: str) -> bool:
    """Whether a single word (its stem) is one the term highlights."""
    if term.prefix:
        return stem_.startswith(term.stems[0])
    return stem_ in term.stems
