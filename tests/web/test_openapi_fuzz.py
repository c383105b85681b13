"""Schemathesis against the app's own OpenAPI schema: no 5xx, every answer as documented.

Each operation gets a bounded number of generated requests, valid and
invalid ones (wrong types, missing or extra parameters, odd bytes), sent to a
real uvicorn on 127.0.0.1. Generation is deterministic (the same requests on
every run, no example database), so a failure in CI reproduces locally; the
report Schemathesis prints names the exact request.

Checked for every response: it is not a server error (503 at the query deadline
is documented and allowed, no other 5xx), its status is one the
schema lists for the operation, its Content-Type is one the schema lists for
that status, and a JSON body matches the schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from kgpub.config import Settings
from kgpub.web.app import create_app
from tests.sparql_fixtures import app_for, live_server, write_project

pytestmark = pytest.mark.fuzz

EXAMPLES = 100  # per operation; about a dozen operations
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        # 503 with Retry-After is the documented answer at the query deadline (a generated
        # timeout=5e-324 meets it); every other 5xx is a failure.
        "checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", "503"]}},
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = write_project(Path(tmp_path_factory.mktemp("fuzz"))).model_copy(
        update={"query_workers": 2, "query_timeout": 5.0, "cache_bytes": 0}
    )
    return app_for(settings)


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with live_server(app) as url:
        yield url


@schemathesis.serializer(
    "application/sparql-query", "application/n-triples", "application/x-turtle"
)
def _text(context: schemathesis.SerializationContext, value: object) -> bytes:
    """Bodies of text syntaxes Schemathesis has no serializer for: the string's bytes.

    Lone surrogates become invalid UTF-8 on purpose; a body that is not a
    string (negative testing) is sent as its JSON text.
    """
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value).encode()


# Built at import, as pytest parametrizes by operation; the schema does not depend on the
# data, so the default settings' app describes the fixture's server exactly.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi(), config=CONFIG)


@schema.parametrize()
def test_every_operation_answers_as_documented(case: schemathesis.Case[Any], base_url: str) -> None:
    # The read timeout is the client's, not the server's: uploads to /validate run at idle
    # CPU priority, so beside other test workers on every core they may wait long for CPU;
    # what is checked is the answer, and the server's own deadlines still apply.
    case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=120)
