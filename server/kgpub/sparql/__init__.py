"""The SPARQL 1.1 query path, free of any web framework.

Empty of imports: the query workers import ``sparql.worker`` and must stay small.

- ``operation``: a query and its dataset, decided once, as it travels to the workers.
- ``protocol``: a request's parts to a ``QueryOperation`` (or the protocol's error).
- ``results``: running a query and writing its result within the result limits.
- ``executor``: the pool of killable worker processes and the hard deadline.
- ``generation``: one set of workers over one snapshot, and starting a worker.
- ``memory_copy``: when workers answer from an in-memory copy, and keeping it current.
- ``memory_image``: the process holding that copy, which the workers are forked from.
- ``image_handle``: the server's side of that process (start, fork, catch up, stop).
- ``processes``: the forkserver context every worker starts from, and awaiting a pipe.
- ``runners``: which runner answers a store's queries (the pool, or a thread for a remote store).
- ``worker``: the worker process itself, one snapshot (or the copy), one query at a time.
- ``cache``: the memory-bounded result cache with HTTP validators.
- ``service_description``: the endpoint's W3C Service Description.
- ``time_travel``: which instant a time-travel query reads (``at=``, ``Accept-Datetime``).
"""
