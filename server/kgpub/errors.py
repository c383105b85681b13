"""Domain errors, raised by core modules and mapped to HTTP in one place.

Core modules (store, validation, sources) raise these and never know about
HTTP; the web layer and the CLI translate them to status codes and exit codes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kgpub.shacl.report import ValidationReport


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


class PatchSyntaxError(RdfSyntaxError):
    """An RDF Patch (``text/rdf-patch``) that breaks its grammar (HTTP 400).

    An RDF syntax error like any other, so ``line``/``column`` locate the fault;
    its own class lets a writer tell a bad patch from a bad document.
    """


class CommentInSourceError(KgpubError):
    """``kgpub fmt`` was asked to format a file with a comment, which formatting would drop.

    The formatter rebuilds a file from its triples, and a comment is no triple: an
    editor's note would vanish silently. Refusing, with the file and line, keeps it.
    """

    def __init__(self, source: str, line: int, column: int) -> None:
        self.source = source
        self.line = line
        self.column = column
        super().__init__(
            f"{source}:{line}:{column}: has a comment, which formatting would drop;"
            " keep the note as data (skos:editorialNote or rdfs:comment) and format again"
        )


class SourceNotFoundError(KgpubError):
    """A file named as input does not exist or cannot be read."""


class NothingFoundError(SourceNotFoundError):
    """A project folder, named or found, that yields no data or no shapes: every command
    that reads it fails (exit 2) rather than report success on nothing."""


class ArticleLayoutError(KgpubError):
    """An article folder cannot be read as one: no text, a bad sidecar, a graph name twice."""


class AnchorError(KgpubError):
    """A quote cannot be anchored in an article's text: not found, or found more than once."""


class QuerySyntaxError(KgpubError):
    """A SPARQL query or update could not be parsed."""

    @classmethod
    def located(cls, text: str, message: str) -> QuerySyntaxError:
        """pyoxigraph's ``error at L:C: reason`` for ``text``, with the line it names
        (the text around the column) and a caret under the column (``point_at``)."""
        return cls(point_at(text, message))


_PARSER_AT = re.compile(r"\berror at (\d+):(\d+): ")
_AROUND = 36
"""Characters shown either side of the column when the line is longer than twice that."""


def point_at(text: str, message: str) -> str:
    """``message`` (a parser's ``error at L:C: reason``) with the place in ``text`` under it,
    the line numbered and a caret under the column::

        error at 1:1: expected CONSTRUCT
          1 | SELEC * WHERE { ?s ?p ?o }
            | ^

    A long line is cut to the text around the column; a message without a
    location is returned as it is. The first line stays pyoxigraph's own.
    """
    found = _PARSER_AT.search(message)
    if found is None:
        return message
    line_no, column = int(found[1]), int(found[2])
    lines = text.splitlines()
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    start, end = 0, len(line)
    if len(line) > 2 * _AROUND:
        start, end = max(0, column - 1 - _AROUND), column - 1 + _AROUND
    head = "…" if start else ""
    shown = line[start:end].replace("\t", " ")
    tail = "…" if end < len(line) else ""
    gutter = " " * len(str(line_no))
    caret = " " * (len(head) + column - 1 - start) + "^"
    return f"{message}\n  {line_no} | {head}{shown}{tail}\n  {gutter} | {caret}"


class DataNotConformingError(KgpubError):
    """Data failed SHACL validation where conformance is required."""

    def __init__(self, report_text: str) -> None:
        self.report_text = report_text
        super().__init__("data does not conform to the shapes")


class ProtocolError(KgpubError):
    """A request breaks the SPARQL 1.1 Protocol; the web layer picks the status."""

    def __init__(self, message: str) -> None:
        self.detail = message
        super().__init__(message)


class MalformedRequestError(ProtocolError):
    """Ambiguous or malformed parameters, or a body that is not UTF-8 (HTTP 400)."""


class UnsupportedMediaTypeError(ProtocolError):
    """A POST body with a missing or wrong Content-Type (HTTP 415)."""


