"""Smoke tests of the benchmark itself (``bench/``): corpus, queries and the runner.

No timing assertions: these check that the benchmark generates the same corpus
every time, that its ten queries answer, and that the runner produces a
complete report at a tiny size.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from bench import corpus, httpload, run, search_index, servers
from bench.floor import answer
from bench.measure import run_json
from bench.queries import QUERIES, Query
from bench.report import render

from tests.paths import REPO

pytestmark = [pytest.mark.external, pytest.mark.slow]

SMALL = 200


def _corpus_bytes(articles: int, seed: int = corpus.DEFAULT_SEED) -> bytes:
    out = io.BytesIO()
    corpus.write(out, articles, seed)
    return out.getvalue()


@pytest.fixture(scope="module")
def small_store() -> ox.Store:
    store = ox.Store()
    store.load(_corpus_bytes(SMALL), format=ox.RdfFormat.N_QUADS)
    return store


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    assert _corpus_bytes(30) == _corpus_bytes(30)
    assert _corpus_bytes(30) != _corpus_bytes(30, seed=corpus.DEFAULT_SEED + 1)
    # A longer corpus starts with the shorter one: articles never depend on the size.
    assert _corpus_bytes(40).startswith(_corpus_bytes(30))
    first, second = tmp_path / "a.nq.gz", tmp_path / "b.nq.gz"
    corpus.write_file(first, 30)
    corpus.write_file(second, 30)
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()) == _corpus_bytes(30)


def test_about_110_quads_per_article_each_in_its_own_graph(small_store: ox.Store) -> None:
    quads = len(small_store)
    assert 90 <= quads / SMALL <= 130
    graphs = {g.value for g in small_store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert graphs == {corpus.article_graph(i) for i in range(SMALL)}
    assert not list(small_store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_article_graph_holds_what_the_issue_lists(small_store: ox.Store) -> None:
    counts = small_store.query(
        """PREFIX schema: <http://schema.org/>
        SELECT ?a (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?c) AS ?claims)
               (COUNT(DISTINCT ?at) AS ?attendees) WHERE {
          GRAPH ?g {
            ?a a schema:NewsArticle ; schema:headline ?hde, ?hen ; schema:datePublished ?d ;
               schema:publisher ?pub ; schema:author ?au ; schema:mentions ?m ;
               schema:about ?ev .
            FILTER(LANG(?hde) = "de" && LANG(?hen) = "en")
            ?c a schema:Claim ; schema:appearance ?a ; schema:author ?who ; schema:text ?t .
            ?ev a schema:Event ; schema:startDate ?start ; schema:attendee ?at .
            ?m schema:name ?name ; schema:sameAs ?same .
          }
        } GROUP BY ?a"""
    )
    assert isinstance(counts, ox.QuerySolutions)
    rows = list(counts)
    assert len(rows) == SMALL
    for row in rows:
        mentions, claims, attendees = (
            int(row[v].value) for v in ("mentions", "claims", "attendees")
        )
        assert 5 <= mentions <= 15
        assert 2 <= claims <= 6
        assert 2 <= attendees <= 4


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_every_query_answers_on_a_small_corpus(small_store: ox.Store, query: Query) -> None:
    result = small_store.query(query.text, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        assert bool(result)
    elif isinstance(result, ox.QueryTriples):
        assert list(result)
    else:
        assert list(result)
    assert answer(small_store, query) > 0


def test_count_all_counts_every_quad(small_store: ox.Store) -> None:
    result = small_store.query(
        next(q for q in QUERIES if q.name == "count_all").text, use_default_graph_as_union=True
    )
    assert isinstance(result, ox.QuerySolutions)
    count = next(iter(result))["quads"]
    assert isinstance(count, ox.Literal)
    assert int(count.value) == len(small_store)


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.61ms  400.10us   6.02ms   80.00%
    Req/Sec     2.50k   100.00     2.60k    70.00%
  Latency Distribution
     50%    1.52ms
     75%    1.80ms
     90%    2.10ms
     99%    3.20ms
  4990 requests in 2.00s, 10.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:   2494.12
Transfer/sec:      5.00MB
"""


def test_wrk_report_is_parsed() -> None:
    parsed = httpload.parse_wrk(WRK_OUTPUT)
    assert parsed["requests"] == 4990
    assert parsed["seconds"] == pytest.approx(2.0)
    assert parsed["rps"] == pytest.approx(2494.12)
    assert parsed["errors"] == 6
    assert parsed["p50_ms"] == pytest.approx(1.52)
    assert parsed["p99_ms"] == pytest.approx(3.20)


def test_wrk_script_rotates_through_the_requests() -> None:
    script = httpload.wrk_script([("/sparql?query=a%22", "text/csv"), ("/b", "*/*")])
    assert '{"/sparql?query=a%22", "text/csv"}' in script
    assert "i % #reqs + 1" in script


