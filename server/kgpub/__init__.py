"""kgpub publishes what a news article says as Linked Data.

The package is split by job: ``config`` (settings), ``sources`` (which files
form the published dataset), ``store`` (the pyoxigraph query engine),
``validation`` (SHACL), ``formatting`` (the one Turtle formatter) and ``cli``.
"""

__version__ = "0.1.0"
