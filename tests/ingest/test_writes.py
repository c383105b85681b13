"""Writes in the core: staged, SHACL-gated, committed in one transaction, never fetching.

Each test writes to a fresh copy of the people/places project, whose one
shape says every ``schema:Person`` has a ``schema:name``.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.cli import exit_codes, http_workers
from kgpub.cli import main as cli
from kgpub.config import Settings
from kgpub.errors import (
    ConfigurationError,
    GraphNotFoundError,
    MalformedRequestError,
    QueryRefusedError,
    QuerySyntaxError,
    RdfSyntaxError,
    UnsafeInputError,
    UpdateFailedError,
    WriteRejectedError,
)
from kgpub.ingest import write_gate
from kgpub.ingest.dataset import load_dataset
from kgpub.ingest.update_text import refuse_fetching, with_dataset
from kgpub.ingest.write_gate import cheaper_in_full
from kgpub.ingest.writes import (
    Committed,
    Writer,
    check_settings,
    parse_graph,
)
from kgpub.shacl.conformance import Conformance, check_store
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import STATS_FILE, Store
from kgpub.store.staged import Staged
from kgpub.web.app import create_app
from tests.sparql_fixtures import EX
from tests.writes_fixtures import (
    NAMED,
    NAMELESS,
    PEOPLE,
    PLACES,
    SCHEMA,
    SHAPES,
    TOKEN,
    writable_project,
)

TURTLE = ox.RdfFormat.TURTLE
G = ox.NamedNode(f"{EX}g")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return writable_project(tmp_path)


@pytest.fixture
def store(settings: Settings) -> Store:
    loaded = load_dataset(settings).store
    assert isinstance(loaded, Store)
    return loaded


@pytest.fixture
def commits() -> list[Committed]:
    return []


@pytest.fixture
def writer(store: Store, settings: Settings, commits: list[Committed]) -> Writer:
    return Writer(store, settings, commits.append)


def ask(store: Store, query: str) -> bool:
    result = store.query(query)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def triples(store: Store, graph: ox.NamedNode | ox.DefaultGraph) -> set[ox.Triple]:
    return {q.triple for q in store.graph_quads(graph)}


# --- Graph Store Protocol operations -------------------------------------------


def test_put_creates_then_replaces(writer: Writer, store: Store) -> None:
    assert writer.put(G, NAMED.encode(), TURTLE) is True
    assert len(triples(store, G)) == 2
    assert writer.put(G, f"<{EX}x> <{EX}p> 1 .".encode(), TURTLE) is False
    assert triples(store, G) == {
        ox.Triple(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.Literal(1))
    }


def test_put_of_an_empty_body_creates_an_empty_graph(writer: Writer, store: Store) -> None:
    assert writer.put(G, b"", TURTLE) is True
    assert store.has_graph(G)
    assert not triples(store, G)


def test_put_and_post_to_the_default_graph(writer: Writer, store: Store) -> None:
    default = ox.DefaultGraph()
    assert writer.put(default, NAMED.encode(), TURTLE) is True  # it was empty
    assert writer.post(default, f"<{EX}x> <{EX}p> 1 .".encode(), TURTLE) == (default, False)
    assert len(triples(store, default)) == 3
    writer.delete(default)
    assert not triples(store, default)


def test_relative_iris_resolve_against_the_graph(writer: Writer, store: Store) -> None:
    writer.put(G, b"<#it> <p> <other> .", TURTLE)
    assert triples(store, G) == {
        ox.Triple(ox.NamedNode(f"{EX}g#it"), ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}other"))
    }


def test_post_merges_and_renames_blank_nodes(writer: Writer, store: Store) -> None:
    body = f'_:b0 <{SCHEMA}name> "anonymous" .'.encode()
    assert writer.post(G, body, TURTLE) == (G, True)
    assert writer.post(G, body, TURTLE) == (G, False)
    # Two posts of _:b0 are two nodes, as in an RDF merge.
    subjects = {t.subject for t in triples(store, G)}
    assert len(subjects) == 2
    assert all(isinstance(s, ox.BlankNode) and s.value != "b0" for s in subjects)


def test_post_without_a_graph_mints_one_under_the_base(
    writer: Writer, store: Store, settings: Settings
) -> None:
    graph, created = writer.post(None, NAMED.encode(), TURTLE)
    assert created
    assert isinstance(graph, ox.NamedNode)
    assert graph.value.startswith(f"{settings.base_iri}graph/")
    assert len(triples(store, graph)) == 2


def test_delete_removes_a_graph(writer: Writer, store: Store) -> None:
    writer.delete(ox.NamedNode(PLACES))
    assert PLACES not in store.named_graphs()
    with pytest.raises(GraphNotFoundError, match="no graph"):
        writer.delete(ox.NamedNode(PLACES))


def test_an_unchanged_put_writes_nothing(writer: Writer, store: Store) -> None:
    writer.put(G, NAMED.encode(), TURTLE)
    version = store.version
    assert writer.put(G, NAMED.encode(), TURTLE) is False
    assert store.version == version


def test_concurrent_writes_are_judged_one_after_another(writer: Writer, store: Store) -> None:
    """Each write is staged from the state the previous one committed: of two writes
    that are valid alone but break a shape together, exactly one is committed."""
    writer.put(G, f'<{EX}x> <{SCHEMA}name> "X" .'.encode(), TURTLE)
    unname = f'DELETE DATA {{ GRAPH <{G.value}> {{ <{EX}x> <{SCHEMA}name> "X" }} }}'
    person = f"<{EX}x> a <{SCHEMA}Person> ."
    outcomes: list[str] = []

    def write(action: Callable[[], object]) -> None:
        try:
            action()
            outcomes.append("committed")
        except WriteRejectedError:
            outcomes.append("rejected")

    threads = [
        threading.Thread(target=write, args=(lambda: writer.update(unname, (), None),)),
        threading.Thread(
            target=write,
            args=(lambda: writer.post(ox.NamedNode(f"{EX}h"), person.encode(), TURTLE),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["committed", "rejected"]
    assert ask(store, f"ASK {{ <{EX}x> <{SCHEMA}name> ?n }}") or not ask(
        store, f"ASK {{ <{EX}x> a <{SCHEMA}Person> }}"
    )


# --- the SHACL gate ------------------------------------------------------------


@pytest.mark.parametrize("target", [G, ox.NamedNode(PEOPLE), ox.DefaultGraph()])
def test_a_violating_put_is_rejected_and_nothing_changes(
    writer: Writer, store: Store, commits: list[Committed], target: ox.NamedNode
) -> None:
    before, version = set(store), store.version
    with pytest.raises(WriteRejectedError) as info:
        writer.put(target, NAMELESS.encode(), TURTLE)
    (violation,) = info.value.report.violations
    assert str(violation.focus) == f"{EX}nobody"
    assert str(violation.path) == f"{SCHEMA}name"
    assert violation.message == "a person needs a name"
    assert set(store) == before
    assert store.version == version
    assert not commits


def test_a_write_elsewhere_can_break_data_in_another_graph(writer: Writer, store: Store) -> None:
    """The whole dataset is validated: removing Anna's name breaks the people graph."""
    update = (
        f'DELETE DATA {{ GRAPH <{PEOPLE}> {{ <{EX}anna> <{SCHEMA}name> "Anna"@de, "Anna"@en }} }}'
    )
    with pytest.raises(WriteRejectedError):
        writer.update(update, (), None)
    assert ask(store, f"ASK {{ <{EX}anna> <{SCHEMA}name> ?n }}")


