"""History formats: how a revision's change and an IRI's past are written for others.

Pure functions over plain values (pyoxigraph terms, datetimes, strings), with no
store and no web framework, for the revision model to wire into its routes:

- ``rdf_patch``: a graph change as RDF Patch (``text/rdf-patch``), written and
  parsed strictly (faults name line and column); ``patch_lexer`` reads one
  row's tokens.
- ``memento``: Memento (RFC 7089): ``Accept-Datetime``, choosing a memento,
  ``Link`` headers and TimeMaps (``application/link-format`` and JSON).
- ``atom``: an Atom feed (RFC 4287) of revisions with their kind and note.
- ``records``: a revision's record (number, hash, time, editor, kind, note,
  patch, anchorings) as a value and as quads of the history graph, read back
  with its chain checked; ``content_hash``: the digest that identifies what a
  revision contains; ``replay``: earlier states rebuilt from the current
  graphs by undoing patches, each checked against its hash.
- ``addresses``: the memento, TimeMap, diff and feed IRIs, built in one place.
- ``compare``: two revisions compared (their numbers, the patch between them,
  their texts); ``text_diff``: a text change as a unified diff and as marked words.
- ``evidence``: an article's anchors and where each goes in a new text, per
  claim; ``plan``: the next revision planned from the graphs, the texts and the
  editor's decisions, through ``claim_edits`` (one function per graph edit);
  ``editor_input``: an editor's words (decisions, spans, kind) read once for
  the CLI and the web.
"""
