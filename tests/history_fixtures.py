"""The one shared builder of a project whose article has a history (issue 17).

Every test of revisions, Memento, diffs, feeds and history pages builds its
project here, so they all agree on what a revised article looks like on disk
(docs/revisions.md, "The model"). The article is the fictional *Hafenfest*
(tests/fixtures/articles/hafenfest: invented, not news; its metadata says so),
revised twice:

1. ``original`` — the text as first published;
2. ``update`` — a sentence inserted before the claim's evidence: its anchor is
   ``shifted``;
3. ``correction`` — the visitor count corrected (8000 → 9000, same length): the
   anchor stays ``exact``; the article gets ``schema:correction``.

The files hold the latest state (revision 3) and ``history.ttl`` the three
records, each state's content hash and each patch computed here from the
states, exactly as ``kgpub.history.records`` and ``replay`` define them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from kgpub.config import Settings
from kgpub.history.content_hash import content_hash
from kgpub.history.records import (
    Anchoring,
    AnchorStatus,
    Kind,
    Revision,
    Terms,
    revision_iri,
    revision_quads,
)
from kgpub.history.replay import diff_patch
from kgpub.rdf.sources import default_sources, read_all
from kgpub.store.oxigraph import Store

BASE = "https://kgpub.example/"
ID = BASE + "id/"
SLUG = "hafenfest"
ARTICLE = ID + SLUG
GRAPH = BASE + "graph/" + SLUG
CLAIM = ID + "hafenfest/claim-1"
EDITOR = ID + "hafenfest/desk"
QUOTE = "Das Fest endete mit einem Feuerwerk"

_TITLE = "Hafenfest zieht Tausende an\n"
TEXTS = (
    _TITLE + "Das Hafenfest in Beispielstadt zog am Samstag rund 8000 Besucher an. "
    "Das Fest endete mit einem Feuerwerk über dem Hafen.\n",
    _TITLE + "Das Hafenfest in Beispielstadt zog am Samstag rund 8000 Besucher an. "
    "Am Nachmittag spielte eine Blaskapelle. Das Fest endete mit einem Feuerwerk über dem Hafen.\n",
    _TITLE + "Das Hafenfest in Beispielstadt zog am Samstag rund 9000 Besucher an. "
    "Am Nachmittag spielte eine Blaskapelle. Das Fest endete mit einem Feuerwerk über dem Hafen.\n",
)
"""The article's text in revisions 1, 2 and 3."""

TIMES = (
    datetime(2026, 1, 10, 8, 0, 0, tzinfo=UTC),
    datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC),
    datetime(2026, 1, 11, 9, 30, 0, tzinfo=UTC),
)
KINDS = (Kind.ORIGINAL, Kind.UPDATE, Kind.CORRECTION)
NOTES = (
    None,
    "Ein Satz über das Nachmittagsprogramm ergänzt.",
    "Korrigiert: Die Veranstalter zählten rund 9000 Besucher, nicht 8000.",
)
STATUSES = (None, AnchorStatus.SHIFTED, AnchorStatus.EXACT)
"""The claim's anchoring status in each revision (none recorded for the original)."""

_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "articles" / SLUG


@dataclass(frozen=True)
class RevisedProject:
    """A project folder with the revised article, and what its history holds."""

    root: Path
    article: str
    graph: str
    claim: str
    revisions: tuple[Revision, ...]
    states: tuple[frozenset[ox.Quad], ...]
    texts: tuple[str, ...]

    @property
    def settings(self) -> Settings:
        return Settings(project_dir=self.root)

    def store(self) -> Store:
        """A store holding the project as the server reads it (vocabulary, data, shapes)."""
        store = Store()
        store.add_quads(read_all(default_sources(self.settings)))
        return store

    def revision_iri(self, number: int) -> str:
        return revision_iri(self.article, number)

    def span(self, number: int) -> tuple[int, int]:
        """The claim's evidence span in revision ``number``'s text."""
        start = self.texts[number - 1].index(QUOTE)
        return start, start + len(QUOTE)


