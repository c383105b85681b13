"""A reader in a real browser: the walk through the site, accessibility, phone width.

Headless Chromium (offline) on the shipped article, as the README's serve
command serves it. The walk goes home → the article → a claim → its
claimant → back to the article, asserting what a reader sees at each step;
every page is checked with axe-core's WCAG 2.1 AA rules (axe from npm,
installed by ``scripts/setup-clients``, injected into the page: nothing is
fetched) and at phone width (375 px, no horizontal scroll). Screenshots of
each step and each page at both widths are kept in ``tests/artifacts``.
The search walk types "Starlink" into the home page's search box, submits it
with Enter, reads the hits and follows the claim's hit to the claim and its
span in the article, clicking as a reader does (mouse events, so the browser
honours the span link's text fragment).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import websockets

from kgpub.config import Settings
from kgpub.ld.query_editor import assets_installed
from kgpub.web.app import create_app
from tests.history_fixtures import revised_project
from tests.paths import ARTIFACTS, CLIENTS
from tests.sparql_fixtures import live_server
from tests.system.cdp import CHROMIUM, Page, launch

AXE = CLIENTS / "node_modules" / "axe-core" / "axe.min.js"
PHONE = 375

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or not assets_installed() or not AXE.is_file(),
        reason="needs Chromium, the YASGUI assets (scripts/setup-ui) and axe-core "
        "(scripts/setup-clients)",
    ),
    pytest.mark.external,
    pytest.mark.slow,
]

PAGES = {
    "home": "/",
    "article": "/id/article",
    "claim": "/id/claim-musk-joined-call",
    "entity": "/id/elon-musk",
    "place": "/id/ukraine?lang=de",
    "void": "/.well-known/void",
    "results": "/sparql?query="
    + quote(
        "PREFIX schema: <https://schema.org/> SELECT ?p ?name WHERE { ?p a schema:Person ; "
        "schema:name ?name } ORDER BY ?name"
    ),
    "editor": "/sparql",
    "search": "/search?q=Starlink",
    "shapes": "/shapes",
    "ontology": "/ontology",
    "not-found": "/id/nobody",
    "revision": "/id/article/revision/1",
}
HISTORY_PAGES = {
    "history-article": "/id/hafenfest",
    "history-claim": "/id/hafenfest/claim-1",
    "history-revision": "/id/hafenfest/revision/3",
    "history-diff": "/diff/id/hafenfest?from=1&to=3",
}
"""Pages of the shared revised project (tests/history_fixtures.py: fictional, 3 revisions)."""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with live_server(create_app(Settings())) as url:
        yield url


@pytest.fixture(scope="module")
def devtools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from launch(str(tmp_path_factory.mktemp("chromium")))


def _visible_text(selector: str) -> str:
    return f"Array.from(document.querySelectorAll({json.dumps(selector)})).map(e => e.innerText)"


async def _follow(page: Page, click: str, arrived: str, shot: str) -> None:
    """Click what ``click`` finds, wait until ``arrived`` holds and the page has loaded."""
    await page.evaluate(f"{click}.click()")
    await page.wait_for(arrived)
    await page.wait_for("document.readyState === 'complete'")
    await page.screenshot(shot)


async def _home(page: Page, site: str, seen: dict[str, Any]) -> None:
    await page.call(
        "Emulation.setDeviceMetricsOverride",
        width=1280,
        height=900,
        deviceScaleFactor=1,
        mobile=False,
    )
    await page.open(site + "/", "document.querySelector('li.article a')")
    await page.screenshot("walk-1-home.png")
    seen["home_articles"] = await page.evaluate(_visible_text("li.article"))
    seen["home_people"] = await page.evaluate(_visible_text("#entities li"))
    seen["search_form"] = await page.evaluate(
        "(() => { const f = document.querySelector('form[role=search]');"
        " return [f.getAttribute('action'), f.method, f.querySelector('input').name]; })()"
    )


async def _article(page: Page, seen: dict[str, Any]) -> None:
    await _follow(
        page,
        "document.querySelector('li.article a')",
        "location.pathname === '/id/article' && !!document.querySelector('ol.claims')",
        "walk-2-article.png",
    )
    seen["article_title"] = await page.evaluate("document.querySelector('h1').innerText")
    seen["article_meta"] = await page.evaluate("document.querySelector('.meta').innerText")
    seen["numbers_in_text"] = await page.evaluate(
        "Array.from(document.querySelectorAll('.article-text .claim-ref'))"
        ".map(a => parseInt(a.innerText.replace(/[\\[\\]]/g, '')))"
    )
    seen["list"] = await page.evaluate(_visible_text("ol.claims > li"))
    seen["headings"] = await page.evaluate(_visible_text(".article-text h3"))
    seen["pointing_here"] = await page.evaluate(_visible_text("#incoming li"))


async def _claim_and_claimant(page: Page, seen: dict[str, Any]) -> None:
    # The first claim of the list, as a reader clicks it, then who claims it.
    await _follow(
        page,
        "document.querySelector('ol.claims > li a')",
        "location.pathname.startsWith('/id/claim-') && !!document.querySelector('mark')",
        "walk-3-claim.png",
    )
    seen["claim_path"] = await page.evaluate("location.pathname")
    seen["claim_text"] = await page.evaluate("document.querySelector('#claim').innerText")
    await _follow(
        page,
        "Array.from(document.querySelectorAll('#claim dd a'))[0]",
        "!location.pathname.startsWith('/id/claim-') && !!document.querySelector('h1')",
        "walk-4-claimant.png",
    )
    seen["claimant_path"] = await page.evaluate("location.pathname")
    seen["claimant_text"] = await page.evaluate("document.body.innerText")
    await _follow(
        page,
        "Array.from(document.querySelectorAll('#claims-made h3 a'))"
        ".find(a => a.getAttribute('href').startsWith('/id/article'))",
        "location.pathname === '/id/article' && !!document.querySelector('ol.claims')",
        "walk-5-back-to-article.png",
    )
    seen["back_title"] = await page.evaluate("document.querySelector('h1').innerText")


def test_a_reader_walks_home_article_claim_claimant_and_back(site: str, devtools: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with websockets.connect(devtools, max_size=2**25) as ws:
            page = Page(ws)
            seen: dict[str, Any] = {}
            await _home(page, site, seen)
            await _article(page, seen)
            await _claim_and_claimant(page, seen)
            return seen

    seen = asyncio.run(scenario())
    # Home: the article by its display title, its status; people with claim counts; search.
    assert len(seen["home_articles"]) == 1
    home_article = seen["home_articles"][0]
    assert home_article.startswith("Elon Musk, der Tech-Tycoon, nahm einen Tag nach")
    assert "developing story" in home_article
    assert "25 claims" in home_article
    assert "first sentence" in home_article  # the title says it is derived
    assert "Elon Musk (14)" in seen["home_people"]
    assert seen["search_form"] == ["/search", "get", "q"]
    # The article: its title, status, numbers in reading order, no empty last heading.
    assert seen["article_title"] == home_article.splitlines()[0]
    assert "developing story" in seen["article_meta"]
    numbers = seen["numbers_in_text"]
    assert numbers[0] == 1
    assert sorted(set(numbers)) == list(range(1, 26))
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == sorted(first_seen)  # each claim first met in number order
    assert len(seen["list"]) == 25
    assert seen["list"][0].startswith("1")
    assert "Claimed by" in seen["list"][0]
    assert "How it is reported" in seen["list"][0]
    assert any("Contradicted by" in item for item in seen["list"])
    assert "Details zur Meldung" not in seen["headings"]
    assert seen["headings"][-1] == "Regelmäßiger Kontakt zwischen Musk und Putin"
    assert not any("anchor" in x or "statement" in x for x in seen["pointing_here"])
    # The claim: who claims it, and how it is reported.
    assert seen["claim_path"] == "/id/claim-musk-joined-call"
    assert "Claimed by" in seen["claim_text"]
    assert "source familiar with the situation" in seen["claim_text"]
    # The claimant: what it is, then the claims it makes.
    assert seen["claimant_path"] == "/id/source-call"
    assert "Elon Musk took part in the phone call" in seen["claimant_text"]
    # Back at the article.
    assert seen["back_title"] == seen["article_title"]
    for step in range(1, 6):
        assert next(ARTIFACTS.glob(f"walk-{step}-*.png")).read_bytes().startswith(b"\x89PNG")


async def _click(page: Page, element: str) -> None:
    """A reader's click on what ``element`` finds: scrolled into view, pressed, released."""
    box = await page.evaluate(
        f"(() => {{ const e = {element}; e.scrollIntoView({{block: 'center'}});"
        " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        await page.call(
            "Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1
        )


