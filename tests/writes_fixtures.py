"""Helpers for the write tests: a small project with a shape, a token, a loopback listener.

The shape (every ``schema:Person`` has a ``schema:name``) is small so pySHACL
validates each staged write in milliseconds; the people and places graphs of
``tests.sparql_fixtures`` conform to it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from pydantic import SecretStr

from kgpub.config import Settings
from tests.sparql_fixtures import EX, write_project

TOKEN = "t0ken-for-tests-only-0123456789"
AUTH = {"authorization": f"Bearer {TOKEN}"}
SCHEMA = "https://schema.org/"
BASE = "https://kgpub.example/"
PEOPLE = f"{BASE}graph/people"
PLACES = f"{BASE}graph/places"
SHAPES = f"{BASE}graph/shapes"
SHAPES_TTL = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape:Person> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:name ; sh:minCount 1 ;
    sh:message "a person needs a name"@en , "eine Person braucht einen Namen"@de ] .
"""
NAMELESS = f"<{EX}nobody> a <{SCHEMA}Person> .\n"
"""Turtle breaking the shape: a person without a name."""
NAMED = f'<{EX}dora> a <{SCHEMA}Person> ; <{SCHEMA}name> "Dora" .\n'


def writable_project(root: Path, **changes: object) -> Settings:
    """The people/places project with the person shape, writes enabled with ``TOKEN``."""
    write_project(root)
    (root / "shapes").mkdir(exist_ok=True)
    (root / "shapes" / "shapes.ttl").write_text(SHAPES_TTL, encoding="utf-8")
    values: dict[str, object] = {
        "project_dir": root,
        "writes_enabled": True,
        "write_token": SecretStr(TOKEN),
        "query_workers": 1,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def quad_set(triples: list[tuple[str, str, str]], graph: str) -> set[ox.Quad]:
    return {
        ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), ox.NamedNode(graph))
        for s, p, o in triples
    }
