"""HTTP routes: thin adapters from requests to the core modules.

- ``sparql``: the query operation, the service description and the editor.
- ``update``: SPARQL Update (only where writes are on).
- ``graph_store``: the Graph Store HTTP Protocol.
- ``validate``: ``POST /validate``.
- ``void``: ``/.well-known/void`` (a page for browsers).
- ``pages``: the home page at ``/`` and query results as a table, for browsers.
- ``claims_rdf12``: ``/graph/article/rdf12``, the claims as RDF 1.2 (before ``resources``).
- ``claims_rdf12``: the article's claims as RDF 1.2.
- ``resources``: every minted IRI (the catch-all ``/id/{rest:path}``: last).
"""
