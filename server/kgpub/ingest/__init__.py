"""Getting data in: loading stores, the served dataset, and writes.

- ``dataset``: what the server publishes, loaded and checked at start-up.
- ``bulkload``: RDF files into a persistent store, all or nothing.
- ``new_store``: ``kgpub load`` into a new store, parsed in parallel.
- ``remote_load``: ``kgpub load --backend`` through the Graph Store Protocol.
- ``writes``: staged, SHACL-validated, atomic writes; ``auth``: who may write;
  ``preconditions``: If-Match/If-None-Match on writes.
- ``update_scope``: the IRIs a SPARQL Update is bounded to, so only their quads are staged.
- ``store_seal``: what kgpub last validated in an on-disk store; ``serve --store``'s check.
- ``validation_pool``, ``validation_worker``: ``/validate`` in killable, bounded processes.
"""
