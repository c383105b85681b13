"""When a query worker forked from the in-memory copy retires (``worker._Retirement``).

The pool-level behaviour (a retired worker replaced, no query failing) is in
``test_memory_copy``; these pin the rule itself, without timing: a measured
worker over its share retires at its first idle moment, and under load that never
leaves it idle it still retires a bounded number of jobs later.
"""

from __future__ import annotations

from dataclasses import dataclass

from kgpub.rdf.formats import SPARQL_JSON
from kgpub.sparql.worker import _CHECK_EVERY, Done, _Retirement, private_memory

QUICK = Done(SPARQL_JSON, b"{}", None, 2, engine_seconds=0.0)
SLOW = Done(SPARQL_JSON, b"{}", None, 2, engine_seconds=1.0)


@dataclass
class Pipe:
    """A stand-in for the worker's end of its pipe: whether a job is waiting."""

    waiting: bool

    def poll(self) -> bool:
        return self.waiting


def test_this_process_has_private_memory_to_measure() -> None:
    assert private_memory() > 0


def test_no_budget_never_retires() -> None:
    retirement = _Retirement(0)
    assert not retirement.due(Pipe(False), SLOW, _CHECK_EVERY)  # type: ignore[arg-type]


def test_a_worker_under_its_share_stays() -> None:
    retirement = _Retirement(2**62)
    assert not retirement.due(Pipe(False), SLOW, 1)  # type: ignore[arg-type]


def test_measured_only_after_a_slow_query_or_every_so_many_jobs() -> None:
    retirement = _Retirement(1)
    assert not retirement.due(Pipe(False), QUICK, 1)  # type: ignore[arg-type]
    assert retirement.due(Pipe(False), QUICK, _CHECK_EVERY)  # type: ignore[arg-type]
    assert _Retirement(1).due(Pipe(False), SLOW, 1)  # type: ignore[arg-type]


def test_over_its_share_with_a_job_waiting_it_answers_that_job_first() -> None:
    retirement = _Retirement(1)
    assert not retirement.due(Pipe(True), SLOW, 5)  # type: ignore[arg-type]
    # Measured over once: the next idle moment retires it, quick query or not.
    assert retirement.due(Pipe(False), QUICK, 6)  # type: ignore[arg-type]


def test_under_load_that_never_leaves_it_idle_it_still_retires() -> None:
    """Before, a worker that always had a job waiting at its measurements never retired,
    and its private pages grew past the budget for as long as the load lasted."""
    retirement = _Retirement(1)
    busy = Pipe(True)
    assert not retirement.due(busy, SLOW, 5)  # type: ignore[arg-type]
    for done in range(6, 5 + _CHECK_EVERY):
        assert not retirement.due(busy, QUICK, done)  # type: ignore[arg-type]
    assert retirement.due(busy, QUICK, 5 + _CHECK_EVERY)  # type: ignore[arg-type]
