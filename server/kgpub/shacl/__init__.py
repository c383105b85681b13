"""SHACL validation, with the report kept as data.

- ``validate``: pySHACL over pyoxigraph quads; ``ValidationReport`` as typed results.
- ``conformance``: the served data's report, per-resource results, uploads.
- ``text``: the report rendered for people at a terminal.
- ``report_file``: a report saved and read back exactly; ``report_cache``: reports kept
  by a hash of data, shapes, vocabulary and validator.
"""
