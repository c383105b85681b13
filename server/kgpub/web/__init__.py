"""The HTTP face of kgpub (FastAPI); every other layer is framework-free.

- ``app``: ``create_app``, the lifespan and the one ordered route table.
- ``http_errors``: the one place domain errors become HTTP responses.
- ``body``, ``liveness``, ``server_timing``, ``openapi``: request bodies under
  limits, stopping a hung-up client's query, timing headers, answer schemas.
- ``routes``: thin adapters from requests to the layers below.
"""
