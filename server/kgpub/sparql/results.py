"""Running a query and writing its result, within the configured result limits.

One function serves the endpoint's worker processes, the remote backend and
``kgpub query``: it runs the query, picks the representation by content
negotiation once the kind of result is known, and writes it to a file-like
output while counting. A result over ``max_bytes`` bytes, or a graph over
``max_rows`` triples, stops with ``ResultTooLargeError`` as soon as the limit is
crossed, so a client asking for the whole store costs the server the limit, not
the store; solutions are counted against ``max_rows`` as below.

pyoxigraph's serialisers cannot count rows, and solutions cannot be counted on
their way in. So solutions are written once, straight in the negotiated format,
into a buffer, and counted only when its size says they could be over the row
limit: a solution takes at least 2 bytes in SPARQL JSON or CSV and 17 in XML,
so a JSON result under 2 MB cannot hold more than a million rows. A larger one
is read back with pyoxigraph's parser and counted before it is sent, and one
stopped by the byte limit is counted as far as it got, so that too many rows is
reported as such. SPARQL TSV has one line per solution (newlines in literals are
escaped) and is counted as written, stopping at the row that crosses the limit.
Graphs are counted on their way into the serialiser.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, cast

import pyoxigraph as ox

from kgpub.errors import KgpubError, NotAcceptableError, ResultTooLargeError
from kgpub.rdf import representable
from kgpub.rdf.conneg import choose
from kgpub.rdf.formats import (
    RDF_FORMATS,
    RESULT_FORMATS,
    Representation,
    rdf_format,
    results_format,
)
from kgpub.sparql.operation import QueryOperation
from kgpub.store.protocol import QueryResult, QueryStore


@dataclass(frozen=True)
class ResultLimits:
    """The largest result the endpoint writes; 0 means no limit."""

    max_rows: int = 0
    max_bytes: int = 0


@dataclass(frozen=True)
class Written:
    """What was written: its representation, size, and the time the engine took."""

    representation: Representation
    rows: int
    size: int
    engine_seconds: float


class LimitedOutput(io.RawIOBase):
    """A writable stream that refuses to grow past ``max_bytes`` (0: unlimited).

    With ``max_rows``, it counts lines too, for SPARQL TSV where each solution
    is one line after the header: a result stops as soon as it has one row too many.
    """

    def __init__(
        self,
        target: IO[bytes],
        max_bytes: int,
        max_rows: int = 0,
        xml: Representation | None = None,
        offered: tuple[Representation, ...] = (),
    ) -> None:
        super().__init__()
        self._target = target
        self._max_bytes = max_bytes
        self._max_lines = max_rows + 1 if max_rows else 0
        self._xml = xml
        self._offered = offered
        self._tail = b""
        self.size = 0
        self.lines = 0
        self.refused = b""
        """The write that crossed the byte limit (kept to count the rows it held)."""

    def writable(self) -> bool:
        return True

    def written(self) -> memoryview:
        """What was written, when the target is a ``BytesIO`` (a buffer kept to check)."""
        assert isinstance(self._target, io.BytesIO)
        return self._target.getbuffer()

    def as_io(self) -> IO[bytes]:
        """This stream as the ``IO[bytes]`` that pyoxigraph's serialisers are typed to take."""
        return cast("IO[bytes]", self)

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(data)
        if self._max_lines:
            self.lines += bytes(data).count(b"\n")
            if self.lines > self._max_lines:
                raise ResultTooLargeError(
                    f"the result has more than {self._max_lines - 1} rows, the endpoint's "
                    "limit; add a LIMIT or narrow the query"
                )
        if self._max_bytes and self.size + size > self._max_bytes:
            self.refused = bytes(data)
            raise ResultTooLargeError(
                f"the result is larger than {self._max_bytes} bytes, the endpoint's limit; "
                "add a LIMIT or narrow the query"
            )
        if self._xml is not None:
            self._check_xml(bytes(data))
        self._target.write(data)
        self.size += size
        return size

    def _check_xml(self, data: bytes) -> None:
        """``NotAcceptableError`` before writing a character an XML document cannot hold.

        The last two bytes of each chunk are kept, as U+FFFE's three may be split.
        """
        not_xml = representable.xml_breaker(self._tail + data)
        self._tail = data[-2:]
        if not_xml is None:
            return
        assert self._xml is not None
        raise NotAcceptableError(
            f"this result cannot be written as {self._xml.media_type}: it holds {not_xml}, "
            "a character XML 1.0 cannot carry; ask for another format",
            offered=[r.media_type for r in self._offered if r is not self._xml],
        )


def check_acceptable(accept: str | None, format_param: str | None, form: str | None) -> None:
    """Raise ``NotAcceptableError`` when the result of a ``form`` query could not be sent.

    Called before a query runs, so a request for a format the query's form
    does not offer gets its 406 at once instead of after (or instead of)
    running the query. ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE; with
    ``None`` (not recognised) only a format no form offers is refused.
    """
    if form in ("SELECT", "ASK"):
        offers = RESULT_FORMATS
    elif form in ("CONSTRUCT", "DESCRIBE"):
        offers = RDF_FORMATS
    else:
        offers = RESULT_FORMATS + RDF_FORMATS
    choose(accept, format_param, offers)