_CLAIM_HIT = (
    "Array.from(document.querySelectorAll('ol.hits > li'))"
    ".find(li => li.querySelector('.kind').innerText === 'Claim')"
)
_STARLINK_MARK = "document.querySelector('mark[data-claim$=\"/id/claim-starlink-advantage\"]')"


async def _search_from_home(page: Page, site: str, seen: dict[str, Any]) -> None:
    await page.call(
        "Emulation.setDeviceMetricsOverride",
        width=1280,
        height=900,
        deviceScaleFactor=1,
        mobile=False,
    )
    await page.open(site + "/?lang=en", "document.querySelector('form[role=search] input')")
    await page.evaluate("document.querySelector('form[role=search] input[name=q]').focus()")
    await page.call("Input.insertText", text="Starlink")
    await page.screenshot("search-1-home-typed.png", full=False)
    enter = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
    await page.call("Input.dispatchKeyEvent", type="keyDown", text="\r", **enter)
    await page.call("Input.dispatchKeyEvent", type="keyUp", **enter)
    await page.wait_for("location.pathname === '/search' && !!document.querySelector('ol.hits')")
    await page.wait_for("document.readyState === 'complete'")
    await page.screenshot("search-2-hits.png")
    seen["search_url"] = await page.evaluate("location.search")
    seen["heading"] = await page.evaluate("document.querySelector('#results').innerText")
    seen["kinds"] = await page.evaluate(_visible_text("ol.hits > li .kind"))
    seen["claim_hit"] = await page.evaluate(f"{_CLAIM_HIT}.innerText")
    seen["claim_marks"] = await page.evaluate(
        f"Array.from({_CLAIM_HIT}.querySelectorAll('.snippet mark')).map(m => m.innerText)"
    )
    await _click(page, f"{_CLAIM_HIT}.querySelector('a')")
    await page.wait_for(
        "location.pathname === '/id/claim-starlink-advantage' && !!document.querySelector('h1')"
    )
    await page.wait_for("document.readyState === 'complete'")
    await page.screenshot("search-3-claim.png")
    seen["claim_title"] = await page.evaluate("document.querySelector('h1').innerText")
    seen["claim_page"] = await page.evaluate("document.querySelector('#claim').innerText")
    # Back to the hits, and on to the claim's span in the article.
    await page.call("Page.navigate", url=site + "/search" + seen["search_url"])
    await page.wait_for("document.readyState === 'complete' && !!document.querySelector('ol.hits')")
    await _click(page, f"{_CLAIM_HIT}.querySelector('.spans a')")
    await page.wait_for(f"location.pathname === '/id/article' && !!{_STARLINK_MARK}")
    await page.wait_for("document.readyState === 'complete'")
    await asyncio.sleep(0.5)  # the text fragment's scroll
    await page.screenshot("search-4-span-in-article.png", full=False)
    seen["span_text"] = await page.evaluate(f"{_STARLINK_MARK}.innerText")
    seen["span_in_view"] = await page.evaluate(
        f"(() => {{ const r = {_STARLINK_MARK}.getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; })()"
    )


