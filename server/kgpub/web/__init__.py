"""The HTTP face of kgpub (FastAPI); every other layer is framework-free.

- ``app``: ``create_app``, the lifespan and the one ordered route table.
- ``http_errors``: the one place domain errors become HTTP responses.
- ``services``: the typed services every route reaches (``services(request)``).
- ``documents``: how RDF documents at fixed paths (VoID, the RDF 1.2 view) answer.
- ``page_cache``: rendered resource answers per store version, with their ETags.
- ``conditional``: ETag, Last-Modified, Cache-Control and 304 for every GET answer.
- ``multipart``: ``multipart/form-data`` Graph Store bodies, one RDF document a part.
- ``body``, ``liveness``, ``server_timing``, ``host_header``, ``openapi``: request
  bodies under limits, stopping a hung-up client's query, timing headers, ``Host``
  required, answer schemas.
- ``operations``: ``/healthz``, ``/readyz``, ``/metrics`` and the request counter.
- ``routes``: thin adapters from requests to the layers below.
- ``time_gate``: every IRI with history is its own Memento TimeGate (``Accept-Datetime``).
"""
