"""The SHACL report as data, importable without rdflib.

A report's results and graph are rdflib terms (pySHACL's), and rdflib costs a
tenth of a second to import. ``kgpub serve`` on unchanged data reads its report
from the cache (``shacl.report_cache``) and only needs to know whether it is
accepted and to print its Warnings by name before it answers; so a report read
from a file is *deferred*: it carries each result as text (``ResultText``) and
builds the rdflib results and graph on first use (a page showing a resource's
results, the write gate, ``POST /validate``), after the server is ready.

``conforms`` is SHACL's (§3.6.1: no result at all); ``accepted`` is kgpub's
policy (no Violation: Warnings and Infos are published and shown).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kgpub.shacl.messages import Message, choose_message

if TYPE_CHECKING:
    from rdflib import Graph, Literal, URIRef
    from rdflib.term import Node

SH = "http://www.w3.org/ns/shacl#"
VIOLATION = SH + "Violation"


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``: what failed, where, and under which constraint."""

    focus: Node
    path: Node | None
    component: URIRef
    severity: URIRef
    source_shape: Node
    value: Node | None = None
    messages: tuple[Literal, ...] = ()
    source_constraint: Node | None = None

    def message_in(self, languages: Sequence[str] = ("en",)) -> str:
        """The message in the first of ``languages`` it has (``shacl.messages``)."""
        return choose_message(self.messages, languages)

    @property
    def message(self) -> str:
        """The English message (or the nearest one ``choose_message`` falls back to)."""
        return self.message_in()

    def key(self) -> tuple[str, ...]:
        """Focus, path, component, severity, source shape and value, as N3 (for comparing)."""
        parts = (self.focus, self.path, self.component, self.severity, self.source_shape)
        return tuple("" if x is None else x.n3() for x in (*parts, self.value))


@dataclass(frozen=True)
class Shown:
    """A term as text: its lexical form or IRI, and whether it is an IRI."""

    text: str
    iri: bool = False

    def short(self) -> str:
        """SHACL's own IRIs as ``sh:`` names; anything else as it is."""
        if self.iri and self.text.startswith(SH):
            return "sh:" + self.text[len(SH) :]
        return self.text


@dataclass(frozen=True)
class ResultText:
    """A result as a person reads it (``shacl.text``): no rdflib needed."""

    severity: Shown
    focus: Shown
    path: Shown | None
    component: Shown
    value: Shown | None
    messages: tuple[Message, ...]

    def message_in(self, languages: Sequence[str] = ("en",)) -> str:
        return choose_message(self.messages, languages)


def shown(node: Node | None) -> Shown | None:
    """``node`` as ``Shown`` (rdflib's ``URIRef`` is the only IRI class)."""
    return None if node is None else _shown(node)


def text_of(result: ValidationResult) -> ResultText:
    return ResultText(
        Shown(str(result.severity), iri=True),
        _shown(result.focus),
        shown(result.path),
        Shown(str(result.component), iri=True),
        shown(result.value),
        result.messages,
    )


def _shown(node: Node) -> Shown:
    from rdflib import URIRef  # noqa: PLC0415 - only called where rdflib terms exist

    return Shown(str(node), isinstance(node, URIRef))


Materialise = Callable[[], "tuple[tuple[ValidationResult, ...], Graph]"]


class ValidationReport:
    """The results and the report graph: given, or built on first use (``deferred``)."""

    def __init__(self, results: tuple[ValidationResult, ...], graph: Graph) -> None:
        self._built: tuple[tuple[ValidationResult, ...], Graph] | None = (results, graph)
        self._texts: tuple[ResultText, ...] | None = None
        self._build: Materialise | None = None
        self._lock = threading.Lock()

    @classmethod
    def deferred(cls, texts: tuple[ResultText, ...], build: Materialise) -> ValidationReport:
        """A report known as text now; ``build`` makes its rdflib results and graph later."""
        report = cls.__new__(cls)
        report._built, report._texts, report._build = None, texts, build
        report._lock = threading.Lock()
        return report

    def _materialised(self) -> tuple[tuple[ValidationResult, ...], Graph]:
        with self._lock:  # pages may ask from several threads at once: build once
            if self._built is None:
                assert self._build is not None
                self._built = self._build()
            return self._built

    @property
    def results(self) -> tuple[ValidationResult, ...]:
        return self._materialised()[0]

    @property
    def graph(self) -> Graph:
        return self._materialised()[1]

    @property
    def texts(self) -> tuple[ResultText, ...]:
        """The results as text, in the order of ``results``."""
        if self._texts is None:
            self._texts = tuple(text_of(r) for r in self.results)
        return self._texts

    @property
    def conforms(self) -> bool:
        """SHACL 1.0 §3.6.1: true if and only if there is no validation result at all."""
        return not self.texts

    @property
    def accepted(self) -> bool:
        """kgpub's policy: the data may be published unless a result is a Violation."""
        return not any(t.severity.text == VIOLATION for t in self.texts)

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if str(r.severity) == VIOLATION)
