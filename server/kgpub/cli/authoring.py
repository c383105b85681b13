"""The authoring commands: ``kgpub init``, ``kgpub new``, ``kgpub anchor`` (docs/authoring.md).

``init`` scaffolds a newsroom project (the shipped ontology and shapes, an empty
shared background graph, an ``articles/`` folder, a README); ``new`` adds an
article folder (its text byte for byte, a sidecar, a graph with the article
node and a skeleton claim); ``anchor`` computes the Web Annotation selectors
of a quote, which authors used to count by hand. Each refuses to overwrite
anything and exits 2 with a message naming the problem. The work is below the
CLI: ``kgpub.rdf.articles``, ``kgpub.rdf.quote_selectors``,
``kgpub.ld.article_scaffold`` and ``kgpub.ld.anchor_authoring``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kgpub.cli.exit_codes import EXIT_OK, EXIT_UNREADABLE
from kgpub.config import Settings, shipped_story
from kgpub.errors import AnchorError, ArticleLayoutError, KgpubError
from kgpub.rdf.articles import (
    SIDECAR,
    articles,
    check_unique_graphs,
    find_article,
    mint_namespace,
)

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kgpub.ld.article_scaffold import NewArticle

# rdflib and the ld modules are imported by the commands that use them, so every other
# command (kgpub serve above all) starts without them.

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_README = """# {name}

