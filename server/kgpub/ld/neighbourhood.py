"""A picture of a resource's neighbourhood in the graph, as inline SVG.

The resource and the resources it links to or is linked from are laid out by
a real graph-layout algorithm (networkx's force-directed ``spring_layout``,
seeded, so the same data always draws the same picture), over the links to
the centre and the links among the neighbours themselves, so related
neighbours sit together. Each node is a box holding its label wrapped on up
to three lines and, under it, the property linking it (in the page's
language): no edge label floats over a line, and a last pass pushes boxes
apart until none overlap. Every node is a link to its own page; its full
label and properties are its tooltip (``<title>``). No JavaScript and no
external assets: the page's server draws it. At most ``cap`` neighbours are
drawn; a note says how many more there are. Every text is escaped: labels are
data from the news, not markup.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    import networkx as nx

CAP = 24
_SCALE_X, _SCALE_Y = 560.0, 400.0
_CHARS, _LINES, _PROP_CHARS = 20, 3, 26
_CHAR_W, _LINE_H, _PAD, _GAP = 7.4, 16.0, 8.0, 10.0
_SEED = 7


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


@dataclass
class _Box:
    """A node's box: centre, size, the lines it shows and its tooltip."""

    x: float
    y: float
    lines: list[str]
    prop: str
    href: str
    tooltip: str
    css: str

    @property
    def w(self) -> float:
        longest = max([len(line) for line in self.lines] + [len(self.prop) * 0.85])
        return longest * _CHAR_W + 2 * _PAD

    @property
    def h(self) -> float:
        return _LINE_H * (len(self.lines) + (1 if self.prop else 0)) + _PAD


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


def wrap(text: str, width: int = _CHARS, lines: int = _LINES) -> list[str]:
    """``text`` on at most ``lines`` lines of about ``width`` characters, the last cut with "…"."""
    wrapped = textwrap.wrap(" ".join(text.split()), width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,") + "…"


def _num(value: float) -> str:
    return f"{value:.1f}"


def layout(count: int, between: Iterable[tuple[int, int]]) -> list[tuple[float, float]]:
    """Positions for the centre (index 0) and ``count`` neighbours (1…count), spring-laid.

    networkx (and numpy under it) is imported by the first picture, not when the
    server starts: a tenth of a second of start-up no reader waits for.
    """
    import networkx as nx  # noqa: PLC0415 - see the docstring

    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(count + 1))
    graph.add_edges_from((0, i) for i in range(1, count + 1))
    graph.add_edges_from((a, b) for a, b in between if 0 < a <= count and 0 < b <= count)
    if count == 0:
        return [(0.0, 0.0)]
    pos = nx.spring_layout(graph, seed=_SEED, center=(0, 0), iterations=300)
    cx, cy = pos[0]
    return [(float(pos[i][0] - cx), float(pos[i][1] - cy)) for i in range(count + 1)]


def separate(boxes: list[_Box], rounds: int = 400) -> None:
    """Push overlapping boxes apart (the first, the centre, stays) until none overlap."""
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                dx, dy = b.x - a.x, b.y - a.y
                over_x = (a.w + b.w) / 2 + _GAP - abs(dx)
                over_y = (a.h + b.h) / 2 + _GAP - abs(dy)
                if over_x <= 0 or over_y <= 0:
                    continue
                moved = True
                share = 1.0 if i == 0 else 0.5
                if over_x * 0.6 < over_y:
                    sign = 1 if dx >= 0 else -1
                    b.x += sign * over_x * share
                    if i:
                        a.x -= sign * over_x * share
                else:
                    sign = 1 if dy >= 0 else -1
                    b.y += sign * over_y * share
                    if i:
                        a.y -= sign * over_y * share
        if not moved:
            return


def _edge_end(box: _Box, towards_x: float, towards_y: float) -> tuple[float, float]:
    """Where a line from the centre of ``box`` towards a point leaves the box."""
    dx, dy = towards_x - box.x, towards_y - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    scale = min(
        (box.w / 2) / abs(dx) if dx else float("inf"), (box.h / 2) / abs(dy) if dy else float("inf")
    )
    scale = min(scale, 1.0)
    return box.x + dx * scale, box.y + dy * scale


