"""The validation template: the process ``POST /validate``'s workers are forked from.

Each upload is validated in a process of its own (``ingest.validation_worker``
says why). Started from the forkserver, that process had to import pySHACL and
compile the served shapes before it could begin, about 0.3 s of CPU here, so
uploads in a row each waited for it and ``/validate`` answered about three a
second. The template does that once: it imports pySHACL, warms up for the
served shapes (``validation_worker.warm_up``), then forks a worker per upload,
which starts warm at once and still validates one upload under its own bounds
and exits.

The template answers one message on its control pipe, ``Fork`` (the worker's
pipe and lifeline follow as file descriptors), with ``Forked``; EOF stops it.
The parent side is ``ingest.validation_pool``. Forking is safe here: the
template runs no thread but its lifeline's watcher (``sparql.worker.die_with_server``),
which holds no lock a worker needs, as in the query image (``sparql.memory_image``).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from kgpub.errors import KgpubError
from kgpub.ingest.validation_worker import Prepare, Ready, Warm, answer_one, warm_up, yield_the_cpu
from kgpub.sparql.worker import die_with_server, fork_serving, handed_pipes


@dataclass(frozen=True)
class Fork:
    """Fork a worker with these bounds; its pipe and lifeline follow as descriptors."""

    memory_bytes: int
    cpu_seconds: int


@dataclass(frozen=True)
class Forked:
    """The forked worker's process id (the parent kills it by this id at the deadline)."""

    pid: int


def serve_template(control: Connection, lifeline: Connection, idle: bool) -> None:
    """Get ready (for the served shapes, if ``Prepare`` names them), then fork a worker
    for each ``Fork`` until the control pipe closes. ``idle``: the template and so its
    workers run at idle CPU priority (``Settings.validate_priority``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_server(lifeline)
    if idle:
        yield_the_cpu()
    import pyshacl  # noqa: F401, PLC0415 - imported once, before any upload

    try:
        prepare: Prepare = control.recv()
    except (EOFError, OSError):
        return
    warm = None
    if prepare.served is not None:
        with contextlib.suppress(KgpubError, SyntaxError, ValueError):  # cold is still correct
            warm = warm_up(*prepare.served)
    # The kernel reaps the workers: the server kills them, the template never waits.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    control.send(Ready(os.getpid()))
    while True:
        try:
            fork: Fork = control.recv()
            fds = handed_pipes(control)
        except (EOFError, OSError):
            return
        control.send(Forked(fork_serving(fds, (control,), _one_upload(fork, warm))))


def _one_upload(fork: Fork, warm: Warm | None) -> Callable[[Connection], None]:
    """What a forked worker runs: one upload, within ``fork``'s bounds."""
    return lambda conn: answer_one(conn, fork.memory_bytes, fork.cpu_seconds, warm)
