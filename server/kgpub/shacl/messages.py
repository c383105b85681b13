"""One message per result, in the language asked for, chosen the same way every time.

The shapes carry their messages in German and English. pySHACL copies every
``sh:message`` into ``sh:resultMessage``, and reading "the" message off the
report returned whichever rdflib's hash-randomised set iteration gave first:
English on one run, German on the next, both in one report. A result now keeps
all its messages and one is chosen by the caller's languages: each requested
language tag, then its primary subtag, then English, then an untagged message,
then the first by language and text. The request says which languages
(``?lang=``, ``Accept-Language``, ``kgpub validate --lang``), else the setting
``KGPUB_MESSAGE_LANGUAGE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

FALLBACK = ("en", "")


class Message(Protocol):
    """A message: its text (``str()``) and language tag. rdflib's ``Literal`` is one, and so
    is ``Text``, which a report read from a file uses without importing rdflib."""

    @property
    def language(self) -> str | None: ...


M = TypeVar("M", bound=Message)


class Text(str):
    """A message's text with its language tag, without rdflib."""

    language: str | None

    def __new__(cls, text: str, language: str | None) -> Text:
        made = super().__new__(cls, text)
        made.language = language
        return made


def requested_languages(
    param: str | None, accept_language: str | None, default: str = "en"
) -> tuple[str, ...]:
    """The languages a request asks for, best first: ``?lang=``, then Accept-Language by q."""
    ranked: list[tuple[float, int, str]] = []
    for position, element in enumerate((accept_language or "").split(",")):
        tag, _, params = element.strip().partition(";")
        tag = tag.strip().lower()
        if not tag or tag == "*":
            continue
        name, _, value = params.strip().partition("=")
        q = 1.0
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        if q > 0:
            ranked.append((-q, position, tag))
    wanted = [param.strip().lower()] if param and param.strip() else []
    wanted += [tag for _q, _p, tag in sorted(ranked)]
    wanted.append(default.lower())
    return tuple(dict.fromkeys(wanted))


def choose(messages: Iterable[M], languages: Sequence[str] = ("en",)) -> M | None:
    """The message in the first of ``languages`` there is one in (tag, then primary subtag)."""
    ordered = sorted(messages, key=lambda m: ((m.language or "").lower(), str(m)))
    if not ordered:
        return None
    for wanted in (*languages, *FALLBACK):
        for candidate in (wanted, wanted.split("-")[0]):
            for message in ordered:
                if (message.language or "").lower() == candidate:
                    return message
    return ordered[0]


def choose_message(messages: Iterable[Message], languages: Sequence[str] = ("en",)) -> str:
    """The text of ``choose``'s message ("" when there is none)."""
    chosen = choose(messages, languages)
    return "" if chosen is None else str(chosen)
