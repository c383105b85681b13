"""The parent side of ``POST /validate``: each upload in a killable worker process.

``kgpub.ingest.validation_worker`` explains why validation runs in a process
of its own. Here the server hands an upload to one, within a deadline that
includes waiting for a free slot (``KGPUB_VALIDATE_WORKERS`` validations run
at once): at the deadline the process is killed (SIGKILL, the CPU is freed)
and the client gets 503 with ``Retry-After``, as for queries
(``kgpub.sparql.executor``, whose process context and pipe reading this
reuses). A worker serves one upload and exits, so the memory pySHACL holds
is always returned; a spare is started in advance so the next upload does
not wait for pySHACL to import, nor, once an upload has been validated, for
the served shapes to be compiled (``validation_worker.warm_up``). Nothing
starts before the first upload.
"""

from __future__ import annotations

import asyncio
import contextlib
import math

import anyio
import anyio.to_thread
import pyoxigraph as ox

from kgpub import errors, metrics
from kgpub.config import Settings
from kgpub.errors import KgpubError, QueryWorkerError, ValidationLimitError, ValidationTimeoutError
from kgpub.ingest import validation_worker
from kgpub.ingest.validation_worker import Prepare, Ready, Refused, Rendered, ValidationJob
from kgpub.shacl.conformance import Conformance
from kgpub.sparql.processes import PROCESS_CONTEXT, WorkerHandle, receive, start_process


class ValidationPool:
    """Runs uploads' validations in worker processes, within the configured limits."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._slots = anyio.Semaphore(max(1, settings.validate_workers))
        self._spares: list[WorkerHandle] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._against: tuple[Conformance, bytes, bytes] | None = None
        self._closed = False

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
        """Stop the spares (running validations are stopped by their requests)."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for spare in self._spares:
            spare.stop()
        self._spares.clear()

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
        """A ready worker (a spare, else a new one), and a spare started for the next."""
        taken = self._spares.pop() if self._spares else await self._start()
        if not self._closed and not self._tasks:
            task = asyncio.get_running_loop().create_task(self._add_spare())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return taken

    async def _add_spare(self) -> None:
        with contextlib.suppress(QueryWorkerError):
            spare = await self._start()
            if self._closed or len(self._spares) >= max(1, self._settings.validate_workers):
                spare.stop()
            else:
                self._spares.append(spare)

    async def _start(self) -> WorkerHandle:
        settings = self._settings
        parent, child = PROCESS_CONTEXT.Pipe()
        lifeline_end, lifeline = PROCESS_CONTEXT.Pipe(duplex=False)
        cpu_seconds = math.ceil(settings.validate_timeout) + 5
        # A spare prepares for the shapes the last upload was validated against.
        served = None if self._against is None else self._against[1:]
        idle = settings.validate_priority == "idle"
        args = (child, lifeline_end, settings.validate_memory_bytes, cpu_seconds, idle)
        process = await start_process(validation_worker.serve, args, "kgpub-validation-worker")
        child.close()
        lifeline_end.close()
        started = WorkerHandle(process, parent, lifeline)
        try:
            # A pipe holds 64 KiB: the shapes are sent from a thread while the worker reads.
            await anyio.to_thread.run_sync(parent.send, Prepare(served))
            ready = await receive(parent)
        except (EOFError, OSError) as exc:
            started.stop()
            raise QueryWorkerError(f"a validation worker did not start ({exc!r})") from exc
        except BaseException:
            started.stop()
            raise
        if not isinstance(ready, Ready):
            started.stop()
            raise QueryWorkerError("a validation worker did not report ready")
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
