"""A validation worker prepared for the served shapes answers as a cold one does.

``warm_up`` compiles the shapes once, in the template the workers are forked from
(``ingest.validation_template``); ``run_job`` uses that only when the job's shapes
and vocabulary are the ones it prepared for.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from kgpub.config import Settings
from kgpub.ingest.validation_worker import Rendered, ValidationJob, run_job, warm_up
from kgpub.web.app import create_app
from tests.shacl import inputs

UPLOAD = b"""
@prefix schema: <https://schema.org/> .
<https://kgpub.example/id/x> a schema:Person ; schema:name "X"@de .
"""


def _graph(turtle: bytes) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def _nquads(quads: tuple[ox.Quad, ...]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _job(shapes: bytes, ontology: bytes) -> ValidationJob:
    return ValidationJob(
        UPLOAD, "text/turtle", shapes, ontology, "turtle", "en", ("en",),
        "https://kgpub.example/", 64, 1000,
    )  # fmt: skip


def test_a_warm_worker_answers_exactly_as_a_cold_one() -> None:
    shapes, ontology = _nquads(inputs.shapes_quads()), _nquads(inputs.ontology_quads())
    warm = warm_up(shapes, ontology)
    cold = run_job(_job(shapes, ontology))
    warmed = run_job(_job(shapes, ontology), warm)
    assert isinstance(cold, Rendered)
    assert isinstance(warmed, Rendered)
    assert cold.content_type == warmed.content_type
    assert isomorphic(_graph(cold.body), _graph(warmed.body))  # blank nodes are fresh each time
    assert b"MinCountConstraintComponent" in warmed.body  # no English name: a real report


def test_other_shapes_than_prepared_for_are_the_jobs_own() -> None:
    shapes, ontology = _nquads(inputs.shapes_quads()), _nquads(inputs.ontology_quads())
    warm = warm_up(shapes, ontology)
    answer = run_job(_job(b"", ontology), warm)  # no shapes at all: nothing to report
    assert isinstance(answer, Rendered)
    assert b"MinCountConstraintComponent" not in answer.body
    assert b"conforms true" in answer.body


def test_repeated_uploads_through_the_server_get_the_same_report() -> None:
    """The first upload starts the template; every upload's worker is forked from it, warm."""
    settings = Settings(validate_on_start=False, query_workers=1)
    headers = {"content-type": "text/turtle", "accept": "text/turtle"}
    with TestClient(create_app(settings)) as client:
        answers = [client.post("/validate", content=UPLOAD, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    first = _graph(answers[0].content)
    assert len(first) > 5
    for answer in answers[1:]:
        assert isomorphic(_graph(answer.content), first)
