"""``/docs``: Swagger UI from the package's own files, nothing from a CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kgpub.ld.query_editor import STATIC_DIR
from kgpub.web.app import create_app
from tests.sparql_fixtures import write_project

pytestmark = pytest.mark.skipif(
    not (STATIC_DIR / "vendor" / "swagger-ui-bundle.js").is_file(),
    reason="needs the browser assets (built with the package, or scripts/setup-ui)",
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = write_project(Path(tmp_path_factory.mktemp("project")))
    with TestClient(create_app(settings)) as c:
        yield c


def test_docs_page_names_no_other_host(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.text
    assert "SwaggerUIBundle" in html
    assert not re.search(r"https?://", html), "the page would load something from elsewhere"
    assert '"validatorUrl": null' in html  # no badge from validator.swagger.io either


def test_every_asset_the_docs_page_loads_is_served(client: TestClient) -> None:
    html = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3  # script, stylesheet, icon
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.content
    assert client.get("/openapi.json").json()["info"]["title"] == "kgpub"


def test_redoc_is_not_offered(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_licences_ship_with_the_assets() -> None:
    vendor = STATIC_DIR / "vendor"
    notice = (vendor / "THIRD-PARTY.md").read_text(encoding="utf-8")
    assert "| swagger-ui-bundle.js | swagger-ui-dist |" in notice
    assert "| yasgui.min.js | @zazuko/yasgui |" in notice
    assert "Apache License" in (vendor / "swagger-ui-dist.LICENSE").read_text(encoding="utf-8")
