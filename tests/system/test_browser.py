"""A real browser (headless Chromium) on the query page, with every other host unreachable.

Skipped where Chromium or the YASGUI assets (``scripts/setup-ui``) are missing.
It shows what a person sees: the example tabs named after the competency
questions, and a query run from the editor filling the results table.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from kgpub.config import Settings
from kgpub.ld.query_editor import assets_installed
from kgpub.web.app import create_app
from tests.paths import ARTIFACTS
from tests.sparql_fixtures import free_port, live_server, write_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or not assets_installed(),
        reason="needs Chromium and the YASGUI assets (scripts/setup-ui)",
    ),
    pytest.mark.external,
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = Path(tmp_path_factory.mktemp("browser"))
    settings = write_project(root)
    queries = root / "queries" / "competency"
    queries.mkdir(parents=True)
    (queries / "01-people.rq").write_text(
        "# title: Who are the people?\nPREFIX schema: <https://schema.org/>\n"
        "SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name } ORDER BY ?name\n",
        encoding="utf-8",
    )
    with live_server(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def devtools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert CHROMIUM is not None
    port = free_port()
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            # Offline: every host but the test server fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield _page_websocket(browser, port)
    finally:
        browser.terminate()
        browser.wait()


def _page_websocket(browser: subprocess.Popen[bytes], port: int) -> str:
    while True:
        try:
            browser.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        else:
            pytest.fail("Chromium exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as response:
                targets = json.load(response)
        except (urllib.error.URLError, ConnectionError):
            continue
        pages = [t for t in targets if t["type"] == "page"]
        if pages:
            url: str = pages[0]["webSocketDebuggerUrl"]
            return url


class Page:
    """Just enough of the Chrome DevTools Protocol: navigate, evaluate, wait for a value."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message: dict[str, Any] = json.loads(await self.ws.recv())
            if message.get("id") == self.next_id:
                return message

    async def evaluate(self, expression: str) -> Any:
        reply = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply["result"]["result"].get("value")

    async def wait_for(self, expression: str, attempts: int = 200) -> Any:
        for _ in range(attempts):
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.05)
        where = await self.evaluate("document.location.href")
        pytest.fail(f"never true in the page {where}: {expression}")


def test_query_page_shows_example_tabs_and_runs_a_query(base_url: str, devtools: str) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        async with websockets.connect(devtools, max_size=2**24) as ws:
            page = Page(ws)
            await page.call("Page.navigate", url=base_url + "/")
            await page.wait_for("window.yasgui && document.querySelectorAll('.tab').length")
            tabs = await page.evaluate(
                "Array.from(document.querySelectorAll('.tabsList .tab span')).map(e => e.innerText)"
            )
            await page.evaluate(
                "const ids = window.yasgui.persistentConfig.getTabs();"
                "window.yasgui.selectTabId(ids[ids.length - 1]);"
                "window.yasgui.getTab().getYasqe().query();"
            )
            cells = await page.wait_for(
                "Array.from(document.querySelectorAll('.tabPanel.active table tbody td'))"
                ".map(e => e.innerText)"
            )
            return tabs, cells

    tabs, cells = asyncio.run(scenario())
    assert "Who are the people?" in tabs
    assert '"Anna"@de' in cells
    assert any("Bob" in cell for cell in cells)


@pytest.fixture(scope="module")
def article_url() -> Iterator[str]:
    """The shipped article, served as the README's serve command serves it."""
    with live_server(create_app(Settings())) as url:
        yield url


async def _open(page: Page, url: str, ready: str, shot: str) -> None:
    await page.call("Page.navigate", url=url)
    await page.wait_for(f"document.readyState === 'complete' && !!({ready})")
    reply = await page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / shot).write_bytes(base64.b64decode(reply["result"]["data"]))


