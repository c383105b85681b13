"""A newsroom project's articles: one folder each, found and read the same way everywhere.

A project holds shared graphs in ``data/`` (entities and background knowledge
every article may use) and one folder per article in ``articles/``::

    articles/<slug>/
        <name>.<lang>.txt   the article's text, byte for byte; anchors count its code points
        <name>.ttl          its graphs (one named graph per file, ``<base>graph/<stem>``)
        history.ttl         optional: its revision records, read into ``<base>graph/history``
        article.toml        optional sidecar: iri, text, language, title, fictional

Without a sidecar the article's IRI is ``<base>id/<slug>``, its text the one
``*.txt`` file and its language the tag in that file's name. The sidecar
overrides any of them; the shipped story uses it to keep its IRI
``<base>id/article`` and its graphs ``graph/article`` and ``graph/reported``.
Graph names come from file stems, so a stem may occur only once in a project:
two ``article.ttl`` files would silently share one graph, and are refused. The one
exception is ``history.ttl``: every article's records belong in the one history graph
(docs/revisions.md), so it is no graph file of the article's, and the stem ``history``
is reserved for it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kgpub.config import Settings
from kgpub.errors import ArticleLayoutError

SIDECAR = "article.toml"
"""The file name of an article's optional metadata."""

HISTORY = "history.ttl"
"""The file name of an article's revision records (``kgpub.history.records``)."""

_FIELDS = {"iri", "text", "language", "title", "fictional", "description"}


@dataclass(frozen=True)
class Article:
    """One article folder, resolved: where its text and graphs are and what it is called."""

    slug: str
    folder: Path
    iri: str
    text_path: Path
    language: str
    graph_files: tuple[Path, ...]
    history_path: Path | None = None
    title: str | None = None
    fictional: bool = False
    description: str | None = None

    def text(self) -> str:
        """The article's text exactly as stored (anchors count its code points)."""
        try:
            return self.text_path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ArticleLayoutError(f"{self.text_path}: cannot read the text: {exc}") from exc


def article_iri(settings: Settings, slug: str) -> str:
    """The IRI minted for an article without one of its own: ``<base>id/<slug>``."""
    return f"{settings.base_iri}id/{slug}"


def mint_namespace(article: Article) -> str:
    """Where an article's own claims, anchors and sections are minted: ``<article IRI>/``."""
    return article.iri.rstrip("/") + "/"


def _sidecar(folder: Path) -> dict[str, object]:
    path = folder / SIDECAR
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ArticleLayoutError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ArticleLayoutError(
            f"{path}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_FIELDS))}"
        )
    return data


def _string(meta: dict[str, object], name: str, folder: Path) -> str | None:
    value = meta.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ArticleLayoutError(f"{folder / SIDECAR}: {name} must be a string, not {value!r}")


def _text_path(folder: Path, named: str | None) -> Path:
    if named is not None:
        path = folder / named
        if not path.is_file():
            raise ArticleLayoutError(f"{folder / SIDECAR}: text {named!r} is not in {folder}")
        return path
    texts = sorted(folder.glob("*.txt"))
    if len(texts) != 1:
        found = ", ".join(p.name for p in texts) or "none"
        raise ArticleLayoutError(
            f"{folder}: an article folder needs exactly one *.txt (found: {found}), "
            f"or 'text' in {SIDECAR}"
        )
    return texts[0]


def _language(text_path: Path, named: str | None) -> str:
    if named:
        return named
    suffixes = text_path.suffixes
    if len(suffixes) >= 2:
        return suffixes[-2].lstrip(".")
    raise ArticleLayoutError(
        f"{text_path}: no language; name the file <name>.<lang>.txt or set 'language' in {SIDECAR}"
    )


def read_article(settings: Settings, folder: Path) -> Article:
    """The article in ``folder``; ``ArticleLayoutError`` naming what is missing or wrong."""
    meta = _sidecar(folder)
    text_path = _text_path(folder, _string(meta, "text", folder))
    iri = _string(meta, "iri", folder)
    fictional = meta.get("fictional", False)
    if not isinstance(fictional, bool):
        raise ArticleLayoutError(f"{folder / SIDECAR}: fictional must be true or false")
    return Article(
        slug=folder.name,
        folder=folder,
        iri=article_iri(settings, folder.name) if iri is None else _absolute(settings, iri),
        text_path=text_path,
        language=_language(text_path, _string(meta, "language", folder)),
        graph_files=tuple(sorted(p for p in folder.glob("*.ttl") if p.name != HISTORY)),
        history_path=folder / HISTORY if (folder / HISTORY).is_file() else None,
        title=_string(meta, "title", folder),
        fictional=fictional,
        description=_string(meta, "description", folder),
    )


def _absolute(settings: Settings, iri: str) -> str:
    """A sidecar IRI: absolute, or relative to the base (``id/article``)."""
    return iri if ":" in iri.split("/", 1)[0] else settings.base_iri + iri.lstrip("/")


def articles(settings: Settings) -> list[Article]:
    """Every article of the project, by folder name; graph stems checked to be unique."""
    folder = settings.articles_dir
    folders = sorted(d for d in folder.iterdir() if d.is_dir()) if folder.is_dir() else []
    found = [read_article(settings, d) for d in folders]
    check_unique_graphs([*sorted(settings.data_dir.glob("*.ttl")), *_files(found)])
    return found


def _files(found: Iterable[Article]) -> list[Path]:
    return [path for article in found for path in article.graph_files]


def check_unique_graphs(files: Iterable[Path]) -> None:
    """Refuse two files that would be published in the same graph (same stem).

    Graph files may not be named ``history.ttl`` either: that graph holds the
    revision records of every article and nothing else.
    """
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem == Path(HISTORY).stem:
            raise ArticleLayoutError(
                f"{path} would be published in graph/history, which holds only the articles' "
                f"revision records ({HISTORY} in an article's folder); rename it"
            )
        other = seen.setdefault(path.stem, path)
        if other != path:
            raise ArticleLayoutError(
                f"{path} and {other} would both be graph/{path.stem}; rename one "
                f"(an article's graph files are named after the article: <slug>.ttl)"
            )


def find_article(settings: Settings, name: str | Path) -> Article:
    """The article a user names: its slug, its folder, or its text file."""
    path = Path(name)
    if path.is_file():
        path = path.parent
    if not path.is_dir():
        path = settings.articles_dir / str(name)
    if not path.is_dir():
        known = ", ".join(a.slug for a in articles(settings)) or "none"
        raise ArticleLayoutError(f"no article {str(name)!r} (articles: {known})")
    return read_article(settings, path.resolve())
