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

from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from kgpub.ld.describe import Description
from kgpub.ld.page_model import Page
from kgpub.ld.page_text import LANGUAGES
from kgpub.ld.resource_view import resource_view
from kgpub.ld.search_results import SearchAnswer
from kgpub.rdf.formats import Representation
from kgpub.shacl.conformance import Conformance
from kgpub.store.protocol import QueryStore

_env = Environment(
    loader=PackageLoader("kgpub", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


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
) -> str:
    """The HTML page of a described resource, document or graph."""
    page = Page(base_iri, prefixes, lang, lang_from_param)
    view = resource_view(store, description, conformance, page)
    return _env.get_template("resource.html").render(
        page=page,
        iri=description.iri,
        formats=formats,
        jsonld=jsonld,
        languages=LANGUAGES,
        **view.template_context(),
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
