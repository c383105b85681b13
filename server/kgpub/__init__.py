"""kgpub publishes what a news article says as Linked Data.

The package is split by layer (``docs/architecture.md`` is the map): the core
modules (``config``, ``errors``, ``guards``, ``lexer``, ``metrics``), then ``rdf``,
``store``, ``shacl`` and ``sparql``, ``ld``, ``ingest``, ``web`` and ``cli``,
each importing only from the layers below it.

The version has one source, the package metadata (``pyproject.toml``); the
ontology's ``owl:versionInfo`` is checked against it by the tests.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kgpub")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
