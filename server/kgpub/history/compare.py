"""Two revisions of an article compared: which two, the graph change between them, their texts.

``/diff/<A>?from=n&to=m`` names two revisions; this module decides what the
numbers mean (``to`` the latest, ``from`` the one before ``to``, unless given;
``1 <= from < to <= latest``, else a 400 naming the parameter and the range)
and what changed. Between neighbours the change is the stored patch itself,
word for word (it is the revision's record); over several revisions it is
composed from the two replayed states (:mod:`kgpub.history.replay`), the exact
set difference again, headed ``H id`` with the diff's own IRI (no revision
made this change in one step, so it must not borrow one's IRI) and ``H prev``
with the ``from`` revision, the state it applies to. The texts are each
state's ``schema:articleBody`` of the article.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kgpub.errors import HistoryError, MalformedRequestError
from kgpub.history.rdf_patch import write_patch
from kgpub.history.records import Revision
from kgpub.namespaces import SCHEMA

ARTICLE_BODY = SCHEMA + "articleBody"


@dataclass(frozen=True)
class Span:
    """Two revision numbers, ``start`` before ``end`` (the diff's ``from`` and ``to``)."""

    start: int
    end: int

    @property
    def consecutive(self) -> bool:
        return self.end == self.start + 1


def _number(name: str, value: str | None, latest: int) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= latest:
        raise MalformedRequestError(
            f"{name}={value!r} is no revision: give a number from 1 to {latest}"
        )
    return int(text)


def choose_span(latest: int, start: str | None, end: str | None) -> Span:
    """The revisions ``from`` and ``to`` name, with their defaults, for an article of ``latest``.

    A bad value is a :class:`MalformedRequestError` (HTTP 400) naming the
    parameter and what it may be; so is ``from`` not before ``to``, and an
    article of one revision, which has nothing to compare.
    """
    if latest < 2:
        raise MalformedRequestError(
            "the article has one revision only: there is no earlier one to compare with"
        )
    last = _number("to", end, latest) or latest
    first = _number("from", start, latest)
    if first is None:
        if last == 1:
            raise MalformedRequestError("to=1 is the first revision: give from and to, from < to")
        first = last - 1
    if first >= last:
        raise MalformedRequestError(f"from={first} must be before to={last}")
    return Span(first, last)


def patch_between(
    revisions: Sequence[Revision],
    states: Mapping[int, Iterable[ox.Quad]],
    span: Span,
    diff_iri: str,
) -> str:
    """The RDF Patch from revision ``span.start`` to ``span.end`` (``revisions`` oldest first)."""
    if span.consecutive:
        patch = revisions[span.end - 1].patch
        if patch is None:
            raise HistoryError(f"<{revisions[span.end - 1].iri}> has no patch")
        return patch
    old, new = set(states[span.start]), set(states[span.end])
    return write_patch(
        sorted(new - old, key=str),
        sorted(old - new, key=str),
        patch_id=diff_iri,
        prev=revisions[span.start - 1].iri,
    )


def article_text(state: Iterable[ox.Quad], article: str) -> str:
    """The article's ``schema:articleBody`` in a revision's state ("" when it has none)."""
    for quad in state:
        if (
            quad.predicate.value == ARTICLE_BODY
            and isinstance(quad.subject, ox.NamedNode)
            and quad.subject.value == article
            and isinstance(quad.object, ox.Literal)
        ):
            return quad.object.value
    return ""