def test_new_shapes_are_checked_against_the_data(writer: Writer, store: Store) -> None:
    """A write to the shapes graph is validated with the shapes it writes."""
    strict = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <https://schema.org/> .\n"
        "<urn:shape:City> a sh:NodeShape ; sh:targetClass schema:City ;\n"
        "  sh:property [ sh:path schema:mayor ; sh:minCount 1 ] .\n"
    )
    with pytest.raises(WriteRejectedError) as info:
        writer.put(ox.NamedNode(SHAPES), strict.encode(), TURTLE)
    assert {str(v.focus) for v in info.value.report.violations} == {f"{EX}kyiv"}
    assert store.graph_quads(ox.NamedNode(SHAPES))  # the old shapes are still there


def test_a_commit_reports_the_new_state(
    writer: Writer, store: Store, commits: list[Committed]
) -> None:
    version = store.version
    writer.put(G, NAMED.encode(), TURTLE)
    (committed,) = commits
    assert committed.version == store.version == version + 1
    assert committed.graph_sizes[G.value] == 2
    assert committed.graph_sizes == store.graph_sizes()
    assert committed.distinct_triples == store.distinct_triples()
    assert committed.conformance.report is not None
    assert committed.conformance.report.conforms
    assert committed.conformance.shapes_loaded
    assert committed.ontology_changed is False


