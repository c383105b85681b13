"""A picture of a resource's neighbourhood in the graph, as inline SVG.

The resource sits in the centre; the resources it links to and those linking
to it sit on a circle around it, each edge labelled with its property (in the
page's language) and each node a link (``<a href>`` inside the SVG) to its
own page. No JavaScript and no external assets: the page's server draws it.
The layout is radial (two staggered rings) and deterministic: neighbours are sorted (outgoing before
incoming, then by property and label) and spread evenly from twelve o'clock,
so the same data always draws the same picture. At most ``cap`` neighbours
are drawn; a note says how many more there are. Every text is escaped: labels
are data from the news, not markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

CAP = 24
WIDTH, HEIGHT = 900, 620
_CX, _CY = WIDTH / 2, HEIGHT / 2 - 8
# Neighbours alternate between an outer and an inner ellipse, so 24 fit without overlapping.
_RX, _RY, _INNER = 370, 262, 0.68
_NODE_RX, _NODE_RY = 60, 16
_MAX_CHARS = 19


@dataclass(frozen=True)
class Edge:
    """One triple between the centre and a neighbour."""

    neighbour: str
    predicate: str
    outgoing: bool


@dataclass(frozen=True)
class Node:
    """A neighbour as drawn: its IRI, label, page and the labels of its edges."""

    iri: str
    label: str
    href: str
    edge_label: str
    outgoing: bool
    incoming: bool


def nodes(
    edges: Iterable[Edge], label: Callable[[str], str], href: Callable[[str], str]
) -> list[Node]:
    """One node per neighbour, its edges' property labels joined, in drawing order."""
    grouped: dict[str, list[Edge]] = {}
    for edge in edges:
        grouped.setdefault(edge.neighbour, []).append(edge)
    out = []
    for iri, group in grouped.items():
        props = sorted({label(e.predicate) for e in group}, key=str.lower)
        out.append(
            Node(
                iri,
                label(iri),
                href(iri),
                ", ".join(props),
                any(e.outgoing for e in group),
                any(not e.outgoing for e in group),
            )
        )
    return sorted(out, key=lambda n: (not n.outgoing, n.edge_label.lower(), n.label.lower(), n.iri))


def _short(text: str, limit: int = _MAX_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: float) -> str:
    return f"{value:.1f}"


def _edge_end(x: float, y: float, towards_x: float, towards_y: float) -> tuple[float, float]:
    """Where a line from the centre of an ellipse at (x, y) towards a point leaves it."""
    dx, dy = towards_x - x, towards_y - y
    if dx == 0 and dy == 0:
        return x, y
    scale = 1 / math.sqrt((dx / _NODE_RX) ** 2 + (dy / _NODE_RY) ** 2)
    return x + dx * scale, y + dy * scale


def _node_svg(x: float, y: float, node_label: str, href: str, css: str) -> str:
    return (
        f'<a href="{escape(href)}" class="{css}"><title>{escape(node_label)}</title>'
        f'<ellipse cx="{_num(x)}" cy="{_num(y)}" rx="{_NODE_RX}" ry="{_NODE_RY}"/>'
        f'<text x="{_num(x)}" y="{_num(y + 4)}" text-anchor="middle">'
        f"{escape(_short(node_label))}</text></a>"
    )


def svg(
    centre_label: str,
    centre_href: str,
    neighbours: list[Node],
    *,
    title: str,
    more: Callable[[int], str],
    cap: int = CAP,
) -> Markup:
    """The neighbourhood drawing: ``title`` names it, ``more(n)`` words the overflow note."""
    shown = neighbours[:cap]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="neighbourhood" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        "<defs>"
        '<marker id="nb-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        "</defs>",
    ]
    count = len(shown)
    edges, labels, drawn = [], [], []
    for index, node in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        ring = _INNER if index % 2 and count > 8 else 1.0
        x, y = _CX + ring * _RX * math.cos(angle), _CY + ring * _RY * math.sin(angle)
        x1, y1 = _edge_end(_CX, _CY, x, y)
        x2, y2 = _edge_end(x, y, _CX, _CY)
        markers = (' marker-end="url(#nb-arrow)"' if node.outgoing else "") + (
            ' marker-start="url(#nb-arrow)"' if node.incoming else ""
        )
        edges.append(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"{markers}/>'
        )
        along = 0.62 if ring == 1.0 else 0.5
        lx, ly = _CX + (x - _CX) * along, _CY + (y - _CY) * along
        labels.append(
            f'<text class="edge" x="{_num(lx)}" y="{_num(ly)}" text-anchor="middle">'
            f"<title>{escape(node.edge_label)}</title>{escape(_short(node.edge_label, 28))}</text>"
        )
        drawn.append(_node_svg(x, y, node.label, node.href, "node"))
    parts.append('<g class="edges">' + "".join(edges) + "</g>")
    parts.append('<g class="edge-labels">' + "".join(labels) + "</g>")
    parts.append('<g class="nodes">' + "".join(drawn) + "</g>")
    parts.append(_node_svg(_CX, _CY, centre_label, centre_href, "centre"))
    if len(neighbours) > count:
        parts.append(
            f'<text class="more" x="{WIDTH - 10}" y="{HEIGHT - 10}" text-anchor="end">'
            f"{escape(more(len(neighbours) - count))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