def write_result(
    result: QueryResult,
    accept: str | None,
    format_param: str | None,
    output: IO[bytes],
    limits: ResultLimits,
) -> tuple[Representation, int, int]:
    """Serialise ``result`` to ``output``: (representation, rows, bytes).

    Raises ``NotAcceptableError`` before writing anything when no format of
    the result's kind is acceptable, and ``ResultTooLargeError`` past a limit.
    """
    graph = not isinstance(result, ox.QuerySolutions | ox.QueryBoolean)
    offers = RDF_FORMATS if graph else RESULT_FORMATS
    rep = choose(accept, format_param, offers)
    xml = rep if rep.media_type.endswith("+xml") else None
    out = LimitedOutput(output, limits.max_bytes, xml=xml, offered=offers)
    try:
        if isinstance(result, ox.QueryBoolean):
            result.serialize(out.as_io(), results_format(rep))
            rows = 0
        elif isinstance(result, ox.QuerySolutions):
            rows = _write_solutions(result, rep, out, limits)
        else:
            counter = _RowCounter(limits.max_rows)
            ox.serialize(counter.count(result), out.as_io(), rdf_format(rep))
            rows = counter.rows
    except (ValueError, OSError) as exc:
        # e.g. RDF 1.2 triple terms, which pyoxigraph cannot write as JSON-LD yet.
        raise NotAcceptableError(
            f"this result cannot be written as {rep.media_type}: {exc}",
            offered=[r.media_type for r in offers if r is not rep],
        ) from exc
    return rep, rows, out.size


def _write_solutions(
    result: ox.QuerySolutions, rep: Representation, out: LimitedOutput, limits: ResultLimits
) -> int:
    """Write solutions in one pass; rows are counted only when the size says they could
    be over the limit (-1: not counted, known to be within it)."""
    fmt = results_format(rep)
    if not limits.max_rows:
        result.serialize(out.as_io(), fmt)
        return -1
    if fmt == ox.QueryResultsFormat.TSV:
        # One line per solution: counted as written, stopping at the row that crosses.
        counted = LimitedOutput(io.BytesIO(), limits.max_bytes, limits.max_rows)
        result.serialize(counted.as_io(), fmt)
        out.write(counted.written())
        return counted.lines - 1
    buffer = LimitedOutput(io.BytesIO(), limits.max_bytes)
    try:
        result.serialize(buffer.as_io(), fmt)
    except ResultTooLargeError:
        # Past the byte limit: if the rows written so far are already too many, say so.
        if _count_rows(bytes(buffer.written()) + buffer.refused, fmt) > limits.max_rows:
            raise _too_many_rows(limits.max_rows) from None
        raise
    rows = -1
    if buffer.size >= _MIN_ROW_BYTES[fmt] * (limits.max_rows + 1):
        rows = _count_rows(buffer.written(), fmt)
        if rows > limits.max_rows:
            raise _too_many_rows(limits.max_rows)
    out.write(buffer.written())
    return rows


def _too_many_rows(max_rows: int) -> ResultTooLargeError:
    return ResultTooLargeError(
        f"the result has more than {max_rows} rows, the endpoint's limit; "
        "add a LIMIT or narrow the query"
    )


_MIN_ROW_BYTES = {
    ox.QueryResultsFormat.JSON: 2,
    ox.QueryResultsFormat.XML: 17,
    ox.QueryResultsFormat.CSV: 2,
}
"""The fewest bytes a solution takes in each format (a solution binding nothing: ``{}``,
``<result></result>``, an empty CSV line): a result smaller than ``max_rows + 1`` of
them cannot have more than ``max_rows`` rows, so only a larger one is counted."""


def _count_rows(written: bytes | memoryview, fmt: ox.QueryResultsFormat) -> int:
    """The whole solutions in a serialised result, or in its beginning when the byte
    limit cut it short: read back with pyoxigraph's own (streaming) parser, or for CSV,
    which it does not parse, by its line ends outside quoted values."""
    if fmt == ox.QueryResultsFormat.CSV:
        # Between an odd and the next even quote is inside a value ("" escapes a quote).
        outside = bytes(written).split(b'"')[::2]
        return max(0, sum(part.count(b"\r\n") for part in outside) - 1)  # the header line
    rows = 0
    try:
        parsed = ox.parse_query_results(bytes(written), fmt)
        assert isinstance(parsed, ox.QuerySolutions)
        for _ in parsed:
            rows += 1
    except SyntaxError:
        pass  # the end of a result cut short by the byte limit
    return rows


class _RowCounter:
    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.rows = 0

    def count(self, triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
        for triple in triples:
            self.rows += 1
            if self.max_rows and self.rows > self.max_rows:
                raise ResultTooLargeError(
                    f"the result has more than {self.max_rows} triples, the endpoint's limit; "
                    "add a LIMIT or narrow the query"
                )
            yield triple


def write_query(
    store: QueryStore,
    operation: QueryOperation,
    accept: str | None,
    format_param: str | None,
    output: IO[bytes],
    *,
    limits: ResultLimits,
) -> Written:
    """Run ``operation`` on ``store`` and write its result to ``output``."""
    started = time.perf_counter()
    result = store.query(operation.query, dataset=operation.dataset, base_iri=operation.base_iri)
    failure: KgpubError | None = None
    try:
        rep, rows, size = write_result(result, accept, format_param, output, limits)
    except KgpubError as exc:
        failure = exc
    # pyoxigraph results may only be dropped on the thread that made them, and
    # an exception's traceback would carry this one's frames (holding the
    # result) to whichever thread handles it: so the traceback is dropped here.
    del result
    if failure is not None:
        raise failure.with_traceback(None) from None
    return Written(rep, rows, size, time.perf_counter() - started)
