"""SHACL validation, with the report kept as data (docs/validation.md).

- ``validate``: the entry point (``validate_quads``); plain pySHACL as the reference.
- ``report``: ``ValidationReport`` with SHACL's ``conforms`` and kgpub's ``accepted``,
  importable without rdflib; a report read from a file is deferred.
- ``compiled``: the shapes compiled once, split into pyoxigraph's and pySHACL's parts.
- ``sparql_constraints``: SHACL-SPARQL constraints and targets evaluated by pyoxigraph.
- ``terms``: rdflib ↔ pyoxigraph terms, blank node labels kept.
- ``messages``: one message per result in the requested language.
- ``reach``, ``sparql_reach``, ``incremental``: the write gate's re-validation of the
  affected focus nodes only; ``core_engine``: pySHACL kept warm for it (shapes parsed
  once, the ontology's inoculation computed once).
- ``conformance``: the served data's report, per-resource results, uploads.
- ``report_cache``, ``report_file``: reports kept by a hash of what they are about.
- ``text``: the report rendered for people at a terminal.
- ``report_file``: a report saved and read back exactly; ``report_cache``: reports kept
  by a hash of data, shapes, vocabulary and validator.
"""
