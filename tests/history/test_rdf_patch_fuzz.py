"""RDF Patch round trips over generated quads, checked against pyoxigraph's N-Quads.

Hypothesis builds quads of every term kind (IRIs with non-ASCII characters,
blank nodes, literals of any text with language tags, base directions or
datatypes, nested RDF 1.2 triple terms, named and default graphs). For each
change set: the parser reads the writer's patch back exactly, and reads
pyoxigraph's own N-Quads of the same quads, as ``A`` rows, to the same quads.
The example count is bounded for CI.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgpub.history.rdf_patch import parse_patch, write_patch

pytestmark = pytest.mark.fuzz

IRI_CHARS = st.characters(
    codec="utf-8",
    categories=["Ll", "Lu", "Lo", "Nd"],
    include_characters="-._~/",
    max_codepoint=0xFFFD,
)
IRIS = st.builds(lambda s: ox.NamedNode(f"http://example/{s}"), st.text(IRI_CHARS, max_size=12))
BNODES = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True).map(ox.BlankNode)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
LANGS = st.sampled_from(["de", "en", "de-CH", "en-GB-oxendict", "ar"])
DIRECTIONS = st.sampled_from([ox.BaseDirection.LTR, ox.BaseDirection.RTL])
DATATYPES = st.sampled_from(
    [ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + t) for t in ("string", "token", "date")]
    + [ox.NamedNode("http://example/dt")]
)
LITERALS = st.one_of(
    st.builds(ox.Literal, TEXT),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), TEXT, LANGS),
    st.builds(
        lambda v, lang, d: ox.Literal(v, language=lang, direction=d), TEXT, LANGS, DIRECTIONS
    ),
    st.builds(lambda v, dt: ox.Literal(v, datatype=dt), TEXT, DATATYPES),
)
SUBJECTS = st.one_of(IRIS, BNODES)
OBJECTS = st.recursive(
    st.one_of(IRIS, BNODES, LITERALS),
    lambda inner: st.builds(ox.Triple, SUBJECTS, IRIS, inner),
    max_leaves=4,
)
GRAPHS = st.one_of(st.just(ox.DefaultGraph()), IRIS, BNODES)
QUADS = st.lists(st.builds(ox.Quad, SUBJECTS, IRIS, OBJECTS, GRAPHS), max_size=6)


@settings(max_examples=100, deadline=None)
@given(QUADS, QUADS)
def test_write_then_parse_is_the_identity(added: list[ox.Quad], deleted: list[ox.Quad]) -> None:
    patch = parse_patch(write_patch(added, deleted, patch_id="uuid:a", prev="uuid:b"))
    assert list(patch.added) == added
    assert list(patch.deleted) == deleted


@settings(max_examples=100, deadline=None)
@given(QUADS)
def test_pyoxigraphs_n_quads_read_as_rows(quads: list[ox.Quad]) -> None:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None
    nquads = data.decode()
    rows = "".join(f"D {line}\n" for line in nquads.split("\n") if line)
    assert list(parse_patch(f"TX .\n{rows}TC .\n").deleted) == quads
