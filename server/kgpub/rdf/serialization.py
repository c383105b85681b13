"""Descriptions in every RDF format a Linked Data client may ask for.

pyoxigraph writes every format; JSON-LD is then compacted with kgpub's one
published ``@context`` (``kgpub/jsonld/context.jsonld``, served at
``/context.jsonld``) so JSON clients see short keys (``name``, ``author``,
``evidence``) instead of full IRIs. The context is embedded in each answer
rather than referenced by URL: a JSON-LD processor then never has to fetch
anything, and the canonical host (``kgpub.example``) need not exist. No
remote context is ever loaded: the document loader refuses every URL. The
context uses JSON-LD 1.0 features only and compaction runs in 1.0 mode, so
JSON-LD 1.0 readers accept every answer (docs/linked-data.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pyoxigraph as ox

from kgpub.errors import NotAcceptableError
from kgpub.rdf import representable
from kgpub.rdf.formats import named, rdf_format

# The default base the context file is written for; other bases are substituted.
_CONTEXT_BASE = "https://kgpub.example/"


def context(base_iri: str) -> dict[str, Any]:
    """The published JSON-LD context document, for the configured base IRI."""
    return json.loads(_context_text(base_iri))  # type: ignore[no-any-return]


@lru_cache(maxsize=4)
def _context_text(base_iri: str) -> str:
    text = files("kgpub").joinpath("jsonld/context.jsonld").read_text(encoding="utf-8")
    return text.replace(_CONTEXT_BASE, base_iri)


def prefixes(base_iri: str) -> dict[str, str]:
    """The context's prefixes (``schema``, ``kgpub``, ...), for Turtle and TriG."""
    ctx = context(base_iri)["@context"]
    return {
        name: value
        for name, value in ctx.items()
        if isinstance(value, str) and not name.startswith("@") and value.endswith(("/", "#"))
    }


def serialize(quads: Sequence[ox.Quad], format_name: str, base_iri: str) -> bytes:
    """``quads`` in the named format; triple formats merge the graphs."""
    if format_name == "jsonld":
        return json.dumps(compact(quads, base_iri), ensure_ascii=False, indent=2).encode()
    rep = named(format_name)
    fmt = rdf_format(rep)
    data: list[ox.Quad] | list[ox.Triple] = (
        list(quads) if rep.has_graphs else list(dict.fromkeys(q.triple for q in quads))
    )
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        out = ox.serialize(data, format=fmt, prefixes=prefixes(base_iri))
    else:
        out = ox.serialize(data, format=fmt)
    assert out is not None  # no output file given: pyoxigraph returns the bytes
    if fmt == ox.RdfFormat.RDF_XML:
        not_xml = representable.xml_breaker(out)
        if not_xml is not None:
            # Data from before the input checks, or from a remote backend: never a broken document.
            raise NotAcceptableError(
                f"this data cannot be written as {rep.media_type}: it holds {not_xml}, "
                "a character XML 1.0 cannot carry; ask for Turtle, N-Triples or JSON-LD",
                offered=["text/turtle", "application/n-triples", "application/ld+json"],
            )
    return out


def compact(quads: Sequence[ox.Quad], base_iri: str) -> dict[str, Any]:
    """The triples of ``quads`` as JSON-LD compacted with the published context."""
    triples = list(dict.fromkeys(q.triple for q in quads))
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]")
    ctx = context(base_iri)["@context"]
    # pyld (with requests) takes about 50 ms to import, in every server process
    # and the CLI; the first JSON-LD answer pays it once instead.
    from pyld import jsonld  # noqa: PLC0415

    # JSON-LD 1.0 mode: the answer stays readable by 1.0 processors (jsonld-java, Jena's
    # default reader); a context needing 1.1 would fail here, not in a client.
    options = {"documentLoader": _refuse_fetch, "processingMode": "json-ld-1.0"}
    result: dict[str, Any] = jsonld.compact(expanded, ctx, options)
    return result


def _refuse_fetch(url: str, options: dict[str, Any]) -> Any:
    from pyld import jsonld  # noqa: PLC0415 - only ever called from compact, which loaded it

    raise jsonld.JsonLdError(
        f"remote JSON-LD documents are never loaded ({url})", "jsonld.LoadDocumentError"
    )