def _box_svg(box: _Box) -> str:
    top = box.y - box.h / 2
    texts = "".join(
        f'<text x="{_num(box.x)}" y="{_num(top + _PAD / 2 + _LINE_H * (n + 0.75))}" '
        f'text-anchor="middle">{escape(line)}</text>'
        for n, line in enumerate(box.lines)
    )
    if box.prop:
        y = top + _PAD / 2 + _LINE_H * (len(box.lines) + 0.75)
        texts += (
            f'<text class="prop" x="{_num(box.x)}" y="{_num(y)}" text-anchor="middle">'
            f"{escape(box.prop)}</text>"
        )
    return (
        f'<a href="{escape(box.href)}" class="{box.css}"><title>{escape(box.tooltip)}</title>'
        f'<rect x="{_num(box.x - box.w / 2)}" y="{_num(top)}" width="{_num(box.w)}" '
        f'height="{_num(box.h)}" rx="6"/>{texts}</a>'
    )


def svg(
    centre_label: str,
    centre_href: str,
    neighbours: list[Node],
    *,
    title: str,
    more: Callable[[int], str],
    cap: int = CAP,
    between: Iterable[tuple[str, str]] = (),
) -> Markup:
    """The neighbourhood drawing: ``title`` names it, ``more(n)`` words the overflow note.

    ``between`` are links among the neighbours (IRI pairs): drawn faintly,
    and pulling the nodes they join together in the layout.
    """
    shown = neighbours[:cap]
    index = {node.iri: n for n, node in enumerate(shown, start=1)}
    pairs = sorted(
        {
            (min(index[a], index[b]), max(index[a], index[b]))
            for a, b in between
            if a in index and b in index and a != b
        }
    )
    positions = layout(len(shown), pairs)
    # A few neighbours sit closer than many: the layout's unit square, scaled to the crowd.
    spread = min(1.0, max(0.3, math.sqrt(len(shown) / 16)))
    boxes = [_Box(0.0, 0.0, wrap(centre_label, 28, 2), "", centre_href, centre_label, "centre")] + [
        _Box(
            x * _SCALE_X * spread,
            y * _SCALE_Y * spread,
            wrap(node.label),
            _short(node.edge_label, _PROP_CHARS),
            node.href,
            f"{node.label} — {node.edge_label}",
            "node",
        )
        for node, (x, y) in zip(shown, positions[1:], strict=True)
    ]
    separate(boxes)
    left = min(b.x - b.w / 2 for b in boxes) - 12
    top = min(b.y - b.h / 2 for b in boxes) - 12
    width = max(b.x + b.w / 2 for b in boxes) - left + 12
    height = max(b.y + b.h / 2 for b in boxes) - top + (34 if len(neighbours) > len(shown) else 12)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="neighbourhood" '
        f'viewBox="{_num(left)} {_num(top)} {_num(width)} {_num(height)}" role="group" '
        # never drawn larger than life; on a phone, scrolled rather than shrunk past reading
        f'style="max-width: {width:.0f}px; min-width: min(46rem, {width:.0f}px)" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        "<defs>"
        '<marker id="nb-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        "</defs>",
    ]
    lines = []
    for a, b in pairs:
        x1, y1 = _edge_end(boxes[a], boxes[b].x, boxes[b].y)
        x2, y2 = _edge_end(boxes[b], boxes[a].x, boxes[a].y)
        lines.append(
            f'<line class="between" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" '
            f'y2="{_num(y2)}"/>'
        )
    for node, box in zip(shown, boxes[1:], strict=True):
        x1, y1 = _edge_end(boxes[0], box.x, box.y)
        x2, y2 = _edge_end(box, boxes[0].x, boxes[0].y)
        markers = (' marker-end="url(#nb-arrow)"' if node.outgoing else "") + (
            ' marker-start="url(#nb-arrow)"' if node.incoming else ""
        )
        lines.append(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"{markers}/>'
        )
    parts.append('<g class="edges">' + "".join(lines) + "</g>")
    parts.append('<g class="nodes">' + "".join(_box_svg(b) for b in boxes[1:]) + "</g>")
    parts.append(_box_svg(boxes[0]))
    if len(neighbours) > len(shown):
        parts.append(
            f'<text class="more" x="{_num(left + width - 10)}" y="{_num(top + height - 10)}" '
            f'text-anchor="end">{escape(more(len(neighbours) - len(shown)))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
