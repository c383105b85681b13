"""How long the search index takes: built for the shipped story and for N copies of it.

The bench corpus (``bench.corpus``) has no article bodies nor kgpub claims, so
this measures on the shipped story itself: its data graphs, copied ``N``
times with every ``<base>id/`` IRI renamed per copy, each copy in its own
named graph. That is the real text volume of ``N`` articles (bodies, claims
with their quotes and spans, names). It measures the full build (what
start-up does) in wall-clock and CPU seconds (the machine may be shared),
one search, and re-indexing one article's resources (what a write does).
Figures go to bench/SEARCH.md by hand.

    python -m bench.search_index --copies 1000
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from kgpub.config import Settings
from kgpub.rdf.sources import data_sources, read_all
from kgpub.search.documents import Scope, documents
from kgpub.search.index import SearchIndex, connect
from kgpub.search.query import search
from kgpub.store.oxigraph import Store


def replicated(settings: Settings, copies: int) -> Store:
    """The shipped data graphs, ``copies`` times, IRIs and graphs renamed per copy."""
    original = Store()
    original.add_quads(read_all(data_sources(settings)))
    dump = io.BytesIO()
    original.dump(dump, ox.RdfFormat.N_QUADS)
    text = dump.getvalue().decode()
    minted = re.compile(re.escape("<" + settings.base_iri) + r"(id|graph)/([^>]*)>")
    store = Store()
    for n in range(copies):
        renamed = minted.sub(functools.partial(_renamed, settings.base_iri, n), text)
        store.bulk_load(renamed.encode(), ox.RdfFormat.N_QUADS, None)
    return store


def _renamed(base: str, copy: int, match: re.Match[str]) -> str:
    return f"<{base}{match[1]}/{match[2]}-{copy}>"


def measure(copies: int) -> dict[str, float]:
    settings = Settings()
    started = time.perf_counter()
    store = replicated(settings, copies)
    loaded = time.perf_counter() - started
    scope = Scope.for_base(settings.base_iri)
    with tempfile.TemporaryDirectory() as folder:
        index = SearchIndex(Path(folder) / "search.sqlite", scope)
        cpu = time.process_time()
        built = index.build(store, store.version)
        cpu = time.process_time() - cpu
        size = index.path.stat().st_size
        with contextlib.closing(connect(index.path, read_only=True)) as conn:
            started = time.perf_counter()
            found = search(conn, "Starlink", "de")
            searched = time.perf_counter() - started
        one = sorted({d.subject for d in documents(store, scope) if d.subject.endswith("-0")})
        again = index.reindex(store, one, store.version + 1)
    return {
        "copies": copies,
        "quads": len(store),
        "load_seconds": loaded,
        "documents": built.documents,
        "build_seconds": built.seconds,
        "build_cpu_seconds": cpu,
        "index_bytes": size,
        "search_seconds": searched,
        "hits": found.total,
        "reindex_subjects": len(one),
        "reindex_seconds": again.seconds,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_index", description=__doc__)
    parser.add_argument("--copies", type=int, default=1000, help="copies of the story")
    args = parser.parse_args(argv)
    for name, value in measure(args.copies).items():
        print(f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
