"""Readable labels (en, de) for the vocabulary terms pages show: one registry.

schema.org publishes no labels but its terms' names, and kgpub loads no
schema.org, VoID or DCMI vocabulary, so a page would show ``schema:mentions``
where a reader wants "mentions" (or "erwähnt"). The labels of the schema.org
terms the data uses and of the VoID and DCMI terms the dataset page shows live
in ``term_labels.ttl`` beside this module, shipped as package data and in
``kgpub fmt``'s canonical form; ``Page.label`` falls back to them when the store
has no label of its own, so every page (resources, search hits, tables, VoID) reads the same words.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pyoxigraph as ox

from kgpub.namespaces import RDFS

_FILE = "term_labels.ttl"


@cache
def term_labels() -> dict[str, list[tuple[str, str]]]:
    """Each labelled term's labels as ``(text, language)`` pairs, read once."""
    data = files("kgpub.ld").joinpath(_FILE).read_bytes()
    found: dict[str, list[tuple[str, str]]] = {}
    for triple in ox.parse(data, format=ox.RdfFormat.TURTLE):
        label = triple.object
        if triple.predicate.value == RDFS + "label" and isinstance(label, ox.Literal):
            found.setdefault(triple.subject.value, []).append((label.value, label.language or ""))
    return found
