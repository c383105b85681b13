"""Getting data in: loading stores, the served dataset, and writes.

- ``dataset``: what the server publishes, loaded and checked at start-up.
- ``bulkload``: RDF files into a persistent store, all or nothing.
- ``new_store``: ``kgpub load`` into a new store, parsed in parallel.
- ``remote_load``: ``kgpub load --backend`` through the Graph Store Protocol.
- ``writes``: staged, SHACL-validated, atomic writes; ``write_gate``: the validation of
  the state a write would leave (incremental, or in full where that costs less);
  ``auth``: who may write; ``preconditions``: If-Match/If-None-Match on writes.
- ``update_scope``: the IRIs a SPARQL Update is bounded to, so only their quads are staged;
  ``update_text``: an update's text before it runs (LOAD/SERVICE refused, USING written in).
- ``graph_patch``: ``PATCH /graph-store``, an RDF Patch applied strictly, and the revision
  it records; ``covered``: the graphs of articles with history, and the writes refused on
  them and on the history graph; ``graph_tags``: a graph's ETags (its latest revision's
  where it has history).
- ``store_seal``: what kgpub last validated in an on-disk store; ``serve --store``'s check.
- ``validation_pool``, ``validation_worker``: ``/validate`` in killable, bounded processes,
  forked warm from ``validation_template``.
- ``revision_commit``: a revision committed to a project's files, SHACL-validated before
  anything is written, through ``journal`` (several files replaced as one change; a
  crash's leftover finished or undone by ``journal.recover``); ``revision_writes``: a
  revision committed to the served store (``POST /id/{article}/revisions``).
"""
