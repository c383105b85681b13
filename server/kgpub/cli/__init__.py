"""The ``kgpub`` command line.

- ``main``: the commands; ``exit_codes``: what each exit status means.
- ``store_commands``: ``load``, ``dump``, ``query``; ``export``: their output formats.
- ``serving``: how ``kgpub serve`` runs uvicorn; ``http_workers``: ``--workers N``.
"""
