"""SPARQL results as a table a person can read (``/sparql?query=…`` in a browser).

A SELECT's bindings or an ASK's answer arrive as SPARQL JSON results, a
CONSTRUCT's or DESCRIBE's triples as N-Triples; either becomes a table: IRIs
shown short (a CURIE where a prefix fits, the full IRI as the tooltip) and
linked to their pages, literals with their language or datatype. At most
``MAX_ROWS`` rows are drawn; the page says how many there are and links the
full results in every machine format, and the query itself for the editor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kgpub.ld.page_model import Page, Value

MAX_ROWS = 1000
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass
class ResultsView:
    """What the results template shows."""

    query: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Value | None]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None
    edit_href: str = ""


def edit_link(endpoint: str, query: str) -> str:
    """The query editor with ``query`` in a tab (YASGUI reads ``#query=`` from the URL)."""
    return f"{endpoint}#query={quote(query, safe='')}"


def _term(page: Page, binding: dict[str, Any]) -> Value:
    kind, value = binding.get("type"), str(binding.get("value", ""))
    if kind == "uri":
        return Value(page.curie(value), page.href(value), datatype=value)
    if kind == "bnode":
        return Value(f"_:{value}")
    if kind == "triple":
        return Value(json.dumps(binding.get("value"), ensure_ascii=False))
    datatype = str(binding.get("datatype", ""))
    shown = "" if datatype in ("", _XSD_STRING) else page.curie(datatype)
    return Value(value, lang=str(binding.get("xml:lang", "")), datatype=shown)


def from_json(body: bytes, page: Page, query: str, endpoint: str) -> ResultsView:
    """A SELECT's or ASK's SPARQL JSON results as a table (or a yes/no answer)."""
    data = json.loads(body)
    view = ResultsView(query, edit_href=edit_link(endpoint, query))
    if "boolean" in data:
        view.boolean = bool(data["boolean"])
        return view
    view.columns = [str(v) for v in data.get("head", {}).get("vars", [])]
    bindings = data.get("results", {}).get("bindings", [])
    view.total = len(bindings)
    for row in bindings[:MAX_ROWS]:
        view.rows.append([_term(page, row[c]) if c in row else None for c in view.columns])
    return view


def _node(page: Page, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(page.curie(term.value), page.href(term.value), datatype=term.value)
    return page.value(term)


def from_ntriples(body: bytes, page: Page, query: str, endpoint: str) -> ResultsView:
    """A CONSTRUCT's or DESCRIBE's triples as a subject, predicate, object table."""
    view = ResultsView(
        query, ["subject", "predicate", "object"], edit_href=edit_link(endpoint, query)
    )
    for n, triple in enumerate(ox.parse(body, ox.RdfFormat.N_TRIPLES)):
        view.total += 1
        if n < MAX_ROWS:
            view.rows.append(
                [
                    _node(page, triple.subject),
                    _node(page, triple.predicate),
                    _node(page, triple.object),
                ]
            )
    return view
