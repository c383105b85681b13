"""The built wheel, installed where a newsroom would install it: no checkout, no Node.

The checkout is installed with ``pip install <checkout>`` (not editable: pip
builds the wheel and installs it) into a fresh virtual environment in a
temporary folder, and ``kgpub serve`` runs there in an empty
folder with a ``PATH`` that holds no ``node`` nor ``npm``: it must serve the
shipped story (data, ontology, shapes, the article text), the query editor and
the API docs from the package alone. Then a headless Chromium, with every host
but the server unreachable, runs a query in the editor (where Chromium is
installed; ``tests/system/test_browser.py`` has the helpers).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.paths import REPO
from tests.sparql_fixtures import free_port
from tests.system.cdp import CHROMIUM, Page
from tests.system.test_browser import devtools  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow

INSTALL_TIMEOUT = 900
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    # Never this process's PYTHONPATH: the new environment must find only what it installed.
    options.setdefault(
        "env", {k: v for k, v in os.environ.items() if not k.startswith(("KGPUB_", "PYTHON"))}
    )
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False, **options
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the checkout, ``pip install <checkout>``; its bin/.

    Not editable: pip builds the wheel from the source tree and installs that,
    so this one environment is both the installed wheel and ``pip install .``
    (one install instead of two: each costs 20-30 s of the test run).
    """
    root = Path(tmp_path_factory.mktemp("wheel"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(REPO)])
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert not list(site.glob("__editable__*")), "installed editable, not from a wheel"
    assert list(site.glob("kgpub-*.dist-info/WHEEL")), "no wheel was installed"
    return venv / "bin"


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``kgpub serve`` from the wheel in an empty folder without Node; (base URL, log file)."""
    empty = Path(tmp_path_factory.mktemp("empty"))
    scratch = Path(tempfile.mkdtemp(prefix="kgpub-w"))  # short: forkserver socket paths
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KGPUB_", "PYTHON"))}
    env.update(PATH=str(installed), TMPDIR=str(scratch), HOME=str(scratch))
    assert shutil.which("node", path=env["PATH"]) is None
    assert shutil.which("npm", path=env["PATH"]) is None
    port = free_port()
    log_path = empty.parent / "serve.log"
    with log_path.open("w+b") as log:
        server = subprocess.Popen(
            [str(installed / "kgpub"), "serve", "--port", str(port)],
            cwd=empty,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(server, base, log_path)
            yield base, log_path
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert list(empty.iterdir()) == []  # nothing written into the folder it ran in
    shutil.rmtree(scratch, ignore_errors=True)


def _wait_ready(server: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    for _ in range(900):  # up to 180 s: the story is validated at start-up
        try:
            server.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        else:
            pytest.fail(f"kgpub serve exited: {log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/readyz") as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            continue
    pytest.fail(f"kgpub serve never got ready: {log_path.read_text(errors='replace')}")


def _get(url: str, accept: str = "*/*") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request) as response:
        return response.status, response.headers["Content-Type"], response.read()


def _local_assets(base: str, html: str) -> list[str]:
    """Every script and stylesheet the page loads, each checked to come from ``base``."""
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    # A <link> loads something only as a stylesheet, icon or preload; an alternate
    # (the Atom feed, another format) is a link to follow, not an asset.
    loaded = re.compile(r'\srel="[^"]*\b(?:stylesheet|icon|preload|modulepreload)\b')
    links = [
        href
        for tag in re.findall(r"<link\b[^>]*>", html)
        if loaded.search(tag)
        for href in re.findall(r'\shref="([^"]+)"', tag)
    ]
    found = scripts + links
    urls = [urllib.parse.urljoin(base + "/", url) for url in found]
    for url in urls:
        assert url.startswith(base + "/"), f"the page loads {url} from elsewhere"
    return urls


def test_the_wheel_serves_the_shipped_story(installed: Path, served: tuple[str, Path]) -> None:
    base, log_path = served
    printed = log_path.read_text(errors="replace")
    story = "site-packages/kgpub/story"
    assert re.search(rf"kgpub serve: project \S+{story} \(the story shipped with kgpub", printed)
    assert re.search(rf"kgpub serve: read \S+{story}/\S+/article.ttl", printed)
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    _, _, body = _get(
        base + "/sparql?" + urllib.parse.urlencode({"query": query}),
        "application/sparql-results+json",
    )
    graphs = [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]]
    for name in ("article", "background", "kgpub", "shapes"):
        assert f"https://kgpub.example/graph/{name}" in graphs
    # The article's text, anchored: its page marks the sentences the claims rest on.
    _, _, page = _get(base + "/id/article?lang=de", BROWSER)
    assert "Elon Musk, der Tech-Tycoon" in page.decode()
    assert b"<mark" in page
    version = _run([str(installed / "kgpub"), "--version"]).stdout
    assert version.startswith("kgpub ")


def test_the_pages_query_editor_and_api_docs_load_only_from_the_server(
    served: tuple[str, Path],
) -> None:
    base, _ = served
    _, content_type, home = _get(base + "/", BROWSER)
    assert content_type.startswith("text/html")
    assert "/sparql" in home.decode()  # the home page leads to the editor
    assert not _local_assets(base, home.decode())  # its style is inline: nothing to fetch
    for path in ("/sparql", "/docs"):
        _, content_type, body = _get(base + path, BROWSER)
        assert content_type.startswith("text/html")
        html = body.decode()
        assets = _local_assets(base, html)
        assert assets, f"{path} loads no assets"
        for url in assets:
            status, _, data = _get(url)
            assert status == 200
            assert data
    _, _, editor = _get(base + "/sparql", BROWSER)
    assert "/static/vendor/yasgui.min.js" in editor.decode()
    _, _, docs = _get(base + "/docs", BROWSER)
    assert not re.search(r"https?://", docs.decode())


@pytest.mark.external
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (scripts/setup-browser)")
def test_a_browser_runs_a_query_in_the_editor_offline(
    served: tuple[str, Path],
    devtools: str,  # noqa: F811 - the fixture imported above
) -> None:
    base, _ = served
    query = (
        "SELECT ?name WHERE "
        "{ <https://kgpub.example/id/elon-musk> <https://schema.org/name> ?name }"
    )

    async def scenario() -> tuple[list[str], list[str]]:
        async with websockets.connect(devtools, max_size=2**24) as ws:
            page = Page(ws)
            await page.call("Page.navigate", url=base + "/sparql")
            await page.wait_for("window.yasgui && document.querySelectorAll('.tab').length")
            await page.evaluate(
                f"window.yasgui.getTab().getYasqe().setValue({json.dumps(query)});"
                "window.yasgui.getTab().getYasqe().query();"
            )
            cells = await page.wait_for(
                "Array.from(document.querySelectorAll('.tabPanel.active table tbody td'))"
                ".map(e => e.innerText)"
            )
            loaded = await page.evaluate(
                "performance.getEntriesByType('resource').map(e => e.name)"
            )
            return cells, loaded

    cells, loaded = asyncio.run(scenario())
    assert any("Elon Musk" in cell for cell in cells)
    assert loaded
    assert all(url.startswith(base + "/") for url in loaded), loaded


def test_pip_install_of_the_source_tree_ships_the_story_too(
    installed: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``pip install .`` (not editable) brings the story and the browser assets."""
    root = Path(tmp_path_factory.mktemp("source"))
    venv = installed.parent
    empty = root / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KGPUB_", "PYTHON"))}
    env.update(PATH=str(venv / "bin"), HOME=str(root))
    done = _run(
        [
            str(venv / "bin" / "kgpub"),
            "query",
            "--format",
            "csv",
            "SELECT (COUNT(*) AS ?n) {?s ?p ?o}",
        ],
        cwd=empty,
        env=env,
    )
    assert done.stdout.endswith("\n")
    assert int(done.stdout.split()[1]) > 3000
    assert "site-packages/kgpub/story (the story shipped with kgpub" in done.stderr
    vendor = next((venv / "lib").glob("python3*/site-packages/kgpub/static/vendor"))
    assert (vendor / "yasgui.min.js").is_file()
    assert (vendor / "swagger-ui-bundle.js").is_file()
