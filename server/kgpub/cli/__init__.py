"""The ``kgpub`` command line.

- ``main``: the commands and their exit codes.
- ``store_commands``: ``load``, ``dump``, ``query``; ``export``: their output formats.
- ``serving``: how ``kgpub serve`` runs uvicorn; ``http_workers``: ``--workers N``.
"""
