"""Headless Chromium driven over the DevTools protocol, for the browser tests.

Chromium runs offline (every host but loopback fails to resolve), with the
flags the tests share; ``Page`` is just enough of the protocol: navigate,
evaluate, wait for a value, take a screenshot into ``tests/artifacts``.
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
from typing import Any

import pytest

from tests.paths import ARTIFACTS
from tests.sparql_fixtures import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def launch(profile: str) -> Iterator[str]:
    """Start Chromium with user data in ``profile``; yields its first page's DevTools socket."""
    assert CHROMIUM is not None
    port = free_port()
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            # Offline: every host but the test server fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
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


class EvaluationLostError(Exception):
    """Chromium answered an evaluation with an error, as it does while a page navigates."""


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
        if "error" in reply:
            raise EvaluationLostError(f"{expression}: {reply['error']}")
        return reply["result"]["result"].get("value")

    async def wait_for(self, expression: str, attempts: int = 200) -> Any:
        for _ in range(attempts):
            try:
                value = await self.evaluate(expression)
            except EvaluationLostError:
                # A navigation under way destroys the page's context mid-call
                # (Chromium answers with an error, not a result): not yet.
                value = None
            if value:
                return value
            await asyncio.sleep(0.05)
        where = await self.evaluate("document.location.href")
        pytest.fail(f"never true in the page {where}: {expression}")

    async def screenshot(self, name: str, *, full: bool = True) -> None:
        """The whole page (or, not ``full``, the window) as ``tests/artifacts/<name>``."""
        reply = await self.call("Page.captureScreenshot", format="png", captureBeyondViewport=full)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / name).write_bytes(base64.b64decode(reply["result"]["data"]))

    async def open(self, url: str, ready: str = "true") -> None:
        """Navigate to ``url`` and wait until it has loaded and ``ready`` is true in it."""
        await self.call("Page.navigate", url=url)
        await self.wait_for(f"document.readyState === 'complete' && !!({ready})")
