"""Which part of the store a SPARQL Update can read and change, when that is decidable.

A SPARQL Update's effect is only known once pyoxigraph has run it, and
pyoxigraph has no transaction to roll back, so the writer runs updates on a
staging copy. Copying (and diffing) the whole store costs a second per
100,000 quads. Many updates, though, only touch named resources: every triple
pattern they read or delete has an IRI as its subject (``<claim> schema:text
?t``). Such an update reads nothing but the quads of those subjects, and
removes nothing else, so running it on a copy of just those quads gives the
same change set as running it on the whole store.

``subjects`` finds those IRIs with rdflib's SPARQL parser, or returns None
when the update is not of that kind: an operation other than INSERT DATA,
DELETE DATA, DELETE WHERE or DELETE/INSERT … WHERE; a pattern (in WHERE, in
FILTER EXISTS, in a subquery) whose subject is a variable or blank node, or
whose predicate is a property path; a DELETE template with such a subject;
or anything rdflib cannot parse. Inserted quads may have any subject: what
they add does not depend on the store (quads already there are dropped from
the change set by the writer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kgpub.errors import UpdateFailedError
from kgpub.rdflib_grammar import GRAMMAR_LOCK
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store

if TYPE_CHECKING:
    # rdflib's SPARQL package (its pyparsing grammar) is imported on the first update,
    # not when the server starts.
    from rdflib.plugins.sparql.parserutils import CompValue

_OPERATIONS = frozenset({"InsertData", "DeleteData", "DeleteWhere", "Modify"})


class _UnboundedError(Exception):
    """The update reads or deletes beyond the quads of the IRIs it names."""


def _triples(node: Any) -> Iterator[tuple[Any, Any, Any]]:
    """Every triple pattern under an algebra node (BGPs, templates, EXISTS, subqueries)."""
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415 - see the imports

    if isinstance(node, CompValue):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                yield from value
            elif key == "quads" and isinstance(value, dict):
                for triples in value.values():
                    yield from triples
            else:
                yield from _triples(value)
    elif isinstance(node, list | tuple) and not _is_triple(node):
        for item in node:
            yield from _triples(item)


def _is_triple(node: Any) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415 - see the imports

    return isinstance(node, tuple) and len(node) == 3 and not isinstance(node[0], CompValue)


def _read(triples: Iterable[tuple[Any, Any, Any]], found: set[str]) -> None:
    """Patterns that are read or deleted: an IRI subject and a plain predicate, each."""
    from rdflib import URIRef, Variable  # noqa: PLC0415 - see the imports

    for subject, predicate, _ in triples:
        if not isinstance(subject, URIRef) or not isinstance(predicate, URIRef | Variable):
            raise _UnboundedError
        found.add(str(subject))


def _inserted(triples: Iterable[tuple[Any, Any, Any]], found: set[str]) -> None:
    from rdflib import BNode, URIRef, Variable  # noqa: PLC0415 - see the imports

    for subject, predicate, _ in triples:
        if not isinstance(predicate, URIRef | Variable):
            raise _UnboundedError
        if isinstance(subject, URIRef):
            found.add(str(subject))
        elif not isinstance(subject, BNode | Variable):
            raise _UnboundedError


def _operation(op: CompValue, found: set[str]) -> None:
    if op.name not in _OPERATIONS:
        raise _UnboundedError
    if op.name == "InsertData":
        _inserted(_triples(op), found)
        return
    if op.name in ("DeleteData", "DeleteWhere"):
        _read(_triples(op), found)
        return
    # CompValue.get resolves names as variables: membership tests the keys themselves.
    if "delete" in op:
        _read(_triples(op["delete"]), found)
    if "insert" in op:
        _inserted(_triples(op["insert"]), found)
    _read(_triples(op["where"]), found)


def subjects(update: str, base_iri: str | None) -> set[str] | None:
    """The IRIs whose quads are all ``update`` can read or remove; None if not bounded so."""
    try:
        with GRAMMAR_LOCK:  # rdflib's grammar is not thread-safe (kgpub.rdflib_grammar)
            from rdflib.plugins.sparql.algebra import translateUpdate  # noqa: PLC0415
            from rdflib.plugins.sparql.parser import parseUpdate  # noqa: PLC0415

            parsed = translateUpdate(parseUpdate(update), base=base_iri)
        found: set[str] = set()
        for op in parsed.algebra:
            _operation(op, found)
    except _UnboundedError:
        return None
    except Exception:  # rdflib's parser fails in many ways; pyoxigraph decides
        return None
    return found


def staged_changes(store: Store, update: str, base_iri: str | None) -> Changes:
    """What ``update`` would change in ``store``, computed in a staging copy: of only the
    quads of the IRIs it is bounded to (``subjects``), else of the whole store.

    ``UpdateFailedError`` when pyoxigraph cannot apply it; ``store`` is never written.
    """
    scope = subjects(update, base_iri)
    before: Store | None = None
    if scope is None:
        staged = store.copy()
    else:
        staged = Store()
        staged.add_quads(q for s in scope for q in store.match(ox.NamedNode(s), None, None))
        before = staged.copy()
    try:
        staged.update(update, base_iri=base_iri)
    except (RuntimeError, OSError, ValueError) as exc:
        raise UpdateFailedError(
            f"the update could not be applied: {exc}; nothing was written"
        ) from exc
    if before is None:
        return store.changes_to(staged)
    diff = before.changes_to(staged)
    # Inserted quads the store already holds are no change.
    return Changes(removed=diff.removed, added=tuple(q for q in diff.added if q not in store))
