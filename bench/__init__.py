"""The kgpub benchmark: a deterministic news corpus, ten queries and a runner.

``python -m bench.corpus`` writes the corpus, ``python -m bench.run`` measures
the engine floor, kgpub, a minimal FastAPI endpoint and a bare uvicorn app side
by side and writes ``bench/RESULTS.md``.
"""
