"""A deterministic news corpus in schema.org terms, written as N-Quads.

Every article is published in its own named graph and states: its headline
(de, en), publication date, word count, publisher, author and subject; 5-15 mentions of entities
drawn Zipf-like from a shared pool of persons, organisations and places (each
described in the article's graph with its type, names in de and en and a
``schema:sameAs`` link); 2-6 claims with author, text (de, en), appearance and
subject and date; and an event with a name, start date, location and 2-4 attendees.
That is about 110 quads per article.

The same seed and article count always give the same bytes: one
``random.Random(seed)`` drives everything, in a fixed order.

    python -m bench.corpus --articles 10000 --out bench/out/corpus.nq.gz
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gzip
import io
import itertools
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = "https://kgpub.example/bench/"
SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
WIKIDATA = "http://www.wikidata.org/entity/"

DEFAULT_SEED = 5
POOL_SIZES = {"person": 3000, "organization": 1000, "place": 1000}
ENTITY_TYPES = {
    "person": "Person",
    "organization": "Organization",
    "place": "Place",
}
# The share of mentions that go to each kind of entity.
MENTION_KINDS = ("person", "person", "organization", "place")
PUBLISHERS = 20
JOURNALISTS = 200
ZIPF_EXPONENT = 1.0
FIRST_DAY = dt.date(2023, 1, 1)
DAYS = 731  # 2023-01-01 .. 2024-12-31


def _words(text: str) -> tuple[str, ...]:
    """A word list written as prose."""
    return tuple(text.split())


_SYLLABLES = _words("ka lo mer vi tan sor bel dra un fel gor ha is jun kel mar nor pe ros ste")
_FIRST_NAMES = _words(
    "Anna Ben Clara David Emma Felix Greta Hanna Ilias Jonas Karla Lena Mats Nora Otto "
    "Paula Quirin Rosa Samir Tilda Ugo Vera Wanja Xenia Yusuf Zoe Aylin Bruno Chiara Dana "
    "Elif Finn Gül Henrik Ida Jakob Kemal Lotte Milan Nele Oskar Pia Rafael Selin Theo "
    "Ulla Viktor Wiebke Yara Zeynep Amir Björn Cem Daria Erik Fatma Gero Hülya Ivo Jana"
)
_LAST_NAMES = _words(
    "Albers Brandt Çelik Dietz Eggers Fuchs Gärtner Hahn Iske Jäger Krause Lange Möller "
    "Neumann Özdemir Peters Quandt Richter Schäfer Thiel Ulrich Vogt Weber Xander Yilmaz "
    "Zimmer Arnold Busch Conrad Dreyer Engel Franke Graf Horn Illner Jansen Kühn Lorenz "
    "Maier Nowak Otte Pohl Rausch Seidel Timm Unger Voss Wolf Young Ziegler"
)
_ORG_KINDS = (
    ("Bank", "Bank AG"),
    ("Party", "Partei"),
    ("Motors", "Motorenwerke"),
    ("Foundation", "Stiftung"),
    ("Energy", "Energie"),
    ("University", "Universität"),
    ("Union", "Gewerkschaft"),
    ("Airlines", "Fluggesellschaft"),
)
_PLACE_KINDS = (
    ("{}", "{}"),
    ("Port {}", "{}hafen"),
    ("{} Valley", "{}tal"),
    ("North {}", "Nord-{}"),
    ("{} Bridge", "{}brücke"),
    ("Lake {}", "{}see"),
)
_TOPICS = (
    ("Summit", "Gipfel"),
    ("Merger", "Fusion"),
    ("Election", "Wahl"),
    ("Strike", "Streik"),
    ("Trial", "Prozess"),
    ("Budget", "Haushalt"),
    ("Flood", "Hochwasser"),
    ("Talks", "Gespräche"),
    ("Deal", "Abkommen"),
    ("Protest", "Protest"),
)
_HEADLINES = (
    (
        "{topic} in {place}: {person} meets {org}",
        "{topic_de} in {place_de}: {person} trifft {org_de}",
    ),
    (
        "{person} warns of {topic_lc} as {org} hesitates",
        "{person} warnt vor {topic_de}, {org_de} zögert",
    ),
    (
        "{org} and {person} at odds over {topic_lc}",
        "{org_de} und {person} streiten über {topic_de}",
    ),
    (
        "After the {topic_lc} in {place}, {person} speaks out",
        "Nach {topic_de} in {place_de} äußert sich {person}",
    ),
)
_CLAIMS = (
    (
        "{who} says {org} will back the {topic_lc}.",
        "{who} sagt, {org_de} werde {topic_de} unterstützen.",
    ),
    (
        "{who} denies meeting {person} in {place}.",
        "{who} bestreitet ein Treffen mit {person} in {place_de}.",
    ),
    (
        "{who} claims the {topic_lc} cost {n} million euros.",
        "{who} behauptet, {topic_de} habe {n} Millionen Euro gekostet.",
    ),
    ("{who} expects {person} to resign.", "{who} erwartet den Rücktritt von {person}."),
)
_EVENTS = (
    ("{topic} in {place}", "{topic_de} in {place_de}"),
    ("Press conference on the {topic_lc}", "Pressekonferenz zu {topic_de}"),
)


@dataclass(frozen=True)
class Entity:
    """One entity of the shared pool."""

    kind: str
    index: int
    name_en: str
    name_de: str

    @property
    def iri(self) -> str:
        return entity_iri(self.kind, self.index)

    @property
    def same_as(self) -> str:
        offset = {"person": 1_000_000, "organization": 2_000_000, "place": 3_000_000}[self.kind]
        return f"{WIKIDATA}Q{offset + self.index}"


def entity_iri(kind: str, index: int) -> str:
    return f"{BENCH}{kind}/{index}"


def article_iri(index: int) -> str:
    return f"{BENCH}article/{index}"


def article_graph(index: int) -> str:
    return f"{BENCH}graph/article/{index}"


def _stem(k: int) -> str:
    n = len(_SYLLABLES)
    k += 421  # no "Kakaka"
    return (_SYLLABLES[k % n] + _SYLLABLES[(k // n) % n] + _SYLLABLES[(k // n // n) % n]).title()


def _make_entity(kind: str, k: int) -> Entity:
    if kind == "person":
        first = _FIRST_NAMES[k % len(_FIRST_NAMES)]
        last = _LAST_NAMES[(k // len(_FIRST_NAMES)) % len(_LAST_NAMES)]
        name = f"{first} {last}"
        return Entity(kind, k, name, name)
    if kind == "organization":
        en, de = _ORG_KINDS[k % len(_ORG_KINDS)]
        stem = _stem(k)
        return Entity(kind, k, f"{stem} {en}", f"{stem} {de}")
    en, de = _PLACE_KINDS[k % len(_PLACE_KINDS)]
    stem = _stem(k + 4000)
    return Entity(kind, k, en.format(stem), de.format(stem))


POOL: dict[str, list[Entity]] = {
    kind: [_make_entity(kind, k) for k in range(size)] for kind, size in POOL_SIZES.items()
}


class _Zipf:
    """Draws indexes 0..n-1 with probability proportional to 1 / (rank ** s)."""

    def __init__(self, n: int, s: float = ZIPF_EXPONENT) -> None:
        self._cum = list(itertools.accumulate(1.0 / (k + 1) ** s for k in range(n)))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self._cum, rng.random() * self._cum[-1])


_ZIPF = {kind: _Zipf(size) for kind, size in POOL_SIZES.items()}


def _draw(rng: random.Random, kind: str) -> Entity:
    return POOL[kind][_ZIPF[kind].draw(rng)]


def _draw_distinct(rng: random.Random, kinds: Sequence[str], count: int) -> list[Entity]:
    chosen: dict[str, Entity] = {}
    for _ in range(count * 50):  # bounded; the pool is far larger than count
        if len(chosen) == count:
            break
        entity = _draw(rng, rng.choice(kinds))
        chosen.setdefault(entity.iri, entity)
    return list(chosen.values())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _iri(value: str) -> str:
    return f"<{value}>"


def _lang(text: str, lang: str) -> str:
    return f'"{_escape(text)}"@{lang}'


def _typed(text: str, datatype: str) -> str:
    return f'"{_escape(text)}"^^<{XSD}{datatype}>'


def _schema(term: str) -> str:
    return f"<{SCHEMA}{term}>"


_TYPE = _iri(RDF_TYPE)


def article_quads(rng: random.Random, index: int) -> list[str]:  # noqa: PLR0915 - one recipe
    """The N-Quads lines of article ``index``'s graph (each without its newline)."""
    g = _iri(article_graph(index))
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"{s} {p} {o} {g} .")

    a = _iri(article_iri(index))
    day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
    published = dt.datetime.combine(day, dt.time(rng.randrange(6, 22), rng.randrange(60)))
    mentions = _draw_distinct(rng, MENTION_KINDS, rng.randint(5, 15))
    persons = [e for e in mentions if e.kind == "person"] or [_draw(rng, "person")]
    orgs = [e for e in mentions if e.kind == "organization"] or [_draw(rng, "organization")]
    places = [e for e in mentions if e.kind == "place"] or [_draw(rng, "place")]
    topic, topic_de = rng.choice(_TOPICS)
    words = {
        "topic": topic,
        "topic_lc": topic.lower(),
        "topic_de": topic_de,
        "person": persons[0].name_en,
        "org": orgs[0].name_en,
        "org_de": orgs[0].name_de,
        "place": places[0].name_en,
        "place_de": places[0].name_de,
    }
    headline_en, headline_de = rng.choice(_HEADLINES)
    publisher = f"{BENCH}publisher/{rng.randrange(PUBLISHERS)}"
    journalist = f"{BENCH}journalist/{rng.randrange(JOURNALISTS)}"
    event = _iri(f"{BENCH}event/{index}")

    add(a, _TYPE, _schema("NewsArticle"))
    add(a, _schema("headline"), _lang(headline_de.format(**words), "de"))
    add(a, _schema("headline"), _lang(headline_en.format(**words), "en"))
    add(a, _schema("datePublished"), _typed(published.isoformat() + "Z", "dateTime"))
    add(a, _schema("inLanguage"), '"de"')
    add(a, _schema("wordCount"), _typed(str(rng.randint(300, 1500)), "integer"))
    add(a, _schema("publisher"), _iri(publisher))
    add(a, _schema("author"), _iri(journalist))
    add(a, _schema("about"), event)
    for entity in mentions:
        add(a, _schema("mentions"), _iri(entity.iri))
    add(_iri(publisher), _TYPE, _schema("NewsMediaOrganization"))
    add(_iri(publisher), _schema("name"), f'"Bench News {publisher.rsplit("/", 1)[1]}"')
    add(_iri(journalist), _TYPE, _schema("Person"))
    add(_iri(journalist), _schema("name"), f'"Journalist {journalist.rsplit("/", 1)[1]}"')

    # The event: most attendees are people the article mentions.
    attendees = _draw_distinct(rng, ("person",), rng.randint(2, 4))
    event_en, event_de = rng.choice(_EVENTS)
    start = day - dt.timedelta(days=rng.randrange(4))
    add(event, _TYPE, _schema("Event"))
    add(event, _schema("name"), _lang(event_de.format(**words), "de"))
    add(event, _schema("name"), _lang(event_en.format(**words), "en"))
    add(event, _schema("startDate"), _typed(start.isoformat(), "date"))
    add(event, _schema("location"), _iri(places[0].iri))
    for person in attendees:
        add(event, _schema("attendee"), _iri(person.iri))

    # Claims: their authors are the people the article mentions or the attendees.
    speakers = persons + attendees
    for j in range(rng.randint(2, 6)):
        claim = _iri(f"{BENCH}article/{index}/claim/{j}")
        who = rng.choice(speakers)
        subject = rng.choice(mentions)
        claim_en, claim_de = rng.choice(_CLAIMS)
        fill = {**words, "who": who.name_en, "n": str(rng.randint(2, 900))}
        add(claim, _TYPE, _schema("Claim"))
        add(claim, _schema("author"), _iri(who.iri))
        add(claim, _schema("text"), _lang(claim_de.format(**fill), "de"))
        add(claim, _schema("text"), _lang(claim_en.format(**fill), "en"))
        add(claim, _schema("appearance"), a)
        add(claim, _schema("about"), _iri(subject.iri))
        add(claim, _schema("dateCreated"), _typed(start.isoformat(), "date"))

    # Every entity the article names is described in the article's own graph.
    described = {e.iri: e for e in (*mentions, *attendees)}
    for entity in described.values():
        e = _iri(entity.iri)
        add(e, _TYPE, _schema(ENTITY_TYPES[entity.kind]))
        add(e, _schema("name"), _lang(entity.name_de, "de"))
        add(e, _schema("name"), _lang(entity.name_en, "en"))
        add(e, _schema("sameAs"), _iri(entity.same_as))
    return lines


