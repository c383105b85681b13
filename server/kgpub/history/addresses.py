"""Where a revision's change and feed are published: the diff and feed IRIs of docs/revisions.md.

One place builds them, so the pages, the feeds, the sitemap and the routes
link the same addresses: ``<base>diff/<path of A>?from=n&to=m`` and
``<base>feed`` / ``<base>feed/<path of A>``, the path being the IRI's part
below the base IRI (:func:`path_below`, which the memento and TimeMap
addresses use too; a memento's own address is
:func:`kgpub.history.memento.memento_iri`). An IRI outside the base has no
such address here (``ValueError``): kgpub publishes the history of its own
IRIs only.
"""

from __future__ import annotations


def path_below(base: str, iri: str) -> str:
    """The part of ``iri`` after ``base`` (``id/hafenfest``)."""
    if not iri.startswith(base):
        raise ValueError(f"<{iri}> is not below the base IRI <{base}>")
    return iri[len(base) :]


def diff_iri(base: str, article: str, start: int | None = None, end: int | None = None) -> str:
    """``<base>diff/<path of article>``, with ``?from=…&to=…`` for the numbers given."""
    query = "&".join(
        f"{name}={number}" for name, number in (("from", start), ("to", end)) if number is not None
    )
    return f"{base}diff/{path_below(base, article)}" + (f"?{query}" if query else "")


def feed_iri(base: str, article: str | None = None) -> str:
    """``<base>feed`` (every article), or ``<base>feed/<path of article>``."""
    return f"{base}feed" if article is None else f"{base}feed/{path_below(base, article)}"
