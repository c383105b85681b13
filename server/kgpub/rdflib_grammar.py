"""One lock for rdflib's SPARQL grammar, which is not thread-safe.

rdflib builds its SPARQL grammar (pyparsing) on first import and keeps parse
state in shared objects: two threads importing or parsing at once corrupted it
for good in a running server (every later update a 500). Every use of rdflib's
SPARQL parser in the server process (the read-only endpoint's update check,
the write gate's shape analysis) holds this lock while it parses.
"""

from __future__ import annotations

import threading

GRAMMAR_LOCK = threading.Lock()