class RequestTooLargeError(ProtocolError):
    """A request body over the configured limit (HTTP 413)."""


class UpdateRefusedError(ProtocolError):
    """A well-formed update sent to the read-only endpoint (HTTP 403).

    It carries the update and the request's parameters (``using-graph-uri``…),
    so that a writable deployment can run it instead of refusing it.
    """

    def __init__(
        self, message: str, update: str = "", params: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.update = update
        self.params = params
        super().__init__(message)


class QueryRefusedError(ProtocolError):
    """A well-formed query the endpoint will not run, such as federated SERVICE (HTTP 400)."""


class UnsafeInputError(KgpubError):
    """Input refused before parsing: nested too deeply, a DTD, a remote JSON-LD context (HTTP 400).

    The parsers would crash the process, run for minutes or fetch a URL the
    sender chose, so ``kgpub.guards`` refuses such input without parsing it.
    """

    def __init__(self, message: str) -> None:
        self.detail = message
        super().__init__(message)


class NotAcceptableError(ProtocolError):
    """No representation matches the Accept header or ``format`` (HTTP 406)."""

    def __init__(self, message: str, offered: list[str]) -> None:
        self.offered = offered
        super().__init__(message)


class ResultTooLargeError(KgpubError):
    """A query result over the configured row or byte limit (HTTP 422)."""


class QueryTimeoutError(KgpubError):
    """A query still running at its deadline; its worker was killed (HTTP 503).

    ``retry_after`` is the number of seconds a client should wait before trying again.
    """

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class QueryWorkerError(KgpubError):
    """A query worker process died or could not start (HTTP 500): a server fault."""


class ResourceNotFoundError(KgpubError):
    """An IRI under the base that the dataset never mentions (HTTP 404)."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        super().__init__(f"the dataset says nothing about <{iri}>")


class NoHistoryError(ResourceNotFoundError):
    """An IRI asked for a history it does not have (HTTP 404): a TimeMap or memento of an
    IRI no article with recorded revisions covers, a diff or feed of one that is no such
    article.

    A :class:`ResourceNotFoundError`, answered like any 404 (a page for browsers,
    problem+json for the rest); the resource itself may well exist, which ``reason`` says.
    """

    def __init__(self, iri: str, reason: str | None = None) -> None:
        super().__init__(iri)
        self.args = (
            f"<{iri}> "
            + (
                reason
                or "has no history: no article with recorded revisions covers it, "
                "so it has no TimeMap and no mementos"
            ),
        )


class BackendError(KgpubError):
    """The remote SPARQL backend failed, cannot be reached or answered nonsense (HTTP 502)."""


class BackendTimeoutError(BackendError):
    """The remote SPARQL backend did not answer within ``backend_timeout`` (HTTP 504)."""


class BackendQueryError(QuerySyntaxError):
    """The remote SPARQL backend refused a query as malformed or unsupported (HTTP 400)."""


class ConfigurationError(KgpubError):
    """Settings that cannot work together, found before serving (``kgpub serve`` exits 2)."""


class StoreUnreadableError(KgpubError):
    """An on-disk store that cannot be opened: damaged files, or not a store at all
    (``kgpub serve`` exits 2 with the one line; never served, never a traceback)."""


class StoreUnverifiedError(KgpubError):
    """An on-disk store whose data kgpub did not validate as it stands, with
    ``KGPUB_UNVERIFIED_STORE=refuse`` (``kgpub serve`` exits 2 naming the store)."""


class AuthenticationRequiredError(KgpubError):
    """A write without bearer credentials (HTTP 401, ``WWW-Authenticate: Bearer``)."""


class AccessDeniedError(KgpubError):
    """A write whose bearer token is not the configured one (HTTP 403)."""


class GraphNotFoundError(KgpubError):
    """A Graph Store Protocol request for a named graph the store does not have (HTTP 404)."""


class UpdateFailedError(KgpubError):
    """A well-formed SPARQL Update that cannot be applied, e.g. DROP of a missing graph (400)."""


class WriteRejectedError(KgpubError):
    """A write that would leave the data breaking a Violation shape (HTTP 422).

    Nothing was written; ``report`` is the SHACL report of the state the write
    would have made, sent back so the writer sees which shapes failed and where.
    """

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        count = len(report.violations)
        super().__init__(
            f"the write would leave {count} SHACL violation(s) in the data; nothing was written"
        )


class PreconditionFailedError(KgpubError):
    """A write whose ``If-Match``/``If-None-Match`` does not hold (HTTP 412); nothing written."""


class PreconditionRequiredError(KgpubError):
    """A write that must name the state it changes and did not: a ``PATCH`` without
    ``If-Match`` (HTTP 428, RFC 6585 §3); nothing was written."""


class PatchConflictError(KgpubError):
    """An RDF Patch whose rows do not fit the graph it is applied to (HTTP 409): a ``D`` of a
    quad the graph lacks, an ``A`` of one it has, a row for another graph, a blank node in an
    article's graph. The message names the row; nothing was written."""


class UnrecordedWriteError(KgpubError):
    """A Graph Store PUT, POST or DELETE or a SPARQL Update that would change a graph of an
    article with history (HTTP 409): such graphs change only by a revision (``PATCH`` with
    ``If-Match``, or ``kgpub revise``), so no change is ever left without its record."""


class ProtectedGraphError(KgpubError):
    """A write to the history graph itself (HTTP 403): its records are written only together
    with the revisions they record."""


class UnrepresentableDataError(KgpubError):
    """Input holding a character XML 1.0 cannot carry (U+0000, most C0 controls,
    U+FFFE/U+FFFF, lone surrogates): refused, since no RDF/XML or SPARQL XML
    answer could ever serve it (HTTP 400)."""


class ValidationLimitError(KgpubError):
    """An upload to ``/validate`` past a limit: too many triples, or more memory or
    nesting than its worker may use (HTTP 422); the message names the limit."""


class ValidationTimeoutError(QueryTimeoutError):
    """A ``/validate`` that did not finish by ``KGPUB_VALIDATE_TIMEOUT`` (HTTP 503)."""


class SearchIndexUnavailableError(QueryTimeoutError):
    """The search index is still being built after start-up, or could not be (HTTP 503,
    with ``Retry-After``)."""


class StorageFullError(KgpubError):
    """A write the disk has no room for (HTTP 507 Insufficient Storage); nothing was
    written, the store is intact and reads go on."""


class HistoryError(KgpubError):
    """An article's revision history is inconsistent: a broken chain, a hash that does not match."""


class AnchorMismatchError(KgpubError):
    """A text anchor does not select its own quote in the text it claims to point into.

    Re-anchoring starts from where the evidence *was*; an anchor whose position
    and quote disagree in the old text has no defined old span to follow, so it
    is refused rather than re-anchored from a guess.
    """


class RevisionRefusedError(KgpubError):
    """A revision that cannot be committed as asked: a no-op, a decision for a claim that
    needs none or on an unknown claim, a correction without a note, an article without a
    history to continue. Nothing was written."""


class UndecidedClaimsError(RevisionRefusedError):
    """Claims whose evidence was modified or orphaned and that have no editor's decision.

    A revision never decides for the editor whether a changed claim still holds:
    it is refused until every such claim is decided ``updated``, ``retracted`` or
    ``kept`` (docs/revisions.md, "The model")."""

    def __init__(self, claims: list[str]) -> None:
        self.claims = claims
        names = ", ".join(f"<{c}>" for c in claims)
        super().__init__(
            f"{len(claims)} claim(s) need a decision (updated, retracted or kept): {names}"
        )


class RevisionInputError(KgpubError):
    """An editor's revision request that cannot be read: a decision or a span not written
    ``CLAIM=VALUE``, an unknown decision or kind, a text that is not UTF-8 (HTTP 400)."""
