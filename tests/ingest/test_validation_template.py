"""Validation workers forked from one warm template (``ingest.validation_template``)."""

from __future__ import annotations

import asyncio
import os
import signal

from rdflib import Graph
from rdflib.compare import isomorphic

from kgpub.config import Settings
from kgpub.ingest.validation_pool import ValidationPool
from kgpub.ingest.validation_worker import Rendered
from kgpub.shacl.conformance import Conformance
from tests.shacl import inputs

UPLOAD = b"<https://kgpub.example/id/x> a <https://schema.org/Person> .\n"


def _pool() -> ValidationPool:
    return ValidationPool(Settings(validate_on_start=False, query_workers=1))


def _against() -> Conformance:
    return Conformance(tuple(inputs.shapes_quads()), tuple(inputs.ontology_quads()), None)


async def _validate(pool: ValidationPool, against: Conformance) -> Rendered:
    return await pool.validate(
        UPLOAD, "text/turtle", against, report_format="turtle", lang="en", languages=("en",)
    )


def _graph(turtle: bytes) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def _template_pid(pool: ValidationPool) -> int:
    assert pool._template is not None
    pid = pool._template.handle.process.pid
    assert pid is not None
    return pid


def test_uploads_in_a_row_are_validated_by_workers_forked_from_one_template() -> None:
    async def scenario() -> None:
        pool, against = _pool(), _against()
        try:
            first = await _validate(pool, against)
            template = _template_pid(pool)
            workers = []
            for _ in range(3):
                worker = await pool._take()
                workers.append(worker.process.pid)
                worker.stop()
                assert not worker.process.is_alive()
            again = await _validate(pool, against)
            assert _template_pid(pool) == template
            assert len(set(workers)) == 3
            assert template not in workers
            assert b"MinCountConstraintComponent" in first.body  # a real report: no name
            assert isomorphic(_graph(again.body), _graph(first.body))  # the same report
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_template_that_died_is_replaced_and_the_upload_answered() -> None:
    async def scenario() -> None:
        pool, against = _pool(), _against()
        try:
            await _validate(pool, against)
            dead = _template_pid(pool)
            os.kill(dead, signal.SIGKILL)
            assert pool._template is not None
            pool._template.handle.process.join(timeout=5)
            answer = await _validate(pool, against)
            assert b"MinCountConstraintComponent" in answer.body
            assert _template_pid(pool) != dead
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_template_found_dead_at_the_fork_is_replaced_at_once() -> None:
    """Killed and not yet seen to be gone: the fork fails on its pipe and a new template
    forks the worker instead."""

    async def scenario() -> None:
        pool, against = _pool(), _against()
        try:
            await _validate(pool, against)
            template = pool._template
            assert template is not None
            template.handle.conn.close()  # as a template that died: its pipe is gone
            answer = await _validate(pool, against)
            assert b"MinCountConstraintComponent" in answer.body
            assert pool._template is not template
            template.handle.process.join(timeout=5)
            assert not template.handle.process.is_alive()  # the dead one was stopped
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_other_served_shapes_start_a_template_for_them_and_stop_the_old() -> None:
    async def scenario() -> None:
        pool, against = _pool(), _against()
        try:
            await _validate(pool, against)
            old = pool._template
            assert old is not None
            no_shapes = Conformance((), tuple(inputs.ontology_quads()), None)
            answer = await _validate(pool, no_shapes)
            assert b"conforms true" in answer.body
            assert pool._template is not old
            old.handle.process.join(timeout=5)
            assert not old.handle.process.is_alive()
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_concurrent_uploads_fork_one_at_a_time_from_one_template() -> None:
    """With several validations at once (``KGPUB_VALIDATE_WORKERS``), the forks take turns
    on the template's pipe and every upload gets its own report."""

    async def scenario() -> None:
        pool = ValidationPool(
            Settings(validate_on_start=False, query_workers=1, validate_workers=3)
        )
        against = _against()
        try:
            answers = await asyncio.gather(*(_validate(pool, against) for _ in range(6)))
            first = _graph(answers[0].body)
            assert all(isomorphic(_graph(a.body), first) for a in answers[1:])
            assert pool._template is not None
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_closing_the_pool_stops_the_template() -> None:
    async def scenario() -> None:
        pool = _pool()
        await _validate(pool, _against())
        template = pool._template
        assert template is not None
        await pool.close()
        template.handle.process.join(timeout=5)
        assert not template.handle.process.is_alive()

    asyncio.run(scenario())