def test_a_reader_searches_starlink_from_home_and_reaches_the_claim(
    site: str, devtools: str
) -> None:
    async def scenario() -> dict[str, Any]:
        async with websockets.connect(devtools, max_size=2**25) as ws:
            page = Page(ws)
            seen: dict[str, Any] = {}
            await _search_from_home(page, site, seen)
            return seen

    seen = asyncio.run(scenario())
    # The hits: every language searched, a name, the article's passages and the claim.
    assert seen["search_url"] == "?q=Starlink"
    assert seen["heading"].startswith("4 ")
    assert "Starlink" in seen["heading"]
    assert seen["kinds"][0] == "Name"
    assert {"Name", "Article text", "Claim"} <= set(seen["kinds"])
    # The claim's hit: its words in the reader's language, the German text's match marked.
    assert "Musk's Starlink internet service has given Ukraine" in seen["claim_hit"]
    assert "Seit der Invasion 2022 hat Musks Starlink-Internetdienst" in seen["claim_hit"]
    assert seen["claim_marks"] == ["Starlink"]
    assert "in the article" in seen["claim_hit"]
    # The claim's page: what it says and who claims it.
    assert seen["claim_title"].startswith("Since the 2022 invasion, Musk's Starlink")
    assert "Claimed by" in seen["claim_page"]
    # Its span in the article: marked, holding the word, scrolled into view.
    # (the mark opens with the claim's number, linked: "[16]In der Ukraine …")
    number, _, words = seen["span_text"].partition("]")
    assert number.startswith("[")
    assert number[1:].isdigit()
    assert words.startswith("In der Ukraine hat Musks Starlink-Internetdienst")
    assert seen["span_in_view"] is True
    for step in range(1, 5):
        assert next(ARTIFACTS.glob(f"search-{step}-*.png")).read_bytes().startswith(b"\x89PNG")


