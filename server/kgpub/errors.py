"""Domain errors, raised by core modules and mapped to HTTP in one place.

Core modules (store, validation, sources) raise these and never know about
HTTP; the web layer and the CLI translate them to status codes and exit codes.
"""

from __future__ import annotations


class KgpubError(Exception):
    """Base of every error kgpub raises on purpose."""


class RdfSyntaxError(KgpubError):
    """An RDF document could not be parsed; ``line``/``column`` locate the fault."""

    def __init__(
        self, source: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.detail = message
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class SourceNotFoundError(KgpubError):
    """A file named as input does not exist or cannot be read."""


class QuerySyntaxError(KgpubError):
    """A SPARQL query or update could not be parsed."""


class DataNotConformingError(KgpubError):
    """Data failed SHACL validation where conformance is required."""

    def __init__(self, report_text: str) -> None:
        self.report_text = report_text
        super().__init__("data does not conform to the shapes")
