"""A diff between two revisions of an article (``/diff/<A>?from=n&to=m``), as data.

:func:`compare` finds what the request names (the article's recorded
revisions, else :class:`NoHistoryError`; the two numbers, else a 400 naming
them) and replays the two states; what it returns answers all three
representations: the RDF Patch (stored, or composed), the unified diff of the
two texts, and :func:`diff_view`, the page's view model: the new text with
deleted and inserted words marked, and the statements removed and added,
labelled in the reader's language. The article's text itself is one of the
statements a revision changes; the page shows it once, as marked text, and
names it in the lists without repeating it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kgpub.errors import NoHistoryError
from kgpub.history.addresses import diff_iri
from kgpub.history.compare import ARTICLE_BODY, Span, article_text, choose_span, patch_between
from kgpub.history.rdf_patch import parse_patch
from kgpub.history.records import Revision
from kgpub.history.text_diff import Segment, segments, unified
from kgpub.ld.history_view import RevisionRow, name_records, revision_row, wanted_iris
from kgpub.ld.page_model import Page, Value
from kgpub.ld.resource_view import add_labels
from kgpub.ld.revision_log import NO_REVISIONS, Located, article_states, histories
from kgpub.store.protocol import QueryStore

_LONG = 300
"""Literals longer than this are cut in the lists of statements (the text is shown whole)."""


@dataclass(frozen=True)
class Compared:
    """Two revisions of one article, their texts and the graph change between them."""

    located: Located
    span: Span
    patch: str
    old_text: str
    new_text: str
    iri: str
    """The diff's own IRI (``<base>diff/<A>?from=n&to=m``)."""

    @property
    def start(self) -> Revision:
        return self.located.revisions[self.span.start - 1]

    @property
    def end(self) -> Revision:
        return self.located.revisions[self.span.end - 1]

    def unified(self) -> str:
        """The texts' unified diff, headed with the two revisions' IRIs."""
        return unified(self.old_text, self.new_text, old_name=self.start.iri, new_name=self.end.iri)


def compare(
    store: QueryStore, base: str, article: str, start: str | None, end: str | None
) -> Compared:
    """The revisions ``from`` and ``to`` name of ``article`` (raw query values), compared."""
    revisions = histories(store, base).get(article)
    if not revisions:
        raise NoHistoryError(article, NO_REVISIONS)
    located = Located(article, tuple(revisions))
    span = choose_span(len(revisions), start, end)
    states = article_states(store, located.revisions)
    iri = diff_iri(base, article, span.start, span.end)
    return Compared(
        located=located,
        span=span,
        patch=patch_between(located.revisions, states, span, iri),
        old_text=article_text(states[span.start], article),
        new_text=article_text(states[span.end], article),
        iri=iri,
    )


@dataclass(frozen=True)
class Statement:
    """A triple added or removed, labelled (``object`` may stand for the article's text)."""

    subject: Value
    predicate: Value
    object: Value


@dataclass
class DiffView:
    """What the diff page shows."""

    title: str
    article: Value
    start: RevisionRow
    end: RevisionRow
    segments: list[Segment]
    added: list[Statement]
    removed: list[Statement]

    @property
    def text_changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)


def _iris(quads: tuple[ox.Quad, ...]) -> set[str]:
    found: set[str] = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
    return found


def _statement(page: Page, quad: ox.Quad) -> Statement:
    obj = page.value(quad.object)
    if quad.predicate.value == ARTICLE_BODY:
        obj = Value(page.t("long_text"))
    elif obj.href is None and len(obj.text) > _LONG:
        obj = Value(obj.text[:_LONG] + "…", None, obj.lang, obj.datatype)
    return Statement(
        page.value(quad.subject),
        page.value(quad.predicate),
        obj,
    )


def _listed(page: Page, quads: tuple[ox.Quad, ...]) -> list[Statement]:
    listed = [_statement(page, q) for q in quads]
    listed.sort(
        key=lambda s: (s.subject.text.casefold(), s.predicate.text.casefold(), s.object.text)
    )
    return listed


def diff_view(store: QueryStore, page: Page, compared: Compared) -> DiffView:
    """The page's view of ``compared``, labelled in ``page``'s language."""
    patch = parse_patch(compared.patch)
    article = compared.located.article
    add_labels(
        store,
        page,
        _iris(patch.added)
        | _iris(patch.deleted)
        | wanted_iris(store, page.settings_base, article, compared.located),
    )
    name_records(page, compared.located)
    return DiffView(
        title=page.label(article),
        article=page.value(ox.NamedNode(article)),
        start=revision_row(page, compared.start),
        end=revision_row(page, compared.end),
        segments=segments(compared.old_text, compared.new_text),
        added=_listed(page, patch.added),
        removed=_listed(page, patch.deleted),
    )