def test_fallback_load_generator_against_bare_uvicorn(tmp_path: Path) -> None:
    port = servers.free_port()
    spec = tmp_path / "requests.json"
    spec.write_text(json.dumps([["/", "*/*"], ["/x", "text/plain"]]), encoding="utf-8")
    with servers.server(
        "bare", [sys.executable, "-m", "bench.bare_app", "--port", str(port)], tmp_path, {}
    ) as proc:
        servers.wait_ready(
            proc, port, "/", name="bare", workdir=tmp_path, started=time.perf_counter()
        )
        result = run_json(
            [
                "-m",
                "bench.load",
                "--url",
                f"http://127.0.0.1:{port}",
                "--requests",
                str(spec),
                "--seconds",
                "0.5",
            ],
            timeout=60,
        )
    assert proc.returncode is not None
    assert result["requests"] > 0
    assert result["errors"] == 0


def test_runner_end_to_end_at_a_tiny_size(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    code = run.main(
        [
            "--articles",
            "50",
            "--seconds",
            "1",
            "--query-seconds",
            "0.02",
            "--max-samples",
            "5",
            "--retries",
            "0",
            "--floor-runs",
            "1",
            "--quiet-wait",
            "0",
            "--workdir",
            str(tmp_path),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    for section in (
        "## Machine",
        "## Versions",
        "## Corpus",
        "## Sequential latency per query (ms)",
        "## Throughput at concurrency 4 (requests/s)",
        "## Loading, start-up and memory",
        "## Targets (issue 5)",
        "## Why, target by target",
    ):
        assert section in text
    for query in QUERIES:
        assert f"`{query.name}`" in text
    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    quads = len(_corpus_bytes(50).splitlines())
    assert results["meta"]["quads"] == quads
    assert results["load"]["quads"] == quads
    assert results["load"]["store_bytes"] > 0
    for name in ("kgpub", "kgpub_nocache", "minimal"):
        server = results["servers"][name]
        assert set(server["latency"]) == {q.name for q in QUERIES}
        assert server["mixed"]["requests"] > 0
        assert server["mixed"]["errors"] == 0
    assert results["servers"]["kgpub_1w"]["point"]["errors"] == 0
    assert results["servers"]["bare"]["point"]["requests"] > 0
    # The cache answers repeated queries, and is off when asked; every server's tree is measured.
    assert results["servers"]["kgpub"]["point"]["cache"]["hits"] > 0
    assert results["servers"]["kgpub_nocache"]["mixed"]["cache"]["hits"] == 0
    assert results["servers"]["kgpub"]["memory"]["processes"] > 1
    assert set(results["floor"]) == {"memory", "disk"}
    for phase in results["phases"].values():
        assert len(phase["attempts"]) == 1
    # Rendering again from the saved numbers gives the same report.
    assert render(results) == text
    assert (shutil.which("wrk") is None) == (
        "wrk" not in results["meta"]["versions"]["load generator"]
    )
    # The soak's own report, beside RESULTS.md, goes into it one heading level down.
    (tmp_path / "SOAK.md").write_text("# Soak\n\nfigures\n\n## Memory\n", encoding="utf-8")
    assert run.main(["--from-json", str(out.with_suffix(".json")), "--out", str(out)]) == 0
    with_soak = out.read_text(encoding="utf-8")
    assert with_soak.startswith(text.rstrip("\n"))
    assert with_soak.endswith("figures\n\n### Memory\n")
    assert "## Soak under load (`bench/SOAK.md`)" in with_soak


def test_cli_writes_a_corpus(tmp_path: Path) -> None:
    out = tmp_path / "c.nq"
    done = subprocess.run(
        [sys.executable, "-m", "bench.corpus", "--articles", "5", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "5 articles" in done.stdout
    assert out.read_bytes() == _corpus_bytes(5)


def test_the_search_bench_indexes_every_copy_of_the_story() -> None:
    one, two = search_index.measure(1), search_index.measure(2)
    assert two["quads"] == 2 * one["quads"]
    assert two["documents"] == 2 * one["documents"]
    assert two["hits"] == 2 * one["hits"] > 0
    assert one["reindex_subjects"] == two["reindex_subjects"] > 0


def test_ready_report_claims_the_target_only_from_the_ratios_per_round() -> None:
    from bench.ready import report  # noqa: PLC0415 - this test alone needs it

    results = {
        "cold": [3.0],
        "kgpub": [1.0, 0.9, 1.3],
        "minimal": [0.5, 0.5, 0.5],
        "kgpub_cpu": [0.8, 0.8, 0.9],
        "minimal_cpu": [0.4, 0.4, 0.4],
    }
    text = report(results, "abc1234", ("1.0 1.0 1.0", "1.1 1.0 1.0"))
    assert "| ratio, per round | 2.00x | 1.80x to 2.60x |" in text
    assert "target: not met in this run" in text
    results["kgpub"] = [0.9, 0.95, 1.1]
    assert "target: met in the median in this run" in report(results, "abc1234", ("", ""))
    results["kgpub"] = [0.9, 0.95, 0.8]
    assert "target: met in this run" in report(results, "abc1234", ("", ""))
