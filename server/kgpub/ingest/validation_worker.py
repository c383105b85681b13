"""The validation worker process: one ``POST /validate`` upload, then exit.

``/validate`` is open to anyone, and pySHACL on hostile input can run for
minutes, hold gigabytes that are never given back, or recurse past Python's
stack (a 1,000-step ``rdfs:subClassOf`` chain). So each upload is validated
in a process of its own (``kgpub.ingest.validation_pool`` is the parent
side): at idle CPU priority (SCHED_IDLE), so queries come first; under an address-space
bound (RLIMIT_AS), so memory cannot run away; with a large thread stack and
recursion limit, so deep hierarchies validate instead of failing; and the
parent kills it with SIGKILL at the deadline, which really frees the CPU.
One upload per process means all its memory is returned when it exits.

Workers are forked, warm, from one template process
(``kgpub.ingest.validation_template``). A worker counts the upload's triples
before validating (a limit), then
calls ``kgpub.shacl.conformance.validate_upload`` as the server always did,
and renders the report itself, so only the answer's bytes travel back.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kgpub import guards
from kgpub.errors import KgpubError, ValidationLimitError
from kgpub.ld import pages
from kgpub.rdf.formats import HTML, JSON_LD, TURTLE, named
from kgpub.rdf.serialization import serialize
from kgpub.shacl.conformance import Conformance, report_quads, upload_format, validate_upload
from kgpub.shacl.report import ValidationReport

# Deep class hierarchies and long lists make pySHACL and rdflib recurse: give
# them room (the stack is address space, within the RLIMIT_AS bound).
_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 200_000
_NICENESS = 19


@dataclass(frozen=True)
class ValidationJob:
    """One upload, the served shapes and vocabulary (N-Quads), and how to answer."""

    body: bytes
    content_type: str | None
    shapes: bytes
    ontology: bytes
    report_format: str
    """A report format's short name (``turtle``, ``jsonld``, ``html``)."""
    lang: str
    """The HTML page's language."""
    languages: tuple[str, ...]
    """The messages' languages, most wanted first (``shacl.messages``)."""
    base_iri: str
    max_depth: int
    max_triples: int


@dataclass(frozen=True)
class Rendered:
    """The report, ready to send."""

    content_type: str
    body: bytes


@dataclass(frozen=True)
class Refused:
    """A domain error, rebuilt by the parent from its class name and message."""

    error: str
    message: str


@dataclass(frozen=True)
class Ready:
    """Sent once the template has imported pySHACL and warmed up."""

    pid: int


def count_triples(job: ValidationJob) -> None:
    """``ValidationLimitError`` past ``max_triples``, counted without keeping them."""
    fmt = upload_format(job.content_type)
    guards.check_rdf(job.body, fmt, "request body", job.max_depth)
    try:
        parsed = ox.parse(job.body, format=fmt, base_iri=None)
        count = sum(1 for _ in itertools.islice(parsed, job.max_triples + 1))
    except (SyntaxError, ValueError):
        return  # validate_upload reports the parser's located message
    if count > job.max_triples:
        raise ValidationLimitError(
            f"the upload holds more than {job.max_triples} triples, the limit of "
            "KGPUB_VALIDATE_MAX_TRIPLES; validate it in parts, or with kgpub validate"
        )


