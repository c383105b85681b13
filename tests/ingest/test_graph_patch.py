"""``ingest.graph_patch``: an RDF Patch applied strictly, and the revision it records.

On the shared revised project (tests/history_fixtures.py: Hafenfest, three
revisions): a patch to its graph makes revision 4, whose record and change
form one change set; the history then still replays, every state matching its
content hash.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgpub.errors import (
    GraphNotFoundError,
    HistoryError,
    MalformedRequestError,
    PatchConflictError,
    PreconditionFailedError,
    PreconditionRequiredError,
    ProtectedGraphError,
    WriteRejectedError,
)
from kgpub.history.content_hash import content_hash
from kgpub.history.rdf_patch import parse_patch, write_patch
from kgpub.history.records import (
    Anchoring,
    AnchorStatus,
    Kind,
    Revision,
    Terms,
    read_revisions,
)
from kgpub.history.replay import diff_patch, states
from kgpub.ingest.graph_patch import Patched, RevisionMeta, plan, transaction
from kgpub.ingest.graph_tags import content_etags, revision_etag
from kgpub.ingest.writes import Writer
from kgpub.rdf.sources import default_sources, read_all
from kgpub.store.changes import Changes
from kgpub.store.oxigraph import Store
from tests.history_fixtures import BASE, CLAIM, GRAPH, RevisedProject, revised_project

TERMS = Terms(BASE)
G = ox.NamedNode(GRAPH)
TEXT = ox.NamedNode("https://schema.org/text")
OLD_EN = ox.Quad(
    ox.NamedNode(CLAIM),
    TEXT,
    ox.Literal("The harbour festival ended with fireworks.", language="en"),
    G,
)
NEW_EN = ox.Quad(
    ox.NamedNode(CLAIM),
    TEXT,
    ox.Literal("The harbour festival closed with fireworks.", language="en"),
    G,
)
EDITOR = BASE + "id/hafenfest/desk"
META = RevisionMeta(
    editor=EDITOR, kind=Kind.CORRECTION, note="Übersetzung berichtigt.", note_language="de"
)
NOW = datetime(2026, 2, 1, 10, 0, 0, 250_000, tzinfo=UTC)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> RevisedProject:
    return revised_project(tmp_path_factory.mktemp("patch") / "project")


@pytest.fixture
def store(project: RevisedProject) -> Store:
    return project.store()


def current_tag(project: RevisedProject, fmt: str = "ttl") -> str:
    return revision_etag(project.revisions[-1], fmt)


def run(
    store: Store,
    text: str,
    if_match: str | None,
    *,
    graph: ox.NamedNode | ox.DefaultGraph = G,
    meta: RevisionMeta = META,
    now: datetime = NOW,
) -> Patched:
    return plan(
        store,
        TERMS,
        (graph, parse_patch(text), if_match),
        meta=meta,
        clock=lambda: now,
    )


def rows(added: list[ox.Quad], deleted: list[ox.Quad]) -> str:
    return write_patch(added, deleted)


def history(store: Store) -> list[Revision]:
    return read_revisions(store.graph_quads(TERMS.history_graph), TERMS)[BASE + "id/hafenfest"]


def test_a_patch_makes_the_next_revision_with_its_record_in_the_same_change_set(
    project: RevisedProject, store: Store
) -> None:
    before = set(store.graph_quads(G))
    patched = run(store, rows([NEW_EN], [OLD_EN]), current_tag(project))
    rev = patched.revision
    assert rev is not None
    assert (rev.number, rev.kind, rev.editor) == (4, Kind.CORRECTION, EDITOR)
    assert (rev.note, rev.note_language) == ("Übersetzung berichtigt.", "de")
    assert rev.generated == datetime(2026, 2, 1, 10, 0, 0, tzinfo=UTC)  # whole seconds
    after = (before - {OLD_EN}) | {NEW_EN}
    assert rev.content_hash == content_hash(after)
    assert rev.patch == diff_patch(before, after, rev)
    assert parse_patch(rev.patch).deleted == (OLD_EN,)
    assert parse_patch(rev.patch).added == (NEW_EN,)
    # The text is unchanged: the claim's evidence stands where it stood, exact.
    assert rev.anchorings == (Anchoring(CLAIM, AnchorStatus.EXACT, *project.span(3)),)
    in_history = [q for q in patched.changes.added if q.graph_name == TERMS.history_graph]
    in_graph = [q for q in patched.changes.added if q.graph_name == G]
    assert in_graph == [NEW_EN]
    assert patched.changes.removed == (OLD_EN,)
    assert (
        ox.Quad(
            ox.NamedNode(rev.iri),
            TERMS.term("sequenceNumber"),
            ox.Literal("4", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            TERMS.history_graph,
        )
        in in_history
    )
    store.apply(patched.changes)
    revisions = history(store)
    assert [r.number for r in revisions] == [1, 2, 3, 4]
    rebuilt = states(store.graph_quads(G), revisions)  # every state checked against its hash
    assert rebuilt[3] == project.states[2]
    assert rebuilt[4] == frozenset(after)


def test_a_revision_time_never_repeats_or_goes_back(project: RevisedProject, store: Store) -> None:
    early = project.revisions[-1].generated - timedelta(days=3)
    patched = run(store, rows([NEW_EN], [OLD_EN]), current_tag(project), now=early)
    assert patched.revision is not None
    assert patched.revision.generated == project.revisions[-1].generated + timedelta(seconds=1)


def test_a_patch_that_changes_nothing_makes_no_revision(
    project: RevisedProject, store: Store
) -> None:
    text = "TX .\nA " + str(NEW_EN) + " .\nD " + str(NEW_EN) + " .\nTC .\n"
    patched = run(store, text, current_tag(project))
    assert patched.revision is None
    assert patched.changes.empty
    assert run(store, "TX .\nTC .\n", current_tag(project)).changes.empty


@pytest.mark.parametrize(
    ("text", "row"),
    [
        (f"A {OLD_EN} .\n", "row 1 (A "),
        (f"D {OLD_EN} .\nD {OLD_EN} .\n", "row 2 (D "),
    ],
)
def test_rows_that_do_not_fit_the_graph_are_conflicts_naming_the_row(
    project: RevisedProject, store: Store, text: str, row: str
) -> None:
    with pytest.raises(PatchConflictError, match=r"^" + row.replace("(", r"\(")):
        run(store, text, current_tag(project))


def test_rows_naming_another_graph_or_a_blank_node_are_malformed(
    project: RevisedProject, store: Store
) -> None:
    other = f'A <{CLAIM}> <{TEXT.value}> "x" <{BASE}graph/other> .\n'
    with pytest.raises(
        MalformedRequestError, match=r"row 1 .*names the graph <https://kgpub\.example/graph/other>"
    ):
        run(store, other, current_tag(project))
    blank = f'A _:b1 <{TEXT.value}> "x" .\n'
    with pytest.raises(MalformedRequestError, match=r"row 1 .*blank node"):
        run(store, blank, current_tag(project))
    # A row that names the graph itself is the same as one that leaves it out.
    named = rows([NEW_EN], [OLD_EN])
    unnamed = named.replace(f" <{GRAPH}> .", " .")
    assert (
        run(store, named, current_tag(project)).changes
        == run(store, unnamed, current_tag(project)).changes
    )


def test_if_match_is_required_and_must_be_the_latest_revision(
    project: RevisedProject, store: Store
) -> None:
    text = rows([NEW_EN], [OLD_EN])
    with pytest.raises(PreconditionRequiredError, match="PATCH needs If-Match"):
        run(store, text, None)
    with pytest.raises(PreconditionRequiredError, match=r"If-Match: \* names no revision"):
        run(store, text, "*")
    stale = revision_etag(project.revisions[1], "ttl")
    with pytest.raises(PreconditionFailedError):
        run(store, text, stale)
    with pytest.raises(PreconditionFailedError):
        run(store, text, f"W/{current_tag(project)}")
    # Any format's tag of the latest revision is current.
    assert run(store, text, f'"nope", {current_tag(project, "jsonld")}').revision is not None


def test_the_history_graph_is_never_patched(project: RevisedProject, store: Store) -> None:
    with pytest.raises(ProtectedGraphError, match="graph/history"):
        run(store, "TX .\nTC .\n", current_tag(project), graph=TERMS.history_graph)


def test_graphs_changed_outside_a_revision_get_no_revision(
    project: RevisedProject, store: Store
) -> None:
    store.apply(Changes(added=(ox.Quad(ox.NamedNode(CLAIM), TEXT, ox.Literal("sneaked in"), G),)))
    with pytest.raises(HistoryError, match="changed outside a revision"):
        run(store, rows([NEW_EN], [OLD_EN]), current_tag(project))


def test_a_graph_without_history_is_patched_with_its_content_tag(store: Store) -> None:
    graph = ox.NamedNode(BASE + "graph/notes")
    note = ox.Quad(ox.NamedNode(BASE + "id/note-1"), TEXT, ox.Literal("a note"), graph)
    store.apply(Changes(added=(note,)))
    tag = sorted(content_etags(store, graph, BASE))[0]
    with pytest.raises(PreconditionRequiredError):
        run(store, f"D {note} .\n", None, graph=graph)
    with pytest.raises(PreconditionFailedError):
        run(store, f"D {note} .\n", '"0000"', graph=graph)
    patched = run(store, f"D {note} .\n", tag, graph=graph)
    assert patched.revision is None
    assert patched.covered is None
    assert patched.changes.removed == (note,)


def test_the_writer_commits_the_change_and_its_record_in_one_transaction(
    project: RevisedProject, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = Writer(store, project.settings)
    applied: list[Changes] = []

    def fail(changes: Changes) -> None:
        applied.append(changes)
        raise OSError("the disk went away")

    monkeypatch.setattr(store, "apply", fail)
    history_before, graph_before = (
        set(store.graph_quads(TERMS.history_graph)),
        set(store.graph_quads(G)),
    )
    with pytest.raises(OSError, match="disk"):
        writer.transact(
            transaction(
                TERMS, (G, parse_patch(rows([NEW_EN], [OLD_EN])), current_tag(project)), META
            ),
            "PATCH",
        )
    (changes,) = applied  # one commit holds both the change and the record
    assert NEW_EN in changes.added
    assert OLD_EN in changes.removed
    assert any(q.graph_name == TERMS.history_graph for q in changes.added)
    assert set(store.graph_quads(TERMS.history_graph)) == history_before
    assert set(store.graph_quads(G)) == graph_before


def test_the_writer_refuses_a_revision_breaking_a_shape(
    project: RevisedProject, store: Store
) -> None:
    writer = Writer(store, project.settings)
    status = ox.NamedNode(BASE + "ontology#epistemicStatus")
    statuses = BASE + "ontology/epistemic-status#"
    narrated = ox.Quad(ox.NamedNode(CLAIM), status, ox.NamedNode(statuses + "narrated"), G)
    bogus = ox.Quad(ox.NamedNode(CLAIM), status, ox.NamedNode(statuses + "rumoured"), G)
    history_before = set(store.graph_quads(TERMS.history_graph))
    patch = parse_patch(rows([bogus], [narrated]))
    build = transaction(TERMS, (G, patch, current_tag(project)), META)
    with pytest.raises(WriteRejectedError) as caught:
        writer.transact(build, "PATCH")
    assert any(str(r.path).endswith("#epistemicStatus") for r in caught.value.report.violations)
    assert set(store.graph_quads(TERMS.history_graph)) == history_before
    assert bogus not in store


def test_an_absent_graph_is_404_whatever_the_preconditions(store: Store) -> None:
    absent = ox.NamedNode(BASE + "graph/absent")
    for if_match in (None, "*", '"x"'):
        with pytest.raises(GraphNotFoundError, match="graph/absent"):
            run(store, "TX .\nTC .\n", if_match, graph=absent)


def test_two_patches_with_the_same_tag_make_one_revision(
    project: RevisedProject, store: Store
) -> None:
    writer = Writer(store, project.settings)
    third = ox.Quad(NEW_EN.subject, TEXT, ox.Literal("The festival ended.", language="en"), G)
    bodies = [rows([NEW_EN], [OLD_EN]), rows([third], [OLD_EN])]
    outcomes: list[object] = []

    def send(body: str) -> None:
        try:
            outcomes.append(
                writer.transact(
                    transaction(TERMS, (G, parse_patch(body), current_tag(project)), META), "PATCH"
                )
            )
        except PreconditionFailedError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [o for o in outcomes if isinstance(o, Patched)]
    assert len(made) == 1
    assert sum(isinstance(o, PreconditionFailedError) for o in outcomes) == 1
    assert [r.number for r in history(store)] == [1, 2, 3, 4]


def test_a_patch_may_not_change_the_article_text(project: RevisedProject, store: Store) -> None:
    body = ox.NamedNode("https://schema.org/articleBody")
    article = ox.NamedNode(BASE + "id/hafenfest")
    (old,) = [q for q in store.graph_quads(G) if q.subject == article and q.predicate == body]
    assert isinstance(old.object, ox.Literal)
    new = ox.Quad(article, body, ox.Literal(old.object.value.replace("9000", "9500")), G)
    with pytest.raises(PatchConflictError, match=r"changes the schema:articleBody .*kgpub revise"):
        run(store, rows([new], [old]), current_tag(project))


def test_h_prev_must_name_the_latest_revision(project: RevisedProject, store: Store) -> None:
    stale = write_patch([NEW_EN], [OLD_EN], prev=project.revision_iri(2))
    with pytest.raises(PreconditionFailedError, match=r"H prev <.*/revision/2> is not the latest"):
        run(store, stale, current_tag(project))
    current = write_patch([NEW_EN], [OLD_EN], patch_id="urn:uuid:1", prev=project.revision_iri(3))
    patched = run(store, current, current_tag(project))
    assert patched.revision is not None
    assert patched.revision.patch is not None
    assert "urn:uuid:1" not in patched.revision.patch  # the record's own id and prev
    assert f"H prev <{project.revision_iri(3)}> ." in patched.revision.patch


def test_a_revision_in_an_on_disk_store_is_there_after_reopening(
    project: RevisedProject, tmp_path: Path
) -> None:
    disk = Store(tmp_path / "store")
    disk.add_quads(read_all(default_sources(project.settings)))
    writer = Writer(disk, project.settings)
    build = transaction(
        TERMS, (G, parse_patch(rows([NEW_EN], [OLD_EN])), current_tag(project)), META
    )
    made = writer.transact(build, "PATCH")
    assert made.revision is not None
    reopened = Store(tmp_path / "store", read_only=True)  # what a restarted server reads
    revisions = history(reopened)
    assert revisions[-1] == made.revision
    assert states(reopened.graph_quads(G), revisions)[3] == project.states[2]
