"""HTTP routes: thin adapters from requests to the core modules.

- ``sparql``: the query operation, the service description and the editor.
- ``update``: SPARQL Update (only where writes are on).
- ``graph_store``: the Graph Store HTTP Protocol.
- ``graph_patch``: ``PATCH /graph-store``, an RDF Patch; a revision where the graph has history.
- ``validate``: ``POST /validate``.
- ``void``: ``/.well-known/void`` (a page for browsers).
- ``pages``: the home page at ``/`` and query results as a table, for browsers.
- ``claims_rdf12``: ``/graph/{name}/rdf12``, an article's claims as RDF 1.2 (before ``resources``).
- ``crawlers``: ``/robots.txt``, ``/sitemap.xml`` and the IRI lookup ``/lookup?uri=``.
- ``search``: ``GET /search``, full-text search (JSON or a page).
- ``api_docs``: ``/docs``, Swagger UI from the package's own files.
- ``history``: ``/diff/…`` and the Atom feeds ``/feed``, ``/feed/…``.
- ``mementos``: ``/memento/{stamp}/…`` and ``/timemap/…`` (Memento, RFC 7089).
- ``revisions``: ``POST /id/{article}/revisions`` on a writable server (before ``resources``).
- ``resources``: every minted IRI (the catch-all ``/id/{rest:path}``: last).
"""