def _rows(report: ValidationReport, languages: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    return [
        (
            str(r.severity).rsplit("#", 1)[-1],
            str(r.focus),
            str(r.path or ""),
            r.message_in(languages),
        )
        for r in sorted(report.results, key=lambda r: (str(r.focus), str(r.path)))
    ]


@dataclass(frozen=True)
class Warm:
    """The served shapes and vocabulary the template prepared for, inherited by its workers."""

    shapes: bytes
    ontology: bytes
    against: Conformance


def warm_up(shapes: bytes, ontology: bytes) -> Warm:
    """Compile the shapes and run pySHACL once on nothing: what every upload would repeat.

    About 0.15 s per upload (compiling the shapes, parsing them into pySHACL's
    ``ShapesGraph``, the vocabulary's inoculation); the template does it once,
    so an upload against the same shapes pays only its own validation.
    """
    from kgpub.shacl.validate import validate_quads  # noqa: PLC0415 - the worker's own import

    against = _conformance(shapes, ontology)
    validate_quads([], against.shapes, against.ontology)
    return Warm(shapes, ontology, against)


def _conformance(shapes: bytes, ontology: bytes) -> Conformance:
    return Conformance(
        tuple(ox.parse(shapes, format=ox.RdfFormat.N_QUADS)),
        tuple(ox.parse(ontology, format=ox.RdfFormat.N_QUADS)),
        None,
    )


def run_job(job: ValidationJob, warm: Warm | None = None) -> Rendered | Refused:
    """Validate and render one upload; every failure as a ``Refused``."""
    try:
        count_triples(job)
        if warm is not None and (warm.shapes, warm.ontology) == (job.shapes, job.ontology):
            against = warm.against  # the same tuples: the validator compiled for them
        else:
            against = _conformance(job.shapes, job.ontology)
        report = validate_upload(job.body, job.content_type, against, max_depth=job.max_depth)
        rep = named(job.report_format, (TURTLE, JSON_LD, HTML))
        if rep is HTML:
            page = pages.report_page(_rows(report, job.languages), report.conforms, job.lang)
            return Rendered(rep.content_type, page.encode())
        quads = report_quads(report, job.languages)
        return Rendered(rep.content_type, serialize(quads, rep.name, job.base_iri))
    except KgpubError as exc:
        return Refused(type(exc).__name__, str(exc))
    except RecursionError:
        return Refused(
            "ValidationLimitError",
            "the upload nests too deeply to validate (a class hierarchy or list deeper than "
            f"{_RECURSION_LIMIT:,} steps); validate it in parts",
        )
    except MemoryError:
        return Refused("ValidationLimitError", memory_message())


def memory_message() -> str:
    """What a validation that ran out of its address space is told."""
    return (
        "validating the upload needed more memory than a validation may use "
        "(KGPUB_VALIDATE_MEMORY_BYTES); validate it in parts, or with kgpub validate"
    )


def _in_deep_thread(job: ValidationJob, warm: Warm | None) -> Rendered | Refused:
    answer: list[Rendered | Refused] = []
    sys.setrecursionlimit(_RECURSION_LIMIT)
    threading.stack_size(_STACK_BYTES)
    thread = threading.Thread(
        target=lambda: answer.append(run_job(job, warm)), name="kgpub-validate"
    )
    try:
        thread.start()
    except RuntimeError:  # no room for the stack under the address-space bound
        return Refused("ValidationLimitError", memory_message())
    thread.join()
    return answer[0] if answer else Refused("ValidationLimitError", memory_message())


def yield_the_cpu() -> None:
    """Run only when nothing else wants the CPU (Linux SCHED_IDLE), else at niceness 19:
    a validation must never make a query wait."""
    os.nice(_NICENESS)
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


@dataclass(frozen=True)
class Prepare:
    """The first message to the template: the served shapes and vocabulary, if known yet.

    Sent through the pipe, not as the process's arguments: a parent shutting
    down mid-start then leaves a template that simply ends (``EOFError``), not
    one that fails to unpickle its own arguments.
    """

    served: tuple[bytes, bytes] | None


def answer_one(conn: Connection, memory_bytes: int, cpu_seconds: int, warm: Warm | None) -> None:
    """Bound this process's memory, take one job from ``conn`` and answer it.

    Run by each worker the template forks (``ingest.validation_template``), warm
    for the shapes the template prepared for.
    """
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        job: ValidationJob = conn.recv()
    except (EOFError, OSError):
        return
    # A backstop should the parent be unable to kill it: the kernel ends it then.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    conn.send(_in_deep_thread(job, warm))