A kgpub project: articles published as Linked Data (see kgpub's docs/authoring.md).

| folder | what |
|---|---|
| `articles/<slug>/` | one folder per article: text, graph, metadata (`article.toml`) |
| `data/background.ttl` | the shared graph: entities and background every article uses |
| `ontology/kgpub.ttl` | the kgpub vocabulary |
| `shapes/shapes.ttl` | the SHACL shapes every article must pass (`kgpub validate`) |
"""


def shipped_project() -> Path:
    """The project kgpub ships (its ontology and shapes are copied by ``init``)."""
    return shipped_story()


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _fail(command: str, message: str) -> int:
    print(f"kgpub {command}: {message}", file=sys.stderr)
    return EXIT_UNREADABLE


def _cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    target: Path = args.dir
    made = [
        target / "ontology" / "kgpub.ttl",
        target / "shapes" / "shapes.ttl",
        target / "data" / "background.ttl",
        target / "articles",
        target / "README.md",
    ]
    existing = [p for p in made if p.exists()]
    if existing:
        names = ", ".join(str(p) for p in existing)
        return _fail("init", f"{target} already holds {names}; nothing was changed")
    from rdflib import Graph  # noqa: PLC0415 - see the imports

    from kgpub.rdf.formatting import format_graph  # noqa: PLC0415

    shipped = shipped_project()
    for sub, name in (("ontology", "kgpub.ttl"), ("shapes", "shapes.ttl")):
        (target / sub).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shipped / sub / name, target / sub / name)
    (target / "data").mkdir(parents=True, exist_ok=True)
    empty = format_graph(Graph(), {})  # the canonical form: kgpub fmt --check passes
    (target / "data" / "background.ttl").write_text(empty, encoding="utf-8")
    (target / "articles").mkdir()
    (target / "README.md").write_text(_README.format(name=target.resolve().name), encoding="utf-8")
    for path in made:
        print(f"created {_shown(path)}")
    return EXIT_OK


def _slug_of(text_file: Path, given: str | None) -> str:
    if given is not None:
        return given
    stem = text_file.name.split(".", 1)[0].lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")


def _language_of(text_file: Path, given: str | None) -> str | None:
    if given:
        return given
    suffixes = text_file.suffixes
    return suffixes[-2].lstrip(".") if len(suffixes) >= 2 else None


def _new_article(args: argparse.Namespace, settings: Settings) -> tuple[NewArticle, Path]:
    """What ``new`` is asked to add, checked; ``ArticleLayoutError`` if it cannot be."""
    from kgpub.ld.article_scaffold import NewArticle  # noqa: PLC0415 - see the imports

    source: Path = args.text
    if not (settings.project_dir / "shapes").is_dir():
        raise ArticleLayoutError(
            f"{settings.project_dir} is not a kgpub project (no shapes/); run kgpub init first"
        )
    try:
        text = source.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleLayoutError(f"{source}: cannot read it as UTF-8 text: {exc}") from exc
    if not text.strip():
        raise ArticleLayoutError(f"{source}: the text is empty")
    slug = _slug_of(source, args.slug)
    if not _SLUG.match(slug):
        raise ArticleLayoutError(f"slug {slug!r}: use lowercase letters, digits and hyphens")
    language = _language_of(source, args.lang)
    if language is None:
        raise ArticleLayoutError(f"{source}: no language; name it <name>.<lang>.txt or --lang")
    folder = settings.articles_dir / slug
    if folder.exists():
        raise ArticleLayoutError(f"{folder} exists already; nothing was changed")
    graph_file = folder / f"{slug}.ttl"
    check_unique_graphs(
        [
            *settings.data_dir.glob("*.ttl"),
            *(p for a in articles(settings) for p in a.graph_files),
            graph_file,
        ]
    )
    article = NewArticle(
        settings.base_iri, slug, language, text, title=args.title, fictional=args.fictional
    )
    return article, folder


def _cmd_new(args: argparse.Namespace, settings: Settings) -> int:
    from kgpub.ld.article_scaffold import article_graph, prefixes, sidecar_toml  # noqa: PLC0415
    from kgpub.rdf.formatting import format_graph  # noqa: PLC0415

    try:
        article, folder = _new_article(args, settings)
    except KgpubError as exc:
        return _fail("new", str(exc))
    text_name = f"{article.slug}.{article.language}.txt"
    folder.mkdir(parents=True)
    shutil.copyfile(args.text, folder / text_name)  # byte for byte: the anchors count it
    (folder / SIDECAR).write_text(sidecar_toml(article, text_name), encoding="utf-8")
    graph_file = folder / f"{article.slug}.ttl"
    graph_file.write_text(format_graph(article_graph(article), prefixes(article)), encoding="utf-8")
    for path in (folder / text_name, folder / SIDECAR, graph_file):
        print(f"created {_shown(path)}")
    print(f"article {article.iri}; skeleton claim {article.skeleton_claim}")
    return EXIT_OK


def _claim_iri(namespace: str, claim: str) -> str:
    """A claim named by IRI, or by its local name in the article's namespace."""
    return claim if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", claim) else namespace + claim


def _cmd_anchor(args: argparse.Namespace, settings: Settings) -> int:
    from kgpub.ld.anchor_authoring import (  # noqa: PLC0415 - see the imports
        AnchorNames,
        add_to_claim,
        anchor_turtle,
        claim_file,
    )
    from kgpub.ld.article_scaffold import own_prefix  # noqa: PLC0415
    from kgpub.rdf.quote_selectors import select  # noqa: PLC0415

    try:
        article = find_article(settings, args.article)
        sel = select(article.text(), args.quote, args.at)
        namespace = mint_namespace(article)
        own = {"kg": settings.base_iri + "id/", own_prefix(article.slug): namespace}
        if args.claim is None:
            names = AnchorNames(f"{namespace}anchor-{sel.start}")
            sys.stdout.write(anchor_turtle(article.iri, names, sel, own))
            return EXIT_OK
        claim = _claim_iri(namespace, args.claim)
        path = claim_file(article.graph_files, claim)
        names = add_to_claim(path, claim, article.iri, sel, settings.base_iri + "ontology#")
    except (AnchorError, ArticleLayoutError) as exc:
        return _fail("anchor", str(exc))
    except KgpubError as exc:
        return _fail("anchor", f"cannot read input: {exc}")
    print(
        f"added {names.anchor} ({sel.start}-{sel.end}) to the evidence of {claim} in {_shown(path)}"
    )
    return EXIT_OK


def validation_hints(
    settings: Settings, quads: Sequence[ox.Quad], *, project: bool
) -> tuple[list[str], bool]:
    """Lines that say where misplaced quotes actually are, and whether an article's stored
    text differs from its text file (which fails validation: the anchors would lie)."""
    from kgpub.ld.anchor_authoring import anchor_problems, text_problems  # noqa: PLC0415

    hints = anchor_problems(quads)
    mismatched = text_problems(articles(settings), quads) if project else []
    return hints + mismatched, bool(mismatched)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``init``, ``new`` and ``anchor`` to the ``kgpub`` parser."""
    init = sub.add_parser("init", help="scaffold a kgpub project (ontology, shapes, articles/)")
    init.add_argument("dir", nargs="?", type=Path, default=Path(), help="default: here")
    init.set_defaults(handler=_cmd_init)

    new = sub.add_parser("new", help="add an article: its folder, text, graph, skeleton claim")
    new.add_argument("text", type=Path, help="the article's text file (UTF-8)")
    new.add_argument("--slug", help="the article's folder and IRI name (default: from the file)")
    new.add_argument("--lang", help="language tag (default: from <name>.<lang>.txt)")
    new.add_argument("--title", help="the article's name (schema:name)")
    new.add_argument(
        "--fictional",
        action="store_true",
        help="mark it as a fictional article (tests, documentation): never presented as news",
    )
    new.set_defaults(handler=_cmd_new)

    anchor = sub.add_parser("anchor", help="the Web Annotation selectors of a quote, as Turtle")
    anchor.add_argument("article", help="the article: its slug, folder or text file")
    anchor.add_argument("quote", help="the exact words, as in the text file")
    anchor.add_argument(
        "--at", type=int, metavar="START", help="which occurrence: its start (code points)"
    )
    anchor.add_argument(
        "--claim",
        help="add the anchor to this claim's kgpub:evidence in its graph file "
        "(its IRI, or its name under the article's IRI: claim-1)",
    )
    anchor.set_defaults(handler=_cmd_anchor)