async def _axe(page: Page) -> list[dict[str, Any]]:
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    await page.evaluate(
        "window.__axe = null; axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => { window.__axe = r; })"
    )
    result = await page.wait_for("window.__axe && JSON.stringify(window.__axe.violations)", 400)
    violations: list[dict[str, Any]] = json.loads(result)
    return violations


def _pages_checked(site: str, devtools: str, pages: dict[str, str]) -> dict[str, Any]:
    """Each page's horizontal overflow at both widths and its axe violations at desktop width."""

    async def scenario() -> dict[str, Any]:
        found: dict[str, Any] = {}
        async with websockets.connect(devtools, max_size=2**25) as ws:
            page = Page(ws)
            for width, mobile in ((1280, False), (PHONE, True)):
                await page.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=800,
                    deviceScaleFactor=1,
                    mobile=mobile,
                )
                for name, path in pages.items():
                    ready = "window.yasgui" if name == "editor" else "document.querySelector('h1')"
                    await page.open(site + path, ready)
                    await asyncio.sleep(0.2)
                    await page.screenshot(
                        f"page-{name}-{width}.png", full=name not in ("shapes", "ontology")
                    )
                    overflow = await page.evaluate(
                        "document.documentElement.scrollWidth"
                        " - document.documentElement.clientWidth"
                    )
                    violations = await _axe(page) if width == 1280 else []
                    found[f"{name}@{width}"] = (
                        overflow,
                        [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations],
                    )
        return found

    found = asyncio.run(scenario())
    return {key: found for key, found in found.items() if found[0] > 0 or found[1]}


def test_every_page_passes_axe_and_fits_a_phone(site: str, devtools: str) -> None:
    problems = _pages_checked(site, devtools, PAGES)
    assert problems == {}, json.dumps(problems, indent=1)


def test_history_pages_pass_axe_and_fit_a_phone(
    devtools: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = revised_project(tmp_path_factory.mktemp("reader-history") / "project")
    with live_server(create_app(Settings(project_dir=project.root))) as url:
        problems = _pages_checked(url, devtools, HISTORY_PAGES)
    assert problems == {}, json.dumps(problems, indent=1)


def test_the_editors_share_link_restores_the_query(site: str, devtools: str) -> None:
    query = "SELECT ?name WHERE { ?p <https://schema.org/name> ?name } LIMIT 3"

    async def scenario() -> dict[str, Any]:
        async with websockets.connect(devtools, max_size=2**25) as ws:
            page = Page(ws)
            await page.open(site + "/sparql", "window.yasgui && window.yasgui.getTab()")
            seen: dict[str, Any] = {}
            seen["link"] = await page.evaluate(
                f"window.yasgui.getTab().getYasqe().setValue({json.dumps(query)});"
                "window.yasgui.getTab().getShareableLink()"
            )
            # The link names another endpoint too: the editor keeps to its own.
            elsewhere = seen["link"] + "&endpoint=" + quote("http://elsewhere.example/sparql")
            await page.open("about:blank")
            await page.open(elsewhere, "window.yasgui && window.yasgui.getTab()")
            await page.screenshot("editor-shared-link.png", full=False)
            seen["restored"] = await page.evaluate("window.yasgui.getTab().getQuery()")
            seen["endpoint"] = await page.evaluate(
                "window.yasgui.getTab().getRequestConfig().endpoint"
            )
            seen["tabs"] = await page.evaluate("document.querySelectorAll('.tabsList .tab').length")
            return seen

    seen = asyncio.run(scenario())
    assert seen["link"].startswith(site + "/sparql#")
    assert seen["restored"] == query
    assert seen["endpoint"] == site + "/sparql"
    assert seen["tabs"] > 1  # the shared query's tab beside the example tabs