def test_a_write_to_the_ontology_graph_says_so(tmp_path: Path, commits: list[Committed]) -> None:
    settings = writable_project(tmp_path)
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "vocab.ttl").write_text(f"<{EX}T> a <{EX}Class> .\n")
    store = load_dataset(settings).store
    assert isinstance(store, Store)
    writer = Writer(store, settings, commits.append)
    writer.post(ox.NamedNode(f"{settings.base_iri}graph/vocab"), b"<urn:a> <urn:b> 1 .", TURTLE)
    assert commits[-1].ontology_changed is True
    assert commits[-1].conformance.ontology  # the vocabulary is not validated as data


def _count_full_validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = write_gate.validate_state

    def counted(store: Store | Staged, settings: Settings) -> Conformance:
        calls.append(1)
        return original(store, settings)

    monkeypatch.setattr(write_gate, "validate_state", counted)
    return calls


def test_a_writer_seeded_with_start_up_validation_writes_incrementally_at_once(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first write reuses start-up's report: its cost follows the write, not the data."""
    seeded = Writer(store, settings, initial=check_store(store, settings))
    calls = _count_full_validations(monkeypatch)
    seeded.put(G, NAMED.encode(), TURTLE)
    with pytest.raises(WriteRejectedError) as info:
        seeded.post(ox.NamedNode(PEOPLE), NAMELESS.encode(), TURTLE)
    assert not calls
    assert {str(v.focus) for v in info.value.report.violations} == {f"{EX}nobody"}


def test_a_change_as_large_as_the_store_is_validated_in_full(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past half the store, full validation costs less than the gate and says the same."""
    seeded = Writer(store, settings, initial=check_store(store, settings))
    calls = _count_full_validations(monkeypatch)
    size = store.distinct_triples()
    bulk = "".join(f'<{EX}bulk{i}> <{EX}p> "{i}" .\n' for i in range(size))
    seeded.put(G, bulk.encode(), TURTLE)
    assert len(calls) == 1
    with pytest.raises(WriteRejectedError) as info:
        seeded.put(G, (bulk + NAMELESS).encode(), TURTLE)  # the rest stays: the gate
    assert len(calls) == 1
    assert {str(v.focus) for v in info.value.report.violations} == {f"{EX}nobody"}
    big = "".join(f'<{EX}more{i}> <{EX}p> "{i}" .\n' for i in range(4 * size)) + NAMELESS
    with pytest.raises(WriteRejectedError) as info:
        seeded.put(G, big.encode(), TURTLE)
    assert len(calls) == 2
    assert {str(v.focus) for v in info.value.report.violations} == {f"{EX}nobody"}


def test_cheaper_in_full_weighs_the_change_against_the_store_after_it() -> None:
    def quads(n: int) -> tuple[ox.Quad, ...]:
        return tuple(
            ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), G) for i in range(n)
        )

    assert not cheaper_in_full(Changes(added=quads(10)), 1000)
    assert cheaper_in_full(Changes(added=quads(10)), 10)  # 20 changed >= 20 after
    assert not cheaper_in_full(Changes(added=quads(10)), 11)
    assert cheaper_in_full(Changes(removed=quads(10), added=quads(10)), 10)
    assert cheaper_in_full(Changes(removed=quads(10)), 10)  # nothing left: nothing to look up


def test_an_unseeded_writer_validates_everything_first(
    writer: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_full_validations(monkeypatch)
    writer.put(G, NAMED.encode(), TURTLE)
    writer.put(G, NAMED.encode() + b"\n", TURTLE)
    assert len(calls) == 1


def test_start_up_validation_is_not_reused_when_the_default_graph_holds_data(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up validates the named graphs only; a write must then judge everything once."""
    store.add_quads([ox.Quad(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.Literal("1"))])
    seeded = Writer(store, settings, initial=check_store(store, settings))
    calls = _count_full_validations(monkeypatch)
    seeded.put(G, NAMED.encode(), TURTLE)
    assert len(calls) == 1


# --- SPARQL Update -------------------------------------------------------------


def test_an_update_is_committed(writer: Writer, store: Store) -> None:
    writer.update(f"INSERT DATA {{ GRAPH <{G.value}> {{ {NAMED} }} }}", (), None)
    assert len(triples(store, G)) == 2


def test_an_update_keeps_existing_blank_nodes(writer: Writer, store: Store) -> None:
    """Carl knows a blank node named "Anon"; an update adds to that very node."""
    writer.update(
        f"INSERT {{ GRAPH <{PEOPLE}> {{ ?b <{SCHEMA}email> 'anon@example.org' }} }} "
        f"WHERE {{ GRAPH <{PEOPLE}> {{ ?b <{SCHEMA}name> 'Anon' }} }}",
        (),
        None,
    )
    assert ask(
        store,
        f"ASK {{ <{EX}carl> <{SCHEMA}knows> ?b . ?b <{SCHEMA}name> 'Anon' ; "
        f"<{SCHEMA}email> 'anon@example.org' }}",
    )
    writer.update(f"DELETE WHERE {{ GRAPH <{PEOPLE}> {{ ?b <{SCHEMA}email> ?e }} }}", (), None)
    assert not ask(store, f"ASK {{ ?b <{SCHEMA}email> ?e }}")
    assert ask(store, f"ASK {{ <{EX}carl> <{SCHEMA}knows> [ <{SCHEMA}name> 'Anon' ] }}")


def test_graph_management_updates(writer: Writer, store: Store) -> None:
    writer.update(f"CREATE GRAPH <{G.value}> ; CREATE GRAPH <{EX}h>", (), None)
    assert store.has_graph(G)
    assert store.has_graph(ox.NamedNode(f"{EX}h"))
    writer.update(f"COPY <{PLACES}> TO <{G.value}> ; DROP GRAPH <{EX}h>", (), None)
    assert triples(store, G) == triples(store, ox.NamedNode(PLACES))
    assert not store.has_graph(ox.NamedNode(f"{EX}h"))


def test_a_failing_update_writes_nothing(writer: Writer, store: Store) -> None:
    before = set(store)
    with pytest.raises(UpdateFailedError, match="does not exist"):
        writer.update(f"INSERT DATA {{ <{EX}a> <{EX}b> 1 }} ; DROP GRAPH <{EX}nope>", (), None)
    with pytest.raises(QuerySyntaxError):
        writer.update("INSERT DATA { <a> }", (), None)
    assert set(store) == before


def test_a_violating_update_is_rejected(writer: Writer, store: Store) -> None:
    before = set(store)
    with pytest.raises(WriteRejectedError):
        writer.update(f"INSERT DATA {{ GRAPH <{G.value}> {{ {NAMELESS} }} }}", (), None)
    assert set(store) == before


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <file:///etc/passwd> into graph <urn:g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "# comment\nDELETE { ?s ?p ?o } WHERE { service silent <urn:x> { ?s ?p ?o } }",
    ],
)
def test_load_and_service_are_refused(update: str) -> None:
    with pytest.raises(QueryRefusedError, match=r"^(LOAD|SERVICE) is refused"):
        refuse_fetching(update)


