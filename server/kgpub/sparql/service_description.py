"""The W3C SPARQL 1.1 Service Description of the endpoint, with VoID sizes.

Clients such as Comunica dereference the endpoint URL and look for
``sd:endpoint`` to recognise a SPARQL endpoint; people and crawlers read the
rest: which languages, result formats and features are supported, and which
named graphs the dataset holds and how large each is. The default dataset is
the VoID dataset of ``/.well-known/void`` (same IRI), linked with
``rdfs:seeAlso`` to that description.

See https://www.w3.org/TR/sparql11-service-description/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from kgpub.namespaces import DCTERMS, ENTAILMENT, FORMATS, RDF_TYPE, RDFS, SD, VOID, XSD
from kgpub.rdf.formats import RDF_FORMATS, RESULT_FORMATS, UPLOAD_FORMATS

RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)
DCTERMS_TITLE = ox.NamedNode(DCTERMS + "title")
RDFS_SEE_ALSO = ox.NamedNode(RDFS + "seeAlso")

# The formats the endpoint produces, by their W3C format IRIs.
_RESULT_FORMATS = tuple(rep.w3c_name for rep in (*RESULT_FORMATS, *RDF_FORMATS) if rep.w3c_name)
# The RDF syntaxes a write may carry (Graph Store bodies and their multipart parts).
_INPUT_FORMATS = tuple(rep.w3c_name for rep in UPLOAD_FORMATS if rep.w3c_name)

# sd:UnionDefaultGraph: without FROM or default-graph-uri the default graph
# is the union of all named graphs. sd:BasicFederatedQuery is deliberately
# absent: SERVICE is refused.
_FEATURES = ("UnionDefaultGraph",)


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def describe(
    endpoint: str,
    graph_sizes: Mapping[str, int],
    default_graph_size: int,
    title: str,
    void: tuple[str, str] | None = None,
    *,
    updates: bool = False,
    functions: Sequence[str] = (),
    articles: Sequence[str] = (),
    features: Sequence[str] = (),
) -> list[ox.Triple]:
    """The service description of the endpoint at ``endpoint`` as triples.

    ``void`` is the VoID dataset's IRI and the URL of its description
    (``/.well-known/void``): the default dataset is then that dataset, with
    ``rdfs:seeAlso`` to where it is described. ``updates``: the endpoint runs
    SPARQL Update (writes are on), so it says ``sd:SPARQL11Update`` and the
    RDF syntaxes it reads (``sd:inputFormat``). ``functions``: the IRIs of the
    extension functions queries may call (``kgpub:search``).
    ``articles``: the dataset's articles, each a ``void:rootResource`` of it,
    as in the VoID description. ``features``: IRIs of kgpub's own features
    (``kgpub:TimeTravel``), each an ``sd:Feature``.
    """
    service = ox.NamedNode(endpoint)
    dataset: ox.NamedNode | ox.BlankNode = (
        ox.NamedNode(void[0]) if void else ox.BlankNode("dataset")
    )
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE_NODE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, DCTERMS_TITLE, ox.Literal(title)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(
            service,
            _sd("defaultEntailmentRegime"),
            ox.NamedNode(ENTAILMENT + "Simple"),
        ),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE_NODE, _sd("Dataset")),
        ox.Triple(dataset, RDF_TYPE_NODE, _void("Dataset")),
        ox.Triple(dataset, _void("sparqlEndpoint"), service),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE_NODE, _sd("Graph")),
        ox.Triple(default_graph, _void("triples"), _count(default_graph_size)),
    ]
    if void:
        triples.append(ox.Triple(dataset, RDFS_SEE_ALSO, ox.NamedNode(void[1])))
    triples += [ox.Triple(dataset, _void("rootResource"), ox.NamedNode(a)) for a in articles]
    if updates:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
        triples += [
            ox.Triple(service, _sd("inputFormat"), ox.NamedNode(FORMATS + name))
            for name in _INPUT_FORMATS
        ]
    triples += [
        ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + name))
        for name in _RESULT_FORMATS
    ]
    triples += [ox.Triple(service, _sd("feature"), _sd(name)) for name in _FEATURES]
    for feature in features:
        triples += [
            ox.Triple(service, _sd("feature"), ox.NamedNode(feature)),
            ox.Triple(ox.NamedNode(feature), RDF_TYPE_NODE, _sd("Feature")),
        ]
    for function in functions:
        triples += [
            ox.Triple(service, _sd("extensionFunction"), ox.NamedNode(function)),
            ox.Triple(ox.NamedNode(function), RDF_TYPE_NODE, _sd("Function")),
        ]
    for index, (name, size) in enumerate(sorted(graph_sizes.items())):
        named = ox.BlankNode(f"namedGraph{index}")
        graph = ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE_NODE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(name)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE_NODE, _sd("Graph")),
            ox.Triple(graph, _void("triples"), _count(size)),
        ]
    return triples


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    prefixes = {
        "sd": SD,
        "void": VOID,
        "formats": FORMATS,
        "dcterms": DCTERMS,
        "rdfs": RDFS,
    }
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
