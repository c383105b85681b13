"""The ontology's HTML documentation, made by pyLODE (``OntPub``), one page per language.

pyLODE renders offline: its background ontologies ship inside the package
and its CSS is inlined, so rendering fetches nothing. Two things are adapted:

- **Language.** pyLODE takes whichever label it meets first. Before rendering,
  every language-tagged literal is dropped where the same subject and property
  also have one in the page's language (else English), so the German page
  reads German and the English page English.
- **Anchors.** pyLODE makes each term's ``id`` from its label
  (``berichteteBehauptung``), while the term IRI's fragment is its local name
  (``<…/ontology#ReportedClaim>``). Each term's ``id`` and every ``href="#…"``
  to it are rewritten to the local name, so a term IRI lands at its place.
- **Named individuals.** pyLODE's OntPub profile shows classes and
  properties only; the ontology's named individuals (the endpoint feature
  ``kgpub:TimeTravel``) get a section of their own, in pyLODE's markup, before
  the namespaces, and a line in the table of contents.
- **No markup from literals.** pyLODE passes every description through
  Markdown, which lets raw HTML through, and embeds the ontology's metadata as
  JSON-LD in a ``<script>`` element without escaping ``</script>``; so a
  label or comment could put a script on the page. Every ``<`` in a literal
  becomes ``&lt;`` first: Markdown shows it as ``<``, and no tag can start.
  (Where pyLODE escapes text itself, such a label reads ``&lt;``: only
  labels with a ``<`` in them, and safe.)

Pages are rendered on first request and kept: the ontology does not change
while the server runs.
"""

from __future__ import annotations

import html
import re
import threading
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib

_ID = re.compile(r'\b(id|href)="(#?)([^"]*)"')


def _one_language(graph: rdflib.Graph, lang: str) -> rdflib.Graph:
    """``graph`` with each property's tagged literals kept in ``lang`` (else ``en``) only,
    and every literal made inert (``_inert``)."""
    import rdflib  # noqa: PLC0415 - like pyLODE, only for the first ontology page

    out = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    tagged: dict[tuple[object, object], set[str]] = {}
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.language:
            tagged.setdefault((s, p), set()).add(o.language.lower())
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.language:
            have = tagged[(s, p)]
            keep = lang if lang in have else "en" if "en" in have else None
            if keep is not None and o.language.lower() != keep:
                continue
        out.add((s, p, _inert(o)))
    return out


def _inert(term: rdflib.term.Node) -> rdflib.term.Node:
    """A literal with no ``<`` (``&lt;`` instead), so pyLODE's Markdown cannot emit a tag."""
    import rdflib  # noqa: PLC0415 - see _one_language

    if not isinstance(term, rdflib.Literal) or "<" not in str(term):
        return term
    text = str(term).replace("<", "&lt;")
    if term.language:
        return rdflib.Literal(text, lang=term.language)
    return rdflib.Literal(text, datatype=term.datatype)


def render(turtle: str, document: str, lang: str) -> str:
    """The pyLODE page of the ontology ``document`` (given as Turtle) in ``lang``."""
    # pyLODE takes about 0.1 s to import; only the first ontology page needs it, not
    # every server process at start.
    import rdflib  # noqa: PLC0415
    from pylode import OntPub  # noqa: PLC0415

    graph = _one_language(rdflib.Graph().parse(data=turtle, format="turtle"), lang)
    with warnings.catch_warnings():
        # pyLODE 3.3 reads its CSS without closing the file.
        warnings.simplefilter("ignore", ResourceWarning)
        od = OntPub(graph)
        page: str = od.make_html()
    fids: dict[str, str] = od.fids
    taken = set(re.findall(r'\bid="([^"]*)"', page)) - set(fids.values())
    renamed = {
        fid: iri[len(document) + 1 :]
        for iri, fid in fids.items()
        if iri.startswith(document + "#") and iri[len(document) + 1 :] not in taken
    }

    def rename(match: re.Match[str]) -> str:
        attribute, hash_, value = match.groups()
        if attribute == "href" and not hash_:
            return match.group(0)
        return f'{attribute}="{hash_}{renamed.get(value, value)}"'

    page = _ID.sub(rename, page)
    page = _with_individuals(page, graph, document, lang)
    page = page.replace("<body>", "<body>" + _SITE_HEADER, 1)
    page = page.replace("<head>", "<head>" + _PHONE, 1)
    return page.replace("<html>", f'<html lang="{lang}">', 1)