def test_a_person_follows_a_fact_from_the_article_to_its_claim(
    article_url: str, devtools: str
) -> None:
    async def scenario() -> dict[str, Any]:
        async with websockets.connect(devtools, max_size=2**24) as ws:
            page = Page(ws)
            seen: dict[str, Any] = {}
            await _open(
                page,
                article_url + "/id/article?lang=de",
                "document.querySelector('mark')",
                "article.png",
            )
            seen["marks"] = await page.evaluate("document.querySelectorAll('mark').length")
            seen["text"] = await page.evaluate("document.body.innerText")
            claim_href = await page.evaluate(
                "Array.from(document.querySelectorAll('a[href*=\"claim-musk-joined-call\"]'))"
                # not the neighbourhood picture's SVG links, whose .href is no string
                ".filter(a => !(a instanceof SVGElement)).map(a => a.href)[0]"
            )
            seen["claim_href"] = claim_href
            await _open(page, claim_href, "document.querySelector('mark')", "claim.png")
            seen["claim_mark"] = await page.evaluate("document.querySelector('mark').innerText")
            seen["claim_text"] = await page.evaluate("document.body.innerText")
            musk = await page.evaluate(
                "Array.from(document.querySelectorAll('a[href*=\"/id/elon-musk\"]'))"
                # not the neighbourhood picture's SVG links, whose .href is no string
                ".filter(a => !(a instanceof SVGElement)).map(a => a.href)[0]"
            )
            await _open(page, musk, "document.querySelector('h1')", "entity.png")
            seen["entity_title"] = await page.evaluate("document.querySelector('h1').innerText")
            seen["entity_text"] = await page.evaluate("document.body.innerText")
            return seen

    seen = asyncio.run(scenario())
    assert seen["marks"] >= 25
    assert "Elon Musk, der Tech-Tycoon" in seen["text"]
    assert seen["claim_href"].startswith(article_url + "/id/claim-musk-joined-call")
    assert seen["claim_mark"].startswith("Elon Musk, der Tech-Tycoon, nahm einen Tag nach")
    assert "CNN" in seen["claim_text"]
    assert "Elon Musk" in seen["entity_title"]
    assert "Q317521" in seen["entity_text"]
    for shot in ("article.png", "claim.png", "entity.png"):
        assert (ARTIFACTS / shot).read_bytes().startswith(b"\x89PNG")


def test_a_person_searches_starlink_and_reaches_the_claim(article_url: str, devtools: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with websockets.connect(devtools, max_size=2**24) as ws:
            page = Page(ws)
            seen: dict[str, Any] = {}
            await _open(page, article_url + "/search?lang=de", "document.forms[0]", "search.png")
            await page.evaluate(
                "document.getElementById('q').value = 'Starlink';document.forms[0].requestSubmit();"
            )
            await page.wait_for("!!document.querySelector('ol.hits mark')")
            await _open(page, await page.evaluate("location.href"), "true", "search-results.png")
            seen["url"] = await page.evaluate("location.href")
            seen["heading"] = await page.evaluate("document.getElementById('results').innerText")
            seen["marks"] = await page.evaluate(
                "Array.from(document.querySelectorAll('ol.hits mark')).map(m => m.innerText)"
            )
            claim_href = await page.evaluate(
                "Array.from(document.querySelectorAll('ol.hits a'))"
                ".map(a => a.href).find(h => h.includes('/id/claim-'))"
            )
            await _open(page, claim_href, "document.querySelector('mark')", "search-claim.png")
            seen["claim_url"] = await page.evaluate("location.href")
            seen["claim_text"] = await page.evaluate("document.body.innerText")
            return seen

    seen = asyncio.run(scenario())
    assert "q=Starlink" in seen["url"]
    assert "lang=de" in seen["url"]
    assert "Treffer für „Starlink“" in seen["heading"]
    assert set(seen["marks"]) == {"Starlink"}
    assert seen["claim_url"].startswith(article_url + "/id/claim-starlink-advantage")
    assert "Starlink-Internetdienst" in seen["claim_text"]
    for shot in ("search.png", "search-results.png", "search-claim.png"):
        assert (ARTIFACTS / shot).read_bytes().startswith(b"\x89PNG")
