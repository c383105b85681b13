"""RDF Patch: the writer's output read back by the independent parser, the spec's
examples read as the spec means them, and hostile input refused with line and column."""

from __future__ import annotations

import pytest
from pyoxigraph import (
    BaseDirection,
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    parse,
    serialize,
)

from kgpub.errors import PatchSyntaxError, RdfSyntaxError
from kgpub.history.rdf_patch import Patch, parse_patch, write_patch
from kgpub.web.http_errors import status_for

EX = "http://example/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
S, P, G = NamedNode(EX + "s"), NamedNode(EX + "p"), NamedNode(EX + "g")


def quad(obj: NamedNode | BlankNode | Literal | Triple, graph: NamedNode | None = None) -> Quad:
    return Quad(S, P, obj, graph or DefaultGraph())


EVERY_KIND = [
    quad(NamedNode(EX + "o")),
    quad(NamedNode("http://example/ä?q=1#frag")),
    Quad(BlankNode("b0"), P, BlankNode("x.y-z_1"), G),
    quad(Literal("plain")),
    quad(Literal("")),
    quad(Literal("line\u2028separator\u0085next line\x0cform feed\x1crecord")),
    quad(Literal('tab\tnewline\nreturn\rquote"backslash\\ é 𝄞 \u0001 \u007f')),
    quad(Literal("Dies ist eine sich entwickelnde Geschichte", language="de")),
    quad(Literal("hi", language="en-GB-oxendict")),
    quad(Literal("مرحبا", language="ar", direction=BaseDirection.RTL)),
    quad(Literal("hello", language="en", direction=BaseDirection.LTR)),
    quad(Literal("42", datatype=NamedNode(XSD + "integer"))),
    quad(Literal("2026-12-07T03:52:09Z", datatype=NamedNode(XSD + "dateTime")), G),
    quad(Literal("<b>x</b>", datatype=NamedNode(RDF + "HTML"))),
    quad(Triple(S, P, Literal("claim", language="de"))),
    quad(Triple(BlankNode("c"), P, Triple(S, P, NamedNode(EX + "deep")))),
]


def test_every_term_kind_round_trips() -> None:
    deleted = [quad(Literal("old")), Quad(S, P, Literal("old"), G)]
    text = write_patch(EVERY_KIND, deleted, patch_id="uuid:1", prev="uuid:0")
    patch = parse_patch(text)
    assert list(patch.added) == EVERY_KIND
    assert list(patch.deleted) == deleted
    assert patch.header_value("id") == NamedNode("uuid:1")
    assert patch.header_value("prev") == NamedNode("uuid:0")


def test_the_writer_puts_header_first_deletes_before_adds_in_one_transaction() -> None:
    text = write_patch(
        [quad(Literal("new"))],
        [quad(Literal("old"), G)],
        patch_id="uuid:0686c69d-8f89-4496-acb5-744f0157a8db",
        prefixes=[("ex", EX)],
    )
    assert text == (
        "H id <uuid:0686c69d-8f89-4496-acb5-744f0157a8db> .\n"
        "TX .\n"
        'PA "ex" "http://example/" .\n'
        'D <http://example/s> <http://example/p> "old" <http://example/g> .\n'
        'A <http://example/s> <http://example/p> "new" .\n'
        "TC .\n"
    )
    assert parse_patch(text).prefixes_added == (("ex", EX),)


def test_an_empty_change_is_an_empty_transaction() -> None:
    text = write_patch([], [])
    assert text == "TX .\nTC .\n"
    assert parse_patch(text).changes == ()


SPEC_EXAMPLE = """\
H id <uuid:0686c69d-8f89-4496-acb5-744f0157a8db> .
H prev <uuid:3ee0eca0-6d5f-4b4d-85db-f69ab1167eb1> .
TX .
PA "rdf" "http://www.w3.org/1999/02/22-rdf-syntax-ns#" .
PA "owl" "http://www.w3.org/2002/07/owl#" .
PA "rdfs" "http://www.w3.org/2000/01/rdf-schema#" .
A <http://example/SubClass> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#Class> .
A <http://example/SubClass> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <http://example/SUPER_CLASS> .
A <http://example/SubClass> <http://www.w3.org/2000/01/rdf-schema#label> "SubClass" .
TC .
"""  # noqa: E501


def test_the_specs_patch_log_example() -> None:
    patch = parse_patch(SPEC_EXAMPLE)
    assert patch.header_value("prev") == NamedNode("uuid:3ee0eca0-6d5f-4b4d-85db-f69ab1167eb1")
    assert [p for p, _ in patch.prefixes_added] == ["rdf", "owl", "rdfs"]
    sub = NamedNode("http://example/SubClass")
    assert patch.added[2] == Quad(
        sub, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("SubClass")
    )
    assert all(q.subject == sub for q in patch.added)
    assert patch.deleted == ()
    again = write_patch(patch.added, patch.deleted, patch_id="uuid:x")
    assert parse_patch(again).added == patch.added


def test_older_and_jena_spellings_are_read() -> None:
    patch = parse_patch(
        "TX .\n"
        "PA rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "PD rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "PD owl .\n"
        "# a comment line\n"
        "\n"
        'A _:b1 <http://example/p> << <http://example/s> <http://example/p> "1" >> .\r\n'
        "TC .  # done\n"
    )
    assert patch.prefixes_added == (("rdf", RDF),)
    assert patch.prefixes_deleted == ("rdf", "owl")
    assert patch.added == (Quad(BlankNode("b1"), P, Triple(S, P, Literal("1"))),)


