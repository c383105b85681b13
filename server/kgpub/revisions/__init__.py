"""Revisions of an article's text: where each claim's evidence is after an edit.

This layer knows texts and anchors only (no store, no web framework); the
revision model that uses it comes later (issue 17). Modules:

- ``normalize``: texts compared as readers see them (NFC, no soft hyphens),
  with the maps back to code points;
- ``meaning``: which edits change what a span says (numbers, negations, names,
  quotation marks);
- ``candidates``: the places an old span may be in a new text (character diff,
  exact occurrences, approximate search), each scored;
- ``reanchor``: the decision: ``exact``, ``shifted``, ``fuzzy``, ``modified`` or
  ``orphaned``, never a guess.
"""
