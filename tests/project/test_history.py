"""The shipped story's history: one real revision, the text as published, nothing invented."""

from __future__ import annotations

from datetime import UTC, datetime

import pyoxigraph as ox

from kgpub.config import Settings
from kgpub.history.records import Kind, Terms, read_revisions
from kgpub.history.replay import states
from kgpub.rdf.sources import data_sources, read_all


def test_the_shipped_story_is_one_original_revision_matching_its_graphs() -> None:
    settings = Settings()
    base = settings.base_iri
    quads = read_all(data_sources(settings))
    history = [q for q in quads if q.graph_name == ox.NamedNode(base + "graph/history")]
    revisions = read_revisions(history, Terms(base))
    assert list(revisions) == [base + "id/article"]
    (rev,) = revisions[base + "id/article"]
    # When kgpub first published the story: commit 88cd230.
    assert rev.generated == datetime(2026, 11, 25, 2, 50, 5, tzinfo=UTC)
    assert (rev.number, rev.kind, rev.editor, rev.patch) == (
        1,
        Kind.ORIGINAL,
        base + "id/kgpub-team",
        None,
    )
    assert rev.graphs == (base + "graph/article", base + "graph/reported")
    current = [q for q in quads if str(q.graph_name)[1:-1] in rev.graphs]
    # The graphs served are the revision's: a change to them needs a revision
    # (kgpub revise), or this history's hash refreshed where it was wrong.
    assert set(states(current, [rev])[1]) == set(current)