def _state(number: int) -> frozenset[ox.Quad]:
    """The article graph of revision ``number`` (1-based), from the fixture's own Turtle."""
    text = TEXTS[number - 1]
    turtle = (_FIXTURE / f"{SLUG}.ttl").read_text(encoding="utf-8")
    old_body = TEXTS[0]
    turtle = turtle.replace(f'"""{old_body}"""', f'"""{text}"""')
    start = text.index(QUOTE)
    turtle = turtle.replace(
        "oa:end 132 ;\n    oa:start 97 ;", f"oa:end {start + len(QUOTE)} ;\n    oa:start {start} ;"
    )
    graph = ox.NamedNode(GRAPH)
    quads = {
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    }
    article = ox.NamedNode(ARTICLE)
    schema = "https://schema.org/"
    for n in range(2, number + 1):
        if KINDS[n - 1] is Kind.CORRECTION:
            rev = ox.NamedNode(revision_iri(ARTICLE, n))
            quads.add(ox.Quad(article, ox.NamedNode(schema + "correction"), rev, graph))
            quads.add(
                ox.Quad(
                    rev,
                    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                    ox.NamedNode(schema + "CorrectionComment"),
                    graph,
                )
            )
            note = ox.Literal(NOTES[n - 1] or "", language="de")
            quads.add(ox.Quad(rev, ox.NamedNode(schema + "text"), note, graph))
    if number > 1:
        modified = ox.Literal(
            TIMES[number - 1].strftime("%Y-%m-%dT%H:%M:%SZ"),
            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"),
        )
        quads.add(ox.Quad(article, ox.NamedNode(schema + "dateModified"), modified, graph))
    return frozenset(quads)


def _revisions(states: tuple[frozenset[ox.Quad], ...]) -> tuple[Revision, ...]:
    revisions: list[Revision] = []
    for index, state in enumerate(states):
        number = index + 1
        span = (TEXTS[index].index(QUOTE), TEXTS[index].index(QUOTE) + len(QUOTE))
        status = STATUSES[index]
        rev = Revision(
            article=ARTICLE,
            number=number,
            content_hash=content_hash(state),
            generated=TIMES[index],
            editor=EDITOR,
            kind=KINDS[index],
            graphs=(GRAPH,),
            note=NOTES[index],
            note_language="de" if NOTES[index] else None,
            anchorings=()
            if status is None
            else (Anchoring(CLAIM, status, start=span[0], end=span[1]),),
        )
        if number > 1:
            patch = diff_patch(states[index - 1], state, rev)
            rev = replace(rev, patch=patch)
        revisions.append(rev)
    return tuple(revisions)


def _turtle(quads: frozenset[ox.Quad] | list[ox.Quad]) -> bytes:
    triples = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in quads), key=str)
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE)
    assert turtle is not None
    return turtle


def revised_project(root: Path, *, with_shipped_story: bool = False) -> RevisedProject:
    """Write the project into ``root`` (created) and return what its history holds.

    ``root`` gets the repository's ontology/, shapes/ and data/ and the
    Hafenfest article at revision 3 with its ``history.ttl``; with
    ``with_shipped_story`` also the shipped story (which has one revision).
    """
    shipped = Settings().project_dir
    root.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(shipped / name, root / name)
    (root / "articles").mkdir()
    if with_shipped_story:
        story = "musk-trump-zelensky-call"
        shutil.copytree(shipped / "articles" / story, root / "articles" / story)
    folder = root / "articles" / SLUG
    folder.mkdir()
    shutil.copy(_FIXTURE / "article.toml", folder / "article.toml")
    (folder / f"{SLUG}.de.txt").write_bytes(TEXTS[-1].encode("utf-8"))
    states = tuple(_state(n) for n in range(1, len(TEXTS) + 1))
    (folder / f"{SLUG}.ttl").write_bytes(_turtle(states[-1]))
    revisions = _revisions(states)
    terms = Terms(BASE)
    history = [q for rev in revisions for q in revision_quads(rev, terms)]
    (folder / "history.ttl").write_bytes(_turtle(history))
    return RevisedProject(
        root=root,
        article=ARTICLE,
        graph=GRAPH,
        claim=CLAIM,
        revisions=revisions,
        states=states,
        texts=TEXTS,
    )
