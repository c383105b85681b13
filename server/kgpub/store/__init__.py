"""Where the triples live: one protocol, two implementations.

- ``protocol``: ``QueryStore``, what every layer above needs of a store.
- ``oxigraph``: ``Store``, pyoxigraph in memory or on disk (kgpub's own engine).
- ``files``: opening an on-disk store's files; a full disk told from other failures.
- ``remote``: ``RemoteStore``, any SPARQL 1.1 endpoint behind the same protocol.
- ``remote_protocol``: how the remote store speaks the SPARQL protocol.
- ``changes``: a write as a change set, applied as one atomic update.
- ``staged``: the store as it would be after a change set, read without copying it.
- ``counts``: graph sizes and distinct triples, kept current by each commit.
- ``fingerprint``: a hash of the store's content that a change set updates.
- ``as_of``: the store as of an instant: every article with history at its revision then.
"""
