"""The vocabulary namespaces kgpub's code names, once.

Every module that builds or reads RDF takes its IRIs from here, so a namespace
cannot be spelled two ways in two modules. kgpub's own namespace depends on
the configured base IRI (``Settings.base_iri`` + ``ontology#``) and is built
from the settings, not listed here.
"""

from __future__ import annotations

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

RDF_TYPE = RDF + "type"
