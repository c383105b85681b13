"""HTML pages for people who look an IRI up in a browser.

Server-rendered, no JavaScript: labels in the reader's language (de or en),
every property with its values linked and labelled, the resources pointing
here, links to each machine format, the page's own description embedded as
JSON-LD, and the resource's SHACL results. A claim's page shows its sentence
with the claimed span marked; the article's page its whole text with every
claim marked and linked. Jinja2 autoescapes every value: the data is text
from the news, not markup.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox

from kgpub.ld.dataset_view import dataset_view
from kgpub.ld.describe import Description
from kgpub.ld.diff_view import Compared, diff_view
from kgpub.ld.home import home_view
from kgpub.ld.mementos import Notice
from kgpub.ld.page_model import Page, inline
from kgpub.ld.page_text import LANGUAGES
from kgpub.ld.resource_view import resource_view
from kgpub.ld.results_view import from_json, from_ntriples
from kgpub.ld.search_results import SearchAnswer
from kgpub.rdf.formats import Representation
from kgpub.shacl.conformance import Conformance
from kgpub.store.protocol import QueryStore

if TYPE_CHECKING:
    from jinja2 import Environment, Template


class _Templates:
    """The templates' jinja2 environment, made when the first page is rendered: jinja2 is
    not imported on the way to a server's first answer (most answers are not pages)."""

    @functools.cached_property
    def environment(self) -> Environment:
        from jinja2 import Environment, PackageLoader, select_autoescape  # noqa: PLC0415

        env = Environment(
            loader=PackageLoader("kgpub", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.tests["inline"] = inline
        return env

    def get_template(self, name: str) -> Template:
        return self.environment.get_template(name)


_env = _Templates()


def resource_page(
    store: QueryStore,
    description: Description,
    conformance: Conformance,
    *,
    base_iri: str,
    prefixes: dict[str, str],
    lang: str,
    lang_from_param: bool,
    formats: Sequence[tuple[Representation, str]],
    jsonld: dict[str, Any] | None,
    memento: Notice | None = None,
) -> str:
    """The HTML page of a described resource, document or graph; ``memento``: it is the
    page as it was at a revision (``/memento/…``), and says so above everything."""
    page = Page(base_iri, prefixes, lang, lang_from_param)
    view = resource_view(store, description, conformance, page)
    return _env.get_template("resource.html").render(
        page=page,
        iri=description.iri,
        formats=formats,
        jsonld=jsonld,
        languages=LANGUAGES,
        memento=memento,
        **view.template_context(),
    )


def diff_page(
    store: QueryStore,
    compared: Compared,
    *,
    base_iri: str,
    prefixes: dict[str, str],
    lang: str,
    lang_from_param: bool,
    formats: Sequence[tuple[Representation, str]],
) -> str:
    """The changes between two revisions of an article: its text marked, its statements listed."""
    page = Page(base_iri, prefixes, lang, lang_from_param)
    view = diff_view(store, page, compared)
    return _env.get_template("diff.html").render(
        page=page, view=view, formats=formats, languages=LANGUAGES
    )


def search_page(
    answer: SearchAnswer | None, page: Page, *, query: str, lang: str | None, max_chars: int
) -> str:
    """The search page: the form, and the hits of ``answer`` when there is a query."""
    return _env.get_template("search.html").render(
        page=page,
        answer=answer,
        query=query,
        search_lang=lang,
        max_chars=max_chars,
        languages=LANGUAGES,
    )


def not_found_page(iri: str, lang: str) -> str:
    """The page for an IRI the dataset never mentions."""
    page = Page("", {}, lang, False)
    return _env.get_template("notfound.html").render(page=page, iri=iri, languages=LANGUAGES)


def report_page(report_rows: Sequence[tuple[str, str, str, str]], conforms: bool, lang: str) -> str:
    """The page for a ``/validate`` report: one row per result."""
    page = Page("", {}, lang, False)
    return _env.get_template("report.html").render(
        page=page, rows=report_rows, conforms=conforms, languages=LANGUAGES
    )


def home_page(store: QueryStore, *, base_iri: str, lang: str, lang_from_param: bool) -> str:
    """The home page: the articles, the people, organisations and places, the ways in."""
    page = Page(base_iri, {}, lang, lang_from_param)
    view = home_view(store, page)
    return _env.get_template("home.html").render(
        page=page,
        articles=view.articles,
        groups=view.groups,
        feed_href=view.feed_href,
        languages=LANGUAGES,
    )


def dataset_page(
    store: QueryStore,
    triples: Sequence[ox.Triple],
    *,
    base_iri: str,
    prefixes: dict[str, str],
    lang: str,
    formats: Sequence[tuple[Representation, str]],
) -> str:
    """The VoID description as a page: the dataset, its parts, links to it as data."""
    page = Page(base_iri, prefixes, lang, False)
    view = dataset_view(store, triples, page)
    return _env.get_template("dataset.html").render(
        page=page, view=view, formats=formats, languages=LANGUAGES
    )


def results_page(
    body: bytes,
    *,
    graph: bool,
    query: str,
    endpoint: str,
    base_iri: str,
    prefixes: dict[str, str],
    lang: str,
    formats: Sequence[tuple[str, str]],
) -> str:
    """SPARQL results (JSON results, or N-Triples when ``graph``) as a table page."""
    page = Page(base_iri, prefixes, lang, False)
    make = from_ntriples if graph else from_json
    view = make(body, page, query, endpoint)
    return _env.get_template("results.html").render(
        page=page,
        view=view,
        formats=formats,
        languages=LANGUAGES,
        keep_query=f"query={quote(query, safe='')}&",  # switching language keeps the query
    )
