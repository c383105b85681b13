"""docs/authoring.md, replayed: every command of its worked (fictional) example, in order.

The page marks each step with an HTML comment (``<!-- replay: … -->``) before
its block: ``run [exit N]`` runs the block's ``$ kgpub …`` lines (``cd`` and
``export`` move into the project) and checks the exit status and every output
line shown; ``write``/``append FILE`` write the block to a file; ``replace FILE
IRI`` swaps a subject's description for the block, as an editor would;
``substitute FILE OLD NEW`` edits a file; ``serve`` starts the app with
``create_app`` (instead of ``kgpub serve``) and checks the article's page;
``sparql`` and ``answer`` check a query's CSV answer. So the page cannot drift
from what kgpub does.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from kgpub.cli.main import main
from kgpub.config import Settings
from kgpub.web.app import create_app

_DOC = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
_STEP = re.compile(r"^<!-- replay: (.*) -->$")
_HTML = {"Accept": "text/html"}


@dataclass
class Step:
    directive: list[str]
    block: list[str] = field(default_factory=list)


def _steps(text: str) -> list[Step]:
    """The replay steps of the page, each with the fenced block after it (if any)."""
    steps: list[Step] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _STEP.match(lines[index])
        index += 1
        if match is None:
            continue
        step = Step(shlex.split(match.group(1)))
        steps.append(step)
        if index < len(lines) and lines[index].startswith("```"):
            end = lines.index("```", index + 1)
            step.block = lines[index + 1 : end]
            index = end + 1
    return steps


@dataclass
class Replay:
    root: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    project: Path | None = None
    query: str = ""

    def run(self, step: Step) -> None:
        expected = int(step.directive[2]) if step.directive[1:2] == ["exit"] else 0
        commands: list[tuple[str, list[str]]] = []
        for line in step.block:
            if line.startswith("$ "):
                commands.append((line[2:], []))
            else:
                commands[-1][1].append(line)
        for command, shown in commands:
            self.command(command, expected, shown)

    def command(self, command: str, expected: int, shown: list[str]) -> None:
        words = shlex.split(command)
        if words[0] == "cd":
            self.monkeypatch.chdir(Path.cwd() / words[1])
            self.project = Path.cwd()  # found there: kgpub reads the current folder's project
            return
        if words[0] == "export":
            self.project = Path.cwd()
            self.monkeypatch.setenv("KGPUB_PROJECT_DIR", str(self.project))
            return
        assert words[0] == "kgpub", command
        self.capsys.readouterr()
        code = main(words[1:])
        out = self.capsys.readouterr()
        said = out.out + out.err
        assert code == expected, f"{command}: exit {code}\n{said}"
        for line in shown:
            assert line in said, f"{command}: the page shows {line!r}, kgpub said:\n{said}"

    def path(self, name: str) -> Path:
        assert self.project is not None
        return self.project / name

    def write(self, step: Step, *, append: bool) -> None:
        text = "\n".join(step.block) + "\n"
        path = Path.cwd() / step.directive[1]
        before = path.read_text(encoding="utf-8") + "\n" if append else ""
        path.write_text(before + text, encoding="utf-8")

    def replace(self, step: Step) -> None:
        path, subject = self.path(step.directive[1]), URIRef(step.directive[2])
        graph = Graph(bind_namespaces="none")
        graph.parse(path, format="turtle")
        assert (subject, None, None) in graph
        graph.remove((subject, None, None))
        graph.parse(data="\n".join(step.block), format="turtle")
        path.write_text(graph.serialize(format="longturtle"), encoding="utf-8")

    def substitute(self, step: Step) -> None:
        path = self.path(step.directive[1])
        text = path.read_text(encoding="utf-8")
        assert text.count(step.directive[2]) == 1, step.directive
        path.write_text(text.replace(step.directive[2], step.directive[3]), encoding="utf-8")

    def serve(self, answer: list[str]) -> None:
        assert self.project is not None
        settings = Settings(project_dir=self.project, query_workers=1, cache_bytes=0)
        with TestClient(create_app(settings)) as client:
            page = client.get("/id/bruecke", headers=_HTML)
            assert page.status_code == 200
            assert "Fußgängerbrücke über die Muster eröffnet" in page.text
            assert "https://kgpub.example/id/bruecke/claim-1" in page.text
            void = Graph().parse(
                data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text,
                format="turtle",
            )
            roots = set(void.objects(None, URIRef("http://rdfs.org/ns/void#rootResource")))
            assert roots == {URIRef("https://kgpub.example/id/bruecke")}
            result = client.post(
                "/sparql", data={"query": self.query}, headers={"Accept": "text/csv"}
            )
            assert result.status_code == 200, result.text
            assert result.text.splitlines() == answer


@pytest.mark.slow
def test_the_worked_example_does_what_the_page_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KGPUB_PROJECT_DIR", raising=False)
    replay = Replay(tmp_path, monkeypatch, capsys)
    steps = _steps(_DOC.read_text(encoding="utf-8"))
    served = False
    for step in steps:
        kind = step.directive[0]
        if kind == "run":
            replay.run(step)
        elif kind in {"write", "append"}:
            replay.write(step, append=kind == "append")
        elif kind == "replace":
            replay.replace(step)
        elif kind == "substitute":
            replay.substitute(step)
        elif kind == "sparql":
            replay.query = "\n".join(step.block)
        elif kind == "answer":
            replay.serve(step.block)
            served = True
        else:
            assert kind == "serve", kind
    assert served
    assert len(steps) > 15
    meta = (replay.path("articles/bruecke/article.toml")).read_text(encoding="utf-8")
    assert "fictional = true" in meta