@pytest.mark.parametrize(
    "update",
    [
        'INSERT DATA { <urn:load> <urn:service> "LOAD <http://x/> SERVICE" }',
        "PREFIX load: <urn:l#> INSERT DATA { load:service load:load 'x'@en }",
        "# LOAD <http://x/>\nINSERT { ?load ?service ?o } WHERE { ?load ?service ?o }",
    ],
)
def test_the_words_in_names_and_strings_are_fine(update: str) -> None:
    refuse_fetching(update)


# --- using-graph-uri and using-named-graph-uri ---------------------------------


def test_using_parameters_become_using_clauses() -> None:
    update = (
        "PREFIX ex: <http://example.org/> "
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o { SELECT ?s WHERE { ?s ?q ?r } } } ; "
        "INSERT DATA { <urn:x> <urn:where> 'WHERE' } ; "
        "INSERT { ?s ?p ?o } where { ?s ?p ?o }"
    )
    params = (("using-graph-uri", "urn:a"), ("using-named-graph-uri", "urn:n"), ("x", "y"))
    assert with_dataset(update, params) == (
        "PREFIX ex: <http://example.org/> "
        "DELETE { ?s ?p ?o }  USING <urn:a> USING NAMED <urn:n> WHERE "
        "{ ?s ?p ?o { SELECT ?s WHERE { ?s ?q ?r } } } ; "
        "INSERT DATA { <urn:x> <urn:where> 'WHERE' } ; "
        "INSERT { ?s ?p ?o }  USING <urn:a> USING NAMED <urn:n> where { ?s ?p ?o }"
    )
    assert with_dataset(update, ()) == update


def test_using_parameters_cannot_apply_to_delete_where() -> None:
    with pytest.raises(MalformedRequestError, match="DELETE WHERE"):
        with_dataset("DELETE WHERE { ?s ?p ?o }", (("using-graph-uri", "urn:a"),))
    with pytest.raises(MalformedRequestError, match="not an absolute IRI"):
        with_dataset("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", (("using-graph-uri", "rel"),))