def test_an_aborted_transaction_changes_nothing_and_rows_outside_one_apply() -> None:
    patch = parse_patch(
        'TX .\nA <http://example/s> <http://example/p> "x" .\nTA .\n'
        'D <http://example/s> <http://example/p> "y" .\n'
    )
    assert patch.added == ()
    assert patch.deleted == (quad(Literal("y")),)
    assert isinstance(patch, Patch)


def test_unicode_escapes_in_iris_and_strings_are_decoded() -> None:
    patch = parse_patch('A <http://example/\\u00E4> <http://example/p> "\\U0001D11E\\u00e9" .\n')
    assert patch.added == (Quad(NamedNode("http://example/ä"), P, Literal("𝄞é")),)


HOSTILE = [
    ('A <http://example/s> <http://example/p> "open .\n', 1, 41, "unterminated string"),
    ("A <http://example/s> <http://example/p> <http://example/o>\n", 1, 59, "not ended by '.'"),
    ("TX .\nX <http://example/s> .\nTC .\n", 2, 1, "unknown row code 'X'"),
    ("TX .\nTX .\n", 2, 1, "TX inside an open transaction"),
    ("TC .\n", 1, 1, "TC without TX"),
    ("TX .\nA <http://example/s> <http://example/p> _:o .\n", 1, 1, "not ended by TC"),
    ('A "s" <http://example/p> <http://example/o> .\n', 1, 3, "subject must be an IRI"),
    ("A <http://example/s> _:p <http://example/o> .\n", 1, 22, "predicate must be an IRI"),
    ('A <http://example/s> <http://example/p> "o" "g" .\n', 1, 45, "graph name"),
    ("A <http://example/s> <http://example/p> .\n", 1, 42, "too few items"),
    ("A <s> <http://example/p> <http://example/o> .\n", 1, 3, "No scheme"),
    ("A <http://ex ample/s> <http://example/p> <http://example/o> .\n", 1, 3, "IRI"),
    ('A <http://example/s> <http://example/p> "x"@ .\n', 1, 44, "language tag"),
    ('A <http://example/s> <http://example/p> "x"^^"y" .\n', 1, 46, "datatype"),
    ('A <http://example/s> <http://example/p> "a\\qb" .\n', 1, 41, "bad escape"),
    ("A <http://example/s> <http://example/p> ?o .\n", 1, 41, "unexpected character '?'"),
    ("A <http://example/s> <http://example/p> <<( <http://example/s> ", 1, 63, "not ended by '.'"),
    ("A <http://example/s> <http://example/p> <<( _:a _:b _:c )>> .\n", 1, 49, "predicate"),
    ("A _:a <http://example/p> <<( _:a <http://example/p> _:c >> .\n", 1, 57, "not closed"),
    ("TX extra .\n", 1, 4, "too many items for TX"),
    ("TX .\nH id <uuid:1> .\nTC .\n", 2, 1, "header row after"),
    ("H <uuid:1> <uuid:2> .\n", 1, 3, "header key"),
    (
        'A <http://example/s> <http://example/p> "x" <http://example/g> <http://example/h> .\n',
        1,
        64,
        "too many items",
    ),
    (". .\n", 1, 1, "start with its code"),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), HOSTILE)
def test_hostile_input_is_refused_naming_line_and_column(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(PatchSyntaxError) as caught:
        parse_patch(text)
    assert (caught.value.line, caught.value.column) == (line, column), str(caught.value)
    assert message in str(caught.value)
    assert isinstance(caught.value, RdfSyntaxError)


def test_an_oversized_row_is_refused_before_it_is_read() -> None:
    big = 'TX .\nA <http://example/s> <http://example/p> "' + "x" * 2000 + '" .\nTC .\n'
    with pytest.raises(PatchSyntaxError, match="a row over 1000 characters") as caught:
        parse_patch(big, max_line=1000)
    assert caught.value.line == 2
    assert parse_patch(big).added[0].object == Literal("x" * 2000)


def test_deeply_nested_triple_terms_are_refused_not_a_crash() -> None:
    deep = "A _:s <http://example/p> " + "<<( _:s <http://example/p> " * 5000
    with pytest.raises(PatchSyntaxError, match="nested over 32 deep") as caught:
        parse_patch(deep + "_:o" + " )>>" * 5000 + " .\n")
    assert caught.value.column == 26 + 32 * 27
    nested: Triple | Literal = Literal("x")
    for _ in range(32):
        nested = Triple(S, P, nested)
    assert parse_patch(write_patch([quad(nested)], [])).added == (quad(nested),)


def test_a_bad_patch_is_a_400_in_the_one_mapping_table() -> None:
    assert status_for(PatchSyntaxError("rdf-patch", "x", 1, 1)) == 400


def test_rows_of_pyoxigraphs_n_quads_read_as_pyoxigraph_reads_them() -> None:
    """A second implementation's term syntax: pyoxigraph writes the quads as N-Quads, each
    line becomes an ``A`` row, and the parser must read back exactly those quads."""
    data = serialize(EVERY_KIND, format=RdfFormat.N_QUADS)
    assert data is not None
    nquads = data.decode()
    rows = "".join(f"A {line}\n" for line in nquads.split("\n") if line)
    assert list(parse_patch(f"TX .\n{rows}TC .\n").added) == EVERY_KIND


def test_the_writers_rows_are_n_quads_pyoxigraph_reads() -> None:
    text = write_patch(EVERY_KIND, [])
    lines = [line.removeprefix("A ") for line in text.split("\n") if line.startswith("A ")]
    assert list(parse("\n".join(lines), format=RdfFormat.N_QUADS)) == EVERY_KIND