def generate(articles: int, seed: int = DEFAULT_SEED) -> Iterator[str]:
    """The corpus as N-Quads lines (without newlines), article by article."""
    rng = random.Random(seed)
    for index in range(articles):
        yield from article_quads(rng, index)


def write(out: io.BufferedIOBase, articles: int, seed: int = DEFAULT_SEED) -> int:
    """Write the corpus as UTF-8 N-Quads; returns the number of quads."""
    count = 0
    batch: list[str] = []
    for line in generate(articles, seed):
        batch.append(line)
        if len(batch) >= 10_000:
            out.write(("\n".join(batch) + "\n").encode("utf-8"))
            count += len(batch)
            batch = []
    if batch:
        out.write(("\n".join(batch) + "\n").encode("utf-8"))
        count += len(batch)
    return count


def write_file(path: Path, articles: int, seed: int = DEFAULT_SEED) -> int:
    """Write the corpus to ``path`` (gzipped when it ends in ``.gz``); returns the quads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if path.suffix == ".gz":
        # No name and mtime=0 keep the gzip header, and so the bytes, deterministic.
        with (
            tmp.open("wb") as raw,
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
        ):
            count = write(gz, articles, seed)
    else:
        with tmp.open("wb") as plain:
            count = write(plain, articles, seed)
    tmp.replace(path)
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file (.nq or .nq.gz)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    count = write_file(args.out, args.articles, args.seed)
    print(
        f"{args.out}: {args.articles} articles, {count} quads, "
        f"{count / max(args.articles, 1):.1f} quads/article"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