def test_using_graph_uri_sets_the_where_dataset(writer: Writer, store: Store) -> None:
    copy = f"INSERT {{ GRAPH <{G.value}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    writer.update(copy, (("using-graph-uri", PLACES),), None)
    assert triples(store, G) == triples(store, ox.NamedNode(PLACES))
    named = f"INSERT {{ GRAPH <{EX}h> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    writer.update(named, (("using-named-graph-uri", PEOPLE),), None)
    assert triples(store, ox.NamedNode(f"{EX}h")) == triples(store, ox.NamedNode(PEOPLE))


# --- reading request bodies ----------------------------------------------------


def test_bodies_naming_graphs_are_refused() -> None:
    trig_like = b'{"@id": "urn:g", "@graph": [{"@id": "urn:s", "urn:p": "o"}]}'
    with pytest.raises(MalformedRequestError, match="names graphs"):
        parse_graph(trig_like, ox.RdfFormat.JSON_LD, "urn:base", 64)


def test_unsafe_bodies_are_refused_before_parsing() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'
    with pytest.raises(UnsafeInputError, match="DOCTYPE"):
        parse_graph(bomb, ox.RdfFormat.RDF_XML, "urn:base", 64)
    remote = b'{"@context": "http://127.0.0.1:9/ctx", "@id": "urn:s"}'
    with pytest.raises(UnsafeInputError, match="never fetched"):
        parse_graph(remote, ox.RdfFormat.JSON_LD, "urn:base", 64)
    with pytest.raises(UnsafeInputError, match="levels deep"):
        parse_graph(b"<urn:s> <urn:p> " + b"(" * 100 + b")" * 100 + b" .", TURTLE, "urn:b", 64)


def test_syntax_errors_are_located() -> None:
    with pytest.raises(RdfSyntaxError) as info:
        parse_graph(b"<urn:s> <urn:p> .\n", TURTLE, "urn:base", 64)
    assert info.value.line == 1
    assert info.value.source == "the request body"


# --- Store.apply: the commit ---------------------------------------------------


