"""Full-text search over the served store: articles, claims and names, German and English.

An SQLite FTS5 index (Python's own ``sqlite3``) of what the store says,
built at start-up and re-indexed after each committed write; ranked by bm25,
stemmed by Snowball (PyStemmer), umlauts and ß folded. Below ``sparql``, so
the query workers can offer it as the SPARQL function ``kgpub:search``.

Modules:

* ``analysis``: folding, words with offsets, stems, parsing a query into terms;
* ``documents``: what is indexed, read from the store, and what a write touched;
* ``index``: the index file: building, re-indexing, its version;
* ``query``: searching: ranking, one hit per passage, claim or name, their spans;
* ``snippets``: the excerpt around a hit, matches marked, HTML escaped;
* ``sparql_function``: ``kgpub:search`` for pyoxigraph, in the query workers.

See docs/search.md.
"""
