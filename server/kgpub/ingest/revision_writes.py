"""A revision of an article in a writable server's store: planned, gated and committed at once.

The server's store is what a writable deployment serves and changes; a
revision there reads the article's covered graphs and its records from the
store (``<base>graph/history``), plans the next revision (``kgpub.history.plan``)
and commits the graphs' change together with the new record as one write
(``Writer.transact``): SHACL-gated like every write, in one store transaction,
under the write lock so the plan is made from the state it changes. No
revision without its record, no record without its revision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kgpub.config import Settings
from kgpub.errors import RevisionRefusedError
from kgpub.history.evidence import ClaimAnchors, find_evidence, move_all, per_claim
from kgpub.history.plan import Plan, Request, plan_revision
from kgpub.history.records import Revision, Terms, history_of, revision_quads
from kgpub.ingest.writes import Writer
from kgpub.namespaces import SCHEMA
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it: its graphs' quads, its text, its revisions."""

    iri: str
    quads: frozenset[ox.Quad]
    text: str
    revisions: tuple[Revision, ...]


def read_article(store: Store, settings: Settings, article: str) -> StoredArticle:
    """The article's state in the store; ``RevisionRefusedError`` when it has no history."""
    terms = Terms(settings.base_iri)
    revisions = history_of(store.graph_quads(terms.history_graph), terms, article)
    if not revisions:
        raise RevisionRefusedError(f"<{article}> has no recorded history to continue")
    quads = frozenset(q for g in revisions[-1].graphs for q in store.graph_quads(ox.NamedNode(g)))
    bodies = [
        q.object.value
        for q in quads
        if q.subject == ox.NamedNode(article)
        and q.predicate.value == SCHEMA + "articleBody"
        and isinstance(q.object, ox.Literal)
    ]
    if len(bodies) != 1:
        raise RevisionRefusedError(f"<{article}> needs exactly one schema:articleBody")
    return StoredArticle(article, quads, bodies[0], tuple(revisions))


def claims_of(stored: StoredArticle, settings: Settings, new_text: str) -> list[ClaimAnchors]:
    """Where each claim's evidence goes in ``new_text`` (a dry run)."""
    evidence = find_evidence(stored.quads, stored.iri, Terms(settings.base_iri))
    return per_claim(move_all(stored.text, new_text, evidence))


def changes_of(stored: StoredArticle, plan: Plan, settings: Settings) -> Changes:
    """The graphs' change and the new record, as one write."""
    record = tuple(revision_quads(plan.revision, Terms(settings.base_iri)))
    return Changes(
        removed=tuple(stored.quads - plan.graphs),
        added=(*(plan.graphs - stored.quads), *record),
    )


def _language(stored: StoredArticle) -> str | None:
    """The article's ``schema:inLanguage``: the language of an editor's note."""
    for quad in stored.quads:
        if (
            quad.subject == ox.NamedNode(stored.iri)
            and quad.predicate.value == SCHEMA + "inLanguage"
        ):
            return quad.object.value if isinstance(quad.object, ox.Literal) else None
    return None


def revise(
    writer: Writer,
    settings: Settings,
    article: str,
    new_text: str,
    request_for: Callable[[Sequence[ClaimAnchors], str | None], Request],
) -> tuple[Plan, list[ClaimAnchors]]:
    """Commit the next revision of ``article`` to ``new_text``; ``request_for`` makes the
    editor's request from the claims' answers (names are resolved on them) and the
    article's language. Returns the plan and the claims' answers."""

    def build(store: Store) -> tuple[Changes, tuple[Plan, list[ClaimAnchors]]]:
        stored = read_article(store, settings, article)
        claims = claims_of(stored, settings, new_text)
        request = request_for(claims, _language(stored))
        plan = plan_revision(
            stored.quads, stored.revisions, stored.text, request, Terms(settings.base_iri)
        )
        return changes_of(stored, plan, settings), (plan, claims)

    return writer.transact(build, f"revision of <{article}>")
