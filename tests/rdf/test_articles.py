"""Article folders: found, read from their files and sidecar, refused when ambiguous."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.config import Settings
from kgpub.errors import ArticleLayoutError
from kgpub.rdf.articles import articles, find_article, mint_namespace, read_article
from kgpub.rdf.sources import data_files, data_sources


def _project(tmp_path: Path) -> Settings:
    (tmp_path / "data").mkdir()
    (tmp_path / "articles").mkdir()
    return Settings(project_dir=tmp_path, base_iri="https://news.example.org/")


def _article(settings: Settings, slug: str, files: dict[str, str]) -> Path:
    folder = settings.articles_dir / slug
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_without_a_sidecar_the_folder_says_everything(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    _article(settings, "flut", {"flut.de.txt": "Text.", "flut.ttl": ""})
    (found,) = articles(settings)
    assert found.iri == "https://news.example.org/id/flut"
    assert mint_namespace(found) == "https://news.example.org/id/flut/"
    assert (found.language, found.fictional, found.text()) == ("de", False, "Text.")
    assert [p.name for p in found.graph_files] == ["flut.ttl"]


def test_the_sidecar_overrides_iri_text_and_language(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    _article(
        settings,
        "story",
        {
            "a.txt": "A",
            "b.txt": "B",
            "article.toml": 'iri = "id/article"\ntext = "b.txt"\nlanguage = "en"\n'
            "fictional = true\n",
        },
    )
    (found,) = articles(settings)
    assert found.iri == "https://news.example.org/id/article"
    assert (found.text(), found.language, found.fictional) == ("B", "en", True)


def test_the_text_is_read_byte_for_byte(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    folder = _article(settings, "crlf", {})
    (folder / "crlf.de.txt").write_bytes("Zeile 1\r\nZeile 2 🙂\n".encode())
    assert read_article(settings, folder).text() == "Zeile 1\r\nZeile 2 🙂\n"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "exactly one \\*.txt \\(found: none\\)"),
        ({"a.de.txt": "", "b.de.txt": ""}, "found: a.de.txt, b.de.txt"),
        ({"a.txt": ""}, "no language"),
        ({"a.de.txt": "", "article.toml": "iri = 3\n"}, "iri must be a string"),
        ({"a.de.txt": "", "article.toml": "colour = 'red'\n"}, "unknown field\\(s\\) colour"),
        ({"a.de.txt": "", "article.toml": "text = 'b.txt'\n"}, "text 'b.txt' is not in"),
        ({"a.de.txt": "", "article.toml": "fictional = 'yes'\n"}, "true or false"),
        ({"a.de.txt": "", "article.toml": "iri = \n"}, "article.toml"),
    ],
)
def test_a_broken_folder_is_named(tmp_path: Path, files: dict[str, str], message: str) -> None:
    settings = _project(tmp_path)
    _article(settings, "broken", files)
    with pytest.raises(ArticleLayoutError, match=message):
        articles(settings)


def test_two_files_for_one_graph_are_refused(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    _article(settings, "one", {"one.de.txt": "", "article.ttl": ""})
    _article(settings, "two", {"two.de.txt": "", "article.ttl": ""})
    with pytest.raises(ArticleLayoutError, match="would both be graph/article"):
        articles(settings)


def test_data_files_are_the_shared_graphs_then_each_article(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    (settings.data_dir / "background.ttl").write_text("", encoding="utf-8")
    _article(settings, "b", {"b.de.txt": "", "b.ttl": ""})
    _article(settings, "a", {"a.de.txt": "", "a.ttl": "", "a-reported.ttl": ""})
    names = [p.name for p in data_files(settings)]
    assert names == ["background.ttl", "a-reported.ttl", "a.ttl", "b.ttl"]


def test_every_articles_history_is_read_into_the_one_history_graph(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    _article(settings, "b", {"b.de.txt": "", "b.ttl": "", "history.ttl": ""})
    _article(settings, "a", {"a.de.txt": "", "a.ttl": "", "history.ttl": ""})
    found = {a.slug: a for a in articles(settings)}
    assert found["a"].graph_files == (settings.articles_dir / "a" / "a.ttl",)
    assert found["a"].history_path == settings.articles_dir / "a" / "history.ttl"
    graphs = [s.graph for s in data_sources(settings)]
    assert graphs == [
        "https://news.example.org/graph/a",
        "https://news.example.org/graph/history",
        "https://news.example.org/graph/b",
        "https://news.example.org/graph/history",
    ]


def test_an_article_without_history_has_none(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    _article(settings, "a", {"a.de.txt": "", "a.ttl": ""})
    assert articles(settings)[0].history_path is None


def test_no_graph_file_may_take_the_history_graphs_name(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    (settings.data_dir / "history.ttl").write_text("", encoding="utf-8")
    with pytest.raises(ArticleLayoutError, match="graph/history, which holds only"):
        articles(settings)


def test_an_article_is_found_by_slug_folder_or_text(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    folder = _article(settings, "flut", {"flut.de.txt": "Text."})
    for name in ("flut", str(folder), str(folder / "flut.de.txt")):
        assert find_article(settings, name).slug == "flut"
    with pytest.raises(ArticleLayoutError, match=r"no article 'ebbe' \(articles: flut\)"):
        find_article(settings, "ebbe")


def test_a_project_without_articles_has_none(tmp_path: Path) -> None:
    assert articles(Settings(project_dir=tmp_path)) == []
