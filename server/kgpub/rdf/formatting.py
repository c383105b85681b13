"""The one Turtle formatter for the project's RDF source files.

RDF files are source code and are reviewed as diffs, so every file is kept in
rdflib's ``longturtle`` form: one subject per block, predicates and objects
sorted, only the prefixes in use, declared in sorted order. The form is a pure
function of the graph, so formatting twice changes nothing.

A function of the graph cannot keep comments, which are not in the graph. So
a file with a comment is refused (``CommentInSourceError``, naming the file
and line) instead of losing an editor's note without a word; notes belong in
the data (``skos:editorialNote``), where queries see them. What is a comment
is decided by the lexer's rules (``kgpub.lexer``): a ``#`` inside a string,
an IRI or an escaped local name (``ex:a\\#b``) is none.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph

from kgpub.errors import CommentInSourceError
from kgpub.lexer import COMMENT, IRIREF, LONG_STRING, SHORT_STRING
from kgpub.rdf.sources import Source, read_quads

_TOKENS_WITH_HASH = re.compile(
    rf"\\[\s\S] | (?P<comment> {COMMENT} ) | {LONG_STRING} | {SHORT_STRING} | {IRIREF}",
    re.VERBOSE,
)
"""Every token that may hold a ``#``; only the ``comment`` group is a comment."""


def first_comment(text: str) -> tuple[int, int] | None:
    """Line and column (1-based, in characters) of the first comment in a Turtle text."""
    for match in _TOKENS_WITH_HASH.finditer(text):
        if match.lastgroup == "comment":
            before = text[: match.start()]
            line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
            line = len(re.findall(r"\r\n|\r|\n", before)) + 1
            return line, match.start() - line_start + 1
    return None


def format_graph(graph: Graph, prefixes: dict[str, str]) -> str:
    out = Graph(bind_namespaces="none")
    for prefix, namespace in sorted(prefixes.items()):
        out.bind(prefix, namespace)
    for triple in graph:
        out.add(triple)
    text = out.serialize(format="longturtle")
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def format_file(path: Path) -> str:
    """The formatted text of a Turtle file.

    Raises ``RdfSyntaxError`` if it does not parse and ``CommentInSourceError``
    if it has a comment, which the formatted text would lose.
    """
    read_quads(Source(path, "urn:kgpub:format"))  # located syntax errors come from pyoxigraph
    comment = first_comment(path.read_text(encoding="utf-8"))
    if comment is not None:
        raise CommentInSourceError(str(path), *comment)
    graph = Graph(bind_namespaces="none")
    graph.parse(path, format="turtle")
    prefixes = {p: str(ns) for p, ns in graph.namespaces() if p}
    return format_graph(graph, prefixes)