_INDIVIDUALS = {"en": "Named Individuals", "de": "Benannte Individuen"}
_TYPE = {"en": "Type", "de": "Typ"}
_DESCRIPTION = {"en": "Description", "de": "Beschreibung"}


def _text(graph: rdflib.Graph, node: rdflib.URIRef, predicate: rdflib.URIRef) -> str:
    """One value as HTML text (``_one_language`` already chose the language); ``<`` is
    ``&lt;`` already (``_inert``), so only ``&`` and quotes are left to escape."""
    value = next(iter(graph.objects(node, predicate)), None)
    return html.escape(str(value), quote=True).replace("&amp;lt;", "&lt;") if value else ""


def _with_individuals(page: str, graph: rdflib.Graph, document: str, lang: str) -> str:
    """``page`` with a section (and a table-of-contents entry) for each named individual
    of ``document``, as pyLODE lays out a term; ``page`` unchanged when there is none."""
    import rdflib  # noqa: PLC0415 - see _one_language

    nodes = sorted(
        n
        for n in graph.subjects(rdflib.RDF.type, rdflib.OWL.NamedIndividual)
        if isinstance(n, rdflib.URIRef) and str(n).startswith(document + "#")
    )
    words = "de" if lang == "de" else "en"
    entries, toc = [], []
    for node in nodes:
        local = str(node)[len(document) + 1 :]
        label = _text(graph, node, rdflib.RDFS.label) or local
        types = ", ".join(
            f"<code>{html.escape(str(t))}</code>"
            for t in sorted(str(t) for t in graph.objects(node, rdflib.RDF.type))
            if t != str(rdflib.OWL.NamedIndividual)
        )
        entries.append(
            f'<div class="entity" id="{html.escape(local)}"><h3>{label}</h3><table>'
            f"<tr><th>IRI</th><td><code>{html.escape(str(node))}</code></td></tr>"
            f"<tr><th>{_TYPE[words]}</th><td>{types}</td></tr>"
            f"<tr><th>{_DESCRIPTION[words]}</th>"
            f"<td><p>{_text(graph, node, rdflib.RDFS.comment)}</p></td></tr></table></div>"
        )
        toc.append(f'<li><a href="#{html.escape(local)}">{label}</a></li>')
    if not entries:
        return page
    title = _INDIVIDUALS[words]
    section = f'<div class="section" id="individuals"><h2>{title}</h2>{"".join(entries)}</div>'
    item = (
        f'<li><h4><a href="#individuals">{title}</a></h4>'
        f'<ul class="second">{"".join(toc)}</ul></li>'
    )
    page = page.replace('<div id="namespaces">', section + '<div id="namespaces">', 1)
    marker = '<li>\n          <h4>\n            <a href="#namespaces">'
    return page.replace(marker, item + marker, 1)


# pyLODE's page has no viewport and a fixed table of contents: on a phone the contents
# come first and the text takes the width.
_PHONE = (
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<style>@media (max-width: 48rem) { #toc { position: static; width: auto; height: auto; }"
    " #content { width: auto; } #pylode { display: none; }"
    " body { overflow-wrap: anywhere; } pre { white-space: pre-wrap; } }</style>"
)

# The site's header, as on every other page: "kgpub" leads home; and pyLODE's grey
# footnote text and its light term-kind marks (orange "c", light sky blue "fp") darkened
# to WCAG AA contrast (4.5:1) in the same hues.
_SITE_HEADER = (
    "<style>#pylode > p, #pylode > p span { color: #595959 !important; }"
    " .sup-c, .sup-con { color: #a35200 !important; } .sup-fp { color: #0b6ea8 !important; }"
    "</style>"
    '<nav aria-label="Site" style="font-family: system-ui, sans-serif; padding: .5rem 1rem; '
    'border-bottom: 1px solid #d8d8d8;"><a href="/" style="font-weight: 700; color: #1d1d1f; '
    'text-decoration: none; margin-right: 1.5rem;">kgpub</a> '
    '<a href="/sparql" style="color: #1f4e8c;">Query editor</a> · '
    '<a href="/.well-known/void" style="color: #1f4e8c;">VoID</a></nav>'
)


class OntologyDocs:
    """pyLODE pages of one ontology, rendered once per language and kept."""

    def __init__(self) -> None:
        self._pages: dict[str, str] = {}
        self._lock = threading.Lock()

    def page(self, turtle: str, document: str, lang: str) -> str:
        with self._lock:
            if lang not in self._pages:
                self._pages[lang] = render(turtle, document, lang)
            return self._pages[lang]
