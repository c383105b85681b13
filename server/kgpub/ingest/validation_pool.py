"""The parent side of ``POST /validate``: each upload in a killable worker process.

``kgpub.ingest.validation_worker`` explains why validation runs in a process
of its own. Here the server hands an upload to one, within a deadline that
includes waiting for a free slot (``KGPUB_VALIDATE_WORKERS`` validations run
at once): at the deadline the process is killed (SIGKILL, the CPU is freed)
and the client gets 503 with ``Retry-After``, as for queries
(``kgpub.sparql.executor``, whose process context and pipe reading this
reuses). A worker serves one upload and exits, so the memory pySHACL holds
is always returned. Workers are forked from a template process that has
imported pySHACL and compiled the served shapes (``ingest.validation_template``),
so an upload does not wait for either; the template is started at the first
upload, and again when the served shapes change or it died. Nothing starts
before the first upload.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field

import anyio
import anyio.to_thread
import pyoxigraph as ox

from kgpub import errors, metrics
from kgpub.config import Settings
from kgpub.errors import KgpubError, QueryWorkerError, ValidationLimitError, ValidationTimeoutError
from kgpub.ingest import validation_template, validation_worker
from kgpub.ingest.validation_template import Fork, Forked
from kgpub.ingest.validation_worker import Prepare, Ready, Refused, Rendered, ValidationJob
from kgpub.shacl.conformance import Conformance
from kgpub.sparql.image_handle import ForkedProcess
from kgpub.sparql.processes import (
    PROCESS_CONTEXT,
    WorkerHandle,
    hand_over,
    receive,
    start_process,
)


@dataclass(eq=False)
class _Template:
    """The template process, the shapes it prepared for, and the lock that keeps one fork
    exchange at a time on its control pipe."""

    handle: WorkerHandle
    served: tuple[bytes, bytes] | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ValidationPool:
    """Runs uploads' validations in worker processes, within the configured limits."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._slots = anyio.Semaphore(max(1, settings.validate_workers))
        self._template: _Template | None = None
        self._starting = asyncio.Lock()
        self._against: tuple[Conformance, bytes, bytes] | None = None

    async def validate(
        self,
        body: bytes,
        content_type: str | None,
        against: Conformance,
        *,
        report_format: str,
        lang: str,
        languages: tuple[str, ...],
    ) -> Rendered:
        """The rendered report, or the domain error the upload deserves."""
        settings = self._settings
        shapes, ontology = await self._shapes(against)
        job = ValidationJob(
            body,
            content_type,
            shapes,
            ontology,
            report_format,
            lang,
            languages,
            settings.base_iri,
            settings.max_query_depth,
            settings.validate_max_triples,
        )
        timeout = settings.validate_timeout
        taken: WorkerHandle | None = None
        try:
            with anyio.fail_after(timeout), metrics.VALIDATION_SECONDS.labels("upload").time():
                async with self._slots:
                    taken = await self._take()
                    taken.conn.send(job)
                    reply = await receive(taken.conn)
        except TimeoutError:
            raise ValidationTimeoutError(
                f"the validation did not finish within {timeout:g} s (KGPUB_VALIDATE_TIMEOUT) "
                "and was stopped; validate smaller parts, or retry later if the server is busy",
                retry_after=max(1, math.ceil(timeout)),
            ) from None
        except (EOFError, OSError) as exc:
            # The worker died: its address space bound (pyoxigraph aborts), or a crash.
            raise ValidationLimitError(validation_worker.memory_message()) from exc
        finally:
            if taken is not None:
                taken.stop()
        if isinstance(reply, Refused):
            raise _rebuild(reply)
        if not isinstance(reply, Rendered):
            raise QueryWorkerError(f"a validation worker answered {type(reply).__name__}")
        return reply

    async def close(self) -> None:
        """Stop the template (running validations are stopped by their requests)."""
        if self._template is not None:
            self._template.handle.stop()
            self._template = None

    async def _shapes(self, against: Conformance) -> tuple[bytes, bytes]:
        """The shapes and vocabulary as N-Quads, serialised once per ``Conformance``."""
        cached = self._against
        if cached is None or cached[0] is not against:

            def dump() -> tuple[Conformance, bytes, bytes]:
                shapes = ox.serialize(against.shapes, format=ox.RdfFormat.N_QUADS) or b""
                ontology = ox.serialize(against.ontology, format=ox.RdfFormat.N_QUADS) or b""
                return against, shapes, ontology

            cached = self._against = await anyio.to_thread.run_sync(dump)
        return cached[1], cached[2]

    async def _take(self) -> WorkerHandle:
        """A worker forked from the template for the served shapes; a template that died
        is replaced once."""
        served = None if self._against is None else self._against[1:]
        template = await self._template_for(served)
        try:
            return await self._fork(template)
        except (EOFError, OSError):
            pass  # it died (``_fork`` dropped it): once more, from a new one
        try:
            return await self._fork(await self._template_for(served))
        except (EOFError, OSError) as exc:
            raise QueryWorkerError(f"the validation template did not fork ({exc!r})") from exc

    async def _template_for(self, served: tuple[bytes, bytes] | None) -> _Template:
        """The running template prepared for ``served``, started if there is none."""
        async with self._starting:
            kept = self._template
            if kept is not None and kept.served == served and kept.handle.process.is_alive():
                return kept
            if kept is not None:
                self._drop(kept)
            template = _Template(await self._start(served), served)
            self._template = template
            return template

    def _drop(self, template: _Template) -> None:
        template.handle.stop()
        if self._template is template:
            self._template = None

    async def _fork(self, template: _Template) -> WorkerHandle:
        """A worker forked by ``template``, its pipe and lifeline handed over as descriptors."""
        settings = self._settings
        fork = Fork(settings.validate_memory_bytes, math.ceil(settings.validate_timeout) + 5)
        parent, child = PROCESS_CONTEXT.Pipe()
        lifeline_end, lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
        control, pid = template.handle.conn, template.handle.process.pid
        assert pid is not None
        try:
            async with template.lock:
                forked = await hand_over(control, pid, fork, child, lifeline_end)
        except BaseException:
            parent.close()
            lifeline.close()
            # Cut off mid-exchange (the deadline): its answer would be read by the next fork.
            self._drop(template)
            raise
        finally:
            child.close()
            lifeline_end.close()
        if not isinstance(forked, Forked):
            raise QueryWorkerError(f"the validation template answered {type(forked).__name__}")
        return WorkerHandle(ForkedProcess(forked.pid), parent, lifeline)

    async def _start(self, served: tuple[bytes, bytes] | None) -> WorkerHandle:
        """A template, ready (warm for ``served``) before it is returned."""
        settings = self._settings
        parent, child = PROCESS_CONTEXT.Pipe()
        lifeline_end, lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
        idle = settings.validate_priority == "idle"
        process = await start_process(
            validation_template.serve_template,
            (child, lifeline_end, idle),
            "kgpub-validation-template",
        )
        child.close()
        lifeline_end.close()
        started = WorkerHandle(process, parent, lifeline)
        try:
            # A pipe holds 64 KiB: the shapes are sent from a thread while the template reads.
            await anyio.to_thread.run_sync(parent.send, Prepare(served))
            ready = await receive(parent)
        except (EOFError, OSError) as exc:
            started.stop()
            raise QueryWorkerError(f"a validation template did not start ({exc!r})") from exc
        except BaseException:
            started.stop()
            raise
        if not isinstance(ready, Ready):
            started.stop()
            raise QueryWorkerError("a validation template did not report ready")
        return started


def _rebuild(refused: Refused) -> KgpubError:
    """The worker's domain error in this process: same class, same message."""
    cls = getattr(errors, refused.error, None)
    if not (isinstance(cls, type) and issubclass(cls, KgpubError)):
        return QueryWorkerError(f"the validation failed in its worker: {refused.message}")
    try:
        return cls(refused.message)
    except TypeError:
        # Classes with more fields (RdfSyntaxError): the message is what the client sees.
        error = cls.__new__(cls)
        Exception.__init__(error, refused.message)
        return error
