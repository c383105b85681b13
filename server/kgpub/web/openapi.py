"""OpenAPI descriptions of the answers routes give: every status, every media type.

A schema that lists only ``200 application/json`` for a route that answers
Turtle, HTML, 404 or 406 misleads clients and makes a schema fuzzer
(Schemathesis, run in CI) flag every correct answer. Routes build their
``responses`` from these helpers; ``Problem`` is declared by the app
(``add_problem_schema``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kgpub.rdf.formats import HTML, Representation

PROBLEM_JSON = "application/problem+json"
PROBLEM_CONTENT: dict[str, Any] = {
    PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}


def add_problem_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the ``Problem`` schema the error responses refer to."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    return schema


# Precise enough for a schema fuzzer (Schemathesis) to check the answers; every
# other format is text.
_JSON_SCHEMAS: dict[str, dict[str, Any]] = {
    "application/sparql-results+json": {
        "type": "object",
        "required": ["head"],
        "properties": {
            "head": {"type": "object"},
            "results": {"type": "object", "properties": {"bindings": {"type": "array"}}},
            "boolean": {"type": "boolean"},
        },
    },
    "application/ld+json": {"type": ["object", "array"]},
}


def problem(description: str) -> dict[str, Any]:
    """An error answer: ``application/problem+json``."""
    return {"description": description, "content": PROBLEM_CONTENT}


def not_found(description: str) -> dict[str, Any]:
    """A 404 of a missing resource: problem+json, or a page for browsers (``http_errors``
    answers every ``ResourceNotFoundError`` so)."""
    return {
        "description": f"{description} A page for browsers.",
        "content": {**PROBLEM_CONTENT, HTML.media_type: {"schema": {"type": "string"}}},
    }


def representations(description: str, reps: Iterable[Representation]) -> dict[str, Any]:
    """A successful answer in any of ``reps`` (the one content negotiation chose)."""
    return {"description": description, "content": content(reps)}


def content(reps: Iterable[Representation]) -> dict[str, Any]:
    """The ``content`` of an answer in any of ``reps``, each media type with its schema."""
    return {
        rep.media_type: {"schema": _JSON_SCHEMAS.get(rep.media_type, {"type": "string"})}
        for rep in reps
    }


def format_parameter(reps: Iterable[Representation]) -> dict[str, Any]:
    """The ``format`` query parameter that overrides Accept with a representation's name."""
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Overrides Accept: the short name of a format.",
        "schema": {"type": "string", "enum": [rep.name for rep in reps]},
    }


NOT_ACCEPTABLE = problem("None of the offered formats is acceptable (Accept or format).")