def _quad(s: str, o: ox.Literal | ox.NamedNode, g: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    subject = ox.BlankNode(s[2:]) if s.startswith("_:") else ox.NamedNode(s)
    return ox.Quad(subject, ox.NamedNode(f"{EX}p"), o, g)


@pytest.mark.parametrize("on_disk", [False, True])
def test_apply_removes_adds_creates_and_drops_in_one_go(tmp_path: Path, on_disk: bool) -> None:
    store = Store(tmp_path / "db" if on_disk else None)
    default, h = ox.DefaultGraph(), ox.NamedNode(f"{EX}h")
    old = [_quad("_:keep", ox.Literal(1), G), _quad("_:gone", ox.Literal(2), G)]
    store.add_quads([*old, _quad(f"{EX}d", ox.Literal(3), default), _quad(f"{EX}x", G, h)])
    version = store.version
    changes = Changes(
        removed=(old[1], _quad(f"{EX}d", ox.Literal(3), default)),
        added=(_quad("_:keep", ox.Literal(4), G), _quad("_:new", ox.Literal(5), default)),
        created=(ox.NamedNode(f"{EX}empty"),),
        dropped=(h,),
    )
    store.apply(changes)
    assert set(store) == {old[0], *changes.added}  # blank node ids kept
    assert store.named_graphs() == [f"{EX}empty", G.value]
    assert store.version == version + 1


def test_apply_adds_a_large_batch(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    added = tuple(_quad(f"{EX}s{i}", ox.Literal(i), G) for i in range(10_001))
    store.apply(Changes(added=added))
    store.apply(Changes(removed=added[:5000], added=(_quad("_:b", ox.Literal(0), G),)))
    assert len(store) == 5002


def _apply_watching_the_counts(tmp_path: Path) -> tuple[list[bool], dict[str, int]]:
    """One write to a store on disk, noting whether its counts file existed when the
    write reached pyoxigraph; the store is dropped (so closed) when this returns."""
    store = Store(tmp_path / "db")
    store.add_quads([_quad(f"{EX}s", ox.Literal(1), G)])
    store.save_stats()
    assert (tmp_path / "db" / STATS_FILE).exists()
    seen: list[bool] = []
    real = store._store

    class Watching:
        """The pyoxigraph store, noting whether the counts file exists when it is written."""

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def __contains__(self, quad: object) -> bool:
            return quad in real

        def extend(self, quads: list[ox.Quad]) -> None:
            seen.append((tmp_path / "db" / STATS_FILE).exists())
            real.extend(quads)

    store._store = Watching()  # type: ignore[assignment]
    store.apply(Changes(added=(_quad(f"{EX}t", ox.Literal(2), G),)))
    store._store = real
    return seen, store.graph_sizes()


def test_apply_drops_the_saved_counts_before_it_commits(tmp_path: Path) -> None:
    seen, sizes = _apply_watching_the_counts(tmp_path)
    assert seen == [False]
    assert sizes == {G.value: 2}
    # Written again after the commit, from the change alone, and equal to a recount.
    # The writer is gone first (pyoxigraph closes a store when it is dropped): RocksDB
    # may still be compacting, and a read-only open beside it can list a file the
    # compaction then deletes (seen once in CI).
    gc.collect()
    assert Store(tmp_path / "db", read_only=True).graph_sizes() == {G.value: 2}


def test_apply_keeps_the_counts_equal_to_a_recount(tmp_path: Path) -> None:
    h = ox.NamedNode(f"{EX}h")
    store = Store(tmp_path / "db")
    store.add_quads([_quad(f"{EX}s", ox.Literal(1), G), _quad(f"{EX}s", ox.Literal(1), h)])
    store.save_stats()
    steps = [
        Changes(added=(_quad(f"{EX}t", ox.Literal(2), G), _quad(f"{EX}t", ox.Literal(2), h))),
        # A quad already there, one absent from removal, and the same triple in two graphs.
        Changes(
            removed=(_quad(f"{EX}s", ox.Literal(1), G), _quad(f"{EX}x", ox.Literal(9), G)),
            added=(_quad(f"{EX}t", ox.Literal(2), G), _quad("_:b", ox.Literal(3), G)),
        ),
        Changes(removed=tuple(store.graph_quads(h)), dropped=(h,)),
        Changes(created=(ox.NamedNode(f"{EX}empty"),)),
        Changes(added=(_quad(f"{EX}d", ox.Literal(4), ox.DefaultGraph()),)),
    ]
    for changes in steps:
        store.apply(changes)
        recounted = Store()
        recounted.add_quads(store)
        assert store.graph_sizes() == recounted.graph_sizes()
        assert store.distinct_triples() == recounted.distinct_triples()
        assert Store(tmp_path / "db", read_only=True).graph_sizes() == recounted.graph_sizes()


def test_a_writer_keeps_counts_beside_an_on_disk_store(tmp_path: Path) -> None:
    settings = writable_project(tmp_path / "project")
    store = Store(tmp_path / "db")
    store.add_quads(load_dataset(settings).store.quads())
    writer = Writer(store, settings)
    writer.put(G, NAMED.encode(), TURTLE)
    reopened = Store(tmp_path / "db", read_only=True)
    assert (tmp_path / "db" / STATS_FILE).exists()
    assert reopened.graph_sizes()[G.value] == 2
    assert reopened.graph_sizes() == store.graph_sizes()


# --- settings under which writes cannot run ------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"http_workers": 2}, "single HTTP worker process"),
        ({"backend_url": "http://127.0.0.1:9/sparql"}, "kgpub's own store"),
        ({"write_token": None}, "no token is set"),
    ],
)
def test_writes_refuse_settings_they_cannot_serve(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    settings = writable_project(tmp_path, **changes)
    with pytest.raises(ConfigurationError, match=message):
        check_settings(settings)
    with pytest.raises(ConfigurationError, match=message):
        create_app(settings)


def test_a_writable_store_is_served_by_one_worker(tmp_path: Path) -> None:
    settings = writable_project(tmp_path, store_dir=tmp_path / "db")
    assert http_workers.worker_count(settings) == 1
    read_only = settings.model_copy(update={"writes_enabled": False})
    assert http_workers.worker_count(read_only) == max(1, (os.cpu_count() or 1) // 2)


def test_kgpub_serve_refuses_several_workers_with_writes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("KGPUB_WRITES_ENABLED", "true")
    monkeypatch.setenv("KGPUB_WRITE_TOKEN", TOKEN)
    code = cli.main(["serve", "--store", str(tmp_path / "absent"), "--workers", "2"])
    assert code == exit_codes.EXIT_UNREADABLE
    assert "kgpub serve: writes need a single HTTP worker process" in capsys.readouterr().err
