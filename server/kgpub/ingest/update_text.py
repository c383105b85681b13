"""A SPARQL Update's text before it runs: what is refused, and the protocol's dataset written in.

``Writer.update`` stages an update by running it; before that, its text is
made safe and complete here. LOAD and SERVICE are refused, since pyoxigraph
would fetch the URLs they name (kgpub never fetches), and the protocol's
``using-graph-uri``/``using-named-graph-uri`` parameters become the ``USING``
clauses they are defined to be equivalent to.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kgpub.errors import MalformedRequestError, QueryRefusedError
from kgpub.lexer import lex


def refuse_fetching(update: str) -> None:
    """Refuse LOAD and SERVICE: pyoxigraph would fetch the URLs they name (HTTP 400)."""
    words = lex(update).keywords
    if "LOAD" in words:
        raise QueryRefusedError(
            "LOAD is refused: the server never fetches data from a URL; send the data "
            "itself with the Graph Store Protocol (PUT or POST /graph-store) or INSERT DATA"
        )
    if "SERVICE" in words:
        raise QueryRefusedError(
            "SERVICE is refused in updates: the server never queries other endpoints"
        )


def with_dataset(update: str, params: Sequence[tuple[str, str]]) -> str:
    """The update with ``using-graph-uri``/``using-named-graph-uri`` written in as USING clauses.

    The protocol defines the parameters as equivalent to USING and USING NAMED
    on every operation with a WHERE clause (``kgpub.sparql.protocol`` already refused a
    request that also has USING or WITH in its text). DELETE WHERE has no room
    for USING, so it is refused with them (HTTP 400).
    """
    clauses: list[str] = []
    for name, keyword in (("using-graph-uri", "USING"), ("using-named-graph-uri", "USING NAMED")):
        for value in (v for n, v in params if n == name):
            try:
                clauses.append(f"{keyword} {ox.NamedNode(value)}")
            except ValueError as exc:
                raise MalformedRequestError(
                    f"{name}={value!r} is not an absolute IRI: {exc}"
                ) from exc
    if not clauses:
        return update
    using = " " + " ".join(clauses) + " "
    out, last = [], 0
    for token in lex(update).words:
        if token.text != "WHERE" or token.depth:
            continue
        if token.previous == "DELETE":
            raise MalformedRequestError(
                "using-graph-uri and using-named-graph-uri cannot apply to DELETE WHERE; "
                "write it as DELETE { … } WHERE { … }"
            )
        out += [update[last : token.start], using]
        last = token.start
    out.append(update[last:])
    return "".join(out)
