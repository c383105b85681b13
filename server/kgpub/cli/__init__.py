"""The ``kgpub`` command line.

- ``main``: the commands; ``exit_codes``: what each exit status means.
- ``store_commands``: ``load``, ``dump``, ``query``; ``export``: their output formats.
- ``project``: which project folder a command uses, and saying so (and what it read).
- ``authoring``: ``init``, ``new``, ``anchor`` (docs/authoring.md).
- ``serving``: how ``kgpub serve`` runs uvicorn; ``http_workers``: ``--workers N``.
- ``lingering_close``: closing a connection mid-body without losing the answer.
- ``revise``: ``kgpub revise ARTICLE NEW_TEXT --dry-run``, each claim's evidence re-anchored.
"""
